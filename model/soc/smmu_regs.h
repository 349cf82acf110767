// Arm SMMUv3 programming interface as the model implements it: register offsets and fields,
// the in-memory formats (stream table, context descriptor, VMSAv8-64 stage-1 descriptors,
// commands, event records). One table for the whole block; smmu.cc and smmu_walker.cc use only
// these names. Offsets and fields follow the SMMUv3 architecture (little-endian).
#pragma once

#include <cstdint>

namespace epvp::soc::smmuv3 {

constexpr std::uint64_t field(std::uint64_t v, unsigned lsb, unsigned width) {
    return (v >> lsb) & ((width >= 64) ? ~0ull : ((1ull << width) - 1));
}

// ---- Registers (page 0 at the base, page 1 at base + page1) ---------------------------------
namespace reg {
constexpr std::uint32_t IDR0 = 0x00, IDR1 = 0x04, IDR2 = 0x08, IDR3 = 0x0C, IDR4 = 0x10,
                        IDR5 = 0x14, IIDR = 0x18, AIDR = 0x1C;
constexpr std::uint32_t CR0 = 0x20, CR0ACK = 0x24, CR1 = 0x28, CR2 = 0x2C;
constexpr std::uint32_t STATUSR = 0x40, GBPA = 0x44;
constexpr std::uint32_t IRQ_CTRL = 0x50, IRQ_CTRLACK = 0x54;
constexpr std::uint32_t GERROR = 0x60, GERRORN = 0x64;
constexpr std::uint32_t STRTAB_BASE = 0x80, STRTAB_BASE_HI = 0x84, STRTAB_BASE_CFG = 0x88;
constexpr std::uint32_t CMDQ_BASE = 0x90, CMDQ_BASE_HI = 0x94, CMDQ_PROD = 0x98, CMDQ_CONS = 0x9C;
constexpr std::uint32_t EVTQ_BASE = 0xA0, EVTQ_BASE_HI = 0xA4;
constexpr std::uint32_t page1 = 0x10000;
constexpr std::uint32_t EVTQ_PROD = page1 + 0xA8, EVTQ_CONS = page1 + 0xAC;
constexpr std::uint32_t block_bytes = 2 * page1;
} // namespace reg

namespace idr0 {
constexpr std::uint32_t S2P = 1u << 0, S1P = 1u << 1;
constexpr unsigned TTF_lsb = 2;
constexpr std::uint32_t TTF_aarch64 = 2;
constexpr std::uint32_t COHACC = 1u << 4, ASID16 = 1u << 12;
constexpr unsigned TTENDIAN_lsb = 21;
constexpr std::uint32_t TTENDIAN_little = 2;
constexpr unsigned STALL_MODEL_lsb = 24;
constexpr std::uint32_t STALL_MODEL_no_stall = 1;
constexpr unsigned ST_LEVEL_lsb = 27;
constexpr std::uint32_t ST_LEVEL_2lvl = 1;
} // namespace idr0

namespace idr1 {
constexpr unsigned SIDSIZE_lsb = 0, SSIDSIZE_lsb = 6, EVTQS_lsb = 16, CMDQS_lsb = 21;
} // namespace idr1

namespace idr5 {
constexpr std::uint32_t OAS_48bit = 5; // OAS[2:0]
constexpr std::uint32_t GRAN4K = 1u << 4;
} // namespace idr5

namespace cr0 {
constexpr std::uint32_t SMMUEN = 1u << 0, EVTQEN = 1u << 2, CMDQEN = 1u << 3;
constexpr std::uint32_t writable = SMMUEN | EVTQEN | CMDQEN;
} // namespace cr0

namespace gbpa {
constexpr std::uint32_t ABORT = 1u << 20, UPDATE = 1u << 31;
} // namespace gbpa

namespace irq_ctrl {
constexpr std::uint32_t GERROR_IRQEN = 1u << 0, EVTQ_IRQEN = 1u << 2;
constexpr std::uint32_t writable = GERROR_IRQEN | EVTQ_IRQEN;
} // namespace irq_ctrl

namespace gerror {
constexpr std::uint32_t CMDQ_ERR = 1u << 0, EVTQ_ABT_ERR = 1u << 2;
constexpr std::uint32_t writable = CMDQ_ERR | EVTQ_ABT_ERR;
} // namespace gerror

namespace strtab_cfg {
constexpr unsigned LOG2SIZE_lsb = 0, LOG2SIZE_width = 6;
constexpr unsigned SPLIT_lsb = 6, SPLIT_width = 5;
constexpr unsigned FMT_lsb = 16, FMT_width = 2;
constexpr std::uint32_t FMT_linear = 0, FMT_2lvl = 1;
} // namespace strtab_cfg

// STRTAB_BASE / CMDQ_BASE / EVTQ_BASE: address bits and LOG2SIZE (queues).
constexpr std::uint64_t addr_mask_51_6 = 0x000FFFFFFFFFFFC0ull;
constexpr std::uint64_t addr_mask_51_5 = 0x000FFFFFFFFFFFE0ull;
constexpr std::uint64_t q_log2size_mask = 0x1F;

// Queue pointers: index in [log2size-1:0], wrap at bit log2size.
namespace q {
constexpr unsigned CONS_ERR_lsb = 24;
constexpr std::uint32_t CONS_ERR_mask = 0x7Fu << CONS_ERR_lsb;
constexpr std::uint32_t CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2;
constexpr std::uint32_t PROD_OVFLG = 1u << 31;
} // namespace q

// ---- Stream table ---------------------------------------------------------------------------
constexpr unsigned ste_bytes = 64, l1std_bytes = 8, cd_bytes = 64;
namespace l1std {
constexpr unsigned SPAN_lsb = 0, SPAN_width = 5;
constexpr std::uint64_t L2PTR_mask = addr_mask_51_6;
} // namespace l1std
namespace ste {
constexpr std::uint64_t V = 1ull << 0;
constexpr unsigned CONFIG_lsb = 1, CONFIG_width = 3;
constexpr std::uint64_t CONFIG_abort = 0, CONFIG_bypass = 4, CONFIG_s1 = 5, CONFIG_s2 = 6,
                        CONFIG_nested = 7;
constexpr unsigned S1FMT_lsb = 4, S1FMT_width = 2;
constexpr std::uint64_t S1CTXPTR_mask = addr_mask_51_6;
constexpr unsigned S1CDMAX_lsb = 59, S1CDMAX_width = 5;
} // namespace ste

// ---- Context descriptor (dword 0 and 1) -----------------------------------------------------
namespace cd {
constexpr unsigned T0SZ_lsb = 0, T0SZ_width = 6;
constexpr unsigned TG0_lsb = 6, TG0_width = 2;
constexpr std::uint64_t TG0_4k = 0;
constexpr std::uint64_t EPD0 = 1ull << 14;
constexpr std::uint64_t V = 1ull << 31;
constexpr unsigned IPS_lsb = 32, IPS_width = 3;
constexpr std::uint64_t AFFD = 1ull << 35;
constexpr std::uint64_t AA64 = 1ull << 41;
constexpr unsigned ASID_lsb = 48, ASID_width = 16;
constexpr std::uint64_t TTB0_mask = 0x000FFFFFFFFFFFF0ull; // dword 1
constexpr unsigned min_t0sz = 16, max_t0sz = 39;           // 4 KiB granule, 48 down to 25 bits
} // namespace cd

// ---- VMSAv8-64 stage-1 descriptors, 4 KiB granule -------------------------------------------
namespace pte {
constexpr std::uint64_t VALID = 1ull << 0, TABLE = 1ull << 1; // TABLE: table (L0-2) / page (L3)
constexpr std::uint64_t AP1_UNPRIV = 1ull << 6, AP2_RDONLY = 1ull << 7;
constexpr std::uint64_t AF = 1ull << 10;
// Table descriptors' APTable[1:0] (bits 62:61), applied to every level below (hierarchical
// permissions; SMMU_IDR3.HAD is 0, so they cannot be disabled): bit 0 no unprivileged access,
// bit 1 no write access.
constexpr unsigned APTABLE_lsb = 61, APTABLE_width = 2;
constexpr unsigned APTABLE_no_unpriv = 1, APTABLE_no_write = 2;
constexpr std::uint64_t OA_mask = 0x0000FFFFFFFFF000ull;      // bits 47:12
constexpr std::uint64_t OA_high_mask = 0x000F000000000000ull; // 51:48 (address size faults)
constexpr unsigned granule_shift = 12, bits_per_level = 9, levels = 4;
constexpr std::uint64_t granule_bytes = 1ull << granule_shift;
} // namespace pte

// IPS / OAS encodings to address bits.
constexpr unsigned pa_bits(std::uint64_t ips) {
    constexpr unsigned bits[] = {32, 36, 40, 42, 44, 48, 52, 52};
    return bits[ips & 7];
}

// ---- Commands (16 bytes) --------------------------------------------------------------------
constexpr unsigned cmd_bytes = 16;
namespace cmd {
constexpr std::uint8_t PREFETCH_CONFIG = 0x01, PREFETCH_ADDR = 0x02, CFGI_STE = 0x03,
                       CFGI_ALL = 0x04, CFGI_CD = 0x05, CFGI_CD_ALL = 0x06, TLBI_NH_ALL = 0x10,
                       TLBI_NH_ASID = 0x11, TLBI_NH_VA = 0x12, TLBI_NH_VAA = 0x13,
                       TLBI_NSNH_ALL = 0x30, SYNC = 0x46;
constexpr unsigned OPCODE_lsb = 0, OPCODE_width = 8;
constexpr unsigned SID_lsb = 32, SID_width = 32;
constexpr unsigned ASID_lsb = 48, ASID_width = 16;
constexpr std::uint64_t LEAF = 1ull << 0;                  // dword 1
constexpr std::uint64_t ADDR_mask = 0xFFFFFFFFFFFFF000ull; // dword 1, TLBI_NH_VA
constexpr unsigned SYNC_CS_lsb = 12, SYNC_CS_width = 2;
constexpr std::uint64_t SYNC_CS_none = 0;
} // namespace cmd

// ---- Event records (32 bytes) ---------------------------------------------------------------
constexpr unsigned evt_bytes = 32;
namespace evt {
constexpr std::uint8_t C_BAD_STREAMID = 0x02, F_STE_FETCH = 0x03, C_BAD_STE = 0x04,
                       F_STREAM_DISABLED = 0x06, F_CD_FETCH = 0x09, C_BAD_CD = 0x0A,
                       F_WALK_EABT = 0x0B, F_TRANSLATION = 0x10, F_ADDR_SIZE = 0x11,
                       F_ACCESS = 0x12, F_PERMISSION = 0x13;
constexpr unsigned SID_lsb = 32;
constexpr std::uint64_t PnU = 1ull << 33, InD = 1ull << 34, RnW = 1ull << 35; // dword 1
} // namespace evt

} // namespace epvp::soc::smmuv3

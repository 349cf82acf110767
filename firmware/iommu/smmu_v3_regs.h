// Arm SMMUv3 register, structure and command layouts the endpoint firmware's SMMU driver uses
// (Arm IHI 0070, "SMMU architecture version 3"), one table for the block.
//
// Models: the register page 0 / page 1 offsets and fields of the non-secure programming
// interface, the 2-level stream table (level-1 descriptor, STE), the 64-byte context descriptor,
// the VMSAv8-64 stage-1 descriptor bits for a 4 KiB granule, the 16-byte command and 32-byte
// event record layouts, all little-endian. Does not model: the secure register bank, PRI queue,
// MSI configuration registers, stage-2 fields, ATS, or any field the driver never writes.
#pragma once

#include <cstdint>

namespace fw::iommu::smmu_regs {

// ---- register page 0 (byte offsets from the SMMU base) ----
constexpr std::uint32_t IDR0 = 0x00;
constexpr std::uint32_t IDR1 = 0x04;
constexpr std::uint32_t IDR5 = 0x14;
constexpr std::uint32_t CR0 = 0x20;
constexpr std::uint32_t CR0ACK = 0x24;
constexpr std::uint32_t CR1 = 0x28;
constexpr std::uint32_t CR2 = 0x2C;
constexpr std::uint32_t GBPA = 0x44;
constexpr std::uint32_t IRQ_CTRL = 0x50;
constexpr std::uint32_t IRQ_CTRLACK = 0x54;
constexpr std::uint32_t GERROR = 0x60;
constexpr std::uint32_t GERRORN = 0x64;
constexpr std::uint32_t STRTAB_BASE = 0x80; // 64-bit
constexpr std::uint32_t STRTAB_BASE_CFG = 0x88;
constexpr std::uint32_t CMDQ_BASE = 0x90; // 64-bit
constexpr std::uint32_t CMDQ_PROD = 0x98;
constexpr std::uint32_t CMDQ_CONS = 0x9C;
constexpr std::uint32_t EVTQ_BASE = 0xA0; // 64-bit
// ---- register page 1 ----
constexpr std::uint32_t PAGE1 = 0x10000;
constexpr std::uint32_t EVTQ_PROD = PAGE1 + 0xA8;
constexpr std::uint32_t EVTQ_CONS = PAGE1 + 0xAC;
// The two 64 KiB pages the driver touches.
constexpr std::uint64_t REG_SPACE_BYTES = 0x20000;

// ---- IDR0 ----
constexpr std::uint32_t IDR0_S2P = 1u << 0;
constexpr std::uint32_t IDR0_S1P = 1u << 1;
constexpr std::uint32_t IDR0_TTF_SHIFT = 2;
constexpr std::uint32_t IDR0_TTF_MASK = 0x3u << IDR0_TTF_SHIFT;
constexpr std::uint32_t IDR0_TTF_AARCH64 = 2;
constexpr std::uint32_t IDR0_TTF_BOTH = 3; // AArch32 and AArch64
constexpr std::uint32_t IDR0_COHACC = 1u << 4;
constexpr std::uint32_t IDR0_ASID16 = 1u << 12;
constexpr std::uint32_t IDR0_TTENDIAN_SHIFT = 21;
constexpr std::uint32_t IDR0_TTENDIAN_MASK = 0x3u << IDR0_TTENDIAN_SHIFT;
constexpr std::uint32_t IDR0_TTENDIAN_MIXED = 0;
constexpr std::uint32_t IDR0_TTENDIAN_LE = 2;
constexpr std::uint32_t IDR0_ST_LEVEL_SHIFT = 27;
constexpr std::uint32_t IDR0_ST_LEVEL_MASK = 0x3u << IDR0_ST_LEVEL_SHIFT;
constexpr std::uint32_t IDR0_ST_LEVEL_2LVL = 1;

// ---- IDR1 ----
constexpr std::uint32_t IDR1_SIDSIZE_SHIFT = 0;
constexpr std::uint32_t IDR1_SIDSIZE_MASK = 0x3Fu << IDR1_SIDSIZE_SHIFT;
constexpr std::uint32_t IDR1_SSIDSIZE_SHIFT = 6;
constexpr std::uint32_t IDR1_SSIDSIZE_MASK = 0x1Fu << IDR1_SSIDSIZE_SHIFT;
constexpr std::uint32_t IDR1_EVTQS_SHIFT = 16;
constexpr std::uint32_t IDR1_EVTQS_MASK = 0x1Fu << IDR1_EVTQS_SHIFT;
constexpr std::uint32_t IDR1_CMDQS_SHIFT = 21;
constexpr std::uint32_t IDR1_CMDQS_MASK = 0x1Fu << IDR1_CMDQS_SHIFT;

// ---- IDR5 ----
constexpr std::uint32_t IDR5_OAS_SHIFT = 0;
constexpr std::uint32_t IDR5_OAS_MASK = 0x7u << IDR5_OAS_SHIFT;
constexpr std::uint32_t IDR5_GRAN4K = 1u << 4;
constexpr std::uint32_t IDR5_GRAN16K = 1u << 5;
constexpr std::uint32_t IDR5_GRAN64K = 1u << 6;
// OAS / IPS encodings 0..6 -> address bits.
constexpr unsigned PA_BITS[] = {32, 36, 40, 42, 44, 48, 52};
constexpr unsigned PA_ENCODINGS = sizeof(PA_BITS) / sizeof(PA_BITS[0]);

// ---- CR0 / CR0ACK ----
constexpr std::uint32_t CR0_SMMUEN = 1u << 0;
constexpr std::uint32_t CR0_EVTQEN = 1u << 2;
constexpr std::uint32_t CR0_CMDQEN = 1u << 3;

// ---- CR1: cacheability and shareability of queue and table accesses ----
constexpr std::uint32_t CR1_QUEUE_IC_SHIFT = 0;
constexpr std::uint32_t CR1_QUEUE_OC_SHIFT = 2;
constexpr std::uint32_t CR1_QUEUE_SH_SHIFT = 4;
constexpr std::uint32_t CR1_TABLE_IC_SHIFT = 6;
constexpr std::uint32_t CR1_TABLE_OC_SHIFT = 8;
constexpr std::uint32_t CR1_TABLE_SH_SHIFT = 10;
constexpr std::uint32_t CR1_CACHE_NC = 0;
constexpr std::uint32_t CR1_CACHE_WB = 1;
constexpr std::uint32_t CR1_SH_OSH = 2;
constexpr std::uint32_t CR1_SH_ISH = 3;

// ---- CR2 ----
constexpr std::uint32_t CR2_E2H = 1u << 0;
constexpr std::uint32_t CR2_RECINVSID = 1u << 1; // record C_BAD_STREAMID
constexpr std::uint32_t CR2_PTM = 1u << 2;

// ---- GBPA ----
constexpr std::uint32_t GBPA_ABORT = 1u << 20;
constexpr std::uint32_t GBPA_UPDATE = 1u << 31;

// ---- IRQ_CTRL / IRQ_CTRLACK ----
constexpr std::uint32_t IRQ_CTRL_GERROR_IRQEN = 1u << 0;
constexpr std::uint32_t IRQ_CTRL_PRIQ_IRQEN = 1u << 1;
constexpr std::uint32_t IRQ_CTRL_EVTQ_IRQEN = 1u << 2;

// ---- GERROR / GERRORN (an error is active while the two bits differ) ----
constexpr std::uint32_t GERROR_CMDQ_ERR = 1u << 0;
constexpr std::uint32_t GERROR_EVTQ_ABT_ERR = 1u << 2;
constexpr std::uint32_t GERROR_PRIQ_ABT_ERR = 1u << 3;
constexpr std::uint32_t GERROR_MSI_CMDQ_ABT_ERR = 1u << 4;
constexpr std::uint32_t GERROR_MSI_EVTQ_ABT_ERR = 1u << 5;
constexpr std::uint32_t GERROR_MSI_PRIQ_ABT_ERR = 1u << 6;
constexpr std::uint32_t GERROR_MSI_GERROR_ABT_ERR = 1u << 7;
constexpr std::uint32_t GERROR_SFM_ERR = 1u << 8;
constexpr std::uint32_t GERROR_CMDQP_ERR = 1u << 9;
constexpr std::uint32_t GERROR_ALL = 0x3FDu; // every defined bit (b1 is reserved)

// ---- STRTAB_BASE / STRTAB_BASE_CFG ----
constexpr std::uint64_t STRTAB_BASE_RA = 1ull << 62;
constexpr std::uint64_t STRTAB_BASE_ADDR_MASK = 0x000FFFFFFFFFFFC0ull; // [51:6]
constexpr std::uint32_t STRTAB_BASE_CFG_LOG2SIZE_SHIFT = 0;
constexpr std::uint32_t STRTAB_BASE_CFG_LOG2SIZE_MASK = 0x3Fu;
constexpr std::uint32_t STRTAB_BASE_CFG_SPLIT_SHIFT = 6;
constexpr std::uint32_t STRTAB_BASE_CFG_SPLIT_MASK = 0x1Fu << STRTAB_BASE_CFG_SPLIT_SHIFT;
constexpr std::uint32_t STRTAB_BASE_CFG_FMT_SHIFT = 16;
constexpr std::uint32_t STRTAB_BASE_CFG_FMT_MASK = 0x3u << STRTAB_BASE_CFG_FMT_SHIFT;
constexpr std::uint32_t STRTAB_BASE_CFG_FMT_LINEAR = 0;
constexpr std::uint32_t STRTAB_BASE_CFG_FMT_2LVL = 1;

// ---- CMDQ_BASE / EVTQ_BASE ----
constexpr std::uint64_t Q_BASE_RWA = 1ull << 62;                  // RA (CMDQ) / WA (EVTQ)
constexpr std::uint64_t Q_BASE_ADDR_MASK = 0x000FFFFFFFFFFFE0ull; // [51:5]
constexpr std::uint64_t Q_BASE_LOG2SIZE_MASK = 0x1Full;           // [4:0]
constexpr unsigned Q_MIN_ALIGN_BYTES = 32;

// ---- queue PROD / CONS ----
constexpr std::uint32_t CMDQ_CONS_ERR_SHIFT = 24;
constexpr std::uint32_t CMDQ_CONS_ERR_MASK = 0x7Fu << CMDQ_CONS_ERR_SHIFT;
constexpr std::uint32_t CERROR_NONE = 0;
constexpr std::uint32_t CERROR_ILL = 1;
constexpr std::uint32_t CERROR_ABT = 2;
constexpr std::uint32_t CERROR_ATC_INV_SYNC = 3;
constexpr std::uint32_t EVTQ_PROD_OVFLG = 1u << 31;
constexpr std::uint32_t EVTQ_CONS_OVACKFLG = 1u << 31;

// ---- stream table: level-1 descriptor (8 bytes) ----
constexpr unsigned L1STD_BYTES = 8;
constexpr std::uint64_t L1STD_SPAN_MASK = 0x1Full;                // [4:0]; STEs = 2^(SPAN-1)
constexpr std::uint64_t L1STD_L2PTR_MASK = 0x000FFFFFFFFFFFC0ull; // [51:6]

// ---- stream table entry (64 bytes, 8 dwords) ----
constexpr unsigned STE_BYTES = 64;
constexpr unsigned STE_DWORDS = 8;
constexpr std::uint64_t STE0_V = 1ull << 0;
constexpr unsigned STE0_CONFIG_SHIFT = 1;
constexpr std::uint64_t STE0_CONFIG_MASK = 0x7ull << STE0_CONFIG_SHIFT;
constexpr std::uint64_t STE_CONFIG_ABORT = 0;
constexpr std::uint64_t STE_CONFIG_BYPASS = 4;
constexpr std::uint64_t STE_CONFIG_S1_TRANS = 5;
constexpr unsigned STE0_S1FMT_SHIFT = 4;
constexpr std::uint64_t STE0_S1CTXPTR_MASK = 0x000FFFFFFFFFFFC0ull; // [51:6]
constexpr unsigned STE0_S1CDMAX_SHIFT = 59;
constexpr unsigned STE1_S1CIR_SHIFT = 2;
constexpr unsigned STE1_S1COR_SHIFT = 4;
constexpr unsigned STE1_S1CSH_SHIFT = 6;
constexpr unsigned STE1_SHCFG_SHIFT = 44;
constexpr std::uint64_t STE_SHCFG_INCOMING = 1;
constexpr std::uint64_t STE_CACHE_WBRA = 1; // S1CIR/S1COR: write-back read-allocate
constexpr std::uint64_t STE_SH_ISH = 3;

// ---- context descriptor (64 bytes, 8 dwords) ----
constexpr unsigned CD_BYTES = 64;
constexpr unsigned CD_DWORDS = 8;
constexpr unsigned CD0_T0SZ_SHIFT = 0;
constexpr unsigned CD0_TG0_SHIFT = 6;
constexpr std::uint64_t CD_TG0_4K = 0;
constexpr unsigned CD0_IRGN0_SHIFT = 8;
constexpr unsigned CD0_ORGN0_SHIFT = 10;
constexpr unsigned CD0_SH0_SHIFT = 12;
constexpr std::uint64_t CD_RGN_WBWA = 1;
constexpr std::uint64_t CD_SH_ISH = 3;
constexpr std::uint64_t CD0_EPD0 = 1ull << 14;
constexpr std::uint64_t CD0_EPD1 = 1ull << 30;
constexpr std::uint64_t CD0_V = 1ull << 31;
constexpr unsigned CD0_IPS_SHIFT = 32;
constexpr std::uint64_t CD0_AA64 = 1ull << 41;
constexpr std::uint64_t CD0_R = 1ull << 45;
constexpr std::uint64_t CD0_A = 1ull << 46;
constexpr std::uint64_t CD0_ASET = 1ull << 47;
constexpr unsigned CD0_ASID_SHIFT = 48;
constexpr std::uint64_t CD1_TTB0_MASK = 0x000FFFFFFFFFFFF0ull; // [51:4]
constexpr unsigned CD_MAIR_DWORD = 3;

// ---- MAIR attribute bytes and the indices the page tables use ----
constexpr unsigned MAIR_ATTR_BITS = 8;
constexpr std::uint64_t MAIR_ATTR_NORMAL_WBWA = 0xFF; // Normal, inner/outer write-back RW-allocate
constexpr std::uint64_t MAIR_ATTR_DEVICE_NGNRE = 0x04;
constexpr unsigned MAIR_IDX_NORMAL = 0;
constexpr unsigned MAIR_IDX_DEVICE = 1;

// ---- VMSAv8-64 stage-1 descriptors, 4 KiB granule ----
constexpr unsigned PAGE_SHIFT = 12;
constexpr std::uint64_t PAGE_BYTES = 1ull << PAGE_SHIFT;
constexpr unsigned PT_LEVELS = 4;
constexpr unsigned PT_INDEX_BITS = 9;
constexpr unsigned PT_ENTRIES = 1u << PT_INDEX_BITS;
constexpr unsigned PT_DESC_BYTES = 8;
constexpr unsigned IA_BITS = 48;    // T0SZ = 64 - IA_BITS
constexpr unsigned BLOCK_LEVEL = 2; // the level whose blocks (2 MiB) the driver uses
constexpr std::uint64_t PTE_VALID = 1ull << 0;
constexpr std::uint64_t PTE_TABLE = 1ull << 1; // at levels 0-2: table; at level 3: page
constexpr std::uint64_t PTE_PAGE = 1ull << 1;
constexpr unsigned PTE_ATTRINDX_SHIFT = 2;
constexpr std::uint64_t PTE_ATTRINDX_MASK = 0x7ull << PTE_ATTRINDX_SHIFT;
constexpr std::uint64_t PTE_AP_UNPRIV = 1ull << 6; // AP[1]: EL0 (unprivileged) access
constexpr std::uint64_t PTE_AP_RDONLY = 1ull << 7; // AP[2]: read-only
constexpr unsigned PTE_SH_SHIFT = 8;
constexpr std::uint64_t PTE_SH_ISH = 3ull << PTE_SH_SHIFT;
constexpr std::uint64_t PTE_AF = 1ull << 10;
constexpr std::uint64_t PTE_NG = 1ull << 11;
constexpr std::uint64_t PTE_PXN = 1ull << 53;
constexpr std::uint64_t PTE_UXN = 1ull << 54;
constexpr std::uint64_t PTE_ADDR_MASK = 0x0000FFFFFFFFF000ull; // output address [47:12]

// ---- commands (16 bytes) ----
constexpr unsigned CMD_BYTES = 16;
constexpr std::uint64_t CMD0_OPCODE_MASK = 0xFFull;
constexpr std::uint8_t CMD_CFGI_STE = 0x03;
constexpr std::uint8_t CMD_CFGI_ALL = 0x04;
constexpr std::uint8_t CMD_CFGI_CD = 0x05;
constexpr std::uint8_t CMD_TLBI_NH_ASID = 0x11;
constexpr std::uint8_t CMD_TLBI_NH_VA = 0x12;
constexpr std::uint8_t CMD_TLBI_NSNH_ALL = 0x30;
constexpr std::uint8_t CMD_SYNC = 0x46;
constexpr unsigned CMD0_SID_SHIFT = 32;
constexpr unsigned CMD0_ASID_SHIFT = 48;
constexpr unsigned CMD0_SYNC_CS_SHIFT = 12;
constexpr std::uint64_t CMD_SYNC_CS_NONE = 0;
constexpr std::uint64_t CMD1_LEAF = 1ull << 0;
constexpr std::uint64_t CMD1_CFGI_ALL_RANGE = 31;             // RANGE[4:0] = 31: every stream
constexpr std::uint64_t CMD1_VA_MASK = 0xFFFFFFFFFFFFF000ull; // ADDR[63:12]

// ---- event records (32 bytes) ----
constexpr unsigned EVT_BYTES = 32;
constexpr unsigned EVT_DWORDS = 4;
constexpr std::uint64_t EVT0_ID_MASK = 0xFFull;
constexpr unsigned EVT0_SID_SHIFT = 32;
constexpr std::uint64_t EVT1_PNU = 1ull << 33;
constexpr std::uint64_t EVT1_IND = 1ull << 34;
constexpr std::uint64_t EVT1_RNW = 1ull << 35;
constexpr std::uint8_t EVT_F_UUT = 0x01;
constexpr std::uint8_t EVT_C_BAD_STREAMID = 0x02;
constexpr std::uint8_t EVT_F_STE_FETCH = 0x03;
constexpr std::uint8_t EVT_C_BAD_STE = 0x04;
constexpr std::uint8_t EVT_F_STREAM_DISABLED = 0x06;
constexpr std::uint8_t EVT_C_BAD_SUBSTREAMID = 0x08;
constexpr std::uint8_t EVT_F_CD_FETCH = 0x09;
constexpr std::uint8_t EVT_C_BAD_CD = 0x0A;
constexpr std::uint8_t EVT_F_WALK_EABT = 0x0B;
constexpr std::uint8_t EVT_F_TRANSLATION = 0x10;
constexpr std::uint8_t EVT_F_ADDR_SIZE = 0x11;
constexpr std::uint8_t EVT_F_ACCESS = 0x12;
constexpr std::uint8_t EVT_F_PERMISSION = 0x13;
constexpr std::uint8_t EVT_F_TLB_CONFLICT = 0x20;
constexpr std::uint8_t EVT_F_CFG_CONFLICT = 0x21;

// ---- requester IDs as stream IDs: bus << 8 | devfn ----
constexpr unsigned SID_BITS = 16;
constexpr unsigned STRTAB_SPLIT = 8; // level-1 index = bus, level-2 index = devfn
constexpr unsigned DEVFN_COUNT = 1u << STRTAB_SPLIT;

} // namespace fw::iommu::smmu_regs

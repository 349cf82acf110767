// The DWC internal Address Translation Unit (iATU): register model and address translation.
//
// Models: outbound and inbound regions with CTRL1, CTRL2, LOWER/UPPER_BASE, LIMIT,
// LOWER/UPPER_TARGET and (from 4.60a) UPPER_LIMIT; the unrolled layout (from 4.80a: a
// 0x200-byte block per region index, outbound at +0x000, inbound at +0x100, the viewport
// register reading all-ones) and the legacy viewport (DBI 0x900 selects index and direction,
// the selected region appears at DBI 0x904); the configured number of regions per direction
// (registers of regions beyond the count read 0 and ignore writes, which is how firmware
// counts them); base/target/limit low bits hard-wired to the region alignment (LIMIT reads
// ones there); UPPER_LIMIT writable up to the configured region limit; types MEM/IO/CFG0/CFG1/
// MSG (an inbound region matches only TLPs of its type: CTRL1.TYPE against the TLP header's
// Type field); inbound BAR-match (BAR number, optional function match on CTRL1.FUNC_NUM, bits
// [24:20]: up to 32 physical functions) and address-match modes; INCREASE_REGION_SIZE (the limit
// within the region limit's span, the bits above it the base's). Overlapping enabled regions: the
// lowest index wins. Translation is a pure lookup; the controller applies the miss policy. Does not
// model: CTRL2 INVERT_MODE (stored, ignored), CFG shift mode, message generation from MSG regions,
// DMA bypass, TLP attribute overrides (TD, TC, ATTR fields are stored but do not change the TLP).
// SystemC-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace epvp::dwc {

// Register offsets within one region block, and their bits.
namespace iatu_reg {
constexpr std::uint32_t ctrl1 = 0x00;
constexpr std::uint32_t ctrl2 = 0x04;
constexpr std::uint32_t lower_base = 0x08;
constexpr std::uint32_t upper_base = 0x0C;
constexpr std::uint32_t lower_limit = 0x10;
constexpr std::uint32_t lower_target = 0x14;
constexpr std::uint32_t upper_target = 0x18;
constexpr std::uint32_t upper_limit = 0x20;
constexpr std::uint32_t region_bytes = 0x200; // unrolled stride per index
constexpr std::uint32_t inbound_offset = 0x100;

// CTRL1.TYPE takes the TLP header's Type field (Linux drivers/pci/controller/dwc/
// pcie-designware.h: PCIE_ATU_TYPE_MEM 0x0, _IO 0x2, _CFG0 0x4, _CFG1 0x5, _MSG 0x10; PCIe Base
// Spec 5.0 table 2-3: Type 0b00000 MRd/MWr, 0b00010 IORd/IOWr, 0b00100 CfgRd0/CfgWr0, 0b00101
// CfgRd1/CfgWr1, 0b10rrr Msg/MsgD routed by rrr).
constexpr std::uint32_t ctrl1_type_mask = 0x1F;
constexpr std::uint32_t type_mem = 0x0;
constexpr std::uint32_t type_io = 0x2;
constexpr std::uint32_t type_cfg0 = 0x4;
constexpr std::uint32_t type_cfg1 = 0x5;
constexpr std::uint32_t type_msg = 0x10;
constexpr std::uint32_t ctrl1_td = 1u << 8;
constexpr std::uint32_t ctrl1_increase_region_size = 1u << 13;
constexpr std::uint32_t ctrl1_func_num_shift = 20;
// FUNC_NUM [24:20] (Linux PCIE_ATU_FUNC_NUM(pf) = pf << 20; 5 bits: up to 32 PFs).
constexpr std::uint32_t ctrl1_func_num_mask = 0x1Fu << ctrl1_func_num_shift;

constexpr std::uint32_t ctrl2_enable = 1u << 31;
constexpr std::uint32_t ctrl2_bar_mode = 1u << 30;
constexpr std::uint32_t ctrl2_cfg_shift = 1u << 28;
constexpr std::uint32_t ctrl2_inhibit_payload = 1u << 22;
constexpr std::uint32_t ctrl2_func_num_match = 1u << 19;
constexpr std::uint32_t ctrl2_bar_shift = 8;
constexpr std::uint32_t ctrl2_bar_mask = 0x7u << ctrl2_bar_shift;

constexpr std::uint32_t viewport_dir_inbound = 1u << 31;
constexpr std::uint32_t viewport_unrolled_value = 0xFFFFFFFFu;
} // namespace iatu_reg

enum class iatu_dir { outbound = 0, inbound = 1 };

struct iatu_params {
    unsigned outbound_windows = 8;
    unsigned inbound_windows = 8;
    std::uint64_t region_align = 4096;
    std::uint64_t region_limit = 1ull << 40; // power of two, >= 4 GiB
    bool unrolled = true;
    bool has_upper_limit = true;
};

struct iatu_region {
    std::uint32_t ctrl1 = 0, ctrl2 = 0, lower_base = 0, upper_base = 0, lower_limit = 0,
                  lower_target = 0, upper_target = 0, upper_limit = 0;
    // Which registers were written since the region was last disabled (programming-rule check).
    bool base_written = false, limit_written = false, target_written = false;
    bool enabled() const { return ctrl2 & iatu_reg::ctrl2_enable; }
    std::uint64_t base() const { return (std::uint64_t(upper_base) << 32) | lower_base; }
    std::uint64_t target() const { return (std::uint64_t(upper_target) << 32) | lower_target; }
    // Inclusive. With INCREASE_REGION_SIZE the limit is UPPER_LIMIT:LIMIT within a span of
    // region_limit bytes (a power of two); the bits above it are the base's, as Linux's
    // dw_pcie_prog_outbound_atu / dw_pcie_prog_inbound_atu require ((limit & ~region_limit) ==
    // (base & ~region_limit)). Without it, UPPER_BASE:LIMIT.
    std::uint64_t limit(std::uint64_t region_limit) const;
    unsigned type() const { return ctrl1 & iatu_reg::ctrl1_type_mask; }
};

struct iatu_hit {
    bool hit = false;
    unsigned index = 0;
    std::uint64_t address = 0; // translated
    unsigned type = 0;         // CTRL1 type
};

// A message for the programming-rule checks; empty when the write was fine.
struct iatu_write_result {
    bool implemented = true;
    bool enabled_now = false; // this write enabled the region
    std::string warning;
};

class iatu {
public:
    explicit iatu(const iatu_params& p);
    const iatu_params& params() const { return p_; }

    // Unrolled access at an offset inside the iATU space.
    std::uint32_t read_unrolled(std::uint32_t offset) const;
    iatu_write_result write_unrolled(std::uint32_t offset, std::uint32_t value);
    // Legacy access: viewport register and the window behind it.
    std::uint32_t read_viewport() const;
    void write_viewport(std::uint32_t value);
    std::uint32_t read_viewport_window(std::uint32_t reg) const;
    iatu_write_result write_viewport_window(std::uint32_t reg, std::uint32_t value);

    std::uint32_t read(iatu_dir d, unsigned index, std::uint32_t reg) const;
    iatu_write_result write(iatu_dir d, unsigned index, std::uint32_t reg, std::uint32_t value);

    // Outbound: the region that covers a CPU-side (AXI) address.
    iatu_hit translate_outbound(std::uint64_t axi_addr) const;
    // Inbound: a region matches only a TLP whose header Type field (tlp_type, 5 bits: the
    // CTRL1.TYPE encoding) equals its CTRL1.TYPE; BAR-match regions then match bar/function,
    // address-match regions the PCI address. bar_offset is the offset of pci_addr inside the
    // hit BAR.
    iatu_hit translate_inbound(std::uint64_t pci_addr, int bar, std::uint64_t bar_offset,
                               unsigned function, unsigned tlp_type = iatu_reg::type_mem) const;

    const iatu_region* region(iatu_dir d, unsigned index) const;
    unsigned count(iatu_dir d) const {
        return d == iatu_dir::outbound ? p_.outbound_windows : p_.inbound_windows;
    }
    void reset();

    static const char* reg_name(std::uint32_t reg);

private:
    iatu_region* region_mut(iatu_dir d, unsigned index);
    iatu_params p_;
    std::vector<iatu_region> ob_, ib_;
    std::uint32_t viewport_ = 0;
    std::uint32_t viewport_index_mask_ = 0;
};

} // namespace epvp::dwc

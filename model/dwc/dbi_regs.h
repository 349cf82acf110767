// The DWC controller's DBI register table (endpoint mode, one function): Type 0 header,
// capability list PM (0x40) -> MSI (0x50) -> PCIe (0x70) -> MSI-X (0xB0), extended AER (0x100)
// and, where a BAR is resizable, Resizable BAR (0x148); the port-logic registers the firmware
// uses; and the DBI2 shadow (BAR masks). Offsets and bits live here once; dbi_regs.md is the
// compliance table.
//
// Models: reset values, host-writable bits, bits writable only by DBI under
// MISC_CONTROL_1.DBI_RO_WR_EN, W1C status bits, sticky bits, per-version presence of the
// version registers. Does not model: multiple physical functions, SR-IOV, the vendor-specific
// port-logic registers the firmware does not use (they read 0 and are logged once).
// SystemC-free.
#pragma once

#include "model/core/reg_block.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace epvp::dwc {

// Capability placement.
constexpr std::uint32_t pm_cap = 0x40;
constexpr std::uint32_t msi_cap = 0x50;
constexpr std::uint32_t exp_cap = 0x70;
constexpr std::uint32_t msix_cap = 0xB0;
constexpr std::uint32_t aer_cap = 0x100;
constexpr std::uint32_t rebar_cap = 0x148;

// MSI capability registers (32-bit views).
constexpr std::uint32_t msi_ctrl = msi_cap + 0x0; // ID | next | Message Control
constexpr std::uint32_t msi_addr_lo = msi_cap + 0x4;
constexpr std::uint32_t msi_addr_hi = msi_cap + 0x8;
constexpr std::uint32_t msi_data = msi_cap + 0xC;
constexpr std::uint32_t msi_ctrl_enable = 1u << 16;
constexpr std::uint32_t msi_ctrl_mmc_shift = 17; // Multiple Message Capable, 3 bits
constexpr std::uint32_t msi_ctrl_mme_shift = 20; // Multiple Message Enable, 3 bits
constexpr std::uint32_t msi_ctrl_64bit = 1u << 23;

// MSI-X capability registers.
constexpr std::uint32_t msix_ctrl = msix_cap + 0x0;
constexpr std::uint32_t msix_table = msix_cap + 0x4;
constexpr std::uint32_t msix_pba = msix_cap + 0x8;
constexpr std::uint32_t msix_ctrl_qsize_shift = 16; // Table Size (N-1), 11 bits
constexpr std::uint32_t msix_ctrl_qsize_mask = 0x7FF;
constexpr std::uint32_t msix_ctrl_mask_all = 1u << 30;
constexpr std::uint32_t msix_ctrl_enable = 1u << 31;

// AER.
constexpr std::uint32_t aer_uncor_status = aer_cap + 0x04;
constexpr std::uint32_t aer_uncor_mask = aer_cap + 0x08;
constexpr std::uint32_t aer_uncor_sever = aer_cap + 0x0C;
constexpr std::uint32_t aer_cor_status = aer_cap + 0x10;
constexpr std::uint32_t aer_cor_mask = aer_cap + 0x14;
constexpr std::uint32_t aer_cap_ctrl = aer_cap + 0x18;
constexpr std::uint32_t aer_header_log = aer_cap + 0x1C; // 4 registers
constexpr std::uint32_t aer_uncor_bits = 0x03FFF030u;
constexpr std::uint32_t aer_uncor_poisoned_tlp = 1u << 12;
constexpr std::uint32_t aer_uncor_completion_timeout = 1u << 14;
constexpr std::uint32_t aer_uncor_completer_abort = 1u << 15;
constexpr std::uint32_t aer_uncor_unsupported_request = 1u << 20;
constexpr std::uint32_t aer_first_error_pointer_mask = 0x1F;
// Device Status bits inside the DEVCTL_STA dword.
constexpr std::uint32_t devsta_nonfatal = 1u << 17;
constexpr std::uint32_t devsta_fatal = 1u << 18;
constexpr std::uint32_t devsta_unsupported = 1u << 19;
constexpr std::uint32_t devctl_nonfatal_report = 1u << 1;
constexpr std::uint32_t devctl_fatal_report = 1u << 2;
constexpr std::uint32_t aer_cor_bits = 0x0000F1C1u;
// Correctable error bits the Data Link Layer raises.
constexpr std::uint32_t aer_cor_bad_tlp = 1u << 6;
constexpr std::uint32_t aer_cor_bad_dllp = 1u << 7;
constexpr std::uint32_t aer_cor_replay_rollover = 1u << 8;
constexpr std::uint32_t aer_cor_replay_timeout = 1u << 12;
constexpr std::uint32_t devsta_correctable = 1u << 16;
constexpr std::uint32_t devctl_correctable_report = 1u << 0;

// Resizable BAR: entry i at rebar_cap + 4 + 8 * i (CAP) and + 8 + 8 * i (CTRL).
constexpr std::uint32_t rebar_entry_cap(unsigned i) {
    return rebar_cap + 4 + 8 * i;
}
constexpr std::uint32_t rebar_entry_ctrl(unsigned i) {
    return rebar_cap + 8 + 8 * i;
}
constexpr std::uint32_t rebar_ctrl_bar_index_mask = 0x7;
constexpr std::uint32_t rebar_ctrl_nbars_shift = 5;
constexpr std::uint32_t rebar_ctrl_size_shift = 8; // selected size, 6 bits: 1 MB << n
constexpr std::uint32_t rebar_ctrl_size_mask = 0x3Fu << rebar_ctrl_size_shift;
constexpr std::uint32_t rebar_cap_first_size_bit = 4; // bit 4 = 1 MB
constexpr std::uint64_t rebar_min_size = 1ull << 20;

// Port logic.
constexpr std::uint32_t port_link_control = 0x710;
constexpr std::uint32_t port_link_mode_shift = 16; // LINK_MODE, 6 bits
constexpr std::uint32_t port_link_mode_mask = 0x3Fu << port_link_mode_shift;
constexpr std::uint32_t port_debug0 = 0x728; // LTSSM state in [5:0]
constexpr std::uint32_t port_debug0_ltssm_mask = 0x3F;
constexpr std::uint32_t port_debug1 = 0x72C;
constexpr std::uint32_t port_debug1_link_up = 1u << 4;
constexpr std::uint32_t port_debug1_in_training = 1u << 29;
constexpr std::uint32_t gen2_ctrl = 0x80C; // PCIE_LINK_WIDTH_SPEED_CONTROL
constexpr std::uint32_t gen2_ctrl_width_shift = 8;
constexpr std::uint32_t gen2_ctrl_speed_change = 1u << 17;
constexpr std::uint32_t misc_control_1 = 0x8BC;
constexpr std::uint32_t misc_dbi_ro_wr_en = 1u << 0;
constexpr std::uint32_t version_number = 0x8F8;
constexpr std::uint32_t version_type = 0x8FC;
constexpr std::uint32_t atu_viewport = 0x900;
constexpr std::uint32_t atu_viewport_window = 0x904;
constexpr std::uint32_t atu_viewport_size = 0x2C;
// MSIX_DOORBELL (Linux pcie-designware.h PCIE_MSIX_DOORBELL 0x948, PCIE_MSIX_DOORBELL_PF_SHIFT
// 24; dw_pcie_ep_raise_msix_irq_doorbell writes (func_no << 24) | (interrupt_num - 1)):
// vector (the table entry index) in [10:0], physical function in [28:24]. Write-only.
constexpr std::uint32_t msix_doorbell = 0x948;
constexpr std::uint32_t msix_doorbell_vector_mask = 0x7FF;
constexpr unsigned msix_doorbell_pf_shift = 24;
constexpr std::uint32_t msix_doorbell_pf_mask = 0x1F;
// MSI-X Table entries and Pending Bit Array (PCIe Base Spec 5.0 section 7.7.2): entry = Message
// Address (lower, upper), Message Data, Vector Control (bit 0 Mask); table/PBA BIR in [2:0].
constexpr unsigned msix_entry_bytes = 16;
constexpr unsigned msix_entry_addr = 0x0, msix_entry_data = 0x8, msix_entry_vector_ctrl = 0xC;
constexpr std::uint32_t msix_entry_masked = 1u << 0;
constexpr std::uint32_t msix_bir_mask = 0x7;
constexpr std::uint32_t dbi_function_size = 0x1000; // one function's DBI space

// LTSSM states as PORT_DEBUG0 reports them: the codes of Linux's enum dw_pcie_ltssm
// (drivers/pci/controller/dwc/pcie-designware.h), counted in its declaration order from
// DETECT_QUIET = 0x00 (PRE_DETECT_QUIET 0x05 .. CFG_LANENUM_ACEPT 0x0A, RCVRY_SPEED 0x0E,
// RCVRY_RCVRCFG 0x0F and RCVRY_IDLE 0x10 sit between the ones modelled here).
enum class ltssm : std::uint8_t {
    detect_quiet = 0x00,
    detect_act = 0x01,
    pol_active = 0x02,
    pol_compliance = 0x03,
    pol_config = 0x04,
    cfg_linkwd_start = 0x07,
    cfg_complete = 0x0B,
    cfg_idle = 0x0C,
    l0 = 0x11,
    recovery_lock = 0x0D,
    hot_reset = 0x1F, // S_HOT_RESET: the hot-reset training sequence received
};
const char* to_string(ltssm s);

// LINK_MODE encodings for widths x1..x16.
std::uint32_t link_mode_for_width(unsigned width);
unsigned width_for_link_mode(std::uint32_t link_mode);

enum class bar_kind { programmable, fixed, resizable, reserved };
struct bar_hw {
    bar_kind kind = bar_kind::programmable;
    std::uint64_t fixed_size = 0;
    bool only_64bit = false;
};

struct dbi_params {
    std::uint32_t version_number = 0; // 0 before 4.70a (no version registers)
    std::uint32_t version_type = 0;
    unsigned max_gen = 3;
    unsigned max_width = 4;
    unsigned mps_supported_bytes = 256;
    std::array<bar_hw, 6> bars{};
};

// The resizable BARs, in entry order.
std::vector<unsigned> resizable_bars(const dbi_params& p);

std::vector<reg_def> dbi_table(const dbi_params& p);
// DBI2 shadow: BAR masks at the BAR offsets (bit 0 = BAR enable).
std::vector<reg_def> dbi2_table(const dbi_params& p);

} // namespace epvp::dwc

// The Advanced Error Reporting extended capability (PCIe Base Spec 5.0 section 7.8.4), one unit
// for every function that has one: root ports, switch ports and endpoints.
//
// Models: the register table (capability header, Uncorrectable Error Status / Mask / Severity,
// Correctable Error Status / Mask, Advanced Error Capabilities and Control with the First Error
// Pointer, the four-dword Header Log; Root Error Command / Status for root ports) and the
// logging rules: an uncorrectable error sets its status bit and the Device Status error bits
// (Fatal or Non-Fatal by its severity; Unsupported Request Detected for UR); unless masked,
// and when no unmasked error is already pending, it sets the First Error Pointer and logs the
// TLP's header (section 7.8.4.3: a masked error is not recorded in the Header Log nor the First
// Error Pointer). A correctable error sets its status bit and, unless masked, Device Status
// Correctable Error Detected. error_message() says which error message (ERR_FATAL / ERR_NONFATAL
// / ERR_COR) a logged error asks for under Device Control's reporting enables (section 6.2.5);
// sending it is the caller's (it owns the transmit path).
// Does not model: TLP Prefix Log, ECRC generation/checking (the capability bits are the
// caller's table choice), Root Error Status driven by received messages, Advisory Non-Fatal.
// The layout (where AER and the PCI Express capability sit) is the function's: a root or
// switch port uses port_cfg's, the endpoint its own.
#pragma once

#include "model/core/reg_block.h"
#include "model/pcie/tlp.h"

#include <cstdint>
#include <optional>
#include <tlm>
#include <vector>

namespace epvp::pcie::aer {

// Register offsets from the capability start (section 7.8.4, figure 7-122).
constexpr std::uint32_t uncor_status = 0x04;
constexpr std::uint32_t uncor_mask = 0x08;
constexpr std::uint32_t uncor_severity = 0x0C;
constexpr std::uint32_t cor_status = 0x10;
constexpr std::uint32_t cor_mask = 0x14;
constexpr std::uint32_t cap_ctrl = 0x18; // First Error Pointer 4:0
constexpr std::uint32_t header_log = 0x1C;
constexpr unsigned header_log_dwords = 4;
constexpr std::uint32_t root_command = 0x2C; // root ports only
constexpr std::uint32_t root_status = 0x30;
constexpr std::uint32_t first_error_pointer = 0x1F;

// Uncorrectable error bits (section 7.8.4.2).
constexpr std::uint32_t unc_poisoned_tlp = 1u << 12;
constexpr std::uint32_t unc_completion_timeout = 1u << 14;
constexpr std::uint32_t unc_completer_abort = 1u << 15;
constexpr std::uint32_t unc_unexpected_completion = 1u << 16;
constexpr std::uint32_t unc_unsupported_request = 1u << 20;
constexpr std::uint32_t unc_acs_violation = 1u << 21;
constexpr std::uint32_t unc_defined = 0x03FFF030u; // bits a function may log
// Severity reset (section 7.8.4.4): Data Link Protocol (4), Surprise Down (5), Flow Control
// Protocol (13), Receiver Overflow (17), Malformed TLP (18) and Uncorrectable Internal Error (22)
// are fatal. Bit 22 is implemented (in unc_defined), so its default 1b applies.
constexpr std::uint32_t unc_severity_reset = 0x00462030u;
// Correctable error bits (section 7.8.4.5): Data Link Layer ones.
constexpr std::uint32_t cor_bad_tlp = 1u << 6, cor_bad_dllp = 1u << 7,
                        cor_replay_rollover = 1u << 8, cor_replay_timeout = 1u << 12;
constexpr std::uint32_t cor_defined = 0x0000F1C1u;
constexpr std::uint32_t cor_mask_reset = 1u << 13; // Advisory Non-Fatal Error Mask (7.8.4.6)

// Device Status (bits 19:16 of the 32-bit Device Control / Status register, section 7.5.3.5)
// and Device Control's reporting enables (section 7.5.3.4).
constexpr std::uint32_t devsta_correctable = 1u << 16, devsta_nonfatal = 1u << 17,
                        devsta_fatal = 1u << 18, devsta_unsupported = 1u << 19;
constexpr std::uint32_t devsta_w1c = 0x000F0000u;
constexpr std::uint32_t devctl_cor_report = 1u << 0, devctl_nonfatal_report = 1u << 1,
                        devctl_fatal_report = 1u << 2;

// Where a function keeps its AER capability and its PCI Express capability.
struct layout {
    std::uint32_t aer_cap;
    std::uint32_t exp_cap;
};

struct table_params {
    std::uint32_t next = 0; // next extended capability's offset (0: none)
    bool root_port = false; // Root Error Command / Status
    // Advanced Error Capabilities and Control: reset (ECRC capable bits) and writable bits.
    std::uint32_t cap_ctrl_reset = 0, cap_ctrl_rw = 0;
};
// The capability's registers as reg_defs at l.aer_cap.
std::vector<reg_def> table(const layout& l, const table_params& p);

// The TLP's header as the Header Log holds it: its dwords as the wire carries them
// (pcie::header_dwords); all zero for a payload without a TLP extension.
void header_of(const tlm::tlm_generic_payload& gp, std::uint32_t (&dw)[header_log_dwords]);

struct logged {
    bool masked = false; // status only: no First Error Pointer, no header, no message
    bool fatal = false;  // by the Severity register
};
// Logs an uncorrectable error `bit` caused by `tlp` (null: no header to log).
logged record_uncorrectable(reg_block& regs, const layout& l, std::uint32_t bit,
                            const tlm::tlm_generic_payload* tlp);
// Logs a correctable error `bit` (its status bit and Device Status CED); false if it is masked
// (no message).
bool record_correctable(reg_block& regs, const layout& l, std::uint32_t bit);
// The error message a logged uncorrectable error asks for under Device Control's enables,
// if any.
std::optional<msg_code> error_message(const reg_block& regs, const layout& l, const logged& e);

} // namespace epvp::pcie::aer

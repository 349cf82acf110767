// A PCIe switch: one upstream port and N downstream ports, each a Type 1 (PCI-to-PCI bridge)
// function, connected by links on both sides.
//
// Models: the upstream port (USP) answers Type 0 configuration requests from its link (function
// 0; others UR); its secondary bus is the switch's internal bus, where downstream port i (DSP)
// is device i function 0. Each port has a Type 1 header (Command with Memory Space and Bus
// Master Enable, bus numbers, memory and 64-bit prefetchable windows, Secondary Status,
// Bridge Control), a PCI Express capability (USP: Upstream Port, DSP: Downstream Port; Device
// Status error bits, Link Status from its link), AER (uncorrectable and correctable status,
// mask, severity, First Error Pointer, header log) and, on DSPs, ACS (extended capability
// 0x000D: Source Validation, Translation Blocking, P2P Request Redirect, P2P Completion
// Redirect, Upstream Forwarding, P2P Egress Control with an egress control vector whose bit j
// stands for DSP j, Direct Translated P2P; every capability bit set, every control bit
// writable). Routing follows the Base Spec: Type 1 configuration requests by bus number (to a
// DSP's own header on the internal bus, converted to Type 0 at the DSP whose secondary bus
// matches, device 0 only, passed on as Type 1 below it); memory requests by address through
// the windows (downstream: the port's Memory Space Enable; upstream: its Bus Master Enable);
// completions by requester ID bus; messages from below go upstream, messages from above by
// their target ID. ACS at the DSP a request or completion enters by: Source Validation rejects
// a requester bus outside secondary..subordinate; Egress Control blocks a peer-to-peer request
// whose target DSP's vector bit is set (redirects it if Request Redirect is also set); Request
// Redirect sends peer-to-peer requests up through the USP; Completion Redirect does so for
// peer-to-peer completions with Relaxed Ordering clear. Route-to-self (a TLP whose routing
// target is the port it came in by): forwarded upstream when that DSP has ACS Upstream
// Forwarding enabled, otherwise never delivered: a request is an Unsupported Request, a
// completion an Unexpected Completion, logged in the port's AER and Device Status. Blocked
// TLPs: an ACS Violation in that DSP's AER and Device Status. A blocked or unroutable
// non-posted request is answered with a UR completion from the port; a posted one is dropped.
// Each hop adds params.forward_latency. Per-port counters of TLPs and payload bytes in both
// directions and of each error.
// Does not model: translated TLPs (the TLP carries no AT field: Translation Blocking and Direct
// Translated P2P are registers only), error messages to the root complex, I/O windows, VGA,
// Secondary Bus Reset, hot plug, power management, multicast, the switch's own buffering and
// flow control (each side's link does that), ARI.
#pragma once

#include "core/reg_block.h"
#include "pcie/link.h"
#include "pcie/port_out.h"
#include "pcie/tlp.h"

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::pcie {

// Register layout of the switch ports' capabilities (shared with the root complex's root
// ports). SystemC-free constants.
namespace port_cfg {
constexpr std::uint32_t exp_cap = 0x40; // PCI Express capability
constexpr std::uint32_t aer_cap = 0x100;
constexpr std::uint32_t aer_uncor_status = 0x04;
constexpr std::uint32_t aer_uncor_mask = 0x08;
constexpr std::uint32_t aer_uncor_severity = 0x0C;
constexpr std::uint32_t aer_cor_status = 0x10;
constexpr std::uint32_t aer_cor_mask = 0x14;
constexpr std::uint32_t aer_cap_ctrl = 0x18; // First Error Pointer 4:0
constexpr std::uint32_t aer_header_log = 0x1C;
constexpr unsigned aer_header_log_dwords = 4;
constexpr std::uint32_t aer_root_command = 0x2C; // root ports only
constexpr std::uint32_t aer_root_status = 0x30;
constexpr std::uint16_t ext_cap_id_acs = 0x000D;
constexpr std::uint32_t acs_cap = 0x130; // DSPs: after AER
constexpr std::uint32_t acs_cap_ctrl = 0x04;
constexpr std::uint32_t acs_egress_vector = 0x08;
// AER uncorrectable error bits.
constexpr std::uint32_t unc_poisoned_tlp = 1u << 12;
constexpr std::uint32_t unc_unexpected_completion = 1u << 16;
constexpr std::uint32_t unc_unsupported_request = 1u << 20;
constexpr std::uint32_t unc_acs_violation = 1u << 21;
constexpr std::uint32_t unc_defined = 0x03FFF030u;        // bits a port may log
constexpr std::uint32_t unc_severity_reset = 0x00062030u; // DLP, SDES, FCP, RxOF, MalfTLP fatal
constexpr std::uint32_t cor_defined = 0x0000F1C1u;
// ACS capability / control bits.
constexpr std::uint16_t acs_sv = 0x0001, acs_tb = 0x0002, acs_rr = 0x0004, acs_cr = 0x0008,
                        acs_uf = 0x0010, acs_ec = 0x0020, acs_dt = 0x0040;
constexpr std::uint16_t acs_all = 0x007F;
constexpr unsigned acs_vector_size_shift = 8;
constexpr unsigned acs_ctrl_shift = 16;
// Device Status bits within the 32-bit Device Control/Status register.
constexpr std::uint32_t devsta_correctable = 1u << 16, devsta_nonfatal = 1u << 17,
                        devsta_fatal = 1u << 18, devsta_unsupported = 1u << 19;
constexpr std::uint32_t devsta_w1c = 0x000F0000u;
constexpr std::uint32_t exp_type_upstream = 0x5, exp_type_downstream = 0x6;

// The AER capability's registers as reg_defs at aer_cap (next capability at `next`).
std::vector<reg_def> aer_table(std::uint32_t next, bool root_port);
// Logs an uncorrectable error in a port's AER (status; First Error Pointer and header log
// when no error was pending) and Device Status (UR -> Unsupported Request Detected; the
// error's severity -> Fatal or Non-Fatal Error Detected).
void record_uncorrectable(reg_block& regs, std::uint32_t bit, const tlm::tlm_generic_payload& gp);
// Correctable error bits of the Data Link Layer.
constexpr std::uint32_t cor_bad_tlp = 1u << 6, cor_bad_dllp = 1u << 7,
                        cor_replay_rollover = 1u << 8, cor_replay_timeout = 1u << 12;
// Logs a correctable error in a port's AER status and, unless masked, Device Status CED.
void record_correctable(reg_block& regs, std::uint32_t bit);
// The TLP's header as the header log holds it: its dwords as the wire carries them
// (pcie::header_dwords: Fmt/Type, Length; Requester ID, Tag, BEs; address or ID).
void header_log(const tlm::tlm_generic_payload& gp, std::uint32_t (&dw)[aer_header_log_dwords]);
} // namespace port_cfg

struct pcie_switch_params {
    unsigned downstream_ports = 2;
    std::uint16_t vendor_id = 0x10B5; // PLX / Broadcom PEX switches
    std::uint16_t usp_device_id = 0x8796, dsp_device_id = 0x8796;
    // Time from a TLP's arrival at one port to its departure at another (cut-through).
    sc_core::sc_time forward_latency = sc_core::sc_time(150, sc_core::SC_NS);
    unsigned max_gen = 3, max_width = 4, mps_supported = 256;
    // ACS capability bits the DSPs advertise (acs_all: every one); controls reset to 0.
    std::uint16_t acs_capabilities = port_cfg::acs_all;
};

class pcie_switch : public sc_core::sc_module {
public:
    // Upstream side: faces a link's downstream end (link.dn_out -> up_rx, up_tx -> link.dn_in).
    tlm_utils::simple_target_socket<pcie_switch> up_rx;
    tlm_utils::simple_initiator_socket<pcie_switch> up_tx;

    pcie_switch(sc_core::sc_module_name name, const pcie_switch_params& p);

    unsigned downstream_ports() const { return static_cast<unsigned>(dsps_.size()); }
    // Downstream port i faces a link's upstream end (dn_tx(i) -> link.up_in, link.up_out ->
    // dn_rx(i)).
    tlm_utils::simple_initiator_socket<pcie_switch>& dn_tx(unsigned i);
    tlm_utils::simple_target_socket_tagged<pcie_switch>& dn_rx(unsigned i);
    // Link Status follows the links (speed, width, Data Link Layer Link Active).
    void attach_upstream_link(pcie_link& link);
    void attach_downstream_link(unsigned i, pcie_link& link);

    // Configuration registers (for tests and reports).
    reg_block& upstream_regs() { return usp_.regs; }
    reg_block& downstream_regs(unsigned i);

    struct port_counters {
        std::uint64_t tlps_in = 0, tlps_out = 0;
        std::uint64_t bytes_in = 0, bytes_out = 0; // payload bytes
        std::uint64_t unsupported = 0;             // requests answered UR / dropped as unsupported
        std::uint64_t acs_violations = 0;          // blocked by ACS
        std::uint64_t acs_redirects = 0;      // sent up by Request/Completion Redirect or Egress
        std::uint64_t route_to_self = 0;      // targets the port it came in by
        std::uint64_t upstream_forwarded = 0; // route-to-self sent up by ACS Upstream Forwarding
        std::uint64_t unexpected_completions = 0;
    };
    const port_counters& upstream_stats() const { return usp_.stats; }
    const port_counters& downstream_stats(unsigned i) const;

private:
    struct port;
    struct port {
        port(const std::string& name, std::vector<reg_def> defs)
            : regs(name, std::move(defs))
            , out(*this) {}
        reg_block regs;
        port_counters stats;
        port_out<port> out;
        tlm_utils::simple_initiator_socket<pcie_switch>* socket = nullptr;
        pcie_link* link = nullptr;
        std::uint16_t id = 0; // routing ID (completer ID of what the port answers itself)
    };

    void up_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void dn_b_transport(int i, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void from_above(tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_core::sc_time& delay);
    void from_below(unsigned i, tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_core::sc_time& delay);
    void config_from_above(tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_core::sc_time& delay);
    void config_access(port& target, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                       sc_core::sc_time& delay);
    // Sends gp out of port `to`; a non-posted request the link refuses is answered UR
    // through `back`.
    void forward(port& to, port& back, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                 sc_core::sc_time& delay);
    // Answers a non-posted request with a UR completion from `at` through `back` (nothing is
    // logged: e.g. a configuration read of an absent device).
    void answer_ur(port& at, port& back, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                   sc_core::sc_time& delay);
    // Error handling: records at `at`, answers a non-posted request UR through `back`.
    void reject(port& at, port& back, std::uint32_t aer_bit, const std::string& why,
                tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_core::sc_time& delay);
    bool in_windows(const port& p, std::uint64_t addr, std::uint64_t len) const;
    bool memory_enabled(const port& p) const;
    bool bus_master(const port& p) const;
    unsigned secondary(const port& p) const;
    unsigned subordinate(const port& p) const;
    bool bus_below(const port& p, unsigned bus) const;
    int dsp_for_address(std::uint64_t addr, std::uint64_t len) const;
    int dsp_for_bus(unsigned bus) const;
    std::uint16_t acs_ctrl(unsigned i) const;
    std::uint32_t egress_vector(unsigned i) const;
    void link_changed(port& p, bool up);

    pcie_switch_params p_;
    port usp_;
    std::vector<std::unique_ptr<port>> dsps_;
    std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<pcie_switch>>> dn_tx_;
    std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<pcie_switch>>> dn_rx_;
};

} // namespace epvp::pcie

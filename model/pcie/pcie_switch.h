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
// Messages from below: ACS Source Validation applies to them too; ERR_COR/NONFATAL/FATAL cross
// only with Bridge Control SERR# Enable set at the DSP and at the USP (else dropped and counted);
// INTx and the rest go up unchanged. Each hop adds params.forward_latency. Per-port counters of
// TLPs and payload bytes in both directions and of each error.
// Does not model: translated TLPs (the TLP carries no AT field: Translation Blocking and Direct
// Translated P2P are registers only), error messages of the switch's own errors, INTx
// virtual-wire swizzling by device number and the wire-OR of several functions' INTx (an Assert
// or Deassert passes as the endpoint sent it), I/O windows, VGA,
// Secondary Bus Reset, Data Link Layer errors in AER, hot plug, power management, multicast, the
// switch's own buffering and flow control (each side's link does that), ARI.
#pragma once

#include "model/core/reg_block.h"
#include "model/pcie/link.h"
#include "model/pcie/port_out.h"
#include "model/pcie/tlp.h"
#include "model/pcie/type1_config.h"

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::pcie {

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
    // Link Status follows the links (speed, width, Data Link Layer Link Active): the upstream
    // link's dn_status binds to up_link_status(), downstream link i's up_status to
    // dn_link_status(i).
    sc_core::sc_export<link_status_if>& up_link_status() { return usp_.status; }
    sc_core::sc_export<link_status_if>& dn_link_status(unsigned i);

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
        std::uint64_t error_messages_blocked = 0; // ERR_ messages without SERR# forwarding
    };
    const port_counters& upstream_stats() const { return usp_.stats; }
    const port_counters& downstream_stats(unsigned i) const;

private:
    struct port;
    struct port : link_status_if {
        port(const std::string& name, std::vector<reg_def> defs)
            : regs(name, std::move(defs))
            , out(*this) {
            status.bind(*this);
        }
        void link_state(bool up, unsigned gen, unsigned width) override {
            type1::set_link_status(regs, up, gen, width);
        }
        // The switch ports do not log Data Link Layer errors (see "Does not model").
        void link_dll_error(dll_error, sc_core::sc_time) override {}
        reg_block regs;
        sc_core::sc_export<link_status_if> status;
        port_counters stats;
        port_out<port> out;
        tlm_utils::simple_initiator_socket<pcie_switch>* socket = nullptr;
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
    int dsp_for_address(std::uint64_t addr, std::uint64_t len) const;
    int dsp_for_bus(unsigned bus) const;
    std::uint16_t acs_ctrl(unsigned i) const;
    std::uint32_t egress_vector(unsigned i) const;

    pcie_switch_params p_;
    port usp_;
    std::vector<std::unique_ptr<port>> dsps_;
    std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<pcie_switch>>> dn_tx_;
    std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<pcie_switch>>> dn_rx_;
};

} // namespace epvp::pcie

// The host's root complex: one or more root ports and the host CPU's view of PCIe.
//
// Models: the host CPU port decodes host memory (a host::host_memory behind mem_out), the MSI
// controller's register page (behind msi_out), the ECAM window and the MMIO windows; ECAM
// bus 0 device i is root port i's own Type 1 configuration space (bus numbers, memory
// windows, PCIe capability with Device Status, Link Status and Root Control, AER); device 0
// carries the host bridge's vendor/device ID (what Linux's p2pdma whitelist reads).
// Configuration requests to a root port's secondary bus become CfgRd0/CfgWr0 TLPs (device 0
// only), deeper buses up to its subordinate CfgRd1/CfgWr1 on that port; a configuration read
// answered with CRS returns Vendor ID 0x0001 when Root Control's CRS Software Visibility is
// enabled and the read covers the Vendor ID, otherwise the root complex re-issues the request
// every host.crs_retry_us until host.test_timeout_us; configuration reads that end in UR/CA or
// reach no function return all-ones with an OK response, as a PC reads them (MMIO reads that end
// in UR/CA or get no completion return all-ones and an error response). MMIO accesses inside a root
// port's memory windows (with Memory Space Enable) become MRd/MWr TLPs on that port; inbound TLPs
// from a link: MWr into host memory, MRd answered from host memory after host.read_latency_ns with
// completions split at the root complex's RCB and MPS, completions matched by tag (requester ID
// 00:00.0). Peer-to-peer: an inbound memory request whose address is inside another root port's
// window is forwarded down that port when p2p_between_root_ports is set (after
// p2p_forward_latency), otherwise answered UR (posted: dropped) and logged at the ingress port; one
// whose target is below the port it came in by (an ACS-redirected request) is sent back down that
// port when p2p_reflect is set, otherwise it is a route-to-self error: Unsupported Request in that
// root port's AER and Device Status, UR completion (posted: dropped). Completions for requesters
// below a root port are routed to it by bus number under the same two rules. A forwarded
// request's completions travel as their own TLPs back through the root complex. Ingress needs
// Bus Master Enable (a memory request, an MSI too, arriving with it clear is UR at that root
// port), egress Memory Space Enable; a request whose egress link is down is UR at the egress port
// and its completion goes back by the ingress port. Per-root-port counters of TLPs and payload
// bytes both ways and of p2p forwarding, reflection, blocking and route-to-self.
// MSI: memory writes into the MSI controller's doorbell page; INTx: Assert/Deassert messages.
// ERR_COR/NONFATAL/FATAL messages are counted. Data Link Layer errors a root port detects on
// its link (Bad TLP received; Bad DLLP, REPLAY_NUM Rollover, Replay Timer Timeout as
// transmitter) are logged in its AER correctable status. Fault injection: the Nth inbound MRd of
// host memory can get no completion, a UR or a CA. Poisoned TLPs (EP bit) for the root complex
// itself: an MWr is dropped (host memory and MSI untouched), a CplD makes the host's read fail
// (all-ones, slave error); both log Poisoned TLP Received in the root port's AER (header log)
// and Device Status; poisoned TLPs routed peer to peer are forwarded unchanged. Secondary Bus
// Reset (Bridge Control bit 6) holds the root port's link in hot reset while set. Does not model
// (yet): the root ports' ACS, error messages from the root ports' own errors (AER Root Error Status
// is not driven), IOMMU.
#pragma once

#include "model/core/reg_block.h"
#include "model/pcie/completer.h"
#include "model/pcie/link.h"
#include "model/pcie/port_out.h"
#include "model/pcie/requester.h"

#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::pcie {

struct root_complex_params {
    std::uint64_t mem_base = 0, mem_size = 0;
    std::uint64_t msi_base = 0; // the MSI controller's doorbell page, then its register page
    std::uint64_t ecam_base = 0;
    std::uint64_t mmio32_base = 0, mmio32_size = 0;
    std::uint64_t mmio64_base = 0, mmio64_size = 0;
    sc_core::sc_time read_latency = sc_core::sc_time(500, sc_core::SC_NS);
    sc_core::sc_time crs_retry = sc_core::sc_time(100, sc_core::SC_US);
    sc_core::sc_time crs_timeout = sc_core::sc_time(1, sc_core::SC_SEC);
    unsigned max_gen = 3, max_width = 4, mps_supported = 256;
    unsigned rcb_bytes = 64;
    unsigned max_tags = 32;
    // The host bridge's identity as root port 0 (00:00.0) presents it; every root port shows
    // the same IDs. 8086:2030 (Skylake-E) is on the p2pdma host-bridge whitelist.
    std::uint16_t vendor_id = 0x8086, device_id = 0x2030;
    // Root ports (ECAM 00:00.0 .. 00:<n-1>.0), each with its own link socket pair.
    unsigned root_ports = 1;
    // Whether a memory request or completion arriving on one root port is routed down another.
    bool p2p_between_root_ports = true;
    // Whether a request arriving on a root port whose target is below that same port (ACS
    // redirect) is sent back down it; otherwise it is a route-to-self UR.
    bool p2p_reflect = true;
    // Time to route a TLP from one root port to another (or back down the same one).
    sc_core::sc_time p2p_forward_latency = sc_core::sc_time(100, sc_core::SC_NS);
    // Fault injection at the completer: the Nth inbound MRd (1-based; 0 = never) gets no
    // completion (the requester's completion timeout), a UR or a CA completion.
    std::uint64_t drop_completion_nth_read = 0, ur_nth_read = 0, ca_nth_read = 0;
};

class root_complex : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<root_complex> host_in;    // host CPU accesses
    tlm_utils::simple_initiator_socket<root_complex> pcie_tx; // root port 0: TLPs downstream
    tlm_utils::simple_target_socket<root_complex> pcie_rx;    // root port 0: TLPs from below

    root_complex(sc_core::sc_module_name name, const root_complex_params& p);
    unsigned root_ports() const { return static_cast<unsigned>(ports_.size()); }
    // Root port i's sockets (0: pcie_tx / pcie_rx): tx(i) -> link.up_in, link.up_out -> rx(i).
    tlm_utils::simple_initiator_socket<root_complex>& tx(unsigned i);
    tlm::tlm_target_socket<>& rx(unsigned i);
    // Root port i's end of its link: link.up_status -> link_status(i), link_control(i) ->
    // link.up_control (Secondary Bus Reset).
    sc_core::sc_export<link_status_if>& link_status(unsigned i);
    sc_core::sc_port<link_control_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>& link_control(unsigned i);
    // The interrupt target (host::msi_controller) and host memory (host::host_memory), each
    // reached by its socket; both optional (unbound: nothing decodes there).
    using optional_initiator = tlm_utils::simple_initiator_socket_optional<root_complex>;
    optional_initiator msi_out; // MWr into the doorbell page, INTx Msg, CPU register reads
    optional_initiator mem_out; // host memory: CPU accesses, inbound MWr / MRd
    const reg_block& root_port() const { return ports_[0]->regs; }
    const reg_block& root_port(unsigned i) const;

    struct counters {
        std::uint64_t cfg_requests = 0, crs_retries = 0, crs_visible = 0, master_aborts = 0,
                      unsupported = 0, completer_aborts = 0, inbound_writes = 0, inbound_reads = 0,
                      msi_messages = 0, intx_messages = 0, err_cor_messages = 0,
                      err_nonfatal_messages = 0, err_fatal_messages = 0, injected_faults = 0,
                      correctable_errors = 0, // the root ports' own (Data Link Layer)
            poisoned_tlps = 0,                // received with the EP bit (MWr dropped, CplD bad)
            hot_resets = 0;                   // Secondary Bus Reset asserted on a root port
        // The report's declaration (model/core/stats.h).
        template <class V>
        void for_each(V&& v) const {
            v("cfg_requests", cfg_requests, "configuration requests issued");
            v("crs_retries", crs_retries, "configuration requests retried after CRS");
            v("crs_visible", crs_visible, "CRS shown to software as vendor ID (CRS SV)");
            v("master_aborts", master_aborts, "requests ended with a master abort");
            v("unsupported", unsupported, "completions with UR");
            v("completer_aborts", completer_aborts, "completions with CA");
            v("inbound_reads", inbound_reads, "memory reads from the hierarchy");
            v("inbound_writes", inbound_writes, "memory writes from the hierarchy");
            v("msi_messages", msi_messages, "MSI writes received");
            v("intx_messages", intx_messages, "INTx messages received");
            v("err_cor_messages", err_cor_messages, "ERR_COR messages received");
            v("err_nonfatal_messages", err_nonfatal_messages, "ERR_NONFATAL messages received");
            v("err_fatal_messages", err_fatal_messages, "ERR_FATAL messages received");
            v("injected_faults", injected_faults, "inbound reads given no completion, UR or CA");
            v("correctable_errors", correctable_errors, "root ports' own correctable errors");
            v("poisoned_tlps_received", poisoned_tlps, "TLPs received with the EP bit");
            v("hot_resets", hot_resets, "Secondary Bus Resets asserted on a root port");
        }
    };
    const counters& stats() const { return stats_; }

    struct port_counters {
        std::uint64_t tlps_in = 0, tlps_out = 0;
        std::uint64_t bytes_in = 0, bytes_out = 0; // payload bytes
        std::uint64_t p2p_forwarded = 0;           // routed down another root port
        std::uint64_t p2p_reflected = 0;           // sent back down this one
        std::uint64_t p2p_blocked = 0;             // p2p between root ports not routed
        std::uint64_t route_to_self = 0;           // would go back down this port: rejected
        std::uint64_t unsupported = 0;             // UR completions sent / requests dropped
        std::uint64_t unexpected_completions = 0;
    };
    const port_counters& port_stats(unsigned i) const;

private:
    struct root_port_state;
    struct root_port_state : link_status_if {
        root_port_state(root_complex& rc, const std::string& name, std::vector<reg_def> defs)
            : rc(rc)
            , regs(name, std::move(defs))
            , out(*this) {
            status.bind(*this);
        }
        void link_state(bool up, unsigned gen, unsigned width) override;
        void link_dll_error(dll_error e, sc_core::sc_time when) override;
        root_complex& rc;
        reg_block regs;
        sc_core::sc_export<link_status_if> status;
        sc_core::sc_port<link_control_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND> control;
        bool link_is_up = false;
        tlm_utils::simple_initiator_socket<root_complex>* socket = nullptr;
        port_counters stats;
        port_out<root_port_state> out;
        std::uint16_t id = 0;
    };

    void host_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned host_dbg(tlm::tlm_generic_payload& gp);
    void rx_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        rx_port(0, gp, delay);
    }
    void rx_port(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void ecam_access(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void mmio_access(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    // The root port whose enabled windows hold [addr, addr + len), or -1.
    int port_for_address(std::uint64_t addr, std::uint64_t len) const;
    // The root port whose secondary..subordinate holds bus, or -1.
    int port_for_bus(unsigned bus) const;
    bool in_ram(std::uint64_t addr, std::uint64_t len) const;
    bool msi_doorbell(std::uint64_t addr) const;
    bool msi_regs(std::uint64_t addr) const;
    bool link_up(const root_port_state& p) const { return p.link_is_up; }
    // Peer-to-peer: a memory request or completion from port `in` for port `to`.
    void route_p2p(root_port_state& in, int to, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                   sc_core::sc_time& delay);
    // A request or completion port `in` handles as an error (UR, Unexpected Completion): AER and
    // the count at that port, a warning, and for a non-posted request a UR completion sent out of
    // `back` (the port the request came in by; `in` itself when null).
    void reject(root_port_state& in, std::uint32_t aer_bit, const std::string& why,
                tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_core::sc_time& delay,
                root_port_state* back = nullptr);
    // A poisoned TLP received by the root complex itself: counted, logged, AER.
    void poisoned(root_port_state& in, tlm::tlm_generic_payload& gp, const pcie_tlp& t);

    root_complex_params p_;
    std::vector<std::unique_ptr<root_port_state>> ports_;
    std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<root_complex>>> extra_tx_;
    std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<root_complex>>> extra_rx_;
    tlp_requester requester_;
    counters stats_;
    std::vector<unsigned char> read_buf_; // data of the inbound read being answered
    tlp_burst cpl_burst_;                 // burst mode: the completions of an inbound MRd burst
};

} // namespace epvp::pcie

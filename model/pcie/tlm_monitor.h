// A pass-through TLM-2.0 monitor: whatever enters its target socket leaves its initiator socket
// unchanged (blocking and non-blocking transport, DMI, debug transport; backward path: nb
// transport and DMI invalidation), and it counts what passed. Inserted between any two blocks
// (e.g. on each end of a PCIe link) it must not change a simulated result: it adds no delay,
// no wait and no state to the transaction.
// Models: counters per interface (b_transport calls, payload bytes of those, nb_transport
// calls both ways, DMI requests and grants, debug transport calls and bytes).
// Does not model: any timing; protocol checking.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

namespace epvp::pcie {

class tlm_monitor : public sc_core::sc_module,
                    public tlm::tlm_fw_transport_if<>,
                    public tlm::tlm_bw_transport_if<> {
public:
    tlm::tlm_target_socket<> in;
    tlm::tlm_initiator_socket<> out;

    explicit tlm_monitor(sc_core::sc_module_name name);

    struct counters {
        std::uint64_t b_transport = 0, bytes = 0;
        std::uint64_t nb_fw = 0, nb_bw = 0;
        std::uint64_t dmi_requests = 0, dmi_granted = 0, dmi_invalidations = 0;
        std::uint64_t debug = 0, debug_bytes = 0;
    };
    const counters& stats() const { return stats_; }

    // Forward path.
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override;
    unsigned transport_dbg(tlm::tlm_generic_payload& gp) override;
    // Backward path.
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

private:
    counters stats_;
};

} // namespace epvp::pcie

#include "model/pcie/tlm_monitor.h"

namespace epvp::pcie {

tlm_monitor::tlm_monitor(sc_core::sc_module_name name)
    : sc_module(name)
    , in("in")
    , out("out") {
    in.bind(*this);
    out.bind(*this);
}

void tlm_monitor::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    ++stats_.b_transport;
    stats_.bytes += gp.get_data_length();
    out->b_transport(gp, delay);
}

tlm::tlm_sync_enum tlm_monitor::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                sc_core::sc_time& delay) {
    ++stats_.nb_fw;
    return out->nb_transport_fw(gp, phase, delay);
}

bool tlm_monitor::get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    ++stats_.dmi_requests;
    const bool granted = out->get_direct_mem_ptr(gp, dmi);
    if (granted) ++stats_.dmi_granted;
    return granted;
}

unsigned tlm_monitor::transport_dbg(tlm::tlm_generic_payload& gp) {
    ++stats_.debug;
    const unsigned n = out->transport_dbg(gp);
    stats_.debug_bytes += n;
    return n;
}

tlm::tlm_sync_enum tlm_monitor::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                sc_core::sc_time& delay) {
    ++stats_.nb_bw;
    return in->nb_transport_bw(gp, phase, delay);
}

void tlm_monitor::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    ++stats_.dmi_invalidations;
    in->invalidate_direct_mem_ptr(start, end);
}

} // namespace epvp::pcie

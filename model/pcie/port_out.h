// A port's transmit side, shared by root ports and switch ports: counts every TLP the port sends
// (TLPs and payload bytes, into Port::stats.tlps_out / bytes_out), then hands it to the port's
// initiator socket (Port::socket). A port with no socket bound answers with an error.
// Models: blocking transport only; DMI and debug transport are refused (TLPs are not memory).
#pragma once

#include "model/pcie/tlp.h"

#include <systemc>
#include <tlm>

namespace epvp::pcie {

template <class Port>
class port_out : public tlm::tlm_fw_transport_if<> {
public:
    explicit port_out(Port& p)
        : p_(p) {}
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
        const pcie_tlp& t = tlp_of(gp);
        ++p_.stats.tlps_out;
        if (has_data(t.type)) p_.stats.bytes_out += gp.get_data_length();
        if (!p_.socket || p_.socket->size() == 0) {
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
        (*p_.socket)->b_transport(gp, delay);
    }
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                       sc_core::sc_time&) override {
        return tlm::TLM_COMPLETED;
    }
    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

private:
    Port& p_;
};

} // namespace epvp::pcie

#include "model/host/host_memory.h"

namespace epvp::host {

host_memory::host_memory(sc_core::sc_module_name name, std::uint64_t base, std::uint64_t size_bytes)
    : sc_module(name)
    , in("in")
    , base_(base)
    , mem_(size_bytes) {
    in.register_b_transport(this, &host_memory::b_transport);
    in.register_transport_dbg(this, &host_memory::transport_dbg);
}

bool host_memory::access(tlm::tlm_generic_payload& gp) {
    const std::uint64_t a = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!claims(a, len)) return false;
    if (gp.is_read())
        mem_.read(a - base_, gp.get_data_ptr(), len);
    else
        mem_.write(a - base_, gp.get_data_ptr(), len);
    return true;
}

void host_memory::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
    gp.set_response_status(access(gp) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

unsigned host_memory::transport_dbg(tlm::tlm_generic_payload& gp) {
    return access(gp) ? gp.get_data_length() : 0;
}

} // namespace epvp::host

#include "soc/memory_controller.h"

namespace epvp::soc {

memory_controller::memory_controller(sc_core::sc_module_name name, std::uint64_t size_bytes,
                                     sc_core::sc_time latency)
    : sc_module(name), in("in"), mem_(size_bytes), latency_(latency) {
    in.register_b_transport(this, &memory_controller::b_transport);
    in.register_transport_dbg(this, &memory_controller::transport_dbg);
}

void memory_controller::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!mem_.in_range(addr, len)) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (gp.is_read()) {
        mem_.read(addr, gp.get_data_ptr(), len);
        ++reads_;
    } else if (gp.is_write()) {
        mem_.write_masked(addr, gp.get_data_ptr(), len, gp.get_byte_enable_ptr(),
                          gp.get_byte_enable_length());
        ++writes_;
    }
    delay += latency_;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned memory_controller::transport_dbg(tlm::tlm_generic_payload& gp) {
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!mem_.in_range(addr, len))
        return 0;
    if (gp.is_read())
        mem_.read(addr, gp.get_data_ptr(), len);
    else if (gp.is_write())
        mem_.write(addr, gp.get_data_ptr(), len);
    return len;
}

} // namespace epvp::soc

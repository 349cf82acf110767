// Plain TLM accesses for the block-level tests: one way to fill a generic payload and one
// blocking access through an initiator socket, instead of a copy in each test.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

namespace tlm_test {

// Fills gp for an access of len bytes at addr (streaming width = length, no byte enables),
// with the response still incomplete.
inline void set_access(tlm::tlm_generic_payload& gp, bool write, std::uint64_t addr, void* data,
                       unsigned len) {
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// A blocking access through `socket` (anything whose operator-> reaches b_transport) with the
// given annotated delay; returns the target's response.
template <class Socket>
tlm::tlm_response_status access(Socket& socket, bool write, std::uint64_t addr, void* data,
                                unsigned len, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    tlm::tlm_generic_payload gp;
    set_access(gp, write, addr, data, len);
    socket->b_transport(gp, delay);
    return gp.get_response_status();
}

} // namespace tlm_test

// The TLM side shared by the endpoint CPU's own register blocks (timer, interrupt-controller
// view): a block supplies one access function, bool(write, offset, data, len), false for an
// access it does not take, and these answer b_transport and transport_dbg with it.
//
// b_transport acts at the access's own time: a temporally decoupled initiator is synchronised to
// it first (wait(delay), as the memory controller does), so what the access reads or changes does
// not depend on sim.quantum_ns; callers must be SC_THREADs when they pass a delay. Byte enables
// get TLM_BYTE_ENABLE_ERROR_RESPONSE, refused accesses TLM_GENERIC_ERROR_RESPONSE.
// transport_dbg reads only (a debugger must not change a register behind the firmware's back)
// and returns the bytes read: the access's length, or 0 when refused.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

namespace epvp::soc {

template <typename Access>
void reg_target_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Access&& access) {
    if (delay > sc_core::SC_ZERO_TIME) {
        sc_core::wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    const bool ok = access(gp.is_write(), static_cast<std::uint32_t>(gp.get_address()),
                           gp.get_data_ptr(), gp.get_data_length());
    gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

template <typename Access>
unsigned reg_target_debug_read(tlm::tlm_generic_payload& gp, Access&& access) {
    if (!gp.is_read()) return 0;
    return access(false, static_cast<std::uint32_t>(gp.get_address()), gp.get_data_ptr(),
                  gp.get_data_length())
               ? gp.get_data_length()
               : 0;
}

} // namespace epvp::soc

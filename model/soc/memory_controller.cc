#include "soc/memory_controller.h"

#include "soc/soc_attr.h"

namespace epvp::soc {

memory_controller::memory_controller(sc_core::sc_module_name name, std::uint64_t size_bytes,
                                     const dram_params* timing)
    : sc_module(name), in("in"), mem_(size_bytes),
      timing_(timing ? std::make_unique<dram_timing>(*timing) : nullptr) {
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
    soc_attr* a = nullptr;
    gp.get_extension(a);
    ++per_master_[a ? to_string(a->initiator) : "?"];
    if (timing_) {
        constexpr double ps_per_ns = 1000.0;
        const double now_ns = static_cast<double>((sc_core::sc_time_stamp() + delay).value()) /
                              ps_per_ns; // the kernel's resolution is 1 ps
        const double done_ns = timing_->access(addr, len, now_ns);
        delay = sc_core::sc_time::from_value(static_cast<std::uint64_t>(done_ns * ps_per_ns + 0.5)) -
                sc_core::sc_time_stamp();
    }
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

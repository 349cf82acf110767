#include "rtl-bridge/rtl_axi_slave.h"

#include <stdexcept>

namespace epvp::rtl {

namespace {
axi_slave_block* checked(std::unique_ptr<axi_slave_block>& b, const std::string& block) {
    if (!b) throw std::invalid_argument("RTL block '" + block + "': its factory made nothing");
    return b.get();
}
} // namespace

rtl_axi_slave::rtl_axi_slave(sc_core::sc_module_name name, const std::string& block,
                             const axi_slave_factory& make, sc_core::sc_time clock_period)
    : sc_module(name)
    , socket("socket")
    , block_name_(block)
    , island_("island", clock_period)
    , model_([&] {
        auto b = make(basename(), std::nullopt);
        axi_slave_block* raw = checked(b, block);
        island_.add_model(std::move(b));
        return raw;
    }())
    , bridge_("bridge", island_, model_->port)
    , checker_(model_->port)
    , to_bridge_("to_bridge") {
    to_bridge_.bind(bridge_.socket);
    island_.add_agent(&checker_); // the bridge adds itself
    socket.register_b_transport(this, &rtl_axi_slave::b_transport);
}

void rtl_axi_slave::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (gp.is_read()) {
        ++counts_.reads;
        counts_.bytes_read += gp.get_data_length();
    } else if (gp.is_write()) {
        ++counts_.writes;
        counts_.bytes_written += gp.get_data_length();
    }
    to_bridge_->b_transport(gp, delay);
}

rtl_axi_slave_stats rtl_axi_slave::stats() const {
    rtl_axi_slave_stats s = counts_;
    s.cycles = island_.cycles();
    s.handshakes = checker_.channel_handshakes();
    return s;
}

} // namespace epvp::rtl

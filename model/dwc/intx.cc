#include "model/dwc/intx.h"

#include "model/pcie/config_space.h"

namespace epvp::dwc {

namespace c = pcie::cfg;

intx_unit::intx_unit(reg_block& cfg, std::function<bool()> link_up, message_sender send,
                     std::uint64_t& messages)
    : cfg_(cfg)
    , link_up_(std::move(link_up))
    , send_(std::move(send))
    , messages_(messages) {}

void intx_unit::update(bool level, const sc_core::sc_time& delay) {
    cfg_.set_bits(c::command, c::sta_interrupt, level ? c::sta_interrupt : 0);
    const bool want = level && !(cfg_.read32(c::command) & c::cmd_intx_disable);
    if (want == asserted_) return;
    if (!link_up_()) {
        asserted_ = false;
        return;
    }
    send(want, delay);
}

void intx_unit::function_reset(const sc_core::sc_time& delay) {
    if (asserted_) send(false, delay);
}

void intx_unit::send(bool assert, const sc_core::sc_time& delay) {
    sc_core::sc_time d = delay;
    send_(assert ? pcie::msg_code::assert_inta : pcie::msg_code::deassert_inta, d);
    asserted_ = assert;
    ++messages_;
}

} // namespace epvp::dwc

#include "model/dwc/ep_aer.h"

#include "model/dwc/dbi_regs.h"
#include "model/pcie/aer.h"
#include "model/pcie/config_space.h"

namespace epvp::dwc {

using sc_time = sc_core::sc_time;

namespace {
// The function's capabilities in its configuration space, for the shared AER unit.
constexpr pcie::aer::layout ep_layout{aer_cap, exp_cap};
// The controller's error bits are the capability's (PCIe Base Spec 5.0 sections 7.8.4.2 and
// 7.8.4.5).
static_assert(aer_uncor_status == aer_cap + pcie::aer::uncor_status &&
              aer_header_log == aer_cap + pcie::aer::header_log);
static_assert(aer_uncor_poisoned_tlp == pcie::aer::unc_poisoned_tlp &&
              aer_uncor_completion_timeout == pcie::aer::unc_completion_timeout &&
              aer_uncor_completer_abort == pcie::aer::unc_completer_abort &&
              aer_uncor_unsupported_request == pcie::aer::unc_unsupported_request);
static_assert(aer_cor_bad_tlp == pcie::aer::cor_bad_tlp &&
              aer_cor_bad_dllp == pcie::aer::cor_bad_dllp &&
              aer_cor_replay_rollover == pcie::aer::cor_replay_rollover &&
              aer_cor_replay_timeout == pcie::aer::cor_replay_timeout);
} // namespace

ep_aer::ep_aer(reg_block& cfg, aer_counters& stats, std::function<bool()> link_up,
               message_sender send)
    : cfg_(cfg)
    , stats_(stats)
    , link_up_(std::move(link_up))
    , send_(std::move(send)) {}

void ep_aer::uncorrectable(std::uint32_t bit, const tlm::tlm_generic_payload* tlp, sc_time& delay) {
    if (bit == aer_uncor_completion_timeout) ++stats_.completion_timeouts;
    const auto logged = pcie::aer::record_uncorrectable(cfg_, ep_layout, bit, tlp);
    const auto msg = pcie::aer::error_message(cfg_, ep_layout, logged);
    if (!msg || !link_up_()) return;
    ++stats_.err_messages;
    sc_time d = delay;
    send_(*msg, d);
}

void ep_aer::correctable(std::uint32_t bit, sc_time when) {
    ++stats_.correctable_errors;
    if (!pcie::aer::record_correctable(cfg_, ep_layout, bit)) return; // masked: status only
    if (!(cfg_.read32(exp_cap + pcie::cfg::exp_devctl) & pcie::aer::devctl_cor_report)) return;
    err_cor_due_.push_back(when);
    err_cor_kick_.notify(sc_core::SC_ZERO_TIME);
}

void ep_aer::err_cor_sender() {
    for (;;) {
        if (err_cor_due_.empty()) sc_core::wait(err_cor_kick_);
        while (!err_cor_due_.empty()) {
            const sc_time when = err_cor_due_.front();
            err_cor_due_.pop_front();
            if (when > sc_core::sc_time_stamp()) sc_core::wait(when - sc_core::sc_time_stamp());
            if (!link_up_()) continue;
            ++stats_.err_cor_messages;
            sc_time d = sc_core::SC_ZERO_TIME;
            send_(pcie::msg_code::err_cor, d);
        }
    }
}

} // namespace epvp::dwc

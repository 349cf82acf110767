#include "model/dwc/ep_aer.h"

#include "model/dwc/dbi_regs.h"
#include "model/pcie/config_space.h"

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

namespace {
constexpr unsigned dword = 4;
}

ep_aer::ep_aer(reg_block& cfg, aer_counters& stats, std::function<bool()> link_up,
               message_sender send)
    : cfg_(cfg)
    , stats_(stats)
    , link_up_(std::move(link_up))
    , send_(std::move(send)) {}

void ep_aer::uncorrectable(std::uint32_t bit, const tlm::tlm_generic_payload* tlp, sc_time& delay) {
    if (bit == aer_uncor_completion_timeout) ++stats_.completion_timeouts;
    const std::uint32_t pending = cfg_.read32(aer_uncor_status);
    cfg_.set32(aer_uncor_status, pending | bit);
    const bool masked = cfg_.read32(aer_uncor_mask) & bit;
    const bool fatal = cfg_.read32(aer_uncor_sever) & bit;
    std::uint32_t devsta = fatal ? devsta_fatal : devsta_nonfatal;
    if (bit == aer_uncor_unsupported_request) devsta |= devsta_unsupported;
    cfg_.set_bits(exp_cap + c::exp_devctl, devsta, devsta);
    if (masked) return;
    // First error: its bit position and the header of the TLP that caused it.
    if (!(pending & ~cfg_.read32(aer_uncor_mask))) {
        unsigned pos = 0;
        while (!((bit >> pos) & 1u))
            ++pos;
        cfg_.set_bits(aer_cap_ctrl, aer_first_error_pointer_mask, pos);
        const pcie::pcie_tlp* t = tlp ? tlp->get_extension<pcie::pcie_tlp>() : nullptr;
        if (t) {
            const auto h = pcie::header_dwords(*t, tlp->get_address(), tlp->get_data_length());
            for (unsigned i = 0; i < h.size(); ++i)
                cfg_.set32(aer_header_log + dword * i, h[i]);
        }
    }
    const std::uint32_t devctl = cfg_.read32(exp_cap + c::exp_devctl);
    if (!(devctl & (fatal ? devctl_fatal_report : devctl_nonfatal_report)) || !link_up_()) return;
    ++stats_.err_messages;
    sc_time d = delay;
    send_(fatal ? pcie::msg_code::err_fatal : pcie::msg_code::err_nonfatal, d);
}

void ep_aer::correctable(std::uint32_t bit, sc_time when) {
    ++stats_.correctable_errors;
    cfg_.set32(aer_cor_status, cfg_.read32(aer_cor_status) | bit);
    if (cfg_.read32(aer_cor_mask) & bit) return; // masked: status only
    cfg_.set_bits(exp_cap + c::exp_devctl, devsta_correctable, devsta_correctable);
    if (!(cfg_.read32(exp_cap + c::exp_devctl) & devctl_correctable_report)) return;
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

#include "model/dwc/ltssm.h"

#include "model/core/log.h"
#include "model/dwc/app_regs.h"
#include "model/pcie/config_space.h"

#include <algorithm>

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

namespace {
constexpr std::uint32_t training_phases = 4; // detect, polling, configuration (x2)
}

ltssm_unit::ltssm_unit(std::string owner, reg_block& dbi, reg_block& app, sc_time training_time,
                       link_training_port& link, const link_view& view, sc_core::sc_event& kick,
                       std::uint64_t& hot_resets, hooks h)
    : owner_(std::move(owner))
    , dbi_(dbi)
    , app_(app)
    , training_time_(training_time)
    , link_(link)
    , view_(view)
    , kick_(kick)
    , hot_resets_(hot_resets)
    , hooks_(std::move(h)) {}

void ltssm_unit::set(ltssm s) {
    state_ = s;
    dbi_.set_bits(port_debug0, port_debug0_ltssm_mask, static_cast<std::uint32_t>(s));
    app_.set_bits(app::status, app::status_ltssm_mask,
                  static_cast<std::uint32_t>(s) << app::status_ltssm_shift);
    if (logger::get().enabled("ltssm")) logger::get().info("ltssm", owner_ + ": " + to_string(s));
    if (on_change_) on_change_(s);
}

void ltssm_unit::run() {
    const sc_time phase = training_time_ / training_phases;
    for (;;) {
        sc_core::wait(kick_);
        const bool attached = link_.size() > 0;
        bool enable = app_.read32(app::ctrl) & app::ctrl_ltssm_enable;
        if (state_ == ltssm::l0 && attached && !view_.up) {
            // The link was lost under us (surprise down): Recovery fails, back to Detect. The
            // Data Link Layer reports DL_Down: a link-down reset of the non-sticky registers.
            // A hot reset (the partner's training sets with Hot Reset) goes through Hot Reset;
            // otherwise Recovery fails.
            const bool hot = view_.hot_reset_received;
            if (hot) ++hot_resets_;
            set(hot ? ltssm::hot_reset : ltssm::recovery_lock);
            hooks_.link_down_reset();
            set(ltssm::detect_quiet);
            hooks_.raise_app_irq(app::irq_link_down);
            if (!view_.partner_present) sc_core::wait(view_.partner_back);
            kick_.notify(sc_core::SC_ZERO_TIME);
            continue;
        }
        if (enable && !perst_asserted_ && state_ == ltssm::detect_quiet && view_.partner_present) {
            dbi_.set_bits(port_debug1, port_debug1_in_training, port_debug1_in_training);
            dbi_.set_bits(exp_cap + c::exp_lnkctl, c::lnksta_training, c::lnksta_training);
            // A training phase; false if the partner went away (or held the link in a hot
            // reset) meanwhile, however briefly.
            const auto phase_done = [&](const sc_time& t) {
                if (!attached) {
                    sc_core::wait(t);
                    return true;
                }
                const sc_time end = sc_core::sc_time_stamp() + t;
                sc_core::wait(t, view_.partner_lost);
                return view_.partner_present && sc_core::sc_time_stamp() >= end;
            };
            set(ltssm::detect_act);
            bool trained = phase_done(phase);
            if (trained) {
                set(ltssm::pol_active);
                trained = phase_done(phase);
            }
            if (trained) {
                set(ltssm::cfg_linkwd_start);
                trained = phase_done(2 * phase);
            }
            if (!trained) {
                // The partner went away (or holds the link in a hot reset) while the link
                // trained: training fails at once, back to Detect until the partner is there
                // again.
                dbi_.set_bits(port_debug1, port_debug1_in_training, 0);
                dbi_.set_bits(exp_cap + c::exp_lnkctl, c::lnksta_training, 0);
                set(ltssm::detect_quiet);
                if (!view_.partner_present) sc_core::wait(view_.partner_back);
                kick_.notify(sc_core::SC_ZERO_TIME);
                continue;
            }
            // The endpoint's side: Link Capabilities, LINK_MODE and the target speed.
            std::uint32_t lnkcap = dbi_.read32(exp_cap + c::exp_lnkcap);
            unsigned cap_gen = lnkcap & 0xF;
            unsigned cap_width = (lnkcap >> 4) & 0x3F;
            unsigned mode_width = width_for_link_mode(
                (dbi_.read32(port_link_control) & port_link_mode_mask) >> port_link_mode_shift);
            unsigned target = dbi_.read32(exp_cap + c::exp_lnkctl2) & 0xF;
            unsigned gen = std::max(1u, std::min(cap_gen, target ? target : cap_gen));
            unsigned width = std::max(1u, std::min(cap_width, mode_width));
            // The trained generation and width come back through the status port.
            if (attached) link_->train(gen, width);
            unsigned lgen = attached ? view_.gen : gen, lwidth = attached ? view_.width : width;
            dbi_.set_bits(exp_cap + c::exp_lnkctl, 0xFFFF0000u & ~c::lnksta_slot_clock,
                          (lgen << c::lnksta_speed_shift) | (lwidth << c::lnksta_width_shift) |
                              c::lnksta_dlla);
            dbi_.set_bits(port_debug1, port_debug1_in_training | port_debug1_link_up,
                          port_debug1_link_up);
            set(ltssm::l0);
            app_.set_bits(app::status, app::status_link_up, app::status_link_up);
            hooks_.raise_app_irq(app::irq_link_up);
        } else if ((!enable || perst_asserted_) && state_ != ltssm::detect_quiet) {
            if (attached) link_->down();
            dbi_.set_bits(port_debug1, port_debug1_in_training | port_debug1_link_up, 0);
            dbi_.set_bits(exp_cap + c::exp_lnkctl, c::lnksta_dlla | c::lnksta_training, 0);
            set(ltssm::detect_quiet);
            app_.set_bits(app::status, app::status_link_up, 0);
            hooks_.raise_app_irq(app::irq_link_down);
        }
    }
}

} // namespace epvp::dwc

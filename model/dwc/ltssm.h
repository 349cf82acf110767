// The controller's Link Training and Status State Machine, as the endpoint's firmware and the
// host see it: the state in PORT_DEBUG0 and the glue's status, Link Status, the link-up and
// link-down events.
//
// Models: LTSSM enable with PERST# deasserted -> Detect -> Polling -> Configuration -> L0 over
// the configured training time, training the link to the common generation and width (Link
// Capabilities, LINK_MODE and Target Link Speed bound the endpoint's side); LTSSM enable
// cleared or PERST# asserted -> Detect; the link lost under L0 (surprise down: Recovery ->
// Detect; the partner's hot reset: Hot Reset -> Detect) with the owner's link-down reset, and
// training again once the partner is back; the partner lost during training (any phase,
// however briefly) fails it: Detect, then training again once the partner is back. Does not
// model: the substates' timing and ordered
// sets, speed changes after L0 (Recovery.Speed), L0s/L1/L2, lane reversal.
#pragma once

#include "model/core/reg_block.h"
#include "model/dwc/dbi_regs.h"
#include "model/pcie/link.h"

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>

namespace epvp::dwc {

// The controller's end of its link as the link reported it through the status port (no
// pointer to the link): state, trained generation and width, the partner's presence and the
// hot-reset sequence.
struct link_view {
    bool up = false;
    unsigned gen = 0, width = 0;
    bool partner_present = true;
    bool hot_reset_received = false;
    sc_core::sc_event partner_back; // notified when the partner is present again
    sc_core::sc_event partner_lost; // notified when the partner goes away (or holds a hot reset)
};
// The controller's port to its link's training interface (unbound: no link, the LTSSM trains
// to its own side's values).
using link_training_port =
    sc_core::sc_port<pcie::link_training_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;

class ltssm_unit {
public:
    // What the state machine does to the rest of the controller.
    struct hooks {
        std::function<void()> link_down_reset;            // DL_Down: non-sticky state resets
        std::function<void(std::uint32_t)> raise_app_irq; // the glue's interrupt status bits
    };
    // `dbi`: the DBI registers (PCIe capability, port logic); `app`: the glue block; `link`: the
    // port to the link's training interface, `view`: what the link reported; `kick`: notified
    // whenever the inputs change.
    ltssm_unit(std::string owner, reg_block& dbi, reg_block& app, sc_core::sc_time training_time,
               link_training_port& link, const link_view& view, sc_core::sc_event& kick,
               std::uint64_t& hot_resets, hooks h);

    ltssm state() const { return state_; }
    void set_perst(bool asserted) { perst_asserted_ = asserted; }
    void on_change(std::function<void(ltssm)> f) { on_change_ = std::move(f); }
    // The state machine: the body of one SystemC thread of the owning module.
    void run();

private:
    void set(ltssm s);

    std::string owner_;
    reg_block& dbi_;
    reg_block& app_;
    sc_core::sc_time training_time_;
    link_training_port& link_;
    const link_view& view_;
    sc_core::sc_event& kick_;
    std::uint64_t& hot_resets_;
    hooks hooks_;
    ltssm state_ = ltssm::detect_quiet;
    bool perst_asserted_ = true;
    std::function<void(ltssm)> on_change_;
};

} // namespace epvp::dwc

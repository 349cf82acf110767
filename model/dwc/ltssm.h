// The controller's Link Training and Status State Machine, as the endpoint's firmware and the
// host see it: the state in PORT_DEBUG0 and the glue's status, Link Status, the link-up and
// link-down events.
//
// Models: LTSSM enable with PERST# deasserted -> Detect -> Polling -> Configuration -> L0 over
// the configured training time, training the link to the common generation and width (Link
// Capabilities, LINK_MODE and Target Link Speed bound the endpoint's side); LTSSM enable
// cleared or PERST# asserted -> Detect; the link lost under L0 (surprise down: Recovery ->
// Detect; the partner's hot reset: Hot Reset -> Detect) with the owner's link-down reset, and
// training again once the partner is back. Does not model: the substates' timing and ordered
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

class ltssm_unit {
public:
    // What the state machine does to the rest of the controller.
    struct hooks {
        std::function<void()> link_down_reset;            // DL_Down: non-sticky state resets
        std::function<void(std::uint32_t)> raise_app_irq; // the glue's interrupt status bits
    };
    // `dbi`: the DBI registers (PCIe capability, port logic); `app`: the glue block; `link`: the
    // attached link (may be null); `kick`: notified whenever the inputs change.
    ltssm_unit(std::string owner, reg_block& dbi, reg_block& app, sc_core::sc_time training_time,
               pcie::pcie_link* const& link, sc_core::sc_event& kick, std::uint64_t& hot_resets,
               hooks h);

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
    pcie::pcie_link* const& link_;
    sc_core::sc_event& kick_;
    std::uint64_t& hot_resets_;
    hooks hooks_;
    ltssm state_ = ltssm::detect_quiet;
    bool perst_asserted_ = true;
    std::function<void(ltssm)> on_change_;
};

} // namespace epvp::dwc

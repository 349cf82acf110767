// Legacy INTx of the endpoint's function: the glue's SYS_INT level as Assert_INTA /
// Deassert_INTA messages.
//
// Models: a message on each change of the wanted state (SYS_INT set and Command.INTx_Disable
// clear), sent only while the link is up; Status.Interrupt_Status follows SYS_INT whether or not
// the message is disabled; a link down forgets an asserted INTx (the host's side resets too);
// a Function-Level Reset deasserts it. Does not model: INTB..INTD (Interrupt Pin is INTA), the
// Interrupt Pin/Line registers' effect, swizzling (the root side's job).
#pragma once

#include "model/core/reg_block.h"
#include "model/pcie/tlp.h"

#include <cstdint>
#include <functional>
#include <systemc>

namespace epvp::dwc {

class intx_unit {
public:
    // Sends a message TLP at `delay`.
    using message_sender = std::function<void(pcie::msg_code, sc_core::sc_time& delay)>;
    // `cfg`: the function's configuration space (Command/Status); `messages` counts what it sent.
    intx_unit(reg_block& cfg, std::function<bool()> link_up, message_sender send,
              std::uint64_t& messages);

    // SYS_INT is `level` now (or Command changed): Status and the message, at `delay`.
    void update(bool level, const sc_core::sc_time& delay);
    // The link went down: nothing is asserted at the host any more.
    void link_down() { asserted_ = false; }
    // Function-Level Reset: an asserted INTx is deasserted at `delay`.
    void function_reset(const sc_core::sc_time& delay);

private:
    void send(bool assert, const sc_core::sc_time& delay);

    reg_block& cfg_;
    std::function<bool()> link_up_;
    message_sender send_;
    std::uint64_t& messages_;
    bool asserted_ = false; // Assert_INTA sent and not yet deasserted
};

} // namespace epvp::dwc

// Weighted round robin between the channels of one eDMA direction that want to send a TLP, as
// the DWC channel arbiter does: the channel holding the turn gets up to weight + 1 consecutive
// grants (wr_ch_arb_weight / rd_ch_arb_weight, 5 bits per channel) while it keeps requesting,
// then the turn passes to the next requesting channel in channel order.
//
// Models: one grant at a time per direction; a grant is decided only once the previous granted
// TLP has left the controller (release) and after every channel that becomes ready at that
// time has had one delta cycle to ask, so channels ready at the same instant compete whatever
// order their threads run in. Requests may be withdrawn (a channel with a local burst due
// first). Does not model: arbitration between the write and read engines
// (ctrl_data_arb_prior), the cycle-level request pipeline (a channel with no request ready at
// the decision loses the rest of its turn).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <systemc>
#include <vector>

namespace epvp::dwc {

class edma_arbiter {
public:
    // grants_per_turn(ch): consecutive grants channel ch may get (its weight + 1).
    edma_arbiter(unsigned channels, std::function<unsigned(unsigned)> grants_per_turn);

    // Blocks the calling thread (synchronised: sc_time_stamp() is its time) until channel ch
    // holds the grant (true), or until give_up (absolute) comes first (false, request
    // withdrawn). Every true return must be followed by release().
    bool acquire(unsigned ch, const sc_core::sc_time& give_up);
    // The granted TLP leaves the controller at free_at: the next grant is decided then.
    void release(const sc_core::sc_time& free_at);

    std::uint64_t grants(unsigned ch) const { return grants_[ch]; }

private:
    void decide();

    std::function<unsigned(unsigned)> grants_per_turn_;
    std::vector<bool> pending_;
    std::deque<sc_core::sc_event> granted_ev_;
    std::vector<std::uint64_t> grants_;
    int holder_ = -1;
    unsigned turn_;
    unsigned left_ = 0; // grants left in the current turn
    bool settled_ = false;
    sc_core::sc_time free_at_;
    sc_core::sc_event decide_ev_;
};

// The order of the link requests that channels make at the same simulated instant. Each
// request waits one delta cycle, so that every channel due at that instant has asked, then the
// requests go one at a time in key order (the engine gives write channels lower keys than read
// channels, lower channel numbers lower keys: a fixed priority for exact ties, as a hardware
// arbiter's fixed tie-break). Without it the order would be the SystemC kernel's order of
// runnable processes, which depends on the history of the whole simulation (for instance on
// how often the CPU synchronised, sim.quantum_ns), and the second TLP of a tie would start one
// TLP time later in one run and not in another.
//
// Models: an order for ties only; requests at different instants keep their times. Does not
// model: the cycle-level request pipeline. The next key's thread runs once the caller yields,
// so the caller's request reaches the link first (a request may wait later on, e.g. a
// peer-to-peer write in the peer's SMMU, without holding the others).
class edma_tie_order {
public:
    // Blocks for delta cycles until key is the lowest asking, then passes the turn on.
    void take_turn(unsigned key);

private:
    std::set<unsigned> asking_;
    sc_core::sc_event turn_ev_;
};

} // namespace epvp::dwc

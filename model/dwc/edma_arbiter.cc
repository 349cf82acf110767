// sc_spawn: the decision method, created with the arbiter.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "model/dwc/edma_arbiter.h"

#include <utility>

namespace epvp::dwc {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

edma_arbiter::edma_arbiter(unsigned channels, std::function<unsigned(unsigned)> grants_per_turn)
    : grants_per_turn_(std::move(grants_per_turn))
    , pending_(channels, false)
    , granted_ev_(channels)
    , grants_(channels, 0)
    , turn_(channels ? channels - 1 : 0) {
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.set_sensitivity(&decide_ev_);
    opts.dont_initialize();
    sc_core::sc_spawn([this] { decide(); }, sc_core::sc_gen_unique_name("edma_arbiter"), &opts);
}

bool edma_arbiter::acquire(unsigned ch, const sc_time& give_up) {
    pending_[ch] = true;
    decide_ev_.notify(SC_ZERO_TIME);
    while (holder_ != static_cast<int>(ch)) {
        const sc_time now = sc_core::sc_time_stamp();
        if (now >= give_up) {
            pending_[ch] = false;
            return false;
        }
        if (give_up == sc_core::sc_max_time())
            sc_core::wait(granted_ev_[ch]);
        else
            sc_core::wait(give_up - now, granted_ev_[ch]);
    }
    return true;
}

void edma_arbiter::release(const sc_time& free_at) {
    const sc_time now = sc_core::sc_time_stamp();
    holder_ = -1;
    settled_ = false;
    free_at_ = free_at > now ? free_at : now;
    decide_ev_.notify(free_at_ - now);
}

void edma_arbiter::decide() {
    if (holder_ >= 0) return; // release() decides again
    const sc_time now = sc_core::sc_time_stamp();
    if (now < free_at_) {
        decide_ev_.notify(free_at_ - now);
        return;
    }
    // One delta cycle for every channel ready at this instant to ask.
    if (!settled_) {
        settled_ = true;
        decide_ev_.notify(SC_ZERO_TIME);
        return;
    }
    settled_ = false;
    const unsigned n = static_cast<unsigned>(pending_.size());
    if (left_ == 0 || !pending_[turn_]) {
        unsigned next = n;
        for (unsigned i = 1; i <= n && next == n; ++i)
            if (pending_[(turn_ + i) % n]) next = (turn_ + i) % n;
        if (next == n) return; // nobody asks
        turn_ = next;
        left_ = grants_per_turn_(turn_);
    }
    --left_;
    pending_[turn_] = false;
    holder_ = static_cast<int>(turn_);
    ++grants_[turn_];
    granted_ev_[turn_].notify();
}

void edma_tie_order::take_turn(unsigned key) {
    asking_.insert(key);
    sc_core::wait(SC_ZERO_TIME); // everybody due at this instant asks
    while (*asking_.begin() != key)
        sc_core::wait(turn_ev_);
    asking_.erase(key);
    turn_ev_.notify(); // immediate: the next key runs once this thread yields
}

} // namespace epvp::dwc

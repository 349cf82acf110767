#include "rtl-bridge/rtl_island.h"

#include <stdexcept>

namespace epvp::rtl {

rtl_island::rtl_island(sc_core::sc_module_name name, sc_core::sc_time clock_period,
                       unsigned reset_cycles)
    : sc_module(name)
    , period_(clock_period)
    , reset_cycles_(reset_cycles) {
    if (period_ == sc_core::SC_ZERO_TIME)
        throw std::invalid_argument(std::string(basename()) + ": clock period must be > 0");
    due_or_work_ |= cycle_due_;
    due_or_work_ |= work_;
    SC_THREAD(clock_thread);
}

rtl_island::~rtl_island() {
    close_waves();
    for (auto& m : models_)
        m->final();
}

rtl_model& rtl_island::add_model(std::unique_ptr<rtl_model> m) {
    if (!m) throw std::invalid_argument(std::string(basename()) + ": add_model(nullptr)");
    models_.push_back(std::move(m));
    return *models_.back();
}

void rtl_island::add_agent(cycle_agent* a) {
    if (!a) throw std::invalid_argument(std::string(basename()) + ": add_agent(nullptr)");
    agents_.push_back(a);
    if (!a->watcher()) drivers_.push_back(a);
}

void rtl_island::wake() {
    work_.notify(sc_core::SC_ZERO_TIME);
}

void rtl_island::notify_from_cycle(sc_core::sc_event& ev, const sc_core::sc_time& after) const {
    // During a cycle time_ is its start, never behind SystemC time (clock_thread).
    ev.notify(time_ + after - sc_core::sc_time_stamp());
}

void rtl_island::release() {
    if (holds_ && --holds_ == 0) wake();
}

void rtl_island::open_waves(const std::string& file) {
    close_waves();
    for (std::size_t i = 0; i < models_.size(); ++i) {
        // One file per block: the first keeps the name, others get ".<block>" before the
        // extension.
        std::string f = file;
        if (i) {
            auto dot = f.rfind('.');
            f.insert(dot == std::string::npos ? f.size() : dot,
                     std::string(".") + models_[i]->name());
        }
        try {
            models_[i]->open_waves(f);
        } catch (...) {
            for (std::size_t j = 0; j < i; ++j)
                models_[j]->close_waves();
            throw;
        }
    }
    waves_open_ = true;
}

void rtl_island::close_waves() {
    if (!waves_open_) return;
    for (auto& m : models_)
        m->close_waves();
    waves_open_ = false;
}

bool rtl_island::any_busy() const {
    for (auto* a : drivers_)
        if (a->busy()) return true;
    return false;
}

void rtl_island::dump(const sc_core::sc_time& t) {
    if (!waves_open_) return;
    const auto ps = static_cast<std::uint64_t>(t / sc_core::sc_time(1, sc_core::SC_PS));
    for (auto& m : models_)
        m->dump_waves(ps);
}

void rtl_island::do_reset() {
    for (auto& m : models_) {
        m->set_reset(true);
        m->set_clock(false);
        m->eval();
    }
    for (unsigned i = 0; i < reset_cycles_; ++i) {
        for (auto& m : models_) {
            m->set_clock(true);
            m->eval();
            m->set_clock(false);
            m->eval();
        }
        time_ += period_;
    }
    for (auto& m : models_) {
        m->set_reset(false);
        m->eval();
    }
    reset_done_ = true;
}

void rtl_island::run_cycle() {
    for (auto* a : drivers_)
        a->drive();
    for (auto& m : models_) {
        m->set_clock(false);
        m->eval();
    }
    if (waves_open_) dump(time_);
    for (auto* a : agents_)
        a->sample(cycles_);
    for (auto& m : models_) {
        m->set_clock(true);
        m->eval();
    }
    if (waves_open_) dump(time_ + period_ / 2);
    ++cycles_;
    time_ += period_;
}

void rtl_island::run_carriers(bool may_carry) {
    // The cycle just run started one period before time_.
    const sc_core::sc_time start = time_ - period_;
    carrying_.swap(carriers_);
    struct clear_at_exit {
        std::vector<cycle_agent*>& v;
        ~clear_at_exit() { v.clear(); }
    } clear{carrying_};
    if (carrying_.size() > 1 || !may_carry) {
        // Several at once: one after the other here, a later one would start when an earlier
        // one's target is done, not at the cycle's start. A caller whose own request is done
        // must not carry: its response's time would pass while it waits in another's target.
        // Each to its own thread, as without carrying.
        for (cycle_agent* a : carrying_)
            a->hand_over(start);
        return;
    }
    const sc_core::sc_time ready = carrying_.front()->carry(start);
    if (time_ < ready) time_ = ready;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (time_ < now) time_ = now; // a carry that waited: no edges meanwhile
}

void rtl_island::start_clocking() {
    if (!reset_done_) do_reset();
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (time_ < now) time_ = now; // the clock was stopped while idle: no edges in between
}

void rtl_island::run_cycles(const unsigned* pending) {
    while (any_busy() && !holds_ && !(pending && *pending == 0)) {
        // The next cycle starts at time_. Run it now if nothing else can run before (or at)
        // that time, else wait for it and look again: a process woken meanwhile may hold the
        // clock or bring work.
        const sc_core::sc_time at = sc_core::sc_time_stamp();
        if (time_ > at && sc_core::sc_time_to_pending_activity() <= time_ - at) {
            // Woken at the cycle's start, or by new work; a hold() taken meanwhile cancels the
            // start, and the owner sleeps on until the release wakes it.
            cycle_due_.notify(time_ - at);
            sc_core::wait(due_or_work_);
            cycle_due_.cancel();
            const sc_core::sc_time woke = sc_core::sc_time_stamp();
            if (time_ < woke) time_ = woke; // held past the cycle's start: no edges between
            continue;
        }
        run_cycle();
        if (!carriers_.empty()) run_carriers(!(pending && *pending == 0));
    }
}

bool rtl_island::may_run_ahead(const sc_core::sc_time& ahead) const {
    return !owner_ && !holds_ && !sc_core::sc_pending_activity_at_current_time() &&
           sc_core::sc_time_to_pending_activity() > ahead;
}

void rtl_island::run_in_caller(const unsigned& pending, const sc_core::sc_time& ahead) {
    // Woken by wake(), the clock thread would run in the next delta cycle: the caller runs the
    // cycles now only if nothing else could run before that (no process runnable or event
    // pending at this time), so that no request of this time misses the first cycle.
    if (owner_ || holds_ || sc_core::sc_pending_activity_at_current_time()) {
        wake();
        return;
    }
    // Given back at the end, also when an exception leaves: the clock thread goes on with the
    // others' work.
    struct give_back {
        rtl_island& island;
        ~give_back() {
            island.owner_ = nullptr;
            if (island.any_busy()) island.wake();
        }
    } back{*this};
    owner_ = sc_core::sc_get_current_process_b();
    start_clocking();
    const sc_core::sc_time from = sc_core::sc_time_stamp() + ahead;
    if (time_ < from) time_ = from; // the request's annotated delay: no edges before it ends
    run_cycles(&pending);
}

void rtl_island::clock_thread() {
    for (;;) {
        while (!any_busy() || holds_ || owner_)
            sc_core::wait(work_);
        owner_ = sc_core::sc_get_current_process_b();
        start_clocking();
        run_cycles(nullptr);
        owner_ = nullptr;
    }
}

} // namespace epvp::rtl

// Delayed work on the firmware's own time (Linux's struct delayed_work and
// queue_delayed_work/cancel_delayed_work on a workqueue, include/linux/workqueue.h): a function
// schedules a piece of work to run after a delay of simulated time (hal::platform::now_ns), in the
// firmware's context, from the function runner's event loop.
//
// Models: one ordered queue; work runs no earlier than its due time, in due-time order (work due
// at the same time runs in queueing order); queueing work that is already pending does nothing
// and returns false, as queue_delayed_work does; work may queue itself again from its callback.
// Does not model: concurrency (one CPU, one context), CPU affinity, flushing.
#pragma once

#include "firmware/hal/hal.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace fw::epf {

class delayed_work {
public:
    explicit delayed_work(std::function<void()> fn)
        : fn_(std::move(fn)) {}
    delayed_work(const delayed_work&) = delete;
    delayed_work& operator=(const delayed_work&) = delete;
    bool pending() const { return pending_; }

private:
    friend class workqueue;
    std::function<void()> fn_;
    std::uint64_t due_ns_ = 0;
    std::uint64_t seq_ = 0;
    bool pending_ = false;
};

class workqueue {
public:
    static constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();

    explicit workqueue(hal::platform& io)
        : io_(io) {}
    workqueue(const workqueue&) = delete;
    workqueue& operator=(const workqueue&) = delete;
    // Work must be cancelled (or have run) before it is destroyed.
    ~workqueue() = default;

    // queue_delayed_work: runs w's callback delay_ns from now. False when w was already pending.
    bool queue(delayed_work& w, std::uint64_t delay_ns);
    // cancel_delayed_work: true when w was pending (it will not run).
    bool cancel(delayed_work& w);
    // The absolute time (ns) the earliest pending work is due, or `never`.
    std::uint64_t next_due_ns() const;
    // Runs every work whose due time has come (including work queued with no delay by the
    // callbacks it runs). Returns how many ran.
    unsigned run_due();
    bool empty() const { return pending_.empty(); }

private:
    hal::platform& io_;
    std::vector<delayed_work*> pending_;
    std::uint64_t seq_ = 0;
};

} // namespace fw::epf

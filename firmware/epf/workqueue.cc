#include "firmware/epf/workqueue.h"

#include <algorithm>

namespace fw::epf {

bool workqueue::queue(delayed_work& w, std::uint64_t delay_ns) {
    if (w.pending_) return false;
    const std::uint64_t now = io_.now_ns();
    w.due_ns_ = delay_ns > never - now ? never : now + delay_ns;
    w.seq_ = seq_++;
    w.pending_ = true;
    pending_.push_back(&w);
    return true;
}

bool workqueue::cancel(delayed_work& w) {
    if (!w.pending_) return false;
    pending_.erase(std::find(pending_.begin(), pending_.end(), &w));
    w.pending_ = false;
    return true;
}

std::uint64_t workqueue::next_due_ns() const {
    std::uint64_t due = never;
    for (const delayed_work* w : pending_)
        due = std::min(due, w->due_ns_);
    return due;
}

unsigned workqueue::run_due() {
    unsigned ran = 0;
    for (;;) {
        const std::uint64_t now = io_.now_ns();
        delayed_work* next = nullptr;
        for (delayed_work* w : pending_)
            if (w->due_ns_ <= now && (!next || w->due_ns_ < next->due_ns_ ||
                                      (w->due_ns_ == next->due_ns_ && w->seq_ < next->seq_)))
                next = w;
        if (!next) return ran;
        cancel(*next);
        ++ran;
        next->fn_();
    }
}

} // namespace fw::epf

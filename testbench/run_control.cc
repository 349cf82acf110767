#include "testbench/run_control.h"

#include <cstdio>

namespace epvp::tb {

namespace {

// Set by the handler, read by the watcher: the only state a signal handler touches.
volatile std::sig_atomic_t pending_signal = 0;

extern "C" void on_stop_signal(int sig) {
    pending_signal = sig;
}

constexpr auto stop_poll_interval = std::chrono::milliseconds(20);
constexpr double us_per_s = 1e6, ms_per_s = 1e3;

// "12.5 us", "3.250 ms", "2.000 s": simulated time in the unit a person reads at a glance.
std::string sim_time_text(const sc_core::sc_time& t) {
    const double s = t.to_seconds();
    char buf[32];
    if (s >= 1)
        std::snprintf(buf, sizeof buf, "%.3f s", s);
    else if (s * ms_per_s >= 1)
        std::snprintf(buf, sizeof buf, "%.3f ms", s * ms_per_s);
    else
        std::snprintf(buf, sizeof buf, "%.1f us", s * us_per_s);
    return buf;
}

} // namespace

run_control::run_control(std::uint64_t wall_limit_s)
    : sc_core::sc_prim_channel(sc_core::sc_gen_unique_name("run_control"))
    , wall_limit_s_(wall_limit_s) {
    pending_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    // A second Ctrl-C ends the process at once (the default action) if stopping hangs.
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
    watcher_ = std::thread([this] { watch(); });
}

run_control::~run_control() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        done_ = true;
    }
    wake_.notify_all();
    watcher_.join();
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
}

std::string run_control::description() const {
    switch (reason_.load()) {
    case reason::signal:
        return signal_ == SIGTERM ? "SIGTERM" : "SIGINT";
    case reason::wall_limit:
        return "sim.wall_limit_s = " + std::to_string(wall_limit_s_);
    case reason::none:
        break;
    }
    return "";
}

void run_control::watch() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wall_limit_s_);
    std::unique_lock<std::mutex> lock(mutex_);
    while (!done_) {
        if (pending_signal != 0) {
            signal_ = pending_signal;
            stop(reason::signal);
            return;
        }
        if (wall_limit_s_ != 0 && std::chrono::steady_clock::now() >= deadline) {
            stop(reason::wall_limit);
            return;
        }
        wake_.wait_for(lock, stop_poll_interval);
    }
}

void run_control::stop(reason r) {
    reason_ = r;
    async_request_update();
}

void run_control::update() {
    sc_core::sc_stop();
}

void note_stop(workload_result& r, const run_control& c, const cfg::platform_config& pc) {
    r.interrupted = c.by_signal();
    r.stopped_by = c.stopped() ? c.description()
                               : "sim.time_limit_us = " + std::to_string(pc.sim.time_limit_us);
    const bool streamed = !r.test_progress.done.empty() || !r.test_progress.running.empty();
    if (streamed && r.tests.empty()) r.tests = r.test_progress.done;
    r.in_progress = r.test_progress.running;
    std::string m = r.interrupted ? "interrupted by " + r.stopped_by
                                  : "the workload did not finish within " + r.stopped_by;
    if (!r.in_progress.empty()) m += (r.interrupted ? ": in " : ": hung in ") + r.in_progress;
    m += " after " + sim_time_text(sc_core::sc_time_stamp()) + " simulated";
    if (streamed) m += "; " + std::to_string(r.tests.size()) + " tests completed";
    r.stop_message = m;
}

} // namespace epvp::tb

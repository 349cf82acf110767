// Stops a running simulation from outside it: SIGINT or SIGTERM, or a wall-clock limit
// (sim.wall_limit_s). The signal handler only records the signal; a watcher thread sees it, or
// sees the wall clock pass the limit, and asks the kernel through an asynchronous update (the
// SystemC way in from another thread) to call sc_stop() in its next update phase. Nothing is
// notified while no stop is asked for, so a run that is not stopped is unchanged.
#pragma once

#include "testbench/config/config.h"
#include "testbench/workload.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <string>
#include <systemc>
#include <thread>

namespace epvp::tb {

class run_control : public sc_core::sc_prim_channel {
public:
    // Construct during elaboration (before sc_start). wall_limit_s = 0: no wall-clock limit.
    explicit run_control(std::uint64_t wall_limit_s);
    ~run_control() override; // restores the signal handlers

    // After the simulation returned: what stopped it early, if anything.
    bool stopped() const { return reason_ != reason::none; }
    bool by_signal() const { return reason_ == reason::signal; }
    int signal_number() const { return signal_; } // SIGINT or SIGTERM when by_signal()
    // "SIGINT", "SIGTERM", "sim.wall_limit_s = 5" or "" when not stopped.
    std::string description() const;

private:
    enum class reason { none, signal, wall_limit };
    void update() override; // sc_stop() in the kernel's thread
    void watch();
    void stop(reason r);

    std::uint64_t wall_limit_s_;
    std::atomic<reason> reason_{reason::none};
    int signal_ = 0;
    struct sigaction old_int_ {
    }, old_term_{};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread watcher_;
};

// Records why a run ended before the host software finished (the cause: c's, or else
// sim.time_limit_us), what it had done (pcitest: the tests completed become r.tests, and the test
// in progress) and a one-line account in r.stop_message ("the workload did not finish within
// sim.time_limit_us = 2000000: hung in pci_ep_basic.MSIX_TEST (MSI-X vector 1024) after 2.000 s
// simulated; 10 tests completed").
void note_stop(workload_result& r, const run_control& c, const cfg::platform_config& pc);

} // namespace epvp::tb

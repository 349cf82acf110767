// An RTL island: Verilated blocks plus the C++ agents (bridges, protocol checkers, test
// stimulus) that drive and watch their pins, clocked together.
//
// Models: one RTL clock of a given period that runs only while some agent has work in flight
// (idle simulated time costs no wall time and no edges); while it runs, cycle n starts one
// period after cycle n-1, so simulated time advances by exactly one clock period per cycle.
// A cycle whose start lies ahead of SystemC time runs at once, without a wait, when nothing
// else in the simulation can run up to and including that start (no delta or timed activity
// pending: sc_time_to_pending_activity); otherwise the island waits for the cycle's start.
// What a cycle notifies is timed from the cycle's start (notify_from_cycle). So every cycle
// sees the inputs it would see with one wait per cycle, at the same simulated time.
// The island keeps its own time: a transaction arriving at a SystemC time the island has
// already clocked past starts at the island's time (the clock is a shared resource). One process
// at a time runs the cycles, by that rule: the clock thread, or a caller that found the clock
// free and nothing else runnable (run_in_caller); the same cycles at the same times either way. A
// cycle: agents drive their inputs, the blocks settle with the clock low, agents and checkers
// sample the settled pins (the values seen at the rising edge: a handshake is VALID && READY here),
// then the rising edge is evaluated. Reset is held for reset_cycles cycles before the first
// cycle, at the island's time 0. Waves: every block of the island can dump to an FST or VCD
// file (format from the file name) with time stamps in picoseconds.
// Does not model: several clocks or clock domain crossings, gated clocks inside the RTL, RTL
// that starts activity on its own while no agent is busy (timers, free-running counters: they
// would see no edges while the island is idle); the end of an sc_start(duration), which is no
// event: a simulation stopped by a time limit in the middle of a transaction may have run (and
// counted in cycles()) some of its cycles beyond the limit, and nothing they notify is delivered.
#pragma once

#include "rtl-bridge/rtl_model.h"
#include "waves/trace_format.h"

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::rtl {

// Something that drives or watches pins once per cycle.
class cycle_agent {
public:
    virtual ~cycle_agent() = default;
    // Set the inputs this agent drives (from its own state only).
    virtual void drive() {}
    // The pins have settled for this cycle: record handshakes, update state.
    virtual void sample(std::uint64_t cycle) = 0;
    // Work in flight: the clock keeps running while any agent is busy.
    virtual bool busy() const { return false; }
    // Only watches (a protocol checker): drives nothing and is never busy, so the island asks
    // it only to sample (read once, when it is added).
    virtual bool watcher() const { return false; }
    // Asked for by the agent from sample() (rtl_island::carry_after_cycle): carry out, in the
    // process running the island's cycles, the work that cycle handed over, starting at
    // cycle_start (the start of the cycle that handed it over, which may lie ahead of SystemC
    // time: pass it on as an annotated delay). Returns when the result is ready: the island's
    // next cycle starts no earlier, and no cycle runs meanwhile (as under hold(), except that
    // nothing can release it: no other request's register access can run cycles meanwhile).
    // May wait; must not need the island's cycles (this process runs them).
    virtual sc_core::sc_time carry(const sc_core::sc_time& cycle_start) { return cycle_start; }
    // Instead of carry(), when another agent also asked to carry out work from the same cycle,
    // or the process running the cycles is a caller whose own request that cycle completed:
    // hand the work to the agent's own thread(s), to start at cycle_start, as it would have
    // from sample() without carrying.
    virtual void hand_over(const sc_core::sc_time& /*cycle_start*/) {}
};

class rtl_island : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(rtl_island);
    rtl_island(sc_core::sc_module_name name, sc_core::sc_time clock_period,
               unsigned reset_cycles = 2);
    ~rtl_island() override;

    // The island owns its blocks; agents are owned by whoever created them.
    rtl_model& add_model(std::unique_ptr<rtl_model> m);
    void add_agent(cycle_agent* a);
    // An agent got work: start the clock if it is stopped.
    void wake();
    // For an agent's caller waiting for its own request (a TLM->pins bridge), after queueing
    // it: if no process runs the island's cycles and none holds it, and nothing else could run
    // before the clock thread would (nothing runnable or pending at this time), run them in the
    // caller's process (the same cycles at the same times as the clock thread would run them,
    // without switching to it) until `pending` is 0 or the island is held or idle; then give the
    // cycles back to the clock thread (woken if work remains). Otherwise, as wake(). The caller
    // then waits for its request's completion event as it would without this.
    void run_in_caller(const unsigned& pending) { run_in_caller(pending, sc_core::SC_ZERO_TIME); }
    // For a caller whose request's annotated delay has not passed yet: true if nothing could
    // run before it has (the clock is free, and no process or event is due at or before its
    // end), so that the caller may queue the request now and have run_in_caller(pending, ahead)
    // run it from then on, as if it had waited.
    bool may_run_ahead(const sc_core::sc_time& ahead) const;
    // As run_in_caller(pending), right after may_run_ahead(ahead) returned true: the first cycle
    // starts no earlier than `ahead` from now.
    void run_in_caller(const unsigned& pending, const sc_core::sc_time& ahead);
    // Hold the clock while a request the island forwarded is carried out outside it (a TLP
    // round trip, a DRAM access): the RTL waits for that response with no pin activity, so
    // clocking through the wait would only cost wall time. Holds nest; release() restarts the
    // clock when the last one goes. Other requests wait for the clock meanwhile.
    void hold() {
        ++holds_;
        cycle_due_.cancel(); // a clock waiting for its next cycle sleeps on until release()
    }
    void release();
    bool held() const { return holds_ != 0; }

    // Dump the island's blocks to a wave file from now on (".fst" or ".vcd"; throws with the
    // file name when the extension is neither, or when a block has already run in the other
    // trace flavour: see rtl_model::open_waves).
    void open_waves(const std::string& file);
    void close_waves();

    // For agents, from sample(): notify ev `after` the start of the cycle being run (which may
    // lie ahead of sc_time_stamp(): see the class comment).
    void notify_from_cycle(sc_core::sc_event& ev,
                           const sc_core::sc_time& after = sc_core::SC_ZERO_TIME) const;
    // For agents, from sample(): call a->carry() once this cycle has ended, from the process
    // running the cycles (no thread switch: what a forwarding agent's worker thread would do
    // while the island is held, done without one). Each is asked to hand_over() instead when
    // more than one agent asks in a cycle, and when the process running the cycles is a caller
    // whose own request that cycle completed.
    void carry_after_cycle(cycle_agent* a) { carriers_.push_back(a); }
    // The calling process runs the island's cycles (so it is inside an agent's carry(), and
    // anything that waits for a cycle would wait for itself).
    bool is_clocking() const { return owner_ && sc_core::sc_get_current_process_b() == owner_; }

    sc_core::sc_time clock_period() const { return period_; }
    std::uint64_t cycles() const { return cycles_; }
    sc_core::sc_time island_time() const { return time_; }

private:
    void clock_thread();
    bool any_busy() const;
    void run_cycle();
    void run_carriers(bool may_carry);
    // Run cycles while an agent is busy, the island is not held and, given pending, until it
    // is 0 (by the process that owns the cycles: the clock thread or run_in_caller's caller).
    void run_cycles(const unsigned* pending);
    // Before the first cycle a process runs: reset, and no edges while the clock was stopped.
    void start_clocking();
    void dump(const sc_core::sc_time& t);
    void do_reset();

    sc_core::sc_time period_;
    unsigned reset_cycles_;
    bool reset_done_ = false;
    bool waves_open_ = false;
    std::vector<std::unique_ptr<rtl_model>> models_;
    std::vector<cycle_agent*> agents_;  // every agent, in the order added (sample order)
    std::vector<cycle_agent*> drivers_; // the agents that are not watchers (drive, busy)
    sc_core::sc_event work_;
    sc_core::sc_event cycle_due_;           // the next cycle's start, while the clock waits for it
    sc_core::sc_event_or_list due_or_work_; // cycle_due_ | work_
    sc_core::sc_time time_ = sc_core::SC_ZERO_TIME; // start of the next cycle
    std::uint64_t cycles_ = 0;
    unsigned holds_ = 0;
    std::vector<cycle_agent*> carriers_;           // carry() asked for in the cycle being run
    std::vector<cycle_agent*> carrying_;           // the ones being called (carriers_ swapped out)
    const sc_core::sc_process_b* owner_ = nullptr; // the process running cycles, if any
};

} // namespace epvp::rtl

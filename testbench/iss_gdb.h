// `epsim run --gdb PORT`: the GDB server (gdb_server.h) bound to the endpoint's instruction-set
// simulator (iss_cpu.h, cpu.kind = iss; endpoint 0 of a topology). The CPU halts at its reset
// vector and waits there for GDB; "gdb: listening on 127.0.0.1:PORT" is printed (and flushed)
// right before that wait. Software breakpoints are BRK #0xDB instructions patched into SRAM
// (reads show the original instruction); Ctrl-C is polled at quantum ends (at most every
// 20 ms of wall time) and, while the CPU waits in WFI, once a quantum of simulated time.
// While the CPU is halted no SystemC process runs: simulated time and the whole platform (host,
// link, DMA, timers) stand still until GDB resumes. A breakpoint hit, a step or a WFI polled in
// quantum steps can move the run's simulated times by instructions; pass/fail results do not
// depend on them.
#pragma once

#include "testbench/config/config.h"

#include <memory>

namespace epvp::tb {

class endpoint_soc;

class gdb_stub {
public:
    // Listens on 127.0.0.1:port (0: a free port); a bad or used port, or cpu.kind other than
    // iss, throws cfg::config_error with one line.
    gdb_stub(unsigned port, const cfg::platform_config& c);
    ~gdb_stub();
    // Halts the endpoint's ISS CPU at its reset vector, where it waits for GDB.
    void attach(endpoint_soc& soc);
    // The workload ended with this exit status: the W stop reply, then the connection closes.
    void exited(int status);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace epvp::tb

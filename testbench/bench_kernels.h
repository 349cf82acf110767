// The measuring loops of `epsim bench` (bench.cc runs them and prints what they measure): the
// SystemC floor and the iATU block comparison. Compiled like the model they are compared with
// (bench.cc, run once per command, is not).
#pragma once

namespace epvp::tb {

constexpr unsigned floor_payload_bytes = 256; // each floor transaction's data, copied by the target

// Transactions per wall second of the two floor loops (see bench_kernels.cc), run in this process:
// it starts and ends this process's one SystemC simulation.
struct floor_rates {
    double wait_per_s = 0, quantum_per_s = 0;
};
floor_rates floor_loops(unsigned long long transactions);

// Seconds to write `bytes` of fresh memory (a new sparse_memory, the platform's own store) in
// floor_payload_bytes copies: what any model that keeps that much newly written data pays for the
// system to hand out and zero its pages and for the copies, before it models anything.
double first_touch_seconds(unsigned long long bytes);

#ifdef EPVP_RTL_COSIM
// The same translations through the verilated iATU (APB programming, AXI requests through the
// bridges, checkers on) and through the TLM model, in this process's SystemC simulation. Prints
// both rates; returns 1 if a translation differed, else 0.
struct iatu_block_rates {
    double rtl_per_s = 0, tlm_per_s = 0;
};
int iatu_block_bench(iatu_block_rates& rates);
#endif

} // namespace epvp::tb

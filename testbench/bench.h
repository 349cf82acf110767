// `epsim bench`: how fast the simulator runs, and how close the model's throughput comes to
// the PCIe arithmetic. Wall-clock figures go to stdout and to bench's own --report, never into
// a run's report.
#pragma once

#include <string>
#include <vector>

namespace epvp::tb {

struct bench_options {
    std::string config_file;
    std::vector<std::string> sets;
    unsigned long long bytes = 256ull << 20;
    bool link_table = false;
    bool read_table = false;
    bool profile = false;
    bool dram = false;
    bool rtl_iatu = false;   // RTL iATU vs TLM iATU translations per wall second
    bool floor_only = false; // only the SystemC floor (run in a child process by the speed run)
    unsigned long long floor_transactions = 4000000; // per floor loop
    std::string report_file; // JSON of the measured rates (speed run and --rtl-iatu)
};

// Returns the process exit status.
int run_bench(const bench_options& o);
int rtl_iatu_bench(const bench_options& o);

} // namespace epvp::tb

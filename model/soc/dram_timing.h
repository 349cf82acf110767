// LPDDR-style DRAM timing as resource reservations, SystemC-free: channels with a data bus,
// banks with an open row, periodic refresh. An access is granted a start time no earlier than
// its bank and its channel's data bus are free; a row hit costs CAS latency, a miss adds
// precharge and activate; a refresh window blocks the channel and closes its rows.
//
// Models: channel interleaving (interleave_bytes), bank/row mapping, row hits/misses/conflicts,
// tRCD, tRP, CL, tRAS (earliest precharge), burst time from the channel's bytes per ns, tRFC
// every tREFI, a fixed front-end latency (interconnect + controller), counters. Does not model:
// read/write turnaround, tFAW and tRRD (activate windows), bank groups, power-down, reordering
// of requests in a controller queue (requests are served in arrival order per bank).
#pragma once

#include <cstdint>
#include <vector>

namespace epvp::soc {

struct dram_params {
    unsigned channels = 2;
    unsigned banks = 16;                  // per channel
    std::uint64_t row_bytes = 2048;       // per bank
    std::uint64_t interleave_bytes = 256; // consecutive bytes on one channel
    double bytes_per_ns = 12.8;           // per channel: LPDDR5-6400 x16
    double t_rcd_ns = 18, t_rp_ns = 18, t_cl_ns = 21.25, t_ras_ns = 42;
    double t_rfc_ns = 210, t_refi_ns = 3900;
    double front_end_ns = 60; // interconnect and controller
};

struct dram_counters {
    std::uint64_t accesses = 0, row_hits = 0, row_misses = 0, row_conflicts = 0;
    std::uint64_t refresh_stalls = 0;
    double refresh_stall_ns = 0;
};

class dram_timing {
public:
    explicit dram_timing(const dram_params& p);
    // An access of len bytes at addr ready at t_ns (absolute); returns when its data is done.
    // queue_ns (optional): how long it waited behind other accesses and refresh for its banks
    // and data buses (0 on an idle memory).
    double access(std::uint64_t addr, std::uint64_t len, double t_ns, double* queue_ns = nullptr);
    const dram_counters& counters() const { return c_; }
    const dram_params& params() const { return p_; }

private:
    struct bank {
        bool open = false;
        std::uint64_t row = 0;
        double free_ns = 0;      // next command may start
        double activated_ns = 0; // for tRAS
    };
    struct channel {
        std::vector<bank> banks;
        double bus_free_ns = 0;
    };
    double chunk(std::uint64_t addr, std::uint64_t len, double t_ns, double& queue_ns);
    double after_refresh(channel& ch, double t_ns);

    dram_params p_;
    std::vector<channel> ch_;
    dram_counters c_;
};

} // namespace epvp::soc

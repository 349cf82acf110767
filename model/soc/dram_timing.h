// LPDDR-style DRAM timing as resource reservations, SystemC-free: channels with a data bus,
// banks with an open row, periodic refresh. An access is granted a start time no earlier than
// its bank and its channel's data bus are free; a row hit costs CAS latency, a miss adds
// activate, a conflict precharge and activate.
//
// Models: channel interleaving (interleave_bytes), bank/row mapping, row hits/misses/conflicts,
// tRCD, tRP, CL, tRAS (earliest precharge after an activate), tWR (earliest precharge after the
// end of a write burst: a write followed by an access to another row of its bank waits its write
// recovery), whole bursts (burst_bytes: data width x burst length; an access moves every burst it
// touches, so a shorter one holds the data bus and the bank as long as a whole burst, the
// column-to-column time), burst time from the channel's bytes per ns, an all-bank refresh of
// tRFC at every multiple of tREFI on every channel (fixed schedule, no postponement), a fixed
// front-end latency (interconnect + controller), counters.
// Refresh: the banks are idle while it runs and every row is closed by it (an all-bank refresh
// needs every bank precharged, and leaves them idle), so
// - an access that finds a refresh ran since its bank was last used finds the row closed;
// - an access whose data would not begin before the next refresh starts begins again after it,
//   as a row miss (its commands cannot straddle the refresh);
// - a refresh that falls inside an access's data transfer (a long burst) pauses it: the rest of
//   the data follows tRFC later, after the row is activated again (tRCD) and a column command
//   (CL); an access made this way counts one refresh stall per pause.
// Does not model: read/write turnaround (tWTR, tRTW), write latency (a write's data follows its
// column command after CL, as a read's), tFAW and tRRD (activate windows), bank groups, per-bank
// refresh, refresh postponement, power-down, reordering of requests in a controller queue
// (requests are served in arrival order per bank).
#pragma once

#include <cstdint>
#include <vector>

namespace epvp::soc {

struct dram_params {
    unsigned channels = 2;
    unsigned banks = 16;                  // per channel
    std::uint64_t row_bytes = 2048;       // per bank
    std::uint64_t interleave_bytes = 256; // consecutive bytes on one channel
    std::uint64_t burst_bytes = 32;       // one column access: x16 x BL16 (LPDDR5 16n prefetch)
    double bytes_per_ns = 12.8;           // per channel: LPDDR5-6400 x16
    double t_rcd_ns = 18, t_rp_ns = 18, t_cl_ns = 21.25, t_ras_ns = 42, t_wr_ns = 34;
    double t_rfc_ns = 210, t_refi_ns = 3900; // t_rfc_ns 0: no refresh
    double front_end_ns = 60;                // interconnect and controller
};

struct dram_counters {
    std::uint64_t accesses = 0, row_hits = 0, row_misses = 0, row_conflicts = 0;
    std::uint64_t refresh_stalls = 0;
    double refresh_stall_ns = 0;
};

enum class dram_dir { read, write };

class dram_timing {
public:
    // The parameters must satisfy t_rfc_ns + t_rcd_ns + t_cl_ns < t_refi_ns when t_rfc_ns > 0
    // (an access makes progress between two refreshes) and burst_bytes <= interleave_bytes;
    // std::invalid_argument otherwise.
    explicit dram_timing(const dram_params& p);
    // An access of len bytes at addr ready at t_ns (absolute); returns when its data is done.
    // queue_ns (optional): how long it waited behind other accesses and refresh for its banks
    // and data buses (0 on an idle memory between refreshes; its own pieces on one bank or
    // data bus are not a wait).
    double access(std::uint64_t addr, std::uint64_t len, double t_ns, dram_dir dir,
                  double* queue_ns = nullptr);
    const dram_counters& counters() const { return c_; }
    const dram_params& params() const { return p_; }

private:
    struct bank {
        bool open = false;
        std::uint64_t row = 0;
        double free_ns = 0;           // next command may start
        double activated_ns = 0;      // for tRAS
        double write_end_ns = -1e300; // end of the last write burst, for tWR
        double used_ns = 0; // end of its last data transfer (a refresh after it closes the row)
        std::uint64_t owner = 0; // the access that last booked it
    };
    struct channel {
        std::vector<bank> banks;
        double bus_free_ns = 0;
        std::uint64_t bus_owner = 0;
    };
    double chunk(std::uint64_t addr, std::uint64_t len, double t_ns, dram_dir dir,
                 double& queue_ns);
    bool refreshes() const { return p_.t_rfc_ns > 0; }
    // The first refresh start at or after t_ns.
    double refresh_at_or_after(double t_ns) const;
    // t_ns moved past the refresh window it falls in (counted as a stall), else t_ns.
    double after_refresh(double t_ns);
    void stall(double ns);

    dram_params p_;
    std::vector<channel> ch_;
    dram_counters c_;
};

} // namespace epvp::soc

// The cmd-stream endpoint function: serves an NVMe-like command stream (firmware/hal/
// cmd_stream_regs.h). The host posts commands into a ring in a BAR and rings a doorbell; each
// command lists scattered host pages; the firmware serves up to `concurrency` commands at once,
// moving data either by CPU copies through mem_map windows or by eDMA, then posts a completion
// into host memory and raises an MSI.
//
// With CPU copies, the pages of the commands being served are mapped through outbound windows
// as far as free windows allow; when they run out the firmware copies what it has mapped,
// unmaps it and maps the rest (a window-busy stall). The MSI window stays mapped, so one window
// fewer is left for data.
#pragma once

#include "firmware/functions/test_endpoint.h"

#include <cstdint>

namespace fw::functions {

struct cmd_stream_params {
    unsigned bar = 1;         // the BAR holding registers and the submission ring
    unsigned concurrency = 4; // commands served at once
    bool use_dma = false;     // eDMA instead of CPU copies
    unsigned max_pages = 8;   // pages per command the function accepts
    std::uint64_t poll_ns = 500;
    std::uint64_t idle_timeout_ns = 1'000'000'000; // gives up when nothing arrives this long
    std::uint64_t dma_timeout_ns = 1'000'000'000;
};

struct cmd_stream_stats {
    std::uint64_t commands = 0, bytes = 0, errors = 0;
    std::uint64_t maps = 0;               // mem_map calls that succeeded
    std::uint64_t window_busy_stalls = 0; // rounds cut short for lack of a free window
    std::uint64_t msis = 0, polls = 0;
};

// Serves until the host sets CTRL.STOP (or the idle timeout). Returns 0 or a negative errno.
int serve_cmd_stream(endpoint_services& s, const cmd_stream_params& p, cmd_stream_stats& st);

} // namespace fw::functions

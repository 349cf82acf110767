// Host driver for the cmd-stream function (firmware/hal/cmd_stream_regs.h): posts commands
// into the submission ring in the device's BAR, rings the doorbell, and reaps completions from
// its completion ring in host memory. Each command lists scattered 4 KiB-class host pages.
// Measures commands/s, bytes/s and per-command latency (doorbell to completion seen); checks
// the data every WRITE command delivered.
#pragma once

#include "firmware/hal/hal.h"
#include "firmware/host/host_mem.h"
#include "firmware/host/pci_host.h"

#include <cstdint>
#include <vector>

namespace fw::host {

struct cmd_stream_host_params {
    unsigned bar = 1;
    unsigned commands = 256;
    unsigned queue_depth = 32;
    unsigned pages_per_command = 8;
    unsigned page_bytes = 4096;
    unsigned write_percent = 50;
    std::uint64_t timeout_ns = 1'000'000'000;
    std::uint64_t poll_ns = 200;
    std::uint64_t seed = 1;
};

struct cmd_stream_result {
    int status = 0; // 0 or a negative errno
    std::uint64_t commands = 0, bytes = 0, errors = 0, data_errors = 0;
    std::uint64_t start_ns = 0, end_ns = 0;
    std::vector<std::uint64_t> latencies_ns;
};

int run_cmd_stream_host(pci_host& host, const pci_dev& dev, host_mem& mem,
                        const cmd_stream_host_params& p, cmd_stream_result& out);

} // namespace fw::host

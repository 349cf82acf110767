// Host side of the IOVA test (workload `iova`): drives the endpoint's IOVA test function through
// BAR0 (protocol: firmware/hal/iova_test_regs.h). Waits for the function to show its status
// page, writes a distinct pattern into every buffer, rings the doorbell, checks the function's
// verdict; then probes the buffer the function unmapped (a read must fail with the Completer
// Abort the SMMU fault causes; a write of POISON must vanish), reads every other buffer back, and
// rings the doorbell again for the function's second check.
#pragma once

#include "firmware/host/pci_host.h"

#include <string>
#include <vector>

namespace fw::host {

struct iova_host_params {
    std::uint64_t seed = 0;
    std::uint64_t timeout_ns = 1'000'000'000;
    std::uint64_t poll_ns = 10'000;
};

struct iova_host_result {
    int status = 0;
    unsigned buffers = 0;
    unsigned fw_bad_first = 0, fw_bad_second = 0; // the function's verdicts
    unsigned unmapped_index = 0;
    hal::status unmapped_read = hal::status::ok; // expected: slave_error (CA completion)
    unsigned host_bad_buffers = 0;               // mismatches in the host's own read-back
    unsigned smmu_faults = 0;                    // fault records the function counted
    std::uint64_t fault_addr = 0;
    std::vector<std::string> steps;
};

int run_iova_host(pci_host& host, const pci_dev& dev, const iova_host_params& p,
                  iova_host_result& out);

// Workload `iotlb-sweep`, host side: random reads of read_bytes over a working set that grows
// through set_bytes, once through the BAR mapped with 4 KiB pages and once through the BAR
// mapped with 2 MiB blocks. One row per (mapping, working set).
struct iotlb_sweep_params {
    std::vector<std::uint64_t> set_bytes;
    unsigned reads = 2000;
    unsigned read_bytes = 8;
    int page_bar = 0, block_bar = 2;
    std::uint64_t seed = 0;
    std::uint64_t timeout_ns = 1'000'000'000;
    std::uint64_t poll_ns = 10'000;
};
struct iotlb_sweep_row {
    std::string mapping; // "4KiB-pages" or "2MiB-blocks"
    std::uint64_t set_bytes = 0;
    unsigned reads = 0, errors = 0;
    std::uint64_t elapsed_ns = 0;
    double throughput_MBps = 0, mean_latency_ns = 0;
};
int run_iotlb_sweep_host(pci_host& host, const pci_dev& dev, const iotlb_sweep_params& p,
                         std::vector<iotlb_sweep_row>& rows);

} // namespace fw::host

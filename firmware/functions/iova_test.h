// The IOVA test function (workload `iova`): explicit IOVA management through the SMMU. Runs as a
// one-shot job of the test endpoint once the host has enabled bus mastering.
//
// It reserves one IOVA range the size of BAR0, maps into it a status page, N scattered 4 KiB
// DRAM buffers and the memory controller's interrupt-generation window (the doorbell), and
// re-points BAR0's inbound (BAR-match) window at the range. Woken by the doorbell it checks every
// buffer against the host's pattern, unmaps a middle buffer (TLBI + CMD_SYNC) and, at the second
// doorbell, checks again (the unmapped buffer's physical page must still hold its pattern: the
// host's write through the unmapped IOVA must have been dropped) and counts the SMMU's fault
// records. Protocol: firmware/hal/iova_test_regs.h.
// Does not model: more than one function, re-mapping after the test, buffers larger than a page.
#pragma once

#include "firmware/functions/test_endpoint.h"

#include <functional>
#include <string>
#include <vector>

namespace fw::functions {

struct iova_test_params {
    unsigned buffers = 64;
    std::uint64_t seed = 0;
    std::uint64_t timeout_ns = 1'000'000'000;
    std::uint64_t poll_ns = 10'000;
};

struct iova_test_report {
    int status = 0;
    unsigned buffers = 0;
    std::uint64_t iova_base = 0, bar_bytes = 0;
    std::vector<std::uint64_t> buffer_phys; // physical page of buffer i (page index i + 1)
    unsigned bad_first = 0, bad_second = 0;
    unsigned unmapped_index = 0;            // page index in the BAR
    unsigned smmu_faults = 0;               // records naming the unmapped page
    std::uint64_t map_ns = 0, unmap_ns = 0; // firmware time to map everything / to unmap one
    std::vector<std::string> steps;         // what it did, for the workload's summary
    // Called with the report just before each state the host sees (READY, UNMAPPED, DONE,
    // FAILED): a firmware image that hands its report out (a mailbox) does it here, before the
    // host can finish.
    std::function<void(const iova_test_report&)> publish;
};

// BAR bytes the function needs for n buffers (status page + buffers + doorbell, power of two).
std::uint64_t iova_test_bar_bytes(unsigned buffers);

int run_iova_test(endpoint_services& s, const iova_test_params& p, iova_test_report& out);

// Workload `iotlb-sweep`, endpoint side: re-points two BARs at IOVA ranges of region_bytes that
// map the BARs' own DRAM, one with 4 KiB pages (page_bar), one with 2 MiB blocks (block_bar), and
// writes iova_test::MAGIC_VALUE at the start of each so the host knows when they are live.
struct iotlb_map_params {
    std::uint64_t region_bytes = 64ull << 20;
    int page_bar = 0, block_bar = 2;
};
struct iotlb_map_report {
    int status = 0;
    std::uint64_t page_iova = 0, block_iova = 0;
    std::uint64_t page_map_ns = 0, block_map_ns = 0; // firmware time to build each mapping
    std::vector<std::string> steps;
};
int run_iotlb_map(endpoint_services& s, const iotlb_map_params& p, iotlb_map_report& out);

} // namespace fw::functions

// The protocol of the IOVA test function (workload `iova`), shared by the endpoint firmware and
// the host software like a uapi header. BAR0 is one inbound window onto a reserved IOVA range:
//   page 0             status page (below), DRAM
//   pages 1 .. N       N scattered 4 KiB DRAM buffers
//   page N + 1         the memory controller's interrupt-generation window (the doorbell)
// The host writes a pattern into every buffer and then a DOORBELL_* value to the doorbell page;
// the endpoint firmware, woken by the interrupt, checks and reports in the status page.
#pragma once

#include <cstdint>

namespace iova_test {

constexpr std::uint64_t PAGE_BYTES = 4096;

// Status page, written by the endpoint, read by the host.
constexpr std::uint32_t MAGIC = 0x00; // MAGIC_VALUE once the BAR shows the IOVA range
constexpr std::uint32_t MAGIC_VALUE = 0x10FA7E57;
constexpr std::uint32_t STATE = 0x04;
constexpr std::uint32_t BUFFERS = 0x08;        // N
constexpr std::uint32_t DOORBELL_PAGE = 0x0C;  // page index of the doorbell (N + 1)
constexpr std::uint32_t BAD_BUFFERS = 0x10;    // buffers whose contents did not match
constexpr std::uint32_t UNMAPPED_INDEX = 0x14; // the buffer (1-based page index) unmapped
constexpr std::uint32_t SMMU_FAULTS = 0x18;    // SMMU event records the firmware drained
constexpr std::uint32_t FIRST_BAD = 0x1C;      // page index of the first bad buffer, or 0
constexpr std::uint32_t FAULT_ADDR_LO = 0x20;  // IOVA of the first translation fault
constexpr std::uint32_t FAULT_ADDR_HI = 0x24;
constexpr std::uint32_t ERROR = 0x28;        // firmware error code (negative errno), or 0
constexpr std::uint32_t IOVA_BASE_LO = 0x2C; // the reserved IOVA range (for logs)
constexpr std::uint32_t IOVA_BASE_HI = 0x30;

enum state : std::uint32_t {
    STATE_READY = 1,     // mapped; waiting for the first doorbell
    STATE_UNMAPPED = 2,  // buffers checked; UNMAPPED_INDEX unmapped; waiting for the second
    STATE_DONE = 3,      // second check done; SMMU faults counted
    STATE_FAILED = 0xEE, // ERROR says why
};

// Doorbell values (what the host writes to the doorbell page).
constexpr std::uint32_t DOORBELL_CHECK = 0xD0E1;       // buffers written: check them
constexpr std::uint32_t DOORBELL_AFTER_UNMAP = 0xD0E2; // unmapped buffer probed: recheck

// The pattern the host writes into buffer `page` (1-based) at 32-bit word `word`.
constexpr std::uint32_t pattern(std::uint64_t seed, std::uint32_t page, std::uint32_t word) {
    std::uint64_t x = seed ^ (static_cast<std::uint64_t>(page) << 32) ^ word;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return static_cast<std::uint32_t>(x);
}
// What the host writes to the unmapped buffer: must never appear in DRAM.
constexpr std::uint32_t POISON = 0x5A5AD00D;

} // namespace iova_test

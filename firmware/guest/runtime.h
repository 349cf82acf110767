// The firmware ELF's runtime: the heap, the C++ library hooks that must not pull in exceptions,
// and the way out (exit, panic). Only the cross build compiles it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw::guest {

// Writes msg (no newline needed) to the UART as an error line and stops the CPU
// (BRK #ISS_BRK_PANIC). Used by the C++ library hooks (what would have thrown) and abort().
[[noreturn]] void panic(const char* msg);

// Heap use since reset, for reports and tests.
struct heap_stats {
    std::uint64_t bytes_in_use = 0, peak_bytes = 0, allocations = 0;
};
heap_stats heap_usage();

} // namespace fw::guest

// The endpoint SoC's timer (model/soc/timer.h) as firmware sees it: a free-running 64-bit
// counter of the SoC's 1 GHz system counter (one count per nanosecond of simulated time, the
// frequency Armv8.6-A fixes for the generic timer's system counter), a 64-bit compare value and
// a level-sensitive interrupt: the line is high while CTRL.ENABLE is set and COUNT >= COMPARE
// (the Arm generic timer's CNTP condition). Accesses: 4 bytes at any register, 8 bytes at COUNT
// and COMPARE. Compliance table: model/soc/timer.md.
#pragma once

#include <cstdint>

namespace soc_timer {

constexpr std::uint32_t COUNT = 0x00;   // RO, 64-bit (COUNT + 4: the upper half)
constexpr std::uint32_t COMPARE = 0x08; // RW, 64-bit (COMPARE + 4: the upper half); reset ~0
constexpr std::uint32_t CTRL = 0x10;    // RW
constexpr std::uint32_t STATUS = 0x14;  // RO
constexpr std::uint32_t FREQ_HZ = 0x18; // RO: counts per second
constexpr std::uint32_t BLOCK_BYTES = 0x1000;

constexpr std::uint32_t CTRL_ENABLE = 1u << 0;    // the interrupt line follows the condition
constexpr std::uint32_t STATUS_ISTATUS = 1u << 0; // COUNT >= COMPARE (whatever CTRL says)
constexpr std::uint32_t COUNTS_PER_SECOND = 1'000'000'000;

} // namespace soc_timer

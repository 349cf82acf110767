// The memory controller's interrupt-generation window as firmware sees it: a small range of
// DRAM addresses that stores nothing, seen as 32-bit slots. A write there (any width, byte
// enables honoured) is one interrupt to the EP CPU per slot it writes, carrying the slot's
// written bytes in their little-endian lanes (unwritten bytes zero): it enters a FIFO and raises
// the window's interrupt line. Reads (per slot):
#pragma once

#include <cstdint>

namespace irq_window {

constexpr std::uint32_t POP = 0x0;         // the oldest value, removed (0 when empty)
constexpr std::uint32_t COUNT = 0x4;       // values waiting
constexpr std::uint32_t OVERFLOW = 0x8;    // values lost to a full FIFO since reset
constexpr std::uint32_t LAST_OFFSET = 0xC; // window offset the last popped value was written at

} // namespace irq_window

// The endpoint CPU's view of its interrupt controller (model/soc/intc_view.h): the SoC's
// level-sensitive lines (hal::ep_irq_line) and a mask. The CPU's IRQ input is high while
// PENDING is not zero. A line is acknowledged at its source (the block that raised it keeps it
// high until serviced); ACK names the lowest pending line without changing any state. Accesses:
// 4 bytes. Compliance table: model/soc/intc_view.md.
#pragma once

#include <cstdint>

namespace intc {

constexpr std::uint32_t RAW = 0x00;     // RO: bit n = line n is high
constexpr std::uint32_t MASK = 0x04;    // RW: bit n = line n does not interrupt; reset all ones
constexpr std::uint32_t PENDING = 0x08; // RO: RAW & ~MASK
constexpr std::uint32_t ACK = 0x0C;     // RO: the lowest pending line, ACK_NONE when none
constexpr std::uint32_t BLOCK_BYTES = 0x1000;

constexpr std::uint32_t ACK_NONE = 0xFFFFFFFF;

} // namespace intc

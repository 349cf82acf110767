// The endpoint SoC's console UART (model/soc/uart.h) as firmware sees it: transmit only. Each
// byte written to TX is appended to the current line; '\n' ends it and the platform prints it as
// a firmware log line (category "fw") at the level LEVEL held when the line began. A line
// longer than LINE_BYTES is printed in pieces. No FIFO, no baud rate: a write completes at once.
// Accesses: 1 or 4 bytes (the low byte of a 4-byte write to TX is the character). Compliance
// table: model/soc/uart.md.
#pragma once

#include <cstdint>

namespace uart {

constexpr std::uint32_t TX = 0x00;     // WO: a character (bits 7:0)
constexpr std::uint32_t LEVEL = 0x04;  // RW: the level of the next line (LEVEL_*); reset INFO
constexpr std::uint32_t STATUS = 0x08; // RO
constexpr std::uint32_t BLOCK_BYTES = 0x1000;

constexpr std::uint32_t LEVEL_DEBUG = 0, LEVEL_INFO = 1, LEVEL_WARNING = 2, LEVEL_ERROR = 3;
constexpr std::uint32_t STATUS_TX_READY = 1u << 0; // always set: TX never waits
constexpr std::uint32_t LINE_BYTES = 1024;

} // namespace uart

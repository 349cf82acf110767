// The endpoint CPU's bus interface status when it runs the firmware as a binary (cpu.kind = iss;
// testbench/iss_cpu.h): a load or store that the interconnect answers with an error completes
// (a load returns all ones) and the response is kept here, the first one since the register was
// last read. The guest HAL reads it after each access it makes to turn it into a hal::status.
// Accesses: 4 bytes.
#pragma once

#include <cstdint>

namespace cpu_regs {

constexpr std::uint32_t BUS_STATUS = 0x00; // RO, read clears: BUS_* of the first failed access
constexpr std::uint32_t BLOCK_BYTES = 0x1000;

constexpr std::uint32_t BUS_OK = 0, BUS_SLVERR = 1, BUS_DECERR = 2;

} // namespace cpu_regs

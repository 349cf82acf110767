// The host's MSI controller as host software sees it (an x86 local-APIC-like doorbell plus a
// FIFO): an endpoint's memory write of 32-bit data to the doorbell page is one interrupt
// message; INTx Assert/Deassert messages set and clear the INTx wires. Registers at
// host_board.msi_regs, all 32-bit, read-only:
#pragma once

#include <cstdint>

namespace host_irq {

constexpr std::uint32_t MSI_COUNT = 0x00;       // messages waiting in the FIFO
constexpr std::uint32_t MSI_POP_DATA = 0x04;    // reading pops the oldest message: its data
constexpr std::uint32_t MSI_POP_ADDR_LO = 0x08; // address of the message last popped
constexpr std::uint32_t MSI_POP_ADDR_HI = 0x0C;
constexpr std::uint32_t MSI_POP_SOURCE = 0x10; // requester ID of the message last popped
constexpr std::uint32_t MSI_TOTAL = 0x14;      // messages received since reset
constexpr std::uint32_t MSI_DROPPED = 0x18;    // messages lost to a full FIFO
constexpr std::uint32_t INTX_STATE = 0x1C;     // bit n = INT(A+n) asserted
constexpr std::uint32_t INTX_ASSERTS = 0x20;   // Assert_INTx messages received
constexpr std::uint32_t FIFO_DEPTH = 4096;

} // namespace host_irq

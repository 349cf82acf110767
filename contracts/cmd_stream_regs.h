// The command-stream protocol between the host and the endpoint's cmd-stream function (an
// NVMe-like device, much simplified): registers and a submission ring in a BAR, completions
// in host memory, one MSI per completion. Shared by both sides like a uapi header.
#pragma once

#include <cstdint>

namespace cmd_stream {

// Registers at the start of the command BAR.
constexpr std::uint32_t REG_CTRL = 0x00; // host: bit0 ENABLE, bit1 STOP
constexpr std::uint32_t CTRL_ENABLE = 1u << 0;
constexpr std::uint32_t CTRL_STOP = 1u << 1;
constexpr std::uint32_t REG_STATUS = 0x04; // device: bit0 READY, bit1 STOPPED
constexpr std::uint32_t STATUS_READY = 1u << 0;
constexpr std::uint32_t STATUS_STOPPED = 1u << 1;
constexpr std::uint32_t REG_SQ_TAIL = 0x08;    // host: doorbell, next free submission slot
constexpr std::uint32_t REG_SQ_ENTRIES = 0x0C; // host: ring size (entries)
constexpr std::uint32_t REG_CQ_ADDR_LO = 0x10; // host: completion ring in host memory
constexpr std::uint32_t REG_CQ_ADDR_HI = 0x14;
constexpr std::uint32_t REG_MAX_PAGES = 0x18; // device: pages per command it accepts
constexpr std::uint32_t REG_DONE = 0x1C;      // device: commands completed
constexpr std::uint32_t SQ_OFFSET = 0x100;    // submission ring in the BAR

// Submission entry: header then page addresses (PRP-like, one page each).
constexpr std::uint32_t SQE_OPCODE = 0x00;     // u16
constexpr std::uint32_t SQE_CID = 0x02;        // u16
constexpr std::uint32_t SQE_PAGES = 0x04;      // u32
constexpr std::uint32_t SQE_PAGE_BYTES = 0x08; // u32
constexpr std::uint32_t SQE_PRP = 0x10;        // u64 x pages
constexpr std::uint32_t sqe_bytes(unsigned max_pages) {
    return SQE_PRP + 8 * max_pages;
}
constexpr std::uint16_t OP_READ = 1;  // the device reads the host pages (host -> device)
constexpr std::uint16_t OP_WRITE = 2; // the device writes the host pages (device -> host)

// Completion entry in host memory (16 bytes).
constexpr std::uint32_t CQE_CID = 0x00;    // u16
constexpr std::uint32_t CQE_STATUS = 0x02; // u16: 0 success
constexpr std::uint32_t CQE_SEQ = 0x04;    // u32: completion number + 1 (0 = empty slot)
constexpr std::uint32_t CQE_BYTES = 16;
constexpr std::uint16_t CQE_STATUS_OK = 0;
constexpr std::uint16_t CQE_STATUS_MAP_ERROR = 1;
constexpr std::uint16_t CQE_STATUS_BUS_ERROR = 2;
constexpr std::uint16_t CQE_STATUS_BAD_COMMAND = 3;

// The data a WRITE command leaves in every byte of its pages.
constexpr std::uint8_t write_pattern(std::uint16_t cid) {
    return static_cast<std::uint8_t>(0x5A ^ cid);
}

} // namespace cmd_stream

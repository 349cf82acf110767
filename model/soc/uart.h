// The endpoint SoC's console UART: the firmware's log when it runs as a binary (cpu.kind = iss).
// Register layout: contracts/uart_regs.h; compliance: uart.md.
//
// Models: a transmit register whose characters form lines; '\n' (or LINE_BYTES characters)
// ends a line, which goes to the sink with the level LEVEL held when the line's first
// character arrived (the platform prints it as a firmware log line), stamped with the time of
// the write that ended it (its own time, ahead of the kernel's under temporal decoupling). A
// write completes at once. Accesses of 1 or 4 bytes at a register; other sizes and byte enables get
// an error response; offsets without a register read 0 and ignore writes. Does not model: a
// receiver, baud rate or character time, FIFOs, interrupts, modem lines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::soc {

class uart : public sc_core::sc_module {
public:
    // level: uart::LEVEL_* (hal/uart_regs.h); line without its '\n'; at: when it ended.
    using sink = std::function<void(std::uint32_t level, const std::string& line,
                                    const sc_core::sc_time& at)>;

    tlm_utils::simple_target_socket<uart> regs;

    uart(sc_core::sc_module_name name, sink out);

    std::uint64_t lines() const { return lines_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void put(char c, const sc_core::sc_time& at);
    void flush(const sc_core::sc_time& at);
    sink out_;
    std::string line_;
    std::uint32_t level_, line_level_;
    std::uint64_t lines_ = 0;
    bool split_ = false; // the last byte filled LINE_BYTES and printed them as a piece
};

} // namespace epvp::soc

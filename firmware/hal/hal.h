// The hardware abstraction layer that all firmware (endpoint and host side) is written against.
//
// Models: what a bare-metal CPU gives its software: memory-mapped loads and stores of 1, 2, 4
// and 8 bytes (and bulk copies) that complete with a bus status, interrupt lines with handlers,
// a delay, a clock to read, and a way to charge the compute time a piece of code would take.
// Does not model: caches, barriers or memory ordering beyond program order (every access is
// complete when the call returns), or privilege levels. A silicon backend implements the same
// class with volatile pointers; the simulation backend lives in testbench/ and is the only place
// where firmware meets the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace hal {

// Outcome of one bus access, as the CPU's bus interface reports it.
enum class status : std::uint8_t {
    ok = 0,
    slave_error,  // AXI SLVERR: the target answered with an error (e.g. a PCIe UR/CA completion)
    decode_error, // AXI DECERR: no target at that address
    timeout,      // the access or the wait did not complete in time
};
const char* to_string(status s);

enum class log_level : std::uint8_t { debug, info, warning, error };

// Interrupt handler: called in the firmware's own context from wait_for_interrupt().
using irq_handler = std::function<void(unsigned line)>;

class platform {
public:
    virtual ~platform() = default;

    // Bulk access of len bytes at addr; the backend splits it into bus-legal beats.
    virtual status read(std::uint64_t addr, void* data, std::size_t len) = 0;
    virtual status write(std::uint64_t addr, const void* data, std::size_t len) = 0;

    // Simulated time.
    virtual std::uint64_t now_ns() = 0;
    virtual void delay_ns(std::uint64_t ns) = 0;
    // Compute cost of code that does not touch the bus (e.g. CRC, memcpy in local RAM).
    virtual void charge_cycles(std::uint64_t cycles) = 0;
    // Compute cost of a byte-proportional operation, at the CPU's rate for that kind.
    enum class work { copy, crc };
    virtual void charge(work kind, std::uint64_t bytes) = 0;
    virtual std::uint64_t cpu_clock_hz() const = 0;

    // Interrupts: a handler per line. wait_for_interrupt() returns true after running the
    // handlers of every line that was pending, false when timeout_ns passed with none.
    virtual void set_irq_handler(unsigned line, irq_handler handler) = 0;
    virtual bool wait_for_interrupt(std::uint64_t timeout_ns) = 0;

    // Firmware log (the equivalent of a UART console).
    virtual void log(log_level level, const std::string& category, const std::string& msg) = 0;

    // Typed register accessors; little-endian like the buses they model.
    status read8(std::uint64_t a, std::uint8_t& v) { return read(a, &v, 1); }
    status read16(std::uint64_t a, std::uint16_t& v) { return read(a, &v, 2); }
    status read32(std::uint64_t a, std::uint32_t& v) { return read(a, &v, 4); }
    status read64(std::uint64_t a, std::uint64_t& v) { return read(a, &v, 8); }
    status write8(std::uint64_t a, std::uint8_t v) { return write(a, &v, 1); }
    status write16(std::uint64_t a, std::uint16_t v) { return write(a, &v, 2); }
    status write32(std::uint64_t a, std::uint32_t v) { return write(a, &v, 4); }
    status write64(std::uint64_t a, std::uint64_t v) { return write(a, &v, 8); }

    // Register helpers for code that treats a failed register access as "reads all-ones".
    std::uint32_t rd32(std::uint64_t a) {
        std::uint32_t v = 0;
        return read32(a, v) == status::ok ? v : 0xFFFFFFFFu;
    }
    void wr32(std::uint64_t a, std::uint32_t v) { (void)write32(a, v); }
    void rmw32(std::uint64_t a, std::uint32_t clear, std::uint32_t set) {
        wr32(a, (rd32(a) & ~clear) | set);
    }
};

} // namespace hal

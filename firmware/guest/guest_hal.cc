#include "firmware/guest/guest_hal.h"

#include "contracts/cpu_regs.h"
#include "contracts/intc_regs.h"
#include "contracts/timer_regs.h"
#include "contracts/uart_regs.h"
#include "firmware/hal/iss_map.h"

#include <cstring>

namespace fw::guest {

namespace {

static_assert(soc_timer::COUNTS_PER_SECOND == 1'000'000'000, "the timer counts nanoseconds");
constexpr std::uint32_t all_lines = 0xFFFFFFFF;
constexpr std::uint32_t timer_line = 1u << hal::irq_timer;

template <typename T>
volatile T* reg(std::uint64_t base, std::uint32_t offset) {
    return reinterpret_cast<volatile T*>(static_cast<std::uintptr_t>(base + offset));
}
std::uint32_t reg_rd32(std::uint64_t base, std::uint32_t offset) {
    return *reg<std::uint32_t>(base, offset);
}
void reg_wr32(std::uint64_t base, std::uint32_t offset, std::uint32_t v) {
    *reg<std::uint32_t>(base, offset) = v;
}

// One load or store of `beat` bytes (1, 2, 4 or 8) at a naturally aligned address.
void load(std::uint64_t addr, unsigned char* data, unsigned beat) {
    switch (beat) {
    case 8: {
        const std::uint64_t v = *reg<std::uint64_t>(addr, 0);
        std::memcpy(data, &v, 8);
        break;
    }
    case 4: {
        const std::uint32_t v = *reg<std::uint32_t>(addr, 0);
        std::memcpy(data, &v, 4);
        break;
    }
    case 2: {
        const std::uint16_t v = *reg<std::uint16_t>(addr, 0);
        std::memcpy(data, &v, 2);
        break;
    }
    default:
        *data = *reg<std::uint8_t>(addr, 0);
    }
}
void store(std::uint64_t addr, const unsigned char* data, unsigned beat) {
    switch (beat) {
    case 8: {
        std::uint64_t v;
        std::memcpy(&v, data, 8);
        *reg<std::uint64_t>(addr, 0) = v;
        break;
    }
    case 4: {
        std::uint32_t v;
        std::memcpy(&v, data, 4);
        *reg<std::uint32_t>(addr, 0) = v;
        break;
    }
    case 2: {
        std::uint16_t v;
        std::memcpy(&v, data, 2);
        *reg<std::uint16_t>(addr, 0) = v;
        break;
    }
    default:
        *reg<std::uint8_t>(addr, 0) = *data;
    }
}

// The largest naturally aligned beat of at most 8 bytes that fits.
unsigned beat_at(std::uint64_t addr, std::size_t len) {
    unsigned beat = 8;
    while (beat > 1 && ((addr % beat) != 0 || beat > len))
        beat >>= 1;
    return beat;
}

// The first failed access's response since the last call (the register clears on read).
hal::status bus_status() {
    switch (reg_rd32(ISS_CPU_BASE, cpu_regs::BUS_STATUS)) {
    case cpu_regs::BUS_OK:
        return hal::status::ok;
    case cpu_regs::BUS_DECERR:
        return hal::status::decode_error;
    default:
        return hal::status::slave_error;
    }
}

} // namespace

guest_platform::guest_platform(std::uint64_t cpu_clock_hz)
    : clock_hz_(cpu_clock_hz) {
    reg_wr32(ISS_INTC_BASE, intc::MASK, all_lines);
    reg_wr32(ISS_TIMER_BASE, soc_timer::CTRL, 0);
}

hal::status guest_platform::read(std::uint64_t addr, void* data, std::size_t len) {
    auto* p = static_cast<unsigned char*>(data);
    while (len > 0) {
        const unsigned beat = beat_at(addr, len);
        load(addr, p, beat);
        addr += beat;
        p += beat;
        len -= beat;
    }
    return bus_status();
}

hal::status guest_platform::write(std::uint64_t addr, const void* data, std::size_t len) {
    const auto* p = static_cast<const unsigned char*>(data);
    while (len > 0) {
        const unsigned beat = beat_at(addr, len);
        store(addr, p, beat);
        addr += beat;
        p += beat;
        len -= beat;
    }
    return bus_status();
}

std::uint64_t guest_platform::now_ns() {
    return *reg<std::uint64_t>(ISS_TIMER_BASE, soc_timer::COUNT);
}

std::uint32_t guest_platform::sleep_until(std::uint32_t lines, std::uint64_t deadline_ns) {
    *reg<std::uint64_t>(ISS_TIMER_BASE, soc_timer::COMPARE) = deadline_ns;
    reg_wr32(ISS_TIMER_BASE, soc_timer::CTRL, soc_timer::CTRL_ENABLE);
    reg_wr32(ISS_INTC_BASE, intc::MASK, ~(lines | timer_line));
    std::uint32_t got = 0;
    for (;;) {
        got = guest_take_irq_lines();
        if (got & (lines | timer_line)) break;
        // WFI with IRQs masked still wakes on a pending interrupt; the IRQ is then taken in the
        // window below, so none is lost between the check and the WFI.
        asm volatile("wfi" ::: "memory");
        asm volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
    }
    reg_wr32(ISS_TIMER_BASE, soc_timer::CTRL, 0);
    reg_wr32(ISS_INTC_BASE, intc::MASK, all_lines);
    return got;
}

void guest_platform::delay_ns(std::uint64_t ns) {
    sleep_until(0, now_ns() + ns);
}

void guest_platform::set_irq_handler(unsigned line, hal::irq_handler handler) {
    if (line >= handlers_.size()) return;
    handlers_[line] = std::move(handler);
    if (handlers_[line])
        handled_ |= 1u << line;
    else
        handled_ &= ~(1u << line);
}

bool guest_platform::wait_for_interrupt(std::uint64_t timeout_ns) {
    auto pending = [this]() { return reg_rd32(ISS_INTC_BASE, intc::RAW) & handled_; };
    std::uint32_t lines = pending();
    if (!lines) {
        sleep_until(handled_, now_ns() + timeout_ns);
        lines = pending();
    }
    if (!lines) return false;
    for (unsigned line = 0; line < handlers_.size(); ++line)
        if (lines & (1u << line)) handlers_[line](line);
    return true;
}

void guest_platform::log(hal::log_level level, const std::string& category,
                         const std::string& msg) {
    std::uint32_t uart_level = uart::LEVEL_INFO;
    switch (level) {
    case hal::log_level::debug:
        uart_level = uart::LEVEL_DEBUG;
        break;
    case hal::log_level::info:
        break;
    case hal::log_level::warning:
        uart_level = uart::LEVEL_WARNING;
        break;
    case hal::log_level::error:
        uart_level = uart::LEVEL_ERROR;
        break;
    }
    reg_wr32(ISS_UART_BASE, uart::LEVEL, uart_level);
    auto put = [](const std::string& s) {
        for (const char c : s)
            *reg<std::uint8_t>(ISS_UART_BASE, uart::TX) = static_cast<std::uint8_t>(c);
    };
    put(category);
    put(": ");
    put(msg);
    *reg<std::uint8_t>(ISS_UART_BASE, uart::TX) = '\n';
}

} // namespace fw::guest

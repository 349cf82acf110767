// The guest backend of firmware/hal: the firmware ELF reaches the hardware through it.
//
// Models nothing; it is the silicon-style implementation of hal::platform: memory-mapped loads
// and stores by volatile pointers (bulk accesses split into naturally aligned beats of up to 8
// bytes), the status of failed accesses from the CPU's bus status register (hal/cpu_regs.h),
// time from the SoC timer's counter (hal/timer_regs.h), delays and waits by WFI with the timer's
// compare interrupt, interrupts through the AArch64 IRQ exception and the interrupt controller's
// mask (hal/intc_regs.h), the log through the UART (hal/uart_regs.h). charge* are no-ops: the
// instructions take their own time.
//
// Interrupt handling keeps the HAL's contract (handlers run in the firmware's context inside
// wait_for_interrupt): the IRQ exception only masks the lines it finds pending and records
// them, which ends the WFI; wait_for_interrupt then runs the handlers of the lines that are
// pending, in line order, as the native backend does. IRQs are unmasked (PSTATE.I) only
// between a WFI and the check that follows it.
#pragma once

#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <array>
#include <cstdint>

namespace fw::guest {

class guest_platform final : public hal::platform {
public:
    explicit guest_platform(std::uint64_t cpu_clock_hz);

    hal::status read(std::uint64_t addr, void* data, std::size_t len) override;
    hal::status write(std::uint64_t addr, const void* data, std::size_t len) override;
    std::uint64_t now_ns() override;
    void delay_ns(std::uint64_t ns) override;
    void charge_cycles(std::uint64_t) override {}
    void charge(work, std::uint64_t) override {}
    std::uint64_t cpu_clock_hz() const override { return clock_hz_; }
    void set_irq_handler(unsigned line, hal::irq_handler handler) override;
    bool wait_for_interrupt(std::uint64_t timeout_ns) override;
    void log(hal::log_level level, const std::string& category, const std::string& msg) override;

private:
    // Sleeps (WFI) until a line of `lines` interrupts or the timer reaches deadline_ns; returns
    // the lines the IRQ exception recorded.
    std::uint32_t sleep_until(std::uint32_t lines, std::uint64_t deadline_ns);
    std::uint64_t clock_hz_;
    std::array<hal::irq_handler, hal::ep_irq_lines> handlers_{};
    std::uint32_t handled_ = 0; // lines with a handler
};

} // namespace fw::guest

// Called by the IRQ vector (start.S); built without FP/SIMD registers (irq_entry.cc).
extern "C" void guest_irq();
// The lines guest_irq recorded and masked since the last call, cleared.
extern "C" std::uint32_t guest_take_irq_lines();

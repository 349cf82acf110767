// The C half of the IRQ exception (start.S saves the general registers only: this file is built
// with -mgeneral-regs-only). It masks the pending lines at the interrupt controller, so that
// ERET does not take them again while their sources still hold them high, and records them for
// wait_for_interrupt (guest_hal.cc), which services and unmasks them.
#include "contracts/intc_regs.h"
#include "firmware/hal/iss_map.h"

#include <cstdint>

namespace {
volatile std::uint32_t recorded_lines = 0;
volatile std::uint32_t* intc_reg(std::uint32_t offset) {
    return reinterpret_cast<volatile std::uint32_t*>(std::uintptr_t{ISS_INTC_BASE} + offset);
}
} // namespace

extern "C" void guest_irq() {
    const std::uint32_t pending = *intc_reg(intc::PENDING);
    *intc_reg(intc::MASK) = *intc_reg(intc::MASK) | pending;
    recorded_lines = recorded_lines | pending;
}

extern "C" std::uint32_t guest_take_irq_lines() {
    // Called with IRQs masked (PSTATE.I): guest_irq cannot run in between.
    const std::uint32_t lines = recorded_lines;
    recorded_lines = 0;
    return lines;
}

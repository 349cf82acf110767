// The endpoint CPU as an instruction-set simulator (cpu.kind = iss): the firmware ELF
// (firmware/guest) runs on a Unicorn AArch64 core wrapped as a SystemC/TLM initiator.
//
// Models: an AArch64 core at EL1h with the MMU and caches off; 16 MiB of SRAM private to the
// CPU (code, data, heap, stacks; hal/iss_map.h) loaded from the ELF's PT_LOAD segments, the boot
// parameter block (guest/boot_params.h) at its start; every other address is a bus access: the
// CPU's own blocks (timer, UART, interrupt-controller view, bus status; hal/iss_map.h) and the
// SoC's interconnect (DRAM, DBI, glue, SMMU, aperture) through TLM b_transport at the core's
// local time, a failed access completing with all ones and its response kept in the bus
// status register (hal/cpu_regs.h). Time: each executed instruction takes cpu.iss_cpi cycles of
// cpu.clock_mhz, counted per translation block, so an access is stamped at the end of its block;
// temporal decoupling with the platform quantum (the core runs until its local time reaches the
// quantum, then synchronises). Interrupts: the interrupt-controller view's PENDING != 0 is the
// IRQ input; it is taken through AArch64 exception entry (SPSR_EL1, ELR_EL1, PSTATE EL1h with
// DAIF set, VBAR_EL1 + 0x280) when PSTATE.I is clear, before the next translation block after:
// a bus access that found it pending, the firmware clearing PSTATE.I (MSR DAIFClr and ERET end a
// block), or the end of a quantum. Bound: an interrupt raised while PSTATE.I is clear and the
// firmware computes without touching the bus waits at most one quantum (sim.quantum_ns). The
// guest HAL keeps PSTATE.I set except right after its WFI, where the first block takes the
// interrupt, so its results do not depend on the quantum (pcitest: identical reports at 1 and
// 10 us). WFI ends the quantum: the core synchronises and waits for PENDING != 0 (WFI wakes
// even with PSTATE.I set).
// The ELF ends with BRK #ISS_BRK_EXIT (status in x0) or BRK #ISS_BRK_PANIC (after its message).
// Does not model: caches, the MMU, pipelines, exception levels other than EL1, FIQ/SError,
// synchronous aborts for bus errors, alignment faults (with the MMU off every data access is to
// Device memory, where an unaligned one faults; the emulator performs it), per-instruction timing.
// Debugging (attach): a single step executes one instruction (a code hook for the step, its block
// translated again) or takes a pending interrupt (the CPU halts at the vector).
#pragma once

#include "firmware/guest/boot_params.h"
#include "model/soc/intc_view.h"
#include "model/soc/irq_controller.h"
#include "model/soc/soc_attr.h"
#include "model/soc/timer.h"
#include "model/soc/uart.h"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

struct uc_struct;

namespace epvp::tb {

struct iss_params {
    std::uint64_t clock_hz = 1'000'000'000;
    std::uint64_t cycles_per_instruction = 1;
    std::string elf; // the firmware ELF
    soc::master id = soc::master::ep_cpu;
};

class iss_cpu : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<iss_cpu> bus; // to the SoC's interconnect

    // line: one UART line ("category: message"), level uart::LEVEL_*, at: when it was written.
    using log_sink = std::function<void(std::uint32_t level, const std::string& line,
                                        const sc_core::sc_time& at)>;

    // The ELF cannot be run: unreadable, not an AArch64 ELF64, or outside the CPU's SRAM.
    struct elf_error : std::runtime_error {
        using std::runtime_error::runtime_error;
    };

    SC_HAS_PROCESS(iss_cpu);
    // Loads p.elf (elf_error).
    iss_cpu(sc_core::sc_module_name name, const iss_params& p, const soc::irq_controller& irqs,
            log_sink log);
    ~iss_cpu() override;

    // The firmware image to run and its parameters; without a call the CPU stays in reset.
    void boot(const fw::guest::boot_params& params);
    bool booted() const { return booted_; }
    // The CPU's SRAM at `offset` (inside ISS_BOOT_PARAMS_BYTES, beside the boot parameters):
    // a workload's arguments written before the run, the firmware's results read after it.
    // False when the range is not inside that block.
    bool write_boot_block(std::uint64_t offset, const void* data, std::size_t bytes);
    bool read_boot_block(std::uint64_t offset, void* data, std::size_t bytes) const;
    bool finished() const { return finished_; }
    // The firmware panicked or the CPU stopped on an error (the run was stopped): one line
    // saying why, with the panic message the firmware wrote to the UART; "" otherwise.
    const std::string& failure() const { return failure_; }
    std::uint64_t instructions() const { return instructions_; }
    std::uint64_t accesses() const { return accesses_; }
    // The timer's interrupt line (hal::irq_timer of the SoC's interrupt controller).
    sc_core::sc_signal<bool>& timer_line() { return timer_line_; }

    // Debug hooks (the GDB server binds them: iss_gdb.h). With a debugger attached the core halts
    // before its first instruction, on a debugger breakpoint (a BRK patched into SRAM), after a
    // single step and when interrupt_requested() says so (polled at quantum ends and, in WFI,
    // every quantum of simulated time). While halted the SystemC thread blocks in halted(): no
    // other process runs, so simulated time and the whole platform stand still.
    // panic: the firmware's BRK #ISS_BRK_PANIC; exception: a CPU exception the runtime does not
    // handle (an undefined instruction, ...). Both halt under a debugger before the run ends.
    enum class debug_stop { reset, breakpoint, step, interrupt, panic, exception };
    struct debugger {
        virtual ~debugger() = default;
        virtual bool halted(iss_cpu& cpu, debug_stop why) = 0; // true: execute one instruction
        virtual bool interrupt_requested() = 0;
    };
    void attach(debugger* d) { debugger_ = d; }
    // While halted. Registers in GDB's AArch64 numbering (x0-x30, sp, pc, cpsr); memory is the
    // SRAM only (false elsewhere), debugger breakpoints shown as the original instructions.
    std::uint64_t debug_register(unsigned regno) const;
    void debug_set_register(unsigned regno, std::uint64_t value);
    bool debug_access(bool write, std::uint64_t addr, std::size_t n, std::uint8_t* data);
    bool debug_breakpoint(std::uint64_t addr, bool insert);

private:
    friend struct iss_hooks;
    void thread();
    void load_elf();
    void run();
    void enter_irq();
    bool irq_wanted();
    std::uint64_t bus_access(bool write, std::uint64_t addr, unsigned size, std::uint64_t value);
    std::uint64_t pc() const;

    iss_params p_;
    soc::timer timer_;
    soc::uart console_;
    soc::intc_view intc_;
    tlm_utils::simple_initiator_socket<iss_cpu> timer_port_, uart_port_, intc_port_;
    sc_core::sc_signal<bool> timer_line_;
    tlm_utils::tlm_quantumkeeper qk_;
    sc_core::sc_time insn_time_;
    std::vector<unsigned char> sram_;
    fw::guest::boot_params boot_{};
    bool booted_ = false, finished_ = false;
    uc_struct* uc_ = nullptr;
    std::uint64_t entry_ = 0;
    // Run-loop state shared with the hooks.
    enum class stop { none, sync, irq, brk, error, stepped };
    stop stop_ = stop::none;
    // A debugger's single step: a code hook (added for the step only, the block the step starts
    // in translated again so that it calls it) counts the one instruction and stops before the
    // next one in that block; the block hook counts nothing and stops before any next block.
    bool stepping_ = false, step_done_ = false;
    std::size_t step_hook_ = 0; // Unicorn's uc_hook
    std::uint64_t step_from_ = 0;
    void begin_step();
    void end_step();
    std::uint64_t resume_pc_ = 0;
    bool irq_check_ = false;   // stop before the next block and take the interrupt
    bool irq_waiting_ = false; // an interrupt is pending while PSTATE.I is set
    std::uint32_t bus_status_ = 0;
    std::exception_ptr error_;
    bool cpu_exception_ = false; // error_ is a CPU exception (a debugger halts on it)
    std::uint64_t instructions_ = 0, accesses_ = 0;
    std::uint32_t brk_imm_ = 0;
    std::string failure_, last_error_line_;
    // Debug hooks.
    bool debug_halt(debug_stop why);
    void debug_wfi_wait(bool& step); // step: what the debugger asked if it halted the CPU
    debugger* debugger_ = nullptr;
    std::map<std::uint64_t, std::uint32_t> debug_breakpoints_; // address -> original instruction
};

} // namespace epvp::tb

#include "testbench/iss_cpu.h"

#include "contracts/cpu_regs.h"
#include "contracts/uart_regs.h"
#include "firmware/hal/iss_map.h"
#include "model/core/log.h"
#include "model/core/payload_pool.h"

#include <unicorn/unicorn.h>

#include <cstdio>
#include <cstring>
#include <elf.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace epvp::tb {

using sc_core::sc_time;

namespace {
constexpr std::uint64_t sram_end = std::uint64_t{ISS_SRAM_BASE} + ISS_SRAM_BYTES;
// A firmware ELF with its debug information stays far below this; a larger file is not one.
constexpr std::uintmax_t max_elf_bytes = std::uintmax_t{256} << 20;
constexpr std::uint64_t pa_end = std::uint64_t{1} << 40; // Cortex-A53: 40-bit physical addresses
constexpr std::uint32_t wfi_opcode = 0xD503207F;
constexpr std::uint32_t brk_mask = 0xFFE0001F, brk_opcode = 0xD4200000;
constexpr std::uint64_t pstate_i = 1u << 7;
constexpr std::uint64_t pstate_el1h_daif = 0x3C5; // M = EL1h (0b0101), D, A, I, F set
constexpr std::uint64_t pstate_nzcv = 0xF0000000;
constexpr std::uint64_t irq_vector_offset = 0x280; // current EL with SP_ELx, IRQ
constexpr std::size_t thread_stack_bytes = 16u << 20;
// Unicorn's exception numbers (QEMU target/arm: EXCP_BKPT).
constexpr std::uint32_t excp_bkpt = 7;

void check(uc_err e, const char* what) {
    if (e != UC_ERR_OK) throw std::runtime_error(std::string(what) + ": " + uc_strerror(e));
}
} // namespace

// Unicorn's callbacks, with the module as user data. None may let an exception through
// Unicorn: errors are kept and rethrown after uc_emu_start returns.
struct iss_hooks {
    static void block(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* user) {
        auto* c = static_cast<iss_cpu*>(user);
        // An interrupt is pending while PSTATE.I is set: the first block after the firmware
        // unmasks it (an MSR DAIFClr or an ERET ends a translation block) takes it.
        if (c->irq_waiting_) {
            if (c->intc_.pending() == 0)
                c->irq_waiting_ = false;
            else if (c->irq_wanted())
                c->irq_check_ = true;
        }
        if (c->qk_.need_sync() || c->irq_check_ || c->error_) {
            // The block does not execute (it is not counted): the next run starts at it.
            c->stop_ = c->error_       ? iss_cpu::stop::error
                       : c->irq_check_ ? iss_cpu::stop::irq
                                       : iss_cpu::stop::sync;
            c->resume_pc_ = address;
            uc_emu_stop(uc);
            return;
        }
        if (c->stepping_) {
            // A single step: the step's code hook counts the one instruction; the next block
            // does not run.
            if (c->step_done_) {
                c->stop_ = iss_cpu::stop::stepped;
                c->resume_pc_ = address;
                uc_emu_stop(uc);
            }
            return;
        }
        const std::uint64_t n = size / 4;
        c->instructions_ += n;
        c->qk_.inc(c->insn_time_ * static_cast<double>(n));
    }
    // Installed for a debugger's single step only: lets one instruction execute, then stops
    // before the next one of its block (the block hook stops before a next block).
    static void code(uc_engine* uc, std::uint64_t address, std::uint32_t, void* user) {
        auto* c = static_cast<iss_cpu*>(user);
        if (c->step_done_) {
            c->stop_ = iss_cpu::stop::stepped;
            c->resume_pc_ = address;
            uc_emu_stop(uc);
            return;
        }
        c->step_done_ = true;
        ++c->instructions_;
        c->qk_.inc(c->insn_time_);
    }
    static std::uint64_t read(uc_engine*, std::uint64_t offset, unsigned size, void* user) {
        auto* r = static_cast<std::pair<iss_cpu*, std::uint64_t>*>(user);
        return r->first->bus_access(false, r->second + offset, size, 0);
    }
    static void write(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                      void* user) {
        auto* r = static_cast<std::pair<iss_cpu*, std::uint64_t>*>(user);
        r->first->bus_access(true, r->second + offset, size, value);
    }
    static void intr(uc_engine* uc, std::uint32_t intno, void* user) {
        auto* c = static_cast<iss_cpu*>(user);
        const std::uint64_t pc = c->pc();
        std::uint32_t insn = 0;
        if (pc >= ISS_SRAM_BASE && pc + 4 <= sram_end)
            std::memcpy(&insn, &c->sram_[pc - ISS_SRAM_BASE], 4);
        if (intno == excp_bkpt && (insn & brk_mask) == brk_opcode) {
            c->brk_imm_ = (insn >> 5) & 0xFFFF;
            c->resume_pc_ = pc;
            c->stop_ = iss_cpu::stop::brk;
        } else {
            c->stop_ = iss_cpu::stop::error;
            c->cpu_exception_ = true;
            c->resume_pc_ = pc;
            c->error_ = std::make_exception_ptr(
                std::runtime_error("CPU exception " + std::to_string(intno) + " at PC 0x" + [pc] {
                    char b[17];
                    std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(pc));
                    return std::string(b);
                }()));
        }
        uc_emu_stop(uc);
    }
};

iss_cpu::iss_cpu(sc_core::sc_module_name name, const iss_params& p, const soc::irq_controller& irqs,
                 log_sink log)
    : sc_module(name)
    , bus("bus")
    , p_(p)
    , timer_("timer")
    , console_("uart",
               [this, log = std::move(log)](std::uint32_t level, const std::string& line,
                                            const sc_time& at) {
                   if (level == uart::LEVEL_ERROR) last_error_line_ = line; // a panic's message
                   log(level, line, at);
               })
    , intc_("intc", irqs)
    , timer_port_("timer_port")
    , uart_port_("uart_port")
    , intc_port_("intc_port")
    , timer_line_("timer_line")
    , insn_time_(sc_time(1e12 / static_cast<double>(p.clock_hz), sc_core::SC_PS) *
                 static_cast<double>(p.cycles_per_instruction))
    , sram_(ISS_SRAM_BYTES, 0) {
    timer_port_.bind(timer_.regs);
    uart_port_.bind(console_.regs);
    intc_port_.bind(intc_.regs);
    timer_.irq.bind(timer_line_);
    qk_.reset();
    SC_THREAD(thread);
    set_stack_size(thread_stack_bytes); // Unicorn runs on this thread's stack
    load_elf();
}

iss_cpu::~iss_cpu() {
    if (uc_) uc_close(uc_);
}

void iss_cpu::boot(const fw::guest::boot_params& params) {
    boot_ = params;
    booted_ = true;
}

bool iss_cpu::write_boot_block(std::uint64_t offset, const void* data, std::size_t bytes) {
    if (offset < sizeof boot_ || offset > ISS_BOOT_PARAMS_BYTES ||
        bytes > ISS_BOOT_PARAMS_BYTES - offset)
        return false;
    std::memcpy(&sram_[offset], data, bytes);
    return true;
}

bool iss_cpu::read_boot_block(std::uint64_t offset, void* data, std::size_t bytes) const {
    if (offset > ISS_BOOT_PARAMS_BYTES || bytes > ISS_BOOT_PARAMS_BYTES - offset) return false;
    std::memcpy(data, &sram_[offset], bytes);
    return true;
}

std::uint64_t iss_cpu::pc() const {
    std::uint64_t v = 0;
    uc_reg_read(uc_, UC_ARM64_REG_PC, &v);
    return v;
}

void iss_cpu::load_elf() {
    // A regular file of bounded size (a FIFO would block, /dev/zero never end).
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p_.elf, ec))
        throw elf_error("cannot read " + p_.elf + ": no such file, or not a regular file");
    const std::uintmax_t file_bytes = std::filesystem::file_size(p_.elf, ec);
    if (ec || file_bytes > max_elf_bytes)
        throw elf_error(p_.elf + ": larger than " + std::to_string(max_elf_bytes >> 20) +
                        " MiB, not a firmware image");
    std::ifstream f(p_.elf, std::ios::binary);
    if (!f) throw elf_error("cannot read " + p_.elf);
    std::vector<char> e(static_cast<std::size_t>(file_bytes));
    if (!f.read(e.data(), static_cast<std::streamsize>(e.size())))
        throw elf_error("cannot read " + p_.elf);
    Elf64_Ehdr eh{};
    if (e.size() < sizeof eh) throw elf_error(p_.elf + ": not an ELF file");
    std::memcpy(&eh, e.data(), sizeof eh);
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_machine != EM_AARCH64)
        throw elf_error(p_.elf + ": not an AArch64 ELF64 file");
    if (eh.e_phnum && eh.e_phentsize < sizeof(Elf64_Phdr))
        throw elf_error(p_.elf + ": program header entries smaller than Elf64_Phdr");
    // Every bound below is checked without a sum that could wrap around 2^64.
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        const std::uint64_t rel = std::uint64_t{i} * eh.e_phentsize;
        if (eh.e_phoff > e.size() || rel > e.size() - eh.e_phoff ||
            sizeof ph > e.size() - eh.e_phoff - rel)
            throw elf_error(p_.elf + ": truncated program headers");
        std::memcpy(&ph, e.data() + eh.e_phoff + rel, sizeof ph);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_paddr < ISS_IMAGE_BASE || ph.p_paddr > sram_end ||
            ph.p_memsz > sram_end - ph.p_paddr || ph.p_filesz > ph.p_memsz)
            throw elf_error(p_.elf + ": a segment lies outside the CPU's SRAM image area");
        if (ph.p_offset > e.size() || ph.p_filesz > e.size() - ph.p_offset)
            throw elf_error(p_.elf + ": a segment's bytes lie beyond the end of the file");
        std::memcpy(&sram_[ph.p_paddr - ISS_SRAM_BASE], e.data() + ph.p_offset, ph.p_filesz);
    }
    entry_ = eh.e_entry;
}

std::uint64_t iss_cpu::bus_access(bool write, std::uint64_t addr, unsigned size,
                                  std::uint64_t value) {
    std::uint64_t data = write ? value : 0;
    // The CPU's bus status register answers here; the other own blocks have sockets.
    if (addr >= ISS_CPU_BASE && addr < std::uint64_t{ISS_CPU_BASE} + ISS_BLOCK_BYTES) {
        if (write || addr - ISS_CPU_BASE != cpu_regs::BUS_STATUS) return 0;
        const std::uint32_t s = bus_status_;
        bus_status_ = cpu_regs::BUS_OK;
        return s;
    }
    tlm_utils::simple_initiator_socket<iss_cpu>* port = &bus;
    std::uint64_t offset = addr;
    if (addr >= ISS_TIMER_BASE && addr < std::uint64_t{ISS_TIMER_BASE} + ISS_BLOCK_BYTES) {
        port = &timer_port_;
        offset = addr - ISS_TIMER_BASE;
    } else if (addr >= ISS_UART_BASE && addr < std::uint64_t{ISS_UART_BASE} + ISS_BLOCK_BYTES) {
        port = &uart_port_;
        offset = addr - ISS_UART_BASE;
    } else if (addr >= ISS_INTC_BASE && addr < std::uint64_t{ISS_INTC_BASE} + ISS_BLOCK_BYTES) {
        port = &intc_port_;
        offset = addr - ISS_INTC_BASE;
    }
    try {
        soc::soc_attr attr;
        attr.initiator = p_.id;
        pooled_payload pooled;
        tlm::tlm_generic_payload& gp = *pooled;
        gp.set_extension(&attr);
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(offset);
        gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
        gp.set_data_length(size);
        gp.set_streaming_width(size);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time local = qk_.get_local_time();
        (*port)->b_transport(gp, local);
        qk_.set(local);
        gp.clear_extension(&attr);
        ++accesses_;
        if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
            if (bus_status_ == cpu_regs::BUS_OK)
                bus_status_ = gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE
                                  ? cpu_regs::BUS_DECERR
                                  : cpu_regs::BUS_SLVERR;
            data = ~std::uint64_t{0};
        }
        if (qk_.need_sync()) qk_.sync();
    } catch (...) {
        if (!error_) error_ = std::current_exception();
    }
    // An interrupt the access may have raised is taken before the next block.
    if (irq_wanted()) irq_check_ = true;
    if (size < 8) data &= (std::uint64_t{1} << (8 * size)) - 1;
    return data;
}

bool iss_cpu::irq_wanted() {
    if (intc_.pending() == 0) return false;
    std::uint64_t pstate = 0;
    uc_reg_read(uc_, UC_ARM64_REG_PSTATE, &pstate);
    if (pstate & pstate_i) {
        irq_waiting_ = true; // taken when the firmware unmasks it
        return false;
    }
    return true;
}

void iss_cpu::enter_irq() {
    std::uint64_t pstate = 0, vbar = 0;
    uc_reg_read(uc_, UC_ARM64_REG_PSTATE, &pstate);
    uc_reg_read(uc_, UC_ARM64_REG_VBAR_EL1, &vbar);
    // SPSR_EL1 (op0 3, op1 0, CRn 4, CRm 0, op2 0) := PSTATE; ELR_EL1 := the preferred return
    // address (the next instruction to execute).
    uc_arm64_cp_reg spsr{4, 0, 3, 0, 0, pstate};
    check(uc_reg_write(uc_, UC_ARM64_REG_CP_REG, &spsr), "SPSR_EL1");
    std::uint64_t ret = resume_pc_;
    check(uc_reg_write(uc_, UC_ARM64_REG_ELR_EL1, &ret), "ELR_EL1");
    std::uint64_t entered = (pstate & pstate_nzcv) | pstate_el1h_daif;
    check(uc_reg_write(uc_, UC_ARM64_REG_PSTATE, &entered), "PSTATE");
    resume_pc_ = vbar + irq_vector_offset;
}

void iss_cpu::run() {
    check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_), "uc_open");
    check(uc_mem_map_ptr(uc_, ISS_SRAM_BASE, ISS_SRAM_BYTES, UC_PROT_ALL, sram_.data()),
          "mapping SRAM");
    // Everything but SRAM is the bus.
    static_assert(ISS_SRAM_BASE % 4096 == 0 && ISS_SRAM_BYTES % 4096 == 0, "page-aligned SRAM");
    std::pair<iss_cpu*, std::uint64_t> low{this, 0}, high{this, sram_end};
    check(uc_mmio_map(uc_, 0, ISS_SRAM_BASE, iss_hooks::read, &low, iss_hooks::write, &low),
          "mapping the bus below SRAM");
    check(uc_mmio_map(uc_, sram_end, pa_end - sram_end, iss_hooks::read, &high, iss_hooks::write,
                      &high),
          "mapping the bus above SRAM");
    uc_hook h_block, h_intr;
    check(uc_hook_add(uc_, &h_block, UC_HOOK_BLOCK, reinterpret_cast<void*>(iss_hooks::block), this,
                      1, 0),
          "block hook");
    check(uc_hook_add(uc_, &h_intr, UC_HOOK_INTR, reinterpret_cast<void*>(iss_hooks::intr), this, 1,
                      0),
          "exception hook");
    resume_pc_ = entry_;
    bool step = debug_halt(debug_stop::reset); // a debugger: execute one instruction, then halt
    for (;;) {
        if (irq_wanted()) {
            enter_irq();
            // Under a single step, taking the interrupt is the step: the CPU halts at the vector.
            if (step) {
                step = debug_halt(debug_stop::step);
                continue;
            }
        }
        irq_check_ = false;
        stop_ = stop::none;
        if (step) begin_step();
        const uc_err e = uc_emu_start(uc_, resume_pc_, 0, 0, 0);
        const bool stepped = step && step_done_;
        if (step) end_step();
        if (error_) {
            if (cpu_exception_) debug_halt(debug_stop::exception); // at the faulting instruction
            std::rethrow_exception(error_);
        }
        if (e != UC_ERR_OK)
            throw std::runtime_error(std::string("the CPU stopped: ") + uc_strerror(e) + " at PC " +
                                     std::to_string(pc()));
        switch (stop_) {
        case stop::sync:
            qk_.sync();
            if (stepped) // the block after the stepped instruction stopped to synchronise
                step = debug_halt(debug_stop::step);
            else if (debugger_ && !step && debugger_->interrupt_requested())
                step = debug_halt(debug_stop::interrupt);
            continue;
        case stop::irq:
            if (stepped) step = debug_halt(debug_stop::step); // taken when the CPU resumes
            continue;
        case stop::stepped:
            step = debug_halt(debug_stop::step);
            continue;
        case stop::brk:
            if (debug_breakpoints_.count(resume_pc_)) {
                step = debug_halt(debug_stop::breakpoint);
                continue;
            }
            qk_.sync();
            if (brk_imm_ == ISS_BRK_EXIT) return;
            // A panic, or another BRK (a trap: __builtin_trap is BRK #0x3e8): under a debugger
            // the CPU halts at it first, to be looked at; then the run ends, failed.
            debug_halt(brk_imm_ == ISS_BRK_PANIC ? debug_stop::panic : debug_stop::breakpoint);
            if (brk_imm_ == ISS_BRK_PANIC)
                throw std::runtime_error(
                    "the endpoint firmware panicked: " +
                    (last_error_line_.empty() ? std::string("(no message)") : last_error_line_));
            char trap[64];
            std::snprintf(trap, sizeof trap, "BRK #0x%x at PC 0x%llx", brk_imm_,
                          static_cast<unsigned long long>(resume_pc_));
            throw std::runtime_error(std::string("the endpoint firmware trapped: ") + trap);
        case stop::error:
            std::rethrow_exception(error_);
        case stop::none:
            break;
        }
        // Unicorn returns after a WFI with PC past it.
        const std::uint64_t at = pc();
        resume_pc_ = at;
        std::uint32_t insn = 0;
        if (at >= ISS_SRAM_BASE + 4 && at <= sram_end)
            std::memcpy(&insn, &sram_[at - 4 - ISS_SRAM_BASE], 4);
        if (insn == wfi_opcode) {
            qk_.sync();
            while (intc_.pending() == 0)
                if (debugger_)
                    debug_wfi_wait(step);
                else
                    sc_core::wait(intc_.lines_changed() | intc_.mask_changed());
        } else if (!step) {
            throw std::runtime_error("the CPU stopped for no known reason at PC " +
                                     std::to_string(at));
        }
        if (step) step = debug_halt(debug_stop::step);
    }
}

void iss_cpu::thread() {
    if (!booted_) return;
    std::memcpy(sram_.data(), &boot_, sizeof boot_);
    try {
        run();
    } catch (const std::exception& e) {
        // The firmware cannot go on: the run ends here, failed, rather than hang.
        failure_ = e.what();
        sc_core::sc_stop();
    }
    finished_ = true;
}

// Debug hooks.

void iss_cpu::begin_step() {
    // A block translated before the code hook existed would not call it (Unicorn keeps
    // translated blocks): the one the step starts in is translated again. Later blocks need no
    // hook: the block hook stops before them.
    step_from_ = resume_pc_;
    check(uc_ctl_remove_cache(uc_, step_from_, step_from_ + 4), "dropping the translated block");
    check(uc_hook_add(uc_, &step_hook_, UC_HOOK_CODE, reinterpret_cast<void*>(iss_hooks::code),
                      this, 1, 0),
          "single-step hook");
    stepping_ = true;
    step_done_ = false;
}

void iss_cpu::end_step() {
    stepping_ = false;
    check(uc_hook_del(uc_, step_hook_), "single-step hook");
    // The block translated with the hook would call it (Unicorn keeps the call): dropped too.
    check(uc_ctl_remove_cache(uc_, step_from_, step_from_ + 4), "dropping the translated block");
}

bool iss_cpu::debug_halt(debug_stop why) {
    if (!debugger_) return false;
    check(uc_reg_write(uc_, UC_ARM64_REG_PC, &resume_pc_), "PC");
    const bool step = debugger_->halted(*this, why);
    resume_pc_ = pc();
    return step;
}

void iss_cpu::debug_wfi_wait(bool& step) {
    // In WFI the debugger is polled once a quantum of simulated time (a zero quantum: never).
    const sc_time poll = tlm_utils::tlm_quantumkeeper::get_global_quantum();
    if (poll == sc_core::SC_ZERO_TIME) {
        sc_core::wait(intc_.lines_changed() | intc_.mask_changed());
        return;
    }
    sc_core::wait(poll, intc_.lines_changed() | intc_.mask_changed());
    // Halted here, the debugger's answer replaces what was asked before: a step is the WFI's
    // own (the CPU halts again once an interrupt ends the wait), a continue runs on.
    if (intc_.pending() == 0 && debugger_ && debugger_->interrupt_requested())
        step = debug_halt(debug_stop::interrupt);
}

namespace {
// GDB's AArch64 register numbers (x0-x30, sp, pc, cpsr) as Unicorn's.
int uc_register(unsigned regno) {
    if (regno <= 28) return UC_ARM64_REG_X0 + static_cast<int>(regno);
    const int rest[] = {UC_ARM64_REG_X29, UC_ARM64_REG_X30, UC_ARM64_REG_SP, UC_ARM64_REG_PC,
                        UC_ARM64_REG_PSTATE};
    return regno - 29 < std::size(rest) ? rest[regno - 29] : UC_ARM64_REG_INVALID;
}
// The debugger's software breakpoint: BRK #0xDB (the firmware's own BRKs use 0 and 1).
constexpr std::uint32_t debug_brk = brk_opcode | (0xDBu << 5);
} // namespace

std::uint64_t iss_cpu::debug_register(unsigned regno) const {
    std::uint64_t v = 0;
    if (uc_) uc_reg_read(uc_, uc_register(regno), &v);
    return v;
}

void iss_cpu::debug_set_register(unsigned regno, std::uint64_t value) {
    if (uc_) uc_reg_write(uc_, uc_register(regno), &value);
}

bool iss_cpu::debug_access(bool write, std::uint64_t addr, std::size_t n, std::uint8_t* data) {
    if (addr < ISS_SRAM_BASE || addr > sram_end || n > sram_end - addr) return false;
    if (n == 0) return true; // nothing to move (data may be null, addr the end of SRAM)
    unsigned char* at = &sram_[addr - ISS_SRAM_BASE];
    if (!write) {
        std::memcpy(data, at, n);
    } else {
        std::memcpy(at, data, n);
        uc_ctl_remove_cache(uc_, addr, addr + n); // the bytes may be code
    }
    // A breakpoint's original instruction is what the debugger reads and writes.
    for (auto& [bp, original] : debug_breakpoints_) {
        auto* word = reinterpret_cast<unsigned char*>(&original);
        for (unsigned i = 0; i < 4; ++i)
            if (bp + i >= addr && bp + i < addr + n) {
                if (write) {
                    word[i] = data[bp + i - addr];
                    sram_[bp + i - ISS_SRAM_BASE] =
                        reinterpret_cast<const unsigned char*>(&debug_brk)[i];
                } else {
                    data[bp + i - addr] = word[i];
                }
            }
    }
    return true;
}

bool iss_cpu::debug_breakpoint(std::uint64_t addr, bool insert) {
    if (addr % 4 || addr < ISS_SRAM_BASE || addr > sram_end - 4) return false; // no wrap at 2^64
    unsigned char* at = &sram_[addr - ISS_SRAM_BASE];
    const auto it = debug_breakpoints_.find(addr);
    if (insert && it == debug_breakpoints_.end()) {
        std::uint32_t original = 0;
        std::memcpy(&original, at, 4);
        debug_breakpoints_[addr] = original;
        std::memcpy(at, &debug_brk, 4);
    } else if (!insert && it != debug_breakpoints_.end()) {
        std::memcpy(at, &it->second, 4);
        debug_breakpoints_.erase(it);
    }
    uc_ctl_remove_cache(uc_, addr, addr + 4);
    return true;
}

} // namespace epvp::tb

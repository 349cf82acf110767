// A CPU that runs firmware: the simulation backend of firmware/hal.
//
// Models: an in-order CPU whose program (firmware C++) runs in its own SystemC thread; every
// load/store becomes a TLM transaction on its bus socket (bulk copies split into naturally
// aligned beats of at most max_beat_bytes), with temporal decoupling through a quantum keeper;
// bus responses map to HAL statuses (DECERR for address errors, SLVERR for the rest);
// delays and compute cost advance the CPU's local time; interrupts are level-sensitive lines of
// an irq_controller, taken in wait_for_interrupt() with an entry cost in cycles.
// Does not model: caches, pipelines, instruction fetch, preemption of the program by
// interrupts (handlers run only inside wait_for_interrupt, as in a polling firmware loop).
#pragma once

#include "firmware/hal/hal.h"
#include "model/soc/irq_controller.h"
#include "model/soc/soc_attr.h"

#include <functional>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

namespace epvp::tb {

struct cpu_params {
    std::uint64_t clock_hz = 1'000'000'000;
    unsigned max_beat_bytes = 8;
    std::uint64_t irq_entry_cycles = 100;
    std::uint64_t copy_cycles_per_byte = 1;
    std::uint64_t crc_cycles_per_byte = 2;
    soc::master id = soc::master::ep_cpu;
    std::string log_category = "fw";
};

class cpu : public sc_core::sc_module, public hal::platform {
public:
    tlm_utils::simple_initiator_socket<cpu> bus;

    SC_HAS_PROCESS(cpu);
    cpu(sc_core::sc_module_name name, const cpu_params& p, soc::irq_controller* irqs);

    // The firmware to run, and what to do when it returns.
    void load(std::function<void(hal::platform&)> program, std::function<void()> on_exit = {});
    bool finished() const { return finished_; }
    // A firmware error or warning the workload expects and counts itself (cmd-stream's
    // "No free outbound window"): logged as info in the CPU's category, not as a warning.
    void expect_message(const std::string& msg) { expected_.push_back(msg); }
    std::uint64_t accesses() const { return accesses_; }

    // hal::platform
    hal::status read(std::uint64_t addr, void* data, std::size_t len) override;
    hal::status write(std::uint64_t addr, const void* data, std::size_t len) override;
    std::uint64_t now_ns() override;
    void delay_ns(std::uint64_t ns) override;
    void charge_cycles(std::uint64_t cycles) override;
    void charge(work kind, std::uint64_t bytes) override;
    std::uint64_t cpu_clock_hz() const override { return p_.clock_hz; }
    void set_irq_handler(unsigned line, hal::irq_handler handler) override;
    bool wait_for_interrupt(std::uint64_t timeout_ns) override;
    // A firmware line, stamped with the CPU's own time (ahead of the kernel's under temporal
    // decoupling), so the log reads the same at every quantum.
    void log(hal::log_level level, const std::string& category, const std::string& msg) override;
    // The same for a line written at `at` (the UART's lines when the firmware is a binary).
    void log_at(hal::log_level level, const std::string& category, const std::string& msg,
                const sc_core::sc_time& at);

private:
    void thread();
    hal::status access(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data,
                       std::size_t len);
    void advance(const sc_core::sc_time& t);

    cpu_params p_;
    soc::irq_controller* irqs_;
    tlm_utils::tlm_quantumkeeper qk_;
    sc_core::sc_time period_;
    std::function<void(hal::platform&)> program_;
    std::function<void()> on_exit_;
    std::map<unsigned, hal::irq_handler> handlers_;
    std::vector<std::string> expected_;
    bool finished_ = false;
    std::uint64_t accesses_ = 0;
};

} // namespace epvp::tb

#include "testbench/cpu.h"

#include "model/core/payload_pool.h"
#include "model/core/trace_events.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"

#include <algorithm>

namespace epvp::tb {

using sc_core::sc_time;

cpu::cpu(sc_core::sc_module_name name, const cpu_params& p, soc::irq_controller* irqs)
    : sc_module(name)
    , bus("bus")
    , p_(p)
    , irqs_(irqs)
    , period_(sc_time(1e12 / static_cast<double>(p.clock_hz), sc_core::SC_PS)) {
    qk_.reset();
    SC_THREAD(thread);
}

void cpu::load(std::function<void(hal::platform&)> program, std::function<void()> on_exit) {
    program_ = std::move(program);
    on_exit_ = std::move(on_exit);
}

void cpu::thread() {
    if (!program_) return;
    program_(*this);
    qk_.sync();
    finished_ = true;
    if (on_exit_) on_exit_();
}

void cpu::advance(const sc_time& t) {
    qk_.inc(t);
    if (qk_.need_sync()) qk_.sync();
}

hal::status cpu::access(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data,
                        std::size_t len) {
    soc::soc_attr attr;
    attr.initiator = p_.id;
    // From the pool: no extension array to build per access, and a payload still in flight when
    // the simulation stops stays owned.
    pooled_payload pooled;
    tlm::tlm_generic_payload& gp = *pooled;
    gp.set_extension(&attr);
    hal::status worst = hal::status::ok;
    while (len > 0) {
        // The largest naturally aligned power-of-two beat that fits.
        unsigned beat = p_.max_beat_bytes;
        while (beat > 1 && ((addr % beat) != 0 || beat > len))
            beat >>= 1;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(data);
        gp.set_data_length(beat);
        gp.set_streaming_width(beat);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time local = qk_.get_local_time();
        bus->b_transport(gp, local);
        qk_.set(local);
        ++accesses_;
        if (qk_.need_sync()) qk_.sync();
        if (gp.get_response_status() != tlm::TLM_OK_RESPONSE && worst == hal::status::ok)
            worst = gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE
                        ? hal::status::decode_error
                        : hal::status::slave_error;
        addr += beat;
        data += beat;
        len -= beat;
    }
    gp.clear_extension(&attr);
    return worst;
}

hal::status cpu::read(std::uint64_t addr, void* data, std::size_t len) {
    return access(tlm::TLM_READ_COMMAND, addr, static_cast<unsigned char*>(data), len);
}

hal::status cpu::write(std::uint64_t addr, const void* data, std::size_t len) {
    return access(tlm::TLM_WRITE_COMMAND, addr,
                  const_cast<unsigned char*>(static_cast<const unsigned char*>(data)), len);
}

std::uint64_t cpu::now_ns() {
    return static_cast<std::uint64_t>(qk_.get_current_time().to_seconds() * 1e9 + 0.5);
}

void cpu::delay_ns(std::uint64_t ns) {
    advance(sc_time(static_cast<double>(ns), sc_core::SC_NS));
}

void cpu::charge_cycles(std::uint64_t cycles) {
    advance(period_ * static_cast<double>(cycles));
}

void cpu::charge(work kind, std::uint64_t bytes) {
    charge_cycles(bytes * (kind == work::copy ? p_.copy_cycles_per_byte : p_.crc_cycles_per_byte));
}

void cpu::set_irq_handler(unsigned line, hal::irq_handler handler) {
    if (handler)
        handlers_[line] = std::move(handler);
    else
        handlers_.erase(line); // no handler: the line no longer wakes the CPU
}

bool cpu::wait_for_interrupt(std::uint64_t timeout_ns) {
    qk_.sync();
    auto serviced = [this]() {
        std::uint64_t mask = 0;
        for (const auto& h : handlers_)
            mask |= 1ull << h.first;
        return irqs_ ? (irqs_->pending() & mask) : 0;
    };
    if (!serviced()) {
        // Until a line with a handler is pending or the timeout has passed: a change of a line
        // without one wakes the wait but does not end it (false means the timeout passed).
        const sc_time deadline =
            sc_core::sc_time_stamp() + sc_time(static_cast<double>(timeout_ns), sc_core::SC_NS);
        do {
            if (irqs_)
                sc_core::wait(deadline - sc_core::sc_time_stamp(), irqs_->changed());
            else
                sc_core::wait(deadline - sc_core::sc_time_stamp());
        } while (!serviced() && sc_core::sc_time_stamp() < deadline);
    }
    std::uint64_t pending = serviced();
    if (!pending) return false;
    trace::recorder* tr = trace::recorder::active();
    const sc_time entered = qk_.get_current_time();
    charge_cycles(p_.irq_entry_cycles);
    std::string lines;
    for (auto& h : handlers_)
        if (pending & (1ull << h.first)) {
            if (tr) lines += (lines.empty() ? "" : " ") + std::to_string(h.first);
            h.second(h.first);
        }
    if (tr) {
        const sc_time left = qk_.get_current_time();
        const sc_time ps(1, sc_core::SC_PS);
        tr->complete(
            tr->track("CPU", instance_name(*this)), "irq " + lines,
            static_cast<std::uint64_t>(entered / ps),
            static_cast<std::uint64_t>((left > entered ? left - entered : sc_time()) / ps));
    }
    return true;
}

void cpu::log(hal::log_level level, const std::string& category, const std::string& msg) {
    log_at(level, category, msg, qk_.get_current_time());
}

void cpu::log_at(hal::log_level level, const std::string& category, const std::string& msg,
                 const sc_time& at) {
    const auto at_ps = static_cast<std::uint64_t>(at.value());
    std::string line = category + ": " + msg;
    if (std::find(expected_.begin(), expected_.end(), msg) != expected_.end())
        level = hal::log_level::info;
    switch (level) {
    case hal::log_level::debug:
    case hal::log_level::info:
        // A category enabled on its own (an endpoint function's name) prints its lines too,
        // under that category.
        if (!logger::get().enabled(p_.log_category) && logger::get().enabled(category))
            logger::get().info_at(category, at_ps, msg);
        else if (logger::get().enabled(p_.log_category))
            logger::get().info_at(p_.log_category, at_ps, line);
        break;
    case hal::log_level::warning:
    case hal::log_level::error:
        // The same firmware message repeats at most a few times, then is counted.
        logger::get().warning_at(p_.log_category, at_ps, line, line);
        break;
    }
}

} // namespace epvp::tb

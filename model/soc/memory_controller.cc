#include "soc/memory_controller.h"

#include "core/log.h"
#include "hal/irq_window_regs.h"
#include "soc/soc_attr.h"

#include <algorithm>
#include <cstring>

namespace epvp::soc {

memory_controller::memory_controller(sc_core::sc_module_name name, std::uint64_t size_bytes,
                                     const dram_params* timing, const irq_window_params& window)
    : sc_module(name)
    , in("in")
    , window_irq("window_irq")
    , mem_(size_bytes)
    , timing_(timing ? std::make_unique<dram_timing>(*timing) : nullptr)
    , window_(window) {
    SC_METHOD(drive_window_irq);
    sensitive << window_changed_;
    dont_initialize();
    in.register_b_transport(this, &memory_controller::b_transport);
    in.register_transport_dbg(this, &memory_controller::transport_dbg);
}

void memory_controller::drive_window_irq() {
    window_irq.write(window_level_);
}

bool memory_controller::window_access(tlm::tlm_generic_payload& gp) {
    const std::uint64_t addr = gp.get_address();
    if (!window_.size || addr < window_.offset || addr - window_.offset >= window_.size)
        return false;
    const std::uint32_t off = static_cast<std::uint32_t>(addr - window_.offset);
    const unsigned len = gp.get_data_length();
    constexpr unsigned dword = 4;
    if (gp.is_write()) {
        ++window_writes_;
        std::uint32_t value = 0;
        std::memcpy(&value, gp.get_data_ptr(), std::min(len, dword));
        if (window_fifo_.size() >= window_.fifo_depth) {
            ++window_overflows_;
            logger::get().warning("mc", "interrupt window FIFO full: value " + hex(value) + " lost",
                                  "window-overflow");
        } else {
            window_fifo_.emplace_back(off, value);
        }
    } else {
        std::uint32_t v = 0;
        switch (off & ~3u) {
        case irq_window::POP:
            if (!window_fifo_.empty()) {
                v = window_fifo_.front().second;
                window_last_offset_ = window_fifo_.front().first;
                window_fifo_.pop_front();
            }
            break;
        case irq_window::COUNT:
            v = static_cast<std::uint32_t>(window_fifo_.size());
            break;
        case irq_window::OVERFLOW:
            v = static_cast<std::uint32_t>(window_overflows_);
            break;
        case irq_window::LAST_OFFSET:
            v = window_last_offset_;
            break;
        default:
            break;
        }
        std::memset(gp.get_data_ptr(), 0, len);
        std::memcpy(gp.get_data_ptr(), &v, std::min(len, dword));
    }
    const bool level = !window_fifo_.empty();
    if (level != window_level_) {
        window_level_ = level;
        window_changed_.notify(sc_core::SC_ZERO_TIME);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void memory_controller::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (window_access(gp)) return;
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!mem_.in_range(addr, len)) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (gp.is_read()) {
        mem_.read(addr, gp.get_data_ptr(), len);
        ++reads_;
    } else if (gp.is_write()) {
        mem_.write_masked(addr, gp.get_data_ptr(), len, gp.get_byte_enable_ptr(),
                          gp.get_byte_enable_length());
        ++writes_;
    }
    soc_attr* a = nullptr;
    gp.get_extension(a);
    master_stats& m = master_stats_[a ? static_cast<std::size_t>(a->initiator) : master_slots - 1];
    ++m.accesses;
    m.bytes += len;
    if (timing_) {
        constexpr double ps_per_ns = 1000.0;
        const double now_ns = static_cast<double>((sc_core::sc_time_stamp() + delay).value()) /
                              ps_per_ns; // the kernel's resolution is 1 ps
        double queue_ns = 0;
        const double done_ns = timing_->access(addr, len, now_ns, &queue_ns);
        m.latency_ns += done_ns - now_ns;
        m.queue_ns += queue_ns;
        m.max_queue_ns = std::max(m.max_queue_ns, queue_ns);
        delay =
            sc_core::sc_time::from_value(static_cast<std::uint64_t>(done_ns * ps_per_ns + 0.5)) -
            sc_core::sc_time_stamp();
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

std::map<std::string, memory_controller::master_stats> memory_controller::master_queues() const {
    std::map<std::string, master_stats> out;
    for (std::size_t i = 0; i < master_slots; ++i)
        if (master_stats_[i].accesses)
            out[i + 1 < master_slots ? to_string(static_cast<master>(i)) : "?"] = master_stats_[i];
    return out;
}

unsigned memory_controller::transport_dbg(tlm::tlm_generic_payload& gp) {
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!mem_.in_range(addr, len)) return 0;
    if (gp.is_read())
        mem_.read(addr, gp.get_data_ptr(), len);
    else if (gp.is_write())
        mem_.write(addr, gp.get_data_ptr(), len);
    return len;
}

} // namespace epvp::soc

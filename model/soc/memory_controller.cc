#include "model/soc/memory_controller.h"

#include "contracts/irq_window_regs.h"
#include "model/core/log.h"
#include "model/soc/soc_attr.h"

#include <algorithm>

namespace epvp::soc {

namespace {
constexpr double ps_per_ns = 1000.0; // the kernel's resolution is 1 ps
}

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

memory_controller::master_stats& memory_controller::stats_of(tlm::tlm_generic_payload& gp) {
    soc_attr* a = nullptr;
    gp.get_extension(a);
    return master_stats_[a ? static_cast<std::size_t>(a->initiator) : master_slots - 1];
}

void memory_controller::window_write_slot(std::uint32_t slot_offset, std::uint32_t value) {
    ++window_writes_;
    if (window_fifo_.size() >= window_.fifo_depth) {
        ++window_overflows_;
        logger::get().warning("mc", "interrupt window FIFO full: value " + hex(value) + " lost",
                              "window-overflow");
        return;
    }
    window_fifo_.emplace_back(slot_offset, value);
}

std::uint32_t memory_controller::window_read_slot(std::uint32_t slot_offset) {
    switch (slot_offset) {
    case irq_window::POP: {
        if (window_fifo_.empty()) return 0;
        const std::uint32_t v = window_fifo_.front().second;
        window_last_offset_ = window_fifo_.front().first;
        window_fifo_.pop_front();
        return v;
    }
    case irq_window::COUNT:
        return static_cast<std::uint32_t>(window_fifo_.size());
    case irq_window::OVERFLOW:
        return static_cast<std::uint32_t>(window_overflows_);
    case irq_window::LAST_OFFSET:
        return window_last_offset_;
    default:
        return 0;
    }
}

bool memory_controller::window_access(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (!window_.size) return false;
    if (addr < window_.offset) {
        if (window_.offset - addr >= len) return false; // wholly below the window
        // Part DRAM, part window: neither stores it, as one past the window's end.
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return true;
    }
    if (addr - window_.offset >= window_.size) return false;
    const std::uint64_t off = addr - window_.offset;
    if (len == 0 || off + len > window_.size) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return true;
    }
    // The FIFO and the interrupt line change at the access's own time, with ideal DRAM too
    // (timed DRAM has synchronised the initiator already): a temporally decoupled writer must
    // not raise the interrupt before its write arrives, nor a reader see the FIFO early.
    if (delay > sc_core::SC_ZERO_TIME) {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    unsigned char* data = gp.get_data_ptr();
    const unsigned char* be = gp.get_byte_enable_ptr();
    const unsigned be_len = be ? gp.get_byte_enable_length() : 0;
    const auto enabled = [&](unsigned i) { return !be_len || be[i % be_len]; };
    // Slot by slot: the aligned 32-bit slots [first, last] the access covers.
    constexpr std::uint32_t slot_bytes = 4;
    constexpr unsigned bits_per_byte = 8;
    const std::uint64_t first = off / slot_bytes * slot_bytes;
    for (std::uint64_t slot = first; slot < off + len; slot += slot_bytes) {
        // The access's byte indices that fall in this slot, and their lanes.
        const unsigned lo = static_cast<unsigned>(std::max(slot, off) - off);
        const unsigned hi = static_cast<unsigned>(std::min(slot + slot_bytes, off + len) - off);
        bool any = false;
        for (unsigned i = lo; i < hi; ++i)
            any = any || enabled(i);
        if (!any) continue;
        const std::uint32_t slot_offset = static_cast<std::uint32_t>(slot);
        if (gp.is_write()) {
            std::uint32_t value = 0;
            for (unsigned i = lo; i < hi; ++i)
                if (enabled(i))
                    value |= std::uint32_t(data[i]) << (bits_per_byte * ((off + i) % slot_bytes));
            window_write_slot(slot_offset, value);
        } else if (gp.is_read()) {
            const std::uint32_t v = window_read_slot(slot_offset);
            for (unsigned i = lo; i < hi; ++i)
                if (enabled(i))
                    data[i] =
                        static_cast<unsigned char>(v >> (bits_per_byte * ((off + i) % slot_bytes)));
        }
    }
    const bool level = !window_fifo_.empty();
    if (level != window_level_) {
        window_level_ = level;
        window_changed_.notify(sc_core::SC_ZERO_TIME);
    }
    master_stats& m = stats_of(gp);
    ++m.accesses;
    ++m.window_accesses;
    m.bytes += len;
    m.latency_ns += static_cast<double>(window_.latency.value()) / ps_per_ns;
    delay += window_.latency;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void memory_controller::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    // With timed DRAM, an access is served at its own time: the initiator's thread is
    // synchronised first, so banks, data buses and the window FIFO are booked in simulated-time
    // order, not in the order temporally decoupled threads happen to call (which the quantum
    // changes). Every initiator reaches here from an SC_THREAD.
    if (timing_ && delay > sc_core::SC_ZERO_TIME) {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    access_pieces* pieces = nullptr;
    gp.get_extension(pieces);
    // Pieces into the interrupt window (each an interrupt per slot at its own time) or past the
    // end of DRAM (the pieces before the first out of range are written): one write per piece.
    const bool meets_window =
        window_.size && addr < window_.offset + window_.size && window_.offset < addr + len;
    if (pieces && (meets_window || !mem_.in_range(addr, len))) {
        write_each_piece(
            gp, *pieces, delay,
            [this](tlm::tlm_generic_payload& one, sc_core::sc_time& d) { b_transport(one, d); });
        return;
    }
    if (window_access(gp, delay)) return;
    if (!mem_.in_range(addr, len)) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const std::uint64_t accesses = pieces ? pieces->pieces.size() : 1;
    if (gp.is_read()) {
        mem_.read(addr, gp.get_data_ptr(), len);
        reads_ += accesses;
    } else if (gp.is_write()) {
        mem_.write_masked(addr, gp.get_data_ptr(), len, gp.get_byte_enable_ptr(),
                          gp.get_byte_enable_length());
        writes_ += accesses;
    }
    master_stats& m = stats_of(gp);
    if (pieces)
        time_pieces(addr, *pieces, m, delay);
    else
        delay = book(addr, len, gp.is_write() ? dram_dir::write : dram_dir::read,
                     sc_core::sc_time_stamp() + delay, m) -
                sc_core::sc_time_stamp();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

// One access of len bytes at addr served from start (absolute): counted for m, booked in the
// DRAM timing; returns when it completed (start with ideal DRAM).
sc_core::sc_time memory_controller::book(std::uint64_t addr, unsigned len, dram_dir dir,
                                         const sc_core::sc_time& start, master_stats& m) {
    ++m.accesses;
    m.bytes += len;
    if (!timing_) return start;
    const double start_ns = static_cast<double>(start.value()) / ps_per_ns;
    double queue_ns = 0;
    const double done_ns = timing_->access(addr, len, start_ns, dir, &queue_ns);
    m.latency_ns += done_ns - start_ns;
    m.queue_ns += queue_ns;
    m.max_queue_ns = std::max(m.max_queue_ns, queue_ns);
    return sc_core::sc_time::from_value(static_cast<std::uint64_t>(done_ns * ps_per_ns + 0.5));
}

// Each piece as the access it stands for: what b_transport books for one access served at the
// piece's own start, in piece order.
void memory_controller::time_pieces(std::uint64_t addr, access_pieces& pieces, master_stats& m,
                                    sc_core::sc_time& delay) {
    sc_core::sc_time last = sc_core::sc_time_stamp() + delay;
    for (auto& p : pieces.pieces) {
        p.done = book(addr, p.bytes, dram_dir::write, p.start, m); // pieces are writes
        last = std::max(last, p.done);
        addr += p.bytes;
    }
    delay = last - sc_core::sc_time_stamp();
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
    // The interrupt window stores nothing and its registers change when read: no debug access
    // (a debugger's read there would otherwise show the DRAM behind it, a write store bytes no
    // bus access ever sees).
    if (window_.size && addr < window_.offset + window_.size && window_.offset < addr + len)
        return 0;
    if (gp.is_read())
        mem_.read(addr, gp.get_data_ptr(), len);
    else if (gp.is_write())
        mem_.write(addr, gp.get_data_ptr(), len);
    return len;
}

} // namespace epvp::soc

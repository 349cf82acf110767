#include "rtl-bridge/tlm2apb_bridge.h"

#include <algorithm>

#include <sstream>
#include <stdexcept>

namespace epvp::rtl {

tlm2apb_bridge::tlm2apb_bridge(sc_core::sc_module_name name, rtl_island& island,
                               const apb_port& pins, unsigned paddr_bits)
    : sc_module(name)
    , socket("socket")
    , island_(island)
    , p_(pins)
    , paddr_bits_(paddr_bits ? paddr_bits : pins.addr_bits)
    , word_bytes_(pins.data_bytes()) {
    const std::string bad = p_.validate();
    if (!bad.empty()) throw std::invalid_argument(std::string(basename()) + ": APB " + bad);
    if (paddr_bits_ == 0 || paddr_bits_ > 32)
        throw std::invalid_argument(std::string(basename()) + ": paddr_bits must be 1..32");
    socket.register_b_transport(this, &tlm2apb_bridge::b_transport);
    island_.add_agent(this);
}

void tlm2apb_bridge::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (island_.is_clocking()) // it would wait for cycles only the caller can run
        throw std::logic_error(
            std::string(name()) +
            ": called by the process running the island's cycles (a request carried out "
            "in it needs the island)");
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    const unsigned offset = static_cast<unsigned>(addr % word_bytes_);
    if (!gp.is_read() && !gp.is_write()) {
        gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (len == 0 || offset + len > word_bytes_ || gp.get_streaming_width() < len ||
        !gp.get_data_ptr()) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (paddr_bits_ < 64 && (addr >> paddr_bits_) != 0) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    transfer t;
    t.addr = static_cast<std::uint32_t>(addr - offset);
    t.write = gp.is_write();
    const unsigned char* be = gp.get_byte_enable_ptr();
    const unsigned be_len = gp.get_byte_enable_length();
    unsigned char* data = gp.get_data_ptr();
    for (unsigned i = 0; i < len; ++i) {
        const bool on = !be || !be_len || be[i % be_len] == TLM_BYTE_ENABLED;
        if (!on) continue;
        t.strb |= std::uint8_t(1u << (offset + i));
        if (t.write) t.wdata |= std::uint32_t(data[i]) << (8 * (offset + i));
    }
    if (!t.write) t.strb = 0; // APB4: PSTRB is low for reads
    queue_.push_back(&t);
    // When the caller leaves early (an exception unwinds it: a killed process), nothing may keep
    // pointing at its transfer: one still queued is dropped, one on the pins ends on a copy.
    struct leave {
        tlm2apb_bridge& b;
        transfer& t;
        ~leave() {
            if (t.done) return;
            const auto at = std::find(b.queue_.begin(), b.queue_.end(), &t);
            if (at == b.queue_.end()) return;
            if (at != b.queue_.begin() || b.phase_ == phase::idle) {
                b.queue_.erase(at);
                return;
            }
            auto copy = std::make_unique<transfer>();
            copy->addr = t.addr;
            copy->write = t.write;
            copy->wdata = t.wdata;
            copy->strb = t.strb;
            *at = copy.get();
            b.orphans_.push_back(std::move(copy));
        }
    } left_early{*this, t};
    island_.wake();
    while (!t.done)
        sc_core::wait(t.done_ev);
    if (!t.write)
        for (unsigned i = 0; i < len; ++i)
            if (!be || !be_len || be[i % be_len] == TLM_BYTE_ENABLED)
                data[i] = static_cast<unsigned char>(t.rdata >> (8 * (offset + i)));
    gp.set_response_status(t.slverr ? tlm::TLM_GENERIC_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
}

void tlm2apb_bridge::drive() {
    if (phase_ == phase::idle && !queue_.empty()) phase_ = phase::setup;
    if (phase_ == phase::idle) {
        p_.psel.set(0);
        p_.penable.set(0);
        return;
    }
    const transfer& t = *queue_.front();
    p_.psel.set(1);
    p_.penable.set(phase_ == phase::access);
    p_.pwrite.set(t.write);
    p_.paddr.set(t.addr);
    p_.pwdata.set(t.wdata);
    p_.pstrb.set(t.strb);
}

void tlm2apb_bridge::sample(std::uint64_t) {
    if (phase_ == phase::setup) {
        phase_ = phase::access;
    } else if (phase_ == phase::access && p_.pready.get()) {
        transfer* t = queue_.front();
        queue_.pop_front();
        t->rdata = static_cast<std::uint32_t>(p_.prdata.get());
        t->slverr = p_.pslverr.get();
        t->done = true;
        // The PREADY cycle counts in full.
        island_.notify_from_cycle(t->done_ev, island_.clock_period());
        ++transfers_;
        phase_ = phase::idle;
    }
}

} // namespace epvp::rtl

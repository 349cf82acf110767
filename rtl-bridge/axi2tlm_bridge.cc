#include "rtl-bridge/axi2tlm_bridge.h"

#include <algorithm>

namespace epvp::rtl {

axi2tlm_bridge::axi2tlm_bridge(sc_core::sc_module_name name, rtl_island& island,
                               const axi_port& pins, unsigned queue_depth)
    : sc_module(name)
    , socket("socket")
    , island_(island)
    , p_(pins)
    , depth_(queue_depth)
    , bus_bytes_(pins.data_bytes()) {
    const std::string bad = p_.validate();
    if (!bad.empty()) throw std::invalid_argument(std::string(basename()) + ": AXI " + bad);
    if (depth_ == 0) throw std::invalid_argument(std::string(basename()) + ": queue_depth 0");
    island_.add_agent(this);
    SC_THREAD(worker);
}

void axi2tlm_bridge::set_ready_stall(unsigned percent, std::uint32_t seed) {
    stall_percent_ = std::min(percent, 100u);
    rng_ = seed ? seed : 1;
}

bool axi2tlm_bridge::stall_now() {
    if (!stall_percent_) return false;
    rng_ = rng_ * 1664525u + 1013904223u;
    return (rng_ >> 16) % 100 < stall_percent_;
}

void axi2tlm_bridge::drive() {
    // Nothing queued and no READY stalls: the pins still hold what the previous idle cycle
    // drove (READYs high, VALIDs low; only this bridge drives them), so leave them.
    const bool idle = stall_percent_ == 0 && jobs_.empty() && aw_waiting_.empty() &&
                      data_waiting_.empty() && b_out_.empty() && r_out_.empty();
    if (idle && idle_driven_) return;
    idle_driven_ = idle;
    const std::size_t queued = jobs_.size() + aw_waiting_.size();
    p_.awready.set(queued < depth_ && !stall_now());
    p_.wready.set(data_waiting_.size() < depth_ && !stall_now());
    p_.arready.set(queued < depth_ && !stall_now());
    p_.bvalid.set(!b_out_.empty());
    if (!b_out_.empty()) {
        p_.bid.set(b_out_.front().first);
        p_.bresp.set(static_cast<std::uint8_t>(b_out_.front().second));
    }
    p_.rvalid.set(!r_out_.empty());
    if (!r_out_.empty()) {
        const r_beat& r = r_out_.front();
        p_.rid.set(r.id);
        p_.rdata.set_bytes(r.data.data(), bus_bytes_);
        p_.rresp.set(static_cast<std::uint8_t>(r.resp));
        p_.rlast.set(r.last);
    }
}

// The request on the AW (aw) or AR pins.
axi_request axi2tlm_bridge::request(bool aw) const {
    const axi_addr_pins c = aw ? p_.aw() : p_.ar();
    axi_request r;
    r.id = static_cast<unsigned>(c.id.get());
    r.addr = c.addr.get();
    r.beats = static_cast<unsigned>(c.len.get()) + 1u;
    r.size_log2 = static_cast<unsigned>(c.size.get());
    r.burst = static_cast<axi_burst>(c.burst.get() & 3);
    r.user = c.user.get();
    r.cache = static_cast<std::uint8_t>(c.cache.get() & 0xF);
    r.prot = static_cast<std::uint8_t>(c.prot.get() & 0x7);
    r.qos = static_cast<std::uint8_t>(c.qos.get() & 0xF);
    r.region = static_cast<std::uint8_t>(c.region.get() & 0xF);
    return r;
}

void axi2tlm_bridge::add_job(job&& j) {
    if (carry_ok_ && !asked_) {
        // Every cycle with a burst counts for the island, also one for the worker: two agents
        // with work from one cycle both hand it to their threads (rtl_island::run_carriers).
        asked_ = true;
        island_.carry_after_cycle(this);
    }
    // The only burst of its cycle, none waiting for the worker before it, and accepted: to the
    // process running the cycles. Else the worker, with any earlier one of this cycle.
    if (carry_ok_ && jobs_.empty() && !working_ && in_clock_.empty() && carry_ok_(j.req, j.write)) {
        in_clock_.push_back(std::move(j));
        return;
    }
    to_worker(in_clock_);
    jobs_.push_back(std::move(j));
    island_.notify_from_cycle(job_ev_);
}

void axi2tlm_bridge::to_worker(std::deque<job>& from) {
    while (!from.empty()) {
        jobs_.push_back(std::move(from.front()));
        from.pop_front();
    }
}

void axi2tlm_bridge::hand_over(const sc_core::sc_time& cycle_start) {
    asked_ = false;
    if (in_clock_.empty()) return;
    to_worker(in_clock_);
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    job_ev_.notify(cycle_start > now ? cycle_start - now : sc_core::SC_ZERO_TIME);
}

void axi2tlm_bridge::sample(std::uint64_t) {
    auto new_job = [&](job j) { add_job(std::move(j)); };
    if (p_.awvalid.get() && p_.awready.get()) {
        const axi_request r = request(true);
        if (on_request_) on_request_(r, true);
        if (!data_waiting_.empty()) {
            new_job({true, r, std::move(data_waiting_.front())});
            data_waiting_.pop_front();
        } else {
            aw_waiting_.push_back(r);
        }
    }
    if (p_.wvalid.get() && p_.wready.get()) {
        w_beat b;
        p_.wdata.get_bytes(b.data.data(), bus_bytes_);
        p_.wstrb.get_bytes(b.strb.data(), (bus_bytes_ + 7) / 8);
        w_cur_.push_back(b);
        if (p_.wlast.get() || w_cur_.size() > axi_max_incr_beats) {
            if (!aw_waiting_.empty()) {
                new_job({true, aw_waiting_.front(), std::move(w_cur_)});
                aw_waiting_.pop_front();
            } else {
                data_waiting_.push_back(std::move(w_cur_));
            }
            w_cur_.clear();
        }
    }
    if (p_.arvalid.get() && p_.arready.get()) {
        const axi_request r = request(false);
        if (on_request_) on_request_(r, false);
        new_job({false, r, {}});
    }
    if (p_.bvalid.get() && p_.bready.get()) b_out_.pop_front();
    if (p_.rvalid.get() && p_.rready.get()) r_out_.pop_front();
}

bool axi2tlm_bridge::busy() const {
    return working_ || !jobs_.empty() || !in_clock_.empty() || !aw_waiting_.empty() ||
           !data_waiting_.empty() || !w_cur_.empty() || !b_out_.empty() || !r_out_.empty();
}

void axi2tlm_bridge::worker() {
    for (;;) {
        while (jobs_.empty())
            sc_core::wait(job_ev_);
        job j = std::move(jobs_.front());
        jobs_.pop_front();
        working_ = true;
        carry_out(j, nullptr);
        working_ = false;
    }
}

sc_core::sc_time axi2tlm_bridge::carry(const sc_core::sc_time& cycle_start) {
    asked_ = false;
    sc_core::sc_time at = cycle_start;
    if (in_clock_.empty()) return at;     // this cycle's bursts went to the worker
    job j = std::move(in_clock_.front()); // the only one (add_job)
    in_clock_.pop_front();
    struct working {
        bool& flag;
        ~working() { flag = false; } // also when an exception leaves the target
    } w{working_};
    working_ = true;
    carry_out(j, &at);
    return at;
}

tlm::tlm_response_status axi2tlm_bridge::transport(bool write, std::uint64_t addr, bool with_be,
                                                   const axi_request& req, sc_core::sc_time* at) {
    tlm::tlm_generic_payload& gp = gp_;
    axi_ext ext;
    ext.explicit_burst = true;
    ext.burst = req.burst;
    ext.size_log2 = req.size_log2;
    ext.beats = req.beats;
    ext.has_id = true;
    ext.id = req.id;
    ext.user = req.user;
    ext.has_attrs = true;
    ext.attrs.cache = req.cache;
    ext.attrs.prot = req.prot;
    ext.attrs.qos = req.qos;
    ext.attrs.region = req.region;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data_.data());
    gp.set_data_length(static_cast<unsigned>(data_.size()));
    gp.set_streaming_width(static_cast<unsigned>(data_.size()));
    gp.set_byte_enable_ptr(with_be ? be_.data() : nullptr);
    gp.set_byte_enable_length(with_be ? static_cast<unsigned>(be_.size()) : 0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&ext);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (at) {
        // The cycles run ahead of SystemC time (rtl_island): the start as a delay.
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (*at > now) delay = *at - now;
    }
    socket->b_transport(gp, delay);
    gp.clear_extension(&ext);
    ++transactions_;
    if (at)
        *at = sc_core::sc_time_stamp() + delay;
    else if (delay != sc_core::SC_ZERO_TIME)
        sc_core::wait(delay);
    return gp.get_response_status();
}

void axi2tlm_bridge::carry_out(job& j, sc_core::sc_time* at) {
    axi_beats(j.req, bus_bytes_, beats_);
    const std::vector<axi_beat>& beats = beats_;
    // Runs of contiguous bytes: [first beat, end beat) with their start address.
    runs_.clear();
    for (std::size_t i = 0; i < beats.size(); ++i) {
        const std::uint64_t start =
            (beats[i].addr & ~std::uint64_t(bus_bytes_ - 1)) + beats[i].lane_lo;
        if (!runs_.empty() && j.req.burst != axi_burst::fixed &&
            runs_.back().addr + runs_.back().bytes == start) {
            runs_.back().end = i + 1;
            runs_.back().bytes += beats[i].lanes;
        } else {
            runs_.push_back({i, i + 1, start, beats[i].lanes});
        }
    }
    if (j.write) {
        axi_resp resp = j.data.size() == beats.size() ? axi_resp::okay : axi_resp::slverr;
        for (const run& r : runs_) {
            data_.clear();
            be_.clear();
            bool all = true;
            for (std::size_t i = r.first; i < r.end && i < j.data.size(); ++i)
                for (unsigned k = 0; k < beats[i].lanes; ++k) {
                    const unsigned lane = beats[i].lane_lo + k;
                    data_.push_back(j.data[i].data[lane]);
                    const bool on = (j.data[i].strb[lane / 8] >> (lane % 8)) & 1;
                    be_.push_back(on ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED);
                    all = all && on;
                }
            if (data_.empty()) continue;
            resp = worse(resp, to_axi(transport(true, r.addr, !all, j.req, at)));
        }
        b_out_.push_back({j.req.id, resp});
    } else {
        for (const run& r : runs_) {
            data_.assign(r.bytes, 0);
            const axi_resp resp = to_axi(transport(false, r.addr, false, j.req, at));
            std::size_t off = 0;
            for (std::size_t i = r.first; i < r.end; ++i) {
                r_beat b;
                b.id = j.req.id;
                b.resp = resp;
                b.last = i + 1 == beats.size();
                for (unsigned k = 0; k < beats[i].lanes; ++k, ++off)
                    if (resp == axi_resp::okay) b.data[beats[i].lane_lo + k] = data_[off];
                r_out_.push_back(b);
            }
        }
    }
    if (!at) island_.wake(); // the process running the cycles needs no waking
}

} // namespace epvp::rtl

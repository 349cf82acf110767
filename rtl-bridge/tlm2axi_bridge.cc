#include "rtl-bridge/tlm2axi_bridge.h"

#include <algorithm>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace epvp::rtl {

namespace {
// An object kept for reuse, or a new one.
template <class T>
std::unique_ptr<T> take_from(std::vector<std::unique_ptr<T>>& kept) {
    if (kept.empty()) return std::make_unique<T>();
    std::unique_ptr<T> t = std::move(kept.back());
    kept.pop_back();
    return t;
}
} // namespace

tlm2axi_bridge::tlm2axi_bridge(sc_core::sc_module_name name, rtl_island& island,
                               const axi_port& pins, const axi_attrs& default_attrs)
    : sc_module(name)
    , socket("socket")
    , island_(island)
    , p_(pins)
    , default_attrs_(default_attrs)
    , bus_bytes_(pins.data_bytes()) {
    const std::string bad = p_.validate();
    if (!bad.empty()) throw std::invalid_argument(std::string(basename()) + ": AXI " + bad);
    socket.register_b_transport(this, &tlm2axi_bridge::b_transport);
    island_.add_agent(this);
}

void tlm2axi_bridge::set_ready_stall(unsigned percent, std::uint32_t seed) {
    stall_percent_ = std::min(percent, 100u);
    rng_ = seed ? seed : 1;
}

bool tlm2axi_bridge::stall_now() {
    if (!stall_percent_) return false;
    rng_ = rng_ * 1664525u + 1013904223u;
    return (rng_ >> 16) % 100 < stall_percent_;
}

bool tlm2axi_bridge::byte_enabled(const tlm::tlm_generic_payload& gp, std::size_t i) const {
    const unsigned char* be = gp.get_byte_enable_ptr();
    const unsigned be_len = gp.get_byte_enable_length();
    if (!be || !be_len) return true;
    return be[i % be_len] == TLM_BYTE_ENABLED;
}

std::string tlm2axi_bridge::plan(tlm::tlm_generic_payload& gp, const axi_ext* ext, txn& t) {
    const std::uint64_t addr = gp.get_address();
    const std::size_t len = gp.get_data_length();
    const bool write = gp.is_write();
    if (len == 0) return "zero-length transaction";
    if (!gp.get_data_ptr()) return "no data pointer";
    auto add = [&](const axi_request& r) -> burst_job* {
        std::unique_ptr<burst_job> j = take_from(free_jobs_);
        j->beats.clear();
        j->next_beat = 0;
        j->seq = 0;
        j->req = r;
        j->write = write;
        j->owner = &t;
        t.jobs.push_back(std::move(j));
        return t.jobs.back().get();
    };
    if (ext && ext->explicit_burst) {
        axi_request r;
        r.addr = addr;
        r.beats = ext->beats;
        r.size_log2 = ext->size_log2;
        r.burst = ext->burst;
        const std::string bad = axi_burst_violation(r, bus_bytes_);
        if (!bad.empty()) return "illegal burst: " + bad;
        burst_job* j = add(r);
        std::size_t off = 0;
        axi_beats(r, bus_bytes_, beats_);
        for (const axi_beat& b : beats_) {
            j->beats.push_back({b.lane_lo, b.lanes, off});
            off += b.lanes;
        }
        if (off != len) {
            std::ostringstream os;
            os << "the burst moves " << off << " bytes but the transaction has " << len;
            return os.str();
        }
        return std::string();
    }
    const unsigned sw = gp.get_streaming_width();
    if (sw != 0 && sw < len) {
        // FIXED bursts of the streaming width.
        unsigned size_log2 = 0;
        while ((1u << size_log2) < sw)
            ++size_log2;
        if ((1u << size_log2) != sw || sw > bus_bytes_ || addr % sw || len % sw) {
            std::ostringstream os;
            os << "streaming width " << sw << " with length " << len << " at 0x" << std::hex << addr
               << " (needs a power of two up to " << std::dec << bus_bytes_
               << ", aligned start, whole beats)";
            return os.str();
        }
        const std::size_t total = len / sw;
        for (std::size_t done = 0; done < total;) {
            axi_request r;
            r.addr = addr;
            r.size_log2 = size_log2;
            r.burst = axi_burst::fixed;
            r.beats = static_cast<unsigned>(
                std::min<std::size_t>(axi_max_fixed_wrap_beats, total - done));
            burst_job* j = add(r);
            for (unsigned i = 0; i < r.beats; ++i)
                j->beats.push_back({static_cast<unsigned>(addr % bus_bytes_), sw, (done + i) * sw});
            done += r.beats;
        }
        return std::string();
    }
    // INCR bursts of the full bus width; offsets from the chunk's first beat, so that nothing
    // overflows in the last 4 KiB below 2^64.
    std::vector<axi_incr_chunk> chunks;
    const std::string bad = axi_split_incr(addr, len, bus_bytes_, chunks);
    if (!bad.empty()) return bad;
    for (const axi_incr_chunk& c : chunks) {
        burst_job* j = add(c.req);
        const std::uint64_t head = c.req.addr % bus_bytes_;
        for (unsigned i = 0; i < c.req.beats; ++i) {
            const std::uint64_t beat_lo = std::uint64_t(i) * bus_bytes_;
            const std::uint64_t lo = std::max(beat_lo, head);
            const std::uint64_t hi = std::min(beat_lo + bus_bytes_, head + c.bytes);
            j->beats.push_back({static_cast<unsigned>(lo - beat_lo), static_cast<unsigned>(hi - lo),
                                static_cast<std::size_t>(c.offset + (lo - head))});
        }
    }
    return std::string();
}

void tlm2axi_bridge::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (island_.is_clocking()) // it would wait for cycles only the caller can run
        throw std::logic_error(
            std::string(name()) +
            ": called by the process running the island's cycles (a request carried out "
            "in it needs the island)");
    // LT -> pins: the annotated time passes before the pins move. Not waited for when nothing
    // could happen meanwhile (rtl_island::may_run_ahead): the request goes in now and its
    // cycles start when the delay has passed, as if it had been waited for.
    sc_core::sc_time ahead = sc_core::SC_ZERO_TIME;
    if (delay != sc_core::SC_ZERO_TIME) {
        if (island_.may_run_ahead(delay))
            ahead = delay;
        else
            sc_core::wait(delay);
    }
    delay = sc_core::SC_ZERO_TIME;
    // A request refused before the pins returns once its delay has passed, as ever.
    auto refuse = [&](tlm::tlm_response_status st, const char* why) {
        if (ahead != sc_core::SC_ZERO_TIME) sc_core::wait(ahead);
        if (why) SC_REPORT_WARNING(name(), why);
        gp.set_response_status(st);
    };
    auto* ext = gp.get_extension<axi_ext>();
    if (!gp.is_read() && !gp.is_write()) return refuse(tlm::TLM_COMMAND_ERROR_RESPONSE, nullptr);
    if (p_.addr_bits < 64) {
        // The whole range must lie below 2^addr_bits (it may end exactly there).
        const std::uint64_t space = std::uint64_t(1) << p_.addr_bits;
        const std::uint64_t len = gp.get_data_length();
        if (gp.get_address() >= space || len > space - gp.get_address())
            return refuse(tlm::TLM_ADDRESS_ERROR_RESPONSE,
                          "address beyond the port's address width");
    }
    std::unique_ptr<txn> owned = take_txn(gp);
    struct give_back {
        tlm2axi_bridge& bridge;
        std::unique_ptr<txn>& t;
        // While a killed process unwinds, its bursts may still be queued or on the pins: the
        // transaction stays until they end (finish() recycles it), writing no read data.
        ~give_back() {
            if (t->pending == 0) {
                bridge.recycle(std::move(t));
                return;
            }
            t->gp = nullptr;
            bridge.abandoned_.push_back(std::move(t));
        }
    } done_with{*this, owned};
    txn& t = *owned;
    const std::string bad = plan(gp, ext, t);
    if (!bad.empty()) return refuse(tlm::TLM_BURST_ERROR_RESPONSE, bad.c_str());
    const unsigned id_mask = static_cast<unsigned>((std::uint64_t(1) << p_.id_bits) - 1);
    unsigned id = next_id_;
    if (ext && ext->has_id)
        id = ext->id & id_mask;
    else
        next_id_ = (next_id_ + 1) & id_mask;
    const std::uint64_t user_mask =
        p_.user_bits >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << p_.user_bits) - 1;
    const std::uint64_t user = ext ? ext->user & user_mask : 0;
    const axi_attrs attrs = ext && ext->has_attrs ? ext->attrs : default_attrs_;
    const unsigned char* data = gp.get_data_ptr();
    for (auto& j : t.jobs) {
        j->req.id = id;
        j->req.user = user;
        j->req.cache = attrs.cache & 0xF;
        j->req.prot = attrs.prot & 0x7;
        j->req.qos = attrs.qos & 0xF;
        j->req.region = attrs.region & 0xF;
        if (j->write) {
            aw_q_.push_back(j.get());
            for (std::size_t i = 0; i < j->beats.size(); ++i) {
                const beat_plan& b = j->beats[i];
                w_beat w;
                for (unsigned k = 0; k < b.lanes; ++k) {
                    const unsigned lane = b.lane_lo + k;
                    w.data[lane] = data[b.data_off + k];
                    if (byte_enabled(gp, b.data_off + k))
                        w.strb[lane / 8] |= std::uint8_t(1u << (lane % 8));
                }
                w.first = i == 0;
                w.last = i + 1 == j->beats.size();
                w_q_.push_back(w);
            }
        } else {
            ar_q_.push_back(j.get());
        }
        j->seq = bursts_++;
        in_flight_[j->write].push_back(j->seq);
        ++t.pending;
    }
    island_.run_in_caller(t.pending, ahead);
    sc_core::wait(t.done);
    gp.set_response_status(to_tlm(t.resp));
    if (ext) ext->resp = t.resp;
}

std::unique_ptr<tlm2axi_bridge::txn> tlm2axi_bridge::take_txn(tlm::tlm_generic_payload& gp) {
    std::unique_ptr<txn> t = take_from(free_txns_);
    // A transaction whose caller left just after its last response may still have that
    // response's notification scheduled: it must not wake this caller.
    t->done.cancel();
    t->gp = &gp;
    t->pending = 0;
    t->resp = axi_resp::okay;
    return t;
}

void tlm2axi_bridge::recycle(std::unique_ptr<txn> t) {
    for (auto& j : t->jobs)
        free_jobs_.push_back(std::move(j));
    t->jobs.clear();
    free_txns_.push_back(std::move(t));
}

void tlm2axi_bridge::finish(burst_job* j, axi_resp r) {
    txn* t = j->owner;
    t->resp = worse(t->resp, r);
    auto& fl = in_flight_[j->write];
    if (!fl.empty() && fl.front() == j->seq) {
        fl.pop_front(); // the oldest: in order
    } else if (const auto it = std::find(fl.begin(), fl.end(), j->seq); it != fl.end()) {
        ++out_of_order_;
        fl.erase(it);
    }
    --outstanding_;
    if (--t->pending != 0) return;
    if (!t->gp) { // its caller has left: nothing waits for it
        const auto it = std::find_if(abandoned_.begin(), abandoned_.end(),
                                     [t](const std::unique_ptr<txn>& a) { return a.get() == t; });
        if (it != abandoned_.end()) {
            std::unique_ptr<txn> done = std::move(*it);
            abandoned_.erase(it);
            recycle(std::move(done));
        }
        return;
    }
    // The cycle of the last handshake counts in full.
    island_.notify_from_cycle(t->done, island_.clock_period());
}

// The request at the head of an address queue on its channel's pins.
void tlm2axi_bridge::drive_address(const axi_addr_pins& c, const std::deque<burst_job*>& q) {
    c.valid.set(!q.empty());
    if (q.empty()) return;
    const axi_request& r = q.front()->req;
    c.id.set(r.id);
    c.addr.set(r.addr);
    c.len.set(r.beats - 1);
    c.size.set(r.size_log2);
    c.burst.set(static_cast<std::uint8_t>(r.burst));
    c.user.set(r.user);
    c.cache.set(r.cache);
    c.prot.set(r.prot);
    c.qos.set(r.qos);
    c.region.set(r.region);
}

void tlm2axi_bridge::drive() {
    // Nothing to send and no READY stalls: the pins still hold what the previous idle cycle
    // drove (VALIDs low, BREADY/RREADY high; only this bridge drives them), so leave them.
    const bool idle = stall_percent_ == 0 && aw_q_.empty() && w_q_.empty() && ar_q_.empty();
    if (idle && idle_driven_) return;
    idle_driven_ = idle;
    drive_address(p_.aw(), aw_q_);
    if (!aw_q_.empty()) {
        if (aw_stalled_ && faults_.drop_awvalid_while_stalled) {
            faults_.drop_awvalid_while_stalled = false;
            ++faults_.fired;
            p_.awvalid.set(0);
        } else if (aw_stalled_ && faults_.change_awaddr_while_stalled) {
            faults_.change_awaddr_while_stalled = false;
            ++faults_.fired;
            p_.awaddr.set(aw_q_.front()->req.addr ^ bus_bytes_);
        }
    }
    p_.wvalid.set(!w_q_.empty());
    if (!w_q_.empty()) {
        w_beat& w = w_q_.front();
        if (w.first && !w.last && faults_.early_wlast) {
            faults_.early_wlast = false;
            ++faults_.fired;
            w.last = true; // held until the beat is taken, as a real early WLAST would be
        }
        p_.wdata.set_bytes(w.data.data(), bus_bytes_);
        p_.wstrb.set_bytes(w.strb.data(), (bus_bytes_ + 7) / 8);
        p_.wlast.set(w.last);
    }
    drive_address(p_.ar(), ar_q_);
    bready_ = !stall_now();
    rready_ = !stall_now();
    p_.bready.set(bready_);
    p_.rready.set(rready_);
}

void tlm2axi_bridge::sample(std::uint64_t) {
    if (aw_q_.empty() && w_q_.empty() && ar_q_.empty() && outstanding_ == 0) {
        // Idle: this bridge drives no VALID, and a response matches no burst (the protocol
        // checker names it).
        aw_stalled_ = false;
        if (p_.bvalid.get() && p_.bready.get()) ++unmatched_;
        if (p_.rvalid.get() && p_.rready.get()) ++unmatched_;
        return;
    }
    aw_stalled_ = p_.awvalid.get() && !p_.awready.get();
    accept_address(p_.aw(), aw_q_, writes_);
    if (p_.wvalid.get() && p_.wready.get()) w_q_.pop_front();
    accept_address(p_.ar(), ar_q_, reads_);
    if (p_.bvalid.get() && p_.bready.get()) {
        std::deque<burst_job*>* q = writes_.find(static_cast<unsigned>(p_.bid.get()));
        if (!q || q->empty()) {
            ++unmatched_; // the protocol checker names it
        } else {
            burst_job* j = q->front();
            q->pop_front();
            finish(j, static_cast<axi_resp>(p_.bresp.get() & 3));
        }
    }
    if (p_.rvalid.get() && p_.rready.get()) {
        std::deque<burst_job*>* q = reads_.find(static_cast<unsigned>(p_.rid.get()));
        if (!q || q->empty()) {
            ++unmatched_;
        } else {
            burst_job* j = q->front();
            const axi_resp r = static_cast<axi_resp>(p_.rresp.get() & 3);
            tlm::tlm_generic_payload* gp = j->owner->gp; // null: its caller has left
            if (gp && j->next_beat < j->beats.size() &&
                (r == axi_resp::okay || r == axi_resp::exokay)) {
                const beat_plan& b = j->beats[j->next_beat];
                axi_lanes word;
                p_.rdata.get_bytes(word.data(), bus_bytes_);
                unsigned char* data = gp->get_data_ptr();
                for (unsigned k = 0; k < b.lanes; ++k)
                    if (byte_enabled(*gp, b.data_off + k))
                        data[b.data_off + k] = word[b.lane_lo + k];
            }
            j->owner->resp = worse(j->owner->resp, r);
            ++j->next_beat;
            if (p_.rlast.get() || j->next_beat >= j->beats.size()) {
                q->pop_front();
                finish(j, r);
            }
        }
    }
}

// An address handshake on the channel: its request is outstanding from now on.
void tlm2axi_bridge::accept_address(const axi_addr_pins& c, std::deque<burst_job*>& q,
                                    id_table<std::deque<burst_job*>>& outstanding) {
    if (!c.valid.get() || !c.ready.get()) return;
    burst_job* j = q.front();
    q.pop_front();
    outstanding[j->req.id].push_back(j);
    ++outstanding_;
}

bool tlm2axi_bridge::busy() const {
    return !aw_q_.empty() || !w_q_.empty() || !ar_q_.empty() || outstanding_ != 0;
}

} // namespace epvp::rtl

#include "rtl-bridge/axi_checker.h"

#include <algorithm>

#include <sstream>

namespace epvp::rtl {

std::string protocol_violation::message() const {
    std::ostringstream os;
    os << "protocol violation on " << port << ": rule " << rule << ", channel " << channel
       << ", cycle " << cycle << ": " << detail;
    return os.str();
}

axi_checker::axi_checker(const axi_port& port, violation_handler on_violation)
    : p_(port)
    , handler_(std::move(on_violation)) {
    const std::string bad = p_.validate();
    if (!bad.empty()) throw std::invalid_argument("axi_checker: AXI " + bad);
}

void axi_checker::fail(const char* rule, const char* channel, std::uint64_t cycle,
                       const std::string& detail) {
    protocol_violation v{p_.name, rule, channel, cycle, detail};
    violations_.push_back(v);
    if (handler_)
        handler_(v);
    else
        throw protocol_error(v);
}

void axi_checker::check_channel(const char* ch, channel_state& s, bool valid, bool ready,
                                std::initializer_list<const pin*> pins, std::uint64_t cycle) {
    const bool stall = valid && !ready;
    if (s.stalled && !valid)
        fail("valid-held", ch, cycle,
             std::string(ch) + "VALID dropped before " + ch + "READY was seen");
    // The payload matters only from a stalled cycle to the next one: read the pins then only
    // (most cycles have no stall, and reading every pin of every channel was most of the
    // checker's cost).
    if ((s.stalled && valid) || stall) {
        channel_payload now; // only its first n words are written and read
        const std::size_t n = payload_of(pins, now);
        if (s.stalled && valid &&
            (n != s.payload_words || !std::equal(now.begin(), now.begin() + n, s.payload.begin())))
            fail("payload-stable", ch, cycle,
                 std::string(ch) + " payload changed while " + ch + "VALID was high and " + ch +
                     "READY low");
        std::copy_n(now.begin(), n, s.payload.begin());
        s.payload_words = n;
    }
    s.stalled = stall;
    if (valid && ready) {
        ++handshakes_;
        ++s.handshakes;
    }
}

std::size_t axi_checker::payload_of(std::initializer_list<const pin*> pins, channel_payload& out) {
    std::size_t n = 0;
    std::uint64_t words[axi_max_data_bytes / 8];
    for (const pin* p : pins) {
        p->get_words64(words);
        for (unsigned w = 0; w < p->words64() && n < out.size(); ++w)
            out[n++] = words[w];
    }
    return n;
}

void axi_checker::sample(std::uint64_t cycle) {
    const bool awv = p_.awvalid.get(), wv = p_.wvalid.get(), bv = p_.bvalid.get(),
               arv = p_.arvalid.get(), rv = p_.rvalid.get();
    // A cycle with no VALID high and no stall left over checks nothing and changes nothing (the
    // READYs are not even read: most cycles of most ports are idle).
    if (!(awv || wv || bv || arv || rv || aw_.stalled || w_.stalled || b_.stalled || ar_.stalled ||
          r_.stalled))
        return;
    const bool awr = p_.awready.get(), wr = p_.wready.get(), br = p_.bready.get(),
               arr = p_.arready.get(), rr = p_.rready.get();
    // A response is new in a cycle where its VALID is high and was not held from a stall.
    const bool b_new = bv && !b_.stalled;
    const bool r_new = rv && !r_.stalled;
    // A channel neither valid nor stalled has nothing to check (check_channel would leave it
    // as it is): only the active ones are looked at.
    if (awv || aw_.stalled)
        check_channel("AW", aw_, awv, awr,
                      {&p_.awid, &p_.awaddr, &p_.awlen, &p_.awsize, &p_.awburst, &p_.awuser,
                       &p_.awcache, &p_.awprot, &p_.awqos, &p_.awregion},
                      cycle);
    if (wv || w_.stalled) check_channel("W", w_, wv, wr, {&p_.wdata, &p_.wstrb, &p_.wlast}, cycle);
    if (bv || b_.stalled) check_channel("B", b_, bv, br, {&p_.bid, &p_.bresp}, cycle);
    if (arv || ar_.stalled)
        check_channel("AR", ar_, arv, arr,
                      {&p_.arid, &p_.araddr, &p_.arlen, &p_.arsize, &p_.arburst, &p_.aruser,
                       &p_.arcache, &p_.arprot, &p_.arqos, &p_.arregion},
                      cycle);
    if (rv || r_.stalled)
        check_channel("R", r_, rv, rr, {&p_.rid, &p_.rdata, &p_.rresp, &p_.rlast}, cycle);

    // What a new response may depend on: handshakes of earlier cycles only (AXI4, ARM IHI 0022
    // section A3.3.1: BVALID after the AW handshake and the WLAST handshake, RVALID after the
    // AR handshake). Taken before this cycle's address and data handshakes are counted.
    const auto bid = static_cast<unsigned>(p_.bid.get()), rid = static_cast<unsigned>(p_.rid.get());
    const bool b_had_write = b_new && writes_complete_[bid] != 0;
    const bool r_had_read = r_new && !reads_[rid].empty();

    auto request = [](std::uint64_t addr, unsigned len, unsigned size, unsigned burst) {
        axi_request r;
        r.addr = addr;
        r.beats = len + 1;
        r.size_log2 = size;
        r.burst = static_cast<axi_burst>(burst & 3);
        return r;
    };
    auto burst_rule = [&](const char* ch, const axi_request& r) {
        const std::string v = axi_burst_violation(r, p_.data_bytes());
        if (v.empty()) return;
        const auto colon = v.find(':');
        const std::string rule = v.substr(0, colon);
        fail(rule.c_str(), ch, cycle, v.substr(colon + 2));
    };
    // A write is ready for its B response once both its address and its data are complete.
    bool write_completed_now = false; // a write with BID completed in this cycle
    auto write_complete = [&](unsigned id) {
        ++writes_complete_[id];
        write_completed_now = write_completed_now || id == bid;
    };

    if (awv && awr) {
        const axi_request r =
            request(p_.awaddr.get(), p_.awlen.get(), p_.awsize.get(), p_.awburst.get());
        burst_rule("AW", r);
        const auto id = static_cast<unsigned>(p_.awid.get());
        if (!data_waiting_aw_.empty()) {
            const unsigned beats = data_waiting_aw_.front();
            data_waiting_aw_.pop_front();
            if (beats != r.beats) {
                std::ostringstream os;
                os << "WLAST came on beat " << beats << " of a " << r.beats << "-beat burst";
                fail("wlast", "W", cycle, os.str());
            }
            write_complete(id);
        } else {
            aw_waiting_data_.push_back({id, r.beats});
        }
    }
    if (wv && wr) {
        ++w_beats_;
        const bool last = p_.wlast.get();
        if (!aw_waiting_data_.empty()) {
            const unsigned id = aw_waiting_data_.front().first;
            const unsigned beats = aw_waiting_data_.front().second;
            if (last != (w_beats_ == beats)) {
                std::ostringstream os;
                os << (last ? "WLAST set on beat " : "WLAST missing on beat ") << w_beats_
                   << " of a " << beats << "-beat burst";
                fail("wlast", "W", cycle, os.str());
            }
            if (last || w_beats_ == beats) {
                aw_waiting_data_.pop_front();
                w_beats_ = 0;
                write_complete(id);
            }
        } else if (last) {
            data_waiting_aw_.push_back(w_beats_);
            w_beats_ = 0;
        } else if (w_beats_ > axi_max_incr_beats) {
            fail("wlast", "W", cycle, "more than 256 write beats without WLAST");
            w_beats_ = 0;
        }
    }
    bool read_requested_now = false; // a read with RID was accepted in this cycle
    if (arv && arr) {
        const axi_request r =
            request(p_.araddr.get(), p_.arlen.get(), p_.arsize.get(), p_.arburst.get());
        burst_rule("AR", r);
        const auto id = static_cast<unsigned>(p_.arid.get());
        reads_[id].push_back(r.beats);
        read_requested_now = id == rid;
    }

    if (b_new && !b_had_write) {
        std::ostringstream os;
        if (write_completed_now) {
            os << "BVALID with BID " << bid
               << " in the cycle its write's address or last data handshake "
                  "completed (the "
                  "response must come in a later cycle)";
            fail("b-early", "B", cycle, os.str());
        } else {
            os << "BID " << bid << " matches no write whose address and data are complete";
            fail("b-id", "B", cycle, os.str());
        }
    }
    if (bv && br) {
        unsigned* complete = writes_complete_.find(bid);
        if (complete && *complete != 0) --*complete;
    }
    if (r_new && !r_had_read) {
        std::ostringstream os;
        if (read_requested_now) {
            os << "RVALID with RID " << rid
               << " in the cycle of its read's address handshake (read data must "
                  "come in a "
                  "later cycle)";
            fail("r-early", "R", cycle, os.str());
        } else {
            os << "RID " << rid << " matches no outstanding read";
            fail("r-id", "R", cycle, os.str());
        }
    }
    if (rv && rr) read_beat(rid, p_.rlast.get(), cycle);
}

void axi_checker::read_beat(unsigned id, bool last, std::uint64_t cycle) {
    std::deque<unsigned>* outstanding = reads_.find(id);
    if (!outstanding || outstanding->empty()) return; // named when RVALID rose (r-id)
    std::deque<unsigned>& q = *outstanding;
    unsigned& beats_seen = r_beats_[id];
    const unsigned seen = ++beats_seen;
    const unsigned beats = q.front();
    // A younger read with this ID at least `len` beats long (index in q, or 0 for none).
    auto younger = [&](unsigned len, bool exact) -> std::size_t {
        for (std::size_t i = 1; i < q.size(); ++i)
            if (exact ? q[i] == len : q[i] >= len) return i;
        return 0;
    };
    auto done = [&](std::size_t i) {
        if (i == 0)
            q.pop_front(); // the oldest: in order
        else
            q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
        beats_seen = 0;
    };
    if (last) {
        if (seen == beats) return done(0);
        if (const std::size_t k = younger(seen, true)) {
            std::ostringstream os;
            os << "RID " << id << ": a " << seen << "-beat burst ended while the oldest read with "
               << "this ID is " << beats << " beats long; it matches read " << k + 1 << " of the "
               << q.size() << " outstanding with this ID (same-ID read data must "
               << "return in request order)";
            fail("r-order", "R", cycle, os.str());
            return done(k);
        }
        std::ostringstream os;
        os << "RLAST set on beat " << seen << " of a " << beats << "-beat burst with RID " << id;
        fail("rlast", "R", cycle, os.str());
        return done(0);
    }
    // No RLAST: fine before the oldest read's length, or while a younger same-ID read is longer
    // (decided at its RLAST).
    if (seen < beats || younger(seen + 1, false)) return;
    std::ostringstream os;
    os << "RLAST missing on beat " << seen << " of a " << beats << "-beat burst with RID " << id;
    fail("rlast", "R", cycle, os.str());
    done(0);
}

} // namespace epvp::rtl

#include "model/pcie/link.h"

#include "model/core/log.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace epvp::pcie {

using sc_core::sc_time;

namespace {
constexpr double giga = 1e9;
constexpr double bits_per_byte = 8.0;
constexpr double ps_per_s = 1e12;
constexpr unsigned flit_gen = 6;                               // Gen6 runs in FLIT mode
constexpr double skp_symbols = 4, skp_interval_symbols = 1538; // SKP ordered sets, Gen1-5
constexpr unsigned dllp_bytes = 8;                             // ACK/NAK, UpdateFC
constexpr unsigned dllps_per_interval = 2;                     // one ACK and one UpdateFC
constexpr unsigned credit_unit_bytes = 16;                     // one data credit
constexpr unsigned replay_num_rollover = 4; // REPLAY_NUM is 2 bits: the 4th replay rolls it over
constexpr unsigned replay_timer_ack_factor = 3; // replay timer limit ~ 3 x the ACK latency limit
constexpr std::uint64_t splitmix_gamma = 0x9E3779B97F4A7C15ull;
constexpr double two_pow_minus_53 = 1.0 / 9007199254740992.0;
constexpr std::uint64_t downstream_stream = 0x6A09E667F3BCC908ull; // per-direction seed salt
constexpr std::uint64_t upstream_stream = 0xBB67AE8584CAA73Bull;

// splitmix64's output function.
std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// ACK latency limit / UpdateFC interval in symbol times, by rate, link width and MPS: PCIe Base
// Spec 5.0 tables 3-7 (2.5 GT/s), 3-8 (5.0 GT/s) and 3-9 (8.0 GT/s) for the AckNak latency limit;
// the UpdateFC guidelines of tables 2-46..2-48 hold the same values for x1..x16, so one table
// serves both. Each cell is (MPS + 28 TLP overhead symbols) x AckFactor / width + the internal
// delay (19, 70, 115 symbol times). 16.0 and 32.0 GT/s use the 8.0 GT/s table (the same internal
// delay), as does FLIT mode for its retry timing.
constexpr unsigned dllp_mps_bytes[] = {128, 256, 512, 1024, 2048, 4096};
constexpr unsigned dllp_widths[] = {1, 2, 4, 8, 16};
constexpr std::size_t dllp_mps_count = sizeof dllp_mps_bytes / sizeof dllp_mps_bytes[0];
constexpr std::size_t dllp_width_count = sizeof dllp_widths / sizeof dllp_widths[0];
constexpr unsigned dllp_table[3][dllp_width_count][dllp_mps_count] = {
    // 2.5 GT/s (table 3-7).
    {{237, 416, 559, 1071, 2095, 4143},
     {128, 217, 289, 545, 1057, 2081},
     {73, 118, 154, 282, 538, 1050},
     {67, 107, 86, 150, 278, 534},
     {48, 72, 86, 150, 278, 534}},
    // 5.0 GT/s (table 3-8).
    {{288, 467, 610, 1122, 2146, 4194},
     {179, 268, 340, 596, 1108, 2132},
     {124, 169, 205, 333, 589, 1101},
     {118, 158, 137, 201, 329, 585},
     {99, 123, 137, 201, 329, 585}},
    // 8.0 GT/s and up (table 3-9).
    {{333, 512, 655, 1167, 2191, 4239},
     {224, 313, 385, 641, 1153, 2177},
     {169, 214, 250, 378, 634, 1146},
     {163, 203, 182, 246, 374, 630},
     {144, 168, 182, 246, 374, 630}},
};
} // namespace

double lane_bytes_per_second(unsigned gen) {
    // Raw GT/s and line code per generation; Gen6 uses FLIT mode (236 of 256 bytes carry TLPs).
    switch (gen) {
    case 1:
        return 2.5 * giga * (8.0 / 10.0) / bits_per_byte;
    case 2:
        return 5.0 * giga * (8.0 / 10.0) / bits_per_byte;
    case 3:
        return 8.0 * giga * (128.0 / 130.0) / bits_per_byte;
    case 4:
        return 16.0 * giga * (128.0 / 130.0) / bits_per_byte;
    case 5:
        return 32.0 * giga * (128.0 / 130.0) / bits_per_byte;
    default:
        return 64.0 * giga * (236.0 / 256.0) / bits_per_byte;
    }
}

unsigned dllp_interval_symbols(unsigned gen, unsigned width, unsigned mps_bytes) {
    const std::size_t rate = gen <= 1 ? 0 : gen == 2 ? 1 : 2;
    // The row of the widest tabulated width not above the link's (the widths are x1..x16).
    std::size_t w = 0;
    while (w + 1 < dllp_width_count && dllp_widths[w + 1] <= width)
        ++w;
    // The column of the smallest tabulated MPS not below the link's.
    std::size_t m = 0;
    while (m + 1 < dllp_mps_count && dllp_mps_bytes[m] < mps_bytes)
        ++m;
    return dllp_table[rate][w][m];
}

pcie_link::pcie_link(sc_core::sc_module_name name, const link_params& p)
    : sc_module(name)
    , up_status("up_status")
    , dn_status("dn_status")
    , up_control("up_control")
    , dn_control("dn_control")
    , up_in("up_in")
    , dn_out("dn_out")
    , dn_in("dn_in")
    , up_out("up_out")
    , p_(p) {
    up_control.bind(static_cast<link_control_if&>(*this));
    dn_control.bind(static_cast<link_training_if&>(*this));
    up_in.register_b_transport(this, &pcie_link::b_transport_down);
    dn_in.register_b_transport(this, &pcie_link::b_transport_up);
    auto setup = [](credit_pool* pools, const rx_credits& c) {
        pools[posted].header_limit = c.posted_header;
        pools[posted].data_limit = c.posted_data;
        pools[posted].drain = c.posted_drain;
        pools[nonposted].header_limit = c.nonposted_header;
        pools[nonposted].data_limit = c.nonposted_data;
        pools[nonposted].drain = c.nonposted_drain;
        pools[completion].header_limit = c.completion_header;
        pools[completion].data_limit = c.completion_data;
        pools[completion].drain = c.completion_drain;
    };
    setup(credits_[downstream], p.ep_rx);
    setup(credits_[upstream], p.host_rx);
    // One fault stream per direction, both from faults.seed (not sim.seed).
    // (The seed goes through the mixer: seeds n and n + 1 must not give shifted sequences.)
    prng_[downstream] = mix64(p.retry.seed ^ downstream_stream);
    prng_[upstream] = mix64(p.retry.seed ^ upstream_stream);
    if (p.down_at != sc_core::SC_ZERO_TIME) {
        fault_pending_ = true;
        SC_THREAD(fault_thread);
    }
}

void pcie_link::fault_thread() {
    sc_core::wait(p_.down_at);
    ++link_down_faults_;
    partner_lost_ = true;
    tell_partner();
    logger::get().warning("link",
                          std::string(basename()) + ": link-down fault: partner lost for " +
                              logger::format_time(p_.down_duration.value()),
                          "link-down-fault");
    down();
    sc_core::wait(p_.down_duration);
    partner_lost_ = false;
    tell_partner();
    if (logger::get().enabled("link"))
        logger::get().info("link", std::string(basename()) + ": partner back; the link may train");
    partner_back_.notify(sc_core::SC_ZERO_TIME);
}

const char* to_string(pcie_link::dll_error e) {
    switch (e) {
    case pcie_link::dll_error::bad_tlp:
        return "Bad TLP";
    case pcie_link::dll_error::bad_dllp:
        return "Bad DLLP";
    case pcie_link::dll_error::replay_timer_timeout:
        return "Replay Timer Timeout";
    case pcie_link::dll_error::replay_num_rollover:
        return "REPLAY_NUM Rollover";
    }
    return "?";
}

sc_time pcie_link::tlp_duration(std::uint64_t bytes) const {
    const sc_time serial = wire_time(bytes);
    const sc_time core =
        p_.core_period * static_cast<double>((bytes + p_.datapath_bytes - 1) / p_.datapath_bytes);
    return std::max(serial, core);
}

double pcie_link::draw(direction d) {
    // splitmix64: the same sequence on every platform and compiler.
    return static_cast<double>(mix64(prng_[d] += splitmix_gamma) >> 11) * two_pow_minus_53;
}

unsigned pcie_link::lcrc_failures(direction d) {
    const auto& r = p_.retry;
    ++tlp_index_[d];
    if (r.lcrc_nth_tlp && static_cast<int>(d) == r.lcrc_direction &&
        tlp_index_[d] == r.lcrc_nth_tlp)
        return r.lcrc_count;
    if (r.lcrc_error_rate <= 0) return 0;
    unsigned n = 0;
    // Each transmission (the first and every replay) fails independently.
    while (draw(d) < r.lcrc_error_rate)
        ++n;
    return n;
}

bool pcie_link::poison_next(direction d, tlp_type t) {
    using filter = link_params::poison_params::filter;
    const auto& p = p_.poison;
    if ((!p.nth_tlp && p.rate <= 0) || static_cast<int>(d) != p.direction) return false;
    if (t != tlp_type::mwr && t != tlp_type::cpld) return false;
    if ((p.type == filter::mwr && t != tlp_type::mwr) ||
        (p.type == filter::cpld && t != tlp_type::cpld))
        return false;
    ++poison_index_[d];
    if (p.nth_tlp && poison_index_[d] == p.nth_tlp) return true;
    return p.rate > 0 && draw(d) < p.rate;
}

void pcie_link::hot_reset(bool asserted) {
    if (asserted == hot_reset_) return;
    hot_reset_ = asserted;
    if (asserted) {
        ++hot_resets_;
        partner_lost_ = true;
        tell_partner();
        if (logger::get().enabled("link"))
            logger::get().info("link", std::string(basename()) +
                                           ": hot reset (Secondary Bus Reset): training sequence "
                                           "with the Hot Reset bit");
        down();
        return;
    }
    partner_lost_ = false;
    tell_partner();
    if (logger::get().enabled("link"))
        logger::get().info("link",
                           std::string(basename()) + ": hot reset released; the link may train");
    partner_back_.notify(sc_core::SC_ZERO_TIME);
}

void pcie_link::tell_state() {
    for (auto* end : {&up_status, &dn_status})
        for (int i = 0; i < end->size(); ++i)
            (*end)[i]->link_state(up_, gen_, width_);
    for (auto& cb : listeners_)
        cb(up_);
}

void pcie_link::tell_partner() {
    for (auto* end : {&up_status, &dn_status})
        for (int i = 0; i < end->size(); ++i)
            (*end)[i]->link_partner(!partner_lost_, end == &dn_status && hot_reset_);
}

void pcie_link::tell(direction d, dll_error e, sc_time when) {
    // The receiver of direction d detects a Bad TLP; its transmitter the others.
    auto& end = (e == dll_error::bad_tlp) == (d == downstream) ? dn_status : up_status;
    for (int i = 0; i < end.size(); ++i)
        end[i]->link_dll_error(e, when);
    for (auto& cb : dll_listeners_)
        cb(d, e, when);
}

sc_time pcie_link::reserve_replay_buffer(direction d, std::uint64_t bytes, sc_time start) {
    const std::uint64_t limit = p_.retry.replay_buffer_bytes;
    auto& buf = replay_buffer_[d];
    auto drop = [&](const sc_time& t) {
        while (!buf.empty() && buf.front().acked <= t) {
            replay_used_[d] -= buf.front().bytes;
            buf.pop_front();
        }
    };
    drop(start);
    if (!limit) return start;
    // A TLP larger than the whole buffer waits until it is empty.
    while (!buf.empty() && replay_used_[d] + bytes > limit) {
        start = std::max(start, buf.front().acked);
        drop(start);
    }
    return start;
}

sc_time pcie_link::wire_time(std::uint64_t bytes) const {
    // The kernel's resolution is 1 ps (set by the platform); from_value avoids unit conversion.
    return sc_time::from_value(
        static_cast<std::uint64_t>(static_cast<double>(bytes) * ps_per_byte_ + 0.5));
}

namespace {
// The dwords a payload of `payload` bytes spans from `lead` bytes into its first dword, in bytes.
std::uint64_t spanned_bytes(std::uint64_t payload, unsigned lead) {
    return payload ? (lead + payload + dword_bytes - 1) / dword_bytes * dword_bytes : 0;
}
} // namespace

std::uint64_t pcie_link::tlp_wire_bytes(const pcie_tlp& t, std::uint64_t payload,
                                        unsigned lead) const {
    const std::uint64_t spanned = spanned_bytes(payload, lead);
    if (!flit_) return wire_bytes(header_bytes(t), spanned, p_.ecrc);
    // FLIT mode: no per-TLP framing or LCRC (the flit carries sequence number, CRC and FEC).
    return header_bytes(t) + spanned + (p_.ecrc ? ecrc_bytes : 0);
}

void pcie_link::train(unsigned ep_max_gen, unsigned ep_max_width) {
    gen_ = std::min(p_.max_gen, ep_max_gen);
    width_ = std::min(p_.max_width, ep_max_width);
    flit_ = gen_ >= flit_gen;
    ps_per_byte_ = ps_per_s / (lane_bytes_per_second(gen_) * width_);
    if (!flit_) ps_per_byte_ *= skp_interval_symbols / (skp_interval_symbols - skp_symbols);
    dllp_interval_bytes_ =
        std::uint64_t(dllp_interval_symbols(gen_, width_, p_.mps_bytes)) * width_;
    dllp_time_ = wire_time(dllp_bytes);
    // One symbol time: a byte on one lane.
    const sc_time symbol = sc_time::from_value(
        static_cast<std::uint64_t>(ps_per_s / lane_bytes_per_second(gen_) + 0.5));
    ack_latency_ =
        p_.retry.ack_latency != sc_core::SC_ZERO_TIME
            ? p_.retry.ack_latency
            : symbol * static_cast<double>(dllp_interval_symbols(gen_, width_, p_.mps_bytes));
    // A given ACK latency is also the interval at which the receiver sends its ACK and
    // UpdateFC DLLPs: that many symbol times, a byte per lane each (at least one).
    if (p_.retry.ack_latency != sc_core::SC_ZERO_TIME) {
        constexpr double whole = 1e-6; // 255.9999999 symbols from rounding are 256
        const double symbols = p_.retry.ack_latency.to_seconds() * lane_bytes_per_second(gen_);
        dllp_interval_bytes_ =
            std::max<std::uint64_t>(1, static_cast<std::uint64_t>(symbols + whole)) * width_;
    }
    replay_timer_ = p_.retry.replay_timer != sc_core::SC_ZERO_TIME
                        ? p_.retry.replay_timer
                        : ack_latency_ * static_cast<double>(replay_timer_ack_factor);
    duration_by_bytes_.clear(); // the rate changed
    // A link that trains (again) starts empty: no replay, credit or DLLP state survives.
    for (unsigned d = 0; d < 2; ++d) {
        replay_buffer_[d].clear();
        replay_used_[d] = 0;
        for (auto& pool : credits_[d]) {
            pool.in_buffer.clear();
            pool.header_used = pool.data_used = 0;
        }
        dllp_debt_[d] = sc_core::SC_ZERO_TIME;
        bytes_since_dllp_[d] = 0;
        next_free_[d] = std::max(next_free_[d], sc_core::sc_time_stamp());
    }
    if (sc_core::sc_time_stamp() > p_.down_at) fault_pending_ = false;
    up_ = true;
    if (logger::get().enabled("link"))
        logger::get().info("link",
                           "up: Gen" + std::to_string(gen_) + " x" + std::to_string(width_));
    tell_state();
}

void pcie_link::down() {
    if (!up_) return;
    up_ = false;
    if (logger::get().enabled("link")) logger::get().info("link", "down");
    tell_state();
}

void pcie_link::b_transport_down(tlm::tlm_generic_payload& gp, sc_time& delay) {
    carry(downstream, gp, delay);
}
void pcie_link::b_transport_up(tlm::tlm_generic_payload& gp, sc_time& delay) {
    carry(upstream, gp, delay);
}

pcie_link::credit_class pcie_link::class_of(tlp_type t) {
    if (is_posted(t)) return posted;
    if (is_completion(t)) return completion;
    return nonposted;
}

sc_time pcie_link::reserve_credits(direction d, credit_class c, unsigned data_credits,
                                   sc_time start) {
    credit_pool& pool = credits_[d][c];
    auto drop = [&pool](const sc_time& t) {
        while (!pool.in_buffer.empty() && pool.in_buffer.front().release <= t) {
            pool.header_used -= pool.in_buffer.front().header;
            pool.data_used -= pool.in_buffer.front().data;
            pool.in_buffer.pop_front();
        }
    };
    drop(start);
    auto short_of = [&]() {
        return (pool.header_limit && pool.header_used + 1 > pool.header_limit) ||
               (pool.data_limit && pool.data_used + data_credits > pool.data_limit);
    };
    while (short_of() && !pool.in_buffer.empty()) {
        start = std::max(start, pool.in_buffer.front().release);
        drop(start);
    }
    return start;
}

void pcie_link::charge_dllps(direction d, std::uint64_t bytes) {
    if (flit_ || !p_.dllp || !dllp_interval_bytes_) return;
    bytes_since_dllp_[d] += bytes;
    const direction r = d == downstream ? upstream : downstream;
    while (bytes_since_dllp_[d] >= dllp_interval_bytes_) {
        bytes_since_dllp_[d] -= dllp_interval_bytes_;
        // The DLLPs go out on the reverse direction after its last TLP, ahead of its next one
        // (a reservation at a future time would block earlier TLPs there): a direction idle for
        // longer than they take sent them meanwhile.
        dllp_debt_[r] += dllp_time_ * static_cast<double>(dllps_per_interval);
        stats_[r].dllps += dllps_per_interval;
        stats_[r].busy += dllp_time_ * static_cast<double>(dllps_per_interval);
    }
}

pcie_link::reservation pcie_link::reserve(direction d, tlp_type type, std::uint64_t bytes,
                                          std::uint64_t payload, std::uint64_t data_bytes,
                                          sc_time link_free, std::vector<dll_event>& events) {
    reservation v;
    v.link_free = link_free;
    // The same value as tlp_duration(bytes), computed once per size on this trained link (zero:
    // not computed yet; a TLP on a trained link never takes zero time).
    if (bytes >= duration_by_bytes_.size()) duration_by_bytes_.resize(bytes + 1);
    sc_time& cached = duration_by_bytes_[bytes];
    if (cached == sc_core::SC_ZERO_TIME) cached = tlp_duration(bytes);
    const sc_time duration = cached;
    dllp_debt_[d] = sc_core::SC_ZERO_TIME;
    const credit_class cls = class_of(type);
    credit_pool& pool = credits_[d][cls];
    const bool limited = pool.header_limit || pool.data_limit;
    const unsigned data_credits =
        static_cast<unsigned>((data_bytes + credit_unit_bytes - 1) / credit_unit_bytes);
    v.credit_ok = limited ? reserve_credits(d, cls, data_credits, link_free) : link_free;
    v.start = reserve_replay_buffer(d, bytes, v.credit_ok);
    counters& c = stats_[d];
    c.replay_buffer_stall += v.start - v.credit_ok;

    // Data Link Layer retry: each failed transmission is NAKed (or, with the NAK lost, timed out)
    // and the TLP goes out again.
    const direction r = d == downstream ? upstream : downstream;
    sc_time end = v.start + duration;
    unsigned replay_num = 0;
    for (unsigned fail = lcrc_failures(d); fail > 0; --fail) {
        ++c.lcrc_errors;
        const sc_time detected = end + p_.propagation;
        events.push_back({dll_error::bad_tlp, detected});
        sc_time replay_at;
        // The receiver's NAK crosses the reverse direction.
        dllp_debt_[r] += dllp_time_;
        ++stats_[r].dllps;
        stats_[r].busy += dllp_time_;
        if (p_.retry.dllp_error_rate > 0 && draw(r) < p_.retry.dllp_error_rate) {
            ++c.bad_dllps;
            ++c.replay_timer_timeouts;
            events.push_back({dll_error::bad_dllp, detected + dllp_time_ + p_.propagation});
            replay_at = end + replay_timer_;
            events.push_back({dll_error::replay_timer_timeout, replay_at});
        } else {
            // The receiver schedules the NAK for transmission immediately (PCIe Base Spec, Data
            // Link Layer TLP receive handling); the ACK latency limit is the Acks'.
            ++c.naks;
            replay_at = detected + dllp_time_ + p_.propagation;
        }
        if (++replay_num == replay_num_rollover) {
            replay_num = 0;
            ++c.rollovers;
            ++c.retrains;
            events.push_back({dll_error::replay_num_rollover, replay_at});
            if (logger::get().enabled("ltssm"))
                logger::get().info("ltssm", std::string(basename()) + ": REPLAY_NUM rollover (" +
                                                (d == downstream ? "downstream" : "upstream") +
                                                "): Recovery at " +
                                                logger::format_time(replay_at.value()));
            replay_at += p_.retry.retrain_time;
            // Recovery retrains both directions.
            next_free_[r] = std::max(next_free_[r], replay_at);
        }
        ++c.replays;
        c.bytes_replayed += bytes;
        c.busy += duration;
        end = replay_at + duration;
    }
    c.time_lost += end - (v.start + duration);
    next_free_[d] = end;
    v.end = end;
    v.arrival = end + p_.propagation;
    // Held for replay until the receiver's ACK is back.
    replay_buffer_[d].push_back(
        replay_entry{v.arrival + ack_latency_ + dllp_time_ + p_.propagation, bytes});
    replay_used_[d] += bytes;
    if (limited) {
        // Credits return once the receiver drained the TLP and its UpdateFC crossed the link.
        pool.in_buffer.push_back(
            held{v.arrival + pool.drain + dllp_time_ + p_.propagation, 1, data_credits});
        pool.header_used += 1;
        pool.data_used += data_credits;
    }

    ++c.tlps;
    ++c.tlps_by_type[static_cast<unsigned>(type)];
    c.wire_bytes += bytes;
    c.payload_bytes += payload;
    c.busy += duration;
    charge_dllps(d, bytes);
    return v;
}

bool pcie_link::refuse_down(tlm::tlm_generic_payload& gp, const pcie_tlp& t,
                            const sc_time& link_free) {
    if (up_ && !(fault_pending_ && link_free >= p_.down_at)) return false;
    // Down, or its reservation starts at or after the link-down instant (ahead of the simulated
    // time the link itself has reached).
    ++failed_link_down_;
    logger::get().warning(
        "link", std::string("TLP ") + to_string(t.type) + " sent while the link is down: dropped",
        "link-down");
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return true;
}

void pcie_link::carry(direction d, tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    if (t.burst) {
        carry_burst(d, gp, t, delay);
        return;
    }
    // What this TLP adds to each direction (link_activity): the three counters it can change.
    const activity_mark before = mark();
    const sc_time now = sc_core::sc_time_stamp();
    const sc_time ready = now + delay;
    // DLLPs owed on this direction go out first: right after the last TLP it carried, so time
    // the direction sat idle since has absorbed them.
    const sc_time link_free = std::max(ready, next_free_[d] + dllp_debt_[d]);
    if (refuse_down(gp, t, link_free)) return;
    const std::uint64_t payload = has_data(t.type) ? gp.get_data_length() : 0;
    // A completion's data starts at its Lower Address, a request's at its address.
    const unsigned lead = static_cast<unsigned>(
        (is_completion(t.type) ? t.lower_addr : gp.get_address()) % dword_bytes);
    const std::uint64_t bytes = tlp_wire_bytes(t, payload, lead);
    std::vector<dll_event> events; // told once this TLP's reservation is complete
    const reservation v =
        reserve(d, t.type, bytes, payload, spanned_bytes(payload, lead), link_free, events);
    counters& c = stats_[d];
    const tlp_link_timing sent{v.end, (link_free - ready) + (v.start - v.credit_ok), // replay-
                               v.credit_ok - link_free}; // buffer stall included
    c.link_wait += sent.link_wait;
    c.credit_stall += sent.credit_wait;
    tell_activity(before);
    for (const auto& e : events)
        tell(d, e.e, e.when);

    delay = v.arrival - now;
    // The EP bit, injected for this transmission only (the sender's extension is its own).
    const bool was_poisoned = t.poisoned;
    if (poison_next(d, t.type)) {
        t.poisoned = true;
        ++c.poisoned;
        logger::get().warning("link",
                              std::string(basename()) + ": fault injection: " + to_string(t.type) +
                                  " " + hex(gp.get_address()) + " " +
                                  (d == downstream ? "downstream" : "upstream") +
                                  " poisoned (EP bit)",
                              "poison");
    }
    for (const auto& o : tlp_observers_)
        o(d, gp, v.start, next_free_[d]);
    if (logger::get().enabled("tlp")) log_tlp(d, gp, t, v.start, v.arrival, "");
    (d == downstream ? dn_out : up_out)->b_transport(gp, delay);
    t.poisoned = was_poisoned;
    t.sent = sent; // for the sender: written after any later link on the way wrote its own
}

// Burst mode: each piece is reserved as carry reserves a single TLP, ready at its own time or
// when the piece before it left (started, for requests); one transaction goes on with the data of
// all. The first link of the way writes the pieces' times; a burst meets only one link.
void pcie_link::carry_burst(direction d, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                            sc_time& delay) {
    const activity_mark before = mark();
    const sc_time now = sc_core::sc_time_stamp();
    auto& pieces = t.burst->pieces;
    sc_time chain = now + delay;
    std::vector<dll_event> events;
    counters& c = stats_[d];
    tlp_link_timing sent;
    // Completions answer requests that, one TLP at a time, went out between them on the reverse
    // direction and took the DLLPs owed there along: those requests have gone, so what the
    // pieces of an earlier request charged is settled, and only the last request's stays owed.
    const direction r = d == downstream ? upstream : downstream;
    const sc_time owed_before = dllp_debt_[r];
    std::uint64_t piece_addr = gp.get_address(); // where the next piece's data starts
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        tlp_burst_piece& p = pieces[i];
        if (i > 0 && p.group != pieces[i - 1].group) dllp_debt_[r] = owed_before;
        const sc_time ready = std::max(chain, p.ready);
        const std::size_t after = t.burst->stop_after;
        if (i > 0 && (ready >= t.burst->end_before ||
                      ((after == tlp_burst::no_piece || after < i) &&
                       ready >= std::max(t.burst->stop_at, after == tlp_burst::no_piece
                                                               ? sc_core::SC_ZERO_TIME
                                                               : pieces[after].departed)))) {
            // The sender's other work comes first: the rest of the burst stays with it.
            pieces.resize(i);
            std::uint64_t bytes = 0;
            for (const auto& kept : pieces)
                bytes += kept.bytes;
            gp.set_data_length(static_cast<unsigned>(bytes));
            gp.set_streaming_width(static_cast<unsigned>(bytes));
            break;
        }
        const sc_time link_free = std::max(ready, next_free_[d] + dllp_debt_[d]);
        if (i == 0 && refuse_down(gp, t, link_free)) return;
        const std::uint64_t payload = has_data(t.type) ? p.bytes : 0;
        const unsigned lead = static_cast<unsigned>(piece_addr % dword_bytes);
        piece_addr += p.bytes;
        const reservation v = reserve(d, t.type, tlp_wire_bytes(t, payload, lead), payload,
                                      spanned_bytes(payload, lead), link_free, events);
        p.start = v.start;
        p.departed = v.end;
        p.arrival = v.arrival;
        p.link_wait = (link_free - ready) + (v.start - v.credit_ok);
        p.credit_wait = v.credit_ok - link_free;
        c.link_wait += p.link_wait;
        c.credit_stall += p.credit_wait;
        sent.link_wait += p.link_wait;
        sent.credit_wait += p.credit_wait;
        chain = t.burst->paced == tlp_burst::pacing::started    ? v.start
                : t.burst->paced == tlp_burst::pacing::departed ? v.end
                                                                : sc_core::SC_ZERO_TIME;
    }
    sent.departed = pieces.back().departed;
    tell_activity(before);
    for (const auto& e : events)
        tell(d, e.e, e.when);
    for (const auto& o : tlp_observers_)
        o(d, gp, pieces.front().start, pieces.back().departed);
    if (logger::get().enabled("tlp"))
        log_tlp(d, gp, t, pieces.front().start, pieces.back().arrival,
                " burst=" + std::to_string(pieces.size()));
    // The receiver takes the burst when its last piece arrived; each piece's arrival is in it.
    delay = pieces.back().arrival - now;
    (d == downstream ? dn_out : up_out)->b_transport(gp, delay);
    t.sent = sent;
}

pcie_link::activity_mark pcie_link::mark() const {
    return {{stats_[downstream].busy, stats_[upstream].busy},
            {stats_[downstream].tlps, stats_[upstream].tlps},
            {stats_[downstream].time_lost, stats_[upstream].time_lost}};
}

void pcie_link::tell_activity(const activity_mark& before) {
    const link_activity_delta activity{stats_[upstream].busy - before.busy[upstream],
                                       stats_[downstream].busy - before.busy[downstream],
                                       stats_[upstream].tlps - before.tlps[upstream],
                                       stats_[downstream].tlps - before.tlps[downstream],
                                       stats_[upstream].time_lost - before.lost[upstream],
                                       stats_[downstream].time_lost - before.lost[downstream]};
    for (auto* end : {&up_status, &dn_status})
        for (int i = 0; i < end->size(); ++i)
            (*end)[i]->link_activity(activity);
}

void pcie_link::log_tlp(direction d, const tlm::tlm_generic_payload& gp, const pcie_tlp& t,
                        const sc_time& start, const sc_time& arrival, const std::string& extra) {
    logger::get().info(
        "tlp",
        std::string(d == downstream ? "down " : "up   ") + to_string(t.type) +
            " addr=" + hex(gp.get_address()) + " len=" + std::to_string(gp.get_data_length()) +
            " req=" + bdf_string(t.requester_id) + " tag=" + std::to_string(t.tag) +
            (is_completion(t.type) ? std::string(" status=") + to_string(t.status)
                                   : std::string()) +
            (t.poisoned ? " EP" : "") + extra + " start=" + logger::format_time(start.value()) +
            " arrive=" + logger::format_time(arrival.value()));
}

} // namespace epvp::pcie

#include "pcie/link.h"

#include "core/log.h"

#include <algorithm>
#include <cmath>

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
constexpr unsigned dword = 4;
constexpr unsigned ecrc_bytes = 4;

struct dllp_row {
    unsigned mps, x4, x8;
};
// Base Spec 5.0 table 3-7 (ACK latency, symbol times) as the reference quotes it; 1024 and 2048
// interpolated linearly between 512 and 4096.
constexpr dllp_row dllp_table[] = {
    {128, 169, 163},  {256, 214, 203},  {512, 250, 182},
    {1024, 378, 246}, {2048, 634, 374}, {4096, 1146, 630},
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

unsigned dllp_interval_symbols(unsigned width, unsigned mps_bytes) {
    for (const auto& r : dllp_table)
        if (mps_bytes <= r.mps) return width >= 8 ? r.x8 : r.x4;
    return width >= 8 ? dllp_table[5].x8 : dllp_table[5].x4;
}

pcie_link::pcie_link(sc_core::sc_module_name name, const link_params& p)
    : sc_module(name)
    , up_in("up_in")
    , dn_out("dn_out")
    , dn_in("dn_in")
    , up_out("up_out")
    , p_(p) {
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
}

sc_time pcie_link::wire_time(std::uint64_t bytes) const {
    // The kernel's resolution is 1 ps (set by the platform); from_value avoids unit conversion.
    return sc_time::from_value(
        static_cast<std::uint64_t>(static_cast<double>(bytes) * ps_per_byte_ + 0.5));
}

std::uint64_t pcie_link::tlp_wire_bytes(const pcie_tlp& t, std::uint64_t payload) const {
    if (!flit_) return wire_bytes(header_bytes(t), payload, p_.ecrc);
    // FLIT mode: no per-TLP framing or LCRC (the flit carries sequence number, CRC and FEC).
    return header_bytes(t) + (payload + dword - 1) / dword * dword + (p_.ecrc ? ecrc_bytes : 0);
}

void pcie_link::train(unsigned ep_max_gen, unsigned ep_max_width) {
    gen_ = std::min(p_.max_gen, ep_max_gen);
    width_ = std::min(p_.max_width, ep_max_width);
    flit_ = gen_ >= flit_gen;
    ps_per_byte_ = ps_per_s / (lane_bytes_per_second(gen_) * width_);
    if (!flit_) ps_per_byte_ *= skp_interval_symbols / (skp_interval_symbols - skp_symbols);
    dllp_interval_bytes_ = std::uint64_t(dllp_interval_symbols(width_, p_.mps_bytes)) * width_;
    dllp_time_ = wire_time(dllp_bytes);
    up_ = true;
    logger::get().info("link", "up: Gen" + std::to_string(gen_) + " x" + std::to_string(width_));
    for (auto& cb : listeners_)
        cb(true);
}

void pcie_link::down() {
    if (!up_) return;
    up_ = false;
    logger::get().info("link", "down");
    for (auto& cb : listeners_)
        cb(false);
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
        // The DLLPs go out on the reverse direction ahead of its next TLP (a reservation at a
        // future time would block earlier TLPs there).
        dllp_debt_[r] += dllp_time_ * static_cast<double>(dllps_per_interval);
        stats_[r].dllps += dllps_per_interval;
        stats_[r].busy += dllp_time_ * static_cast<double>(dllps_per_interval);
    }
}

void pcie_link::carry(direction d, tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    if (!up_) {
        logger::get().warning("link",
                              std::string("TLP ") + to_string(t.type) +
                                  " sent while the link is down: dropped",
                              "link-down");
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const std::uint64_t payload = has_data(t.type) ? gp.get_data_length() : 0;
    const std::uint64_t bytes = tlp_wire_bytes(t, payload);
    const sc_time serial = wire_time(bytes);
    const sc_time core =
        p_.core_period * static_cast<double>((bytes + p_.datapath_bytes - 1) / p_.datapath_bytes);
    const sc_time duration = std::max(serial, core);

    const sc_time ready = sc_core::sc_time_stamp() + delay;
    // DLLPs owed on this direction go out first.
    const sc_time link_free = std::max(ready, next_free_[d]) + dllp_debt_[d];
    dllp_debt_[d] = sc_core::SC_ZERO_TIME;
    const credit_class cls = class_of(t.type);
    credit_pool& pool = credits_[d][cls];
    const bool limited = pool.header_limit || pool.data_limit;
    const unsigned data_credits =
        static_cast<unsigned>((payload + credit_unit_bytes - 1) / credit_unit_bytes);
    const sc_time start = limited ? reserve_credits(d, cls, data_credits, link_free) : link_free;
    next_free_[d] = start + duration;
    const sc_time arrival = next_free_[d] + p_.propagation;
    if (limited) {
        // Credits return once the receiver drained the TLP and its UpdateFC crossed the link.
        pool.in_buffer.push_back(
            held{arrival + pool.drain + dllp_time_ + p_.propagation, 1, data_credits});
        pool.header_used += 1;
        pool.data_used += data_credits;
    }

    counters& c = stats_[d];
    ++c.tlps;
    ++c.tlps_by_type[static_cast<unsigned>(t.type)];
    c.wire_bytes += bytes;
    c.payload_bytes += payload;
    c.busy += duration;
    last_link_wait_[d] = link_free - ready;
    last_credit_wait_[d] = start - link_free;
    c.link_wait += last_link_wait_[d];
    c.credit_stall += last_credit_wait_[d];
    charge_dllps(d, bytes);

    delay = arrival - sc_core::sc_time_stamp();
    for (const auto& o : tlp_observers_)
        o(d, gp, start, next_free_[d]);
    if (logger::get().enabled("tlp"))
        logger::get().info(
            "tlp", std::string(d == downstream ? "down " : "up   ") + to_string(t.type) + " addr=" +
                       hex(gp.get_address()) + " len=" + std::to_string(gp.get_data_length()) +
                       " req=" + bdf_string(t.requester_id) + " tag=" + std::to_string(t.tag) +
                       (is_completion(t.type) ? std::string(" status=") + to_string(t.status)
                                              : std::string()) +
                       " start=" + logger::format_time(start.value()) +
                       " arrive=" + logger::format_time(arrival.value()));
    (d == downstream ? dn_out : up_out)->b_transport(gp, delay);
}

} // namespace epvp::pcie

#include "pcie/link.h"

#include "core/log.h"

#include <algorithm>

namespace epvp::pcie {

using sc_core::sc_time;

double lane_bytes_per_second(unsigned gen) {
    // Raw GT/s and line code per generation; Gen6 uses FLIT mode (236 of 256 bytes carry TLPs).
    constexpr double giga = 1e9;
    constexpr double bits_per_byte = 8.0;
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

pcie_link::pcie_link(sc_core::sc_module_name name, const link_params& p)
    : sc_module(name), up_in("up_in"), dn_out("dn_out"), dn_in("dn_in"), up_out("up_out"), p_(p) {
    up_in.register_b_transport(this, &pcie_link::b_transport_down);
    dn_in.register_b_transport(this, &pcie_link::b_transport_up);
}

void pcie_link::train(unsigned ep_max_gen, unsigned ep_max_width) {
    gen_ = std::min(p_.max_gen, ep_max_gen);
    width_ = std::min(p_.max_width, ep_max_width);
    constexpr double ps_per_s = 1e12;
    ps_per_byte_ = ps_per_s / (lane_bytes_per_second(gen_) * width_);
    up_ = true;
    logger::get().info("link", "up: Gen" + std::to_string(gen_) + " x" + std::to_string(width_));
    for (auto& cb : listeners_)
        cb(true);
}

void pcie_link::down() {
    if (!up_)
        return;
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

void pcie_link::carry(direction d, tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    if (!up_) {
        logger::get().warning("link", std::string("TLP ") + to_string(t.type) +
                                          " sent while the link is down: dropped", "link-down");
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    std::uint64_t payload = has_data(t.type) ? gp.get_data_length() : 0;
    std::uint64_t bytes = wire_bytes(header_bytes(t), payload, false);
    sc_time duration(static_cast<double>(bytes) * ps_per_byte_, sc_core::SC_PS);
    sc_time arrival = sc_core::sc_time_stamp() + delay;
    sc_time start = std::max(arrival, next_free_[d]);
    next_free_[d] = start + duration;
    counters& c = stats_[d];
    ++c.tlps;
    c.wire_bytes += bytes;
    c.payload_bytes += payload;
    c.busy += duration;
    delay = next_free_[d] + p_.propagation - sc_core::sc_time_stamp();
    if (logger::get().enabled("tlp"))
        logger::get().info("tlp", std::string(d == downstream ? "down " : "up   ") +
                                      to_string(t.type) + " addr=" + hex(gp.get_address()) +
                                      " len=" + std::to_string(gp.get_data_length()) +
                                      " req=" + bdf_string(t.requester_id) +
                                      " tag=" + std::to_string(t.tag) +
                                      (is_completion(t.type)
                                           ? std::string(" status=") + to_string(t.status)
                                           : std::string()));
    (d == downstream ? dn_out : up_out)->b_transport(gp, delay);
}

} // namespace epvp::pcie

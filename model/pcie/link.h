// A PCIe link between an upstream port (root port or switch downstream port) and a downstream
// port (the endpoint), both directions.
//
// Models: each direction is a resource with the time it is next free; a TLP is granted a start
// time no earlier than its arrival and occupies the direction for its bytes on the wire
// (framing, sequence, LCRC, header, payload) at the trained rate (GT/s per lane, line code,
// width), then arrives after the propagation delay. The link trains to the highest common
// generation and width of both ports; TLPs sent while the link is down are refused
// (TLM_GENERIC_ERROR_RESPONSE) and logged. Per-direction TLP and byte counters.
// Does not model (yet): flow-control credits, DLLPs (ACK, UpdateFC), SKP ordered sets, replay,
// FLIT mode; those come with the link timing work.
#pragma once

#include "pcie/tlp.h"

#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::pcie {

struct link_params {
    unsigned max_gen = 3;
    unsigned max_width = 4;
    sc_core::sc_time propagation = sc_core::sc_time(10, sc_core::SC_NS);
};

// Usable bytes per second of one lane at a generation after line coding.
double lane_bytes_per_second(unsigned gen);

class pcie_link : public sc_core::sc_module {
public:
    enum direction { downstream = 0, upstream = 1 };

    // Downstream direction: TLPs from the upstream port arrive at up_in and leave at dn_out.
    tlm_utils::simple_target_socket<pcie_link> up_in;
    tlm_utils::simple_initiator_socket<pcie_link> dn_out;
    // Upstream direction: TLPs from the downstream port arrive at dn_in and leave at up_out.
    tlm_utils::simple_target_socket<pcie_link> dn_in;
    tlm_utils::simple_initiator_socket<pcie_link> up_out;

    pcie_link(sc_core::sc_module_name name, const link_params& p);

    // Training: both ports' capabilities; the link comes up at the highest common values.
    void train(unsigned ep_max_gen, unsigned ep_max_width);
    void down();
    bool is_up() const { return up_; }
    unsigned gen() const { return gen_; }
    unsigned width() const { return width_; }
    void on_state_change(std::function<void(bool up)> cb) { listeners_.push_back(std::move(cb)); }

    struct counters {
        std::uint64_t tlps = 0;
        std::uint64_t wire_bytes = 0;
        std::uint64_t payload_bytes = 0;
        sc_core::sc_time busy = sc_core::SC_ZERO_TIME;
    };
    const counters& stats(direction d) const { return stats_[d]; }

private:
    void b_transport_down(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void b_transport_up(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void carry(direction d, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    link_params p_;
    bool up_ = false;
    unsigned gen_ = 0;
    unsigned width_ = 0;
    double ps_per_byte_ = 0; // serialisation time of one byte across all lanes
    sc_core::sc_time next_free_[2];
    counters stats_[2];
    std::vector<std::function<void(bool)>> listeners_;
};

} // namespace epvp::pcie

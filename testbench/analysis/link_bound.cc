#include "testbench/analysis/link_bound.h"

#include <algorithm>
#include <cmath>

namespace epvp::analysis {

namespace {
// GT/s and encoding per generation (timing reference, "Link rate per lane").
struct gen_rate {
    double gtps, payload_bits, coded_bits;
};
constexpr gen_rate rates[] = {
    {2.5, 8, 10},     {5.0, 8, 10},     {8.0, 128, 130},
    {16.0, 128, 130}, {32.0, 128, 130}, {64.0, 236, 256}, // Gen6: 236 TLP bytes per 256-byte flit
};
constexpr double skp_keep = 1534.0 / 1538.0; // 4 SKP symbols per 1538
constexpr unsigned framing_bytes = 8;        // STP + sequence + LCRC (not in FLIT mode)
constexpr unsigned ecrc_bytes = 4;
constexpr unsigned completion_header_bytes = 12;
constexpr unsigned first_flit_gen = 6;
} // namespace

double link_bytes_per_second(unsigned gen, unsigned width) {
    const gen_rate& r = rates[std::min(gen, 6u) - 1];
    double lane = r.gtps * 1e9 * r.payload_bits / r.coded_bits / 8.0;
    if (gen < first_flit_gen) lane *= skp_keep;
    return lane * width;
}

unsigned tlp_bytes(const link_bound_params& p, unsigned payload) {
    unsigned padded = (payload + 3) / 4 * 4;
    return (p.gen < first_flit_gen ? framing_bytes : 0) + p.header_bytes + padded +
           (p.ecrc ? ecrc_bytes : 0);
}

double posted_write_Bps(const link_bound_params& p) {
    const double bytes = tlp_bytes(p, p.mps);
    const double link_s = bytes / link_bytes_per_second(p.gen, p.width);
    const double datapath_bytes = p.datapath_bits / 8.0;
    const double core_s = std::ceil(bytes / datapath_bytes) / (p.core_clock_mhz * 1e6);
    return p.mps / std::max(link_s, core_s);
}

double read_round_trip_s(const link_bound_params& p, unsigned mrrs, double completer_latency_s,
                         double propagation_s) {
    const double rate = link_bytes_per_second(p.gen, p.width);
    link_bound_params c = p;
    c.header_bytes = completion_header_bytes;
    const unsigned full = mrrs / p.mps, rest = mrrs % p.mps;
    double cpl_bytes = double(full) * tlp_bytes(c, p.mps) + (rest ? tlp_bytes(c, rest) : 0);
    return tlp_bytes(p, 0) / rate + propagation_s + completer_latency_s + cpl_bytes / rate +
           propagation_s;
}

double read_Bps(const link_bound_params& p, unsigned mrrs, unsigned tags, double round_trip_s) {
    link_bound_params c = p;
    c.header_bytes = completion_header_bytes;
    const double cpl_bound = posted_write_Bps(c); // completions of MPS bytes, 3 DW headers
    return std::min(cpl_bound, tags * static_cast<double>(mrrs) / round_trip_s);
}

} // namespace epvp::analysis

// The analytic throughput bounds of a PCIe link, written from the PCIe arithmetic (timing
// reference), independently of the link model: what a measurement is compared against.
// SystemC-free.
#pragma once

#include <cstdint>

namespace epvp::analysis {

struct link_bound_params {
    unsigned gen = 3;
    unsigned width = 4;
    unsigned mps = 256;
    unsigned header_bytes = 16; // 12 for 32-bit addresses, 16 for 64-bit
    bool ecrc = false;
    unsigned datapath_bits = 256;
    double core_clock_mhz = 500;
};

// Usable bytes/s of the link after line coding and SKP ordered sets (Gen6: FLIT-mode TLP bytes).
double link_bytes_per_second(unsigned gen, unsigned width);
// Bytes of one TLP on the wire.
unsigned tlp_bytes(const link_bound_params& p, unsigned payload);
// Posted-write payload throughput: MPS per TLP time, the slower of the link and the
// controller's datapath.
double posted_write_Bps(const link_bound_params& p);
// Round trip of one MRd of mrrs bytes on an idle link: the MRd on the wire, propagation, the
// completer's latency, its completions (split at MPS) on the wire, propagation.
double read_round_trip_s(const link_bound_params& p, unsigned mrrs, double completer_latency_s,
                         double propagation_s);
// Read throughput: min(what completions can carry, tags x MRRS / round trip).
double read_Bps(const link_bound_params& p, unsigned mrrs, unsigned tags, double round_trip_s);

} // namespace epvp::analysis

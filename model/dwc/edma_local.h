// The eDMA's local-bus side: its AXI master into SoC memory (through the controller's
// edma_bus::local_access: interconnect, SMMU, memory controller), for data bursts, element
// fetches and the read channels' data writes.
//
// Models: no access crosses a 4 KiB boundary (an access that would is split there); the pieces
// of a read follow one another (each starts when the previous one returned), the pieces of a
// write all start at the same time; an AXI error (SLVERR/DECERR) ends the access and is
// reported to the caller; every piece is counted. Burst mode: write_pieces writes several
// writes of one page as one access, each piece starting at its own time.
// Does not model: AXI IDs, burst types, QoS or cache attributes, write-response pipelining
// beyond what the bus returns.
#pragma once

#include "model/dwc/edma_bus.h"

#include <cstdint>
#include <systemc>

namespace epvp::dwc {

class edma_local_port {
public:
    // reads / writes: where the pieces are counted.
    edma_local_port(edma_bus& bus, std::uint64_t& reads, std::uint64_t& writes)
        : bus_(bus)
        , reads_(reads)
        , writes_(writes) {}

    // Reads len bytes starting at the absolute time `at`; on return `at` is when the last
    // piece completed (or the failing one). False on an AXI error.
    bool read(std::uint64_t addr, unsigned char* data, unsigned len, sc_core::sc_time& at);
    // Writes len bytes, every piece starting at the absolute time `start`; `latest` becomes
    // the later of itself and each piece's completion. False on an AXI error, with failed_at
    // the failing piece's completion.
    bool write(std::uint64_t addr, unsigned char* data, unsigned len, const sc_core::sc_time& start,
               sc_core::sc_time& latest, sc_core::sc_time& failed_at);

    // Burst mode: the pieces of one 4 KiB page as one access (edma_bus::local_write_pieces),
    // each counted; `latest` as for write. On an AXI error, counted and timed as write() would:
    // the pieces up to the failing one (access_pieces::failed_piece), failed_at its completion.
    bool write_pieces(std::uint64_t addr, unsigned char* data, soc::access_pieces& pieces,
                      sc_core::sc_time& latest, sc_core::sc_time& failed_at);

private:
    // The pieces of one access; chained: each piece starts when the previous one completed,
    // else all at `start`. last: the last piece's completion; latest: the latest of them.
    bool access(bool write, std::uint64_t addr, unsigned char* data, unsigned len, bool chained,
                const sc_core::sc_time& start, sc_core::sc_time& last, sc_core::sc_time& latest);

    edma_bus& bus_;
    std::uint64_t& reads_;
    std::uint64_t& writes_;
};

// Bytes from addr to the next 4 KiB boundary (1..4096): no TLP and no AXI access crosses it.
std::uint64_t edma_to_boundary(std::uint64_t addr);
// Bytes of the TLP that starts at addr with `left` bytes to go: at most max_bytes (MPS for an
// MWr, MRRS for an MRd), never across a max_bytes-aligned boundary (a power of two) nor 4 KiB.
// The dwords a TLP spans, its Length field, stay within max_bytes even from an unaligned start
// (a 256-byte MWr from an address 1 past a dword would span 65 dwords: more than MPS 256).
unsigned edma_tlp_bytes(std::uint64_t addr, std::uint64_t left, std::uint64_t max_bytes);
// TLM delay for an absolute time (never negative).
sc_core::sc_time edma_rel(const sc_core::sc_time& at);

} // namespace epvp::dwc

// What the eDMA engine needs from the controller around it: local memory through the SoC path
// (interconnect, SMMU, memory controller), TLPs on the link, the link's limits, and its
// interrupt line. The controller implements it; the engine is written against it alone.
//
// Times follow TLM's convention: `delay` is relative to sc_time_stamp(); on entry it is when
// the operation may start, on return when it finished (for a posted write: when the TLP has
// left the controller; for a read: when its last completion arrived).
#pragma once

#include "model/pcie/tlp.h"
#include "model/soc/access_pieces.h"

#include <algorithm>
#include <cstdint>
#include <systemc>

namespace epvp::dwc {

// Why a TLP started later than it was ready (for "what bound the transfer").
struct tlp_wait {
    sc_core::sc_time link;    // the link direction (or the controller datapath) was busy
    sc_core::sc_time credits; // the receiver had not advertised enough flow-control credits
    unsigned completions = 0; // for a read: the completion TLPs that answered it
    bool poisoned = false;    // for a read: a completion had the EP bit (the data is bad)
};

class edma_bus {
public:
    virtual ~edma_bus() = default;

    // One AXI access of len bytes to local memory. False on an AXI error (SLVERR/DECERR).
    virtual bool local_access(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                              sc_core::sc_time& delay) = 0;
    // Burst mode: several AXI writes to one 4 KiB page as one access (soc::access_pieces: each
    // piece's bytes, in address order from addr, and its start, absolute). Each piece's
    // completion is written back; delay: on return, the latest of them. By default one
    // local_access per piece (false at the first AXI error: failed_piece names it, its
    // completion in delay).
    virtual bool local_write_pieces(std::uint64_t addr, unsigned char* data,
                                    soc::access_pieces& pieces, sc_core::sc_time& delay) {
        sc_core::sc_time latest = sc_core::sc_time_stamp() + delay;
        for (std::size_t k = 0; k < pieces.pieces.size(); ++k) {
            auto& p = pieces.pieces[k];
            const sc_core::sc_time now = sc_core::sc_time_stamp();
            sc_core::sc_time d = p.start > now ? p.start - now : sc_core::SC_ZERO_TIME;
            const bool ok = local_access(true, addr, data, p.bytes, d);
            p.done = sc_core::sc_time_stamp() + d;
            if (!ok) {
                pieces.failed_piece = k;
                delay = d;
                return false;
            }
            latest = std::max(latest, p.done);
            addr += p.bytes;
            data += p.bytes;
        }
        delay = latest - sc_core::sc_time_stamp();
        return true;
    }
    // One MWr TLP: len <= mps(), not crossing a 4 KiB boundary. False if it could not be sent.
    virtual bool pcie_write(std::uint64_t pci_addr, const unsigned char* data, unsigned len,
                            sc_core::sc_time& delay, tlp_wait* wait = nullptr) = 0;
    // One MRd TLP: len <= mrrs(), not crossing 4 KiB; data filled from its completions.
    // Returns the completion status; UR if there was no completion or the link is down. A
    // poisoned completion sets wait->poisoned (without `wait` it reads as UR).
    virtual pcie::cpl_status pcie_read(std::uint64_t pci_addr, unsigned char* data, unsigned len,
                                       sc_core::sc_time& delay, tlp_wait* wait = nullptr) = 0;
    // Burst mode (sim.link_timing = burst): several MWr or MRd TLPs in one transaction, b.pieces
    // their sizes (each <= MPS or MRRS, none across 4 KiB) from pci_addr on and the time each is
    // ready; the link writes each piece's times into b (reads: when its last completion
    // arrived). wait sums the pieces' waits. Same results as pcie_write / pcie_read.
    virtual bool pcie_write_burst(std::uint64_t pci_addr, const unsigned char* data,
                                  pcie::tlp_burst& b, sc_core::sc_time& delay, tlp_wait* wait) {
        (void)pci_addr, (void)data, (void)b, (void)delay, (void)wait;
        return false; // a bus without bursts: the engine asks for them only in burst mode
    }
    virtual pcie::cpl_status pcie_read_burst(std::uint64_t pci_addr, unsigned char* data,
                                             pcie::tlp_burst& b, sc_core::sc_time& delay,
                                             tlp_wait* wait) {
        (void)pci_addr, (void)data, (void)b, (void)delay, (void)wait;
        return pcie::cpl_status::ur;
    }
    // Device Control as the host programmed it, and the tag limit.
    virtual unsigned mps_bytes() const = 0;
    virtual unsigned mrrs_bytes() const = 0;
    virtual unsigned max_outstanding_reads() const = 0;
    // Link activity so far (cumulative busy time incl. DLLPs, TLPs) per direction, for
    // per-transfer utilisation in reports.
    struct link_snapshot {
        sc_core::sc_time busy_up, busy_down;
        std::uint64_t tlps_up = 0, tlps_down = 0;
        sc_core::sc_time lost_up, lost_down; // Data Link Layer replays and retrains
    };
    virtual link_snapshot link_activity() const = 0;
    // The eDMA interrupt line to the EP CPU (level).
    virtual void local_irq(bool level) = 0;
};

} // namespace epvp::dwc

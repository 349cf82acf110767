// Memory controller and DRAM of the endpoint SoC.
//
// Models: sparse DRAM of the configured size (pages allocated on first write); the timing of
// dram_timing.h (front-end latency, channels, banks, open rows, refresh) unless the DRAM is
// ideal (zero latency, unbounded bandwidth); byte enables; out-of-range accesses answered with
// TLM_ADDRESS_ERROR_RESPONSE; debug transport; accesses counted per master.
// The interrupt-generation window: a range of its addresses stores nothing; a write there is an
// interrupt to the EP CPU carrying the value, through a FIFO of irq_window_fifo_depth entries
// (overflow flagged and counted); reads there pop the FIFO (layout: firmware/hal/
// irq_window_regs.h). The window is an array of 32-bit slots: an access of any width and byte
// enables acts on each aligned slot it covers with at least one enabled byte, in address order. A
// write to a slot is one interrupt whose value is the slot's enabled bytes at their little-endian
// lane positions (the other bytes zero), so a 1- or 2-byte write at slot offset 2 gives
// value << 16, an 8-byte write two interrupts and a burst one per slot; a read returns each
// slot's register in its lanes (POP pops once per slot read); an access that runs past the
// window's end, or into it from below, gets TLM_ADDRESS_ERROR_RESPONSE. Every window access costs
// irq_window_params::latency (the controller's front end, no DRAM access) and counts for its
// master (accesses, bytes, latency, and window accesses of its own). Per master: accesses, bytes,
// latency and the time spent queued behind other masters' accesses.
// Order: with timed DRAM, every access (and every window access) is served at its own time: the
// controller first synchronises the initiator's thread to it (wait(delay)), so banks, data buses
// and open rows are booked in simulated-time order, and queueing, latency and row hits do not
// depend on how far temporally decoupled initiators run ahead (sim.quantum_ns). This is exact,
// unlike letting a request take a gap in a per-bank calendar before later bookings: a bank's
// open row, and so the cost of every later access, depends on the order in which the accesses
// are served. The price is one context switch per access whose initiator runs ahead; callers
// must be SC_THREADs and must not keep a relative delay across the call. Ideal DRAM (no timing)
// does not synchronise: it has no order-dependent state but the data.
// Burst mode: a write with access_pieces is timed as the accesses it stands for, after one
// synchronisation to its first piece; one into the interrupt window or not wholly in range is
// served as one write per piece (access_pieces.h).
// Debug transport reads and writes DRAM without timing; none of it reaches into the interrupt
// window (0 bytes: its registers change when read, its slots store nothing).
// Does not model (yet): DMI, arbitration policies other than arrival order (no QoS, no
// per-master priorities or bandwidth caps); accesses due at the same instant are served in the
// order the kernel runs their threads.
#pragma once

#include "model/core/sparse_memory.h"
#include "model/soc/access_pieces.h"
#include "model/soc/dram_timing.h"
#include "model/soc/soc_attr.h"

#include <array>
#include <deque>
#include <map>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::soc {

struct irq_window_params {
    std::uint64_t offset = 0, size = 0; // inside the DRAM range; size 0 = no window
    unsigned fifo_depth = 64;
    sc_core::sc_time latency = sc_core::SC_ZERO_TIME; // per access
};

class memory_controller : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<memory_controller> in;
    sc_core::sc_out<bool> window_irq;

    // timing null: ideal memory.
    SC_HAS_PROCESS(memory_controller);
    memory_controller(sc_core::sc_module_name name, std::uint64_t size_bytes,
                      const dram_params* timing, const irq_window_params& window = {});

    sparse_memory& storage() { return mem_; }
    std::uint64_t reads() const { return reads_; }
    std::uint64_t writes() const { return writes_; }
    const dram_timing* timing() const { return timing_.get(); }
    // Per master (soc_attr initiator; accesses without one count as "?"): what it asked of DRAM
    // and, with timed DRAM, its latency and how long it queued behind other accesses (banks, data
    // buses, refresh).
    struct master_stats {
        std::uint64_t accesses = 0, bytes = 0;                 // DRAM and interrupt-window accesses
        std::uint64_t window_accesses = 0;                     // of which to the interrupt window
        double latency_ns = 0, queue_ns = 0, max_queue_ns = 0; // sums, and the worst wait
        // The report's declaration (model/core/stats.h): the sums as means per access.
        template <class V>
        void for_each(V&& v) const {
            v("accesses", accesses, "DRAM and interrupt-window accesses");
            v("bytes", bytes, "bytes accessed");
            v("mean_latency_ns", accesses ? latency_ns / accesses : 0.0, "mean access latency");
            v("mean_queue_ns", accesses ? queue_ns / accesses : 0.0, "mean wait behind others");
            v("max_queue_ns", max_queue_ns, "worst wait behind other accesses");
            v("irq_window_accesses", window_accesses, "accesses to the interrupt window");
        }
    };
    // The masters that accessed DRAM, by name.
    std::map<std::string, master_stats> master_queues() const;
    std::uint64_t window_writes() const { return window_writes_; }
    std::uint64_t window_overflows() const { return window_overflows_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    sparse_memory mem_;
    bool window_access(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void window_write_slot(std::uint32_t slot_offset, std::uint32_t value);
    std::uint32_t window_read_slot(std::uint32_t slot_offset);
    master_stats& stats_of(tlm::tlm_generic_payload& gp);
    sc_core::sc_time book(std::uint64_t addr, unsigned len, dram_dir dir,
                          const sc_core::sc_time& start, master_stats& m);
    void time_pieces(std::uint64_t addr, access_pieces& pieces, master_stats& m,
                     sc_core::sc_time& delay);
    void drive_window_irq();
    std::unique_ptr<dram_timing> timing_;
    irq_window_params window_;
    std::deque<std::pair<std::uint32_t, std::uint32_t>> window_fifo_; // (offset, value)
    std::uint32_t window_last_offset_ = 0;
    std::uint64_t window_writes_ = 0, window_overflows_ = 0;
    bool window_level_ = false;
    sc_core::sc_event window_changed_;
    // Indexed by soc::master, the last slot for accesses without a soc_attr (per access: no
    // string keys on the path).
    static constexpr std::size_t master_slots = static_cast<std::size_t>(master::smmu_walker) + 2;
    std::array<master_stats, master_slots> master_stats_{};
    std::uint64_t reads_ = 0, writes_ = 0;
};

} // namespace epvp::soc

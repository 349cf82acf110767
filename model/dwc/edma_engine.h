// The eDMA channel engine: one SystemC thread per write and read channel, started by a doorbell,
// moving one block (single-block mode) or walking a linked list (edma_ll.h), with the
// registers of edma_regs.h, local memory through edma_local.h and TLPs through edma_bus.
//
// Models: single-block mode (ch_control1.LLE clear: TRANSFER_SIZE, SAR and DAR from the channel
// registers, LIE/RIE from ch_control1) and linked-list mode (LLE set: elements fetched from
// local memory at LLP; a doorbell while the list runs makes the channel fetch the stop element
// again instead of stopping). The element fetcher runs one element ahead and successive blocks
// overlap. TRANSFER_SIZE counts down and SAR/DAR advance (visible at the channel thread's
// synchronisation points); CH_STATUS is 1 while running, 3 when the channel stopped normally,
// 2 after an abort. Write channels read local memory in AXI bursts (at most axi_burst_bytes,
// never across 4 KiB), prefetching as soon as one of axi_outstanding_reads slots and room in
// staging_buffer_bytes are free, and send MWr TLPs of at most MPS bytes that never cross an
// MPS-aligned boundary (so neither 4 KiB); read channels send MRd TLPs of at most MRRS bytes
// (never across an MRRS-aligned boundary), request k
// waiting for the tag of request k - max_outstanding_reads(), and write the data to local
// memory (split at 4 KiB) when it arrives. Done (LIE): the done bit; RIE: an IMWr of the
// channel's 16-bit data to done_imwr, issued after the block's last data TLP left / last local
// write finished. Aborts (AXI error on data or on an element fetch, a non-SC completion, an MWr
// the controller could not send, the doorbell STOP bit, engine disable, a linked list that runs
// past max_ll_elements fetches per doorbell): CH_STATUS 2, the abort and error-status bits, and
// an IMWr to abort_imwr with RIE (single block, or the element being moved) or LLRAIE (list).
// Timing: each channel thread keeps its own time and passes it to the bus as TLM delays; it
// calls wait() only when it runs more than a quantum ahead, before it raises an interrupt and
// when it finishes. Every transaction starts at a time computed from the times earlier
// transactions returned, and is issued before the thread's time passes it: the quantum changes
// when the thread syncs, never a simulated time of the channel's own transactions. Channels run
// concurrently: while more than one channel of a direction runs, each synchronises to every TLP's
// start and a weighted round-robin arbiter (edma_arbiter.h, the arb_weight registers) grants
// the TLPs of that direction one at a time; read channels share the controller's tags and each
// may have its own outstanding-MRd limit. Per-doorbell records and counters for reports.
// sim.link_timing = burst: a channel running alone sends every MWr whose data is staged, or
// every MRd whose tag and outstanding slot are already known free, as one burst (edma_bus.h) with
// the times each would have had; with other channels running it sends single TLPs. A read
// channel running alone writes the data of consecutive MRds within one local 4 KiB page as one
// access that stands for one write per MRd (edma_local_port::write_pieces).
// Does not model: HDMA, ctrl_data_arb_prior (write and read engines meet only at the link), the
// first TLPs a channel sends within one quantum of another channel's doorbell (it may not yet
// see the other running), one staging buffer shared by a list's blocks, handshake/peripheral
// mode, function numbers and TLP attributes from ch_control1/2, the exact register values a
// firmware would read in the middle of a quantum.
#pragma once

#include "model/dwc/edma_arbiter.h"
#include "model/dwc/edma_bus.h"
#include "model/dwc/edma_ll.h"
#include "model/dwc/edma_local.h"
#include "model/dwc/edma_regs.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::dwc {

// The eDMA's log category (its registers' and its engine's messages).
constexpr const char* edma_log_category = "edma";

struct edma_params {
    bool unrolled;           // >= 5.40a: unrolled map; else the legacy viewport
    unsigned write_channels; // 0..8
    unsigned read_channels;  // 0..8
    edma_bus& bus;
    sc_core::sc_time quantum; // how far a channel thread may run ahead of sc_time_stamp()
    // Per write channel (dwc.edma.*, edma.md): one local_access (power of 2, <= 4 KiB), the
    // bursts in flight, and the staging buffer between the bursts and the MWrs (>= one burst +
    // 4 KiB, the largest MPS).
    unsigned axi_burst_bytes = 4096;
    unsigned axi_outstanding_reads = 4;
    unsigned staging_buffer_bytes = 16384;
    // Per read channel (dwc.edma.rd_outstanding_mrd): MRds of one channel in flight; 0: only
    // the controller's tags (bus.max_outstanding_reads(), shared by every read channel) bound it.
    unsigned rd_outstanding_mrd = 0;
    // sim.link_timing = burst: a channel running alone sends the MWrs whose data is staged, and
    // the MRds whose tags are known free, as one burst transaction (edma_bus.h).
    bool burst = false;
    std::uint64_t max_ll_elements = 1u << 20;    // elements fetched per doorbell before an abort
    std::size_t max_transfer_records = 1u << 16; // transfers() keeps at most this many
};

// One doorbell's work on one channel, for reports.
struct edma_transfer {
    bool read = false; // read channel (PCIe -> local)
    unsigned channel = 0;
    std::uint64_t bytes = 0; // moved before the end (or the abort)
    sc_core::sc_time doorbell, done;
    std::uint64_t tlps = 0;        // data TLPs (MWr or MRd), not the IMWr
    std::uint64_t completions = 0; // read channels: CplD TLPs that answered the MRds
    // Link activity between the doorbell and the end (every TLP and DLLP on the link then).
    edma_bus::link_snapshot link;
    // Summed over the TLPs: the link or datapath was busy; the receiver lacked credits; an MRd
    // waited for a free tag; an MWr waited for its data from local memory (read channels: how
    // long the local writes ran past the last completion of a block).
    sc_core::sc_time wait_link, wait_credits, wait_tags, wait_memory;
    // Concurrent channels and the per-channel limits: a TLP waited for the arbiter's grant
    // (another channel of the direction held the turn); an MRd waited for the channel's own
    // outstanding-MRd limit (rd_outstanding_mrd); a burst waited for a free AXI read slot
    // (axi_outstanding_reads) or for room in the staging buffer.
    sc_core::sc_time wait_arbitration, wait_outstanding, wait_axi_slots, wait_staging;
    bool aborted = false;
};

struct edma_counters {
    std::uint64_t doorbells = 0;         // doorbells that started a channel
    std::uint64_t doorbells_ignored = 0; // engine disabled, no such channel, single block busy
    std::uint64_t doorbells_rerun = 0;   // doorbells to a running linked-list channel
    std::uint64_t stops = 0;             // doorbell writes with STOP that hit a running channel
    std::uint64_t transfers_done = 0;
    std::uint64_t transfers_aborted = 0;
    std::uint64_t bytes_written = 0; // write channels: local memory -> PCIe
    std::uint64_t bytes_read = 0;    // read channels: PCIe -> local memory
    std::uint64_t mwr_tlps = 0;
    std::uint64_t mrd_tlps = 0;
    std::uint64_t imwr_tlps = 0;
    std::uint64_t local_reads = 0; // AXI accesses: data bursts and element fetches
    std::uint64_t local_writes = 0;
    std::uint64_t ll_elements = 0; // elements fetched (data and link)
    std::uint64_t syncs = 0;       // wait() calls of the channel threads
    std::uint64_t records_dropped = 0;
};

class edma_engine {
public:
    // Spawns the channel threads (call it while the owning module is being constructed).
    // irq_changed: a status bit the interrupt line depends on was set.
    // owner: the instance its trace tracks are named after (two controllers' channels apart).
    edma_engine(std::string owner, const edma_params& p, edma_regfile& regs,
                std::function<void()> irq_changed);
    ~edma_engine();

    // A doorbell register write (its stored value) at sc_time_stamp() + delay.
    void doorbell(edma_dir d, std::uint32_t value, const sc_core::sc_time& delay);
    void engine_disabled(edma_dir d); // every running channel of that direction aborts
    void stop_all(const char* why);   // every running channel aborts (Function-Level Reset)
    void reset();                     // running channels vanish without status or interrupt

    const std::vector<edma_transfer>& transfers() const { return transfers_; }
    const edma_counters& counters() const { return counters_; }
    const edma_params& params() const { return p_; }

private:
    static sc_core::sc_time now() { return sc_core::sc_time_stamp(); }

    struct channel {
        channel(edma_dir d, unsigned i, reg_block& r)
            : dir(d)
            , index(i)
            , regs(r) {}
        edma_dir dir;
        unsigned index;
        reg_block& regs; // in the register file
        sc_core::sc_event doorbell_ev;
        bool running = false; // from the doorbell until CH_STATUS leaves "running"
        bool pending = false; // a doorbell the thread has not picked up yet
        bool stop = false;    // doorbell STOP or engine disable while running
        bool rerun = false;   // doorbell while a linked list runs: fetch the stop element again
        std::uint64_t generation = 0; // bumped by reset(): a run of an older generation vanishes
        sc_core::sc_time doorbell_at;
        std::vector<unsigned char> buffer; // write channel: the staging window
    };

    // How a block or a run ended, and when.
    struct step {
        enum class kind {
            none,
            stopped,   // doorbell STOP / engine disable
            cancelled, // reset
            local_read,
            local_write,
            ll_fetch,
            ll_runaway,
            cpl_ur,
            cpl_ca,
            cpl_poisoned,
            mwr_failed,
        };
        kind fault = kind::none;
        sc_core::sc_time at;
    };

    struct element {
        enum class kind { data, stop, fault };
        kind k = kind::data;
        step::kind fault = step::kind::none;
        sc_core::sc_time at;
        std::uint32_t control = 0, size = 0;
        std::uint64_t sar = 0, dar = 0;
    };

    // One doorbell's run on a channel.
    struct run_state {
        explicit run_state(channel& c)
            : ch(c)
            , generation(c.generation) {}
        channel& ch;
        std::uint64_t generation;
        edma_transfer rec;
        sc_core::sc_time start;
        // The block being moved, as the channel registers show it.
        bool loaded = false;
        std::uint32_t size = 0;
        std::uint64_t sar = 0, dar = 0;
        std::uint32_t control = 0;      // LIE/RIE of that block
        std::uint32_t done_control = 0; // LIE/RIE to act on when the run ends normally
        // Linked list: where the walk stands (LLP: the next element to fetch).
        bool ll = false;
        edma_ll::cursor list;
        // The first data element's programmed block (for the trace), once one is loaded.
        std::uint64_t first_sar = 0, first_dar = 0;
        bool first_loaded = false;
        // Data path across the blocks of one run. Blocks of a linked list overlap: the next
        // block's bursts (write) or requests (read) follow the previous block's, its TLPs
        // follow the previous TLPs.
        sc_core::sc_time engine_free; // every block so far is done
        sc_core::sc_time fetch_free;  // write: the previous block's last local burst completed
        sc_core::sc_time tlp_free;    // write: the previous block's last MWr left
        sc_core::sc_time next_block = sc_core::sc_max_time(); // the next block's element arrived
        // Linked list: the next element's fetch, due at prefetch_at. The data path issues it
        // in time order with the block's own transactions (prefetch_before), since local memory
        // serves accesses at their own times and one issued before earlier ones would delay
        // them; the element is in `prefetched` once fetched.
        bool prefetch_pending = false;
        sc_core::sc_time prefetch_at;
        element prefetched;
        std::vector<sc_core::sc_time> own_free; // slot k % rd_outstanding_mrd: its completion
        std::size_t next_own = 0;
        bool tags_checked = false; // read: the shared tags were looked at by this run
        sc_core::sc_time last_request;
        // Burst mode: the pieces of the burst being sent and (read) the data of all of them.
        pcie::tlp_burst burst;
        std::vector<unsigned char> burst_data;
        // Read: completed requests whose data is not written to local memory yet, by arrival
        // time. A linked list's block leaves its unwritten data to the next block when nothing
        // waits for its end (no LIE/RIE, a data element follows), so the next block's requests
        // go out in time order among those writes instead of after all of them.
        struct arrived_data {
            std::uint64_t addr;
            std::vector<unsigned char> data;
            sc_core::sc_time at;
        };
        std::deque<arrived_data> unwritten;
        std::vector<std::vector<unsigned char>> spare; // written buffers, for reuse
        sc_core::sc_time local_done;                   // read: the last local write so far finished
        // Burst mode: the arrived data of consecutive reads within one local 4 KiB page, written
        // as one access that stands for one write per read (edma_local_port::write_pieces).
        soc::access_pieces batch;
        std::vector<unsigned char> batch_data;
    };

    channel* find(edma_dir d, unsigned index);
    bool contended(edma_dir d) const; // more than one channel of d is running
    bool any_concurrent() const;      // more than one channel of either direction is running
    bool runs_alone(const channel& self) const; // no channel but self is running
    edma_arbiter& arbiter(edma_dir d) { return *arbiters_[static_cast<unsigned>(d)]; }
    // Runs a channel's link request (a TLP on the bus) in the fixed tie order when other
    // channels run too (edma_tie_order); returns what send returns.
    template <typename Send>
    auto in_tie_order(const channel& ch, Send&& send);
    void stop(channel& ch, const std::string& why);

    void channel_thread(channel& ch);
    void run(channel& ch);
    step run_single(run_state& r);
    step run_linked_list(run_state& r);
    // The next data element at LLP, following link elements; may_sync: the fetch is the
    // earliest thing the channel does next (not a prefetch).
    element next_element(run_state& r, sc_core::sc_time ready, bool may_sync);
    // Issues the pending element prefetch if it is due by `t`, the start of the data path's
    // next transaction (or, with `t` = never, whenever it is due).
    void prefetch_before(run_state& r, const sc_core::sc_time& t);
    step data_block(run_state& r, sc_core::sc_time start);
    step write_block(run_state& r, sc_core::sc_time start); // edma_datapath.cc
    step read_block(run_state& r, sc_core::sc_time start);  // edma_datapath.cc
    // Read: writes every arrived datum still unwritten; the block's end: the later of its last
    // completion (last_cpl) and the last write. edma_datapath.cc
    step finish_reads(run_state& r, sc_core::sc_time last_cpl);
    // Read: writes the data that arrived by `until` to local memory, each at its arrival time;
    // false on an AXI error (failed_at: when). edma_datapath.cc
    bool write_arrived(run_state& r, const sc_core::sc_time& until, sc_core::sc_time& failed_at);
    // Burst mode: a channel running alone (no other channel of either direction has started)
    // sends bursts, which end before the next known start of another channel
    // (next_other_start, never if none): the first doorbell after `decided`, the time the
    // channel chose a burst (it may have synchronised further since; a doorbell it passed on
    // the way ends the burst after its first piece, as a single TLP would have gone).
    bool burst_timing(const channel& self) const;
    sc_core::sc_time next_other_start(const channel& self, const sc_core::sc_time& decided) const;
    void finish(run_state& r, const step& s);
    void raise_done(run_state& r, std::uint32_t control);
    void send_imwr(channel& ch, bool abort);

    // Time keeping of a channel thread (absolute times).
    void sync_to(run_state& r, const sc_core::sc_time& at);
    void wait_until(run_state& r, const sc_core::sc_time& at);
    bool cancelled(const run_state& r) const;
    void publish(run_state& r); // progress into the channel registers

    std::string owner_;
    edma_params p_;
    edma_regfile& regs_;
    std::function<void()> irq_changed_;
    edma_counters counters_;
    edma_local_port local_;
    std::vector<std::unique_ptr<channel>> channels_[2];
    // How many channels of either direction have `running` set: the checks each TLP makes of
    // the other channels (any_concurrent, contended, burst_timing, next_other_start) skip the walk
    // over every channel while at most one runs.
    unsigned running_channels_ = 0;
    std::vector<edma_transfer> transfers_;
    std::unique_ptr<edma_arbiter> arbiters_[2];
    edma_tie_order tie_order_;
    // The controller's read tags, shared by every read channel: slot k % tags is free when
    // the completion of the MRd that took it last has arrived (tags are reused in order).
    std::vector<sc_core::sc_time> tag_free_;
    std::size_t next_tag_ = 0;
};

template <typename Send>
auto edma_engine::in_tie_order(const channel& ch, Send&& send) {
    if (any_concurrent()) tie_order_.take_turn((ch.dir == edma_dir::read ? 0x100u : 0u) + ch.index);
    return send();
}

} // namespace epvp::dwc

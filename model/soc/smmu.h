// Arm SMMUv3 (stage 1) between the PCIe controller's AXI master and the SoC interconnect.
//
// Models: the programming interface of smmu_regs.h (IDRs as probed by drivers, CR0/CR0ACK,
// GBPA, IRQ_CTRL/IRQ_CTRLACK, GERROR/GERRORN, STRTAB_BASE(_CFG), command queue and event queue
// in memory with PROD/CONS and wrap bits); the stream ID of a transaction is the soc_attr
// stream_id the controller puts on it (its fixed StreamID, or the function's requester ID;
// transactions are counted per stream ID); translation by
// smmu_walker (stream table, CD, 4-level stage-1 walk, IOTLB, walk cache), with every
// configuration, descriptor, command and event access going through the `mem` socket into the
// interconnect and memory controller, so it costs that path's time; one table walker (a
// resource: walks queue behind each other); IOTLB hit latency, per-command and CMD_SYNC
// latencies from the parameters. Commands: CFGI_STE/ALL/CD/CD_ALL, TLBI_NH_ALL/ASID/VA/VAA,
// TLBI_NSNH_ALL, PREFETCH_CONFIG/ADDR (accepted, no effect), CMD_SYNC (completes when CONS
// passes it; CS=IRQ/SEV are treated as none and logged once); an unknown opcode stops the queue
// with CMDQ_CONS.ERR=CERROR_ILL and toggles GERROR.CMDQ_ERR until software acknowledges it in
// GERRORN. Faults become event records (event ID, stream ID, RnW, PnU, input address) in the
// event queue; a full queue sets EVTQ_PROD.OVFLG (toggle) and drops the record; the event and
// global-error interrupts share one level output (irq). A faulting or aborted read returns
// TLM_GENERIC_ERROR_RESPONSE (AXI SLVERR; the controller answers Completer Abort); a faulting
// write is dropped, counted and answered SLVERR. Accesses are split at 4 KiB page boundaries (byte
// enables split with the data, a repeating pattern rotated to each piece, access_pieces.h).
// Register accesses take effect at their own (annotated) time: the initiator synchronises, and a
// read sees every update due at that instant, so polling CMDQ_CONS does not depend on the
// simulator's quantum. The commands a CMDQ_PROD write exposes are fetched from memory back to
// back at that write's instant (a prefetch), then executed in order, each taking its latency.
// Translations happen at their own time and one at a time: a request that needs the walker
// synchronises its initiator first (so the IOTLB, walk cache and walker are used in
// simulated-time order, whatever the quantum), and a translation arriving while another one's
// walk is reading memory waits for it to finish.
// Burst mode: a write with access_pieces (access_pieces.h) is translated once for its page;
// each later piece counts as a translation that waits for the first one and hits the IOTLB
// (counted as an IOTLB hit of its own, as the separate access it stands for would be).
// Does not model: DMI (every access is a transaction: neither the controller nor the
// interconnect uses DMI, so a grant here could never be reached), hit-under-miss (a TLB hit waits
// behind a walk in progress), stage 2, substreams, ATS/PRI, stall mode, MSI-signalled interrupts,
// the PRI queue, secure state, performance monitors, queue-full back-pressure on the command queue
// (software sees CONS), register accesses wider than 64 bits.
#pragma once

#include "model/core/reg_block.h"
#include "model/soc/smmu_regs.h"
#include "model/soc/smmu_walker.h"

#include <deque>
#include <map>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::soc {

struct access_pieces;

struct smmu_params {
    smmuv3::walker_params walker;
    sc_core::sc_time tlb_hit_latency = sc_core::sc_time(2, sc_core::SC_NS);
    sc_core::sc_time walk_step_latency = sc_core::sc_time(4, sc_core::SC_NS); // per level, on top
                                                                              // of the memory read
    sc_core::sc_time command_latency = sc_core::sc_time(20, sc_core::SC_NS);
    sc_core::sc_time sync_latency = sc_core::sc_time(200, sc_core::SC_NS);
    unsigned cmdq_max_log2 = 8, evtq_max_log2 = 7;
};

struct smmu_fault_record {
    std::uint64_t time_ps;
    std::uint8_t event_id;
    std::uint32_t stream_id;
    std::uint64_t address;
    bool read;
    std::string why;
};

const char* smmu_event_name(std::uint8_t id);

class smmu : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<smmu> tbu_in;     // the controller's AXI master
    tlm_utils::simple_initiator_socket<smmu> tbu_out; // translated, into the interconnect
    tlm_utils::simple_initiator_socket<smmu> mem;     // tables, queues (physical)
    tlm_utils::simple_target_socket<smmu> regs;       // programming interface
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(smmu);
    smmu(sc_core::sc_module_name name, const smmu_params& p);

    struct counters {
        std::uint64_t translations = 0, bypassed = 0, aborted = 0, faulting_reads = 0,
                      faulting_writes_dropped = 0, events = 0, events_lost = 0, commands = 0,
                      syncs = 0, command_errors = 0;
        sc_core::sc_time walk_time;
        std::map<std::uint32_t, std::uint64_t> per_stream; // transactions by stream ID
        // The report's declaration (model/core/stats.h); per_stream is reported as a list.
        template <class V>
        void for_each(V&& v) const {
            v("translations", translations, "transactions translated");
            v("bypassed", bypassed, "transactions that bypassed translation");
            v("aborted", aborted, "transactions aborted");
            v("walk_time_ns", walk_time, "time spent in table walks");
            v("faulting_reads", faulting_reads, "reads that faulted");
            v("faulting_writes_dropped", faulting_writes_dropped, "writes that faulted, dropped");
            v("events", events, "event queue records written");
            v("events_lost", events_lost, "events lost to a full event queue");
            v("commands", commands, "commands consumed");
            v("syncs", syncs, "CMD_SYNC commands");
            v("command_errors", command_errors, "commands that raised a CMDQ error");
        }
    };
    const counters& stats() const { return n_; }
    const smmuv3::walker_counters& walker_stats() const { return walker_.counters(); }
    const std::vector<smmu_fault_record>& faults() const { return faults_; }
    bool enabled() const { return regs_.read32(smmuv3::reg::CR0) & smmuv3::cr0::SMMUEN; }

private:
    void tbu_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned tbu_transport_dbg(tlm::tlm_generic_payload& gp);
    void regs_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned regs_transport_dbg(tlm::tlm_generic_payload& gp);
    void reg_access(tlm::tlm_generic_payload& gp);

    // One page-contained piece of an access.
    // looked_up (if given): whether a successful translation went through the IOTLB.
    bool translate_piece(std::uint32_t sid, bool has_sid, std::uint64_t iova, bool write,
                         bool privileged, std::uint64_t& pa, sc_core::sc_time& delay,
                         bool* looked_up = nullptr);
    void move_pieces(access_pieces& pieces, const sc_core::sc_time& first,
                     const sc_core::sc_time& translated, bool looked_up, bool has_sid,
                     std::uint32_t sid);
    bool mem_rw(bool write, std::uint64_t pa, void* data, unsigned len, sc_core::sc_time* delay);
    void record_event(std::uint8_t id, std::uint32_t sid, std::uint64_t iova, bool read,
                      bool privileged, const std::string& why, sc_core::sc_time& delay);
    void cmdq_thread();
    // The command queue's geometry as programmed: the entries' base address, the PROD/CONS
    // mask (index + wrap bit) and the index mask.
    struct cmdq_geometry {
        std::uint64_t base;
        std::uint32_t mask, index_mask;
    };
    cmdq_geometry cmdq_geometry_now() const;
    bool cmdq_running() const; // CMDQEN set and no command-queue error outstanding
    // At a CMDQ_PROD write: fetches the commands software has just produced, back to back from
    // the write's instant (the queue prefetches what PROD exposes).
    void prefetch_commands();
    bool execute(const std::uint64_t (&c)[2]);
    void update_irq();
    void drive_irq();

    smmu_params p_;
    reg_block regs_;
    smmuv3::walker walker_;
    sc_core::sc_time walker_free_at_;
    struct walk_state {
        sc_core::sc_time at; // when the translation's next step may start (absolute)
        bool walked = false; // it read memory (a walk or a configuration fetch)
    } walk_;
    bool translating_ = false; // a translation is in the walker (its reads wait for DRAM)
    sc_core::sc_event translated_;
    smmuv3::read64_fn timed_read_;
    sc_core::sc_event cmdq_kick_, irq_changed_;
    struct fetched_command {
        std::uint64_t c[2];
        bool ok;
        sc_core::sc_time ready; // absolute: the fetch's data arrived
    };
    std::deque<fetched_command> prefetched_; // queue indexes prefetch_first_, +1, ...
    std::uint32_t prefetch_first_ = 0;
    bool cmdq_executing_ = false; // the thread holds a command whose CONS update is pending
    bool irq_level_ = false;
    bool sync_cs_logged_ = false;
    std::vector<smmu_fault_record> faults_;
    counters n_;
};

} // namespace epvp::soc

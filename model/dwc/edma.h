// The DWC embedded DMA controller (eDMA, register map v0), write and read channels, as the
// controller's DBI decode and the Linux dw-edma driver see it. edma.md is the compliance table.
//
// Models: the v0 global registers (CTRL with the channel counts, engine enable, doorbells,
// interrupt status/mask/clear, error status, linked-list error enable, done/abort IMWr
// addresses and the 16-bit IMWr data of every channel; arbitration, channel-group, handshake
// and power-enable registers as stored values); the unrolled map (from 5.40a: channel n at
// 0x200 + n*0x200, write registers at +0x000, read registers at +0x100) and the legacy map
// (viewport_sel at 0x0fc selects channel and direction, bit 31 = read; the selected channel's
// registers at 0x100). Registers of channels beyond the configured counts read 0 and ignore
// writes. Per channel: single-block mode (ch_control1.LLE clear: TRANSFER_SIZE, SAR and DAR
// from the channel registers, LIE/RIE from ch_control1) and linked-list mode (LLE set: 24-byte
// elements fetched from local memory at LLP, data elements consumed while their CB equals the
// channel's CCS, link elements followed whatever their CB and toggling CCS on TCB (Linux's
// chunk scheme needs it, edma.md), the channel stops at the first data element whose CB does
// not match with LLP pointing at it; a doorbell while the list runs makes the channel fetch
// that element again instead of stopping). The element fetcher runs one element ahead and
// successive blocks overlap. TRANSFER_SIZE counts down and SAR/DAR advance (visible at the
// channel thread's synchronisation points); CH_STATUS is 1 while running, 3 when the channel
// stopped normally, 2 after an abort. Write channels read local memory in AXI bursts (at most
// axi_burst_bytes, never across 4 KiB), prefetching as soon as one of axi_outstanding_reads
// slots and room in staging_buffer_bytes are free, and send MWr TLPs of at most MPS bytes that
// never cross a 4 KiB boundary; read channels send MRd TLPs of at most MRRS bytes (never
// across 4 KiB), request k waiting for the tag of request k - max_outstanding_reads(), and
// write the data to local memory (split at 4 KiB) when it arrives. Done (LIE): the done bit in
// int_status and the local interrupt line (any unmasked done/abort bit of either direction);
// RIE: an IMWr of the channel's 16-bit data to done_imwr, issued after the block's last data
// TLP left / last local write finished. Aborts (AXI error on data or on an element fetch, a
// non-SC completion, an MWr the controller could not send, the doorbell STOP bit, engine
// disable, a linked list that runs past max_ll_elements fetches per doorbell): CH_STATUS 2,
// the abort bit, the error-status bit where the databook has one (cleared with the abort bit
// through int_clear), and an IMWr to abort_imwr with RIE (single block, or the element being
// moved) or LLRAIE (linked list).
// Timing: one thread per channel keeps its own time and passes it to the bus as TLM delays;
// it calls wait() only when it runs more than a quantum ahead, before it raises an interrupt
// and when it finishes. Every transaction starts at a time computed from the times earlier
// transactions returned, and is issued before the thread's time passes it: the quantum changes
// when the thread syncs, never a simulated time of the channel's own transactions. Channels
// run concurrently; the bus arbitrates the link. Per-doorbell records (bytes, TLPs, what the
// TLPs waited for) and counters for reports.
// Does not model: HDMA, channel arbitration weights and priorities (channels interleave at the
// link in the order their threads call the bus, which for channels running at the same time
// depends on the quantum), one staging buffer shared by a list's blocks, handshake/peripheral
// mode, power enables, LLLAIE (an abort always sets the abort status bit), function numbers
// and TLP attributes from ch_control1/2, completion timeout and poisoned data as separate error
// bits (the bus reports both as UR), the exact register values a firmware would read in the
// middle of a quantum.
#pragma once

#include "core/reg_block.h"
#include "dwc/edma_bus.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::dwc {

// Register offsets from the eDMA base and their bits (Linux drivers/dma/dw-edma/dw-edma-v0-regs.h,
// struct dw_edma_v0_regs, packed: offsets by counting the field sizes, not from its comments).
namespace edma_reg {
constexpr unsigned max_channels = 8; // per direction

// Global registers.
constexpr std::uint32_t ctrl_data_arb_prior = 0x000;
constexpr std::uint32_t ctrl = 0x008;
constexpr std::uint32_t wr_engine_en = 0x00C;
constexpr std::uint32_t wr_doorbell = 0x010;
constexpr std::uint32_t wr_ch_arb_weight_lo = 0x018;
constexpr std::uint32_t wr_ch_arb_weight_hi = 0x01C;
constexpr std::uint32_t rd_engine_en = 0x02C;
constexpr std::uint32_t rd_doorbell = 0x030;
constexpr std::uint32_t rd_ch_arb_weight_lo = 0x038;
constexpr std::uint32_t rd_ch_arb_weight_hi = 0x03C;
constexpr std::uint32_t wr_int_status = 0x04C;
constexpr std::uint32_t wr_int_mask = 0x054;
constexpr std::uint32_t wr_int_clear = 0x058;
constexpr std::uint32_t wr_err_status = 0x05C;
constexpr std::uint32_t wr_done_imwr_lo = 0x060;
constexpr std::uint32_t wr_done_imwr_hi = 0x064;
constexpr std::uint32_t wr_abort_imwr_lo = 0x068;
constexpr std::uint32_t wr_abort_imwr_hi = 0x06C;
constexpr std::uint32_t wr_ch01_imwr_data = 0x070; // ch23 +4, ch45 +8, ch67 +0xC
constexpr std::uint32_t wr_linked_list_err_en = 0x090;
constexpr std::uint32_t rd_int_status = 0x0A0;
constexpr std::uint32_t rd_int_mask = 0x0A8;
constexpr std::uint32_t rd_int_clear = 0x0AC;
constexpr std::uint32_t rd_err_status_lo = 0x0B4;
constexpr std::uint32_t rd_err_status_hi = 0x0B8;
constexpr std::uint32_t rd_linked_list_err_en = 0x0C4;
constexpr std::uint32_t rd_done_imwr_lo = 0x0CC;
constexpr std::uint32_t rd_done_imwr_hi = 0x0D0;
constexpr std::uint32_t rd_abort_imwr_lo = 0x0D4;
constexpr std::uint32_t rd_abort_imwr_hi = 0x0D8;
constexpr std::uint32_t rd_ch01_imwr_data = 0x0DC;
constexpr std::uint32_t imwr_data_stride = 4; // one register per channel pair
// Legacy map.
constexpr std::uint32_t viewport_sel = 0x0FC; // after rd_ch67_imwr_data (0x0E8) and padding_13[4]
constexpr std::uint32_t viewport_window = 0x100;
// Unrolled map.
constexpr std::uint32_t wr_engine_chgroup = 0x100;
constexpr std::uint32_t rd_engine_chgroup = 0x104;
constexpr std::uint32_t wr_engine_hshake_cnt_lo = 0x108;
constexpr std::uint32_t wr_engine_hshake_cnt_hi = 0x10C;
constexpr std::uint32_t rd_engine_hshake_cnt_lo = 0x118; // after padding_2[2] at 0x110
constexpr std::uint32_t rd_engine_hshake_cnt_hi = 0x11C;
constexpr std::uint32_t wr_ch0_pwr_en = 0x128; // channel n at + 4n
constexpr std::uint32_t rd_ch0_pwr_en = 0x168;
constexpr std::uint32_t pwr_en_stride = 4;
constexpr std::uint32_t unrolled_channel_base = 0x200;
constexpr std::uint32_t unrolled_channel_stride = 0x200;
constexpr std::uint32_t unrolled_read_offset = 0x100;

// Channel registers (dw_edma_v0_ch_regs), relative to the channel block or viewport window.
constexpr std::uint32_t ch_control1 = 0x00;
constexpr std::uint32_t ch_control2 = 0x04;
constexpr std::uint32_t transfer_size = 0x08;
constexpr std::uint32_t sar_lo = 0x0C;
constexpr std::uint32_t sar_hi = 0x10;
constexpr std::uint32_t dar_lo = 0x14;
constexpr std::uint32_t dar_hi = 0x18;
constexpr std::uint32_t llp_lo = 0x1C;
constexpr std::uint32_t llp_hi = 0x20;
constexpr std::uint32_t channel_regs_bytes = 0x24;

// CTRL.
constexpr std::uint32_t ctrl_num_wr_shift = 0;  // NUM_WR_CHAN [3:0]
constexpr std::uint32_t ctrl_num_rd_shift = 16; // NUM_RD_CHAN [19:16]
constexpr std::uint32_t ctrl_num_mask = 0xF;
// Engine enable, doorbell, viewport.
constexpr std::uint32_t engine_enable = 1u << 0;
constexpr std::uint32_t doorbell_channel_mask = 0x7; // [2:0]
constexpr std::uint32_t doorbell_stop = 1u << 31;
constexpr std::uint32_t viewport_channel_mask = 0x7;
constexpr std::uint32_t viewport_read = 1u << 31;
// int_status / int_mask / int_clear: one bit per channel.
constexpr std::uint32_t int_done_shift = 0;   // DONE [7:0]
constexpr std::uint32_t int_abort_shift = 16; // ABORT [23:16]
// Error status (databook field names).
constexpr std::uint32_t wr_err_app_read_shift = 0;  // AXI read error on the data [7:0]
constexpr std::uint32_t err_ll_fetch_shift = 16;    // element fetch error [23:16], both directions
constexpr std::uint32_t rd_err_app_write_shift = 0; // AXI write error on the data [7:0]
constexpr std::uint32_t rd_err_hi_ur_shift = 0;     // Unsupported Request completion [7:0]
constexpr std::uint32_t rd_err_hi_ca_shift = 8;     // Completer Abort completion [15:8]
constexpr std::uint32_t rd_err_hi_timeout_shift = 16;  // completion timeout [23:16]
constexpr std::uint32_t rd_err_hi_poisoned_shift = 24; // poisoned data [31:24]
// linked_list_err_en.
constexpr std::uint32_t ll_err_remote_abort_shift = 0; // LLRAIE [7:0]
constexpr std::uint32_t ll_err_local_abort_shift = 16; // LLLAIE [23:16]
// IMWr data: 16 bits per channel, even channel low half, odd channel high half.
constexpr std::uint32_t imwr_data_bits = 16;
constexpr std::uint32_t imwr_data_mask = 0xFFFF;
constexpr unsigned imwr_tlp_bytes = 4;

// ch_control1 and element control (enum dw_edma_control).
constexpr std::uint32_t cb = 1u << 0;
constexpr std::uint32_t tcb = 1u << 1;
constexpr std::uint32_t llp = 1u << 2;
constexpr std::uint32_t lie = 1u << 3;
constexpr std::uint32_t rie = 1u << 4;
constexpr std::uint32_t cs_shift = 5; // CH_STATUS [6:5]
constexpr std::uint32_t cs_mask = 0x3u << cs_shift;
constexpr std::uint32_t ccs = 1u << 8;
constexpr std::uint32_t lle = 1u << 9;
constexpr std::uint32_t cs_running = 1;
constexpr std::uint32_t cs_halted = 2; // after an abort (reads as DMA_ERROR in Linux)
constexpr std::uint32_t cs_stopped = 3;

// Linked-list elements (dw_edma_v0_lli / dw_edma_v0_llp).
constexpr unsigned ll_element_bytes = 24; // one slot
constexpr unsigned ll_control = 0;
constexpr unsigned ll_transfer_size = 4;
constexpr unsigned ll_sar = 8;
constexpr unsigned ll_dar = 16;
constexpr unsigned ll_link_ptr = 8;

constexpr std::uint64_t boundary_bytes = 4096; // no TLP and no AXI burst crosses it
} // namespace edma_reg

enum class edma_dir { write = 0, read = 1 };
const char* to_string(edma_dir d);

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

class edma : public sc_core::sc_module {
public:
    // Throws std::invalid_argument (naming the dwc.edma.* key and its range) on bad params.
    edma(sc_core::sc_module_name name, const edma_params& p);
    ~edma() override;

    // DBI access at an offset from the eDMA base (legacy layout: DBI offset - 0x970), one dword.
    std::uint32_t read32(std::uint32_t offset);
    // The same value without logging it (the controller merging a partial write).
    std::uint32_t peek32(std::uint32_t offset);
    // delay: the access's time offset from sc_time_stamp(); a doorbell starts the channel then.
    void write32(std::uint32_t offset, std::uint32_t value, const sc_core::sc_time& delay);
    // The register an offset reaches, as "NAME" from the register table (channel registers
    // as "wr0.SAR_LO"; the legacy window names the selected channel), or "" if none. Has no
    // side effect: for tests and tools.
    std::string register_name(std::uint32_t offset);
    // Cold reset: every register; running channels stop without status or interrupt.
    void reset();
    // Function-Level Reset: every running channel stops (as by engine disable) and reports it;
    // registers keep their values (the firmware programs them again).
    void stop_all(const char* why);

    unsigned channels(edma_dir d) const {
        return d == edma_dir::write ? p_.write_channels : p_.read_channels;
    }
    bool irq() const { return irq_level_; }
    const std::vector<edma_transfer>& transfers() const { return transfers_; }
    const edma_counters& counters() const { return counters_; }
    const edma_params& params() const { return p_; }

private:
    struct channel;
    struct run_state;
    struct step;
    struct element;

    channel* find(edma_dir d, unsigned index);
    // A channel register behind an offset; in_channel_space is false for global offsets.
    channel* decode(std::uint32_t offset, std::uint32_t& reg, bool& in_channel_space);
    void on_doorbell(edma_dir d, std::uint32_t value);
    void on_int_clear(edma_dir d, std::uint32_t value);
    void on_engine_en(edma_dir d, std::uint32_t old_value, std::uint32_t new_value);
    void update_irq();
    void log_access(bool write, std::uint32_t offset, const reg_block& blk, std::uint32_t reg,
                    std::uint32_t value,
                    const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) const;

    void channel_thread(channel& ch);
    void run(channel& ch);
    step run_single(run_state& r);
    step run_linked_list(run_state& r);
    // The next data element at LLP, following link elements; may_sync: the fetch is the
    // earliest thing the channel does next (not a prefetch).
    element next_element(run_state& r, sc_core::sc_time ready, bool may_sync);
    step data_block(run_state& r, sc_core::sc_time start);
    step write_block(run_state& r, sc_core::sc_time start);
    step read_block(run_state& r, sc_core::sc_time start);
    void finish(run_state& r, const step& s);
    void raise_done(run_state& r, std::uint32_t control);
    void send_imwr(channel& ch, bool abort);
    bool local_read(std::uint64_t addr, unsigned char* data, unsigned len, sc_core::sc_time& at);

    // Time keeping of a channel thread (absolute times).
    void sync_to(run_state& r, const sc_core::sc_time& at);
    void wait_until(run_state& r, const sc_core::sc_time& at);
    bool cancelled(const run_state& r) const;
    void publish(run_state& r); // progress into the channel registers

    std::uint32_t dir_reg(edma_dir d, std::uint32_t wr_offset, std::uint32_t rd_offset) const {
        return d == edma_dir::write ? wr_offset : rd_offset;
    }
    std::uint32_t channel_bits(edma_dir d) const;

    edma_params p_;
    reg_block globals_;
    std::vector<std::unique_ptr<channel>> channels_[2];
    std::vector<edma_transfer> transfers_;
    edma_counters counters_;
    bool irq_level_ = false;
    sc_core::sc_time write_delay_; // of the register write being handled
};

} // namespace epvp::dwc

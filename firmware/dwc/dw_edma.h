// DesignWare eDMA (v0 register map) driver for the endpoint's own use: the firmware counterpart
// of Linux's dw-edma-v0-core.c plus the discovery in pcie-designware.c (dw_pcie_edma_detect),
// written for the local ("DW_EDMA_CHIP_LOCAL") case.
//
// Discovery: on cores >= 5.40a, or when DBI PCIE_DMA_VIEWPORT_BASE + PCIE_DMA_CTRL reads all-ones
// and the board has an eDMA region, the map is UNROLL at the board's eDMA base; otherwise (the
// read is not all-ones) it is LEGACY at DBI + PCIE_DMA_VIEWPORT_BASE, channel registers reached
// through the viewport. Channel counts come from CTRL; 0 or more than 8 means no usable eDMA.
//
// Transfers: as Linux's dw_edma_v0_core_write_chunk / dw_edma_v0_core_start, in the channel's
// own LL page (coherent pool): the transfer is cut into data elements of at most element_bytes()
// and those into chunks of at most ll_max() elements (the last chunk may be shorter). Each chunk
// is written from the page start: its data elements with CB = the chunk's cb, LIE on the last,
// then a link element LLP | TCB with CB = !cb back to the page start; cb is 1 for the first
// chunk and alternates. The first chunk gets the full start sequence (engine_en, unmask
// done/abort, linked_list_err_en, ch_control1 = CCS | LLE, llp, doorbell); every later chunk,
// written once the previous one's done interrupt came, gets the doorbell alone.
// Completion comes through the eDMA interrupt line: the handler installed by probe() reads and
// clears done/abort for both directions and records them per channel; xfer waits with
// hal::platform::wait_for_interrupt until its channel's bit was seen or the deadline passed
// (every wait is bounded).
//
// Not modelled here: remote mode (RIE, IMWr set-up), HDMA, single-block (non-LL) mode, stopping a
// running channel (v0 has no per-channel stop in Linux either).
#pragma once

#include "firmware/dwc/pcie_designware.h"
#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <array>
#include <cstdint>

namespace fw::dwc {

// Register offsets and bits (pcie-designware.h, dw-edma-v0-regs.h, dw-edma-v0-core.c).
namespace edma_regs {

// ---- discovery (pcie-designware.h) ----
constexpr std::uint32_t DW_PCIE_VER_540A = 0x3534302a;  // "540*"
constexpr std::uint32_t PCIE_DMA_VIEWPORT_BASE = 0x970; // legacy eDMA block inside DBI
constexpr std::uint32_t PCIE_DMA_CTRL = 0x008;          // = dw_edma_v0_regs.ctrl
constexpr std::uint32_t PCIE_DMA_NUM_WR_CHAN_SHIFT = 0; // GENMASK(3, 0)
constexpr std::uint32_t PCIE_DMA_NUM_WR_CHAN = 0xFu << PCIE_DMA_NUM_WR_CHAN_SHIFT;
constexpr std::uint32_t PCIE_DMA_NUM_RD_CHAN_SHIFT = 16; // GENMASK(19, 16)
constexpr std::uint32_t PCIE_DMA_NUM_RD_CHAN = 0xFu << PCIE_DMA_NUM_RD_CHAN_SHIFT;
constexpr std::uint32_t DMA_CTRL_ABSENT = 0xFFFFFFFFu; // what an unrolled core reads there
constexpr unsigned EDMA_MAX_WR_CH = 8;                 // include/linux/dma/edma.h
constexpr unsigned EDMA_MAX_RD_CH = 8;

// ---- global registers (struct dw_edma_v0_regs), byte offsets from the eDMA base ----
constexpr std::uint32_t CTRL_DATA_ARB_PRIOR = 0x000;
constexpr std::uint32_t CTRL = 0x008;
constexpr std::uint32_t WR_ENGINE_EN = 0x00c;
constexpr std::uint32_t WR_DOORBELL = 0x010;
constexpr std::uint32_t WR_CH_ARB_WEIGHT_LOW = 0x018;
constexpr std::uint32_t WR_CH_ARB_WEIGHT_HIGH = 0x01c;
constexpr std::uint32_t RD_ENGINE_EN = 0x02c;
constexpr std::uint32_t RD_DOORBELL = 0x030;
constexpr std::uint32_t RD_CH_ARB_WEIGHT_LOW = 0x038;
constexpr std::uint32_t RD_CH_ARB_WEIGHT_HIGH = 0x03c;
// ch_arb_weight: 5 bits per channel, channels 0-3 in the low register at [5n+4:5n], 4-7 in the
// high one (DWC databook field layout as the ADSP-SC58x Hardware Reference documents it).
constexpr unsigned arb_weight_bits = 5;
constexpr std::uint32_t arb_weight_mask = 0x1f;
constexpr unsigned arb_weights_per_reg = 4;
constexpr std::uint32_t WR_INT_STATUS = 0x04c;
constexpr std::uint32_t WR_INT_MASK = 0x054;
constexpr std::uint32_t WR_INT_CLEAR = 0x058;
constexpr std::uint32_t WR_ERR_STATUS = 0x05c;
constexpr std::uint32_t WR_DONE_IMWR_LOW = 0x060;
constexpr std::uint32_t WR_DONE_IMWR_HIGH = 0x064;
constexpr std::uint32_t WR_ABORT_IMWR_LOW = 0x068;
constexpr std::uint32_t WR_ABORT_IMWR_HIGH = 0x06c;
constexpr std::uint32_t WR_CH01_IMWR_DATA = 0x070;
constexpr std::uint32_t WR_CH23_IMWR_DATA = 0x074;
constexpr std::uint32_t WR_CH45_IMWR_DATA = 0x078;
constexpr std::uint32_t WR_CH67_IMWR_DATA = 0x07c;
constexpr std::uint32_t WR_LINKED_LIST_ERR_EN = 0x090;
constexpr std::uint32_t RD_INT_STATUS = 0x0a0;
constexpr std::uint32_t RD_INT_MASK = 0x0a8;
constexpr std::uint32_t RD_INT_CLEAR = 0x0ac;
constexpr std::uint32_t RD_ERR_STATUS_LOW = 0x0b4;
constexpr std::uint32_t RD_ERR_STATUS_HIGH = 0x0b8;
constexpr std::uint32_t RD_LINKED_LIST_ERR_EN = 0x0c4;
constexpr std::uint32_t RD_DONE_IMWR_LOW = 0x0cc;
constexpr std::uint32_t RD_DONE_IMWR_HIGH = 0x0d0;
constexpr std::uint32_t RD_ABORT_IMWR_LOW = 0x0d4;
constexpr std::uint32_t RD_ABORT_IMWR_HIGH = 0x0d8;
constexpr std::uint32_t RD_CH01_IMWR_DATA = 0x0dc;
constexpr std::uint32_t RD_CH23_IMWR_DATA = 0x0e0;
constexpr std::uint32_t RD_CH45_IMWR_DATA = 0x0e4;
constexpr std::uint32_t RD_CH67_IMWR_DATA = 0x0e8;

// Legacy map: a viewport selects the channel whose registers appear at LEGACY_CH_REGS.
// struct dw_edma_v0_regs is packed: rd_ch67_imwr_data (0x0e8) + padding_13[4] puts the union at
// 0x0fc (the header's "0x0f8" comment is wrong).
constexpr std::uint32_t VIEWPORT_SEL = 0x0fc;
constexpr std::uint32_t EDMA_V0_VIEWPORT_MASK = 0x7;  // GENMASK(2, 0): channel
constexpr std::uint32_t VIEWPORT_SEL_READ = 1u << 31; // BIT(31): read-direction channel
constexpr std::uint32_t LEGACY_CH_REGS = 0x100;

// Unrolled map: global extras, then one 0x200 block per channel (WR half, RD half).
constexpr std::uint32_t WR_ENGINE_CHGROUP = 0x100;
constexpr std::uint32_t RD_ENGINE_CHGROUP = 0x104;
constexpr std::uint32_t WR_ENGINE_HSHAKE_CNT_LOW = 0x108;
constexpr std::uint32_t RD_ENGINE_HSHAKE_CNT_LOW = 0x118; // padding_2[2] is 8 bytes from 0x110
constexpr std::uint32_t WR_CH0_PWR_EN = 0x128;
constexpr std::uint32_t RD_CH0_PWR_EN = 0x168;
constexpr std::uint32_t UNROLL_CH_BASE = 0x200;
constexpr std::uint32_t UNROLL_CH_STRIDE = 0x200;
constexpr std::uint32_t UNROLL_CH_WR = 0x000;
constexpr std::uint32_t UNROLL_CH_RD = 0x100;

// ---- per-channel registers (struct dw_edma_v0_ch_regs) ----
constexpr std::uint32_t CH_CONTROL1 = 0x00;
constexpr std::uint32_t CH_CONTROL2 = 0x04;
constexpr std::uint32_t TRANSFER_SIZE = 0x08;
constexpr std::uint32_t SAR_LSB = 0x0c;
constexpr std::uint32_t SAR_MSB = 0x10;
constexpr std::uint32_t DAR_LSB = 0x14;
constexpr std::uint32_t DAR_MSB = 0x18;
constexpr std::uint32_t LLP_LSB = 0x1c;
constexpr std::uint32_t LLP_MSB = 0x20;

// ---- fields ----
constexpr std::uint32_t EDMA_V0_ENGINE_EN = 1u << 0; // engine_en BIT(0)
constexpr std::uint32_t EDMA_V0_DONE_INT_SHIFT = 0;
constexpr std::uint32_t EDMA_V0_DONE_INT_MASK = 0xFFu << EDMA_V0_DONE_INT_SHIFT; // [7:0]
constexpr std::uint32_t EDMA_V0_ABORT_INT_SHIFT = 16;
constexpr std::uint32_t EDMA_V0_ABORT_INT_MASK = 0xFFu << EDMA_V0_ABORT_INT_SHIFT; // [23:16]
constexpr std::uint32_t EDMA_V0_DOORBELL_CH_MASK = 0x7;                            // [2:0]
constexpr std::uint32_t EDMA_V0_LINKED_LIST_ERR_MASK = 0xFF;                       // [7:0]
constexpr std::uint32_t EDMA_V0_CH_STATUS_SHIFT = 5;
constexpr std::uint32_t EDMA_V0_CH_STATUS_MASK = 0x3u << EDMA_V0_CH_STATUS_SHIFT; // ch_control1
constexpr std::uint32_t EDMA_V0_CH_STATUS_RUNNING = 1;                            // DMA_IN_PROGRESS
constexpr std::uint32_t EDMA_V0_CH_STATUS_STOPPED = 3; // DMA_COMPLETE; anything else DMA_ERROR

// enum dw_edma_control: element control (CB..RIE) and ch_control1 (CCS, LLE) bits.
constexpr std::uint32_t DW_EDMA_V0_CB = 1u << 0;
constexpr std::uint32_t DW_EDMA_V0_TCB = 1u << 1;
constexpr std::uint32_t DW_EDMA_V0_LLP = 1u << 2;
constexpr std::uint32_t DW_EDMA_V0_LIE = 1u << 3;
constexpr std::uint32_t DW_EDMA_V0_RIE = 1u << 4;
constexpr std::uint32_t DW_EDMA_V0_CCS = 1u << 8;
constexpr std::uint32_t DW_EDMA_V0_LLE = 1u << 9;

// ---- linked-list elements (struct dw_edma_v0_lli / dw_edma_v0_llp), little-endian ----
constexpr std::uint32_t EDMA_LL_SZ = 24; // bytes per slot
constexpr std::uint32_t LLI_CONTROL = 0x00;
constexpr std::uint32_t LLI_TRANSFER_SIZE = 0x04;
constexpr std::uint32_t LLI_SAR = 0x08;
constexpr std::uint32_t LLI_DAR = 0x10;
constexpr std::uint32_t LLP_CONTROL = 0x00;
constexpr std::uint32_t LLP_RESERVED = 0x04;
constexpr std::uint32_t LLP_LLP = 0x08;

} // namespace edma_regs

// Channel direction, named as the eDMA does (from the endpoint's point of view):
// write = local memory -> PCI (MWr TLPs), read = PCI -> local memory (MRd TLPs).
enum class edma_dir : std::uint8_t { write = 0, read = 1 };
const char* to_string(edma_dir d);

// enum dw_edma_map_format, the formats this driver handles.
enum class edma_map_format : std::uint8_t { none, legacy, unroll };

struct edma_dir_stats {
    std::uint64_t transfers = 0; // xfer calls that completed with done
    std::uint64_t bytes = 0;     // bytes of those transfers
    std::uint64_t aborts = 0;    // transfers ended by an abort interrupt
    std::uint64_t timeouts = 0;  // transfers that saw neither done nor abort in time
    std::uint64_t doorbells = 0; // doorbell writes (one per chunk)
};

// The firmware's view of one transfer's timing.
struct edma_xfer_times {
    std::uint64_t doorbell_ns = 0; // io.now_ns() just before the first doorbell write
    std::uint64_t done_ns = 0; // when the interrupt handler saw the last done/abort (or gave up)
};

class dw_edma {
public:
    // Linux: DMA_LLP_MEM_SIZE = PAGE_SIZE of LL memory per channel.
    static constexpr std::uint64_t ll_region_bytes = 4096;
    // dw_edma ll_max: one slot is kept for the link element.
    static constexpr unsigned max_ll_max = ll_region_bytes / edma_regs::EDMA_LL_SZ - 1;
    // Largest data element this driver builds (transfer_size is 32 bits wide).
    static constexpr std::uint64_t max_element_bytes = 16ull << 20;

    dw_edma(hal::platform& io, const hal::ep_board& board, dw_pcie& pci, epc::coherent_pool& pool);
    ~dw_edma();
    dw_edma(const dw_edma&) = delete;
    dw_edma& operator=(const dw_edma&) = delete;

    // Discovery, channel counts, LL pages, engines off and the eDMA interrupt handler.
    // Returns 0, -EOPNOTSUPP when there is no usable eDMA, or -ENOMEM (no LL memory). Needs
    // dw_pcie::version_detect() to have run (dw_pcie_ep::init_registers does).
    int probe();
    bool probed() const { return mf_ != edma_map_format::none; }
    edma_map_format map_format() const { return mf_; }
    bool unroll() const { return mf_ == edma_map_format::unroll; }
    std::uint64_t reg_base() const { return reg_base_; }
    unsigned num_channels(edma_dir d) const { return count_[idx(d)]; }

    // A free channel of that direction: its id, or -EOPNOTSUPP (not probed) / -EBUSY (none
    // free). A channel left running by a timed-out transfer is not handed out again until its
    // CH_STATUS says it stopped.
    int request_channel(edma_dir d);
    void release_channel(edma_dir d, unsigned ch);
    // Trades the held channel ch for the next free one after it (cyclically): returns the
    // channel now held, ch itself when no other is free. Lets a caller spread its transfers
    // over every channel of a direction.
    int rotate_channel(edma_dir d, unsigned ch);

    // One transfer of size bytes between local_addr (endpoint AXI address) and pci_addr (PCI
    // bus address): request a channel, xfer_channel, release it.
    int xfer(edma_dir d, std::uint64_t local_addr, std::uint64_t pci_addr, std::uint64_t size,
             std::uint64_t timeout_ns);
    // The same on a channel the caller holds. Returns 0, -EINVAL (bad channel or size 0),
    // -EOPNOTSUPP (not probed), -EBUSY (CH_STATUS says the channel still runs), -EIO (abort
    // interrupt or an LL memory write failed) or -ETIMEDOUT. times (optional) receives the
    // firmware-observed doorbell and completion times.
    int xfer_channel(edma_dir d, unsigned ch, std::uint64_t local_addr, std::uint64_t pci_addr,
                     std::uint64_t size, std::uint64_t timeout_ns,
                     edma_xfer_times* times = nullptr);

    // Several channels at once: xfer_start programs one LL page (at most ll_max() x
    // element_bytes() bytes) on a held channel and rings it without waiting; xfer_wait waits
    // for that channel's done or abort (deadline: an io.now_ns() value) and counts the
    // transfer. Errors as xfer_channel; xfer_start: -EINVAL also for more than one page.
    int xfer_start(edma_dir d, unsigned ch, std::uint64_t local_addr, std::uint64_t pci_addr,
                   std::uint64_t size, edma_xfer_times* times = nullptr);
    int xfer_wait(edma_dir d, unsigned ch, std::uint64_t size, std::uint64_t deadline_ns,
                  edma_xfer_times* times = nullptr);
    // The channel's arbitration weight (wr/rd_ch_arb_weight, 5 bits a channel: weight + 1
    // TLPs per turn). Returns 0 or -EINVAL (no such channel, weight > 31).
    int set_arb_weight(edma_dir d, unsigned ch, unsigned weight);

    // Data elements per chunk (1..max_ll_max) and bytes per data element (1..max_element_bytes):
    // the page's capacity and the driver's element size unless a test asks for smaller ones to
    // get many chunks. Returns 0 or -EINVAL.
    int set_list_limits(unsigned ll_max, std::uint64_t element_bytes);
    unsigned ll_max() const { return ll_max_; }
    std::uint64_t element_bytes() const { return element_bytes_; }

    const edma_dir_stats& stats(edma_dir d) const { return stats_[idx(d)]; }
    std::uint64_t transfers() const;
    std::uint64_t bytes() const;
    std::uint64_t aborts() const;
    std::uint64_t timeouts() const;
    std::uint64_t irqs() const { return irqs_; }

private:
    static constexpr unsigned num_dirs = 2;
    static constexpr unsigned max_ch = edma_regs::EDMA_MAX_WR_CH;
    static_assert(edma_regs::EDMA_MAX_WR_CH == edma_regs::EDMA_MAX_RD_CH, "one table per dir");
    static constexpr std::size_t idx(edma_dir d) { return static_cast<std::size_t>(d); }

    // The direction's copies of the global registers.
    struct dir_regs {
        std::uint32_t engine_en, doorbell, int_status, int_mask, int_clear, linked_list_err_en;
    };
    static const dir_regs& regs_of(edma_dir d);

    int find_map_format();
    int find_channels();
    int alloc_ll();
    void free_ll();
    void core_off();
    void handle_irq();
    void handle_dir_irq(edma_dir d);

    std::uint32_t readl(std::uint32_t reg) { return io_.rd32(reg_base_ + reg); }
    void writel(std::uint32_t reg, std::uint32_t v) { io_.wr32(reg_base_ + reg, v); }
    // Where the channel's registers are; on the legacy map this selects the viewport.
    std::uint64_t ch_regs(edma_dir d, unsigned ch);
    std::uint32_t ch_status(edma_dir d, unsigned ch);

    int write_ll(edma_dir d, unsigned ch, std::uint64_t local_addr, std::uint64_t pci_addr,
                 std::uint64_t size, bool cb);
    void start(edma_dir d, unsigned ch);
    int wait_done(edma_dir d, unsigned ch, std::uint64_t deadline_ns);
    // A transfer's end in the statistics (aborted: it ended by an abort interrupt).
    void count_transfer(edma_dir d, int ret, bool aborted, std::uint64_t size);
    void log_abort(edma_dir d, unsigned ch);
    std::uint64_t error_status(edma_dir d); // WR_ERR_STATUS, or RD_ERR_STATUS_HIGH:LOW

    hal::platform& io_;
    const hal::ep_board& board_;
    dw_pcie& pci_;
    epc::coherent_pool& pool_;
    edma_map_format mf_ = edma_map_format::none;
    std::uint64_t reg_base_ = 0;
    std::array<std::uint16_t, num_dirs> count_{};
    std::array<std::array<std::uint64_t, max_ch>, num_dirs> ll_paddr_{}; // 0 = none
    std::array<std::uint32_t, num_dirs> allocated_{};                    // channel bitmaps
    // Recorded by the interrupt handler, cleared before each start.
    std::array<std::uint32_t, num_dirs> done_{}, abort_{};
    std::array<std::array<std::uint64_t, max_ch>, num_dirs> irq_ns_{};
    // The direction's error status as read when a channel's abort was seen (before its clear,
    // which clears the error bits too), for the abort's log line.
    std::array<std::array<std::uint64_t, max_ch>, num_dirs> abort_err_{};
    std::array<edma_dir_stats, num_dirs> stats_{};
    std::uint64_t irqs_ = 0;
    bool handler_installed_ = false;
    unsigned ll_max_ = max_ll_max;
    std::uint64_t element_bytes_ = max_element_bytes;
};

} // namespace fw::dwc

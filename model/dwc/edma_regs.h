// The eDMA register file (register map v0) as the controller's DBI decode and the Linux dw-edma
// driver see it: one register table, decoded once for both layouts. edma.md is the compliance
// table. SystemC-free: no time, no bus; the engine (edma_engine.h) acts on what a write started.
//
// Models: the v0 global registers (CTRL with the channel counts, engine enable, doorbells,
// interrupt status/mask/clear, error status, linked-list error enable, done/abort IMWr
// addresses and the 16-bit IMWr data of every channel; arbitration, channel-group, handshake
// and power-enable registers as stored values); the unrolled map (from 5.40a: channel n at
// 0x200 + n*0x200, write registers at +0x000, read registers at +0x100) and the legacy map
// (viewport_sel at 0x0fc selects channel and direction, bit 31 = read; the selected channel's
// registers at 0x100). Registers of channels beyond the configured counts read 0 and ignore
// writes. Doorbells and int_clear are write-only; clearing a channel's abort bit clears its
// error-status bits; the interrupt level is any unmasked done/abort bit of either direction.
// Does not model: HDMA maps, LLLAIE (an abort always sets the abort status bit), completion
// timeout as its own error bit (the bus reports it as UR), side effects of the stored-only
// registers.
#pragma once

#include "model/core/reg_block.h"

#include <cstdint>
#include <memory>
#include <string>
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
// wr/rd_ch_arb_weight (Linux: a u64 at 0x018 / 0x038, lsb then msb): 5 bits per channel, channels
// 0-3 in the low register at bits [5n+4:5n], channels 4-7 likewise in the high one; a value v
// gives the channel v + 1 TLPs per turn (ADSP-SC58x/ADSP-2158x Hardware Reference, DWC PCIe
// PCIE_DMAWR_ARBWGT_LO: "0x00-0x1F corresponding to 1-32 transactions").
constexpr unsigned arb_weight_bits = 5;
constexpr std::uint32_t arb_weight_mask = 0x1F;
constexpr unsigned arb_weights_per_reg = 4;
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
// "WR" / "RD", as log lines name a channel ("WR ch0").
const char* dir_label(edma_dir d);

// A 64-bit register pair (LO at lo_offset, HI at lo_offset + 4).
std::uint64_t read64(const reg_block& regs, std::uint32_t lo_offset);
void set64(reg_block& regs, std::uint32_t lo_offset, std::uint64_t value);

// Why a channel aborted, as the error-status registers tell it.
enum class edma_error {
    none,         // no error-status bit (STOP, engine disable, an MWr that could not be sent)
    app_read,     // write channel: AXI error reading the data
    app_write,    // read channel: AXI error writing the data
    ll_fetch,     // element fetch error, or a list that ran past max_ll_elements
    cpl_ur,       // read channel: UR completion (or none)
    cpl_ca,       // read channel: CA completion
    cpl_poisoned, // read channel: poisoned completion
};

class edma_regfile {
public:
    edma_regfile(const std::string& name, bool unrolled, unsigned write_channels,
                 unsigned read_channels);

    unsigned channels(edma_dir d) const {
        return static_cast<unsigned>(channel_regs_[static_cast<unsigned>(d)].size());
    }
    // Channel n's registers (n < channels(d)).
    reg_block& channel(edma_dir d, unsigned n) {
        return *channel_regs_[static_cast<unsigned>(d)][n];
    }

    // What an offset (dword aligned) reaches. regs is null where there is no register; in
    // channel space that is a channel beyond the counts (reads 0, ignores writes, silently).
    struct target {
        reg_block* regs = nullptr;
        std::uint32_t reg = 0; // offset within regs
        bool channel_space = false;
        edma_dir dir = edma_dir::write;
        unsigned index = 0;
    };
    target decode(std::uint32_t offset);

    // What a DBI write started, for the engine and the interrupt line.
    struct effect {
        enum class kind { none, doorbell, engine_disabled, irq_changed };
        kind k = kind::none;
        edma_dir dir = edma_dir::write;
        std::uint32_t value = 0; // the doorbell value
    };
    // A DBI write of a global register; known is false when the offset has none.
    effect write_global(std::uint32_t offset, std::uint32_t value, bool& known);
    reg_block& globals() { return globals_; }
    const reg_block& globals() const { return globals_; }
    // The register an offset reaches ("SAR_LO" as "wr0.SAR_LO"), or "".
    std::string register_name(std::uint32_t offset);
    void reset();

    bool engine_enabled(edma_dir d) const;
    unsigned arb_weight(edma_dir d, unsigned ch) const; // the 5-bit field (0..31)
    bool irq_pending() const; // any unmasked done/abort bit of either direction
    void set_done(edma_dir d, unsigned ch);
    // The abort bit and the error-status bit of `why`.
    void set_abort(edma_dir d, unsigned ch, edma_error why);
    bool ll_remote_abort_enabled(edma_dir d, unsigned ch) const; // LLRAIE
    struct imwr {
        std::uint64_t addr = 0;
        std::uint32_t data = 0; // the channel's 16 bits
    };
    imwr imwr_message(edma_dir d, unsigned ch, bool abort) const;

private:
    void clear_interrupts(edma_dir d, std::uint32_t value);
    std::uint32_t channel_bits(edma_dir d) const;

    bool unrolled_;
    reg_block globals_;
    std::vector<std::unique_ptr<reg_block>> channel_regs_[2];
};

} // namespace epvp::dwc

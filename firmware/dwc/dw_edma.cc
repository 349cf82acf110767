#include "firmware/dwc/dw_edma.h"

#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

namespace fw::dwc {

using namespace edma_regs;

namespace {
constexpr const char* log_cat = "dwc";
constexpr unsigned bits_per_byte = 8;
constexpr unsigned upper_shift = 32;
constexpr std::uint32_t all_int_bits = EDMA_V0_DONE_INT_MASK | EDMA_V0_ABORT_INT_MASK;
// A wait_for_interrupt that returns without simulated time passing (a backend that does not
// block) may happen this many times in a row before the wait gives up: no wait can spin forever.
constexpr unsigned max_stalled_waits = 1000;
// Every transfer is a new descriptor in Linux's terms: its first chunk has cb = 1, matching
// ch_control1.CCS = 1 written by the start sequence; cb alternates from chunk to chunk.
constexpr bool first_chunk_cb = true;

template <typename T>
void put_le(std::vector<std::uint8_t>& buf, std::size_t off, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i)
        buf[off + i] = static_cast<std::uint8_t>(v >> (i * bits_per_byte));
}

constexpr std::uint32_t done_bit(unsigned ch) {
    return (1u << ch) << EDMA_V0_DONE_INT_SHIFT;
}
constexpr std::uint32_t abort_bit(unsigned ch) {
    return (1u << ch) << EDMA_V0_ABORT_INT_SHIFT;
}
} // namespace

const char* to_string(edma_dir d) {
    return d == edma_dir::write ? "write" : "read";
}

const dw_edma::dir_regs& dw_edma::regs_of(edma_dir d) {
    static const dir_regs wr{WR_ENGINE_EN, WR_DOORBELL,  WR_INT_STATUS,
                             WR_INT_MASK,  WR_INT_CLEAR, WR_LINKED_LIST_ERR_EN};
    static const dir_regs rd{RD_ENGINE_EN, RD_DOORBELL,  RD_INT_STATUS,
                             RD_INT_MASK,  RD_INT_CLEAR, RD_LINKED_LIST_ERR_EN};
    return d == edma_dir::write ? wr : rd;
}

dw_edma::dw_edma(hal::platform& io, const hal::ep_board& board, dw_pcie& pci,
                 epc::coherent_pool& pool)
    : io_(io)
    , board_(board)
    , pci_(pci)
    , pool_(pool) {}

dw_edma::~dw_edma() {
    if (probed()) core_off();
    if (handler_installed_) {
        // The handler refers to this object: leave one behind that only silences the engine.
        hal::platform& io = io_;
        const std::uint64_t base = reg_base_;
        io_.set_irq_handler(hal::irq_edma, [&io, base](unsigned) {
            for (edma_dir d : {edma_dir::write, edma_dir::read}) {
                io.wr32(base + regs_of(d).int_mask, all_int_bits);
                io.wr32(base + regs_of(d).int_clear, all_int_bits);
            }
        });
    }
    free_ll();
}

// ---- probe -----------------------------------------------------------------------------------

// dw_pcie_edma_find_mf.
int dw_edma::find_map_format() {
    const std::uint32_t val = pci_.ver_is_ge(DW_PCIE_VER_540A)
                                  ? DMA_CTRL_ABSENT
                                  : pci_.readl_dbi(PCIE_DMA_VIEWPORT_BASE + PCIE_DMA_CTRL);
    if (val == DMA_CTRL_ABSENT && board_.edma.size) {
        mf_ = edma_map_format::unroll;
        reg_base_ = board_.edma.base;
    } else if (val != DMA_CTRL_ABSENT) {
        mf_ = edma_map_format::legacy;
        reg_base_ = board_.dbi.base + PCIE_DMA_VIEWPORT_BASE;
    } else {
        io_.log(hal::log_level::info, log_cat, "eDMA: none found");
        return -EOPNOTSUPP;
    }
    return 0;
}

// dw_pcie_edma_find_channels.
int dw_edma::find_channels() {
    const std::uint32_t val = readl(PCIE_DMA_CTRL);
    const unsigned wr = (val & PCIE_DMA_NUM_WR_CHAN) >> PCIE_DMA_NUM_WR_CHAN_SHIFT;
    const unsigned rd = (val & PCIE_DMA_NUM_RD_CHAN) >> PCIE_DMA_NUM_RD_CHAN_SHIFT;
    if (!wr || wr > EDMA_MAX_WR_CH || !rd || rd > EDMA_MAX_RD_CH) {
        // A core built without eDMA channels is a valid configuration: not a warning.
        io_.log(hal::log_level::info, log_cat,
                "eDMA: invalid channel counts (CTRL " + hex(val) + "): no eDMA");
        return -EOPNOTSUPP;
    }
    if (mf_ == edma_map_format::unroll) {
        const std::uint64_t need =
            UNROLL_CH_BASE + std::uint64_t(std::max(wr, rd)) * UNROLL_CH_STRIDE;
        if (need > board_.edma.size) {
            io_.log(hal::log_level::error, log_cat,
                    "eDMA: region of " + std::to_string(board_.edma.size) +
                        " bytes is too small for " + std::to_string(std::max(wr, rd)) +
                        " channels: no eDMA");
            return -EOPNOTSUPP;
        }
    }
    count_[idx(edma_dir::write)] = static_cast<std::uint16_t>(wr);
    count_[idx(edma_dir::read)] = static_cast<std::uint16_t>(rd);
    return 0;
}

// dw_pcie_edma_ll_alloc: one LL page per channel.
int dw_edma::alloc_ll() {
    for (edma_dir d : {edma_dir::write, edma_dir::read}) {
        for (unsigned ch = 0; ch < count_[idx(d)]; ++ch) {
            std::uint64_t paddr = 0;
            const int r = pool_.alloc(ll_region_bytes, ll_region_bytes, paddr);
            if (r) {
                io_.log(hal::log_level::error, log_cat, "eDMA: no memory for the LL regions");
                free_ll();
                return r;
            }
            ll_paddr_[idx(d)][ch] = paddr;
        }
    }
    return 0;
}

void dw_edma::free_ll() {
    for (auto& dir : ll_paddr_) {
        for (std::uint64_t& paddr : dir) {
            if (paddr) pool_.free(paddr);
            paddr = 0;
        }
    }
}

// dw_edma_v0_core_off: mask and clear every interrupt, engines off.
void dw_edma::core_off() {
    for (edma_dir d : {edma_dir::write, edma_dir::read}) {
        const dir_regs& r = regs_of(d);
        writel(r.int_mask, all_int_bits);
        writel(r.int_clear, all_int_bits);
        writel(r.engine_en, 0);
    }
}

int dw_edma::probe() {
    if (probed()) return 0;
    int r = find_map_format();
    if (!r) r = find_channels();
    if (!r) r = alloc_ll();
    if (r) {
        mf_ = edma_map_format::none;
        reg_base_ = 0;
        count_ = {};
        return r;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "eDMA: unroll %s, %hu wr, %hu rd", unroll() ? "T" : "F",
                  count_[idx(edma_dir::write)], count_[idx(edma_dir::read)]);
    io_.log(hal::log_level::info, log_cat, buf);
    core_off();
    io_.set_irq_handler(hal::irq_edma, [this](unsigned) { handle_irq(); });
    handler_installed_ = true;
    return 0;
}

// ---- interrupts ------------------------------------------------------------------------------

void dw_edma::handle_irq() {
    ++irqs_;
    handle_dir_irq(edma_dir::write);
    handle_dir_irq(edma_dir::read);
}

// dw_edma_v0_core_handle_int for one direction: done and abort bits, cleared as seen.
void dw_edma::handle_dir_irq(edma_dir d) {
    const dir_regs& r = regs_of(d);
    std::uint32_t status = 0;
    if (io_.read32(reg_base_ + r.int_status, status) != hal::status::ok) return;
    status &= all_int_bits;
    if (!status) return;
    const std::uint32_t valid = (1u << count_[idx(d)]) - 1;
    const std::uint32_t done = (status & EDMA_V0_DONE_INT_MASK) >> EDMA_V0_DONE_INT_SHIFT;
    const std::uint32_t abort = (status & EDMA_V0_ABORT_INT_MASK) >> EDMA_V0_ABORT_INT_SHIFT;
    // The error status is read before the clear below, which clears it with the abort bit.
    const std::uint64_t err = abort & valid ? error_status(d) : 0;
    writel(r.int_clear, status);
    const std::uint64_t now = io_.now_ns();
    for (unsigned ch = 0; ch < count_[idx(d)]; ++ch) {
        if ((done | abort) & (1u << ch)) irq_ns_[idx(d)][ch] = now;
        if (abort & (1u << ch)) abort_err_[idx(d)][ch] = err;
    }
    done_[idx(d)] |= done & valid;
    abort_[idx(d)] |= abort & valid;
}

// ---- channels --------------------------------------------------------------------------------

std::uint64_t dw_edma::ch_regs(edma_dir d, unsigned ch) {
    if (mf_ == edma_map_format::unroll)
        return reg_base_ + UNROLL_CH_BASE + std::uint64_t(ch) * UNROLL_CH_STRIDE +
               (d == edma_dir::read ? UNROLL_CH_RD : UNROLL_CH_WR);
    writel(VIEWPORT_SEL,
           (ch & EDMA_V0_VIEWPORT_MASK) | (d == edma_dir::read ? VIEWPORT_SEL_READ : 0));
    return reg_base_ + LEGACY_CH_REGS;
}

std::uint32_t dw_edma::ch_status(edma_dir d, unsigned ch) {
    return (io_.rd32(ch_regs(d, ch) + CH_CONTROL1) & EDMA_V0_CH_STATUS_MASK) >>
           EDMA_V0_CH_STATUS_SHIFT;
}

int dw_edma::request_channel(edma_dir d) {
    if (!probed()) return -EOPNOTSUPP;
    for (unsigned ch = 0; ch < count_[idx(d)]; ++ch) {
        if (allocated_[idx(d)] & (1u << ch)) continue;
        if (ch_status(d, ch) == EDMA_V0_CH_STATUS_RUNNING) continue; // left by a timeout
        allocated_[idx(d)] |= 1u << ch;
        return static_cast<int>(ch);
    }
    return -EBUSY;
}

void dw_edma::release_channel(edma_dir d, unsigned ch) {
    if (ch < max_ch) allocated_[idx(d)] &= ~(1u << ch);
}

int dw_edma::rotate_channel(edma_dir d, unsigned ch) {
    const unsigned n = count_[idx(d)];
    if (!probed() || ch >= n) return -EINVAL;
    for (unsigned i = 1; i < n; ++i) {
        const unsigned next = (ch + i) % n;
        if (allocated_[idx(d)] & (1u << next)) continue;
        if (ch_status(d, next) == EDMA_V0_CH_STATUS_RUNNING) continue; // left by a timeout
        allocated_[idx(d)] = (allocated_[idx(d)] & ~(1u << ch)) | (1u << next);
        return static_cast<int>(next);
    }
    return static_cast<int>(ch);
}

// ---- transfers -------------------------------------------------------------------------------

int dw_edma::set_list_limits(unsigned ll_max, std::uint64_t element_bytes) {
    if (ll_max < 1 || ll_max > max_ll_max || element_bytes < 1 || element_bytes > max_element_bytes)
        return -EINVAL;
    ll_max_ = ll_max;
    element_bytes_ = element_bytes;
    return 0;
}

// dw_edma_v0_core_write_chunk: the chunk's data elements (at most ll_max) with CB = cb, LIE on
// the last, then the link element LLP | TCB with CB = !cb back to the page start.
int dw_edma::write_ll(edma_dir d, unsigned ch, std::uint64_t local_addr, std::uint64_t pci_addr,
                      std::uint64_t size, bool cb) {
    const std::uint64_t ll = ll_paddr_[idx(d)][ch];
    const std::uint64_t elements = (size + element_bytes_ - 1) / element_bytes_;
    std::vector<std::uint8_t> buf((elements + 1) * EDMA_LL_SZ, 0);
    std::uint64_t off = 0;
    for (std::uint64_t i = 0; i < elements; ++i) {
        const std::uint64_t n = std::min(element_bytes_, size - off);
        const std::size_t slot = i * EDMA_LL_SZ;
        std::uint32_t control = cb ? DW_EDMA_V0_CB : 0;
        if (i + 1 == elements) control |= DW_EDMA_V0_LIE; // local mode: no RIE
        const std::uint64_t local = local_addr + off, remote = pci_addr + off;
        put_le(buf, slot + LLI_CONTROL, control);
        put_le(buf, slot + LLI_TRANSFER_SIZE, static_cast<std::uint32_t>(n));
        put_le(buf, slot + LLI_SAR, d == edma_dir::write ? local : remote);
        put_le(buf, slot + LLI_DAR, d == edma_dir::write ? remote : local);
        off += n;
    }
    const std::size_t link = elements * EDMA_LL_SZ;
    const std::uint32_t link_control = DW_EDMA_V0_LLP | DW_EDMA_V0_TCB | (cb ? 0 : DW_EDMA_V0_CB);
    put_le(buf, link + LLP_CONTROL, link_control);
    put_le(buf, link + LLP_RESERVED, std::uint32_t{0});
    put_le(buf, link + LLP_LLP, ll);
    // Nothing reads the list before the doorbell, so one bulk store is as good as Linux's
    // fields-then-control order with dma_wmb().
    const hal::status s = io_.write(ll, buf.data(), buf.size());
    if (s != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                std::string("eDMA: writing the LL failed: ") + hal::to_string(s));
        return -EIO;
    }
    return 0;
}

// dw_edma_v0_core_start with first = true, up to (not including) the doorbell.
void dw_edma::start(edma_dir d, unsigned ch) {
    const dir_regs& r = regs_of(d);
    const std::uint32_t bit = 1u << ch;
    writel(r.engine_en, EDMA_V0_ENGINE_EN);
    writel(r.int_mask, readl(r.int_mask) & ~(done_bit(ch) | abort_bit(ch)));
    writel(r.linked_list_err_en,
           readl(r.linked_list_err_en) | (bit & EDMA_V0_LINKED_LIST_ERR_MASK));
    const std::uint64_t regs = ch_regs(d, ch);
    io_.wr32(regs + CH_CONTROL1, DW_EDMA_V0_CCS | DW_EDMA_V0_LLE);
    // "llp is not aligned on 64bit -> keep 32bit accesses"
    const std::uint64_t ll = ll_paddr_[idx(d)][ch];
    io_.wr32(regs + LLP_LSB, lower_32(ll));
    io_.wr32(regs + LLP_MSB, upper_32(ll));
}

std::uint64_t dw_edma::error_status(edma_dir d) {
    if (d == edma_dir::write) return readl(WR_ERR_STATUS);
    return readl(RD_ERR_STATUS_LOW) | (std::uint64_t(readl(RD_ERR_STATUS_HIGH)) << upper_shift);
}

void dw_edma::log_abort(edma_dir d, unsigned ch) {
    io_.log(hal::log_level::error, log_cat,
            std::string("eDMA: ") + to_string(d) + " ch" + std::to_string(ch) +
                " aborted (err_status " + hex(abort_err_[idx(d)][ch]) + ")");
}

int dw_edma::wait_done(edma_dir d, unsigned ch, std::uint64_t deadline_ns) {
    const std::uint32_t bit = 1u << ch;
    std::uint64_t last = io_.now_ns();
    unsigned stalls = 0;
    for (;;) {
        if (abort_[idx(d)] & bit) {
            log_abort(d, ch);
            return -EIO;
        }
        if (done_[idx(d)] & bit) return 0;
        const std::uint64_t now = io_.now_ns();
        if (now >= deadline_ns) break;
        stalls = now == last ? stalls + 1 : 0;
        last = now;
        if (stalls > max_stalled_waits) break;
        io_.wait_for_interrupt(deadline_ns - now);
    }
    io_.log(hal::log_level::error, log_cat,
            std::string("eDMA: ") + to_string(d) + " ch" + std::to_string(ch) +
                " timed out (CH_STATUS " + std::to_string(ch_status(d, ch)) + ")");
    return -ETIMEDOUT;
}

int dw_edma::xfer_channel(edma_dir d, unsigned ch, std::uint64_t local_addr, std::uint64_t pci_addr,
                          std::uint64_t size, std::uint64_t timeout_ns, edma_xfer_times* times) {
    if (!probed()) return -EOPNOTSUPP;
    if (ch >= count_[idx(d)] || !(allocated_[idx(d)] & (1u << ch)) || !size) return -EINVAL;
    if (ch_status(d, ch) == EDMA_V0_CH_STATUS_RUNNING) return -EBUSY; // still on an old list
    const dir_regs& r = regs_of(d);
    const std::uint64_t t0 = io_.now_ns();
    const std::uint64_t deadline =
        t0 + std::min(timeout_ns, std::numeric_limits<std::uint64_t>::max() - t0);
    // More elements than one LL page holds: chunks of ll_max elements (the last may be shorter),
    // each written over the page from slot 0 once the previous one is done, as Linux's
    // dw_edma_done_interrupt -> dw_edma_start_transfer does: the first chunk with the full start
    // sequence, every later one with the doorbell alone (the channel resumes at the LLP and CCS
    // where the previous chunk's link element left it).
    const std::uint64_t chunk_bytes = std::uint64_t(ll_max_) * element_bytes_;
    edma_xfer_times t{t0, t0};
    int ret = 0;
    bool aborted = false;
    bool cb = first_chunk_cb;
    for (std::uint64_t off = 0; off < size && !ret; off += chunk_bytes, cb = !cb) {
        const std::uint64_t n = std::min(chunk_bytes, size - off);
        ret = write_ll(d, ch, local_addr + off, pci_addr + off, n, cb);
        if (ret) break;
        // Forget anything stale for this channel before it runs.
        writel(r.int_clear, done_bit(ch) | abort_bit(ch));
        done_[idx(d)] &= ~(1u << ch);
        abort_[idx(d)] &= ~(1u << ch);
        if (!off) start(d, ch);
        const std::uint64_t doorbell = io_.now_ns();
        if (!off) t.doorbell_ns = doorbell;
        ++stats_[idx(d)].doorbells;
        writel(r.doorbell, ch & EDMA_V0_DOORBELL_CH_MASK);
        ret = wait_done(d, ch, deadline);
        aborted = ret == -EIO;
        t.done_ns = ret == -ETIMEDOUT ? io_.now_ns() : irq_ns_[idx(d)][ch];
    }
    count_transfer(d, ret, aborted, size);
    if (times) *times = t;
    return ret;
}

int dw_edma::xfer_start(edma_dir d, unsigned ch, std::uint64_t local_addr, std::uint64_t pci_addr,
                        std::uint64_t size, edma_xfer_times* times) {
    if (!probed()) return -EOPNOTSUPP;
    if (ch >= count_[idx(d)] || !(allocated_[idx(d)] & (1u << ch)) || !size ||
        size > std::uint64_t(ll_max_) * element_bytes_)
        return -EINVAL;
    if (ch_status(d, ch) == EDMA_V0_CH_STATUS_RUNNING) return -EBUSY;
    const int ret = write_ll(d, ch, local_addr, pci_addr, size, first_chunk_cb);
    if (ret) return ret;
    const dir_regs& r = regs_of(d);
    writel(r.int_clear, done_bit(ch) | abort_bit(ch));
    done_[idx(d)] &= ~(1u << ch);
    abort_[idx(d)] &= ~(1u << ch);
    start(d, ch);
    if (times) times->doorbell_ns = io_.now_ns();
    ++stats_[idx(d)].doorbells;
    writel(r.doorbell, ch & EDMA_V0_DOORBELL_CH_MASK);
    return 0;
}

int dw_edma::xfer_wait(edma_dir d, unsigned ch, std::uint64_t size, std::uint64_t deadline_ns,
                       edma_xfer_times* times) {
    if (!probed()) return -EOPNOTSUPP;
    if (ch >= count_[idx(d)] || !(allocated_[idx(d)] & (1u << ch))) return -EINVAL;
    const int ret = wait_done(d, ch, deadline_ns);
    if (times) times->done_ns = ret == -ETIMEDOUT ? io_.now_ns() : irq_ns_[idx(d)][ch];
    count_transfer(d, ret, ret == -EIO, size);
    return ret;
}

void dw_edma::count_transfer(edma_dir d, int ret, bool aborted, std::uint64_t size) {
    edma_dir_stats& st = stats_[idx(d)];
    if (!ret) {
        ++st.transfers;
        st.bytes += size;
    } else if (ret == -ETIMEDOUT) {
        ++st.timeouts;
    } else if (aborted) {
        ++st.aborts;
    }
}

int dw_edma::set_arb_weight(edma_dir d, unsigned ch, unsigned weight) {
    if (!probed()) return -EOPNOTSUPP;
    if (ch >= count_[idx(d)] || weight > arb_weight_mask) return -EINVAL;
    // Channels 0-3 in the low register, 4-7 in the high one, 5 bits each.
    const bool high = ch >= arb_weights_per_reg;
    const std::uint32_t reg = d == edma_dir::write
                                  ? (high ? WR_CH_ARB_WEIGHT_HIGH : WR_CH_ARB_WEIGHT_LOW)
                                  : (high ? RD_CH_ARB_WEIGHT_HIGH : RD_CH_ARB_WEIGHT_LOW);
    const unsigned shift = arb_weight_bits * (ch % arb_weights_per_reg);
    writel(reg, (readl(reg) & ~(arb_weight_mask << shift)) | (weight << shift));
    return 0;
}

int dw_edma::xfer(edma_dir d, std::uint64_t local_addr, std::uint64_t pci_addr, std::uint64_t size,
                  std::uint64_t timeout_ns) {
    const int ch = request_channel(d);
    if (ch < 0) return ch;
    const unsigned c = static_cast<unsigned>(ch);
    const int r = xfer_channel(d, c, local_addr, pci_addr, size, timeout_ns);
    release_channel(d, c);
    return r;
}

std::uint64_t dw_edma::transfers() const {
    return stats_[0].transfers + stats_[1].transfers;
}
std::uint64_t dw_edma::bytes() const {
    return stats_[0].bytes + stats_[1].bytes;
}
std::uint64_t dw_edma::aborts() const {
    return stats_[0].aborts + stats_[1].aborts;
}
std::uint64_t dw_edma::timeouts() const {
    return stats_[0].timeouts + stats_[1].timeouts;
}

} // namespace fw::dwc

// sc_spawn: one thread per channel, created with the channel.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "dwc/edma.h"
#include "dwc/edma_ll.h"

#include "core/log.h"
#include "core/trace_events.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <stdexcept>
#include <utility>

namespace epvp::dwc {

using namespace edma_reg;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

constexpr std::uint32_t all = 0xFFFFFFFFu;
constexpr unsigned bits_per_word = 32;
constexpr unsigned max_pci_payload_bytes = 4096; // largest MPS / MRRS
const char* const log_cat = "edma";

std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) {
    return (std::uint64_t(hi) << bits_per_word) | lo;
}
std::uint32_t lo32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::uint32_t hi32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> bits_per_word);
}

void put_le32(unsigned char* p, std::uint32_t v) {
    for (unsigned i = 0; i < 4; ++i)
        p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// Bytes from addr to the next 4 KiB boundary (1..4096).
std::uint64_t to_boundary(std::uint64_t addr) {
    return boundary_bytes - (addr % boundary_bytes);
}

unsigned min_len(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    return static_cast<unsigned>(std::min(a, std::min(b, c)));
}

sc_time later(const sc_time& a, const sc_time& b) {
    return a > b ? a : b;
}
sc_time now() {
    return sc_core::sc_time_stamp();
}
// TLM delay for an absolute time (never negative).
sc_time rel(const sc_time& at) {
    const sc_time n = now();
    return at > n ? at - n : SC_ZERO_TIME;
}

const char* dir_label(edma_dir d) {
    return d == edma_dir::write ? "WR" : "RD";
}

std::uint32_t channel_mask(unsigned count) {
    return (1u << count) - 1;
}

void check_range(const char* key, std::uint64_t value, std::uint64_t lo, std::uint64_t hi) {
    if (value < lo || value > hi)
        throw std::invalid_argument(std::string(key) + ": " + std::to_string(value) +
                                    " is outside " + std::to_string(lo) + ".." +
                                    std::to_string(hi));
}

void check(const edma_params& p) {
    check_range("dwc.edma.write_channels", p.write_channels, 0, max_channels);
    check_range("dwc.edma.read_channels", p.read_channels, 0, max_channels);
    check_range("dwc.edma.axi_burst_bytes", p.axi_burst_bytes, 1, boundary_bytes);
    if (p.axi_burst_bytes & (p.axi_burst_bytes - 1))
        throw std::invalid_argument("dwc.edma.axi_burst_bytes: " +
                                    std::to_string(p.axi_burst_bytes) + " is not a power of two");
    check_range("dwc.edma.axi_outstanding_reads", p.axi_outstanding_reads, 1, 1u << 16);
    // A new burst must only ever wait for TLPs that were already sent.
    check_range("dwc.edma.staging_buffer_bytes", p.staging_buffer_bytes,
                std::uint64_t(p.axi_burst_bytes) + max_pci_payload_bytes, 1u << 30);
    check_range("dwc.edma.max_ll_elements", p.max_ll_elements, 1, 1ull << 40);
}

// Parameters are checked before the module registers itself, so that a bad configuration
// throws cleanly at any time.
const sc_core::sc_module_name& checked(const sc_core::sc_module_name& name, const edma_params& p) {
    check(p);
    return name;
}

std::vector<reg_def> global_table(const edma_params& p) {
    const std::uint32_t wr = channel_mask(p.write_channels);
    const std::uint32_t rd = channel_mask(p.read_channels);
    const std::uint32_t wr_int = (wr << int_done_shift) | (wr << int_abort_shift);
    const std::uint32_t rd_int = (rd << int_done_shift) | (rd << int_abort_shift);
    const std::uint32_t wr_ll =
        (wr << ll_err_remote_abort_shift) | (wr << ll_err_local_abort_shift);
    const std::uint32_t rd_ll =
        (rd << ll_err_remote_abort_shift) | (rd << ll_err_local_abort_shift);
    const std::uint32_t ctrl_value =
        (p.write_channels << ctrl_num_wr_shift) | (p.read_channels << ctrl_num_rd_shift);
    const std::uint32_t doorbell_bits = doorbell_stop | doorbell_channel_mask;
    const std::vector<reg_field> int_fields = {{"DONE", 0, 8}, {"ABORT", 16, 8}};
    const std::vector<reg_field> imwr_fields = {{"CH_EVEN", 0, 16}, {"CH_ODD", 16, 16}};
    const std::vector<reg_field> ll_fields = {{"LLRAIE", 0, 8}, {"LLLAIE", 16, 8}};
    std::vector<reg_def> t = {
        {ctrl_data_arb_prior, "CTRL_DATA_ARB_PRIOR", 0, all, 0, 0, false, {}},
        {ctrl, "CTRL", ctrl_value, 0, 0, 0, false, {{"NUM_WR_CHAN", 0, 4}, {"NUM_RD_CHAN", 16, 4}}},
        {wr_engine_en, "WR_ENGINE_EN", 0, engine_enable, 0, 0, false, {{"EN", 0, 1}}},
        {wr_doorbell,
         "WR_DOORBELL",
         0,
         doorbell_bits,
         0,
         0,
         false,
         {{"CH", 0, 3}, {"STOP", 31, 1}}},
        {wr_ch_arb_weight_lo, "WR_CH_ARB_WEIGHT_LO", 0, all, 0, 0, false, {}},
        {wr_ch_arb_weight_hi, "WR_CH_ARB_WEIGHT_HI", 0, all, 0, 0, false, {}},
        {rd_engine_en, "RD_ENGINE_EN", 0, engine_enable, 0, 0, false, {{"EN", 0, 1}}},
        {rd_doorbell,
         "RD_DOORBELL",
         0,
         doorbell_bits,
         0,
         0,
         false,
         {{"CH", 0, 3}, {"STOP", 31, 1}}},
        {rd_ch_arb_weight_lo, "RD_CH_ARB_WEIGHT_LO", 0, all, 0, 0, false, {}},
        {rd_ch_arb_weight_hi, "RD_CH_ARB_WEIGHT_HI", 0, all, 0, 0, false, {}},
        {wr_int_status, "WR_INT_STATUS", 0, 0, 0, 0, false, int_fields},
        {wr_int_mask, "WR_INT_MASK", 0, wr_int, 0, 0, false, int_fields},
        {wr_int_clear, "WR_INT_CLEAR", 0, wr_int, 0, 0, false, int_fields},
        {wr_err_status,
         "WR_ERR_STATUS",
         0,
         0,
         0,
         0,
         false,
         {{"APP_READ_ERR", 0, 8}, {"LL_FETCH_ERR", 16, 8}}},
        {wr_done_imwr_lo, "WR_DONE_IMWR_LO", 0, all, 0, 0, false, {}},
        {wr_done_imwr_hi, "WR_DONE_IMWR_HI", 0, all, 0, 0, false, {}},
        {wr_abort_imwr_lo, "WR_ABORT_IMWR_LO", 0, all, 0, 0, false, {}},
        {wr_abort_imwr_hi, "WR_ABORT_IMWR_HI", 0, all, 0, 0, false, {}},
        {wr_ch01_imwr_data, "WR_CH01_IMWR_DATA", 0, all, 0, 0, false, imwr_fields},
        {wr_ch01_imwr_data + imwr_data_stride, "WR_CH23_IMWR_DATA", 0, all, 0, 0, false,
         imwr_fields},
        {wr_ch01_imwr_data + 2 * imwr_data_stride, "WR_CH45_IMWR_DATA", 0, all, 0, 0, false,
         imwr_fields},
        {wr_ch01_imwr_data + 3 * imwr_data_stride, "WR_CH67_IMWR_DATA", 0, all, 0, 0, false,
         imwr_fields},
        {wr_linked_list_err_en, "WR_LINKED_LIST_ERR_EN", 0, wr_ll, 0, 0, false, ll_fields},
        {rd_int_status, "RD_INT_STATUS", 0, 0, 0, 0, false, int_fields},
        {rd_int_mask, "RD_INT_MASK", 0, rd_int, 0, 0, false, int_fields},
        {rd_int_clear, "RD_INT_CLEAR", 0, rd_int, 0, 0, false, int_fields},
        {rd_err_status_lo,
         "RD_ERR_STATUS_LO",
         0,
         0,
         0,
         0,
         false,
         {{"APP_WR_ERR", 0, 8}, {"LL_FETCH_ERR", 16, 8}}},
        {rd_err_status_hi,
         "RD_ERR_STATUS_HI",
         0,
         0,
         0,
         0,
         false,
         {{"UR", 0, 8}, {"CA", 8, 8}, {"CPL_TIMEOUT", 16, 8}, {"POISONED", 24, 8}}},
        {rd_linked_list_err_en, "RD_LINKED_LIST_ERR_EN", 0, rd_ll, 0, 0, false, ll_fields},
        {rd_done_imwr_lo, "RD_DONE_IMWR_LO", 0, all, 0, 0, false, {}},
        {rd_done_imwr_hi, "RD_DONE_IMWR_HI", 0, all, 0, 0, false, {}},
        {rd_abort_imwr_lo, "RD_ABORT_IMWR_LO", 0, all, 0, 0, false, {}},
        {rd_abort_imwr_hi, "RD_ABORT_IMWR_HI", 0, all, 0, 0, false, {}},
        {rd_ch01_imwr_data, "RD_CH01_IMWR_DATA", 0, all, 0, 0, false, imwr_fields},
        {rd_ch01_imwr_data + imwr_data_stride, "RD_CH23_IMWR_DATA", 0, all, 0, 0, false,
         imwr_fields},
        {rd_ch01_imwr_data + 2 * imwr_data_stride, "RD_CH45_IMWR_DATA", 0, all, 0, 0, false,
         imwr_fields},
        {rd_ch01_imwr_data + 3 * imwr_data_stride, "RD_CH67_IMWR_DATA", 0, all, 0, 0, false,
         imwr_fields},
    };
    if (!p.unrolled) {
        t.push_back({viewport_sel,
                     "VIEWPORT_SEL",
                     0,
                     viewport_read | viewport_channel_mask,
                     0,
                     0,
                     false,
                     {{"CH", 0, 3}, {"READ", 31, 1}}});
        return t;
    }
    t.push_back({wr_engine_chgroup, "WR_ENGINE_CHGROUP", 0, all, 0, 0, false, {}});
    t.push_back({rd_engine_chgroup, "RD_ENGINE_CHGROUP", 0, all, 0, 0, false, {}});
    t.push_back({wr_engine_hshake_cnt_lo, "WR_ENGINE_HSHAKE_CNT_LO", 0, all, 0, 0, false, {}});
    t.push_back({wr_engine_hshake_cnt_hi, "WR_ENGINE_HSHAKE_CNT_HI", 0, all, 0, 0, false, {}});
    t.push_back({rd_engine_hshake_cnt_lo, "RD_ENGINE_HSHAKE_CNT_LO", 0, all, 0, 0, false, {}});
    t.push_back({rd_engine_hshake_cnt_hi, "RD_ENGINE_HSHAKE_CNT_HI", 0, all, 0, 0, false, {}});
    static const char* const wr_pwr[max_channels] = {
        "WR_CH0_PWR_EN", "WR_CH1_PWR_EN", "WR_CH2_PWR_EN", "WR_CH3_PWR_EN",
        "WR_CH4_PWR_EN", "WR_CH5_PWR_EN", "WR_CH6_PWR_EN", "WR_CH7_PWR_EN"};
    static const char* const rd_pwr[max_channels] = {
        "RD_CH0_PWR_EN", "RD_CH1_PWR_EN", "RD_CH2_PWR_EN", "RD_CH3_PWR_EN",
        "RD_CH4_PWR_EN", "RD_CH5_PWR_EN", "RD_CH6_PWR_EN", "RD_CH7_PWR_EN"};
    for (unsigned n = 0; n < max_channels; ++n) {
        t.push_back({wr_ch0_pwr_en + n * pwr_en_stride, wr_pwr[n], 0, all, 0, 0, false, {}});
        t.push_back({rd_ch0_pwr_en + n * pwr_en_stride, rd_pwr[n], 0, all, 0, 0, false, {}});
    }
    return t;
}

std::vector<reg_def> channel_table() {
    return {
        {ch_control1,
         "CH_CONTROL1",
         0,
         all & ~cs_mask,
         0,
         0,
         false,
         {{"CB", 0, 1},
          {"TCB", 1, 1},
          {"LLP", 2, 1},
          {"LIE", 3, 1},
          {"RIE", 4, 1},
          {"CS", 5, 2},
          {"CCS", 8, 1},
          {"LLE", 9, 1}}},
        {ch_control2, "CH_CONTROL2", 0, all, 0, 0, false, {}},
        {transfer_size, "TRANSFER_SIZE", 0, all, 0, 0, false, {}},
        {sar_lo, "SAR_LO", 0, all, 0, 0, false, {}},
        {sar_hi, "SAR_HI", 0, all, 0, 0, false, {}},
        {dar_lo, "DAR_LO", 0, all, 0, 0, false, {}},
        {dar_hi, "DAR_HI", 0, all, 0, 0, false, {}},
        {llp_lo, "LLP_LO", 0, all, 0, 0, false, {}},
        {llp_hi, "LLP_HI", 0, all, 0, 0, false, {}},
    };
}

} // namespace

const char* to_string(edma_dir d) {
    return d == edma_dir::write ? "write" : "read";
}

// ---------------------------------------------------------------------------------------------
// Internal state

struct edma::channel {
    channel(edma_dir d, unsigned i, const std::string& name)
        : dir(d)
        , index(i)
        , regs(name, channel_table()) {}
    edma_dir dir;
    unsigned index;
    reg_block regs;
    sc_core::sc_event doorbell_ev;
    bool running = false;         // from the doorbell until CH_STATUS leaves "running"
    bool pending = false;         // a doorbell the thread has not picked up yet
    bool stop = false;            // doorbell STOP or engine disable while running
    bool rerun = false;           // doorbell while a linked list runs: fetch the stop element again
    std::uint64_t generation = 0; // bumped by reset(): a run of an older generation vanishes
    sc_time doorbell_at;
    std::vector<unsigned char> buffer; // write: staging window; read: one MRd's data
};

struct edma::step {
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
    sc_time at;
};

struct edma::element {
    enum class kind { data, stop, fault };
    kind k = kind::data;
    step::kind fault = step::kind::none;
    sc_time at;
    std::uint32_t control = 0, size = 0;
    std::uint64_t sar = 0, dar = 0;
};

struct edma::run_state {
    explicit run_state(channel& c)
        : ch(c)
        , generation(c.generation) {}
    channel& ch;
    std::uint64_t generation;
    edma_transfer rec;
    sc_time start;
    // The block being moved, as the channel registers show it.
    bool loaded = false;
    std::uint32_t size = 0;
    std::uint64_t sar = 0, dar = 0;
    std::uint32_t control = 0;      // LIE/RIE of that block
    std::uint32_t done_control = 0; // LIE/RIE to act on when the run ends normally
    // Linked list.
    bool ll = false;
    std::uint64_t llp = 0; // next element to fetch
    bool ccs = false;
    std::uint64_t elements = 0; // fetched since the doorbell
    // The first data element's programmed block (for the trace), once one is loaded.
    std::uint64_t first_sar = 0, first_dar = 0;
    bool first_loaded = false;
    // Data path across the blocks of one run.
    // Blocks of a linked list overlap: the next block's bursts (write) or requests (read)
    // follow the previous block's, its TLPs follow the previous TLPs.
    sc_time engine_free; // every block so far is done
    sc_time fetch_free;  // write: the previous block's last local burst completed
    sc_time tlp_free;    // write: the previous block's last MWr left
    sc_time next_block = sc_core::sc_max_time(); // the next block's element arrived (if any)
    std::vector<sc_time> tag_free; // slot k % tags: completion of the request that holds it
    std::size_t next_tag = 0;
    sc_time last_request;
};

// ---------------------------------------------------------------------------------------------
// Construction and registers

edma::edma(sc_core::sc_module_name name, const edma_params& p)
    : sc_module(checked(name, p))
    , p_(p)
    , globals_(std::string(basename()), global_table(p_)) {
    const edma_dir dirs[] = {edma_dir::write, edma_dir::read};
    for (edma_dir d : dirs) {
        const std::uint32_t doorbell = dir_reg(d, wr_doorbell, rd_doorbell);
        const std::uint32_t clear = dir_reg(d, wr_int_clear, rd_int_clear);
        globals_.on_write(doorbell, [this, d](std::uint32_t off, std::uint32_t, std::uint32_t v) {
            globals_.set32(off, 0); // write-only
            on_doorbell(d, v);
        });
        globals_.on_write(clear, [this, d](std::uint32_t off, std::uint32_t, std::uint32_t v) {
            globals_.set32(off, 0); // write-only
            on_int_clear(d, v);
        });
        globals_.on_write(dir_reg(d, wr_int_mask, rd_int_mask),
                          [this](std::uint32_t, std::uint32_t, std::uint32_t) { update_irq(); });
        globals_.on_write(dir_reg(d, wr_engine_en, rd_engine_en),
                          [this, d](std::uint32_t, std::uint32_t old_v, std::uint32_t v) {
                              on_engine_en(d, old_v, v);
                          });
        const unsigned idx = static_cast<unsigned>(d);
        for (unsigned n = 0; n < channels(d); ++n) {
            const std::string label =
                std::string(d == edma_dir::write ? "wr" : "rd") + std::to_string(n);
            channels_[idx].push_back(
                std::make_unique<channel>(d, n, std::string(basename()) + "." + label));
            channel* ch = channels_[idx].back().get();
            sc_core::sc_spawn([this, ch] { channel_thread(*ch); }, label.c_str());
        }
    }
}

edma::~edma() = default;

edma::channel* edma::find(edma_dir d, unsigned index) {
    auto& v = channels_[static_cast<unsigned>(d)];
    return index < v.size() ? v[index].get() : nullptr;
}

std::uint32_t edma::channel_bits(edma_dir d) const {
    return channel_mask(channels(d));
}

edma::channel* edma::decode(std::uint32_t offset, std::uint32_t& reg, bool& in_channel_space) {
    in_channel_space = false;
    if (p_.unrolled) {
        if (offset < unrolled_channel_base) return nullptr;
        in_channel_space = true;
        const std::uint32_t rel_off = offset - unrolled_channel_base;
        const unsigned index = rel_off / unrolled_channel_stride;
        const std::uint32_t within = rel_off % unrolled_channel_stride;
        reg = within % unrolled_read_offset;
        if (reg >= channel_regs_bytes) return nullptr;
        return find(within >= unrolled_read_offset ? edma_dir::read : edma_dir::write, index);
    }
    if (offset < viewport_window || offset >= viewport_window + channel_regs_bytes) return nullptr;
    in_channel_space = true;
    const std::uint32_t sel = globals_.read32(viewport_sel);
    reg = offset - viewport_window;
    return find((sel & viewport_read) ? edma_dir::read : edma_dir::write,
                sel & viewport_channel_mask);
}

std::uint32_t edma::read32(std::uint32_t offset) {
    offset &= ~3u;
    std::uint32_t reg = 0;
    bool in_channel_space = false;
    channel* ch = decode(offset, reg, in_channel_space);
    if (in_channel_space) {
        if (!ch) return 0; // channels beyond the counts read 0
        const std::uint32_t v = ch->regs.read32(reg);
        log_access(false, offset, ch->regs, reg, v);
        return v;
    }
    if (!globals_.has(offset)) {
        logger::get().unimplemented_once(log_cat, "rd" + hex(offset),
                                         "eDMA offset " + hex(offset, 3) +
                                             " has no register; reads 0");
        return 0;
    }
    const std::uint32_t v = globals_.read32(offset);
    log_access(false, offset, globals_, offset, v);
    return v;
}

std::uint32_t edma::peek32(std::uint32_t offset) {
    offset &= ~3u;
    std::uint32_t reg = 0;
    bool in_channel_space = false;
    const channel* ch = decode(offset, reg, in_channel_space);
    if (in_channel_space) return ch ? ch->regs.read32(reg) : 0;
    return globals_.has(offset) ? globals_.read32(offset) : 0;
}

std::string edma::register_name(std::uint32_t offset) {
    offset &= ~3u;
    std::uint32_t reg = 0;
    bool in_channel_space = false;
    const channel* ch = decode(offset, reg, in_channel_space);
    if (in_channel_space) {
        const reg_def* d = ch ? ch->regs.find(reg) : nullptr;
        return d ? std::string(ch->dir == edma_dir::write ? "wr" : "rd") +
                       std::to_string(ch->index) + "." + d->name
                 : std::string();
    }
    const reg_def* d = globals_.find(offset);
    return d ? d->name : "";
}

void edma::log_access(bool write, std::uint32_t offset, const reg_block& blk, std::uint32_t reg,
                      std::uint32_t value, const sc_core::sc_time& delay) const {
    logger& log = logger::get();
    // The line every register block prints (reg_access_text: initiator, R/W, the offset within
    // the eDMA block, the decoded register), under --log regs with the other blocks and under
    // --log edma with the engine's own lines.
    const char* cat = log.enabled(log_cat) ? log_cat : reg_log_category;
    if (!log.enabled(cat)) return;
    log.info_at(cat, static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay).value()),
                reg_access_text("ep-cpu", write, offset, blk.decode(reg, value)));
}

void edma::write32(std::uint32_t offset, std::uint32_t value, const sc_time& delay) {
    offset &= ~3u;
    std::uint32_t reg = 0;
    bool in_channel_space = false;
    channel* ch = decode(offset, reg, in_channel_space);
    logger& log = logger::get();
    if (in_channel_space) {
        if (!ch) return; // channels beyond the counts ignore writes
        ch->regs.write32(reg, value, all, reg_writer::dbi, false);
        log_access(true, offset, ch->regs, reg, value, delay);
        return;
    }
    write_delay_ = delay;
    const bool known = globals_.write32(offset, value, all, reg_writer::dbi, false);
    write_delay_ = SC_ZERO_TIME;
    if (!known)
        log.unimplemented_once(log_cat, "wr" + hex(offset),
                               "eDMA offset " + hex(offset, 3) + " has no register; write of " +
                                   hex(value, 8) + " ignored");
    else
        log_access(true, offset, globals_, offset, value, delay);
}

void edma::reset() {
    globals_.reset(true);
    for (auto& v : channels_)
        for (auto& ch : v) {
            ch->regs.reset(true);
            if (ch->running || ch->pending) ++ch->generation;
            ch->running = ch->pending = ch->stop = ch->rerun = false;
        }
    update_irq();
}

void edma::stop_all(const char* why) {
    for (auto& v : channels_)
        for (auto& ch : v)
            if (ch->running) {
                ch->stop = true;
                ++counters_.stops;
                logger::get().info(log_cat, std::string(dir_label(ch->dir)) + " ch" +
                                                std::to_string(ch->index) + " stopped: " + why);
            }
}

void edma::on_doorbell(edma_dir d, std::uint32_t value) {
    logger& log = logger::get();
    const unsigned n = value & doorbell_channel_mask;
    channel* ch = find(d, n);
    const std::string who = std::string(dir_label(d)) + " ch" + std::to_string(n);
    if (!ch) {
        ++counters_.doorbells_ignored;
        log.guest_error(log_cat,
                        who + " doorbell: the core has " + std::to_string(channels(d)) + " " +
                            to_string(d) + " channels; ignored",
                        "no-channel");
        return;
    }
    if (value & doorbell_stop) {
        if (ch->running) {
            ch->stop = true;
            ++counters_.stops;
            log.info(log_cat, who + " doorbell STOP");
        } else {
            log.info(log_cat, who + " doorbell STOP to an idle channel: nothing to stop");
        }
        return;
    }
    if (!(globals_.read32(dir_reg(d, wr_engine_en, rd_engine_en)) & engine_enable)) {
        ++counters_.doorbells_ignored;
        log.guest_error(log_cat,
                        who + " doorbell with " + dir_label(d) + "_ENGINE_EN clear; ignored",
                        "engine-off");
        return;
    }
    if (ch->running) {
        if (ch->regs.read32(ch_control1) & lle) {
            ch->rerun = true; // more elements may have been appended
            ++counters_.doorbells_rerun;
            return;
        }
        ++counters_.doorbells_ignored;
        log.guest_error(log_cat, who + " doorbell while a single-block transfer runs; ignored",
                        "busy");
        return;
    }
    ++counters_.doorbells;
    ch->running = true;
    ch->pending = true;
    ch->stop = ch->rerun = false;
    ch->doorbell_at = now() + write_delay_;
    ch->regs.set_bits(ch_control1, cs_mask, cs_running << cs_shift);
    ch->doorbell_ev.notify(write_delay_);
}

void edma::on_int_clear(edma_dir d, std::uint32_t value) {
    const std::uint32_t status = dir_reg(d, wr_int_status, rd_int_status);
    globals_.set32(status, globals_.read32(status) & ~value);
    // Clearing a channel's abort bit clears its error-status bits.
    const std::uint32_t aborted = (value >> int_abort_shift) & channel_bits(d);
    if (aborted) {
        const std::uint32_t lo =
            (aborted << wr_err_app_read_shift) | (aborted << err_ll_fetch_shift);
        const std::uint32_t err = dir_reg(d, wr_err_status, rd_err_status_lo);
        globals_.set32(err, globals_.read32(err) & ~lo);
        if (d == edma_dir::read) {
            const std::uint32_t hi =
                (aborted << rd_err_hi_ur_shift) | (aborted << rd_err_hi_ca_shift) |
                (aborted << rd_err_hi_timeout_shift) | (aborted << rd_err_hi_poisoned_shift);
            globals_.set32(rd_err_status_hi, globals_.read32(rd_err_status_hi) & ~hi);
        }
    }
    update_irq();
}

void edma::on_engine_en(edma_dir d, std::uint32_t old_value, std::uint32_t new_value) {
    if (!(old_value & engine_enable) || (new_value & engine_enable)) return;
    for (auto& ch : channels_[static_cast<unsigned>(d)])
        if (ch->running) {
            ch->stop = true;
            ++counters_.stops;
            logger::get().info(log_cat, std::string(dir_label(d)) + " ch" +
                                            std::to_string(ch->index) +
                                            " stopped by engine disable");
        }
}

void edma::update_irq() {
    bool level = false;
    const edma_dir dirs[] = {edma_dir::write, edma_dir::read};
    for (edma_dir d : dirs) {
        const std::uint32_t bits =
            (channel_bits(d) << int_done_shift) | (channel_bits(d) << int_abort_shift);
        const std::uint32_t status = globals_.read32(dir_reg(d, wr_int_status, rd_int_status));
        const std::uint32_t mask = globals_.read32(dir_reg(d, wr_int_mask, rd_int_mask));
        level = level || (status & ~mask & bits) != 0;
    }
    if (level == irq_level_) return;
    irq_level_ = level;
    p_.bus.local_irq(level);
}

// ---------------------------------------------------------------------------------------------
// Channel threads

bool edma::cancelled(const run_state& r) const {
    return r.generation != r.ch.generation;
}

void edma::publish(run_state& r) {
    if (!r.loaded || cancelled(r)) return;
    reg_block& regs = r.ch.regs;
    regs.set32(transfer_size, r.size);
    regs.set32(sar_lo, lo32(r.sar));
    regs.set32(sar_hi, hi32(r.sar));
    regs.set32(dar_lo, lo32(r.dar));
    regs.set32(dar_hi, hi32(r.dar));
    if (!r.ll) return;
    regs.set32(llp_lo, lo32(r.llp));
    regs.set32(llp_hi, hi32(r.llp));
    regs.set_bits(ch_control1, ccs, r.ccs ? ccs : 0);
}

void edma::sync_to(run_state& r, const sc_time& at) {
    if (at <= now() + p_.quantum) return;
    publish(r);
    ++counters_.syncs;
    sc_core::wait(at - now());
}

void edma::wait_until(run_state& r, const sc_time& at) {
    if (at <= now()) return;
    publish(r);
    ++counters_.syncs;
    sc_core::wait(at - now());
}

void edma::channel_thread(channel& ch) {
    for (;;) {
        if (!ch.pending) sc_core::wait(ch.doorbell_ev);
        if (!ch.pending) continue;
        ch.pending = false;
        run(ch);
    }
}

void edma::run(channel& ch) {
    run_state r(ch);
    r.rec.read = ch.dir == edma_dir::read;
    r.rec.channel = ch.index;
    r.rec.doorbell = ch.doorbell_at;
    r.rec.link = p_.bus.link_activity();
    wait_until(r, ch.doorbell_at);
    r.start = now();
    r.engine_free = r.fetch_free = r.tlp_free = r.last_request = r.start;
    const bool linked = ch.regs.read32(ch_control1) & lle;
    // What the doorbell started (the run counts the size down and moves SAR/DAR on).
    const std::uint32_t size = ch.regs.read32(transfer_size);
    const std::uint64_t sar = join64(ch.regs.read32(sar_lo), ch.regs.read32(sar_hi));
    const std::uint64_t dar = join64(ch.regs.read32(dar_lo), ch.regs.read32(dar_hi));
    const std::uint64_t llp = join64(ch.regs.read32(llp_lo), ch.regs.read32(llp_hi));
    logger& log = logger::get();
    if (log.enabled(log_cat))
        log.info(log_cat, std::string(dir_label(ch.dir)) + " ch" + std::to_string(ch.index) +
                              " doorbell: " + (linked ? "linked list at " : "single block ") +
                              (linked ? hex(llp)
                                      : std::to_string(size) + " bytes SAR " + hex(sar) + " DAR " +
                                            hex(dar)));
    const step s = linked ? run_linked_list(r) : run_single(r);
    if (trace::recorder* tr = trace::recorder::active()) {
        const sc_time end = later(s.at, r.start);
        // A linked list: the bytes its elements moved, its first element's SAR and DAR, and
        // where the list starts.
        using args = std::vector<std::pair<std::string, std::string>>;
        tr->complete(
            tr->track("eDMA", std::string(dir_label(ch.dir)) + " ch" + std::to_string(ch.index)),
            linked ? "linked list" : "single block",
            static_cast<std::uint64_t>(r.start / sc_time(1, sc_core::SC_PS)),
            static_cast<std::uint64_t>((end - r.start) / sc_time(1, sc_core::SC_PS)),
            linked ? args{{"bytes", std::to_string(r.rec.bytes)},
                          {"sar", hex(r.first_sar)},
                          {"dar", hex(r.first_dar)},
                          {"llp", hex(llp)}}
                   : args{{"bytes", std::to_string(size)}, {"sar", hex(sar)}, {"dar", hex(dar)}});
    }
    finish(r, s);
}

edma::step edma::run_single(run_state& r) {
    const reg_block& regs = r.ch.regs;
    r.size = regs.read32(transfer_size);
    r.sar = join64(regs.read32(sar_lo), regs.read32(sar_hi));
    r.dar = join64(regs.read32(dar_lo), regs.read32(dar_hi));
    r.control = regs.read32(ch_control1) & (lie | rie);
    r.loaded = true;
    const step s = data_block(r, r.start);
    r.done_control = r.control;
    return s;
}

edma::step edma::run_linked_list(run_state& r) {
    const reg_block& regs = r.ch.regs;
    r.ll = true;
    r.ccs = regs.read32(ch_control1) & ccs;
    r.llp = join64(regs.read32(llp_lo), regs.read32(llp_hi));
    r.size = regs.read32(transfer_size);
    r.sar = join64(regs.read32(sar_lo), regs.read32(sar_hi));
    r.dar = join64(regs.read32(dar_lo), regs.read32(dar_hi));
    r.loaded = true;
    element e = next_element(r, r.start, true);
    for (;;) {
        if (e.k == element::kind::fault) return {e.fault, later(e.at, r.engine_free)};
        if (e.k == element::kind::stop) {
            wait_until(r, later(e.at, r.engine_free));
            if (cancelled(r)) return {step::kind::cancelled, now()};
            if (r.ch.stop) return {step::kind::stopped, now()};
            if (r.ch.rerun) {
                r.ch.rerun = false;
                r.elements = 0; // a new doorbell
                e = next_element(r, now(), true);
                continue;
            }
            return {step::kind::none, now()};
        }
        r.size = e.size;
        r.sar = e.sar;
        r.dar = e.dar;
        if (!r.first_loaded) {
            r.first_sar = e.sar;
            r.first_dar = e.dar;
            r.first_loaded = true;
        }
        r.control = e.control & (lie | rie);
        // The element fetcher runs one element (and any link elements) ahead of the data: it
        // fetches the next element once the blocks before this one are done.
        // No sync for it: this block's data goes out earlier than the prefetch.
        const element next = next_element(r, later(e.at, r.engine_free), false);
        r.next_block = next.k == element::kind::data ? next.at : sc_core::sc_max_time();
        const step s = data_block(r, e.at);
        if (s.fault != step::kind::none) return s;
        r.engine_free = later(r.engine_free, s.at);
        if (r.control) {
            if (next.k == element::kind::stop) {
                // The last element: the channel stops when its interrupt is raised.
                wait_until(r, later(r.engine_free, next.at));
                if (cancelled(r)) return {step::kind::cancelled, now()};
                if (!r.ch.rerun && !r.ch.stop) {
                    r.done_control = r.control;
                    return {step::kind::none, now()};
                }
            } else {
                wait_until(r, r.engine_free);
                if (cancelled(r)) return {step::kind::cancelled, now()};
            }
            raise_done(r, r.control);
        }
        e = next;
    }
}

edma::element edma::next_element(run_state& r, sc_time ready, bool may_sync) {
    unsigned char raw[ll_element_bytes];
    for (;;) {
        element e;
        e.at = ready;
        if (cancelled(r) || r.ch.stop) {
            e.k = element::kind::fault;
            e.fault = cancelled(r) ? step::kind::cancelled : step::kind::stopped;
            return e;
        }
        if (r.elements >= p_.max_ll_elements) {
            e.k = element::kind::fault;
            e.fault = step::kind::ll_runaway;
            return e;
        }
        ++r.elements;
        ++counters_.ll_elements;
        if (may_sync) sync_to(r, ready);
        if (!local_read(r.llp, raw, ll_element_bytes, e.at)) {
            e.k = element::kind::fault;
            e.fault = step::kind::ll_fetch;
            return e;
        }
        const edma_ll::slot s = edma_ll::decode(raw, r.llp, r.ccs);
        if (s.k == edma_ll::slot::kind::stop) {
            e.k = element::kind::stop; // LLP stays at this element
            return e;
        }
        r.llp = s.next_llp;
        r.ccs = s.next_ccs;
        if (s.k == edma_ll::slot::kind::link) {
            ready = e.at;
            continue;
        }
        e.k = element::kind::data;
        e.control = s.control;
        e.size = s.size;
        e.sar = s.sar;
        e.dar = s.dar;
        return e;
    }
}

bool edma::local_read(std::uint64_t addr, unsigned char* data, unsigned len, sc_time& at) {
    unsigned done = 0;
    while (done < len) {
        const unsigned piece = min_len(len - done, to_boundary(addr + done), boundary_bytes);
        sc_time d = rel(at);
        const bool ok = p_.bus.local_access(false, addr + done, data + done, piece, d);
        ++counters_.local_reads;
        at = now() + d;
        if (!ok) return false;
        done += piece;
    }
    return true;
}

edma::step edma::data_block(run_state& r, sc_time start) {
    return r.ch.dir == edma_dir::write ? write_block(r, start) : read_block(r, start);
}

// Local memory (SAR) -> PCIe (DAR).
//
// Two pipelines, issued in time order from the times the transactions return (never from how
// far this thread's local time lags): AXI bursts of at most axi_burst_bytes (never across 4 KiB)
// into the staging buffer, and MWr TLPs out of it. Burst k starts when
//   - the block may start (its element is fetched; the previous block's last burst completed),
//   - an outstanding-read slot is free: burst k - axi_outstanding_reads has completed,
//   - the staging buffer has room: the MWr carrying the byte staging_buffer_bytes before the
//     burst's last byte has left (a byte stays staged from its burst's start until its MWr left).
// MWr j starts when MWr j - 1 has left and the bursts holding its bytes have completed. The
// earlier of the next burst and the next MWr is issued first (a burst on a tie); so every
// transaction is issued at its own start time, which is never before the thread's time.
edma::step edma::write_block(run_state& r, sc_time start) {
    const std::uint64_t mps = std::max(1u, p_.bus.mps_bytes());
    const std::uint64_t total = r.size;
    const std::uint64_t sar0 = r.sar, dar0 = r.dar;
    const sc_time never = sc_core::sc_max_time();
    std::vector<unsigned char>& win = r.ch.buffer; // bytes [win_base, fetched) of the block
    win.clear();
    std::uint64_t win_base = 0, fetched = 0, sent = 0;
    const sc_time burst_start = later(start, r.fetch_free);
    std::vector<sc_time> slot_free(p_.axi_outstanding_reads, burst_start);
    std::size_t burst = 0;
    std::deque<std::pair<std::uint64_t, sc_time>> bursts;  // end offset, completion (unsent data)
    std::deque<std::pair<std::uint64_t, sc_time>> sent_at; // MWr end offset, when it left
    sc_time last_burst = burst_start, prev_left = later(start, r.tlp_free);
    while (sent < total) {
        if (cancelled(r) || r.ch.stop)
            return {cancelled(r) ? step::kind::cancelled : step::kind::stopped, prev_left};
        // The next burst.
        sc_time burst_at = never;
        unsigned blen = 0;
        if (fetched < total) {
            blen = min_len(p_.axi_burst_bytes, total - fetched, to_boundary(sar0 + fetched));
            burst_at = later(burst_start, slot_free[burst % slot_free.size()]);
            if (fetched + blen > p_.staging_buffer_bytes) {
                const std::uint64_t must_leave = fetched + blen - p_.staging_buffer_bytes;
                while (!sent_at.empty() && sent_at.front().first < must_leave)
                    sent_at.pop_front();
                burst_at = sent_at.empty() ? never : later(burst_at, sent_at.front().second);
            }
        }
        // The next MWr.
        const unsigned len = min_len(mps, total - sent, to_boundary(dar0 + sent));
        sc_time tlp_at = never, data_ready = SC_ZERO_TIME;
        if (fetched >= sent + len) {
            for (const auto& b : bursts) {
                data_ready = later(data_ready, b.second);
                if (b.first >= sent + len) break;
            }
            tlp_at = later(prev_left, data_ready);
        }
        if (burst_at <= tlp_at) {
            // check() keeps staging_buffer_bytes >= one burst + one MWr, so one of them can go.
            sc_assert(burst_at != never);
            sync_to(r, burst_at);
            const std::size_t at_win = fetched - win_base;
            win.resize(at_win + blen);
            sc_time d = rel(burst_at);
            const bool ok =
                p_.bus.local_access(false, sar0 + fetched, win.data() + at_win, blen, d);
            ++counters_.local_reads;
            const sc_time done = now() + d;
            slot_free[burst++ % slot_free.size()] = done;
            if (!ok) return {step::kind::local_read, later(done, prev_left)};
            last_burst = later(last_burst, done);
            fetched += blen;
            bursts.emplace_back(fetched, done);
            continue;
        }
        if (data_ready > prev_left) r.rec.wait_memory += data_ready - prev_left;
        // Once every burst of the block is out, the next block's first burst (its element is
        // already fetched) may come before this block's later MWrs: do not run past it.
        sync_to(r, fetched < total ? tlp_at : std::min(tlp_at, later(r.next_block, last_burst)));
        sc_time d = rel(tlp_at);
        tlp_wait w;
        const bool ok = p_.bus.pcie_write(dar0 + sent, win.data() + (sent - win_base), len, d, &w);
        const sc_time left = now() + d;
        r.rec.wait_link += w.link;
        r.rec.wait_credits += w.credits;
        if (!ok) return {step::kind::mwr_failed, later(left, prev_left)};
        ++counters_.mwr_tlps;
        ++r.rec.tlps;
        r.rec.bytes += len;
        counters_.bytes_written += len;
        sent += len;
        prev_left = left;
        sent_at.emplace_back(sent, left);
        while (!bursts.empty() && bursts.front().first <= sent)
            bursts.pop_front();
        r.size -= len;
        r.sar += len;
        r.dar += len;
        if (sent - win_base >= p_.staging_buffer_bytes) {
            win.erase(win.begin(), win.begin() + static_cast<std::ptrdiff_t>(sent - win_base));
            win_base = sent;
        }
    }
    r.fetch_free = last_burst;
    r.tlp_free = prev_left;
    return {step::kind::none, prev_left};
}

// PCIe (SAR) -> local memory (DAR).
//
// MRds go out as tags free up; each one's data is written to local memory when its last
// completion arrived. The memory controller serves an access at its own time (it synchronises
// the caller), so the local writes are issued in time order: a completion's write waits here
// until the thread's next MRd is due after it (or the block ends), never pulling the MRds that
// come before it in time behind it.
edma::step edma::read_block(run_state& r, sc_time start) {
    const std::uint64_t mrrs = std::max(1u, p_.bus.mrrs_bytes());
    if (r.tag_free.empty())
        r.tag_free.assign(std::max(1u, p_.bus.max_outstanding_reads()), SC_ZERO_TIME);
    const std::uint64_t total = r.size;
    const std::uint64_t sar0 = r.sar, dar0 = r.dar;
    const std::size_t buf_bytes =
        static_cast<std::size_t>(std::min<std::uint64_t>(mrrs, boundary_bytes));
    sc_time last_cpl = start, local_done = start;
    r.last_request = later(r.last_request, start);
    // Completed reads whose data is not written yet, by arrival time.
    struct arrived_data {
        std::uint64_t addr;
        std::vector<unsigned char> data;
        sc_time at;
    };
    std::deque<arrived_data> unwritten;
    sc_time failed_at;
    // Writes the data that arrived by `until`; false on an AXI error (failed_at: when).
    auto write_arrived = [&](const sc_time& until) {
        while (!unwritten.empty() && unwritten.front().at <= until) {
            const arrived_data& a = unwritten.front();
            const unsigned len = static_cast<unsigned>(a.data.size());
            for (unsigned o = 0; o < len;) {
                const std::uint64_t addr = a.addr + o;
                const unsigned piece = min_len(len - o, to_boundary(addr), boundary_bytes);
                std::vector<unsigned char>& buf = r.ch.buffer;
                buf.assign(a.data.begin() + o, a.data.begin() + o + piece);
                sc_time ld = rel(a.at);
                const bool ok = p_.bus.local_access(true, addr, buf.data(), piece, ld);
                ++counters_.local_writes;
                const sc_time written = now() + ld;
                local_done = later(local_done, written);
                if (!ok) {
                    failed_at = written;
                    unwritten.clear();
                    return false;
                }
                o += piece;
            }
            unwritten.pop_front();
        }
        return true;
    };
    const sc_time never = sc_core::sc_max_time();
    std::vector<unsigned char> data(buf_bytes);
    for (std::uint64_t off = 0; off < total;) {
        if (cancelled(r) || r.ch.stop) {
            write_arrived(never);
            return {cancelled(r) ? step::kind::cancelled : step::kind::stopped,
                    later(last_cpl, local_done)};
        }
        const unsigned len = min_len(mrrs, total - off, to_boundary(sar0 + off));
        const sc_time ready = r.last_request;
        sc_time& tag = r.tag_free[r.next_tag++ % r.tag_free.size()];
        const sc_time issue = later(ready, tag);
        if (tag > ready) r.rec.wait_tags += tag - ready;
        if (!write_arrived(issue)) return {step::kind::local_write, later(failed_at, last_cpl)};
        sync_to(r, issue);
        const sc_time issued = later(issue, now());
        sc_time d = issued - now();
        tlp_wait w;
        data.resize(len);
        const pcie::cpl_status st = p_.bus.pcie_read(sar0 + off, data.data(), len, d, &w);
        const sc_time arrived = now() + d;
        r.rec.wait_link += w.link;
        r.rec.wait_credits += w.credits;
        r.rec.completions += w.completions;
        ++counters_.mrd_tlps;
        ++r.rec.tlps;
        r.last_request = issued + w.link + w.credits; // when the MRd went out
        tag = arrived; // the tag is free again when the last completion arrived
        if (w.poisoned || st != pcie::cpl_status::sc) {
            if (!write_arrived(never)) return {step::kind::local_write, later(failed_at, last_cpl)};
            if (w.poisoned) return {step::kind::cpl_poisoned, later(arrived, local_done)};
            return {st == pcie::cpl_status::ca ? step::kind::cpl_ca : step::kind::cpl_ur,
                    later(arrived, local_done)};
        }
        // In arrival order (a later MRd's completions may come first).
        auto at =
            std::upper_bound(unwritten.begin(), unwritten.end(), arrived,
                             [](const sc_time& t, const arrived_data& a) { return t < a.at; });
        unwritten.insert(at, arrived_data{dar0 + off, data, arrived});
        last_cpl = later(last_cpl, arrived);
        off += len;
        r.size -= len;
        r.sar += len;
        r.dar += len;
        r.rec.bytes += len;
        counters_.bytes_read += len;
    }
    if (!write_arrived(never)) return {step::kind::local_write, later(failed_at, last_cpl)};
    if (local_done > last_cpl) r.rec.wait_memory += local_done - last_cpl;
    return {step::kind::none, later(last_cpl, local_done)};
}

// ---------------------------------------------------------------------------------------------
// End of a run: status, interrupts, IMWr

void edma::raise_done(run_state& r, std::uint32_t control) {
    channel& ch = r.ch;
    if (control & lie) {
        const std::uint32_t status = dir_reg(ch.dir, wr_int_status, rd_int_status);
        globals_.set32(status, globals_.read32(status) | (1u << (ch.index + int_done_shift)));
        update_irq();
    }
    if (control & rie) send_imwr(ch, false);
}

void edma::send_imwr(channel& ch, bool abort) {
    const edma_dir d = ch.dir;
    const std::uint32_t lo = abort ? dir_reg(d, wr_abort_imwr_lo, rd_abort_imwr_lo)
                                   : dir_reg(d, wr_done_imwr_lo, rd_done_imwr_lo);
    const std::uint32_t hi = abort ? dir_reg(d, wr_abort_imwr_hi, rd_abort_imwr_hi)
                                   : dir_reg(d, wr_done_imwr_hi, rd_done_imwr_hi);
    const std::uint64_t addr = join64(globals_.read32(lo), globals_.read32(hi));
    const std::uint32_t data_reg =
        dir_reg(d, wr_ch01_imwr_data, rd_ch01_imwr_data) + (ch.index / 2) * imwr_data_stride;
    const std::uint32_t data =
        (globals_.read32(data_reg) >> ((ch.index % 2) * imwr_data_bits)) & imwr_data_mask;
    unsigned char bytes[imwr_tlp_bytes];
    put_le32(bytes, data);
    sc_time delay = SC_ZERO_TIME; // now: after the channel's last data TLP has left
    tlp_wait w;
    const bool ok = p_.bus.pcie_write(addr, bytes, imwr_tlp_bytes, delay, &w);
    ++counters_.imwr_tlps;
    if (!ok)
        logger::get().warning(log_cat,
                              std::string(dir_label(d)) + " ch" + std::to_string(ch.index) +
                                  (abort ? " abort" : " done") + " IMWr to " + hex(addr) +
                                  " could not be sent",
                              "imwr");
}

void edma::finish(run_state& r, const step& s) {
    channel& ch = r.ch;
    if (cancelled(r) || s.fault == step::kind::cancelled)
        return; // reset: the registers already hold their reset values
    wait_until(r, s.at);
    if (cancelled(r)) return;
    publish(r);
    const bool ok = s.fault == step::kind::none;
    ch.regs.set_bits(ch_control1, cs_mask, (ok ? cs_stopped : cs_halted) << cs_shift);
    ch.running = false;
    ch.stop = ch.rerun = false;
    r.rec.done = now();
    {
        const edma_bus::link_snapshot at_end = p_.bus.link_activity();
        r.rec.link.busy_up = at_end.busy_up - r.rec.link.busy_up;
        r.rec.link.busy_down = at_end.busy_down - r.rec.link.busy_down;
        r.rec.link.tlps_up = at_end.tlps_up - r.rec.link.tlps_up;
        r.rec.link.tlps_down = at_end.tlps_down - r.rec.link.tlps_down;
        r.rec.link.lost_up = at_end.lost_up - r.rec.link.lost_up;
        r.rec.link.lost_down = at_end.lost_down - r.rec.link.lost_down;
    }
    r.rec.aborted = !ok;
    if (transfers_.size() < p_.max_transfer_records)
        transfers_.push_back(r.rec);
    else
        ++counters_.records_dropped;
    logger& log = logger::get();
    const std::string who = std::string(dir_label(ch.dir)) + " ch" + std::to_string(ch.index);
    if (ok) {
        ++counters_.transfers_done;
        if (log.enabled(log_cat))
            log.info(log_cat, who + " done: " + std::to_string(r.rec.bytes) + " bytes, " +
                                  std::to_string(r.rec.tlps) + " TLPs");
        raise_done(r, r.done_control);
        return;
    }
    ++counters_.transfers_aborted;
    const std::uint32_t bit = 1u << ch.index;
    const bool wr = ch.dir == edma_dir::write;
    std::uint32_t err_reg = 0, err_bits = 0;
    const char* why = "";
    switch (s.fault) {
    case step::kind::stopped:
        why = "stopped (doorbell STOP or engine disable)";
        break;
    case step::kind::local_read:
        why = "AXI error reading local memory";
        err_reg = wr_err_status;
        err_bits = bit << wr_err_app_read_shift;
        break;
    case step::kind::local_write:
        why = "AXI error writing local memory";
        err_reg = rd_err_status_lo;
        err_bits = bit << rd_err_app_write_shift;
        break;
    case step::kind::ll_fetch:
        why = "AXI error fetching a linked-list element";
        err_reg = wr ? wr_err_status : rd_err_status_lo;
        err_bits = bit << err_ll_fetch_shift;
        break;
    case step::kind::ll_runaway:
        why = "linked list ran past dwc.edma.max_ll_elements elements without stopping";
        err_reg = wr ? wr_err_status : rd_err_status_lo;
        err_bits = bit << err_ll_fetch_shift;
        break;
    case step::kind::cpl_ur:
        why = "MRd completed with UR (or no completion)";
        err_reg = rd_err_status_hi;
        err_bits = bit << rd_err_hi_ur_shift;
        break;
    case step::kind::cpl_ca:
        why = "MRd completed with CA";
        err_reg = rd_err_status_hi;
        err_bits = bit << rd_err_hi_ca_shift;
        break;
    case step::kind::cpl_poisoned:
        why = "MRd completion poisoned (EP bit): data discarded";
        err_reg = rd_err_status_hi;
        err_bits = bit << rd_err_hi_poisoned_shift;
        break;
    case step::kind::mwr_failed:
        why = "MWr could not be sent (link down or bus mastering off)";
        break;
    case step::kind::none:
    case step::kind::cancelled:
        break;
    }
    const std::string msg = who + " aborted after " + std::to_string(r.rec.bytes) +
                            " bytes: " + why + "; SAR " + hex(r.sar) + " DAR " + hex(r.dar);
    if (s.fault == step::kind::stopped)
        log.info(log_cat, msg);
    else if (s.fault == step::kind::ll_runaway)
        log.guest_error(log_cat, msg, "runaway");
    else
        log.warning(log_cat, msg, "abort");
    if (err_bits) globals_.set32(err_reg, globals_.read32(err_reg) | err_bits);
    const std::uint32_t status = dir_reg(ch.dir, wr_int_status, rd_int_status);
    globals_.set32(status, globals_.read32(status) | (bit << int_abort_shift));
    update_irq();
    const std::uint32_t ll_en =
        globals_.read32(dir_reg(ch.dir, wr_linked_list_err_en, rd_linked_list_err_en));
    const bool remote = (r.control & rie) || (r.ll && (ll_en & (bit << ll_err_remote_abort_shift)));
    if (remote) send_imwr(ch, true);
}

} // namespace epvp::dwc

#include "model/dwc/edma_regs.h"

namespace epvp::dwc {

using namespace edma_reg;

namespace {

constexpr unsigned bits_per_word = 32;

std::uint32_t channel_mask(unsigned count) {
    return (1u << count) - 1;
}

std::uint32_t dir_reg(edma_dir d, std::uint32_t wr_offset, std::uint32_t rd_offset) {
    return d == edma_dir::write ? wr_offset : rd_offset;
}

std::vector<reg_def> global_table(bool unrolled, unsigned write_channels, unsigned read_channels) {
    const std::uint32_t wr = channel_mask(write_channels);
    const std::uint32_t rd = channel_mask(read_channels);
    const std::uint32_t wr_int = (wr << int_done_shift) | (wr << int_abort_shift);
    const std::uint32_t rd_int = (rd << int_done_shift) | (rd << int_abort_shift);
    const std::uint32_t wr_ll =
        (wr << ll_err_remote_abort_shift) | (wr << ll_err_local_abort_shift);
    const std::uint32_t rd_ll =
        (rd << ll_err_remote_abort_shift) | (rd << ll_err_local_abort_shift);
    const std::uint32_t ctrl_value =
        (write_channels << ctrl_num_wr_shift) | (read_channels << ctrl_num_rd_shift);
    const std::uint32_t doorbell_bits = doorbell_stop | doorbell_channel_mask;
    const std::vector<reg_field> int_fields = {{"DONE", 0, 8}, {"ABORT", 16, 8}};
    const std::vector<reg_field> imwr_fields = {{"CH_EVEN", 0, 16}, {"CH_ODD", 16, 16}};
    const std::vector<reg_field> ll_fields = {{"LLRAIE", 0, 8}, {"LLLAIE", 16, 8}};
    std::vector<reg_def> t = {
        {ctrl_data_arb_prior, "CTRL_DATA_ARB_PRIOR", 0, all_bits, 0, 0, false, {}},
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
        {wr_ch_arb_weight_lo, "WR_CH_ARB_WEIGHT_LO", 0, all_bits, 0, 0, false, {}},
        {wr_ch_arb_weight_hi, "WR_CH_ARB_WEIGHT_HI", 0, all_bits, 0, 0, false, {}},
        {rd_engine_en, "RD_ENGINE_EN", 0, engine_enable, 0, 0, false, {{"EN", 0, 1}}},
        {rd_doorbell,
         "RD_DOORBELL",
         0,
         doorbell_bits,
         0,
         0,
         false,
         {{"CH", 0, 3}, {"STOP", 31, 1}}},
        {rd_ch_arb_weight_lo, "RD_CH_ARB_WEIGHT_LO", 0, all_bits, 0, 0, false, {}},
        {rd_ch_arb_weight_hi, "RD_CH_ARB_WEIGHT_HI", 0, all_bits, 0, 0, false, {}},
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
        {wr_done_imwr_lo, "WR_DONE_IMWR_LO", 0, all_bits, 0, 0, false, {}},
        {wr_done_imwr_hi, "WR_DONE_IMWR_HI", 0, all_bits, 0, 0, false, {}},
        {wr_abort_imwr_lo, "WR_ABORT_IMWR_LO", 0, all_bits, 0, 0, false, {}},
        {wr_abort_imwr_hi, "WR_ABORT_IMWR_HI", 0, all_bits, 0, 0, false, {}},
        {wr_ch01_imwr_data, "WR_CH01_IMWR_DATA", 0, all_bits, 0, 0, false, imwr_fields},
        {wr_ch01_imwr_data + imwr_data_stride, "WR_CH23_IMWR_DATA", 0, all_bits, 0, 0, false,
         imwr_fields},
        {wr_ch01_imwr_data + 2 * imwr_data_stride, "WR_CH45_IMWR_DATA", 0, all_bits, 0, 0, false,
         imwr_fields},
        {wr_ch01_imwr_data + 3 * imwr_data_stride, "WR_CH67_IMWR_DATA", 0, all_bits, 0, 0, false,
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
        {rd_done_imwr_lo, "RD_DONE_IMWR_LO", 0, all_bits, 0, 0, false, {}},
        {rd_done_imwr_hi, "RD_DONE_IMWR_HI", 0, all_bits, 0, 0, false, {}},
        {rd_abort_imwr_lo, "RD_ABORT_IMWR_LO", 0, all_bits, 0, 0, false, {}},
        {rd_abort_imwr_hi, "RD_ABORT_IMWR_HI", 0, all_bits, 0, 0, false, {}},
        {rd_ch01_imwr_data, "RD_CH01_IMWR_DATA", 0, all_bits, 0, 0, false, imwr_fields},
        {rd_ch01_imwr_data + imwr_data_stride, "RD_CH23_IMWR_DATA", 0, all_bits, 0, 0, false,
         imwr_fields},
        {rd_ch01_imwr_data + 2 * imwr_data_stride, "RD_CH45_IMWR_DATA", 0, all_bits, 0, 0, false,
         imwr_fields},
        {rd_ch01_imwr_data + 3 * imwr_data_stride, "RD_CH67_IMWR_DATA", 0, all_bits, 0, 0, false,
         imwr_fields},
    };
    if (!unrolled) {
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
    t.push_back({wr_engine_chgroup, "WR_ENGINE_CHGROUP", 0, all_bits, 0, 0, false, {}});
    t.push_back({rd_engine_chgroup, "RD_ENGINE_CHGROUP", 0, all_bits, 0, 0, false, {}});
    t.push_back({wr_engine_hshake_cnt_lo, "WR_ENGINE_HSHAKE_CNT_LO", 0, all_bits, 0, 0, false, {}});
    t.push_back({wr_engine_hshake_cnt_hi, "WR_ENGINE_HSHAKE_CNT_HI", 0, all_bits, 0, 0, false, {}});
    t.push_back({rd_engine_hshake_cnt_lo, "RD_ENGINE_HSHAKE_CNT_LO", 0, all_bits, 0, 0, false, {}});
    t.push_back({rd_engine_hshake_cnt_hi, "RD_ENGINE_HSHAKE_CNT_HI", 0, all_bits, 0, 0, false, {}});
    static const char* const wr_pwr[max_channels] = {
        "WR_CH0_PWR_EN", "WR_CH1_PWR_EN", "WR_CH2_PWR_EN", "WR_CH3_PWR_EN",
        "WR_CH4_PWR_EN", "WR_CH5_PWR_EN", "WR_CH6_PWR_EN", "WR_CH7_PWR_EN"};
    static const char* const rd_pwr[max_channels] = {
        "RD_CH0_PWR_EN", "RD_CH1_PWR_EN", "RD_CH2_PWR_EN", "RD_CH3_PWR_EN",
        "RD_CH4_PWR_EN", "RD_CH5_PWR_EN", "RD_CH6_PWR_EN", "RD_CH7_PWR_EN"};
    for (unsigned n = 0; n < max_channels; ++n) {
        t.push_back({wr_ch0_pwr_en + n * pwr_en_stride, wr_pwr[n], 0, all_bits, 0, 0, false, {}});
        t.push_back({rd_ch0_pwr_en + n * pwr_en_stride, rd_pwr[n], 0, all_bits, 0, 0, false, {}});
    }
    return t;
}

std::vector<reg_def> channel_table() {
    return {
        {ch_control1,
         "CH_CONTROL1",
         0,
         all_bits & ~cs_mask,
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
        {ch_control2, "CH_CONTROL2", 0, all_bits, 0, 0, false, {}},
        {transfer_size, "TRANSFER_SIZE", 0, all_bits, 0, 0, false, {}},
        {sar_lo, "SAR_LO", 0, all_bits, 0, 0, false, {}},
        {sar_hi, "SAR_HI", 0, all_bits, 0, 0, false, {}},
        {dar_lo, "DAR_LO", 0, all_bits, 0, 0, false, {}},
        {dar_hi, "DAR_HI", 0, all_bits, 0, 0, false, {}},
        {llp_lo, "LLP_LO", 0, all_bits, 0, 0, false, {}},
        {llp_hi, "LLP_HI", 0, all_bits, 0, 0, false, {}},
    };
}

} // namespace

const char* to_string(edma_dir d) {
    return d == edma_dir::write ? "write" : "read";
}

const char* dir_label(edma_dir d) {
    return d == edma_dir::write ? "WR" : "RD";
}

std::uint64_t read64(const reg_block& regs, std::uint32_t lo_offset) {
    return (std::uint64_t(regs.read32(lo_offset + 4)) << bits_per_word) | regs.read32(lo_offset);
}

void set64(reg_block& regs, std::uint32_t lo_offset, std::uint64_t value) {
    regs.set32(lo_offset, static_cast<std::uint32_t>(value));
    regs.set32(lo_offset + 4, static_cast<std::uint32_t>(value >> bits_per_word));
}

edma_regfile::edma_regfile(const std::string& name, bool unrolled, unsigned write_channels,
                           unsigned read_channels)
    : unrolled_(unrolled)
    , globals_(name, global_table(unrolled, write_channels, read_channels)) {
    const edma_dir dirs[] = {edma_dir::write, edma_dir::read};
    for (edma_dir d : dirs) {
        const unsigned count = d == edma_dir::write ? write_channels : read_channels;
        for (unsigned n = 0; n < count; ++n)
            channel_regs_[static_cast<unsigned>(d)].push_back(std::make_unique<reg_block>(
                name + "." + (d == edma_dir::write ? "wr" : "rd") + std::to_string(n),
                channel_table()));
    }
}

edma_regfile::target edma_regfile::decode(std::uint32_t offset) {
    target t;
    edma_dir d = edma_dir::write;
    unsigned index = 0;
    if (unrolled_) {
        if (offset < unrolled_channel_base) {
            t.regs = globals_.has(offset) ? &globals_ : nullptr;
            t.reg = offset;
            return t;
        }
        const std::uint32_t rel_off = offset - unrolled_channel_base;
        const std::uint32_t within = rel_off % unrolled_channel_stride;
        index = rel_off / unrolled_channel_stride;
        d = within >= unrolled_read_offset ? edma_dir::read : edma_dir::write;
        t.reg = within % unrolled_read_offset;
    } else {
        if (offset < viewport_window || offset >= viewport_window + channel_regs_bytes) {
            t.regs = globals_.has(offset) ? &globals_ : nullptr;
            t.reg = offset;
            return t;
        }
        const std::uint32_t sel = globals_.read32(viewport_sel);
        d = (sel & viewport_read) ? edma_dir::read : edma_dir::write;
        index = sel & viewport_channel_mask;
        t.reg = offset - viewport_window;
    }
    t.channel_space = true;
    t.dir = d;
    t.index = index;
    if (t.reg < channel_regs_bytes && index < channels(d)) t.regs = &channel(d, index);
    return t;
}

edma_regfile::effect edma_regfile::write_global(std::uint32_t offset, std::uint32_t value,
                                                bool& known) {
    const std::uint32_t old_value = globals_.read32(offset);
    known = globals_.write32(offset, value, all_bits, reg_writer::dbi, false);
    effect e;
    if (!known) return e;
    const std::uint32_t stored = globals_.read32(offset);
    const edma_dir dirs[] = {edma_dir::write, edma_dir::read};
    for (edma_dir d : dirs) {
        e.dir = d;
        if (offset == dir_reg(d, wr_doorbell, rd_doorbell)) {
            globals_.set32(offset, 0); // write-only
            e.k = effect::kind::doorbell;
            e.value = stored;
            return e;
        }
        if (offset == dir_reg(d, wr_int_clear, rd_int_clear)) {
            globals_.set32(offset, 0); // write-only
            clear_interrupts(d, stored);
            e.k = effect::kind::irq_changed;
            return e;
        }
        if (offset == dir_reg(d, wr_int_mask, rd_int_mask)) {
            e.k = effect::kind::irq_changed;
            return e;
        }
        if (offset == dir_reg(d, wr_engine_en, rd_engine_en)) {
            if ((old_value & engine_enable) && !(stored & engine_enable))
                e.k = effect::kind::engine_disabled;
            return e;
        }
    }
    return effect{};
}

void edma_regfile::clear_interrupts(edma_dir d, std::uint32_t value) {
    const std::uint32_t status = dir_reg(d, wr_int_status, rd_int_status);
    globals_.set32(status, globals_.read32(status) & ~value);
    // Clearing a channel's abort bit clears its error-status bits.
    const std::uint32_t aborted = (value >> int_abort_shift) & channel_bits(d);
    if (!aborted) return;
    const std::uint32_t lo = (aborted << wr_err_app_read_shift) | (aborted << err_ll_fetch_shift);
    const std::uint32_t err = dir_reg(d, wr_err_status, rd_err_status_lo);
    globals_.set32(err, globals_.read32(err) & ~lo);
    if (d == edma_dir::read) {
        const std::uint32_t hi = (aborted << rd_err_hi_ur_shift) | (aborted << rd_err_hi_ca_shift) |
                                 (aborted << rd_err_hi_timeout_shift) |
                                 (aborted << rd_err_hi_poisoned_shift);
        globals_.set32(rd_err_status_hi, globals_.read32(rd_err_status_hi) & ~hi);
    }
}

std::string edma_regfile::register_name(std::uint32_t offset) {
    const target t = decode(offset);
    const reg_def* d = t.regs ? t.regs->find(t.reg) : nullptr;
    if (!d) return "";
    if (!t.channel_space) return d->name;
    return std::string(t.dir == edma_dir::write ? "wr" : "rd") + std::to_string(t.index) + "." +
           d->name;
}

void edma_regfile::reset() {
    globals_.reset(true);
    for (auto& v : channel_regs_)
        for (auto& regs : v)
            regs->reset(true);
}

std::uint32_t edma_regfile::channel_bits(edma_dir d) const {
    return channel_mask(channels(d));
}

bool edma_regfile::engine_enabled(edma_dir d) const {
    return globals_.read32(dir_reg(d, wr_engine_en, rd_engine_en)) & engine_enable;
}

unsigned edma_regfile::arb_weight(edma_dir d, unsigned ch) const {
    const std::uint32_t reg = ch < arb_weights_per_reg
                                  ? dir_reg(d, wr_ch_arb_weight_lo, rd_ch_arb_weight_lo)
                                  : dir_reg(d, wr_ch_arb_weight_hi, rd_ch_arb_weight_hi);
    return (globals_.read32(reg) >> (arb_weight_bits * (ch % arb_weights_per_reg))) &
           arb_weight_mask;
}

bool edma_regfile::irq_pending() const {
    bool level = false;
    const edma_dir dirs[] = {edma_dir::write, edma_dir::read};
    for (edma_dir d : dirs) {
        const std::uint32_t bits =
            (channel_bits(d) << int_done_shift) | (channel_bits(d) << int_abort_shift);
        const std::uint32_t status = globals_.read32(dir_reg(d, wr_int_status, rd_int_status));
        const std::uint32_t mask = globals_.read32(dir_reg(d, wr_int_mask, rd_int_mask));
        level = level || (status & ~mask & bits) != 0;
    }
    return level;
}

void edma_regfile::set_done(edma_dir d, unsigned ch) {
    const std::uint32_t status = dir_reg(d, wr_int_status, rd_int_status);
    globals_.set32(status, globals_.read32(status) | (1u << (ch + int_done_shift)));
}

void edma_regfile::set_abort(edma_dir d, unsigned ch, edma_error why) {
    const std::uint32_t bit = 1u << ch;
    const bool wr = d == edma_dir::write;
    std::uint32_t err_reg = 0, err_bits = 0;
    switch (why) {
    case edma_error::none:
        break;
    case edma_error::app_read:
        err_reg = wr_err_status;
        err_bits = bit << wr_err_app_read_shift;
        break;
    case edma_error::app_write:
        err_reg = rd_err_status_lo;
        err_bits = bit << rd_err_app_write_shift;
        break;
    case edma_error::ll_fetch:
        err_reg = wr ? wr_err_status : rd_err_status_lo;
        err_bits = bit << err_ll_fetch_shift;
        break;
    case edma_error::cpl_ur:
        err_reg = rd_err_status_hi;
        err_bits = bit << rd_err_hi_ur_shift;
        break;
    case edma_error::cpl_ca:
        err_reg = rd_err_status_hi;
        err_bits = bit << rd_err_hi_ca_shift;
        break;
    case edma_error::cpl_poisoned:
        err_reg = rd_err_status_hi;
        err_bits = bit << rd_err_hi_poisoned_shift;
        break;
    }
    if (err_bits) globals_.set32(err_reg, globals_.read32(err_reg) | err_bits);
    const std::uint32_t status = dir_reg(d, wr_int_status, rd_int_status);
    globals_.set32(status, globals_.read32(status) | (bit << int_abort_shift));
}

bool edma_regfile::ll_remote_abort_enabled(edma_dir d, unsigned ch) const {
    const std::uint32_t en =
        globals_.read32(dir_reg(d, wr_linked_list_err_en, rd_linked_list_err_en));
    return en & ((1u << ch) << ll_err_remote_abort_shift);
}

edma_regfile::imwr edma_regfile::imwr_message(edma_dir d, unsigned ch, bool abort) const {
    const std::uint32_t lo = abort ? dir_reg(d, wr_abort_imwr_lo, rd_abort_imwr_lo)
                                   : dir_reg(d, wr_done_imwr_lo, rd_done_imwr_lo);
    const std::uint32_t data_reg =
        dir_reg(d, wr_ch01_imwr_data, rd_ch01_imwr_data) + (ch / 2) * imwr_data_stride;
    imwr m;
    m.addr = read64(globals_, lo);
    m.data = (globals_.read32(data_reg) >> ((ch % 2) * imwr_data_bits)) & imwr_data_mask;
    return m;
}

} // namespace epvp::dwc

#include "model/dwc/edma.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"

#include <stdexcept>

namespace epvp::dwc {

using namespace edma_reg;
using sc_core::sc_time;

namespace {

constexpr unsigned max_pci_payload_bytes = 4096; // largest MPS / MRRS

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
    check_range("dwc.edma.rd_outstanding_mrd", p.rd_outstanding_mrd, 0, 1024);
    check_range("dwc.edma.max_ll_elements", p.max_ll_elements, 1, 1ull << 40);
}

// Parameters are checked before the module registers itself, so that a bad configuration
// throws cleanly at any time.
const sc_core::sc_module_name& checked(const sc_core::sc_module_name& name, const edma_params& p) {
    check(p);
    return name;
}

} // namespace

edma::edma(sc_core::sc_module_name name, const edma_params& p)
    : sc_module(checked(name, p))
    , regs_(std::string(basename()), p.unrolled, p.write_channels, p.read_channels)
    , engine_(instance_name(*this), p, regs_, [this] { update_irq(); }) {}

edma::~edma() = default;

std::uint32_t edma::read32(std::uint32_t offset) {
    offset &= ~3u;
    const edma_regfile::target t = regs_.decode(offset);
    if (!t.regs) {
        // Channels beyond the counts read 0 silently.
        if (!t.channel_space)
            logger::get().unimplemented_once(edma_log_category, "rd" + hex(offset),
                                             "eDMA offset " + hex(offset, 3) +
                                                 " has no register; reads 0");
        return 0;
    }
    const std::uint32_t v = t.regs->read32(t.reg);
    log_access(false, offset, *t.regs, t.reg, v);
    return v;
}

std::uint32_t edma::peek32(std::uint32_t offset) {
    const edma_regfile::target t = regs_.decode(offset & ~3u);
    return t.regs ? t.regs->read32(t.reg) : 0;
}

std::string edma::register_name(std::uint32_t offset) {
    return regs_.register_name(offset & ~3u);
}

void edma::log_access(bool write, std::uint32_t offset, const reg_block& blk, std::uint32_t reg,
                      std::uint32_t value, const sc_time& delay) const {
    logger& log = logger::get();
    // The line every register block prints (reg_access_text: initiator, R/W, the offset within
    // the eDMA block, the decoded register), under --log regs with the other blocks and under
    // --log edma with the engine's own lines.
    const char* cat = log.enabled(edma_log_category) ? edma_log_category : reg_log_category;
    if (!log.enabled(cat)) return;
    log.info_at(cat, static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay).value()),
                reg_access_text("ep-cpu", write, offset, blk.decode(reg, value)));
}

void edma::write32(std::uint32_t offset, std::uint32_t value, const sc_time& delay) {
    offset &= ~3u;
    const edma_regfile::target t = regs_.decode(offset);
    if (t.channel_space) {
        if (!t.regs) return; // channels beyond the counts ignore writes
        t.regs->write32(t.reg, value, 0xFFFFFFFFu, reg_writer::dbi, false);
        log_access(true, offset, *t.regs, t.reg, value, delay);
        return;
    }
    bool known = false;
    const edma_regfile::effect e = regs_.write_global(offset, value, known);
    switch (e.k) {
    case edma_regfile::effect::kind::doorbell:
        engine_.doorbell(e.dir, e.value, delay);
        break;
    case edma_regfile::effect::kind::engine_disabled:
        engine_.engine_disabled(e.dir);
        break;
    case edma_regfile::effect::kind::irq_changed:
        update_irq();
        break;
    case edma_regfile::effect::kind::none:
        break;
    }
    if (!known)
        logger::get().unimplemented_once(edma_log_category, "wr" + hex(offset),
                                         "eDMA offset " + hex(offset, 3) +
                                             " has no register; write of " + hex(value, 8) +
                                             " ignored");
    else
        log_access(true, offset, regs_.globals(), offset, value, delay);
}

void edma::reset() {
    regs_.reset();
    engine_.reset();
    update_irq();
}

void edma::stop_all(const char* why) {
    engine_.stop_all(why);
}

void edma::update_irq() {
    const bool level = regs_.irq_pending();
    if (level == irq_level_) return;
    irq_level_ = level;
    engine_.params().bus.local_irq(level);
}

} // namespace epvp::dwc

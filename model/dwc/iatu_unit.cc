#include "dwc/iatu_unit.h"

namespace epvp::dwc {

std::uint32_t tlm_iatu_unit::read_reg(std::uint32_t offset, sc_core::sc_time&) {
    ++stats_.reg_reads;
    return m_.read_unrolled(offset);
}

iatu_write_result tlm_iatu_unit::write_reg(std::uint32_t offset, std::uint32_t value,
                                           sc_core::sc_time&) {
    ++stats_.reg_writes;
    return m_.write_unrolled(offset, value);
}

std::uint64_t tlm_iatu_unit::region_limit(iatu_dir d, unsigned index, sc_core::sc_time&) {
    const iatu_region* r = m_.region(d, index);
    return r ? r->limit() : 0;
}

void tlm_iatu_unit::forward(tlm::tlm_generic_payload& gp, const iatu_hit& hit,
                            sc_core::sc_time& delay, const iatu_forward& fwd) {
    const std::uint64_t untranslated = gp.get_address();
    if (hit.hit) gp.set_address(hit.address);
    fwd(gp, hit, untranslated, delay);
    gp.set_address(untranslated);
}

void tlm_iatu_unit::outbound(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                             const iatu_forward& fwd) {
    const iatu_hit hit = m_.translate_outbound(gp.get_address());
    ++stats_.outbound_translations;
    if (!hit.hit) ++stats_.outbound_misses;
    forward(gp, hit, delay, fwd);
}

void tlm_iatu_unit::inbound(tlm::tlm_generic_payload& gp, const iatu_inbound_sideband& sb,
                            sc_core::sc_time& delay, const iatu_forward& fwd) {
    const iatu_hit hit =
        m_.translate_inbound(gp.get_address(), sb.bar, sb.bar_offset, sb.function, sb.tlp_type);
    ++stats_.inbound_translations;
    if (!hit.hit) ++stats_.inbound_misses;
    forward(gp, hit, delay, fwd);
}

} // namespace epvp::dwc

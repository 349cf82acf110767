#include "model/dwc/iatu_unit.h"

#include "model/pcie/tlp.h"

namespace epvp::dwc {

iatu_unit::iatu_unit(sc_core::sc_module_name name)
    : sc_module(name)
    , ob_in("ob_in")
    , ib_in("ib_in")
    , ob_out("ob_out")
    , ib_out("ib_out") {
    ob_in.register_b_transport(this, &iatu_unit::in_b_transport, 0);
    ib_in.register_b_transport(this, &iatu_unit::in_b_transport, 1);
}

void iatu_unit::mark(tlm::tlm_generic_payload& fwd, bool inbound, const iatu_hit& hit,
                     unsigned function, std::uint64_t in_addr, const sc_core::sc_time& entered) {
    iatu_xlat* x = fwd.get_extension<iatu_xlat>();
    pcie::pcie_tlp* t = fwd.get_extension<pcie::pcie_tlp>();
    sc_assert(x && t);
    x->hit = hit;
    x->in_addr = in_addr;
    x->entered = entered;
    // Inbound: the BAR the request hit (a BAR-match region matched exactly that BAR), none on a
    // miss. Outbound: no BAR.
    if (!inbound || !hit.hit) t->bar = -1;
    if (hit.hit) t->function = function;
}

tlm_iatu_unit::tlm_iatu_unit(sc_core::sc_module_name name, iatu& model)
    : iatu_unit(name)
    , m_(model) {}

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
    return r ? r->limit(m_.params().region_limit) : 0;
}

void tlm_iatu_unit::translate(bool inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const sc_core::sc_time entered = sc_core::sc_time_stamp() + delay;
    // The sender's extensions, or the stage's own for the time of the forward.
    iatu_xlat own_x;
    pcie::pcie_tlp own_t;
    const bool add_x = !gp.get_extension<iatu_xlat>(), add_t = !gp.get_extension<pcie::pcie_tlp>();
    if (add_x) gp.set_extension(&own_x);
    if (add_t) gp.set_extension(&own_t);
    const iatu_xlat& x = *gp.get_extension<iatu_xlat>();
    const pcie::pcie_tlp& t = *gp.get_extension<pcie::pcie_tlp>();

    const std::uint64_t untranslated = gp.get_address();
    const iatu_hit hit =
        inbound ? m_.translate_inbound(untranslated, t.bar, x.bar_offset, t.function, x.tlp_type)
                : m_.translate_outbound(untranslated);
    ++(inbound ? stats_.inbound_translations : stats_.outbound_translations);
    if (!hit.hit) ++(inbound ? stats_.inbound_misses : stats_.outbound_misses);
    // Function of a hit: inbound, the one the request addressed (a FUNC_NUM_MATCH region matched
    // exactly it); outbound, the region's CTRL1.FUNC_NUM (the function the TLPs are sent for).
    unsigned function = t.function;
    if (hit.hit && !inbound)
        if (const iatu_region* r = m_.region(iatu_dir::outbound, hit.index))
            function = (r->ctrl1 & iatu_reg::ctrl1_func_num_mask) >> iatu_reg::ctrl1_func_num_shift;
    mark(gp, inbound, hit, function, untranslated, entered);

    if (hit.hit) gp.set_address(hit.address);
    (inbound ? ib_out : ob_out)->b_transport(gp, delay);
    gp.set_address(untranslated);
    if (add_x) gp.clear_extension(&own_x);
    if (add_t) gp.clear_extension(&own_t);
}

} // namespace epvp::dwc

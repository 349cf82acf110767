// The iATU as a stage on the controller's data path: a translator module with, per direction, a
// target socket that receives the request untranslated and an initiator socket that forwards
// it translated (as an IOMMU translator block sits between a master and the bus), so that the
// TLM model (tlm_iatu_unit, below) and a co-simulated RTL iATU (rtl-bridge/rtl_iatu_unit.h) are
// interchangeable: the controller binds whichever is installed.
//
// Models: outbound, the EP CPU's access to the aperture goes in on ob_in with its AXI address
// and leaves on ob_out as one or more translated requests (one per burst the block forwards);
// inbound, the controller's AXI master request goes in on ib_in with its PCI address, the BAR
// hit and the function in pcie::pcie_tlp::bar/function and the rest of the BAR decode in
// iatu_xlat, and leaves on ib_out the same way. Each forwarded request carries the lookup result
// in iatu_xlat (hit, region, type, the address it had going in, when it entered the stage) and
// in pcie_tlp::bar/function (inbound: the BAR and function the region matched, BAR -1 on a
// miss; outbound: BAR -1 and, on a hit, the region's CTRL1.FUNC_NUM); the delay travels as the
// b_transport argument. A miss is forwarded untranslated with hit = false (the receiver
// applies dwc.iatu.miss_policy), whatever the block itself does with a miss. The request's
// response status is the worst of the forwarded requests'. Register reads and writes of the
// unrolled space, and the limit of a region for the controller's end-of-region check, are calls
// on the unit (the DBI's iATU sub-target).
// Does not model: the legacy viewport (the controller keeps it on the TLM model: a viewport
// core has only the TLM implementation), several functions' sideband beyond the function
// number.
#pragma once

#include "model/dwc/iatu.h"

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::dwc {

// What a request carries through the iATU stage besides pcie::pcie_tlp::bar/function.
struct iatu_xlat : tlm::tlm_extension<iatu_xlat> {
    // Inbound requests, from the controller's BAR decode.
    std::uint64_t bar_offset = 0;           // offset of the request inside the BAR it hit
    unsigned bar_size_log2 = 0;             // log2 of that BAR's size
    unsigned tlp_type = iatu_reg::type_mem; // the TLP header's Type field (CTRL1.TYPE encoding)
    // Set by the stage on each request it forwards.
    iatu_hit hit;              // the lookup result (hit.address: the translated address)
    std::uint64_t in_addr = 0; // the forwarded request's address going in
    sc_core::sc_time entered;  // when the request entered the stage (absolute)

    tlm::tlm_extension_base* clone() const override { return new iatu_xlat(*this); }
    void copy_from(const tlm::tlm_extension_base& ext) override {
        *this = static_cast<const iatu_xlat&>(ext);
    }
};

// What every implementation counts (the RTL and lockstep ones count more: rtl-bridge).
struct iatu_unit_stats {
    std::uint64_t outbound_translations = 0, inbound_translations = 0;
    std::uint64_t outbound_misses = 0, inbound_misses = 0;
    std::uint64_t reg_reads = 0, reg_writes = 0;
    // The report's declaration (model/core/stats.h); the RTL unit's own counters are in
    // rtl-bridge (rtl::rtl_iatu_stats).
    template <class V>
    void for_each(V&& v) const {
        v("outbound_translations", outbound_translations, "outbound requests translated");
        v("inbound_translations", inbound_translations, "inbound requests translated");
        v("outbound_misses", outbound_misses, "outbound requests no region matched");
        v("inbound_misses", inbound_misses, "inbound requests no region matched");
        v("register_reads", reg_reads, "register reads");
        v("register_writes", reg_writes, "register writes");
    }
};

class iatu_unit : public sc_core::sc_module {
public:
    // Untranslated requests in, translated requests out, per direction.
    tlm_utils::simple_target_socket_tagged<iatu_unit> ob_in, ib_in;
    tlm_utils::simple_initiator_socket<iatu_unit> ob_out, ib_out;

    explicit iatu_unit(sc_core::sc_module_name name);
    virtual const char* impl_name() const = 0; // "tlm", "rtl", "lockstep"

    // Register access at an offset inside the unrolled iATU space (from a SystemC thread: the
    // RTL implementation runs an APB transfer; delay is the caller's annotated delay).
    virtual std::uint32_t read_reg(std::uint32_t offset, sc_core::sc_time& delay) = 0;
    virtual iatu_write_result write_reg(std::uint32_t offset, std::uint32_t value,
                                        sc_core::sc_time& delay) = 0;
    // Inclusive limit of a region as the block computes it.
    virtual std::uint64_t region_limit(iatu_dir d, unsigned index, sc_core::sc_time& delay) = 0;

    virtual iatu_unit_stats stats() const = 0;

protected:
    // A request arrived on ob_in (inbound = false) or ib_in: translate it and forward it on
    // ob_out / ib_out; gp's response status is the worst of the forwarded requests' on return.
    virtual void translate(bool inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) = 0;
    // The result of a lookup on a forwarded request: iatu_xlat and pcie_tlp::bar/function (both
    // present on every request the stage forwards).
    static void mark(tlm::tlm_generic_payload& fwd, bool inbound, const iatu_hit& hit,
                     unsigned function, std::uint64_t in_addr, const sc_core::sc_time& entered);

private:
    void in_b_transport(int inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        translate(inbound != 0, gp, delay);
    }
};

// The TLM model on the data path: a pure lookup, the request forwarded as it is.
class tlm_iatu_unit : public iatu_unit {
public:
    tlm_iatu_unit(sc_core::sc_module_name name, iatu& model);
    const char* impl_name() const override { return "tlm"; }
    std::uint32_t read_reg(std::uint32_t offset, sc_core::sc_time& delay) override;
    iatu_write_result write_reg(std::uint32_t offset, std::uint32_t value,
                                sc_core::sc_time& delay) override;
    std::uint64_t region_limit(iatu_dir d, unsigned index, sc_core::sc_time& delay) override;
    iatu_unit_stats stats() const override { return stats_; }

private:
    void translate(bool inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
    iatu& m_;
    iatu_unit_stats stats_;
};

} // namespace epvp::dwc

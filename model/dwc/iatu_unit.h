// The iATU as the controller uses it: register access in the unrolled iATU space and the two
// data paths through it, so that the TLM model (tlm_iatu_unit, below) and a co-simulated RTL
// iATU (rtl-bridge/rtl_iatu_unit.h) are interchangeable inside dw_pcie_ep.
//
// Models: the iATU as a block on the controller's data path. Outbound, the EP CPU's access to
// the aperture goes in with its AXI address and comes out as one or more translated requests
// (one per burst the block forwards), each handed to the controller's forward callback with
// the lookup result; inbound, the controller's AXI master request goes in with its PCI address
// and the BAR/function sideband and comes out the same way. A miss is offered to the callback
// untranslated with hit = false (the controller applies dwc.iatu.miss_policy), whatever the
// block itself does with a miss. Register reads and writes of the unrolled space, and the
// limit of a region for the controller's end-of-region check.
// Does not model: the legacy viewport (the controller keeps it on the TLM model: a viewport
// core has only the TLM implementation), several functions' sideband beyond the function
// number.
#pragma once

#include "dwc/iatu.h"

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>

namespace epvp::dwc {

struct iatu_inbound_sideband {
    int bar = -1;                 // BAR hit by the request, -1 none
    std::uint64_t bar_offset = 0; // offset of the request inside that BAR
    unsigned bar_size_log2 = 0;   // log2 of the BAR's size
    unsigned function = 0;
    unsigned tlp_type = iatu_reg::type_mem; // the TLP header's Type field (CTRL1.TYPE encoding)
};

// Carries out one translated request (gp holds the translated address, or the untranslated one
// when hit.hit is false; in_addr is the address the request had going in) and sets gp's
// response status.
using iatu_forward = std::function<void(tlm::tlm_generic_payload& gp, const iatu_hit& hit,
                                        std::uint64_t in_addr, sc_core::sc_time& delay)>;

// What an implementation counts (reports and the lockstep summary).
struct iatu_unit_stats {
    std::uint64_t outbound_translations = 0, inbound_translations = 0;
    std::uint64_t outbound_misses = 0, inbound_misses = 0;
    std::uint64_t reg_reads = 0, reg_writes = 0;
    // Lockstep only: results compared against the TLM model, and what differed.
    bool lockstep = false;
    std::uint64_t compared = 0, mismatches = 0;
    std::string first_mismatch; // "outbound window 2 address 0x...: expected ..., got ..."
    // Coverage of the compared traffic: hits per region and direction, by CTRL1 type, inbound
    // BAR-match vs address-match, misses.
    std::vector<std::uint64_t> ob_region_hits, ib_region_hits;
    std::uint64_t ib_bar_match = 0, ib_address_match = 0, type_mem = 0, type_other = 0;
    // RTL: island clock cycles run (idle time runs none).
    std::uint64_t rtl_cycles = 0;
    // The report's declaration (model/core/stats.h): every implementation, then lockstep's.
    template <class V>
    void for_each(V&& v) const {
        v("outbound_translations", outbound_translations, "outbound requests translated");
        v("inbound_translations", inbound_translations, "inbound requests translated");
        v("outbound_misses", outbound_misses, "outbound requests no region matched");
        v("inbound_misses", inbound_misses, "inbound requests no region matched");
        v("register_reads", reg_reads, "register reads");
        v("register_writes", reg_writes, "register writes");
        v("rtl_cycles", rtl_cycles, "island clock cycles run");
        v("outbound_region_hits", ob_region_hits, "outbound hits per region");
        v("inbound_region_hits", ib_region_hits, "inbound hits per region");
        v("type_mem", type_mem, "requests of CTRL1 type MEM");
        v("type_other", type_other, "requests of other CTRL1 types");
    }
    template <class V>
    void for_each_lockstep(V&& v) const {
        v("compared", compared, "results compared against the TLM model");
        v("mismatches", mismatches, "results that differed");
        v("first_mismatch", first_mismatch, "the first difference, or empty");
        v("inbound_bar_match", ib_bar_match, "inbound BAR-match requests compared");
        v("inbound_address_match", ib_address_match, "inbound address-match requests compared");
    }
};

class iatu_unit {
public:
    virtual ~iatu_unit() = default;
    virtual const char* impl_name() const = 0; // "tlm", "rtl", "lockstep"

    // Register access at an offset inside the unrolled iATU space (from a SystemC thread: the
    // RTL implementation runs an APB transfer; delay is the caller's annotated delay).
    virtual std::uint32_t read_reg(std::uint32_t offset, sc_core::sc_time& delay) = 0;
    virtual iatu_write_result write_reg(std::uint32_t offset, std::uint32_t value,
                                        sc_core::sc_time& delay) = 0;
    // Inclusive limit of a region as the block computes it.
    virtual std::uint64_t region_limit(iatu_dir d, unsigned index, sc_core::sc_time& delay) = 0;

    // Outbound: gp addressed with the EP-side AXI address. Inbound: gp addressed with the PCI
    // address. fwd is called once per translated request; gp's response status is the worst of
    // them on return.
    virtual void outbound(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                          const iatu_forward& fwd) = 0;
    virtual void inbound(tlm::tlm_generic_payload& gp, const iatu_inbound_sideband& sb,
                         sc_core::sc_time& delay, const iatu_forward& fwd) = 0;

    virtual iatu_unit_stats stats() const = 0;
};

// The TLM model on the data path: a pure lookup, the request forwarded as it is.
class tlm_iatu_unit : public iatu_unit {
public:
    explicit tlm_iatu_unit(iatu& model)
        : m_(model) {}
    const char* impl_name() const override { return "tlm"; }
    std::uint32_t read_reg(std::uint32_t offset, sc_core::sc_time& delay) override;
    iatu_write_result write_reg(std::uint32_t offset, std::uint32_t value,
                                sc_core::sc_time& delay) override;
    std::uint64_t region_limit(iatu_dir d, unsigned index, sc_core::sc_time& delay) override;
    void outbound(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                  const iatu_forward& fwd) override;
    void inbound(tlm::tlm_generic_payload& gp, const iatu_inbound_sideband& sb,
                 sc_core::sc_time& delay, const iatu_forward& fwd) override;
    iatu_unit_stats stats() const override { return stats_; }

private:
    void forward(tlm::tlm_generic_payload& gp, const iatu_hit& hit, sc_core::sc_time& delay,
                 const iatu_forward& fwd);
    iatu& m_;
    iatu_unit_stats stats_;
};

} // namespace epvp::dwc

#include "model/soc/interconnect.h"

#include "model/core/log.h"
#include "model/soc/access_pieces.h"
#include "model/soc/soc_attr.h"

#include <stdexcept>

namespace epvp::soc {

const char* to_string(master m) {
    switch (m) {
    case master::ep_cpu:
        return "ep-cpu";
    case master::pcie_inbound:
        return "pcie-inbound";
    case master::edma:
        return "edma";
    case master::smmu_walker:
        return "smmu-walker";
    }
    return "?";
}

interconnect::interconnect(sc_core::sc_module_name name)
    : sc_module(name)
    , in("in")
    , out("out") {
    in.register_b_transport(this, &interconnect::b_transport);
    in.register_transport_dbg(this, &interconnect::transport_dbg);
}

void interconnect::map(std::uint64_t base, std::uint64_t size, unsigned port,
                       const std::string& name, bool takes_pieces) {
    for (const range& r : map_)
        if (base < r.base + r.size && r.base < base + size)
            throw std::logic_error("interconnect: " + name + " overlaps " + r.name);
    map_.push_back(range{base, size, port, name, false, takes_pieces});
}

void interconnect::map_inside(std::uint64_t base, std::uint64_t size, unsigned port,
                              const std::string& name) {
    const range* outer = nullptr;
    for (const range& r : map_) {
        if (!(base < r.base + r.size && r.base < base + size)) continue;
        if (!r.inside && !outer && base >= r.base && size <= r.size - (base - r.base)) {
            outer = &r;
            continue;
        }
        throw std::logic_error("interconnect: " + name + " overlaps " + r.name);
    }
    if (!outer) throw std::logic_error("interconnect: " + name + " lies inside no mapped range");
    map_.push_back(range{base, size, port, name, true});
}

const interconnect::range* interconnect::decode(std::uint64_t addr, std::uint64_t len) const {
    const auto within = [](const range& r, std::uint64_t a) {
        return a >= r.base && a - r.base < r.size;
    };
    const auto fits = [](const range& r, std::uint64_t a, std::uint64_t n) {
        return n <= r.size - (a - r.base);
    };
    const range* found = nullptr;
    for (const range& r : map_)
        if (r.inside && within(r, addr)) return fits(r, addr, len) ? &r : nullptr;
    for (const range& r : map_)
        if (!r.inside && within(r, addr) && fits(r, addr, len)) found = &r;
    if (!found) return nullptr;
    // An access of the outer range that reaches into a range mapped inside it.
    for (const range& r : map_)
        if (r.inside && len && r.base > addr && r.base - addr < len) return nullptr;
    return found;
}

void interconnect::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const range* r = decode(gp.get_address(), gp.get_data_length());
    access_pieces* pieces = nullptr;
    gp.get_extension(pieces);
    if (pieces && !(r && r->takes_pieces)) {
        write_each_piece(
            gp, *pieces, delay,
            [this](tlm::tlm_generic_payload& one, sc_core::sc_time& d) { b_transport(0, one, d); });
        return;
    }
    if (!r) {
        ++decode_errors_;
        soc_attr* a = nullptr;
        gp.get_extension(a);
        logger::get().guest_error(
            "interconnect",
            std::string(a ? to_string(a->initiator) : "?") + (gp.is_read() ? " read " : " write ") +
                hex(gp.get_address()) + " len " + std::to_string(gp.get_data_length()) +
                ": no slave at that address (DECERR)",
            "decerr");
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const std::uint64_t addr = gp.get_address();
    gp.set_address(addr - r->base);
    out[r->port]->b_transport(gp, delay);
    gp.set_address(addr);
}

unsigned interconnect::transport_dbg(int, tlm::tlm_generic_payload& gp) {
    const range* r = decode(gp.get_address(), gp.get_data_length());
    if (!r) return 0;
    const std::uint64_t addr = gp.get_address();
    gp.set_address(addr - r->base);
    unsigned n = out[r->port]->transport_dbg(gp);
    gp.set_address(addr);
    return n;
}

} // namespace epvp::soc

#include "model/soc/interconnect.h"

#include "model/core/log.h"
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
                       const std::string& name) {
    for (const range& r : map_)
        if (base < r.base + r.size && r.base < base + size)
            throw std::logic_error("interconnect: " + name + " overlaps " + r.name);
    map_.push_back(range{base, size, port, name});
}

const interconnect::range* interconnect::decode(std::uint64_t addr, std::uint64_t len) const {
    for (const range& r : map_)
        if (addr >= r.base && addr - r.base < r.size && len <= r.size - (addr - r.base)) return &r;
    return nullptr;
}

void interconnect::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const range* r = decode(gp.get_address(), gp.get_data_length());
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

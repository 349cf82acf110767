// TLM-2.0 extension carrying AXI4 attributes across the TLM<->AXI bridges.
//
// Models: on a transaction into a TLM->AXI bridge, an explicit burst (type, transfer size,
// beat count), the AXI ID, AxUSER and the attributes AxCACHE/AxPROT/AxQOS/AxREGION (when
// has_attrs; else the bridge's default, given at its construction); the bridge reports the
// worst AXI response it saw. On a transaction out of an AXI->TLM bridge, the attributes of the
// AXI burst it came from, AxCACHE/AxPROT/AxQOS/AxREGION as received (has_attrs set; 0 for
// pins the port does not have).
// Data layout of an explicit burst: the TLM data holds the active bytes of every beat in beat
// order (for INCR that is the bytes from the start address up; for FIXED every beat's bytes in
// turn; for WRAP the bytes in the order the burst visits them), byte enables likewise.
// Does not model: AxLOCK (not carried).
#pragma once

#include "rtl-bridge/axi_burst.h"

#include <tlm>

namespace epvp::rtl {

// AxCACHE (4 bits), AxPROT (3 bits), AxQOS (4 bits), AxREGION (4 bits) of a request (ARM IHI
// 0022, chapters A4 and A8); all 0 (device non-bufferable, unprivileged secure data
// access, no QoS, region 0) unless someone says otherwise.
struct axi_attrs {
    std::uint8_t cache = 0;
    std::uint8_t prot = 0;
    std::uint8_t qos = 0;
    std::uint8_t region = 0;
};

struct axi_ext : tlm::tlm_extension<axi_ext> {
    bool explicit_burst = false; // use burst/size_log2/beats as given (else the bridge plans)
    axi_burst burst = axi_burst::incr;
    unsigned size_log2 = 0;
    unsigned beats = 1;
    bool has_id = false; // else the bridge picks IDs
    unsigned id = 0;
    std::uint64_t user = 0;         // AxUSER (up to 64 bits)
    bool has_attrs = false;         // else the bridge's default attributes
    axi_attrs attrs;                // AxCACHE/AxPROT/AxQOS/AxREGION
    axi_resp resp = axi_resp::okay; // out: the worst response of the transaction's beats

    tlm::tlm_extension_base* clone() const override { return new axi_ext(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        *this = static_cast<const axi_ext&>(e);
    }
};

// AXI response <-> TLM response status.
inline tlm::tlm_response_status to_tlm(axi_resp r) {
    switch (r) {
    case axi_resp::slverr:
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    case axi_resp::decerr:
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    default:
        return tlm::TLM_OK_RESPONSE;
    }
}
inline axi_resp to_axi(tlm::tlm_response_status s) {
    if (s == tlm::TLM_OK_RESPONSE) return axi_resp::okay;
    if (s == tlm::TLM_ADDRESS_ERROR_RESPONSE) return axi_resp::decerr;
    return axi_resp::slverr;
}

} // namespace epvp::rtl

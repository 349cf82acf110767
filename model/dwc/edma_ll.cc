#include "model/dwc/edma_ll.h"

namespace epvp::dwc::edma_ll {

namespace {
std::uint32_t le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint64_t le64(const unsigned char* p) {
    return le32(p) | static_cast<std::uint64_t>(le32(p + 4)) << 32;
}
} // namespace

slot decode(const unsigned char (&raw)[edma_reg::ll_element_bytes], std::uint64_t llp, bool ccs) {
    using namespace edma_reg;
    slot s;
    s.control = le32(raw + ll_control);
    s.next_llp = llp;
    s.next_ccs = ccs;
    // A link element is followed whatever its CB (see edma.md, "Cycle bit and link elements"):
    // Linux gives a chunk's link element the CB of the next chunk, !CCS.
    if (s.control & edma_reg::llp) {
        s.k = slot::kind::link;
        s.next_llp = le64(raw + ll_link_ptr);
        if (s.control & tcb) s.next_ccs = !ccs;
        return s;
    }
    if (bool(s.control & cb) != ccs) {
        s.k = slot::kind::stop; // LLP stays at this element
        return s;
    }
    s.k = slot::kind::data;
    s.size = le32(raw + ll_transfer_size);
    s.sar = le64(raw + ll_sar);
    s.dar = le64(raw + ll_dar);
    s.next_llp = llp + ll_element_bytes;
    return s;
}

slot cursor::advance(const unsigned char (&raw)[edma_reg::ll_element_bytes]) {
    const slot s = decode(raw, llp, ccs);
    llp = s.next_llp;
    ccs = s.next_ccs;
    return s;
}

} // namespace epvp::dwc::edma_ll

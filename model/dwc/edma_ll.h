// The eDMA linked-list format (dw_edma_v0_lli / dw_edma_v0_llp): how one 24-byte slot is read
// under the channel's cycle state (CCS). The engine (edma.cc) fetches slots through the bus and
// times them; this unit only decides what a slot means (no time, no bus), so it can be fuzzed
// alone. It shares the register table of edma.h.
//
// Models: a link element (LLP bit) jumps to its pointer, whatever its CB, and toggles CCS when TCB
// is set; a data element whose CB differs from CCS stops the list (LLP stays there); any other
// slot is a data element (control, transfer size, SAR, DAR) and LLP moves to the next slot.
// Does not model: the HDMA list format, the element cache of real engines.
#pragma once

#include "dwc/edma.h"

#include <cstdint>

namespace epvp::dwc::edma_ll {

struct slot {
    enum class kind { data, link, stop };
    kind k = kind::stop;
    std::uint32_t control = 0, size = 0;
    std::uint64_t sar = 0, dar = 0;
    std::uint64_t next_llp = 0; // where the list goes on (data: the next slot; link: its target)
    bool next_ccs = false;      // the cycle state after this slot
};

slot decode(const unsigned char (&raw)[edma_reg::ll_element_bytes], std::uint64_t llp, bool ccs);

} // namespace epvp::dwc::edma_ll

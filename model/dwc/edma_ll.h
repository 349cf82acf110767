// The eDMA linked-list format (dw_edma_v0_lli / dw_edma_v0_llp): how one 24-byte slot is read
// under the channel's cycle state (CCS), and where a channel's walk through its list stands. The
// engine (edma_engine.cc) fetches slots through the bus and times them; this unit only decides
// what a slot means and where the list goes on (no time, no bus), so it can be fuzzed alone. It
// shares the register table of edma_regs.h.
//
// Models: a link element (LLP bit) jumps to its pointer, whatever its CB, and toggles CCS when TCB
// is set; a data element whose CB differs from CCS stops the list (LLP stays there); any other
// slot is a data element (control, transfer size, SAR, DAR) and LLP moves to the next slot.
// Does not model: the HDMA list format, the element cache of real engines.
#pragma once

#include "model/dwc/edma_regs.h"

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

// A channel's place in its list: the slot to fetch next (LLP), the cycle state, and the slots
// fetched since the doorbell (a list that never stops is cut off after a budget).
struct cursor {
    std::uint64_t llp = 0;
    bool ccs = false;
    std::uint64_t fetched = 0;

    bool exhausted(std::uint64_t budget) const { return fetched >= budget; }
    // The slot just fetched at llp: decoded, and llp/ccs moved on (a stop leaves both).
    slot advance(const unsigned char (&raw)[edma_reg::ll_element_bytes]);
};

} // namespace epvp::dwc::edma_ll

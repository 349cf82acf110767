// The DWC embedded DMA controller (eDMA, register map v0), write and read channels, as the
// controller's DBI decode and the Linux dw-edma driver see it. edma.md is the compliance table.
// This module ties the parts together as the databook divides them: the register file
// (edma_regs.h: both maps, decoded once), the channel engine (edma_engine.h: the channel state
// machines, prefetch, staging and timing), the linked-list format (edma_ll.h) and the local-bus
// side (edma_local.h); the controller side is edma_bus.h.
//
// Models: DBI accesses to the eDMA block (one dword, logged as every register block logs them);
// a doorbell starts its channel at the access's time; the local interrupt line (any unmasked
// done/abort bit of either direction, driven on every change); cold reset and Function-Level
// Reset. What each part models is in its header.
// Does not model: see the parts' headers (and edma.md).
#pragma once

#include "model/dwc/edma_bus.h"
#include "model/dwc/edma_engine.h"
#include "model/dwc/edma_regs.h"

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::dwc {

class edma : public sc_core::sc_module {
public:
    // Throws std::invalid_argument (naming the dwc.edma.* key and its range) on bad params.
    edma(sc_core::sc_module_name name, const edma_params& p);
    ~edma() override;

    // DBI access at an offset from the eDMA base (legacy layout: DBI offset - 0x970), one dword.
    std::uint32_t read32(std::uint32_t offset);
    // The same value without logging it (the controller merging a partial write).
    std::uint32_t peek32(std::uint32_t offset);
    // delay: the access's time offset from sc_time_stamp(); a doorbell starts the channel then.
    void write32(std::uint32_t offset, std::uint32_t value, const sc_core::sc_time& delay);
    // The register an offset reaches, as "NAME" from the register table (channel registers
    // as "wr0.SAR_LO"; the legacy window names the selected channel), or "" if none. Has no
    // side effect: for tests and tools.
    std::string register_name(std::uint32_t offset);
    // Cold reset: every register; running channels stop without status or interrupt.
    void reset();
    // Function-Level Reset: every running channel stops (as by engine disable) and reports it;
    // registers keep their values (the firmware programs them again).
    void stop_all(const char* why);

    unsigned channels(edma_dir d) const { return regs_.channels(d); }
    bool irq() const { return irq_level_; }
    const std::vector<edma_transfer>& transfers() const { return engine_.transfers(); }
    const edma_counters& counters() const { return engine_.counters(); }
    const edma_params& params() const { return engine_.params(); }

private:
    void update_irq();
    void log_access(bool write, std::uint32_t offset, const reg_block& blk, std::uint32_t reg,
                    std::uint32_t value,
                    const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) const;

    edma_regfile regs_;
    edma_engine engine_;
    bool irq_level_ = false;
};

} // namespace epvp::dwc

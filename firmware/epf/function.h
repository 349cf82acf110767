// An endpoint function: the operations Linux's endpoint framework calls on a function driver
// (struct pci_epf_ops: bind, unbind; struct pci_epc_event_ops: epc_init, epc_deinit, link_up,
// link_down, bus_master_enable, in include/linux/pci-epf.h), plus the doorbell event of the
// memory controller's interrupt-generation window.
//
// A function is a class derived from fw::epf::function. The function runner (epf/runner.h) calls
// its operations from the endpoint firmware's event loop, in the firmware's own context, one at a
// time; the function reaches the controller through the EPC API (epc/epc.h), the eDMA through the
// channel API (dwc/dw_edma.h), time through its workqueue (epf/workqueue.h) and everything else
// through the services its context carries (epf/context.h). Operations report failure as a
// negated errno (hal/errno.h), never by throwing: firmware builds without exceptions.
//
// Models: the order Linux calls the operations in (bind; epc_init once the controller is
// initialised; link_up / link_down per link event; bus_master_enable when the host sets Bus
// Master Enable; epc_deinit then unbind when the function is removed). Does not model: several
// functions on one controller, virtual functions, hot-plugging a function at run time.
#pragma once

#include "firmware/epf/context.h"

#include <cstdint>

namespace fw::epf {

class function {
public:
    virtual ~function() = default;

    // pci_epf_ops.bind: allocate BAR spaces (ctx.alloc_space), claim DMA channels. The context
    // outlives the function's binding. 0 or a negated errno (the firmware then halts).
    virtual int bind(context& ctx) = 0;
    // pci_epf_ops.unbind: release what bind took.
    virtual void unbind() {}
    // pci_epc_event_ops.epc_init: the controller is initialised: write the header, set the BARs,
    // MSI/MSI-X. 0 or a negated errno.
    virtual int epc_init() { return 0; }
    // pci_epc_event_ops.epc_deinit: the controller is going away (PERST# asserted, removal).
    virtual void epc_deinit() {}
    // pci_epc_event_ops.link_up / link_down. Return 0 or a negated errno (logged).
    virtual int link_up() { return 0; }
    virtual int link_down() { return 0; }
    // pci_epc_event_ops.bus_master_enable: the host set Bus Master Enable (the function may now
    // issue memory requests and interrupts).
    virtual int bus_master_enable() { return 0; }
    // A value written to the interrupt-generation window (the doorbell a BAR mapped onto
    // ctx.doorbell_window() delivers): one call per value, in arrival order.
    virtual void doorbell(std::uint32_t /*value*/, std::uint64_t /*window_offset*/) {}
};

} // namespace fw::epf

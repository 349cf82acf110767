// What a bound endpoint function is given (the equivalent of the struct pci_epf an endpoint
// function driver receives in Linux, with its epc, its DMA channels and its IOMMU domain): the
// HAL, the board description, the EPC API, the coherent buffer pool BAR spaces come from, the
// eDMA driver (dmaengine-like channel API), the IOVA API with the SMMU and domain under it, the
// function's workqueue, its log category (its name: `epsim run --log <name>` prints its info
// lines) and link_ready(), which lets long-running work take the link events it would otherwise
// hold up.
//
// Models: one physical function (function number 0) on one controller. Does not model: several
// functions sharing a controller, virtual functions.
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/epc/epc.h"
#include "firmware/epf/workqueue.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/iommu/iova.h"
#include "firmware/iommu/smmu_v3.h"

#include <cstdint>
#include <functional>
#include <string>

namespace fw::epf {

struct context {
    hal::platform& io;
    const hal::ep_board& board;
    epc::epc& epc;
    epc::coherent_pool& pool;
    workqueue& wq;
    dwc::dw_edma* edma = nullptr;      // null without a usable eDMA
    iommu::iova_space* iova = nullptr; // null without an SMMU
    std::string category;              // the function's name, its log category
    unsigned fn = 0;                   // function number
    // The SMMU and the function's stage-1 domain (what ctx.iova allocates in); null without an
    // SMMU. A function that manages translations itself (invalidations, fault records) uses them.
    iommu::smmu_v3* smmu = nullptr;
    iommu::smmu_domain* domain = nullptr;
    // Set by the runner: handles the controller's pending link events (calling the function's
    // link_down / link_up / bus_master_enable as the event loop does) and tells whether the link
    // is up with Bus Master Enable set. Long-running work (a job that keeps the CPU for the whole
    // run, as a command server does) calls link_ready() to notice a link loss and to wait for
    // the host to come back.
    std::function<bool()> events = {};
    bool link_ready() { return events && events(); }

    // pci_epf_alloc_space: memory for BAR barno from the pool, sized and flagged for the BAR's
    // type. 0, -EINVAL or -ENOMEM.
    int alloc_space(int barno, std::uint64_t size, epc::epf_bar& bar) {
        return epc::alloc_space(pool, epc.get_features(fn), barno, size, bar);
    }
    void free_space(const epc::epf_bar& bar) { pool.free(bar.phys_addr); }
    // The interrupt-generation window's local address (0 when the board has none): a BAR mapped
    // onto it turns host writes into doorbell() calls.
    std::uint64_t doorbell_window() const { return board.irq_window.base; }
    // Points BAR `bar` (from alloc_space) at the interrupt-generation window, as a doorbell
    // (Linux: pci_epf_alloc_doorbell, a BAR mapped onto the MSI controller's doorbell): the host's
    // 32-bit writes at BAR offset `offset` become doorbell() calls. The BAR is placed on the
    // BAR-size aligned block holding the window (a BAR-match window maps naturally aligned
    // memory). 0, -EOPNOTSUPP (no window) or -ENOSPC (the window lies beyond the BAR), or what
    // set_bar returns.
    int set_doorbell_bar(epc::epf_bar& bar, std::uint64_t& offset);

    void info(const std::string& msg) { io.log(hal::log_level::info, category, msg); }
    void warning(const std::string& msg) { io.log(hal::log_level::warning, category, msg); }
    void error(const std::string& msg) { io.log(hal::log_level::error, category, msg); }
};

} // namespace fw::epf

// The firmware image of the test endpoint: boots the controller, binds the test function and
// runs the event loop (link interrupts, the function's command poll, an optional one-shot job).
// Never returns.
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/epc/epc.h"
#include "firmware/functions/pci_epf_test.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/iommu/iova.h"
#include "firmware/iommu/smmu_v3.h"

#include <functional>

namespace fw::functions {

// What a one-shot job gets from the running endpoint firmware.
struct endpoint_services {
    hal::platform& io;
    dwc::dw_edma* edma; // null without a usable eDMA
    epc::coherent_pool& pool;
    epc::epc& epc;
    const pci_epf_test& function; // its BARs (local memory the host sees)
    // The SMMU, the function's domain and its explicit IOVA space; null without an SMMU.
    iommu::smmu_v3* smmu = nullptr;
    iommu::smmu_domain* domain = nullptr;
    iommu::iova_space* iova = nullptr;
    const hal::ep_board* board = nullptr;
    // Handles pending link-down/link-up events (as the event loop does) and tells whether the
    // link is up and the host has enabled bus mastering again: a job polls it to recover.
    std::function<bool()> link_ready;
};
// Runs once, in the event loop, when the link is up and the host has enabled bus mastering.
using endpoint_job = std::function<void(endpoint_services&)>;

void run_test_endpoint(hal::platform& io, const hal::ep_board& board, const epf_test_params& p,
                       const endpoint_job& job = {});

} // namespace fw::functions

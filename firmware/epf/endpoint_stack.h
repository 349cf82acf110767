// The endpoint firmware's controller stack, brought up the way every endpoint image here does it
// (Linux: the DWC glue driver's probe, dw_pcie_ep_init, dw_pcie_ep_init_registers, the IOMMU
// domain of the controller's device): the DWC endpoint driver, the EPC core over it, the
// coherent buffer pool, the SMMU with one identity-mapped stage-1 domain for the function and
// its explicit IOVA space, and the eDMA driver (probed by the caller, after its function's bind,
// so that BAR spaces keep their place in the pool).
//
// Models: boot order (PERST# deassertion before the registers, as the reference clock needs),
// link events from the glue block's interrupt. Does not model: several controllers.
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/dwc/pcie_designware_ep.h"
#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/iommu/iova.h"
#include "firmware/iommu/smmu_v3.h"

#include <cstdint>
#include <memory>

namespace fw::epf {

class endpoint_stack {
public:
    // Sleep when nothing is due: until an interrupt.
    static constexpr std::uint64_t idle_wait_ns = 1'000'000'000;

    endpoint_stack(hal::platform& io, const hal::ep_board& board);
    // Removes the interrupt handler boot() installed (it refers to this object).
    ~endpoint_stack();
    endpoint_stack(const endpoint_stack&) = delete;
    endpoint_stack& operator=(const endpoint_stack&) = delete;

    // Waits for PERST# deassertion, initialises the controller registers, reserves the MSI
    // memory and sets up the SMMU domain. 0, or a negated errno and `what` names the step.
    int boot(const char*& what);

    // The glue block's interrupt events (dwc::app_regs::IRQ_*) since the last call.
    std::uint32_t take_events() {
        const std::uint32_t ev = events_;
        events_ = 0;
        return ev;
    }
    // The host has set Bus Master Enable in the function's Command register.
    bool bus_master();

    hal::platform& io;
    const hal::ep_board& board;
    dwc::dw_pcie_ep ep;
    epc::epc epc;
    epc::coherent_pool pool;
    std::unique_ptr<iommu::smmu_v3> smmu;
    std::unique_ptr<iommu::smmu_domain> domain;
    std::unique_ptr<iommu::iova_space> iova;
    dwc::dw_edma edma;

private:
    std::uint32_t events_ = 0;
};

} // namespace fw::epf

#include "functions/test_endpoint.h"

#include <algorithm>
#include <memory>

#include "dwc/dw_edma.h"
#include "dwc/dw_pcie_ep.h"
#include "hal/errno.h"
#include "hal/pci_regs.h"
#include "iommu/iova.h"
#include "iommu/smmu_v3.h"

namespace fw::functions {

namespace {
constexpr std::uint64_t idle_wait_ns = 1'000'000'000; // nothing to poll: sleep until an IRQ
// Explicitly managed IOVA ranges (iova_space) live here, far above any DRAM the identity map
// covers.
constexpr std::uint64_t explicit_iova_base = 1ull << 40;
constexpr std::uint64_t explicit_iova_bytes = 1ull << 40;
constexpr unsigned function_devfn = 0; // device 0, function 0 of whatever bus the host assigns
} // namespace

void run_test_endpoint(hal::platform& io, const hal::ep_board& board, const epf_test_params& p,
                       const endpoint_job& job) {
    dwc::dw_pcie_ep ep(io, board);
    std::uint32_t events = 0;
    io.set_irq_handler(hal::irq_app, [&](unsigned) { events |= ep.glue().ack_irq(); });
    ep.glue().enable_irqs();

    // dw_pcie_ep_init_registers needs the reference clock: wait for PERST# deassertion.
    while (!ep.glue().perst_deasserted())
        io.wait_for_interrupt(idle_wait_ns);

    auto halt = [&](const char* what, int err) {
        io.log(hal::log_level::error, "ep", std::string(what) + " failed: " + err_name(err));
        for (;;)
            io.wait_for_interrupt(idle_wait_ns);
    };
    int r = ep.init_registers();
    if (r) halt("controller init", r);
    epc::epc epc(ep, io, board);
    if ((r = ep.init_msi_mem(epc))) halt("interrupt memory reservation", r);
    // Buffers come from DRAM below the interrupt-generation window (which stores nothing).
    const std::uint64_t pool_bytes =
        board.irq_window.size && board.irq_window.base > board.dram.base
            ? std::min(board.dram.size, board.irq_window.base - board.dram.base)
            : board.dram.size;
    epc::coherent_pool pool(board.dram.base, pool_bytes);
    // The SMMU between the controller and DRAM: one stage-1 domain for the function. The pool
    // and the interrupt window are identity-mapped (IOVA = physical address), so buffers handed
    // to the controller (BAR backing, eDMA addresses, the doorbell) keep their addresses, as with
    // an identity-mapped DMA window; jobs reserve explicit IOVA ranges above it.
    std::unique_ptr<iommu::smmu_v3> smmu;
    std::unique_ptr<iommu::smmu_domain> domain;
    std::unique_ptr<iommu::iova_space> iova;
    if (board.smmu.size) {
        smmu = std::make_unique<iommu::smmu_v3>(io, board, pool);
        if ((r = smmu->probe()) || (r = smmu->init())) halt("SMMU init", r);
        domain = std::make_unique<iommu::smmu_domain>(*smmu);
        const unsigned rw = iommu::prot_read | iommu::prot_write;
        if ((r = domain->init())) halt("SMMU domain", r);
        if ((r = domain->map(board.dram.base, board.dram.base, pool_bytes, rw)))
            halt("SMMU identity map of DRAM", r);
        if (board.irq_window.size &&
            (r = domain->map(board.irq_window.base, board.irq_window.base, board.irq_window.size,
                             rw | iommu::prot_mmio)))
            halt("SMMU map of the interrupt window", r);
        if ((r = domain->attach(function_devfn))) halt("SMMU attach", r);
        iova = std::make_unique<iommu::iova_space>(*domain);
        if ((r = iova->init(explicit_iova_base, explicit_iova_bytes))) halt("IOVA space", r);
        io.log(hal::log_level::info, "ep",
               "SMMU enabled: DRAM and the interrupt window identity-mapped, ASID " +
                   std::to_string(domain->asid()));
    }
    // Declared before the function, which holds its channels (destroyed after it).
    dwc::dw_edma edma(io, board, ep.pci(), pool);
    epf_test_params fp = p;
    fp.doorbell_window = board.irq_window.base;
    pci_epf_test epf(io, epc, pool, fp);
    io.set_irq_handler(hal::irq_msi_ctrl, [&](unsigned) { epf.doorbell_irq(); });
    if ((r = epf.bind())) halt("pci-epf-test bind", r);
    // dw_pcie_edma_detect; no usable eDMA is not fatal: USE_DMA transfers are then refused.
    // Probed after bind so the BAR spaces keep their place in the pool.
    if ((r = edma.probe()))
        io.log(hal::log_level::info, "ep", std::string("no eDMA: ") + err_name(r));
    epf.set_dma(edma.probed() && p.claim_dma ? &edma : nullptr);
    if ((r = epf.epc_init())) halt("pci-epf-test epc_init", r);
    if (p.unmapped_bar >= 0) {
        io.log(hal::log_level::warning, "ep",
               "fault injection: BAR" + std::to_string(p.unmapped_bar) +
                   " left enabled without its inbound iATU window");
        ep.drop_inbound_window(static_cast<unsigned>(p.unmapped_bar));
    }
    io.log(hal::log_level::info, "ep", "function ready; enabling LTSSM");
    epc.start();

    auto handle_link_events = [&]() {
        std::uint32_t ev = events;
        events = 0;
        if (ev & dwc::app_regs::IRQ_LINK_DOWN) {
            io.log(hal::log_level::info, "ep", "link down: restoring the non-sticky registers");
            epf.link_down();
            ep.linkdown();
        }
        if (ev & dwc::app_regs::IRQ_FLR) {
            // Function-Level Reset: the function's configuration state is gone; stop what it
            // was doing, write back its non-sticky registers and start it again.
            io.log(hal::log_level::info, "ep", "FLR: re-initialising the function");
            epf.link_down();
            ep.linkdown();
            epf.link_up();
            ep.glue().flr_done();
            io.log(hal::log_level::info, "ep", "FLR done");
        }
        if (ev & dwc::app_regs::IRQ_LINK_UP) {
            io.log(hal::log_level::info, "ep", "link up");
            epf.link_up();
            io.delay_ns(epf.init_delay_ns());
            // Configuration requests were answered with CRS until the function was ready.
            ep.glue().set_config_retry(false);
            io.log(hal::log_level::info, "ep", "ready for configuration requests");
        }
    };
    auto bus_master = [&]() {
        return (ep.pci().readw_dbi(pci::COMMAND) & pci::COMMAND_MASTER) != 0;
    };

    bool job_done = false;
    for (;;) {
        io.wait_for_interrupt(epf.running() ? epf.poll_interval_ns() : idle_wait_ns);
        handle_link_events();
        epf.cmd_handler();
        if (job && !job_done && epf.running() && bus_master()) {
            job_done = true;
            endpoint_services services{io,
                                       edma.probed() ? &edma : nullptr,
                                       pool,
                                       epc,
                                       epf,
                                       smmu.get(),
                                       domain.get(),
                                       iova.get(),
                                       &board,
                                       [&]() {
                                           handle_link_events();
                                           return epf.running() && bus_master();
                                       }};
            job(services);
        }
    }
}

} // namespace fw::functions

#include "firmware/functions/test_endpoint.h"

#include <algorithm>
#include <memory>

#include "firmware/dwc/dw_edma.h"
#include "firmware/dwc/pcie_designware_ep.h"
#include "firmware/epf/endpoint_stack.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"
#include "firmware/iommu/iova.h"
#include "firmware/iommu/smmu_v3.h"

namespace fw::functions {

void run_test_endpoint(hal::platform& io, const hal::ep_board& board, const epf_test_params& p,
                       const endpoint_job& job) {
    epf::endpoint_stack stack(io, board);
    const char* failed_step = "";
    int r = stack.boot(failed_step);
    if (r) stack.halt(failed_step, r);
    auto halt = [&](const char* what, int err) { stack.halt(what, err); };
    dwc::dw_pcie_ep& ep = stack.ep;
    epc::epc& epc = stack.epc;
    epc::coherent_pool& pool = stack.pool;
    dwc::dw_edma& edma = stack.edma;
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
        const std::uint32_t ev = stack.take_events();
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
    auto bus_master = [&]() { return stack.bus_master(); };
    constexpr std::uint64_t idle_wait_ns = epf::endpoint_stack::idle_wait_ns;

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
                                       stack.smmu.get(),
                                       stack.domain.get(),
                                       stack.iova.get(),
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

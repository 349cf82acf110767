// The test endpoint as an endpoint function (epf/function.h): pci-epf-test (pci_epf_test.h)
// driven by the operations the function runner (epf/runner.h) calls, as Linux's
// drivers/pci/endpoint/functions/pci-epf-test.c is driven by the endpoint core: bind allocates
// the BAR spaces, epc_init writes the header, BARs and MSI/MSI-X and takes the eDMA channels,
// link_up starts the command poll (delayed work every poll_interval_ns, as Linux's
// cmd_handler re-queues itself with msecs_to_jiffies(1)), link_down stops it, and the
// interrupt-generation window's values arrive as doorbell events.
//
// A built-in workload may give the function a one-shot job (its own endpoint-side program: a
// command server, the IOVA test, a DMA sweep): it runs once, as work queued when the host has
// enabled bus mastering after the first link up, with the services it needs (endpoint_services).
//
// Models: one function, one job per run. Does not model: several jobs, a job restarted after a
// link loss (the job itself waits for the link through link_ready).
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/epc/epc.h"
#include "firmware/epf/function.h"
#include "firmware/epf/workqueue.h"
#include "firmware/functions/pci_epf_test.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/iommu/iova.h"
#include "firmware/iommu/smmu_v3.h"

#include <functional>
#include <memory>

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
// Runs once, from the function's workqueue, when the link is up and the host has enabled bus
// mastering.
using endpoint_job = std::function<void(endpoint_services&)>;

class test_endpoint final : public epf::function {
public:
    explicit test_endpoint(const epf_test_params& p, endpoint_job job = {});
    ~test_endpoint() override;
    test_endpoint(const test_endpoint&) = delete;
    test_endpoint& operator=(const test_endpoint&) = delete;

    int bind(epf::context& ctx) override;
    void unbind() override;
    int epc_init() override;
    int link_up() override;
    int link_down() override;
    int bus_master_enable() override;
    void doorbell(std::uint32_t value, std::uint64_t window_offset) override;

    // The test function once bound (null before).
    const pci_epf_test* test() const { return epf_.get(); }

private:
    void cmd_poll();
    void run_job();

    epf_test_params p_;
    endpoint_job job_;
    bool job_done_ = false;
    epf::context* ctx_ = nullptr;
    std::unique_ptr<pci_epf_test> epf_;
    epf::delayed_work cmd_work_{[this] { cmd_poll(); }};
    epf::delayed_work job_work_{[this] { run_job(); }};
};

// The test endpoint's firmware image, native or ELF: the function (with `job`) under the
// function runner, its log category "ep", Bus Master Enable looked at as often as commands are
// polled; a failed bring-up step is logged and the firmware halts. Never returns.
[[noreturn]] void run_test_function(hal::platform& io, const hal::ep_board& board,
                                    const epf_test_params& p, const endpoint_job& job = {});

} // namespace fw::functions

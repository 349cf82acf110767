#include "firmware/functions/test_endpoint.h"

#include "firmware/epf/runner.h"

#include <string>

namespace fw::functions {

test_endpoint::test_endpoint(const epf_test_params& p, endpoint_job job)
    : p_(p)
    , job_(std::move(job)) {}

test_endpoint::~test_endpoint() {
    if (!ctx_) return;
    ctx_->wq.cancel(cmd_work_);
    ctx_->wq.cancel(job_work_);
}

int test_endpoint::bind(epf::context& ctx) {
    ctx_ = &ctx;
    epf_test_params p = p_;
    p.doorbell_window = ctx.doorbell_window();
    epf_ = std::make_unique<pci_epf_test>(ctx.io, ctx.epc, ctx.pool, p);
    return epf_->bind();
}

void test_endpoint::unbind() {
    ctx_->wq.cancel(cmd_work_);
    ctx_->wq.cancel(job_work_);
    epf_->set_dma(nullptr);
}

int test_endpoint::epc_init() {
    // pci_epf_test_init_dma_chan: no usable eDMA is not fatal, USE_DMA transfers are then
    // refused. A job that drives the channels itself leaves them unclaimed.
    epf_->set_dma(p_.claim_dma ? ctx_->edma : nullptr);
    return epf_->epc_init();
}

int test_endpoint::link_up() {
    ctx_->info("link up");
    epf_->link_up();
    // Work done before the controller answers configuration requests (the runner then stops
    // the Configuration Request Retry Status answers).
    ctx_->io.delay_ns(p_.init_delay_ns);
    ctx_->info("ready for configuration requests");
    // pci_epf_test_epc_init / link_up: the first command poll one interval from now.
    ctx_->wq.queue(cmd_work_, p_.poll_interval_ns);
    return 0;
}

int test_endpoint::link_down() {
    // Also the first half of a Function-Level Reset (the runner then calls link_up): the
    // function stops what it was doing; its non-sticky registers are written back.
    ctx_->info("link down: stopping the command poll");
    ctx_->wq.cancel(cmd_work_);
    epf_->link_down();
    return 0;
}

int test_endpoint::bus_master_enable() {
    if (job_ && !job_done_) ctx_->wq.queue(job_work_, 0);
    return 0;
}

void test_endpoint::doorbell(std::uint32_t value, std::uint64_t) {
    epf_->doorbell(value);
}

void test_endpoint::cmd_poll() {
    epf_->cmd_handler();
    // pci_epf_test_cmd_handler re-queues itself (queue_delayed_work, msecs_to_jiffies(1)).
    if (epf_->running()) ctx_->wq.queue(cmd_work_, p_.poll_interval_ns);
}

void test_endpoint::run_job() {
    if (job_done_ || !ctx_->link_ready()) return; // the next bus_master_enable queues it again
    job_done_ = true;
    endpoint_services s{ctx_->io,     ctx_->edma,
                        ctx_->pool,   ctx_->epc,
                        *epf_,        ctx_->smmu,
                        ctx_->domain, ctx_->iova,
                        &ctx_->board, [this] { return ctx_->link_ready() && epf_->running(); }};
    job_(s);
}

void run_test_function(hal::platform& io, const hal::ep_board& board, const epf_test_params& p,
                       const endpoint_job& job) {
    {
        test_endpoint f(p, job);
        epf::runner_options o;
        o.name = "ep";
        o.bus_master_poll_ns = p.poll_interval_ns;
        o.unmapped_bar = p.unmapped_bar;
        std::string failed;
        const int r = epf::run_function(io, board, f, o, failed);
        const bool function_step = failed == "bind" || failed == "epc_init";
        epf::log_failure(io, "ep", (function_step ? "pci-epf-test " : "") + failed, r);
    } // the function and the strings go before the CPU sleeps for good
    epf::idle_forever(io);
}

} // namespace fw::functions

#include "workloads.h"

#include "functions/test_endpoint.h"

namespace epvp::tb {

namespace {
constexpr std::uint64_t ns_per_us = 1000;

fw::functions::epf_test_params epf_params(const cfg::platform_config& c) {
    fw::functions::epf_test_params p;
    p.bar_sizes = c.function.test.bar_sizes;
    p.msi_vectors = c.function.test.msi_vectors;
    p.msix_vectors = c.function.test.msix_vectors;
    p.vendor_id = c.function.test.vendor_id;
    p.device_id = c.function.test.device_id;
    p.poll_interval_ns = c.function.test.poll_interval_us * ns_per_us;
    p.init_delay_ns = c.function.test.init_delay_us * ns_per_us;
    p.seed = c.sim.seed;
    p.unmapped_bar = c.function.test.unmapped_bar;
    return p;
}

void load_pcitest(platform& p, workload_result& out) {
    const auto ep_params = epf_params(p.config());
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb](hal::platform& io) {
        fw::functions::run_test_endpoint(io, eb, ep_params);
    });
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = p.config().host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = p.config().host.crs_retry_us * ns_per_us;
    fw::host::pcitest_options opts;
    opts.xfer_timeout_ns = timeout_ns;
    opts.seed = p.config().sim.seed;
    // The DMA variants run when the controller has an eDMA with both directions.
    opts.dma = p.config().dwc.edma_write_channels > 0 && p.config().dwc.edma_read_channels > 0;
    if (p.config().host.pcitest_msix_sample)
        opts.msix_vectors = {1, 2, 31, 32, 33, 1024, 2047, 2048};
    p.load_host([&out, &hb, timeout_ns, retry_ns, opts](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (out.enumerate_status == 0 && !out.devices.empty())
            out.tests = fw::host::run_pcitest(host, hb, out.devices.front(), opts);
        out.host_finished = true;
    });
}
} // namespace

unsigned workload_result::passed() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::pass;
    return n;
}
unsigned workload_result::failed() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::fail;
    return n;
}
unsigned workload_result::skipped() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::skip;
    return n;
}

const std::vector<workload>& workloads() {
    static const std::vector<workload> all = {
        {"pcitest",
         "the Linux endpoint test suite: enumerate the endpoint, then the BAR tests (kselftest "
         "pci_endpoint_test)",
         &load_pcitest},
    };
    return all;
}

const workload* find_workload(const std::string& name) {
    for (const auto& w : workloads())
        if (name == w.name)
            return &w;
    return nullptr;
}

} // namespace epvp::tb

// Workload pcitest: the Linux endpoint test suite (kselftest pci_endpoint_test) against the
// test function, its TAP lines streamed as each test completes.
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"

#include <cerrno>

namespace epvp::tb::builtin {

namespace {

class pcitest final : public workload {
public:
    void load(platform& p, workload_result& out) override {
        const auto ep_params = epf_params(p.config());
        // The same firmware as an ELF (cpu.kind = iss).
        p.endpoint(0).boot_iss(test_endpoint_boot(p, ep_params));
        load_test_endpoint(p.endpoint(0), ep_params);
        const hal::host_board& hb = p.host_board();
        const std::uint64_t timeout_ns = p.config().host.test_timeout_us * ns_per_us;
        const std::uint64_t retry_ns = p.config().host.crs_retry_us * ns_per_us;
        fw::host::pcitest_options opts;
        opts.xfer_timeout_ns = timeout_ns;
        opts.seed = p.config().sim.seed;
        opts.doorbell = true; // the function remaps a BAR onto the interrupt-generation window
        opts.kernel = p.config().host.pcitest_version == cfg::pcitest_kernel::v6_18
                          ? fw::host::pcitest_kernel::v6_18
                          : fw::host::pcitest_kernel::next;
        if (p.config().host.pcitest_msix_sample)
            opts.msix_vectors = {1, 2, 31, 32, 33, 1024, 2047, 2048};
        opts.hot_reset_before_test = p.config().faults.hot_reset_before_test;
        opts.flr_before_test = p.config().faults.flr_before_test;
        opts.sbr_hold_ns = p.config().host.sbr_hold_us * ns_per_us;
        opts.flr_wait_ns = p.config().host.flr_wait_ms * ns_per_ms;
        opts.resets = &out.resets;
        opts.progress = &out.test_progress;
        out.tests_planned = fw::host::pcitest_rows(opts.kernel);
        // A reset before a test that does not exist would never happen.
        const std::pair<const char*, std::uint64_t> resets[] = {
            {"faults.hot_reset.before_test", opts.hot_reset_before_test},
            {"faults.flr.before_test", opts.flr_before_test}};
        for (const auto& [key, before] : resets)
            if (before > out.tests_planned)
                throw cfg::config_error("workload pcitest: " + std::string(key) + " = " +
                                        std::to_string(before) + ": pcitest runs " +
                                        std::to_string(out.tests_planned) + " tests");
        opts.on_result = [&out](unsigned n, const fw::host::test_result& t) {
            if (out.on_test) out.on_test(n, t);
        };
        p.load_host([&out, &hb, timeout_ns, retry_ns, opts](hal::platform& io) {
            fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
            out.enumerate_status = host.enumerate(out.devices);
            out.crs_retries = host.crs_retries();
            // No endpoint found: nothing was tested, which is a failure, not a pass of 0 tests.
            if (out.enumerate_status == 0 && out.devices.empty()) out.enumerate_status = -ENODEV;
            if (out.enumerate_status == 0)
                out.tests = fw::host::run_pcitest(host, hb, out.devices.front(), opts);
            out.host_finished = true;
        });
    }
};

} // namespace

void register_pcitest(workload_registry& r) {
    r.add({"pcitest",
           "the Linux endpoint test suite: enumerate the endpoint, then the BAR tests (kselftest "
           "pci_endpoint_test)",
           {"function.test.", "host.pcitest.kernel", "host.pcitest_msix_sample"},
           nullptr,
           [] { return std::make_unique<pcitest>(); }});
}

} // namespace epvp::tb::builtin

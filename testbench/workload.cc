#include "testbench/workload.h"
#include "testbench/workload_call.h"

#include "model/core/log.h"
#include "testbench/platform.h"
#include "testbench/workloads/common.h"

#include <stdexcept>

namespace epvp::tb {

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
    for (const auto& x : resets) // a reset that failed fails the run
        n += x.status != 0;
    return n;
}
unsigned workload_result::skipped() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::skip;
    return n;
}

void workload::print_results(platform&, const workload_result& r, std::ostream& out) const {
    if (r.tests_planned)
        out << fw::host::format_totals(r.tests); // the lines went out as they came
    else
        out << fw::host::format_results(r.tests);
}

void workload::print_summary(platform&, const workload_result& r, std::ostream& out) const {
    out << r.passed() << " passed, " << r.failed() << " failed, " << r.skipped() << " skipped\n";
}

void workload_registry::add(workload_info w) {
    if (w.name.empty() || !w.make)
        throw std::logic_error("workload registry: a workload needs a name and a factory");
    if (find(w.name))
        throw std::logic_error("workload registry: workload " + w.name + " registered twice");
    all_.push_back(std::move(w));
}

const workload_info* workload_registry::find(const std::string& name) const {
    for (const auto& w : all_)
        if (w.name == name) return &w;
    return nullptr;
}

workload_registry& registry() {
    static workload_registry r = [] {
        workload_registry b;
        builtin::register_pcitest(b);
        builtin::register_cmd_stream(b);
        builtin::register_dma_sweep(b);
        builtin::register_dma_mix(b);
        builtin::register_iova(b);
        builtin::register_iotlb_sweep(b);
        builtin::register_p2p(b);
        return b;
    }();
    return r;
}

const std::vector<workload_info>& workloads() {
    return registry().all();
}

const workload_info* find_workload(const std::string& name) {
    return registry().find(name);
}

cfg::json effective_config(const std::vector<cfg::json>& overlays,
                           const std::vector<std::string>& sets, const std::string& workload_name) {
    cfg::json doc = cfg::defaults();
    for (const auto& o : overlays)
        cfg::merge(doc, o);
    if (const auto* w = find_workload(workload_name); w && w->defaults)
        workload_call(w->name, "its default configuration", [&] { w->defaults(doc); });
    for (const auto& s : sets)
        cfg::apply_set(doc, s);
    return doc;
}

std::string workload_names() {
    std::string known;
    for (const auto& k : workloads())
        known += (known.empty() ? "" : ", ") + k.name;
    return known;
}

std::string default_workload() {
    return workloads().front().name;
}

std::vector<std::string> workload_log_categories() {
    std::vector<std::string> all;
    for (const auto& w : workloads())
        all.insert(all.end(), w.log_categories.begin(), w.log_categories.end());
    return all;
}

std::string format_workloads() {
    std::string s;
    for (const auto& w : workloads()) {
        s += w.name + "\n    " + w.description + "\n    keys:";
        for (std::size_t i = 0; i < w.keys.size(); ++i) {
            const std::string& k = w.keys[i];
            s += (i ? ", " : " ") + k + (!k.empty() && k.back() == '.' ? "*" : "");
        }
        s += "\n";
    }
    return s;
}

void load_idle_endpoints(platform& p) {
    for (unsigned i = 0; i < p.endpoint_count(); ++i) {
        endpoint_soc& soc = p.endpoint(i);
        if (soc.loaded()) continue;
        builtin::load_test_endpoint(soc, builtin::epf_params(soc.config()));
    }
}

std::string first_problem_suffix() {
    const auto& problems = logger::get().problems();
    return problems.empty() ? "" : ": " + problems.front();
}

namespace builtin {

void load_test_endpoint(endpoint_soc& soc, const fw::functions::epf_test_params& p,
                        fw::functions::endpoint_job job) {
    const hal::ep_board& eb = soc.board();
    soc.load(
        [p, job, &eb](hal::platform& io) { fw::functions::run_test_function(io, eb, p, job); });
}

fw::guest::boot_params test_endpoint_boot(platform& p, const fw::functions::epf_test_params& ep) {
    fw::guest::boot_params boot;
    boot.image = fw::guest::boot_image::pcitest;
    boot.cpu_clock_hz = p.config().cpu.clock_mhz * 1'000'000;
    boot.board = p.ep_board();
    boot.epf = ep;
    return boot;
}

void load_builtin_job(platform& p, const fw::functions::epf_test_params& ep,
                      const fw::functions::builtin_args& a, fw::functions::builtin_results& r) {
    endpoint_soc& soc = p.endpoint(0);
    soc.boot_iss(test_endpoint_boot(p, ep));
    if (soc.iss && !soc.iss->write_boot_block(fw::functions::builtin_args_offset, &a, sizeof a))
        throw std::logic_error("load_builtin_job: the arguments do not fit the boot block");
    load_test_endpoint(soc, ep, fw::functions::builtin_job(a, r));
}

void fetch_builtin_results(platform& p, fw::functions::builtin_results& r) {
    endpoint_soc& soc = p.endpoint(0);
    if (soc.iss) soc.iss->read_boot_block(fw::functions::builtin_results_offset, &r, sizeof r);
}

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
    // 6.18: COPY by DMA needs DMA_MEMCPY
    p.dma_copy_bounce = c.host.pcitest_version != cfg::pcitest_kernel::v6_18;
    return p;
}

} // namespace builtin
} // namespace epvp::tb

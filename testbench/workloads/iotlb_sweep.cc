// Workload iotlb-sweep: an IOTLB working-set study. The host reads at random over a growing
// working set behind a BAR mapped with 4 KiB pages and one mapped with 2 MiB blocks.
#include "firmware/functions/iova_test.h"
#include "firmware/hal/errno.h"
#include "firmware/host/iova_host.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"

#include <algorithm>
#include <cstdio>

namespace epvp::tb::builtin {

namespace {

class iotlb_sweep final : public workload {
public:
    void load(platform& p, workload_result& out) override;
    void print_results(platform& p, const workload_result& r, std::ostream& out) const override;
    void print_summary(platform& p, const workload_result& r, std::ostream& out) const override {
        if (!ran_) return workload::print_summary(p, r, out);
        out << "iotlb-sweep: "
            << (status_           ? fw::err_name(status_)
                : r.host_finished ? "completed"
                                  : "stopped before the end")
            << "\n";
    }
    void report_after_counters(platform& p, const workload_result& r, cfg::json& j) const override;
    bool failed(const workload_result&) const override { return ran_ && status_; }
    std::string failure_reason(const workload_result& r) const override {
        if (!failed(r) || r.enumerate_status) return ""; // the enumeration's failure says it
        return std::string("iotlb-sweep: ") + fw::err_name(status_) + first_problem_suffix();
    }

private:
    bool ran_ = false;
    fw::functions::iotlb_map_report fw_;
    std::vector<fw::host::iotlb_sweep_row> rows_;
    int status_ = 0;
};

void iotlb_sweep::load(platform& p, workload_result& out) {
    const auto& c = p.config();
    if (!c.smmu.enabled)
        throw cfg::config_error("workload iotlb-sweep: needs the SMMU (smmu.enabled = true)");
    const auto& w = c.workload.iotlb_sweep;
    fw::functions::iotlb_map_params mp;
    mp.region_bytes = w.max_set_bytes;
    auto ep_params = epf_params(c);
    ep_params.min_reg_bar_bytes = mp.region_bytes; // BAR0: the 4 KiB-page mapping
    ep_params.bar_sizes[mp.block_bar] = std::max(ep_params.bar_sizes[mp.block_bar],
                                                 mp.region_bytes); // BAR2: 2 MiB blocks
    load_test_endpoint(p.endpoint(0), ep_params, [this, mp](fw::functions::endpoint_services& s) {
        fw::functions::run_iotlb_map(s, mp, fw_);
    });
    fw::host::iotlb_sweep_params hp;
    for (std::uint64_t n = w.min_set_bytes; n <= w.max_set_bytes; n *= 2)
        hp.set_bytes.push_back(n);
    hp.reads = w.reads;
    hp.read_bytes = w.read_bytes;
    hp.page_bar = mp.page_bar;
    hp.block_bar = mp.block_bar;
    hp.seed = c.sim.seed;
    hp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    const hal::host_board& hb = p.host_board();
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([this, &out, &hb, retry_ns, hp](hal::platform& io) {
        fw::host::pci_host host(io, hb, hp.timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        ran_ = true;
        status_ = out.enumerate_status ? out.enumerate_status
                  : out.devices.empty()
                      ? -ENODEV
                      : fw::host::run_iotlb_sweep_host(host, out.devices.front(), hp, rows_);
        out.host_finished = true;
    });
}

void iotlb_sweep::print_results(platform& p, const workload_result& r, std::ostream& out) const {
    if (!ran_) return workload::print_results(p, r, out);
    for (const auto& line : fw_.steps)
        out << "endpoint: " << line << "\n";
    char buf[200];
    std::snprintf(buf, sizeof buf, "%-12s %12s %8s %12s %14s %8s\n", "mapping", "working_set",
                  "reads", "MB/s", "mean_lat_ns", "errors");
    out << buf;
    for (const auto& row : rows_) {
        std::snprintf(buf, sizeof buf, "%-12s %12llu %8u %12.2f %14.1f %8u\n", row.mapping.c_str(),
                      static_cast<unsigned long long>(row.set_bytes), row.reads,
                      row.throughput_MBps, row.mean_latency_ns, row.errors);
        out << buf;
    }
}

void iotlb_sweep::report_after_counters(platform&, const workload_result&, cfg::json& j) const {
    if (!ran_) return;
    cfg::json rows = cfg::json::array();
    for (const auto& row : rows_)
        rows.push_back({{"mapping", row.mapping},
                        {"working_set_bytes", row.set_bytes},
                        {"reads", row.reads},
                        {"errors", row.errors},
                        {"elapsed_ns", row.elapsed_ns},
                        {"throughput_MBps", row.throughput_MBps},
                        {"mean_latency_ns", row.mean_latency_ns}});
    j["iotlb_sweep"] = {{"status", status_},
                        {"firmware_status", fw_.status},
                        {"page_map_ns", fw_.page_map_ns},
                        {"block_map_ns", fw_.block_map_ns},
                        {"rows", rows}};
    // Flat numbers for a sweep over the working set (min_set_bytes varies, max_set_bytes, the
    // mapped region, stays): each mapping's mean read latency at its smallest working set.
    for (const auto& row : rows_) {
        const std::string key = std::string("iotlb_") +
                                (row.mapping == "4KiB-pages" ? "4kib_pages" : "2mib_blocks") +
                                "_mean_latency_ns";
        if (!j["metrics"].contains(key)) j["metrics"][key] = row.mean_latency_ns;
    }
}

} // namespace

void register_iotlb_sweep(workload_registry& r) {
    r.add({"iotlb-sweep",
           "IOTLB working-set study: host random reads over a growing working set behind a BAR "
           "mapped with 4 KiB pages and one mapped with 2 MiB blocks (workload.iotlb_sweep.*)",
           {"workload.iotlb_sweep.", "function.test.", "smmu.enabled"},
           nullptr,
           [] { return std::make_unique<iotlb_sweep>(); }});
}

} // namespace epvp::tb::builtin

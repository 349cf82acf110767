// Workload cmd-stream: an NVMe-like command stream. The host posts commands with scattered
// pages; the endpoint serves them by CPU copies through mem_map windows or by eDMA.
#include "firmware/functions/cmd_stream.h"
#include "firmware/hal/errno.h"
#include "firmware/host/cmd_stream_host.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"

#include <algorithm>
#include <cstdio>

namespace epvp::tb::builtin {

namespace {

// The DWC endpoint driver keeps one outbound window mapped for raising MSIs (Linux
// drivers/pci/controller/dwc/pcie-designware-ep.c, ep->msi_mem).
constexpr unsigned msi_outbound_windows = 1;

class cmd_stream final : public workload {
public:
    void load(platform& p, workload_result& out) override;
    void finish(platform& p, workload_result&) override {
        fetch_builtin_results(p, *res_);
        fw_ = res_->cmd;
        fw_status_ = res_->status;
    }
    void print_results(platform& p, const workload_result& r, std::ostream& out) const override {
        if (!ran_) workload::print_results(p, r, out);
    }
    void print_summary(platform& p, const workload_result& r, std::ostream& out) const override;
    void report_after_counters(platform& p, const workload_result& r, cfg::json& j) const override;
    bool failed(const workload_result&) const override {
        return ran_ && (host_.status || fw_status_);
    }
    std::string failure_reason(const workload_result& r) const override {
        if (!failed(r) || r.enumerate_status) return ""; // the enumeration's failure says it
        return std::string("cmd-stream: ") +
               fw::err_name(host_.status ? host_.status : fw_status_) + first_problem_suffix();
    }

private:
    // What bounds its throughput ("outbound windows ...", "link", "latency ...").
    std::string bound(const platform& p) const;
    // Its flat metrics (commands/s, throughput, latency mean and p99, counts).
    cfg::json metrics() const;

    bool ran_ = false;
    fw::host::cmd_stream_result host_;
    fw::functions::builtin_args args_{"cmd-stream"};
    std::unique_ptr<fw::functions::builtin_results> res_ =
        std::make_unique<fw::functions::builtin_results>();
    fw::functions::cmd_stream_stats fw_; // from res_ after the run
    int fw_status_ = 0;
};

void cmd_stream::load(platform& p, workload_result& out) {
    const auto& c = p.config();
    if (c.dwc.iatu.outbound_windows <= msi_outbound_windows)
        throw cfg::config_error(
            "workload cmd-stream: dwc.iatu.outbound_windows = " +
            std::to_string(c.dwc.iatu.outbound_windows) +
            ": the MSI window holds the only one, none is left to reach host memory (need >= " +
            std::to_string(msi_outbound_windows + 1) + ")");
    // Windows all busy: the server waits for one and counts it (window_busy_stalls).
    p.ep_cpu.expect_message("No free outbound window");
    fw::functions::cmd_stream_params& fp = args_.cmd;
    fp.concurrency = c.function.cmd.concurrency;
    fp.use_dma = c.function.cmd.mover == cfg::cmd_mover::edma;
    fp.max_pages = c.function.cmd.pages_per_command;
    fp.poll_ns = c.function.cmd.poll_ns;
    fp.idle_timeout_ns = c.host.test_timeout_us * ns_per_us;
    fp.dma_timeout_ns = c.host.test_timeout_us * ns_per_us;
    fw::host::cmd_stream_host_params hp;
    hp.bar = fp.bar;
    hp.commands = c.function.cmd.commands;
    hp.queue_depth = c.function.cmd.queue_depth;
    hp.pages_per_command = c.function.cmd.pages_per_command;
    hp.page_bytes = c.function.cmd.page_bytes;
    hp.write_percent = c.function.cmd.write_percent;
    hp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    hp.seed = c.sim.seed;
    auto ep_params = epf_params(c);
    ep_params.claim_dma = false; // the command server uses the channels
    load_builtin_job(p, ep_params, args_, *res_);
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([this, &out, &hb, timeout_ns, retry_ns, hp](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        ran_ = true;
        if (!out.enumerate_status && !out.devices.empty()) {
            fw::host::host_mem mem(io, hb.ram);
            fw::host::run_cmd_stream_host(host, out.devices.front(), mem, hp, host_);
        } else {
            host_.status = out.enumerate_status ? out.enumerate_status : -ENODEV;
        }
        out.host_finished = true;
    });
}

std::string cmd_stream::bound(const platform& p) const {
    // The function holds at most (outbound windows - the MSI one) pages mapped at a time; a
    // command that found none free waited for one.
    if (fw_.window_busy_stalls) return "outbound windows (dwc.iatu.outbound_windows)";
    const double ns =
        static_cast<double>(host_.end_ns > host_.start_ns ? host_.end_ns - host_.start_ns : 0);
    constexpr double link_bound_utilisation = 0.95;
    const double busy_ns = std::max(p.link.stats(pcie::pcie_link::upstream).busy,
                                    p.link.stats(pcie::pcie_link::downstream).busy)
                               .to_seconds() *
                           1e9;
    if (ns > 0 && busy_ns >= link_bound_utilisation * ns) return "link";
    return "latency (function.cmd.concurrency commands in flight)";
}

cfg::json cmd_stream::metrics() const {
    const auto& c = host_;
    // Stopped before the last command (a limit, a signal): what completed until now.
    const std::uint64_t end_ns =
        c.end_ns != 0 ? c.end_ns
                      : static_cast<std::uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e9);
    const double s = (end_ns > c.start_ns ? end_ns - c.start_ns : 0) * 1e-9;
    auto lat = c.latencies_ns;
    std::sort(lat.begin(), lat.end());
    double mean = 0;
    for (auto v : lat)
        mean += static_cast<double>(v);
    mean = lat.empty() ? 0 : mean / static_cast<double>(lat.size());
    constexpr double p99 = 0.99;
    const double tail =
        lat.empty() ? 0
                    : static_cast<double>(lat[static_cast<std::size_t>(p99 * (lat.size() - 1))]);
    cfg::json m;
    m["commands_per_s"] = s > 0 ? c.commands / s : 0;
    m["throughput_Bps"] = s > 0 ? c.bytes / s : 0;
    m["latency_mean_ns"] = mean;
    m["latency_p99_ns"] = tail;
    m["commands_count"] = c.commands;
    m["errors_count"] = c.errors + c.data_errors;
    m["window_busy_stalls_count"] = fw_.window_busy_stalls;
    m["maps_count"] = fw_.maps;
    m["msis_count"] = fw_.msis;
    return m;
}

void cmd_stream::print_summary(platform& p, const workload_result& r, std::ostream& out) const {
    if (!ran_) return workload::print_summary(p, r, out);
    const cfg::json m = metrics();
    char buf[400];
    std::snprintf(
        buf, sizeof buf,
        "cmd-stream: %s, %llu commands, %.0f commands/s, %.1f MB/s, latency mean %.1f "
        "us p99 %.1f us, %llu maps, %llu window-busy stalls, %llu errors, bound: %s\n",
        host_.status ? fw::err_name(host_.status) : "OK",
        static_cast<unsigned long long>(host_.commands), m.at("commands_per_s").get<double>(),
        m.at("throughput_Bps").get<double>() / 1e6, m.at("latency_mean_ns").get<double>() / 1e3,
        m.at("latency_p99_ns").get<double>() / 1e3, static_cast<unsigned long long>(fw_.maps),
        static_cast<unsigned long long>(fw_.window_busy_stalls),
        static_cast<unsigned long long>(m.at("errors_count").get<std::uint64_t>()),
        bound(p).c_str());
    out << buf;
}

void cmd_stream::report_after_counters(platform& p, const workload_result&, cfg::json& j) const {
    if (!ran_) return;
    const cfg::json m = metrics();
    for (auto it = m.begin(); it != m.end(); ++it)
        j["metrics"][it.key()] = it.value();
    j["cmd_stream"] = {{"status", host_.status},
                       {"firmware_status", fw_status_},
                       {"data_errors", host_.data_errors},
                       {"bound", bound(p)}};
}

} // namespace

void register_cmd_stream(workload_registry& r) {
    r.add({"cmd-stream",
           "an NVMe-like command stream: the host posts commands with scattered pages, the "
           "endpoint serves them by CPU copies through mem_map windows or by eDMA "
           "(function.cmd.*)",
           {"function.cmd.", "function.test."},
           nullptr,
           [] { return std::make_unique<cmd_stream>(); }});
}

} // namespace epvp::tb::builtin

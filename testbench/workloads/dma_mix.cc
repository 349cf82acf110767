// Workload dma-mix: N write and M read eDMA channels at once (workload.dma_mix.*), each with its
// own linked list, arbitrated by the weights the firmware programs. Results from the eDMA
// model's record of each channel's transfer: throughput, the time its TLPs and bursts waited
// per resource, each direction's total throughput and Jain's fairness index.
#include "firmware/functions/dma_mix.h"
#include "firmware/hal/errno.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"
#include "testbench/workloads/dma_sweep.h"

#include <algorithm>
#include <cstdio>

namespace epvp::tb::builtin {

namespace {

// Jain's fairness index of xs: (sum x)^2 / (n sum x^2); 1 when all are equal, 1/n when one has
// everything; 0 without samples.
double jain_index(const std::vector<double>& xs) {
    double sum = 0, sq = 0;
    for (double x : xs) {
        sum += x;
        sq += x * x;
    }
    return sq > 0 ? sum * sum / (static_cast<double>(xs.size()) * sq) : 0;
}

double ns_of(const sc_core::sc_time& t) {
    return t.to_seconds() * 1e9;
}

class dma_mix final : public workload {
public:
    void load(platform& p, workload_result& out) override;
    void finish(platform& p, workload_result&) override { fetch_builtin_results(p, *res_); }
    void print_results(platform& p, const workload_result& r, std::ostream& out) const override;
    void print_summary(platform& p, const workload_result& r, std::ostream& out) const override;
    void report_before_counters(platform& p, const workload_result& r,
                                cfg::json& report) const override;
    bool failed(const workload_result&) const override { return status() != 0; }
    std::string failure_reason(const workload_result&) const override {
        return status() ? std::string("dma-mix: ") + fw::err_name(status()) + first_problem_suffix()
                        : "";
    }

private:
    cfg::json results(const platform& p) const;
    bool ran() const { return res_->ran(); }
    int status() const { return res_->status ? res_->status : host_status_; }
    int host_status_ = 0; // -ETIMEDOUT: the completion flag never came
    fw::functions::builtin_args args_{"dma-mix"};
    std::unique_ptr<fw::functions::builtin_results> res_ =
        std::make_unique<fw::functions::builtin_results>();
};

void dma_mix::load(platform& p, workload_result& out) {
    const auto& c = p.config();
    const auto& mx = c.workload.dma_mix;
    if (!mx.write_channels && !mx.read_channels)
        throw cfg::config_error("workload dma-mix: workload.dma_mix.write_channels and "
                                "workload.dma_mix.read_channels are both 0: nothing to run");
    if (mx.write_channels > c.dwc.edma_write_channels ||
        mx.read_channels > c.dwc.edma_read_channels)
        throw cfg::config_error("workload dma-mix: " + std::to_string(mx.write_channels) +
                                " write / " + std::to_string(mx.read_channels) +
                                " read channels asked, the core has " +
                                std::to_string(c.dwc.edma_write_channels) + " / " +
                                std::to_string(c.dwc.edma_read_channels) +
                                " (dwc.edma.write_channels / read_channels)");
    fw::functions::dma_mix_params& mp = args_.mix;
    mp.host_buffer = c.host.mem_base + sweep_buffer_offset;
    mp.write_channels = mx.write_channels;
    mp.read_channels = mx.read_channels;
    mp.size_bytes = mx.size_bytes;
    mp.host_bytes = mx.size_bytes * (mx.write_channels + mx.read_channels);
    mp.write_weights = mx.write_weights;
    mp.read_weights = mx.read_weights;
    mp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    args_.mix_flag = mp.host_buffer + mp.host_bytes;
    auto ep_params = epf_params(c);
    ep_params.claim_dma = false; // the workload uses the channels
    load_builtin_job(p, ep_params, args_, *res_);
    load_flag_waiting_host(p, out, args_.mix_flag, &host_status_);
}

cfg::json dma_mix::results(const platform& p) const {
    cfg::json j;
    const dwc::edma* dma = p.ep.dma();
    if (!dma) return j;
    struct span {
        sc_core::sc_time first = sc_core::sc_max_time(), last;
        std::uint64_t bytes = 0;
        std::vector<double> Bps;
    };
    span dirs[2], all;
    cfg::json channels = cfg::json::array();
    const std::vector<fw::functions::dma_mix_row> rows(res_->mix, res_->mix + res_->mix_rows);
    for (const auto& row : rows) {
        // The engine's first record of that channel is this run's (the flag transfer follows).
        const dwc::edma_transfer* t = nullptr;
        for (const auto& x : dma->transfers())
            if (x.read == row.read && x.channel == row.channel) {
                t = &x;
                break;
            }
        if (!t) continue;
        const double ns = ns_of(t->done - t->doorbell);
        const double Bps = ns > 0 ? t->bytes / (ns * 1e-9) : 0;
        cfg::json e;
        e["direction"] = row.read ? "read" : "write";
        e["channel"] = row.channel;
        e["bytes"] = t->bytes;
        e["time_ns"] = ns;
        e["throughput_Bps"] = Bps;
        e["firmware_status"] = row.status;
        e["aborted"] = t->aborted;
        e["wait_ns"] = {{"arbitration", ns_of(t->wait_arbitration)},
                        {"link", ns_of(t->wait_link)},
                        {"credits", ns_of(t->wait_credits)},
                        {"outstanding_mrd", ns_of(t->wait_outstanding)},
                        {"tags", ns_of(t->wait_tags)},
                        {"axi_slots", ns_of(t->wait_axi_slots)},
                        {"staging", ns_of(t->wait_staging)},
                        {"memory", ns_of(t->wait_memory)}};
        channels.push_back(e);
        for (span* s : {&dirs[row.read ? 1 : 0], &all}) {
            s->first = std::min(s->first, t->doorbell);
            s->last = std::max(s->last, t->done);
            s->bytes += t->bytes;
            s->Bps.push_back(Bps);
        }
    }
    j["channels"] = channels;
    const char* names[] = {"write", "read"};
    for (unsigned d = 0; d < 2; ++d) {
        const span& s = dirs[d];
        const double ns = s.bytes ? ns_of(s.last - s.first) : 0;
        j[names[d]] = {{"bytes", s.bytes},
                       {"throughput_Bps", ns > 0 ? s.bytes / (ns * 1e-9) : 0},
                       {"jain_index", jain_index(s.Bps)}};
    }
    j["jain_index"] = jain_index(all.Bps);
    return j;
}

void dma_mix::print_results(platform& p, const workload_result& r, std::ostream& out) const {
    if (!ran()) return workload::print_results(p, r, out);
    const cfg::json j = results(p);
    char buf[200];
    out << "dir    ch  throughput_MBps  wait_ns: arbitration link     credits  outstanding tags"
           "     axi_slots staging  memory\n";
    for (const auto& ch : j["channels"]) {
        const auto& w = ch["wait_ns"];
        std::snprintf(buf, sizeof buf,
                      "%-6s %-3u %-16.2f %21.0f %-8.0f %-8.0f %-11.0f %-8.0f %-9.0f %-8.0f %.0f\n",
                      ch["direction"].get<std::string>().c_str(), ch["channel"].get<unsigned>(),
                      ch["throughput_Bps"].get<double>() / 1e6, w["arbitration"].get<double>(),
                      w["link"].get<double>(), w["credits"].get<double>(),
                      w["outstanding_mrd"].get<double>(), w["tags"].get<double>(),
                      w["axi_slots"].get<double>(), w["staging"].get<double>(),
                      w["memory"].get<double>());
        out << buf;
    }
    for (const char* d : {"write", "read"}) {
        std::snprintf(buf, sizeof buf, "%s total %.2f MB/s, Jain's fairness index %.4f\n", d,
                      j[d]["throughput_Bps"].get<double>() / 1e6, j[d]["jain_index"].get<double>());
        out << buf;
    }
}

void dma_mix::print_summary(platform& p, const workload_result& r, std::ostream& out) const {
    if (!ran()) return workload::print_summary(p, r, out);
    out << "dma-mix: "
        << (status()          ? fw::err_name(status())
            : r.host_finished ? "every channel completed"
                              : "stopped before every channel completed")
        << "\n";
}

void dma_mix::report_before_counters(platform& p, const workload_result&, cfg::json& j) const {
    if (!ran()) return;
    const cfg::json mix = results(p);
    j["dma_mix"] = mix;
    j["mix_status"] = status();
    for (const char* d : {"write", "read"})
        j["metrics"][std::string("dma_mix_") + d + "_throughput_Bps"] = mix[d]["throughput_Bps"];
    j["metrics"]["dma_mix_jain_index"] = mix["jain_index"];
}

} // namespace

void register_dma_mix(workload_registry& r) {
    r.add({"dma-mix",
           "concurrent eDMA channels: N write and M read channels at once, arbitrated by their "
           "weights (workload.dma_mix.*): per-channel throughput, waits, fairness",
           {"workload.dma_mix.", "function.test."},
           nullptr,
           [] { return std::make_unique<dma_mix>(); }});
}

} // namespace epvp::tb::builtin

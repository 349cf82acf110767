#include "testbench/workloads/dma_sweep.h"

#include "firmware/hal/errno.h"
#include "model/core/log.h"
#include "testbench/platform.h"
#include "testbench/workloads/common.h"

#include <algorithm>
#include <cstdio>

namespace epvp::tb {

std::string format_sweep(const std::vector<sweep_row>& rows) {
    std::string s = "dir    size_bytes   time_ns        throughput_MBps  MWr      MRd      CplD"
                    "     util_up util_down bound\n";
    char buf[200];
    for (const auto& r : rows) {
        std::snprintf(buf, sizeof buf,
                      "%-6s %-12llu %-14.1f %-16.2f %-8llu %-8llu %-8llu %-7.3f %-9.3f %s%s\n",
                      r.direction.c_str(), static_cast<unsigned long long>(r.bytes), r.time_ns,
                      r.throughput_Bps / 1e6, static_cast<unsigned long long>(r.mwr),
                      static_cast<unsigned long long>(r.mrd),
                      static_cast<unsigned long long>(r.cpld), r.utilisation_up, r.utilisation_down,
                      r.bound.c_str(), r.aborted ? " ABORTED" : "");
        s += buf;
    }
    return s;
}

namespace builtin {

namespace {
constexpr std::uint64_t sweep_poll_ns = 10'000;
} // namespace

void load_flag_waiting_host(platform& p, workload_result& out, std::uint64_t flag, int* status) {
    const auto& c = p.config();
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([status, &out, &hb, timeout_ns, retry_ns, flag](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (out.enumerate_status) return;
        // Wait (bounded) for the endpoint's flag. A link that goes down and comes back (the
        // root port's Data Link Layer Link Active) gets the hierarchy enumerated again, as a
        // hot-plug driver would.
        const std::uint64_t start = io.now_ns();
        bool seen = false;
        bool was_up = true;
        while (!(seen = io.rd32(flag) == fw::functions::host_done_flag_value) &&
               io.now_ns() - start < timeout_ns) {
            const bool up = host.root_port_link_active();
            if (was_up && !up) io.log(hal::log_level::warning, "host", "root port: link down");
            if (!was_up && up) {
                io.log(hal::log_level::info, "host", "root port: link up again: re-enumerating");
                ++out.reenumerations;
                out.enumerate_status = host.enumerate(out.devices);
            }
            was_up = up;
            io.delay_ns(sweep_poll_ns);
        }
        if (!seen && !*status) *status = -ETIMEDOUT;
        out.host_finished = true;
    });
}

void dma_sweep::load(platform& p, workload_result& out) {
    const auto& c = p.config();
    const auto& sw = c.workload.dma_sweep;
    if (!sw.read && !sw.write)
        throw cfg::config_error("workload dma-sweep: workload.dma_sweep.read and "
                                "workload.dma_sweep.write are both false: nothing to transfer");
    auto& sp = args_.sweep;
    sp.host_buffer = c.host.mem_base + sweep_buffer_offset + sw.offset_bytes;
    sp.max_bytes = sw.max_bytes;
    sp.min_bytes = sw.min_bytes;
    sp.factor = sw.factor;
    sp.reads = sw.read;
    sp.writes = sw.write;
    sp.repeat_bytes = sw.repeat_bytes;
    sp.max_repeats = sw.max_repeats;
    sp.element_bytes = sw.element_bytes;
    sp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    constexpr std::uint64_t flag_align = 4;
    sp.flag = (sp.host_buffer + sw.max_bytes + flag_align - 1) / flag_align * flag_align;
    auto ep_params = epf_params(c);
    ep_params.claim_dma = false; // the sweep uses the channels
    load_builtin_job(p, ep_params, args_, *res_);
    load_flag_waiting_host(p, out, sp.flag, &host_status_);
}

std::vector<sweep_row> dma_sweep::table(const platform& p) const {
    std::vector<sweep_row> out;
    const dwc::edma* dma = p.ep.dma();
    if (!dma) return out;
    const auto& rec = dma->transfers();
    // The engine's records are in the firmware's order, one per doorbell: each row's transfers
    // back to back, a transfer longer than one LL page in one record per chunk (the engine has
    // one more record at the end: the completion flag). A row is the mean of its transfers:
    // time (a transfer's first doorbell to its last chunk's end, the firmware's work between
    // chunks included) and TLP counts per transfer, throughput and utilisation over their sum.
    std::size_t next = 0;
    for (std::size_t i = 0; i < res_->sweep_rows && next < rec.size(); ++i) {
        const auto& fw_row = res_->sweep[i];
        const std::size_t records = std::min<std::size_t>(fw_row.doorbells, rec.size() - next);
        const std::size_t n = std::min<std::size_t>(fw_row.transfers, records);
        if (!n) continue; // not run (-EINVAL)
        // Records per transfer; a failed transfer may have fewer (and the rest divide evenly by
        // chance): a row with a failure counts each record alone.
        const std::size_t chunks = fw_row.status == 0 && records % n == 0 ? records / n : 1;
        sc_core::sc_time total, busy_up, busy_down, lost_up, lost_down;
        sc_core::sc_time wait_link, wait_credits, wait_tags, wait_memory;
        std::uint64_t bytes = 0, tlps = 0, completions = 0;
        sweep_row row;
        for (std::size_t k = next; k < next + records; ++k) {
            const auto& t = rec[k];
            if ((k - next) % chunks == chunks - 1) total += t.done - rec[k + 1 - chunks].doorbell;
            busy_up += t.link.busy_up;
            busy_down += t.link.busy_down;
            lost_up += t.link.lost_up;
            lost_down += t.link.lost_down;
            wait_link += t.wait_link;
            wait_credits += t.wait_credits;
            wait_tags += t.wait_tags;
            wait_memory += t.wait_memory;
            bytes += t.bytes;
            tlps += t.tlps;
            completions += t.completions;
            row.aborted |= t.aborted;
        }
        const bool read = rec[next].read;
        next += records;
        row.direction = read ? "read" : "write";
        row.bytes = bytes / n;
        row.firmware_status = fw_row.status;
        const double total_ns = total.to_seconds() * 1e9;
        row.time_ns = total_ns / static_cast<double>(n);
        row.throughput_Bps = total_ns > 0 ? static_cast<double>(bytes) / (total_ns * 1e-9) : 0;
        (read ? row.mrd : row.mwr) = tlps / n;
        row.cpld = completions / n;
        if (total_ns > 0) {
            row.utilisation_up = busy_up.to_seconds() * 1e9 / total_ns;
            row.utilisation_down = busy_down.to_seconds() * 1e9 / total_ns;
        }
        const std::pair<const char*, sc_core::sc_time> waits[] = {{"link", wait_link},
                                                                  {"credits", wait_credits},
                                                                  {"tags", wait_tags},
                                                                  {"memory", wait_memory}};
        const auto* worst = &waits[0];
        for (const auto& w : waits)
            if (w.second > worst->second) worst = &w;
        constexpr double link_bound_utilisation = 0.95; // the data direction is saturated
        constexpr double latency_bound_fraction = 0.05; // waits this small: latency-bound
        const double data_util = read ? row.utilisation_down : row.utilisation_up;
        // Replays and retrains (injected LCRC/DLLP errors, link recovery) hold the link: time a
        // direction spent sending TLPs again or retraining, the larger direction.
        const double lost_ns = std::max(lost_up, lost_down).to_seconds() * 1e9;
        row.replay_ns = lost_ns / static_cast<double>(n);
        // The data direction's busy time net of replays: what the data itself took.
        const double data_busy_ns = (read ? busy_down : busy_up).to_seconds() * 1e9 - lost_ns;
        const bool replay_bound =
            lost_ns > latency_bound_fraction * total_ns && lost_ns >= data_busy_ns;
        row.bound = replay_bound                          ? "replay"
                    : data_util >= link_bound_utilisation ? "link"
                    : worst->second.to_seconds() * 1e9 > latency_bound_fraction * total_ns
                        ? worst->first
                        : "latency";
        out.push_back(row);
    }
    return out;
}

void dma_sweep::finish(platform& p, workload_result&) {
    fetch_builtin_results(p, *res_);
    if (!ran()) return;
    constexpr double fault_cost_warning_fraction = 0.01;
    for (const auto& row : table(p))
        if (row.time_ns > 0 && row.replay_ns > fault_cost_warning_fraction * row.time_ns) {
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "%s of %llu bytes: replays and retrains took %.1f%% of its %.1f ns "
                          "(injected link faults)",
                          row.direction.c_str(), static_cast<unsigned long long>(row.bytes),
                          100.0 * row.replay_ns / row.time_ns, row.time_ns);
            logger::get().warning("dma-sweep", buf);
        }
}

void dma_sweep::print_results(platform& p, const workload_result& r, std::ostream& out) const {
    if (!ran()) return workload::print_results(p, r, out);
    out << format_sweep(table(p));
}

void dma_sweep::print_summary(platform& p, const workload_result& r, std::ostream& out) const {
    if (!ran()) return workload::print_summary(p, r, out);
    out << "dma-sweep: "
        << (status()          ? fw::err_name(status())
            : r.host_finished ? "all transfers completed"
                              : "stopped before the last transfer")
        << "\n";
}

void dma_sweep::report_before_counters(platform& p, const workload_result&, cfg::json& j) const {
    if (!ran()) return;
    cfg::json rows = cfg::json::array();
    for (const auto& row : table(p)) {
        cfg::json e;
        e["direction"] = row.direction;
        e["size_bytes"] = row.bytes;
        e["time_ns"] = row.time_ns;
        e["throughput_Bps"] = row.throughput_Bps;
        e["tlps"] = {{"MWr", row.mwr}, {"MRd", row.mrd}, {"CplD", row.cpld}};
        e["link_utilisation"] = {{"upstream", row.utilisation_up},
                                 {"downstream", row.utilisation_down}};
        e["bound"] = row.bound;
        e["replay_time_ns"] = row.replay_ns;
        e["aborted"] = row.aborted;
        e["firmware_status"] = row.firmware_status;
        rows.push_back(e);
    }
    j["dma_sweep"] = rows;
    j["sweep_status"] = status();
    // The largest transfer of each direction, as flat metrics for sweeps.
    for (const auto& row : table(p)) {
        j["metrics"][row.direction + "_throughput_Bps"] = row.throughput_Bps;
        j["metrics"][row.direction + "_time_ns"] = row.time_ns;
        j["metrics"][row.direction + "_size_bytes"] = row.bytes;
    }
}

std::string dma_sweep::failure_reason(const workload_result& r) const {
    if (!status() || r.enumerate_status) return ""; // the enumeration's failure says it
    return std::string("dma-sweep: ") + fw::err_name(status()) + first_problem_suffix();
}

void register_dma_sweep(workload_registry& r) {
    r.add({"dma-sweep",
           "eDMA read and write throughput and latency over transfer sizes "
           "(workload.dma_sweep.*), doorbell to done",
           {"workload.dma_sweep.", "function.test."},
           nullptr,
           [] { return std::make_unique<dma_sweep>(); }});
}

} // namespace builtin
} // namespace epvp::tb

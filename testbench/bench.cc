#include "bench.h"

#include "analysis/link_bound.h"
#include "config/config.h"
#include "core/log.h"
#include "platform.h"
#include "report.h"
#include "soc/dram_timing.h"
#include "workloads.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace epvp::tb {

namespace {

constexpr unsigned link_table_widths[] = {4, 16};
constexpr unsigned link_table_mps[] = {128, 256, 512};
constexpr unsigned read_table_tags[] = {1, 2, 4, 8, 32};
constexpr unsigned read_table_latency_ns[] = {300, 1000};
constexpr unsigned max_gen_in_tables = 5;
constexpr unsigned header_4dw_bytes = 16; // host buffers sit above 4 GiB: 64-bit addresses
constexpr unsigned mrd_payload_bytes = 0;
constexpr unsigned table_bytes = 16u << 20;
// The link tables take the controller's datapath out of the way (it is a separate bound).
constexpr const char* wide_core = " --set dwc.datapath_bits=512 --set dwc.core_clock_mhz=4000";

std::string self_path() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "epsim";
    buf[n] = 0;
    return buf;
}

std::string common_args(const bench_options& o) {
    std::string a;
    if (!o.config_file.empty()) a += " --config " + o.config_file;
    for (const auto& s : o.sets)
        a += " --set " + s;
    return a;
}

// Runs one epsim process and returns the first dma_sweep row's throughput (0 on failure).
double child_throughput(const std::string& args, const std::string& direction) {
    const std::string report =
        "/tmp/epsim_bench_" + std::to_string(::getpid()) + "_" + direction + ".json";
    const std::string cmd = self_path() + " run --workload dma-sweep" + args + " --report " +
                            report + " > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream is(report);
    std::stringstream ss;
    ss << is.rdbuf();
    std::remove(report.c_str());
    if (rc != 0) return 0;
    const cfg::json j = cfg::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.contains("dma_sweep")) return 0;
    for (const auto& row : j["dma_sweep"])
        if (row["direction"] == direction) return row["throughput_Bps"].get<double>();
    return 0;
}

int link_table(const bench_options& o) {
    std::printf("16 MiB eDMA write, dram.ideal=true, 4 DW headers, DLLPs on the reverse "
                "direction: model vs. analytic link bound\n");
    std::printf("gen width mps  model_MBps   bound_MBps   error_%%\n");
    int worst_fail = 0;
    for (unsigned gen = 1; gen <= max_gen_in_tables; ++gen)
        for (unsigned width : link_table_widths)
            for (unsigned mps : link_table_mps) {
                std::string args =
                    common_args(o) + wide_core +
                    " --set dram.ideal=true --set workload.dma_sweep.read=false" +
                    " --set workload.dma_sweep.min_bytes=" + std::to_string(table_bytes) +
                    " --set workload.dma_sweep.max_bytes=" + std::to_string(table_bytes) +
                    " --set link.gen=" + std::to_string(gen) +
                    " --set link.width=" + std::to_string(width) +
                    " --set link.mps=" + std::to_string(mps);
                const double model = child_throughput(args, "write");
                analysis::link_bound_params lp;
                lp.gen = gen;
                lp.width = width;
                lp.mps = mps;
                lp.header_bytes = header_4dw_bytes;
                lp.datapath_bits = 512;
                lp.core_clock_mhz = 4000;
                const double bound = analysis::posted_write_Bps(lp);
                const double err = model > 0 ? (model - bound) / bound * 100 : -100;
                if (std::fabs(err) > 2) worst_fail = 1;
                std::printf("%-3u %-5u %-4u %-12.2f %-12.2f %+.3f\n", gen, width, mps, model / 1e6,
                            bound / 1e6, err);
            }
    return worst_fail;
}

int read_table(const bench_options& o) {
    const cfg::platform_config base = cfg::parse(cfg::defaults());
    std::printf("16 MiB eDMA read, dram.ideal=true, Gen%u x%u MPS %u MRRS %u: model vs. "
                "min(link bound, tags x MRRS / round trip)\n",
                base.link.gen, base.link.width, base.link.mps, base.link.mrrs);
    std::printf("tags latency_ns model_MBps   bound_MBps   error_%%\n");
    int fail = 0;
    for (unsigned tags : read_table_tags)
        for (unsigned lat : read_table_latency_ns) {
            std::string args =
                common_args(o) + wide_core +
                " --set dram.ideal=true --set workload.dma_sweep.write=false" +
                " --set workload.dma_sweep.min_bytes=" + std::to_string(table_bytes) +
                " --set workload.dma_sweep.max_bytes=" + std::to_string(table_bytes) +
                " --set link.tags=" + std::to_string(tags) +
                " --set host.read_latency_ns=" + std::to_string(lat);
            const double model = child_throughput(args, "read");
            analysis::link_bound_params lp;
            lp.gen = base.link.gen;
            lp.width = base.link.width;
            lp.mps = base.link.mps;
            lp.header_bytes = header_4dw_bytes;
            lp.datapath_bits = 512;
            lp.core_clock_mhz = 4000;
            const double rtt = analysis::read_round_trip_s(lp, base.link.mrrs, lat * 1e-9,
                                                           base.link.propagation_ns * 1e-9);
            const double bound = analysis::read_Bps(lp, base.link.mrrs, tags, rtt);
            const double err = model > 0 ? (model - bound) / bound * 100 : -100;
            if (std::fabs(err) > 5) fail = 1;
            std::printf("%-4u %-10u %-12.2f %-12.2f %+.3f\n", tags, lat, model / 1e6, bound / 1e6,
                        err);
        }
    (void)mrd_payload_bytes;
    return fail;
}

int speed(const bench_options& o) {
    cfg::json doc = cfg::defaults();
    if (!o.config_file.empty()) cfg::merge(doc, cfg::load_file(o.config_file));
    for (const auto& s : o.sets)
        cfg::apply_set(doc, s);
    cfg::apply_set(doc, "workload.dma_sweep.min_bytes=" + std::to_string(o.bytes));
    cfg::apply_set(doc, "workload.dma_sweep.max_bytes=" + std::to_string(o.bytes));
    const cfg::platform_config pc = cfg::parse(doc);
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    platform p("platform", pc);
    workload_result result;
    find_workload("dma-sweep")->load(p, result);
    const auto t0 = std::chrono::steady_clock::now();
    const bool finished = p.run();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& up = p.link.stats(pcie::pcie_link::upstream);
    const auto& down = p.link.stats(pcie::pcie_link::downstream);
    const double tlps = static_cast<double>(up.tlps + down.tlps);
    const double bytes = static_cast<double>(up.payload_bytes + down.payload_bytes);
    std::printf("epsim bench: %llu-byte eDMA write and read (data moved), Gen%u x%u\n", o.bytes,
                pc.link.gen, pc.link.width);
    std::cout << format_sweep(sweep_table(p, result));
    std::printf("wall-clock %.3f s, simulated %.3f ms\n", wall,
                sc_core::sc_time_stamp().to_seconds() * 1e3);
    std::printf("%.0f TLPs, %.2f M TLPs per wall second\n", tlps, tlps / wall / 1e6);
    std::printf("%.0f payload bytes, %.1f MB simulated per wall second\n", bytes,
                bytes / wall / 1e6);
    return finished && result.sweep_status == 0 ? 0 : 1;
}

// DRAM timing on its own: latencies, refresh cost, sequential vs random throughput.
int dram_bench(const bench_options& o) {
    cfg::json doc = cfg::defaults();
    if (!o.config_file.empty()) cfg::merge(doc, cfg::load_file(o.config_file));
    for (const auto& s : o.sets)
        cfg::apply_set(doc, s);
    const cfg::platform_config pc = cfg::parse(doc);
    const soc::dram_params dp = platform::dram_params(pc);
    constexpr std::uint64_t line = 64;
    constexpr std::uint64_t stream_bytes = 64ull << 20;
    constexpr double idle_gap_ns = 1e6; // far apart: no queueing between the probes
    auto latency = [&](std::uint64_t first, std::uint64_t second) {
        soc::dram_timing t(dp);
        t.access(first, line, idle_gap_ns);
        const double start = 2 * idle_gap_ns + dp.t_rfc_ns; // away from a refresh window
        return t.access(second, line, start) - start;
    };
    const std::uint64_t same_bank_other_row =
        dp.row_bytes * dp.banks * dp.channels; // same channel, bank; next row
    std::printf("DRAM: %u channels x %u banks, %llu-byte rows, %.1f GB/s per channel\n",
                dp.channels, dp.banks, static_cast<unsigned long long>(dp.row_bytes),
                dp.bytes_per_ns);
    std::printf("row hit latency      %.2f ns\n", latency(0, line));
    std::printf("row miss latency     %.2f ns (closed bank)\n",
                latency(dp.row_bytes * dp.channels, 0) /* another bank first */);
    std::printf("row conflict latency %.2f ns\n", latency(0, same_bank_other_row));
    auto stream = [&](bool random, bool refresh) {
        soc::dram_params q = dp;
        if (!refresh) q.t_refi_ns = 1e18;
        soc::dram_timing t(q);
        std::uint64_t x = 88172645463325252ull; // xorshift64 state (fixed seed)
        double end = 0;
        for (std::uint64_t a = 0; a < stream_bytes; a += line) {
            std::uint64_t addr = a;
            if (random) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                addr = (x % (pc.dram.size_bytes / line)) * line;
            }
            end = std::max(end, t.access(addr, line, 0));
        }
        return std::pair<double, soc::dram_counters>(stream_bytes / end, t.counters());
    };
    const auto seq = stream(false, true), seq_nr = stream(false, false), rnd = stream(true, true);
    std::printf("sequential 64 B reads: %.2f GB/s (row hits %llu of %llu)\n", seq.first,
                static_cast<unsigned long long>(seq.second.row_hits),
                static_cast<unsigned long long>(seq.second.accesses));
    std::printf("random 64 B reads:     %.2f GB/s (row hits %llu of %llu)\n", rnd.first,
                static_cast<unsigned long long>(rnd.second.row_hits),
                static_cast<unsigned long long>(rnd.second.accesses));
    std::printf("refresh cost: %.2f %% of sequential throughput (tRFC/tREFI = %.2f %%)\n",
                (1 - seq.first / seq_nr.first) * 100, dp.t_rfc_ns / dp.t_refi_ns * 100);
    return 0;
}

int profile(const bench_options& o) {
    if (std::system("command -v valgrind > /dev/null 2>&1") != 0) {
        std::fprintf(stderr, "epsim bench --profile needs valgrind (apt-get install valgrind)\n");
        return 2;
    }
    const std::string out = "callgrind.epsim." + std::to_string(::getpid());
    const std::string cmd = "valgrind --tool=callgrind --callgrind-out-file=" + out + " " +
                            self_path() + " bench --bytes " + std::to_string(o.bytes) +
                            common_args(o) + " && callgrind_annotate " + out +
                            " 2>/dev/null | head -40";
    std::printf("profiling: %s\n", cmd.c_str());
    return std::system(cmd.c_str()) == 0 ? 0 : 1;
}

} // namespace

int run_bench(const bench_options& o) {
    if (o.profile) return profile(o);
    if (o.dram) return dram_bench(o);
    if (o.link_table || o.read_table) {
        int rc = 0;
        if (o.link_table) rc |= link_table(o);
        if (o.read_table) rc |= read_table(o);
        return rc;
    }
    return speed(o);
}

} // namespace epvp::tb

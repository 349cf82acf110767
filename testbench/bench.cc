#include "testbench/bench.h"

#include "testbench/bench_kernels.h"

#include "model/core/log.h"
#include "model/core/sparse_memory.h"
#include "model/soc/dram_timing.h"
#include "testbench/analysis/link_bound.h"
#include "testbench/config/config.h"
#include "testbench/output_file.h"
#include "testbench/platform.h"
#include "testbench/process.h"
#include "testbench/report.h"
#include "testbench/workloads/dma_sweep.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

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
const char* const wide_core[] = {"dwc.datapath_bits=512", "dwc.core_clock_mhz=4000"};
constexpr double child_timeout_s = 3600; // wall clock: a child epsim that hangs is killed

// epsim's arguments after the program name.
using arg_list = std::vector<std::string>;

void add_sets(arg_list& a, const std::vector<std::string>& sets) {
    for (const auto& s : sets) {
        a.push_back("--set");
        a.push_back(s);
    }
}

arg_list common_args(const bench_options& o) {
    arg_list a;
    if (!o.config_file.empty()) a = {"--config", o.config_file};
    add_sets(a, o.sets);
    return a;
}

// The configuration document the user gave (--config, then each --set) over the defaults.
cfg::json user_doc(const bench_options& o) {
    cfg::json doc = cfg::defaults();
    if (!o.config_file.empty()) cfg::merge(doc, cfg::load_file(o.config_file));
    for (const auto& s : o.sets)
        cfg::apply_set(doc, s);
    return doc;
}

// Runs this program with args, its output to out_file ("" leaves it as it is); true if it exited 0.
bool run_self(const arg_list& args, const std::string& out_file) {
    arg_list argv = {self_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    const process_result r = run_process(argv, out_file, out_file, child_timeout_s);
    return r.started && !r.timed_out && r.signal == 0 && r.exit_status == 0;
}

// Runs one epsim process and returns the first dma_sweep row's throughput (0 on failure).
double child_throughput(const arg_list& args, const std::string& direction) {
    const std::string report = fmt::format("/tmp/epsim_bench_{}_{}.json", ::getpid(), direction);
    arg_list a = {"run", "--workload", "dma-sweep"};
    a.insert(a.end(), args.begin(), args.end());
    a.insert(a.end(), {"--report", report});
    const bool ok = run_self(a, "/dev/null");
    std::ifstream is(report);
    std::stringstream ss;
    ss << is.rdbuf();
    std::remove(report.c_str());
    if (!ok) return 0;
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
                arg_list args = common_args(o);
                add_sets(args,
                         {wide_core[0], wide_core[1], "dram.ideal=true",
                          "workload.dma_sweep.read=false",
                          fmt::format("workload.dma_sweep.min_bytes={}", table_bytes),
                          fmt::format("workload.dma_sweep.max_bytes={}", table_bytes),
                          fmt::format("link.gen={}", gen), fmt::format("link.width={}", width),
                          fmt::format("link.mps={}", mps)});
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
    // The bound of the link the runs use: the user's configuration (--config, --set), as the
    // child runs get it.
    const cfg::platform_config base = cfg::parse(user_doc(o));
    std::printf("16 MiB eDMA read, dram.ideal=true, Gen%u x%u MPS %u MRRS %u: model vs. "
                "min(link bound, tags x MRRS / round trip)\n",
                base.link.gen, base.link.width, base.link.mps, base.link.mrrs);
    std::printf("tags latency_ns model_MBps   bound_MBps   error_%%\n");
    int fail = 0;
    for (unsigned tags : read_table_tags)
        for (unsigned lat : read_table_latency_ns) {
            arg_list args = common_args(o);
            add_sets(args, {wide_core[0], wide_core[1], "dram.ideal=true",
                            "workload.dma_sweep.write=false",
                            fmt::format("workload.dma_sweep.min_bytes={}", table_bytes),
                            fmt::format("workload.dma_sweep.max_bytes={}", table_bytes),
                            fmt::format("link.tags={}", tags),
                            fmt::format("host.read_latency_ns={}", lat)});
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

constexpr const char* floor_wait_key = "floor_wait_per_txn_per_s";
constexpr const char* floor_quantum_key = "floor_quantum_per_s";

// `epsim bench --floor-only`: both loops in this process; one "key value" line each.
int floor_only(const bench_options& o) {
    const floor_rates f = floor_loops(o.floor_transactions);
    std::printf("%s %.0f\n%s %.0f\n", floor_wait_key, f.wait_per_s, floor_quantum_key,
                f.quantum_per_s);
    return 0;
}

// The floor measured in a child process (one SystemC simulation per process).
floor_rates measure_floor(const bench_options& o) {
    const std::string cmd = self_path() + " bench --floor-only --floor-transactions " +
                            std::to_string(o.floor_transactions) + " 2>&1";
    floor_rates f;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return f;
    char line[256], key[64];
    double v = 0;
    while (std::fgets(line, sizeof line, p)) {
        if (std::sscanf(line, "%63s %lf", key, &v) != 2) continue;
        if (std::strcmp(key, floor_wait_key) == 0) f.wait_per_s = v;
        if (std::strcmp(key, floor_quantum_key) == 0) f.quantum_per_s = v;
    }
    ::pclose(p);
    return f;
}

int speed(const bench_options& o) {
    cfg::json doc = user_doc(o);
    // --bytes is the user's option: a value out of range is named as such.
    for (const char* key : {"workload.dma_sweep.min_bytes", "workload.dma_sweep.max_bytes"}) {
        try {
            cfg::apply_set(doc, std::string(key) + "=" + std::to_string(o.bytes));
        } catch (const cfg::config_error& e) {
            const std::string what = e.what();
            const auto rule = what.rfind(": ");
            throw cfg::config_error("--bytes " + std::to_string(o.bytes) + ": " +
                                    (rule == std::string::npos ? what : what.substr(rule + 2)) +
                                    " (the eDMA transfer size)");
        }
    }
    const cfg::platform_config pc = cfg::parse(doc);
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    platform p("platform", pc);
    workload_result result;
    builtin::dma_sweep sweep;
    sweep.load(p, result);
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
    std::cout << format_sweep(sweep.table(p));
    std::printf("wall-clock %.3f s, simulated %.3f ms\n", wall,
                sc_core::sc_time_stamp().to_seconds() * 1e3);
    std::printf("%.0f TLPs, %.2f M TLPs per wall second\n", tlps, tlps / wall / 1e6);
    std::printf("%.0f payload bytes, %.1f MB simulated per wall second\n", bytes,
                bytes / wall / 1e6);
    const double tlps_per_s = tlps / (wall > 0 ? wall : 1e-9);
    const floor_rates f = measure_floor(o);
    if (f.wait_per_s <= 0 || f.quantum_per_s <= 0)
        std::fprintf(stderr,
                     "epsim bench: the SystemC floor run (%s bench --floor-only) gave no "
                     "rate\n",
                     self_path().c_str());
    const double ratio = f.wait_per_s > 0 ? tlps_per_s / f.wait_per_s : 0;
    std::printf("SystemC floor on this machine (%u-byte writes, data copied, %llu transactions):\n"
                "  one wait() per transaction: %.2f M per wall second\n"
                "  tlm_quantumkeeper:          %.2f M per wall second\n",
                floor_payload_bytes, o.floor_transactions, f.wait_per_s / 1e6,
                f.quantum_per_s / 1e6);
    std::printf("platform / wait-per-transaction floor: %.2fx\n", ratio);
    // What the memory alone costs: the run's newly written host memory and DRAM, written again
    // into fresh memory with nothing modelled.
    const unsigned long long touched =
        static_cast<unsigned long long>(p.host_mem.pages_allocated() +
                                        p.dram.storage().pages_allocated()) *
        sparse_memory::page_bytes;
    const double touch_s = first_touch_seconds(touched);
    std::printf("fresh memory the run wrote (host memory and DRAM): %.1f MiB; writing as much\n"
                "  fresh memory alone (%u-byte copies): %.3f s, %.0f %% of the platform's "
                "wall-clock time\n",
                touched / double(1 << 20), floor_payload_bytes, touch_s,
                wall > 0 ? 100 * touch_s / wall : 0.0);
    const int rc = finished && sweep.status() == 0 && f.wait_per_s > 0 ? 0 : 1;
    if (!o.report_file.empty()) {
        cfg::json j;
        j["tlps_per_s"] = tlps_per_s;
        j[floor_wait_key] = f.wait_per_s;
        j[floor_quantum_key] = f.quantum_per_s;
        j["ratio_to_floor"] = ratio;
        j["wall_s"] = wall;
        j["tlps"] = tlps;
        j["first_touch_bytes"] = touched;
        j["first_touch_s"] = touch_s;
        write_output("--report", o.report_file, j.dump(2) + "\n");
    }
    return rc;
}

// DRAM timing on its own: latencies, refresh cost, sequential vs random throughput.
int dram_bench(const bench_options& o) {
    cfg::json doc = user_doc(o);
    const cfg::platform_config pc = cfg::parse(doc);
    const soc::dram_params dp = platform::dram_params(pc);
    constexpr std::uint64_t line = 64;
    constexpr std::uint64_t stream_bytes = 64ull << 20;
    constexpr double idle_gap_ns = 1e6; // far apart: no queueing between the probes
    // The latencies of the row states, with no refresh between the probes (one would close
    // the row).
    auto latency = [&](std::uint64_t first, std::uint64_t second) {
        soc::dram_params q = dp;
        q.t_rfc_ns = 0;
        soc::dram_timing t(q);
        t.access(first, line, idle_gap_ns, soc::dram_dir::read);
        const double start = 2 * idle_gap_ns;
        return t.access(second, line, start, soc::dram_dir::read) - start;
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
        if (!refresh) q.t_rfc_ns = 0;
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
            end = std::max(end, t.access(addr, line, 0, soc::dram_dir::read));
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
    const std::string valgrind = find_program("valgrind");
    const std::string annotate = find_program("callgrind_annotate");
    if (valgrind.empty() || annotate.empty()) {
        std::fprintf(stderr, "epsim bench --profile needs valgrind (apt-get install valgrind)\n");
        return 2;
    }
    const std::string out = fmt::format("callgrind.epsim.{}", ::getpid());
    arg_list argv = {valgrind, "--tool=callgrind", "--callgrind-out-file=" + out, self_path(),
                     "bench",  "--bytes",          std::to_string(o.bytes)};
    const arg_list common = common_args(o);
    argv.insert(argv.end(), common.begin(), common.end());
    fmt::print("profiling: {}\n", fmt::join(argv, " "));
    const process_result r = run_process(argv, "", "", child_timeout_s);
    if (!r.started || r.timed_out || r.exit_status != 0) return 1;
    // The first lines of the annotation: the functions with the most instructions.
    constexpr unsigned annotation_lines = 40;
    const std::string listing = out + ".txt";
    const process_result a = run_process({annotate, out}, listing, "/dev/null", child_timeout_s);
    std::ifstream is(listing);
    unsigned n = 0;
    for (std::string line; n < annotation_lines && std::getline(is, line); ++n)
        fmt::print("{}\n", line);
    std::remove(listing.c_str());
    return a.started && !a.timed_out && a.exit_status == 0 ? 0 : 1;
}

} // namespace

int run_bench(const bench_options& o) {
    if (!o.report_file.empty()) probe_output("--report", o.report_file);
    if (o.floor_only) return floor_only(o);
    if (o.profile) return profile(o);
    if (o.dram) return dram_bench(o);
    if (o.rtl_iatu) return rtl_iatu_bench(o);
    if (o.link_table || o.read_table) {
        int rc = 0;
        if (o.link_table) rc |= link_table(o);
        if (o.read_table) rc |= read_table(o);
        return rc;
    }
    return speed(o);
}

} // namespace epvp::tb

#ifdef EPVP_RTL_COSIM
namespace epvp::tb {
namespace {

struct iatu_rates {
    double rtl_block_per_s = 0, tlm_block_per_s = 0;
    double rtl_platform_per_s = 0, tlm_platform_per_s = 0;
    double rtl_pcitest_wall_s = 0, tlm_pcitest_wall_s = 0;
};

// Platform level: pcitest with the TLM iATU and with the RTL one, one process each.
int platform_iatu_bench(const bench_options& o, iatu_rates& rates) {
    double wall[2] = {0, 0};
    std::uint64_t translations = 0;
    const char* impls[2] = {"tlm", "rtl"};
    int rc = 0;
    for (int k = 0; k < 2; ++k) {
        const std::string report =
            fmt::format("/tmp/epsim_bench_iatu_{}_{}.json", ::getpid(), impls[k]);
        const std::string out = report + ".out";
        arg_list args = {"run"};
        const arg_list common = common_args(o);
        args.insert(args.end(), common.begin(), common.end());
        add_sets(args, {std::string("dwc.iatu.impl=") + impls[k]});
        args.insert(args.end(), {"--report", report});
        const auto t0 = std::chrono::steady_clock::now();
        if (!run_self(args, out)) rc = 1;
        wall[k] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::ifstream is(report);
        std::stringstream ss;
        ss << is.rdbuf();
        std::remove(report.c_str());
        std::remove(out.c_str());
        try {
            const auto j = cfg::json::parse(ss.str());
            if (j.contains("iatu_cosim"))
                translations = j["iatu_cosim"]["outbound_translations"].get<std::uint64_t>() +
                               j["iatu_cosim"]["inbound_translations"].get<std::uint64_t>();
        } catch (const std::exception&) {
            rc = 1;
        }
    }
    std::printf("pcitest on the platform, %llu iATU translations (as the RTL run counts them):\n",
                static_cast<unsigned long long>(translations));
    for (int k = 0; k < 2; ++k)
        std::printf("  dwc.iatu.impl=%s: %7.2f s wall, %10.0f translations per wall second\n",
                    impls[k], wall[k], wall[k] > 0 ? translations / wall[k] : 0.0);
    std::printf("  RTL / TLM pcitest wall time: %.2fx\n", wall[0] > 0 ? wall[1] / wall[0] : 0.0);
    if (rc) std::printf("  (a run failed: see epsim run --set dwc.iatu.impl=...)\n");
    rates.tlm_pcitest_wall_s = wall[0];
    rates.rtl_pcitest_wall_s = wall[1];
    rates.tlm_platform_per_s = wall[0] > 0 ? translations / wall[0] : 0;
    rates.rtl_platform_per_s = wall[1] > 0 ? translations / wall[1] : 0;
    return rc;
}

} // namespace

int rtl_iatu_bench(const bench_options& o) {
    iatu_rates r;
    iatu_block_rates block;
    int rc = iatu_block_bench(block);
    r.rtl_block_per_s = block.rtl_per_s;
    r.tlm_block_per_s = block.tlm_per_s;
    rc |= platform_iatu_bench(o, r);
    if (!o.report_file.empty()) {
        cfg::json j;
        j["rtl_platform_translations_per_s"] = r.rtl_platform_per_s;
        j["tlm_platform_translations_per_s"] = r.tlm_platform_per_s;
        j["rtl_block_translations_per_s"] = r.rtl_block_per_s;
        j["tlm_block_translations_per_s"] = r.tlm_block_per_s;
        j["rtl_pcitest_wall_s"] = r.rtl_pcitest_wall_s;
        j["tlm_pcitest_wall_s"] = r.tlm_pcitest_wall_s;
        j["rtl_to_tlm_pcitest_wall_ratio"] =
            r.tlm_pcitest_wall_s > 0 ? r.rtl_pcitest_wall_s / r.tlm_pcitest_wall_s : 0;
        write_output("--report", o.report_file, j.dump(2) + "\n");
    }
    return rc;
}

} // namespace epvp::tb
#else
namespace epvp::tb {
int rtl_iatu_bench(const bench_options&) {
    std::fprintf(stderr, "epsim bench --rtl-iatu: this build has no RTL co-simulation "
                         "(Verilator was not found at configure time)\n");
    return 2;
}
} // namespace epvp::tb
#endif

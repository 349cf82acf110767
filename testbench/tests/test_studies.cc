// The shipped studies (testbench/studies/*.json) show the effect their page in docs/studies/
// explains. Each study runs as a user runs it (`epsim sweep SPEC --out DIR`), and its results are
// checked against the trend that PCIe arithmetic or a reference written here predicts, never
// against numbers taken from a run: monotonic where it must be, the knee where arithmetic puts
// it (within 10 %).
//
// The link arithmetic is analysis/link_bound, written independently of the link model: PCIe Base
// Spec 5.0 chapter 4 (8b/10b and 128b/130b coding, SKP ordered sets, framing), chapter 3 (the
// sequence number and LCRC: 8 bytes a TLP with the framing) and chapter 2 (3 DW headers for
// completions and 32-bit addresses, 4 DW for 64-bit addresses).
#define BOOST_TEST_MODULE studies
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/analysis/link_bound.h"
#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;
using namespace cli_test;

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

// `epsim sweep STUDY --out DIR`: every point must pass; the results.json rows.
json run_study(const std::string& file) {
    const fs::path dir = work_dir() / file;
    const auto r = run_captured(std::string(EPSIM_PATH) + " sweep " + EPVP_STUDIES_DIR + "/" +
                                file + " --jobs 2 --out " + dir.string());
    BOOST_REQUIRE_MESSAGE(r.status == 0, file << ": exit " << r.status << "\n" << r.out);
    const json rows = read_json(dir / "results.json");
    BOOST_REQUIRE(rows.is_array());
    for (const auto& row : rows)
        BOOST_REQUIRE_MESSAGE(row.at("status") == "PASS", file << ": " << row.dump());
    return rows;
}

double num(const json& row, const std::string& column) {
    const json& v = row.at(column);
    return v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>();
}

// The rows grouped by one column's value, each group in the spec's order.
std::map<double, std::vector<json>> group_by(const json& rows, const std::string& column) {
    std::map<double, std::vector<json>> g;
    for (const auto& row : rows)
        g[num(row, column)].push_back(row);
    return g;
}

bool within(double measured, double expected, double tolerance) {
    return std::fabs(measured - expected) <= tolerance * expected;
}

constexpr double knee_tolerance = 0.10;
constexpr double link_tolerance = 0.02; // the link model against the spec arithmetic
constexpr double flat = 0.005;          // "does not fall": noise of the arrival order

} // namespace

// edma_channels.json: k read channels, each with 2 MRds of 256 bytes in flight (Gen3 x4, MPS
// 256, ideal local DRAM), at host read latencies 250, 500, 1000, 2000 ns.
// Per channel (Little's law): 2 x 256 bytes per round trip, the round trip being the MRd on the
// wire, the host's latency, the completion (256 bytes, 3 DW header) on the wire and the flight
// time twice (link.propagation_ns, 10 ns by default). The link bound: completions of 256 bytes
// with a 12-byte header and 8 bytes of framing on a Gen3 x4 link (8 GT/s, 128b/130b, SKP).
// Expected: the total never falls as channels are added; each point within 10 % of
// min(k x per-channel, link); and the knee, where the measured plateau meets k x the measured
// one-channel throughput, at link / per-channel within 10 % when it lies in 1..8.
BOOST_AUTO_TEST_CASE(edma_channels_rise_until_the_link_binds) {
    const json rows = run_study("edma_channels.json");
    BOOST_REQUIRE_EQUAL(rows.size(), 32u);
    epvp::analysis::link_bound_params lp; // Gen3 x4
    lp.mps = 256;
    lp.header_bytes = 16; // the MRd: 64-bit address
    constexpr unsigned mrrs = 256, outstanding = 2;
    constexpr double propagation_s = 10e-9; // link.propagation_ns default
    epvp::analysis::link_bound_params cpl = lp;
    cpl.header_bytes = 12; // completions: 3 DW header
    const double link_Bps = epvp::analysis::posted_write_Bps(cpl);
    unsigned knees = 0;
    for (const auto& [latency_ns, points] : group_by(rows, "host.read_latency_ns")) {
        BOOST_REQUIRE_EQUAL(points.size(), 8u);
        const double rtt_s =
            epvp::analysis::read_round_trip_s(lp, mrrs, latency_ns * 1e-9, propagation_s);
        const double per_channel_Bps = outstanding * mrrs / rtt_s;
        double prev = 0;
        for (const auto& p : points) {
            const double k = num(p, "workload.dma_mix.read_channels");
            const double got = num(p, "dma_mix_read_throughput_Bps");
            const double want = std::min(k * per_channel_Bps, link_Bps);
            BOOST_CHECK_MESSAGE(within(got, want, knee_tolerance),
                                latency_ns << " ns, " << k << " channels: " << got
                                           << " B/s, expected " << want);
            BOOST_CHECK_MESSAGE(got >= prev * (1 - flat),
                                latency_ns << " ns: falls at " << k << " channels");
            BOOST_CHECK_MESSAGE(got <= link_Bps * (1 + flat), "above the link bound");
            prev = got;
        }
        const double knee = link_Bps / per_channel_Bps;
        if (knee >= 8) continue;
        ++knees;
        const double one = num(points.front(), "dma_mix_read_throughput_Bps");
        const double plateau = num(points.back(), "dma_mix_read_throughput_Bps");
        BOOST_CHECK_MESSAGE(within(plateau / one, knee, knee_tolerance),
                            latency_ns << " ns: knee at " << plateau / one << " channels, "
                                       << "arithmetic puts it at " << knee);
    }
    BOOST_CHECK_EQUAL(knees, 3u); // 250, 500 and 1000 ns bind in 1..8; 2000 ns never does
}

// mps_mrrs_gen.json: 1 MiB eDMA write and read, MPS 128/256/512 x MRRS 128/512 x Gen1..4 (x4),
// ideal local DRAM, host read latency 500 ns, 32 tags. Expected from the link arithmetic:
// writes carry MPS bytes per TLP of MPS + 16-byte header (64-bit address) + 8 bytes framing;
// reads come back in completions of min(MPS, MRRS) bytes with a 12-byte header, unless the tags
// bind first (32 x MRRS per round trip). Every point within 2 % of that; writes rise with MPS
// and with the generation; reads with MRRS 128 do not depend on MPS.
BOOST_AUTO_TEST_CASE(mps_mrrs_gen_follow_the_tlp_efficiency) {
    const json rows = run_study("mps_mrrs_gen.json");
    BOOST_REQUIRE_EQUAL(rows.size(), 24u);
    constexpr unsigned tags = 32;           // link.tags default
    constexpr double latency_s = 500e-9;    // host.read_latency_ns default
    constexpr double propagation_s = 10e-9; // link.propagation_ns default
    std::map<std::vector<double>, double> write, read;
    for (const auto& p : rows) {
        const unsigned mps = static_cast<unsigned>(num(p, "link.mps"));
        const unsigned mrrs = static_cast<unsigned>(num(p, "link.mrrs"));
        const unsigned gen = static_cast<unsigned>(num(p, "link.gen"));
        epvp::analysis::link_bound_params lp;
        lp.gen = gen;
        lp.mps = mps;
        const double want_write = epvp::analysis::posted_write_Bps(lp);
        lp.mps = std::min(mps, mrrs); // the completions' payload
        const double rtt = epvp::analysis::read_round_trip_s(lp, mrrs, latency_s, propagation_s);
        const double want_read = epvp::analysis::read_Bps(lp, mrrs, tags, rtt);
        const double got_write = num(p, "write_throughput_Bps");
        const double got_read = num(p, "read_throughput_Bps");
        BOOST_CHECK_MESSAGE(within(got_write, want_write, link_tolerance),
                            "Gen" << gen << " MPS " << mps << ": write " << got_write
                                  << " B/s, expected " << want_write);
        BOOST_CHECK_MESSAGE(within(got_read, want_read, link_tolerance),
                            "Gen" << gen << " MPS " << mps << " MRRS " << mrrs << ": read "
                                  << got_read << " B/s, expected " << want_read);
        write[{double(gen), double(mrrs), double(mps)}] = got_write;
        read[{double(gen), double(mrrs), double(mps)}] = got_read;
    }
    const auto at = [](const std::map<std::vector<double>, double>& m, double gen, double mrrs,
                       double mps) {
        return m.at(std::vector<double>{gen, mrrs, mps});
    };
    for (double gen : {1, 2, 3, 4})
        for (double mrrs : {128, 512}) {
            const double w128 = at(write, gen, mrrs, 128), w256 = at(write, gen, mrrs, 256),
                         w512 = at(write, gen, mrrs, 512);
            BOOST_CHECK_LT(w128, w256);
            BOOST_CHECK_LT(w256, w512);
            if (gen > 1) BOOST_CHECK_GT(w512, 1.9 * at(write, gen - 1, mrrs, 512));
        }
    for (double gen : {1, 2, 3, 4})
        BOOST_CHECK(within(at(read, gen, 128, 512), at(read, gen, 128, 128), link_tolerance));
}

namespace {

// Reference: misses of a cold least-recently-used TLB of `entries` entries over `reads` uniform
// random reads of `pages` pages (its own generator: the trend, not the model's sequence).
double lru_miss_ratio(unsigned entries, unsigned pages, unsigned reads) {
    std::vector<unsigned> lru; // most recent first
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned misses = 0;
    for (unsigned i = 0; i < reads; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const unsigned page = static_cast<unsigned>(x % pages);
        auto it = std::find(lru.begin(), lru.end(), page);
        if (it == lru.end()) {
            ++misses;
            if (lru.size() == entries) lru.pop_back();
        } else {
            lru.erase(it);
        }
        lru.insert(lru.begin(), page);
    }
    return static_cast<double>(misses) / reads;
}

} // namespace

// iotlb.json: random 8-byte host reads over 16 KiB .. 4 MiB of a 4 MiB region mapped with 4 KiB
// pages and with 2 MiB blocks, TLB of 16, 64, 256 entries, 8000 reads a point. What the pages cost
// over the blocks at the same working set (the same DRAM behind both) is the TLB misses' walks:
// penalty = miss ratio x the cost of a walk. Expected: the 4 KiB-page latency never falls as the
// working set grows nor as entries are added; the blocks' latency does not depend on the entries
// (the 4 MiB region is 2 blocks); and the penalty, relative to the penalty at 4 MiB, follows the
// LRU reference's miss ratio relative to its own at 4 MiB within 0.1, which puts the knee at
// entries x 4 KiB.
BOOST_AUTO_TEST_CASE(iotlb_knee_at_the_tlb_reach) {
    const json rows = run_study("iotlb.json");
    BOOST_REQUIRE_EQUAL(rows.size(), 27u);
    constexpr unsigned page_bytes = 4096, reads = 8000, region_bytes = 4 << 20;
    const auto blocks_at = [&](double set) {
        std::vector<double> v;
        for (const auto& p : rows)
            if (num(p, "workload.iotlb_sweep.min_set_bytes") == set)
                v.push_back(num(p, "iotlb_2mib_blocks_mean_latency_ns"));
        return v;
    };
    std::map<double, std::vector<double>> pages_by_set;
    for (const auto& [entries, points] : group_by(rows, "smmu.tlb_entries")) {
        BOOST_REQUIRE_EQUAL(points.size(), 9u);
        const double full_penalty = num(points.back(), "iotlb_4kib_pages_mean_latency_ns") -
                                    num(points.back(), "iotlb_2mib_blocks_mean_latency_ns");
        const double full_miss =
            lru_miss_ratio(static_cast<unsigned>(entries), region_bytes / page_bytes, reads);
        BOOST_REQUIRE_GT(full_penalty, 0.0);
        double prev = 0;
        for (const auto& p : points) {
            const double set = num(p, "workload.iotlb_sweep.min_set_bytes");
            const double pages = num(p, "iotlb_4kib_pages_mean_latency_ns");
            const double penalty = pages - num(p, "iotlb_2mib_blocks_mean_latency_ns");
            const double miss = lru_miss_ratio(static_cast<unsigned>(entries),
                                               static_cast<unsigned>(set) / page_bytes, reads);
            BOOST_CHECK_MESSAGE(std::fabs(penalty / full_penalty - miss / full_miss) <= 0.1,
                                entries << " entries, " << set << " B: penalty " << penalty
                                        << " ns = " << penalty / full_penalty
                                        << " of the 4 MiB one, reference " << miss / full_miss);
            BOOST_CHECK_MESSAGE(pages >= prev * (1 - flat),
                                entries << " entries: latency falls at " << set << " B");
            prev = pages;
            if (!pages_by_set[set].empty())
                BOOST_CHECK_MESSAGE(pages <= pages_by_set[set].back() * (1 + flat),
                                    set << " B: more entries, slower");
            pages_by_set[set].push_back(pages);
        }
    }
    for (const auto& [set, latencies] : pages_by_set) {
        const auto b = blocks_at(set);
        const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
        BOOST_CHECK_MESSAGE(*hi <= *lo * 1.01, set << " B: 2 MiB blocks depend on the entries");
    }
}

// cmd_stream.json: 16 commands of 4 pages read from host memory, 2 at a time; CPU copies or
// eDMA x page size 512 B .. 16 KiB x outbound windows 2, 3, 5, 9 (one kept for MSI).
// Expected: a CPU copy through a window is a chain of 8-byte loads (cpu.mmio_access_bytes), each
// a non-posted read answered after the host's latency: at most 8 bytes per round trip (MRd of 24
// bytes on the wire, completion of 8 + 12 + 8 bytes, the flight time twice, the 500 ns host
// latency), whatever the page size or the windows (within 3 %, and within 1 % across windows);
// fewer windows only add stalls (none with 8 free windows for the 8 pages of a batch); every page
// is mapped once; the eDMA needs no window, rises with the page size, stays under the link's read
// bound and beats the CPU at every command size.
BOOST_AUTO_TEST_CASE(cmd_stream_edma_beats_cpu_copies_at_every_size) {
    const json rows = run_study("cmd_stream.json");
    BOOST_REQUIRE_EQUAL(rows.size(), 48u);
    epvp::analysis::link_bound_params lp; // Gen3 x4, MPS 256
    lp.mps = 8;                           // one 8-byte load, one 8-byte completion
    constexpr double latency_s = 500e-9, propagation_s = 10e-9;
    constexpr double load_bytes = 8;
    const double cpu_bound_Bps =
        load_bytes / epvp::analysis::read_round_trip_s(lp, 8, latency_s, propagation_s);
    epvp::analysis::link_bound_params cpl; // completions of 256 bytes (MPS), 3 DW header
    cpl.header_bytes = 12;
    const double link_Bps = epvp::analysis::posted_write_Bps(cpl);
    constexpr double commands = 16, pages_per_command = 4;
    std::map<double, double> cpu_by_size, edma_by_size; // at 2 windows
    double cpu_first = 0;
    for (const auto& p : rows) {
        const bool cpu = p.at("function.cmd.mover") == "cpu";
        const double page = num(p, "function.cmd.page_bytes");
        const double windows = num(p, "dwc.iatu.outbound_windows");
        const double Bps = num(p, "throughput_Bps");
        const double stalls = num(p, "window_busy_stalls_count");
        BOOST_CHECK_EQUAL(num(p, "errors_count"), 0);
        if (cpu) {
            if (cpu_first == 0) cpu_first = Bps;
            BOOST_CHECK_MESSAGE(Bps <= cpu_bound_Bps, "CPU above " << cpu_bound_Bps << " B/s");
            BOOST_CHECK_MESSAGE(within(Bps, cpu_first, 0.03), page << " B: CPU not flat");
            BOOST_CHECK_EQUAL(num(p, "maps_count"), commands * pages_per_command);
            if (windows == 9) BOOST_CHECK_EQUAL(stalls, 0);
            if (windows == 2)
                cpu_by_size[page] = Bps;
            else
                BOOST_CHECK_MESSAGE(within(Bps, cpu_by_size.at(page), 0.01),
                                    page << " B: windows change the CPU's throughput");
        } else {
            BOOST_CHECK_EQUAL(num(p, "maps_count"), 0);
            BOOST_CHECK_EQUAL(stalls, 0);
            BOOST_CHECK_MESSAGE(Bps <= link_Bps, "eDMA above the link's read bound");
            if (windows == 2) edma_by_size[page] = Bps;
        }
    }
    // Stalls never rise with more windows (rows: windows vary fastest).
    for (std::size_t i = 1; i < rows.size(); ++i)
        if (num(rows[i], "dwc.iatu.outbound_windows") >
            num(rows[i - 1], "dwc.iatu.outbound_windows"))
            BOOST_CHECK_LE(num(rows[i], "window_busy_stalls_count"),
                           num(rows[i - 1], "window_busy_stalls_count"));
    BOOST_REQUIRE_EQUAL(edma_by_size.size(), 6u);
    double prev = 0;
    for (const auto& [page, Bps] : edma_by_size) {
        BOOST_CHECK_MESSAGE(Bps > prev, page << " B: eDMA does not rise");
        BOOST_CHECK_MESSAGE(Bps > cpu_by_size.at(page), page << " B: CPU beats the eDMA");
        prev = Bps;
    }
}

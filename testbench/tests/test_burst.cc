// Burst-level link timing (sim.link_timing = burst, docs/link-timing.md) validated against tlp
// mode. The expected values are tlp mode's own results: an independent path through the same
// per-TLP arithmetic (one transaction per TLP, each reserved by the link as it comes), run by the
// same epsim. Burst mode must give every dma-sweep and dma-mix throughput row of 4 KiB and more
// within 0.5 % of it, the same TLP counts, and pcitest the same pass/fail lines (its READ, WRITE
// and COPY tests check the data moved by CRC32); what needs single TLPs is refused with one line.
#define BOOST_TEST_MODULE burst
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

namespace {

using json = nlohmann::json;
using cli_test::run_result;

constexpr double max_error = 0.005; // the bound: 0.5 %
constexpr unsigned min_row_bytes = 4096;
constexpr int exit_usage = 2;

// The same run in both modes; both must pass.
struct pair_of_runs {
    run_result tlp, burst;
};
pair_of_runs both(const std::string& args) {
    pair_of_runs p{cli_test::run_epsim("run " + args),
                   cli_test::run_epsim("run " + args + " --set sim.link_timing=burst")};
    BOOST_REQUIRE_MESSAGE(p.tlp.status == 0, args + " (tlp): " + p.tlp.out);
    BOOST_REQUIRE_MESSAGE(p.burst.status == 0, args + " (burst): " + p.burst.out);
    return p;
}

// The link carried the same TLPs and payload in each direction (burst mode counts the TLPs a
// burst stands for).
void same_link_traffic(const pair_of_runs& p, const std::string& what) {
    for (const char* d : {"upstream", "downstream"})
        for (const char* k : {"tlps", "payload_bytes", "wire_bytes"})
            BOOST_TEST(p.tlp.report.at("link").at(d).at(k) == p.burst.report.at("link").at(d).at(k),
                       what << ": link " << d << " " << k);
}

void within_bound(double tlp, double burst, const std::string& what) {
    BOOST_REQUIRE(tlp > 0);
    const double err = std::fabs(burst - tlp) / tlp;
    BOOST_TEST(err <= max_error, what << ": tlp " << tlp << " B/s, burst " << burst
                                      << " B/s, error " << err * 100 << " %");
}

pair_of_runs check_sweep(const std::string& args) {
    pair_of_runs p = both("--workload dma-sweep " + args);
    const json& a = p.tlp.report.at("dma_sweep");
    const json& b = p.burst.report.at("dma_sweep");
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    unsigned checked = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string what = args + " " + a[i].at("direction").get<std::string>() + " " +
                                 std::to_string(a[i].at("size_bytes").get<unsigned>());
        BOOST_TEST(a[i].at("direction") == b[i].at("direction"));
        BOOST_TEST(a[i].at("tlps") == b[i].at("tlps"), what << ": TLP counts");
        BOOST_TEST(!b[i].at("aborted").get<bool>(), what);
        if (a[i].at("size_bytes").get<unsigned>() < min_row_bytes) continue;
        within_bound(a[i].at("throughput_Bps"), b[i].at("throughput_Bps"), what);
        ++checked;
    }
    BOOST_TEST(checked > 0u);
    same_link_traffic(p, args);
    return p;
}

void check_mix(const std::string& args) {
    const pair_of_runs p = both("--workload dma-mix " + args);
    const json& a = p.tlp.report.at("dma_mix").at("channels");
    const json& b = p.burst.report.at("dma_mix").at("channels");
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    BOOST_REQUIRE(!a.empty());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string what = args + " " + a[i].at("direction").get<std::string>() + " ch" +
                                 std::to_string(a[i].at("channel").get<unsigned>());
        BOOST_TEST(a[i].at("bytes") == b[i].at("bytes"), what);
        BOOST_TEST(!b[i].at("aborted").get<bool>(), what);
        within_bound(a[i].at("throughput_Bps"), b[i].at("throughput_Bps"), what);
    }
    same_link_traffic(p, args);
}

} // namespace

// Default platform (SMMU and DRAM timing on), 64 B .. 16 MiB.
BOOST_AUTO_TEST_CASE(dma_sweep_default_within_bound) {
    check_sweep("");
}

// Other rates, sizes and limits: Gen5 x8, Gen6 (FLIT mode), MPS 128 with MRRS 4096, unaligned
// buffers (completions split at RCB), a per-channel MRd limit below the tags.
BOOST_AUTO_TEST_CASE(dma_sweep_variants_within_bound) {
    check_sweep("--set link.gen=5 --set link.width=8");
    check_sweep("--set link.gen=6");
    check_sweep("--set link.mps=128 --set link.mrrs=4096");
    check_sweep("--set workload.dma_sweep.offset_bytes=100");
    check_sweep("--set dwc.edma.rd_outstanding_mrd=4 --set link.tags=8");
}

// A read channel's local writes go as one access per 4 KiB page that stands for one write per
// MRd (the report counts them as burst_mode.edma_page_writes, in burst mode only): the SMMU
// (enabled, disabled) and the memory controller (timed, ideal) count and time each write as in tlp
// mode, also when the destination is not page aligned.
BOOST_AUTO_TEST_CASE(dma_sweep_local_write_pieces_counted_as_writes) {
    for (const std::string args :
         {"", "--set smmu.enabled=false", "--set dram.ideal=true",
          "--set workload.dma_sweep.offset_bytes=100 --set link.mrrs=128"}) {
        const pair_of_runs p = check_sweep(args);
        // The page writes ran in burst mode (and never in tlp mode, which reports none).
        BOOST_TEST(!p.tlp.report.contains("burst_mode"), args);
        BOOST_TEST(p.burst.report.at("burst_mode").value("edma_page_writes", 0u) > 0u, args);
        for (const char* k : {"dram_reads", "dram_writes"})
            BOOST_TEST(p.tlp.report.at("soc").at(k) == p.burst.report.at("soc").at(k),
                       args << ": " << k);
        BOOST_TEST(p.tlp.report.at("soc").at("dram_masters").at("edma").at("accesses") ==
                       p.burst.report.at("soc").at("dram_masters").at("edma").at("accesses"),
                   args << ": eDMA DRAM accesses");
        BOOST_TEST(p.tlp.report.contains("smmu") == p.burst.report.contains("smmu"), args);
        if (!p.tlp.report.contains("smmu") || !p.burst.report.contains("smmu")) continue;
        for (const char* k : {"translations", "bypassed", "tlb_hits", "tlb_misses", "walks"})
            BOOST_TEST(p.tlp.report.at("smmu").at(k) == p.burst.report.at("smmu").at(k),
                       args << ": smmu " << k);
    }
}

// The quantum is a speed knob in burst mode too: a read channel's page write synchronises once,
// to its first piece, so the report (rows, link, DRAM and SMMU counters) is the same at a 10 ns
// and a 10 us quantum; only the echoed configuration differs.
// The same holds for a write and a read channel that the firmware starts one after the other:
// the first bursts alone until the second's doorbell time, whenever the CPU's write of that
// doorbell reached the controller.
BOOST_AUTO_TEST_CASE(quantum_changes_no_burst_result) {
    for (const std::string w : {"dma-sweep --set workload.dma_sweep.max_bytes=1048576",
                                "dma-mix --set workload.dma_mix.write_channels=1 --set "
                                "workload.dma_mix.read_channels=1"}) {
        const std::string args =
            "run --workload " + w + " --set sim.link_timing=burst --set sim.quantum_ns=";
        const run_result fine = cli_test::run_epsim(args + "10");
        const run_result coarse = cli_test::run_epsim(args + "10000");
        BOOST_REQUIRE_MESSAGE(fine.status == 0, fine.out);
        BOOST_REQUIRE_MESSAGE(coarse.status == 0, coarse.out);
        BOOST_REQUIRE(fine.report.contains("dma_sweep") || fine.report.contains("dma_mix"));
        for (const auto& [key, value] : fine.report.items()) {
            if (key == "config") continue;
            BOOST_TEST(coarse.report.contains(key), w << ": " << key);
            if (coarse.report.contains(key))
                BOOST_TEST((value == coarse.report.at(key)), w << ": " << key);
        }
    }
}

// LCRC errors are drawn per TLP inside the burst arithmetic: the same TLPs fail and are replayed.
BOOST_AUTO_TEST_CASE(dma_sweep_lcrc_faults_within_bound) {
    for (const std::string f :
         {"--set faults.lcrc.nth_tlp=500", "--set faults.lcrc_error_rate=0.01"}) {
        const pair_of_runs p = both("--workload dma-sweep " + f);
        for (const char* k : {"lcrc_errors", "replays", "bytes_replayed"})
            BOOST_TEST(p.tlp.report.at("link").at("replay").at("upstream").at(k) ==
                           p.burst.report.at("link").at("replay").at("upstream").at(k),
                       f << ": " << k);
        BOOST_TEST(p.tlp.report.at("link").at("replay").at("upstream").at("replays").get<int>() >
                   0);
        check_sweep(f);
    }
}

// Concurrent channels (the default two and two: single TLPs, arbitrated) and one channel alone
// in each direction (bursts).
BOOST_AUTO_TEST_CASE(dma_mix_within_bound) {
    check_mix("");
    check_mix("--set workload.dma_mix.write_channels=1 --set workload.dma_mix.read_channels=0");
    check_mix("--set workload.dma_mix.write_channels=0 --set workload.dma_mix.read_channels=1");
    // One of each, started one after the other: bursts until the second one's doorbell time.
    check_mix("--set workload.dma_mix.write_channels=1 --set workload.dma_mix.read_channels=1");
    // Two read channels: a read burst the link cuts short (the other channel starts) completes
    // with the bytes of the pieces it kept (it was judged incomplete: a false UR abort).
    check_mix("--set workload.dma_mix.write_channels=0 --set workload.dma_mix.read_channels=2");
    // Two write channels of 64 KiB: the burst a channel chose before synchronising ends at the
    // other's doorbell even when it synchronised past it (it ran on past it).
    check_mix("--set workload.dma_mix.size_bytes=65536 --set workload.dma_mix.write_channels=2 "
              "--set workload.dma_mix.read_channels=0");
}

// The kselftest table: the same tests with the same results (the data-transfer tests compare
// the CRC32 of the data moved by memcpy and by the eDMA).
BOOST_AUTO_TEST_CASE(pcitest_same_pass_fail) {
    const pair_of_runs p = both("--workload pcitest");
    const json& a = p.tlp.report.at("tests");
    const json& b = p.burst.report.at("tests");
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    unsigned dma = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        BOOST_TEST(a[i].at("name") == b[i].at("name"));
        BOOST_TEST(a[i].at("result") == b[i].at("result"), a[i].at("name").get<std::string>());
        BOOST_TEST(b[i].at("result") != "FAIL", b[i].at("name").get<std::string>());
        if (cli_test::contains(a[i].at("name").get<std::string>(), ".dma.")) ++dma;
    }
    BOOST_TEST(dma > 0u); // the eDMA tests ran
}

// Logging the TLPs shows bursts and changes no result.
BOOST_AUTO_TEST_CASE(tlp_log_shows_bursts_and_changes_nothing) {
    const std::string args = "run --workload dma-sweep --set workload.dma_sweep.min_bytes=65536 "
                             "--set workload.dma_sweep.max_bytes=65536 --set sim.link_timing=burst";
    const run_result quiet = cli_test::run_epsim(args);
    const run_result logged = cli_test::run_epsim(args + " --log tlp");
    BOOST_REQUIRE_EQUAL(quiet.status, 0);
    BOOST_REQUIRE_EQUAL(logged.status, 0);
    BOOST_TEST(cli_test::contains(logged.out, " burst="));
    BOOST_TEST(quiet.report.at("dma_sweep") == logged.report.at("dma_sweep"));
    BOOST_TEST(quiet.report.at("link") == logged.report.at("link"));
}

// What needs single TLPs, or more than one link on the way, is refused: exit 2, one line naming
// the key that conflicts.
BOOST_AUTO_TEST_CASE(single_tlp_features_refused) {
    for (const std::string key :
         {"faults.completion_timeout.nth_read=3", "faults.ur_at_completer.nth_read=3",
          "faults.ca_at_completer.nth_read=3", "faults.link_down.at_us=2000",
          "faults.poison.nth_tlp=3", "faults.poison.rate=0.1"}) {
        const run_result r = cli_test::run_epsim(
            "run --workload dma-sweep --set sim.link_timing=burst --set " + key, false);
        const std::string name = key.substr(0, key.find('='));
        BOOST_TEST(r.status == exit_usage, key);
        BOOST_TEST(cli_test::contains(r.out, name), key << ": " << r.out);
        BOOST_TEST(cli_test::contains(r.out, "sim.link_timing"), key << ": " << r.out);
    }
    const run_result p2p =
        cli_test::run_epsim("run --workload p2p --set sim.link_timing=burst", false);
    BOOST_TEST(p2p.status == exit_usage, p2p.out);
    BOOST_TEST(cli_test::contains(p2p.out, "sim.link_timing"), p2p.out);
}

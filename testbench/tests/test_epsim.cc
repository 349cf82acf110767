// End-to-end tests of the simulator program: each runs build/epsim as a user would and checks
// its exit status, its output and its JSON report. SystemC allows one simulation per process,
// so platform-level scenarios run as separate epsim processes.
#define BOOST_TEST_MODULE epsim
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using json = nlohmann::json;

using cli_test::run_result;
using cli_test::temp_path;

run_result epsim(const std::string& args, bool want_report = true) {
    return cli_test::run_epsim(args, want_report);
}

const json& test_named(const json& report, const std::string& name) {
    for (const auto& t : report.at("tests"))
        if (t.at("name") == name) return t;
    BOOST_FAIL("no test named " + name);
    static json none;
    return none;
}

std::uint64_t bar_size(const json& report, unsigned bar) {
    for (const auto& b : report.at("enumeration").at("devices").at(0).at("bars"))
        if (b.at("bar") == bar) return b.at("size_bytes").get<std::uint64_t>();
    return 0;
}

std::string without_wall_clock(const std::string& s) {
    std::string out;
    std::istringstream is(s);
    for (std::string line; std::getline(is, line);)
        if (line.find("wall-clock") == std::string::npos) out += line + "\n";
    return out;
}

} // namespace

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

BOOST_AUTO_TEST_CASE(default_platform_passes_the_bar_tests) {
    auto r = epsim("run");
    BOOST_CHECK_EQUAL(r.status, 0);
    // 47 rows: the register BAR's subrange test is skipped.
    BOOST_CHECK(r.out.find("46 passed, 0 failed, 1 skipped") != std::string::npos);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    BOOST_CHECK_EQUAL(r.report.at("totals").at("pass"), 46);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
    BOOST_CHECK_EQUAL(r.report.at("tests").size(), 47u);
    for (const char* t :
         {"pci_ep_basic.LEGACY_IRQ_TEST", "pci_ep_basic.MSI_TEST", "pci_ep_basic.MSIX_TEST",
          "pci_ep_data_transfer.memcpy.READ_TEST.1024001",
          "pci_ep_data_transfer.memcpy.WRITE_TEST.1", "pci_ep_data_transfer.memcpy.COPY_TEST.1025",
          "pci_ep_data_transfer.dma.READ_TEST.1024001", "pci_ep_data_transfer.dma.WRITE_TEST.1",
          "pci_ep_data_transfer.dma.COPY_TEST.1024000", "pci_ep_bar.BAR5.BAR_SUBRANGE_TEST",
          "pcie_ep_doorbell.DOORBELL_TEST"})
        BOOST_CHECK_MESSAGE(test_named(r.report, t).at("result") == "PASS", t);
    for (unsigned b = 0; b < 6; ++b)
        BOOST_CHECK_EQUAL(
            test_named(r.report, "pci_ep_bar.BAR" + std::to_string(b) + ".BAR_TEST").at("result"),
            "PASS");
    BOOST_CHECK_EQUAL(test_named(r.report, "pci_ep_basic.CONSECUTIVE_BAR_TEST").at("result"),
                      "PASS");
    const auto& dev = r.report.at("enumeration").at("devices").at(0);
    BOOST_CHECK_EQUAL(dev.at("bdf"), "01:00.0");
    BOOST_CHECK_EQUAL(dev.at("vendor_id"), 0x16c3);
    BOOST_CHECK_EQUAL(dev.at("device_id"), 0xedda);
    // Test register BAR: 128 B of registers + 2048 x 16 B MSI-X table + 256 B PBA -> 64 KiB.
    BOOST_CHECK_EQUAL(bar_size(r.report, 0), 65536u);
    for (unsigned b = 1; b < 5; ++b)
        BOOST_CHECK_EQUAL(bar_size(r.report, b), 131072u);
    BOOST_CHECK_EQUAL(bar_size(r.report, 5), 1048576u);
    BOOST_CHECK_EQUAL(r.report.at("link").at("gen"), 3);
    BOOST_CHECK_EQUAL(r.report.at("link").at("width"), 4);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("ltssm"), "L0");
    // The function needs 200 us after link-up; the host polls every 100 us and sees CRS.
    BOOST_CHECK_GT(r.report.at("enumeration").at("crs_retries").get<int>(), 0);
    BOOST_CHECK_EQUAL(r.report.at("sim").at("warnings"), 0);
}

BOOST_AUTO_TEST_CASE(same_config_same_bytes) {
    auto a = epsim("run --set sim.seed=7");
    auto b = epsim("run --set sim.seed=7");
    BOOST_CHECK_EQUAL(a.status, 0);
    BOOST_CHECK_EQUAL(b.status, 0);
    BOOST_CHECK_EQUAL(a.report.dump(), b.report.dump());
    BOOST_CHECK_EQUAL(without_wall_clock(a.out), without_wall_clock(b.out));
    // No wall-clock figure outside the echoed configuration (whose sim.wall_limit_s is a key).
    json results = a.report;
    results.erase("config");
    BOOST_CHECK(results.dump().find("wall") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bar_size_override_changes_what_the_host_sees) {
    auto r = epsim("run --set function.test.bar_sizes[2]=65536");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK_EQUAL(bar_size(r.report, 2), 65536u);
    BOOST_CHECK_EQUAL(bar_size(r.report, 3), 131072u);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
}

BOOST_AUTO_TEST_CASE(unused_bar_is_skipped) {
    auto r = epsim("run --set function.test.bar_sizes[3]=0");
    BOOST_CHECK_EQUAL(r.status, 0);
    const auto& t = test_named(r.report, "pci_ep_bar.BAR3.BAR_TEST");
    BOOST_CHECK_EQUAL(t.at("result"), "SKIP");
    BOOST_CHECK_EQUAL(t.at("reason"), "BAR is disabled");
    BOOST_CHECK_EQUAL(test_named(r.report, "pci_ep_bar.BAR3.BAR_SUBRANGE_TEST").at("result"),
                      "SKIP");
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
    BOOST_CHECK(r.out.find("ok 7 pci_ep_bar.BAR3.BAR_TEST # SKIP BAR is disabled") !=
                std::string::npos);
}

// Without a usable test register BAR (BAR0 reserved, the function's BAR0 size 0) the host driver's
// probe fails, as Linux pci_endpoint_test's ("Cannot perform PCI test without BAR0"): there is no
// device to open, so every kselftest test fails in its fixture's set-up, none passes or skips.
BOOST_AUTO_TEST_CASE(a_failed_probe_fails_every_test) {
    auto r = epsim("run --set host.pcitest_msix_sample=true --set dwc.bars[0].type=reserved "
                   "--set function.test.bar_sizes=[0,0,131072,131072,131072,1048576]");
    BOOST_CHECK_EQUAL(r.status, 1);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("totals").at("pass"), 0);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("skip"), 0);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 47);
    for (const auto& t : r.report.at("tests"))
        BOOST_CHECK_MESSAGE(t.at("reason").get<std::string>().find("probe failed") !=
                                std::string::npos,
                            t.at("name").get<std::string>());
}

BOOST_AUTO_TEST_CASE(bar_types_64bit_resizable_fixed) {
    auto r = epsim("run --set dwc.bars[2].only_64bit=true --set dwc.bars[3].type=reserved"
                   " --set function.test.bar_sizes[3]=0"
                   " --set dwc.bars[4].type=resizable --set function.test.bar_sizes[4]=2097152"
                   " --set dwc.bars[1].type=fixed --set dwc.bars[1].fixed_size=8192"
                   " --set function.test.bar_sizes[1]=1024");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    bool saw64 = false;
    for (const auto& b : r.report.at("enumeration").at("devices").at(0).at("bars"))
        if (b.at("bar") == 2) saw64 = b.at("is64").get<bool>();
    BOOST_CHECK(saw64);
    BOOST_CHECK_EQUAL(bar_size(r.report, 1), 8192u);    // fixed size wins
    BOOST_CHECK_EQUAL(bar_size(r.report, 4), 2097152u); // resizable: selected through REBAR
    BOOST_CHECK_EQUAL(test_named(r.report, "pci_ep_bar.BAR3.BAR_TEST").at("result"), "SKIP");
    BOOST_CHECK_EQUAL(test_named(r.report, "pci_ep_bar.BAR4.BAR_TEST").at("result"), "PASS");
}

BOOST_AUTO_TEST_CASE(viewport_core_and_other_link) {
    auto r = epsim("run --set dwc.version=4.70a --set link.gen=2 --set link.width=1 --log fw");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    BOOST_CHECK_EQUAL(r.report.at("link").at("gen"), 2);
    BOOST_CHECK_EQUAL(r.report.at("link").at("width"), 1);
    BOOST_CHECK(r.out.find("iATU: unroll F, 8 ob, 8 ib, align 4K, limit 1024G") !=
                std::string::npos);
}

BOOST_AUTO_TEST_CASE(crs_until_the_function_is_ready) {
    auto none = epsim("run --set function.test.init_delay_us=0");
    BOOST_CHECK_EQUAL(none.status, 0);
    BOOST_CHECK_EQUAL(none.report.at("enumeration").at("crs_retries"), 0);
    auto slow = epsim("run --set function.test.init_delay_us=1000");
    BOOST_CHECK_EQUAL(slow.status, 0);
    BOOST_CHECK_GE(slow.report.at("enumeration").at("crs_retries").get<int>(), 9);
    BOOST_CHECK_GE(slow.report.at("controller").at("crs_completions").get<int>(), 9);
    // A device that never becomes ready: the host gives up after host.test_timeout_us.
    auto never =
        epsim("run --set function.test.init_delay_us=5000000 --set host.test_timeout_us=2000");
    BOOST_CHECK_EQUAL(never.status, 1);
    BOOST_CHECK_EQUAL(never.report.at("status"), "FAIL");
    BOOST_CHECK(never.out.find("enumeration failed: ETIMEDOUT") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(register_log_shows_the_bring_up_sequence) {
    auto r = epsim("run --log regs", false);
    BOOST_CHECK_EQUAL(r.status, 0);
    auto at = [&](const std::string& s) { return r.out.find(s); };
    const auto header = at("ep-cpu W 0x000 DBI.VENDOR_DEVICE=0xedda16c3");
    const auto bar = at("DBI2.BAR5_MASK=0x000fffff {ENABLE=0x1}");
    const auto ltssm = at("APP.APP_CTRL=0x00000003 {LTSSM_EN=0x1");
    const auto link_up = at("APP.APP_IRQ_STATUS=0x00000001 {LINK_UP=0x1");
    const auto host = at("host R 0x000 DBI.VENDOR_DEVICE");
    BOOST_REQUIRE(header != std::string::npos);
    BOOST_REQUIRE(bar != std::string::npos);
    BOOST_REQUIRE(ltssm != std::string::npos);
    BOOST_REQUIRE(link_up != std::string::npos);
    BOOST_REQUIRE(host != std::string::npos);
    BOOST_CHECK_LT(header, bar);
    BOOST_CHECK_LT(bar, ltssm);
    BOOST_CHECK_LT(ltssm, link_up);
    BOOST_CHECK_LT(link_up, host);
}

BOOST_AUTO_TEST_CASE(bad_configuration_is_one_line_naming_key_and_rule) {
    struct row {
        std::string args, expect;
    };
    const std::string bad_json = temp_path("bad.json");
    {
        std::ofstream os(bad_json);
        os << "{ \"link\": { \"gen\": 3, }\n";
    }
    const std::string unknown_json = temp_path("unknown.json");
    {
        std::ofstream os(unknown_json);
        os << "{ \"dwc\": { \"iatu\": { \"windows\": 4 } } }\n";
    }
    const row rows[] = {
        {"run --set link.width=3", "link.width = 3: must be one of 1, 2, 4, 8, 16"},
        {"run --set link.lanes=4", "link.lanes: unknown key"},
        {"run --set function.test.bar_sizes[2]=100000",
         "function.test.bar_sizes[2] = 100000: must be 0 (unused) or a power of two"},
        {"run --config " + bad_json, "malformed JSON at line 1"},
        {"run --config " + unknown_json, "dwc.iatu.windows: unknown key"},
        {"run --config /nonexistent/cfg.json", "cannot open"},
        {"run --set link.gen=x", "link.gen: expected an unsigned integer"},
        {"run --set dwc.iatu.miss_policy=drop", "dwc.iatu.miss_policy"},
        {"run --log everything", "--log everything: unknown category"},
        {"run --workload nope", "--workload nope: unknown workload"},
    };
    for (const auto& r : rows) {
        auto res = epsim(r.args, false);
        BOOST_CHECK_MESSAGE(res.status == 2, r.args << ": exit " << res.status);
        BOOST_CHECK_MESSAGE(res.out.find(r.expect) != std::string::npos,
                            r.args << ": output was: " << res.out);
        BOOST_CHECK_MESSAGE(std::count(res.out.begin(), res.out.end(), '\n') == 1,
                            r.args << ": expected one line, got: " << res.out);
    }
    std::remove(bad_json.c_str());
    std::remove(unknown_json.c_str());
}

BOOST_AUTO_TEST_CASE(config_dump_is_complete_json) {
    auto r = epsim("config --dump --set link.gen=5", false);
    BOOST_CHECK_EQUAL(r.status, 0);
    json j = json::parse(r.out, nullptr, false);
    BOOST_REQUIRE(!j.is_discarded());
    for (const char* k : {"sim", "link", "dwc", "function", "smmu", "dram", "host", "board", "cpu"})
        BOOST_CHECK_MESSAGE(j.contains(k), k);
    BOOST_CHECK_EQUAL(j.at("link").at("gen"), 5);
    BOOST_CHECK_EQUAL(j.at("dwc").at("bars").size(), 6u);
    BOOST_CHECK_EQUAL(j.at("function").at("test").at("bar_sizes").at(5), 1048576);
    auto bad = epsim("config --dump --set link.gen=7", false);
    BOOST_CHECK_EQUAL(bad.status, 2);
    BOOST_CHECK(bad.out.find("link.gen = 7: must be in [1, 6]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(command_line_errors) {
    auto none = epsim("", false);
    BOOST_CHECK_EQUAL(none.status, 2);
    auto help = epsim("run --help", false);
    BOOST_CHECK_EQUAL(help.status, 0);
    BOOST_CHECK(help.out.find("--set") != std::string::npos);
    auto stray = epsim("run --frobnicate", false);
    BOOST_CHECK_EQUAL(stray.status, 2);
}

BOOST_AUTO_TEST_CASE(a_run_that_cannot_finish_is_stopped) {
    auto r = epsim("run --set sim.time_limit_us=50");
    BOOST_CHECK_EQUAL(r.status, 3);
    BOOST_CHECK_EQUAL(r.report.at("status"), "HUNG");
    BOOST_CHECK(r.out.find("did not finish within sim.time_limit_us = 50") != std::string::npos);
}

// ---- the iATU, the mapping API and interrupts -------------------------------------------------

BOOST_AUTO_TEST_CASE(memcpy_suite_on_other_iatu_geometries) {
    const char* variants[] = {
        "--set dwc.iatu.outbound_windows=3 --set dwc.iatu.region_align=65536",
        "--set dwc.version=4.70a",
        // Tiny mappings: every transfer is hundreds of partial mappings.
        "--set function.max_map_bytes=4096",
        // Host buffers straddle 4 GiB and the region limit is 4 GiB: mappings are cut there.
        "--set host.mem_base=0xFFC00000 --set dwc.iatu.region_limit=4294967296",
    };
    for (const char* v : variants) {
        auto r = epsim(std::string("run --set host.pcitest_msix_sample=true ") + v);
        BOOST_CHECK_MESSAGE(r.status == 0, v << ": exit " << r.status);
        BOOST_REQUIRE(r.report.is_object());
        BOOST_CHECK_MESSAGE(r.report.at("totals").at("fail") == 0, v);
        for (const char* t : {"pci_ep_data_transfer.memcpy.READ_TEST.1024001",
                              "pci_ep_data_transfer.memcpy.WRITE_TEST.1024001",
                              "pci_ep_data_transfer.memcpy.COPY_TEST.1024001",
                              "pci_ep_basic.MSI_TEST", "pci_ep_basic.LEGACY_IRQ_TEST"})
            BOOST_CHECK_MESSAGE(test_named(r.report, t).at("result") == "PASS", v << ": " << t);
    }
}

BOOST_AUTO_TEST_CASE(firmware_probes_the_configured_geometry) {
    struct row {
        const char* args;
        const char* line;
    };
    const row rows[] = {
        {"", "iATU: unroll T, 8 ob, 8 ib, align 4K, limit 1024G"},
        {"--set dwc.iatu.outbound_windows=3 --set dwc.iatu.inbound_windows=7"
         " --set dwc.iatu.region_align=65536 --set dwc.iatu.region_limit=4294967296",
         "iATU: unroll T, 3 ob, 7 ib, align 64K, limit 4G"},
        {"--set dwc.version=4.70a --set dwc.iatu.outbound_windows=4 --set "
         "dwc.iatu.inbound_windows=7",
         "iATU: unroll F, 4 ob, 7 ib, align 4K, limit 1024G"},
        {"--set dwc.version=3.65a --set dwc.iatu.region_limit=4294967296",
         "iATU: unroll F, 8 ob, 8 ib, align 4K, limit 4G"},
        // The board claims room for 256 regions (board.atu_size); the hardware has 16/12.
        {"--set dwc.iatu.outbound_windows=16 --set dwc.iatu.inbound_windows=12"
         " --set dwc.iatu.region_align=16384",
         "iATU: unroll T, 16 ob, 12 ib, align 16K, limit 1024G"},
    };
    for (const auto& r : rows) {
        auto res =
            epsim(std::string("run --set host.pcitest_msix_sample=true --log fw ") + r.args, false);
        BOOST_CHECK_MESSAGE(res.status == 0, r.args << ": exit " << res.status);
        BOOST_CHECK_MESSAGE(res.out.find(r.line) != std::string::npos,
                            r.args << ": no '" << r.line << "'");
    }
}

BOOST_AUTO_TEST_CASE(iatu_miss_policy_seen_by_the_host) {
    // UR: the host's BAR test fails and says why.
    auto ur = epsim("run --set host.pcitest_msix_sample=true --set function.test.unmapped_bar=2"
                    " --set dwc.iatu.miss_policy=ur");
    BOOST_CHECK_EQUAL(ur.status, 1);
    const auto& t = test_named(ur.report, "pci_ep_bar.BAR2.BAR_TEST");
    BOOST_CHECK_EQUAL(t.at("result"), "FAIL");
    BOOST_CHECK(t.at("reason").get<std::string>().find("Received Master Abort (UR completion)") !=
                std::string::npos);
    BOOST_CHECK_GT(ur.report.at("controller").at("iatu_misses").get<int>(), 0);
    BOOST_CHECK_GT(ur.report.at("controller").at("unsupported_requests").get<int>(), 0);
    // Passthrough (what silicon does): with BARs placed where the endpoint has DRAM, the data
    // lands at the untranslated address, the test cannot tell, and the log says so.
    auto pt = epsim("run --set host.pcitest_msix_sample=true --set function.test.unmapped_bar=2"
                    " --set host.mmio32_base=0x90000000");
    BOOST_CHECK_EQUAL(pt.status, 0);
    BOOST_CHECK_EQUAL(test_named(pt.report, "pci_ep_bar.BAR2.BAR_TEST").at("result"), "PASS");
    BOOST_CHECK(pt.out.find("no iATU region matches; passed through untranslated to AXI address "
                            "0x90040000") != std::string::npos);
    BOOST_CHECK_GT(pt.report.at("sim").at("warnings").get<int>(), 0);
}

BOOST_AUTO_TEST_CASE(cpu_transfers_are_counted_as_tlps) {
    auto r = epsim("run --set host.pcitest_msix_sample=true --set cpu.mmio_access_bytes=4");
    BOOST_CHECK_EQUAL(r.status, 0);
    const auto& c = r.report.at("controller");
    // READ/WRITE/COPY of 1, 1024, 1025, 1024000, 1024001 bytes, 4 bytes per access: at least
    // (2 * 2049 + 2 * 2048003) / 4 accesses move data each way (COPY counts twice).
    BOOST_CHECK_GE(c.at("outbound_tlps").get<std::uint64_t>(), 2u * (2049 + 2048003) / 4);
    BOOST_CHECK_EQUAL(c.at("outbound_errors"), 0);
    BOOST_CHECK_GT(r.report.at("root_complex").at("msi_messages").get<int>(), 0);
    BOOST_CHECK_GT(c.at("intx_messages").get<int>(), 0);
}

BOOST_AUTO_TEST_CASE(dma_suite_on_other_links_and_cores) {
    const char* variants[] = {
        "--set link.gen=5 --set link.width=16 --set link.mps=512",
        "--set dwc.version=4.70a", // legacy eDMA viewport
        "--set link.gen=1 --set link.width=1 --set link.mps=128 --set link.mrrs=128",
    };
    for (const char* v : variants) {
        auto r = epsim(std::string("run --set host.pcitest_msix_sample=true ") + v);
        BOOST_CHECK_MESSAGE(r.status == 0, v << ": exit " << r.status);
        BOOST_REQUIRE(r.report.is_object());
        BOOST_CHECK_MESSAGE(r.report.at("totals").at("fail") == 0, v);
        for (const char* t : {"pci_ep_data_transfer.dma.READ_TEST.1024001",
                              "pci_ep_data_transfer.dma.WRITE_TEST.1024001",
                              "pci_ep_data_transfer.dma.COPY_TEST.1024001"})
            BOOST_CHECK_MESSAGE(test_named(r.report, t).at("result") == "PASS", v << ": " << t);
    }
    // Without an eDMA channel the DMA variants fail, as under Linux: test_faults.
}

// ---- link timing from first principles and the eDMA ----------------------------------------

namespace {

// A dma-sweep of one size; returns the row of the given direction.
json sweep_row(const std::string& args, std::uint64_t bytes, const std::string& direction) {
    auto r = epsim("run --workload dma-sweep --set dram.ideal=true"
                   " --set dwc.datapath_bits=512 --set dwc.core_clock_mhz=4000"
                   " --set workload.dma_sweep.min_bytes=" +
                   std::to_string(bytes) +
                   " --set workload.dma_sweep.max_bytes=" + std::to_string(bytes) + " " + args);
    BOOST_REQUIRE_MESSAGE(r.status == 0, args << ": exit " << r.status << "\n" << r.out);
    BOOST_REQUIRE(r.report.contains("dma_sweep"));
    for (const auto& row : r.report.at("dma_sweep"))
        if (row.at("direction") == direction) return row;
    BOOST_FAIL("no " + direction + " row");
    return json();
}

// Usable link bytes per second, by hand: GT/s x encoding / 8 bits x lanes, less SKP ordered
// sets (4 symbols in 1538).
double link_Bps(double gtps, double payload_bits, double coded_bits, unsigned width) {
    return gtps * 1e9 * payload_bits / coded_bits / 8 * width * (1534.0 / 1538.0);
}

constexpr std::uint64_t sixteen_mib = 16u << 20;

} // namespace

BOOST_AUTO_TEST_CASE(edma_write_throughput_is_the_link_bound) {
    struct row {
        const char* args;
        double expected_Bps;
    };
    // 64-bit host addresses: a write TLP is 8 (framing, sequence, LCRC) + 16 (4 DW) + MPS.
    const row rows[] = {
        {"--set link.gen=1 --set link.width=4 --set link.mps=128",
         link_Bps(2.5, 8, 10, 4) * 128 / (8 + 16 + 128)},
        {"--set link.gen=2 --set link.width=16 --set link.mps=256",
         link_Bps(5.0, 8, 10, 16) * 256 / (8 + 16 + 256)},
        {"--set link.gen=3 --set link.width=4 --set link.mps=256",
         link_Bps(8.0, 128, 130, 4) * 256 / (8 + 16 + 256)},
        {"--set link.gen=4 --set link.width=4 --set link.mps=512",
         link_Bps(16.0, 128, 130, 4) * 512 / (8 + 16 + 512)},
        {"--set link.gen=5 --set link.width=16 --set link.mps=512",
         link_Bps(32.0, 128, 130, 16) * 512 / (8 + 16 + 512)},
    };
    for (const auto& r : rows) {
        json w = sweep_row(std::string(r.args) + " --set workload.dma_sweep.read=false",
                           sixteen_mib, "write");
        const double got = w.at("throughput_Bps").get<double>();
        BOOST_CHECK_MESSAGE(std::abs(got - r.expected_Bps) / r.expected_Bps < 0.02,
                            r.args << ": " << got << " B/s, expected " << r.expected_Bps);
        BOOST_CHECK_EQUAL(w.at("bound"), "link");
        BOOST_CHECK_EQUAL(w.at("aborted"), false);
    }
}

BOOST_AUTO_TEST_CASE(edma_read_throughput_follows_tags_and_round_trip) {
    // Gen3 x4, MPS 256, MRRS 512. Round trip of one 512-byte MRd on an idle link: the MRd (8 +
    // 16 bytes), propagation 10 ns, host latency, two 256-byte CplDs (8 + 12 + 256 each),
    // propagation.
    const double rate = link_Bps(8.0, 128, 130, 4);
    const double link_bound = rate * 256 / (8 + 12 + 256);
    for (unsigned latency_ns : {300u, 1000u})
        for (unsigned tags : {1u, 2u, 4u, 8u, 32u}) {
            const double rtt = 24 / rate + 10e-9 + latency_ns * 1e-9 + 2 * 276 / rate + 10e-9;
            const double expected = std::min(link_bound, tags * 512 / rtt);
            json r = sweep_row(
                "--set workload.dma_sweep.write=false --set link.tags=" + std::to_string(tags) +
                    " --set host.read_latency_ns=" + std::to_string(latency_ns),
                sixteen_mib, "read");
            const double got = r.at("throughput_Bps").get<double>();
            BOOST_CHECK_MESSAGE(std::abs(got - expected) / expected < 0.05,
                                "tags " << tags << ", " << latency_ns << " ns: " << got
                                        << " B/s, expected " << expected);
        }
}

BOOST_AUTO_TEST_CASE(mps_plus_one_costs_a_second_tlp) {
    json a = sweep_row("--set workload.dma_sweep.read=false", 256, "write");
    json b = sweep_row("--set workload.dma_sweep.read=false", 257, "write");
    BOOST_CHECK_EQUAL(a.at("tlps").at("MWr"), 1);
    BOOST_CHECK_EQUAL(b.at("tlps").at("MWr"), 2);
    // The second TLP carries one byte in one dword: 8 + 16 + 4 bytes on the wire.
    const double extra_ns = 28 / link_Bps(8.0, 128, 130, 4) * 1e9;
    const double got = b.at("time_ns").get<double>() - a.at("time_ns").get<double>();
    BOOST_CHECK_MESSAGE(std::abs(got - extra_ns) < 0.5, got << " ns, expected " << extra_ns);
}

BOOST_AUTO_TEST_CASE(rcb_unaligned_read_costs_extra_completions) {
    json aligned = sweep_row("--set workload.dma_sweep.write=false", 65536, "read");
    json unaligned =
        sweep_row("--set workload.dma_sweep.write=false --set workload.dma_sweep.offset_bytes=32",
                  65536, "read");
    // Aligned: every 512-byte MRd is answered by two 256-byte completions.
    BOOST_CHECK_EQUAL(aligned.at("tlps").at("CplD"), 256);
    BOOST_CHECK_GT(unaligned.at("tlps").at("CplD").get<int>(), 256);
    BOOST_CHECK_GT(unaligned.at("time_ns").get<double>(), aligned.at("time_ns").get<double>());
}

BOOST_AUTO_TEST_CASE(credit_starved_writes_stall) {
    // Two posted header credits, each back only after the host absorbed the write (1000 ns),
    // the UpdateFC DLLP (8 bytes) and propagation: two 256-byte writes per credit round trip.
    const double rate = link_Bps(8.0, 128, 130, 4);
    const double round_ns = 280 / rate * 1e9 + 10 + 1000 + 8 / rate * 1e9 + 10;
    const double expected = 2 * 256 / (round_ns * 1e-9);
    json w = sweep_row("--set workload.dma_sweep.read=false"
                       " --set link.credits.host.posted_header=2 --set host.write_absorb_ns=1000",
                       sixteen_mib, "write");
    const double got = w.at("throughput_Bps").get<double>();
    BOOST_CHECK_MESSAGE(std::abs(got - expected) / expected < 0.05,
                        got << " B/s, expected " << expected);
    BOOST_CHECK_EQUAL(w.at("bound"), "credits");
}

BOOST_AUTO_TEST_CASE(dma_sweep_report_is_reproducible) {
    auto a = epsim("run --workload dma-sweep --set workload.dma_sweep.max_bytes=1048576");
    auto b = epsim("run --workload dma-sweep --set workload.dma_sweep.max_bytes=1048576");
    BOOST_CHECK_EQUAL(a.status, 0);
    BOOST_CHECK_EQUAL(a.report.dump(), b.report.dump());
    // 64 B .. 1 MiB by factors of 4: 8 sizes, both directions.
    BOOST_CHECK_EQUAL(a.report.at("dma_sweep").size(), 16u);
    for (const auto& row : a.report.at("dma_sweep")) {
        BOOST_CHECK_GT(row.at("throughput_Bps").get<double>(), 0);
        BOOST_CHECK_EQUAL(row.at("firmware_status"), 0);
    }
}

// ---- cmd-stream ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(cmd_stream_serves_commands_both_ways) {
    for (const char* mover : {"cpu", "edma"}) {
        auto r = epsim(std::string("run --workload cmd-stream --set function.cmd.commands=64"
                                   " --set function.cmd.mover=") +
                       mover);
        BOOST_CHECK_MESSAGE(r.status == 0, mover << ": exit " << r.status << "\n" << r.out);
        BOOST_REQUIRE(r.report.is_object());
        const auto& m = r.report.at("metrics");
        BOOST_CHECK_EQUAL(m.at("commands_count"), 64);
        BOOST_CHECK_EQUAL(m.at("errors_count"), 0);
        BOOST_CHECK_GT(m.at("commands_per_s").get<double>(), 0);
        BOOST_CHECK_GE(m.at("latency_p99_ns").get<double>(), m.at("latency_mean_ns").get<double>());
        BOOST_CHECK_EQUAL(m.at("msis_count"), 64); // one MSI per completion
        // Only the CPU mover maps host pages: 8 pages per command.
        BOOST_CHECK_EQUAL(m.at("maps_count").get<int>(), std::string(mover) == "cpu" ? 64 * 8 : 0);
    }
}

BOOST_AUTO_TEST_CASE(cmd_stream_window_stalls_follow_windows_and_concurrency) {
    // One window is the MSI's; 16 windows hold a command's 8 pages, 2 windows do not.
    auto few = epsim("run --workload cmd-stream --set function.cmd.commands=32"
                     " --set dwc.iatu.outbound_windows=2 --set function.cmd.concurrency=4");
    auto many = epsim("run --workload cmd-stream --set function.cmd.commands=32"
                      " --set dwc.iatu.outbound_windows=16 --set function.cmd.concurrency=1");
    BOOST_CHECK_EQUAL(few.status, 0);
    BOOST_CHECK_EQUAL(many.status, 0);
    BOOST_CHECK_GT(few.report.at("metrics").at("window_busy_stalls_count").get<int>(), 0);
    BOOST_CHECK_EQUAL(many.report.at("metrics").at("window_busy_stalls_count"), 0);
    // Either way every page is mapped once.
    BOOST_CHECK_EQUAL(few.report.at("metrics").at("maps_count"), 32 * 8);
    BOOST_CHECK_EQUAL(many.report.at("metrics").at("maps_count"), 32 * 8);
}

// ---- faults ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(completion_timeout_fails_exactly_the_test_that_hit_it) {
    // The 5000th read the host answers falls inside the memcpy WRITE test of 1024000 bytes.
    auto r = epsim("run --set host.pcitest_msix_sample=true"
                   " --set faults.completion_timeout.nth_read=5000");
    BOOST_CHECK_EQUAL(r.status, 1);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 1);
    unsigned failed = 0;
    for (const auto& t : r.report.at("tests")) {
        if (t.at("result") != "FAIL") continue;
        ++failed;
        std::string reason = t.at("reason").get<std::string>();
        std::transform(reason.begin(), reason.end(), reason.begin(), ::tolower);
        BOOST_CHECK_MESSAGE(reason.find("completion timeout") != std::string::npos, reason);
    }
    BOOST_CHECK_EQUAL(failed, 1u);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("completion_timeouts"), 1);
    BOOST_CHECK_EQUAL(r.report.at("root_complex").at("injected_faults"), 1);
    // The endpoint reported it as a non-fatal error (the host enabled error reporting).
    BOOST_CHECK_EQUAL(r.report.at("root_complex").at("err_nonfatal_messages"), 1);
}

BOOST_AUTO_TEST_CASE(ur_and_ca_injected_at_the_completer) {
    for (const char* key : {"faults.ur_at_completer.nth_read", "faults.ca_at_completer.nth_read"}) {
        auto r =
            epsim(std::string("run --set host.pcitest_msix_sample=true --set ") + key + "=5000");
        BOOST_CHECK_EQUAL(r.status, 1);
        BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 1);
        BOOST_CHECK_EQUAL(r.report.at("root_complex").at("injected_faults"), 1);
        BOOST_CHECK_EQUAL(r.report.at("controller").at("completion_timeouts"), 0);
    }
    // The firmware logs the read channel's error status as it was before it cleared the abort
    // (the clear clears it too): RD_ERR_STATUS_HIGH has one bit per channel for an Unsupported
    // Request in bits 7:0 and for a Completer Abort in bits 15:8, so channel 0's UR reads
    // 0x1_0000_0000 and its CA 0x100_0000_0000 as HIGH:LOW.
    const std::pair<const char*, const char*> aborts[] = {
        {"faults.ur_at_completer.nth_read", "aborted (err_status 0x100000000)"},
        {"faults.ca_at_completer.nth_read", "aborted (err_status 0x10000000000)"}};
    for (const auto& [key, line] : aborts) {
        auto r = epsim(std::string("run --workload dma-sweep --log edma --set ") + key + "=3");
        BOOST_CHECK_MESSAGE(r.out.find(std::string("read ch0 ") + line) != std::string::npos,
                            key << ":\n"
                                << r.out);
    }
}

BOOST_AUTO_TEST_CASE(pcitest_passes_with_and_without_the_smmu) {
    for (const char* enabled : {"true", "false"}) {
        auto r = epsim(std::string("run --set host.pcitest_msix_sample=true --set smmu.enabled=") +
                       enabled);
        BOOST_CHECK_MESSAGE(r.status == 0, "smmu.enabled=" << enabled << ": exit " << r.status
                                                           << "\n"
                                                           << r.out);
        BOOST_REQUIRE(r.report.is_object());
        BOOST_CHECK_EQUAL(test_named(r.report, "pcie_ep_doorbell.DOORBELL_TEST").at("result"),
                          "PASS");
        BOOST_CHECK_EQUAL(r.report.contains("smmu"), std::string(enabled) == "true");
        if (std::string(enabled) == "true") {
            const auto& s = r.report.at("smmu");
            BOOST_CHECK(s.at("enabled_by_firmware").get<bool>());
            BOOST_CHECK_EQUAL(s.at("bypassed"), 0); // every access translated
            BOOST_CHECK_GT(s.at("tlb_hits").get<std::uint64_t>(), 0u);
            BOOST_CHECK_GT(s.at("walks").get<std::uint64_t>(), 0u);
            BOOST_CHECK_EQUAL(s.at("faults").size(), 0u);
        }
    }
}

// The interrupt window at the start of DRAM (its default is near the end): the firmware's buffers
// come from the DRAM above it, and the suite (the doorbell through the window included) passes
// with and without the SMMU.
BOOST_AUTO_TEST_CASE(an_interrupt_window_at_the_start_of_dram) {
    for (const char* enabled : {"true", "false"}) {
        auto r = epsim(std::string("run --set host.pcitest_msix_sample=true --set "
                                   "mc.irq_window.base=0x80000000 --set smmu.enabled=") +
                       enabled);
        BOOST_CHECK_MESSAGE(r.status == 0, "smmu.enabled=" << enabled << ": exit " << r.status
                                                           << "\n"
                                                           << r.out);
        BOOST_REQUIRE(r.report.is_object());
        BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
        BOOST_CHECK_EQUAL(test_named(r.report, "pcie_ep_doorbell.DOORBELL_TEST").at("result"),
                          "PASS");
    }
}

BOOST_AUTO_TEST_CASE(pcitest_as_linux_6_18) {
    // Linux v6.18 tools/testing/selftests/pci_endpoint/pci_endpoint_test.c, in harness order:
    // pci_ep_bar BAR0..5 x BAR_TEST (no BAR_SUBRANGE_TEST in 6.18), pci_ep_basic
    // CONSECUTIVE_BAR_TEST, LEGACY_IRQ_TEST, MSI_TEST, MSIX_TEST, pci_ep_data_transfer memcpy
    // and dma x READ/WRITE/COPY_TEST over test_size {1, 1024, 1025, 1024000, 1024001} (a line
    // per size here), pcie_ep_doorbell DOORBELL_TEST: 6 + 4 + 2 x 3 x 5 + 1 = 41 lines (17
    // tests in Linux's harness).
    std::vector<std::string> want;
    for (unsigned b = 0; b < 6; ++b)
        want.push_back("pci_ep_bar.BAR" + std::to_string(b) + ".BAR_TEST");
    for (const char* t : {"CONSECUTIVE_BAR_TEST", "LEGACY_IRQ_TEST", "MSI_TEST", "MSIX_TEST"})
        want.push_back(std::string("pci_ep_basic.") + t);
    for (const char* variant : {"memcpy", "dma"})
        for (const char* t : {"READ_TEST", "WRITE_TEST", "COPY_TEST"})
            for (const char* size : {"1", "1024", "1025", "1024000", "1024001"})
                want.push_back(std::string("pci_ep_data_transfer.") + variant + "." + t + "." +
                               size);
    want.push_back("pcie_ep_doorbell.DOORBELL_TEST");
    BOOST_REQUIRE_EQUAL(want.size(), 41u);

    auto r = epsim("run --set host.pcitest_msix_sample=true --set host.pcitest.kernel=6.18");
    // The TAP lines, in order.
    std::vector<std::string> got;
    std::istringstream is(r.out);
    for (std::string line; std::getline(is, line);) {
        std::size_t name_at = 0;
        if (line.rfind("ok ", 0) == 0)
            name_at = 3;
        else if (line.rfind("not ok ", 0) == 0)
            name_at = 7;
        else
            continue;
        const std::size_t sp = line.find(' ', name_at);
        if (sp == std::string::npos) continue;
        got.push_back(line.substr(sp + 1, line.find(' ', sp + 1) - sp - 1));
    }
    BOOST_TEST(got == want, boost::test_tools::per_element());
    BOOST_CHECK(r.out.find("1..41") != std::string::npos);

    // COPY with DMA: 6.18's pci-epf-test needs a DMA_MEMCPY channel, which the DW eDMA does not
    // have: COPY_FAIL for each of the 5 sizes. Everything else passes.
    BOOST_CHECK_EQUAL(r.status, 1);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 5);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("pass"), 36);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("skip"), 0);
    for (const auto& t : r.report.at("tests")) {
        const std::string name = t.at("name").get<std::string>();
        const bool dma_copy = name.rfind("pci_ep_data_transfer.dma.COPY_TEST.", 0) == 0;
        BOOST_CHECK_MESSAGE(t.at("result") == (dma_copy ? "FAIL" : "PASS"),
                            name << ": " << t.dump());
        if (dma_copy)
            BOOST_CHECK_MESSAGE(
                t.at("reason").get<std::string>().find("COPY_FAIL") != std::string::npos, t.dump());
    }
    BOOST_CHECK(r.out.find("DMA controller doesn't support MEMCPY") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(iova_workload_maps_checks_unmaps_and_faults) {
    for (const char* extra :
         {"", " --set dwc.iatu.inbound_windows=2 --set function.iova.buffers=200"}) {
        auto r = epsim(std::string("run --workload iova") + extra);
        BOOST_CHECK_MESSAGE(r.status == 0, extra << ": exit " << r.status << "\n" << r.out);
        BOOST_REQUIRE(r.report.is_object());
        const auto& v = r.report.at("iova");
        const unsigned n = *extra ? 200 : 64;
        BOOST_CHECK(v.at("passed").get<bool>());
        BOOST_CHECK_EQUAL(v.at("buffers"), n);
        BOOST_CHECK_EQUAL(v.at("bad_buffers_first_check"), 0);
        BOOST_CHECK_EQUAL(v.at("bad_buffers_second_check"), 0);
        BOOST_CHECK_EQUAL(v.at("host_read_back_mismatches"), 0);
        BOOST_CHECK_EQUAL(v.at("unmapped_page"), n / 2 + 1);
        BOOST_CHECK_EQUAL(v.at("unmapped_read"), "SLVERR"); // Completer Abort at the host
        BOOST_CHECK_GT(v.at("smmu_fault_records_at_unmapped_page").get<unsigned>(), 0u);
        BOOST_CHECK_EQUAL(v.at("poison_words_in_dram"), 0);
        BOOST_CHECK_EQUAL(v.at("shadow_mismatches"), 0);
        // The model's own account: translation faults at the unmapped page, reads and writes,
        // and the controller answered the read with a Completer Abort.
        const auto& s = r.report.at("smmu");
        BOOST_CHECK_GT(s.at("faulting_reads").get<unsigned>(), 0u);
        BOOST_CHECK_GT(s.at("faulting_writes_dropped").get<unsigned>(), 0u);
        BOOST_REQUIRE(!s.at("faults").empty());
        BOOST_CHECK_EQUAL(s.at("faults").at(0).at("event"), "F_TRANSLATION");
        BOOST_CHECK_GT(r.report.at("controller").at("completer_aborts").get<unsigned>(), 0u);
        BOOST_CHECK(r.out.find("iova: PASS") != std::string::npos);
    }
    // Without an SMMU the workload cannot run: a one-line configuration error.
    auto r = epsim("run --workload iova --set smmu.enabled=false", false);
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK(r.out.find("needs the SMMU") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(smmu_stream_id_fixed_or_requester_id) {
    struct mode {
        const char* sets;
        std::uint32_t stream_id; // what the SMMU must see on every transaction
        const char* table;       // the stream table the firmware must have built
    };
    const mode modes[] = {
        // The endpoint is 01:00.0 (bus 1 below root port 0 on bus 0): requester ID 0x0100; the
        // table covers every bus: 16-bit StreamIDs, level-2 tables of 256 STEs (devfn).
        {"--set dwc.stream_id_mode=requester_id", 0x0100, "2-level, LOG2SIZE 16, SPLIT 8"},
        // 0x1234 = 4660 needs 13 bits; SPLIT 6 needs 2^7 x 8 + 2^6 x 64 = 5120 bytes, less than
        // SPLIT 8 (256 + 16384), SPLIT 10 (64 + 65536) or linear (2^13 x 64).
        {"--set dwc.stream_id=0x1234", 0x1234, "2-level, LOG2SIZE 13, SPLIT 6"},
        // 0x3F needs 6 bits: linear, 64 STEs (4096 bytes); no SPLIT below 6.
        {"--set dwc.stream_id=0x3f", 0x3F, "linear, LOG2SIZE 6"},
    };
    for (const mode& m : modes) {
        auto r = epsim(std::string("run --set host.pcitest_msix_sample=true --log fw ") + m.sets);
        BOOST_CHECK_MESSAGE(r.status == 0, m.sets << ": exit " << r.status << "\n" << r.out);
        BOOST_REQUIRE(r.report.is_object());
        BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
        const auto& s = r.report.at("smmu");
        BOOST_REQUIRE_EQUAL(s.at("streams").size(), 1u);
        BOOST_CHECK_EQUAL(s.at("streams")[0].at("stream_id").get<std::uint32_t>(), m.stream_id);
        BOOST_CHECK_EQUAL(s.at("bypassed"), 0);
        BOOST_CHECK_EQUAL(s.at("faults").size(), 0u);
        BOOST_CHECK_MESSAGE(r.out.find(m.table) != std::string::npos, m.sets << ": " << m.table);
    }
}

BOOST_AUTO_TEST_CASE(iotlb_working_set_study) {
    // Each row's throughput by mapping and working set.
    using key = std::pair<std::string, std::uint64_t>;
    auto rows = [](const json& report) {
        std::map<std::pair<std::string, std::uint64_t>, double> t;
        for (const auto& row : report.at("iotlb_sweep").at("rows")) {
            BOOST_CHECK_EQUAL(row.at("errors"), 0);
            t[{row.at("mapping").get<std::string>(),
               row.at("working_set_bytes").get<std::uint64_t>()}] =
                row.at("throughput_MBps").get<double>();
        }
        return t;
    };
    auto r = epsim("run --workload iotlb-sweep");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.out);
    auto t = rows(r.report);
    const std::uint64_t reach = 64 * 4096; // smmu.tlb_entries x 4 KiB
    BOOST_REQUIRE_EQUAL(t.size(), 22u);
    // 4 KiB pages: past the IOTLB's reach every read may walk.
    const double pages_4x = t[key{"4KiB-pages", 4 * reach}];
    const double pages_half = t[key{"4KiB-pages", reach / 2}];
    BOOST_CHECK_LT(pages_4x, 0.8 * pages_half);
    // 2 MiB blocks: 32 entries cover 64 MiB. Past the DRAM's open-row reach (a 64 KiB..1 MiB
    // effect of the memory, seen identically with pages) the curve is flat to 64 MiB.
    BOOST_CHECK_LT(
        std::abs(t[key{"2MiB-blocks", 64ull << 20}] / t[key{"2MiB-blocks", 4 * reach}] - 1), 0.05);
    // With ideal DRAM only the SMMU remains: blocks flat over the whole sweep, pages still fall.
    auto ideal = epsim("run --workload iotlb-sweep --set dram.ideal=true");
    BOOST_REQUIRE_MESSAGE(ideal.status == 0, ideal.out);
    auto u = rows(ideal.report);
    BOOST_CHECK_LT(
        std::abs(u[key{"2MiB-blocks", 64ull << 20}] / u[key{"2MiB-blocks", reach / 2}] - 1), 0.05);
    const double ideal_pages = u[key{"4KiB-pages", 64ull << 20}];
    const double ideal_blocks = u[key{"2MiB-blocks", 64ull << 20}];
    BOOST_CHECK_LT(ideal_pages, ideal_blocks);
    const auto& s = r.report.at("smmu");
    BOOST_CHECK_GT(s.at("tlb_misses").get<std::uint64_t>(), 1000u);
    BOOST_CHECK_GT(s.at("walk_cache_hits").get<std::uint64_t>(), 0u);
}

// `epsim workloads`: every workload the README documents, each with a description and the
// configuration keys it reads; every key (or prefix, shown "a.b.*") is one the configuration
// has, and every listed name runs as --workload (an unknown one is rejected).
BOOST_AUTO_TEST_CASE(workloads_lists_each_workload_with_description_and_keys) {
    auto r = epsim("workloads", false);
    BOOST_TEST(r.status == 0);
    // The README's workloads (its "Workload `...`" sections and the default).
    const std::vector<std::string> documented = {"pcitest", "cmd-stream",  "dma-sweep", "dma-mix",
                                                 "iova",    "iotlb-sweep", "p2p"};
    std::vector<std::string> names;
    std::map<std::string, std::vector<std::string>> keys;
    std::istringstream is(r.out);
    std::string line, current;
    while (std::getline(is, line)) {
        if (line.rfind("    keys: ", 0) == 0) {
            std::istringstream ks(line.substr(std::string("    keys: ").size()));
            for (std::string k; std::getline(ks, k, ',');)
                keys[current].push_back(k.substr(k.find_first_not_of(' ')));
        } else if (line.rfind("    ", 0) == 0) {
            BOOST_TEST(line.size() > 20u, current << ": a one-line description: " << line);
        } else {
            current = line;
            names.push_back(line);
        }
    }
    BOOST_TEST(names == documented, boost::test_tools::per_element());
    // Every key exists: in the dumped defaults, or in a topology's dump.
    const auto plain = epsim("config --dump", false);
    const auto topo = epsim("config --dump --config " + std::string(TOPOLOGY_DIR) +
                                "/two_root_ports_isolated.json",
                            false);
    const json dumps[] = {json::parse(plain.out), json::parse(topo.out)};
    for (const auto& name : documented) {
        BOOST_TEST(!keys[name].empty(), name << " lists its keys");
        for (const auto& k : keys[name]) {
            const bool prefix = k.size() > 2 && k.compare(k.size() - 2, 2, ".*") == 0;
            json::json_pointer ptr("/" + [&] {
                std::string s = prefix ? k.substr(0, k.size() - 2) : k;
                std::replace(s.begin(), s.end(), '.', '/');
                return s;
            }());
            bool found = false;
            for (const auto& d : dumps)
                found |= d.contains(ptr) && (!prefix || d.at(ptr).is_object());
            BOOST_TEST(found, name << ": key " << k << " is not in the configuration");
        }
    }
}

// End-to-end tests of the RTL iATU on the platform (dwc.iatu.impl = rtl | lockstep), waves
// (--waves) and the transaction trace (--trace): each runs build/epsim as a user would and
// checks its exit status, its output, its report and the files it wrote. Registered only when
// the co-simulation targets are built (Verilator present); the sanitizer stage runs it too.
#define BOOST_TEST_MODULE epsim_cosim
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "testbench/tests/cli_test_util.h"
#include "waves/vcd_signals.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using json = nlohmann::json;

using cli_test::read_file;
using cli_test::run_result;
using cli_test::temp_path;

run_result epsim(const std::string& args) {
    return cli_test::run_epsim(args);
}

const char* const other_geometry = " --set dwc.iatu.outbound_windows=4 --set "
                                   "dwc.iatu.inbound_windows=2 --set dwc.iatu.region_align=65536";
// A short workload that uses both iATU directions, the eDMA, the SMMU and interrupts.
const char* const short_run = " --workload cmd-stream --set function.cmd.commands=8 --set "
                              "function.cmd.mover=edma";

// The signals a VCD declares, sorted.
std::vector<std::string> declared_signals(const std::string& vcd) {
    std::vector<std::string> names = epvp::waves::declared_signals(vcd);
    std::sort(names.begin(), names.end());
    return names;
}

// A VCD of the RTL island: the iATU's APB and AXI signals declared, time advancing after the
// definitions.
void check_island_vcd(const std::string& text, const std::string& what) {
    BOOST_TEST_CONTEXT(what) {
        for (const char* sig :
             {" clk $end", " rst_n $end", " paddr [18:0] $end", " ob_s_arvalid $end",
              " ob_m_araddr [63:0] $end", " ib_s_aruser [31:0] $end", " ib_m_awvalid $end"})
            BOOST_TEST(text.find(sig) != std::string::npos, sig);
        const auto defs = text.find("$enddefinitions");
        BOOST_REQUIRE(defs != std::string::npos);
        BOOST_TEST(text.find("\n#", defs) != std::string::npos);
        // Every signal waves/dw_iatu.gtkw lists is declared under that full name.
        const std::vector<std::string> names = declared_signals(text);
        BOOST_TEST(names.size() > 100u);
        const std::set<std::string> declared(names.begin(), names.end());
        const std::string src = __FILE__;
        std::istringstream gtkw(
            read_file(src.substr(0, src.rfind('/')) + "/../../waves/dw_iatu.gtkw"));
        unsigned listed = 0;
        for (std::string line; std::getline(gtkw, line);)
            if (line.rfind("iatu.", 0) == 0) {
                const std::string name = line.substr(0, line.find('['));
                BOOST_TEST(declared.count(name) == 1u, "dw_iatu.gtkw lists " << name);
                ++listed;
            }
        BOOST_TEST(listed > 50u);
    }
}

void check_pcitest_passed(const run_result& r) {
    BOOST_TEST_INFO(r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0));
    BOOST_TEST(r.status == 0);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_TEST(r.report.at("status") == "PASS");
    BOOST_TEST(r.report.at("totals").at("fail") == 0);
    BOOST_TEST(r.report.at("totals").at("pass").get<int>() > 40);
}

} // namespace

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

BOOST_AUTO_TEST_CASE(rtl_iatu_passes_pcitest_on_the_data_path) {
    const run_result r = epsim("run --set dwc.iatu.impl=rtl");
    check_pcitest_passed(r);
    const json& c = r.report.at("iatu_cosim");
    BOOST_TEST(c.at("impl") == "rtl");
    // Both directions went through the RTL and it was programmed through APB.
    BOOST_TEST(c.at("outbound_translations").get<std::uint64_t>() > 0);
    BOOST_TEST(c.at("inbound_translations").get<std::uint64_t>() > 0);
    BOOST_TEST(c.at("register_writes").get<std::uint64_t>() > 0);
    BOOST_TEST(c.at("rtl_cycles").get<std::uint64_t>() > 0);
    BOOST_TEST(c.at("requests_in_flight") == 0); // every request answered
    BOOST_TEST(r.out.find("co-simulation speed") != std::string::npos);
}

// A run cut short by sim.time_limit_us while requests are inside the RTL iATU (the report counts
// them) ends as a hung run does (exit 3, the hung test named, the report written) and shuts down
// cleanly: the requests left suspended still have their own extensions on the payloads the stage
// and its bridges keep for reuse (an earlier build freed them at exit and aborted).
BOOST_AUTO_TEST_CASE(rtl_run_cut_short_mid_request_exits_3_cleanly) {
#ifdef EPVP_SANITIZE
    // What the processes suspended at the cut hold is still theirs, referred to from their
    // SystemC coroutine stacks, which LeakSanitizer does not scan. scripts/sanitize.supp lets
    // such blocks pass by the thread function at the bottom of their allocation stack, but a
    // string grown inside libstdc++ (no frame pointers) has a stack that stops there: it would
    // be reported as leaked (a 31-byte string here). Leaks are not checked for these two runs;
    // every other sanitizer check is.
    const char* const asan_options = std::getenv("ASAN_OPTIONS");
    const std::string kept = asan_options ? asan_options : "";
    ::setenv("ASAN_OPTIONS", (kept + ":detect_leaks=0").c_str(), 1);
    struct restore {
        std::string v;
        bool had;
        ~restore() {
            if (had)
                ::setenv("ASAN_OPTIONS", v.c_str(), 1);
            else
                ::unsetenv("ASAN_OPTIONS");
        }
    } restore_options{kept, asan_options != nullptr};
#endif
    for (const char* limit_us : {"20000", "30000"}) {
        const run_result r =
            epsim(std::string("run --set dwc.iatu.impl=rtl --set sim.time_limit_us=") + limit_us);
        BOOST_TEST_CONTEXT("sim.time_limit_us=" << limit_us) {
            BOOST_TEST_INFO(r.out.substr(r.out.size() > 2000 ? r.out.size() - 2000 : 0));
            BOOST_TEST(r.status == 3);
            BOOST_TEST(r.out.find("did not finish within sim.time_limit_us") != std::string::npos);
            BOOST_TEST(r.out.find("hung in pci_ep_bar.") != std::string::npos);
            BOOST_REQUIRE(r.report.is_object());
            BOOST_TEST(r.report.at("status") == "HUNG");
            const json& c = r.report.at("iatu_cosim");
            BOOST_TEST(c.at("inbound_translations").get<std::uint64_t>() > 0u);
            // The case this covers: the cut came while a request was inside the RTL.
            BOOST_TEST(c.at("requests_in_flight").get<std::uint64_t>() > 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(lockstep_over_pcitest_reports_zero_mismatches_and_coverage) {
    const run_result r = epsim("run --set dwc.iatu.impl=lockstep");
    check_pcitest_passed(r);
    const json& l = r.report.at("iatu_cosim").at("lockstep");
    BOOST_TEST(l.at("mismatches") == 0);
    BOOST_TEST(l.at("first_mismatch") == "");
    BOOST_TEST(l.at("compared").get<std::uint64_t>() > 100000);
    // pcitest reaches the BARs through BAR-match windows and the MSI window by address.
    BOOST_TEST(l.at("inbound_bar_match").get<std::uint64_t>() > 0);
    BOOST_TEST(r.out.find("iatu lockstep:") != std::string::npos);
    BOOST_TEST(r.out.find(" 0 mismatches") != std::string::npos);
    BOOST_TEST(r.out.find("iatu coverage: outbound hits per window [") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(other_geometry_matches_the_tlm_iatu_in_lockstep) {
    // The 4/2-window, 64 KiB geometry: the RTL run gives the same pcitest results as the TLM
    // one (BAR sub-range tests need more inbound windows than 2, with either iATU).
    const run_result tlm = epsim(std::string("run") + other_geometry);
    const run_result ls = epsim(std::string("run --set dwc.iatu.impl=lockstep") + other_geometry);
    BOOST_REQUIRE(tlm.report.is_object());
    BOOST_REQUIRE(ls.report.is_object());
    BOOST_TEST(ls.status == tlm.status);
    BOOST_TEST(ls.report.at("totals") == tlm.report.at("totals"));
    BOOST_TEST(ls.report.at("tests") == tlm.report.at("tests"));
    BOOST_TEST(ls.report.at("iatu_cosim").at("lockstep").at("mismatches") == 0);
    BOOST_TEST(ls.report.at("iatu_cosim").at("inbound_region_hits").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_geometry_without_an_rtl_build_is_a_config_error) {
    const run_result r = epsim("run --set dwc.iatu.impl=rtl --set dwc.iatu.outbound_windows=3");
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.out.find("epsim: error: dwc.iatu.impl = rtl: no RTL iATU was built for 3 "
                          "outbound / 8 inbound windows") != std::string::npos,
               r.out);
    BOOST_TEST(r.out.find("(built: 8 outbound / 8 inbound windows") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("4 outbound / 2 inbound windows, align 64 KiB") != std::string::npos,
               r.out);
    // A viewport core has no RTL iATU either.
    const run_result v = epsim("run --set dwc.iatu.impl=lockstep --set dwc.version=4.70a");
    BOOST_TEST(v.status == 2);
    BOOST_TEST(v.out.find("dwc.iatu.impl = lockstep: the RTL iATU has the unrolled layout only") !=
                   std::string::npos,
               v.out);
}

BOOST_AUTO_TEST_CASE(waves_round_trip_through_fst2vcd) {
    const std::string fst = temp_path("w.fst");
    const std::string model = fst.substr(0, fst.size() - 4) + ".model.vcd";
    const run_result r = epsim("run --set dwc.iatu.impl=rtl --waves " + fst + short_run);
    BOOST_TEST(r.status == 0, r.out);
    BOOST_TEST(r.out.find("epsim: waves to " + fst) != std::string::npos);
    const auto v = cli_test::run_captured(std::string(FST2VCD_PATH) + " " + fst);
    BOOST_TEST(v.status == 0);
    BOOST_TEST(v.out.find("$var wire 1 ") != std::string::npos);
    BOOST_TEST(v.out.find(" ob_s_arvalid $end") != std::string::npos);
    BOOST_TEST(v.out.find(" ib_m_awvalid $end") != std::string::npos);
    BOOST_TEST(v.out.find("$enddefinitions") != std::string::npos);
    // Time advanced and the clock toggled (value changes after the definitions).
    const auto defs = v.out.find("$enddefinitions");
    BOOST_TEST(v.out.find("\n#", defs) != std::string::npos);
    // The model's signals in their own VCD.
    const std::string m = read_file(model);
    for (const char* sig : {"ltssm_state", "link_downstream_busy", "link_upstream_busy",
                            "ep_app_irq", "ep_edma_irq", "host_msi_irq"})
        BOOST_TEST(m.find(sig) != std::string::npos, sig);
    BOOST_TEST(m.find("\n#") != std::string::npos);
    std::remove(fst.c_str());
    std::remove(model.c_str());
    // With the TLM iATU only the model's file is written; a wrong extension is refused.
    const std::string vcd = temp_path("t.vcd");
    const run_result t = epsim("run --waves " + vcd + short_run);
    BOOST_TEST(t.status == 0);
    const std::string tmodel = vcd.substr(0, vcd.size() - 4) + ".model.vcd";
    BOOST_TEST(read_file(tmodel).find("link_upstream_busy") != std::string::npos);
    BOOST_TEST(!std::ifstream(vcd).good());
    // The same run again, a wall-clock second later: the same bytes (SystemC's $date header,
    // the wall-clock date, is blanked).
    const std::string first = read_file(tmodel);
    ::sleep(1);
    BOOST_TEST(epsim("run --waves " + vcd + short_run).status == 0);
    BOOST_TEST((read_file(tmodel) == first));
    const auto date = first.find("$date"), date_end = first.find("$end");
    BOOST_TEST((date == 0 && date_end != std::string::npos &&
                first.substr(5, date_end - 5).find_first_not_of(" \n") == std::string::npos),
               first.substr(0, 80));
    std::remove(tmodel.c_str());
    const run_result bad = epsim("run --waves " + temp_path("w.txt") + short_run);
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.out.find("must end in .fst or .vcd") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(waves_as_vcd_name_the_same_signals_as_fst) {
    // The RTL iATU dumped to VCD directly (its VCD build), then the same run to FST: the two
    // declare the same signals under the same names, so the .gtkw save files load either.
    const std::string vcd = temp_path("w.vcd"), fst = temp_path("w.fst");
    const std::string vmodel = vcd.substr(0, vcd.size() - 4) + ".model.vcd";
    const std::string fmodel = fst.substr(0, fst.size() - 4) + ".model.vcd";
    const run_result r = epsim("run --set dwc.iatu.impl=rtl --waves " + vcd + short_run);
    BOOST_TEST(r.status == 0, r.out);
    BOOST_TEST(r.out.find("epsim: waves to " + vcd + "\n") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("epsim: waves to " + vmodel + "\n") != std::string::npos, r.out);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_TEST(r.report.at("iatu_cosim").at("rtl_cycles").get<std::uint64_t>() > 0);
    const std::string text = read_file(vcd);
    BOOST_TEST(text.rfind("$version Generated by VerilatedVcd", 0) == 0u);
    check_island_vcd(text, "VCD run");
    BOOST_TEST(read_file(vmodel).find("link_upstream_busy") != std::string::npos);

    const run_result f = epsim("run --set dwc.iatu.impl=rtl --waves " + fst + short_run);
    BOOST_TEST(f.status == 0, f.out);
    BOOST_REQUIRE(f.report.is_object());
    // The waves do not change the run.
    BOOST_TEST(f.report.at("iatu_cosim") == r.report.at("iatu_cosim"));
    const auto v = cli_test::run_captured(std::string(FST2VCD_PATH) + " " + fst);
    BOOST_TEST(v.status == 0);
    check_island_vcd(v.out, "FST run through fst2vcd");
    const std::vector<std::string> from_vcd = declared_signals(text);
    const std::vector<std::string> from_fst = declared_signals(v.out);
    BOOST_TEST(from_vcd.size() == from_fst.size());
    BOOST_TEST((from_vcd == from_fst));
    for (std::size_t i = 0; i < std::min(from_vcd.size(), from_fst.size()); ++i)
        if (from_vcd[i] != from_fst[i]) {
            BOOST_ERROR("first difference: VCD " << from_vcd[i] << ", FST " << from_fst[i]);
            break;
        }
    for (const auto& file : {vcd, vmodel, fst, fmodel})
        std::remove(file.c_str());
}

// Wave files are outputs like the others: one that could not be written (here a link to
// /dev/full, a device that refuses every write with ENOSPC) is one error line and exit 2 once the
// run ends. The RTL VCD writer once hung instead: Verilator's fatal path flushed the trace again
// while flushing it.
BOOST_AUTO_TEST_CASE(a_wave_file_that_cannot_be_written_is_an_error_not_a_hang) {
    namespace fs = std::filesystem;
    const std::string rtl = temp_path("full.vcd");
    const std::string model = rtl.substr(0, rtl.size() - 4) + ".model.vcd";
    for (const std::string& full : {rtl, model}) {
        std::remove(rtl.c_str());
        std::remove(model.c_str());
        fs::create_symlink("/dev/full", full);
        const run_result r = epsim("run --set dwc.iatu.impl=rtl --waves " + rtl + short_run);
        BOOST_TEST(r.status == 2, r.out);
        BOOST_TEST(r.out.find("epsim: error: --waves " + full + ": not a regular file") !=
                       std::string::npos,
                   r.out);
    }
    std::remove(rtl.c_str());
    std::remove(model.c_str());
}

BOOST_AUTO_TEST_CASE(lockstep_dumps_waves_in_both_formats) {
    for (const char* ext : {".vcd", ".fst"}) {
        BOOST_TEST_CONTEXT(ext) {
            const std::string file = temp_path(std::string("l") + ext);
            const std::string model = file.substr(0, file.size() - 4) + ".model.vcd";
            const run_result r =
                epsim("run --set dwc.iatu.impl=lockstep --waves " + file + short_run);
            BOOST_TEST(r.status == 0, r.out);
            BOOST_TEST(r.out.find("epsim: waves to " + file + "\n") != std::string::npos);
            BOOST_REQUIRE(r.report.is_object());
            const json& l = r.report.at("iatu_cosim").at("lockstep");
            BOOST_TEST(l.at("mismatches") == 0);
            BOOST_TEST(l.at("compared").get<std::uint64_t>() > 0);
            const std::string text =
                std::string(ext) == ".vcd"
                    ? read_file(file)
                    : cli_test::run_captured(std::string(FST2VCD_PATH) + " " + file).out;
            check_island_vcd(text, ext);
            BOOST_TEST(read_file(model).find("ltssm_state") != std::string::npos);
            std::remove(file.c_str());
            std::remove(model.c_str());
        }
    }
}

namespace {

// A trace's complete events per track, "process/thread", after checking the file's form.
std::map<std::string, std::size_t> events_per_track(const std::string& file) {
    std::map<std::string, std::size_t> out;
    const json j = json::parse(read_file(file), nullptr, false);
    BOOST_REQUIRE(!j.is_discarded());
    BOOST_REQUIRE(j.at("traceEvents").is_array());
    std::map<int, std::string> processes;
    std::map<std::pair<int, int>, std::string> threads;
    for (const auto& e : j.at("traceEvents"))
        if (e.at("ph") == "M" && e.at("name") == "process_name")
            processes[e.at("pid").get<int>()] = e.at("args").at("name").get<std::string>();
        else if (e.at("ph") == "M" && e.at("name") == "thread_name")
            threads[{e.at("pid").get<int>(), e.at("tid").get<int>()}] =
                e.at("args").at("name").get<std::string>();
    for (const auto& e : j.at("traceEvents")) {
        if (e.at("ph") == "M") continue;
        BOOST_TEST(e.at("ph") == "X");
        BOOST_TEST(e.at("ts").is_number());
        BOOST_TEST(e.at("dur").is_number());
        BOOST_TEST(e.at("dur").get<double>() >= 0);
        const std::pair<int, int> key{e.at("pid").get<int>(), e.at("tid").get<int>()};
        BOOST_REQUIRE(threads.count(key));
        ++out[processes.at(key.first) + "/" + threads.at(key)];
    }
    return out;
}

} // namespace

// Tracks are named by block kind (the process) and instance (the thread: the instance's name,
// then what the track shows), as docs/tracing.md lists them for the default platform.
BOOST_AUTO_TEST_CASE(trace_is_valid_trace_event_json_with_the_named_tracks) {
    const std::string file = temp_path("t.json");
    const run_result r = epsim("run --set dwc.iatu.impl=rtl --trace " + file + short_run);
    BOOST_TEST(r.status == 0, r.out);
    const auto tracks = events_per_track(file);
    std::size_t complete = 0;
    for (const auto& t : tracks)
        complete += t.second;
    BOOST_TEST(complete > 100u);
    for (const char* track :
         {"PCIe link/link downstream", "PCIe link/link upstream", "iATU/ep.dwc inbound",
          "iATU/ep.dwc outbound", "eDMA/ep.dwc.edma WR ch0", "eDMA/ep.dwc.edma RD ch0",
          "SMMU/ep.smmu walker", "CPU/ep.ep_cpu"})
        BOOST_TEST(tracks.count(track) == 1u, track);
    std::remove(file.c_str());
}

// p2p (two endpoints behind a switch): each endpoint's blocks have tracks of their own, and every
// link (both endpoints' and the switch's) is traced. The client's eDMA moves the data (one write
// and one read to the provider's BAR, then the done flag to the host), and the provider's iATU
// translates those TLPs inbound.
BOOST_AUTO_TEST_CASE(two_endpoints_have_tracks_of_their_own) {
    const std::string file = temp_path("p2p.json");
    const run_result r = epsim("run --workload p2p --trace " + file);
    BOOST_TEST(r.status == 0, r.out);
    const auto tracks = events_per_track(file);
    for (const char* track :
         {"PCIe link/client_link downstream", "PCIe link/client_link upstream",
          "PCIe link/provider_link downstream", "PCIe link/provider_link upstream",
          "PCIe link/sw0_link downstream", "PCIe link/sw0_link upstream", "iATU/client.dwc inbound",
          "iATU/provider.dwc inbound", "CPU/client.ep_cpu", "CPU/provider.ep_cpu"})
        BOOST_TEST(tracks.count(track) == 1u, track);
    BOOST_TEST(tracks.count("eDMA/client.dwc.edma WR ch0") == 1u);
    BOOST_TEST(tracks.count("eDMA/client.dwc.edma RD ch0") == 1u);
    if (tracks.count("eDMA/client.dwc.edma WR ch0"))
        BOOST_TEST(tracks.at("eDMA/client.dwc.edma WR ch0") == 2u); // data, then the done flag
    for (const auto& t : tracks)
        BOOST_TEST(t.first.find("provider.dwc.edma") == std::string::npos, t.first);
    std::remove(file.c_str());
}

BOOST_AUTO_TEST_CASE(trace_and_report_are_deterministic) {
    const std::string a = temp_path("a.json"), b = temp_path("b.json");
    const run_result ra = epsim("run --set dwc.iatu.impl=rtl --trace " + a + short_run);
    const run_result rb = epsim("run --set dwc.iatu.impl=rtl --trace " + b + short_run);
    BOOST_TEST(ra.status == 0);
    BOOST_TEST(rb.status == 0);
    const std::string ta = read_file(a), tb = read_file(b);
    BOOST_TEST(!ta.empty());
    BOOST_TEST((ta == tb));
    BOOST_TEST(ra.report.dump() == rb.report.dump());
    std::remove(a.c_str());
    std::remove(b.c_str());
    // Two endpoints' CPUs record their tracks in the order the kernel runs them, which the
    // quantum changes: the file numbers tracks by name, so it is the same at every quantum.
    std::string at[2];
    const char* quanta[] = {"10", "10000"};
    for (int q = 0; q < 2; ++q) {
        BOOST_TEST(epsim(std::string("run --workload p2p --set sim.quantum_ns=") + quanta[q] +
                         " --trace " + a)
                       .status == 0);
        at[q] = read_file(a);
    }
    BOOST_TEST(!at[0].empty());
    BOOST_TEST((at[0] == at[1]));
    std::remove(a.c_str());
}

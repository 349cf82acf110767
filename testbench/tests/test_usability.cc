// What a person running epsim sees: traces that say what was programmed, errors that name what
// was wrong and what the user typed, failure reasons carried into sweep results, plot axes in
// one unit, bounds that name replays and window stalls, TAP lines as tests complete, one log
// format and `epsim --help`. Each test runs build/epsim as a user would.
#define BOOST_TEST_MODULE usability
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int exit_usage = 2;

// The shared end-to-end helpers: a shell command under timeout(1), the scratch folder.
using cli_test::contains;
using cli_test::read_file;
using cli_test::work_dir;
using cli_test::write_file;
using run_result = cli_test::cmd_result;
constexpr int command_timeout_s = 300; // no command of this suite may run longer
struct scratch : cli_test::remove_work_dir {
    scratch() { cli_test::work_dir_stem() = "epsim_usability"; }
};
BOOST_GLOBAL_FIXTURE(scratch);

run_result shell(const std::string& cmd) {
    return cli_test::shell(cmd, command_timeout_s);
}

run_result epsim(const std::string& args) {
    return shell(std::string(EPSIM_PATH) + " " + args);
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream is(s);
    for (std::string line; std::getline(is, line);)
        out.push_back(line);
    return out;
}

std::size_t count_of(const std::string& s, const std::string& part) {
    std::size_t n = 0;
    for (auto at = s.find(part); at != std::string::npos; at = s.find(part, at + 1))
        ++n;
    return n;
}

const std::string small_dma = "run --workload dma-sweep --set workload.dma_sweep.min_bytes=65536 "
                              "--set workload.dma_sweep.max_bytes=65536";

} // namespace

// ---- item 7: the eDMA trace records what was programmed ---------------------------------------

BOOST_AUTO_TEST_CASE(edma_trace_events_carry_the_programmed_size_sar_and_dar) {
    // 100-byte transfers to a host buffer 0x123 bytes past a 4 KiB boundary
    // (workload.dma_sweep.offset_bytes), one of each (workload.dma_sweep.repeat_bytes = 0): the
    // write's DAR and the read's SAR start there; their end addresses would sit 100 bytes further
    // on.
    const fs::path trace = work_dir() / "edma_trace.json";
    const auto r = epsim("run --workload dma-sweep --set workload.dma_sweep.min_bytes=100 --set "
                         "workload.dma_sweep.max_bytes=100 --set "
                         "workload.dma_sweep.offset_bytes=0x123 --set "
                         "workload.dma_sweep.repeat_bytes=0 --trace " +
                         trace.string());
    BOOST_REQUIRE_EQUAL(r.status, 0);
    const json t = json::parse(read_file(trace));
    unsigned transfers = 0, at_buffer_start = 0;
    constexpr std::uint64_t page = 4096, offset = 0x123;
    for (const auto& e : t.at("traceEvents")) {
        if (!e.contains("args") || !e.at("args").contains("bytes") || !e.at("args").contains("sar"))
            continue;
        BOOST_CHECK_MESSAGE(e.at("args").at("bytes") != "0", e.dump());
        if (e.at("args").at("bytes") != "100") continue;
        ++transfers;
        const auto sar = std::stoull(e.at("args").at("sar").get<std::string>(), nullptr, 16);
        const auto dar = std::stoull(e.at("args").at("dar").get<std::string>(), nullptr, 16);
        at_buffer_start += (sar % page == offset) + (dar % page == offset);
    }
    BOOST_CHECK_EQUAL(transfers, 2u);       // the write and the read
    BOOST_CHECK_EQUAL(at_buffer_start, 2u); // the write's DAR, the read's SAR
}

// ---- item 9: a failing point's reason, and cmd-stream without a data window --------------------

BOOST_AUTO_TEST_CASE(cmd_stream_with_one_outbound_window_is_a_configuration_error) {
    const auto r = epsim("run --workload cmd-stream --set dwc.iatu.outbound_windows=1");
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "dwc.iatu.outbound_windows = 1"));
    BOOST_CHECK(contains(r.out, "MSI"));
    BOOST_CHECK(!contains(r.out, "simulated time")); // refused before the simulation
}

BOOST_AUTO_TEST_CASE(sweep_error_column_carries_the_reason_the_run_gave) {
    // A completion timeout on the host's reads of the cmd-stream fails the stream: the error
    // cell says which, not only the report's status.
    const fs::path spec = write_file("reason.json", R"({
      "workload": "cmd-stream",
      "set": ["function.cmd.commands=8", "faults.ur_at_completer.nth_read=40"],
      "parameters": {"link.gen": [3]}
    })");
    const fs::path out = work_dir() / "reason";
    const auto r = epsim("sweep " + spec.string() + " --jobs 1 --out " + out.string());
    BOOST_CHECK_NE(r.status, 0);
    const std::string csv = read_file(out / "results.csv");
    BOOST_TEST_MESSAGE(csv);
    BOOST_CHECK(!contains(csv, "report status"));
    BOOST_CHECK(contains(csv, "cmd-stream: "));
}

// ---- item 10: plot axes
// --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(plot_labels_say_the_scaled_unit_once) {
    // A sweep's results.json (what epsim plot reads), written by hand.
    const fs::path results = write_file(
        "units.json",
        R"([{"point": "point_0000", "host.read_latency_ns": 500, "link.gen": 3, "status": "PASS",
              "error": "", "commands_per_s": 250000},
             {"point": "point_0001", "host.read_latency_ns": 1000, "link.gen": 3, "status": "PASS",
              "error": "", "commands_per_s": 180000},
             {"point": "point_0002", "host.read_latency_ns": 2000, "link.gen": 3, "status": "PASS",
              "error": "", "commands_per_s": 120000}])");
    const fs::path svg = work_dir() / "units.svg";
    epsim("plot " + results.string() + " --x host.read_latency_ns --y commands_per_s -o " +
          svg.string());
    const std::string gp = read_file(work_dir() / "units.gp");
    // 500..2000 ns is shown in µs, 120000..250000 commands per second in thousands per second.
    BOOST_CHECK(contains(gp, "set xlabel 'host.read_latency (µs)'"));
    BOOST_CHECK(contains(gp, "set ylabel 'commands (k/s)'"));
    BOOST_CHECK(!contains(gp, "(s)"));
}

BOOST_AUTO_TEST_CASE(plot_refuses_a_varying_parameter_that_is_not_on_an_axis) {
    const fs::path results = write_file(
        "zigzag.json",
        R"([{"point": "point_0000", "host.read_latency_ns": 500, "link.gen": 3, "status": "PASS",
              "error": "", "commands_per_s": 250000},
             {"point": "point_0001", "host.read_latency_ns": 500, "link.gen": 4, "status": "PASS",
              "error": "", "commands_per_s": 260000},
             {"point": "point_0002", "host.read_latency_ns": 1000, "link.gen": 3, "status": "PASS",
              "error": "", "commands_per_s": 180000},
             {"point": "point_0003", "host.read_latency_ns": 1000, "link.gen": 4, "status": "PASS",
              "error": "", "commands_per_s": 190000}])");
    const auto r =
        epsim("plot " + results.string() + " --x host.read_latency_ns --y commands_per_s -o " +
              (work_dir() / "zigzag.svg").string());
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "link.gen"));
    BOOST_CHECK(contains(r.out, "--series"));
    // Named as the series, or fixed by --where, it plots.
    const auto fixed = epsim("plot " + results.string() +
                             " --x host.read_latency_ns --y commands_per_s --where link.gen=3 -o " +
                             (work_dir() / "zigzag.svg").string());
    BOOST_CHECK_NE(fixed.status, exit_usage);
}

// ---- item 11: replays as a bound
// -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(dma_sweep_names_replays_as_the_bound_and_warns) {
    // Half of all TLP transmissions fail their LCRC: each TLP goes out twice on average, so the
    // link spends at least as long replaying as sending the data once.
    const auto faulty = epsim(small_dma + " --set faults.lcrc_error_rate=0.5 --report " +
                              (work_dir() / "replay.json").string());
    BOOST_REQUIRE_EQUAL(faulty.status, 0);
    const json rep = json::parse(read_file(work_dir() / "replay.json"));
    for (const auto& row : rep.at("dma_sweep"))
        BOOST_CHECK_MESSAGE(row.at("bound") == "replay", row.dump());
    BOOST_CHECK_GT(rep.at("sim").at("warnings").get<int>(), 0);
    BOOST_CHECK(contains(faulty.out, "replays and retrains took"));
    // Without faults: no replay bound, no warning.
    const auto clean = epsim(small_dma + " --report " + (work_dir() / "clean.json").string());
    BOOST_REQUIRE_EQUAL(clean.status, 0);
    const json ok = json::parse(read_file(work_dir() / "clean.json"));
    for (const auto& row : ok.at("dma_sweep"))
        BOOST_CHECK(row.at("bound") != "replay");
    BOOST_CHECK_EQUAL(ok.at("sim").at("warnings"), 0);
}

// ---- item 12: errors name what the user typed and what is missing
// --------------------------------

BOOST_AUTO_TEST_CASE(bench_bytes_zero_names_the_users_option) {
    const auto r = epsim("bench --bytes 0");
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "--bytes 0"));
    BOOST_CHECK(!contains(r.out, "--set"));
    BOOST_CHECK(!contains(r.out, "min_bytes"));
}

BOOST_AUTO_TEST_CASE(p2p_with_one_endpoint_says_a_second_is_missing) {
    const fs::path one = write_file(
        "one_endpoint.json",
        R"({"topology": {"root_ports": 1, "endpoints": [{"name": "only", "parent": "root", "port": 0}]}})");
    const auto r = epsim("run --workload p2p --config " + one.string());
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "second endpoint"));
    BOOST_CHECK(!contains(r.out, "ENODEV"));
}

BOOST_AUTO_TEST_CASE(dma_sweep_without_read_or_write_is_a_configuration_error) {
    const auto r = epsim("run --workload dma-sweep --set workload.dma_sweep.read=false --set "
                         "workload.dma_sweep.write=false");
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "workload.dma_sweep.read"));
    BOOST_CHECK(contains(r.out, "workload.dma_sweep.write"));
    BOOST_CHECK(!contains(r.out, "no size fits"));
}

// ---- item 15: TAP lines as tests complete; progress only on a terminal
// ---------------------------

BOOST_AUTO_TEST_CASE(tap_lines_come_out_as_their_tests_complete) {
    // Through a pipe: the chunk that brings the first test's line comes while the run is still
    // going, without the summary lines that end it (held back, all would come at once).
    FILE* p = ::popen(
        (std::string(EPSIM_PATH) + " run --set host.pcitest_msix_sample=true").c_str(), "r");
    BOOST_REQUIRE(p);
    const int fd = ::fileno(p);
    std::string seen;
    char buf[4096];
    ssize_t n = 0;
    while (!contains(seen, "\nok 1 ") && (n = ::read(fd, buf, sizeof buf)) > 0)
        seen.append(buf, static_cast<std::size_t>(n));
    BOOST_CHECK(contains(seen, "\nok 1 pci_ep_bar.BAR0.BAR_TEST"));
    BOOST_CHECK(contains(seen, "1..47")); // the plan first
    BOOST_CHECK(!contains(seen, "simulated time"));
    std::string rest;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        rest.append(buf, static_cast<std::size_t>(n));
    const int st = ::pclose(p);
    BOOST_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    BOOST_CHECK(contains(rest, "ok 47 "));
    BOOST_CHECK(contains(rest, "# Totals: pass:46 fail:0"));
    // Never a progress line in a pipe.
    BOOST_CHECK(!contains(seen + rest, "\r"));
    BOOST_CHECK(!contains(seen + rest, "ms simulated"));
}

BOOST_AUTO_TEST_CASE(progress_line_shows_on_a_terminal_only) {
    if (std::system("command -v script > /dev/null 2>&1") != 0) {
        BOOST_TEST_MESSAGE("script(1) is not installed: no terminal to test with");
        return;
    }
    // script(1) gives the run a terminal.
    const auto tty = shell("script -qec '" + std::string(EPSIM_PATH) +
                           " run --set host.pcitest_msix_sample=true' /dev/null");
    BOOST_CHECK_EQUAL(tty.status, 0);
    BOOST_CHECK(contains(tty.out, "ms simulated, tests "));
    BOOST_CHECK(contains(tty.out, "/47"));
    // The TAP lines are whole lines even so.
    BOOST_CHECK(contains(tty.out, "ok 1 pci_ep_bar.BAR0.BAR_TEST"));
}

// ---- item 17: expected window stalls are not warnings; the bound is named -----------------------

BOOST_AUTO_TEST_CASE(cmd_stream_window_stalls_are_info_and_the_bound_is_named) {
    // 8 outbound windows, one kept for MSI: 7 pages mapped at a time, while 4 commands of 8
    // pages each want 32. The windows bound the stream.
    const auto r = epsim("run --workload cmd-stream --set function.cmd.commands=64");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(!contains(r.out, "No free outbound window"));
    BOOST_CHECK(contains(r.out, ", 0 warnings"));
    BOOST_CHECK(contains(r.out, "bound: outbound windows"));
    // 64 windows hold all 32 pages: no stall, so not the windows.
    const auto wide = epsim("run --workload cmd-stream --set function.cmd.commands=64 --set "
                            "dwc.iatu.outbound_windows=64");
    BOOST_CHECK_EQUAL(wide.status, 0);
    BOOST_CHECK(contains(wide.out, "bound: "));
    BOOST_CHECK(!contains(wide.out, "bound: outbound windows"));
}

// ---- item 18: log categories and one line format ---------------------------------------------

BOOST_AUTO_TEST_CASE(every_log_category_listed_is_accepted_and_used) {
    const auto help = epsim("run --help");
    const std::smatch m = [&] {
        std::smatch x;
        static const std::regex re("log categories \\(repeatable\\): ([a-z ]+)");
        std::regex_search(help.out, x, re);
        return x;
    }();
    BOOST_REQUIRE(!m.empty());
    std::vector<std::string> categories;
    std::istringstream is(m[1].str());
    for (std::string c; is >> c;)
        categories.push_back(c);
    for (const char* c : {"regs", "tlp", "link", "ltssm", "dwc", "edma", "fw", "host", "irq"})
        BOOST_CHECK_MESSAGE(std::find(categories.begin(), categories.end(), c) != categories.end(),
                            c);
    // Each one prints its lines in a short run that reaches it (dwc: an FLR; edma: the eDMA).
    for (const auto& c : categories) {
        if (c == "all") continue;
        const std::string args =
            c == "dwc"    ? "run --set host.pcitest_msix_sample=true --set faults.flr.before_test=2"
            : c == "edma" ? small_dma
                          : "run --set host.pcitest_msix_sample=true";
        const auto r = epsim(args + " --log " + c);
        BOOST_CHECK_MESSAGE(r.status == 0, c + ": exit " + std::to_string(r.status));
        BOOST_CHECK_MESSAGE(contains(r.out, "] " + c + ": "), "--log " + c + " printed nothing");
    }
    // Categories nothing logs in are not accepted.
    for (const char* gone : {"iatu", "cfg", "app", "interconnect"})
        BOOST_CHECK_EQUAL(epsim(std::string("run --log ") + gone).status, exit_usage);
}

BOOST_AUTO_TEST_CASE(register_logs_have_one_time_and_one_format_for_every_block) {
    // The viewport core for iATU viewport writes, an eDMA transfer, the SMMU programmed by the
    // firmware: every register line is "[T us] regs: WHO R|W OFFSET BLOCK.REG=VALUE ...".
    const auto r = epsim(small_dma + " --log regs");
    BOOST_REQUIRE_EQUAL(r.status, 0);
    static const std::regex line_re(
        R"(^\[[0-9]+\.[0-9]{6} us\] regs: [a-z-]+ [RW] 0x[0-9a-f]{3,} [A-Za-z0-9_]+(\[[^\]]*\])?\.[A-Za-z0-9_.\[\] ]+=0x[0-9a-f]+.*$)");
    std::size_t regs_lines = 0;
    bool dbi = false, iatu = false, edma = false, smmu = false;
    for (const auto& line : lines_of(r.out)) {
        if (line.find("] regs: ") == std::string::npos) continue;
        ++regs_lines;
        BOOST_CHECK_MESSAGE(std::regex_match(line, line_re), line);
        BOOST_CHECK_MESSAGE(count_of(line, " us") == 1, "two times: " + line);
        std::string lower = line;
        for (char& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        dbi |= contains(lower, " dbi.");
        iatu |= contains(lower, " iatu");
        edma |= contains(lower, " edma");
        smmu |= contains(lower, " smmu");
    }
    BOOST_CHECK_GT(regs_lines, 0u);
    BOOST_CHECK(dbi);
    BOOST_CHECK(iatu);
    BOOST_CHECK(edma);
    BOOST_CHECK(smmu);
}

// ---- item 19: epsim --help
// ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(help_lists_subcommands_exit_codes_and_examples) {
    const auto r = epsim("--help");
    BOOST_CHECK_EQUAL(r.status, 0);
    for (const char* sub : {"run", "config", "bench", "sweep", "plot"}) {
        bool listed = false;
        for (const auto& line : lines_of(r.out)) {
            std::istringstream is(line);
            std::string first, second;
            is >> first >> second;
            listed |= first == sub && !second.empty(); // a line naming it and saying what it does
        }
        BOOST_CHECK_MESSAGE(listed, sub);
    }
    for (const char* code : {"  0  ", "  1  ", "  2  ", "  3  "})
        BOOST_CHECK_MESSAGE(contains(r.out, code), code);
    std::size_t examples = 0;
    for (const auto& line : lines_of(r.out))
        examples += line.rfind("  epsim ", 0) == 0;
    BOOST_CHECK_EQUAL(examples, 3u);
}

// End-to-end tests of epsim against hostile input and a hostile environment: configurations that
// are too deep, endless or repeat a key; output paths that cannot be written; two sweeps in one
// folder; a run stopped by a signal or by a limit. Each runs build/epsim as a user would (under
// timeout(1), so nothing can hang the suite) and checks the exit status, the one-line message and
// what was written.
#define BOOST_TEST_MODULE robustness
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace cli_test;
using json = nlohmann::json;

constexpr int command_timeout_s = 300; // no command of this suite may run longer
constexpr int exit_usage = 2, exit_hung = 3;
constexpr int exit_sigint = 128 + SIGINT, exit_sigterm = 128 + SIGTERM;

cmd_result epsim(const std::string& args) {
    return shell(std::string(EPSIM_PATH) + " " + args, command_timeout_s);
}

std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s)
        n += c == '\n';
    return n;
}

struct scratch : remove_work_dir {
    scratch() { work_dir_stem() = "epsim_test_robust"; }
};
BOOST_GLOBAL_FIXTURE(scratch);

const std::size_t deep_levels = 100000;

std::string deep_array() {
    return std::string(deep_levels, '[') + std::string(deep_levels, ']');
}

// A 64 KiB dma-sweep point: a fraction of a second.
const char* const small_sweep_sets =
    R"("set": ["workload.dma_sweep.min_bytes=65536", "workload.dma_sweep.max_bytes=65536"])";

// A run that takes many seconds of wall-clock: every size from 4 KiB to 256 MiB, each way.
// Tens of wall seconds (each size up to 256 MiB repeated until its row has moved 1 GiB): the
// cases stop it by a limit or a signal long before it would end, on a fast machine too (without
// the repeats it ended in under a second on an idle one, before the 1 s wall limit).
const std::string long_run = "run --workload dma-sweep --set workload.dma_sweep.min_bytes=4096 "
                             "--set workload.dma_sweep.max_bytes=268435456 "
                             "--set workload.dma_sweep.repeat_bytes=1073741824 "
                             "--set workload.dma_sweep.max_repeats=64";

// A child epsim whose stdout the test reads line by line and that it can signal.
class child {
public:
    // `prefix` goes before the program (an environment assignment, say).
    explicit child(const std::string& args, const std::string& prefix = "") {
        int fds[2];
        BOOST_REQUIRE(::pipe(fds) == 0);
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::close(fds[0]);
            ::close(fds[1]);
            const std::string cmd = "exec " + prefix + std::string(EPSIM_PATH) + " " + args;
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        in_ = ::fdopen(fds[0], "r");
    }
    ~child() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (in_) std::fclose(in_);
    }
    // Reads output until a line contains `part` (true) or the output ends (false).
    bool wait_for(const std::string& part) {
        char buf[4096];
        while (std::fgets(buf, sizeof buf, in_)) {
            out += buf;
            if (contains(buf, part)) return true;
        }
        return false;
    }
    void signal(int sig) { ::kill(pid_, sig); }
    // Reads the rest of the output; the exit status (-1 when a signal ended it).
    int finish() {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, in_)) > 0)
            out.append(buf, n);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        reaped_ = true;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    std::string out;

private:
    pid_t pid_ = -1;
    FILE* in_ = nullptr;
    bool reaped_ = false;
};

} // namespace

// ---- item 1: nesting ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(deep_config_is_one_line_exit_2) {
    const fs::path deep = write_file("deep.json", "{\"link\": " + deep_array() + "}");
    const auto r = epsim("config --dump --config " + deep.string());
    BOOST_TEST_MESSAGE(r.out.substr(0, 400));
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK_EQUAL(lines(r.out), 1u);
    BOOST_CHECK(contains(r.out, "config " + deep.string() +
                                    ": nested deeper than 64 levels at line 1, column 73"));
    const auto run = epsim("run --config " + deep.string());
    BOOST_CHECK_EQUAL(run.status, exit_usage);
    BOOST_CHECK_EQUAL(lines(run.out), 1u);
}

BOOST_AUTO_TEST_CASE(deep_sweep_parameter_is_one_line_exit_2) {
    const fs::path spec =
        write_file("deep_sweep.json", R"({"workload": "dma-sweep", "parameters": {"link.gen": )" +
                                          deep_array() + "}}");
    const auto r = epsim("sweep " + spec.string() + " --out " + (work_dir() / "deep").string());
    BOOST_TEST_MESSAGE(r.out.substr(0, 400));
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK_EQUAL(lines(r.out), 1u);
    BOOST_CHECK(contains(r.out, "nested deeper than 64 levels"));
}

// ---- item 2: size ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(endless_config_file_is_refused_at_the_cap) {
    for (const char* cmd : {"config --dump --config /dev/zero", "run --config /dev/zero"}) {
        const auto r = epsim(cmd);
        BOOST_CHECK_EQUAL(r.status, exit_usage);
        BOOST_CHECK_EQUAL(lines(r.out), 1u);
        BOOST_CHECK_MESSAGE(contains(r.out, "config /dev/zero: larger than 16 MiB"), r.out);
    }
    // A sweep spec: a regular file one byte over 16 MiB (spaces, then a valid spec).
    const fs::path big = work_dir() / "big.json";
    {
        std::ofstream os(big);
        os << std::string(16 * 1024 * 1024 + 1, ' ') << R"({"workload": "dma-sweep"})";
    }
    const auto r = epsim("sweep " + big.string() + " --out " + (work_dir() / "big").string());
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK_EQUAL(lines(r.out), 1u);
    BOOST_CHECK_MESSAGE(contains(r.out, big.string() + ": larger than 16 MiB"), r.out);
    fs::remove(big);
}

// ---- item 13: duplicate keys -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(duplicate_key_in_a_config_file_is_rejected) {
    // Line 2 is `  "link": {"gen": 4}`: the second "link" starts at column 3.
    const fs::path f =
        write_file("dup.json", "{\"link\": {\"gen\": 3},\n  \"link\": {\"gen\": 4}}\n");
    const auto r = epsim("config --dump --config " + f.string());
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK_EQUAL(lines(r.out), 1u);
    BOOST_CHECK_MESSAGE(
        contains(r.out, "config " + f.string() + ": duplicate key \"link\" at line 2, column 3"),
        r.out);
    // A sweep spec too. `{"workload": "dma-sweep", ` is 26 bytes: column 27.
    const fs::path spec = write_file(
        "dup_spec.json",
        R"({"workload": "dma-sweep", "workload": "pcitest", "parameters": {"link.gen": [1]}})");
    const auto sw = epsim("sweep " + spec.string() + " --out " + (work_dir() / "dup").string());
    BOOST_CHECK_EQUAL(sw.status, exit_usage);
    BOOST_CHECK_EQUAL(lines(sw.out), 1u);
    BOOST_CHECK_MESSAGE(
        contains(sw.out, spec.string() + ": duplicate key \"workload\" at line 1, column 27"),
        sw.out);
}

// ---- items 3 and 4: outputs --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(report_and_trace_to_a_full_device_fail) {
    // A run stopped by the limit still writes its report: exit 3, unless the report is lost.
    const auto r = epsim("run --set sim.time_limit_us=50 --report /dev/full");
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK_MESSAGE(contains(r.out, "epsim: error: --report /dev/full: cannot write: " +
                                            std::string(std::strerror(ENOSPC))),
                        r.out);
    const auto t = epsim("run --set sim.time_limit_us=50 --trace /dev/full");
    BOOST_CHECK_EQUAL(t.status, exit_usage);
    BOOST_CHECK_MESSAGE(contains(t.out, "epsim: error: --trace /dev/full: cannot write: " +
                                            std::string(std::strerror(ENOSPC))),
                        t.out);
    // The same run with a writable report: the limit's own exit status.
    const auto ok =
        epsim("run --set sim.time_limit_us=50 --report " + (work_dir() / "ok.json").string());
    BOOST_CHECK_EQUAL(ok.status, exit_hung);
}

BOOST_AUTO_TEST_CASE(unwritable_output_paths_stop_before_the_run) {
    const std::string no_dir = std::strerror(ENOENT);
    for (const std::string opt : {"--report", "--trace", "--waves"}) {
        const std::string path = "/nonexistent/x." + std::string(opt == "--waves" ? "vcd" : "json");
        // The long run would take many seconds: stopping before it is what keeps this short.
        const auto r = epsim(long_run + " " + opt + " " + path);
        BOOST_CHECK_EQUAL(r.status, exit_usage);
        BOOST_CHECK_EQUAL(lines(r.out), 1u);
        BOOST_CHECK_MESSAGE(
            contains(r.out, "epsim: error: " + opt + " " + path + ": cannot write: " + no_dir),
            r.out);
        BOOST_CHECK(!contains(r.out, "epsim: workload")); // the simulation never started
    }
    // A folder is not a file either.
    const auto d = epsim(long_run + " --report " + work_dir().string());
    BOOST_CHECK_EQUAL(d.status, exit_usage);
    BOOST_CHECK(contains(d.out, std::strerror(EISDIR)));
}

// Standard output is an output too: what a subcommand prints to a full disk (/dev/full) is one
// error line and exit 2, not a silent exit 0.
BOOST_AUTO_TEST_CASE(standard_output_on_a_full_disk_fails) {
    for (const std::string cmd : {"config --dump", "workloads", "boards", "--help", "run --help"}) {
        // In a subshell: its standard error is what the test reads.
        const auto r = shell("sh -c '" + std::string(EPSIM_PATH) + " " + cmd + " >/dev/full'",
                             command_timeout_s);
        BOOST_CHECK_MESSAGE(r.status == exit_usage, cmd << ": exit " << r.status);
        BOOST_CHECK_MESSAGE(contains(r.out, "epsim: error: standard output: cannot write"),
                            cmd << ": " << r.out);
    }
}

// An output option given an empty value (a script's unset variable) is refused, not taken as "no
// output"; a bad command line is one "epsim: error:" line, a misspelt subcommand named as such.
BOOST_AUTO_TEST_CASE(empty_paths_and_bad_command_lines_are_one_line_errors) {
    for (const std::string args :
         {"run --report ''", "run --trace ''", "run --waves ''", "run --config ''",
          "run --board ''", "config --dump --config ''", "sweep s.json --out ''",
          "bench --report ''", "plot r.csv --x a --y b -o ''"}) {
        const auto r = epsim(args);
        BOOST_CHECK_MESSAGE(r.status == exit_usage, args << ": exit " << r.status);
        BOOST_CHECK_MESSAGE(contains(r.out, "an empty path") && lines(r.out) == 1u,
                            args << ": " << r.out);
    }
    const auto bogus = epsim("bogus");
    BOOST_CHECK_EQUAL(bogus.status, exit_usage);
    BOOST_CHECK_MESSAGE(contains(bogus.out, "epsim: error: unknown subcommand 'bogus' (known: run"),
                        bogus.out);
    const auto range = epsim("run --gdb abc");
    BOOST_CHECK_EQUAL(range.status, exit_usage);
    BOOST_CHECK_MESSAGE(lines(range.out) == 1u && contains(range.out, "epsim: error: --gdb"),
                        range.out);
}

BOOST_AUTO_TEST_CASE(sweep_results_on_a_full_disk_fail) {
    const fs::path spec =
        write_file("small.json", std::string(R"({"workload": "dma-sweep", )") + small_sweep_sets +
                                     R"(, "parameters": {"link.gen": [1]}})");
    // results.csv is written to results.csv.tmp first: here that is a full disk.
    const fs::path dir = work_dir() / "full_disk";
    fs::create_directories(dir);
    fs::create_symlink("/dev/full", dir / "results.csv.tmp");
    const auto r = epsim("sweep " + spec.string() + " --out " + dir.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(contains(r.out, (dir / "results.csv.tmp").string() +
                                            ": cannot write: " + std::strerror(ENOSPC)),
                        r.out);
}

// ---- item 5: one sweep per folder --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_second_sweep_into_a_locked_folder_refuses_at_once) {
    const fs::path spec =
        write_file("lock.json", std::string(R"({"workload": "dma-sweep", )") + small_sweep_sets +
                                    R"(, "parameters": {"link.gen": [1, 2]}})");
    const fs::path dir = work_dir() / "locked";
    // A long sweep holds the folder; a second one into it refuses and names the holder.
    const fs::path long_spec = write_file("long.json", R"({"workload": "dma-sweep",
          "set": ["workload.dma_sweep.min_bytes=268435456",
                  "workload.dma_sweep.max_bytes=268435456"],
          "parameters": {"link.gen": [1]}})");
    child first("sweep " + long_spec.string() + " --out " + dir.string());
    BOOST_REQUIRE(first.wait_for("epsim sweep: dma-sweep, 1 points"));
    const std::string holder = read_file(dir / ".lock");
    BOOST_REQUIRE(!holder.empty());
    const auto second = epsim("sweep " + spec.string() + " --out " + dir.string());
    BOOST_CHECK_NE(second.status, 0);
    BOOST_CHECK_EQUAL(lines(second.out), 1u);
    BOOST_CHECK_MESSAGE(contains(second.out, "--out " + dir.string() + ": in use by process " +
                                                 holder.substr(0, holder.find('\n'))),
                        second.out);
    BOOST_CHECK(!fs::exists(dir / "points" / "point_0001")); // the second sweep wrote nothing
    first.signal(SIGINT);
    first.finish();
    // Released: the next sweep runs, and counts its own points only.
    const auto third = epsim("sweep " + spec.string() + " --out " + dir.string());
    BOOST_TEST_MESSAGE(third.out);
    BOOST_CHECK_EQUAL(third.status, 0);
    BOOST_CHECK(contains(third.out, "2 points, 2 passed, 0 failed"));
}

// ---- item 6: signals ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(sigint_stops_the_run_and_writes_what_exists) {
    for (const int sig : {SIGINT, SIGTERM}) {
        const fs::path report = work_dir() / ("int_report_" + std::to_string(sig) + ".json");
        const fs::path trace = work_dir() / ("int_trace_" + std::to_string(sig) + ".json");
        child c(long_run + " --report " + report.string() + " --trace " + trace.string());
        BOOST_REQUIRE(c.wait_for("epsim: workload dma-sweep"));
        c.signal(sig);
        const int status = c.finish();
        BOOST_TEST_MESSAGE(c.out);
        BOOST_CHECK_EQUAL(status, sig == SIGINT ? exit_sigint : exit_sigterm);
        const json rep = read_json(report);
        BOOST_REQUIRE(rep.is_object());
        BOOST_CHECK_EQUAL(rep.at("status"), "interrupted");
        BOOST_CHECK_EQUAL(rep.at("stopped").at("by"), sig == SIGINT ? "SIGINT" : "SIGTERM");
        const json tr = read_json(trace);
        BOOST_REQUIRE(tr.is_object()); // complete JSON, not a zero-byte file
        BOOST_CHECK(tr.contains("traceEvents"));
        BOOST_CHECK(
            contains(c.out, sig == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM"));
    }
}

// ---- item 16: limits ---------------------------------------------------------------------------

// The reference: the whole pcitest table and its simulated end time.
struct full_run {
    json report;
};
const full_run& pcitest_full() {
    static const full_run f = [] {
        full_run r;
        const fs::path report = work_dir() / "full.json";
        const auto out = epsim("run --report " + report.string());
        BOOST_REQUIRE_EQUAL(out.status, 0);
        r.report = read_json(report);
        return r;
    }();
    return f;
}

BOOST_AUTO_TEST_CASE(time_limit_lists_completed_tests_and_the_one_in_progress) {
    const json& full = pcitest_full().report;
    const auto end_ns = full.at("sim").at("end_time_ns").get<double>();
    // Half the run's simulated time: some tests are done, some are not.
    const auto limit_us = static_cast<unsigned long long>(end_ns / 2 / 1000);
    const fs::path report = work_dir() / "half.json";
    const auto r = epsim("run --set sim.time_limit_us=" + std::to_string(limit_us) + " --report " +
                         report.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, exit_hung);
    const json rep = read_json(report);
    BOOST_REQUIRE(rep.is_object());
    BOOST_CHECK_EQUAL(rep.at("status"), "HUNG");
    const auto& tests = rep.at("tests");
    const auto& all = full.at("tests");
    BOOST_REQUIRE_GT(tests.size(), 0u);
    BOOST_REQUIRE_LT(tests.size(), all.size());
    // The completed tests are the full run's first ones, with the same results.
    for (std::size_t i = 0; i < tests.size(); ++i)
        BOOST_CHECK_EQUAL(tests[i], all[i]);
    // The test in progress is the full run's next one.
    const std::string next = all[tests.size()].at("name");
    const std::string in_progress = rep.at("stopped").at("in_progress");
    BOOST_CHECK_MESSAGE(in_progress.rfind(next, 0) == 0, in_progress + " vs " + next);
    BOOST_CHECK_EQUAL(rep.at("stopped").at("by"),
                      "sim.time_limit_us = " + std::to_string(limit_us));
    // stdout: TAP lines of the completed tests, and where it hung.
    BOOST_CHECK(contains(r.out, "ok 1 " + all[0].at("name").get<std::string>()));
    // The TAP plan names every planned test (printed before the run); the one in progress has
    // no line.
    BOOST_CHECK(contains(r.out, "1.." + std::to_string(all.size()) + "\n"));
    BOOST_CHECK(!contains(r.out, "ok " + std::to_string(tests.size() + 1) + " "));
    BOOST_CHECK(contains(r.out, "hung in " + next));
}

BOOST_AUTO_TEST_CASE(sigint_during_pcitest_reports_the_tests_completed) {
    const json& full = pcitest_full().report;
    const fs::path report = work_dir() / "int_pcitest.json";
    const fs::path trace = work_dir() / "int_pcitest_trace.json";
    // Each TAP line is written and flushed as its test completes: "ok 15" is the MSI test, so the
    // BAR, BAR sub-range, INTx and MSI tests are done and the MSI-X test runs. (No stdbuf: its
    // LD_PRELOAD library would come before the sanitizer runtime in the sanitizer build.)
    child c("run --report " + report.string() + " --trace " + trace.string());
    BOOST_REQUIRE(c.wait_for("ok 15 "));
    c.signal(SIGINT);
    BOOST_CHECK_EQUAL(c.finish(), exit_sigint);
    const json rep = read_json(report);
    BOOST_REQUIRE(rep.is_object());
    BOOST_CHECK_EQUAL(rep.at("status"), "interrupted");
    const auto& tests = rep.at("tests");
    const auto& all = full.at("tests");
    BOOST_REQUIRE_GE(tests.size(), 15u); // 6 x BAR and sub-range, CONSECUTIVE, LEGACY_IRQ, MSI
    BOOST_REQUIRE_LT(tests.size(), all.size());
    for (std::size_t i = 0; i < tests.size(); ++i)
        BOOST_CHECK_EQUAL(tests[i], all[i]);
    const std::string next = all[tests.size()].at("name");
    BOOST_CHECK(rep.at("stopped").at("in_progress").get<std::string>().rfind(next, 0) == 0);
    BOOST_CHECK(contains(c.out, "ok 15 " + all[14].at("name").get<std::string>()));
    BOOST_CHECK(read_json(trace).is_object());
}

BOOST_AUTO_TEST_CASE(wall_limit_stops_a_long_run) {
    const fs::path report = work_dir() / "wall.json";
    const auto r = epsim(long_run + " --set sim.wall_limit_s=1 --report " + report.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, exit_hung);
    const json rep = read_json(report);
    BOOST_REQUIRE(rep.is_object());
    BOOST_CHECK_EQUAL(rep.at("status"), "HUNG");
    BOOST_CHECK_EQUAL(rep.at("stopped").at("by"), "sim.wall_limit_s = 1");
    BOOST_CHECK(contains(r.out, "did not finish within sim.wall_limit_s = 1"));
}

BOOST_AUTO_TEST_CASE(cmd_stream_stopped_by_the_limit_reports_what_completed) {
    const fs::path full_report = work_dir() / "cmd_full.json";
    const auto full = epsim("run --workload cmd-stream --report " + full_report.string());
    BOOST_REQUIRE_EQUAL(full.status, 0);
    const json f = read_json(full_report);
    const auto end_ns = f.at("sim").at("end_time_ns").get<double>();
    const auto limit_us = static_cast<unsigned long long>(end_ns / 2 / 1000);
    const fs::path report = work_dir() / "cmd_half.json";
    const auto r =
        epsim("run --workload cmd-stream --set sim.time_limit_us=" + std::to_string(limit_us) +
              " --report " + report.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, exit_hung);
    const json rep = read_json(report);
    BOOST_REQUIRE(rep.is_object());
    const auto done = rep.at("metrics").at("commands_count").get<std::uint64_t>();
    BOOST_CHECK_GT(done, 0u);
    BOOST_CHECK_LT(done, f.at("metrics").at("commands_count").get<std::uint64_t>());
    BOOST_CHECK_GT(rep.at("metrics").at("commands_per_s").get<double>(), 0);
    BOOST_CHECK(contains(r.out, std::to_string(done) + " commands, "));
    BOOST_CHECK(!contains(r.out, " 0 commands/s"));
}

// ---- item 14: waves ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(fst_waves_with_the_tlm_iatu_say_why_there_is_no_fst) {
    const fs::path fst = work_dir() / "w.fst";
    const auto r = epsim("run --set sim.time_limit_us=50 --waves " + fst.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, exit_hung);
    BOOST_CHECK(fs::exists(work_dir() / "w.model.vcd"));
    BOOST_CHECK(!fs::exists(fst));
    BOOST_CHECK(contains(r.out, "epsim: no " + fst.string() + ": the TLM iATU"));
}

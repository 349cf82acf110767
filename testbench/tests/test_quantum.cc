// The simulator's quantum (sim.quantum_ns) is a speed knob, not a model parameter: every workload
// with a DMA or link result runs at quanta of 10, 100, 1000 and 10000 ns and the results are
// compared with the 10 ns run.
//
// Exact (within 0.1 %, which only absorbs the report's decimal rounding): every DMA transfer the
// platform times from doorbell to done (dma-sweep rows, p2p eDMA write and read), and every
// count of TLPs a transfer needed. Identical: every pass/fail line (TAP lines, report status,
// pass/fail totals, the workloads' own verdicts and error counts).
//
// Bounded, because the architecture of the simulator makes them depend on the quantum: a CPU
// (firmware or host program) that polls memory or a register and synchronises once per quantum
// sees a change up to one quantum after it happened. That bound applies only to spans the
// firmware or host measures around a polling loop (cmd-stream's per-command latency and
// command rate), never to DMA, link, SMMU or DRAM timing. See the README, "Simulated results
// and the quantum".
//
// Short settings (each keeps the behaviour compared and only drops repetitions):
//  - dma-sweep stops at 1 MiB (workload.dma_sweep.max_bytes): 4 and 16 MiB repeat the 1 MiB
//    row's steady state (link-bound, same TLP sizes) and take most of the sweep's time;
//  - cmd-stream runs 64 commands (function.cmd.commands): 16 rounds of the 4 concurrent slots
//    fill the queue as 256 do.
// pcitest, iova, p2p and dma-mix run at their defaults. The 36 runs go to parallel child
// processes.
#define BOOST_TEST_MODULE quantum
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using json = nlohmann::json;

const std::vector<unsigned> quanta_ns = {10, 100, 1000, 10000};
constexpr double exact_tolerance = 1e-3; // 0.1 %
constexpr unsigned cmd_commands = 64;

struct workload_case {
    std::string name; // for messages
    std::string args; // epsim run arguments, without the quantum
};

const std::vector<workload_case>& cases() {
    static const std::vector<workload_case> v = {
        {"dma-sweep", "--workload dma-sweep --set workload.dma_sweep.max_bytes=1048576"},
        {"pcitest", "--workload pcitest"},
        {"cmd-stream-cpu", "--workload cmd-stream --set function.cmd.mover=cpu"
                           " --set function.cmd.commands=" +
                               std::to_string(cmd_commands)},
        {"cmd-stream-edma", "--workload cmd-stream --set function.cmd.mover=edma"
                            " --set function.cmd.commands=" +
                                std::to_string(cmd_commands)},
        {"iova", "--workload iova"},
        {"p2p", "--workload p2p"},
        {"dma-mix", "--workload dma-mix"},
        {"pcitest-flr", "--workload pcitest --set faults.flr.before_test=3"
                        " --set host.pcitest_msix_sample=true"},
        // Linked lists of 4 KiB elements: the element prefetch among the blocks' transactions
        // and read data left to the next block (1 MiB: two chunks).
        {"dma-sweep-pages", "--workload dma-sweep --set workload.dma_sweep.max_bytes=1048576"
                            " --set workload.dma_sweep.element_bytes=4096"},
    };
    return v;
}

struct run_result {
    int status = -1;
    std::string out;
    json report;
};

std::string slurp(const std::string& path) {
    std::ifstream is(path);
    std::stringstream ss;
    ss << is.rdbuf();
    return ss.str();
}

// Every (workload, quantum) point, run as child processes, at most `jobs` at a time.
// results[case][quantum index]
std::vector<std::vector<run_result>> run_all() {
    const std::string dir = "/tmp/epsim_quantum_" + std::to_string(::getpid());
    const std::string mkdir = "mkdir -p " + dir;
    BOOST_REQUIRE_EQUAL(std::system(mkdir.c_str()), 0);
    struct job {
        std::size_t c, q;
        std::string out, report;
    };
    std::vector<job> jobs;
    for (std::size_t c = 0; c < cases().size(); ++c)
        for (std::size_t q = 0; q < quanta_ns.size(); ++q) {
            const std::string stem = dir + "/" + std::to_string(c) + "_" + std::to_string(q);
            jobs.push_back({c, q, stem + ".txt", stem + ".json"});
        }
    // The slowest points (small quanta) first, so the pool drains evenly.
    std::stable_sort(jobs.begin(), jobs.end(),
                     [](const job& a, const job& b) { return a.q < b.q; });
    const unsigned max_jobs = std::max(2u, std::thread::hardware_concurrency());
    std::vector<std::vector<run_result>> results(cases().size(),
                                                 std::vector<run_result>(quanta_ns.size()));
    std::map<pid_t, std::size_t> running;
    auto reap_one = [&]() {
        int st = 0;
        const pid_t pid = ::waitpid(-1, &st, 0);
        BOOST_REQUIRE(pid > 0);
        const job& j = jobs[running.at(pid)];
        running.erase(pid);
        run_result& r = results[j.c][j.q];
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r.out = slurp(j.out);
        r.report = json::parse(slurp(j.report), nullptr, false);
        std::remove(j.out.c_str());
        std::remove(j.report.c_str());
    };
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (running.size() >= max_jobs) reap_one();
        const job& j = jobs[i];
        const std::string cmd = std::string(EPSIM_PATH) + " run " + cases()[j.c].args +
                                " --set sim.quantum_ns=" + std::to_string(quanta_ns[j.q]) +
                                " --report " + j.report + " > " + j.out + " 2>&1";
        const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
        pid_t pid = 0;
        BOOST_REQUIRE_EQUAL(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr,
                                          const_cast<char* const*>(argv), environ),
                            0);
        running[pid] = i;
    }
    while (!running.empty())
        reap_one();
    const std::string rmdir = "rmdir " + dir;
    if (std::system(rmdir.c_str()) != 0) BOOST_TEST_MESSAGE("could not remove " + dir);
    return results;
}

const std::vector<std::vector<run_result>>& results() {
    static const auto r = run_all();
    return r;
}

std::size_t case_index(const std::string& name) {
    for (std::size_t i = 0; i < cases().size(); ++i)
        if (cases()[i].name == name) return i;
    BOOST_FAIL("no case " + name);
    return 0;
}

// The TAP lines and verdict lines of a run's output (no times, no wall clock).
std::vector<std::string> verdict_lines(const std::string& out) {
    std::vector<std::string> v;
    std::istringstream is(out);
    for (std::string line; std::getline(is, line);)
        if (line.rfind("ok ", 0) == 0 || line.rfind("not ok ", 0) == 0 ||
            line.rfind("1..", 0) == 0 || line.find(": PASS") != std::string::npos ||
            line.find(": FAIL") != std::string::npos ||
            line.find("all transfers completed") != std::string::npos)
            v.push_back(line);
    return v;
}

bool within(double ref, double v, double rel) {
    return std::fabs(v - ref) <= rel * std::fabs(ref);
}

// Spans the firmware measures are differences of two clock reads rounded to whole ns: 1 ns of
// rounding on top of the relative tolerance.
bool within_ns(double ref, double v) {
    constexpr double rounding_ns = 1;
    return std::fabs(v - ref) <= std::max(exact_tolerance * std::fabs(ref), rounding_ns);
}

std::string at_q(std::size_t q) {
    return " at sim.quantum_ns=" + std::to_string(quanta_ns[q]) + " (vs 10)";
}

// What every workload shares: exit status, report status, totals, every test's result, every
// verdict line of the output.
void check_verdicts(const std::string& name) {
    const auto& runs = results()[case_index(name)];
    const run_result& ref = runs[0];
    BOOST_TEST_CONTEXT(name) {
        BOOST_REQUIRE_MESSAGE(ref.report.is_object(), "no report at 10 ns:\n" + ref.out);
        BOOST_CHECK_EQUAL(ref.status, 0);
        BOOST_CHECK_EQUAL(ref.report.at("status"), "PASS");
        for (std::size_t q = 1; q < runs.size(); ++q) {
            const run_result& r = runs[q];
            BOOST_REQUIRE_MESSAGE(r.report.is_object(), "no report" + at_q(q) + ":\n" + r.out);
            BOOST_CHECK_MESSAGE(r.status == ref.status, "exit status" + at_q(q));
            BOOST_CHECK_MESSAGE(r.report.at("status") == ref.report.at("status"),
                                "report status" + at_q(q));
            BOOST_CHECK_MESSAGE(r.report.at("totals") == ref.report.at("totals"),
                                "totals " + r.report.at("totals").dump() + at_q(q));
            BOOST_CHECK_MESSAGE(r.report.at("tests") == ref.report.at("tests"),
                                "per-test results" + at_q(q));
            const auto a = verdict_lines(ref.out), b = verdict_lines(r.out);
            BOOST_CHECK_MESSAGE(a == b, "verdict lines" + at_q(q));
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(pcitest_verdicts_do_not_depend_on_the_quantum) {
    check_verdicts("pcitest");
    // The run has its full list of tests (the default platform skips one subrange test).
    const auto& ref = results()[case_index("pcitest")][0];
    BOOST_CHECK_EQUAL(ref.report.at("tests").size(), 47u);
    BOOST_CHECK_EQUAL(ref.report.at("totals").at("fail"), 0);
}

namespace {
// A report with the one setting that differs between the runs taken out.
json without_quantum(json r) {
    r["config"]["sim"].erase("quantum_ns");
    return r;
}
} // namespace

// A Function-Level Reset takes effect when the host's configuration write arrives, not when the
// kernel's time is there: the whole report (every DRAM, link and SMMU figure the firmware's
// reset handling touches) is the same at every quantum but for the quantum itself.
BOOST_AUTO_TEST_CASE(a_function_level_reset_does_not_depend_on_the_quantum) {
    check_verdicts("pcitest-flr");
    const auto& runs = results()[case_index("pcitest-flr")];
    const json ref = without_quantum(runs[0].report);
    BOOST_TEST(ref.at("resets").size() == 1u);
    for (std::size_t q = 1; q < runs.size(); ++q)
        BOOST_CHECK_MESSAGE(without_quantum(runs[q].report) == ref, "report" + at_q(q));
}

// Every figure of the report, the link's, DRAM's and eDMA's counters among them, is the same.
BOOST_AUTO_TEST_CASE(a_sweep_over_lists_of_pages_does_not_depend_on_the_quantum) {
    check_verdicts("dma-sweep-pages");
    const auto& runs = results()[case_index("dma-sweep-pages")];
    const json ref = without_quantum(runs[0].report);
    BOOST_TEST(ref.at("dma_sweep").size() == 16u);
    for (std::size_t q = 1; q < runs.size(); ++q)
        BOOST_CHECK_MESSAGE(without_quantum(runs[q].report) == ref, "report" + at_q(q));
}

BOOST_AUTO_TEST_CASE(dma_sweep_rows_do_not_depend_on_the_quantum) {
    check_verdicts("dma-sweep");
    const auto& runs = results()[case_index("dma-sweep")];
    const json& ref = runs[0].report.at("dma_sweep");
    // 64 B x 4^k up to 1 MiB: 8 sizes, read and write each.
    BOOST_REQUIRE_EQUAL(ref.size(), 16u);
    for (std::size_t q = 1; q < runs.size(); ++q) {
        const json& rows = runs[q].report.at("dma_sweep");
        BOOST_REQUIRE_EQUAL(rows.size(), ref.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const json &a = ref[i], &b = rows[i];
            const std::string row = a.at("direction").get<std::string>() + " " +
                                    std::to_string(a.at("size_bytes").get<std::uint64_t>()) + " B" +
                                    at_q(q);
            BOOST_CHECK_MESSAGE(b.at("direction") == a.at("direction") &&
                                    b.at("size_bytes") == a.at("size_bytes"),
                                "row order: " + row);
            BOOST_CHECK_MESSAGE(b.at("firmware_status") == a.at("firmware_status") &&
                                    b.at("aborted") == a.at("aborted"),
                                "status of " + row);
            BOOST_CHECK_MESSAGE(b.at("tlps") == a.at("tlps"), "TLPs of " + row + ": " +
                                                                  b.at("tlps").dump() + " vs " +
                                                                  a.at("tlps").dump());
            const double ta = a.at("throughput_Bps"), tb = b.at("throughput_Bps");
            BOOST_CHECK_MESSAGE(within(ta, tb, exact_tolerance),
                                "throughput of " + row + ": " + std::to_string(tb / 1e6) +
                                    " MB/s vs " + std::to_string(ta / 1e6) + " MB/s");
        }
    }
}

BOOST_AUTO_TEST_CASE(p2p_transfers_do_not_depend_on_the_quantum) {
    check_verdicts("p2p");
    const auto& runs = results()[case_index("p2p")];
    const json& ref = runs[0].report.at("p2p");
    BOOST_REQUIRE_EQUAL(ref.at("status"), "PASS");
    for (std::size_t q = 1; q < runs.size(); ++q) {
        const json& p = runs[q].report.at("p2p");
        BOOST_CHECK_MESSAGE(p.at("status") == ref.at("status"), "p2p status" + at_q(q));
        for (const char* dir : {"write", "read"}) {
            const json &a = ref.at(dir), &b = p.at(dir);
            const std::string what = std::string("p2p eDMA ") + dir + at_q(q);
            BOOST_CHECK_MESSAGE(b.at("status") == a.at("status") &&
                                    b.at("bytes") == a.at("bytes") && b.at("crc") == a.at("crc"),
                                "status, bytes and crc of the " + what);
            // Throughput = bytes / time: the same bytes, so the times compare.
            const double ta = a.at("time_ns"), tb = b.at("time_ns");
            BOOST_CHECK_MESSAGE(within_ns(ta, tb), "time of the " + what + ": " +
                                                       std::to_string(tb) + " ns vs " +
                                                       std::to_string(ta) + " ns");
        }
    }
}

// dma-mix: four channels (two write, two read) that the firmware starts one after the other, so
// they start within a quantum of each other, arbitrate for the link and meet in DRAM. Each
// channel's time, bytes and TLPs and the split of its waits by cause (arbitration, link, tags,
// ...), the link's counters and the eDMA's DRAM latencies are the same at every quantum: the
// arbitration of a channel starts at its doorbell's time, and TLPs of two channels ready at the
// same instant go in a fixed order.
BOOST_AUTO_TEST_CASE(dma_mix_channels_do_not_depend_on_the_quantum) {
    check_verdicts("dma-mix");
    const auto& runs = results()[case_index("dma-mix")];
    const json& ref = runs[0].report;
    BOOST_REQUIRE_EQUAL(ref.at("dma_mix").at("channels").size(), 4u);
    for (std::size_t q = 1; q < runs.size(); ++q) {
        const json& r = runs[q].report;
        const json &a = ref.at("dma_mix").at("channels"), &b = r.at("dma_mix").at("channels");
        BOOST_REQUIRE_EQUAL(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            BOOST_CHECK_MESSAGE(b[i] == a[i], "dma-mix channel " + std::to_string(i) + ": " +
                                                  b[i].dump() + " vs " + a[i].dump() + at_q(q));
        for (const char* k : {"write", "read", "jain_index"})
            BOOST_CHECK_MESSAGE(r.at("dma_mix").at(k) == ref.at("dma_mix").at(k),
                                std::string("dma_mix.") + k + at_q(q));
        BOOST_CHECK_MESSAGE(r.at("link") == ref.at("link"), "link counters" + at_q(q));
        BOOST_CHECK_MESSAGE(r.at("soc").at("dram_masters").at("edma") ==
                                ref.at("soc").at("dram_masters").at("edma"),
                            "the eDMA's DRAM statistics" + at_q(q));
    }
}

BOOST_AUTO_TEST_CASE(iova_results_do_not_depend_on_the_quantum) {
    check_verdicts("iova");
    const auto& runs = results()[case_index("iova")];
    const json& ref = runs[0].report.at("iova");
    BOOST_REQUIRE(ref.at("passed").get<bool>());
    for (std::size_t q = 1; q < runs.size(); ++q) {
        const json& v = runs[q].report.at("iova");
        for (const char* k :
             {"passed", "firmware_status", "host_status", "buffers", "bad_buffers_first_check",
              "bad_buffers_second_check", "host_read_back_mismatches", "unmapped_page",
              "unmapped_read", "smmu_fault_records_at_unmapped_page", "poison_words_in_dram",
              "shadow_mismatches"})
            BOOST_CHECK_MESSAGE(v.at(k) == ref.at(k), std::string("iova.") + k + at_q(q));
        // SMMU timing as the firmware measures it around its CMDQ_CONS polls, which see the
        // register at their own time: setting up the IOVA range, and one TLBI + CMD_SYNC.
        for (const char* k : {"map_ns", "unmap_ns"}) {
            const double a = ref.at(k), b = v.at(k);
            BOOST_CHECK_MESSAGE(within_ns(a, b), std::string("iova.") + k + " " +
                                                     std::to_string(b) + " vs " +
                                                     std::to_string(a) + at_q(q));
        }
        // The SMMU's own account: the same faults, by stream, address and direction (when each
        // came follows the host's program, which polls).
        const json& fa = runs[0].report.at("smmu").at("faults");
        const json& fb = runs[q].report.at("smmu").at("faults");
        BOOST_REQUIRE_EQUAL(fb.size(), fa.size());
        for (std::size_t i = 0; i < fb.size(); ++i) {
            json a = fa[i], b = fb[i];
            a.erase("time_ns");
            b.erase("time_ns");
            BOOST_CHECK_MESSAGE(a == b, "SMMU fault record " + std::to_string(i) + at_q(q));
        }
    }
}

// cmd-stream: both sides meet through polling (the firmware polls its submission queue every
// function.cmd.poll_ns, the host waits for MSIs and reads completions), so a command's service
// may move by up to one quantum per polling CPU that meets it on its way: the endpoint's
// firmware and the host program, 2 quanta. A command's latency runs from its doorbell to its
// completion, so it also holds the service of the commands queued before it: up to
// queue_depth - 1 of them, served `concurrency` at a time, so it may move by 2 quanta per
// batch, 2 x Q x ceil(queue_depth / concurrency) (a p99 moves no more than the samples it is
// taken from). Along the run, the commands of one of the `concurrency` slots follow each other,
// so the whole run may move by up to 2 quanta per command of a slot: 2 x Q x commands /
// concurrency.
void check_cmd_stream(const std::string& name) {
    check_verdicts(name);
    const auto& runs = results()[case_index(name)];
    const json& ref = runs[0].report;
    BOOST_TEST_CONTEXT(name) {
        const json& m0 = ref.at("metrics");
        BOOST_REQUIRE_EQUAL(m0.at("commands_count"), cmd_commands);
        BOOST_CHECK_EQUAL(m0.at("errors_count"), 0);
        const double concurrency = ref.at("config").at("function").at("cmd").at("concurrency");
        const double queue_depth = ref.at("config").at("function").at("cmd").at("queue_depth");
        const double batches = std::ceil(queue_depth / concurrency);
        for (std::size_t q = 1; q < runs.size(); ++q) {
            const json& r = runs[q].report;
            const json& m = r.at("metrics");
            BOOST_CHECK_MESSAGE(r.at("cmd_stream") == ref.at("cmd_stream"),
                                "statuses and data errors" + at_q(q));
            for (const char* k : {"commands_count", "errors_count", "msis_count"})
                BOOST_CHECK_MESSAGE(m.at(k) == m0.at(k), std::string(k) + at_q(q));
            const double q_ns = quanta_ns[q];
            const double per_command = 2 * q_ns;
            for (const char* k : {"latency_mean_ns", "latency_p99_ns"}) {
                const double a = m0.at(k), b = m.at(k);
                BOOST_CHECK_MESSAGE(std::fabs(b - a) <= per_command * batches,
                                    std::string(k) + " " + std::to_string(b) + " vs " +
                                        std::to_string(a) +
                                        ": more than 2 quanta per batch "
                                        "queued apart" +
                                        at_q(q));
            }
            const double run_a = double(cmd_commands) / m0.at("commands_per_s").get<double>() * 1e9;
            const double run_b = double(cmd_commands) / m.at("commands_per_s").get<double>() * 1e9;
            const double bound = per_command * double(cmd_commands) / concurrency;
            BOOST_CHECK_MESSAGE(std::fabs(run_b - run_a) <= bound,
                                "run time " + std::to_string(run_b) + " ns vs " +
                                    std::to_string(run_a) + " ns: more than " +
                                    std::to_string(bound) + " ns apart" + at_q(q));
        }
    }
}

BOOST_AUTO_TEST_CASE(cmd_stream_cpu_within_the_polling_bound) {
    check_cmd_stream("cmd-stream-cpu");
}

BOOST_AUTO_TEST_CASE(cmd_stream_edma_within_the_polling_bound) {
    check_cmd_stream("cmd-stream-edma");
}

// Workloads: what the host and the endpoint run on the platform. A workload is a class that
// loads the endpoint firmware and the host program, checks the model's state after the run,
// and presents its results (stdout lines, its report sections, its part of the exit status).
// Each one registers itself in the workload registry with its name, a one-line description,
// the configuration keys it reads and the configuration it brings; epsim, the report and the
// sweeps find workloads only through the registry. The built-in workloads (testbench/workloads/)
// register through the same call an out-of-tree workload would use.
//
// Results common to every workload (enumeration, the TAP tests a workload streams, how a run
// stopped) are in workload_result; each workload keeps its own results in its instance.
#pragma once

#include "firmware/host/pci_endpoint_test.h"
#include "firmware/host/pci_host.h"
#include "testbench/config/config.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace epvp::tb {

class platform;

struct workload_result {
    bool host_finished = false;
    int enumerate_status = 0;
    std::vector<fw::host::pci_dev> devices;
    std::uint64_t crs_retries = 0;
    std::uint64_t reenumerations = 0; // the host enumerated again after the link came back
    // TAP: a workload that streams test lines sets tests_planned when it loads and calls
    // on_test as each test completes; the completed tests are `tests` (pass/fail/skip totals).
    std::vector<fw::host::test_result> tests;
    unsigned tests_planned = 0;
    std::function<void(unsigned, const fw::host::test_result&)> on_test;
    std::vector<fw::host::pcitest_reset> resets; // resets the host made between tests
    fw::host::pcitest_progress test_progress;    // the test running and those done so far
    // A run stopped before the host software finished (sim.time_limit_us, sim.wall_limit_s,
    // SIGINT or SIGTERM): what stopped it, the one-line account of where, and the streamed
    // tests' progress (its completed tests become `tests`).
    bool interrupted = false; // by a signal
    std::string stopped_by;   // "sim.time_limit_us = 50", "SIGINT", ...
    std::string in_progress;  // the test running when it stopped, or ""
    std::string stop_message; // "the workload did not finish within ...: hung in ..."
    // The workload cannot go on (its endpoint function failed to bind, a plugin threw): one line
    // naming what failed. epsim prints it and exits non-zero.
    std::string fatal;
    unsigned passed() const;
    unsigned failed() const;
    unsigned skipped() const;
};

class workload {
public:
    virtual ~workload() = default;
    // Loads the endpoint firmware and the host program (cfg::config_error: the configuration
    // cannot run this workload). `r` outlives the run.
    virtual void load(platform& p, workload_result& r) = 0;
    // After the run, finished or not: checks the testbench makes on the model's state.
    virtual void finish(platform& /*p*/, workload_result& /*r*/) {}
    // stdout after the run: the workload's results (default: the TAP totals of the streamed
    // tests, or every test's line), then the common lines (resets, enumeration, devices), then
    // its summary line(s) (default: "N passed, N failed, N skipped").
    virtual void print_results(platform& p, const workload_result& r, std::ostream& out) const;
    virtual void print_summary(platform& p, const workload_result& r, std::ostream& out) const;
    // Report (--report): its sections and metrics, added before the platform's counters
    // (enumeration, link, controller, ...) and after them (after "sim").
    virtual void report_before_counters(platform& /*p*/, const workload_result& /*r*/,
                                        cfg::json& /*report*/) const {}
    virtual void report_after_counters(platform& /*p*/, const workload_result& /*r*/,
                                       cfg::json& /*report*/) const {}
    // Exit status and report status: whether the workload failed beyond the common checks
    // (enumeration, failed tests), and why in one line ("" when it did not or the common
    // checks say it better).
    virtual bool failed(const workload_result& /*r*/) const { return false; }
    virtual std::string failure_reason(const workload_result& /*r*/) const { return ""; }
};

struct workload_info {
    std::string name;        // --workload NAME
    std::string description; // one line
    // The configuration keys it reads: a key or a prefix ending in '.' ("workload.p2p.").
    std::vector<std::string> keys;
    // Optional: the configuration it brings, merged under the user's (p2p: a topology).
    std::function<void(cfg::json& doc)> defaults;
    std::function<std::unique_ptr<workload>()> make;
    // Log categories of its own (an endpoint function's name): accepted by --log.
    std::vector<std::string> log_categories = {};
};

// The registry: a workload registers once (a name registered twice is a std::logic_error).
class workload_registry {
public:
    void add(workload_info w);
    const std::vector<workload_info>& all() const { return all_; }
    const workload_info* find(const std::string& name) const;

private:
    std::vector<workload_info> all_;
};

// The process's registry, with the built-in workloads registered on first use.
workload_registry& registry();
const std::vector<workload_info>& workloads();
const workload_info* find_workload(const std::string& name);
// "name1, name2, ...": for error messages.
std::string workload_names();
// The workload `epsim run` runs without --workload: the first built-in registered.
std::string default_workload();
// Every workload's own log categories, in registration order.
std::vector<std::string> workload_log_categories();
// `epsim workloads`: each workload's name and description, then the keys it reads ("a.b.*" for
// a prefix).
std::string format_workloads();

// The configuration document a run uses: the defaults, then each overlay in order (a board
// preset, a --config file), then what the workload brings (a default topology, say), then every
// --set last, so that a --set can reach into what the workload brought
// (`--set topology.endpoints[1].link.gen=4` with a workload's default topology). An unknown
// workload name brings nothing. Throws cfg::config_error.
cfg::json effective_config(const std::vector<cfg::json>& overlays,
                           const std::vector<std::string>& sets, const std::string& workload_name);

// Endpoints a workload left without firmware (in a topology) run the plain test function.
void load_idle_endpoints(platform& p);

// ": <the first problem logged>" or "": what a failure reason adds.
std::string first_problem_suffix();

} // namespace epvp::tb

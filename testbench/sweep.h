// `epsim sweep`: parameter sweeps over the configuration. A sweep specification (JSON) names a
// workload, a base configuration, fixed --set overrides and the parameters to vary (lists or
// ranges, cartesian product or zipped); every point runs as its own `epsim run` process (SystemC
// allows one simulation per process), N at a time, with a timeout per point. The points' reports
// are tabulated into results.csv and results.json: one row per point with its parameters, status,
// error and metrics (the report's "metrics" object: flat numbers whose names carry their unit).
//
// The same points can instead be written out as a Slurm job array (--emit-slurm DIR) and their
// reports merged later (--collect DIR).
#pragma once

#include <string>
#include <vector>

namespace epvp::tb {

struct sweep_options {
    std::string spec_file;
    unsigned jobs = 2; // points run at a time
    std::string out_dir = "sweep-out";
    bool resume = false;
    std::string emit_slurm_dir;       // write a Slurm array job instead of running
    std::string collect_dir;          // merge the reports of an emitted sweep
    bool plot = false;                // render the spec's "plot" after the sweep
    std::vector<std::string> plugins; // --plugin: loaded here and by every point's epsim run
};

// Returns the process exit status: 0 every point passed, 1 some point failed, 2 a bad spec or
// command line (one line on stderr naming the spec key), an output folder another sweep holds
// or an output that cannot be written, 130 interrupted.
int run_sweep(const sweep_options& o);

// A child process run to completion or killed (with its process group) at its deadline.
struct process_result {
    bool started = false;
    bool timed_out = false;
    int exit_status = -1; // when it exited
    int signal = 0;       // when a signal ended it
};

// Runs argv[0] (a path) with argv; an empty file name leaves that stream as it is. Never waits
// longer than timeout_s plus a short grace period to reap the killed process.
process_result run_process(const std::vector<std::string>& argv, const std::string& stdout_file,
                           const std::string& stderr_file, double timeout_s);

// The full path of a program found in PATH, or "" if there is none.
std::string find_program(const std::string& name);

} // namespace epvp::tb

// `epsim sweep`: parameter sweeps over the configuration. A sweep specification (JSON) names a
// workload, a base configuration, fixed --set overrides and the parameters to vary (lists or
// ranges, cartesian product or zipped); every point runs as its own `epsim run` process (SystemC
// allows one simulation per process), N at a time, with a timeout per point. The points' reports
// are tabulated into results.csv and results.json: one row per point with its parameters, status,
// error and metrics (the report's "metrics" object: flat numbers whose names carry their unit).
//
// The same points can instead be written out as a Slurm job array (--emit-slurm DIR) and their
// reports merged later (--collect DIR).
//
// Units: sweep_spec (the spec and its points), sweep_outputs (the sweep folder, results, Slurm
// script), sweep.cc (the runner and the modes), process (child processes).
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

} // namespace epvp::tb

// The sweep specification of `epsim sweep` (see sweep.h): parsed and checked against the
// configuration schema, expanded into points (cartesian product or zipped axes).
#pragma once

#include "testbench/config/config.h"

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace epvp::tb::sweep_detail {

using cfg::json;

constexpr double default_timeout_s = 600;

// A bad spec or command line: the message names the spec key.
struct spec_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct parameter {
    std::string key; // configuration key path, e.g. link.mps
    std::vector<json> values;
};

struct plot_spec {
    bool present = false;
    std::string x, y, series, title, x_scale = "auto";
    std::vector<std::string> where; // COLUMN=VALUE
};

struct sweep_spec {
    std::string name; // the spec file's stem: the Slurm job name
    json source;      // the spec with base_config resolved to an object (saved in sweep.json)
    std::string workload;
    json base_config = json::object();
    std::string base_config_file;      // where base_config was read from, if it named a file
    std::vector<std::string> sets;     // fixed overrides
    std::vector<parameter> parameters; // in the order the spec lists them
    std::vector<std::vector<std::size_t>> axes; // parameters that advance together, slowest first
    bool zip = false;
    double timeout_s = default_timeout_s;
    std::vector<std::string> metrics; // empty: every metric any report has
    plot_spec plot;
    std::vector<std::string> plugins; // --plugin: passed on to every point (absolute paths)
};

struct point {
    std::string id;
    std::vector<json> values; // one per parameter
};

struct loaded {
    sweep_spec spec;
    std::vector<point> points;
    // Points whose configuration epsim run refuses (they run, and fail with that line), and the
    // first one's error.
    std::size_t refused = 0;
    std::string first_refusal;
};

// Throws spec_error naming the key; spec_dir resolves a relative base_config file.
sweep_spec parse_spec(const json& in, const std::filesystem::path& spec_dir,
                      const std::string& name);
std::vector<point> make_points(const sweep_spec& s);
// The error line epsim run gives for a point's configuration, or "" when it accepts it.
std::string point_config_error(const sweep_spec& s, const point& p);
// Reads, parses and expands a spec file, and checks every point's configuration: spec_error
// names the file and the key, or the first point when epsim run would refuse every point.
loaded load_spec_file(const std::string& file);

// "link.gen 2 x link.mps 3": the axes and their lengths.
std::string axes_summary(const sweep_spec& s);
// "link.gen=2 link.mps=256": a point's parameter values.
std::string param_summary(const sweep_spec& s, const point& p);
// The --set overrides a point runs with: the fixed ones, then its parameters.
std::vector<std::string> point_sets(const sweep_spec& s, const point& p);
// What a point runs: compared on --resume to tell whether a saved report is still this point's.
json point_config(const sweep_spec& s, const point& p);

std::string join(const std::vector<std::string>& items, const std::string& sep);
// A value as a cell of results.csv: strings as they are, everything else as JSON.
std::string cell_text(const json& v);

// Text that goes into file names, one-line files (points.txt) and script lines (the Slurm job,
// the gnuplot script) must be one line of printable characters: true if t holds a character
// below 0x20 or 0x7f.
bool has_control_char(const std::string& t);

} // namespace epvp::tb::sweep_detail

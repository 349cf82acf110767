// What `epsim sweep` (see sweep.h) writes and reads back: the sweep folder (sweep.json, the base
// configuration, a folder per point with its config.json, report.json and the run's output),
// results.csv and results.json, and the Slurm array job of --emit-slurm. A point's row comes
// from its files alone, so a local sweep, --resume and --collect agree.
#pragma once

#include "testbench/sweep_spec.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace epvp::tb::sweep_detail {

namespace fs = std::filesystem;

constexpr const char* status_pass = "PASS";
constexpr const char* status_failed = "FAILED"; // the point produced no report
constexpr const char* spec_file_name = "sweep.json";
constexpr const char* base_config_file_name = "base_config.json";
constexpr const char* not_run_error = "not run";

struct layout {
    fs::path dir; // absolute
    fs::path points() const { return dir / "points"; }
    fs::path point_dir(const point& p) const { return points() / p.id; }
    fs::path base_config() const { return dir / base_config_file_name; }
};

std::string read_text(const fs::path& p);
std::optional<json> read_json(const fs::path& p);
// Written whole or not at all: a reader never sees half a file.
void write_text(const fs::path& p, const std::string& text);
void make_dirs(const fs::path& p);
std::string format_seconds(double s);
// Quoted for bash: safe words as they are, anything else in single quotes.
std::string shell_quote(const std::string& s);

// The epsim arguments of a point (after the program name).
std::vector<std::string> point_args(const sweep_spec& s, const layout& l, const point& p);

// Writes DIR/sweep.json, the base configuration and every point's config.json. A point whose
// saved config.json differs loses its old outputs; with keep_matching, a matching one keeps them.
// Returns, per point, whether it still has its report.
std::vector<bool> prepare(const sweep_spec& s, const layout& l, const std::vector<point>& points,
                          bool keep_matching);

struct row {
    std::string status, error;
    json metrics = json::object();
};

// A point's row, from its files alone.
row read_row(const fs::path& d);
std::vector<row> read_rows(const layout& l, const std::vector<point>& points);

// results.csv and results.json. Returns the number of rows that did not pass.
std::size_t write_results(const sweep_spec& s, const layout& l, const std::vector<point>& points,
                          const std::vector<row>& rows);

// Renders the spec's "plot" from DIR/results.json; returns epsim plot's exit status.
int plot_after(const sweep_spec& s, const layout& l);

// The Slurm array job: task N runs line N+1 of DIR/points.txt.
std::string sbatch_script(const sweep_spec& s, const layout& l, std::size_t count, unsigned digits,
                          const std::string& exe);

} // namespace epvp::tb::sweep_detail

#include "testbench/sweep_outputs.h"

#include "firmware/hal/errno.h"
#include "testbench/output_file.h"
#include "testbench/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace epvp::tb::sweep_detail {

namespace {

constexpr std::size_t max_error_chars = 300; // an error cell: one line, not a log
constexpr double slurm_time_margin_s = 60;   // Slurm's --time over the point timeout
constexpr int slurm_kill_after_s = 10;       // timeout(1) --kill-after in the array job
constexpr int exit_timeout_coreutils = 124;  // timeout(1): the command timed out
constexpr int exit_killed_coreutils = 137;   // timeout(1) --kill-after: 128 + SIGKILL
constexpr int seconds_per_minute = 60;

void remove_file(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

// At most max_error_chars bytes of an error text, cut on a character boundary ("..." marks a cut),
// as valid UTF-8: a run's stderr may hold any bytes (another locale's messages, a node's own
// output), and the results must stay valid JSON.
std::string error_cell(std::string e) {
    if (e.size() > max_error_chars) {
        e.resize(max_error_chars);
        // The last character's lead byte; the character is dropped if the cut went through it.
        std::size_t lead = e.size();
        while (lead > 0 && (static_cast<unsigned char>(e[lead - 1]) & 0xC0) == 0x80)
            --lead;
        if (lead > 0) {
            const auto b = static_cast<unsigned char>(e[lead - 1]);
            const std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            if (lead - 1 + len > e.size()) e.resize(lead - 1);
        }
        e += "...";
    }
    // Invalid sequences become U+FFFD.
    return json::parse(json(e).dump(-1, ' ', false, json::error_handler_t::replace))
        .get<std::string>();
}

// The line that says why a run failed: the last line epsim itself wrote ("epsim: error: ...",
// "epsim sweep: timed out ..."), else the last non-empty line.
std::string error_line(const std::string& text) {
    std::string last, last_epsim;
    std::istringstream is(text);
    for (std::string line; std::getline(is, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.empty()) continue;
        last = line;
        if (line.rfind("epsim", 0) == 0) last_epsim = line;
    }
    return error_cell(last_epsim.empty() ? last : last_epsim);
}

std::string report_summary(const json& rep) {
    const std::string status = rep.value("status", std::string());
    // The run's own account of why it did not pass.
    if (rep.contains("reason") && rep.at("reason").is_string() &&
        !rep.at("reason").get<std::string>().empty()) {
        return error_cell(rep.at("reason").get<std::string>());
    }
    if (status == "HUNG" || status == "interrupted") {
        const json stopped = rep.value("stopped", json::object());
        if (stopped.is_object() && stopped.value("message", std::string()) != "")
            return error_cell(stopped.value("message", std::string()));
        return "the workload did not finish within sim.time_limit_us";
    }
    if (rep.contains("tests") && rep.at("tests").is_array())
        for (const auto& t : rep.at("tests"))
            if (t.is_object() && t.value("result", std::string()) == "FAIL") {
                const std::string reason = t.value("reason", std::string());
                return "test " + t.value("name", std::string("?")) + " failed" +
                       (reason.empty() ? "" : ": " + reason);
            }
    const json en = rep.value("enumeration", json::object());
    if (en.is_object() && en.value("status", 0) != 0)
        return std::string("enumeration failed: ") + fw::err_name(en.value("status", 0));
    if (rep.value("sweep_status", 0) != 0)
        return std::string("dma-sweep: ") + fw::err_name(rep.value("sweep_status", 0));
    return "report status " + status;
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace

std::string read_text(const fs::path& p) {
    std::ifstream is(p, std::ios::binary);
    std::stringstream ss;
    ss << is.rdbuf();
    return ss.str();
}

std::optional<json> read_json(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    json j = json::parse(read_text(p), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

void write_text(const fs::path& p, const std::string& text) {
    const fs::path tmp = p.string() + ".tmp";
    std::error_code ec;
    try {
        write_output("", tmp.string(), text);
    } catch (...) {
        fs::remove(tmp, ec); // no half-written file left behind
        throw;
    }
    fs::rename(tmp, p, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(tmp, ec);
        throw std::runtime_error(p.string() + ": cannot write (" + why + ")");
    }
}

void make_dirs(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec)
        throw std::runtime_error(p.string() + ": cannot create directory (" + ec.message() + ")");
}

std::string format_seconds(double s) {
    return fmt::format("{:g}", s);
}

std::string shell_quote(const std::string& s) {
    const bool safe =
        !s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_./=:,+-@%") == std::string::npos;
    if (safe) return s;
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::vector<std::string> point_args(const sweep_spec& s, const layout& l, const point& p) {
    std::vector<std::string> a = {"run", "--workload", s.workload};
    for (const auto& plugin : s.plugins) {
        a.push_back("--plugin");
        a.push_back(plugin);
    }
    if (!s.base_config.empty()) {
        a.push_back("--config");
        a.push_back(l.base_config().string());
    }
    for (const auto& set : point_sets(s, p)) {
        a.push_back("--set");
        a.push_back(set);
    }
    a.push_back("--report");
    a.push_back((l.point_dir(p) / "report.json").string());
    return a;
}

std::vector<bool> prepare(const sweep_spec& s, const layout& l, const std::vector<point>& points,
                          bool keep_matching) {
    make_dirs(l.points());
    // What an earlier sweep in this folder derived from its results goes: a results table or a
    // plot left beside this sweep's files would read as this sweep's. Only in a folder a sweep
    // wrote (its sweep.json is a saved sweep): other files of those names are the user's.
    if (const auto old = read_json(l.dir / spec_file_name);
        old && old->is_object() && old->contains("spec") && old->at("spec").is_object()) {
        const json& spec = old->at("spec");
        const json* plot = spec.contains("plot") ? &spec.at("plot") : nullptr;
        if (plot && plot->is_object() && plot->contains("y") && plot->at("y").is_string()) {
            const std::string y = plot->at("y").get<std::string>();
            if (!y.empty() && fs::path(y).filename() == y) remove_file(l.dir / (y + ".svg"));
        }
        for (const char* f : {"results.csv", "results.json"})
            remove_file(l.dir / f);
        if (s.base_config.empty()) remove_file(l.base_config());
    }
    json saved;
    saved["name"] = s.name;
    saved["spec"] = s.source;
    write_text(l.dir / spec_file_name, saved.dump(2) + "\n");
    if (!s.base_config.empty()) write_text(l.base_config(), s.base_config.dump(2) + "\n");
    std::vector<bool> done(points.size(), false);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const fs::path d = l.point_dir(points[i]);
        make_dirs(d);
        const json c = point_config(s, points[i]);
        const auto old = read_json(d / "config.json");
        const bool same = old && *old == c;
        if (keep_matching && same) {
            done[i] = read_json(d / "report.json").has_value();
            if (done[i]) continue;
        }
        for (const char* f : {"report.json", "stderr.txt", "stdout.txt"})
            remove_file(d / f);
        if (!same) write_text(d / "config.json", c.dump(2) + "\n");
    }
    return done;
}

row read_row(const fs::path& d) {
    row r;
    const auto rep = read_json(d / "report.json");
    std::error_code ec;
    const bool started = fs::exists(d / "stderr.txt", ec);
    const std::string err = error_line(read_text(d / "stderr.txt"));
    if (!rep || !rep->is_object() || !rep->contains("status") || !rep->at("status").is_string()) {
        r.status = status_failed;
        r.error = !err.empty()                        ? err
                  : fs::exists(d / "report.json", ec) ? "report.json is not a report"
                  : started                           ? "the run wrote no report.json"
                                                      : not_run_error;
        return r;
    }
    r.status = rep->at("status").get<std::string>();
    if (rep->contains("metrics") && rep->at("metrics").is_object()) r.metrics = rep->at("metrics");
    if (r.status != status_pass) r.error = err.empty() ? report_summary(*rep) : err;
    return r;
}

std::size_t write_results(const sweep_spec& s, const layout& l, const std::vector<point>& points,
                          const std::vector<row>& rows) {
    std::vector<std::string> metrics = s.metrics;
    std::vector<std::string> seen;
    for (const auto& r : rows)
        for (auto it = r.metrics.begin(); it != r.metrics.end(); ++it)
            if (std::find(seen.begin(), seen.end(), it.key()) == seen.end())
                seen.push_back(it.key());
    if (metrics.empty())
        metrics = seen;
    else
        for (const auto& m : metrics)
            if (std::find(seen.begin(), seen.end(), m) == seen.end() && !seen.empty())
                std::fprintf(stderr,
                             "epsim sweep: warning: metrics: '%s' is in no report "
                             "(the reports have: %s)\n",
                             m.c_str(), join(seen, ", ").c_str());

    std::vector<std::string> header = {"point"};
    for (const auto& p : s.parameters)
        header.push_back(p.key);
    header.push_back("status");
    header.push_back("error");
    header.insert(header.end(), metrics.begin(), metrics.end());

    std::string csv;
    for (std::size_t c = 0; c < header.size(); ++c)
        csv += (c ? "," : "") + csv_cell(header[c]);
    csv += "\n";
    json table = json::array();
    std::size_t failed = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const row& r = rows[i];
        failed += r.status != status_pass;
        json o;
        o["point"] = points[i].id;
        std::vector<std::string> cells = {points[i].id};
        for (std::size_t p = 0; p < s.parameters.size(); ++p) {
            o[s.parameters[p].key] = points[i].values[p];
            cells.push_back(cell_text(points[i].values[p]));
        }
        o["status"] = r.status;
        o["error"] = r.error;
        cells.push_back(r.status);
        cells.push_back(r.error);
        for (const auto& m : metrics) {
            const json v = r.metrics.contains(m) ? r.metrics.at(m) : json();
            o[m] = v;
            cells.push_back(cell_text(v));
        }
        table.push_back(o);
        for (std::size_t c = 0; c < cells.size(); ++c)
            csv += (c ? "," : "") + csv_cell(cells[c]);
        csv += "\n";
    }
    write_text(l.dir / "results.csv", csv);
    write_text(l.dir / "results.json",
               table.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
    return failed;
}

std::vector<row> read_rows(const layout& l, const std::vector<point>& points) {
    std::vector<row> rows;
    for (const auto& p : points)
        rows.push_back(read_row(l.point_dir(p)));
    return rows;
}

int plot_after(const sweep_spec& s, const layout& l) {
    plot_options po;
    po.results_csv = (l.dir / "results.csv").string();
    po.x = s.plot.x;
    po.y = s.plot.y;
    po.series = s.plot.series;
    po.title = s.plot.title;
    po.x_scale = s.plot.x_scale;
    po.where = s.plot.where;
    po.output = (l.dir / (s.plot.y + ".svg")).string();
    return run_plot(po);
}

namespace {

// An #SBATCH option's value as sbatch reads it: double quotes group a value with spaces, and a
// backslash keeps the next character (a '"' or '\\') as it is.
std::string sbatch_quote(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// A literal text in a Slurm file name pattern: "%%" is one '%' ("%A" would be the job ID).
std::string slurm_pattern_literal(const std::string& text) {
    std::string out;
    for (char c : text)
        out += c == '%' ? std::string("%%") : std::string(1, c);
    return out;
}

} // namespace

std::string sbatch_script(const sweep_spec& s, const layout& l, std::size_t count, unsigned digits,
                          const std::string& exe) {
    const long minutes =
        std::lround(std::ceil((s.timeout_s + slurm_time_margin_s) / seconds_per_minute));
    const std::string d = l.dir.string();
    std::ostringstream o;
    o << "#!/bin/bash\n"
      << "#SBATCH --job-name=" << sbatch_quote("epsim-" + s.name) << "\n"
      << "#SBATCH --array=0-" << count - 1 << "\n"
      << "#SBATCH --output=" << sbatch_quote(slurm_pattern_literal(d) + "/points/slurm-%A_%a.out")
      << "\n"
      << "#SBATCH --time=" << minutes << "\n"
      << "# One array task per point of the sweep '" << s.name << "' (" << count
      << " points), written by `epsim sweep --emit-slurm`.\n"
      << "# Task N runs line N+1 of points.txt: epsim's arguments for point N.\n"
      << "#   submit:         sbatch " << shell_quote(d + "/sweep.sbatch") << "\n"
      << "#   one point here: SLURM_ARRAY_TASK_ID=0 bash " << shell_quote(d + "/sweep.sbatch")
      << "\n"
      << "#   then merge:     " << shell_quote(exe) << " sweep --collect " << shell_quote(d) << "\n"
      << "set -euo pipefail\n"
      << "epsim=" << shell_quote(exe) << "\n"
      << "dir=" << shell_quote(d) << "\n"
      << "timeout_s=" << format_seconds(s.timeout_s) << "\n"
      << "task=\"${SLURM_ARRAY_TASK_ID:-}\"\n"
      << "case \"$task\" in\n"
      << "'' | *[!0-9]*)\n"
      << "    echo \"sweep.sbatch: SLURM_ARRAY_TASK_ID must be a point index 0-" << count - 1
      << " (sbatch sets it)\" >&2\n"
      << "    exit 2\n"
      << "    ;;\n"
      << "esac\n"
      << "task=$((10#$task)) # 08 is eight, not a bad octal number\n"
      << "line=\"$(sed -n \"$((task + 1))p\" \"$dir/points.txt\")\"\n"
      << "if [ -z \"$line\" ]; then\n"
      << "    echo \"sweep.sbatch: no point $task in $dir/points.txt\" >&2\n"
      << "    exit 2\n"
      << "fi\n"
      << "point=\"$(printf 'point_%0" << digits << "d' \"$task\")\"\n"
      << "err=\"$dir/points/$point/stderr.txt\"\n"
      << "eval \"set -- $line\"\n"
      << "status=0\n"
      << "timeout --kill-after=" << slurm_kill_after_s
      << " \"$timeout_s\" \"$epsim\" \"$@\" 2>\"$err\" || status=$?\n"
      << "if [ \"$status\" -eq " << exit_timeout_coreutils << " ] || [ \"$status\" -eq "
      << exit_killed_coreutils << " ]; then\n"
      << "    echo \"epsim sweep: timed out after $timeout_s s (process group killed)\" "
         ">>\"$err\"\n"
      << "fi\n"
      << "exit \"$status\"\n";
    return o.str();
}

} // namespace epvp::tb::sweep_detail

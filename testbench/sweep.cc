#include "sweep.h"

#include "config/config.h"
#include "hal/errno.h"
#include "output_file.h"
#include "plot.h"
#include "workload.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace epvp::tb {

namespace {

namespace fs = std::filesystem;
using cfg::json;
using clock_type = std::chrono::steady_clock;

constexpr int exit_pass = 0, exit_fail = 1, exit_usage = 2;
constexpr int exit_interrupted = 130;       // 128 + SIGINT, as a shell reports it
constexpr int exit_exec_failed = 127;       // the child could not execute the program
constexpr int exit_timeout_coreutils = 124; // timeout(1): the command timed out
constexpr int exit_killed_coreutils = 137;  // timeout(1) --kill-after: 128 + SIGKILL
constexpr double default_timeout_s = 600;
constexpr double reap_grace_s = 10;        // after SIGKILL, how long to wait for the exit
constexpr double slurm_time_margin_s = 60; // Slurm's --time over the point timeout
constexpr int slurm_kill_after_s = 10;     // timeout(1) --kill-after in the array job
constexpr int seconds_per_minute = 60;
constexpr int seconds_per_hour = 3600;
constexpr unsigned point_id_min_digits = 4; // point_0000
constexpr unsigned decimal_base = 10;
constexpr std::size_t max_values_per_parameter = 10000;
constexpr std::size_t max_points = 100000;
constexpr std::size_t max_error_chars = 300; // an error cell: one line, not a log
constexpr int float_digits = 12;             // float range values are rounded to this many digits
constexpr double range_end_tolerance = 1e-9; // relative: a float range includes its end point
constexpr auto poll_interval = std::chrono::milliseconds(20);
constexpr auto tty_redraw_interval = std::chrono::seconds(1); // the elapsed clock ticks
constexpr auto plain_line_interval = std::chrono::seconds(1); // not a tty: at most a line/s
constexpr unsigned progress_cells = 10;
constexpr mode_t file_mode = 0644;
constexpr const char* status_pass = "PASS";
constexpr const char* status_failed = "FAILED"; // the point produced no report
constexpr const char* spec_file_name = "sweep.json";
constexpr const char* base_config_file_name = "base_config.json";

// A bad spec or command line: the message names the spec key.
struct spec_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void bad(const std::string& key, const std::string& rule) {
    throw spec_error(key + ": " + rule);
}

// ---- small helpers ----------------------------------------------------------------------------

std::string self_path() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("epsim") : p.string();
}

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

// Written whole or not at all: a reader never sees half a file.
void write_text(const fs::path& p, const std::string& text) {
    const fs::path tmp = p.string() + ".tmp";
    write_output("", tmp.string(), text);
    std::error_code ec;
    fs::rename(tmp, p, ec);
    if (ec) throw std::runtime_error(p.string() + ": cannot write (" + ec.message() + ")");
}

void make_dirs(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec)
        throw std::runtime_error(p.string() + ": cannot create directory (" + ec.message() + ")");
}

void remove_file(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : sep) + i;
    return out;
}

// "m:ss", or "h:mm:ss" from an hour on.
std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= seconds_per_hour)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / seconds_per_hour,
                      s % seconds_per_hour / seconds_per_minute, s % seconds_per_minute);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / seconds_per_minute, s % seconds_per_minute);
    return buf;
}

std::string format_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
}

// A value as a cell of results.csv: strings as they are, everything else as JSON.
std::string cell_text(const json& v) {
    if (v.is_null()) return "";
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// A value as the right-hand side of --set: plain text unless it would read as other JSON.
std::string set_text(const json& v) {
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        return json::accept(s) ? v.dump() : s;
    }
    return v.dump();
}

// Quoted for bash: safe words as they are, anything else in single quotes.
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

std::string type_name(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "a list";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    default:
        return "a number";
    }
}

// ---- the spec ---------------------------------------------------------------------------------

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
    std::vector<std::string> sets;              // fixed overrides
    std::vector<parameter> parameters;          // in the order the spec lists them
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

// Does "a.b[2].c" name a node of the (complete) configuration document?
bool has_config_key(const json& doc, const std::string& path) {
    const json* node = &doc;
    std::size_t i = 0;
    while (i < path.size()) {
        const std::size_t end = path.find_first_of(".[", i);
        const std::string name = path.substr(i, end == std::string::npos ? end : end - i);
        if (name.empty() || !node->is_object() || !node->contains(name)) return false;
        node = &node->at(name);
        i = end == std::string::npos ? path.size() : end;
        while (i < path.size() && path[i] == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string::npos) return false;
            const std::string digits = path.substr(i + 1, close - i - 1);
            if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
                return false;
            const std::size_t index = std::stoul(digits);
            if (!node->is_array() || index >= node->size()) return false;
            node = &node->at(index);
            i = close + 1;
        }
        if (i < path.size()) {
            if (path[i] != '.' || i + 1 == path.size()) return false;
            ++i;
        }
    }
    return !path.empty();
}

json rounded(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", float_digits, v);
    return std::strtod(buf, nullptr);
}

std::vector<json> expand_range(const std::string& key, const json& obj) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (it.key() != "range" && it.key() != "factor" && it.key() != "step")
            bad(key + "." + it.key(), "unknown key in a range (known: range, factor, step)");
    if (!obj.contains("range"))
        bad(key, "a range object needs \"range\": [low, high] and \"factor\" or \"step\"");
    const json& r = obj.at("range");
    if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number())
        bad(key + ".range", "must be [low, high], two numbers");
    const bool has_factor = obj.contains("factor"), has_step = obj.contains("step");
    if (has_factor == has_step)
        bad(key, "a range needs exactly one of \"factor\" (geometric) or \"step\" (arithmetic)");
    const std::string by_key = key + (has_factor ? ".factor" : ".step");
    const json& by_json = obj.at(has_factor ? "factor" : "step");
    if (!by_json.is_number()) bad(by_key, "must be a number, not " + type_name(by_json));
    const double low = r[0].get<double>(), high = r[1].get<double>(), by = by_json.get<double>();
    if (low > high) bad(key + ".range", "low " + r[0].dump() + " is above high " + r[1].dump());
    if (has_factor && by <= 1) bad(by_key, "must be above 1, not " + by_json.dump());
    if (has_factor && low <= 0)
        bad(key + ".range", "a geometric range (factor) must start above 0");
    if (has_step && by <= 0) bad(by_key, "must be above 0, not " + by_json.dump());
    const std::string too_many =
        "gives more than " + std::to_string(max_values_per_parameter) + " values";

    std::vector<json> out;
    const bool integral =
        r[0].is_number_integer() && r[1].is_number_integer() && by_json.is_number_integer();
    if (integral) {
        const auto lo = r[0].get<std::int64_t>(), hi = r[1].get<std::int64_t>(),
                   b = by_json.get<std::int64_t>();
        for (std::int64_t v = lo;;) {
            out.push_back(v);
            if (out.size() > max_values_per_parameter) bad(key, too_many);
            if (has_factor ? v > hi / b : v > hi - b) break;
            v = has_factor ? v * b : v + b;
        }
        return out;
    }
    const double tolerance = range_end_tolerance * std::max(std::fabs(low), std::fabs(high));
    for (std::size_t k = 0;; ++k) {
        const double v = has_factor ? low * std::pow(by, static_cast<double>(k))
                                    : low + static_cast<double>(k) * by;
        if (v > high + tolerance) break;
        out.push_back(rounded(v));
        if (out.size() > max_values_per_parameter) bad(key, too_many);
    }
    return out;
}

std::vector<json> parameter_values(const std::string& key, const json& v) {
    if (v.is_object()) return expand_range(key, v);
    if (!v.is_array())
        bad(key, "must be a list of values or a range {\"range\": [low, high], \"factor\" or "
                 "\"step\": N}, not " +
                     type_name(v));
    if (v.empty()) bad(key, "empty list");
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i].is_null() || v[i].is_object())
            bad(key + "[" + std::to_string(i) + "]", "must be a number, string, boolean or list");
    return std::vector<json>(v.begin(), v.end());
}

std::string require_string(const json& v, const std::string& key) {
    if (!v.is_string() || v.get<std::string>().empty())
        bad(key, "must be a non-empty string, not " + type_name(v));
    return v.get<std::string>();
}

std::size_t parameter_index(const sweep_spec& s, const std::string& key) {
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        if (s.parameters[i].key == key) return i;
    return s.parameters.size();
}

std::string parameter_keys(const sweep_spec& s) {
    std::vector<std::string> keys;
    for (const auto& p : s.parameters)
        keys.push_back(p.key);
    return join(keys, ", ");
}

void parse_plot(sweep_spec& s, const json& p) {
    if (!p.is_object())
        bad("plot", "must be an object {\"x\": PARAM, \"y\": METRIC, \"series\": PARAM}");
    for (auto it = p.begin(); it != p.end(); ++it)
        if (it.key() != "x" && it.key() != "y" && it.key() != "series" && it.key() != "title" &&
            it.key() != "x_scale" && it.key() != "where")
            bad("plot." + it.key(), "unknown key (known: x, y, series, title, x_scale, where)");
    s.plot.present = true;
    if (!p.contains("x") || !p.contains("y"))
        bad("plot", "needs \"x\" (a parameter) and \"y\" (a metric)");
    s.plot.x = require_string(p.at("x"), "plot.x");
    s.plot.y = require_string(p.at("y"), "plot.y");
    if (parameter_index(s, s.plot.x) == s.parameters.size())
        bad("plot.x",
            "'" + s.plot.x + "' is not a parameter (parameters: " + parameter_keys(s) + ")");
    if (p.contains("series")) {
        s.plot.series = require_string(p.at("series"), "plot.series");
        if (parameter_index(s, s.plot.series) == s.parameters.size())
            bad("plot.series", "'" + s.plot.series +
                                   "' is not a parameter (parameters: " + parameter_keys(s) + ")");
        if (s.plot.series == s.plot.x) bad("plot.series", "is the same column as plot.x");
    }
    if (!s.metrics.empty() &&
        std::find(s.metrics.begin(), s.metrics.end(), s.plot.y) == s.metrics.end())
        bad("plot.y",
            "'" + s.plot.y + "' is not one of \"metrics\" (" + join(s.metrics, ", ") + ")");
    if (p.contains("where")) {
        const json& w = p.at("where");
        if (!w.is_object())
            bad("plot.where", "must be an object {\"PARAM\": VALUE} selecting the plotted rows");
        for (auto it = w.begin(); it != w.end(); ++it) {
            const std::size_t i = parameter_index(s, it.key());
            if (i == s.parameters.size())
                bad("plot.where." + it.key(),
                    "not a parameter (parameters: " + parameter_keys(s) + ")");
            const auto& values = s.parameters[i].values;
            if (std::find(values.begin(), values.end(), it.value()) == values.end())
                bad("plot.where." + it.key(), it.value().dump() + " is not one of its values");
            s.plot.where.push_back(it.key() + "=" + cell_text(it.value()));
        }
    }
    if (p.contains("title")) s.plot.title = require_string(p.at("title"), "plot.title");
    if (p.contains("x_scale")) {
        s.plot.x_scale = require_string(p.at("x_scale"), "plot.x_scale");
        if (s.plot.x_scale != "auto" && s.plot.x_scale != "linear" && s.plot.x_scale != "log")
            bad("plot.x_scale", "must be auto, linear or log");
    }
}

// The axes of the cartesian product: each zip group is one axis, every other parameter its own;
// an axis sits where its first parameter is listed; the first axis varies slowest.
void make_axes(sweep_spec& s, const json& zip) {
    const std::size_t n = s.parameters.size();
    if (s.zip) {
        for (std::size_t i = 1; i < n; ++i)
            if (s.parameters[i].values.size() != s.parameters[0].values.size())
                bad("parameters",
                    "mode zip needs lists of the same length: " + s.parameters[0].key + " has " +
                        std::to_string(s.parameters[0].values.size()) + " values, " +
                        s.parameters[i].key + " has " +
                        std::to_string(s.parameters[i].values.size()));
        s.axes.emplace_back();
        for (std::size_t i = 0; i < n; ++i)
            s.axes.back().push_back(i);
        return;
    }
    std::vector<int> group_of(n, -1);
    std::vector<std::vector<std::size_t>> groups;
    if (!zip.is_null()) {
        if (!zip.is_array()) bad("zip", "must be a list of groups, e.g. [[\"a.b\", \"a.c\"]]");
        for (std::size_t g = 0; g < zip.size(); ++g) {
            const std::string gkey = "zip[" + std::to_string(g) + "]";
            if (!zip[g].is_array() || zip[g].size() < 2)
                bad(gkey, "must list at least two parameters that advance together");
            groups.emplace_back();
            for (std::size_t k = 0; k < zip[g].size(); ++k) {
                const std::string key =
                    require_string(zip[g][k], gkey + "[" + std::to_string(k) + "]");
                const std::size_t i = parameter_index(s, key);
                if (i == n)
                    bad(gkey,
                        "'" + key + "' is not a parameter (parameters: " + parameter_keys(s) + ")");
                if (group_of[i] >= 0)
                    bad(gkey,
                        "'" + key + "' is already in zip[" + std::to_string(group_of[i]) + "]");
                const auto& first = s.parameters[groups.back().empty() ? i : groups.back()[0]];
                if (s.parameters[i].values.size() != first.values.size())
                    bad(gkey, "zipped lists must have the same length: " + first.key + " has " +
                                  std::to_string(first.values.size()) + " values, " + key +
                                  " has " + std::to_string(s.parameters[i].values.size()));
                group_of[i] = static_cast<int>(g);
                groups.back().push_back(i);
            }
        }
    }
    std::vector<bool> placed(groups.size(), false);
    for (std::size_t i = 0; i < n; ++i) {
        if (group_of[i] < 0) {
            s.axes.push_back({i});
            continue;
        }
        const auto g = static_cast<std::size_t>(group_of[i]);
        if (!placed[g]) {
            placed[g] = true;
            std::vector<std::size_t> axis = groups[g];
            std::sort(axis.begin(), axis.end());
            s.axes.push_back(axis);
        }
    }
}

sweep_spec parse_spec(const json& in, const fs::path& spec_dir, const std::string& name) {
    static const std::vector<std::string> known = {
        "description", "workload", "base_config", "set",     "parameters",
        "mode",        "zip",      "timeout_s",   "metrics", "plot"};
    if (!in.is_object())
        bad("(spec)", "must be a JSON object with \"workload\" and \"parameters\"");
    for (auto it = in.begin(); it != in.end(); ++it)
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            bad(it.key(), "unknown key (known: " + join(known, ", ") + ")");
    sweep_spec s;
    s.name = name;
    s.source = in;
    if (in.contains("description")) require_string(in.at("description"), "description");

    if (!in.contains("workload")) bad("workload", "missing (e.g. \"workload\": \"dma-sweep\")");
    s.workload = require_string(in.at("workload"), "workload");
    if (!find_workload(s.workload)) {
        std::vector<std::string> names;
        for (const auto& w : workloads())
            names.push_back(w.name);
        bad("workload", "unknown workload '" + s.workload + "' (known: " + join(names, ", ") + ")");
    }

    json doc = cfg::defaults();
    if (in.contains("base_config")) {
        const json& b = in.at("base_config");
        try {
            if (b.is_string()) {
                fs::path file = b.get<std::string>();
                if (file.is_relative()) file = spec_dir / file;
                s.base_config = cfg::load_file(file.string());
            } else if (b.is_object()) {
                s.base_config = b;
            } else {
                bad("base_config", "must be a (partial) configuration object or a file name");
            }
            cfg::merge(doc, s.base_config);
        } catch (const cfg::config_error& e) {
            bad("base_config", e.what());
        }
        s.source["base_config"] = s.base_config;
    }

    std::vector<std::string> fixed_keys;
    if (in.contains("set")) {
        const json& sets = in.at("set");
        if (!sets.is_array()) bad("set", "must be a list of \"key=value\" strings");
        for (std::size_t i = 0; i < sets.size(); ++i) {
            const std::string key = "set[" + std::to_string(i) + "]";
            const std::string a = require_string(sets[i], key);
            try {
                cfg::apply_set(doc, a);
            } catch (const cfg::config_error& e) {
                bad(key, e.what());
            }
            s.sets.push_back(a);
            fixed_keys.push_back(a.substr(0, a.find('=')));
        }
    }

    if (!in.contains("parameters"))
        bad("parameters", "missing (e.g. \"parameters\": {\"link.gen\": [1, 2, 3]})");
    const json& params = in.at("parameters");
    if (!params.is_object() || params.empty())
        bad("parameters",
            "must be an object with at least one key path, e.g. {\"link.gen\": [1, 2]}");
    for (auto it = params.begin(); it != params.end(); ++it) {
        const std::string key = "parameters." + it.key();
        if (!has_config_key(doc, it.key()))
            bad(key, "not a configuration key (epsim config --dump lists them)");
        const auto fixed = std::find(fixed_keys.begin(), fixed_keys.end(), it.key());
        if (fixed != fixed_keys.end())
            bad(key, "is also fixed by set[" + std::to_string(fixed - fixed_keys.begin()) + "]");
        s.parameters.push_back({it.key(), parameter_values(key, it.value())});
    }

    const std::string mode =
        in.contains("mode") ? require_string(in.at("mode"), "mode") : "cartesian";
    if (mode != "cartesian" && mode != "zip")
        bad("mode", "must be cartesian or zip, not '" + mode + "'");
    s.zip = mode == "zip";
    if (s.zip && in.contains("zip"))
        bad("zip", "groups are for mode cartesian (mode zip zips every parameter)");
    make_axes(s, in.contains("zip") ? in.at("zip") : json());

    if (in.contains("timeout_s")) {
        const json& t = in.at("timeout_s");
        if (!t.is_number() || t.get<double>() <= 0)
            bad("timeout_s", "must be a number of seconds above 0");
        s.timeout_s = t.get<double>();
    }

    if (in.contains("metrics")) {
        const json& m = in.at("metrics");
        if (!m.is_array() || m.empty())
            bad("metrics", "must be a non-empty list of metric names (or left out: every metric)");
        for (std::size_t i = 0; i < m.size(); ++i) {
            const std::string name_i = require_string(m[i], "metrics[" + std::to_string(i) + "]");
            if (std::find(s.metrics.begin(), s.metrics.end(), name_i) != s.metrics.end())
                bad("metrics[" + std::to_string(i) + "]", "'" + name_i + "' is listed twice");
            s.metrics.push_back(name_i);
        }
    }
    if (in.contains("plot")) parse_plot(s, in.at("plot"));
    return s;
}

std::vector<point> make_points(const sweep_spec& s) {
    std::size_t total = 1;
    for (const auto& axis : s.axes) {
        total *= s.parameters[axis[0]].values.size();
        if (total > max_points)
            bad("parameters", "more than " + std::to_string(max_points) + " points");
    }
    unsigned digits = 1;
    for (std::size_t v = total - 1; v >= decimal_base; v /= decimal_base)
        ++digits;
    digits = std::max(digits, point_id_min_digits);
    std::vector<point> points(total);
    for (std::size_t n = 0; n < total; ++n) {
        char id[32];
        std::snprintf(id, sizeof id, "point_%0*zu", static_cast<int>(digits), n);
        points[n].id = id;
        points[n].values.resize(s.parameters.size());
        std::size_t rest = n;
        for (std::size_t a = s.axes.size(); a-- > 0;) {
            const std::size_t len = s.parameters[s.axes[a][0]].values.size();
            const std::size_t at = rest % len;
            rest /= len;
            for (std::size_t p : s.axes[a])
                points[n].values[p] = s.parameters[p].values[at];
        }
    }
    return points;
}

std::string axes_summary(const sweep_spec& s) {
    std::vector<std::string> parts;
    for (const auto& axis : s.axes) {
        std::vector<std::string> keys;
        for (std::size_t p : axis)
            keys.push_back(s.parameters[p].key);
        parts.push_back((keys.size() > 1 ? "(" + join(keys, " + ") + ")" : keys[0]) + " " +
                        std::to_string(s.parameters[axis[0]].values.size()));
    }
    return join(parts, " x ");
}

// ---- a point on disk --------------------------------------------------------------------------

std::vector<std::string> point_sets(const sweep_spec& s, const point& p) {
    std::vector<std::string> sets = s.sets;
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        sets.push_back(s.parameters[i].key + "=" + set_text(p.values[i]));
    return sets;
}

// What a point runs: compared on --resume to tell whether a saved report is still this point's.
json point_config(const sweep_spec& s, const point& p) {
    json c;
    c["point"] = p.id;
    c["workload"] = s.workload;
    c["base_config"] = s.base_config;
    c["set"] = point_sets(s, p);
    c["parameters"] = json::object();
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        c["parameters"][s.parameters[i].key] = p.values[i];
    return c;
}

struct layout {
    fs::path dir; // absolute
    fs::path points() const { return dir / "points"; }
    fs::path point_dir(const point& p) const { return points() / p.id; }
    fs::path base_config() const { return dir / base_config_file_name; }
};

// The epsim arguments of a point (after the program name).
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

// Writes DIR/sweep.json, the base configuration and every point's config.json. A point whose
// saved config.json differs loses its old outputs; with keep_matching, a matching one keeps them.
// Returns, per point, whether it still has its report.
std::vector<bool> prepare(const sweep_spec& s, const layout& l, const std::vector<point>& points,
                          bool keep_matching) {
    make_dirs(l.points());
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
    std::string e = last_epsim.empty() ? last : last_epsim;
    if (e.size() > max_error_chars) e = e.substr(0, max_error_chars) + "...";
    return e;
}

std::string report_summary(const json& rep) {
    const std::string status = rep.value("status", std::string());
    // The run's own account of why it did not pass.
    if (rep.contains("reason") && rep.at("reason").is_string() &&
        !rep.at("reason").get<std::string>().empty()) {
        std::string reason = rep.at("reason").get<std::string>();
        if (reason.size() > max_error_chars) reason = reason.substr(0, max_error_chars) + "...";
        return reason;
    }
    if (status == "HUNG" || status == "interrupted") {
        const json stopped = rep.value("stopped", json::object());
        if (stopped.is_object() && stopped.value("message", std::string()) != "")
            return stopped.value("message", std::string());
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

struct row {
    std::string status, error;
    json metrics = json::object();
};

// A point's row, from its files alone (so a local sweep, --resume and --collect agree).
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
                                                      : "not run";
        return r;
    }
    r.status = rep->at("status").get<std::string>();
    if (rep->contains("metrics") && rep->at("metrics").is_object()) r.metrics = rep->at("metrics");
    if (r.status != status_pass) r.error = err.empty() ? report_summary(*rep) : err;
    return r;
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// results.csv and results.json. Returns the number of rows that did not pass.
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
    write_text(l.dir / "results.json", table.dump(2) + "\n");
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

// ---- processes --------------------------------------------------------------------------------

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) {
    interrupted = 1;
}

// Installs the interrupt handler for the lifetime of the object.
class interrupt_guard {
public:
    interrupt_guard() {
        interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < count; ++i)
            ::sigaction(signals[i], &sa, &old[i]);
    }
    ~interrupt_guard() {
        for (std::size_t i = 0; i < count; ++i)
            ::sigaction(signals[i], &old[i], nullptr);
    }
    interrupt_guard(const interrupt_guard&) = delete;
    interrupt_guard& operator=(const interrupt_guard&) = delete;

private:
    static constexpr std::size_t count = 3;
    static constexpr int signals[count] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction old[count] {};
};

// Starts argv in its own process group (so a timeout kills whatever it started too), stdin
// from /dev/null. Returns the pid, or -1.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_file,
            const std::string& err_file) {
    std::vector<char*> cargv;
    for (const auto& a : argv)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    const char* out = out_file.empty() ? nullptr : out_file.c_str();
    const char* err = err_file.empty() ? nullptr : err_file.c_str();
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid != 0) {
        if (pid > 0) ::setpgid(pid, pid); // also in the child: whichever runs first
        return pid;
    }
    // The child: only async-signal-safe calls from here on.
    ::setpgid(0, 0);
    const int in_fd = ::open("/dev/null", O_RDONLY);
    if (in_fd >= 0) ::dup2(in_fd, STDIN_FILENO);
    const int flags = O_WRONLY | O_CREAT | O_TRUNC;
    if (out) {
        const int fd = ::open(out, flags, file_mode);
        if (fd >= 0) ::dup2(fd, STDOUT_FILENO);
    }
    if (err) {
        const int fd = ::open(err, flags, file_mode);
        if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    }
    ::execv(cargv[0], cargv.data());
    static const char msg[] = "epsim sweep: cannot execute the program\n";
    if (::write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    }
    ::_exit(exit_exec_failed);
}

// Reaped? Fills the result.
bool reap(pid_t pid, process_result& r) {
    int st = 0;
    const pid_t got = ::waitpid(pid, &st, WNOHANG);
    if (got == 0) return false;
    if (got < 0) { // not our child any more: nothing to wait for
        r.exit_status = -1;
        return true;
    }
    if (WIFEXITED(st))
        r.exit_status = WEXITSTATUS(st);
    else if (WIFSIGNALED(st))
        r.signal = WTERMSIG(st);
    return true;
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// ---- progress ---------------------------------------------------------------------------------

class progress {
public:
    progress(std::size_t total, std::size_t already_done, std::size_t already_failed)
        : total_(total)
        , done_(already_done)
        , failed_(already_failed)
        , tty_(::isatty(STDOUT_FILENO) != 0) {}

    void point_done(bool failed) {
        ++done_;
        ++run_;
        failed_ += failed;
        changed_ = true;
    }
    // A line of its own (a failed point), above the bar.
    void note(const std::string& line) {
        if (tty_) std::printf("\r\033[K");
        std::printf("%s\n", line.c_str());
        if (tty_ && drawn_) draw();
        std::fflush(stdout);
    }
    void tick() {
        const auto now = clock_type::now();
        const auto since = now - last_;
        if (tty_ ? (changed_ || since >= tty_redraw_interval)
                 : (changed_ && since >= plain_line_interval)) {
            draw();
            last_ = now;
            changed_ = false;
        }
    }
    void finish() {
        if (changed_ || tty_ || !drawn_) draw();
        if (tty_) std::printf("\n");
        std::fflush(stdout);
    }
    double elapsed_s() const { return seconds_since(start_); }

private:
    void draw() {
        const std::size_t filled = total_ ? done_ * progress_cells / total_ : progress_cells;
        const double elapsed = elapsed_s();
        const std::size_t left = total_ - done_;
        const std::string eta =
            left == 0 ? format_duration(0)
            : run_ == 0
                ? std::string("?")
                : format_duration(elapsed / static_cast<double>(run_) * static_cast<double>(left));
        std::printf("%s[%s%s] %zu/%zu points, %zu failed, elapsed %s, eta %s%s",
                    tty_ ? "\r\033[K" : "", std::string(filled, '#').c_str(),
                    std::string(progress_cells - filled, '.').c_str(), done_, total_, failed_,
                    format_duration(elapsed).c_str(), eta.c_str(), tty_ ? "" : "\n");
        std::fflush(stdout);
        drawn_ = true;
    }

    std::size_t total_, done_, failed_, run_ = 0;
    bool tty_;
    bool changed_ = tty_, drawn_ = false; // a terminal shows the bar at once
    clock_type::time_point start_ = clock_type::now(), last_ = clock_type::now();
};

// ---- the modes --------------------------------------------------------------------------------

struct loaded {
    sweep_spec spec;
    std::vector<point> points;
};

loaded load_spec_file(const std::string& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw spec_error(file + ": no such file");
    json in;
    try {
        in = cfg::parse_json(cfg::read_file(file, file), file);
    } catch (const cfg::config_error& e) {
        throw spec_error(e.what()); // "FILE: malformed JSON at line 2, column 1: ..."
    }
    loaded l;
    try {
        l.spec = parse_spec(in, fs::absolute(file).parent_path(), fs::path(file).stem().string());
    } catch (const spec_error& e) {
        throw spec_error(file + ": " + e.what());
    }
    l.points = make_points(l.spec);
    return l;
}

std::string param_summary(const sweep_spec& s, const point& p) {
    std::vector<std::string> kv;
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        kv.push_back(s.parameters[i].key + "=" + cell_text(p.values[i]));
    return join(kv, " ");
}

// A note in a point's stderr.txt. A note that cannot be written is said on stderr instead: the
// sweep goes on (its points are running) and fails when it writes its results.
void append_line(const fs::path& p, const std::string& line) {
    try {
        output_file f("", p.string(), output_file::mode::append);
        f.stream() << line << "\n";
        f.close();
    } catch (const output_error& e) {
        std::fprintf(stderr, "epsim sweep: %s (the note was: %s)\n", e.what(), line.c_str());
    }
}

int run_local(const loaded& ld, const sweep_options& o) {
    const sweep_spec& s = ld.spec;
    const auto& points = ld.points;
    if (o.plot && !s.plot.present)
        throw spec_error("--plot: the spec has no \"plot\" object {\"x\", \"y\", \"series\"}");
    layout l{fs::absolute(o.out_dir).lexically_normal()};
    // One sweep at a time in a folder, from before its first file to after its summary.
    make_dirs(l.dir);
    const folder_lock lock("--out", l.dir.string());
    const std::vector<bool> done = prepare(s, l, points, o.resume);
    std::vector<std::size_t> queue;
    std::size_t already_failed = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!done[i])
            queue.push_back(i);
        else
            already_failed += read_row(l.point_dir(points[i])).status != status_pass;
    }
    const std::size_t resumed = points.size() - queue.size();
    const std::string resumed_text =
        o.resume ? std::to_string(resumed) + " already done (--resume), " : std::string();
    // "N to run" is how a user (and the tests) tell what --resume will run again.
    std::printf("epsim sweep: %s, %zu points (%s%s), %s%zu to run, %u at a time, timeout %s s; "
                "output in %s\n",
                s.workload.c_str(), points.size(), s.zip ? "zip: " : "", axes_summary(s).c_str(),
                resumed_text.c_str(), queue.size(), o.jobs, format_seconds(s.timeout_s).c_str(),
                l.dir.c_str());
    std::fflush(stdout);

    const std::string exe = self_path();
    struct job {
        std::size_t index;
        pid_t pid;
        clock_type::time_point start;
        bool kill_sent = false;
        bool timed_out = false;
        clock_type::time_point killed_at{};
    };
    std::vector<job> running;
    progress bar(points.size(), resumed, already_failed);
    interrupt_guard guard;
    std::size_t next = 0;
    // Points whose report says PASS but whose process did not exit 0: failed, in the summary too.
    std::vector<std::string> overruled(points.size());

    auto finish = [&](const job& j, const process_result& r, bool reaped) {
        const point& p = points[j.index];
        const fs::path d = l.point_dir(p);
        const fs::path err = d / "stderr.txt";
        if (j.timed_out)
            append_line(err, "epsim sweep: timed out after " + format_seconds(s.timeout_s) +
                                 " s (process group killed)");
        else if (j.kill_sent)
            append_line(err, "epsim sweep: interrupted (process group killed)");
        else if (r.signal)
            append_line(err, "epsim sweep: killed by signal " + std::to_string(r.signal));
        if (!reaped)
            append_line(err, "epsim sweep: the killed process did not exit within " +
                                 format_seconds(reap_grace_s) + " s");
        row rw = read_row(d);
        if (rw.status == status_pass && !j.kill_sent && r.signal == 0 &&
            r.exit_status != exit_pass) {
            overruled[j.index] =
                "epsim sweep: exit status " + std::to_string(r.exit_status) + " with a PASS report";
            append_line(err, overruled[j.index]);
            rw.status = status_failed;
        }
        const bool failed = rw.status != status_pass;
        bar.point_done(failed);
        if (failed)
            bar.note(p.id + " " + rw.status + " (" + param_summary(s, p) + "): " + rw.error);
    };

    while ((next < queue.size() && !interrupted) || !running.empty()) {
        while (!interrupted && running.size() < o.jobs && next < queue.size()) {
            const std::size_t i = queue[next++];
            const fs::path d = l.point_dir(points[i]);
            std::vector<std::string> argv = {exe};
            const auto args = point_args(s, l, points[i]);
            argv.insert(argv.end(), args.begin(), args.end());
            const pid_t pid = spawn(argv, (d / "stdout.txt").string(), (d / "stderr.txt").string());
            if (pid < 0) {
                append_line(d / "stderr.txt",
                            std::string("epsim sweep: cannot start: ") + std::strerror(errno));
                bar.point_done(true);
                continue;
            }
            running.push_back({i, pid, clock_type::now()});
        }
        for (std::size_t k = 0; k < running.size();) {
            job& j = running[k];
            process_result r;
            const bool reaped = reap(j.pid, r);
            const bool gave_up =
                !reaped && j.kill_sent && seconds_since(j.killed_at) > reap_grace_s;
            if (reaped || gave_up) {
                finish(j, r, reaped);
                running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
                continue;
            }
            if (!j.kill_sent && (interrupted || seconds_since(j.start) > s.timeout_s)) {
                ::kill(-j.pid, SIGKILL);
                j.kill_sent = true;
                j.timed_out = !interrupted;
                j.killed_at = clock_type::now();
            }
            ++k;
        }
        bar.tick();
        std::this_thread::sleep_for(poll_interval);
    }
    bar.finish();

    std::vector<row> rows = read_rows(l, points);
    for (std::size_t i = 0; i < points.size(); ++i)
        if (!overruled[i].empty()) {
            rows[i].status = status_failed;
            rows[i].error = overruled[i];
        }
    const std::size_t failed = write_results(s, l, points, rows);
    std::printf("epsim sweep: %zu points, %zu passed, %zu failed; results in %s and %s\n",
                points.size(), points.size() - failed, failed, (l.dir / "results.csv").c_str(),
                (l.dir / "results.json").c_str());
    if (interrupted) {
        std::printf("epsim sweep: interrupted; run again with --resume to finish\n");
        return exit_interrupted;
    }
    int rc = failed ? exit_fail : exit_pass;
    if (o.plot) {
        const int prc = plot_after(s, l);
        if (prc != exit_pass && rc == exit_pass) rc = prc;
    }
    return rc;
}

std::string sbatch_script(const sweep_spec& s, const layout& l, std::size_t count, unsigned digits,
                          const std::string& exe) {
    const long minutes =
        std::lround(std::ceil((s.timeout_s + slurm_time_margin_s) / seconds_per_minute));
    const std::string d = l.dir.string();
    std::ostringstream o;
    o << "#!/bin/bash\n"
      << "#SBATCH --job-name=epsim-" << s.name << "\n"
      << "#SBATCH --array=0-" << count - 1 << "\n"
      << "#SBATCH --output=" << d << "/points/slurm-%A_%a.out\n"
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

int emit_slurm(const loaded& ld, const sweep_options& o) {
    const sweep_spec& s = ld.spec;
    layout l{fs::absolute(o.emit_slurm_dir).lexically_normal()};
    make_dirs(l.dir);
    const folder_lock lock("--emit-slurm", l.dir.string());
    prepare(s, l, ld.points, true);
    const std::string exe = self_path();
    std::string lines;
    for (const auto& p : ld.points) {
        std::vector<std::string> q;
        for (const auto& a : point_args(s, l, p))
            q.push_back(shell_quote(a));
        lines += join(q, " ") + "\n";
    }
    write_text(l.dir / "points.txt", lines);
    const unsigned digits =
        static_cast<unsigned>(ld.points[0].id.size() - std::string("point_").size());
    const fs::path script = l.dir / "sweep.sbatch";
    write_text(script, sbatch_script(s, l, ld.points.size(), digits, exe));
    std::error_code ec;
    fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
    std::printf("epsim sweep: %zu points (%s) written to %s\n"
                "  submit:  sbatch %s\n"
                "  merge:   %s sweep --collect %s\n",
                ld.points.size(), axes_summary(s).c_str(), l.dir.c_str(),
                shell_quote(script.string()).c_str(), shell_quote(exe).c_str(),
                shell_quote(l.dir.string()).c_str());
    return exit_pass;
}

int collect(const sweep_options& o) {
    layout l{fs::absolute(o.collect_dir).lexically_normal()};
    const fs::path saved_file = l.dir / spec_file_name;
    std::optional<folder_lock> lock;
    std::error_code ec;
    if (fs::is_directory(l.dir, ec)) lock.emplace("--collect", l.dir.string());
    const auto saved = read_json(saved_file);
    if (!saved || !saved->is_object() || !saved->contains("spec"))
        throw spec_error("--collect " + o.collect_dir + ": no " + spec_file_name +
                         " there (write a sweep with epsim sweep SPEC --emit-slurm DIR first)");
    loaded ld;
    try {
        ld.spec = parse_spec(saved->at("spec"), l.dir, saved->value("name", std::string("sweep")));
    } catch (const spec_error& e) {
        throw spec_error(saved_file.string() + ": " + e.what());
    }
    ld.points = make_points(ld.spec);
    if (o.plot && !ld.spec.plot.present)
        throw spec_error("--plot: the spec has no \"plot\" object {\"x\", \"y\", \"series\"}");
    const std::vector<row> rows = read_rows(l, ld.points);
    const std::size_t failed = write_results(ld.spec, l, ld.points, rows);
    std::size_t not_run = 0;
    for (const auto& r : rows)
        not_run += r.error == "not run";
    std::printf("epsim sweep: collected %zu points, %zu passed, %zu failed (%zu not run); "
                "results in %s and %s\n",
                ld.points.size(), ld.points.size() - failed, failed, not_run,
                (l.dir / "results.csv").c_str(), (l.dir / "results.json").c_str());
    int rc = failed ? exit_fail : exit_pass;
    if (o.plot) {
        const int prc = plot_after(ld.spec, l);
        if (prc != exit_pass && rc == exit_pass) rc = prc;
    }
    return rc;
}

} // namespace

int run_sweep(const sweep_options& o) {
    try {
        if (!o.collect_dir.empty()) return collect(o);
        if (o.spec_file.empty())
            throw spec_error("give a sweep specification: epsim sweep SPEC.json (or --collect "
                             "DIR)");
        if (o.jobs == 0) throw spec_error("--jobs: must be at least 1");
        loaded ld = load_spec_file(o.spec_file);
        for (const auto& plugin : o.plugins)
            ld.spec.plugins.push_back(fs::absolute(plugin).lexically_normal().string());
        if (!o.emit_slurm_dir.empty()) return emit_slurm(ld, o);
        return run_local(ld, o);
    } catch (const spec_error& e) {
        std::fprintf(stderr, "epsim sweep: error: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "epsim sweep: error: %s\n", e.what());
        return exit_usage;
    }
}

process_result run_process(const std::vector<std::string>& argv, const std::string& stdout_file,
                           const std::string& stderr_file, double timeout_s) {
    process_result r;
    const pid_t pid = spawn(argv, stdout_file, stderr_file);
    if (pid < 0) return r;
    r.started = true;
    const auto start = clock_type::now();
    while (!reap(pid, r)) {
        if (seconds_since(start) > timeout_s) {
            r.timed_out = true;
            ::kill(-pid, SIGKILL);
            const auto killed = clock_type::now();
            while (!reap(pid, r) && seconds_since(killed) < reap_grace_s)
                std::this_thread::sleep_for(poll_interval);
            return r;
        }
        std::this_thread::sleep_for(poll_interval);
    }
    return r;
}

std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream is(path ? path : "");
    for (std::string dir; std::getline(is, dir, ':');) {
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

} // namespace epvp::tb

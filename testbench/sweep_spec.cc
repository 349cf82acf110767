#include "testbench/sweep_spec.h"

#include "testbench/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>

namespace epvp::tb::sweep_detail {

namespace fs = std::filesystem;

namespace {

constexpr unsigned point_id_min_digits = 4; // point_0000
constexpr unsigned decimal_base = 10;
constexpr std::size_t max_values_per_parameter = 10000;
constexpr std::size_t max_points = 100000;
constexpr int float_digits = 12;             // float range values are rounded to this many digits
constexpr double range_end_tolerance = 1e-9; // relative: a float range includes its end point
constexpr double max_timeout_s = 1e7;        // about 116 days: what a time limit can be

[[noreturn]] void bad(const std::string& key, const std::string& rule) {
    throw spec_error(key + ": " + rule);
}

bool has_control_char(const json& v) {
    if (v.is_string()) return sweep_detail::has_control_char(v.get<std::string>());
    if (v.is_array())
        return std::any_of(v.begin(), v.end(), [](const json& e) { return has_control_char(e); });
    return false;
}

// The configuration values a `set` entry "key=value" fixes: the key's, or, when the value is a
// JSON object (apply_set merges it into that section, keeping what it does not name), each
// value inside it.
void fixed_leaves(const std::string& key, const json& v, std::vector<std::string>& out) {
    if (v.is_object() && !v.empty()) {
        for (auto it = v.begin(); it != v.end(); ++it)
            fixed_leaves(key + "." + it.key(), it.value(), out);
        return;
    }
    out.push_back(key);
}
std::vector<std::string> fixed_leaves(const std::string& set_entry) {
    const auto eq = set_entry.find('=');
    const std::string key = set_entry.substr(0, eq);
    std::vector<std::string> out;
    const json v =
        eq == std::string::npos ? json() : json::parse(set_entry.substr(eq + 1), nullptr, false);
    fixed_leaves(key, v.is_discarded() ? json() : v, out);
    return out;
}

// A value as the right-hand side of --set: plain text unless it would read as other JSON.
std::string set_text(const json& v) {
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        return json::accept(s) ? v.dump() : s;
    }
    return v.dump();
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
    return std::strtod(fmt::format("{:.{}g}", v, float_digits).c_str(), nullptr);
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
        for (const json* v : {&r[0], &r[1], &by_json})
            if (v->is_number_unsigned() &&
                v->get<std::uint64_t>() >
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                bad(v == &by_json ? by_key : key + ".range",
                    v->dump() + " is above 9223372036854775807 (2^63 - 1)");
        const auto lo = r[0].get<std::int64_t>(), hi = r[1].get<std::int64_t>(),
                   b = by_json.get<std::int64_t>();
        for (std::int64_t v = lo;;) {
            out.push_back(v);
            if (out.size() > max_values_per_parameter) bad(key, too_many);
            // v <= hi here; hi - v cannot overflow as an unsigned difference, hi - b can.
            if (has_factor ? v > hi / b
                           : static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(v) <
                                 static_cast<std::uint64_t>(b))
                break;
            v = has_factor ? v * b : v + b;
        }
        return out;
    }
    // Rounding error may put the last value a hair above high; never as much as half a step.
    double tolerance = range_end_tolerance * std::max(std::fabs(low), std::fabs(high));
    if (has_step) tolerance = std::min(tolerance, by / 2);
    for (std::size_t k = 0;; ++k) {
        const double v = has_factor ? low * std::pow(by, static_cast<double>(k))
                                    : low + static_cast<double>(k) * by;
        if (v > high + tolerance) break;
        const json kept = rounded(v);
        if (!out.empty() && kept == out.back())
            bad(by_key, by_json.dump() + " is below what values are kept to (" +
                            std::to_string(float_digits) + " significant digits): " + kept.dump() +
                            " repeats");
        out.push_back(kept);
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
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i].is_null() || v[i].is_object())
            bad(key + "[" + std::to_string(i) + "]", "must be a number, string, boolean or list");
        if (has_control_char(v[i]))
            bad(key + "[" + std::to_string(i) + "]",
                "holds a control character (a line break, a tab)");
    }
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
    // What epsim plot asks of the results (plot.cc), checked before any point runs: every other
    // parameter with more than one value is pinned by plot.where, itself or through a zip
    // partner (parameters that advance together are pinned together; a zip partner of plot.x
    // or plot.series varies with them, which epsim plot refuses).
    auto pinned = [&](std::size_t i) {
        for (const auto& axis : s.axes)
            if (std::find(axis.begin(), axis.end(), i) != axis.end())
                for (std::size_t j : axis)
                    if (p.contains("where") && p.at("where").contains(s.parameters[j].key))
                        return true;
        return false;
    };
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        const auto& param = s.parameters[i];
        if (param.values.size() < 2 || param.key == s.plot.x || param.key == s.plot.series ||
            pinned(i))
            continue;
        bad("plot", "parameter " + param.key + " varies (" + std::to_string(param.values.size()) +
                        " values) but is neither plot.x nor plot.series: give it as plot.series "
                        "or pin one value in plot.where");
    }
    if (p.contains("title")) {
        s.plot.title = require_string(p.at("title"), "plot.title");
        if (has_control_char(s.plot.title))
            bad("plot.title", "holds a control character (a line break, a tab)");
    }
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

} // namespace

bool has_control_char(const std::string& t) {
    return std::any_of(t.begin(), t.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
    });
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : sep) + i;
    return out;
}

// A value as a cell of results.csv: strings as they are, everything else as JSON.
std::string cell_text(const json& v) {
    if (v.is_null()) return "";
    return v.is_string() ? v.get<std::string>() : v.dump();
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
    if (has_control_char(name))
        bad("(spec)", "the file name holds a control character (a line break, a tab); it names "
                      "the sweep's job");
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
                s.base_config_file = file.string();
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
            if (has_control_char(a)) bad(key, "holds a control character (a line break, a tab)");
            // A value fixed twice: the later entry would drop the earlier one's.
            for (const std::string& leaf : fixed_leaves(a))
                for (std::size_t k = 0; k < fixed_keys.size(); ++k)
                    for (const std::string& other : fixed_leaves(sets[k].get<std::string>()))
                        if (leaf == other)
                            bad(key,
                                "'" + leaf + "' is also set by set[" + std::to_string(k) + "]");
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
        for (std::size_t k = 0; k < s.sets.size(); ++k)
            for (const std::string& leaf : fixed_leaves(s.sets[k]))
                if (leaf == it.key()) bad(key, "is also fixed by set[" + std::to_string(k) + "]");
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
        if (!t.is_number() || t.get<double>() <= 0 || t.get<double>() > max_timeout_s)
            bad("timeout_s", "must be a number of seconds above 0, at most " +
                                 fmt::format("{:.0f}", max_timeout_s));
        s.timeout_s = t.get<double>();
    }

    if (in.contains("metrics")) {
        const json& m = in.at("metrics");
        if (!m.is_array() || m.empty())
            bad("metrics", "must be a non-empty list of metric names (or left out: every metric)");
        for (std::size_t i = 0; i < m.size(); ++i) {
            const std::string name_i = require_string(m[i], "metrics[" + std::to_string(i) + "]");
            const std::string mkey = "metrics[" + std::to_string(i) + "]";
            if (std::find(s.metrics.begin(), s.metrics.end(), name_i) != s.metrics.end())
                bad(mkey, "'" + name_i + "' is listed twice");
            // The results' own columns: a metric of that name would overwrite one.
            if (name_i == "point" || name_i == "status" || name_i == "error" ||
                parameter_index(s, name_i) != s.parameters.size())
                bad(mkey, "'" + name_i +
                              "' is a column of the results already (point, the "
                              "parameters, status, error)");
            if (has_control_char(name_i))
                bad(mkey, "holds a control character (a line break, a tab)");
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
    std::map<std::vector<json>, std::size_t> seen; // a point's values -> its number
    for (std::size_t n = 0; n < total; ++n) {
        points[n].id = fmt::format("point_{:0{}}", n, digits);
        points[n].values.resize(s.parameters.size());
        std::size_t rest = n;
        for (std::size_t a = s.axes.size(); a-- > 0;) {
            const std::size_t len = s.parameters[s.axes[a][0]].values.size();
            const std::size_t at = rest % len;
            rest /= len;
            for (std::size_t p : s.axes[a])
                points[n].values[p] = s.parameters[p].values[at];
        }
        const auto [first, fresh] = seen.emplace(points[n].values, n);
        if (!fresh)
            bad("parameters", points[n].id + " is " + points[first->second].id + " again (" +
                                  param_summary(s, points[n]) + "): a value is listed twice");
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
        l.points = make_points(l.spec);
        for (const point& p : l.points) {
            std::string e = point_config_error(l.spec, p);
            if (e.empty()) continue;
            if (l.refused++ == 0)
                l.first_refusal = p.id + " (" + param_summary(l.spec, p) + "): " + std::move(e);
        }
        // A base_config or set every point inherits: nothing would run.
        if (l.refused == l.points.size())
            bad("(configuration)",
                "epsim run refuses every point's configuration; " + l.first_refusal);
    } catch (const spec_error& e) {
        throw spec_error(file + ": " + e.what());
    }
    return l;
}

std::string param_summary(const sweep_spec& s, const point& p) {
    std::vector<std::string> kv;
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        kv.push_back(s.parameters[i].key + "=" + cell_text(p.values[i]));
    return join(kv, " ");
}

std::vector<std::string> point_sets(const sweep_spec& s, const point& p) {
    std::vector<std::string> sets = s.sets;
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        sets.push_back(s.parameters[i].key + "=" + set_text(p.values[i]));
    return sets;
}

std::string point_config_error(const sweep_spec& s, const point& p) {
    try {
        cfg::parse(effective_config({s.base_config}, point_sets(s, p), s.workload));
        return "";
    } catch (const cfg::config_error& e) {
        return e.what();
    }
}

json point_config(const sweep_spec& s, const point& p) {
    json c;
    c["point"] = p.id;
    c["workload"] = s.workload;
    c["base_config"] = s.base_config;
    if (!s.plugins.empty()) c["plugins"] = s.plugins; // a point run with other plugins differs
    c["set"] = point_sets(s, p);
    c["parameters"] = json::object();
    for (std::size_t i = 0; i < s.parameters.size(); ++i)
        c["parameters"][s.parameters[i].key] = p.values[i];
    return c;
}

} // namespace epvp::tb::sweep_detail

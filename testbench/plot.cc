#include "testbench/plot.h"

#include "testbench/output_file.h"

#include "testbench/process.h"
#include "testbench/sweep_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace epvp::tb {

namespace {

namespace fs = std::filesystem;
using cfg::json;

constexpr int plot_exit_ok = 0, plot_exit_failed = 1, plot_exit_usage = 2;
constexpr double gnuplot_timeout_s = 60;
constexpr double auto_log_ratio = 100; // x spanning this factor or more gets a log axis
constexpr int data_digits = 10;        // significant digits of the values in the script
constexpr double kilo = 1e3, mega = 1e6, giga = 1e9, tera = 1e12;
constexpr double kibi = 1024, mebi = kibi * kibi, gibi = mebi * kibi;
constexpr unsigned image_width_px = 900, image_height_px = 560;
constexpr unsigned font_size_pt = 12;
constexpr double x_margin_fraction = 0.04; // space left and right of the first and last point
constexpr double category_margin = 0.5; // text x values sit at 0, 1, ...; half a step either side
constexpr std::size_t max_labelled_x_values = 12; // up to this many x values: a tic at each
constexpr const char* status_column = "status";
constexpr const char* status_pass = "PASS";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The table of a sweep's results.json (rows in point order, keys in column order: point, the
// parameters, status, error, the metrics) as results.csv shows it: a header and rows of cells.
std::vector<std::vector<std::string>> read_results(const fs::path& file) {
    json rows;
    try {
        rows = cfg::parse_json(cfg::read_file(file.string(), file.string()), file.string());
    } catch (const cfg::config_error& e) {
        throw usage_error(e.what());
    }
    if (!rows.is_array() || rows.empty() || !rows[0].is_object())
        throw usage_error(file.string() + ": not a sweep's results (a list of rows)");
    std::vector<std::vector<std::string>> table(1);
    for (auto it = rows[0].begin(); it != rows[0].end(); ++it)
        table[0].push_back(it.key());
    for (const auto& r : rows) {
        if (!r.is_object()) throw usage_error(file.string() + ": a row is not an object");
        std::vector<std::string> cells;
        for (const auto& column : table[0])
            cells.push_back(r.contains(column) ? sweep_detail::cell_text(r.at(column)) : "");
        table.push_back(cells);
    }
    return table;
}

bool to_number(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size() && std::isfinite(v);
}

// Text that goes into the gnuplot script: one line of printable characters (a line break would
// end the quoted string and start a gnuplot command of its own).
const std::string& script_text(const std::string& s, const std::string& what) {
    const bool control = std::any_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
    });
    if (control)
        throw usage_error(what + " holds a control character (a line break, a tab), which the "
                                 "gnuplot script cannot carry");
    return s;
}

// A gnuplot single-quoted string (what: the text's name in the error for a control character).
std::string gp_string(const std::string& text, const std::string& what) {
    const std::string& s = script_text(text, what);
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string number_text(double v) {
    return fmt::format("{:.{}g}", v, data_digits);
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The unit a name's suffix names, and the steps it scales by.
struct scale_step {
    double factor;
    const char* unit;
};
struct unit_rule {
    const char* suffix;
    std::vector<scale_step> steps;
};

// In match order: a suffix that ends another ("_per_s" and "_s") comes first.
const std::vector<unit_rule>& unit_rules() {
    static const std::vector<unit_rule> rules = {
        {"_per_s", {{1, "1/s"}, {kilo, "k/s"}, {mega, "M/s"}, {giga, "G/s"}}},
        {"_Bps", {{1, "B/s"}, {kilo, "kB/s"}, {mega, "MB/s"}, {giga, "GB/s"}, {tera, "TB/s"}}},
        {"_MBps", {{1, "MB/s"}, {kilo, "GB/s"}, {mega, "TB/s"}}},
        {"_ps", {{1, "ps"}, {kilo, "ns"}, {mega, "µs"}, {giga, "ms"}, {tera, "s"}}},
        {"_ns", {{1, "ns"}, {kilo, "µs"}, {mega, "ms"}, {giga, "s"}}},
        {"_us", {{1, "µs"}, {kilo, "ms"}, {mega, "s"}}},
        {"_ms", {{1, "ms"}, {kilo, "s"}}},
        {"_s", {{1, "s"}}},
        {"_bytes", {{1, "B"}, {kibi, "KiB"}, {mebi, "MiB"}, {gibi, "GiB"}}},
        {"_count", {{1, "count"}}},
        {"_mhz", {{1, "MHz"}, {kilo, "GHz"}}},
        {"_MHz", {{1, "MHz"}, {kilo, "GHz"}}},
        {"_pct", {{1, "%"}}},
    };
    return rules;
}

struct axis_scale {
    double factor = 1;
    std::string label;
};

// The unit once, scaled, in place of the name's suffix: "read_throughput (GB/s)" for
// read_throughput_Bps, "host.read_latency (µs)" for host.read_latency_ns in the thousands.
axis_scale scale_for(const std::string& name, double max_abs) {
    axis_scale a;
    a.label = name;
    for (const auto& rule : unit_rules()) {
        if (!ends_with(name, rule.suffix)) continue;
        const std::string stem = name.substr(0, name.size() - std::string(rule.suffix).size());
        if (stem.empty()) continue;
        const scale_step* pick = &rule.steps.front();
        for (const auto& step : rule.steps)
            if (max_abs >= step.factor) pick = &step;
        a.factor = pick->factor;
        a.label = stem + " (" + pick->unit + ")";
        break;
    }
    return a;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name,
                   const std::string& option, const std::string& file) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<std::size_t>(it - header.begin());
    std::string all;
    for (const auto& h : header)
        all += (all.empty() ? "" : ", ") + h;
    throw usage_error(option + " " + name + ": no such column in " + file + " (columns: " + all +
                      ")");
}

bool is_power_of_two(double v) {
    if (v <= 0 || v != std::floor(v)) return false;
    const auto u = static_cast<unsigned long long>(v);
    return (u & (u - 1)) == 0;
}

struct sample {
    double x = 0; // value or category index
    double y = 0;
};

// Numeric cells sort as numbers, anything else as text.
void sort_values(std::vector<std::string>& v) {
    bool numeric = true;
    double d = 0;
    for (const auto& s : v)
        numeric &= to_number(s, d);
    std::sort(v.begin(), v.end(), [numeric](const std::string& a, const std::string& b) {
        double da = 0, db = 0;
        if (numeric && to_number(a, da) && to_number(b, db)) return da < db;
        return a < b;
    });
}

int plot(const plot_options& o) {
    const fs::path csv = o.results_csv;
    // The sweep's results.json holds the same table as results.csv, typed: read it, not the CSV.
    const fs::path results =
        csv.extension() == ".json" ? csv : fs::path(csv).replace_extension(".json");
    std::error_code ec;
    if (!fs::is_regular_file(results, ec))
        throw usage_error(results.string() + ": no such file (epsim plot reads the results.json " +
                          "a sweep writes beside results.csv)");
    const auto table = read_results(results);
    const auto& header = table[0];
    const std::size_t xc = column(header, o.x, "--x", o.results_csv);
    const std::size_t yc = column(header, o.y, "--y", o.results_csv);
    const bool has_series = !o.series.empty();
    const std::size_t sc = has_series ? column(header, o.series, "--series", o.results_csv) : 0;
    const auto status_it = std::find(header.begin(), header.end(), status_column);
    std::vector<std::pair<std::size_t, std::string>> filters;
    for (const auto& w : o.where) {
        const std::size_t eq = w.find('=');
        if (eq == std::string::npos || eq == 0)
            throw usage_error("--where " + w + ": expected COLUMN=VALUE");
        filters.emplace_back(column(header, w.substr(0, eq), "--where", o.results_csv),
                             w.substr(eq + 1));
    }

    fs::path out = o.output;
    if (out.empty())
        out = (csv.has_parent_path() ? csv.parent_path() : fs::path(".")) / (o.y + ".svg");
    out = fs::absolute(out).lexically_normal(); // the script redraws from any directory
    const std::string ext = out.extension().string();
    if (ext != ".svg" && ext != ".png")
        throw usage_error("-o " + out.string() + ": the file name must end in .svg or .png");
    if (o.x_scale != "auto" && o.x_scale != "linear" && o.x_scale != "log")
        throw usage_error("--x-scale " + o.x_scale + ": must be auto, linear or log");

    // A sweep's parameters are the columns between "point" and "status": one that varies among
    // the selected rows but is neither --x nor --series would zig-zag the lines.
    const bool sweep_layout =
        !header.empty() && header.front() == "point" && status_it != header.end();
    std::vector<std::size_t> fixed_params;
    if (sweep_layout)
        for (std::size_t c = 1; c < static_cast<std::size_t>(status_it - header.begin()); ++c)
            if (c != xc && !(has_series && c == sc)) fixed_params.push_back(c);
    std::map<std::size_t, std::vector<std::string>> seen_values;

    // The rows to plot: passed points with a number for y.
    struct picked {
        std::string x, series;
        double y;
    };
    std::vector<picked> rows;
    std::size_t left_out = 0;
    for (std::size_t r = 1; r < table.size(); ++r) {
        const auto& cells = table[r];
        double y = 0;
        const bool passed =
            status_it == header.end() ||
            (static_cast<std::size_t>(status_it - header.begin()) < cells.size() &&
             cells[static_cast<std::size_t>(status_it - header.begin())] == status_pass);
        bool selected = true;
        for (const auto& [c, value] : filters) {
            double a = 0, b = 0;
            const bool same =
                c < cells.size() &&
                (cells[c] == value || (to_number(cells[c], a) && to_number(value, b) && a == b));
            selected &= same;
        }
        if (!selected) continue;
        for (std::size_t c : fixed_params) {
            auto& v = seen_values[c];
            const std::string cell = c < cells.size() ? cells[c] : std::string();
            if (std::find(v.begin(), v.end(), cell) == v.end()) v.push_back(cell);
        }
        if (!passed || yc >= cells.size() || xc >= cells.size() || !to_number(cells[yc], y) ||
            (has_series && sc >= cells.size())) {
            ++left_out;
            continue;
        }
        rows.push_back({cells[xc], has_series ? cells[sc] : std::string(), y});
    }
    for (const auto& [c, values] : seen_values)
        if (values.size() > 1) {
            std::vector<std::string> v = values;
            sort_values(v);
            std::string list;
            for (const auto& x : v)
                list += (list.empty() ? "" : ", ") + x;
            throw usage_error("parameter " + header[c] + " varies (" + list +
                              ") but is neither --x nor --series: give it as --series " +
                              header[c] + " or pick one value with --where " + header[c] + "=" +
                              v.front());
        }
    if (left_out)
        std::fprintf(stderr, "epsim plot: %zu row(s) left out: not PASS or no value for %s\n",
                     left_out, o.y.c_str());
    if (rows.empty()) {
        std::fprintf(stderr, "epsim plot: nothing to plot: no passed row%s has a value for %s\n",
                     o.where.empty() ? "" : " selected by --where", o.y.c_str());
        return plot_exit_failed;
    }

    bool x_numeric = true;
    double x_min = 0, x_max = 0, y_min = 0, y_max_abs = 0, x_max_abs = 0;
    bool x_pow2 = true;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        double x = 0;
        x_numeric &= to_number(rows[i].x, x);
        if (x_numeric) {
            x_min = i ? std::min(x_min, x) : x;
            x_max = i ? std::max(x_max, x) : x;
            x_max_abs = std::max(x_max_abs, std::fabs(x));
            x_pow2 &= is_power_of_two(x);
        }
        y_min = i ? std::min(y_min, rows[i].y) : rows[i].y;
        y_max_abs = std::max(y_max_abs, std::fabs(rows[i].y));
    }
    std::vector<std::string> categories;
    if (!x_numeric) {
        for (const auto& r : rows)
            if (std::find(categories.begin(), categories.end(), r.x) == categories.end())
                categories.push_back(r.x);
        sort_values(categories);
    }
    const bool log_x =
        x_numeric && x_min > 0 &&
        (o.x_scale == "log" || (o.x_scale == "auto" && x_max / x_min >= auto_log_ratio));
    // A log axis spans decades: its unit fits the smallest value, so no label is a fraction.
    const axis_scale xs = !x_numeric ? axis_scale{1, o.x}
                          : log_x    ? scale_for(o.x, x_min)
                                     : scale_for(o.x, x_max_abs);
    const axis_scale ys = scale_for(o.y, y_max_abs);
    if (o.x_scale == "log" && !log_x)
        throw usage_error("--x-scale log: column " + o.x + " needs numbers above 0");

    // A line per series value, sorted by x.
    std::vector<std::string> series_values;
    for (const auto& r : rows)
        if (std::find(series_values.begin(), series_values.end(), r.series) == series_values.end())
            series_values.push_back(r.series);
    sort_values(series_values);
    std::map<std::string, std::vector<sample>> lines;
    std::size_t duplicates = 0;
    for (const auto& r : rows) {
        sample s;
        if (x_numeric) {
            to_number(r.x, s.x);
            s.x /= xs.factor;
        } else {
            s.x = static_cast<double>(std::find(categories.begin(), categories.end(), r.x) -
                                      categories.begin());
        }
        s.y = r.y / ys.factor;
        auto& line = lines[r.series];
        for (const auto& other : line)
            duplicates += other.x == s.x;
        line.push_back(s);
    }
    if (duplicates)
        std::fprintf(stderr,
                     "epsim plot: note: %zu row(s) repeat an x%s value of another row (a "
                     "parameter that is neither --x nor --series varies); all are plotted\n",
                     duplicates, has_series ? " and series" : "");

    std::string title = !o.title.empty()
                            ? o.title
                            : o.y + " vs " + o.x + (has_series ? " by " + o.series : std::string());
    if (!o.where.empty() && o.title.empty()) {
        std::string w;
        for (const auto& f : o.where)
            w += (w.empty() ? "" : ", ") + f;
        title += " (" + w + ")";
    }
    std::ostringstream gp;
    std::string command = "epsim plot " + script_text(o.results_csv, "the results file's path") +
                          " --x " + script_text(o.x, "--x") + " --y " + script_text(o.y, "--y");
    if (has_series) command += " --series " + script_text(o.series, "--series");
    for (const auto& w : o.where)
        command += " --where " + script_text(w, "--where");
    if (!o.title.empty()) command += " --title " + gp_string(o.title, "--title");
    if (o.x_scale != "auto") command += " --x-scale " + o.x_scale;
    command += " -o " + script_text(out.string(), "the output path");
    gp << "# Written by `" << command << "`; redraw with: gnuplot "
       << fs::path(out).replace_extension(".gp").filename().string() << "\n";
    if (ext == ".svg")
        gp << "set terminal svg size " << image_width_px << "," << image_height_px
           << " dynamic noenhanced font 'sans," << font_size_pt << "' background rgb 'white'\n";
    else
        gp << "set terminal pngcairo size " << image_width_px << "," << image_height_px
           << " noenhanced font 'sans," << font_size_pt << "' background rgb 'white'\n";
    gp << "set encoding utf8\n"
       << "set output " << gp_string(out.string(), "the output path") << "\n"
       << "set title " << gp_string(title, "the title") << "\n"
       << "set xlabel " << gp_string(xs.label, "--x") << "\n"
       << "set ylabel " << gp_string(ys.label, "--y") << "\n"
       << "set grid\n"
       << "set offsets graph " << x_margin_fraction << ", graph " << x_margin_fraction << ", 0, 0\n"
       << "set key outside right top"
       << (has_series ? " title " + gp_string(o.series, "--series") : std::string()) << "\n";
    if (log_x) gp << "set logscale x " << (x_pow2 ? 2 : 10) << "\n";
    std::vector<double> x_values;
    for (const auto& [name, line] : lines)
        for (const auto& smp : line)
            if (std::find(x_values.begin(), x_values.end(), smp.x) == x_values.end())
                x_values.push_back(smp.x);
    std::sort(x_values.begin(), x_values.end());
    if (x_numeric && x_values.size() <= max_labelled_x_values) {
        gp << "set xtics (";
        for (std::size_t i = 0; i < x_values.size(); ++i)
            gp << (i ? ", " : "") << number_text(x_values[i]);
        gp << ")\n";
    }
    if (!x_numeric) {
        gp << "set xtics (";
        for (std::size_t i = 0; i < categories.size(); ++i)
            gp << (i ? ", " : "") << gp_string(categories[i], "a value of --x " + o.x) << " " << i;
        gp << ")\n"
           << "set xrange [" << -category_margin << ":"
           << static_cast<double>(categories.size()) - 1 + category_margin << "]\n";
    }
    if (y_min >= 0) gp << "set yrange [0:*]\n";
    for (std::size_t i = 0; i < series_values.size(); ++i) {
        auto& line = lines[series_values[i]];
        std::stable_sort(line.begin(), line.end(),
                         [](const sample& a, const sample& b) { return a.x < b.x; });
        gp << "$line" << i << " << EOD\n";
        for (const auto& s : line)
            gp << number_text(s.x) << " " << number_text(s.y) << "\n";
        gp << "EOD\n";
    }
    gp << "plot ";
    for (std::size_t i = 0; i < series_values.size(); ++i)
        gp << (i ? ", \\\n     " : "") << "$line" << i
           << " using 1:2 with linespoints pointtype 7 title "
           << (has_series ? gp_string(series_values[i], "a value of --series " + o.series)
                          : gp_string(o.y, "--y"));
    gp << "\n";

    const fs::path script = fs::path(out).replace_extension(".gp");
    if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
    try {
        write_output("", script.string(), gp.str());
    } catch (const output_error& e) {
        throw usage_error(e.what());
    }
    const std::string gnuplot = find_program("gnuplot");
    if (gnuplot.empty()) {
        std::fprintf(stderr,
                     "epsim plot: gnuplot is not installed; install it with `apt-get install -y "
                     "gnuplot-nox` (the script is ready: %s)\n",
                     script.c_str());
        return plot_exit_usage;
    }
    fs::remove(out, ec);
    const process_result r = run_process({gnuplot, script.string()}, "", "", gnuplot_timeout_s);
    if (!r.started || r.timed_out || r.exit_status != 0) {
        std::fprintf(stderr, "epsim plot: gnuplot %s (script %s)\n",
                     !r.started    ? "could not be started"
                     : r.timed_out ? "timed out"
                                   : "failed",
                     script.c_str());
        return plot_exit_failed;
    }
    if (!fs::is_regular_file(out, ec) || fs::file_size(out, ec) == 0) {
        std::fprintf(stderr, "epsim plot: gnuplot wrote no %s (script %s)\n", out.c_str(),
                     script.c_str());
        return plot_exit_failed;
    }
    std::printf("epsim plot: wrote %s (gnuplot script %s)\n", out.c_str(), script.c_str());
    return plot_exit_ok;
}

} // namespace

int run_plot(const plot_options& o) {
    try {
        return plot(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "epsim plot: error: %s\n", e.what());
        return plot_exit_usage;
    }
}

} // namespace epvp::tb

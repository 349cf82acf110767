// `epsim plot`: one metric of a sweep's results against a parameter, a line per value of a
// second parameter, drawn by gnuplot. The gnuplot script (with the data inline) is written next
// to the image, so a plot can be restyled without the simulator. Axis labels are the column
// names with the unit their suffix names (_Bps -> B/s, _ns -> ns, _bytes -> B, _count -> count),
// values scaled to a readable unit (GB/s, us, KiB).
#pragma once

#include <string>
#include <vector>

namespace epvp::tb {

struct plot_options {
    std::string results_csv; // results.csv or results.json of a sweep: read from results.json
    std::string x;           // column on the x axis (a parameter)
    std::string y;           // column on the y axis (a metric)
    std::string series;      // optional: a line per value of this column
    std::string output;      // .svg or .png; default: the results directory / <y>.svg
    std::string title;
    std::string x_scale = "auto";   // auto, linear or log
    std::vector<std::string> where; // "COLUMN=VALUE": only rows with that cell (repeatable)
};

// Returns the process exit status: 0 written, 1 nothing to plot or gnuplot failed, 2 bad
// arguments (a missing column, a bad extension) or gnuplot not installed.
int run_plot(const plot_options& o);

} // namespace epvp::tb

// End-to-end tests of `epsim sweep` and `epsim plot`: each runs build/epsim as a user would (a
// subprocess, under timeout(1) so nothing can hang the suite) and checks the exit status, the
// output and the files of the sweep directory. The points are 64 KiB dma-sweep runs: a fraction
// of a second each.
#define BOOST_TEST_MODULE sweep
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace cli_test;
using json = nlohmann::json;

constexpr int command_timeout_s = 120; // no command of this suite may run longer
constexpr std::size_t small_points = 4;
constexpr std::size_t bad_points = 2;
constexpr std::size_t study_b_points = 24;     // 3 MPS x 2 MRRS x 4 generations
constexpr std::size_t study_d_points = 32;     // 4 host latencies x 8 read channel counts
constexpr std::size_t study_iotlb_points = 27; // 3 TLB sizes x 9 working sets
constexpr std::size_t study_cmd_points = 48;   // 2 movers x 6 page sizes x 4 window counts

cmd_result shell(const std::string& cmd, const std::string& env = "") {
    return cli_test::shell(cmd, command_timeout_s, env);
}

cmd_result epsim(const std::string& args) {
    return shell(std::string(EPSIM_PATH) + " " + args);
}

struct scratch : remove_work_dir {
    scratch() { work_dir_stem() = "epsim_test_sweep"; }
};
BOOST_GLOBAL_FIXTURE(scratch);

// results.csv as rows of cells (quoted cells may hold commas and quotes).
std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream is(read_file(p));
    for (std::string line; std::getline(is, line);) {
        std::vector<std::string> cells(1);
        bool quoted = false;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
                cells.back() += '"', ++i;
            else if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
                cells.emplace_back();
            else
                cells.back() += c;
        }
        rows.push_back(cells);
    }
    return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    BOOST_FAIL("no column " + name);
    return 0;
}

const json& row_of(const json& results, const std::string& point) {
    for (const auto& r : results)
        if (r.at("point") == point) return r;
    BOOST_FAIL("no row for " + point);
    static const json none;
    return none;
}

const char* const small_spec = R"({
  "description": "four 64 KiB dma-sweep points",
  "workload": "dma-sweep",
  "set": ["workload.dma_sweep.min_bytes=65536", "workload.dma_sweep.max_bytes=65536"],
  "parameters": {"link.gen": [1, 2], "link.mps": [128, 256]},
  "plot": {"x": "link.mps", "y": "read_throughput_Bps", "series": "link.gen"}
})";

// The small sweep, run once and shared by the tests that read its results.
struct sweep_run {
    fs::path spec, dir;
    cmd_result result;
};
const sweep_run& small_sweep() {
    static const sweep_run run = [] {
        sweep_run r;
        r.spec = write_file("small.json", small_spec);
        r.dir = work_dir() / "small";
        r.result = epsim("sweep " + r.spec.string() + " --jobs 2 --out " + r.dir.string());
        return r;
    }();
    return run;
}

// The lines of points.txt that `--emit-slurm` writes for spec (epsim's arguments per point).
std::vector<std::string> emitted_points(const fs::path& spec, const std::string& folder) {
    const fs::path dir = work_dir() / folder;
    const auto r = epsim("sweep " + spec.string() + " --emit-slurm " + dir.string());
    BOOST_REQUIRE_EQUAL(r.status, 0);
    std::istringstream lines(read_file(dir / "points.txt"));
    std::vector<std::string> points;
    for (std::string l; std::getline(lines, l);)
        points.push_back(l);
    return points;
}

bool have_gnuplot() {
    return std::system("command -v gnuplot > /dev/null 2>&1") == 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(small_sweep_runs_every_point_in_order) {
    const auto& s = small_sweep();
    BOOST_TEST_MESSAGE(s.result.out);
    BOOST_CHECK_EQUAL(s.result.status, 0);
    BOOST_CHECK(contains(s.result.out, "4 points"));
    BOOST_CHECK(contains(s.result.out, "4/4 points, 0 failed"));
    const auto csv = read_csv(s.dir / "results.csv");
    BOOST_REQUIRE_EQUAL(csv.size(), small_points + 1);
    const auto& h = csv[0];
    BOOST_CHECK_EQUAL(h.at(0), "point");
    BOOST_CHECK_EQUAL(h.at(1), "link.gen");
    BOOST_CHECK_EQUAL(h.at(2), "link.mps");
    BOOST_CHECK_EQUAL(h.at(3), "status");
    BOOST_CHECK_EQUAL(h.at(4), "error");
    const std::size_t read_col = column(h, "read_throughput_Bps");
    column(h, "write_throughput_Bps");
    column(h, "sim_time_ns");
    // Cartesian, the first parameter slowest.
    const char* const expected[][3] = {{"point_0000", "1", "128"},
                                       {"point_0001", "1", "256"},
                                       {"point_0002", "2", "128"},
                                       {"point_0003", "2", "256"}};
    for (std::size_t i = 0; i < small_points; ++i) {
        const auto& row = csv[i + 1];
        BOOST_REQUIRE_EQUAL(row.size(), h.size());
        BOOST_CHECK_EQUAL(row[0], expected[i][0]);
        BOOST_CHECK_EQUAL(row[1], expected[i][1]);
        BOOST_CHECK_EQUAL(row[2], expected[i][2]);
        BOOST_CHECK_EQUAL(row[3], "PASS");
        BOOST_CHECK_EQUAL(row[4], "");
        BOOST_CHECK_GT(std::stod(row[read_col]), 0);
        for (const char* f : {"config.json", "report.json", "stderr.txt"})
            BOOST_CHECK_MESSAGE(fs::exists(s.dir / "points" / row[0] / f), row[0] + "/" + f);
    }
    // Gen2 moves twice the bits of Gen1.
    BOOST_CHECK_GT(std::stod(csv[3][read_col]), 1.5 * std::stod(csv[1][read_col]));

    const json results = read_json(s.dir / "results.json");
    BOOST_REQUIRE(results.is_array());
    BOOST_REQUIRE_EQUAL(results.size(), small_points);
    BOOST_CHECK_EQUAL(results[2].at("link.gen"), 2);
    BOOST_CHECK_EQUAL(results[2].at("link.mps"), 128);
    BOOST_CHECK_EQUAL(results[2].at("status"), "PASS");
    BOOST_CHECK_EQUAL(results[2].at("read_throughput_Bps").get<double>(),
                      std::stod(csv[3][read_col]));

    const json cfg = read_json(s.dir / "points/point_0003/config.json");
    BOOST_CHECK_EQUAL(cfg.at("parameters").at("link.gen"), 2);
    BOOST_CHECK_EQUAL(cfg.at("set").back(), "link.mps=256");
    const json report = read_json(s.dir / "points/point_0003/report.json");
    BOOST_CHECK_EQUAL(report.at("config").at("link").at("mps"), 256);
}

BOOST_AUTO_TEST_CASE(a_bad_value_fails_its_point_only) {
    const fs::path spec = write_file("bad.json", R"({
      "workload": "dma-sweep",
      "set": ["workload.dma_sweep.min_bytes=65536", "workload.dma_sweep.max_bytes=65536"],
      "parameters": {"link.gen": [3, 9]}
    })");
    const fs::path dir = work_dir() / "bad";
    const auto r = epsim("sweep " + spec.string() + " --out " + dir.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, 1);
    BOOST_CHECK(contains(r.out, "1 failed"));
    // Said before anything runs, as epsim run would say it.
    BOOST_CHECK(contains(r.out, "warning: epsim run refuses the configuration of 1 of 2 points, "
                                "which will fail; the first: point_0001 (link.gen=9): "));
    const auto csv = read_csv(dir / "results.csv");
    BOOST_REQUIRE_EQUAL(csv.size(), bad_points + 1);
    const std::size_t status = column(csv[0], "status"), error = column(csv[0], "error");
    BOOST_CHECK_EQUAL(csv[1][status], "PASS");
    BOOST_CHECK_EQUAL(csv[2][status], "FAILED");
    BOOST_CHECK_MESSAGE(contains(csv[2][error], "link.gen = 9"), csv[2][error]);
    const json results = read_json(dir / "results.json");
    BOOST_CHECK(contains(results[1].at("error").get<std::string>(), "link.gen = 9"));
    BOOST_CHECK(results[1].at("read_throughput_Bps").is_null());
    BOOST_CHECK_GT(results[0].at("read_throughput_Bps").get<double>(), 0);
}

BOOST_AUTO_TEST_CASE(resume_runs_only_the_missing_point) {
    const fs::path spec = write_file("resume.json", small_spec);
    const fs::path dir = work_dir() / "resume";
    const auto first = epsim("sweep " + spec.string() + " --out " + dir.string());
    BOOST_REQUIRE_EQUAL(first.status, 0);
    const fs::path points = dir / "points";
    fs::remove(points / "point_0002/report.json");
    std::vector<fs::file_time_type> before;
    for (const char* p : {"point_0000", "point_0001", "point_0003"})
        before.push_back(fs::last_write_time(points / p / "report.json"));

    const auto again = epsim("sweep " + spec.string() + " --out " + dir.string() + " --resume");
    BOOST_TEST_MESSAGE(again.out);
    BOOST_CHECK_EQUAL(again.status, 0);
    BOOST_CHECK(contains(again.out, "3 already done (--resume), 1 to run"));
    BOOST_CHECK(fs::exists(points / "point_0002/report.json"));
    std::size_t i = 0;
    for (const char* p : {"point_0000", "point_0001", "point_0003"})
        BOOST_CHECK_MESSAGE(fs::last_write_time(points / p / "report.json") == before[i++],
                            std::string(p) + " was run again");
    const auto csv = read_csv(dir / "results.csv");
    BOOST_REQUIRE_EQUAL(csv.size(), small_points + 1);
    for (std::size_t r = 1; r < csv.size(); ++r)
        BOOST_CHECK_EQUAL(csv[r][column(csv[0], "status")], "PASS");

    // Another fixed override: no saved point matches any more.
    std::string changed = small_spec;
    changed.replace(changed.find("max_bytes=65536"), std::string("max_bytes=65536").size(),
                    "max_bytes=131072");
    const fs::path spec2 = write_file("resume2.json", changed);
    const auto other = epsim("sweep " + spec2.string() + " --out " + dir.string() + " --resume");
    BOOST_CHECK_EQUAL(other.status, 0);
    BOOST_CHECK(contains(other.out, "0 already done (--resume), 4 to run"));
}

BOOST_AUTO_TEST_CASE(slurm_array_job_gives_the_local_results) {
    const auto& local = small_sweep();
    BOOST_REQUIRE_EQUAL(local.result.status, 0);
    const fs::path dir = work_dir() / "slurm";
    const auto emit = epsim("sweep " + local.spec.string() + " --emit-slurm " + dir.string());
    BOOST_TEST_MESSAGE(emit.out);
    BOOST_REQUIRE_EQUAL(emit.status, 0);
    const fs::path script = dir / "sweep.sbatch";
    BOOST_REQUIRE(fs::exists(script));
    BOOST_CHECK_EQUAL(std::system(("bash -n " + script.string()).c_str()), 0);
    const std::string text = read_file(script);
    BOOST_CHECK(contains(text, "#SBATCH --array=0-3\n"));
    BOOST_CHECK(contains(text, "#SBATCH --job-name=\"epsim-small\"\n"));
    BOOST_CHECK(
        contains(text, "#SBATCH --output=\"" + dir.string() + "/points/slurm-%A_%a.out\"\n"));
    BOOST_CHECK(contains(text, EPSIM_PATH));
    std::istringstream lines(read_file(dir / "points.txt"));
    std::vector<std::string> points;
    for (std::string l; std::getline(lines, l);)
        points.push_back(l);
    BOOST_REQUIRE_EQUAL(points.size(), small_points);
    BOOST_CHECK(contains(points[1], "--set link.gen=1 --set link.mps=256"));
    BOOST_CHECK(contains(points[1], "--report " + dir.string() + "/points/point_0001/report.json"));
    for (std::size_t i = 0; i < small_points; ++i)
        BOOST_CHECK(fs::exists(dir / "points" / ("point_000" + std::to_string(i)) / "config.json"));

    for (int task : {0, 1}) {
        const auto r =
            shell("bash " + script.string(), "SLURM_ARRAY_TASK_ID=" + std::to_string(task));
        BOOST_CHECK_MESSAGE(r.status == 0, r.out);
    }
    BOOST_CHECK(fs::exists(dir / "points/point_0000/report.json"));
    BOOST_CHECK(fs::exists(dir / "points/point_0001/report.json"));
    BOOST_CHECK(!fs::exists(dir / "points/point_0002/report.json"));

    const auto collected = epsim("sweep --collect " + dir.string());
    BOOST_TEST_MESSAGE(collected.out);
    BOOST_CHECK_EQUAL(collected.status, 1); // two points not run
    const json slurm = read_json(dir / "results.json");
    const json mine = read_json(local.dir / "results.json");
    BOOST_REQUIRE_EQUAL(slurm.size(), small_points);
    for (const char* p : {"point_0000", "point_0001"}) {
        BOOST_CHECK_EQUAL(row_of(slurm, p).at("status"), "PASS");
        for (const char* m : {"read_throughput_Bps", "write_throughput_Bps", "sim_time_ns"})
            BOOST_CHECK_MESSAGE(row_of(slurm, p).at(m) == row_of(mine, p).at(m),
                                std::string(p) + " " + m);
    }
    for (const char* p : {"point_0002", "point_0003"}) {
        BOOST_CHECK_EQUAL(row_of(slurm, p).at("status"), "FAILED");
        BOOST_CHECK_EQUAL(row_of(slurm, p).at("error"), "not run");
    }
    BOOST_CHECK_EQUAL(read_csv(dir / "results.csv").size(), small_points + 1);
}

// --collect on a folder whose saved spec is not one (malformed JSON, a "name" that is no string):
// one line naming the file, exit 2; a folder without one says so.
BOOST_AUTO_TEST_CASE(collect_names_a_saved_spec_that_is_not_one) {
    const fs::path dir = work_dir() / "bad_saved";
    fs::create_directories(dir);
    for (const char* text : {"{\"spec\": ", R"({"name": 7, "spec": {}})"}) {
        write_file("bad_saved/sweep.json", text);
        const auto r = epsim("sweep --collect " + dir.string());
        BOOST_CHECK_EQUAL(r.status, 2);
        BOOST_CHECK_MESSAGE(contains(r.out, "epsim sweep: error: " + (dir / "sweep.json").string() +
                                                ": not a saved sweep"),
                            r.out);
        BOOST_CHECK_MESSAGE(!contains(r.out, "json.exception"), r.out);
    }
    fs::remove(dir / "sweep.json");
    const auto none = epsim("sweep --collect " + dir.string());
    BOOST_CHECK_EQUAL(none.status, 2);
    BOOST_CHECK_MESSAGE(contains(none.out, "no sweep.json there"), none.out);
}

// A folder reused for another sweep keeps none of the earlier sweep's derived files (results
// table, its plot, its base_config.json), which would read as the new sweep's.
BOOST_AUTO_TEST_CASE(a_reused_folder_keeps_no_results_of_the_earlier_sweep) {
    const fs::path dir = work_dir() / "reused";
    fs::create_directories(dir);
    write_file("reused/sweep.json",
               R"({"name": "old", "spec": {"plot": {"x": "link.gen", "y": "old_metric"}}})");
    for (const char* f : {"old_metric.svg", "results.csv", "results.json", "base_config.json"})
        write_file(std::string("reused/") + f, "from the earlier sweep\n");
    const auto r = epsim("sweep " +
                         write_file("new.json", R"({"workload": "dma-sweep",
        "parameters": {"link.gen": [1, 2]}})")
                             .string() +
                         " --emit-slurm " + dir.string());
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.out);
    for (const char* f : {"old_metric.svg", "results.csv", "results.json", "base_config.json"})
        BOOST_CHECK_MESSAGE(!fs::exists(dir / f), f);
    BOOST_CHECK(fs::exists(dir / "sweep.sbatch"));
    // A folder no sweep wrote keeps files of those names: they are the user's.
    const fs::path mine = work_dir() / "users_own";
    fs::create_directories(mine);
    for (const char* f : {"results.csv", "results.json", "base_config.json"})
        write_file(std::string("users_own/") + f, "the user's\n");
    const auto u =
        epsim("sweep " + (work_dir() / "new.json").string() + " --emit-slurm " + mine.string());
    BOOST_REQUIRE_MESSAGE(u.status == 0, u.out);
    for (const char* f : {"results.csv", "results.json", "base_config.json"})
        BOOST_CHECK_MESSAGE(read_file(mine / f) == "the user's\n", f);
}

// The value of "#SBATCH --NAME=VALUE" in text as sbatch reads it (its directive parser: a double
// or single quote groups characters up to the same quote, a backslash keeps the next character),
// then as a Slurm file name pattern reads a literal: "%%" is one '%'.
std::string sbatch_value(const std::string& text, const std::string& name, bool pattern) {
    const std::string tag = "#SBATCH --" + name + "=";
    const auto at = text.find(tag);
    BOOST_REQUIRE(at != std::string::npos);
    std::string v;
    char quote = 0;
    for (std::size_t i = at + tag.size(); i < text.size() && text[i] != '\n'; ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            v += text[++i];
        } else if (quote) {
            if (c == quote)
                quote = 0;
            else
                v += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == ' ' || c == '\t') {
            break;
        } else {
            v += c;
        }
    }
    if (!pattern) return v;
    std::string literal;
    for (std::size_t i = 0; i < v.size(); ++i) {
        literal += v[i];
        if (v[i] == '%' && i + 1 < v.size() && v[i + 1] == '%') ++i;
    }
    return literal;
}

// A folder name with a space, a double quote and a '%' (sbatch would split the first, and a
// Slurm file name pattern reads "% " as a field): the directives say the folder as it is, and a
// task of the script still runs its point there.
BOOST_AUTO_TEST_CASE(an_odd_folder_name_reaches_sbatch_as_it_is) {
    const auto& local = small_sweep();
    const fs::path dir = work_dir() / "my sweep 100% \"odd\"";
    const auto emit =
        epsim("sweep " + local.spec.string() + " --emit-slurm '" + dir.string() + "'");
    BOOST_REQUIRE_MESSAGE(emit.status == 0, emit.out);
    const std::string text = read_file(dir / "sweep.sbatch");
    BOOST_CHECK_EQUAL(sbatch_value(text, "output", true), dir.string() + "/points/slurm-%A_%a.out");
    BOOST_CHECK_EQUAL(sbatch_value(text, "job-name", false), "epsim-small");
    const auto r = shell("bash '" + (dir / "sweep.sbatch").string() + "'", "SLURM_ARRAY_TASK_ID=0");
    BOOST_CHECK_MESSAGE(r.status == 0, r.out);
    BOOST_CHECK(fs::exists(dir / "points/point_0000/report.json"));
}

BOOST_AUTO_TEST_CASE(plot_names_a_missing_column) {
    const auto& s = small_sweep();
    BOOST_REQUIRE_EQUAL(s.result.status, 0);
    const std::string csv = (s.dir / "results.csv").string();
    // A column that does not exist: named, with the ones that do.
    const auto missing = epsim("plot " + csv + " --x link.mps --y no_such_metric_Bps");
    BOOST_CHECK_EQUAL(missing.status, 2);
    BOOST_CHECK(contains(missing.out, "no_such_metric_Bps"));
    BOOST_CHECK(contains(missing.out, "read_throughput_Bps"));
}

// Text bound for the gnuplot script with a line break in it would start a gnuplot command of its
// own (gnuplot's `system` runs a shell command): refused before any script is written.
BOOST_AUTO_TEST_CASE(plot_refuses_a_line_break_in_its_script_text) {
    const auto& s = small_sweep();
    BOOST_REQUIRE_EQUAL(s.result.status, 0);
    const std::string csv = (s.dir / "results.csv").string();
    const fs::path out = work_dir() / "nl_plot" / "p.svg";
    const auto r = epsim("plot " + csv + " --x link.mps --y read_throughput_Bps --series link.gen" +
                         " --title 'T\nsystem \"touch x\"' -o " + out.string());
    BOOST_TEST_INFO(r.out);
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK(contains(r.out, "epsim plot: error: --title holds a control character"));
    BOOST_CHECK(!fs::exists(fs::path(out).replace_extension(".gp")));
}

BOOST_AUTO_TEST_CASE(plot_reads_results_json) {
    const auto& s = small_sweep();
    BOOST_REQUIRE_EQUAL(s.result.status, 0);
    // Only results.json in a folder: the plot script (written before gnuplot runs, so this holds
    // without gnuplot) carries its values, read from the JSON.
    const fs::path dir = work_dir() / "json_only";
    fs::create_directories(dir);
    fs::copy_file(s.dir / "results.json", dir / "results.json");
    const auto r = epsim("plot " + (dir / "results.json").string() +
                         " --x link.mps --y read_throughput_Bps --series link.gen -o " +
                         (dir / "p.svg").string());
    BOOST_TEST_MESSAGE(r.out);
    const std::string gp = read_file(dir / "p.gp");
    BOOST_REQUIRE(!gp.empty());
    // Each passed row is a data line "MPS THROUGHPUT" in the axis unit (the largest of B/s, kB/s,
    // MB/s, GB/s not above the largest value: these runs are between 1 MB/s and 1 TB/s), printed
    // with 10 significant digits.
    const json results = read_json(dir / "results.json");
    BOOST_REQUIRE_EQUAL(results.size(), small_points);
    double max_bps = 0;
    for (const auto& row : results)
        max_bps = std::max(max_bps, row.at("read_throughput_Bps").get<double>());
    BOOST_REQUIRE(max_bps > 1e6 && max_bps < 1e12);
    const double unit = max_bps >= 1e9 ? 1e9 : 1e6;
    for (const auto& row : results) {
        const std::string line = fmt::format("\n{} {:.10g}\n", row.at("link.mps").get<int>(),
                                             row.at("read_throughput_Bps").get<double>() / unit);
        BOOST_CHECK_MESSAGE(contains(gp, line), "no data line" << line << "in\n" << gp);
    }
    // Given results.csv without a results.json beside it: named.
    fs::copy_file(s.dir / "results.csv", dir / "other.csv");
    const auto no_json = epsim("plot " + (dir / "other.csv").string() +
                               " --x link.mps --y read_throughput_Bps --series link.gen");
    BOOST_CHECK_EQUAL(no_json.status, 2);
    BOOST_CHECK(contains(no_json.out, "other.json: no such file"));
}

// Drawing needs gnuplot: without it the case is reported as skipped, not passed.
BOOST_AUTO_TEST_CASE(plot_draws_an_svg,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         boost::test_tools::assertion_result ok(have_gnuplot());
                         ok.message() << "gnuplot is not installed";
                         return ok;
                     })) {
    const auto& s = small_sweep();
    BOOST_REQUIRE_EQUAL(s.result.status, 0);
    const std::string csv = (s.dir / "results.csv").string();
    const auto r = epsim("plot " + csv + " --x link.mps --y read_throughput_Bps --series link.gen");
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, 0);
    const fs::path svg = s.dir / "read_throughput_Bps.svg";
    BOOST_REQUIRE(fs::exists(svg));
    BOOST_CHECK_GT(fs::file_size(svg), 0u);
    BOOST_CHECK(contains(read_file(svg), "<svg"));
    const std::string gp = read_file(s.dir / "read_throughput_Bps.gp");
    BOOST_CHECK(contains(gp, "set ylabel 'read_throughput (GB/s)'"));
    BOOST_CHECK(contains(gp, "set xlabel 'link.mps'"));

    // The spec's "plot", after collecting the sweep's reports again.
    const fs::path spec_svg = s.dir / "read_throughput_Bps.svg";
    fs::remove(spec_svg);
    const auto collected = epsim("sweep --collect " + s.dir.string() + " --plot");
    BOOST_CHECK_EQUAL(collected.status, 0);
    BOOST_CHECK(fs::exists(spec_svg) && fs::file_size(spec_svg) > 0);
}

BOOST_AUTO_TEST_CASE(bad_specs_exit_2_naming_the_key) {
    const struct {
        const char* spec;
        const char* key; // what the message must name
    } cases[] = {
        {R"({"workload": "dma-sweep", "paramters": {"link.gen": [1]}})", "paramters"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": []}})", "parameters.link.gen"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gne": [1]}})", "parameters.link.gne"},
        {R"({"workload": "dma-sweep", "mode": "zip",
             "parameters": {"link.gen": [1, 2], "link.mps": [128]}})",
         "mode zip needs lists of the same length"},
        {R"({"workload": "dma-sweep",
             "parameters": {"link.mps": {"range": [512, 128], "factor": 2}}})",
         "parameters.link.mps.range"},
        {R"({"workload": "dma-sweep",
             "parameters": {"link.mps": {"range": [128, 512], "factor": 1}}})",
         "parameters.link.mps.factor"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1]}, "mode": "grid"})", "mode"},
        {R"({"workload": "no-such-workload", "parameters": {"link.gen": [1]}})", "workload"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1, 2], "link.mps": [128]},
             "zip": [["link.gen", "link.mps"]]})",
         "zip[0]"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1]},
             "plot": {"x": "link.mps", "y": "read_throughput_Bps"}})",
         "plot.x"},
        // The same point twice: a value listed twice, or rounded to one (12 significant digits
        // of 1 + k * 1e-13).
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1, 1]}})",
         "point_0001 is point_0000 again"},
        {R"({"workload": "dma-sweep",
             "parameters": {"host.read_latency_ns": {"range": [1.0, 1.5], "step": 1e-13}}})",
         "parameters.host.read_latency_ns.step"},
        // An integer range end past 2^63 - 1 (it wrapped to a negative bound: one point).
        {R"({"workload": "dma-sweep",
             "parameters": {"link.mps": {"range": [128, 18446744073709551615], "factor": 2}}})",
         "parameters.link.mps.range: 18446744073709551615 is above"},
        // A metric named like a column of the results would overwrite that column.
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1]}, "metrics": ["status"]})",
         "metrics[0]"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1]},
             "metrics": ["link.gen"]})",
         "metrics[0]"},
        // One value set twice, or set and swept: one of them would be dropped.
        {R"({"workload": "dma-sweep", "set": ["link.mps=128", "link.mps=256"],
             "parameters": {"link.gen": [1]}})",
         "set[1]: 'link.mps' is also set by set[0]"},
        {R"({"workload": "dma-sweep", "set": ["link={\"gen\": 2}"],
             "parameters": {"link.gen": [1]}})",
         "parameters.link.gen: is also fixed by set[0]"},
        // A line break in a value would split points.txt (one line per point).
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": ["a\nb", 2]}})",
         "holds a control character"},
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1]}, "timeout_s": 1e300})",
         "timeout_s"},
        // A line break in the title would end gnuplot's quoted string and start a command.
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1, 2]},
             "plot": {"x": "link.gen", "y": "read_throughput_Bps",
                      "title": "T\nsystem \"touch never\"\n#"}})",
         "plot.title: holds a control character"},
        // A step past the end's distance from the start: one value, -10 (the end minus the step
        // overflowed and gave thousands).
        {R"({"workload": "dma-sweep",
             "parameters": {"link.gen": {"range": [-10, -5], "step": 9223372036854775807}}})",
         "point_0000 (link.gen=-10): --set 'link.gen=-10'"},
        // A value every point inherits that epsim run refuses: no point would run (a range and a
        // rule between two keys).
        {R"({"workload": "dma-sweep", "base_config": {"link": {"gen": 9}},
             "parameters": {"link.mps": [128, 256]}})",
         "(configuration): epsim run refuses every point's configuration; point_0000 "
         "(link.mps=128): "
         "link.gen = 9: must be in [1, 6]"},
        {R"({"workload": "dma-sweep",
             "set": ["workload.dma_sweep.min_bytes=1048576", "workload.dma_sweep.max_bytes=65536"],
             "parameters": {"link.gen": [1, 2]}})",
         "point_0000 (link.gen=1): workload.dma_sweep.min_bytes = 1048576: must be <= "
         "workload.dma_sweep.max_bytes (65536)"},
        // A plot that epsim plot would refuse after every point had run: link.mps varies and is
        // neither x nor series nor pinned.
        {R"({"workload": "dma-sweep", "parameters": {"link.gen": [1, 2], "link.mps": [128, 256],
             "host.read_latency_ns": [300, 600]},
             "plot": {"x": "link.mps", "y": "read_throughput_Bps", "series": "link.gen"}})",
         "plot: parameter host.read_latency_ns varies"},
    };
    int n = 0;
    for (const auto& c : cases) {
        const fs::path spec = write_file("badspec" + std::to_string(n++) + ".json", c.spec);
        const auto r =
            epsim("sweep " + spec.string() + " --out " + (work_dir() / "never").string());
        BOOST_CHECK_MESSAGE(r.status == 2, c.key << ": exit " << r.status);
        BOOST_CHECK_MESSAGE(contains(r.out, c.key), c.key << ": " << r.out);
        BOOST_CHECK_MESSAGE(contains(r.out, "epsim sweep: error: "), r.out);
    }
    BOOST_CHECK(!fs::exists(work_dir() / "never"));
}

// A spec named like the copy the sweep writes (sweep.json) in the output folder would be
// replaced by it: refused before anything is written, the spec left as it was.
BOOST_AUTO_TEST_CASE(a_sweep_never_writes_over_its_own_spec) {
    const fs::path dir = work_dir() / "own";
    fs::create_directories(dir);
    const fs::path spec = dir / "sweep.json";
    {
        std::ofstream os(spec);
        os << small_spec;
    }
    for (const char* option : {"--out", "--emit-slurm"}) {
        const auto r = epsim("sweep " + spec.string() + " " + option + " " + dir.string());
        BOOST_TEST_INFO(r.out);
        BOOST_CHECK_EQUAL(r.status, 2);
        BOOST_CHECK(contains(r.out, std::string(option) + " " + dir.string()));
        BOOST_CHECK(contains(r.out, "would write over its spec"));
        BOOST_CHECK_EQUAL(read_file(spec), small_spec);
        BOOST_CHECK(!fs::exists(dir / "points"));
    }
}

// The base configuration a spec names, in the output folder under the name the sweep gives its
// copy (base_config.json): refused as the spec is, the file left as it was.
BOOST_AUTO_TEST_CASE(a_sweep_never_writes_over_its_base_config) {
    const fs::path dir = work_dir() / "own_base";
    fs::create_directories(dir);
    const std::string base = R"({"link": {"gen": 2}})";
    {
        std::ofstream os(dir / "base_config.json");
        os << base;
    }
    const fs::path spec = write_file("with_base.json", R"({"workload": "dma-sweep",
      "base_config": ")" + (dir / "base_config.json").string() +
                                                           R"(",
      "parameters": {"link.mps": [128, 256]}})");
    for (const char* option : {"--out", "--emit-slurm"}) {
        const auto r = epsim("sweep " + spec.string() + " " + option + " " + dir.string());
        BOOST_TEST_INFO(r.out);
        BOOST_CHECK_EQUAL(r.status, 2);
        BOOST_CHECK(contains(r.out, "would write over its base_config"));
        BOOST_CHECK_EQUAL(read_file(dir / "base_config.json"), base);
        BOOST_CHECK(!fs::exists(dir / "points"));
    }
}

// A folder name goes into the Slurm script and the gnuplot script: a line break in it would
// start a command of its own there. Refused, nothing written.
BOOST_AUTO_TEST_CASE(a_folder_name_with_a_line_break_is_refused) {
    const fs::path spec = write_file("nl.json", small_spec);
    const std::string dir = (work_dir() / "nl\ntouch x").string(); // single-quoted: one word
    for (const std::string option : {"--out", "--emit-slurm", "--collect"}) {
        const std::string first = option == "--collect" ? "" : spec.string() + " ";
        const auto r = epsim("sweep " + first + option + " '" + dir + "'");
        BOOST_TEST_INFO(r.out);
        BOOST_CHECK_EQUAL(r.status, 2);
        BOOST_CHECK(contains(r.out, option + ": the folder's name holds a control character"));
    }
    BOOST_CHECK(!fs::exists(dir));
}

// A point's stderr may hold any bytes (another locale's messages, a cluster node's): collected
// into results.json as valid UTF-8, the bad bytes replaced by U+FFFD.
BOOST_AUTO_TEST_CASE(collect_keeps_results_valid_utf8) {
    const fs::path spec = write_file("utf.json", small_spec);
    const fs::path dir = work_dir() / "utf";
    BOOST_REQUIRE_EQUAL(epsim("sweep " + spec.string() + " --emit-slurm " + dir.string()).status,
                        0);
    {
        std::ofstream os(dir / "points" / "point_0001" / "stderr.txt", std::ios::binary);
        os << "epsim: error: bad \xff\xfe bytes\n";
    }
    // A line cut at 300 bytes: "xx" and 149 two-byte characters fill them exactly; all kept.
    std::string e_acute_line = "xx";
    for (int i = 0; i < 300; ++i)
        e_acute_line += "\xc3\xa9";
    {
        std::ofstream os(dir / "points" / "point_0002" / "stderr.txt", std::ios::binary);
        os << e_acute_line << "\n";
    }
    const auto r = epsim("sweep --collect " + dir.string());
    BOOST_TEST_INFO(r.out);
    BOOST_CHECK_EQUAL(r.status, 1); // no point has run
    const json results = read_json(dir / "results.json");
    BOOST_REQUIRE_EQUAL(results.size(), small_points);
    BOOST_CHECK(
        contains(results[1].at("error").get<std::string>(), "bad \xef\xbf\xbd\xef\xbf\xbd bytes"));
    std::string want = "xx";
    for (int i = 0; i < 149; ++i)
        want += "\xc3\xa9";
    BOOST_CHECK(results[2].at("error").get<std::string>() == want + "...");
}

BOOST_AUTO_TEST_CASE(a_point_past_its_timeout_is_killed) {
    // 256 MiB each way takes seconds of wall-clock; the timeout is a fraction of one.
    const fs::path spec = write_file("timeout.json", R"({
      "workload": "dma-sweep",
      "set": ["workload.dma_sweep.min_bytes=268435456", "workload.dma_sweep.max_bytes=268435456"],
      "parameters": {"link.gen": [1]},
      "timeout_s": 0.2
    })");
    const fs::path dir = work_dir() / "timeout";
    const auto r = epsim("sweep " + spec.string() + " --out " + dir.string());
    BOOST_TEST_MESSAGE(r.out);
    BOOST_CHECK_EQUAL(r.status, 1);
    const json results = read_json(dir / "results.json");
    BOOST_REQUIRE_EQUAL(results.size(), 1u);
    BOOST_CHECK_EQUAL(results[0].at("status"), "FAILED");
    BOOST_CHECK(contains(results[0].at("error").get<std::string>(), "timed out after 0.2 s"));
}

BOOST_AUTO_TEST_CASE(zip_groups_and_ranges_expand_as_written) {
    const fs::path spec = write_file("zip.json", R"({
      "workload": "dma-sweep",
      "parameters": {
        "workload.dma_sweep.min_bytes": {"range": [4096, 16384], "factor": 2},
        "workload.dma_sweep.max_bytes": {"range": [4096, 16384], "factor": 2},
        "link.gen": {"range": [1, 2], "step": 1}
      },
      "zip": [["workload.dma_sweep.min_bytes", "workload.dma_sweep.max_bytes"]]
    })");
    const std::vector<std::string> points = emitted_points(spec, "zip");
    BOOST_REQUIRE_EQUAL(points.size(), 6u); // 3 sizes x 2 generations
    BOOST_CHECK(contains(points[0], "min_bytes=4096 --set workload.dma_sweep.max_bytes=4096 "
                                    "--set link.gen=1"));
    BOOST_CHECK(contains(points[5], "min_bytes=16384 --set workload.dma_sweep.max_bytes=16384 "
                                    "--set link.gen=2"));
}

// A float step range ends at its end, also when the step is far below the bounds: [0.5 - 1e-10,
// 0.5] by 2.5e-11 is five values (an end tolerance relative to the bounds, 1e-9 x 0.5, once let
// it run on for twenty steps more; the probability key refuses values above 0.5, so the check
// that epsim run accepts every point cannot hide that).
BOOST_AUTO_TEST_CASE(a_float_step_range_stops_at_its_end) {
    const fs::path spec = write_file("floatstep.json", R"({
      "workload": "dma-sweep",
      "parameters": {"faults.lcrc_error_rate": {"range": [0.4999999999, 0.5], "step": 2.5e-11}}
    })");
    const std::vector<std::string> points = emitted_points(spec, "floatstep");
    BOOST_REQUIRE_EQUAL(points.size(), 5u);
    BOOST_CHECK(contains(points[1], "faults.lcrc_error_rate=0.499999999925 "));
    BOOST_CHECK(contains(points[4], "faults.lcrc_error_rate=0.5 "));
}

// What the spec checks must not refuse: a set of a section's JSON object merges into the
// section, so a parameter inside it that the object does not name is kept (link.gen beside
// link={"mps":128}); a parameter pinned in plot.where pins its zip partner too.
BOOST_AUTO_TEST_CASE(a_section_set_and_a_zip_partner_pin_are_accepted) {
    const std::vector<std::string> points = emitted_points(write_file("accepted.json", R"({
      "workload": "dma-sweep",
      "set": ["link={\"mps\": 128}"],
      "parameters": {
        "workload.dma_sweep.min_bytes": [4096, 8192],
        "workload.dma_sweep.max_bytes": [4096, 8192],
        "link.gen": [1, 2]
      },
      "zip": [["workload.dma_sweep.min_bytes", "workload.dma_sweep.max_bytes"]],
      "plot": {"x": "link.gen", "y": "read_throughput_Bps",
               "where": {"workload.dma_sweep.min_bytes": 4096}}
    })"),
                                                           "accepted");
    BOOST_CHECK_EQUAL(points.size(), 4u); // 2 sizes x 2 generations
}

BOOST_AUTO_TEST_CASE(studies_are_valid_specs) {
    const struct {
        const char* file;
        std::size_t points;
    } studies[] = {{"mps_mrrs_gen.json", study_b_points},
                   {"edma_channels.json", study_d_points},
                   {"iotlb.json", study_iotlb_points},
                   {"cmd_stream.json", study_cmd_points}};
    for (const auto& s : studies) {
        const fs::path dir = work_dir() / (std::string("study_") + s.file);
        const auto r = epsim("sweep " + std::string(EPVP_STUDIES_DIR) + "/" + s.file +
                             " --emit-slurm " + dir.string());
        BOOST_CHECK_MESSAGE(r.status == 0, s.file << ": " << r.out);
        const json spec = read_json(std::string(EPVP_STUDIES_DIR) + "/" + s.file);
        BOOST_CHECK(spec.contains("description"));
        BOOST_CHECK(spec.at("plot").contains("x") && spec.at("plot").contains("y") &&
                    spec.at("plot").contains("series"));
        std::istringstream lines(read_file(dir / "points.txt"));
        std::size_t n = 0;
        for (std::string l; std::getline(lines, l);)
            ++n;
        BOOST_CHECK_EQUAL(n, s.points);
    }
}

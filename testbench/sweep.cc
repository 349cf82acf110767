// The runner of `epsim sweep`: runs the points N at a time as child processes with a timeout
// each, shows progress, stops cleanly on an interrupt; --emit-slurm and --collect modes.
#include "testbench/sweep.h"

#include "testbench/output_file.h"
#include "testbench/process.h"
#include "testbench/sweep_outputs.h"
#include "testbench/sweep_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace epvp::tb {

namespace {

using namespace sweep_detail;
using clock_type = std::chrono::steady_clock;

constexpr int exit_pass = 0, exit_fail = 1, exit_usage = 2;
constexpr int exit_interrupted = 130; // 128 + SIGINT, as a shell reports it
constexpr int seconds_per_minute = 60;
constexpr int seconds_per_hour = 3600;
constexpr auto poll_interval = std::chrono::milliseconds(20);
constexpr auto tty_redraw_interval = std::chrono::seconds(1); // the elapsed clock ticks
constexpr auto plain_line_interval = std::chrono::seconds(1); // not a tty: at most a line/s
constexpr unsigned progress_cells = 10;

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// "m:ss", or "h:mm:ss" from an hour on.
std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    if (s >= seconds_per_hour)
        return fmt::format("{}:{:02}:{:02}", s / seconds_per_hour,
                           s % seconds_per_hour / seconds_per_minute, s % seconds_per_minute);
    return fmt::format("{}:{:02}", s / seconds_per_minute, s % seconds_per_minute);
}

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
        fmt::print("{}[{}{}] {}/{} points, {} failed, elapsed {}, eta {}{}", tty_ ? "\r\033[K" : "",
                   std::string(filled, '#'), std::string(progress_cells - filled, '.'), done_,
                   total_, failed_, format_duration(elapsed), eta, tty_ ? "" : "\n");
        std::fflush(stdout);
        drawn_ = true;
    }

    std::size_t total_, done_, failed_, run_ = 0;
    bool tty_;
    bool changed_ = tty_, drawn_ = false; // a terminal shows the bar at once
    clock_type::time_point start_ = clock_type::now(), last_ = clock_type::now();
};

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

// An input file (the spec, or the base configuration it names) must not be one the sweep writes
// over in its folder (sweep.json, the base configuration, the results, points.txt, the Slurm
// script, anything under points/): `epsim sweep sweep.json --out .` would replace the spec with
// the sweep's copy of it. `what`: "spec" or "base_config".
void refuse_input_among_outputs(const std::string& input, const std::string& what,
                                const std::string& option, const fs::path& dir) {
    std::error_code ec;
    const fs::path spec = fs::weakly_canonical(fs::absolute(input), ec);
    const fs::path out = fs::weakly_canonical(dir, ec);
    const fs::path rel = spec.lexically_relative(out);
    if (rel.empty() || *rel.begin() == "..") return;
    const std::string first = rel.begin()->string();
    if (first == "points" || rel == spec_file_name || rel == base_config_file_name ||
        rel == "results.json" || rel == "results.csv" || rel == "points.txt" ||
        rel == "sweep.sbatch")
        throw spec_error(option + " " + dir.string() + ": the sweep would write over its " + what +
                         " " + input + " there (give the " + what + " another name or place)");
}

// A folder the sweep writes: its path goes into the Slurm script and the plot's gnuplot script,
// so it must be one line of printable characters.
void refuse_control_chars(const std::string& option, const std::string& dir) {
    if (has_control_char(dir))
        throw spec_error(option + ": the folder's name holds a control character (a line break, "
                                  "a tab), which the Slurm and gnuplot scripts cannot carry");
}

void refuse_inputs_among_outputs(const loaded& ld, const std::string& spec_file,
                                 const std::string& option, const fs::path& dir) {
    refuse_input_among_outputs(spec_file, "spec", option, dir);
    if (!ld.spec.base_config_file.empty())
        refuse_input_among_outputs(ld.spec.base_config_file, "base_config", option, dir);
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
    fmt::print("epsim sweep: {}, {} points ({}{}), {}{} to run, {} at a time, timeout {} s; "
               "output in {}\n",
               s.workload, points.size(), s.zip ? "zip: " : "", axes_summary(s), resumed_text,
               queue.size(), o.jobs, format_seconds(s.timeout_s), l.dir.string());
    std::fflush(stdout);

    const std::string exe = self_path();
    struct job {
        std::size_t index;
        child_process child;
        clock_type::time_point start = clock_type::now();
        bool timed_out = false;
        clock_type::time_point killed_at{};
    };
    std::vector<job> running;
    progress bar(points.size(), resumed, already_failed);
    interrupt_guard guard;
    std::size_t next = 0;
    // Points whose report says PASS but whose process did not exit 0: failed, in the summary too.
    std::vector<std::string> overruled(points.size());

    auto finish = [&](const job& j, bool reaped) {
        const process_result& r = j.child.result();
        const point& p = points[j.index];
        const fs::path d = l.point_dir(p);
        const fs::path err = d / "stderr.txt";
        if (j.timed_out)
            append_line(err, "epsim sweep: timed out after " + format_seconds(s.timeout_s) +
                                 " s (process group killed)");
        else if (j.child.kill_sent())
            append_line(err, "epsim sweep: interrupted (process group killed)");
        else if (r.signal)
            append_line(err, "epsim sweep: killed by signal " + std::to_string(r.signal));
        if (!reaped)
            append_line(err, "epsim sweep: the killed process did not exit within " +
                                 format_seconds(process_reap_grace_s) + " s");
        row rw = read_row(d);
        if (rw.status == status_pass && !j.child.kill_sent() && r.signal == 0 &&
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
            child_process child(argv, (d / "stdout.txt").string(), (d / "stderr.txt").string());
            if (!child.started()) {
                append_line(d / "stderr.txt", std::string("epsim sweep: cannot start: ") +
                                                  std::strerror(child.start_errno()));
                bar.point_done(true);
                continue;
            }
            running.push_back({i, std::move(child)});
        }
        for (std::size_t k = 0; k < running.size();) {
            job& j = running[k];
            const bool reaped = j.child.poll();
            const bool gave_up =
                !reaped && j.child.kill_sent() && seconds_since(j.killed_at) > process_reap_grace_s;
            if (reaped || gave_up) {
                finish(j, reaped);
                running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
                continue;
            }
            if (!j.child.kill_sent() && (interrupted || seconds_since(j.start) > s.timeout_s)) {
                j.child.kill_group();
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
    fmt::print("epsim sweep: {} points, {} passed, {} failed; results in {} and {}\n",
               points.size(), points.size() - failed, failed, (l.dir / "results.csv").string(),
               (l.dir / "results.json").string());
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
    fmt::print("epsim sweep: {} points ({}) written to {}\n"
               "  submit:  sbatch {}\n"
               "  merge:   {} sweep --collect {}\n",
               ld.points.size(), axes_summary(s), l.dir.string(), shell_quote(script.string()),
               shell_quote(exe), shell_quote(l.dir.string()));
    return exit_pass;
}

int collect(const sweep_options& o) {
    refuse_control_chars("--collect", o.collect_dir);
    layout l{fs::absolute(o.collect_dir).lexically_normal()};
    const fs::path saved_file = l.dir / spec_file_name;
    std::optional<folder_lock> lock;
    std::error_code ec;
    if (fs::is_directory(l.dir, ec)) lock.emplace("--collect", l.dir.string());
    const auto saved = read_json(saved_file);
    if (!fs::is_regular_file(saved_file, ec))
        throw spec_error("--collect " + o.collect_dir + ": no " + spec_file_name +
                         " there (write a sweep with epsim sweep SPEC --emit-slurm DIR first)");
    if (!saved || !saved->is_object() || !saved->contains("spec") ||
        (saved->contains("name") && !saved->at("name").is_string()))
        throw spec_error(saved_file.string() +
                         ": not a saved sweep (JSON with \"spec\" and a \"name\" string, as "
                         "epsim sweep --emit-slurm writes it)");
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
        not_run += r.error == not_run_error;
    fmt::print("epsim sweep: collected {} points, {} passed, {} failed ({} not run); "
               "results in {} and {}\n",
               ld.points.size(), ld.points.size() - failed, failed, not_run,
               (l.dir / "results.csv").string(), (l.dir / "results.json").string());
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
        if (ld.refused)
            std::fprintf(stderr,
                         "epsim sweep: warning: epsim run refuses the configuration of %zu of %zu "
                         "points, which will fail; the first: %s\n",
                         ld.refused, ld.points.size(), ld.first_refusal.c_str());
        for (const auto& plugin : o.plugins)
            ld.spec.plugins.push_back(fs::absolute(plugin).lexically_normal().string());
        if (!o.emit_slurm_dir.empty()) {
            refuse_control_chars("--emit-slurm", o.emit_slurm_dir);
            refuse_inputs_among_outputs(ld, o.spec_file, "--emit-slurm",
                                        fs::absolute(o.emit_slurm_dir).lexically_normal());
            return emit_slurm(ld, o);
        }
        refuse_control_chars("--out", o.out_dir);
        refuse_inputs_among_outputs(ld, o.spec_file, "--out",
                                    fs::absolute(o.out_dir).lexically_normal());
        return run_local(ld, o);
    } catch (const spec_error& e) {
        std::fprintf(stderr, "epsim sweep: error: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "epsim sweep: error: %s\n", e.what());
        return exit_usage;
    }
}

} // namespace epvp::tb

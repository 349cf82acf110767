// epsim: the simulator program. `epsim run` builds the platform from the configuration and
// runs a workload; `epsim config --dump` prints the complete effective configuration and
// `epsim config --describe [PREFIX]` every key (type, unit, default, allowed values, meaning);
// `epsim sweep` runs a parameter sweep (one `epsim run` process per point) and `epsim plot`
// draws its results; `epsim boards` lists the SoC presets `--board` loads (config/board.h).
// `--plugin LIB` (run, workloads, config, boards, sweep; repeatable) loads an endpoint-function
// plugin first (plugin_loader.h, sdk/plugin.h): its workloads and keys then are like the built-in
// ones. Exit status: 0 all tests passed, 1 a test failed, 2 bad command line or configuration, or
// an output file that cannot be written, 3 the workload did not finish within sim.time_limit_us or
// sim.wall_limit_s, 130/143 stopped by SIGINT/SIGTERM (what exists is written first).
#include "firmware/hal/errno.h"
#include "model/core/log.h"
#include "model/core/trace_events.h"
#include "testbench/bench.h"
#include "testbench/config/board.h"
#include "testbench/config/config.h"
#include "testbench/config/keys.h"
#include "testbench/iss_gdb.h"
#include "testbench/output_file.h"
#include "testbench/platform.h"
#include "testbench/plot.h"
#include "testbench/plugin_loader.h"
#include "testbench/report.h"
#include "testbench/run_control.h"
#include "testbench/sweep.h"
#include "testbench/workload.h"
#include "testbench/workload_call.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <systemc>
#include <unistd.h>

namespace {

using epvp::cfg::json;

constexpr int exit_pass = 0, exit_fail = 1, exit_usage = 2, exit_hung = 3;
constexpr int exit_signal_base = 128;     // stopped by signal N: 128 + N, as a shell reports it
constexpr unsigned max_sweep_jobs = 1024; // epsim sweep --jobs: processes at a time
// --log: every category something logs in (a test runs each and looks for its lines).
const char* const log_categories[] = {"all", "regs", "tlp", "link", "ltssm",
                                      "dwc", "edma", "fw",  "host", "irq"};
// The progress line on a terminal: the simulation runs in slices of this much simulated time
// and the line is redrawn at most this often.
constexpr double progress_slice_us = 100;
constexpr auto progress_redraw = std::chrono::milliseconds(250);

std::string log_category_list(const char* separator) {
    std::string all;
    for (const char* c : log_categories)
        all += std::string(all.empty() ? "" : separator) + c;
    for (const auto& c : epvp::tb::workload_log_categories())
        all += separator + c;
    return all;
}

// A one-line progress indicator on stderr when it is a terminal (never in a pipe or a file):
// simulated time and, for a workload that streams tests, tests done / total. Cleared before each
// TAP line.
class progress_line {
public:
    explicit progress_line(unsigned tests_total)
        : on_(::isatty(STDERR_FILENO) == 1)
        , total_(tests_total) {}
    bool on() const { return on_; }
    void test_done() { ++done_; }
    void clear() {
        if (!drawn_) return;
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        drawn_ = false;
    }
    void tick() {
        const auto now = std::chrono::steady_clock::now();
        if (!on_ || (drawn_once_ && now - last_ < progress_redraw)) return;
        drawn_once_ = true;
        last_ = now;
        char buf[120];
        int n = std::snprintf(buf, sizeof buf, "\r\033[Kepsim: %.3f ms simulated",
                              sc_core::sc_time_stamp().to_seconds() * 1e3);
        if (total_ && n > 0 && static_cast<std::size_t>(n) < sizeof buf)
            std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ", tests %u/%u", done_,
                          total_);
        std::fputs(buf, stderr);
        std::fflush(stderr);
        drawn_ = true;
    }

private:
    bool on_;
    unsigned total_, done_ = 0;
    bool drawn_ = false, drawn_once_ = false;
    std::chrono::steady_clock::time_point last_;
};

// --board (run, config): NAME or ./FILE.json, empty for none (config/board.h).
std::string board;
// The preset --board loaded (for the report), once effective_config() has read it.
epvp::cfg::board_preset board_loaded;

// Defaults, then the board preset, then the file, then what the workload brings, then every
// --set (effective_config in workload.h).
json effective_config(const std::string& file, const std::vector<std::string>& sets,
                      const std::string& workload_name) {
    std::vector<json> overlays;
    if (!board.empty()) {
        board_loaded = epvp::cfg::load_board(board);
        overlays.push_back(board_loaded.config);
    }
    if (!file.empty()) overlays.push_back(epvp::cfg::load_file(file));
    return epvp::tb::effective_config(overlays, sets, workload_name);
}

int run(const std::string& config_file, const std::vector<std::string>& sets,
        const std::string& workload_name, const std::string& report_file,
        const std::vector<std::string>& logs, const std::string& waves_file,
        const std::string& trace_file, int gdb_port) {
    const auto wall_start = std::chrono::steady_clock::now();
    json doc = effective_config(config_file, sets, workload_name);
    epvp::cfg::platform_config pc = epvp::cfg::parse(doc);
    const epvp::tb::workload_info* info = epvp::tb::find_workload(workload_name);
    if (!info)
        throw epvp::cfg::config_error("--workload " + workload_name +
                                      ": unknown workload (known: " + epvp::tb::workload_names() +
                                      ")");
    const auto workload_logs = epvp::tb::workload_log_categories();
    for (const auto& l : logs) {
        bool known =
            std::find(workload_logs.begin(), workload_logs.end(), l) != workload_logs.end();
        for (const char* c : log_categories)
            known |= l == c;
        if (!known)
            throw epvp::cfg::config_error(
                "--log " + l + ": unknown category (known: " + log_category_list(", ") + ")");
        epvp::logger::get().enable(l);
    }

    // Every output is probed before anything runs: a mistyped path costs a second, not a run.
    if (!report_file.empty()) epvp::tb::probe_output("--report", report_file);
    if (!trace_file.empty()) epvp::tb::probe_output("--trace", trace_file);
    if (!waves_file.empty()) {
        epvp::tb::probe_output("--waves", waves_file);
        epvp::tb::probe_output("--waves", epvp::tb::platform::model_waves_file(waves_file));
    }

    // --gdb: the port is taken before anything runs.
    std::unique_ptr<epvp::tb::gdb_stub> gdb;
    if (gdb_port >= 0) gdb = std::make_unique<epvp::tb::gdb_stub>(unsigned(gdb_port), pc);

    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    epvp::tb::platform p("platform", pc);
    // From here on SIGINT, SIGTERM and sim.wall_limit_s stop the run, which then writes its
    // outputs.
    epvp::tb::run_control control(pc.sim.wall_limit_s);
    // --trace: a recorder only when asked (instrumented code tests for it and does nothing else).
    std::unique_ptr<epvp::trace::recorder> recorder;
    if (!trace_file.empty()) {
        recorder = std::make_unique<epvp::trace::recorder>();
        epvp::trace::recorder::install(recorder.get());
        p.trace_links();
    }
    if (!waves_file.empty()) {
        const auto written = p.open_waves(waves_file);
        for (const auto& f : written)
            std::printf("epsim: waves to %s\n", f.c_str());
        if (std::find(written.begin(), written.end(), waves_file) == written.end())
            std::printf("epsim: no %s: the TLM iATU (dwc.iatu.impl = %s) has no RTL signals to "
                        "dump; only the model's signals are written (RTL waves need "
                        "dwc.iatu.impl = rtl or lockstep)\n",
                        waves_file.c_str(), epvp::cfg::choice_name(pc.dwc.iatu.impl).c_str());
    }
    const std::unique_ptr<epvp::tb::workload> w =
        epvp::tb::workload_call(info->name, "making it", [&] { return info->make(); });
    if (!w) throw epvp::cfg::config_error("workload " + info->name + ": its factory made none");
    epvp::tb::workload_result result;
    epvp::tb::workload_call(info->name, "loading it", [&] { w->load(p, result); });
    epvp::tb::load_idle_endpoints(p);
    if (gdb) gdb->attach(p.endpoint(0));
    std::printf("epsim: workload %s on DWC %s endpoint, link Gen%u x%u, seed %llu\n",
                info->name.c_str(), epvp::cfg::choice_name(pc.dwc.version).c_str(), pc.link.gen,
                pc.link.width, static_cast<unsigned long long>(pc.sim.seed));
    // A workload that streams tests: the TAP plan now, then each line as its test completes.
    progress_line progress(result.tests_planned);
    if (result.tests_planned) {
        std::fputs(fw::host::format_plan(result.tests_planned).c_str(), stdout);
        std::fflush(stdout);
        result.on_test = [&progress](unsigned n, const fw::host::test_result& t) {
            progress.clear();
            std::fputs(fw::host::format_result_line(n, t).c_str(), stdout);
            std::fflush(stdout);
            progress.test_done();
        };
    }
    std::fflush(stdout);
    const bool finished = progress.on() ? p.run(sc_core::sc_time(progress_slice_us, sc_core::SC_US),
                                                [&progress] { progress.tick(); })
                                        : p.run();
    progress.clear();
    epvp::logger::get().flush_suppressed();
    result.host_finished = finished;
    if (result.fatal.empty()) result.fatal = p.firmware_failure(); // a panic ends the run
    if (!result.fatal.empty()) {
        std::fflush(stdout);
        std::fprintf(stderr, "epsim: error: %s\n", result.fatal.c_str());
        if (gdb) gdb->exited(exit_fail); // the debugger sees the process end, not a dropped link
        return exit_fail;
    }
    if (!finished) epvp::tb::note_stop(result, control, pc);
    w->finish(p, result);
    w->print_results(p, result, std::cout);
    for (const auto& x : result.resets)
        std::printf("%s before test %u: %s\n", x.kind.c_str(), x.before_test,
                    x.status ? fw::err_name(x.status) : "done, device restored");
    if (result.enumerate_status)
        std::printf("enumeration failed: %s\n", fw::err_name(result.enumerate_status));
    for (const auto& d : result.devices)
        std::printf("endpoint %s [%04x:%04x], link Gen%u x%u\n", d.name().c_str(), d.vendor,
                    d.device, p.link.gen(), p.link.width());
    w->print_summary(p, result, std::cout);
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    std::printf(
        "simulated time %.3f us, wall-clock %.2f s, %llu warnings\n",
        sc_core::sc_time_stamp().to_seconds() * 1e6, wall_s,
        static_cast<unsigned long long>(epvp::logger::get().count(epvp::log_kind::warning)));
    if (!finished) std::printf("epsim: %s\n", result.stop_message.c_str());
    if (p.iatu_cosim()) std::cout << epvp::tb::format_iatu_cosim(*p.iatu_cosim(), wall_s);
    std::cout << epvp::tb::format_rtl_slaves(p, wall_s);
    const bool lockstep_failed =
        p.iatu_cosim() && epvp::tb::iatu_lockstep_mismatches(*p.iatu_cosim()) != 0;
    // Each output is written and checked; one that fails does not keep the others from being
    // written.
    std::vector<std::string> output_errors;
    if (!waves_file.empty())
        for (const auto& e : p.close_waves())
            output_errors.push_back(e);
    if (recorder) {
        epvp::trace::recorder::install(nullptr);
        try {
            epvp::tb::output_file f("--trace", trace_file);
            recorder->write_json(f.stream());
            f.close();
            std::printf("epsim: %zu trace events to %s\n", recorder->events(), trace_file.c_str());
        } catch (const epvp::tb::output_error& e) {
            output_errors.push_back(e.what());
        }
    }
    if (!report_file.empty()) {
        try {
            json rep = epvp::tb::make_report(info->name, *w, doc, p, result);
            if (!board.empty()) // the preset the run started from (its keys are in `config`)
                rep["board"] = {{"name", board_loaded.name},
                                {"description", board_loaded.description}};
            epvp::tb::write_output("--report", report_file, rep.dump(2) + '\n');
        } catch (const epvp::tb::output_error& e) {
            output_errors.push_back(e.what());
        }
    }
    std::fflush(stdout);
    for (const auto& e : output_errors)
        std::fprintf(stderr, "epsim: error: %s\n", e.c_str());
    const int status = [&] {
        if (!output_errors.empty()) return exit_usage;
        if (!finished && control.by_signal()) return exit_signal_base + control.signal_number();
        if (!finished) return exit_hung;
        const bool failed = epvp::tb::run_failed(*w, result) || lockstep_failed;
        return failed ? exit_fail : exit_pass;
    }();
    if (gdb) gdb->exited(status); // GDB's W stop reply: the process exits after it
    return status;
}

// What was printed is an output too (--help included): a full disk under standard output
// loses it. A run that failed on its own keeps its status; a pass is no pass without its output.
int with_stdout_checked(int status) {
    std::cout.flush();
    const int flush_error = std::fflush(stdout) != 0 ? errno : 0;
    if (flush_error || std::ferror(stdout)) {
        std::fprintf(stderr, "epsim: error: standard output: cannot write%s%s\n",
                     flush_error ? ": " : "", flush_error ? std::strerror(flush_error) : "");
        return status == exit_pass ? exit_usage : status;
    }
    return status;
}

} // namespace

int sc_main(int argc, char* argv[]) {
    CLI::App app{"epsim: virtual platform of an SoC with a DesignWare PCIe endpoint controller"};
    app.require_subcommand(1);
    app.footer("Exit status:\n"
               "  0  every test passed\n"
               "  1  a test failed (or a sweep point, or the iATU lockstep comparison)\n"
               "  2  bad command line or configuration (one line names what was wrong)\n"
               "  3  the workload did not finish within sim.time_limit_us\n"
               "\n"
               "Examples:\n"
               "  epsim run                                   the Linux endpoint test suite\n"
               "  epsim run --workload NAME --set link.gen=4 --report r.json\n"
               "  epsim sweep testbench/studies/mps_mrrs_gen.json --jobs 2 --out sweep-out\n"
               "\n"
               "`epsim SUBCOMMAND --help` describes a subcommand's options.");

    std::string config_file, workload_name = epvp::tb::default_workload(), report_file, waves_file,
                             trace_file;
    // A path option given an empty value (a script's unset variable) is an error, not "none".
    const CLI::Validator path(
        [](std::string& v) { return v.empty() ? std::string("an empty path") : std::string(); },
        "PATH");
    std::vector<std::string> sets, logs, plugins;
    const std::string plugin_help =
        "load an endpoint-function plugin (a shared library built with epvp_add_function; "
        "repeatable)";
    auto* run_cmd = app.add_subcommand("run", "run a workload on the platform");
    run_cmd->add_option("--plugin", plugins, plugin_help);
    run_cmd->add_option("--config", config_file, "platform configuration (JSON)")->check(path);
    const std::string board_help = "SoC preset: a shipped board (`epsim boards`) or ./FILE.json; "
                                   "--config and --set override it";
    run_cmd->add_option("--board", board, board_help)->check(path);
    run_cmd->add_option("--set", sets, "override a key: a.b[i].c=VALUE (repeatable)");
    run_cmd->add_option("--workload", workload_name,
                        "workload to run (default " + workload_name +
                            "; `epsim workloads` lists them)");
    run_cmd->add_option("--report", report_file, "write machine-readable results (JSON)")
        ->check(path);
    run_cmd->add_option("--log", logs, "log categories (repeatable): " + log_category_list(" "));
    run_cmd
        ->add_option("--waves", waves_file,
                     "FILE.fst|.vcd: dump the RTL island (dwc.iatu.impl rtl/lockstep) there and "
                     "the model's signals to FILE.model.vcd")
        ->check(path);
    run_cmd
        ->add_option("--trace", trace_file,
                     "FILE.json: Chrome/Perfetto trace events (link, iATU, eDMA, SMMU, EP CPU)")
        ->check(path);
    int gdb_port = -1;
    run_cmd
        ->add_option("--gdb", gdb_port,
                     "PORT: halt the ISS CPU (cpu.kind=iss) at its reset vector and serve GDB on "
                     "127.0.0.1:PORT (0: a free port; the listening line names it)")
        ->check(CLI::Range(0, 65535));

    bool dump = false;
    std::string dump_config;
    std::vector<std::string> dump_sets;
    auto* cfg_cmd = app.add_subcommand("config", "show the configuration");
    cfg_cmd->add_flag("--dump", dump, "print the complete effective configuration");
    cfg_cmd->add_option("--config", dump_config, "platform configuration (JSON)")->check(path);
    cfg_cmd->add_option("--board", board, board_help)->check(path);
    cfg_cmd->add_option("--set", dump_sets, "override a key: a.b[i].c=VALUE (repeatable)");
    cfg_cmd->add_option("--plugin", plugins, plugin_help);
    std::string describe_prefix, describe_format = "text";
    auto* describe_opt = cfg_cmd->add_option(
        "--describe", describe_prefix,
        "list every key (or those under PREFIX): type, unit, default, allowed values, meaning");
    describe_opt->expected(0, 1);
    cfg_cmd->add_option("--format", describe_format, "--describe output: text or md (Markdown)")
        ->check(CLI::IsMember({"text", "md"}));

    auto* boards_cmd = app.add_subcommand("boards", "list the SoC presets --board loads");
    boards_cmd->add_option("--plugin", plugins, plugin_help);
    auto* workloads_cmd = app.add_subcommand(
        "workloads", "list the workloads: name, description, the configuration keys each reads");
    workloads_cmd->add_option("--plugin", plugins, plugin_help);

    epvp::tb::bench_options bo;
    auto* bench_cmd = app.add_subcommand(
        "bench", "simulator speed (default: a 256 MiB eDMA write and read), or model-vs-analytic "
                 "throughput tables");
    bench_cmd->add_option("--bytes", bo.bytes, "transfer size of the speed run");
    auto* link_table_flag = bench_cmd->add_flag(
        "--link-table", bo.link_table,
        "16 MiB eDMA writes, Gen1-5 x4/x16, MPS 128/256/512, vs. the link bound");
    auto* read_table_flag = bench_cmd->add_flag(
        "--read-table", bo.read_table,
        "16 MiB eDMA reads, tags 1/2/4/8/32, host latency 300/1000 ns, vs. the bound");
    auto* profile_flag =
        bench_cmd->add_flag("--profile", bo.profile, "run the speed run under callgrind");
    auto* dram_flag =
        bench_cmd->add_flag("--dram", bo.dram,
                            "DRAM latencies (row hit, miss, conflict), refresh cost, sequential vs "
                            "random throughput");
    auto* rtl_iatu_flag = bench_cmd->add_flag(
        "--rtl-iatu", bo.rtl_iatu,
        "translations per wall second: the RTL iATU vs the TLM one, as a block and "
        "on the platform (the endpoint test suite)");
    auto* floor_flag =
        bench_cmd->add_flag("--floor-only", bo.floor_only,
                            "only the SystemC floor: one wait() per 256-byte transaction, and a "
                            "tlm_quantumkeeper loop");
    bench_cmd
        ->add_option("--floor-transactions", bo.floor_transactions,
                     "transactions per floor loop (default 4000000)")
        ->check(CLI::Range(1ull, 1ull << 40));
    auto* bench_report = bench_cmd
                             ->add_option("--report", bo.report_file,
                                          "FILE.json: the measured rates (speed run, --rtl-iatu)")
                             ->check(path);
    // One mode at a time (the two tables may go together); --report only where there are rates
    // to write: a flag another one overrode, or a report never written, would be silent.
    floor_flag->excludes(profile_flag, dram_flag, rtl_iatu_flag, link_table_flag, read_table_flag,
                         bench_report);
    profile_flag->excludes(dram_flag, rtl_iatu_flag, link_table_flag, read_table_flag,
                           bench_report);
    dram_flag->excludes(rtl_iatu_flag, link_table_flag, read_table_flag, bench_report);
    rtl_iatu_flag->excludes(link_table_flag, read_table_flag);
    link_table_flag->excludes(bench_report);
    read_table_flag->excludes(bench_report);
    bench_cmd->add_option("--config", bo.config_file, "platform configuration (JSON)")->check(path);
    bench_cmd->add_option("--set", bo.sets, "override a key: a.b[i].c=VALUE (repeatable)");

    epvp::tb::sweep_options so;
    auto* sweep_cmd = app.add_subcommand(
        "sweep", "parameter sweep: one `epsim run` per point, N at a time, into results.csv/json");
    auto* spec_opt = sweep_cmd->add_option("spec", so.spec_file, "sweep specification (JSON)");
    sweep_cmd->add_option("--plugin", so.plugins, plugin_help + "; passed on to every point");
    auto* jobs_opt = sweep_cmd->add_option("--jobs,-j", so.jobs, "points run at a time (default 2)")
                         ->check(CLI::Range(1u, max_sweep_jobs));
    auto* out_opt =
        sweep_cmd->add_option("--out", so.out_dir, "output directory (default sweep-out)")
            ->check(path);
    auto* resume_opt = sweep_cmd->add_flag(
        "--resume", so.resume, "skip points whose report exists and whose config.json matches");
    auto* emit_opt =
        sweep_cmd
            ->add_option(
                "--emit-slurm", so.emit_slurm_dir,
                "write DIR/sweep.sbatch (a Slurm array job, one task per point) instead of running")
            ->check(path);
    auto* collect_opt =
        sweep_cmd
            ->add_option("--collect", so.collect_dir,
                         "merge the reports in DIR (from --emit-slurm) into results")
            ->check(path);
    auto* plot_flag = sweep_cmd->add_flag(
        "--plot", so.plot, "draw the spec's \"plot\" into DIR/<y>.svg after the sweep");
    emit_opt->excludes(jobs_opt, out_opt, resume_opt, plot_flag, collect_opt);
    collect_opt->excludes(spec_opt, jobs_opt, out_opt, resume_opt);

    epvp::tb::plot_options po;
    auto* plot_cmd = app.add_subcommand("plot", "plot a metric of a sweep's results.csv (gnuplot)");
    plot_cmd->add_option("results", po.results_csv, "results.csv of a sweep")->required();
    plot_cmd->add_option("--x", po.x, "column on the x axis (a parameter)")->required();
    plot_cmd->add_option("--y", po.y, "column on the y axis (a metric)")->required();
    plot_cmd->add_option("--series", po.series, "a line per value of this column");
    plot_cmd
        ->add_option("-o,--output", po.output,
                     "image (.svg or .png); default: the results directory/<y>.svg")
        ->check(path);
    plot_cmd->add_option("--title", po.title, "plot title");
    plot_cmd->add_option("--x-scale", po.x_scale, "auto (log when x spans 100x), linear or log")
        ->check(CLI::IsMember({"auto", "linear", "log"}));
    plot_cmd
        ->add_option("--where", po.where,
                     "COLUMN=VALUE: plot only the rows with that value (repeatable)")
        ->allow_extra_args(false);

    try {
        if (argc > 1 && argv[1][0] != '-') { // a subcommand's name, misspelt or not
            std::string known;
            bool found = false;
            for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
                found |= sub->get_name() == argv[1];
                known += (known.empty() ? "" : ", ") + sub->get_name();
            }
            if (!found) {
                std::fprintf(stderr, "epsim: error: unknown subcommand '%s' (known: %s)\n", argv[1],
                             known.c_str());
                return exit_usage;
            }
        }
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help prints its text; a bad command line is one line, as every other error.
        if (e.get_exit_code() == 0) return with_stdout_checked(app.exit(e));
        std::fprintf(stderr, "epsim: error: %s (epsim --help lists the options)\n", e.what());
        return exit_usage;
    }
    const int status = [&]() -> int {
        try {
            epvp::tb::use_rtl_island_library(); // loaded only when a run makes an RTL block
            epvp::tb::load_plugins(plugins);
            epvp::tb::load_plugins(so.plugins);
            if (*cfg_cmd && *describe_opt) {
                std::cout << epvp::cfg::describe_keys(
                    describe_prefix, describe_format == "md" ? epvp::cfg::describe_format::markdown
                                                             : epvp::cfg::describe_format::text);
                return exit_pass;
            }
            if (*cfg_cmd) {
                json doc = effective_config(dump_config, dump_sets, "");
                epvp::cfg::parse(doc);
                if (!dump) {
                    std::fprintf(stderr,
                                 "epsim config: nothing to do (use --dump or --describe)\n");
                    return exit_usage;
                }
                std::cout << doc.dump(2) << '\n';
                return exit_pass;
            }
            if (*boards_cmd) {
                std::cout << epvp::cfg::format_boards();
                return exit_pass;
            }
            if (*workloads_cmd) {
                std::cout << epvp::tb::format_workloads();
                return exit_pass;
            }
            if (*bench_cmd) return epvp::tb::run_bench(bo);
            if (*sweep_cmd) return epvp::tb::run_sweep(so);
            if (*plot_cmd) return epvp::tb::run_plot(po);
            return run(config_file, sets, workload_name, report_file, logs, waves_file, trace_file,
                       gdb_port);
        } catch (const epvp::cfg::config_error& e) {
            std::fprintf(stderr, "epsim: error: %s\n", e.what());
            return exit_usage;
        } catch (const epvp::tb::output_error& e) {
            std::fprintf(stderr, "epsim: error: %s\n", e.what());
            return exit_usage;
        }
    }();
    return with_stdout_checked(status);
}

int main(int argc, char* argv[]) {
    // The SystemC banner is noise in a tool's output and in reports.
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}

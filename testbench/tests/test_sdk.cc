// The SDK end to end, as a firmware team uses it: `cmake --install` into a temporary prefix,
// the examples (examples/echo-function, examples/ring-function) configured and built against it
// with plain CMake, run through `epsim run --plugin`; their TAP lines pass and their report
// sections exist; with the cross toolchain, the echo function also runs as a binary on the
// instruction-set simulator. Bad plugins are one line and a non-zero exit.
#define BOOST_TEST_MODULE sdk
#include "testbench/tests/cli_test_util.h"

#include <boost/test/unit_test.hpp>

using cli_test::cmd_result;
using cli_test::contains;
using cli_test::shell_in;
using cli_test::shell_quote;

namespace {

constexpr int build_timeout_s = 900;
constexpr int run_timeout_s = 300;

const std::string& prefix() {
    static const std::string p = [] {
        cli_test::work_dir_stem() = "test_sdk";
        const std::string dir = (cli_test::work_dir() / "prefix").string();
        const cmd_result r = shell_in(cli_test::work_dir().string(),
                                      "cmake --install " + shell_quote(EPVP_BUILD_DIR) +
                                          " --prefix " + shell_quote(dir) + " >install.log",
                                      build_timeout_s);
        BOOST_REQUIRE_MESSAGE(r.status == 0, "cmake --install failed: " + r.out);
        return dir;
    }();
    return p;
}

// Configures and builds `source` against the prefix; returns its build folder.
std::string build_example(const std::string& source, const std::string& name) {
    const std::string build = (cli_test::work_dir() / ("build-" + name)).string();
    const cmd_result r = shell_in(cli_test::work_dir().string(),
                                  "cmake -S " + shell_quote(source) + " -B " + shell_quote(build) +
                                      " -DCMAKE_PREFIX_PATH=" + shell_quote(prefix()) +
                                      " >/dev/null && cmake --build " + shell_quote(build),
                                  build_timeout_s);
    BOOST_REQUIRE_MESSAGE(r.status == 0, name + " did not build: " + r.out);
    return build;
}

cmd_result epsim(const std::string& args) {
    return shell_in(cli_test::work_dir().string(), prefix() + "/bin/epsim " + args, run_timeout_s);
}

unsigned count_lines_starting(const std::string& out, const std::string& start) {
    unsigned n = 0;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        n += line.rfind(start, 0) == 0;
    return n;
}

// TAP: every planned test passed ("1..N", N lines "ok ", no "not ok").
void check_tap(const cmd_result& r, unsigned planned) {
    BOOST_TEST_INFO(r.out);
    BOOST_TEST(r.status == 0);
    BOOST_TEST(contains(r.out, "1.." + std::to_string(planned) + "\n"));
    BOOST_TEST(count_lines_starting(r.out, "ok ") == planned);
    BOOST_TEST(count_lines_starting(r.out, "not ok") == 0u);
}

nlohmann::json read_json(const std::string& file) {
    std::ifstream in(cli_test::work_dir() / file);
    BOOST_REQUIRE(in);
    return nlohmann::json::parse(in);
}

std::string example(const std::string& name) {
    return std::string(EPVP_SOURCE_DIR) + "/examples/" + name;
}

} // namespace

using remove_scratch = cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_scratch);

namespace {
// Builds examples/<dir> against the prefix, runs its plugin `name` (`planned` TAP tests, all
// passing) and returns its report section. Also returns the build folder.
nlohmann::json run_example(const std::string& dir, const std::string& name, unsigned planned,
                           std::string& build) {
    build = build_example(example(dir), name);
    const cmd_result r = epsim("run --plugin " + build + "/lib" + name + ".so --workload " + name +
                               " --report " + name + ".json");
    check_tap(r, planned);
    const auto rep = read_json(name + ".json");
    BOOST_REQUIRE_MESSAGE(rep.contains(name), "no report section " + name);
    return rep[name];
}
} // namespace

BOOST_AUTO_TEST_CASE(echo_example_builds_out_of_tree_and_passes) {
    std::string b;
    // 2 set-up tests + 4 echo rounds (echo_host.cc), each answered with MSI vector 0.
    const auto section = run_example("echo-function", "echo", 6, b);
    BOOST_TEST(section["rounds_passed"].get<unsigned>() == 4u);
    // Its unit test against the fake HAL builds and passes too.
    const cmd_result t = shell_in(b, "./test_echo", run_timeout_s);
    BOOST_TEST_INFO(t.out);
    BOOST_TEST(t.status == 0);
}

#ifdef EPVP_SDK_ISS
// epvp_add_function(echo ... ISS) cross-builds the function's endpoint side with the platform's
// firmware into build/echo.elf; on the instruction-set simulator it passes as it does natively
// (the same 6 tests, 4 rounds echoed). The platform's own ELF has no echo function: the guest
// panics saying so and the run fails at once.
BOOST_AUTO_TEST_CASE(echo_example_runs_as_a_binary_on_the_iss) {
    const std::string b = build_example(example("echo-function"), "echo");
    BOOST_REQUIRE_MESSAGE(cli_test::fs::exists(b + "/echo.elf"), "no " + b + "/echo.elf");
    const cmd_result r =
        epsim("run --plugin " + b + "/libecho.so --workload echo" +
              " --set cpu.kind=iss --set cpu.elf=" + b + "/echo.elf --report echo-iss.json");
    check_tap(r, 6);
    BOOST_TEST(read_json("echo-iss.json")["echo"]["rounds_passed"].get<unsigned>() == 4u);
    const cmd_result builtin =
        epsim("run --plugin " + b + "/libecho.so --workload echo --set cpu.kind=iss");
    BOOST_TEST_INFO(builtin.out);
    BOOST_TEST(builtin.status == 1);
    BOOST_TEST(count_lines_starting(builtin.out, "epsim: error: ") == 1u);
    BOOST_TEST(contains(builtin.out, "this firmware ELF has no function echo"));
}
#endif

BOOST_AUTO_TEST_CASE(ring_example_builds_out_of_tree_and_passes) {
    std::string b;
    // ring_host.cc: MSI-X enabled, then 4 slots each moved by the eDMA and signalled.
    const auto section = run_example("ring-function", "ring", 5, b);
    BOOST_TEST(section["slots_verified"].get<unsigned>() == 4u);
}

BOOST_AUTO_TEST_CASE(plugin_keys_logs_and_listing_are_like_built_ins) {
    const std::string so = build_example(example("echo-function"), "echo") + "/libecho.so";
    const cmd_result bad =
        epsim("run --plugin " + so + " --workload echo --set function.echo.poll_us=bad");
    BOOST_TEST_INFO(bad.out);
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(count_lines_starting(bad.out, "epsim: error: ") == 1u);
    BOOST_TEST(contains(bad.out, "function.echo.poll_us"));
    const cmd_result logged = epsim("run --plugin " + so + " --workload echo --log echo");
    BOOST_TEST_INFO(logged.out);
    BOOST_TEST(logged.status == 0);
    BOOST_TEST(contains(logged.out, "echo: echo 1: "));
    BOOST_TEST(contains(logged.out, "echo: bus master enabled\n")); // the runner's BME event
    const cmd_result list = epsim("workloads --plugin " + so);
    BOOST_TEST_INFO(list.out);
    BOOST_TEST(contains(list.out, "\necho\n"));
    BOOST_TEST(contains(list.out, "function.echo.*"));
    const cmd_result described = epsim("config --describe function.echo --plugin " + so);
    BOOST_TEST(contains(described.out, "function.echo.poll_us"));
}

BOOST_AUTO_TEST_CASE(a_sweep_passes_its_plugins_to_every_point) {
    const std::string so = build_example(example("echo-function"), "echo") + "/libecho.so";
    {
        std::ofstream spec(cli_test::work_dir() / "echo_sweep.json");
        spec << R"({"workload": "echo", "parameters": {"function.echo.poll_us": [50, 200]}})";
    }
    const cmd_result r = epsim("sweep echo_sweep.json --plugin " + so + " --out echo-sweep");
    BOOST_TEST_INFO(r.out);
    BOOST_TEST(r.status == 0);
    unsigned points = 0;
    for (const auto& d :
         cli_test::fs::directory_iterator(cli_test::work_dir() / "echo-sweep" / "points")) {
        const auto rep =
            read_json(cli_test::fs::relative(d.path() / "report.json", cli_test::work_dir()));
        BOOST_TEST(rep.contains("echo"));
        ++points;
    }
    BOOST_TEST(points == 2u);
    // The Slurm job array's point lines carry the plugin too.
    const cmd_result emitted =
        epsim("sweep echo_sweep.json --plugin " + so + " --emit-slurm echo-slurm");
    BOOST_TEST_INFO(emitted.out);
    BOOST_TEST(emitted.status == 0);
    std::ifstream lines(cli_test::work_dir() / "echo-slurm" / "points.txt");
    const std::string text{std::istreambuf_iterator<char>(lines), {}};
    BOOST_TEST(count_lines_starting(text, "run --workload echo --plugin " + so + " ") == 2u);
}

BOOST_AUTO_TEST_CASE(bad_plugins_are_one_line_and_a_nonzero_exit) {
    const std::string b =
        build_example(std::string(EPVP_SOURCE_DIR) + "/testbench/tests/sdk_plugins", "bad");
    struct bad_case {
        std::string args, says;
    };
    const std::vector<bad_case> cases = {
        {"run --plugin ./nowhere.so", "--plugin ./nowhere.so: no such file"},
        {"run --plugin " + b + "/CMakeCache.txt", "cannot be loaded"},
        {"run --plugin /lib/x86_64-linux-gnu/libm.so.6", "not an epsim plugin"},
        {"run --plugin " + b + "/libwrong_version.so", "built against SDK API version 999"},
        {"run --plugin " + b + "/libbad_bind.so --workload bindfail",
         "bindfail: bind failed: ENOMEM"},
        {"run --plugin " + b + "/libbad_bind.so --workload bindthrow",
         "bindthrow: the endpoint function threw: bind exploded"},
        // A workload's own code, run by epsim: a factory that makes nothing (a segfault before),
        // a load that throws, a function factory that throws an int (three lines of SystemC's
        // uncaught-exception report before).
        {"run --plugin " + b + "/libbad_code.so --workload nullmake",
         "workload nullmake: its factory made none"},
        {"run --plugin " + b + "/libbad_code.so --workload loadthrow",
         "workload loadthrow: loading it threw: load exploded"},
        {"run --plugin " + b + "/libbad_code.so --workload makethrow",
         "makethrow: creating the function threw a non-standard exception"},
        // Registrations refused: pci-epf-test's function.test.* is not a plugin's to extend; a
        // key default outside its own rule would fail every run, built-ins too.
        {"run --plugin " + b + "/libtaken_name.so", "function.test is taken"},
        {"run --plugin " + b + "/libbad_default.so",
         "function.baddefault.n: the default 0 breaks the key's own rule"},
        {"run --plugin " + b + "/libstatic_throw.so",
         "its static initialisation threw: static init exploded"},
        // A FIFO: opening it for loading would block for ever.
        {"run --plugin ./plugin.fifo", "--plugin ./plugin.fifo: no such file (or not a regular"},
    };
    BOOST_REQUIRE(shell_in(cli_test::work_dir().string(), "rm -f plugin.fifo && mkfifo plugin.fifo",
                           run_timeout_s)
                      .status == 0);
    for (const auto& c : cases) {
        const cmd_result r = epsim(c.args);
        BOOST_TEST_INFO(c.args + "\n" + r.out);
        BOOST_TEST(r.status != 0);
        BOOST_TEST(r.status < 128); // an exit, not a crash
        BOOST_TEST(count_lines_starting(r.out, "epsim: error: ") == 1u);
        BOOST_TEST(contains(r.out, c.says));
    }
}

#ifdef EPVP_RTL_COSIM
// examples/rtl-slave as its README says: configure and build against the prefix (the block
// verilated and wrapped by epvp_add_rtl_block), then its own ctest, whose rtl_slave_pcitest runs
// pcitest with the RTL RAM under the BAR backing memory and fails unless pcitest passes and the
// report shows traffic at the block.
BOOST_AUTO_TEST_CASE(rtl_slave_example_builds_out_of_tree_and_its_ctest_passes) {
    const std::string b = build_example(example("rtl-slave"), "rtl-slave");
    const cmd_result t = shell_in(b, "ctest --output-on-failure", run_timeout_s);
    BOOST_TEST_INFO(t.out);
    BOOST_TEST(t.status == 0);
    BOOST_TEST(contains(t.out, "rtl_slave_pcitest"));
    BOOST_TEST(contains(t.out, "100% tests passed"));
    // Placement errors: one line and exit status 2. The default map (testbench/config): DBI at
    // 0x40000000 (4 MiB), DRAM at 0x80000000 (1 GiB).
    const std::string so = b + "/libaxi4_ram.so";
    // soc.rtl_slaves = slaves is refused with exit status 2 and a line containing `says`.
    auto refused = [&](const std::string& slaves, const std::string& says) {
        const cmd_result r = epsim("run --plugin " + so + " --set 'soc.rtl_slaves=" + slaves + "'");
        BOOST_TEST_INFO(r.out);
        BOOST_TEST(r.status == 2);
        BOOST_TEST(contains(r.out, says));
    };
    refused(R"([{"block":"axi4_ram","base":"0x40100000","size":4096}])",
            "soc.rtl_slaves[0] [0x40100000, 0x40101000): overlaps board.dbi_base [0x40000000, "
            "0x40400000)");
    refused(R"([{"block":"axi4_ram","base":"0x7ffff000","size":8192}])",
            "overlaps the edge of DRAM");
    refused(R"([{"block":"axi4_ram","base":"0x90000000","size":8192},)"
            R"({"block":"axi4_ram","base":"0x90001000","size":4096}])",
            "soc.rtl_slaves[1] [0x90001000, 0x90002000): overlaps soc.rtl_slaves[0] "
            "[0x90000000, 0x90002000)");
    refused(R"([{"block":"other","base":"0x90000000","size":4096}])", "(registered: axi4_ram)");
}
#endif

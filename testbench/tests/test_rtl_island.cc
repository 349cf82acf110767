// The RTL island library (rtl-bridge/rtl_island_library.h): epsim links no Verilated code and
// loads libepvp_rtl_island.so from its own directory only when a run makes an RTL block. Runs a
// copy of build/epsim in a folder of its own, without the library and with it.
#define BOOST_TEST_MODULE rtl_island
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using cli_test::cmd_result;
using cli_test::contains;
using cli_test::remove_work_dir;
using cli_test::shell_quote;

BOOST_GLOBAL_FIXTURE(remove_work_dir);

constexpr int run_timeout_s = 600;
const std::string island_file = "libepvp_rtl_island.so";

// A folder holding a copy of epsim and, when asked, a copy of the island library from beside
// build/epsim.
fs::path epsim_copy(const std::string& folder, bool with_island) {
    const fs::path dir = cli_test::work_dir() / folder;
    fs::create_directories(dir);
    const fs::path built = fs::path(EPSIM_PATH).parent_path();
    fs::copy_file(EPSIM_PATH, dir / "epsim", fs::copy_options::overwrite_existing);
    if (with_island)
        fs::copy_file(built / island_file, dir / island_file, fs::copy_options::overwrite_existing);
    return dir;
}

cmd_result epsim_in(const fs::path& dir, const std::string& args) {
    return cli_test::shell_in(dir.string(), shell_quote((dir / "epsim").string()) + " " + args,
                              run_timeout_s);
}

unsigned count_lines_starting(const std::string& out, const std::string& prefix) {
    std::istringstream is(out);
    unsigned n = 0;
    for (std::string line; std::getline(is, line);)
        n += line.rfind(prefix, 0) == 0;
    return n;
}

} // namespace

// epsim has no Verilator runtime and no Verilated model in it, and does not need the library to
// start: the island is not one of its shared library dependencies.
BOOST_AUTO_TEST_CASE(epsim_links_no_verilated_code) {
    const cmd_result nm = cli_test::run_captured("nm -C " + shell_quote(EPSIM_PATH));
    BOOST_REQUIRE_MESSAGE(nm.status == 0, nm.out);
    BOOST_TEST(!contains(nm.out, "VerilatedContext"));
    BOOST_TEST(!contains(nm.out, "Vdw_iatu"));
    BOOST_TEST(!contains(nm.out, "Vaxi_sram"));
    const cmd_result dyn = cli_test::run_captured("readelf -d " + shell_quote(EPSIM_PATH));
    BOOST_REQUIRE_MESSAGE(dyn.status == 0, dyn.out);
    BOOST_TEST(contains(dyn.out, "(NEEDED)")); // the listing was read
    BOOST_TEST(!contains(dyn.out, island_file));
}

// Without the library beside it, epsim runs the TLM platform as before, and every way of asking
// for RTL is one error line naming the missing file and what provides it, exit status 2: in a
// build tree (a CMakeCache.txt beside epsim) the command that builds it in that tree, elsewhere
// (an installed or copied epsim) the installed library directory it also looks in, which
// `cmake --install` fills.
BOOST_AUTO_TEST_CASE(rtl_without_the_library_is_one_line_and_exit_2) {
    const fs::path dir = epsim_copy("alone", false);
    BOOST_REQUIRE(!fs::exists(dir / island_file));
    const cmd_result tlm = epsim_in(dir, "run");
    BOOST_TEST_INFO(tlm.out);
    BOOST_TEST(tlm.status == 0);
    const fs::path tree = epsim_copy("alone_in_a_build_tree", false);
    std::ofstream(tree / "CMakeCache.txt") << "# a build tree's cache\n";
    for (const char* args :
         {"run --set dwc.iatu.impl=rtl", "run --set dwc.iatu.impl=lockstep", "bench --rtl-iatu"}) {
        const cmd_result r = epsim_in(dir, args);
        BOOST_TEST_INFO(args << "\n" << r.out);
        BOOST_TEST(r.status == 2);
        BOOST_TEST(count_lines_starting(r.out, "epsim: error: ") == 1u);
        BOOST_TEST(contains(r.out, (dir / island_file).string() + " is missing"));
        BOOST_TEST(contains(r.out, "this epsim also looks for it in "));
        BOOST_TEST(contains(r.out, ", where `cmake --install` of the build that made it puts it"));
        BOOST_TEST(!contains(r.out, "--target epvp_rtl_island"));
        const cmd_result b = epsim_in(tree, args);
        BOOST_TEST_INFO(args << " (build tree)\n" << b.out);
        BOOST_TEST(b.status == 2);
        BOOST_TEST(count_lines_starting(b.out, "epsim: error: ") == 1u);
        BOOST_TEST(contains(b.out, (tree / island_file).string() + " is missing"));
        BOOST_TEST(contains(b.out, "cmake --build " + tree.string() + " --target epvp_rtl_island"));
    }
}

// With the library copied beside the copy of epsim, the RTL iATU runs pcitest through it.
BOOST_AUTO_TEST_CASE(the_library_beside_epsim_is_loaded) {
    const fs::path dir = epsim_copy("with_island", true);
    const cmd_result r = epsim_in(dir, "run --set dwc.iatu.impl=rtl");
    BOOST_TEST_INFO(r.out);
    BOOST_TEST(r.status == 0);
    BOOST_TEST(!contains(r.out, "epsim: error"));
}

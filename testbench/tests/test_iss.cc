// The endpoint firmware as a binary on the instruction-set simulator (cpu.kind = iss), end to
// end through epsim: the Linux pcitest suite gives the same pass/fail lines as the native
// firmware (the reference: the same sources compiled for the host), the same seed gives the same
// report, and a workload without an ELF image is refused with one line. Not in the sanitizer
// build (Unicorn is not instrumented).
#define BOOST_TEST_MODULE iss
#include "testbench/tests/cli_test_util.h"

#include <sstream>
#include <string>
#include <vector>

namespace {

using cli_test::shell;
using cli_test::work_dir;

using cleanup = cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(cleanup);

const std::string epsim = EPSIM_PATH;
constexpr int run_timeout_s = 600;

// The TAP result lines ("ok 3 ...", "not ok 7 ..."), in order.
std::vector<std::string> tap_results(const std::string& out) {
    std::vector<std::string> lines;
    std::istringstream in(out);
    std::string l;
    while (std::getline(in, l))
        if (l.rfind("ok ", 0) == 0 || l.rfind("not ok ", 0) == 0) lines.push_back(l);
    return lines;
}

} // namespace

BOOST_AUTO_TEST_CASE(pcitest_on_the_iss_matches_native_and_repeats_exactly) {
    const auto native = shell(epsim + " run", run_timeout_s);
    BOOST_REQUIRE_EQUAL(native.status, 0);
    const std::string r1 = (work_dir() / "iss1.json").string();
    const std::string r2 = (work_dir() / "iss2.json").string();
    const auto iss1 = shell(epsim + " run --set cpu.kind=iss --report " + r1, run_timeout_s);
    BOOST_TEST_MESSAGE(iss1.out.substr(iss1.out.size() > 600 ? iss1.out.size() - 600 : 0));
    BOOST_REQUIRE_EQUAL(iss1.status, 0);
    const auto want = tap_results(native.out);
    // The Linux pcitest suite: 47 rows (tools/testing/selftests/pci_endpoint).
    BOOST_REQUIRE_EQUAL(want.size(), 47u);
    const auto got = tap_results(iss1.out);
    BOOST_TEST(got == want, boost::test_tools::per_element());
    // Instructions take time on the ISS: the same tests end at another simulated time, but the
    // same seed gives the same bytes.
    const auto iss2 = shell(epsim + " run --set cpu.kind=iss --report " + r2, run_timeout_s);
    BOOST_REQUIRE_EQUAL(iss2.status, 0);
    BOOST_TEST(cli_test::read_file(r1) == cli_test::read_file(r2));
}

BOOST_AUTO_TEST_CASE(a_workload_without_an_elf_image_is_refused) {
    const auto r = shell(epsim + " run --workload dma-sweep --set cpu.kind=iss", run_timeout_s);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(cli_test::contains(r.out, "cpu.kind = iss"), r.out);
}

BOOST_AUTO_TEST_CASE(a_board_region_over_the_cpu_sram_is_refused) {
    // SRAM is [0x1000_0000, 0x1100_0000): 16 MiB of DRAM at 0x1080_0000 overlaps its upper half.
    const auto r = shell(
        epsim +
            " run --set cpu.kind=iss --set dram.base=0x10800000 --set dram.size_bytes=0x1000000",
        run_timeout_s);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(cli_test::contains(r.out, "dram.base = 0x10800000"), r.out);
}

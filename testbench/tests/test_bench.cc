// `epsim bench --report`: the speed run writes its rates and the SystemC floor measured in the
// same invocation under fixed keys, through the checked-output path; the read table bounds the
// link the user set. Rates depend on the machine, so only their presence and sign are asserted
// (no timed assertions).
#define BOOST_TEST_MODULE bench
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using cli_test::contains;
using cli_test::work_dir;
constexpr int command_timeout_s = 300;
constexpr int exit_usage = 2;

struct scratch : cli_test::remove_work_dir {
    scratch() { cli_test::work_dir_stem() = "epsim_bench"; }
};
BOOST_GLOBAL_FIXTURE(scratch);

cli_test::cmd_result epsim(const std::string& args) {
    return cli_test::shell(std::string(EPSIM_PATH) + " " + args, command_timeout_s);
}

// A short run: 1 MiB each way (256 MPS => 4096 MWr + read TLPs) and 20 000 floor transactions.
const std::string short_bench = "bench --bytes 1048576 --floor-transactions 20000";

} // namespace

BOOST_AUTO_TEST_CASE(report_has_the_fixed_keys_with_positive_rates) {
    const auto file = work_dir() / "bench.json";
    const auto r = epsim(short_bench + " --report " + file.string());
    BOOST_TEST_INFO(r.out);
    BOOST_REQUIRE_EQUAL(r.status, 0);
    BOOST_CHECK(contains(r.out, "one wait() per transaction"));
    BOOST_CHECK(contains(r.out, "tlm_quantumkeeper"));
    BOOST_CHECK(contains(r.out, "platform / wait-per-transaction floor"));
    const nlohmann::json j = cli_test::read_json(file);
    BOOST_REQUIRE(j.is_object());
    for (const char* key :
         {"tlps_per_s", "floor_wait_per_txn_per_s", "floor_quantum_per_s", "ratio_to_floor"}) {
        BOOST_TEST_INFO(key);
        BOOST_REQUIRE(j.contains(key));
        BOOST_CHECK(j.at(key).is_number());
        BOOST_CHECK_GT(j.at(key).get<double>(), 0.0);
    }
    // The ratio is the quotient of the two rates it names.
    BOOST_CHECK_CLOSE(
        j.at("ratio_to_floor").get<double>(),
        j.at("tlps_per_s").get<double>() / j.at("floor_wait_per_txn_per_s").get<double>(), 1e-6);
    // Fresh memory the run wrote: 1 MiB into host memory (the eDMA write) and 1 MiB into DRAM
    // (the read), each into pages not written before, plus a few pages of the firmware's own
    // (rings, flags), in whole 4 KiB pages; and the time to write as much fresh memory alone.
    BOOST_CHECK(contains(r.out, "fresh memory the run wrote"));
    const auto touched = j.at("first_touch_bytes").get<std::uint64_t>();
    BOOST_CHECK_EQUAL(touched % 4096, 0u);
    BOOST_CHECK_GE(touched, 2u * 1048576);
    BOOST_CHECK_LT(touched, 3u * 1048576);
    BOOST_CHECK_GT(j.at("first_touch_s").get<double>(), 0.0);
}

BOOST_AUTO_TEST_CASE(floor_only_prints_both_floors) {
    const auto r = epsim("bench --floor-only --floor-transactions 20000");
    BOOST_TEST_INFO(r.out);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(contains(r.out, "floor_wait_per_txn_per_s "));
    BOOST_CHECK(contains(r.out, "floor_quantum_per_s "));
}

BOOST_AUTO_TEST_CASE(unwritable_report_is_one_line_before_any_work) {
    const auto r = epsim(short_bench + " --report /nonexistent-dir/bench.json");
    BOOST_TEST_INFO(r.out);
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "--report /nonexistent-dir/bench.json: cannot write"));
    BOOST_CHECK(!contains(r.out, "SystemC floor")); // refused before the run
}

BOOST_AUTO_TEST_CASE(zero_floor_transactions_is_refused_naming_the_option) {
    const auto r = epsim("bench --floor-only --floor-transactions 0");
    BOOST_TEST_INFO(r.out);
    BOOST_CHECK_EQUAL(r.status, exit_usage);
    BOOST_CHECK(contains(r.out, "--floor-transactions"));
    BOOST_CHECK(!contains(r.out, "floor_wait_per_txn_per_s"));
}

// One mode at a time, and --report only with rates to write: a mode another one overrode, or a
// report a mode never writes, was silently dropped (exit 0, no file).
BOOST_AUTO_TEST_CASE(modes_that_cannot_go_together_are_refused) {
    for (const std::string args :
         {"bench --dram --report r.json", "bench --floor-only --report r.json",
          "bench --link-table --report r.json", "bench --dram --rtl-iatu",
          "bench --floor-only --read-table"}) {
        const auto r = epsim(args);
        BOOST_CHECK_MESSAGE(r.status == exit_usage, args << ": exit " << r.status);
        BOOST_CHECK_MESSAGE(contains(r.out, "epsim: error: ") && contains(r.out, "excludes"),
                            args << ": " << r.out);
    }
}

// The read table compares each run with the bound of the link it ran on: --set reaches the
// bound as it reaches the runs (the bound once came from the defaults, Gen3 x4, whatever the
// runs used, and a Gen4 x8 table was off by up to 300 %). Exit 0: every row within 5 % of it.
BOOST_AUTO_TEST_CASE(read_table_bounds_the_link_the_user_set) {
    const auto r = epsim("bench --read-table --set link.gen=4 --set link.width=8");
    BOOST_TEST_INFO(r.out);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(contains(r.out, "16 MiB eDMA read, dram.ideal=true, Gen4 x8 MPS 256 MRRS 512"));
}

// Unit tests of the DRAM timing (model/soc/dram_timing): every expected time is worked out by
// hand from the LPDDR5 defaults of dram_params (front end 60 ns, tRCD 18, tRP 18, CL 21.25,
// tRAS 42, 12.8 bytes/ns per channel, 256-byte interleave over 2 channels, 16 banks of 2 KiB
// rows, tRFC 210 every tREFI 3900).
#define BOOST_TEST_MODULE dram
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "soc/dram_timing.h"

using epvp::soc::dram_params;
using epvp::soc::dram_timing;

namespace {
constexpr double eps = 1e-9;
}

BOOST_AUTO_TEST_CASE(row_miss_hit_and_conflict_latencies) {
    dram_timing d{dram_params{}};
    double q = -1;
    // Closed bank: 60 + tRCD 18 + CL 21.25 + 64 B / 12.8 = 104.25 ns.
    BOOST_TEST(d.access(0, 64, 1000, &q) - 1000 == 104.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 0.0);
    // Same row later: 60 + 21.25 + 5 = 86.25 ns.
    BOOST_TEST(d.access(0, 64, 2000, &q) - 2000 == 86.25, boost::test_tools::tolerance(eps));
    // Same bank (channel 0, local offset 16 rows x 2 KiB), other row: + tRP + tRCD = 122.25 ns.
    BOOST_TEST(d.access(65536, 64, 3000, &q) - 3000 == 122.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 0.0);
    BOOST_TEST(d.counters().row_misses == 1u);
    BOOST_TEST(d.counters().row_hits == 1u);
    BOOST_TEST(d.counters().row_conflicts == 1u);
}

BOOST_AUTO_TEST_CASE(a_second_access_queues_behind_the_first) {
    dram_timing d{dram_params{}};
    double qa = -1, qb = -1;
    d.access(0, 64, 1000, &qa); // bank busy until its CAS + burst: 1078 + 5 = 1083
    // Same row, same time: waits for the bank (1083 - 1060 = 23 ns), then its burst follows the
    // first one's on the data bus without a gap: done at 1104.25 + 5.
    const double done = d.access(64, 64, 1000, &qb);
    BOOST_TEST(qa == 0.0);
    BOOST_TEST(qb == 23.0, boost::test_tools::tolerance(eps));
    BOOST_TEST(done == 1109.25, boost::test_tools::tolerance(eps));
    // The other channel (bytes 256..511) is independent: no wait.
    double qc = -1;
    d.access(256, 64, 1000, &qc);
    BOOST_TEST(qc == 0.0);
}

BOOST_AUTO_TEST_CASE(refresh_blocks_the_channel) {
    dram_timing d{dram_params{}};
    double q = -1;
    // Ready at the front end's output 5 ns into the second refresh window [7800, 8010): waits
    // 205 ns, then a row miss.
    const double done = d.access(0, 64, 7745, &q);
    BOOST_TEST(q == 205.0, boost::test_tools::tolerance(eps));
    BOOST_TEST(done == 8010 + 18 + 21.25 + 5, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.counters().refresh_stalls == 1u);
    BOOST_TEST(d.counters().refresh_stall_ns == 205.0, boost::test_tools::tolerance(eps));
}

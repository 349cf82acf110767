// Tests of the SoC interconnect (model/soc/interconnect): address decode of half-open ranges to
// output ports with the offset into the range, decode errors (an unmapped address, an access
// straddling a range's end) answered TLM_ADDRESS_ERROR_RESPONSE without reaching a slave, and
// the time an access takes: the caller's delay plus the slave's, the interconnect adding none; a
// range mapped inside another (map_inside) takes its addresses over; a burst-mode page write
// (access_pieces) reaches a range that takes pieces as one access and any other as one write per
// piece, each at its own start.
// Expected values are the maps written here and hand arithmetic.
#define BOOST_TEST_MODULE interconnect
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/core/log.h"
#include "model/soc/access_pieces.h"
#include "model/soc/interconnect.h"
#include "model/soc/soc_attr.h"
#include "testbench/tests/tlm_test_util.h"

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

using namespace epvp;
using namespace epvp::soc;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// A slave that records the addresses it sees and adds a fixed latency.
struct slave : sc_core::sc_module {
    tlm_utils::simple_target_socket<slave> in{"in"};
    sc_time latency;
    std::vector<std::uint64_t> seen; // addresses of b_transport calls
    std::vector<unsigned> seen_len;  // and their lengths
    std::vector<sc_time> seen_at;    // and their starts (absolute)
    std::vector<std::uint64_t> seen_dbg;
    slave(sc_core::sc_module_name n, sc_time lat)
        : sc_module(n)
        , latency(lat) {
        in.register_b_transport(this, &slave::b_transport);
        in.register_transport_dbg(this, &slave::dbg);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
        seen.push_back(gp.get_address());
        seen_len.push_back(gp.get_data_length());
        seen_at.push_back(sc_core::sc_time_stamp() + delay);
        delay += latency;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    unsigned dbg(tlm::tlm_generic_payload& gp) {
        seen_dbg.push_back(gp.get_address());
        return gp.get_data_length();
    }
};

struct initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<initiator> out{"out"};
    explicit initiator(sc_core::sc_module_name n)
        : sc_module(n) {}
};

// The map under test: a 4 KiB range at 0x1000 on port 0 and a 256-byte one at 0x8000'0000 on
// port 1, with a hole between them; a 256-byte range at 0x1800 inside the low one on port 2; a
// 4 KiB range at 0x9000'0000 on port 3 that takes pieces.
constexpr std::uint64_t low_base = 0x1000, low_size = 0x1000;
constexpr std::uint64_t inner_base = 0x1800, inner_size = 0x100;
constexpr std::uint64_t high_base = 0x8000'0000, high_size = 0x100;
constexpr std::uint64_t whole_base = 0x9000'0000, whole_size = 0x1000;
const sc_time low_latency(13, SC_NS), high_latency(40, SC_NS);

struct bench {
    std::ostringstream log_sink;
    initiator cpu{"cpu"};
    interconnect ic{"ic"};
    slave low{"low", low_latency}, high{"high", high_latency}, inner{"inner", low_latency},
        whole{"whole", low_latency};
    bench() {
        logger::get().set_stream(&log_sink); // decode errors are logged as guest errors
        cpu.out.bind(ic.in);
        ic.out.bind(low.in);   // port 0
        ic.out.bind(high.in);  // port 1
        ic.out.bind(inner.in); // port 2
        ic.out.bind(whole.in); // port 3
        ic.map(low_base, low_size, 0, "low");
        ic.map(high_base, high_size, 1, "high");
        ic.map_inside(inner_base, inner_size, 2, "inner");
        ic.map(whole_base, whole_size, 3, "whole", true);
        sc_core::sc_start(sc_core::SC_ZERO_TIME); // end of elaboration: the sockets are bound
    }
    ~bench() { logger::get().set_stream(nullptr); }

    // One access of len bytes at addr; returns the response, the delay in `delay`.
    tlm::tlm_response_status access(std::uint64_t addr, unsigned len, sc_time& delay) {
        std::vector<unsigned char> data(len);
        soc_attr attr;
        attr.initiator = master::ep_cpu;
        tlm::tlm_generic_payload gp;
        tlm_test::set_access(gp, false, addr, data.data(), len);
        gp.set_extension(&attr);
        cpu.out->b_transport(gp, delay);
        gp.clear_extension(&attr);
        BOOST_TEST(gp.get_address() == addr); // the initiator gets its own address back
        return gp.get_response_status();
    }
};

bench& the_bench() {
    static bench b;
    return b;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_mapped_address_reaches_its_port_as_the_offset_into_the_range) {
    bench& b = the_bench();
    const std::size_t low_before = b.low.seen.size(), high_before = b.high.seen.size();
    sc_time d;
    BOOST_TEST(b.access(0x1010, 4, d) == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(b.access(0x1FFC, 4, d) == tlm::TLM_OK_RESPONSE); // the range's last word
    BOOST_TEST(b.access(0x8000'00F0, 16, d) == tlm::TLM_OK_RESPONSE);
    BOOST_REQUIRE(b.low.seen.size() == low_before + 2);
    BOOST_TEST(b.low.seen[low_before] == 0x10u);      // 0x1010 - 0x1000
    BOOST_TEST(b.low.seen[low_before + 1] == 0xFFCu); // 0x1FFC - 0x1000
    BOOST_REQUIRE(b.high.seen.size() == high_before + 1);
    BOOST_TEST(b.high.seen[high_before] == 0xF0u); // 0x8000'00F0 - 0x8000'0000
}

BOOST_AUTO_TEST_CASE(an_unmapped_or_straddling_access_is_a_decode_error_that_reaches_no_slave) {
    bench& b = the_bench();
    const std::size_t low_before = b.low.seen.size(), high_before = b.high.seen.size();
    const std::uint64_t errors_before = b.ic.decode_errors();
    sc_time d(5, SC_NS);
    BOOST_TEST(b.access(0x3000, 4, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE); // the hole
    BOOST_TEST(b.access(0x0FFC, 4, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE); // below the map
    BOOST_TEST(b.access(0x1FFE, 4, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE); // 2 bytes past 0x2000
    BOOST_TEST(b.access(0x8000'0100, 1, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE); // the end is open
    BOOST_TEST(b.ic.decode_errors() == errors_before + 4);
    BOOST_TEST(b.low.seen.size() == low_before);
    BOOST_TEST(b.high.seen.size() == high_before);
    BOOST_TEST(d == sc_time(5, SC_NS)); // an error response takes no time of its own
}

BOOST_AUTO_TEST_CASE(an_access_takes_the_callers_delay_plus_the_slaves_latency) {
    bench& b = the_bench();
    // The interconnect adds no hop latency: 7 ns already annotated + 13 ns of the low slave =
    // 20 ns; + 40 ns of the high slave on top = 60 ns.
    sc_time d(7, SC_NS);
    BOOST_TEST(b.access(0x1000, 4, d) == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(d == sc_time(20, SC_NS));
    BOOST_TEST(b.access(0x8000'0000, 4, d) == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(d == sc_time(60, SC_NS));
}

BOOST_AUTO_TEST_CASE(debug_accesses_decode_the_same_way) {
    bench& b = the_bench();
    unsigned char buf[8] = {};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(buf);
    gp.set_data_length(sizeof buf);
    gp.set_address(0x1100);
    BOOST_TEST(b.cpu.out->transport_dbg(gp) == sizeof buf);
    BOOST_REQUIRE(!b.low.seen_dbg.empty());
    BOOST_TEST(b.low.seen_dbg.back() == 0x100u);
    BOOST_TEST(gp.get_address() == 0x1100u);
    gp.set_address(0x3000); // unmapped: nothing transferred
    BOOST_TEST(b.cpu.out->transport_dbg(gp) == 0u);
}

BOOST_AUTO_TEST_CASE(an_overlapping_range_is_refused) {
    bench& b = the_bench();
    // [0x1800, 0x2800) overlaps [0x1000, 0x2000); [0x2000, 0x3000) only touches it.
    BOOST_CHECK_THROW(b.ic.map(0x1800, 0x1000, 0, "overlap"), std::logic_error);
    BOOST_CHECK_NO_THROW(b.ic.map(0x2000, 0x1000, 0, "adjacent"));
    sc_time d;
    BOOST_TEST(b.access(0x2000, 4, d) == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(b.low.seen.back() == 0x0u); // the offset into the new range
}

// Boost.Test provides main(); libsystemc still wants the symbol.
int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(a_range_mapped_inside_another_takes_its_addresses_over) {
    bench& b = the_bench();
    const std::size_t low_before = b.low.seen.size(), inner_before = b.inner.seen.size();
    sc_time d;
    BOOST_TEST(b.access(0x1810, 4, d) == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(b.access(0x1900, 4, d) == tlm::TLM_OK_RESPONSE); // just past the inner range
    BOOST_TEST(b.access(0x17FC, 4, d) == tlm::TLM_OK_RESPONSE); // just before it
    // Straddling the inner range's start or end: decode errors that reach no slave.
    BOOST_TEST(b.access(0x17FC, 8, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(b.access(0x18FC, 8, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_REQUIRE(b.inner.seen.size() == inner_before + 1);
    BOOST_TEST(b.inner.seen[inner_before] == 0x10u); // 0x1810 - 0x1800
    BOOST_REQUIRE(b.low.seen.size() == low_before + 2);
    BOOST_TEST(b.low.seen[low_before] == 0x900u);     // 0x1900 - 0x1000
    BOOST_TEST(b.low.seen[low_before + 1] == 0x7FCu); // 0x17FC - 0x1000
    // Not wholly inside one range, in the hole, or over the inner range: refused.
    BOOST_CHECK_THROW(b.ic.map_inside(0x1FF0, 0x20, 0, "past low"), std::logic_error);
    BOOST_CHECK_THROW(b.ic.map_inside(0x3000, 0x10, 0, "in the hole"), std::logic_error);
    BOOST_CHECK_THROW(b.ic.map_inside(0x18F0, 0x20, 0, "over inner"), std::logic_error);
}

// Three 64-byte pieces starting at 10, 20 and 30 ns (absolute; the simulation is at 0).
BOOST_AUTO_TEST_CASE(a_page_write_goes_whole_only_to_a_range_that_takes_pieces) {
    bench& b = the_bench();
    BOOST_REQUIRE(sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME);
    const auto page_write = [&](std::uint64_t addr, access_pieces& pieces) {
        std::vector<unsigned char> data(3 * 64);
        pieces.pieces.clear();
        for (unsigned k = 0; k < 3; ++k) {
            access_pieces::piece p;
            p.bytes = 64;
            p.start = sc_time(10 * (k + 1), SC_NS);
            pieces.pieces.push_back(p);
        }
        tlm::tlm_generic_payload gp;
        tlm_test::set_access(gp, true, addr, data.data(), 3 * 64);
        gp.set_extension(&pieces);
        sc_time d(10, SC_NS);
        b.cpu.out->b_transport(gp, d);
        gp.clear_extension(&pieces);
        BOOST_TEST(gp.get_response_status() == tlm::TLM_OK_RESPONSE);
        return d;
    };
    // The RTL-like range inside "low": one write per piece at offsets 0, 0x40, 0x80, each at
    // its own start; done = start + 13 ns: 23, 33, 43 ns; the delay is the latest, 43 ns.
    access_pieces pieces;
    const std::size_t before = b.inner.seen.size();
    BOOST_TEST(page_write(inner_base, pieces) == sc_time(43, SC_NS));
    BOOST_REQUIRE(b.inner.seen.size() == before + 3);
    for (unsigned k = 0; k < 3; ++k) {
        BOOST_TEST(b.inner.seen[before + k] == 0x40u * k);
        BOOST_TEST(b.inner.seen_len[before + k] == 64u);
        BOOST_TEST(b.inner.seen_at[before + k] == sc_time(10 * (k + 1), SC_NS));
        BOOST_TEST(pieces.pieces[k].done == sc_time(10 * (k + 1) + 13, SC_NS));
    }
    // The range that takes pieces sees the one access, which it times itself (this slave: the
    // caller's delay + 13 ns).
    const std::size_t whole_before = b.whole.seen.size();
    BOOST_TEST(page_write(whole_base + 0x100, pieces) == sc_time(23, SC_NS));
    BOOST_REQUIRE(b.whole.seen.size() == whole_before + 1);
    BOOST_TEST(b.whole.seen_len[whole_before] == 3u * 64);
    // A page write that does not decode as a whole (its last piece past "high"'s end): the
    // pieces that decode are written, the first that does not is a decode error.
    const std::size_t high_before = b.high.seen.size();
    std::vector<unsigned char> data(3 * 64);
    pieces.pieces.assign(3, access_pieces::piece{64, sc_time(10, SC_NS), {}});
    tlm::tlm_generic_payload gp;
    tlm_test::set_access(gp, true, high_base + 0x80, data.data(), 3 * 64);
    gp.set_extension(&pieces);
    sc_time d(10, SC_NS);
    b.cpu.out->b_transport(gp, d);
    gp.clear_extension(&pieces);
    BOOST_TEST(gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(pieces.failed_piece == 2u); // 0x80 + 2 * 64 = 0x100: the range's (open) end
    BOOST_TEST(b.high.seen.size() == high_before + 2);
}

// The iATU as a stage on the data path (model/dwc/iatu_unit.h), alone: the TLM iATU between a
// test initiator and a test target, programmed through its register port. Each request sent in
// must reach the target with the translated address and the lookup result (iatu_xlat,
// pcie_tlp::bar/function), with the delay passed through as the b_transport argument, and the
// target's response must come back to the initiator. Register offsets are the unrolled layout as
// Linux drivers/pci/controller/dwc/pcie-designware.h defines it (PCIE_ATU_UNROLL_BASE: index << 9,
// inbound at bit 8; PCIE_ATU_REGION_CTRL1/CTRL2, LOWER_BASE ... UPPER_TARGET at 0x00 ... 0x18;
// PCIE_ATU_FUNC_NUM at CTRL1 [24:20], PCIE_ATU_ENABLE bit 31, PCIE_ATU_BAR_MODE_ENABLE bit 30,
// PCIE_ATU_FUNC_NUM_MATCH_EN bit 19, the BAR number at CTRL2 [10:8]); expected values by hand.
#define BOOST_TEST_MODULE iatu_stage
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/dwc/iatu_unit.h"
#include "model/pcie/tlp.h"
#include "testbench/tests/tlm_test_util.h"

#include <cstdint>
#include <cstring>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

using namespace epvp;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

constexpr std::uint32_t CTRL1 = 0x00, CTRL2 = 0x04, LOWER_BASE = 0x08, UPPER_BASE = 0x0C,
                        LIMIT = 0x10, LOWER_TARGET = 0x14, UPPER_TARGET = 0x18;
constexpr std::uint32_t ENABLE = 1u << 31, BAR_MODE = 1u << 30, FUNC_NUM_MATCH = 1u << 19;
constexpr std::uint32_t func_num(unsigned f) {
    return f << 20;
}
constexpr std::uint32_t bar_num(unsigned b) {
    return b << 8;
}
constexpr std::uint32_t ob(unsigned i, std::uint32_t reg) {
    return (i << 9) + reg;
}
constexpr std::uint32_t ib(unsigned i, std::uint32_t reg) {
    return (i << 9) + 0x100 + reg;
}

// What the target saw of the last request.
struct seen {
    std::uint64_t addr = 0;
    int bar = 0;
    unsigned function = 0;
    bool hit = false;
    unsigned index = 0;
    std::uint64_t in_addr = 0;
    sc_time delay;
};

struct test_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<test_target> ob_sock, ib_sock;
    seen last;
    tlm::tlm_response_status answer = tlm::TLM_OK_RESPONSE;
    sc_time own_delay = sc_time(10, SC_NS);
    explicit test_target(sc_core::sc_module_name n)
        : sc_module(n)
        , ob_sock("ob_sock")
        , ib_sock("ib_sock") {
        ob_sock.register_b_transport(this, &test_target::b_transport);
        ib_sock.register_b_transport(this, &test_target::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
        const auto* x = gp.get_extension<dwc::iatu_xlat>();
        const auto* t = gp.get_extension<pcie::pcie_tlp>();
        BOOST_REQUIRE(x);
        BOOST_REQUIRE(t);
        last = seen{gp.get_address(), t->bar,     t->function, x->hit.hit,
                    x->hit.index,     x->in_addr, delay};
        if (gp.is_read()) std::memset(gp.get_data_ptr(), 0xAB, gp.get_data_length());
        delay += own_delay;
        gp.set_response_status(answer);
    }
};

struct test_initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<test_initiator> ob_sock, ib_sock;
    explicit test_initiator(sc_core::sc_module_name n)
        : sc_module(n)
        , ob_sock("ob_sock")
        , ib_sock("ib_sock") {}
};

dwc::iatu_params params() {
    dwc::iatu_params p;
    p.outbound_windows = 4;
    p.inbound_windows = 4;
    p.region_align = 4096;
    p.region_limit = 1ull << 40;
    p.unrolled = true;
    p.has_upper_limit = true;
    return p;
}

struct bench {
    dwc::iatu model{params()};
    dwc::tlm_iatu_unit stage{"stage", model};
    test_initiator init{"init"};
    test_target target{"target"};
    bench() {
        init.ob_sock.bind(stage.ob_in);
        init.ib_sock.bind(stage.ib_in);
        stage.ob_out.bind(target.ob_sock);
        stage.ib_out.bind(target.ib_sock);
        sc_time d;
        auto w = [&](std::uint32_t off, std::uint32_t v) { stage.write_reg(off, v, d); };
        // Outbound region 1: [0x1000_0000, 0x1000_FFFF] -> 0x2_0000_0000, MEM, function 3.
        w(ob(1, LOWER_BASE), 0x10000000);
        w(ob(1, UPPER_BASE), 0);
        w(ob(1, LIMIT), 0x1000FFFF);
        w(ob(1, LOWER_TARGET), 0);
        w(ob(1, UPPER_TARGET), 0x2);
        w(ob(1, CTRL1), func_num(3));
        w(ob(1, CTRL2), ENABLE);
        // Inbound region 2: BAR-match on BAR 4 of function 2 -> 0x8000_0000, MEM.
        w(ib(2, LOWER_TARGET), 0x80000000);
        w(ib(2, UPPER_TARGET), 0);
        w(ib(2, CTRL1), func_num(2));
        w(ib(2, CTRL2), ENABLE | BAR_MODE | FUNC_NUM_MATCH | bar_num(4));
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
    // One request through the stage; returns its response status, delay in and out.
    tlm::tlm_response_status send(bool inbound, std::uint64_t addr, unsigned char* data,
                                  unsigned len, sc_time& delay, int bar = -1, unsigned function = 0,
                                  std::uint64_t bar_offset = 0) {
        tlm::tlm_generic_payload gp;
        tlm_test::set_access(gp, false, addr, data, len);
        pcie::pcie_tlp t;
        dwc::iatu_xlat x;
        if (inbound) {
            t.bar = bar;
            t.function = function;
            x.bar_offset = bar_offset;
            x.bar_size_log2 = 20;
            gp.set_extension(&t);
            gp.set_extension(&x);
        }
        (inbound ? init.ib_sock : init.ob_sock)->b_transport(gp, delay);
        if (inbound) {
            gp.clear_extension(&t);
            gp.clear_extension(&x);
        }
        BOOST_TEST(gp.get_address() == addr); // the sender's address comes back unchanged
        return gp.get_response_status();
    }
};

bench& the_bench() {
    static bench b;
    return b;
}

} // namespace

BOOST_AUTO_TEST_CASE(outbound_hit_translates_and_names_the_region_function) {
    bench& b = the_bench();
    unsigned char data[8] = {};
    sc_time delay(5, SC_NS);
    BOOST_TEST(b.send(false, 0x10000234, data, sizeof data, delay) == tlm::TLM_OK_RESPONSE);
    // 0x2_0000_0000 + (0x1000_0234 - 0x1000_0000)
    BOOST_TEST(b.target.last.addr == 0x200000234ull);
    BOOST_TEST(b.target.last.hit);
    BOOST_TEST(b.target.last.index == 1u);
    BOOST_TEST(b.target.last.in_addr == 0x10000234ull);
    BOOST_TEST(b.target.last.bar == -1);                  // outbound: no BAR
    BOOST_TEST(b.target.last.function == 3u);             // CTRL1.FUNC_NUM of region 1
    BOOST_TEST(b.target.last.delay == sc_time(5, SC_NS)); // the stage adds no time
    BOOST_TEST(delay == sc_time(15, SC_NS));              // 5 in + 10 at the target
    BOOST_TEST(data[0] == 0xAB);
    BOOST_TEST(data[7] == 0xAB);
}

BOOST_AUTO_TEST_CASE(outbound_miss_is_forwarded_untranslated) {
    bench& b = the_bench();
    unsigned char data[4] = {};
    sc_time delay;
    b.send(false, 0x10010000, data, sizeof data, delay); // one past region 1's limit
    BOOST_TEST(b.target.last.addr == 0x10010000ull);
    BOOST_TEST(!b.target.last.hit);
    BOOST_TEST(b.target.last.bar == -1);
    BOOST_TEST(b.target.last.function == 0u);
}

BOOST_AUTO_TEST_CASE(inbound_bar_match_translates_and_sets_bar_and_function) {
    bench& b = the_bench();
    unsigned char data[4] = {};
    sc_time delay;
    BOOST_TEST(b.send(true, 0xF0000040, data, sizeof data, delay, 4, 2, 0x40) ==
               tlm::TLM_OK_RESPONSE);
    BOOST_TEST(b.target.last.addr == 0x80000040ull); // target + BAR offset 0x40
    BOOST_TEST(b.target.last.hit);
    BOOST_TEST(b.target.last.index == 2u);
    BOOST_TEST(b.target.last.in_addr == 0xF0000040ull);
    BOOST_TEST(b.target.last.bar == 4);
    BOOST_TEST(b.target.last.function == 2u);
}

BOOST_AUTO_TEST_CASE(inbound_other_function_or_bar_misses) {
    bench& b = the_bench();
    unsigned char data[4] = {};
    sc_time delay;
    b.send(true, 0xF0000040, data, sizeof data, delay, 4, 1, 0x40); // function 1: no match
    BOOST_TEST(!b.target.last.hit);
    BOOST_TEST(b.target.last.addr == 0xF0000040ull);
    BOOST_TEST(b.target.last.bar == -1); // no region matched
    BOOST_TEST(b.target.last.function == 1u);
    b.send(true, 0xF0000040, data, sizeof data, delay, 2, 2, 0x40); // BAR 2: no match
    BOOST_TEST(!b.target.last.hit);
    BOOST_TEST(b.target.last.bar == -1);
}

BOOST_AUTO_TEST_CASE(target_response_returns_to_the_initiator) {
    bench& b = the_bench();
    unsigned char data[4] = {};
    sc_time delay;
    b.target.answer = tlm::TLM_ADDRESS_ERROR_RESPONSE;
    BOOST_TEST(b.send(true, 0xF0000000, data, sizeof data, delay, 4, 2, 0) ==
               tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(b.target.last.addr == 0x80000000ull);
    b.target.answer = tlm::TLM_OK_RESPONSE;
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

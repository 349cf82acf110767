// The RTL iATU as the controller's iATU stage (rtl_iatu_unit.h), in lockstep with the TLM model:
// the inclusive region limit the controller checks outbound accesses against. It is the limit the
// RTL holds, read back through APB once after the block's registers change and then kept: each
// later check costs no APB transfer and no island cycle (in the hardware the limit is a wire of
// the region table, not a register-bus read per access). Register offsets and bits are the
// unrolled layout as Linux drivers/pci/controller/dwc/pcie-designware.h defines it
// (PCIE_ATU_UNROLL_BASE: index << 9, inbound at bit 8; PCIE_ATU_LIMIT 0x10, PCIE_ATU_UPPER_LIMIT
// 0x20, PCIE_ATU_INCREASE_REGION_SIZE CTRL1 bit 13, PCIE_ATU_ENABLE CTRL2 bit 31); expected limits
// by hand.
#define BOOST_TEST_MODULE rtl_iatu_unit
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "rtl-bridge/rtl_iatu_unit.h"

#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

using namespace epvp;
using namespace epvp::rtl;

namespace {

constexpr std::uint32_t CTRL1 = 0x00, CTRL2 = 0x04, LOWER_BASE = 0x08, UPPER_BASE = 0x0C,
                        LIMIT = 0x10, LOWER_TARGET = 0x14, UPPER_TARGET = 0x18, UPPER_LIMIT = 0x20;
constexpr std::uint32_t REGION_STRIDE = 0x200, INBOUND = 0x100;
constexpr std::uint32_t INCREASE_REGION_SIZE = 1u << 13, ENABLE = 1u << 31;

// Ends of the stage's data path: the forwarded requests' targets answer OK at once, or as a
// case sets them.
struct ends : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<ends> ob_init, ib_init;
    tlm_utils::simple_target_socket<ends> ob_target, ib_target;
    explicit ends(sc_core::sc_module_name n)
        : sc_module(n)
        , ob_init("ob_init")
        , ib_init("ib_init")
        , ob_target("ob_target")
        , ib_target("ib_target") {
        ob_target.register_b_transport(this, &ends::answer_ob);
        ib_target.register_b_transport(this, &ends::answer_ib);
    }
    // What a target does besides answering OK (its annotated delay may grow).
    std::function<void(sc_core::sc_time&)> on_ob, on_ib;
    void answer_ob(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        if (on_ob) on_ob(delay);
    }
    void answer_ib(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        if (on_ib) on_ib(delay);
    }
};

rtl_iatu_unit_params params() {
    rtl_iatu_unit_params p;
    p.model.outbound_windows = 8;
    p.model.inbound_windows = 8;
    p.model.region_align = 4096;
    p.model.region_limit = 1ull << 40;
    p.lockstep = true;
    return p;
}

struct bench {
    rtl_iatu_unit unit{"unit", params()};
    ends e{"ends"};
    bench() {
        e.ob_init.bind(unit.ob_in);
        e.ib_init.bind(unit.ib_in);
        unit.ob_out.bind(e.ob_target);
        unit.ib_out.bind(e.ib_target);
    }
};

bench& the_bench() {
    static bench b;
    return b;
}

} // namespace

// SystemC's library wants one; Boost.Test's main runs the cases.
int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(region_limit_is_read_once_per_register_change) {
    bench& b = the_bench();
    bool finished = false;
    sc_core::sc_spawn([&] {
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        auto w = [&](unsigned index, std::uint32_t reg, std::uint32_t v) {
            b.unit.write_reg(index * REGION_STRIDE + reg, v, d);
        };
        auto limit = [&] { return b.unit.region_limit(dwc::iatu_dir::outbound, 2, d); };
        auto cycles_now = [&] { return b.unit.rtl_stats().rtl_cycles; };
        // The limit read through APB: it runs island cycles (a kept one runs none).
        auto read_through_apb = [&](std::uint64_t want) {
            const std::uint64_t before = cycles_now();
            BOOST_TEST(limit() == want);
            BOOST_TEST(cycles_now() > before);
        };
        // Outbound region 2: [0x1000_0000, 0x1000_FFFF].
        w(2, LOWER_BASE, 0x10000000);
        w(2, UPPER_BASE, 0);
        w(2, LIMIT, 0x1000FFFF);
        w(2, CTRL1, 0);
        w(2, CTRL2, ENABLE);
        BOOST_TEST(limit() == 0x1000FFFFull);
        const std::uint64_t cycles = b.unit.rtl_stats().rtl_cycles;
        const sc_core::sc_time at = sc_core::sc_time_stamp() + d;
        // Unchanged registers: the same limit, with no APB transfer (no cycle, no time).
        for (int i = 0; i < 3; ++i)
            BOOST_TEST(limit() == 0x1000FFFFull);
        BOOST_TEST(b.unit.rtl_stats().rtl_cycles == cycles);
        BOOST_TEST(sc_core::sc_time_stamp() + d == at);
        // A new LIMIT is read again: 0x1000_7FFF.
        w(2, LIMIT, 0x10007FFF);
        read_through_apb(0x10007FFFull);
        // INCREASE_REGION_SIZE: the upper word is UPPER_LIMIT (0x1), not UPPER_BASE (0).
        w(2, UPPER_LIMIT, 0x1);
        w(2, CTRL1, INCREASE_REGION_SIZE);
        read_through_apb(0x110007FFFull);
        // A write to another region also makes it read again (any register write does).
        w(5, LIMIT, 0x2000FFFF);
        read_through_apb(0x110007FFFull);
        // Inbound limits are kept apart: inbound region 2 (offset 0x100 in its stride) has its
        // own, [0x4000_0000, 0x4000_3FFF]; outbound region 2's is unchanged.
        w(2, INBOUND + LOWER_BASE, 0x40000000);
        w(2, INBOUND + UPPER_BASE, 0);
        w(2, INBOUND + LIMIT, 0x40003FFF);
        w(2, INBOUND + CTRL1, 0);
        BOOST_TEST(b.unit.region_limit(dwc::iatu_dir::inbound, 2, d) == 0x40003FFFull);
        read_through_apb(0x110007FFFull);
        BOOST_TEST(b.unit.rtl_stats().mismatches == 0u);
        BOOST_TEST(b.unit.rtl_stats().compared >= 4u);
        finished = true;
    });
    sc_core::sc_start();
    BOOST_REQUIRE(finished);
}

// Two requests the RTL forwards in one cycle are carried out by the worker threads
// (cycle_agent::hand_over), each holding the island's clock. The outbound one's controller asks
// for its region limit, unknown after a register write; the APB reads take island cycles, so its
// worker lends its own hold for them, while the inbound worker's hold stays until its request's
// delay has passed: the reads come after it. An earlier build let go of every hold for the reads
// and took as many back after them, so the inbound worker's release, falling during the reads,
// was lost: the clock stayed held and the next request never completed.
BOOST_AUTO_TEST_CASE(a_limit_read_lends_only_its_own_hold) {
    bench& b = the_bench();
    const sc_core::sc_time ib_delay(5, sc_core::SC_NS);
    sc_core::sc_time ib_done, limit_read_at;
    b.e.on_ib = [&](sc_core::sc_time& d) {
        d += ib_delay;
        ib_done = sc_core::sc_time_stamp() + d;
    };
    b.e.on_ob = [&](sc_core::sc_time& d) {
        // A nanosecond's work first: the inbound worker holds the clock by then.
        sc_core::wait(d + sc_core::sc_time(1, sc_core::SC_NS));
        d = sc_core::SC_ZERO_TIME;
        BOOST_TEST(b.unit.region_limit(dwc::iatu_dir::outbound, 2, d) == 0x1000FFFFull);
        limit_read_at = sc_core::sc_time_stamp() + d;
    };
    auto request = [&](tlm_utils::simple_initiator_socket<ends>& s, std::uint64_t addr) {
        unsigned char data[8] = {};
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(data);
        gp.set_data_length(sizeof data);
        gp.set_streaming_width(sizeof data);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        s->b_transport(gp, d);
        return gp.get_response_status();
    };
    int done = 0;
    sc_core::sc_spawn([&] {
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        auto w = [&](unsigned reg, std::uint32_t v) { b.unit.write_reg(reg, v, d); };
        // Outbound region 2: [0x1000_0000, 0x1000_FFFF]; inbound region 0, address match:
        // [0x8000_0000, 0x8000_FFFF] -> 0x2000_0000. The last write leaves every limit unknown.
        w(2 * REGION_STRIDE + LOWER_BASE, 0x10000000);
        w(2 * REGION_STRIDE + UPPER_BASE, 0);
        w(2 * REGION_STRIDE + LIMIT, 0x1000FFFF);
        w(2 * REGION_STRIDE + CTRL1, 0);
        w(2 * REGION_STRIDE + CTRL2, ENABLE);
        w(INBOUND + LOWER_BASE, 0x80000000);
        w(INBOUND + UPPER_BASE, 0);
        w(INBOUND + LIMIT, 0x8000FFFF);
        w(INBOUND + LOWER_TARGET, 0x20000000);
        w(INBOUND + UPPER_TARGET, 0);
        w(INBOUND + CTRL1, 0);
        w(INBOUND + CTRL2, ENABLE);
        sc_core::wait(d);
        // Both requests at one time: they reach the RTL's two ports in the same cycle.
        sc_core::sc_spawn([&] {
            BOOST_TEST(request(b.e.ib_init, 0x80000100) == tlm::TLM_OK_RESPONSE);
            ++done;
        });
        BOOST_TEST(request(b.e.ob_init, 0x10000100) == tlm::TLM_OK_RESPONSE);
        ++done;
        // The clock is free again: a later request completes.
        BOOST_TEST(request(b.e.ob_init, 0x10000200) == tlm::TLM_OK_RESPONSE);
        ++done;
    });
    sc_core::sc_start();
    b.e.on_ib = nullptr;
    b.e.on_ob = nullptr;
    BOOST_TEST(done == 3);
    BOOST_TEST(ib_done != sc_core::SC_ZERO_TIME);
    // The limit's APB reads ran after the inbound request's delay had passed.
    BOOST_TEST(limit_read_at > ib_done);
    BOOST_TEST(b.unit.rtl_stats().mismatches == 0u);
}

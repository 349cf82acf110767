// The AXI protocol checker catches a deliberately broken handshake: the TLM->AXI bridge's
// test-only faults (AWVALID dropped while stalled, AWADDR changed while stalled, WLAST on the
// wrong beat) against the Verilated axi_sram with AWREADY held low; and responses driven by hand
// on plain pins, cycle by cycle, that come too early (in the cycle of the handshake they depend
// on) or out of request order within an ID, next to the legal timing of the same traffic. The
// first tests collect violations through a handler; the last one lets the default handler
// throw, which ends the simulation run with the checker's message (SystemC cannot run again
// after that, so it is last).
#define BOOST_TEST_MODULE rtl_axi_checker
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "rtl-bridge/axi_checker.h"
#include "rtl-bridge/id_table.h"
#include "rtl-bridge/rtl_island.h"
#include "rtl-bridge/rtl_models.h"
#include "rtl-bridge/tests/axi_test_pins.h"
#include "rtl-bridge/tlm2axi_bridge.h"

#include <cstdint>
#include <deque>
#include <string>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

using namespace epvp::rtl;

namespace {

// Holds AWREADY low for the first stall_cycles cycles of every write, so a fault can fire.
struct stall_aw : cycle_agent {
    axi_sram_model* m = nullptr;
    unsigned stall_cycles = 0, left = 0;
    void drive() override { *m->stall = left ? 1 : 0; }
    void sample(std::uint64_t) override {
        if (m->port.awvalid.get() && left) --left;
    }
};

struct harness : sc_core::sc_module {
    rtl_island island;
    axi_sram_model* sram;
    tlm2axi_bridge bridge;
    tlm_utils::simple_initiator_socket<harness> init;
    bool throw_on_violation = false;
    axi_checker checker;
    stall_aw stim;
    explicit harness(sc_core::sc_module_name n)
        : sc_module(n)
        , island("island", sc_core::sc_time(2, sc_core::SC_NS))
        , sram(adopt(make_axi_sram("sram")))
        , bridge("bridge", island, sram->port)
        , init("init")
        , checker(sram->port, [this](const protocol_violation& v) {
            if (throw_on_violation) throw protocol_error(v);
        }) {
        init.bind(bridge.socket);
        stim.m = sram;
        island.add_agent(&checker);
        island.add_agent(&stim);
    }
    axi_sram_model* adopt(std::unique_ptr<axi_sram_model> m) {
        axi_sram_model* raw = m.get();
        island.add_model(std::move(m));
        return raw;
    }
    // The payload and its data belong to the harness, not to the writing thread: the last test
    // ends the run with that thread suspended, and a coroutine stack is not scanned for leaks.
    tlm::tlm_generic_payload gp;
    std::vector<unsigned char> d;
    tlm::tlm_response_status write(std::uint64_t addr, unsigned len) {
        d.assign(len, 0x5A);
        gp.set_command(tlm::TLM_WRITE_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(d.data());
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        init->b_transport(gp, delay);
        return gp.get_response_status();
    }
};

// A checker on plain pins driven by hand: each cycle starts with every VALID low and every
// READY high; the test raises what it wants, then the checker samples.
struct pin_bench {
    test::pin_storage p{"bench"};
    axi_checker c{p.port, [](const protocol_violation&) {}};
    std::uint64_t cycle = 0;
    pin_bench() { idle(); }
    void idle() {
        p.s_awvalid = p.s_wvalid = p.s_bvalid = p.s_arvalid = p.s_rvalid = 0;
        p.s_awready = p.s_wready = p.s_bready = p.s_arready = p.s_rready = 1;
    }
    pin_bench& aw(unsigned id, unsigned beats) {
        p.s_awvalid = 1;
        p.s_awid = static_cast<std::uint8_t>(id);
        p.s_awaddr = 0x1000 * (id + 1);
        p.s_awlen = static_cast<std::uint8_t>(beats - 1);
        p.s_awsize = 3;
        p.s_awburst = 1;
        return *this;
    }
    pin_bench& w(bool last) {
        p.s_wvalid = 1;
        p.s_wstrb = 0xFF;
        p.s_wlast = last;
        return *this;
    }
    pin_bench& b(unsigned id) {
        p.s_bvalid = 1;
        p.s_bid = static_cast<std::uint8_t>(id);
        return *this;
    }
    pin_bench& ar(unsigned id, unsigned beats) {
        p.s_arvalid = 1;
        p.s_arid = static_cast<std::uint8_t>(id);
        p.s_araddr = 0x1000 * (id + 1);
        p.s_arlen = static_cast<std::uint8_t>(beats - 1);
        p.s_arsize = 3;
        p.s_arburst = 1;
        return *this;
    }
    pin_bench& r(unsigned id, bool last) {
        p.s_rvalid = 1;
        p.s_rid = static_cast<std::uint8_t>(id);
        p.s_rlast = last;
        return *this;
    }
    // A read burst of `beats` beats with RID id, one beat per cycle, RLAST on the last.
    void r_burst(unsigned id, unsigned beats) {
        for (unsigned i = 1; i <= beats; ++i)
            r(id, i == beats).step();
    }
    void step() {
        c.sample(cycle++);
        idle();
    }
    // The rules broken so far, in order, separated by spaces.
    std::string rules() const {
        std::string out;
        for (const protocol_violation& v : c.violations()) {
            BOOST_TEST_MESSAGE(v.message());
            out += (out.empty() ? "" : " ") + v.rule;
        }
        return out;
    }
};

harness* h = nullptr;
struct fixture {
    fixture() {
        h = new harness("h");
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

tlm::tlm_response_status write_once(std::uint64_t addr, unsigned len) {
    tlm::tlm_response_status st = tlm::TLM_INCOMPLETE_RESPONSE;
    sc_core::sc_spawn([&] { st = h->write(addr, len); });
    sc_core::sc_start();
    return st;
}

} // namespace

int sc_main(int, char*[]) {
    return 0;
}

// The per-ID state of the checker and the bridges: an ID with nothing outstanding leaves its
// entry to the next new ID, so IDs handed out round robin over a 16-bit ID field keep the list
// as long as the IDs in flight at once; entries with state are never taken.
BOOST_AUTO_TEST_CASE(id_table_reuses_the_entries_of_idle_ids) {
    id_table<unsigned> counts;
    id_table<std::deque<unsigned>> queues;
    for (unsigned id = 0; id < 65536; ++id) {
        ++counts[id];             // one write in flight with this ID
        queues[id].push_back(id); // and one read
        if (id > 0) {             // the previous ID's write and read end
            --counts[id - 1];
            queues[id - 1].pop_front();
        }
    }
    // At most two IDs had state at once.
    BOOST_CHECK_EQUAL(counts.size(), 2u);
    BOOST_CHECK_EQUAL(queues.size(), 2u);
    // The last ID's state is its own, and an ID whose entry was taken reads as never seen.
    BOOST_CHECK_EQUAL(counts[65535], 1u);
    BOOST_REQUIRE_EQUAL(queues[65535].size(), 1u);
    BOOST_CHECK_EQUAL(queues[65535].front(), 65535u);
    BOOST_CHECK(queues.find(7) == nullptr);
    // Three IDs with state at once take three entries; none is handed to another ID.
    ++counts[1];
    ++counts[2];
    BOOST_CHECK_EQUAL(counts.size(), 3u);
    BOOST_CHECK_EQUAL(counts[65535], 1u);
    BOOST_CHECK_EQUAL(counts[1], 1u);
    BOOST_CHECK_EQUAL(counts[2], 1u);
}

BOOST_AUTO_TEST_CASE(clean_traffic_has_no_violations) {
    h->stim.left = 3;
    BOOST_CHECK_EQUAL(write_once(0x100, 32), tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(h->checker.violations().empty());
    BOOST_CHECK_GT(h->checker.handshakes(), 0u);
}

BOOST_AUTO_TEST_CASE(awvalid_dropped_before_awready) {
    h->stim.left = 3;
    h->bridge.faults().drop_awvalid_while_stalled = true;
    BOOST_CHECK_EQUAL(write_once(0x200, 8), tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(h->bridge.faults().fired, 1u);
    BOOST_REQUIRE_EQUAL(h->checker.violations().size(), 1u);
    const protocol_violation& v = h->checker.violations()[0];
    BOOST_CHECK_EQUAL(v.rule, "valid-held");
    BOOST_CHECK_EQUAL(v.channel, "AW");
    BOOST_CHECK_EQUAL(v.port, "sram.s");
    BOOST_CHECK_GT(v.cycle, 0u);
    BOOST_TEST_MESSAGE(v.message());
    BOOST_CHECK(v.message().find("rule valid-held, channel AW, cycle " + std::to_string(v.cycle)) !=
                std::string::npos);
}

BOOST_AUTO_TEST_CASE(awaddr_changed_while_stalled) {
    h->stim.left = 3;
    h->bridge.faults().change_awaddr_while_stalled = true;
    const auto before = h->checker.violations().size();
    write_once(0x300,
               8); // the address the SRAM takes is not the one asked: status not checked
    BOOST_CHECK_EQUAL(h->bridge.faults().fired, 2u);
    BOOST_REQUIRE_GT(h->checker.violations().size(), before);
    const protocol_violation& v = h->checker.violations()[before];
    BOOST_CHECK_EQUAL(v.rule, "payload-stable");
    BOOST_CHECK_EQUAL(v.channel, "AW");
    BOOST_TEST_MESSAGE(v.message());
}

// AXI4 (ARM IHI 0022, section A3.3.1): BVALID after the AW handshake and after the WLAST
// handshake, RVALID after the AR handshake. The legal timing of each case: no violation.
BOOST_AUTO_TEST_CASE(responses_a_cycle_after_their_handshakes_pass) {
    pin_bench t;
    t.aw(1, 2).w(false).step(); // AW and the first beat together
    t.w(true).step();           // WLAST
    t.b(1).step();              // B: the next cycle
    t.w(true).step();           // data before address
    t.aw(2, 1).step();          // AW completes the write
    t.b(2).step();              // B: the next cycle
    t.ar(3, 1).step();
    t.r(3, true).step();
    BOOST_CHECK_EQUAL(t.rules(), "");
    BOOST_CHECK_EQUAL(t.c.handshakes(), 9u);
}

BOOST_AUTO_TEST_CASE(write_response_in_the_wlast_cycle_is_flagged) {
    pin_bench t;
    t.aw(1, 1).step();
    t.w(true).b(1).step();
    BOOST_CHECK_EQUAL(t.rules(), "b-early");
    BOOST_CHECK_EQUAL(t.c.violations().at(0).cycle, 1u);
    BOOST_CHECK_EQUAL(t.c.violations().at(0).channel, "B");
}

BOOST_AUTO_TEST_CASE(write_response_in_the_aw_cycle_after_the_data_is_flagged) {
    pin_bench t;
    t.w(false).step();
    t.w(true).step();
    t.aw(4, 2).b(4).step();
    BOOST_CHECK_EQUAL(t.rules(), "b-early");
    BOOST_CHECK_EQUAL(t.c.violations().at(0).cycle, 2u);
}

// BVALID raised in the WLAST cycle is too early even when BREADY holds it until later.
BOOST_AUTO_TEST_CASE(early_write_response_held_by_bready_is_flagged_once) {
    pin_bench t;
    t.aw(1, 1).step();
    t.w(true).b(1);
    t.p.s_bready = 0;
    t.step();
    t.b(1).step();
    BOOST_CHECK_EQUAL(t.rules(), "b-early");
}

BOOST_AUTO_TEST_CASE(read_data_in_the_ar_cycle_is_flagged) {
    pin_bench t;
    t.ar(2, 1).r(2, true).step();
    BOOST_CHECK_EQUAL(t.rules(), "r-early");
    BOOST_CHECK_EQUAL(t.c.violations().at(0).channel, "R");
}

// A response whose request never came is still b-id / r-id, not *-early.
BOOST_AUTO_TEST_CASE(responses_without_a_request_name_the_id_rule) {
    pin_bench t;
    t.b(7).step();
    t.r(7, true).step();
    BOOST_CHECK_EQUAL(t.rules(), "b-id r-id");
}

// ARM IHI 0022, the AXI ordering model: read data of one ID returns in request order. Reads of
// 4 and then 2 beats with ID 5, answered 2 first: RLAST after 2 beats fits the younger read.
BOOST_AUTO_TEST_CASE(same_id_reads_answered_shorter_first_are_flagged) {
    pin_bench t;
    t.ar(5, 4).step();
    t.ar(5, 2).step();
    t.r_burst(5, 2);
    t.r_burst(5, 4);
    BOOST_CHECK_EQUAL(t.rules(), "r-order");
    BOOST_CHECK_EQUAL(t.c.violations().at(0).cycle,
                      3u); // the RLAST of the 2-beat burst
}

// 2 and then 4 beats, answered 4 first: no RLAST after 2 beats is not yet an error (a younger
// read is longer); RLAST after 4 fits the younger read.
BOOST_AUTO_TEST_CASE(same_id_reads_answered_longer_first_are_flagged) {
    pin_bench t;
    t.ar(5, 2).step();
    t.ar(5, 4).step();
    t.r_burst(5, 4);
    t.r_burst(5, 2);
    BOOST_CHECK_EQUAL(t.rules(), "r-order");
    BOOST_CHECK_EQUAL(t.c.violations().at(0).cycle, 5u);
}

// Different IDs may complete in any order.
BOOST_AUTO_TEST_CASE(reads_of_different_ids_out_of_order_pass) {
    pin_bench t;
    t.ar(1, 2).step();
    t.ar(2, 4).step();
    t.r_burst(2, 4);
    t.r_burst(1, 2);
    BOOST_CHECK_EQUAL(t.rules(), "");
}

// A missing RLAST with no longer read of that ID outstanding is rlast, as before.
BOOST_AUTO_TEST_CASE(missing_rlast_without_a_longer_same_id_read_is_rlast) {
    pin_bench t;
    t.ar(6, 2).step();
    t.ar(6, 2).step();
    t.r(6, false).step();
    t.r(6, false).step();
    BOOST_CHECK_EQUAL(t.rules(), "rlast");
}

// The documented limit: two same-ID reads of equal length swapped look the same on the pins
// (R carries no address), and so do same-ID write responses; neither is flagged.
BOOST_AUTO_TEST_CASE(equal_length_same_id_swaps_are_not_observable) {
    pin_bench t;
    t.ar(3, 2).step();
    t.ar(3, 2).step();
    t.r_burst(3, 2);
    t.r_burst(3, 2);
    t.aw(3, 1).w(true).step();
    t.aw(3, 1).w(true).step();
    t.b(3).step();
    t.b(3).step();
    BOOST_CHECK_EQUAL(t.rules(), "");
}

// AxCACHE/AxPROT/AxQOS are part of the AW/AR payload that must hold while stalled.
BOOST_AUTO_TEST_CASE(awcache_changed_while_stalled_is_flagged) {
    pin_bench t;
    t.aw(1, 1);
    t.p.s_awready = 0;
    t.p.s_awcache = 0x3;
    t.step();
    t.aw(1, 1);
    t.p.s_awcache = 0xF;
    t.step();
    BOOST_CHECK_EQUAL(t.rules(), "payload-stable");
}

// Last: the default behaviour, an exception that ends the run, for WLAST on beat 1 of 4.
BOOST_AUTO_TEST_CASE(early_wlast_ends_the_run_with_the_rule_in_the_message) {
    h->throw_on_violation = true;
    h->bridge.faults().early_wlast = true;
    std::string what;
    try {
        sc_core::sc_spawn([] { h->write(0x400, 32); });
        sc_core::sc_start();
    } catch (const std::exception& e) {
        what = e.what();
    }
    BOOST_TEST_MESSAGE(what);
    BOOST_CHECK(what.find("protocol violation on sram.s: rule wlast, channel W, cycle") !=
                std::string::npos);
    BOOST_CHECK(what.find("WLAST set on beat 1 of a 4-beat burst") != std::string::npos);
    BOOST_REQUIRE(!h->checker.violations().empty());
    BOOST_CHECK_EQUAL(h->checker.violations().back().rule, "wlast");
}

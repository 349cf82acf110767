// The AXI protocol checker catches a deliberately broken handshake: the TLM->AXI bridge's
// test-only faults (AWVALID dropped while stalled, AWADDR changed while stalled, WLAST on the
// wrong beat) against the Verilated axi_sram with AWREADY held low. The first tests collect
// violations through a handler; the last one lets the default handler throw, which ends the
// simulation run with the checker's message (SystemC cannot run again after that, so it is
// last).
#define BOOST_TEST_MODULE rtl_axi_checker
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "axi_checker.h"
#include "rtl_island.h"
#include "rtl_models.h"
#include "tlm2axi_bridge.h"

#include <cstdint>
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
        if (*m->port.awvalid && left) --left;
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
    tlm::tlm_response_status write(std::uint64_t addr, unsigned len) {
        std::vector<unsigned char> d(len, 0x5A);
        tlm::tlm_generic_payload gp;
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
    write_once(0x300, 8); // the address the SRAM takes is not the one asked: status not checked
    BOOST_CHECK_EQUAL(h->bridge.faults().fired, 2u);
    BOOST_REQUIRE_GT(h->checker.violations().size(), before);
    const protocol_violation& v = h->checker.violations()[before];
    BOOST_CHECK_EQUAL(v.rule, "payload-stable");
    BOOST_CHECK_EQUAL(v.channel, "AW");
    BOOST_TEST_MESSAGE(v.message());
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

// Co-simulation tests of the TLM->AXI4 bridge against the Verilated axi_sram (rtl/axi_sram.sv) with
// the AXI protocol checker on the bus: random bursts of every type, size and alignment, write
// strobes from byte enables, SLVERR/DECERR ranges, several initiators with out-of-order responses
// by ID, and random READY backpressure on both sides. Every transaction is checked against a
// reference memory (axi_campaign.h) computed from the AXI burst rules (axi_burst.h) and the error
// ranges the SRAM was built with; statuses are asserted as well as data. Also: the split of plain
// transactions into INCR bursts against a 128-bit reference up to the top of the address space, the
// SRAM moved to the top of it, and AxCACHE/AxPROT/AxQOS/AxREGION through both bridges.
#define BOOST_TEST_MODULE rtl_axi
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "rtl-bridge/axi2tlm_bridge.h"
#include "rtl-bridge/axi_checker.h"
#include "rtl-bridge/rtl_island.h"
#include "rtl-bridge/rtl_models.h"
#include "rtl-bridge/tests/axi_campaign.h"
#include "rtl-bridge/tests/axi_test_pins.h"
#include "rtl-bridge/tlm2axi_bridge.h"

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace epvp::rtl;

namespace {

// Drives the SRAM's test pins: random READY stalls and response reordering.
struct sram_stimulus : cycle_agent {
    axi_sram_model* m = nullptr;
    unsigned stall_percent = 0;
    bool reorder = false;
    std::mt19937 rng{7};
    void drive() override {
        std::uint8_t s = 0;
        for (unsigned b = 0; b < 3; ++b)
            if (rng() % 100 < stall_percent) s |= std::uint8_t(1u << b);
        *m->stall = s;
        *m->reorder = reorder;
    }
    void sample(std::uint64_t) override {}
};

// Records AxCACHE/AxPROT/AxQOS/AxREGION at every AW and AR handshake of a port (AxREGION 0 on
// a port without it).
struct attr_recorder : cycle_agent {
    const axi_port* p = nullptr;
    std::vector<std::array<unsigned, 4>> aw, ar;
    void drive() override {}
    void sample(std::uint64_t) override {
        auto v = [](const pin& x) { return static_cast<unsigned>(x.get()); };
        if (p->awvalid.get() && p->awready.get())
            aw.push_back({v(p->awcache), v(p->awprot), v(p->awqos), v(p->awregion)});
        if (p->arvalid.get() && p->arready.get())
            ar.push_back({v(p->arcache), v(p->arprot), v(p->arqos), v(p->arregion)});
    }
};

// TLM -> AXI4 bridge -> pins -> AXI4 -> TLM bridge -> a memory here that records the axi_ext
// attributes each transaction arrives with. No RTL: the two bridges face each other. The
// TLM->AXI bridge gets its default attributes at construction.
struct loopback : sc_core::sc_module {
    // Arbitrary legal encodings: modifiable, unprivileged non-secure, QoS 0, region 9.
    static constexpr axi_attrs default_attrs{0x2, 0x1, 0x0, 0x9};
    rtl_island island;
    test::pin_storage pins;
    tlm2axi_bridge to_axi;
    axi2tlm_bridge to_tlm;
    axi_checker checker;
    attr_recorder rec;
    tlm_utils::simple_initiator_socket<loopback> init;
    tlm_utils::simple_target_socket<loopback> target;
    std::vector<unsigned char> mem = std::vector<unsigned char>(4096, 0);
    std::vector<axi_attrs> seen; // per TLM transaction out of to_tlm
    // Per TLM transaction out of to_tlm: when it starts (SystemC time plus annotated delay),
    // and whether the process calling runs the island's cycles (carried out in it).
    struct call {
        sc_core::sc_time start;
        bool clocking = false;
        bool write = false;
    };
    std::vector<call> calls;
    // The target's own time per transaction, and whether it holds the island through it when
    // called from to_tlm's worker thread (as rtl_iatu_unit does).
    sc_core::sc_time target_delay = sc_core::SC_ZERO_TIME;
    bool hold_when_worker = false;
    bool wait_in_target = false; // wait target_delay inside the call instead of annotating it
    unsigned in_target = 0;      // calls under way
    unsigned overlapped = 0;     // calls that began while another was under way
    explicit loopback(sc_core::sc_module_name n)
        : sc_module(n)
        , island("island", sc_core::sc_time(1, sc_core::SC_NS))
        , pins("loop")
        , to_axi("to_axi", island, pins.port, default_attrs)
        , to_tlm("to_tlm", island, pins.port)
        , checker(pins.port)
        , init("init")
        , target("target") {
        init.bind(to_axi.socket);
        to_tlm.socket.bind(target);
        target.register_b_transport(this, &loopback::b_transport);
        rec.p = &pins.port;
        island.add_agent(&checker);
        island.add_agent(&rec);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        const axi_ext* e = gp.get_extension<axi_ext>();
        BOOST_REQUIRE(e && e->has_attrs);
        seen.push_back(e->attrs);
        calls.push_back({sc_core::sc_time_stamp() + delay, island.is_clocking(), gp.is_write()});
        if (in_target++) ++overlapped;
        if (wait_in_target)
            sc_core::wait(target_delay);
        else
            delay += target_delay;
        --in_target;
        if (hold_when_worker && !island.is_clocking()) {
            island.hold();
            sc_core::wait(delay);
            delay = sc_core::SC_ZERO_TIME;
            island.release();
        }
        unsigned char* d = gp.get_data_ptr();
        for (unsigned i = 0; i < gp.get_data_length(); ++i) {
            unsigned char& m = mem.at((gp.get_address() + i) % mem.size());
            if (gp.is_write())
                m = d[i];
            else
                d[i] = m;
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

// Records the process that runs each cycle.
struct process_recorder : cycle_agent {
    std::vector<const sc_core::sc_process_b*> ran;
    void sample(std::uint64_t) override { ran.push_back(sc_core::sc_get_current_process_b()); }
    bool watcher() const override { return true; }
};

struct harness : sc_core::sc_module {
    SC_HAS_PROCESS(harness);
    rtl_island island;
    axi_sram_model* sram;
    tlm2axi_bridge bridge;
    tlm_utils::simple_initiator_socket<harness> init;
    axi_checker checker;
    sram_stimulus stim;
    attr_recorder rec;
    process_recorder procs;
    std::vector<std::function<void()>> jobs;
    sc_core::sc_event go;
    unsigned running = 0;

    explicit harness(sc_core::sc_module_name n)
        : sc_module(n)
        , island("island", sc_core::sc_time(1, sc_core::SC_NS))
        , sram(adopt(make_axi_sram("sram")))
        , bridge("bridge", island, sram->port)
        , init("init")
        , checker(sram->port) {
        init.bind(bridge.socket);
        stim.m = sram;
        rec.p = &sram->port;
        island.add_agent(&checker);
        island.add_agent(&stim);
        island.add_agent(&rec);
        island.add_agent(&procs);
    }
    axi_sram_model* adopt(std::unique_ptr<axi_sram_model> m) {
        axi_sram_model* raw = m.get();
        island.add_model(std::move(m));
        return raw;
    }
    // Run each function in its own thread, concurrently, until all have returned.
    void run(std::vector<std::function<void()>> fs) {
        for (auto& f : fs) {
            ++running;
            sc_core::sc_spawn([this, f] {
                f();
                --running;
            });
        }
        sc_core::sc_start();
        BOOST_REQUIRE_EQUAL(running, 0u);
    }
};

// Two TLM -> AXI -> TLM loopbacks on one island: two forwarding agents that may have work from
// the same cycle. Each target records its calls and waits target_delay inside each.
struct twin_loopback : sc_core::sc_module {
    rtl_island island;
    test::pin_storage pins_a, pins_b;
    tlm2axi_bridge to_axi_a, to_axi_b;
    axi2tlm_bridge to_tlm_a, to_tlm_b;
    tlm_utils::simple_initiator_socket<twin_loopback> init_a, init_b;
    tlm_utils::simple_target_socket_tagged<twin_loopback> target_a, target_b;
    struct call {
        int side = 0;
        sc_core::sc_time start;
        bool clocking = false;
    };
    std::vector<call> calls;
    sc_core::sc_time target_delay = sc_core::SC_ZERO_TIME;
    explicit twin_loopback(sc_core::sc_module_name n)
        : sc_module(n)
        , island("island", sc_core::sc_time(1, sc_core::SC_NS))
        , pins_a("twin_a")
        , pins_b("twin_b")
        , to_axi_a("to_axi_a", island, pins_a.port)
        , to_axi_b("to_axi_b", island, pins_b.port)
        , to_tlm_a("to_tlm_a", island, pins_a.port)
        , to_tlm_b("to_tlm_b", island, pins_b.port)
        , init_a("init_a")
        , init_b("init_b")
        , target_a("target_a")
        , target_b("target_b") {
        init_a.bind(to_axi_a.socket);
        init_b.bind(to_axi_b.socket);
        to_tlm_a.socket.bind(target_a);
        to_tlm_b.socket.bind(target_b);
        target_a.register_b_transport(this, &twin_loopback::b_transport, 0);
        target_b.register_b_transport(this, &twin_loopback::b_transport, 1);
        to_tlm_a.carry_in_clock([](const axi_request&, bool) { return true; });
        to_tlm_b.carry_in_clock([](const axi_request&, bool) { return true; });
    }
    void b_transport(int side, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        calls.push_back({side, sc_core::sc_time_stamp() + delay, island.is_clocking()});
        sc_core::wait(delay + target_delay);
        delay = sc_core::SC_ZERO_TIME;
        if (gp.is_read()) // byte i of side s reads 0x10 * (s + 1) + i
            for (unsigned i = 0; i < gp.get_data_length(); ++i)
                gp.get_data_ptr()[i] = static_cast<unsigned char>(0x10 * (side + 1) + i);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

harness* h = nullptr;
loopback* lb = nullptr;
twin_loopback* tw = nullptr;

struct fixture {
    fixture() {
        h = new harness("h");
        lb = new loopback("lb");
        tw = new twin_loopback("tw");
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

test::sram_reference ref;
using stats = test::campaign_stats;

tlm::tlm_response_status transport(tlm::tlm_command cmd, std::uint64_t addr,
                                   std::vector<unsigned char>& data, std::vector<unsigned char>* be,
                                   axi_ext* ext, unsigned streaming_width = 0,
                                   tlm::tlm_fw_transport_if<>* to = nullptr) {
    return test::transport(to ? *to : *h->init.operator->(), cmd, addr, data, be, ext,
                           streaming_width);
}

void random_burst(std::mt19937& rng, std::uint64_t lo, std::uint64_t hi, stats& st) {
    test::random_burst(*h->init.operator->(), axi_bus_bytes, rng, lo, hi, ref, st);
}

} // namespace

int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(random_bursts_of_every_type_size_and_alignment) {
    stats st;
    h->stim.stall_percent = 20;
    h->bridge.set_ready_stall(20, 11);
    h->run({[&] {
        std::mt19937 rng(1);
        for (unsigned i = 0; i < 3000; ++i)
            random_burst(rng, 0, sram_bytes, st);
    }});
    BOOST_TEST_MESSAGE("bursts FIXED/INCR/WRAP " << st.by_type[0] << "/" << st.by_type[1] << "/"
                                                 << st.by_type[2] << ", errors " << st.errors);
    for (unsigned t = 0; t < 3; ++t)
        BOOST_CHECK_GT(st.by_type[t], 100u);
    for (unsigned s = 0; s < 4; ++s)
        BOOST_CHECK_GT(st.by_size[s], 100u);
    BOOST_CHECK_GT(st.errors, 10u);
    BOOST_CHECK_GT(st.unaligned, 100u);
    BOOST_CHECK_GT(st.strobed, 100u);
    BOOST_CHECK(h->checker.violations().empty());
    BOOST_CHECK_EQUAL(h->bridge.unmatched_responses(), 0u);
}

// Four initiators, each in its own quarter of the memory, with the SRAM reordering queued
// responses by ID: results still match, and some responses did come back out of order.
BOOST_AUTO_TEST_CASE(concurrent_initiators_with_out_of_order_responses) {
    stats st;
    h->stim.stall_percent = 30;
    h->stim.reorder = true;
    h->bridge.set_ready_stall(40, 5);
    const auto before = h->bridge.out_of_order_responses();
    std::vector<std::function<void()>> fs;
    const std::uint64_t quarter = sram_bytes / 4;
    for (unsigned t = 0; t < 4; ++t)
        fs.push_back([&, t] {
            std::mt19937 rng(100 + t);
            for (unsigned i = 0; i < 400; ++i)
                random_burst(rng, t * quarter, (t + 1) * quarter, st);
        });
    h->run(fs);
    h->stim.reorder = false;
    BOOST_TEST_MESSAGE("out-of-order responses: " << h->bridge.out_of_order_responses() - before);
    BOOST_CHECK_GT(h->bridge.out_of_order_responses(), before);
    BOOST_CHECK(h->checker.violations().empty());
    BOOST_CHECK_EQUAL(h->bridge.unmatched_responses(), 0u);
}

// Transactions without an axi_ext: INCR bursts split at 4 KiB, ragged ends, streaming width
// as FIXED bursts, error ranges, and bad requests refused before the pins.
BOOST_AUTO_TEST_CASE(plain_tlm_transactions_map_onto_bursts) {
    h->stim.stall_percent = 10;
    h->run({[&] {
        // 5000 bytes from 0x0FF3: crosses 4 KiB at 0x1000 and 0x2000 is not reached.
        std::vector<unsigned char> w(5000), r(5000, 0);
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = static_cast<unsigned char>(i * 7 + 3);
        const auto bursts = h->bridge.bursts();
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x0FF3, w, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        // 0x0FF3..0x0FFF (1 burst), 0x1000..0x1FFF (2 bursts of 256 beats), the rest (1).
        BOOST_CHECK_EQUAL(h->bridge.bursts() - bursts, 4u);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x0FF3, r, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK(r == w);
        for (std::size_t i = 0; i < w.size(); ++i)
            ref.mem[0x0FF3 + i] = w[i];
        // Streaming width 4 at 0x100: FIXED bursts, the last 4 bytes stay.
        std::vector<unsigned char> s(40);
        for (std::size_t i = 0; i < s.size(); ++i)
            s[i] = static_cast<unsigned char>(0x40 + i);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x100, s, nullptr, nullptr, 4),
                          tlm::TLM_OK_RESPONSE);
        std::vector<unsigned char> four(4);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x100, four, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(four[0], 0x40 + 36);
        BOOST_CHECK_EQUAL(four[3], 0x40 + 39);
        for (unsigned i = 0; i < 4; ++i)
            ref.mem[0x100 + i] = four[i];
        // Byte enables: only the odd bytes are written.
        std::vector<unsigned char> v(6, 0xEE), be{TLM_BYTE_DISABLED, TLM_BYTE_ENABLED};
        std::vector<unsigned char> before(6), after(6);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x203, before, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x203, v, &be, nullptr),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x203, after, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        for (unsigned i = 0; i < 6; ++i) {
            BOOST_CHECK_EQUAL(after[i], i % 2 ? 0xEE : before[i]);
            ref.mem[0x203 + i] = after[i];
        }
        // Error ranges: SLVERR -> generic error, DECERR (range and beyond the SRAM) -> address
        // error; a burst touching both reports the worse.
        std::vector<unsigned char> e(8);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, sram_slverr_base, e, nullptr, nullptr),
                          tlm::TLM_GENERIC_ERROR_RESPONSE);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, sram_decerr_base, e, nullptr, nullptr),
                          tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, sram_bytes + 0x40, e, nullptr, nullptr),
                          tlm::TLM_ADDRESS_ERROR_RESPONSE);
        std::vector<unsigned char> both(16);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, sram_slverr_base + sram_err_bytes - 8,
                                    both, nullptr, nullptr),
                          tlm::TLM_GENERIC_ERROR_RESPONSE); // SLVERR beat, then OKAY
        BOOST_CHECK_EQUAL(
            transport(tlm::TLM_READ_COMMAND, sram_decerr_base - 8, both, nullptr, nullptr),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);
        // Refused before the pins: illegal explicit burst, wrong data length, bad streaming
        // width, zero length.
        const auto handshakes = h->checker.handshakes();
        axi_ext wrap3;
        wrap3.explicit_burst = true;
        wrap3.burst = axi_burst::wrap;
        wrap3.size_log2 = 2;
        wrap3.beats = 3;
        std::vector<unsigned char> twelve(12);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x400, twelve, nullptr, &wrap3),
                          tlm::TLM_BURST_ERROR_RESPONSE);
        axi_ext cross;
        cross.explicit_burst = true;
        cross.burst = axi_burst::incr;
        cross.size_log2 = 3;
        cross.beats = 4;
        std::vector<unsigned char> thirty_two(32);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x0FF0, thirty_two, nullptr, &cross),
                          tlm::TLM_BURST_ERROR_RESPONSE);
        cross.beats = 2;
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x0F00, thirty_two, nullptr, &cross),
                          tlm::TLM_BURST_ERROR_RESPONSE); // 2 beats move 16 bytes, not 32
        std::vector<unsigned char> ten(10);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x500, ten, nullptr, nullptr, 3),
                          tlm::TLM_BURST_ERROR_RESPONSE);
        std::vector<unsigned char> none;
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x500, none, nullptr, nullptr),
                          tlm::TLM_BURST_ERROR_RESPONSE);
        BOOST_CHECK_EQUAL(h->checker.handshakes(), handshakes);
    }});
    BOOST_CHECK(h->checker.violations().empty());
}

// A caller killed while its read is on the pins (sc_process_handle::kill unwinds it): the bridge
// keeps its transaction until the bursts end and writes none of their data into the caller's
// buffer, freed by then (the sanitizer stage runs this under AddressSanitizer, which sees such a
// write); the next caller is served as before.
BOOST_AUTO_TEST_CASE(a_caller_killed_mid_read_leaves_the_bridge_working) {
    h->stim.stall_percent = 0;
    std::vector<unsigned char> pattern(4096);
    for (std::size_t i = 0; i < pattern.size(); ++i)
        pattern[i] = static_cast<unsigned char>(i * 13 + 5);
    bool victim_returned = false, checked = false;
    const std::uint64_t bursts_before = h->bridge.bursts();
    h->run({[&] {
        std::vector<unsigned char> w = pattern;
        BOOST_REQUIRE_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x2000, w, nullptr, nullptr),
                            tlm::TLM_OK_RESPONSE);
        sc_core::sc_process_handle victim = sc_core::sc_spawn([&] {
            std::vector<unsigned char> r(4096, 0);
            transport(tlm::TLM_READ_COMMAND, 0x2000, r, nullptr, nullptr);
            victim_returned = true;
        });
        sc_core::wait(sc_core::sc_time(40, sc_core::SC_NS)); // its bursts are under way
        BOOST_REQUIRE(h->bridge.bursts() > bursts_before + 1);
        victim.kill();
        std::vector<unsigned char> r(4096, 0);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x2000, r, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK(r == pattern);
        checked = true;
    }});
    BOOST_CHECK(!victim_returned);
    BOOST_CHECK(checked);
    BOOST_CHECK(h->checker.violations().empty());
    for (std::size_t i = 0; i < pattern.size(); ++i)
        ref.mem[0x2000 + i] = pattern[i];
}

// Simulated time: the annotated delay passes first, then one clock period per RTL cycle; idle
// time between transactions costs no cycles.
BOOST_AUTO_TEST_CASE(time_advances_one_period_per_cycle_and_not_while_idle) {
    h->stim.stall_percent = 0;
    h->bridge.set_ready_stall(0, 1);
    h->run({[&] {
        sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
        std::vector<unsigned char> d(8);
        const auto cycles0 = h->island.cycles();
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x10, d, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        const auto cycles = h->island.cycles() - cycles0;
        BOOST_CHECK_GT(cycles, 0u);
        // transport() annotates 3 ns; the rest is cycles * 1 ns.
        BOOST_CHECK(sc_core::sc_time_stamp() - t0 ==
                    sc_core::sc_time(3.0 + static_cast<double>(cycles), sc_core::SC_NS));
        BOOST_TEST_MESSAGE("one 8-byte read: " << cycles << " cycles");
    }});
}

// The island runs a cycle ahead of SystemC time only when no other process can run before that
// cycle's start. A process that wakes half a period after each cycle start while a read is in
// the RTL sees exactly the cycles started so far: the read's first cycle starts when
// transport()'s 3 ns have passed, so at 3.5 + k ns it has seen k + 1 cycles. The watched read
// takes the same cycles and time as the same read alone (where the island needs no wait per
// cycle).
BOOST_AUTO_TEST_CASE(a_process_waking_during_a_transaction_sees_only_the_cycles_started) {
    h->stim.stall_percent = 0;
    h->bridge.set_ready_stall(0, 1);
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    std::uint64_t alone_cycles = 0, watched_cycles = 0;
    sc_core::sc_time alone_time, watched_time;
    auto read = [&](std::uint64_t& cycles, sc_core::sc_time& took) {
        std::vector<unsigned char> d(8);
        const auto cycles0 = h->island.cycles();
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x18, d, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        cycles = h->island.cycles() - cycles0;
        took = sc_core::sc_time_stamp() - t0;
    };
    h->run({[&] {
        sc_core::wait(1000 * ns);
        read(alone_cycles, alone_time);
    }});
    bool done = false;
    std::vector<std::uint64_t> seen;
    h->run({[&] {
                sc_core::wait(1000 * ns);
                read(watched_cycles, watched_time);
                done = true;
            },
            [&] {
                sc_core::wait(1000 * ns);
                const auto cycles0 = h->island.cycles();
                sc_core::wait(3.5 * ns);
                while (!done) {
                    seen.push_back(h->island.cycles() - cycles0);
                    sc_core::wait(ns);
                }
            }});
    BOOST_REQUIRE_GT(alone_cycles, 1u);
    BOOST_CHECK_EQUAL(watched_cycles, alone_cycles);
    BOOST_CHECK(watched_time == alone_time);
    BOOST_CHECK(alone_time == (3.0 + static_cast<double>(alone_cycles)) * ns);
    BOOST_REQUIRE_EQUAL(seen.size(), alone_cycles);
    for (std::size_t k = 0; k < seen.size(); ++k)
        BOOST_CHECK_EQUAL(seen[k], k + 1);
}

namespace {

// Reference split of [addr, addr + len) into full-width INCR bursts, in 128-bit arithmetic (no
// overflow anywhere below 2^65): each burst ends at the range's end, the next 4 KiB boundary or
// 256 beats of 8 bytes from the start's aligned word, whichever is first.
using u128 = unsigned __int128;
struct ref_chunk {
    std::uint64_t addr = 0, offset = 0, bytes = 0;
    unsigned beats = 0;
};
std::vector<ref_chunk> reference_split(std::uint64_t addr, std::uint64_t len) {
    std::vector<ref_chunk> out;
    const u128 end = u128(addr) + len;
    for (u128 cur = addr; cur < end;) {
        const u128 aligned = cur / axi_bus_bytes * axi_bus_bytes;
        const u128 boundary = (cur / 4096 + 1) * 4096;
        const u128 max_end = aligned + 256 * axi_bus_bytes;
        const u128 chunk_end = std::min({end, boundary, max_end});
        ref_chunk c;
        c.addr = static_cast<std::uint64_t>(cur);
        c.offset = static_cast<std::uint64_t>(cur - addr);
        c.bytes = static_cast<std::uint64_t>(chunk_end - cur);
        c.beats = static_cast<unsigned>((chunk_end - aligned + axi_bus_bytes - 1) / axi_bus_bytes);
        out.push_back(c);
        cur = chunk_end;
    }
    return out;
}

void check_split(std::uint64_t addr, std::uint64_t len) {
    std::vector<axi_incr_chunk> got;
    BOOST_REQUIRE_MESSAGE(axi_split_incr(addr, len, axi_bus_bytes, got).empty(),
                          "0x" << std::hex << addr << " + " << std::dec << len << " refused");
    const std::vector<ref_chunk> want = reference_split(addr, len);
    BOOST_REQUIRE_EQUAL(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        BOOST_CHECK_EQUAL(got[i].req.addr, want[i].addr);
        BOOST_CHECK_EQUAL(got[i].req.beats, want[i].beats);
        BOOST_CHECK_EQUAL(got[i].req.size_log2, 3u); // 8-byte beats
        BOOST_CHECK(got[i].req.burst == axi_burst::incr);
        BOOST_CHECK_EQUAL(got[i].offset, want[i].offset);
        BOOST_CHECK_EQUAL(got[i].bytes, want[i].bytes);
        BOOST_CHECK_EQUAL(axi_burst_violation(got[i].req, axi_bus_bytes), "");
    }
}

} // namespace

// Issue: the split computed the next 4 KiB boundary as (addr / 4096 + 1) * 4096, which is 0 in
// the last page, and refused ranges ending exactly at 2^64. Every size 1..4096 ending at 2^64,
// and longer ones, against the 128-bit reference; ranges one byte longer are refused.
BOOST_AUTO_TEST_CASE(incr_split_of_ranges_ending_at_2_pow_64_matches_a_128_bit_reference) {
    for (std::uint64_t len = 1; len <= 4096; ++len)
        check_split(0 - len, len);
    for (std::uint64_t len : {4097ull, 5000ull, 8192ull, 65536ull})
        check_split(0 - len, len);
    // The last page from inside: every start, 1..8 bytes, still below 2^64.
    for (std::uint64_t a = 0xFFFF'FFFF'FFFF'F000ull; a != 0; ++a)
        for (std::uint64_t len = 1; len <= 8 && len - 1 <= ~a; ++len)
            check_split(a, len);
    std::vector<axi_incr_chunk> none;
    for (std::uint64_t len = 2; len <= 4097; ++len) // ending at 2^64 + 1
        BOOST_CHECK_EQUAL(axi_split_incr(0 - len + 1, len, axi_bus_bytes, none),
                          "address range wraps around 2^64");
    BOOST_CHECK_EQUAL(axi_split_incr(0xFFFF'FFFF'FFFF'FFF8ull, 9, axi_bus_bytes, none),
                      "address range wraps around 2^64");
    BOOST_CHECK_EQUAL(axi_split_incr(~0ull, 2, axi_bus_bytes, none),
                      "address range wraps around 2^64");
    BOOST_CHECK_EQUAL(axi_split_incr(0x1000, 0, axi_bus_bytes, none), "zero-length transaction");
    BOOST_CHECK(none.empty());
    // Anywhere else, random ranges agree with the reference too.
    std::mt19937_64 rng(3);
    for (unsigned i = 0; i < 2000; ++i) {
        const std::uint64_t len = 1 + rng() % 9000;
        const std::uint64_t addr = i % 2 ? rng() % (0 - len) : 0 - len - rng() % 20000;
        check_split(addr, len);
    }
}

// The reproductions end to end: the SRAM moved (base_i) to 0xFFFF_FFFF_FFFF_8000, so
// that 0xFFFF_FFFF_FFFF_F000.. is offset 0x7000.. of its storage (below the SLVERR range at
// 0xE000); plain transactions there complete OK with the data written. A read running past
// 2^64 is refused before the pins.
BOOST_AUTO_TEST_CASE(plain_transactions_up_to_the_top_of_the_address_space) {
    constexpr std::uint64_t base = 0xFFFF'FFFF'FFFF'8000ull;
    h->stim.stall_percent = 10;
    h->bridge.set_ready_stall(10, 9);
    *h->sram->base = base;
    h->run({[&] {
        struct access {
            std::uint64_t addr;
            unsigned len;
        };
        for (const access& a :
             {access{0xFFFF'FFFF'FFFF'F000ull, 8}, access{0xFFFF'FFFF'FFFF'F800ull, 1},
              access{0xFFFF'FFFF'FFFF'FFF8ull, 8}, access{0xFFFF'FFFF'FFFF'FFFFull, 1},
              access{0xFFFF'FFFF'FFFF'F003ull, 4093}, // to 2^64, unaligned
              access{0xFFFF'FFFF'FFFF'E000ull, 8192}}) {
            std::vector<unsigned char> w(a.len), r(a.len, 0);
            for (unsigned i = 0; i < a.len; ++i)
                w[i] = static_cast<unsigned char>(a.addr + i * 13 + a.len);
            BOOST_TEST_MESSAGE("0x" << std::hex << a.addr << " + " << std::dec << a.len);
            BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, a.addr, w, nullptr, nullptr),
                              tlm::TLM_OK_RESPONSE);
            BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, a.addr, r, nullptr, nullptr),
                              tlm::TLM_OK_RESPONSE);
            BOOST_CHECK(r == w);
        }
        // 9 bytes from 0x..FFF8 end at 2^64 + 1: refused before the pins.
        const auto handshakes = h->checker.handshakes();
        std::vector<unsigned char> nine(9);
        BOOST_CHECK_EQUAL(
            transport(tlm::TLM_READ_COMMAND, 0xFFFF'FFFF'FFFF'FFF8ull, nine, nullptr, nullptr),
            tlm::TLM_BURST_ERROR_RESPONSE);
        BOOST_CHECK_EQUAL(h->checker.handshakes(), handshakes);
        // 8192 bytes from 0x..E000 wrote offsets 0x6000..0x7FFF of the storage (not the error
        // ranges); keep the reference memory true for whoever reads there later.
        std::vector<unsigned char> back(0x2000);
        BOOST_CHECK_EQUAL(
            transport(tlm::TLM_READ_COMMAND, 0xFFFF'FFFF'FFFF'E000ull, back, nullptr, nullptr),
            tlm::TLM_OK_RESPONSE);
        std::copy(back.begin(), back.end(), ref.mem.begin() + 0x6000);
    }});
    *h->sram->base = 0;
    BOOST_CHECK(h->checker.violations().empty());
    BOOST_CHECK_EQUAL(h->bridge.unmatched_responses(), 0u);
}

namespace {
std::array<unsigned, 4> as_array(const axi_attrs& a) {
    return {a.cache, a.prot, a.qos, a.region};
}
// "{cache,prot,qos,region} ..." for messages and comparisons.
using attr_list = std::vector<std::array<unsigned, 4>>;
std::string str(const attr_list& l) {
    std::ostringstream os;
    for (const auto& a : l)
        os << "{" << a[0] << "," << a[1] << "," << a[2] << "," << a[3] << "}";
    return os.str();
}
} // namespace

// AxCACHE/AxPROT/AxQOS on the pins of the TLM->AXI bridge: the bridge default for transactions
// without attributes (with or without an axi_ext), the extension's when it has them; every
// burst of a split transaction carries them. Values are arbitrary legal encodings chosen here.
BOOST_AUTO_TEST_CASE(memory_attributes_come_from_the_extension_or_the_bridge_default) {
    h->stim.stall_percent = 0;
    const axi_attrs dflt{0x3, 0x2, 0x5}; // bufferable+modifiable, non-secure, QoS 5
    const axi_attrs mine{0xF, 0x5, 0xA}; // write-back allocate, privileged+instruction, QoS 10
    h->bridge.set_default_attrs(dflt);
    h->rec.aw.clear();
    h->rec.ar.clear();
    h->run({[&] {
        std::vector<unsigned char> d(16),
            big(0x1800); // big: 0x800 + 0x1000, two 4 KiB pages
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x40, d, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        axi_ext plain; // an extension without attributes: the default
        plain.has_id = true;
        plain.id = 3;
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x40, d, nullptr, &plain),
                          tlm::TLM_OK_RESPONSE);
        axi_ext with;
        with.has_attrs = true;
        with.attrs = mine;
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x800, big, nullptr, &with),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x800, big, nullptr, &with),
                          tlm::TLM_OK_RESPONSE);
        for (std::size_t i = 0; i < big.size(); ++i)
            ref.mem[0x800 + i] = big[i];
        for (std::size_t i = 0; i < d.size(); ++i)
            ref.mem[0x40 + i] = d[i];
    }});
    h->bridge.set_default_attrs({});
    // 0x1800 bytes from 0x800: 0x800..0xFFF (256 beats, to the 4 KiB boundary), 0x1000..0x17FF
    // (256 beats), 0x1800..0x1FFF (256 beats): three bursts each way, after the 16-byte one.
    const auto d3 = as_array(dflt), m3 = as_array(mine);
    BOOST_CHECK_EQUAL(str(h->rec.aw), str({d3, m3, m3, m3}));
    BOOST_CHECK_EQUAL(str(h->rec.ar), str({d3, m3, m3, m3}));
    BOOST_CHECK(h->checker.violations().empty());
}

// Both directions at once: the TLM->AXI bridge drives the attributes on pins (the
// transaction's, else the default it was constructed with), the AXI->TLM bridge facing it puts
// what it receives into the axi_ext of the transactions it makes. AxREGION included: the pins
// here have it (axi_sram does not).
BOOST_AUTO_TEST_CASE(memory_attributes_reach_the_far_side_of_an_axi_to_tlm_bridge) {
    const axi_attrs a{0xB, 0x6, 0xF, 0x4}, b{0x7, 0x3, 0x1, 0xE};
    h->run({[&] {
        auto go = [&](tlm::tlm_command cmd, std::uint64_t addr, std::vector<unsigned char>& d,
                      axi_ext* ext) {
            return transport(cmd, addr, d, nullptr, ext, 0, lb->init.operator->());
        };
        std::vector<unsigned char> w{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, r(12, 0);
        axi_ext ea, eb;
        ea.has_attrs = eb.has_attrs = true;
        ea.attrs = a;
        eb.attrs = b;
        BOOST_CHECK_EQUAL(go(tlm::TLM_WRITE_COMMAND, 0x104, w, &ea), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(go(tlm::TLM_READ_COMMAND, 0x104, r, &eb), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK(r == w);
        BOOST_CHECK_EQUAL(go(tlm::TLM_READ_COMMAND, 0x104, r, nullptr), tlm::TLM_OK_RESPONSE);
    }});
    attr_list seen;
    for (const axi_attrs& x : lb->seen)
        seen.push_back(as_array(x));
    // a, b, then the construction default {0x2, 0x1, 0x0, 0x9}, in decimal.
    BOOST_CHECK_EQUAL(str(seen), "{11,6,15,4}{7,3,1,14}{2,1,0,9}");
    BOOST_CHECK_EQUAL(str(lb->rec.aw), "{11,6,15,4}");
    BOOST_CHECK_EQUAL(str(lb->rec.ar), "{7,3,1,14}{2,1,0,9}");
    BOOST_CHECK(lb->checker.violations().empty());
}

// The loopback as the other tests expect it: every burst to the worker, a target that answers at
// once.
void lb_defaults() {
    lb->to_tlm.carry_in_clock({});
    lb->target_delay = sc_core::SC_ZERO_TIME;
    lb->hold_when_worker = false;
    lb->wait_in_target = false;
}

// axi2tlm_bridge::carry_in_clock: a burst carried out by the process running the island's cycles
// (no worker thread) takes the cycles and simulated time of one its worker thread carries out
// while the target holds the island (what rtl_iatu_unit did for every request before), and the
// target sees it start at the same time (SystemC time plus annotated delay). A burst `ok` refuses
// goes to the worker. By hand: the read's AR handshake is in its first cycle (ARREADY is high while
// the bridge is idle), which starts when transport()'s 3 ns have passed; the target's 7 ns run from
// that cycle's start, the R beat goes on the pins in the cycle starting then, and the read ends
// with that cycle: 3 + 7 + 1 = 11 ns, 2 cycles.
BOOST_AUTO_TEST_CASE(bursts_carried_in_the_clock_thread_take_the_worker_threads_cycles_and_time) {
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    struct result {
        std::uint64_t cycles = 0;
        std::size_t calls = 0;
        sc_core::sc_time took, target_start;
        bool clocking = false;
        std::vector<unsigned char> data;
    };
    // What the loopback's memory holds at 0x40..0x47, read back each time.
    const std::vector<unsigned char> pattern{0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7};
    std::copy(pattern.begin(), pattern.end(), lb->mem.begin() + 0x40);
    auto read_once = [&] {
        result r;
        h->run({[&] {
            sc_core::wait(1000 * ns);
            std::vector<unsigned char> d(8);
            const auto c0 = lb->island.cycles();
            const std::size_t n0 = lb->calls.size();
            const sc_core::sc_time t0 = sc_core::sc_time_stamp();
            BOOST_CHECK_EQUAL(transport(tlm::TLM_READ_COMMAND, 0x40, d, nullptr, nullptr, 0,
                                        lb->init.operator->()),
                              tlm::TLM_OK_RESPONSE);
            r.data = d;
            r.cycles = lb->island.cycles() - c0;
            r.took = sc_core::sc_time_stamp() - t0;
            r.calls = lb->calls.size() - n0;
            if (r.calls) {
                r.target_start = lb->calls.back().start - t0;
                r.clocking = lb->calls.back().clocking;
            }
        }});
        return r;
    };
    lb->target_delay = 7 * ns;
    lb->hold_when_worker = true;
    lb->to_tlm.carry_in_clock({});
    const result worker = read_once();
    lb->to_tlm.carry_in_clock([](const axi_request&, bool) { return true; });
    const result in_clock = read_once();
    lb->to_tlm.carry_in_clock([](const axi_request& r, bool) { return r.addr != 0x40; });
    const result refused = read_once();
    lb_defaults();

    for (const result* r : {&worker, &in_clock, &refused}) {
        BOOST_CHECK(r->data == pattern);
        BOOST_CHECK_EQUAL(r->calls, 1u);
        BOOST_CHECK_EQUAL(r->cycles, 2u);
        BOOST_CHECK(r->took == 11 * ns);
        BOOST_CHECK(r->target_start == 3 * ns);
    }
    BOOST_CHECK(!worker.clocking);
    BOOST_CHECK(in_clock.clocking);
    BOOST_CHECK(!refused.clocking);
    BOOST_CHECK(lb->checker.violations().empty());
}

// When `ok` refuses a burst completed in the same cycle as one it accepts, the worker thread
// carries out both, in request order and one at a time (the refused one never overtakes, and
// never runs beside, the other, also while the first waits inside its target). Here a write and
// a read go in at the same time from two threads, the to_tlm side takes both in the first cycle
// (the write, complete at AW and W, first), and only writes may be carried out by the process
// running the cycles; the target waits 5 ns inside each call.
// One transaction through the loopback, started at `at` from a thread of its own.
struct lb_txn {
    tlm::tlm_command cmd;
    std::uint64_t addr;
    std::vector<unsigned char> data;
    sc_core::sc_time at;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
};
void run_on_lb(std::vector<lb_txn*> txns) {
    std::vector<std::function<void()>> fs;
    for (lb_txn* t : txns)
        fs.push_back([t] {
            sc_core::wait(t->at);
            t->status =
                transport(t->cmd, t->addr, t->data, nullptr, nullptr, 0, lb->init.operator->());
        });
    h->run(fs);
}
// Bytes base, base + 1, ... (a pattern put in the loopback's memory to be read back).
std::vector<unsigned char> counting(unsigned char base) {
    std::vector<unsigned char> v(8);
    for (unsigned i = 0; i < v.size(); ++i)
        v[i] = static_cast<unsigned char>(base + i);
    return v;
}
void put_in_lb(std::uint64_t addr, const std::vector<unsigned char>& v) {
    std::copy(v.begin(), v.end(), lb->mem.begin() + static_cast<std::ptrdiff_t>(addr));
}
std::vector<unsigned char> in_lb(std::uint64_t addr) {
    return {lb->mem.begin() + static_cast<std::ptrdiff_t>(addr),
            lb->mem.begin() + static_cast<std::ptrdiff_t>(addr + 8)};
}

BOOST_AUTO_TEST_CASE(a_cycle_with_a_refused_burst_leaves_all_its_bursts_to_the_worker) {
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    lb->to_tlm.carry_in_clock([](const axi_request&, bool is_write) { return is_write; });
    lb->target_delay = 5 * ns;
    lb->wait_in_target = true;
    lb->overlapped = 0;
    const std::size_t n0 = lb->calls.size();
    put_in_lb(0x340, counting(0xA0));
    lb_txn w{tlm::TLM_WRITE_COMMAND, 0x300, counting(0x31), 1000 * ns};
    lb_txn r{tlm::TLM_READ_COMMAND, 0x340, std::vector<unsigned char>(8, 0), 1000 * ns};
    run_on_lb({&w, &r});
    lb_defaults();
    BOOST_CHECK_EQUAL(w.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(r.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(in_lb(0x300) == counting(0x31));
    BOOST_CHECK(r.data == counting(0xA0));
    BOOST_REQUIRE_EQUAL(lb->calls.size() - n0, 2u);
    const auto& first = lb->calls[n0];
    const auto& second = lb->calls[n0 + 1];
    BOOST_CHECK(first.write && !first.clocking);
    BOOST_CHECK(!second.write && !second.clocking);
    BOOST_CHECK(second.start >= first.start + 5 * ns);
    BOOST_CHECK_EQUAL(lb->overlapped, 0u);
    BOOST_CHECK(lb->checker.violations().empty());
}

// Two forwarding agents with work from the same cycle both start it at the cycle's start, each in
// its own worker thread (cycle_agent::hand_over), as without carrying in the process running the
// cycles: carried out one after the other there, the second would have started only once the
// first's target (5 ns here, waited inside) was done. One read alone is carried out by that
// process.
BOOST_AUTO_TEST_CASE(two_agents_with_work_from_one_cycle_each_start_it_at_the_cycles_start) {
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    tw->target_delay = 5 * ns;
    auto read = [&](tlm_utils::simple_initiator_socket<twin_loopback>& init,
                    tlm::tlm_response_status& st, std::vector<unsigned char>& d) {
        sc_core::wait(1000 * ns);
        d.assign(8, 0);
        st = transport(tlm::TLM_READ_COMMAND, 0x80, d, nullptr, nullptr, 0, init.operator->());
    };
    // What side a and side b read: 0x10 * (side + 1) + i.
    const std::vector<unsigned char> want_a{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17},
        want_b{0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27};
    std::vector<unsigned char> da, db, dalone;
    tlm::tlm_response_status alone = tlm::TLM_INCOMPLETE_RESPONSE, a = alone, b = alone;
    h->run({[&] { read(tw->init_a, alone, dalone); }});
    BOOST_CHECK_EQUAL(alone, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(dalone == want_a);
    BOOST_REQUIRE_EQUAL(tw->calls.size(), 1u);
    BOOST_CHECK(tw->calls[0].clocking);
    h->run({[&] { read(tw->init_a, a, da); }, [&] { read(tw->init_b, b, db); }});
    BOOST_CHECK_EQUAL(a, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(b, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(da == want_a);
    BOOST_CHECK(db == want_b);
    BOOST_REQUIRE_EQUAL(tw->calls.size(), 3u);
    const auto& first = tw->calls[1];
    const auto& second = tw->calls[2];
    BOOST_CHECK(first.side != second.side);
    BOOST_CHECK(first.start == second.start);
    BOOST_CHECK(!first.clocking);
    BOOST_CHECK(!second.clocking);
}

// A caller running the cycles does not carry out another's burst from the cycle that completed
// its own request: its response's time would pass while it waits inside that target, and it
// would miss its completion. That burst goes to the worker. Here A's read is carried out by A
// while the target waits 5 ns inside; B's read comes meanwhile, so the cycle that takes A's
// response also takes B's address. (h->run requires both callers to return.)
BOOST_AUTO_TEST_CASE(a_caller_whose_request_is_done_leaves_other_bursts_to_the_worker) {
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    lb->to_tlm.carry_in_clock([](const axi_request&, bool) { return true; });
    lb->target_delay = 5 * ns;
    lb->wait_in_target = true;
    const std::size_t n0 = lb->calls.size();
    put_in_lb(0x180, counting(0x50));
    put_in_lb(0x1c0, counting(0x70));
    lb_txn a{tlm::TLM_READ_COMMAND, 0x180, std::vector<unsigned char>(8, 0), 1000 * ns};
    lb_txn b{tlm::TLM_READ_COMMAND, 0x1c0, std::vector<unsigned char>(8, 0), 1002 * ns};
    run_on_lb({&a, &b});
    lb_defaults();
    BOOST_CHECK_EQUAL(a.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(b.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(a.data == counting(0x50));
    BOOST_CHECK(b.data == counting(0x70));
    BOOST_REQUIRE_EQUAL(lb->calls.size() - n0, 2u);
    BOOST_CHECK(lb->calls[n0].clocking);      // A's, carried out by A
    BOOST_CHECK(!lb->calls[n0 + 1].clocking); // B's, by the worker
    BOOST_CHECK(lb->checker.violations().empty());
}

// A caller that finds the island's clock free (no process runs its cycles or holds it, and nothing
// else can run at this time) runs its request's cycles in its own thread: the same cycles at the
// same times as the clock thread would run them (3 ns for the delay annotated on entry, not waited
// for since nothing else could run meanwhile, then one period per cycle), without a switch to it.
// Two callers at the same time leave the cycles to the clock thread, so that both requests are
// there for the first cycle, as without this.
BOOST_AUTO_TEST_CASE(a_caller_finding_the_clock_free_runs_its_own_cycles) {
    h->stim.stall_percent = 0;
    h->bridge.set_ready_stall(0, 1);
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    struct seen {
        const sc_core::sc_process_b* caller = nullptr;
        std::vector<const sc_core::sc_process_b*> ran; // the process running each cycle
        std::vector<unsigned char> data;
        sc_core::sc_time took;
        std::uint64_t cycles = 0;
        tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    };
    // Known data at 0x20 and 0x28 first, to be read back.
    const std::vector<unsigned char> at20{0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68},
        at28{0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98};
    h->run({[&] {
        std::vector<unsigned char> w = at20;
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x20, w, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
        w = at28;
        BOOST_CHECK_EQUAL(transport(tlm::TLM_WRITE_COMMAND, 0x28, w, nullptr, nullptr),
                          tlm::TLM_OK_RESPONSE);
    }});
    auto read = [&](std::uint64_t addr, seen& s) {
        sc_core::wait(1000 * ns);
        std::vector<unsigned char>& d = s.data;
        d.assign(8, 0);
        s.caller = sc_core::sc_get_current_process_b();
        const auto c0 = h->island.cycles();
        const std::size_t r0 = h->procs.ran.size();
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        s.status = transport(tlm::TLM_READ_COMMAND, addr, d, nullptr, nullptr);
        s.took = sc_core::sc_time_stamp() - t0;
        s.cycles = h->island.cycles() - c0;
        s.ran.assign(h->procs.ran.begin() + static_cast<std::ptrdiff_t>(r0), h->procs.ran.end());
    };
    seen alone;
    h->run({[&] { read(0x20, alone); }});
    BOOST_CHECK_EQUAL(alone.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(alone.data == at20);
    BOOST_REQUIRE_GT(alone.cycles, 1u);
    BOOST_CHECK(alone.took == (3.0 + static_cast<double>(alone.cycles)) * ns);
    BOOST_REQUIRE_EQUAL(alone.ran.size(), alone.cycles);
    for (const auto* p : alone.ran)
        BOOST_CHECK(p == alone.caller);

    // A request refused before the pins still takes the delay annotated on it, and returns none.
    sc_core::sc_time refused_took, refused_delay;
    tlm::tlm_response_status refused_status = tlm::TLM_INCOMPLETE_RESPONSE;
    h->run({[&] {
        sc_core::wait(1000 * ns);
        std::vector<unsigned char> d(8);
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_IGNORE_COMMAND);
        gp.set_address(0x20);
        gp.set_data_ptr(d.data());
        gp.set_data_length(8);
        gp.set_streaming_width(8);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        sc_core::sc_time delay = 3 * ns;
        h->init->b_transport(gp, delay);
        refused_took = sc_core::sc_time_stamp() - t0;
        refused_delay = delay;
        refused_status = gp.get_response_status();
    }});
    BOOST_CHECK_EQUAL(refused_status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    BOOST_CHECK(refused_took == 3 * ns);
    BOOST_CHECK(refused_delay == sc_core::SC_ZERO_TIME);

    seen a, b;
    h->run({[&] { read(0x20, a); }, [&] { read(0x28, b); }});
    BOOST_CHECK_EQUAL(a.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(b.status, tlm::TLM_OK_RESPONSE);
    BOOST_CHECK(a.data == at20);
    BOOST_CHECK(b.data == at28);
    BOOST_REQUIRE(!a.ran.empty());
    for (const auto* p : a.ran) {
        BOOST_CHECK(p != a.caller);
        BOOST_CHECK(p != b.caller);
    }
    BOOST_CHECK(h->checker.violations().empty());
}

// The bridges and the AXI checker at every data width the platform is tested at: 32, 64, 128, 256
// and 512 bits. For each width, axi_sram verilated with DATA_W at that width (one model per width,
// built for this test only, without tracing) takes the random explicit-burst campaign of
// test_rtl_axi (axi_campaign.h: every burst type, transfer sizes up to the bus width, unaligned
// starts, byte enables, error ranges, random READY stalls) from the TLM->AXI4 bridge, with the
// checker on its pins; then four initiators at once with the SRAM reordering responses by ID; then
// the same campaign through a TLM->AXI4 bridge facing an AXI4->TLM bridge on plain pins of that
// width (wide data in VlWide-like words), into a memory here, with the checker on those pins. Also:
// a view whose widths do not match its pins is refused at construction, and a port of 32 address
// bits takes ranges up to 2^32 only.
//
// Verilator's headers come before anything that pulls in SystemC (see rtl_models.cc).
#include <Vaxi_sram_d128.h>
#include <Vaxi_sram_d256.h>
#include <Vaxi_sram_d32.h>
#include <Vaxi_sram_d512.h>
#include <Vaxi_sram_d64.h>
#include <verilated.h>

#define BOOST_TEST_MODULE rtl_axi_widths
#define BOOST_TEST_DYN_LINK
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "rtl-bridge/axi2tlm_bridge.h"
#include "rtl-bridge/axi_checker.h"
#include "rtl-bridge/rtl_island.h"
#include "rtl-bridge/rtl_models.h"
#include "rtl-bridge/tests/axi_campaign.h"
#include "rtl-bridge/tlm2axi_bridge.h"

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace epvp::rtl;

// A named namespace: the data test cases' lambdas capture these types.
namespace widths_test {

const std::vector<unsigned> widths{32, 64, 128, 256, 512};

// axi_sram verilated at one data width (V), without tracing.
template <class V>
class sram_at : public axi_sram_model {
public:
    sram_at(const std::string& name, unsigned data_bits)
        : name_(name)
        , m_(&ctx_, name.c_str()) {
        port.name = name + ".s";
        port.widths(data_bits, 64, sram_id_bits);
        EPVP_AXI_PORT_COMMON(port, m_, s);
        EPVP_AXI_PORT_ATTRS(port, m_, s);
        stall = &m_.stall_i;
        reorder = &m_.reorder_i;
        base = &m_.base_i;
    }
    const char* name() const override { return name_.c_str(); }
    void set_clock(bool level) override { m_.clk = level; }
    void set_reset(bool asserted) override { m_.rst_n = !asserted; }
    void eval() override { m_.eval(); }
    void open_waves(const std::string& file) override {
        throw std::invalid_argument("wave file '" + file + "': '" + name_ +
                                    "' is built without tracing");
    }
    epvp::waves::trace_format wave_format() const override {
        return epvp::waves::trace_format::fst;
    }
    void dump_waves(std::uint64_t) override {}
    void close_waves() override {}
    void final() override { m_.final(); }

private:
    std::string name_;
    VerilatedContext ctx_;
    V m_;
};

std::unique_ptr<axi_sram_model> make_sram(unsigned bits) {
    const std::string n = "sram" + std::to_string(bits);
    switch (bits) {
    case 32:
        return std::make_unique<sram_at<Vaxi_sram_d32>>(n, bits);
    case 64:
        return std::make_unique<sram_at<Vaxi_sram_d64>>(n, bits);
    case 128:
        return std::make_unique<sram_at<Vaxi_sram_d128>>(n, bits);
    case 256:
        return std::make_unique<sram_at<Vaxi_sram_d256>>(n, bits);
    default:
        return std::make_unique<sram_at<Vaxi_sram_d512>>(n, bits);
    }
}

// N 32-bit words, least significant first, convertible to their address: how Verilator's VlWide<N>
// presents a port wider than 64 bits.
template <unsigned N>
struct wide {
    std::uint32_t w[N] = {};
    operator std::uint32_t*() { return w; }
};

// Plain variables for every pin of an AXI4 port of DATA/STRB storage, and the view of them.
template <class Data, class Strb, class Addr = std::uint64_t>
struct pins_of {
    std::uint8_t s_awid = 0, s_awlen = 0, s_awsize = 0, s_awburst = 0, s_awvalid = 0;
    std::uint8_t s_awready = 0, s_wlast = 0, s_wvalid = 0, s_wready = 0;
    std::uint8_t s_bid = 0, s_bresp = 0, s_bvalid = 0, s_bready = 0;
    std::uint8_t s_arid = 0, s_arlen = 0, s_arsize = 0, s_arburst = 0, s_arvalid = 0;
    std::uint8_t s_arready = 0, s_rid = 0, s_rresp = 0, s_rlast = 0, s_rvalid = 0, s_rready = 0;
    Addr s_awaddr = 0, s_araddr = 0;
    Data s_wdata{}, s_rdata{};
    Strb s_wstrb{};
    axi_port port;
    pins_of(const std::string& name, unsigned data_bits, unsigned addr_bits = 64) {
        port.name = name;
        port.widths(data_bits, addr_bits, 4);
        EPVP_AXI_PORT_COMMON(port, *this, s);
    }
};

// A memory target with byte enables, repeated every 64 KiB (no error ranges: the loopback
// campaign stays below them).
struct memory_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<memory_target> socket;
    std::vector<unsigned char> mem = std::vector<unsigned char>(sram_bytes, 0);
    explicit memory_target(sc_core::sc_module_name n)
        : sc_module(n)
        , socket("socket") {
        socket.register_b_transport(this, &memory_target::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
        const unsigned char* be = gp.get_byte_enable_ptr();
        const unsigned be_len = gp.get_byte_enable_length();
        unsigned char* d = gp.get_data_ptr();
        for (unsigned i = 0; i < gp.get_data_length(); ++i) {
            unsigned char& m = mem.at((gp.get_address() + i) % mem.size());
            const bool on = !be || !be_len || be[i % be_len] == TLM_BYTE_ENABLED;
            if (!on) continue;
            if (gp.is_write())
                m = d[i];
            else
                d[i] = m;
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

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

// One width: the SRAM bench and the loopback bench, each on its own island.
struct bench : sc_core::sc_module {
    unsigned bits;
    rtl_island island, loop_island;
    axi_sram_model* sram;
    tlm2axi_bridge bridge;
    tlm_utils::simple_initiator_socket<bench> init;
    axi_checker checker;
    sram_stimulus stim;
    tlm2axi_bridge to_axi;
    axi2tlm_bridge to_tlm;
    axi_checker loop_checker;
    tlm_utils::simple_initiator_socket<bench> loop_init;
    memory_target mem;

    bench(sc_core::sc_module_name n, unsigned data_bits, const axi_port& loop)
        : sc_module(n)
        , bits(data_bits)
        , island("island", sc_core::sc_time(1, sc_core::SC_NS))
        , loop_island("loop_island", sc_core::sc_time(1, sc_core::SC_NS))
        , sram(adopt(make_sram(data_bits)))
        , bridge("bridge", island, sram->port)
        , init("init")
        , checker(sram->port)
        , to_axi("to_axi", loop_island, loop)
        , to_tlm("to_tlm", loop_island, loop)
        , loop_checker(loop)
        , loop_init("loop_init")
        , mem("mem") {
        init.bind(bridge.socket);
        loop_init.bind(to_axi.socket);
        to_tlm.socket.bind(mem.socket);
        stim.m = sram;
        island.add_agent(&checker);
        island.add_agent(&stim);
        loop_island.add_agent(&loop_checker);
    }
    axi_sram_model* adopt(std::unique_ptr<axi_sram_model> m) {
        axi_sram_model* raw = m.get();
        island.add_model(std::move(m));
        return raw;
    }
};

// The loopback pins of each width (Verilator's storage types for those widths).
pins_of<std::uint32_t, std::uint8_t> pins32{"loop32", 32};
pins_of<std::uint64_t, std::uint8_t> pins64{"loop64", 64};
pins_of<wide<4>, std::uint16_t> pins128{"loop128", 128};
pins_of<wide<8>, std::uint32_t> pins256{"loop256", 256};
pins_of<wide<16>, std::uint64_t> pins512{"loop512", 512};

// A 64-bit data port with 32 address bits, both bridges on it.
pins_of<std::uint64_t, std::uint8_t, std::uint32_t> pins_a32{"a32", 64, 32};
struct a32_bench : sc_core::sc_module {
    rtl_island island;
    tlm2axi_bridge to_axi;
    axi2tlm_bridge to_tlm;
    axi_checker checker;
    tlm_utils::simple_initiator_socket<a32_bench> init;
    memory_target mem;
    explicit a32_bench(sc_core::sc_module_name n)
        : sc_module(n)
        , island("island", sc_core::sc_time(1, sc_core::SC_NS))
        , to_axi("to_axi", island, pins_a32.port)
        , to_tlm("to_tlm", island, pins_a32.port)
        , checker(pins_a32.port)
        , init("init")
        , mem("mem") {
        init.bind(to_axi.socket);
        to_tlm.socket.bind(mem.socket);
        island.add_agent(&checker);
    }
};
a32_bench* a32 = nullptr;

std::map<unsigned, bench*> benches;
unsigned running = 0;

struct fixture {
    fixture() {
        benches[32] = new bench("w32", 32, pins32.port);
        benches[64] = new bench("w64", 64, pins64.port);
        benches[128] = new bench("w128", 128, pins128.port);
        benches[256] = new bench("w256", 256, pins256.port);
        benches[512] = new bench("w512", 512, pins512.port);
        a32 = new a32_bench("a32");
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

// Run each function in its own thread, concurrently, until all have returned.
void run(std::vector<std::function<void()>> fs) {
    for (auto& f : fs) {
        ++running;
        sc_core::sc_spawn([f] {
            f();
            --running;
        });
    }
    sc_core::sc_start();
    BOOST_REQUIRE_EQUAL(running, 0u);
}

// Campaign sizes per width (those of test_rtl_axi at 64 bits; all five widths run in about a
// second).
constexpr unsigned single_bursts = 3000;
constexpr unsigned concurrent_bursts = 400; // per initiator, four initiators
constexpr unsigned loopback_bursts = 1500;

} // namespace widths_test
using namespace widths_test;

int sc_main(int, char*[]) {
    return 0;
}

BOOST_DATA_TEST_CASE(random_campaign_against_axi_sram, boost::unit_test::data::make(widths), bits) {
    bench& b = *benches.at(bits);
    const unsigned bus_bytes = bits / 8;
    test::sram_reference ref;
    test::campaign_stats st;
    b.stim.stall_percent = 20;
    b.bridge.set_ready_stall(20, 11);
    run({[&] {
        std::mt19937 rng(bits);
        for (unsigned i = 0; i < single_bursts; ++i)
            test::random_burst(*b.init.operator->(), bus_bytes, rng, 0, sram_bytes, ref, st);
    }});
    unsigned sizes = 0;
    while ((1u << sizes) <= bus_bytes)
        ++sizes;
    BOOST_TEST_MESSAGE(bits << " bits: bursts FIXED/INCR/WRAP " << st.by_type[0] << "/"
                            << st.by_type[1] << "/" << st.by_type[2] << ", errors " << st.errors
                            << ", cycles " << b.island.cycles());
    // About a third of the bursts per type, and 1/sizes per transfer size (hand arithmetic on the
    // campaign's uniform choices), with a wide margin.
    for (unsigned t = 0; t < 3; ++t)
        BOOST_CHECK_GT(st.by_type[t], single_bursts / 6);
    for (unsigned s = 0; s < sizes; ++s)
        BOOST_CHECK_GT(st.by_size[s], single_bursts / sizes / 3);
    BOOST_CHECK_GT(st.errors, 5u);
    BOOST_CHECK_GT(st.unaligned, 10u);
    BOOST_CHECK_GT(st.strobed, 50u);
    // The widest transfer size puts every byte lane of the bus to use.
    BOOST_CHECK_GT(st.by_size[sizes - 1], 0u);

    // Four initiators in their own quarters, responses reordered by ID.
    b.stim.stall_percent = 30;
    b.stim.reorder = true;
    b.bridge.set_ready_stall(40, 5);
    std::vector<std::function<void()>> fs;
    const std::uint64_t quarter = sram_bytes / 4;
    for (unsigned t = 0; t < 4; ++t)
        fs.push_back([&, t] {
            std::mt19937 rng(100 * bits + t);
            for (unsigned i = 0; i < concurrent_bursts; ++i)
                test::random_burst(*b.init.operator->(), bus_bytes, rng, t * quarter,
                                   (t + 1) * quarter, ref, st);
        });
    run(fs);
    BOOST_CHECK_GT(b.bridge.out_of_order_responses(), 0u);
    BOOST_CHECK(b.checker.violations().empty());
    BOOST_CHECK_GT(b.checker.handshakes(), single_bursts);
    BOOST_CHECK_EQUAL(b.bridge.unmatched_responses(), 0u);
}

BOOST_DATA_TEST_CASE(random_campaign_through_both_bridges, boost::unit_test::data::make(widths),
                     bits) {
    bench& b = *benches.at(bits);
    const unsigned bus_bytes = bits / 8;
    test::sram_reference ref; // the memory target starts at 0 like the reference
    test::campaign_stats st;
    b.to_axi.set_ready_stall(25, 3);
    b.to_tlm.set_ready_stall(25, 4);
    run({[&] {
        std::mt19937 rng(7 * bits);
        for (unsigned i = 0; i < loopback_bursts; ++i)
            test::random_burst(*b.loop_init.operator->(), bus_bytes, rng, 0, sram_slverr_base, ref,
                               st);
    }});
    BOOST_TEST_MESSAGE(bits << " bits through both bridges: " << b.to_tlm.transactions()
                            << " TLM transactions");
    BOOST_CHECK_EQUAL(st.errors, 0u);
    BOOST_CHECK(b.mem.mem == ref.mem);
    BOOST_CHECK_GT(b.to_tlm.transactions(), loopback_bursts - 1);
    BOOST_CHECK(b.loop_checker.violations().empty());
    BOOST_CHECK_GT(b.loop_checker.handshakes(), loopback_bursts);
}

// A view that claims a width its pins do not have is refused, naming the pin.
BOOST_AUTO_TEST_CASE(a_view_that_does_not_match_its_pins_is_refused) {
    axi_port p = pins128.port;
    p.data_bits = 256; // the pins are 128 bits wide: WDATA 16 bytes, WSTRB 2
    const std::string bad = p.validate();
    BOOST_TEST_MESSAGE(bad);
    BOOST_CHECK(bad.find("wdata is a 16-byte variable; a 256-bit port is 32 bytes") !=
                std::string::npos);
    BOOST_CHECK(bad.find("wstrb is a 2-byte variable; a 32-bit port is 4 bytes") !=
                std::string::npos);
    BOOST_CHECK_THROW(axi_checker c(p), std::invalid_argument);
    p = pins32.port;
    p.id_bits = 12; // IDs of 9..16 bits are uint16_t; these are uint8_t
    BOOST_CHECK(p.validate().find("awid is a 1-byte variable; a 12-bit port is 2 bytes") !=
                std::string::npos);
    p = pins64.port;
    p.data_bits = 48;
    BOOST_CHECK(p.validate().find("data width 48 bits") != std::string::npos);
    BOOST_CHECK(pins512.port.validate().empty());
}

// Address width: on a port of 32 address bits a range may end exactly at 2^32; one running past
// it is refused with TLM_ADDRESS_ERROR_RESPONSE before the pins move.
BOOST_AUTO_TEST_CASE(a_32_bit_address_port_takes_ranges_up_to_2_pow_32_only) {
    run({[&] {
        tlm::tlm_fw_transport_if<>& to = *a32->init.operator->();
        std::vector<unsigned char> d{1, 2, 3, 4, 5, 6, 7, 8}, r(8, 0), one(1);
        BOOST_CHECK_EQUAL(
            test::transport(to, tlm::TLM_WRITE_COMMAND, 0xFFFF'FFF8ull, d, nullptr, nullptr),
            tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(
            test::transport(to, tlm::TLM_READ_COMMAND, 0xFFFF'FFF8ull, r, nullptr, nullptr),
            tlm::TLM_OK_RESPONSE);
        BOOST_CHECK(r == d);
        const auto handshakes = a32->checker.handshakes();
        BOOST_CHECK_EQUAL(
            test::transport(to, tlm::TLM_WRITE_COMMAND, 0xFFFF'FFFCull, d, nullptr, nullptr),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BOOST_CHECK_EQUAL(
            test::transport(to, tlm::TLM_READ_COMMAND, 0x1'0000'0000ull, one, nullptr, nullptr),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BOOST_CHECK_EQUAL(a32->checker.handshakes(), handshakes);
    }});
    // The write reached the far side at 0xFFFF_FFF8, which the memory holds at 0xFFF8.
    BOOST_CHECK_EQUAL(a32->mem.mem[0xFFF8], 1);
    BOOST_CHECK_EQUAL(a32->mem.mem[0xFFFF], 8);
    BOOST_CHECK(a32->checker.violations().empty());
}

// Wave dumps of the RTL island: an iATU run dumped to FST (format picked from the file name)
// and round-tripped through fst2vcd, whose VCD must name the iATU's APB and AXI signals; the
// SRAM island dumped to VCD directly; wrong extensions and formats a block was not built for
// are refused with the file name in the message; the GTKWave save files name signals that
// exist in the dumps.
#define BOOST_TEST_MODULE waves
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

// Verilator's headers (through rtl_trace.h) before SystemC's: see rtl-bridge/rtl_models.cc.
#include "rtl_trace.h"

#include "rtl_iatu.h"

#include <bitset>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <tlm_utils/simple_target_socket.h>

using namespace epvp::rtl;

namespace {

struct ok_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<ok_target> socket;
    explicit ok_target(sc_core::sc_module_name n)
        : sc_module(n)
        , socket("socket") {
        socket.register_b_transport(this, &ok_target::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct bench {
    rtl_iatu iatu{"iatu", rtl_iatu_params{iatu_geometries().at(0)}};
    ok_target ob{"ob"}, ib{"ib"};
    bench() {
        iatu.ob_out.socket.bind(ob.socket);
        iatu.ib_out.socket.bind(ib.socket);
    }
};
bench* b = nullptr;

struct fixture {
    fixture() {
        b = new bench;
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

std::string slurp(const std::string& f) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(file_name_picks_the_format) {
    BOOST_CHECK(epvp::waves::trace_format_for("a/b.fst") == epvp::waves::trace_format::fst);
    BOOST_CHECK(epvp::waves::trace_format_for("x.vcd") == epvp::waves::trace_format::vcd);
    try {
        epvp::waves::trace_format_for("waves.txt");
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("'waves.txt'") != std::string::npos);
    }
    // The iATU was verilated with FST tracing: a .vcd file is refused, naming the format.
    try {
        b->iatu.island.open_waves("iatu_refused.vcd");
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("FST (--trace-fst)") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(iatu_run_dumps_fst_that_fst2vcd_reads) {
    const std::string fst = "test_waves_iatu.fst", vcd = "test_waves_iatu.vcd";
    std::remove(fst.c_str());
    std::remove(vcd.c_str());
    b->iatu.island.open_waves(fst);
    bool done = false;
    sc_core::sc_spawn([&] {
        BOOST_CHECK_EQUAL(b->iatu.write_reg(0x08, 0x10000), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(b->iatu.write_reg(0x10, 0x1FFFF), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(b->iatu.write_reg(0x14, 0x80000), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(b->iatu.write_reg(0x04, 0x80000000), tlm::TLM_OK_RESPONSE);
        const rtl_translation t = b->iatu.translate_outbound(0x10040);
        BOOST_CHECK(t.hit.hit);
        BOOST_CHECK_EQUAL(t.hit.address, 0x80040u);
        BOOST_CHECK_EQUAL(b->iatu.translate_inbound(0x5000, 0, 12, 0).status, tlm::TLM_OK_RESPONSE);
        done = true;
    });
    sc_core::sc_start();
    BOOST_REQUIRE(done);
    b->iatu.island.close_waves();
    std::ifstream probe(fst, std::ios::binary | std::ios::ate);
    BOOST_REQUIRE(probe.good());
    BOOST_CHECK_GT(static_cast<long>(probe.tellg()), 100L);
    const std::string tool = FST2VCD_PATH;
    if (tool.empty() || tool.find("NOTFOUND") != std::string::npos) {
        BOOST_TEST_MESSAGE("fst2vcd not found: the FST -> VCD round trip is skipped");
        return;
    }
    const std::string cmd = tool + " " + fst + " > " + vcd;
    BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
    const std::string text = slurp(vcd);
    for (const char* sig : {"paddr", "pwdata", "prdata", "ob_s_araddr", "ob_m_araddr",
                            "ob_m_aruser", "ib_s_aruser", "ib_m_araddr", "clk", "rst_n"})
        BOOST_CHECK_MESSAGE(text.find(sig) != std::string::npos, "VCD lacks " << sig);
    BOOST_CHECK(text.find("$enddefinitions") != std::string::npos);
    // The translated address 0x80040 appears as a value change on ob_m_araddr.
    BOOST_CHECK(text.find("b" + std::bitset<64>(0x80040).to_string() + " ") != std::string::npos);
    // The GTKWave save file names signals that exist in the dump.
    const std::string gtkw = slurp(std::string(WAVES_DIR) + "/dw_iatu.gtkw");
    BOOST_REQUIRE(!gtkw.empty());
    // Every signal the save file lists exists in the dump.
    std::istringstream lines(gtkw);
    unsigned listed = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("iatu.", 0) != 0) continue;
        const std::string name = line.substr(5, line.find('[') - 5);
        BOOST_CHECK_MESSAGE(text.find(" " + name + " ") != std::string::npos,
                            "dw_iatu.gtkw lists " << name << ", not in the dump");
        ++listed;
    }
    BOOST_CHECK_GT(listed, 50u);
}

BOOST_AUTO_TEST_CASE(sram_island_dumps_vcd) {
    const std::string vcd = "test_waves_sram.vcd";
    std::remove(vcd.c_str());
    auto m = make_axi_sram("sram");
    m->set_reset(true);
    m->open_waves(vcd);
    for (std::uint64_t t = 0; t < 10; ++t) {
        m->set_clock(t % 2);
        if (t == 4) m->set_reset(false);
        m->eval();
        m->dump_waves(t * 500);
    }
    m->close_waves();
    const std::string text = slurp(vcd);
    BOOST_CHECK(text.find("s_awaddr") != std::string::npos);
    BOOST_CHECK(text.find("#4500") != std::string::npos);
    try {
        m->open_waves("sram.fst");
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("'sram.fst'") != std::string::npos);
    }
}

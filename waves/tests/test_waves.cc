// Wave dumps of the RTL island: an iATU run dumped to FST (format picked from the file name)
// and round-tripped through fst2vcd, and the same run dumped to VCD directly by an iATU made
// before the format was known (re-made in the VCD flavour): both name the iATU's APB and AXI
// signals, with the same names, and the GTKWave save file's signals exist in both; the SRAM in
// both formats; wrong extensions, and a format other than the one a block has already run with,
// are refused with the file name in the message.
#define BOOST_TEST_MODULE waves
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "waves/vcd_signals.h"

// Verilator's headers (through rtl_trace.h) before SystemC's: see rtl-bridge/rtl_models.cc.
#include "waves/rtl_trace.h"

#include "rtl-bridge/rtl_iatu.h"

#include <algorithm>
#include <bitset>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tlm_utils/simple_target_socket.h>
#include <unistd.h>
#include <vector>

using namespace epvp::rtl;

namespace {

// The wave files go to a scratch folder of their own, removed at the end (not the folder the test
// runs in).
struct in_scratch_folder {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("epvp_test_waves_" + std::to_string(::getpid()));
    in_scratch_folder() {
        std::filesystem::create_directories(dir);
        std::filesystem::current_path(dir);
    }
    ~in_scratch_folder() {
        std::error_code ec;
        std::filesystem::current_path(std::filesystem::temp_directory_path(), ec);
        std::filesystem::remove_all(dir, ec);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(in_scratch_folder);

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

// Each bench names its iATU "iatu", so every dump has the same scope as waves/dw_iatu.gtkw.
struct bench : sc_core::sc_module {
    rtl_iatu iatu;
    ok_target ob, ib;
    explicit bench(sc_core::sc_module_name name)
        : sc_module(name)
        , iatu("iatu", rtl_iatu_params{iatu_geometries().at(0)})
        , ob("ob")
        , ib("ib") {
        iatu.ob_out.socket.bind(ob.socket);
        iatu.ib_out.socket.bind(ib.socket);
    }
};
// One iATU per dump (a block's trace flavour is fixed once it has run): all are made before
// the format is known, in the default flavour, as the platform makes its iATU.
bench* fst_bench = nullptr;
bench* vcd_bench = nullptr;
bench* idle_bench = nullptr; // never runs

struct fixture {
    fixture() {
        fst_bench = new bench("fst");
        vcd_bench = new bench("vcd");
        idle_bench = new bench("idle");
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

// Program window 0 (outbound 0x10000..0x1FFFF -> 0x80000) and translate in both directions.
void iatu_stimulus(rtl_iatu& iatu) {
    bool done = false;
    sc_core::sc_spawn([&] {
        BOOST_CHECK_EQUAL(iatu.write_reg(0x08, 0x10000), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(iatu.write_reg(0x10, 0x1FFFF), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(iatu.write_reg(0x14, 0x80000), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(iatu.write_reg(0x04, 0x80000000), tlm::TLM_OK_RESPONSE);
        const rtl_translation t = iatu.translate_outbound(0x10040);
        BOOST_CHECK(t.hit.hit);
        BOOST_CHECK_EQUAL(t.hit.address, 0x80040u);
        BOOST_CHECK_EQUAL(iatu.translate_inbound(0x5000, 0, 12, 0).status, tlm::TLM_OK_RESPONSE);
        done = true;
    });
    sc_core::sc_start();
    BOOST_REQUIRE(done);
}

using epvp::waves::declared_signals;

// The value a VCD gives a signal (the first one declared with that name) in its first dump:
// "0"/"1" for a bit, "b..." for a vector; empty if not found.
std::string first_value(const std::string& vcd, const std::string& name) {
    std::istringstream in(vcd.substr(0, vcd.find("$enddefinitions")));
    std::string id;
    for (std::string tok; id.empty() && in >> tok;)
        if (tok == "$var") {
            std::string type, width, code, n;
            in >> type >> width >> code >> n;
            if (n == name) id = code;
        }
    if (id.empty()) return "";
    const auto start = vcd.find("\n#", vcd.find("$enddefinitions"));
    if (start == std::string::npos) return "";
    const auto end = vcd.find("\n#", start + 2);
    std::istringstream dump(vcd.substr(start + 1, end == std::string::npos ? end : end - start));
    for (std::string line; std::getline(dump, line);) {
        if (line.size() > id.size() + 1 &&
            line.compare(line.size() - id.size(), id.size(), id) == 0 &&
            line[line.size() - id.size() - 1] == ' ')
            return line.substr(0, line.size() - id.size() - 1); // "b101 <id>"
        if (line == "0" + id || line == "1" + id) return line.substr(0, 1);
    }
    return "";
}

// Every signal a GTKWave save file lists (lines "<block>.<name>[range]", full hierarchical
// names as GTKWave matches them) is declared in the dump.
void check_gtkw(const std::string& text, const std::string& save_file, const std::string& prefix) {
    const std::string gtkw = slurp(std::string(WAVES_DIR) + "/" + save_file);
    BOOST_REQUIRE(!gtkw.empty());
    const std::vector<std::string> names = declared_signals(text);
    const std::set<std::string> declared(names.begin(), names.end());
    std::istringstream lines(gtkw);
    unsigned listed = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) != 0) continue;
        const std::string name = line.substr(0, line.find('['));
        BOOST_CHECK_MESSAGE(declared.count(name) == 1,
                            save_file << " lists " << name << ", not declared in the dump");
        ++listed;
    }
    BOOST_CHECK_GT(listed, 20u);
}

// What every dump of the iATU stimulus shows, whichever format it was written in (text: VCD).
void check_iatu_dump(const std::string& text, const std::string& what) {
    BOOST_TEST_CONTEXT(what) {
        for (const char* sig : {"paddr", "pwdata", "prdata", "ob_s_araddr", "ob_m_araddr",
                                "ob_m_aruser", "ib_s_aruser", "ib_m_araddr", "clk", "rst_n"})
            BOOST_CHECK_MESSAGE(text.find(" " + std::string(sig) + " ") != std::string::npos,
                                "VCD lacks " << sig);
        BOOST_CHECK(text.find("$enddefinitions") != std::string::npos);
        // The translated address 0x80040 appears as a value change on ob_m_araddr.
        BOOST_CHECK(text.find("b" + std::bitset<64>(0x80040).to_string() + " ") !=
                    std::string::npos);
        check_gtkw(text, "dw_iatu.gtkw", "iatu.");
    }
}

std::string fst_as_vcd; // the FST dump through fst2vcd (empty when fst2vcd is missing)

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
    // A block that has not run takes either format: it is re-made in the flavour the file needs.
    rtl_island& idle = idle_bench->iatu.island;
    BOOST_CHECK(idle_bench->iatu.rtl.wave_format() == epvp::waves::trace_format::fst);
    idle.open_waves("test_waves_idle.vcd");
    BOOST_CHECK(idle_bench->iatu.rtl.wave_format() == epvp::waves::trace_format::vcd);
    idle.close_waves();
    idle.open_waves("test_waves_idle.fst");
    BOOST_CHECK(idle_bench->iatu.rtl.wave_format() == epvp::waves::trace_format::fst);
    idle.close_waves();
    std::remove("test_waves_idle.vcd");
    std::remove("test_waves_idle.fst");
    // The factory makes the flavour asked for.
    BOOST_CHECK(
        make_dw_iatu("x", iatu_geometries().at(1), epvp::waves::trace_format::vcd)->wave_format() ==
        epvp::waves::trace_format::vcd);
    BOOST_CHECK(make_axi_sram("y", epvp::waves::trace_format::fst)->wave_format() ==
                epvp::waves::trace_format::fst);
}

BOOST_AUTO_TEST_CASE(iatu_run_dumps_fst_that_fst2vcd_reads) {
    const std::string fst = "test_waves_iatu.fst", vcd = "test_waves_iatu_fst2vcd.vcd";
    std::remove(fst.c_str());
    std::remove(vcd.c_str());
    fst_bench->iatu.island.open_waves(fst);
    BOOST_CHECK(fst_bench->iatu.rtl.wave_format() == epvp::waves::trace_format::fst);
    iatu_stimulus(fst_bench->iatu);
    fst_bench->iatu.island.close_waves();
    std::ifstream probe(fst, std::ios::binary | std::ios::ate);
    BOOST_REQUIRE(probe.good());
    BOOST_CHECK_GT(static_cast<long>(probe.tellg()), 100L);
    BOOST_CHECK(slurp(fst).rfind("$enddefinitions", 0) != 0); // binary, not VCD text
    const std::string tool = FST2VCD_PATH;
    if (tool.empty() || tool.find("NOTFOUND") != std::string::npos) {
        BOOST_TEST_MESSAGE("fst2vcd not found: the FST -> VCD round trip is skipped");
        return;
    }
    const std::string cmd = tool + " " + fst + " > " + vcd;
    BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
    fst_as_vcd = slurp(vcd);
    check_iatu_dump(fst_as_vcd, "FST through fst2vcd");
}

BOOST_AUTO_TEST_CASE(iatu_run_dumps_vcd_with_the_same_signals) {
    const std::string vcd = "test_waves_iatu_v.vcd";
    std::remove(vcd.c_str());
    // Made in the default (FST) flavour before the format was known, like the platform's iATU.
    BOOST_CHECK(vcd_bench->iatu.rtl.wave_format() == epvp::waves::trace_format::fst);
    vcd_bench->iatu.island.open_waves(vcd);
    BOOST_CHECK(vcd_bench->iatu.rtl.wave_format() == epvp::waves::trace_format::vcd);
    iatu_stimulus(vcd_bench->iatu); // the bridges and checkers follow the re-made block's pins
    vcd_bench->iatu.island.close_waves();
    const std::string text = slurp(vcd);
    BOOST_REQUIRE(text.rfind("$", 0) == 0); // VCD text
    check_iatu_dump(text, "VCD");
    // Same signals, same names as the FST dump (the save files load either).
    std::vector<std::string> names = declared_signals(text);
    BOOST_CHECK_GT(names.size(), 100u);
    if (fst_as_vcd.empty()) return;
    std::vector<std::string> fst_names = declared_signals(fst_as_vcd);
    std::sort(names.begin(), names.end());
    std::sort(fst_names.begin(), fst_names.end());
    BOOST_CHECK_EQUAL(names.size(), fst_names.size());
    BOOST_CHECK(names == fst_names);
    for (std::size_t i = 0; i < std::min(names.size(), fst_names.size()); ++i)
        if (names[i] != fst_names[i]) {
            BOOST_ERROR("first difference: VCD " << names[i] << ", FST " << fst_names[i]);
            break;
        }
}

BOOST_AUTO_TEST_CASE(a_block_that_has_run_keeps_its_format) {
    // fst_bench's iATU ran with FST tracing: VCD is refused, naming the file and the format.
    try {
        fst_bench->iatu.island.open_waves("iatu_refused.vcd");
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string m = e.what();
        BOOST_CHECK_MESSAGE(m.find("'iatu_refused.vcd'") != std::string::npos, m);
        BOOST_CHECK_MESSAGE(m.find("has already run as its FST build") != std::string::npos, m);
    }
    BOOST_CHECK(!std::ifstream("iatu_refused.vcd").good());
    // The same format again is fine.
    fst_bench->iatu.island.open_waves("test_waves_iatu_again.fst");
    fst_bench->iatu.island.close_waves();
    BOOST_CHECK(std::ifstream("test_waves_iatu_again.fst").good());
    std::remove("test_waves_iatu_again.fst");
}

void sram_cycles(axi_sram_model& m) {
    for (std::uint64_t t = 0; t < 10; ++t) {
        m.set_clock(t % 2);
        if (t == 4) m.set_reset(false);
        m.eval();
        m.dump_waves(t * 500);
    }
    m.close_waves();
}

BOOST_AUTO_TEST_CASE(sram_dumps_vcd_and_fst) {
    const std::string vcd = "test_waves_sram.vcd", fst = "test_waves_sram.fst";
    std::remove(vcd.c_str());
    std::remove(fst.c_str());
    auto m = make_axi_sram("sram");
    m->set_reset(true); // carried over when the block is re-made for VCD
    *m->stall = 5;
    m->open_waves(vcd);
    BOOST_CHECK(m->wave_format() == epvp::waves::trace_format::vcd);
    BOOST_CHECK_EQUAL(*m->stall, 5u);
    sram_cycles(*m);
    const std::string text = slurp(vcd);
    BOOST_CHECK(text.find(" s_awaddr ") != std::string::npos);
    BOOST_CHECK(text.find("#4500") != std::string::npos);
    // rst_n was low in the first dump (the reset carried over to the VCD instance), stall_i 5.
    BOOST_CHECK_EQUAL(first_value(text, "rst_n"), "0");
    BOOST_CHECK_EQUAL(first_value(text, "stall_i"), "b101");
    try {
        m->open_waves("sram.fst");
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("'sram.fst'") != std::string::npos);
        BOOST_CHECK(std::string(e.what()).find("VCD build") != std::string::npos);
    }
    auto f = make_axi_sram("sram", epvp::waves::trace_format::fst);
    f->set_reset(true);
    f->open_waves(fst);
    sram_cycles(*f);
    std::ifstream probe(fst, std::ios::binary | std::ios::ate);
    BOOST_REQUIRE(probe.good());
    BOOST_CHECK_GT(static_cast<long>(probe.tellg()), 100L);
    check_gtkw(text, "axi_sram.gtkw", "sram.");
    const std::string tool = FST2VCD_PATH;
    if (!tool.empty() && tool.find("NOTFOUND") == std::string::npos) {
        const std::string as_vcd = "test_waves_sram_fst2vcd.vcd";
        BOOST_REQUIRE_EQUAL(std::system((tool + " " + fst + " > " + as_vcd).c_str()), 0);
        check_gtkw(slurp(as_vcd), "axi_sram.gtkw", "sram.");
    }
    // Neither format takes another extension.
    try {
        f->open_waves("sram.wave");
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("'sram.wave'") != std::string::npos);
    }
}

// SoC presets (epsim --board, epsim boards), run as a user would run build/epsim: every shipped
// preset loads and is listed; the firmware's probe lines with a preset read what Linux prints on
// that SoC; a board file's `sources` must name exactly the keys it sets; the precedence is
// defaults < board < --config < --set; an installed epsim finds the presets beside it.
// Expected probe lines are the boot logs the presets cite (quoted below), printed by Linux
// drivers/pci/controller/dwc/pcie-designware.c with the format strings "iATU: unroll %s, %u ob,
// %u ib, align %uK, limit %lluG" (dw_pcie_iatu_detect) and "eDMA: unroll %s, %hu wr, %hu rd"
// (dw_pcie_edma_detect).
#define BOOST_TEST_MODULE boards
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <string>
#include <utility>

namespace {

using cli_test::contains;
using cli_test::run_epsim;

constexpr int exit_usage = 2;
const char* const quick_sweep = " --workload dma-sweep --set workload.dma_sweep.min_bytes=64 "
                                "--set workload.dma_sweep.max_bytes=64";

std::string dumped(const std::string& args) {
    auto r = run_epsim("config --dump " + args, false);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << ": " << r.out);
    return r.out;
}

unsigned link_gen(const std::string& args) {
    return nlohmann::json::parse(dumped(args)).at("link").at("gen").get<unsigned>();
}

// A minimal valid board: one key, its source.
const char* const good_board = R"({"description": "test board", "link": {"gen": 2},
                                   "sources": {"link.gen": "a test"}})";

} // namespace

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

BOOST_AUTO_TEST_CASE(boards_lists_every_shipped_preset) {
    auto r = run_epsim("boards", false);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << ": " << r.out);
    for (const char* name : {"rk3588 ", "tegra194 ", "rcar-s4 "})
        BOOST_TEST((contains(r.out, std::string("\n") + name) || r.out.rfind(name, 0) == 0), name);
}

// RK3588: "rockchip-dw-pcie a40000000.pcie: iATU: unroll T, 16 ob, 16 ib, align 64K, limit 8G"
// (<20231027145422.40265-6-nks@flawful.org>) and, in EP mode, "rockchip-dw-pcie
// a40000000.pcie-ep: eDMA: unroll T, 2 wr, 2 rd" (<aYtdEnZM5mnmcgtY@ryzen>).
BOOST_AUTO_TEST_CASE(rk3588_probe_lines_read_as_on_the_soc) {
    auto r = run_epsim(std::string("run --board rk3588 --log dwc") + quick_sweep, false);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << ": " << r.out);
    BOOST_TEST(contains(r.out, "dwc: iATU: unroll T, 16 ob, 16 ib, align 64K, limit 8G\n"));
    BOOST_TEST(contains(r.out, "dwc: eDMA: unroll T, 2 wr, 2 rd\n"));
    BOOST_TEST(contains(r.out, "[1d87:3588], link Gen3 x4"));
}

// Tegra194 C5: "Detected iATU regions: 8 outbound, 2 inbound" (<20201215205035.GB20914@suse.de>,
// the older two-line form of the same detection); eDMA 4 write, 2 read channels (NVIDIA's
// downstream tegra-pcie-edma.h). Align and limit are not published: not checked.
// The report names the preset a run started from (the name is the shipped file's,
// testbench/boards/rk3588.json); a run without --board has no `board`.
BOOST_AUTO_TEST_CASE(report_names_the_board) {
    const auto with = cli_test::work_dir() / "board-report.json";
    auto r = run_epsim("run --board rk3588 --report " + with.string() + quick_sweep, false);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << ": " << r.out);
    const auto rep = nlohmann::json::parse(cli_test::read_file(with));
    BOOST_TEST(rep.at("board").at("name") == "rk3588");
    BOOST_TEST(!rep.at("board").at("description").get<std::string>().empty());
    const auto without = cli_test::work_dir() / "no-board-report.json";
    r = run_epsim("run --report " + without.string() + quick_sweep, false);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << ": " << r.out);
    BOOST_TEST(!nlohmann::json::parse(cli_test::read_file(without)).contains("board"));
}

// RK3588's and R-Car S4's endpoints cannot assert INTx. RK3588: Linux pcie-dw-rockchip.c leaves
// pci_epc_features.intx_capable false, and the EP logs "EP cannot raise INTX IRQs" under pcitest
// (<20240607-rockchip-pcie-ep-v1-v5-0-0a042d6b0049@kernel.org>, whose pcitest run shows "SET IRQ
// TYPE TO LEGACY: OKAY" then "LEGACY IRQ: NOT OKAY"). R-Car S4: pcie-rcar-gen4.c passes INTx to
// the DWC core's dw_pcie_ep_raise_intx_irq, which logs the same line and returns -EINVAL.
// pci-epf-test leaves CAP_INTX clear, but the kselftest's LEGACY_IRQ_TEST does not look at it: it
// sets the INTx type (the function's Interrupt Pin is INTA) and expects the interrupt, so the
// test fails with a timeout on both, and the run exits 1. Without a preset, and with tegra194's
// (tegra_pcie_ep_raise_intx_irq: INTA), it passes.
BOOST_AUTO_TEST_CASE(rk3588_and_rcar_s4_have_no_intx) {
    const auto legacy_irq_test = [](const std::string& args, int want_status) {
        auto r = run_epsim("run" + args);
        BOOST_REQUIRE_MESSAGE(r.status == want_status, "exit " << r.status << ": " << r.out);
        BOOST_REQUIRE_MESSAGE(r.report.contains("tests"), r.out);
        for (const auto& t : r.report.at("tests"))
            if (t.at("name") == "pci_ep_basic.LEGACY_IRQ_TEST") return t;
        return nlohmann::json();
    };
    for (const char* board : {" --board rk3588", " --board rcar-s4"}) {
        const auto t = legacy_irq_test(board, 1);
        BOOST_REQUIRE_MESSAGE(t.is_object(), board);
        BOOST_TEST(t.at("result") == "FAIL", board);
        BOOST_TEST(contains(t.at("reason").get<std::string>(), "ETIMEDOUT"), board);
    }
    BOOST_TEST(legacy_irq_test("", 0).at("result") == "PASS");
    BOOST_TEST(legacy_irq_test(" --board tegra194", 1).at("result") == "PASS");
}

BOOST_AUTO_TEST_CASE(tegra194_probe_counts_read_as_on_the_soc) {
    auto r = run_epsim(std::string("run --board tegra194 --log dwc") + quick_sweep, false);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << ": " << r.out);
    BOOST_TEST(contains(r.out, "dwc: iATU: unroll T, 8 ob, 2 ib, align "));
    BOOST_TEST(contains(r.out, "dwc: eDMA: unroll T, 4 wr, 2 rd\n"));
    BOOST_TEST(contains(r.out, "link Gen4 x8"));
}

BOOST_AUTO_TEST_CASE(precedence_defaults_board_config_set) {
    const auto cfg = cli_test::write_file("gen1.json", R"({"link": {"gen": 1}})");
    BOOST_TEST(link_gen("") == 3u); // the default (link.gen in testbench/config/declarations.cc)
    BOOST_TEST(link_gen("--board tegra194") == 4u);
    BOOST_TEST(link_gen("--board tegra194 --config " + cfg.string()) == 1u);
    BOOST_TEST(link_gen("--board tegra194 --config " + cfg.string() + " --set link.gen=5") == 5u);
    // A key the board does not set keeps the default; one it sets survives a --config without it.
    BOOST_TEST(contains(dumped("--board tegra194 --set link.mps=128"), "\"width\": 8"));
}

BOOST_AUTO_TEST_CASE(a_users_own_board_file) {
    const auto f = cli_test::write_file("mine.json", good_board);
    BOOST_TEST(link_gen("--board " + f.string()) == 2u);
}

BOOST_AUTO_TEST_CASE(sources_name_exactly_the_keys_set) {
    const auto missing = cli_test::write_file(
        "missing.json",
        R"({"description": "d", "link": {"gen": 2, "width": 8}, "sources": {"link.gen": "x"}})");
    auto r = run_epsim("config --dump --board " + missing.string(), false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "link.width has no entry in \"sources\""), r.out);

    const auto extra =
        cli_test::write_file("extra.json", R"({"description": "d", "link": {"gen": 2},
                          "sources": {"link.gen": "x", "link.mps": "y"}})");
    r = run_epsim("config --dump --board " + extra.string(), false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "sources.link.mps: the board does not set this key"), r.out);

    const auto empty = cli_test::write_file(
        "empty.json", R"({"description": "d", "link": {"gen": 2}, "sources": {"link.gen": ""}})");
    r = run_epsim("config --dump --board " + empty.string(), false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "sources.link.gen must be a non-empty string"), r.out);

    const auto nodesc = cli_test::write_file(
        "nodesc.json", R"({"link": {"gen": 2}, "sources": {"link.gen": "x"}})");
    r = run_epsim("config --dump --board " + nodesc.string(), false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "\"description\" must be a non-empty string"), r.out);

    // An invalid value in a board is named with the board's path.
    const auto bad = cli_test::write_file(
        "bad.json", R"({"description": "d", "link": {"gen": 9}, "sources": {"link.gen": "x"}})");
    r = run_epsim("config --dump --board " + bad.string(), false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "bad.json: link.gen = 9"), r.out);
}

// `sources` and `description` belong in board files only: a --config file with them is rejected.
BOOST_AUTO_TEST_CASE(sources_are_refused_in_a_config_file) {
    const auto f = cli_test::write_file("as_config.json", good_board);
    auto r = run_epsim("config --dump --config " + f.string(), false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "unknown key"), r.out);
}

BOOST_AUTO_TEST_CASE(unknown_board_names_the_known_ones) {
    auto r = run_epsim("run --board no-such-soc", false);
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "--board no-such-soc: no such board (known: rcar-s4, rk3588, "
                               "tegra194"),
               r.out);
}

// A broken preset in $EPVP_BOARD_DIR: `epsim boards` names that file and exits 2, and a
// mistyped --board name is still "no such board" with the names known, not that file's error.
BOOST_AUTO_TEST_CASE(a_broken_preset_is_named_and_does_not_hide_the_others) {
    namespace fs = std::filesystem;
    const fs::path dir = cli_test::work_dir() / "boards_dir";
    fs::create_directories(dir);
    cli_test::write_file("boards_dir/broken.json", R"({"description": "x", "link": {"gen": 9},
                                                        "sources": {"link.gen": "a test"}})");
    const std::string env = "EPVP_BOARD_DIR=" + dir.string() + " ";
    auto r = cli_test::run_captured(env + EPSIM_PATH + " boards");
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "broken.json"), r.out);
    r = cli_test::run_captured(env + EPSIM_PATH + " run --board rk358");
    BOOST_TEST(r.status == exit_usage);
    BOOST_TEST(contains(r.out, "--board rk358: no such board (known: broken, rcar-s4, rk3588"),
               r.out);
    r = cli_test::run_captured(env + EPSIM_PATH + " config --dump --board rk3588");
    BOOST_TEST(r.status == 0, r.out);
}

// An installed layout, PREFIX/bin/epsim beside PREFIX/share/pcie_ep_vp/boards, finds the presets
// with no build tree around (the copy of epsim has no presets next to it, only one level up).
BOOST_AUTO_TEST_CASE(installed_epsim_finds_the_presets) {
    namespace fs = std::filesystem;
    const fs::path prefix = cli_test::work_dir() / "prefix";
    fs::create_directories(prefix / "bin");
    fs::create_directories(prefix / "share/pcie_ep_vp/boards");
    fs::copy_file(EPSIM_PATH, prefix / "bin/epsim");
    fs::permissions(prefix / "bin/epsim", fs::perms::owner_exec, fs::perm_options::add);
    const fs::path shipped = fs::path(EPSIM_PATH).parent_path() / "share/pcie_ep_vp/boards";
    for (const auto& e : fs::directory_iterator(shipped))
        fs::copy_file(e.path(), prefix / "share/pcie_ep_vp/boards" / e.path().filename());
    auto r = cli_test::run_captured((prefix / "bin/epsim").string() + " boards");
    BOOST_TEST(r.status == 0);
    BOOST_TEST(contains(r.out, "rk3588 "), r.out);
    r = cli_test::run_captured((prefix / "bin/epsim").string() + " config --dump --board rk3588");
    BOOST_TEST(r.status == 0, r.out);
}

// The DWC endpoint controller model through its ports: DBI register reset values and masks
// (expected values written by hand from the reference and the PCI specification, not read
// from the model's tables), DBI_RO_WR_EN gating, W1C, BAR sizing through DBI2, Resizable BAR,
// configuration requests from the wire (CRS while APP_CTRL.REQ_RETRY_EN is set), inbound memory
// requests through BAR match and the inbound iATU (miss policy passthrough / UR), the LTSSM.
#define BOOST_TEST_MODULE dwc_ep
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/core/log.h"
#include "model/core/sparse_memory.h"
#include "model/dwc/dw_pcie_ep.h"
#include "model/pcie/tlp.h"
#include "testbench/tests/tlm_test_util.h"

#include <cstring>
#include <memory>
#include <sstream>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

using namespace epvp;
using pcie::cpl_status;
using pcie::tlp_type;

namespace {

constexpr std::uint32_t dbi2_off = 0x1000;
constexpr std::uint32_t atu_off = 0x300000;
constexpr std::uint64_t mem_bytes = 16ull << 20;

struct completion {
    tlp_type type;
    cpl_status status;
    std::vector<unsigned char> data;
    std::uint64_t addr = 0;
    std::uint16_t byte_count = 0;
    std::uint8_t lower_addr = 0;
};

// One controller with stubs on every port: the test drives DBI, glue and TLPs directly.
struct harness : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<harness> dbi_s, app_s, rx_s, aperture_s;
    tlm_utils::simple_target_socket<harness> tx_t, axi_t;
    sc_core::sc_signal<bool> irq, edma_irq;
    dwc::dw_pcie_ep ep;
    sparse_memory mem{mem_bytes};
    std::vector<completion> cpls;
    std::uint16_t next_tag = 0;
    sc_core::sc_time axi_latency = sc_core::sc_time(100, sc_core::SC_NS);

    harness(sc_core::sc_module_name n, const dwc::dw_pcie_ep_params& p)
        : sc_module(n)
        , dbi_s("dbi_s")
        , app_s("app_s")
        , rx_s("rx_s")
        , aperture_s("aperture_s")
        , tx_t("tx_t")
        , axi_t("axi_t")
        , ep("ep", p) {
        dbi_s.bind(ep.dbi);
        app_s.bind(ep.app);
        rx_s.bind(ep.pcie_rx);
        aperture_s.bind(ep.axi_s);
        ep.pcie_tx.bind(tx_t);
        ep.axi_m.bind(axi_t);
        ep.app_irq.bind(irq);
        ep.edma_irq.bind(edma_irq);
        tx_t.register_b_transport(this, &harness::tx);
        axi_t.register_b_transport(this, &harness::axi);
    }
    void tx(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
        auto& t = pcie::tlp_of(gp);
        cpls.push_back({t.type, t.status,
                        std::vector<unsigned char>(gp.get_data_ptr(),
                                                   gp.get_data_ptr() + gp.get_data_length()),
                        gp.get_address(), t.byte_count, t.lower_addr});
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    void axi(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        delay += axi_latency;
        if (!mem.in_range(gp.get_address(), gp.get_data_length())) {
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (gp.is_read())
            mem.read(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
        else
            mem.write(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }

    tlm::tlm_response_status bus(tlm_utils::simple_initiator_socket<harness>& s, bool write,
                                 std::uint64_t addr, void* data, unsigned len) {
        return tlm_test::access(s, write, addr, data, len);
    }
    std::uint32_t dbi_rd(std::uint32_t off) {
        std::uint32_t v = 0xDEADBEEF;
        BOOST_REQUIRE_EQUAL(bus(dbi_s, false, off, &v, 4), tlm::TLM_OK_RESPONSE);
        return v;
    }
    void dbi_wr(std::uint32_t off, std::uint32_t v) {
        BOOST_REQUIRE_EQUAL(bus(dbi_s, true, off, &v, 4), tlm::TLM_OK_RESPONSE);
    }
    std::uint32_t app_rd(std::uint32_t off) {
        std::uint32_t v = 0xDEADBEEF;
        BOOST_REQUIRE_EQUAL(bus(app_s, false, off, &v, 4), tlm::TLM_OK_RESPONSE);
        return v;
    }
    void app_wr(std::uint32_t off, std::uint32_t v) {
        BOOST_REQUIRE_EQUAL(bus(app_s, true, off, &v, 4), tlm::TLM_OK_RESPONSE);
    }
    void ro_wr_en(bool on) { dbi_wr(0x8BC, on ? 1 : 0); }

    // Sends one TLP and returns the completions it produced.
    std::vector<completion> tlp(tlp_type type, std::uint64_t addr, void* data, unsigned len,
                                std::uint8_t first_be = 0xF) {
        pcie::pcie_tlp ext;
        ext.type = type;
        ext.requester_id = 0x0000;
        ext.tag = next_tag++ & 0xFF;
        ext.target_id = pcie::make_bdf(1, 0, 0);
        ext.first_be = first_be;
        return send(ext, addr, data, len);
    }
    // Sends one TLP with every header field as given.
    std::vector<completion> send(pcie::pcie_tlp ext, std::uint64_t addr, void* data, unsigned len) {
        cpls.clear();
        const tlp_type type = ext.type;
        tlm::tlm_generic_payload gp;
        gp.set_command(pcie::has_data(type) ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        gp.set_extension(&ext);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        rx_s->b_transport(gp, d);
        gp.clear_extension(&ext);
        BOOST_REQUIRE_EQUAL(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
        return cpls;
    }
    std::uint32_t cfg_rd(std::uint32_t off, cpl_status expect = cpl_status::sc) {
        std::uint32_t dummy = 0;
        auto c = tlp(tlp_type::cfgrd0, off, &dummy, 4);
        BOOST_REQUIRE_EQUAL(c.size(), 1u);
        BOOST_REQUIRE(c[0].status == expect);
        if (expect != cpl_status::sc) return 0;
        BOOST_REQUIRE(c[0].type == tlp_type::cpld);
        BOOST_REQUIRE_EQUAL(c[0].data.size(), 4u);
        std::uint32_t v;
        std::memcpy(&v, c[0].data.data(), 4);
        return v;
    }
    void cfg_wr(std::uint32_t off, std::uint32_t v, std::uint8_t be = 0xF) {
        auto c = tlp(tlp_type::cfgwr0, off, &v, 4, be);
        BOOST_REQUIRE_EQUAL(c.size(), 1u);
        BOOST_REQUIRE(c[0].type == tlp_type::cpl);
        BOOST_REQUIRE(c[0].status == cpl_status::sc);
    }
    void ready() { app_wr(0x0, 0); } // clear REQ_RETRY_EN: configuration requests are served
};

dwc::dw_pcie_ep_params base_params() {
    dwc::dw_pcie_ep_params p;
    p.dbi.version_number = 0x3534302a; // "540*"
    p.dbi.version_type = 0x6561302a;
    p.dbi.max_gen = 3;
    p.dbi.max_width = 4;
    p.dbi.mps_supported_bytes = 256;
    p.iatu = dwc::iatu_params{8, 8, 4096, 1ull << 40, true, true};
    p.training_time = sc_core::sc_time(20, sc_core::SC_US);
    p.dbi_access = sc_core::SC_ZERO_TIME;
    return p;
}

harness* h_default = nullptr; // 5.40a, unrolled iATU, passthrough
harness* h_ur = nullptr;      // miss policy UR, BAR2 resizable, BAR4 fixed 64 KiB
harness* h_470 = nullptr;     // 4.70a: viewport iATU
harness* h_ltssm = nullptr;   // used only by the LTSSM test
harness* h_msix = nullptr;    // MSI-X doorbell (brought to L0 by its test)
harness* h_aer = nullptr;     // AER header log, completion splitting

struct platform_fixture {
    platform_fixture() {
        logger::get().set_stream(&sink);
        h_default = new harness("h_default", base_params());
        auto p = base_params();
        p.miss_is_ur = true;
        p.dbi.bars[2].kind = dwc::bar_kind::resizable;
        p.dbi.bars[4].kind = dwc::bar_kind::fixed;
        p.dbi.bars[4].fixed_size = 65536;
        h_ur = new harness("h_ur", p);
        auto v = base_params();
        v.dbi.version_number = 0;
        v.iatu = dwc::iatu_params{4, 2, 65536, 1ull << 32, false, true};
        h_470 = new harness("h_470", v);
        h_ltssm = new harness("h_ltssm", base_params());
        h_msix = new harness("h_msix", base_params());
        h_aer = new harness("h_aer", base_params());
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
    std::ostringstream sink;
};
BOOST_TEST_GLOBAL_FIXTURE(platform_fixture);

} // namespace

// Reset values of the default controller, from the reference (capability layout of DWC
// cores, LINK_MODE encodings, version registers) and the PCI specification.
// PORT_DEBUG0's LTSSM codes, counted from Linux's enum dw_pcie_ltssm
// (drivers/pci/controller/dwc/pcie-designware.h): DETECT_QUIET, DETECT_ACT, POLL_ACTIVE,
// POLL_COMPLIANCE, POLL_CONFIG, PRE_DETECT_QUIET, DETECT_WAIT, CFG_LINKWD_START (7),
// CFG_LINKWD_ACEPT, CFG_LANENUM_WAI, CFG_LANENUM_ACEPT, CFG_COMPLETE (0xB), CFG_IDLE (0xC),
// RCVRY_LOCK (0xD), RCVRY_SPEED, RCVRY_RCVRCFG, RCVRY_IDLE, L0 (0x11), ..., HOT_RESET (0x1F).
BOOST_AUTO_TEST_CASE(ltssm_codes_follow_the_linux_enum) {
    using epvp::dwc::ltssm;
    const std::pair<ltssm, unsigned> codes[] = {
        {ltssm::detect_quiet, 0x00},  {ltssm::detect_act, 0x01},
        {ltssm::pol_active, 0x02},    {ltssm::pol_compliance, 0x03},
        {ltssm::pol_config, 0x04},    {ltssm::cfg_linkwd_start, 0x07},
        {ltssm::cfg_complete, 0x0B},  {ltssm::cfg_idle, 0x0C},
        {ltssm::recovery_lock, 0x0D}, {ltssm::l0, 0x11},
        {ltssm::hot_reset, 0x1F}};
    for (const auto& [state, code] : codes)
        BOOST_TEST(static_cast<unsigned>(state) == code, epvp::dwc::to_string(state));
}

BOOST_AUTO_TEST_CASE(dbi_reset_values) {
    struct row {
        std::uint32_t off;
        std::uint32_t mask; // bits compared
        std::uint32_t value;
        const char* what;
    };
    const row rows[] = {
        {0x000, 0x0000FFFF, 0x000016C3, "Vendor ID: Synopsys"},
        {0x004, 0xFFFF0000, 0x00100000, "Status: Capabilities List only"},
        {0x004, 0x0000FFFF, 0x00000000, "Command: everything disabled"},
        {0x00C, 0x007F0000, 0x00000000, "Header Type 0 (endpoint)"},
        {0x034, 0x000000FF, 0x00000040, "Capabilities Pointer -> PM at 0x40"},
        {0x03C, 0x0000FF00, 0x00000100, "Interrupt Pin INTA"},
        {0x040, 0x0000FFFF, 0x00005001, "PM cap, next MSI at 0x50"},
        {0x050, 0x00FFFFFF, 0x00807005, "MSI cap, next PCIe at 0x70, 64-bit, MMC 1 vector"},
        {0x070, 0x00FFFFFF, 0x0002B010, "PCIe cap v2, endpoint, next MSI-X at 0xB0"},
        {0x074, 0x00000007, 0x00000001, "DevCap: MPS supported 256 B"},
        {0x07C, 0x000003FF, 0x00000043, "LnkCap: Gen3, x4"},
        {0x0B0, 0xC000FFFF, 0x00000011, "MSI-X cap, end of list, disabled"},
        {0x100, 0x000FFFFF, 0x00020001, "AER extended capability v2"},
        {0x710, 0x003F0000, 0x00070000, "PORT_LINK_CONTROL.LINK_MODE x4"},
        {0x728, 0x0000003F, 0x00000000, "PORT_DEBUG0: LTSSM in Detect.Quiet"},
        {0x72C, 0x20000010, 0x00000000, "PORT_DEBUG1: no link"},
        {0x8BC, 0x00000001, 0x00000000, "MISC_CONTROL_1.DBI_RO_WR_EN clear"},
        {0x8F8, 0xFFFFFFFF, 0x3534302a, "VERSION_NUMBER 5.40a"},
        {0x900, 0xFFFFFFFF, 0xFFFFFFFF, "ATU viewport reads all-ones on an unrolled core"},
    };
    for (const auto& r : rows)
        BOOST_CHECK_MESSAGE((h_default->dbi_rd(r.off) & r.mask) == r.value,
                            r.what << ": DBI " << std::hex << r.off << " = "
                                   << h_default->dbi_rd(r.off));
    // All BARs disabled in DBI2 at reset except what the integration wires.
    for (unsigned b = 0; b < 6; ++b)
        BOOST_CHECK_EQUAL(h_default->dbi_rd(dbi2_off + 0x10 + 4 * b) & 1u, 0u);
    // Cores before 4.70a have no version registers.
    BOOST_CHECK_EQUAL(h_470->dbi_rd(0x8F8), 0u);
    BOOST_CHECK_NE(h_470->dbi_rd(0x900), 0xFFFFFFFFu);
}

// Port logic registers are plain read/write through DBI: Linux's dw_pcie_setup and glue drivers
// write PORT_LINK_CONTROL (0x710) and GEN2_CTRL (0x80C, PCIE_LINK_WIDTH_SPEED_CONTROL) without
// DBI_RO_WR_EN; writes from the link do not reach them.
BOOST_AUTO_TEST_CASE(port_logic_is_dbi_writable_without_ro_wr_en) {
    harness& h = *h_default;
    const std::uint32_t gen2 = h.dbi_rd(0x80C);
    h.dbi_wr(0x80C, gen2 | (1u << 17)); // SPEED_CHANGE (PORT_LOGIC_SPEED_CHANGE)
    BOOST_CHECK_EQUAL(h.dbi_rd(0x80C), gen2 | (1u << 17));
    h.dbi_wr(0x80C, gen2);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x80C), gen2);
    const std::uint32_t plc = h.dbi_rd(0x710);
    h.dbi_wr(0x710, plc | (1u << 7)); // bit 7 (FAST_LINK_MODE in Linux): stored
    BOOST_CHECK_EQUAL(h.dbi_rd(0x710), plc | (1u << 7));
    h.dbi_wr(0x710, plc);
}

BOOST_AUTO_TEST_CASE(ro_wr_en_gates_read_only_fields) {
    harness& h = *h_default;
    const std::uint32_t before = h.dbi_rd(0x000);
    const auto guest_errors = logger::get().count(log_kind::guest_error);
    h.dbi_wr(0x000, 0x1234ABCD);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x000), before);
    BOOST_CHECK_EQUAL(logger::get().count(log_kind::guest_error), guest_errors + 1);
    h.ro_wr_en(true);
    h.dbi_wr(0x000, 0x1234ABCD);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x000), 0x1234ABCDu);
    // The host can never write the IDs, whatever DBI_RO_WR_EN says.
    h.ready();
    h.cfg_wr(0x000, 0x55555555);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x000), 0x1234ABCDu);
    h.dbi_wr(0x000, before);
    h.ro_wr_en(false);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x000), before);
    // MSI Multiple Message Capable is read-only to the host, RO_WR_EN-writable by DBI.
    h.cfg_wr(0x050, 0x000E0000);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x050) & 0x000E0000u, 0u);
    // Command register bits are writable from the wire; reserved bits are not.
    h.cfg_wr(0x004, 0x0000FFFF, 0x3);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x004) & 0xFFFFu, 0x0547u);
    h.cfg_wr(0x004, 0, 0x3);
}

BOOST_AUTO_TEST_CASE(bar_sizing_through_dbi2) {
    harness& h = *h_default;
    h.ready();
    h.ro_wr_en(true);
    h.dbi_wr(dbi2_off + 0x10, 0x0000FFFF); // BAR0: 64 KiB, enabled
    h.dbi_wr(0x010, 0x0);                  // 32-bit memory BAR
    h.dbi_wr(dbi2_off + 0x18, 0xFFFFFFFF); // BAR2: 8 GiB, 64-bit: lower mask
    h.dbi_wr(0x018, 0x4);
    h.dbi_wr(dbi2_off + 0x1C, 0x00000001); // upper mask
    h.dbi_wr(0x01C, 0x0);
    h.ro_wr_en(false);
    h.cfg_wr(0x010, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x010), 0xFFFF0000u);
    h.cfg_wr(0x018, 0xFFFFFFFF);
    h.cfg_wr(0x01C, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x018), 0x00000004u);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x01C), 0xFFFFFFFEu);
    BOOST_CHECK_EQUAL(h.ep.bar_size(2), 8ull << 30);
    BOOST_CHECK_EQUAL(h.ep.bar_size(3), 0u); // upper half of BAR2
    // A disabled BAR reads 0 and ignores writes.
    h.cfg_wr(0x014, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x014), 0u);
    h.cfg_wr(0x010, 0xC0000000);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x010), 0xC0000000u);
    BOOST_CHECK_EQUAL(h.ep.bar_address(0), 0xC0000000u);
}

BOOST_AUTO_TEST_CASE(resizable_and_fixed_bars) {
    harness& h = *h_ur;
    h.ready();
    // Resizable BAR capability follows AER at 0x148 and lists BAR2.
    BOOST_CHECK_EQUAL(h.dbi_rd(0x100) >> 20, 0x148u);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x148) & 0xFFFFu, 0x0015u);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x150) & 0x7u, 2u);        // BAR index
    BOOST_CHECK_EQUAL((h.dbi_rd(0x150) >> 5) & 0x7u, 1u); // one resizable BAR
    h.ro_wr_en(true);
    h.dbi_wr(dbi2_off + 0x18, 1); // DBI2 = BIT(0): the size comes from REBAR
    h.dbi_wr(0x018, 0);
    h.dbi_wr(0x14C, 1u << 6); // REBAR_CAP: 4 MB only -> selected size 2
    h.ro_wr_en(false);
    BOOST_CHECK_EQUAL((h.dbi_rd(0x150) >> 8) & 0x3Fu, 2u);
    h.cfg_wr(0x018, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x018), 0xFFC00000u);
    // REBAR_CTRL bits 31:16 are supported sizes (256 TB..8 EB): a host write leaves them (Linux
    // dw_pcie_ep_set_bar_resizable clears them through DBI under DBI_RO_WR_EN).
    const std::uint32_t rebar_ctrl = h.dbi_rd(0x150);
    h.cfg_wr(0x150, rebar_ctrl | 0xFFFF0000u);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x150), rebar_ctrl);
    // Fixed BAR4 of 64 KiB: the mask is hard-wired; only the enable bit takes a write.
    BOOST_CHECK_EQUAL(h.dbi_rd(dbi2_off + 0x20), 0x0000FFFFu);
    h.dbi_wr(dbi2_off + 0x20, 0x00FFFFFF);
    BOOST_CHECK_EQUAL(h.dbi_rd(dbi2_off + 0x20), 0x0000FFFFu);
    h.cfg_wr(0x020, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(h.cfg_rd(0x020), 0xFFFF0000u);
}

BOOST_AUTO_TEST_CASE(config_retry_while_not_ready) {
    harness& h = *h_default;
    h.app_wr(0x0, 0x2); // REQ_RETRY_EN
    const auto before = h.ep.stats().crs_completions;
    h.cfg_rd(0x000, cpl_status::crs);
    std::uint32_t v = 0x12345678;
    auto c = h.tlp(tlp_type::cfgwr0, 0x3C, &v, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::crs);
    BOOST_CHECK_EQUAL(h.ep.stats().crs_completions, before + 2);
    h.ready();
    BOOST_CHECK_EQUAL(h.cfg_rd(0x000) & 0xFFFFu, 0x16C3u);
    // Type 1 configuration requests are not for an endpoint.
    auto t1 = h.tlp(tlp_type::cfgrd1, 0x0, &v, 4);
    BOOST_REQUIRE_EQUAL(t1.size(), 1u);
    BOOST_CHECK(t1[0].status == cpl_status::ur);
}

BOOST_AUTO_TEST_CASE(inbound_memory_through_bar_match) {
    harness& h = *h_default;
    h.ready();
    h.ro_wr_en(true);
    h.dbi_wr(dbi2_off + 0x10, 0x0000FFFF);
    h.dbi_wr(0x010, 0x0);
    h.ro_wr_en(false);
    h.cfg_wr(0x010, 0xC0000000);
    // Inbound region 0: BAR-match BAR0 -> local 0x100000.
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x00100000);
    h.dbi_wr(atu_off + 0x100 + 0x18, 0x0);
    h.dbi_wr(atu_off + 0x100 + 0x00, 0x0);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0xC0080000);
    BOOST_CHECK_EQUAL(h.dbi_rd(atu_off + 0x100 + 0x04), 0xC0080000u);
    // Memory space disabled: UR.
    h.cfg_wr(0x004, 0x0, 0x3);
    std::uint32_t d = 0;
    auto c = h.tlp(tlp_type::mrd, 0xC0000010, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::ur);
    h.cfg_wr(0x004, 0x6, 0x3);
    std::uint32_t w = 0xA5A5F00D;
    BOOST_CHECK(h.tlp(tlp_type::mwr, 0xC0000010, &w, 4).empty()); // posted: no completion
    std::uint32_t stored = 0;
    h.mem.read(0x100010, &stored, 4);
    BOOST_CHECK_EQUAL(stored, 0xA5A5F00Du);
    c = h.tlp(tlp_type::mrd, 0xC0000010, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].type == tlp_type::cpld);
    BOOST_CHECK(c[0].status == cpl_status::sc);
    std::uint32_t got;
    std::memcpy(&got, c[0].data.data(), 4);
    BOOST_CHECK_EQUAL(got, 0xA5A5F00Du);
    // An address no BAR claims: UR.
    c = h.tlp(tlp_type::mrd, 0xD0000000, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::ur);
    // A 512-byte read with MPS 128 (DevCtl reset) and RCB 64 comes back as four completions.
    std::vector<unsigned char> buf(512);
    c = h.tlp(tlp_type::mrd, 0xC0000000, buf.data(), 512);
    BOOST_CHECK_EQUAL(c.size(), 4u);
}

BOOST_AUTO_TEST_CASE(iatu_miss_policies) {
    // Passthrough (default): the untranslated address is used and the log says so.
    harness& p = *h_default;
    p.ready();
    p.dbi_wr(atu_off + 0x100 + 0x04, 0x0); // disable the BAR0 window
    const auto warnings = logger::get().count(log_kind::warning);
    std::uint32_t w = 0x11223344;
    p.cfg_wr(0x010, 0x00200000); // BAR0 at a PCI address that is also local memory
    p.cfg_wr(0x004, 0x6, 0x3);
    BOOST_CHECK(p.tlp(tlp_type::mwr, 0x00200040, &w, 4).empty());
    std::uint32_t stored = 0;
    p.mem.read(0x00200040, &stored, 4);
    BOOST_CHECK_EQUAL(stored, 0x11223344u);
    BOOST_CHECK_EQUAL(logger::get().count(log_kind::warning), warnings + 1);
    BOOST_CHECK(logger::get().problems().back().find("passed through untranslated") !=
                std::string::npos);
    // UR policy: a BAR hit with no window is an Unsupported Request.
    harness& u = *h_ur;
    u.ready();
    u.ro_wr_en(true);
    u.dbi_wr(dbi2_off + 0x10, 0x0000FFFF);
    u.ro_wr_en(false);
    u.cfg_wr(0x010, 0xC0000000);
    u.cfg_wr(0x004, 0x6, 0x3);
    std::uint32_t d = 0;
    const auto misses = u.ep.stats().iatu_misses;
    auto c = u.tlp(tlp_type::mrd, 0xC0000100, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::ur);
    BOOST_CHECK_EQUAL(u.ep.stats().iatu_misses, misses + 1);
}

BOOST_AUTO_TEST_CASE(axi_error_becomes_completer_abort) {
    harness& h = *h_default;
    h.ready();
    h.ro_wr_en(true);
    h.dbi_wr(dbi2_off + 0x10, 0x0000FFFF);
    h.ro_wr_en(false);
    h.cfg_wr(0x010, 0xC0000000);
    h.cfg_wr(0x004, 0x6, 0x3);
    // Inbound window to a local address beyond the memory: the AXI read fails.
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x40000000);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0xC0080000);
    std::uint32_t d = 0;
    auto c = h.tlp(tlp_type::mrd, 0xC0000000, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::ca);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0x0);
}

BOOST_AUTO_TEST_CASE(viewport_iatu_on_470a) {
    harness& h = *h_470;
    h.dbi_wr(0x900, 0xFF);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x900), 3u); // 4 windows: 2 index bits
    h.dbi_wr(0x900, 0x80000001);            // inbound region 1
    h.dbi_wr(0x904 + 0x14, 0x11110000);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x904 + 0x14), 0x11110000u);
    h.dbi_wr(0x900, 0x80000002); // inbound region 2 does not exist (2 inbound windows)
    h.dbi_wr(0x904 + 0x14, 0x11110000);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x904 + 0x14), 0u);
    h.dbi_wr(0x900, 0x0);
    h.dbi_wr(0x904 + 0x10, 0x0);
    BOOST_CHECK_EQUAL(h.dbi_rd(0x904 + 0x10), 0xFFFFu); // 64 KiB alignment
    // The unrolled space is not decoded on a viewport core.
    BOOST_CHECK_EQUAL(h.dbi_rd(atu_off + 0x14), 0u);
}

// A byte or halfword DBI write to an iATU register changes only the bytes it enables, in both
// layouts (the DBI slave takes byte enables); it once stored the lane-shifted value whole, so a
// byte write to CTRL2's top byte cleared BAR mode and the BAR number. Unrolled: region 0 inbound at
// 0x300000 + 0x100 (CTRL2 at +0x04, UPPER_TARGET at +0x18); viewport: 0x900 selects, the window
// at 0x904 (Linux pcie-designware.h).
BOOST_AUTO_TEST_CASE(byte_writes_to_iatu_registers_keep_the_other_bytes) {
    for (harness* hp : {h_default, h_470}) {
        harness& h = *hp;
        const bool unrolled = hp == h_default;
        const std::uint32_t ctrl2 = unrolled ? atu_off + 0x100 + 0x04 : 0x904 + 0x04;
        const std::uint32_t target = unrolled ? atu_off + 0x100 + 0x18 : 0x904 + 0x18;
        if (!unrolled) h.dbi_wr(0x900, 0x80000000); // inbound region 0
        h.dbi_wr(ctrl2, 0x40000200);                // BAR mode, BAR 2, not enabled
        const std::uint8_t enable = 0xC0;           // top byte: REGION_EN (31) | BAR_MODE (30)
        BOOST_CHECK_EQUAL(h.bus(h.dbi_s, true, ctrl2 + 3, const_cast<std::uint8_t*>(&enable), 1),
                          tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(h.dbi_rd(ctrl2), 0xC0000200u);
        h.dbi_wr(ctrl2, 0);
        h.dbi_wr(target, 0x11223344);
        std::uint16_t half = 0xAABB;
        BOOST_CHECK_EQUAL(h.bus(h.dbi_s, true, target + 2, &half, 2), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(h.dbi_rd(target), 0xAABB3344u);
        h.dbi_wr(target, 0);
        if (!unrolled) {
            const std::uint8_t region1 = 1; // the viewport's low byte only: still inbound
            BOOST_CHECK_EQUAL(h.bus(h.dbi_s, true, 0x900, const_cast<std::uint8_t*>(&region1), 1),
                              tlm::TLM_OK_RESPONSE);
            BOOST_CHECK_EQUAL(h.dbi_rd(0x900), 0x80000001u);
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_offsets_read_zero_and_bad_sizes_error) {
    harness& h = *h_default;
    BOOST_CHECK_EQUAL(h.dbi_rd(0x6F0), 0u);
    std::uint64_t wide = 0;
    BOOST_CHECK_EQUAL(h.bus(h.dbi_s, false, 0x8F8, &wide, 8), tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(static_cast<std::uint32_t>(wide), 0x3534302au);
    std::uint32_t v = 0;
    BOOST_CHECK_EQUAL(h.bus(h.dbi_s, false, 0x8FA, &v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
    BOOST_CHECK_EQUAL(h.bus(h.dbi_s, false, 0x400000, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    std::uint16_t half = 0;
    BOOST_CHECK_EQUAL(h.bus(h.dbi_s, false, 0x002, &half, 2), tlm::TLM_OK_RESPONSE);
    BOOST_CHECK_EQUAL(half, h.dbi_rd(0x000) >> 16);
}

BOOST_AUTO_TEST_CASE(w1c_status_bits) {
    harness& h = *h_default;
    h.ready();
    // Status error bits (W1C): set by hardware, cleared by writing ones, not by writing zeros.
    h.ep.dbi_regs(); // (introspection only)
    reg_block blk("T", {{0x0, "S", 0x0000000F, 0x00000030, 0, 0x0000000F, false, {}}});
    BOOST_CHECK(blk.write32(0x0, 0x00000005, 0xFFFFFFFF, reg_writer::wire, false));
    BOOST_CHECK_EQUAL(blk.read32(0x0), 0x0000000Au);
    BOOST_CHECK(blk.write32(0x0, 0x00000030, 0x000000FF, reg_writer::wire, false));
    BOOST_CHECK_EQUAL(blk.read32(0x0), 0x0000003Au);
    BOOST_CHECK(!blk.write32(0x4, 0x1, 0xFFFFFFFF, reg_writer::dbi, true));
    blk.reset(false);
    BOOST_CHECK_EQUAL(blk.read32(0x0), 0x0000000Fu);
}

BOOST_AUTO_TEST_CASE(ltssm_brings_the_link_up) {
    harness& h = *h_ltssm;
    h.app_wr(0x0C, 0x1); // link-up interrupt enabled
    h.ep.set_perst(false);
    h.app_wr(0x00, 0x3); // LTSSM_EN, REQ_RETRY_EN
    sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_US));
    BOOST_CHECK_NE(h.dbi_rd(0x728) & 0x3Fu, 0x11u);
    BOOST_CHECK(h.dbi_rd(0x72C) & (1u << 29)); // in training
    sc_core::sc_start(sc_core::sc_time(15, sc_core::SC_US));
    BOOST_CHECK_EQUAL(h.dbi_rd(0x728) & 0x3Fu, 0x11u); // L0
    BOOST_CHECK_EQUAL(h.dbi_rd(0x72C) & ((1u << 29) | (1u << 4)), 1u << 4);
    BOOST_CHECK_EQUAL(h.app_rd(0x08) & 0x1u, 0x1u);
    BOOST_CHECK(h.irq.read());
    h.app_wr(0x08, 0x1); // W1C
    BOOST_CHECK_EQUAL(h.app_rd(0x08) & 0x1u, 0u);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    BOOST_CHECK(!h.irq.read());
    // Link Status reports the trained speed and width (no link partner: the endpoint's own).
    BOOST_CHECK_EQUAL((h.dbi_rd(0x080) >> 16) & 0xFu, 3u);
    BOOST_CHECK_EQUAL((h.dbi_rd(0x080) >> 20) & 0x3Fu, 4u);
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(reprogramming_a_window_during_traffic_is_warned) {
    harness& h = *h_default;
    h.ready();
    h.ro_wr_en(true);
    h.dbi_wr(dbi2_off + 0x10, 0x0000FFFF);
    h.dbi_wr(0x010, 0x0);
    h.ro_wr_en(false);
    h.cfg_wr(0x010, 0xC0000000);
    h.cfg_wr(0x004, 0x6, 0x3);
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x00100000);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0xC0080000);
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US)); // nothing in flight
    const auto quiet = logger::get().count(log_kind::warning);
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x00100000);
    BOOST_CHECK_EQUAL(logger::get().count(log_kind::warning), quiet);
    // A host write through inbound region 0 completes on AXI 100 ns from now; the firmware
    // moves the window's target right away.
    std::uint32_t w = 0x600DF00D;
    BOOST_CHECK(h.tlp(tlp_type::mwr, 0xC0000020, &w, 4).empty());
    const auto in_flight = h.ep.stats().iatu_reprogram_in_flight;
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x00200000);
    BOOST_CHECK_EQUAL(h.ep.stats().iatu_reprogram_in_flight, in_flight + 1);
    BOOST_CHECK_EQUAL(logger::get().count(log_kind::warning), quiet + 1);
    BOOST_CHECK(logger::get().problems().back().find(
                    "LOWER_TARGET of inbound region 0 written at") != std::string::npos);
    // Once the write has completed, reprogramming is fine.
    sc_core::sc_start(sc_core::sc_time(200, sc_core::SC_NS));
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x00100000);
    BOOST_CHECK_EQUAL(h.ep.stats().iatu_reprogram_in_flight, in_flight + 1);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0x0);
}

namespace {
// BAR0: 64 KiB 32-bit memory BAR at 0xC0000000, Memory Space and Bus Master enabled, inbound
// region 0 (BAR match, MEM) to local 0x100000.
void bar0_to_local(harness& h) {
    h.ready();
    h.ro_wr_en(true);
    h.dbi_wr(dbi2_off + 0x10, 0x0000FFFF);
    h.dbi_wr(0x010, 0x0);
    h.ro_wr_en(false);
    h.cfg_wr(0x010, 0xC0000000);
    h.cfg_wr(0x004, 0x6, 0x3);
    h.dbi_wr(atu_off + 0x100 + 0x14, 0x00100000);
    h.dbi_wr(atu_off + 0x100 + 0x18, 0x0);
    h.dbi_wr(atu_off + 0x100 + 0x00, 0x0);        // CTRL1: TYPE MEM
    h.dbi_wr(atu_off + 0x100 + 0x04, 0xC0080000); // CTRL2: ENABLE | BAR_MODE | BAR0
}
} // namespace

// The inbound iATU matches the TLP type: a BAR0 region of TYPE IO (0x2, Linux
// PCIE_ATU_TYPE_IO) does not claim memory requests (with the UR miss policy: Unsupported
// Request); the same region as TYPE MEM (0x0) does.
BOOST_AUTO_TEST_CASE(inbound_region_of_another_type_does_not_claim_memory_requests) {
    harness& h = *h_ur;
    bar0_to_local(h);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0x0);
    h.dbi_wr(atu_off + 0x100 + 0x00, 0x2); // CTRL1.TYPE = IO
    h.dbi_wr(atu_off + 0x100 + 0x04, 0xC0080000);
    std::uint32_t d = 0;
    auto c = h.tlp(tlp_type::mrd, 0xC0000010, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::ur);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0x0);
    h.dbi_wr(atu_off + 0x100 + 0x00, 0x0); // CTRL1.TYPE = MEM
    h.dbi_wr(atu_off + 0x100 + 0x04, 0xC0080000);
    c = h.tlp(tlp_type::mrd, 0xC0000010, &d, 4);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_CHECK(c[0].status == cpl_status::sc);
    h.dbi_wr(atu_off + 0x100 + 0x04, 0x0);
}

// The endpoint as completer splits at 128 B whatever the host writes to its Link Control RCB
// bit (on an endpoint it describes the root port's RCB; only a root complex may use 64 B: PCIe
// Base Spec 5.0 sections 2.3.1.1 and 7.5.3.7). A 512-byte MRd at 0xC0000020 with MPS 256:
//   1st: 0xC0000020..0xC000007F (96 B, up to the first 128 B boundary), Byte Count 512,
//        Lower Address 0x20;
//   2nd: 0xC0000080..0xC000017F (256 B = MPS, ends on a 128 B boundary), Byte Count 416,
//        Lower Address 0x00;
//   3rd: 0xC0000180..0xC000021F (160 B, the rest), Byte Count 160, Lower Address 0x00.
// (With a 64 B RCB the first would have ended at 0xC0000040.)
BOOST_AUTO_TEST_CASE(completions_split_at_128_bytes_whatever_the_rcb_bit) {
    harness& h = *h_aer;
    bar0_to_local(h);
    h.cfg_wr(0x078, 0x1u << 5, 0x3); // Device Control: MPS 256 B
    struct piece {
        std::uint64_t addr;
        std::size_t bytes;
        std::uint16_t byte_count;
        std::uint8_t lower_addr;
    };
    const piece want[] = {
        {0xC0000020, 96, 512, 0x20}, {0xC0000080, 256, 416, 0x00}, {0xC0000180, 160, 160, 0x00}};
    for (std::uint32_t lnkctl : {0x0u, 0x8u}) { // Link Control RCB (bit 3) clear, set
        h.cfg_wr(0x080, lnkctl, 0x1);
        std::vector<unsigned char> buf(512);
        const auto c = h.tlp(tlp_type::mrd, 0xC0000020, buf.data(), 512);
        BOOST_REQUIRE_EQUAL(c.size(), 3u);
        for (unsigned i = 0; i < 3; ++i) {
            BOOST_TEST_CONTEXT("RCB bit " << (lnkctl >> 3) << ", completion " << i) {
                BOOST_CHECK(c[i].type == tlp_type::cpld);
                BOOST_CHECK_EQUAL(c[i].addr, want[i].addr);
                BOOST_CHECK_EQUAL(c[i].data.size(), want[i].bytes);
                BOOST_CHECK_EQUAL(c[i].byte_count, want[i].byte_count);
                BOOST_CHECK_EQUAL(c[i].lower_addr, want[i].lower_addr);
            }
        }
    }
    h.cfg_wr(0x080, 0x0, 0x1);
    h.cfg_wr(0x078, 0x0, 0x3);
}

// The AER Header Log holds the header of the TLP that caused the first error, as the wire
// carries it (PCIe Base Spec 5.0 section 2.2: DW0 = Fmt[31:29] Type[28:24] T9[23] TC[22:20]
// T8[19] Attr2[18] LN[17] TH[16] TD[15] EP[14] Attr[13:12] AT[11:10] Length[9:0]).
BOOST_AUTO_TEST_CASE(aer_header_log_holds_the_tlp_header) {
    harness& h = *h_aer;
    bar0_to_local(h);
    const std::uint32_t status = 0x104, cap_ctrl = 0x118, log = 0x11C;
    auto header = [&] {
        return std::vector<std::uint32_t>{h.dbi_rd(log), h.dbi_rd(log + 4), h.dbi_rd(log + 8),
                                          h.dbi_rd(log + 12)};
    };
    h.dbi_wr(status, 0xFFFFFFFF); // W1C: nothing pending
    // 1. A poisoned MWr of 8 bytes to 0xC0000100 from 01:00.0, tag 0x2A: Poisoned TLP.
    pcie::pcie_tlp mwr;
    mwr.type = tlp_type::mwr;
    mwr.requester_id = 0x0100;
    mwr.tag = 0x2A;
    mwr.first_be = 0xF;
    mwr.last_be = 0xF;
    mwr.poisoned = true;
    std::uint32_t payload[2] = {0x11111111, 0x22222222};
    h.send(mwr, 0xC0000100, payload, 8);
    BOOST_CHECK_EQUAL(h.dbi_rd(cap_ctrl) & 0x1Fu, 12u); // First Error Pointer: Poisoned TLP
    const std::vector<std::uint32_t> mwr_header = {
        // Fmt 010 (3 DW, data) Type 00000 | TC 0 | EP 1 (bit 14) | Length 2 DW
        0x40004002,
        // Requester ID 0x0100 | Tag 0x2A | Last DW BE 0xF | First DW BE 0xF
        0x01002AFF,
        // Address [31:2]
        0xC0000100,
        // (3 DW header)
        0x00000000};
    BOOST_CHECK(header() == mwr_header);
    h.dbi_wr(status, 0xFFFFFFFF);
    // 2. An MRd of 16 bytes at the 64-bit address 0x1_23456780 (no BAR claims it) from
    // 01:00.0, tag 0x07, TC 2, Relaxed Ordering: Unsupported Request.
    pcie::pcie_tlp mrd;
    mrd.type = tlp_type::mrd;
    mrd.requester_id = 0x0100;
    mrd.tag = 0x07;
    mrd.tc = 2;
    mrd.attr = 0x2; // bit 1: Relaxed Ordering (Attr[1])
    mrd.first_be = 0xF;
    mrd.last_be = 0xF;
    mrd.addr64 = true;
    std::vector<unsigned char> buf(16);
    h.send(mrd, 0x123456780ull, buf.data(), 16);
    BOOST_CHECK_EQUAL(h.dbi_rd(cap_ctrl) & 0x1Fu, 20u); // Unsupported Request
    const std::vector<std::uint32_t> mrd_header = {
        // Fmt 001 (4 DW, no data) Type 00000 | TC 2 (bits 22:20) | Attr[1] RO (bit 13) | Len 4
        0x20202004,
        // Requester ID 0x0100 | Tag 0x07 | Last DW BE 0xF | First DW BE 0xF
        0x010007FF,
        // Address [63:32]
        0x00000001,
        // Address [31:2]
        0x23456780};
    BOOST_CHECK(header() == mrd_header);
    h.dbi_wr(status, 0xFFFFFFFF);
    // 3. A poisoned CplD: completer 00:01.0, status SC, Byte Count 8, for requester 01:00.0
    // tag 0x05, Lower Address 0x44, 8 bytes of data.
    pcie::pcie_tlp cpld;
    cpld.type = tlp_type::cpld;
    cpld.completer_id = 0x0008;
    cpld.requester_id = 0x0100;
    cpld.tag = 0x05;
    cpld.status = cpl_status::sc;
    cpld.byte_count = 8;
    cpld.lower_addr = 0x44;
    cpld.poisoned = true;
    h.send(cpld, 0x80000044, payload, 8);
    BOOST_CHECK_EQUAL(h.dbi_rd(cap_ctrl) & 0x1Fu, 12u);
    const std::vector<std::uint32_t> cpld_header = {
        // Fmt 010 (3 DW, data) Type 01010 | EP 1 | Length 2 DW
        0x4A004002,
        // Completer ID 0x0008 | Status 000 (SC) | BCM 0 | Byte Count 8
        0x00080008,
        // Requester ID 0x0100 | Tag 0x05 | R 0 | Lower Address 0x44
        0x01000544,
        // (3 DW header)
        0x00000000};
    BOOST_CHECK(header() == cpld_header);
    h.dbi_wr(status, 0xFFFFFFFF);
}

// MSI-X through the DBI doorbell (Linux pcie-designware.h PCIE_MSIX_DOORBELL 0x948,
// PCIE_MSIX_DOORBELL_PF_SHIFT 24; dw_pcie_ep_raise_msix_irq_doorbell writes
// (func_no << 24) | (interrupt_num - 1)). The table (8 entries) is at BAR0 offset 0x1000, the
// PBA at 0x2000 (PCIe Base Spec 5.0 section 7.7.2: entry = address lo, hi, data, vector
// control; PBA bit n = vector n).
BOOST_AUTO_TEST_CASE(msix_doorbell_sends_the_table_entry_message) {
    harness& h = *h_msix;
    bar0_to_local(h);
    h.ep.set_perst(false);
    h.app_wr(0x00, 0x1); // LTSSM_EN (REQ_RETRY_EN clear)
    sc_core::sc_start(sc_core::sc_time(25, sc_core::SC_US));
    BOOST_REQUIRE_EQUAL(h.dbi_rd(0x728) & 0x3Fu, 0x11u); // L0
    h.ro_wr_en(true);
    h.dbi_wr(0x0B0, 7u << 16); // MSI-X Table Size: 8 entries (N - 1 = 7)
    h.dbi_wr(0x0B4, 0x1000);   // Table: BIR 0, offset 0x1000
    h.dbi_wr(0x0B8, 0x2000);   // PBA: BIR 0, offset 0x2000
    h.ro_wr_en(false);
    h.cfg_wr(0x0B0, 0x80000000, 0xC); // the host sets MSI-X Enable
    // The host writes entries 3 (unmasked, 64-bit address) and 5 (masked) through BAR0.
    std::uint32_t e3[4] = {0xFEE01000, 0x00000001, 0x00004023, 0x0};
    std::uint32_t e5[4] = {0xFEE02000, 0x00000000, 0x00000055, 0x1};
    BOOST_CHECK(h.tlp(tlp_type::mwr, 0xC0001000 + 3 * 16, e3, 16).empty());
    BOOST_CHECK(h.tlp(tlp_type::mwr, 0xC0001000 + 5 * 16, e5, 16).empty());
    auto pba = [&] {
        std::uint32_t v = 0;
        h.mem.read(0x100000 + 0x2000, &v, 4);
        return v;
    };
    auto only_message = [&](std::uint64_t addr, std::uint32_t data, const char* what) {
        BOOST_TEST_CONTEXT(what) {
            // The TLPs the controller sent (a configuration write's Cpl aside): one MWr.
            std::vector<completion> msgs;
            for (const auto& c : h.cpls)
                if (c.type == tlp_type::mwr) msgs.push_back(c);
            BOOST_REQUIRE_EQUAL(msgs.size(), 1u);
            BOOST_CHECK_EQUAL(msgs[0].addr, addr);
            BOOST_REQUIRE_EQUAL(msgs[0].data.size(), 4u);
            std::uint32_t got = 0;
            std::memcpy(&got, msgs[0].data.data(), 4);
            BOOST_CHECK_EQUAL(got, data);
        }
    };
    // Interrupt 4 of PF 0: vector 3 -> MWr of 0x00004023 to 0x1_FEE01000.
    h.cpls.clear();
    h.dbi_wr(0x948, (0u << 24) | (4 - 1));
    only_message(0x1FEE01000ull, 0x00004023, "vector 3");
    // Vector 5 is masked: no message, its Pending bit is set.
    h.cpls.clear();
    h.dbi_wr(0x948, 5);
    BOOST_CHECK(h.cpls.empty());
    BOOST_CHECK_EQUAL(pba(), 1u << 5);
    // The host clears the entry's Mask bit: the pending message goes, the bit clears.
    std::uint32_t unmask = 0;
    h.tlp(tlp_type::mwr, 0xC0001000 + 5 * 16 + 12, &unmask, 4);
    only_message(0xFEE02000ull, 0x00000055, "vector 5 unmasked");
    BOOST_CHECK_EQUAL(pba(), 0u);
    // Function Mask (MSI-X Control bit 30): pending, then sent when the host clears it.
    h.cfg_wr(0x0B0, 0xC0000000, 0xC);
    h.cpls.clear();
    h.dbi_wr(0x948, 3);
    BOOST_CHECK(h.cpls.empty());
    BOOST_CHECK_EQUAL(pba(), 1u << 3);
    std::uint32_t enable_only = 0x80000000;
    h.tlp(tlp_type::cfgwr0, 0x0B0, &enable_only, 4, 0xC); // completion and the message
    only_message(0x1FEE01000ull, 0x00004023, "vector 3 after Function Mask cleared");
    BOOST_CHECK_EQUAL(pba(), 0u);
    // No such function (PF 1), a vector past the table, MSI-X disabled: nothing is sent.
    const auto guest_errors = logger::get().count(log_kind::guest_error);
    h.cpls.clear();
    h.dbi_wr(0x948, (1u << 24) | 3);
    h.dbi_wr(0x948, 8);
    h.cfg_wr(0x0B0, 0x00000000, 0xC);
    h.cpls.clear();
    h.dbi_wr(0x948, 3);
    BOOST_CHECK(h.cpls.empty());
    BOOST_CHECK_EQUAL(logger::get().count(log_kind::guest_error), guest_errors + 3);
    BOOST_CHECK_EQUAL(h.ep.stats().msix_messages, 3u);
}

// A vector pending before a Function-Level Reset is not sent after it: the reset clears the
// function's MSI-X state (MSI-X Control is not sticky), and after it a Pending bit is set only by
// an event while masked (PCIe Base Spec 5.0 section 7.7.2). Device Control (PCIe capability at
// 0x70, + 0x08) bit 15 is Initiate FLR; APP_CTRL bit 3 ends it (app_flr_pf_done).
BOOST_AUTO_TEST_CASE(an_msix_vector_pending_before_an_flr_is_not_sent_after_it) {
    harness& h = *h_msix; // in L0, table at BAR0 + 0x1000 with entry 3 unmasked (test above)
    const auto setup = [&] {
        bar0_to_local(h);
        h.ro_wr_en(true);
        h.dbi_wr(0x0B0, 7u << 16);
        h.dbi_wr(0x0B4, 0x1000);
        h.dbi_wr(0x0B8, 0x2000);
        h.ro_wr_en(false);
        h.cfg_wr(0x0B0, 0xC0000000, 0xC); // Enable, Function Mask
    };
    setup();
    h.cpls.clear();
    h.dbi_wr(0x948, 3); // masked by the Function Mask: pending
    BOOST_CHECK(h.cpls.empty());
    const auto resets = h.ep.stats().function_level_resets;
    h.cfg_wr(0x078, 1u << 15, 0x3); // Initiate FLR
    BOOST_REQUIRE_EQUAL(h.ep.stats().function_level_resets, resets + 1);
    h.app_wr(0x00, h.app_rd(0x00) | (1u << 3)); // app_flr_pf_done
    setup();
    h.cpls.clear();
    std::uint32_t enable_only = 0x80000000;
    h.tlp(tlp_type::cfgwr0, 0x0B0, &enable_only, 4, 0xC);
    for (const auto& c : h.cpls)
        BOOST_CHECK(c.type != tlp_type::mwr); // no message for the vector of before the reset
    // The path works: a new interrupt of vector 3 is sent.
    h.cpls.clear();
    h.dbi_wr(0x948, 3);
    std::size_t messages = 0;
    for (const auto& c : h.cpls)
        messages += c.type == tlp_type::mwr;
    BOOST_CHECK_EQUAL(messages, 1u);
    h.cfg_wr(0x0B0, 0x00000000, 0xC);
}

// Unit tests of the DWC eDMA engine (model/dwc/edma.h) against a fake controller (edma_bus):
// local memory is a byte vector with an AXI-error window, the host side is a byte vector behind
// a 64-bit PCI address with UR/CA windows, every TLP and AXI access is logged with its start
// time, the link carries one TLP per tlp_time and a read's completions arrive round_trip after
// its MRd started. Register offsets and bits are spelled out from
// /work/shared/spec/dw-ep-reference.md section 6 (not taken from the model's header), and every
// expected time is worked out by hand in the test that checks it.
#define BOOST_TEST_MODULE edma
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "core/log.h"
#include "dwc/edma.h"
#include "dwc/edma_bus.h"
#include "pcie/tlp.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <vector>

using namespace epvp;
using pcie::cpl_status;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;

namespace {

// Global registers (reference 6.2).
constexpr std::uint32_t CTRL = 0x008;
constexpr std::uint32_t WR_ENGINE_EN = 0x00C;
constexpr std::uint32_t WR_DOORBELL = 0x010;
constexpr std::uint32_t RD_ENGINE_EN = 0x02C;
constexpr std::uint32_t RD_DOORBELL = 0x030;
constexpr std::uint32_t WR_INT_STATUS = 0x04C;
constexpr std::uint32_t WR_INT_MASK = 0x054;
constexpr std::uint32_t WR_INT_CLEAR = 0x058;
constexpr std::uint32_t WR_ERR_STATUS = 0x05C;
constexpr std::uint32_t WR_DONE_IMWR_LO = 0x060;
constexpr std::uint32_t WR_DONE_IMWR_HI = 0x064;
constexpr std::uint32_t WR_ABORT_IMWR_LO = 0x068;
constexpr std::uint32_t WR_ABORT_IMWR_HI = 0x06C;
constexpr std::uint32_t WR_CH01_IMWR_DATA = 0x070;
constexpr std::uint32_t WR_LL_ERR_EN = 0x090;
constexpr std::uint32_t RD_INT_STATUS = 0x0A0;
constexpr std::uint32_t RD_INT_MASK = 0x0A8;
constexpr std::uint32_t RD_INT_CLEAR = 0x0AC;
constexpr std::uint32_t RD_ERR_STATUS_LO = 0x0B4;
constexpr std::uint32_t RD_ERR_STATUS_HI = 0x0B8;
constexpr std::uint32_t RD_DONE_IMWR_LO = 0x0CC;
constexpr std::uint32_t RD_DONE_IMWR_HI = 0x0D0;
constexpr std::uint32_t RD_ABORT_IMWR_LO = 0x0D4;
constexpr std::uint32_t RD_ABORT_IMWR_HI = 0x0D8;
constexpr std::uint32_t RD_CH01_IMWR_DATA = 0x0DC;
constexpr std::uint32_t VIEWPORT_SEL = 0x0F8; // legacy
constexpr std::uint32_t VIEWPORT_WINDOW = 0x100;
constexpr std::uint32_t WR_ENGINE_CHGROUP = 0x100; // unrolled
constexpr std::uint32_t VIEWPORT_READ = 1u << 31;
constexpr std::uint32_t DOORBELL_STOP = 1u << 31;

// Channel registers (dw_edma_v0_ch_regs).
constexpr std::uint32_t CH_CONTROL1 = 0x00;
constexpr std::uint32_t CH_CONTROL2 = 0x04;
constexpr std::uint32_t TRANSFER_SIZE = 0x08;
constexpr std::uint32_t SAR_LO = 0x0C;
constexpr std::uint32_t SAR_HI = 0x10;
constexpr std::uint32_t DAR_LO = 0x14;
constexpr std::uint32_t DAR_HI = 0x18;
constexpr std::uint32_t LLP_LO = 0x1C;
constexpr std::uint32_t LLP_HI = 0x20;
constexpr std::uint32_t ALL_CH_REGS[] = {CH_CONTROL1, CH_CONTROL2, TRANSFER_SIZE, SAR_LO, SAR_HI,
                                         DAR_LO,      DAR_HI,      LLP_LO,        LLP_HI};

// Control bits (enum dw_edma_control) and CH_STATUS.
constexpr std::uint32_t CB = 1u << 0;
constexpr std::uint32_t TCB = 1u << 1;
constexpr std::uint32_t LLP = 1u << 2;
constexpr std::uint32_t LIE = 1u << 3;
constexpr std::uint32_t RIE = 1u << 4;
constexpr std::uint32_t CS_MASK = 0x3u << 5;
constexpr std::uint32_t CCS = 1u << 8;
constexpr std::uint32_t LLE = 1u << 9;
constexpr std::uint32_t CS_RUNNING = 1, CS_STOPPED = 3;
constexpr std::uint32_t ELEMENT_BYTES = 24;

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t local_bytes = 1ull << 20;
constexpr std::uint64_t host_base = 0x100000000ull; // above 4 GiB: the _HI halves matter
constexpr std::uint64_t host_bytes = 256 * KiB;

std::uint32_t lo(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::uint32_t hi(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> 32);
}
sc_time ns(double v) {
    return sc_time(v, SC_NS);
}

struct tlp_rec {
    bool read; // MRd, else MWr
    std::uint64_t addr;
    unsigned len;
    sc_time start;
    std::vector<unsigned char> data; // MWr payload
};
struct axi_rec {
    bool write;
    std::uint64_t addr;
    unsigned len;
    sc_time start;
};

// The controller as the engine sees it.
class fake_bus : public dwc::edma_bus {
public:
    std::vector<unsigned char> local = std::vector<unsigned char>(local_bytes);
    std::vector<unsigned char> host = std::vector<unsigned char>(host_bytes);
    std::uint64_t axi_err_lo = 0, axi_err_hi = 0; // [lo, hi): SLVERR
    std::uint64_t ca_lo = 0, ca_hi = 0;           // [lo, hi): Completer Abort
    bool link_up = true;
    sc_time tlp_time = ns(100), round_trip = ns(1000), local_latency = ns(50);
    unsigned mps = 256, mrrs = 512, tags = 32;

    std::vector<tlp_rec> tlps;
    std::vector<axi_rec> axi;
    std::vector<bool> irq_edges;
    bool irq_level = false;
    unsigned violations = 0; // oversize TLPs, 4 KiB crossings (TLP or AXI)

    bool local_access(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                      sc_time& delay) override {
        axi.push_back({write, addr, len, sc_core::sc_time_stamp() + delay});
        if (addr / 4096 != (addr + len - 1) / 4096) ++violations;
        delay += local_latency;
        if (addr < axi_err_hi && addr + len > axi_err_lo) return false;
        if (addr + len > local.size()) return false;
        if (write)
            std::memcpy(&local[addr], data, len);
        else
            std::memcpy(data, &local[addr], len);
        return true;
    }
    bool pcie_write(std::uint64_t pci_addr, const unsigned char* data, unsigned len, sc_time& delay,
                    dwc::tlp_wait* wait) override {
        if (!link_up) return false;
        if (len > mps || pci_addr / 4096 != (pci_addr + len - 1) / 4096) ++violations;
        const sc_time start = reserve(delay, wait);
        tlps.push_back({false, pci_addr, len, start, std::vector<unsigned char>(data, data + len)});
        if (in_host(pci_addr, len)) std::memcpy(&host[pci_addr - host_base], data, len);
        return true;
    }
    cpl_status pcie_read(std::uint64_t pci_addr, unsigned char* data, unsigned len, sc_time& delay,
                         dwc::tlp_wait* wait) override {
        if (!link_up) return cpl_status::ur;
        if (len > mrrs || pci_addr / 4096 != (pci_addr + len - 1) / 4096) ++violations;
        const sc_time start = reserve(delay, wait);
        tlps.push_back({true, pci_addr, len, start, {}});
        delay = start + round_trip - sc_core::sc_time_stamp();
        if (pci_addr < ca_hi && pci_addr + len > ca_lo) return cpl_status::ca;
        if (!in_host(pci_addr, len)) return cpl_status::ur;
        std::memcpy(data, &host[pci_addr - host_base], len);
        return cpl_status::sc;
    }
    unsigned mps_bytes() const override { return mps; }
    unsigned mrrs_bytes() const override { return mrrs; }
    unsigned max_outstanding_reads() const override { return tags; }
    link_snapshot link_activity() const override { return {}; }
    void local_irq(bool level) override {
        irq_level = level;
        irq_edges.push_back(level);
    }

    unsigned mwr_count() const {
        return static_cast<unsigned>(
            std::count_if(tlps.begin(), tlps.end(), [](const tlp_rec& t) { return !t.read; }));
    }
    void put32(std::uint64_t addr, std::uint32_t v) {
        for (unsigned i = 0; i < 4; ++i)
            local[addr + i] = static_cast<unsigned char>(v >> (8 * i));
    }
    void put64(std::uint64_t addr, std::uint64_t v) {
        put32(addr, lo(v));
        put32(addr + 4, hi(v));
    }
    void data_element(std::uint64_t at, std::uint32_t control, std::uint32_t size,
                      std::uint64_t sar, std::uint64_t dar) {
        put32(at, control);
        put32(at + 4, size);
        put64(at + 8, sar);
        put64(at + 16, dar);
    }
    void link_element(std::uint64_t at, std::uint32_t control, std::uint64_t target) {
        put32(at, control | LLP);
        put32(at + 4, 0);
        put64(at + 8, target);
    }
    void fill_local(std::uint64_t addr, std::uint64_t len, unsigned seed) {
        for (std::uint64_t i = 0; i < len; ++i)
            local[addr + i] = static_cast<unsigned char>((i * 7 + seed) & 0xFF);
    }
    void fill_host(std::uint64_t addr, std::uint64_t len, unsigned seed) {
        for (std::uint64_t i = 0; i < len; ++i)
            host[addr - host_base + i] = static_cast<unsigned char>((i * 13 + seed) & 0xFF);
    }
    bool local_equals_host(std::uint64_t local_addr, std::uint64_t pci_addr,
                           std::uint64_t len) const {
        return std::memcmp(&local[local_addr], &host[pci_addr - host_base], len) == 0;
    }

private:
    sc_time tx_free_;
    bool in_host(std::uint64_t a, unsigned len) const {
        return a >= host_base && a + len <= host_base + host_bytes;
    }
    sc_time reserve(sc_time& delay, dwc::tlp_wait* wait) {
        const sc_time ready = sc_core::sc_time_stamp() + delay;
        const sc_time start = std::max(ready, tx_free_);
        if (wait) {
            wait->link = start - ready;
            wait->credits = SC_ZERO_TIME;
        }
        tx_free_ = start + tlp_time;
        delay = tx_free_ - sc_core::sc_time_stamp();
        return start;
    }
};

struct harness {
    fake_bus bus;
    dwc::edma dma;
    harness(const char* name, bool unrolled, unsigned wr, unsigned rd)
        : dma(name, dwc::edma_params{unrolled, wr, rd, bus, sc_time(1, SC_US)}) {}

    std::uint32_t rd(std::uint32_t off) { return dma.read32(off); }
    void wr(std::uint32_t off, std::uint32_t v) { dma.write32(off, v, SC_ZERO_TIME); }
    // Unrolled channel block: 0x200 + n * 0x200, read channels at +0x100.
    static std::uint32_t ch(bool read, unsigned n, std::uint32_t reg) {
        return 0x200 + n * 0x200 + (read ? 0x100 : 0) + reg;
    }
    std::uint32_t status(bool read, unsigned n) {
        return (rd(ch(read, n, CH_CONTROL1)) & CS_MASK) >> 5;
    }
    void single(bool read, unsigned n, std::uint32_t size, std::uint64_t sar, std::uint64_t dar,
                std::uint32_t control) {
        wr(ch(read, n, CH_CONTROL1), control);
        wr(ch(read, n, TRANSFER_SIZE), size);
        wr(ch(read, n, SAR_LO), lo(sar));
        wr(ch(read, n, SAR_HI), hi(sar));
        wr(ch(read, n, DAR_LO), lo(dar));
        wr(ch(read, n, DAR_HI), hi(dar));
    }
    void start(bool read, unsigned n) {
        wr(read ? RD_ENGINE_EN : WR_ENGINE_EN, 1);
        wr(read ? RD_DOORBELL : WR_DOORBELL, n);
    }
};

// Runs the simulation until nothing is left to do (every channel idle).
void run() {
    if (sc_core::sc_pending_activity()) sc_core::sc_start();
}

harness* h_counts = nullptr; // unrolled, 3 WR / 5 RD
harness* h_legacy = nullptr; // legacy viewport, 2 WR / 1 RD
harness* h_write = nullptr;
harness* h_4k = nullptr;
harness* h_tags1 = nullptr;
harness* h_tags4 = nullptr;
harness* h_ll = nullptr;
harness* h_irq = nullptr;
harness* h_rie = nullptr;
harness* h_axi = nullptr;
harness* h_ur = nullptr;
harness* h_off = nullptr;
harness* h_loop = nullptr;
harness* h_stop = nullptr;
harness* h_share = nullptr;
harness* h_llrd = nullptr;
harness* h_rerun = nullptr;

struct fixture {
    fixture() {
        logger::get().set_stream(&sink);
        h_counts = new harness("counts", true, 3, 5);
        h_legacy = new harness("legacy", false, 2, 1);
        h_write = new harness("write", true, 2, 2);
        h_4k = new harness("split4k", true, 1, 1);
        h_tags1 = new harness("tags1", true, 1, 1);
        h_tags4 = new harness("tags4", true, 1, 1);
        h_ll = new harness("ll", true, 1, 1);
        h_irq = new harness("irq", true, 2, 2);
        h_rie = new harness("rie", true, 2, 2);
        h_axi = new harness("axi", true, 2, 2);
        h_ur = new harness("ur", true, 2, 2);
        h_off = new harness("off", true, 1, 1);
        h_loop = new harness("loop", true, 1, 1);
        h_stop = new harness("stop", true, 1, 1);
        h_share = new harness("share", true, 2, 0);
        h_llrd = new harness("llrd", true, 0, 1);
        h_rerun = new harness("rerun", true, 1, 0);
        sc_core::sc_start(SC_ZERO_TIME);
    }
    std::ostringstream sink;
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

} // namespace

// CTRL reports the channel counts (NUM_WR_CHAN [3:0], NUM_RD_CHAN [19:16]) in both layouts;
// everything else resets to 0; channels beyond the counts read 0 and ignore writes; CH_STATUS
// is read-only; mask bits exist only for implemented channels.
BOOST_AUTO_TEST_CASE(reset_values_and_channel_counts) {
    harness& u = *h_counts;
    harness& l = *h_legacy;
    BOOST_CHECK_EQUAL(u.rd(CTRL), 0x00050003u);
    BOOST_CHECK_EQUAL(l.rd(CTRL), 0x00010002u);
    BOOST_CHECK_EQUAL(u.dma.channels(dwc::edma_dir::write), 3u);
    BOOST_CHECK_EQUAL(u.dma.channels(dwc::edma_dir::read), 5u);
    const std::uint32_t zero_regs[] = {
        WR_ENGINE_EN,     RD_ENGINE_EN, WR_INT_STATUS,    WR_INT_MASK,      WR_ERR_STATUS,
        RD_INT_STATUS,    RD_INT_MASK,  RD_ERR_STATUS_LO, RD_ERR_STATUS_HI, WR_DONE_IMWR_LO,
        RD_ABORT_IMWR_HI, WR_LL_ERR_EN, WR_DOORBELL,      RD_DOORBELL};
    for (std::uint32_t off : zero_regs) {
        BOOST_CHECK_MESSAGE(u.rd(off) == 0, "unrolled " << std::hex << off);
        BOOST_CHECK_MESSAGE(l.rd(off) == 0, "legacy " << std::hex << off);
    }
    for (unsigned n = 0; n < 8; ++n)
        for (std::uint32_t reg : ALL_CH_REGS) {
            BOOST_CHECK_EQUAL(u.rd(harness::ch(false, n, reg)), 0u);
            BOOST_CHECK_EQUAL(u.rd(harness::ch(true, n, reg)), 0u);
        }
    // Present channels hold values; absent ones (WR 3..7) do not.
    u.wr(harness::ch(false, 2, SAR_LO), 0x12345678);
    u.wr(harness::ch(true, 4, DAR_HI), 0x9ABCDEF0);
    u.wr(harness::ch(false, 3, SAR_LO), 0x12345678);
    u.wr(harness::ch(true, 5, DAR_HI), 0x9ABCDEF0);
    BOOST_CHECK_EQUAL(u.rd(harness::ch(false, 2, SAR_LO)), 0x12345678u);
    BOOST_CHECK_EQUAL(u.rd(harness::ch(true, 4, DAR_HI)), 0x9ABCDEF0u);
    BOOST_CHECK_EQUAL(u.rd(harness::ch(false, 3, SAR_LO)), 0u);
    BOOST_CHECK_EQUAL(u.rd(harness::ch(true, 5, DAR_HI)), 0u);
    // CH_STATUS [6:5] belongs to the hardware.
    u.wr(harness::ch(false, 0, CH_CONTROL1), 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(u.rd(harness::ch(false, 0, CH_CONTROL1)), 0xFFFFFF9Fu);
    u.wr(harness::ch(false, 0, CH_CONTROL1), 0);
    // Mask bits for 3 WR channels: DONE [2:0], ABORT [18:16].
    u.wr(WR_INT_MASK, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(u.rd(WR_INT_MASK), 0x00070007u);
    u.wr(RD_INT_MASK, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(u.rd(RD_INT_MASK), 0x001F001Fu);
    // CTRL is read-only; the doorbell reads 0.
    u.wr(CTRL, 0);
    BOOST_CHECK_EQUAL(u.rd(CTRL), 0x00050003u);
    // Layout-specific registers: unrolled chgroup at 0x100, legacy viewport_sel at 0x0f8.
    u.wr(WR_ENGINE_CHGROUP, 0x5A);
    BOOST_CHECK_EQUAL(u.rd(WR_ENGINE_CHGROUP), 0x5Au);
    BOOST_CHECK_EQUAL(u.rd(VIEWPORT_SEL), 0u);
    l.wr(VIEWPORT_SEL, 0xFFFFFFFF);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_SEL), 0x80000007u);
    l.wr(VIEWPORT_SEL, 0);
    // Nothing moved, nothing raised.
    BOOST_CHECK(u.bus.tlps.empty() && l.bus.tlps.empty());
    BOOST_CHECK(!u.dma.irq() && !l.dma.irq());
}

BOOST_AUTO_TEST_CASE(bad_parameters_name_the_key) {
    fake_bus bus;
    try {
        dwc::edma bad("bad", dwc::edma_params{true, 9, 1, bus, sc_time(1, SC_US)});
        BOOST_FAIL("9 write channels accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("dwc.edma.write_channels") != std::string::npos);
    }
    try {
        dwc::edma_params p{true, 1, 1, bus, sc_time(1, SC_US)};
        p.axi_burst_bytes = 3000;
        dwc::edma bad("bad2", p);
        BOOST_FAIL("non-power-of-two burst accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK(std::string(e.what()).find("dwc.edma.axi_burst_bytes") != std::string::npos);
    }
}

// Legacy map: viewport_sel [2:0] picks the channel, bit 31 the read direction; the selected
// channel's registers appear at 0x100; a transfer programmed through the window runs.
BOOST_AUTO_TEST_CASE(legacy_viewport_selects_channel_and_direction) {
    harness& l = *h_legacy;
    l.wr(VIEWPORT_SEL, 1); // WR ch1
    l.wr(VIEWPORT_WINDOW + SAR_LO, 0x1111);
    l.wr(VIEWPORT_SEL, VIEWPORT_READ | 0); // RD ch0
    l.wr(VIEWPORT_WINDOW + SAR_LO, 0x2222);
    l.wr(VIEWPORT_SEL, 0); // WR ch0
    l.wr(VIEWPORT_WINDOW + SAR_LO, 0x3333);
    l.wr(VIEWPORT_SEL, VIEWPORT_READ | 1); // RD ch1: not implemented
    l.wr(VIEWPORT_WINDOW + SAR_LO, 0x4444);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_WINDOW + SAR_LO), 0u);
    l.wr(VIEWPORT_SEL, 1);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_WINDOW + SAR_LO), 0x1111u);
    l.wr(VIEWPORT_SEL, VIEWPORT_READ);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_WINDOW + SAR_LO), 0x2222u);
    l.wr(VIEWPORT_SEL, 0);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_WINDOW + SAR_LO), 0x3333u);
    // 0x200 is not a channel block on a legacy core.
    BOOST_CHECK_EQUAL(l.rd(0x200 + SAR_LO), 0u);

    // WR ch1: 64 bytes local 0x3000 -> host + 0x40, LIE.
    const std::uint64_t dar = host_base + 0x40;
    l.bus.fill_local(0x3000, 64, 5);
    l.wr(VIEWPORT_SEL, 1);
    l.wr(VIEWPORT_WINDOW + CH_CONTROL1, LIE);
    l.wr(VIEWPORT_WINDOW + TRANSFER_SIZE, 64);
    l.wr(VIEWPORT_WINDOW + SAR_LO, 0x3000);
    l.wr(VIEWPORT_WINDOW + SAR_HI, 0);
    l.wr(VIEWPORT_WINDOW + DAR_LO, lo(dar));
    l.wr(VIEWPORT_WINDOW + DAR_HI, hi(dar));
    l.wr(WR_ENGINE_EN, 1);
    l.wr(WR_DOORBELL, 1);
    run();
    BOOST_CHECK(l.bus.local_equals_host(0x3000, dar, 64));
    BOOST_REQUIRE_EQUAL(l.bus.tlps.size(), 1u);
    BOOST_CHECK_EQUAL(l.bus.tlps[0].addr, dar);
    BOOST_CHECK_EQUAL(l.rd(WR_INT_STATUS), 0x2u); // DONE bit of channel 1
    BOOST_CHECK_EQUAL((l.rd(VIEWPORT_WINDOW + CH_CONTROL1) & CS_MASK) >> 5, CS_STOPPED);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_WINDOW + TRANSFER_SIZE), 0u);
    l.wr(VIEWPORT_SEL, 0);
    BOOST_CHECK_EQUAL(l.rd(VIEWPORT_WINDOW + CH_CONTROL1) & CS_MASK, 0u); // WR ch0 never ran
    BOOST_CHECK(l.dma.irq());
    l.wr(WR_INT_CLEAR, 0x2);
    BOOST_CHECK_EQUAL(l.rd(WR_INT_STATUS), 0u);
    BOOST_CHECK(!l.dma.irq());
}

// MPS 256: 257 bytes need two MWr TLPs, 256 then 1 bytes, at consecutive addresses. Timing:
// one AXI burst (50 ns), then 100 ns per TLP on the link: done 250 ns after the doorbell.
BOOST_AUTO_TEST_CASE(single_block_write_of_mps_plus_one) {
    harness& h = *h_write;
    const std::uint64_t sar = 0x1000, dar = host_base + 0x200;
    h.bus.fill_local(sar, 257, 1);
    h.single(false, 1, 257, sar, dar, LIE);
    h.start(false, 1);
    BOOST_CHECK_EQUAL(h.status(false, 1), CS_RUNNING);
    run();
    BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 2u);
    BOOST_CHECK(!h.bus.tlps[0].read && !h.bus.tlps[1].read);
    BOOST_CHECK_EQUAL(h.bus.tlps[0].addr, dar);
    BOOST_CHECK_EQUAL(h.bus.tlps[0].len, 256u);
    BOOST_CHECK_EQUAL(h.bus.tlps[1].addr, dar + 256);
    BOOST_CHECK_EQUAL(h.bus.tlps[1].len, 1u);
    BOOST_CHECK(h.bus.local_equals_host(sar, dar, 257));
    BOOST_CHECK_EQUAL(h.bus.violations, 0u);
    // Registers after the block: size counted down, addresses advanced, stopped, done bit.
    BOOST_CHECK_EQUAL(h.status(false, 1), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 1, TRANSFER_SIZE)), 0u);
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 1, SAR_LO)), lo(sar + 257));
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 1, DAR_LO)), lo(dar + 257));
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 1, DAR_HI)), hi(dar + 257));
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x2u);
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
    const auto& t = h.dma.transfers()[0];
    BOOST_CHECK(!t.read && !t.aborted);
    BOOST_CHECK_EQUAL(t.channel, 1u);
    BOOST_CHECK_EQUAL(t.bytes, 257u);
    BOOST_CHECK_EQUAL(t.tlps, 2u);
    BOOST_CHECK(t.done - t.doorbell == ns(250));
    BOOST_CHECK(t.wait_memory == ns(50)); // the first TLP waited for the burst
    BOOST_CHECK(h.bus.tlps[0].start == t.doorbell + ns(50));
    BOOST_CHECK(h.bus.tlps[1].start == t.doorbell + ns(150));
    BOOST_CHECK_EQUAL(h.dma.counters().mwr_tlps, 2u);
}

// No TLP crosses a 4 KiB PCI boundary and no AXI burst crosses a 4 KiB local boundary.
BOOST_AUTO_TEST_CASE(write_splits_at_4k_boundaries) {
    harness& h = *h_4k;
    // 512 bytes: local 0x2F00.. crosses 0x3000, PCI +0xF80.. crosses +0x1000.
    const std::uint64_t sar = 0x2F00, dar = host_base + 0xF80;
    h.bus.fill_local(sar, 512, 2);
    h.single(false, 0, 512, sar, dar, LIE);
    h.start(false, 0);
    run();
    BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 3u);
    BOOST_CHECK_EQUAL(h.bus.tlps[0].addr, host_base + 0xF80);
    BOOST_CHECK_EQUAL(h.bus.tlps[0].len, 128u);
    BOOST_CHECK_EQUAL(h.bus.tlps[1].addr, host_base + 0x1000);
    BOOST_CHECK_EQUAL(h.bus.tlps[1].len, 256u);
    BOOST_CHECK_EQUAL(h.bus.tlps[2].addr, host_base + 0x1100);
    BOOST_CHECK_EQUAL(h.bus.tlps[2].len, 128u);
    BOOST_REQUIRE_EQUAL(h.bus.axi.size(), 2u);
    BOOST_CHECK_EQUAL(h.bus.axi[0].addr, 0x2F00u);
    BOOST_CHECK_EQUAL(h.bus.axi[0].len, 256u);
    BOOST_CHECK_EQUAL(h.bus.axi[1].addr, 0x3000u);
    BOOST_CHECK_EQUAL(h.bus.axi[1].len, 256u);
    BOOST_CHECK(h.bus.local_equals_host(sar, dar, 512));
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x1u);
    h.wr(WR_INT_CLEAR, 0x1);

    // 10 KiB from PCI offset 0x2030: 0x2030..0x3000 = 4048 B -> 16 TLPs, 0x3000..0x4000 -> 16,
    // 0x4000..0x4830 = 2096 B -> 9: 41 TLPs; the staging buffer (16 KiB) is reused.
    const std::uint64_t sar2 = 0x5010, dar2 = host_base + 0x2030;
    h.bus.tlps.clear();
    h.bus.axi.clear();
    h.bus.fill_local(sar2, 10 * KiB, 3);
    h.single(false, 0, 10 * KiB, sar2, dar2, LIE);
    h.start(false, 0);
    run();
    BOOST_CHECK_EQUAL(h.bus.tlps.size(), 41u);
    BOOST_CHECK_EQUAL(h.bus.violations, 0u);
    BOOST_CHECK(h.bus.local_equals_host(sar2, dar2, 10 * KiB));
    for (const auto& a : h.bus.axi)
        BOOST_CHECK_LE(a.len, 4096u);
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x1u);
    BOOST_CHECK_EQUAL(h.dma.transfers().back().bytes, 10 * KiB);
}

// Read of 8 KiB with MRRS 512 = 16 MRd; MRd link time 10 ns, completion 1000 ns after the MRd
// started, local write 50 ns.
//  1 tag:  request k waits for completion k-1: last completion 16 x 1000 ns, +50 -> 16050 ns.
//  4 tags: four requests 10 ns apart, then each waits for the tag of request k-4:
//          the last (15) starts at 3 x 1000 + 30 ns, completes at 4030 ns, +50 -> 4080 ns.
// Throughput bound tags x MRRS / round trip: 4 x 512 B / 1 us = 2.048 B/ns, 8192 B -> 4000 ns,
// and 1 tag -> 16000 ns: the ratio is the tag ratio, 4.
BOOST_AUTO_TEST_CASE(read_throughput_follows_tags) {
    harness* hs[] = {h_tags1, h_tags4};
    const unsigned tags[] = {1, 4};
    sc_time took[2];
    for (unsigned i = 0; i < 2; ++i) {
        harness& h = *hs[i];
        h.bus.tags = tags[i];
        h.bus.mrrs = 512;
        h.bus.tlp_time = ns(10);
        h.bus.round_trip = ns(1000);
        h.bus.local_latency = ns(50);
        const std::uint64_t sar = host_base + 0x4000, dar = 0x8000;
        h.bus.fill_host(sar, 8 * KiB, 9 + i);
        h.single(true, 0, 8 * KiB, sar, dar, LIE);
        h.start(true, 0);
        run();
        BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 16u);
        for (unsigned k = 0; k < 16; ++k) {
            BOOST_CHECK(h.bus.tlps[k].read);
            BOOST_CHECK_EQUAL(h.bus.tlps[k].addr, sar + 512 * k);
            BOOST_CHECK_EQUAL(h.bus.tlps[k].len, 512u);
        }
        BOOST_CHECK(h.bus.local_equals_host(dar, sar, 8 * KiB));
        BOOST_CHECK_EQUAL(h.status(true, 0), CS_STOPPED);
        BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 0x1u);
        BOOST_CHECK_EQUAL(h.rd(harness::ch(true, 0, TRANSFER_SIZE)), 0u);
        BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
        const auto& t = h.dma.transfers()[0];
        BOOST_CHECK(t.read && !t.aborted);
        BOOST_CHECK_EQUAL(t.tlps, 16u);
        took[i] = t.done - t.doorbell;
    }
    BOOST_CHECK(took[0] == ns(16050));
    BOOST_CHECK(took[1] == ns(4080));
    // Time waiting for tags: 1 tag: 15 x 1000 ns. 4 tags: requests 4, 8, 12 wait 970 ns, the
    // nine others 10 ns.
    BOOST_CHECK(h_tags1->dma.transfers()[0].wait_tags == ns(15000));
    BOOST_CHECK(h_tags4->dma.transfers()[0].wait_tags == ns(3000));
    const double ratio = took[0].to_seconds() / took[1].to_seconds();
    BOOST_CHECK_CLOSE(ratio, 16000.0 / 4000.0, 2.0); // within 2 % of the bound's ratio
}

// Linked list as dw-edma writes it: chunk 1 = three data elements with CB = 1 (the last with
// LIE) and a link element LLP|TCB with CB = 0 back to the start; CCS = 1. The channel consumes
// the three and stops at the link (CB mismatch). Chunk 2 reuses the slots with CB = 0 and a
// link with CB = 1: the doorbell resumes at the link (CB = CCS = 1), toggles CCS to 0, jumps,
// consumes the three new elements and stops at the link again.
BOOST_AUTO_TEST_CASE(linked_list_with_link_element_and_cycle_bit) {
    harness& h = *h_ll;
    const std::uint64_t ll = 0x10000;
    const std::uint64_t link_slot = ll + 3 * ELEMENT_BYTES;
    const std::uint32_t size1[] = {100, 200, 300};
    for (unsigned i = 0; i < 3; ++i) {
        h.bus.fill_local(0x20000 + i * 0x1000, size1[i], 20 + i);
        h.bus.data_element(ll + i * ELEMENT_BYTES, CB | (i == 2 ? LIE : 0), size1[i],
                           0x20000 + i * 0x1000, host_base + i * 0x1000);
    }
    h.bus.link_element(link_slot, TCB, ll);
    h.wr(harness::ch(false, 0, CH_CONTROL1), CCS | LLE);
    h.wr(harness::ch(false, 0, LLP_LO), lo(ll));
    h.wr(harness::ch(false, 0, LLP_HI), hi(ll));
    h.start(false, 0);
    run();
    for (unsigned i = 0; i < 3; ++i)
        BOOST_CHECK(
            h.bus.local_equals_host(0x20000 + i * 0x1000, host_base + i * 0x1000, size1[i]));
    BOOST_CHECK_EQUAL(h.bus.mwr_count(), 4u); // 100, 200, 256 + 44
    const std::uint32_t c1 = h.rd(harness::ch(false, 0, CH_CONTROL1));
    BOOST_CHECK_EQUAL((c1 & CS_MASK) >> 5, CS_STOPPED);
    BOOST_CHECK(c1 & CCS);
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 0, LLP_LO)), lo(link_slot));
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x1u);
    BOOST_CHECK_EQUAL(h.dma.counters().ll_elements, 4u);
    h.wr(WR_INT_CLEAR, 0x1);

    const std::uint32_t size2[] = {50, 60, 70};
    for (unsigned i = 0; i < 3; ++i) {
        h.bus.fill_local(0x23000 + i * 0x100, size2[i], 40 + i);
        h.bus.data_element(ll + i * ELEMENT_BYTES, i == 2 ? LIE : 0, size2[i], 0x23000 + i * 0x100,
                           host_base + 0x3000 + i * 0x100);
    }
    h.bus.link_element(link_slot, TCB | CB, ll);
    h.wr(WR_DOORBELL, 0); // no new LLP: resume where the channel stopped
    run();
    for (unsigned i = 0; i < 3; ++i)
        BOOST_CHECK(
            h.bus.local_equals_host(0x23000 + i * 0x100, host_base + 0x3000 + i * 0x100, size2[i]));
    BOOST_CHECK_EQUAL(h.bus.mwr_count(), 7u); // chunk 1 was not sent again
    const std::uint32_t c2 = h.rd(harness::ch(false, 0, CH_CONTROL1));
    BOOST_CHECK_EQUAL((c2 & CS_MASK) >> 5, CS_STOPPED);
    BOOST_CHECK(!(c2 & CCS)); // toggled by the link element
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 0, LLP_LO)), lo(link_slot));
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x1u);
    BOOST_CHECK_EQUAL(h.dma.counters().ll_elements, 4u + 5u); // link, 3 data, link
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 2u);
    BOOST_CHECK_EQUAL(h.dma.transfers()[0].bytes, 600u);
    BOOST_CHECK_EQUAL(h.dma.transfers()[1].bytes, 180u);
    BOOST_CHECK(!h.dma.transfers()[1].aborted);
    BOOST_CHECK_EQUAL(h.bus.violations, 0u);
}

// Done bits in both directions, int_mask gating the level, W1C through int_clear; the line is
// the OR of unmasked bits of both directions.
BOOST_AUTO_TEST_CASE(done_interrupt_status_mask_clear_and_irq_level) {
    harness& h = *h_irq;
    h.bus.fill_local(0x1000, 128, 3);
    h.bus.fill_host(host_base + 0x800, 128, 4);
    h.wr(WR_INT_MASK, 1u << 1); // WR ch1 done masked
    h.single(false, 1, 128, 0x1000, host_base, LIE);
    h.start(false, 1);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x1000, host_base, 128));
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x2u); // status set even while masked
    BOOST_CHECK(!h.dma.irq());
    BOOST_CHECK(h.bus.irq_edges.empty());
    h.wr(WR_INT_MASK, 0); // unmask: the pending bit raises the line
    BOOST_CHECK(h.dma.irq());
    BOOST_CHECK(h.bus.irq_level);

    h.single(true, 0, 128, host_base + 0x800, 0x6000, LIE);
    h.start(true, 0);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x6000, host_base + 0x800, 128));
    BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 0x1u);
    BOOST_CHECK_EQUAL(h.status(true, 0), CS_STOPPED);
    h.wr(WR_INT_CLEAR, 0x1); // channel 0 had nothing pending
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x2u);
    h.wr(WR_INT_CLEAR, 0x2);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0u);
    BOOST_CHECK(h.bus.irq_level); // RD ch0 still pending
    h.wr(RD_INT_MASK, 0x1);
    BOOST_CHECK(!h.bus.irq_level);
    h.wr(RD_INT_MASK, 0);
    BOOST_CHECK(h.bus.irq_level);
    h.wr(RD_INT_CLEAR, 0x1);
    BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 0u);
    BOOST_CHECK(!h.bus.irq_level && !h.dma.irq());
    const std::vector<bool> edges = {true, false, true, false};
    BOOST_CHECK(h.bus.irq_edges == edges);
}

// RIE: after the data, an IMWr of the channel's 16-bit data (odd channel: the high half of
// chXY_imwr_data) to done_imwr, as a 4-byte MWr that never passes the data.
BOOST_AUTO_TEST_CASE(rie_imwr_follows_the_data) {
    harness& h = *h_rie;
    const std::uint64_t dar = host_base + 0x1000, imwr = host_base + 0x8000;
    h.bus.fill_local(0x2000, 600, 6);
    h.wr(WR_DONE_IMWR_LO, lo(imwr));
    h.wr(WR_DONE_IMWR_HI, hi(imwr));
    h.wr(WR_CH01_IMWR_DATA, 0xBEEF1234); // ch0 0x1234, ch1 0xBEEF
    h.single(false, 1, 600, 0x2000, dar, LIE | RIE);
    h.start(false, 1);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x2000, dar, 600));
    BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 4u); // 256 + 256 + 88, then the IMWr
    const tlp_rec& last_data = h.bus.tlps[2];
    const tlp_rec& msg = h.bus.tlps[3];
    BOOST_CHECK_EQUAL(last_data.addr, dar + 512);
    BOOST_CHECK_EQUAL(last_data.len, 88u);
    BOOST_CHECK(!msg.read);
    BOOST_CHECK_EQUAL(msg.addr, imwr);
    BOOST_CHECK_EQUAL(msg.len, 4u);
    const std::vector<unsigned char> beef = {0xEF, 0xBE, 0x00, 0x00};
    BOOST_CHECK(msg.data == beef);
    BOOST_CHECK(msg.start >= last_data.start + h.bus.tlp_time);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x2u);
    BOOST_CHECK_EQUAL(h.status(false, 1), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.dma.counters().imwr_tlps, 1u);
    BOOST_CHECK_EQUAL(h.dma.transfers().back().tlps, 3u); // data TLPs only

    // Read channel 0: the IMWr leaves after the last completion was written locally.
    const std::uint64_t src = host_base + 0x4000, rd_imwr = host_base + 0x9000;
    h.bus.fill_host(src, 1000, 7);
    h.wr(RD_DONE_IMWR_LO, lo(rd_imwr));
    h.wr(RD_DONE_IMWR_HI, hi(rd_imwr));
    h.wr(RD_CH01_IMWR_DATA, 0x0000ABCD);
    h.single(true, 0, 1000, src, 0x9000, RIE); // RIE only: no local done bit
    h.start(true, 0);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x9000, src, 1000));
    BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 4u + 3u); // MRd 512 and 488, then the IMWr
    const tlp_rec& rmsg = h.bus.tlps.back();
    BOOST_CHECK(!rmsg.read);
    BOOST_CHECK_EQUAL(rmsg.addr, rd_imwr);
    const std::vector<unsigned char> abcd = {0xCD, 0xAB, 0x00, 0x00};
    BOOST_CHECK(rmsg.data == abcd);
    BOOST_CHECK(rmsg.start >= h.dma.transfers().back().done);
    BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 0u);
    BOOST_CHECK_EQUAL(h.status(true, 0), CS_STOPPED);
}

// An AXI error reading local memory aborts the channel: CH_STATUS error, ABORT bit (<< 16),
// APP_READ_ERR in wr_err_status, the local line, and the abort IMWr (RIE); clearing the abort
// bit clears the error status.
BOOST_AUTO_TEST_CASE(abort_on_local_axi_error) {
    harness& h = *h_axi;
    h.bus.axi_err_lo = 0x40000;
    h.bus.axi_err_hi = 0x41000;
    const std::uint64_t abort_addr = host_base + 0xA000;
    h.wr(WR_ABORT_IMWR_LO, lo(abort_addr));
    h.wr(WR_ABORT_IMWR_HI, hi(abort_addr));
    h.wr(WR_CH01_IMWR_DATA, 0x00000077);
    h.single(false, 0, 512, 0x40000, host_base, LIE | RIE);
    h.start(false, 0);
    run();
    BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 1u); // only the abort IMWr
    BOOST_CHECK_EQUAL(h.bus.tlps[0].addr, abort_addr);
    const std::vector<unsigned char> d77 = {0x77, 0, 0, 0};
    BOOST_CHECK(h.bus.tlps[0].data == d77);
    const std::uint32_t cs = h.status(false, 0);
    BOOST_CHECK(cs != CS_RUNNING && cs != CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 1u << 16);
    BOOST_CHECK_EQUAL(h.rd(WR_ERR_STATUS), 0x1u);
    BOOST_CHECK(h.dma.irq());
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
    BOOST_CHECK(h.dma.transfers()[0].aborted);
    BOOST_CHECK_EQUAL(h.dma.transfers()[0].bytes, 0u);
    BOOST_CHECK_EQUAL(h.dma.counters().transfers_aborted, 1u);
    h.wr(WR_INT_CLEAR, 1u << 16);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0u);
    BOOST_CHECK_EQUAL(h.rd(WR_ERR_STATUS), 0u);
    BOOST_CHECK(!h.dma.irq());

    // A linked list whose element fetch fails: LL_FETCH_ERR [23:16], abort IMWr by LLRAIE.
    h.bus.tlps.clear();
    h.wr(WR_LL_ERR_EN, 1u << 1);
    h.wr(harness::ch(false, 1, CH_CONTROL1), CCS | LLE);
    h.wr(harness::ch(false, 1, LLP_LO), 0x40800);
    h.wr(harness::ch(false, 1, LLP_HI), 0);
    h.wr(WR_DOORBELL, 1);
    run();
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 1u << 17);
    BOOST_CHECK_EQUAL(h.rd(WR_ERR_STATUS), 1u << 17);
    BOOST_CHECK_NE(h.status(false, 1), CS_STOPPED);
    BOOST_REQUIRE_EQUAL(h.bus.tlps.size(), 1u);
    BOOST_CHECK_EQUAL(h.bus.tlps[0].addr, abort_addr);
    const std::vector<unsigned char> d00 = {0, 0, 0, 0}; // ch1's half of WR_CH01_IMWR_DATA
    BOOST_CHECK(h.bus.tlps[0].data == d00);
    h.wr(WR_INT_CLEAR, 1u << 17);
    BOOST_CHECK_EQUAL(h.rd(WR_ERR_STATUS), 0u);
    BOOST_CHECK(!h.dma.irq());
}

// A UR completion aborts a read channel: UR bit of the channel in rd_err_status high, ABORT bit,
// nothing written locally, abort IMWr with the channel's data. A CA sets the CA field [15:8].
BOOST_AUTO_TEST_CASE(abort_on_ur_and_ca_completions) {
    harness& h = *h_ur;
    const std::uint64_t abort_addr = host_base + 0xB000;
    h.wr(RD_ABORT_IMWR_LO, lo(abort_addr));
    h.wr(RD_ABORT_IMWR_HI, hi(abort_addr));
    h.wr(RD_CH01_IMWR_DATA, 0x55550000); // ch1
    std::fill(h.bus.local.begin() + 0x7000, h.bus.local.begin() + 0x7400, 0xA5);
    h.single(true, 1, 1024, 0x900000000ull, 0x7000, LIE | RIE); // no host memory there: UR
    h.start(true, 1);
    run();
    BOOST_CHECK(std::all_of(h.bus.local.begin() + 0x7000, h.bus.local.begin() + 0x7400,
                            [](unsigned char c) { return c == 0xA5; }));
    BOOST_CHECK(h.bus.axi.empty());
    BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 1u << 17);
    BOOST_CHECK_EQUAL(h.rd(RD_ERR_STATUS_HI), 0x2u); // UR [7:0], channel 1
    BOOST_CHECK_EQUAL(h.rd(RD_ERR_STATUS_LO), 0u);
    const std::uint32_t cs = h.status(true, 1);
    BOOST_CHECK(cs != CS_RUNNING && cs != CS_STOPPED);
    BOOST_CHECK(h.dma.irq());
    BOOST_REQUIRE(!h.bus.tlps.empty());
    BOOST_CHECK(h.bus.tlps[0].read);
    const tlp_rec& msg = h.bus.tlps.back();
    BOOST_CHECK(!msg.read);
    BOOST_CHECK_EQUAL(msg.addr, abort_addr);
    const std::vector<unsigned char> d55 = {0x55, 0x55, 0, 0};
    BOOST_CHECK(msg.data == d55);
    BOOST_CHECK(h.dma.transfers().back().aborted);
    h.wr(RD_INT_CLEAR, 1u << 17);
    BOOST_CHECK_EQUAL(h.rd(RD_ERR_STATUS_HI), 0u);
    BOOST_CHECK(!h.dma.irq());

    h.bus.ca_lo = host_base;
    h.bus.ca_hi = host_base + 0x1000;
    h.single(true, 0, 256, host_base + 0x100, 0x7000, LIE);
    h.start(true, 0);
    run();
    BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 1u << 16);
    BOOST_CHECK_EQUAL(h.rd(RD_ERR_STATUS_HI), 0x1u << 8); // CA [15:8], channel 0
    BOOST_CHECK(std::all_of(h.bus.local.begin() + 0x7000, h.bus.local.begin() + 0x7100,
                            [](unsigned char c) { return c == 0xA5; }));
    BOOST_CHECK(h.dma.irq());
    h.wr(RD_INT_CLEAR, 1u << 16);
    BOOST_CHECK_EQUAL(h.rd(RD_ERR_STATUS_HI), 0u);
    BOOST_CHECK(!h.dma.irq());
}

// With WR_ENGINE_EN clear a doorbell does nothing (a guest error is logged); once the engine
// is enabled the same programming runs.
BOOST_AUTO_TEST_CASE(doorbell_with_engine_disabled_does_nothing) {
    harness& h = *h_off;
    const std::uint64_t before = logger::get().count(log_kind::guest_error);
    h.bus.fill_local(0x1000, 64, 8);
    h.single(false, 0, 64, 0x1000, host_base, LIE);
    h.wr(WR_DOORBELL, 0);
    run();
    BOOST_CHECK(h.bus.tlps.empty() && h.bus.axi.empty());
    BOOST_CHECK_EQUAL(h.status(false, 0), 0u);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0u);
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 0, TRANSFER_SIZE)), 64u);
    BOOST_CHECK(h.dma.transfers().empty());
    BOOST_CHECK_EQUAL(h.dma.counters().doorbells_ignored, 1u);
    BOOST_CHECK_EQUAL(logger::get().count(log_kind::guest_error), before + 1);
    BOOST_CHECK(!h.dma.irq());
    // A doorbell for a channel the core does not have is ignored as well.
    h.wr(WR_ENGINE_EN, 1);
    h.wr(WR_DOORBELL, 5);
    run();
    BOOST_CHECK(h.bus.tlps.empty());
    BOOST_CHECK_EQUAL(h.dma.counters().doorbells_ignored, 2u);
    h.wr(WR_DOORBELL, 0);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x1000, host_base, 64));
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x1u);
}

// A link element that points at itself with CB = CCS and no TCB never stops by itself: the
// engine gives up after max_ll_elements (default 2^20) fetches with a linked-list error.
BOOST_AUTO_TEST_CASE(runaway_linked_list_is_aborted) {
    harness& h = *h_loop;
    h.bus.link_element(0x50000, CB, 0x50000);
    h.wr(harness::ch(false, 0, CH_CONTROL1), CCS | LLE);
    h.wr(harness::ch(false, 0, LLP_LO), 0x50000);
    h.start(false, 0);
    run();
    BOOST_CHECK_EQUAL(h.dma.counters().ll_elements, 1u << 20);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 1u << 16);
    BOOST_CHECK_EQUAL(h.rd(WR_ERR_STATUS), 1u << 16); // LL_FETCH_ERR, channel 0
    const std::uint32_t cs = h.status(false, 0);
    BOOST_CHECK(cs != CS_RUNNING && cs != CS_STOPPED);
    BOOST_CHECK(h.bus.tlps.empty());
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
    BOOST_CHECK(h.dma.transfers()[0].aborted);
    BOOST_CHECK(h.dma.irq());
}

// Doorbell with bit 31 (STOP) while the channel runs: it stops between TLPs with the abort
// bit, CH_STATUS error and no error-status bit; not every byte was moved.
BOOST_AUTO_TEST_CASE(doorbell_stop_aborts_a_running_channel) {
    harness& h = *h_stop;
    const std::uint64_t bytes = 64 * KiB; // 256 TLPs x 100 ns = 25.6 us
    h.bus.fill_local(0x10000, bytes, 9);
    h.single(false, 0, static_cast<std::uint32_t>(bytes), 0x10000, host_base, LIE);
    h.start(false, 0);
    sc_core::sc_start(sc_time(5, SC_US));
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_RUNNING);
    const std::uint32_t left = h.rd(harness::ch(false, 0, TRANSFER_SIZE));
    BOOST_CHECK(left > 0 && left < bytes); // counting down
    h.wr(WR_DOORBELL, DOORBELL_STOP | 0);
    run();
    const std::uint32_t cs = h.status(false, 0);
    BOOST_CHECK(cs != CS_RUNNING && cs != CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 1u << 16);
    BOOST_CHECK_EQUAL(h.rd(WR_ERR_STATUS), 0u);
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
    const auto& t = h.dma.transfers()[0];
    BOOST_CHECK(t.aborted);
    BOOST_CHECK(t.bytes > 0 && t.bytes < bytes);
    BOOST_CHECK_EQUAL(t.bytes, 256u * h.bus.mwr_count());
    BOOST_CHECK(h.bus.local_equals_host(0x10000, host_base, t.bytes));
    BOOST_CHECK_EQUAL(h.dma.counters().stops, 1u);
}

// Two write channels rung together share the link: their TLPs interleave (at quantum
// granularity), the link never idles, so the later one finishes after 50 ns (first burst) +
// 32 TLPs x 100 ns = 3250 ns, and the TLPs that found the link busy report link waits.
BOOST_AUTO_TEST_CASE(channels_of_one_direction_share_the_link) {
    harness& h = *h_share;
    h.bus.fill_local(0x1000, 4 * KiB, 10);
    h.bus.fill_local(0x3000, 4 * KiB, 11);
    h.single(false, 0, 4 * KiB, 0x1000, host_base + 0x10000, LIE);
    h.single(false, 1, 4 * KiB, 0x3000, host_base + 0x20000, LIE);
    h.wr(WR_ENGINE_EN, 1);
    h.wr(WR_DOORBELL, 0);
    h.wr(WR_DOORBELL, 1);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x1000, host_base + 0x10000, 4 * KiB));
    BOOST_CHECK(h.bus.local_equals_host(0x3000, host_base + 0x20000, 4 * KiB));
    BOOST_CHECK_EQUAL(h.bus.tlps.size(), 32u);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x3u);
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.status(false, 1), CS_STOPPED);
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 2u);
    const auto& a = h.dma.transfers()[0];
    const auto& b = h.dma.transfers()[1];
    BOOST_CHECK(a.doorbell == b.doorbell);
    BOOST_CHECK(std::max(a.done, b.done) - a.doorbell == ns(3250));
    BOOST_CHECK(std::min(a.done, b.done) - a.doorbell > ns(1650)); // slower than alone
    BOOST_CHECK(a.wait_link + b.wait_link > SC_ZERO_TIME);
    // The TLPs of the two channels overlap in time.
    bool interleaved = false;
    for (std::size_t i = 1; i + 1 < h.bus.tlps.size(); ++i)
        interleaved = interleaved || ((h.bus.tlps[i].addr >= host_base + 0x20000) !=
                                      (h.bus.tlps[i - 1].addr >= host_base + 0x20000));
    std::vector<sc_time> starts;
    for (const auto& t : h.bus.tlps)
        starts.push_back(t.start);
    std::sort(starts.begin(), starts.end());
    for (std::size_t i = 1; i < starts.size(); ++i)
        BOOST_CHECK(starts[i] - starts[i - 1] == h.bus.tlp_time); // no gap, no overlap
    BOOST_CHECK(interleaved);
}

// Read channel, linked list of two 1 KiB elements (MRRS 512, 4 tags, MRd 10 ns on the link,
// completions 1000 ns after the MRd, element fetch and local write 50 ns each): the blocks
// overlap. Element 0 is fetched at +50, element 1 at +100 (prefetch); block 0's MRds leave at
// +50/+60, block 1's at +100/+110 (tags free), their completions at +1100/+1110 are written by
// +1150/+1160; the stop element (fetched once block 0 is done, +1110) arrives at +1160.
// Done at +1160 ns, not 2 x 1110.
BOOST_AUTO_TEST_CASE(linked_list_read_blocks_overlap) {
    harness& h = *h_llrd;
    h.bus.tags = 4;
    h.bus.mrrs = 512;
    h.bus.tlp_time = ns(10);
    h.bus.round_trip = ns(1000);
    h.bus.local_latency = ns(50);
    const std::uint64_t ll = 0x30000, src = host_base + 0x6000;
    h.bus.fill_host(src, 2 * KiB, 30);
    h.bus.data_element(ll, CB, 1024, src, 0x40000);
    h.bus.data_element(ll + ELEMENT_BYTES, CB | LIE, 1024, src + 1024, 0x50000);
    h.bus.data_element(ll + 2 * ELEMENT_BYTES, 0, 0, 0, 0); // CB = 0: stop
    h.wr(harness::ch(true, 0, CH_CONTROL1), CCS | LLE);
    h.wr(harness::ch(true, 0, LLP_LO), lo(ll));
    h.wr(harness::ch(true, 0, LLP_HI), hi(ll));
    h.start(true, 0);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x40000, src, 1024));
    BOOST_CHECK(h.bus.local_equals_host(0x50000, src + 1024, 1024));
    BOOST_CHECK_EQUAL(h.bus.tlps.size(), 4u);
    BOOST_CHECK_EQUAL(h.status(true, 0), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(RD_INT_STATUS), 0x1u);
    BOOST_CHECK_EQUAL(h.rd(harness::ch(true, 0, LLP_LO)), lo(ll + 2 * ELEMENT_BYTES));
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
    const auto& t = h.dma.transfers()[0];
    BOOST_CHECK_EQUAL(t.bytes, 2 * KiB);
    BOOST_CHECK(t.done - t.doorbell == ns(1160));
}

// A doorbell while a linked list runs (dynamic append): the channel fetches the element it
// would have stopped at again, finds the appended one and moves it too, in the same run.
BOOST_AUTO_TEST_CASE(doorbell_while_a_linked_list_runs_rechecks_the_list) {
    harness& h = *h_rerun;
    const std::uint64_t ll = 0x60000;
    const std::uint64_t big = 64 * KiB; // 256 TLPs x 100 ns
    h.bus.fill_local(0x80000, big, 50);
    h.bus.fill_local(0x90000, 64, 51);
    h.bus.data_element(ll, CB | LIE, static_cast<std::uint32_t>(big), 0x80000, host_base);
    h.bus.data_element(ll + ELEMENT_BYTES, 0, 0, 0, 0); // not yet valid
    h.wr(harness::ch(false, 0, CH_CONTROL1), CCS | LLE);
    h.wr(harness::ch(false, 0, LLP_LO), lo(ll));
    h.wr(harness::ch(false, 0, LLP_HI), hi(ll));
    h.start(false, 0);
    sc_core::sc_start(sc_time(2, SC_US));
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_RUNNING);
    h.bus.data_element(ll + ELEMENT_BYTES, CB | LIE, 64, 0x90000, host_base + 0x20000);
    h.bus.data_element(ll + 2 * ELEMENT_BYTES, 0, 0, 0, 0);
    h.wr(WR_DOORBELL, 0);
    BOOST_CHECK_EQUAL(h.dma.counters().doorbells_rerun, 1u);
    run();
    BOOST_CHECK(h.bus.local_equals_host(0x80000, host_base, big));
    BOOST_CHECK(h.bus.local_equals_host(0x90000, host_base + 0x20000, 64));
    BOOST_CHECK_EQUAL(h.status(false, 0), CS_STOPPED);
    BOOST_CHECK_EQUAL(h.rd(WR_INT_STATUS), 0x1u);
    BOOST_CHECK_EQUAL(h.rd(harness::ch(false, 0, LLP_LO)), lo(ll + 2 * ELEMENT_BYTES));
    BOOST_REQUIRE_EQUAL(h.dma.transfers().size(), 1u);
    BOOST_CHECK_EQUAL(h.dma.transfers()[0].bytes, big + 64);
    BOOST_CHECK(!h.dma.transfers()[0].aborted);
}

int sc_main(int, char*[]) {
    return 0;
}

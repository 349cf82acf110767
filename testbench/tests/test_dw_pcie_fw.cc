// The real firmware DWC driver (firmware/dwc/pcie_designware.{h,cc},
// firmware/dwc/pcie_designware_ep.{h,cc}) and EPC core (firmware/epc/epc.{h,cc}) on a fake
// hal::platform whose iATU is the model's SystemC-free epvp::dwc::iatu and whose other DBI/DBI2
// registers are a plain register map. Outbound aperture accesses go through the iATU's outbound
// translation into a sparse "host memory", so a mapping is checked by the data that lands on the
// PCI side.
//
// Covers: iATU probing (version detect + dw_pcie_iatu_detect) for unrolled and viewport cores
// and for board/hardware disagreements; pci_epc_mem_map / mem_unmap (offset inside the aligned
// window, partial mappings at board.max_map_bytes and at a region-limit boundary, window and
// aperture exhaustion, unmap); set_bar / clear_bar BAR-match inbound programming.
// Expected values come from Linux's DWC driver (drivers/pci/controller/dwc/pcie-designware.c,
// pcie-designware-ep.c) and this project's documented align_addr (a capped, partial mapping instead
// of Linux's failure), written by hand rather than taken from the code under test.
#define BOOST_TEST_MODULE dw_pcie_fw
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "firmware/dwc/pcie_designware.h"
#include "firmware/dwc/pcie_designware_ep.h"
#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/hal/pci_regs.h"
#include "model/dwc/iatu.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace hal {
// For Boost.Test messages.
std::ostream& operator<<(std::ostream& os, status s) {
    return os << to_string(s);
}
} // namespace hal

namespace {

using epvp::dwc::iatu;
using epvp::dwc::iatu_dir;
using epvp::dwc::iatu_params;

constexpr std::uint64_t KiB = 1024, MiB = KiB * KiB, GiB = MiB * KiB, TiB = GiB * KiB;

// ---- Reference facts (dw-ep-reference.md sections 1-2), spelled out here --------------------

// DBI registers (1.1).
constexpr std::uint32_t MISC_CONTROL_1_OFF = 0x8BC;
constexpr std::uint32_t DBI_RO_WR_EN = 1u << 0;
constexpr std::uint32_t VERSION_NUMBER = 0x8F8;
constexpr std::uint32_t ATU_VIEWPORT = 0x900;
constexpr std::uint32_t ATU_VIEWPORT_BASE = 0x904;
constexpr std::uint32_t ATU_VIEWPORT_SIZE = 0x2C;
constexpr std::uint32_t ATU_REGION_DIR_IB = 1u << 31;

// Core versions: ASCII in VERSION_NUMBER; cores older than 4.70a read zero.
constexpr std::uint32_t VER_OLDER_THAN_470A = 0; // e.g. 3.65a
constexpr std::uint32_t VER_460A = 0x3436302a;   // "460*": UPPER_LIMIT exists from here
constexpr std::uint32_t VER_470A = 0x3437302a;   // "470*"
constexpr std::uint32_t VER_480A = 0x3438302a;   // "480*": unrolled iATU from here
constexpr std::uint32_t VER_540A = 0x3534302a;   // "540*"

// Per-region registers (1.3), in the unrolled block and behind the viewport.
constexpr std::uint32_t CTRL1 = 0x00;
constexpr std::uint32_t CTRL2 = 0x04;
constexpr std::uint32_t LOWER_BASE = 0x08;
constexpr std::uint32_t UPPER_BASE = 0x0C;
constexpr std::uint32_t LIMIT = 0x10;
constexpr std::uint32_t LOWER_TARGET = 0x14;
constexpr std::uint32_t UPPER_TARGET = 0x18;
constexpr std::uint32_t UPPER_LIMIT = 0x20;
constexpr std::uint32_t ALL_REGS[] = {CTRL1, CTRL2,        LOWER_BASE,   UPPER_BASE,
                                      LIMIT, LOWER_TARGET, UPPER_TARGET, UPPER_LIMIT};
// Unrolled layout (1.2).
constexpr std::uint32_t REGION_STRIDE = 0x200;
constexpr std::uint32_t INBOUND_OFFSET = 0x100;
constexpr std::uint64_t DEFAULT_ATU_SIZE = 4 * KiB; // "at most 8 in and 8 out windows"
constexpr unsigned MAX_IATU_REGIONS = 256;

// Bits (1.4).
constexpr std::uint32_t TYPE_MEM = 0x0;
constexpr std::uint32_t ENABLE = 1u << 31;
constexpr std::uint32_t BAR_MODE_ENABLE = 1u << 30;
constexpr std::uint32_t FUNC_NUM_MATCH_EN = 1u << 19;
constexpr std::uint32_t ctrl1_func_num(unsigned pf) {
    return pf << 20;
}
constexpr std::uint32_t ctrl2_bar(unsigned bar) {
    return bar << 8;
}

constexpr std::uint32_t lower_32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
constexpr std::uint32_t upper_32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> 32);
}

// ---- The board ---------------------------------------------------------------------------------

constexpr std::uint64_t DRAM_BASE = 0x4000'0000;
constexpr std::uint64_t DRAM_SIZE = 256 * MiB;
constexpr std::uint64_t DBI_BASE = 0x5000'0000;
constexpr std::uint64_t DBI_FUNCTION_BYTES = 4 * KiB;
constexpr std::uint64_t DBI2_OFFSET = 4 * KiB;     // Linux's default DBI2 placement
constexpr std::uint64_t ATU_OFFSET = 0x3ull << 20; // DEFAULT_DBI_ATU_OFFSET
constexpr std::uint64_t APERTURE_BASE = 0x8000'0000;
constexpr std::uint64_t APERTURE_SIZE = 16 * MiB;
constexpr std::uint64_t PAGE_4K = 4 * KiB;
constexpr std::uint64_t PAGE_64K = 64 * KiB;
constexpr std::uint64_t MAX_MAP = 64 * KiB; // board.max_map_bytes in these tests

constexpr unsigned FN = 0; // physical function under test
constexpr std::uint32_t BAR_ADDR_REG_STRIDE = 4;
constexpr std::uint32_t bar_reg(unsigned bar) {
    return pci::BASE_ADDRESS_0 + BAR_ADDR_REG_STRIDE * bar;
}

hal::ep_board make_board(std::uint64_t atu_size = DEFAULT_ATU_SIZE, std::uint64_t page = PAGE_4K) {
    hal::ep_board b;
    b.dbi = {DBI_BASE, DBI_FUNCTION_BYTES};
    b.dbi2 = {DBI_BASE + DBI2_OFFSET, DBI_FUNCTION_BYTES};
    b.atu = {DBI_BASE + ATU_OFFSET, atu_size};
    b.aperture = {APERTURE_BASE, APERTURE_SIZE};
    b.aperture_page_size = page;
    b.dram = {DRAM_BASE, DRAM_SIZE};
    b.bar_align = page;
    b.max_map_bytes = MAX_MAP;
    return b;
}

// Hardware geometry: what the iATU implements and which core version it reports.
struct geometry {
    std::uint32_t version; // VERSION_NUMBER register value
    unsigned ob, ib;
    std::uint64_t align;
    std::uint64_t limit; // the model's region limit (power of two)
};

iatu_params params_of(const geometry& g) {
    iatu_params p;
    p.outbound_windows = g.ob;
    p.inbound_windows = g.ib;
    p.region_align = g.align;
    p.region_limit = g.limit;
    p.unrolled = g.version >= VER_480A;
    p.has_upper_limit = g.version >= VER_460A;
    return p;
}

constexpr geometry G540_8X8_4K_1T{VER_540A, 8, 8, 4 * KiB, TiB};
constexpr geometry G540_8X8_4K_4G{VER_540A, 8, 8, 4 * KiB, 4 * GiB};
constexpr geometry G540_3X2_4K_4G{VER_540A, 3, 2, 4 * KiB, 4 * GiB};
constexpr geometry G470_VIEWPORT_4X2_64K_8G{VER_470A, 4, 2, 64 * KiB, 8 * GiB};

// ---- The fake platform -----------------------------------------------------------------------

struct atu_write {
    iatu_dir dir;
    unsigned index;
    std::uint32_t reg;
    std::uint32_t value;
};

struct bus_write {
    std::uint64_t addr;
    std::size_t len;
    std::uint64_t value; // the first 8 bytes, little-endian
};

struct log_line {
    hal::log_level level;
    std::string category, msg;
};

class fake_platform final : public hal::platform {
public:
    static constexpr std::uint64_t CPU_HZ = 1'000'000'000;

    fake_platform(const hal::ep_board& board, iatu& atu, std::uint32_t version)
        : board_(board)
        , atu_(atu) {
        dbi[VERSION_NUMBER] = version;
        set_dbi8(pci::HEADER_TYPE, pci::HEADER_TYPE_NORMAL);
    }

    hal::status read(std::uint64_t addr, void* data, std::size_t len) override {
        auto* p = static_cast<std::uint8_t*>(data);
        const hal::status s = board_.aperture.contains(addr, len) ? outbound(addr, p, len, false)
                                                                  : words(addr, p, len, false);
        if (s != hal::status::ok) ++bus_errors;
        return s;
    }

    hal::status write(std::uint64_t addr, const void* data, std::size_t len) override {
        bus_write w{addr, len, 0};
        std::memcpy(&w.value, data, std::min(len, sizeof w.value));
        writes.push_back(w);
        const auto* src = static_cast<const std::uint8_t*>(data);
        std::vector<std::uint8_t> buf(src, src + len);
        const hal::status s = board_.aperture.contains(addr, len)
                                  ? outbound(addr, buf.data(), len, true)
                                  : words(addr, buf.data(), len, true);
        if (s != hal::status::ok) ++bus_errors;
        return s;
    }

    std::uint64_t now_ns() override { return now_; }
    void delay_ns(std::uint64_t ns) override { now_ += ns; }
    void charge_cycles(std::uint64_t cycles) override { cycles_ += cycles; }
    void charge(work, std::uint64_t bytes) override { charged_bytes_ += bytes; }
    std::uint64_t cpu_clock_hz() const override { return CPU_HZ; }
    void set_irq_handler(unsigned line, hal::irq_handler handler) override {
        handlers_[line] = std::move(handler);
    }
    bool wait_for_interrupt(std::uint64_t timeout_ns) override {
        now_ += timeout_ns;
        return false;
    }
    void log(hal::log_level level, const std::string& category, const std::string& msg) override {
        lines.push_back({level, category, msg});
    }

    // ---- for the tests ----
    std::uint32_t dbi_reg(std::uint32_t off) const { return reg_of(dbi, off); }
    std::uint32_t dbi2_reg(std::uint32_t off) const { return reg_of(dbi2, off); }
    void set_dbi8(std::uint32_t off, std::uint8_t v) {
        const std::uint32_t shift = (off & 3u) * 8;
        std::uint32_t& w = dbi[off & ~3u];
        w = (w & ~(0xFFu << shift)) | (std::uint32_t(v) << shift);
    }
    bool logged(const std::string& part) const {
        return std::any_of(lines.begin(), lines.end(), [&](const log_line& l) {
            return l.msg.find(part) != std::string::npos;
        });
    }
    bool logged_exactly(hal::log_level level, const std::string& msg) const {
        return std::any_of(lines.begin(), lines.end(),
                           [&](const log_line& l) { return l.level == level && l.msg == msg; });
    }
    std::string dump_log() const {
        std::ostringstream os;
        for (const auto& l : lines)
            os << "[" << l.category << "] " << l.msg << "\n";
        return os.str();
    }
    std::uint8_t host_byte(std::uint64_t pci_addr) const {
        auto it = host_mem.find(pci_addr);
        return it == host_mem.end() ? 0 : it->second;
    }
    // Bus writes that touched [base, base+size).
    std::size_t writes_into(std::uint64_t base, std::uint64_t size, std::size_t from = 0) const {
        std::size_t n = 0;
        for (std::size_t i = from; i < writes.size(); ++i)
            if (writes[i].addr < base + size && writes[i].addr + writes[i].len > base) ++n;
        return n;
    }

    std::map<std::uint32_t, std::uint32_t> dbi, dbi2; // word-aligned offset -> value
    std::vector<bus_write> writes;
    std::vector<atu_write> atu_writes;     // every iATU register write, decoded
    std::vector<std::string> atu_warnings; // the model's programming-rule warnings
    std::vector<log_line> lines;
    std::unordered_map<std::uint64_t, std::uint8_t> host_mem; // PCI address -> byte
    unsigned bus_errors = 0;

private:
    static std::uint32_t reg_of(const std::map<std::uint32_t, std::uint32_t>& m,
                                std::uint32_t off) {
        auto it = m.find(off);
        return it == m.end() ? 0 : it->second;
    }

    // Aperture: through the model's outbound translation into host memory.
    hal::status outbound(std::uint64_t addr, std::uint8_t* buf, std::size_t len, bool wr) {
        for (std::size_t i = 0; i < len; ++i)
            if (!atu_.translate_outbound(addr + i).hit) return hal::status::decode_error;
        for (std::size_t i = 0; i < len; ++i) {
            const std::uint64_t pci_addr = atu_.translate_outbound(addr + i).address;
            if (wr)
                host_mem[pci_addr] = buf[i];
            else
                buf[i] = host_byte(pci_addr);
        }
        return hal::status::ok;
    }

    // Register space: 32-bit words; narrower or unaligned accesses merge into words.
    hal::status words(std::uint64_t addr, std::uint8_t* buf, std::size_t len, bool wr) {
        const std::uint64_t end = addr + len;
        for (std::uint64_t w = addr & ~3ull; w < end; w += 4) {
            std::uint32_t v = 0;
            const bool whole = w >= addr && w + 4 <= end;
            if (!wr || !whole) {
                const hal::status s = word(w, false, v);
                if (s != hal::status::ok) return s;
            }
            for (unsigned b = 0; b < 4; ++b) {
                const std::uint64_t a = w + b;
                if (a < addr || a >= end) continue;
                if (wr)
                    v = (v & ~(0xFFu << (8 * b))) | (std::uint32_t(buf[a - addr]) << (8 * b));
                else
                    buf[a - addr] = static_cast<std::uint8_t>(v >> (8 * b));
            }
            if (wr) {
                const hal::status s = word(w, true, v);
                if (s != hal::status::ok) return s;
            }
        }
        return hal::status::ok;
    }

    void record(iatu_dir d, unsigned index, std::uint32_t reg, std::uint32_t v,
                const epvp::dwc::iatu_write_result& res) {
        atu_writes.push_back({d, index, reg, v});
        if (!res.warning.empty()) atu_warnings.push_back(res.warning);
    }

    hal::status word(std::uint64_t a, bool wr, std::uint32_t& v) {
        const bool unrolled = atu_.params().unrolled;
        if (board_.atu.contains(a, 4)) {
            if (!unrolled) { // a viewport core does not decode the unrolled space
                if (!wr) v = 0;
                return hal::status::ok;
            }
            const auto off = static_cast<std::uint32_t>(a - board_.atu.base);
            if (wr) {
                const iatu_dir d = (off & INBOUND_OFFSET) ? iatu_dir::inbound : iatu_dir::outbound;
                record(d, off / REGION_STRIDE, off % INBOUND_OFFSET, v,
                       atu_.write_unrolled(off, v));
            } else {
                v = atu_.read_unrolled(off);
            }
            return hal::status::ok;
        }
        if (board_.dbi.contains(a, 4)) {
            const auto off = static_cast<std::uint32_t>(a - board_.dbi.base);
            if (off == ATU_VIEWPORT) {
                if (wr)
                    atu_.write_viewport(v);
                else
                    v = atu_.read_viewport();
                return hal::status::ok;
            }
            if (!unrolled && off >= ATU_VIEWPORT_BASE &&
                off < ATU_VIEWPORT_BASE + ATU_VIEWPORT_SIZE) {
                const std::uint32_t reg = off - ATU_VIEWPORT_BASE;
                if (wr) {
                    const std::uint32_t vp = atu_.read_viewport();
                    record((vp & ATU_REGION_DIR_IB) ? iatu_dir::inbound : iatu_dir::outbound,
                           vp & ~ATU_REGION_DIR_IB, reg, v, atu_.write_viewport_window(reg, v));
                } else {
                    v = atu_.read_viewport_window(reg);
                }
                return hal::status::ok;
            }
            return plain(dbi, off, wr, v);
        }
        if (board_.dbi2.contains(a, 4))
            return plain(dbi2, static_cast<std::uint32_t>(a - board_.dbi2.base), wr, v);
        return hal::status::decode_error;
    }

    static hal::status plain(std::map<std::uint32_t, std::uint32_t>& m, std::uint32_t off, bool wr,
                             std::uint32_t& v) {
        if (wr)
            m[off] = v;
        else
            v = reg_of(m, off);
        return hal::status::ok;
    }

    const hal::ep_board& board_;
    iatu& atu_;
    std::uint64_t now_ = 0, cycles_ = 0, charged_bytes_ = 0;
    std::map<unsigned, hal::irq_handler> handlers_;
};

// ---- Helpers ---------------------------------------------------------------------------------

// Every register of every implemented region, in a fixed order.
std::vector<std::uint32_t> snapshot(const iatu& a) {
    std::vector<std::uint32_t> v;
    for (iatu_dir d : {iatu_dir::outbound, iatu_dir::inbound})
        for (unsigned i = 0; i < a.count(d); ++i)
            for (std::uint32_t reg : ALL_REGS)
                v.push_back(a.read(d, i, reg));
    return v;
}

std::vector<unsigned> enabled(const iatu& a, iatu_dir d) {
    std::vector<unsigned> v;
    for (unsigned i = 0; i < a.count(d); ++i)
        if (a.read(d, i, CTRL2) & ENABLE) v.push_back(i);
    return v;
}

// The registers written, in order, since write number `from`, for one region.
std::vector<std::uint32_t> regs_written(const fake_platform& io, std::size_t from, iatu_dir d,
                                        unsigned index) {
    std::vector<std::uint32_t> v;
    for (std::size_t i = from; i < io.atu_writes.size(); ++i)
        if (io.atu_writes[i].dir == d && io.atu_writes[i].index == index)
            v.push_back(io.atu_writes[i].reg);
    return v;
}

std::uint8_t pattern(std::uint64_t i) {
    return static_cast<std::uint8_t>(i * 7 + (i >> 9) + 1);
}

// The controller and the EPC over it, brought up as firmware does: dw_pcie_ep, then
// init_registers (header check, version detect, iATU probe), then the EPC.
struct rig {
    hal::ep_board board;
    iatu atu;
    fake_platform io;
    fw::dwc::dw_pcie_ep ep;
    int init_rc;
    fw::epc::epc epc;

    rig(const geometry& g, const hal::ep_board& b)
        : board(b)
        , atu(params_of(g))
        , io(board, atu, g.version)
        , ep(io, board)
        , init_rc(ep.init_registers())
        , epc(ep, io, board) {}

    // True when the whole aperture is free: one allocation of all of it lands at its base.
    bool aperture_all_free() {
        std::uint64_t phys = 0;
        if (epc.mem_alloc_addr(board.aperture.size, phys) != 0) return false;
        epc.mem_free_addr(phys, board.aperture.size);
        return phys == board.aperture.base;
    }
};

constexpr unsigned MAX_PIECES = 64; // loop guard

// pci-epf-test's loop: map, write map.pci_size bytes through the window, unmap, advance.
// Returns the mappings in order.
std::vector<fw::epc::map> write_through_windows(rig& r, std::uint64_t pci_addr,
                                                std::uint64_t size) {
    std::vector<fw::epc::map> pieces;
    std::uint64_t done = 0;
    while (done < size && pieces.size() < MAX_PIECES) {
        fw::epc::map m;
        const int rc = r.epc.mem_map(FN, pci_addr + done, size - done, m);
        BOOST_TEST_REQUIRE(rc == 0);
        BOOST_TEST(m.pci_addr == pci_addr + done);
        BOOST_TEST_REQUIRE(m.pci_size > 0u);
        BOOST_TEST_REQUIRE(m.pci_size <= size - done);
        const auto first = r.atu.translate_outbound(m.phys_addr);
        const auto last = r.atu.translate_outbound(m.phys_addr + m.pci_size - 1);
        BOOST_TEST(first.hit);
        BOOST_TEST(first.address == m.pci_addr);
        BOOST_TEST(last.hit);
        BOOST_TEST(last.address == m.pci_addr + m.pci_size - 1);
        std::vector<std::uint8_t> chunk(m.pci_size);
        for (std::uint64_t i = 0; i < m.pci_size; ++i)
            chunk[i] = pattern(done + i);
        BOOST_TEST(r.io.write(m.phys_addr, chunk.data(), chunk.size()) == hal::status::ok);
        r.epc.mem_unmap(FN, m);
        BOOST_TEST(!r.atu.translate_outbound(m.phys_addr).hit);
        pieces.push_back(m);
        done += m.pci_size;
    }
    BOOST_TEST(done == size);
    return pieces;
}

std::uint64_t host_mismatches(const fake_platform& io, std::uint64_t pci_addr, std::uint64_t size) {
    std::uint64_t bad = 0;
    for (std::uint64_t i = 0; i < size; ++i)
        if (io.host_byte(pci_addr + i) != pattern(i)) ++bad;
    return bad;
}

} // namespace

// =================================================================================================
// 1. Probe: version detect + dw_pcie_iatu_detect (reference section 2)
// =================================================================================================

namespace {

struct expected_probe {
    bool unroll;
    unsigned ob, ib;
    std::uint64_t align;
    std::uint64_t limit; // region_limit, inclusive mask
    const char* line;
};

void check_probe(const geometry& g, std::uint64_t atu_size, const expected_probe& e) {
    const hal::ep_board board = make_board(atu_size);
    iatu atu(params_of(g));
    fake_platform io(board, atu, g.version);
    fw::dwc::dw_pcie pci(io, board);

    pci.version_detect();
    BOOST_TEST(pci.version() == g.version);
    const int rc = pci.iatu_detect();
    BOOST_TEST(rc == 0);
    BOOST_TEST(pci.iatu_unroll() == e.unroll);
    BOOST_TEST(pci.num_ob_windows() == e.ob);
    BOOST_TEST(pci.num_ib_windows() == e.ib);
    BOOST_TEST(pci.region_align() == e.align);
    BOOST_TEST(pci.region_limit() == e.limit);
    BOOST_TEST(io.logged_exactly(hal::log_level::info, e.line), "expected \"" << e.line
                                                                              << "\"; log:\n"
                                                                              << io.dump_log());
    BOOST_TEST(io.bus_errors == 0u);
    BOOST_TEST(io.atu_warnings.empty());
    // Probing enables nothing.
    BOOST_TEST(enabled(atu, iatu_dir::outbound).empty());
    BOOST_TEST(enabled(atu, iatu_dir::inbound).empty());
}

} // namespace

BOOST_AUTO_TEST_CASE(probe_540a_unrolled_8x8_4k_1t) {
    check_probe(
        G540_8X8_4K_1T, DEFAULT_ATU_SIZE,
        {true, 8, 8, 4 * KiB, TiB - 1, "iATU: unroll T, 8 ob, 8 ib, align 4K, limit 1024G"});
}

BOOST_AUTO_TEST_CASE(probe_540a_unrolled_3x2_64k_4g) {
    check_probe(
        {VER_540A, 3, 2, 64 * KiB, 4 * GiB}, DEFAULT_ATU_SIZE,
        {true, 3, 2, 64 * KiB, 4 * GiB - 1, "iATU: unroll T, 3 ob, 2 ib, align 64K, limit 4G"});
}

BOOST_AUTO_TEST_CASE(probe_540a_unrolled_256x256_needs_a_256_region_atu_space) {
    check_probe({VER_540A, MAX_IATU_REGIONS, MAX_IATU_REGIONS, 4 * KiB, TiB},
                MAX_IATU_REGIONS * REGION_STRIDE,
                {true, 256, 256, 4 * KiB, TiB - 1,
                 "iATU: unroll T, 256 ob, 256 ib, align 4K, limit 1024G"});
}

BOOST_AUTO_TEST_CASE(probe_470a_viewport_4x2_64k) {
    // 4.70a: no unrolled space yet, but UPPER_LIMIT exists (>= 4.60a).
    check_probe(
        G470_VIEWPORT_4X2_64K_8G, DEFAULT_ATU_SIZE,
        {false, 4, 2, 64 * KiB, 8 * GiB - 1, "iATU: unroll F, 4 ob, 2 ib, align 64K, limit 8G"});
}

BOOST_AUTO_TEST_CASE(probe_365a_viewport_without_upper_limit_is_4g) {
    // Version registers read 0: no UPPER_LIMIT, region_limit = SZ_4G - 1 whatever the hardware.
    const geometry g{VER_OLDER_THAN_470A, 8, 8, 4 * KiB, TiB};
    check_probe(
        g, DEFAULT_ATU_SIZE,
        {false, 8, 8, 4 * KiB, (1ull << 32) - 1, "iATU: unroll F, 8 ob, 8 ib, align 4K, limit 4G"});

    // And the driver never touches UPPER_LIMIT on such a core.
    const hal::ep_board board = make_board();
    iatu atu(params_of(g));
    fake_platform io(board, atu, g.version);
    fw::dwc::dw_pcie pci(io, board);
    pci.version_detect();
    BOOST_TEST(pci.iatu_detect() == 0);
    BOOST_TEST(std::none_of(io.atu_writes.begin(), io.atu_writes.end(),
                            [](const atu_write& w) { return w.reg == UPPER_LIMIT; }));
}

BOOST_AUTO_TEST_CASE(probe_board_atu_space_larger_than_hardware_counts_hardware) {
    // The board claims 256 regions of iATU space; the hardware implements 8 ob / 4 ib.
    check_probe(
        {VER_540A, 8, 4, 4 * KiB, TiB}, MAX_IATU_REGIONS * REGION_STRIDE,
        {true, 8, 4, 4 * KiB, TiB - 1, "iATU: unroll T, 8 ob, 4 ib, align 4K, limit 1024G"});
}

BOOST_AUTO_TEST_CASE(probe_board_atu_space_smaller_than_hardware_counts_board) {
    // max_region = min(atu_size / 512, 256) = 4 although the hardware has 8/8.
    constexpr std::uint64_t four_regions = 4 * REGION_STRIDE;
    check_probe(
        G540_8X8_4K_1T, four_regions,
        {true, 4, 4, 4 * KiB, TiB - 1, "iATU: unroll T, 4 ob, 4 ib, align 4K, limit 1024G"});
}

BOOST_AUTO_TEST_CASE(probe_without_regions_fails) {
    const hal::ep_board board = make_board();
    iatu atu(params_of({VER_540A, 0, 0, 4 * KiB, TiB}));
    fake_platform io(board, atu, VER_540A);
    fw::dwc::dw_pcie pci(io, board);
    pci.version_detect();
    const int rc = pci.iatu_detect();
    BOOST_TEST(rc == -EIO);
    BOOST_TEST(io.logged_exactly(hal::log_level::error, "No iATU regions found"));
    BOOST_TEST(pci.num_ob_windows() == 0u);
    BOOST_TEST(pci.num_ib_windows() == 0u);
}

BOOST_AUTO_TEST_CASE(init_registers_probes_and_rejects_a_non_endpoint_header) {
    {
        rig r(G540_8X8_4K_1T, make_board());
        BOOST_TEST(r.init_rc == 0);
        BOOST_TEST(r.ep.pci().num_ob_windows() == 8u);
        BOOST_TEST(r.ep.pci().num_ib_windows() == 8u);
        BOOST_TEST(r.ep.pci().iatu_unroll());
        BOOST_TEST(r.io.bus_errors == 0u);
        // DBI_RO_WR_EN is left locked.
        BOOST_TEST((r.io.dbi_reg(MISC_CONTROL_1_OFF) & DBI_RO_WR_EN) == 0u);
    }
    {
        const hal::ep_board board = make_board();
        iatu atu(params_of(G540_8X8_4K_1T));
        fake_platform io(board, atu, VER_540A);
        io.set_dbi8(pci::HEADER_TYPE, pci::HEADER_TYPE_BRIDGE);
        fw::dwc::dw_pcie_ep ep(io, board);
        const int rc = ep.init_registers();
        BOOST_TEST(rc == -EIO);
        BOOST_TEST(io.logged("not set to EP mode"));
        BOOST_TEST(io.atu_writes.empty()); // no probe
        BOOST_TEST(ep.pci().num_ob_windows() == 0u);
    }
}

// =================================================================================================
// 2. mem_map / mem_unmap through dw_pcie_ep + epc (reference 3.3-3.5, project align_addr)
// =================================================================================================

namespace {

struct unaligned_case {
    geometry g;
    std::uint64_t page;
    std::uint64_t offset, map_pci_addr, map_size;
};

void check_unaligned_map(const unaligned_case& c) {
    constexpr std::uint64_t pci_addr = 0x12'3456'7ABC;
    constexpr std::uint64_t size = 0x100;
    rig r(c.g, make_board(DEFAULT_ATU_SIZE, c.page));
    BOOST_TEST_REQUIRE(r.init_rc == 0);

    const std::size_t mark = r.io.atu_writes.size();
    fw::epc::map m;
    const int rc = r.epc.mem_map(FN, pci_addr, size, m);
    BOOST_TEST_REQUIRE(rc == 0);
    BOOST_TEST(m.pci_addr == pci_addr);
    BOOST_TEST(m.map_pci_addr == c.map_pci_addr);
    BOOST_TEST(m.map_pci_addr == (pci_addr & ~(c.g.align - 1)));
    BOOST_TEST(m.map_size == c.map_size);
    BOOST_TEST(m.pci_size == size);           // fits: not cut
    BOOST_TEST(m.phys_base == APERTURE_BASE); // the first aperture allocation
    BOOST_TEST(m.phys_addr == m.phys_base + c.offset);

    // The first outbound region, programmed in the driver's order (reference 1.5).
    const std::uint64_t limit = m.phys_base + m.map_size - 1;
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, LOWER_BASE) == lower_32(m.phys_base));
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, UPPER_BASE) == upper_32(m.phys_base));
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, LIMIT) == lower_32(limit));
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, LOWER_TARGET) == lower_32(m.map_pci_addr));
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, UPPER_TARGET) == upper_32(m.map_pci_addr));
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, CTRL1) == (TYPE_MEM | ctrl1_func_num(FN)));
    BOOST_TEST(r.atu.read(iatu_dir::outbound, 0, CTRL2) == ENABLE);
    BOOST_TEST(r.atu.region(iatu_dir::outbound, 0)->base() == m.phys_base);
    BOOST_TEST(r.atu.region(iatu_dir::outbound, 0)->target() == m.map_pci_addr);
    BOOST_TEST(r.atu.region(iatu_dir::outbound, 0)->limit(r.atu.params().region_limit) == limit);
    const std::vector<std::uint32_t> order = {LOWER_BASE,   UPPER_BASE,   LIMIT, UPPER_LIMIT,
                                              LOWER_TARGET, UPPER_TARGET, CTRL1, CTRL2};
    BOOST_TEST(regs_written(r.io, mark, iatu_dir::outbound, 0) == order,
               boost::test_tools::per_element());
    BOOST_TEST(r.io.atu_warnings.empty());
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound) == std::vector<unsigned>{0},
               boost::test_tools::per_element());

    // The local address of pci_addr translates to pci_addr; the window ends at map_size.
    const auto hit = r.atu.translate_outbound(m.phys_addr);
    BOOST_TEST(hit.hit);
    BOOST_TEST(hit.index == 0u);
    BOOST_TEST(hit.address == pci_addr);
    BOOST_TEST(r.atu.translate_outbound(m.phys_base + m.map_size - 1).address ==
               m.map_pci_addr + m.map_size - 1);
    BOOST_TEST(!r.atu.translate_outbound(m.phys_base + m.map_size).hit);

    // Data written at phys_addr lands at pci_addr.
    std::vector<std::uint8_t> data(size);
    for (std::uint64_t i = 0; i < size; ++i)
        data[i] = pattern(i);
    BOOST_TEST(r.io.write(m.phys_addr, data.data(), data.size()) == hal::status::ok);
    BOOST_TEST(host_mismatches(r.io, pci_addr, size) == 0u);
    BOOST_TEST(r.io.host_byte(pci_addr - 1) == 0u);

    r.epc.mem_unmap(FN, m);
    BOOST_TEST(r.aperture_all_free());
    BOOST_TEST(r.io.bus_errors == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(mem_map_unaligned_pci_address_unrolled_4k) {
    check_unaligned_map({G540_8X8_4K_1T, PAGE_4K, 0xABC, 0x12'3456'7000, 0x1000});
}

BOOST_AUTO_TEST_CASE(mem_map_unaligned_pci_address_viewport_64k) {
    check_unaligned_map({G470_VIEWPORT_4X2_64K_8G, PAGE_64K, 0x7ABC, 0x12'3456'0000, 0x10000});
}

BOOST_AUTO_TEST_CASE(mem_map_larger_than_max_map_bytes_is_partial_and_loops) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr std::uint64_t offset = 0x100;
    constexpr std::uint64_t pci_addr = 0x9'0000'0000 + offset;
    constexpr std::uint64_t request = 3 * MAX_MAP + MAX_MAP / 2;

    // The first mapping alone: capped at max_map_bytes, served from offset 0x100.
    fw::epc::map m;
    const int rc = r.epc.mem_map(FN, pci_addr, request, m);
    BOOST_TEST_REQUIRE(rc == 0);
    BOOST_TEST(m.pci_size < request);
    BOOST_TEST(m.pci_size == MAX_MAP - offset);
    BOOST_TEST(m.map_size == MAX_MAP);
    BOOST_TEST(m.map_pci_addr == pci_addr - offset);
    BOOST_TEST(m.phys_addr == m.phys_base + offset);
    BOOST_TEST(r.atu.translate_outbound(m.phys_addr + m.pci_size - 1).address ==
               pci_addr + m.pci_size - 1);
    r.epc.mem_unmap(FN, m);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound).empty());

    // The loop: contiguous pieces that sum to the request.
    const auto pieces = write_through_windows(r, pci_addr, request);
    std::vector<std::uint64_t> sizes;
    std::uint64_t next = pci_addr, total = 0;
    for (const auto& p : pieces) {
        BOOST_TEST(p.pci_addr == next);
        BOOST_TEST(p.pci_size <= MAX_MAP);
        sizes.push_back(p.pci_size);
        next += p.pci_size;
        total += p.pci_size;
    }
    const std::vector<std::uint64_t> expected = {MAX_MAP - offset, MAX_MAP, MAX_MAP,
                                                 MAX_MAP / 2 + offset};
    BOOST_TEST(sizes == expected, boost::test_tools::per_element());
    BOOST_TEST(total == request);
    BOOST_TEST(host_mismatches(r.io, pci_addr, request) == 0u);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound).empty());
    BOOST_TEST(r.aperture_all_free());
    BOOST_TEST(r.io.bus_errors == 0u);
    BOOST_TEST(r.io.atu_warnings.empty());
}

BOOST_AUTO_TEST_CASE(mem_map_crossing_a_4g_region_limit_is_cut_at_the_boundary) {
    rig r(G540_8X8_4K_4G, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    BOOST_TEST_REQUIRE(r.ep.pci().region_limit() == 4 * GiB - 1);
    constexpr std::uint64_t pci_addr = 0xFFFF'F000;
    constexpr std::uint64_t size = 0x3000;
    constexpr std::uint64_t boundary = 4 * GiB;

    fw::epc::map m;
    const int rc = r.epc.mem_map(FN, pci_addr, size, m);
    BOOST_TEST_REQUIRE(rc == 0);
    BOOST_TEST(m.pci_size == boundary - pci_addr); // 0x1000
    BOOST_TEST(m.map_pci_addr == pci_addr);
    BOOST_TEST(m.map_size == boundary - pci_addr);
    // The window's PCI range stays below the boundary.
    const iatu_dir ob = iatu_dir::outbound;
    BOOST_TEST(r.atu.region(ob, 0)->target() +
                   (r.atu.region(ob, 0)->limit(r.atu.params().region_limit) -
                    r.atu.region(ob, 0)->base()) ==
               boundary - 1);
    r.epc.mem_unmap(FN, m);

    const auto pieces = write_through_windows(r, pci_addr, size);
    BOOST_TEST_REQUIRE(pieces.size() == 2u);
    BOOST_TEST(pieces[0].pci_size == 0x1000u);
    BOOST_TEST(pieces[1].pci_addr == boundary);
    BOOST_TEST(pieces[1].map_pci_addr == boundary);
    BOOST_TEST(pieces[1].pci_size == 0x2000u);
    BOOST_TEST(host_mismatches(r.io, pci_addr, size) == 0u);
    BOOST_TEST(r.aperture_all_free());
    BOOST_TEST(r.io.bus_errors == 0u);
}

// A valid configuration (board.aperture.page_size >= region_align, as the config requires) with
// aperture pages larger than the region alignment: the documented caps (next region-limit
// boundary, board.max_map_bytes) must still hold. Expected to FAIL today: align_addr's final
// "cover the first byte" step rounds up to a whole aperture page, undoing both caps.
BOOST_AUTO_TEST_CASE(mem_map_caps_hold_with_aperture_pages_larger_than_region_align) {
    BOOST_TEST_CONTEXT("region-limit boundary, 64 KiB pages, 4 KiB align, 4 GiB limit") {
        rig r(G540_8X8_4K_4G, make_board(DEFAULT_ATU_SIZE, PAGE_64K));
        BOOST_TEST_REQUIRE(r.init_rc == 0);
        constexpr std::uint64_t pci_addr = 0xFFFF'F000;
        constexpr std::uint64_t size = 0x3000;
        constexpr std::uint64_t boundary = 4 * GiB;
        fw::epc::map m;
        const int rc = r.epc.mem_map(FN, pci_addr, size, m);
        BOOST_TEST_REQUIRE(rc == 0);
        BOOST_TEST(m.pci_size == boundary - pci_addr);
        BOOST_TEST(m.map_pci_addr + m.map_size <= boundary); // the window stays below 4 GiB
        r.epc.mem_unmap(FN, m);
        const auto pieces = write_through_windows(r, pci_addr, size);
        BOOST_TEST(pieces.size() == 2u);
        BOOST_TEST(host_mismatches(r.io, pci_addr, size) == 0u);
    }
    BOOST_TEST_CONTEXT("max_map_bytes 4 KiB, 64 KiB pages") {
        constexpr std::uint64_t small_cap = 4 * KiB;
        hal::ep_board board = make_board(DEFAULT_ATU_SIZE, PAGE_64K);
        board.max_map_bytes = small_cap;
        rig r(G540_8X8_4K_1T, board);
        BOOST_TEST_REQUIRE(r.init_rc == 0);
        constexpr std::uint64_t pci_addr = 0x1000'0000;
        constexpr std::uint64_t size = 0x3000;
        fw::epc::map m;
        const int rc = r.epc.mem_map(FN, pci_addr, size, m);
        BOOST_TEST_REQUIRE(rc == 0);
        BOOST_TEST(m.pci_size == small_cap);
        r.epc.mem_unmap(FN, m);
        const auto pieces = write_through_windows(r, pci_addr, size);
        BOOST_TEST(pieces.size() == 3u);
        BOOST_TEST(host_mismatches(r.io, pci_addr, size) == 0u);
    }
}

BOOST_AUTO_TEST_CASE(mem_map_crossing_4g_is_whole_when_the_region_limit_is_larger) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr std::uint64_t pci_addr = 0xFFFF'F000;
    constexpr std::uint64_t size = 0x3000;
    fw::epc::map m;
    const int rc = r.epc.mem_map(FN, pci_addr, size, m);
    BOOST_TEST_REQUIRE(rc == 0);
    BOOST_TEST(m.pci_size == size);
    BOOST_TEST(m.map_size == size);
    BOOST_TEST(r.atu.translate_outbound(m.phys_addr + size - 1).address == pci_addr + size - 1);
    r.epc.mem_unmap(FN, m);
    BOOST_TEST(r.aperture_all_free());
}

BOOST_AUTO_TEST_CASE(mem_map_with_all_outbound_windows_busy_fails_and_changes_nothing) {
    rig r(G540_3X2_4K_4G, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    const unsigned windows = r.ep.pci().num_ob_windows();
    BOOST_TEST_REQUIRE(windows == 3u);
    constexpr std::uint64_t pci_stride = 0x1000'0000;
    std::vector<fw::epc::map> held(windows);
    for (unsigned i = 0; i < windows; ++i) {
        const int rc = r.epc.mem_map(FN, (i + 1) * pci_stride, PAGE_4K, held[i]);
        BOOST_TEST_REQUIRE(rc == 0);
        BOOST_TEST(held[i].phys_base == APERTURE_BASE + i * PAGE_4K);
        BOOST_TEST(r.atu.translate_outbound(held[i].phys_addr).index == i);
    }
    const std::vector<unsigned> all = {0, 1, 2};
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound) == all, boost::test_tools::per_element());
    const auto before = snapshot(r.atu);
    const std::size_t mark = r.io.atu_writes.size();

    fw::epc::map extra;
    const int rc = r.epc.mem_map(FN, (windows + 1) * pci_stride, PAGE_4K, extra);
    BOOST_TEST(rc == -EINVAL);
    BOOST_TEST(r.io.logged("No free outbound window"));
    BOOST_TEST(r.io.atu_writes.size() == mark); // no iATU register written
    BOOST_TEST(snapshot(r.atu) == before, boost::test_tools::per_element());
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound) == all, boost::test_tools::per_element());
    // The aperture pages the failed call took are back: the next free page is the 4th.
    std::uint64_t probe = 0;
    BOOST_TEST(r.epc.mem_alloc_addr(PAGE_4K, probe) == 0);
    BOOST_TEST(probe == APERTURE_BASE + windows * PAGE_4K);
    r.epc.mem_free_addr(probe, PAGE_4K);
    // The held windows still work.
    for (unsigned i = 0; i < windows; ++i)
        BOOST_TEST(r.atu.translate_outbound(held[i].phys_addr).address == (i + 1) * pci_stride);

    // One unmap makes room again; the freed window and pages are reused.
    r.epc.mem_unmap(FN, held[1]);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound) == (std::vector<unsigned>{0, 2}),
               boost::test_tools::per_element());
    const int rc2 = r.epc.mem_map(FN, (windows + 1) * pci_stride, PAGE_4K, extra);
    BOOST_TEST(rc2 == 0);
    BOOST_TEST(extra.phys_base == held[1].phys_base);
    const auto hit = r.atu.translate_outbound(extra.phys_addr);
    BOOST_TEST(hit.hit);
    BOOST_TEST(hit.index == 1u);
    BOOST_TEST(hit.address == (windows + 1) * pci_stride);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound) == all, boost::test_tools::per_element());
    BOOST_TEST(r.io.bus_errors == 0u);
}

BOOST_AUTO_TEST_CASE(mem_unmap_disables_the_region_and_frees_the_pages) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr std::uint64_t pci_addr = 0x7'0000'0040;
    constexpr std::uint64_t size = 3 * PAGE_4K;
    fw::epc::map m;
    const int rc = r.epc.mem_map(FN, pci_addr, size, m);
    BOOST_TEST_REQUIRE(rc == 0);
    const auto hit = r.atu.translate_outbound(m.phys_addr);
    BOOST_TEST_REQUIRE(hit.hit);
    const unsigned idx = hit.index;
    BOOST_TEST(!r.aperture_all_free());

    const std::size_t mark = r.io.atu_writes.size();
    r.epc.mem_unmap(FN, m);
    // Disable = one write of 0 to CTRL2 (reference 1.5).
    BOOST_TEST_REQUIRE(r.io.atu_writes.size() == mark + 1);
    BOOST_TEST((r.io.atu_writes[mark].dir == iatu_dir::outbound));
    BOOST_TEST(r.io.atu_writes[mark].index == idx);
    BOOST_TEST(r.io.atu_writes[mark].reg == CTRL2);
    BOOST_TEST(r.io.atu_writes[mark].value == 0u);
    // CTRL2 reads 0, through the model and over the bus.
    BOOST_TEST(r.atu.read(iatu_dir::outbound, idx, CTRL2) == 0u);
    std::uint32_t ctrl2 = ENABLE;
    BOOST_TEST(r.io.read32(r.board.atu.base + idx * REGION_STRIDE + CTRL2, ctrl2) ==
               hal::status::ok);
    BOOST_TEST(ctrl2 == 0u);
    BOOST_TEST(!r.atu.translate_outbound(m.phys_addr).hit);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound).empty());
    // The aperture is free again, and nothing reaches the PCI side through it.
    BOOST_TEST(r.aperture_all_free());
    std::uint32_t v = 0;
    BOOST_TEST(r.io.read32(m.phys_addr, v) == hal::status::decode_error);
}

BOOST_AUTO_TEST_CASE(mem_map_with_the_aperture_exhausted_fails_with_enomem) {
    constexpr std::uint64_t small_aperture = 4 * PAGE_4K;
    hal::ep_board board = make_board();
    board.aperture.size = small_aperture;
    rig r(G540_8X8_4K_1T, board);
    BOOST_TEST_REQUIRE(r.init_rc == 0);

    // (1) Every page taken.
    std::uint64_t all = 0;
    BOOST_TEST_REQUIRE(r.epc.mem_alloc_addr(small_aperture, all) == 0);
    const std::size_t mark = r.io.atu_writes.size();
    fw::epc::map m;
    BOOST_TEST(r.epc.mem_map(FN, 0x1000'0000, 0x100, m) == -ENOMEM);
    BOOST_TEST(r.io.atu_writes.size() == mark);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound).empty());
    r.epc.mem_free_addr(all, small_aperture);

    // (2) A mapping larger than the whole aperture (max_map_bytes allows it).
    BOOST_TEST(r.epc.mem_map(FN, 0x1000'0000, 2 * small_aperture, m) == -ENOMEM);
    BOOST_TEST(r.io.atu_writes.size() == mark);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound).empty());
    BOOST_TEST(r.aperture_all_free());

    // Nothing was left behind: a mapping that fits still works.
    BOOST_TEST(r.epc.mem_map(FN, 0x1000'0000, 0x100, m) == 0);
    BOOST_TEST(r.atu.translate_outbound(m.phys_addr).address == 0x1000'0000u);
    r.epc.mem_unmap(FN, m);
    BOOST_TEST(r.io.bus_errors == 0u);
}

// =================================================================================================
// 3. set_bar / clear_bar (reference 1.5 BAR-match, 3.2)
// =================================================================================================

namespace {

constexpr std::uint64_t BAR_SIZE = 1 * MiB;
constexpr std::uint64_t BAR_PHYS_A = DRAM_BASE + 16 * MiB; // naturally aligned
constexpr std::uint64_t BAR_PHYS_B = DRAM_BASE + 32 * MiB;
constexpr std::uint64_t BAR_PHYS_C = DRAM_BASE + 48 * MiB;
constexpr std::uint64_t ANY_PCI_ADDR = 0xC000'0000;
constexpr std::uint64_t BAR_OFFSET = 0x1234;

fw::epc::epf_bar make_bar(int barno, std::uint64_t phys, std::uint64_t size = BAR_SIZE,
                          std::uint32_t flags = 0) {
    fw::epc::epf_bar b;
    b.barno = barno;
    b.phys_addr = phys;
    b.size = size;
    b.flags = flags;
    return b;
}

std::uint32_t bar_mode_ctrl2(unsigned bar) {
    return ENABLE | FUNC_NUM_MATCH_EN | BAR_MODE_ENABLE | ctrl2_bar(bar);
}

void check_set_bar_programs_bar_match(const geometry& g) {
    rig r(g, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr unsigned bar = 2;
    const std::uint32_t flags = pci::BASE_ADDRESS_MEM_TYPE_64 | pci::BASE_ADDRESS_MEM_PREFETCH;
    const auto before = snapshot(r.atu);
    const std::size_t mark = r.io.atu_writes.size();

    const int rc = r.epc.set_bar(FN, make_bar(bar, BAR_PHYS_A, BAR_SIZE, flags));
    BOOST_TEST_REQUIRE(rc == 0);

    // Only inbound region 0, and only LOWER/UPPER_TARGET, CTRL1 and CTRL2 (enable last).
    std::set<std::uint32_t> regs;
    for (std::size_t i = mark; i < r.io.atu_writes.size(); ++i) {
        BOOST_TEST((r.io.atu_writes[i].dir == iatu_dir::inbound));
        BOOST_TEST(r.io.atu_writes[i].index == 0u);
        regs.insert(r.io.atu_writes[i].reg);
    }
    const std::set<std::uint32_t> expected = {LOWER_TARGET, UPPER_TARGET, CTRL1, CTRL2};
    BOOST_TEST(regs == expected, boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(r.io.atu_writes.size() > mark);
    BOOST_TEST(r.io.atu_writes.back().reg == CTRL2);
    BOOST_TEST(r.io.atu_warnings.empty());

    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, CTRL2) == bar_mode_ctrl2(bar));
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, CTRL1) == (TYPE_MEM | ctrl1_func_num(FN)));
    BOOST_TEST(r.atu.region(iatu_dir::inbound, 0)->target() == BAR_PHYS_A);
    // Base and limit untouched (still their reset values).
    const auto after = snapshot(r.atu);
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, LOWER_BASE) == 0u);
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, LIMIT) == g.align - 1);
    BOOST_TEST(enabled(r.atu, iatu_dir::outbound).empty());
    BOOST_TEST(enabled(r.atu, iatu_dir::inbound) == std::vector<unsigned>{0},
               boost::test_tools::per_element());
    BOOST_TEST((before != after)); // something was programmed

    // Any PCI address in the BAR reaches phys + offset; other BARs and functions miss.
    const auto hit = r.atu.translate_inbound(ANY_PCI_ADDR, bar, BAR_OFFSET, FN);
    BOOST_TEST(hit.hit);
    BOOST_TEST(hit.index == 0u);
    BOOST_TEST(hit.address == BAR_PHYS_A + BAR_OFFSET);
    BOOST_TEST(!r.atu.translate_inbound(ANY_PCI_ADDR, 0, BAR_OFFSET, FN).hit);
    BOOST_TEST(!r.atu.translate_inbound(ANY_PCI_ADDR, bar, BAR_OFFSET, FN + 1).hit);

    // BAR registers: DBI2 = mask (size - 1), DBI = flags; the upper half for a 64-bit BAR.
    BOOST_TEST(r.io.dbi2_reg(bar_reg(bar)) == lower_32(BAR_SIZE - 1));
    BOOST_TEST(r.io.dbi_reg(bar_reg(bar)) == flags);
    BOOST_TEST(r.io.dbi2_reg(bar_reg(bar + 1)) == upper_32(BAR_SIZE - 1));
    BOOST_TEST(r.io.dbi_reg(bar_reg(bar + 1)) == 0u);
    BOOST_TEST((r.io.dbi_reg(MISC_CONTROL_1_OFF) & DBI_RO_WR_EN) == 0u);
    BOOST_TEST(r.io.bus_errors == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(set_bar_programs_a_bar_match_window_unrolled) {
    check_set_bar_programs_bar_match(G540_8X8_4K_1T);
}

// The driver's function number lands in CTRL1 bits [24:20] unclipped (Linux
// PCIE_ATU_FUNC_NUM(pf) = pf << 20), and the controller matches all five bits: PF 17 (0b10001)
// programmed through prog_ep_inbound_atu matches function 17, not function 1.
BOOST_AUTO_TEST_CASE(inbound_window_for_function_17_uses_five_function_bits) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr unsigned pf = 17, bar = 2;
    BOOST_TEST_REQUIRE(r.ep.pci().prog_ep_inbound_atu(pf, 0, TYPE_MEM, BAR_PHYS_A, bar, BAR_SIZE) ==
                       0);
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, CTRL1) == (TYPE_MEM | (17u << 20)));
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, bar, BAR_OFFSET, pf).hit);
    BOOST_TEST(!r.atu.translate_inbound(ANY_PCI_ADDR, bar, BAR_OFFSET, 1).hit);
}

// raise_msix_doorbell writes MSIX_DOORBELL (DBI 0x948) with (fn << 24) | (num - 1), as Linux's
// dw_pcie_ep_raise_msix_irq_doorbell does: interrupt 4 of PF 0 -> 0x00000003, interrupt 1 of
// PF 2 -> 0x02000000; interrupt 0 does not exist.
BOOST_AUTO_TEST_CASE(msix_doorbell_write_value) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    // A capability list with MSI-X (ID 0x11) at 0xB0, then the probe again.
    r.io.set_dbi8(0x34, 0xB0);
    r.io.set_dbi8(0xB0, 0x11);
    r.io.set_dbi8(0xB1, 0x00);
    BOOST_TEST_REQUIRE(r.ep.init_registers() == 0);
    BOOST_TEST_REQUIRE(r.ep.msix_cap() == 0xB0);
    BOOST_TEST(r.ep.raise_msix_doorbell(0, 4) == 0);
    BOOST_TEST(r.io.dbi_reg(0x948) == 0x00000003u);
    BOOST_TEST(r.ep.raise_msix_doorbell(2, 1) == 0);
    BOOST_TEST(r.io.dbi_reg(0x948) == 0x02000000u);
    BOOST_TEST(r.ep.raise_msix_doorbell(0, 0) == -EINVAL);
}

BOOST_AUTO_TEST_CASE(set_bar_programs_a_bar_match_window_viewport) {
    check_set_bar_programs_bar_match(G470_VIEWPORT_4X2_64K_8G);
}

BOOST_AUTO_TEST_CASE(set_bar_64bit_on_an_odd_bar_is_rejected) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    const auto before = snapshot(r.atu);
    const std::size_t atu_mark = r.io.atu_writes.size();
    const std::size_t bus_mark = r.io.writes.size();
    for (int bar : {1, 3, 5}) { // 5: BAR_5 cannot be 64-bit at all (generic check)
        BOOST_TEST_CONTEXT("BAR " << bar) {
            const int rc = r.epc.set_bar(
                FN, make_bar(bar, BAR_PHYS_A, BAR_SIZE, pci::BASE_ADDRESS_MEM_TYPE_64));
            BOOST_TEST(rc == -EINVAL);
        }
    }
    BOOST_TEST(r.io.atu_writes.size() == atu_mark);
    BOOST_TEST(snapshot(r.atu) == before, boost::test_tools::per_element());
    BOOST_TEST(r.io.writes.size() == bus_mark); // BAR registers untouched too
    // No inbound window was consumed: a valid 64-bit BAR 0 gets window 0.
    const int rc =
        r.epc.set_bar(FN, make_bar(0, BAR_PHYS_A, BAR_SIZE, pci::BASE_ADDRESS_MEM_TYPE_64));
    BOOST_TEST(rc == 0);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, 0, BAR_OFFSET, FN).index == 0u);
}

BOOST_AUTO_TEST_CASE(set_bar_dynamic_reset_with_a_different_size_or_flags_is_rejected) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr unsigned bar = 0;
    BOOST_TEST_REQUIRE(r.epc.set_bar(FN, make_bar(bar, BAR_PHYS_A)) == 0);
    const auto before = snapshot(r.atu);
    const std::size_t mark = r.io.atu_writes.size();

    BOOST_TEST(r.epc.set_bar(FN, make_bar(bar, BAR_PHYS_C, 2 * BAR_SIZE)) == -EINVAL);
    BOOST_TEST(r.epc.set_bar(FN, make_bar(bar, BAR_PHYS_B, BAR_SIZE,
                                          pci::BASE_ADDRESS_MEM_PREFETCH)) == -EINVAL);
    BOOST_TEST(r.io.atu_writes.size() == mark);
    BOOST_TEST(snapshot(r.atu) == before, boost::test_tools::per_element());
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, bar, BAR_OFFSET, FN).address ==
               BAR_PHYS_A + BAR_OFFSET);
    BOOST_TEST(r.io.dbi2_reg(bar_reg(bar)) == lower_32(BAR_SIZE - 1));
}

BOOST_AUTO_TEST_CASE(set_bar_dynamic_reset_with_the_same_size_moves_only_the_target) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    constexpr unsigned bar = 0;
    constexpr std::uint32_t host_bar_addr = 0xA000'0000; // what enumeration wrote
    BOOST_TEST_REQUIRE(r.epc.set_bar(FN, make_bar(bar, BAR_PHYS_A)) == 0);
    r.io.dbi[bar_reg(bar)] = host_bar_addr;
    const std::uint32_t ctrl1 = r.atu.read(iatu_dir::inbound, 0, CTRL1);
    const std::uint32_t ctrl2 = r.atu.read(iatu_dir::inbound, 0, CTRL2);
    const std::size_t atu_mark = r.io.atu_writes.size();
    const std::size_t bus_mark = r.io.writes.size();

    const int rc = r.epc.set_bar(FN, make_bar(bar, BAR_PHYS_B));
    BOOST_TEST(rc == 0);
    // The same window, only its target (and CTRL1/CTRL2 rewritten to the same values).
    std::set<std::uint32_t> regs;
    for (std::size_t i = atu_mark; i < r.io.atu_writes.size(); ++i) {
        BOOST_TEST((r.io.atu_writes[i].dir == iatu_dir::inbound));
        BOOST_TEST(r.io.atu_writes[i].index == 0u);
        regs.insert(r.io.atu_writes[i].reg);
    }
    BOOST_TEST(regs.count(LOWER_TARGET) == 1u);
    BOOST_TEST(regs.count(LOWER_BASE) + regs.count(UPPER_BASE) + regs.count(LIMIT) +
                   regs.count(UPPER_LIMIT) ==
               0u);
    BOOST_TEST(r.atu.region(iatu_dir::inbound, 0)->target() == BAR_PHYS_B);
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, CTRL1) == ctrl1);
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, CTRL2) == ctrl2);
    BOOST_TEST(enabled(r.atu, iatu_dir::inbound) == std::vector<unsigned>{0},
               boost::test_tools::per_element());
    // The BAR registers (the host's address) are left alone.
    BOOST_TEST(r.io.writes_into(r.board.dbi.base + bar_reg(0),
                                pci::STD_NUM_BARS * BAR_ADDR_REG_STRIDE, bus_mark) == 0u);
    BOOST_TEST(r.io.writes_into(r.board.dbi2.base + bar_reg(0),
                                pci::STD_NUM_BARS * BAR_ADDR_REG_STRIDE, bus_mark) == 0u);
    BOOST_TEST(r.io.dbi_reg(bar_reg(bar)) == host_bar_addr);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, bar, BAR_OFFSET, FN).address ==
               BAR_PHYS_B + BAR_OFFSET);
}

// clear_bar on a BAR never set writes nothing, as Linux's dw_pcie_ep_clear_bar returns at once
// (`if (!ep->epf_bar[bar]) return;`): here BAR3, whose registers are the upper half of the
// 64-bit BAR2, keeps BAR2's mask and address.
BOOST_AUTO_TEST_CASE(clear_bar_of_a_bar_never_set_writes_nothing) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    BOOST_TEST_REQUIRE(
        r.epc.set_bar(FN, make_bar(2, BAR_PHYS_B, BAR_SIZE, pci::BASE_ADDRESS_MEM_TYPE_64)) == 0);
    const std::uint32_t upper = r.io.dbi_reg(bar_reg(3)), upper_mask = r.io.dbi2_reg(bar_reg(3));
    const std::size_t writes = r.io.writes.size();
    r.epc.clear_bar(FN, make_bar(3, BAR_PHYS_C));
    BOOST_TEST(r.io.writes.size() == writes);
    BOOST_TEST(r.io.dbi_reg(bar_reg(3)) == upper);
    BOOST_TEST(r.io.dbi2_reg(bar_reg(3)) == upper_mask);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, 2, BAR_OFFSET, FN).address ==
               BAR_PHYS_B + BAR_OFFSET);
}

BOOST_AUTO_TEST_CASE(clear_bar_disables_and_frees_the_window) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    BOOST_TEST_REQUIRE(r.epc.set_bar(FN, make_bar(0, BAR_PHYS_A)) == 0);
    BOOST_TEST_REQUIRE(r.epc.set_bar(FN, make_bar(2, BAR_PHYS_B)) == 0);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, 0, 0, FN).index == 0u);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, 2, 0, FN).index == 1u);

    r.epc.clear_bar(FN, make_bar(0, BAR_PHYS_A));
    BOOST_TEST(r.atu.read(iatu_dir::inbound, 0, CTRL2) == 0u);
    BOOST_TEST(!r.atu.translate_inbound(ANY_PCI_ADDR, 0, BAR_OFFSET, FN).hit);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, 2, BAR_OFFSET, FN).address ==
               BAR_PHYS_B + BAR_OFFSET);
    BOOST_TEST(enabled(r.atu, iatu_dir::inbound) == std::vector<unsigned>{1},
               boost::test_tools::per_element());
    BOOST_TEST(r.io.dbi_reg(bar_reg(0)) == 0u);
    BOOST_TEST(r.io.dbi2_reg(bar_reg(0)) == 0u);

    // The freed window is the next one handed out.
    const int rc = r.epc.set_bar(FN, make_bar(4, BAR_PHYS_C));
    BOOST_TEST(rc == 0);
    const auto hit = r.atu.translate_inbound(ANY_PCI_ADDR, 4, BAR_OFFSET, FN);
    BOOST_TEST(hit.hit);
    BOOST_TEST(hit.index == 0u);
    BOOST_TEST(hit.address == BAR_PHYS_C + BAR_OFFSET);
    BOOST_TEST(r.io.bus_errors == 0u);
}

BOOST_AUTO_TEST_CASE(set_bar_needs_naturally_aligned_memory) {
    rig r(G540_8X8_4K_1T, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    const std::size_t mark = r.io.atu_writes.size();
    // region_align-aligned but not BAR-size-aligned.
    const int rc = r.epc.set_bar(FN, make_bar(0, BAR_PHYS_A + PAGE_4K));
    BOOST_TEST(rc == -EINVAL);
    BOOST_TEST(r.io.atu_writes.size() == mark);
    BOOST_TEST(enabled(r.atu, iatu_dir::inbound).empty());
    // The window was not leaked.
    BOOST_TEST(r.epc.set_bar(FN, make_bar(0, BAR_PHYS_A)) == 0);
    BOOST_TEST(r.atu.translate_inbound(ANY_PCI_ADDR, 0, 0, FN).index == 0u);
}

BOOST_AUTO_TEST_CASE(set_bar_without_a_free_inbound_window_fails) {
    rig r(G470_VIEWPORT_4X2_64K_8G, make_board());
    BOOST_TEST_REQUIRE(r.init_rc == 0);
    BOOST_TEST_REQUIRE(r.ep.pci().num_ib_windows() == 2u);
    BOOST_TEST_REQUIRE(r.epc.set_bar(FN, make_bar(0, BAR_PHYS_A)) == 0);
    BOOST_TEST_REQUIRE(r.epc.set_bar(FN, make_bar(1, BAR_PHYS_B)) == 0);
    const auto before = snapshot(r.atu);
    const std::size_t bus_mark = r.io.writes.size();

    const int rc = r.epc.set_bar(FN, make_bar(2, BAR_PHYS_C));
    BOOST_TEST(rc == -EINVAL);
    BOOST_TEST(r.io.logged("No free inbound window"));
    BOOST_TEST(snapshot(r.atu) == before, boost::test_tools::per_element());
    BOOST_TEST(r.io.writes_into(r.board.dbi.base + bar_reg(2), BAR_ADDR_REG_STRIDE, bus_mark) ==
               0u);
    BOOST_TEST(r.io.writes_into(r.board.dbi2.base + bar_reg(2), BAR_ADDR_REG_STRIDE, bus_mark) ==
               0u);
    BOOST_TEST(!r.atu.translate_inbound(ANY_PCI_ADDR, 2, 0, FN).hit);
}

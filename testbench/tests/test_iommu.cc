// Unit tests of the endpoint firmware's SMMUv3 driver, translation domains and IOVA space
// (firmware/iommu) against a fake platform: sparse memory whose untouched bytes read as a
// non-zero fill (nothing may rely on zeroed DRAM), and just enough SMMU registers (CR0ACK and
// IRQ_CTRLACK mirror their controls, GBPA.UPDATE completes at once, the command queue is consumed
// when PROD is written, every consumed command is recorded; knobs stall the queue, refuse
// opcodes with CERROR_ILL, consume one command per CMDQ_CONS read, or never acknowledge CR0).
// The walker below is written here from the SMMUv3 architecture (stream table, STE, CD,
// VMSAv8-64 4 KiB-granule tables) with its own constants: it reads the structures the driver
// wrote out of the fake memory and translates, so the driver's shadow is checked against what
// the hardware would see.
#define BOOST_TEST_MODULE iommu
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/hal.h"
#include "firmware/hal/random.h"
#include "firmware/iommu/iova.h"
#include "firmware/iommu/smmu_v3.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace fw;
using namespace fw::iommu;

namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr std::uint64_t PAGE = 4 * KiB, BLOCK = 2 * MiB;

// ---- the architecture, spelled out independently of the driver's headers ----
namespace arch {
constexpr std::uint32_t IDR0 = 0x00, IDR1 = 0x04, IDR5 = 0x14, CR0 = 0x20, CR0ACK = 0x24;
constexpr std::uint32_t CR1 = 0x28, CR2 = 0x2C, GBPA = 0x44, IRQ_CTRL = 0x50, IRQ_CTRLACK = 0x54;
constexpr std::uint32_t GERROR = 0x60, GERRORN = 0x64, STRTAB_BASE = 0x80, STRTAB_BASE_CFG = 0x88;
constexpr std::uint32_t CMDQ_BASE = 0x90, CMDQ_PROD = 0x98, CMDQ_CONS = 0x9C, EVTQ_BASE = 0xA0;
constexpr std::uint32_t EVTQ_PROD = 0x100A8, EVTQ_CONS = 0x100AC;
constexpr std::uint64_t REG_BYTES = 0x20000;

constexpr std::uint32_t CR0_SMMUEN = 1u << 0, CR0_EVTQEN = 1u << 2, CR0_CMDQEN = 1u << 3;
constexpr std::uint32_t GBPA_ABORT = 1u << 20, GBPA_UPDATE = 1u << 31;
constexpr std::uint32_t IRQ_GERROR = 1u << 0, IRQ_EVTQ = 1u << 2;
constexpr std::uint32_t GERROR_CMDQ = 1u << 0, GERROR_EVTQ_ABT = 1u << 2, GERROR_SFM = 1u << 8;
constexpr unsigned CONS_ERR_SHIFT = 24;
constexpr std::uint32_t CONS_ERR_MASK = 0x7Fu << CONS_ERR_SHIFT;
constexpr std::uint32_t CERROR_ILL = 1, CERROR_ABT = 2; // CMDQ_CONS.ERR encodings
constexpr std::uint32_t EVTQ_OVFLG = 1u << 31;
constexpr std::uint64_t ADDR_51_6 = 0x000FFFFFFFFFFFC0ull, ADDR_51_5 = 0x000FFFFFFFFFFFE0ull;
constexpr std::uint64_t ADDR_51_4 = 0x000FFFFFFFFFFFF0ull, OA_47_12 = 0x0000FFFFFFFFF000ull;

// IDR values of a capable SMMU: S1P, AArch64 tables, coherent, 16-bit ASIDs, 2-level stream
// tables, little-endian walks; SIDSIZE 16, EVTQS 7, CMDQS 8; OAS 48 bits, 4 KiB granule.
constexpr std::uint32_t IDR0_S1P = 1u << 1, IDR0_TTF_AA64 = 2u << 2, IDR0_COHACC = 1u << 4;
constexpr std::uint32_t IDR0_ASID16 = 1u << 12, IDR0_ST_2LVL = 1u << 27;
constexpr std::uint32_t IDR0_TTF_MASK = 3u << 2, IDR0_ST_MASK = 3u << 27;
constexpr std::uint32_t IDR0_TTENDIAN_BE = 3u << 21;
constexpr std::uint32_t GOOD_IDR0 =
    IDR0_S1P | IDR0_TTF_AA64 | IDR0_COHACC | IDR0_ASID16 | IDR0_ST_2LVL;
constexpr std::uint32_t GOOD_IDR1 = 16u | (7u << 16) | (8u << 21);
constexpr std::uint32_t IDR1_SIDSIZE_MASK = 0x3F;
constexpr std::uint32_t IDR5_OAS_48 = 5, IDR5_OAS_40 = 2, IDR5_OAS_MASK = 7;
constexpr std::uint32_t IDR5_GRAN4K = 1u << 4;
constexpr std::uint32_t GOOD_IDR5 = IDR5_OAS_48 | IDR5_GRAN4K;

constexpr std::uint8_t CFGI_STE = 0x03, CFGI_ALL = 0x04, TLBI_NH_ASID = 0x11, TLBI_NH_VA = 0x12;
constexpr std::uint8_t TLBI_NSNH_ALL = 0x30, SYNC = 0x46;
constexpr std::uint8_t F_TRANSLATION = 0x10, F_PERMISSION = 0x13, C_BAD_STE = 0x04;
} // namespace arch

constexpr std::uint64_t SMMU_BASE = 0x20000000;
constexpr std::uint64_t DRAM_BASE = 0x80000000, DRAM_SIZE = 2 * GiB;
constexpr std::uint64_t IRQ_WINDOW_BYTES = 64 * KiB;
constexpr std::uint64_t IRQ_WINDOW_BASE = DRAM_BASE + DRAM_SIZE - IRQ_WINDOW_BYTES;
constexpr std::uint64_t POOL_BYTES = 64 * MiB;      // coherent pool at the start of DRAM
constexpr std::uint64_t BUF_BASE = DRAM_BASE + GiB; // buffers the tests map (never touched)
constexpr std::uint8_t FILL = 0xA5;                 // what untouched memory reads as

std::uint64_t le64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// ---- fake platform ---------------------------------------------------------------------------

class fake_platform : public hal::platform {
public:
    struct cmd {
        std::uint64_t dw0 = 0, dw1 = 0;
        std::uint8_t op() const { return static_cast<std::uint8_t>(dw0 & 0xFF); }
    };

    std::map<std::uint64_t, std::array<std::uint8_t, PAGE>> mem;
    std::map<std::uint32_t, std::uint32_t> regs;
    std::vector<cmd> consumed;
    std::set<std::uint8_t> illegal;    // opcodes refused with CERROR_ILL
    std::set<std::uint8_t> abort_once; // opcodes whose next fetch aborts (CERROR_ABT)
    bool stall = false;                // the command queue never moves
    bool slow_consumer = false;        // one command per CMDQ_CONS read
    bool ack_stuck = false;            // CR0ACK never follows CR0
    std::uint64_t now = 0;
    std::vector<std::string> logs;
    std::map<unsigned, hal::irq_handler> handlers;

    fake_platform() {
        regs[arch::IDR0] = arch::GOOD_IDR0;
        regs[arch::IDR1] = arch::GOOD_IDR1;
        regs[arch::IDR5] = arch::GOOD_IDR5;
    }

    // -- memory --
    void mem_read(std::uint64_t a, void* data, std::size_t len) const {
        auto* out = static_cast<std::uint8_t*>(data);
        for (std::size_t i = 0; i < len; ++i) {
            const auto p = mem.find((a + i) / PAGE);
            out[i] = p == mem.end() ? FILL : p->second[(a + i) % PAGE];
        }
    }
    void mem_write(std::uint64_t a, const void* data, std::size_t len) {
        const auto* in = static_cast<const std::uint8_t*>(data);
        for (std::size_t i = 0; i < len; ++i) {
            auto p = mem.find((a + i) / PAGE);
            if (p == mem.end()) {
                p = mem.emplace((a + i) / PAGE, std::array<std::uint8_t, PAGE>{}).first;
                p->second.fill(FILL);
            }
            p->second[(a + i) % PAGE] = in[i];
        }
    }
    std::uint64_t m64(std::uint64_t a) const {
        std::uint8_t b[8];
        mem_read(a, b, 8);
        return le64(b);
    }
    void w64(std::uint64_t a, std::uint64_t v) { mem_write(a, &v, 8); }

    // -- registers --
    std::uint32_t reg(std::uint32_t off) const {
        const auto it = regs.find(off);
        return it == regs.end() ? 0 : it->second;
    }
    std::uint64_t reg64(std::uint32_t off) const {
        return reg(off) | (std::uint64_t(reg(off + 4)) << 32);
    }
    unsigned cmdq_log2() const { return reg(arch::CMDQ_BASE) & 0x1F; }
    std::uint32_t cmdq_mask() const { return (2u << cmdq_log2()) - 1; }

    void consume(bool one) {
        if (!(reg(arch::CR0) & arch::CR0_CMDQEN) || stall) return;
        if ((reg(arch::GERROR) ^ reg(arch::GERRORN)) & arch::GERROR_CMDQ) return;
        const std::uint64_t base = reg64(arch::CMDQ_BASE) & arch::ADDR_51_5;
        const std::uint32_t m = cmdq_mask(), n = 1u << cmdq_log2();
        std::uint32_t cons = reg(arch::CMDQ_CONS) & ~arch::CONS_ERR_MASK; // resume after ack
        regs[arch::CMDQ_CONS] = cons;
        while ((reg(arch::CMDQ_PROD) & m) != (cons & m)) {
            std::uint8_t b[16];
            mem_read(base + (cons & (n - 1)) * 16, b, 16);
            const cmd c{le64(b), le64(b + 8)};
            if (illegal.count(c.op()) || abort_once.erase(c.op())) {
                const std::uint32_t err =
                    illegal.count(c.op()) ? arch::CERROR_ILL : arch::CERROR_ABT;
                regs[arch::CMDQ_CONS] = cons | (err << arch::CONS_ERR_SHIFT);
                regs[arch::GERROR] ^= arch::GERROR_CMDQ;
                return;
            }
            consumed.push_back(c);
            cons = (cons + 1) & m;
            regs[arch::CMDQ_CONS] = cons;
            if (one) return;
        }
    }

    void reg_write32(std::uint32_t off, std::uint32_t v) {
        regs[off] = v;
        switch (off) {
        case arch::CR0:
            if (!ack_stuck) regs[arch::CR0ACK] = v;
            consume(false);
            break;
        case arch::IRQ_CTRL:
            regs[arch::IRQ_CTRLACK] = v;
            break;
        case arch::GBPA:
            regs[arch::GBPA] = v & ~arch::GBPA_UPDATE;
            break;
        case arch::CMDQ_PROD:
            if (!slow_consumer) consume(false);
            break;
        case arch::GERRORN:
            consume(slow_consumer);
            break;
        default:
            break;
        }
    }

    bool is_reg(std::uint64_t a) const { return a >= SMMU_BASE && a < SMMU_BASE + arch::REG_BYTES; }

    hal::status read(std::uint64_t a, void* data, std::size_t len) override {
        if (!is_reg(a)) {
            mem_read(a, data, len);
            return hal::status::ok;
        }
        const std::uint32_t off = static_cast<std::uint32_t>(a - SMMU_BASE);
        if ((len != 4 && len != 8) || off % len) return hal::status::slave_error;
        if (off == arch::CMDQ_CONS && slow_consumer) consume(true);
        std::uint64_t v = len == 8 ? reg64(off) : reg(off);
        std::memcpy(data, &v, len);
        return hal::status::ok;
    }
    hal::status write(std::uint64_t a, const void* data, std::size_t len) override {
        if (!is_reg(a)) {
            mem_write(a, data, len);
            return hal::status::ok;
        }
        const std::uint32_t off = static_cast<std::uint32_t>(a - SMMU_BASE);
        if ((len != 4 && len != 8) || off % len) return hal::status::slave_error;
        std::uint64_t v = 0;
        std::memcpy(&v, data, len);
        reg_write32(off, static_cast<std::uint32_t>(v));
        if (len == 8) reg_write32(off + 4, static_cast<std::uint32_t>(v >> 32));
        return hal::status::ok;
    }
    std::uint64_t now_ns() override { return now; }
    void delay_ns(std::uint64_t ns) override { now += ns; }
    void charge_cycles(std::uint64_t) override {}
    void charge(work, std::uint64_t) override {}
    std::uint64_t cpu_clock_hz() const override { return 1000000000ull; }
    void set_irq_handler(unsigned line, hal::irq_handler h) override {
        handlers[line] = std::move(h);
    }
    bool wait_for_interrupt(std::uint64_t timeout_ns) override {
        now += timeout_ns;
        return false;
    }
    void log(hal::log_level, const std::string& cat, const std::string& msg) override {
        logs.push_back(cat + ": " + msg);
    }

    // The SMMU's interrupt line as a level: the handler runs while it is high.
    bool irq_level() const {
        const std::uint32_t ctrl = reg(arch::IRQ_CTRL);
        const bool evtq = (ctrl & arch::IRQ_EVTQ) &&
                          (reg(arch::EVTQ_PROD) & 0xFFFF) != (reg(arch::EVTQ_CONS) & 0xFFFF);
        const bool gerr = (ctrl & arch::IRQ_GERROR) && (reg(arch::GERROR) ^ reg(arch::GERRORN));
        return evtq || gerr;
    }
    // Runs the interrupt handler while the level is high (at most `limit` times).
    unsigned service_irq(unsigned limit = 8) {
        unsigned n = 0;
        while (irq_level() && n < limit && handlers.count(hal::irq_smmu)) {
            handlers[hal::irq_smmu](hal::irq_smmu);
            ++n;
        }
        return n;
    }
    bool logged(const std::string& what) const {
        for (const auto& l : logs)
            if (l.find(what) != std::string::npos) return true;
        return false;
    }
    std::vector<cmd> commands_since(std::size_t from) const {
        return std::vector<cmd>(consumed.begin() + static_cast<std::ptrdiff_t>(from),
                                consumed.end());
    }
};

// ---- independent walker ----------------------------------------------------------------------

enum class outcome {
    ok,
    bypass,
    abort,        // STE Config = abort
    gbpa_abort,   // SMMUEN = 0 and GBPA.ABORT
    bad_streamid, // C_BAD_STREAMID
    bad_ste,      // C_BAD_STE
    bad_cd,       // C_BAD_CD
    translation,  // F_TRANSLATION
    access,       // F_ACCESS
    permission,   // F_PERMISSION
    addr_size,    // F_ADDR_SIZE
};

struct walk_result {
    outcome what = outcome::translation;
    std::uint64_t phys = 0;
    unsigned level = 0; // level of the leaf
    bool writable = false;
    bool device = false; // MAIR attribute is Device
    std::uint16_t asid = 0;
};

walk_result walk(const fake_platform& f, std::uint32_t sid, std::uint64_t iova, bool write) {
    walk_result r;
    if (!(f.reg(arch::CR0) & arch::CR0_SMMUEN)) {
        r.what = (f.reg(arch::GBPA) & arch::GBPA_ABORT) ? outcome::gbpa_abort : outcome::bypass;
        return r;
    }
    const std::uint64_t base = f.reg64(arch::STRTAB_BASE) & arch::ADDR_51_6;
    const std::uint32_t cfg = f.reg(arch::STRTAB_BASE_CFG);
    const unsigned log2size = cfg & 0x3F, split = (cfg >> 6) & 0x1F, fmt = (cfg >> 16) & 3;
    if (sid >= (1ull << log2size)) return r.what = outcome::bad_streamid, r;
    std::uint64_t ste = 0;
    if (fmt == 1) {
        const std::uint64_t l1 = f.m64(base + (sid >> split) * 8);
        const unsigned span = l1 & 0x1F;
        const std::uint64_t idx = sid & ((1u << split) - 1);
        if (!span || idx >= (1ull << (span - 1))) return r.what = outcome::bad_streamid, r;
        ste = (l1 & arch::ADDR_51_6) + idx * 64;
    } else if (fmt == 0) {
        ste = base + std::uint64_t(sid) * 64;
    } else {
        return r.what = outcome::bad_streamid, r;
    }
    const std::uint64_t s0 = f.m64(ste);
    if (!(s0 & 1)) return r.what = outcome::bad_ste, r;
    switch ((s0 >> 1) & 7) {
    case 0:
        return r.what = outcome::abort, r;
    case 4:
        r.what = outcome::bypass;
        r.phys = iova;
        return r;
    case 5:
        break;
    default:
        return r.what = outcome::bad_ste, r;
    }
    if (((s0 >> 4) & 3) || (s0 >> 59)) return r.what = outcome::bad_ste, r; // S1Fmt, S1CDMax
    const std::uint64_t cd = s0 & arch::ADDR_51_6;
    const std::uint64_t c0 = f.m64(cd), c1 = f.m64(cd + 8), mair = f.m64(cd + 24);
    const unsigned t0sz = c0 & 0x3F, tg0 = (c0 >> 6) & 3, ips = (c0 >> 32) & 7;
    if (!(c0 & (1ull << 31)) || !(c0 & (1ull << 41)) || t0sz != 16 || tg0 != 0 ||
        (c0 & (1ull << 14)))
        return r.what = outcome::bad_cd, r;
    static const unsigned pa_bits[] = {32, 36, 40, 42, 44, 48, 52};
    if (ips > 6) return r.what = outcome::bad_cd, r;
    r.asid = static_cast<std::uint16_t>(c0 >> 48);
    if (iova >> (64 - t0sz)) return r.what = outcome::translation, r;
    std::uint64_t table = c1 & arch::ADDR_51_4 & ~(PAGE - 1);
    for (unsigned level = 0; level < 4; ++level) {
        const unsigned shift = 39 - 9 * level;
        const std::uint64_t d = f.m64(table + ((iova >> shift) & 511) * 8);
        if (!(d & 1)) return r.what = outcome::translation, r;
        const bool leaf = level == 3 || !(d & 2);
        if (level == 3 && !(d & 2)) return r.what = outcome::translation, r; // reserved
        if (!leaf) {
            table = d & arch::OA_47_12;
            continue;
        }
        if (level == 0) return r.what = outcome::translation, r; // no L0 blocks with 4 KiB
        if (!(d & (1ull << 10))) return r.what = outcome::access, r;
        if (!(d & (1ull << 6))) return r.what = outcome::permission, r; // unprivileged access
        r.writable = !(d & (1ull << 7));
        if (write && !r.writable) return r.what = outcome::permission, r;
        const std::uint64_t span = 1ull << shift;
        r.phys = (d & arch::OA_47_12 & ~(span - 1)) | (iova & (span - 1));
        if (r.phys >> pa_bits[ips]) return r.what = outcome::addr_size, r;
        const unsigned attr_idx = (d >> 2) & 7;
        const std::uint8_t attr = static_cast<std::uint8_t>(mair >> (attr_idx * 8));
        r.device = (attr & 0xF0) == 0;
        r.level = level;
        r.what = outcome::ok;
        return r;
    }
    return r;
}

std::uint32_t sid_of(unsigned bus, unsigned devfn) {
    return (bus << 8) | devfn;
}

// ---- fixture ---------------------------------------------------------------------------------

hal::ep_board make_board() {
    hal::ep_board b;
    b.dram = {DRAM_BASE, DRAM_SIZE};
    b.irq_window = {IRQ_WINDOW_BASE, IRQ_WINDOW_BYTES};
    b.smmu = {SMMU_BASE, arch::REG_BYTES};
    return b;
}

struct rig {
    fake_platform io;
    hal::ep_board board = make_board();
    epc::coherent_pool pool;
    std::unique_ptr<smmu_v3> smmu;

    explicit rig(const smmu_config& cfg = {}, std::uint64_t pool_bytes = POOL_BYTES)
        : pool(DRAM_BASE, pool_bytes)
        , smmu(std::make_unique<smmu_v3>(io, board, pool, cfg)) {}
    // init and check it worked.
    rig& up() {
        const int r = smmu->init();
        BOOST_TEST_REQUIRE(r == 0);
        return *this;
    }
};

// A domain attached to devfn on an initialised SMMU.
struct domain_rig : rig {
    static constexpr unsigned devfn = 0x10;
    static constexpr unsigned bus = 3;
    std::unique_ptr<smmu_domain> dom;
    explicit domain_rig(const smmu_config& cfg = {}, std::uint64_t pool_bytes = POOL_BYTES)
        : rig(cfg, pool_bytes) {
        up();
        dom = std::make_unique<smmu_domain>(*smmu);
        BOOST_TEST_REQUIRE(dom->init() == 0);
        BOOST_TEST_REQUIRE(dom->attach(devfn) == 0);
    }
    walk_result xl(std::uint64_t iova, bool write = false) const {
        return walk(io, sid_of(bus, devfn), iova, write);
    }
};

} // namespace

// ---- probe -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(probe_reads_features) {
    rig t;
    BOOST_TEST(t.smmu->probe() == 0);
    const smmu_features& f = t.smmu->features();
    BOOST_TEST(f.s1p);
    BOOST_TEST(!f.s2p);
    BOOST_TEST(f.aarch64_tables);
    BOOST_TEST(f.two_level_strtab);
    BOOST_TEST(f.gran4k);
    BOOST_TEST(f.asid_bits == 16u);
    BOOST_TEST(f.sid_bits == 16u);
    BOOST_TEST(f.oas_bits == 48u);
    BOOST_TEST(f.cmdq_log2_max == 8u);
    BOOST_TEST(f.evtq_log2_max == 7u);
}

BOOST_AUTO_TEST_CASE(probe_refuses_missing_features_with_a_reason) {
    struct refusal {
        std::uint32_t reg, clear, set;
        const char* reason;
    };
    const refusal cases[] = {
        {arch::IDR0, arch::IDR0_S1P, 0, "S1P"},
        {arch::IDR0, arch::IDR0_TTF_MASK, 1u << 2, "TTF"}, // AArch32 tables only
        {arch::IDR0, arch::IDR0_ST_MASK, 0, "ST_LEVEL"},
        {arch::IDR0, 0, arch::IDR0_TTENDIAN_BE, "TTENDIAN"},
        {arch::IDR5, arch::IDR5_GRAN4K, 0, "GRAN4K"},
        {arch::IDR1, arch::IDR1_SIDSIZE_MASK, 8, "SIDSIZE"},
    };
    for (const refusal& c : cases) {
        rig t;
        t.io.regs[c.reg] = (t.io.regs[c.reg] & ~c.clear) | c.set;
        BOOST_TEST_CONTEXT("missing " << c.reason) {
            BOOST_TEST(t.smmu->probe() == -ENODEV);
            BOOST_TEST(t.smmu->init() == -ENODEV);
            BOOST_TEST(t.io.logged(c.reason));
            BOOST_TEST(!t.smmu->enabled());
            BOOST_TEST(t.io.reg(arch::CR0) == 0u);
            // Nothing was allocated: the whole pool is still free.
            std::uint64_t a = 0;
            BOOST_TEST(t.pool.alloc(POOL_BYTES, PAGE, a) == 0);
        }
    }
    rig none;
    none.board.smmu = {};
    BOOST_TEST(none.smmu->init() == -ENODEV);
    BOOST_TEST(none.io.logged("no SMMU"));
    BOOST_TEST(none.io.regs.count(arch::CR0) == 0u); // no register was written
}

// ---- init ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(init_writes_stream_table_queues_and_enables) {
    rig t;
    t.up();
    fake_platform& io = t.io;
    BOOST_TEST(t.smmu->enabled());
    const std::uint32_t cr0 = arch::CR0_SMMUEN | arch::CR0_EVTQEN | arch::CR0_CMDQEN;
    BOOST_TEST(io.reg(arch::CR0) == cr0);
    BOOST_TEST(io.reg(arch::CR0ACK) == cr0);
    BOOST_TEST(io.reg(arch::IRQ_CTRL) == (arch::IRQ_GERROR | arch::IRQ_EVTQ));
    BOOST_TEST((io.reg(arch::GBPA) & arch::GBPA_ABORT) != 0u);
    BOOST_TEST(io.handlers.count(hal::irq_smmu) == 1u);

    // 2-level, SPLIT 8, 16-bit stream IDs.
    const std::uint32_t cfg = io.reg(arch::STRTAB_BASE_CFG);
    BOOST_TEST((cfg & 0x3F) == 16u);
    BOOST_TEST(((cfg >> 6) & 0x1F) == 8u);
    BOOST_TEST(((cfg >> 16) & 3) == 1u);
    const std::uint64_t l1 = io.reg64(arch::STRTAB_BASE) & arch::ADDR_51_6;
    BOOST_TEST(l1 == t.smmu->strtab_l1_addr());
    // All 256 level-1 descriptors: SPAN 9 (256 STEs), the same level-2 table.
    const std::uint64_t l2 = io.m64(l1) & arch::ADDR_51_6;
    BOOST_TEST(l2 == t.smmu->strtab_l2_addr());
    BOOST_TEST(l2 >= DRAM_BASE);
    BOOST_TEST(l2 < DRAM_BASE + POOL_BYTES);
    for (unsigned bus = 0; bus < 256; ++bus) {
        const std::uint64_t d = io.m64(l1 + bus * 8);
        BOOST_TEST((d & 0x1F) == 9u);
        BOOST_TEST((d & arch::ADDR_51_6) == l2);
    }
    // All 256 STEs written explicitly: V = 1, Config = abort, the other dwords 0 (not the fill).
    for (unsigned devfn = 0; devfn < 256; ++devfn) {
        BOOST_TEST(io.m64(l2 + devfn * 64) == 1u); // V, Config 0
        for (unsigned d = 1; d < 8; ++d)
            BOOST_TEST(io.m64(l2 + devfn * 64 + d * 8) == 0u);
    }
    // Queues where the driver says, sizes as configured (capped by the IDRs).
    BOOST_TEST((io.reg64(arch::CMDQ_BASE) & arch::ADDR_51_5) == t.smmu->cmdq_addr());
    BOOST_TEST((io.reg64(arch::CMDQ_BASE) & 0x1F) == 8u);
    BOOST_TEST((io.reg64(arch::EVTQ_BASE) & arch::ADDR_51_5) == t.smmu->evtq_addr());
    BOOST_TEST((io.reg64(arch::EVTQ_BASE) & 0x1F) == 7u);
    // CFGI_ALL (every stream), TLBI_NSNH_ALL, CMD_SYNC, all consumed.
    BOOST_TEST_REQUIRE(io.consumed.size() == 3u);
    BOOST_TEST(io.consumed[0].op() == arch::CFGI_ALL);
    BOOST_TEST((io.consumed[0].dw1 & 0x1F) == 31u);
    BOOST_TEST(io.consumed[1].op() == arch::TLBI_NSNH_ALL);
    BOOST_TEST(io.consumed[2].op() == arch::SYNC);
    BOOST_TEST(((io.consumed[2].dw0 >> 12) & 3) == 0u); // CS = none
    BOOST_TEST(io.reg(arch::CMDQ_CONS) == io.reg(arch::CMDQ_PROD));
    // Every stream aborts until a function asks for more, whatever its bus number.
    for (unsigned bus : {0u, 1u, 0x42u, 0xFFu})
        BOOST_TEST((walk(io, sid_of(bus, 0), 0x1000, false).what == outcome::abort));
    BOOST_TEST(t.smmu->init() == 0); // again: nothing to do
    BOOST_TEST(io.consumed.size() == 3u);
}

BOOST_AUTO_TEST_CASE(init_times_out_without_cr0ack_and_frees_everything) {
    rig t;
    t.io.ack_stuck = true;
    BOOST_TEST(t.smmu->init() == -ETIMEDOUT);
    BOOST_TEST(!t.smmu->enabled());
    BOOST_TEST(t.io.logged("CR0ACK"));
    BOOST_TEST(t.io.now >= t.smmu->config().ack_timeout_ns);
    std::uint64_t a = 0;
    BOOST_TEST(t.pool.alloc(POOL_BYTES, PAGE, a) == 0);
    BOOST_TEST(t.smmu->set_bypass(0) == -ENODEV);
}

// ---- stream table entries --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ste_modes_apply_to_every_bus) {
    rig t;
    BOOST_TEST(t.smmu->set_bypass(0) == -ENODEV); // before init
    t.up();
    fake_platform& io = t.io;
    const unsigned devfn = 0x08;
    std::size_t n = io.consumed.size();
    BOOST_TEST(t.smmu->set_bypass(devfn) == 0);
    BOOST_TEST((t.smmu->mode(devfn) == ste_mode::bypass));
    auto cmds = io.commands_since(n);
    BOOST_TEST_REQUIRE(cmds.size() == 2u);
    BOOST_TEST(cmds[0].op() == arch::CFGI_ALL);
    BOOST_TEST(cmds[1].op() == arch::SYNC);
    for (unsigned bus : {0u, 1u, 0x80u, 0xFFu}) {
        const walk_result r = walk(io, sid_of(bus, devfn), 0x12345000, true);
        BOOST_TEST((r.what == outcome::bypass));
        BOOST_TEST(r.phys == 0x12345000u);
        BOOST_TEST((walk(io, sid_of(bus, devfn + 1), 0, false).what == outcome::abort));
    }
    BOOST_TEST(t.smmu->set_abort(devfn) == 0);
    BOOST_TEST((walk(io, sid_of(7, devfn), 0, false).what == outcome::abort));
    BOOST_TEST((t.smmu->mode(devfn) == ste_mode::abort));
    BOOST_TEST(t.smmu->set_bypass(256) == -EINVAL);
    BOOST_TEST(t.smmu->set_translate(devfn, 0x1001) == -EINVAL); // not 64-byte aligned
    BOOST_TEST(t.smmu->set_translate(devfn, 0) == -EINVAL);
}

BOOST_AUTO_TEST_CASE(domain_attach_detach_and_teardown) {
    domain_rig t;
    fake_platform& io = t.io;
    BOOST_TEST((t.smmu->mode(t.devfn) == ste_mode::translate));
    BOOST_TEST(t.smmu->ste_cd(t.devfn) == t.dom->cd_addr());
    BOOST_TEST(t.dom->asid() != 0u);
    // Nothing mapped yet: a translation fault, with the domain's ASID in the CD.
    walk_result r = t.xl(0x1000);
    BOOST_TEST((r.what == outcome::translation));
    BOOST_TEST(r.asid == t.dom->asid());
    // A second domain gets another ASID.
    smmu_domain other(*t.smmu);
    BOOST_TEST(other.init() == 0);
    BOOST_TEST(other.asid() != t.dom->asid());
    BOOST_TEST(other.attach(t.devfn + 1) == 0);
    BOOST_TEST(t.dom->detach(t.devfn) == 0);
    BOOST_TEST((t.xl(0x1000).what == outcome::abort));
    BOOST_TEST(t.dom->attach(t.devfn) == 0);
    const std::uint16_t asid = t.dom->asid();
    const std::size_t n = io.consumed.size();
    t.dom.reset(); // teardown: STE back to abort, ASID invalidated
    BOOST_TEST((walk(io, sid_of(0, t.devfn), 0x1000, false).what == outcome::abort));
    bool asid_inval = false;
    for (const auto& c : io.commands_since(n))
        asid_inval |= c.op() == arch::TLBI_NH_ASID && (c.dw0 >> 48) == asid;
    BOOST_TEST(asid_inval);
    BOOST_TEST((t.smmu->mode(t.devfn + 1) == ste_mode::translate)); // the other domain's stays
    smmu_domain fresh(*t.smmu);
    BOOST_TEST(fresh.attach(1) == -ENODEV); // not initialised
    BOOST_TEST(fresh.map(0, BUF_BASE, PAGE, prot_read) == -ENODEV);
}

// ---- a fixed StreamID (the SoC integration's) -------------------------------------------------
//
// Sizes by hand from the architecture: an STE is 64 bytes, a level-1 descriptor 8; a linear table
// of LOG2SIZE n holds 2^n STEs; a 2-level one 2^(n - SPLIT) descriptors and, here, one level-2
// table of 2^SPLIT STEs; SPLIT is 6, 8 or 10 (SMMU_STRTAB_BASE_CFG.SPLIT); n is the number of bits
// of the StreamID.

namespace {
struct strtab_cfg {
    unsigned log2size, split, fmt;
};
strtab_cfg strtab_of(const fake_platform& io) {
    const std::uint32_t cfg = io.reg(arch::STRTAB_BASE_CFG);
    return {cfg & 0x3F, (cfg >> 6) & 0x1F, (cfg >> 16) & 3};
}
void make_fixed(rig& t, std::uint32_t sid) {
    t.board.smmu_stream = {hal::stream_id_source::fixed, sid};
}
// Brings up an SMMU for fixed StreamID sid and checks STRTAB_BASE_CFG against the shape worked
// out by hand (FMT 0 linear, 1 2-level; SPLIT only for 2-level).
void up_fixed(rig& t, std::uint32_t sid, unsigned fmt, unsigned log2size, unsigned split = 0) {
    make_fixed(t, sid);
    t.up();
    const strtab_cfg c = strtab_of(t.io);
    BOOST_TEST(c.fmt == fmt);
    BOOST_TEST(c.log2size == log2size);
    if (fmt == 1) BOOST_TEST(c.split == split);
}
// Every STE of the table at addr explicitly abort (V = 1, Config 0, other dwords 0).
void check_all_abort(const fake_platform& io, std::uint64_t addr, unsigned stes) {
    for (unsigned i = 0; i < stes; ++i) {
        BOOST_TEST(io.m64(addr + i * 64) == 1u);
        for (unsigned d = 1; d < 8; ++d)
            BOOST_TEST(io.m64(addr + i * 64 + d * 8) == 0u);
    }
}
} // namespace

BOOST_AUTO_TEST_CASE(fixed_stream_id_0x3f_gets_a_linear_table_of_64_stes) {
    // 0x3F = 63 needs 6 bits: linear 2^6 x 64 = 4096 bytes; no SPLIT is below 6.
    rig t;
    up_fixed(t, 0x3F, 0, 6);
    fake_platform& io = t.io;
    const std::uint64_t base = io.reg64(arch::STRTAB_BASE) & arch::ADDR_51_6;
    BOOST_TEST(base % 4096 == 0u); // a linear table is aligned to its size
    BOOST_TEST(t.smmu->strtab_l2_addr() == 0u);
    check_all_abort(io, base, 64);
    BOOST_TEST((walk(io, 0x3F, 0x1000, false).what == outcome::abort));
    BOOST_TEST((walk(io, 0x40, 0x1000, false).what == outcome::bad_streamid));

    // A domain attached to function 0: the controller's StreamID translates, with CFGI_STE of
    // that StreamID (leaf) and a sync.
    smmu_domain d(*t.smmu);
    BOOST_TEST_REQUIRE(d.init() == 0);
    const std::size_t n = io.consumed.size();
    BOOST_TEST_REQUIRE(d.attach(0) == 0);
    const auto cmds = io.commands_since(n);
    BOOST_TEST_REQUIRE(cmds.size() == 2u);
    BOOST_TEST(cmds[0].op() == arch::CFGI_STE);
    BOOST_TEST((cmds[0].dw0 >> 32) == 0x3Fu);
    BOOST_TEST((cmds[0].dw1 & 1) == 1u);
    BOOST_TEST(cmds[1].op() == arch::SYNC);
    BOOST_TEST(d.map(0x10000, BUF_BASE, PAGE, prot_read | prot_write) == 0);
    const walk_result r = walk(io, 0x3F, 0x10123, true);
    BOOST_TEST((r.what == outcome::ok));
    BOOST_TEST(r.phys == BUF_BASE + 0x123);
    BOOST_TEST((walk(io, 0x3E, 0x10000, false).what == outcome::abort)); // its neighbour
    // Every function of the controller shares the one STE.
    BOOST_TEST((t.smmu->mode(5) == ste_mode::translate));
    BOOST_TEST(t.smmu->ste_cd(5) == d.cd_addr());
}

BOOST_AUTO_TEST_CASE(fixed_stream_id_0x5b_gets_a_2_level_table_with_split_6) {
    // 0x5B = 91 needs 7 bits. Linear: 2^7 x 64 = 8192 bytes. 2-level SPLIT 6: 2^(7-6) = 2
    // descriptors (16 bytes) + 2^6 x 64 = 4096, 4112 bytes: smaller. The StreamID sits in level-1
    // descriptor 91 >> 6 = 1, at index 91 & 63 = 27 of the level-2 table.
    rig t;
    up_fixed(t, 0x5B, 1, 7, 6);
    fake_platform& io = t.io;
    const std::uint64_t l1 = io.reg64(arch::STRTAB_BASE) & arch::ADDR_51_6;
    BOOST_TEST(io.m64(l1) == 0u); // descriptor 0: SPAN 0, invalid
    const std::uint64_t d1 = io.m64(l1 + 8);
    BOOST_TEST((d1 & 0x1F) == 7u); // SPAN = SPLIT + 1: 2^6 STEs
    const std::uint64_t l2 = d1 & arch::ADDR_51_6;
    BOOST_TEST(l2 == t.smmu->strtab_l2_addr());
    BOOST_TEST(l2 % 4096 == 0u);
    check_all_abort(io, l2, 64);
    BOOST_TEST((walk(io, 0x5B, 0, false).what == outcome::abort));
    BOOST_TEST((walk(io, 0x1B, 0, false).what == outcome::bad_streamid)); // level-1 entry 0
    BOOST_TEST((walk(io, 0x80, 0, false).what == outcome::bad_streamid)); // beyond LOG2SIZE

    smmu_domain d(*t.smmu);
    BOOST_TEST_REQUIRE(d.init() == 0);
    BOOST_TEST_REQUIRE(d.attach(0) == 0);
    BOOST_TEST(d.map(0x200000, BUF_BASE, BLOCK, prot_read) == 0);
    const walk_result r = walk(io, 0x5B, 0x200040, false);
    BOOST_TEST((r.what == outcome::ok));
    BOOST_TEST(r.phys == BUF_BASE + 0x40);
    BOOST_TEST(io.m64(l2 + 27 * 64) == (d.cd_addr() | (5u << 1) | 1u)); // V, Config S1, CD
    BOOST_TEST((walk(io, 0x5A, 0x200040, false).what == outcome::abort));
    BOOST_TEST(t.io.logged("2-level, LOG2SIZE 7, SPLIT 6"));
}

BOOST_AUTO_TEST_CASE(fixed_stream_id_0x1234_picks_the_smallest_split) {
    // 0x1234 = 4660 needs 13 bits. Linear: 2^13 x 64 = 524288 bytes. SPLIT 6: 2^7 x 8 + 2^6 x 64
    // = 1024 + 4096 = 5120; SPLIT 8: 2^5 x 8 + 2^8 x 64 = 256 + 16384 = 16640; SPLIT 10: 2^3 x 8
    // + 2^10 x 64 = 64 + 65536 = 65600. SPLIT 6 it is: descriptor 4660 >> 6 = 72, STE 4660 & 63
    // = 52.
    rig t;
    up_fixed(t, 0x1234, 1, 13, 6);
    fake_platform& io = t.io;
    const std::uint64_t l1 = io.reg64(arch::STRTAB_BASE) & arch::ADDR_51_6;
    BOOST_TEST(l1 % 1024 == 0u); // the level-1 table is aligned to its 1024 bytes
    unsigned valid = 0;
    for (unsigned i = 0; i < 128; ++i)
        valid += io.m64(l1 + i * 8) != 0;
    BOOST_TEST(valid == 1u);
    BOOST_TEST((io.m64(l1 + 72 * 8) & 0x1F) == 7u);
    smmu_domain d(*t.smmu);
    BOOST_TEST_REQUIRE(d.init() == 0);
    BOOST_TEST_REQUIRE(d.attach(3) == 0);
    BOOST_TEST(io.m64((io.m64(l1 + 72 * 8) & arch::ADDR_51_6) + 52 * 64) ==
               (d.cd_addr() | (5u << 1) | 1u));
    BOOST_TEST(d.map(0, BUF_BASE, PAGE, prot_read) == 0);
    BOOST_TEST((walk(io, 0x1234, 0x8, false).what == outcome::ok));
    BOOST_TEST((walk(io, 0x1233, 0x8, false).what == outcome::abort));
    BOOST_TEST((walk(io, 0x1274, 0x8, false).what == outcome::bad_streamid)); // descriptor 73
}

BOOST_AUTO_TEST_CASE(fixed_stream_id_without_2_level_support_or_beyond_sidsize) {
    {
        // ST_LEVEL linear only: 0x1234 gets the linear table of 2^13 STEs.
        rig t;
        t.io.regs[arch::IDR0] &= ~arch::IDR0_ST_MASK;
        up_fixed(t, 0x1234, 0, 13);
        const std::uint64_t base = t.io.reg64(arch::STRTAB_BASE) & arch::ADDR_51_6;
        BOOST_TEST(base % (8192 * 64) == 0u);
        BOOST_TEST(t.io.m64(base + 0x1234 * 64) == 1u); // abort
        BOOST_TEST(t.io.m64(base + 8191 * 64) == 1u);   // the last STE written too
    }
    {
        // SIDSIZE 8: 0x5B (7 bits) fits; 0x1234 does not, and the reason names SIDSIZE.
        rig fits;
        fits.io.regs[arch::IDR1] = (fits.io.regs[arch::IDR1] & ~arch::IDR1_SIDSIZE_MASK) | 8;
        make_fixed(fits, 0x5B);
        BOOST_TEST(fits.smmu->init() == 0);
        rig big;
        big.io.regs[arch::IDR1] = (big.io.regs[arch::IDR1] & ~arch::IDR1_SIDSIZE_MASK) | 8;
        make_fixed(big, 0x1234);
        BOOST_TEST(big.smmu->init() == -ENODEV);
        BOOST_TEST(big.io.logged("SIDSIZE"));
        BOOST_TEST(big.io.reg(arch::CR0) == 0u);
    }
    {
        // StreamID 0: LOG2SIZE 0, one 64-byte STE.
        rig t;
        up_fixed(t, 0, 0, 0);
        BOOST_TEST((walk(t.io, 0, 0, false).what == outcome::abort));
        BOOST_TEST((walk(t.io, 1, 0, false).what == outcome::bad_streamid));
    }
}

// ---- map / unmap -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pages_blocks_and_permissions) {
    domain_rig t;
    smmu_domain& d = *t.dom;
    // 4 MiB, 2 MiB aligned on both sides: two blocks.
    const std::uint64_t iova = 64 * MiB, phys = BUF_BASE + 32 * MiB;
    BOOST_TEST(d.map(iova, phys, 4 * MiB, prot_read | prot_write) == 0);
    for (std::uint64_t off : {std::uint64_t(0), PAGE * 7, BLOCK, 4 * MiB - PAGE}) {
        const walk_result r = t.xl(iova + off + 0x123, true);
        BOOST_TEST((r.what == outcome::ok));
        BOOST_TEST(r.level == 2u);
        BOOST_TEST(r.phys == phys + off + 0x123);
        BOOST_TEST(!r.device);
    }
    // The same with prot_no_block: pages.
    BOOST_TEST(d.map(128 * MiB, phys, 2 * MiB, prot_read | prot_no_block) == 0);
    walk_result r = t.xl(128 * MiB + 5 * PAGE);
    BOOST_TEST((r.what == outcome::ok));
    BOOST_TEST(r.level == 3u);
    BOOST_TEST(r.phys == phys + 5 * PAGE);
    // Read-only: writes fault with a permission fault.
    BOOST_TEST((t.xl(128 * MiB, true).what == outcome::permission));
    unsigned prot = 0;
    std::uint64_t p = 0;
    BOOST_TEST(d.lookup(128 * MiB + PAGE, p, &prot) == 0);
    BOOST_TEST(p == phys + PAGE);
    BOOST_TEST(prot == unsigned(prot_read));
    // Physical address not 2 MiB aligned: pages even for a 2 MiB run.
    BOOST_TEST(d.map(256 * MiB, phys + PAGE, 2 * MiB, prot_write) == 0);
    r = t.xl(256 * MiB + 2 * MiB - PAGE, true);
    BOOST_TEST((r.what == outcome::ok));
    BOOST_TEST(r.level == 3u);
    BOOST_TEST(r.phys == phys + 2 * MiB);
    BOOST_TEST(r.writable); // write-only maps read/write
    // Unaligned start, 2 MiB-crossing: blocks only where a whole aligned 2 MiB fits.
    const std::uint64_t iova2 = 512 * MiB - 3 * PAGE, phys2 = BUF_BASE + 512 * MiB - 3 * PAGE;
    BOOST_TEST(d.map(iova2, phys2, 3 * PAGE + 2 * MiB + PAGE, prot_read) == 0);
    BOOST_TEST(t.xl(iova2).level == 3u);
    BOOST_TEST(t.xl(512 * MiB).level == 2u);
    BOOST_TEST(t.xl(512 * MiB + 2 * MiB).level == 3u);
    BOOST_TEST(t.xl(512 * MiB + 2 * MiB).phys == phys2 + 3 * PAGE + 2 * MiB);
    BOOST_TEST((t.xl(512 * MiB + 2 * MiB + PAGE).what == outcome::translation));
    // Device attributes for MMIO.
    BOOST_TEST(d.map(GiB, IRQ_WINDOW_BASE, PAGE, prot_write | prot_mmio) == 0);
    BOOST_TEST(t.xl(GiB, true).device);
    BOOST_TEST(d.lookup(GiB, p, &prot) == 0);
    BOOST_TEST(prot == unsigned(prot_read | prot_write | prot_mmio));
}

BOOST_AUTO_TEST_CASE(partial_unmap_splits_a_block_and_invalidates_its_pages) {
    domain_rig t;
    smmu_domain& d = *t.dom;
    fake_platform& io = t.io;
    const std::uint64_t iova = 6 * MiB, phys = BUF_BASE + 10 * MiB;
    BOOST_TEST(d.map(iova, phys, BLOCK, prot_read | prot_write) == 0);
    BOOST_TEST(t.xl(iova).level == 2u);
    const std::size_t n = io.consumed.size();
    BOOST_TEST(d.unmap(iova + 100 * PAGE, 3 * PAGE) == 0);
    BOOST_TEST(d.splits() == 1u);
    // Exactly one TLBI_NH_VA per removed page, right ASID, leaf, then CMD_SYNC.
    const auto cmds = io.commands_since(n);
    BOOST_TEST_REQUIRE(cmds.size() == 4u);
    for (unsigned k = 0; k < 3; ++k) {
        BOOST_TEST(cmds[k].op() == arch::TLBI_NH_VA);
        BOOST_TEST((cmds[k].dw0 >> 48) == d.asid());
        BOOST_TEST((cmds[k].dw1 & ~0xFFFull) == iova + (100 + k) * PAGE);
        BOOST_TEST((cmds[k].dw1 & 1) == 1u);
    }
    BOOST_TEST(cmds[3].op() == arch::SYNC);
    for (unsigned k = 0; k < 512; ++k) {
        const walk_result r = t.xl(iova + k * PAGE, true);
        if (k >= 100 && k < 103) {
            BOOST_TEST((r.what == outcome::translation));
        } else {
            BOOST_TEST((r.what == outcome::ok));
            BOOST_TEST(r.level == 3u);
            BOOST_TEST(r.phys == phys + k * PAGE);
            BOOST_TEST(r.writable);
        }
    }
    // Above the threshold: one TLBI_NH_ASID instead of per-page commands.
    const std::size_t m = io.consumed.size();
    const std::uint64_t big = (smmu_domain::tlbi_asid_threshold + 1) * PAGE;
    BOOST_TEST(d.unmap(iova + 200 * PAGE, big) == 0);
    const auto cmds2 = io.commands_since(m);
    BOOST_TEST_REQUIRE(cmds2.size() == 2u);
    BOOST_TEST(cmds2[0].op() == arch::TLBI_NH_ASID);
    BOOST_TEST((cmds2[0].dw0 >> 48) == d.asid());
    BOOST_TEST(cmds2[1].op() == arch::SYNC);
    // Exactly at the threshold: per page.
    const std::size_t k0 = io.consumed.size();
    BOOST_TEST(d.unmap(iova + 300 * PAGE, smmu_domain::tlbi_asid_threshold * PAGE) == 0);
    BOOST_TEST(io.commands_since(k0).size() == smmu_domain::tlbi_asid_threshold + 1);
    // A whole block is 512 pages: TLBI_NH_ASID.
    BOOST_TEST(d.map(20 * MiB, phys, BLOCK, prot_read) == 0);
    const std::size_t k1 = io.consumed.size();
    BOOST_TEST(d.unmap(20 * MiB, BLOCK) == 0);
    BOOST_TEST(io.commands_since(k1).front().op() == arch::TLBI_NH_ASID);
    BOOST_TEST((t.xl(20 * MiB).what == outcome::translation));
    BOOST_TEST(d.splits() == 1u);
}

BOOST_AUTO_TEST_CASE(domain_error_codes_change_nothing) {
    domain_rig t;
    smmu_domain& d = *t.dom;
    BOOST_TEST(d.map(0x1000, BUF_BASE, PAGE, prot_read) == 0);
    const std::size_t tables = d.tables();
    BOOST_TEST(d.map(0x1800, BUF_BASE, PAGE, prot_read) == -EINVAL);     // IOVA
    BOOST_TEST(d.map(0x2000, BUF_BASE + 8, PAGE, prot_read) == -EINVAL); // phys
    BOOST_TEST(d.map(0x2000, BUF_BASE, 100, prot_read) == -EINVAL);      // size
    BOOST_TEST(d.map(0x2000, BUF_BASE, 0, prot_read) == -EINVAL);
    BOOST_TEST(d.map(0x2000, BUF_BASE, PAGE, 0) == -EINVAL);
    BOOST_TEST(d.map(0x2000, BUF_BASE, PAGE, prot_mmio) == -EINVAL);
    BOOST_TEST(d.map(0x2000, BUF_BASE, PAGE, prot_read | 0x100) == -EINVAL);
    BOOST_TEST(d.map((1ull << 48) - PAGE, BUF_BASE, 2 * PAGE, prot_read) == -ERANGE);
    BOOST_TEST(d.map(0x2000, 1ull << 48, PAGE, prot_read) == -ERANGE); // beyond OAS
    BOOST_TEST(d.map(0, BUF_BASE, 2 * PAGE, prot_read) == -EEXIST);    // covers 0x1000
    BOOST_TEST(d.unmap(0x1000, 2 * PAGE) == -ENODATA);
    BOOST_TEST(d.unmap(0x5000, PAGE) == -ENODATA);
    BOOST_TEST(d.unmap(0x1000, 0) == -EINVAL);
    BOOST_TEST(d.unmap(1ull << 48, PAGE) == -ERANGE);
    BOOST_TEST(d.tables() == tables);
    for (std::uint64_t a : {0x0ull, 0x2000ull})
        BOOST_TEST((t.xl(a).what == outcome::translation));
    BOOST_TEST(t.xl(0x1000).phys == BUF_BASE);
    std::uint64_t p = 0;
    BOOST_TEST(d.lookup(0x2000, p) == -ENODATA);
    BOOST_TEST(d.lookup(1ull << 48, p) == -ERANGE);
}

BOOST_AUTO_TEST_CASE(smaller_output_address_size) {
    smmu_config cfg;
    rig t(cfg);
    t.io.regs[arch::IDR5] = (arch::GOOD_IDR5 & ~arch::IDR5_OAS_MASK) | arch::IDR5_OAS_40;
    t.up();
    BOOST_TEST(t.smmu->features().oas_bits == 40u);
    smmu_domain d(*t.smmu);
    BOOST_TEST(d.init() == 0);
    BOOST_TEST(d.attach(1) == 0);
    BOOST_TEST(d.map(0x1000, 1ull << 40, PAGE, prot_read) == -ERANGE);
    BOOST_TEST(d.map(0x1000, (1ull << 40) - PAGE, PAGE, prot_read) == 0);
    const walk_result r = walk(t.io, sid_of(0, 1), 0x1000, false);
    BOOST_TEST((r.what == outcome::ok)); // the CD's IPS says 40 bits and the address fits
    BOOST_TEST(r.phys == (1ull << 40) - PAGE);
}

BOOST_AUTO_TEST_CASE(out_of_table_memory_is_enomem_and_changes_nothing) {
    domain_rig t(smmu_config{}, MiB);
    smmu_domain& d = *t.dom;
    BOOST_TEST(d.map(0, BUF_BASE, BLOCK, prot_read) == 0); // a block: no level-3 table
    // Exhaust the pool, then give back room for exactly two tables.
    std::vector<std::uint64_t> hog;
    for (std::uint64_t a = 0; t.pool.alloc(PAGE, PAGE, a) == 0;)
        hog.push_back(a);
    BOOST_TEST_REQUIRE(hog.size() >= 4u);
    auto give_back = [&](unsigned pages) {
        for (unsigned i = 0; i < pages; ++i) {
            t.pool.free(hog.back());
            hog.pop_back();
        }
    };
    give_back(2);
    const std::size_t tables = d.tables();
    // A fresh 512 GiB region needs level-1, level-2 and level-3 tables: three.
    const std::uint64_t far = 1ull << 40;
    BOOST_TEST(d.map(far, BUF_BASE, PAGE, prot_read) == -ENOMEM);
    std::uint64_t p = 0;
    BOOST_TEST(d.lookup(far, p) == -ENODATA);
    BOOST_TEST((t.xl(far).what == outcome::translation));
    BOOST_TEST(t.io.logged("no pool memory"));
    BOOST_TEST(d.tables() == tables + 2); // the empty level-1/-2 tables stay linked
    // Splitting the block needs a table: with none left, unmap refuses and nothing changes.
    BOOST_TEST(d.unmap(PAGE, PAGE) == -ENOMEM);
    BOOST_TEST(t.xl(PAGE).level == 2u);
    BOOST_TEST(t.xl(PAGE).phys == BUF_BASE + PAGE);
    BOOST_TEST(d.lookup(PAGE, p) == 0);
    BOOST_TEST(d.splits() == 0u);
    give_back(2);
    BOOST_TEST(d.unmap(PAGE, PAGE) == 0);
    BOOST_TEST((t.xl(PAGE).what == outcome::translation));
    BOOST_TEST(t.xl(0).phys == BUF_BASE);
    BOOST_TEST(d.map(far, BUF_BASE, PAGE, prot_read) == 0);
    BOOST_TEST(t.xl(far).phys == BUF_BASE);
    for (std::uint64_t a : hog)
        t.pool.free(a);
}

// ---- command queue errors --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stuck_sync_times_out_and_recovers) {
    domain_rig t;
    fake_platform& io = t.io;
    BOOST_TEST(t.dom->map(0x10000, BUF_BASE, 2 * PAGE, prot_read) == 0);
    io.stall = true;
    const std::uint64_t t0 = io.now;
    BOOST_TEST(t.dom->unmap(0x10000, PAGE) == -ETIMEDOUT);
    BOOST_TEST(io.now - t0 >= t.smmu->config().sync_timeout_ns);
    BOOST_TEST(io.logged("CMD_SYNC"));
    BOOST_TEST(io.logged("stuck at opcode 0x12 (TLBI_NH_VA)"));
    BOOST_TEST(t.smmu->stats().sync_timeouts == 1u);
    // The tables changed even though the invalidation did not complete.
    std::uint64_t p = 0;
    BOOST_TEST(t.dom->lookup(0x10000, p) == -ENODATA);
    BOOST_TEST((t.xl(0x10000).what == outcome::translation));
    io.stall = false;
    BOOST_TEST(t.smmu->sync() == 0);
    BOOST_TEST(io.reg(arch::CMDQ_CONS) == io.reg(arch::CMDQ_PROD));
    BOOST_TEST(t.dom->unmap(0x11000, PAGE) == 0);
}

// An abort on the command fetch (CERROR_ABT) is retried, not skipped: Linux's
// __arm_smmu_cmdq_skip_err returns for it ("retrying command fetch") and the acknowledged queue
// fetches the same command again. Replacing it, as for an illegal command, lost the TLBI, and the
// caller freed page tables the IOTLB could still point into.
BOOST_AUTO_TEST_CASE(an_aborted_command_fetch_is_fetched_again_not_skipped) {
    domain_rig t;
    fake_platform& io = t.io;
    BOOST_TEST(t.dom->map(0x20000, BUF_BASE, PAGE, prot_read) == 0);
    const std::size_t n = io.consumed.size();
    io.abort_once = {arch::TLBI_NH_VA};
    BOOST_TEST(t.dom->unmap(0x20000, PAGE) == 0);
    BOOST_TEST(io.abort_once.empty()); // the abort happened
    BOOST_TEST(io.logged("CERROR_ABT"));
    BOOST_TEST(t.smmu->stats().cmd_errors == 0u);
    BOOST_TEST(io.reg(arch::GERROR) == io.reg(arch::GERRORN));
    const auto cmds = io.commands_since(n);
    BOOST_TEST(std::count_if(cmds.begin(), cmds.end(), [](const fake_platform::cmd& c) {
                   return c.op() == arch::TLBI_NH_VA;
               }) == 1);
}

BOOST_AUTO_TEST_CASE(illegal_command_is_reported_repaired_and_the_queue_resumes) {
    domain_rig t;
    fake_platform& io = t.io;
    // A raw unknown opcode.
    const std::size_t n = io.consumed.size();
    smmu_cmd bad;
    bad.dw0 = 0x7F;
    io.illegal = {0x7F};
    BOOST_TEST(t.smmu->issue(bad) == -EIO);
    BOOST_TEST(io.logged("opcode 0x7f"));
    BOOST_TEST(io.logged("CERROR_ILL"));
    BOOST_TEST(t.smmu->stats().cmd_errors == 1u);
    BOOST_TEST(io.reg(arch::GERROR) == io.reg(arch::GERRORN));
    BOOST_TEST(io.reg(arch::CMDQ_CONS) == io.reg(arch::CMDQ_PROD)); // ERR clear, all consumed
    const auto cmds = io.commands_since(n);
    BOOST_TEST_REQUIRE(cmds.size() == 2u); // the SYNC that replaced 0x7F, then the SYNC
    BOOST_TEST(cmds[0].op() == arch::SYNC);
    BOOST_TEST(cmds[1].op() == arch::SYNC);
    // A refused TLBI in an unmap: -EIO, named, the pages are unmapped all the same.
    BOOST_TEST(t.dom->map(0x20000, BUF_BASE, 2 * PAGE, prot_read) == 0);
    io.illegal = {arch::TLBI_NH_VA};
    BOOST_TEST(t.dom->unmap(0x20000, 2 * PAGE) == -EIO);
    BOOST_TEST(io.logged("opcode 0x12 (TLBI_NH_VA) refused"));
    BOOST_TEST(t.smmu->stats().cmd_errors == 3u); // each of the two TLBIs was refused
    BOOST_TEST((t.xl(0x20000).what == outcome::translation));
    io.illegal.clear();
    BOOST_TEST(t.smmu->sync() == 0);
    BOOST_TEST(t.dom->map(0x20000, BUF_BASE, PAGE, prot_read) == 0);
    BOOST_TEST(t.dom->unmap(0x20000, PAGE) == 0);
}

BOOST_AUTO_TEST_CASE(full_command_queue_waits_for_room) {
    smmu_config cfg;
    cfg.cmdq_log2_entries = 2; // 4 entries
    domain_rig t(cfg);
    fake_platform& io = t.io;
    BOOST_TEST(t.smmu->cmdq_log2_entries() == 2u);
    BOOST_TEST(t.dom->map(0x40000, BUF_BASE, 10 * PAGE, prot_read) == 0);
    io.slow_consumer = true;
    const std::size_t n = io.consumed.size();
    BOOST_TEST(t.dom->unmap(0x40000, 10 * PAGE) == 0);
    const auto cmds = io.commands_since(n);
    BOOST_TEST_REQUIRE(cmds.size() == 11u);
    for (unsigned k = 0; k < 10; ++k) {
        BOOST_TEST(cmds[k].op() == arch::TLBI_NH_VA);
        BOOST_TEST((cmds[k].dw1 & ~0xFFFull) == 0x40000 + k * PAGE);
    }
    BOOST_TEST(cmds[10].op() == arch::SYNC);
    BOOST_TEST(io.reg(arch::CMDQ_CONS) == io.reg(arch::CMDQ_PROD));
    // A queue that stops while full: no room comes, -ETIMEDOUT rather than a hang.
    io.slow_consumer = false;
    BOOST_TEST(t.dom->map(0x40000, BUF_BASE, 10 * PAGE, prot_read) == 0);
    io.stall = true;
    BOOST_TEST(t.dom->unmap(0x40000, 10 * PAGE) == -ETIMEDOUT);
    BOOST_TEST(io.logged("waiting for command-queue room"));
}

// ---- events and global errors ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(events_are_decoded_from_the_queue) {
    smmu_config cfg;
    cfg.evtq_log2_entries = 2; // 4 entries: the test wraps it
    rig t(cfg);
    t.up();
    fake_platform& io = t.io;
    const std::uint64_t q = t.smmu->evtq_addr();
    auto put = [&](unsigned index, std::uint8_t id, std::uint32_t sid, std::uint64_t addr,
                   bool read) {
        const std::uint64_t rec = q + index * 32;
        io.w64(rec, id | (std::uint64_t(sid) << 32));
        io.w64(rec + 8, read ? (1ull << 35) : 0);
        io.w64(rec + 16, addr);
        io.w64(rec + 24, 0);
    };
    put(0, arch::F_TRANSLATION, sid_of(1, 0x10), 0xABC000, true);
    put(1, arch::F_PERMISSION, sid_of(2, 0x11), 0x123456, false);
    put(2, arch::C_BAD_STE, sid_of(0xFF, 0xFF), 0, true);
    io.regs[arch::EVTQ_PROD] = 3;
    BOOST_TEST(io.irq_level());
    BOOST_TEST(io.service_irq() == 1u);
    BOOST_TEST(!io.irq_level());
    BOOST_TEST(io.reg(arch::EVTQ_CONS) == 3u);
    std::vector<smmu_event> ev = t.smmu->take_events();
    BOOST_TEST_REQUIRE(ev.size() == 3u);
    BOOST_TEST(std::string(ev[0].name) == "F_TRANSLATION");
    BOOST_TEST(ev[0].sid == 0x0110u);
    BOOST_TEST(ev[0].addr == 0xABC000u);
    BOOST_TEST(ev[0].read);
    BOOST_TEST(std::string(ev[1].name) == "F_PERMISSION");
    BOOST_TEST(ev[1].sid == 0x0211u);
    BOOST_TEST(ev[1].addr == 0x123456u);
    BOOST_TEST(!ev[1].read);
    BOOST_TEST(std::string(ev[2].name) == "C_BAD_STE");
    BOOST_TEST(ev[2].sid == 0xFFFFu);
    BOOST_TEST(io.logged("F_TRANSLATION"));
    BOOST_TEST(t.smmu->events().empty());
    // Wrap: entries 3, 0, 1; PROD = wrap | 2.
    put(3, 0x12, 1, 0x1000, false);
    put(0, 0x0B, 2, 0x2000, true);
    put(1, 0x77, 3, 0x3000, true); // an ID the driver does not know
    io.regs[arch::EVTQ_PROD] = 4 | 2;
    BOOST_TEST(t.smmu->drain_events() == 3u);
    BOOST_TEST(io.reg(arch::EVTQ_CONS) == (4u | 2u));
    ev = t.smmu->take_events();
    BOOST_TEST_REQUIRE(ev.size() == 3u);
    BOOST_TEST(std::string(ev[0].name) == "F_ACCESS");
    BOOST_TEST(std::string(ev[1].name) == "F_WALK_EABT");
    BOOST_TEST(ev[1].addr == 0x2000u);
    BOOST_TEST(std::string(ev[2].name) == "UNKNOWN");
    BOOST_TEST(ev[2].id == 0x77u);
    // Overflow: OVFLG toggles; the driver acknowledges it in CONS.OVACKFLG.
    put(2, arch::F_TRANSLATION, 4, 0x4000, false);
    io.regs[arch::EVTQ_PROD] = arch::EVTQ_OVFLG | 4 | 3;
    BOOST_TEST(t.smmu->drain_events() == 1u);
    BOOST_TEST(io.reg(arch::EVTQ_CONS) == (arch::EVTQ_OVFLG | 4u | 3u));
    BOOST_TEST(t.smmu->stats().evtq_overflows == 1u);
    BOOST_TEST(io.logged("overflowed"));
    BOOST_TEST(t.smmu->stats().events == 7u);
}

BOOST_AUTO_TEST_CASE(events_kept_are_bounded) {
    smmu_config cfg;
    cfg.evtq_log2_entries = 3;
    cfg.max_kept_events = 5;
    rig t(cfg);
    t.up();
    const std::uint64_t q = t.smmu->evtq_addr();
    for (unsigned i = 0; i < 8; ++i) {
        t.io.w64(q + i * 32, arch::F_TRANSLATION | (std::uint64_t(i) << 32));
        t.io.w64(q + i * 32 + 16, i * PAGE);
    }
    t.io.regs[arch::EVTQ_PROD] = 8; // wrap bit set, index 0: all 8 entries
    BOOST_TEST(t.smmu->drain_events() == 8u);
    BOOST_TEST(t.smmu->events().size() == 5u);
    BOOST_TEST(t.smmu->events().front().sid == 3u); // the oldest went first
    BOOST_TEST(t.smmu->stats().events_dropped == 3u);
}

BOOST_AUTO_TEST_CASE(global_errors_are_named_and_acknowledged) {
    rig t;
    t.up();
    fake_platform& io = t.io;
    BOOST_TEST(t.smmu->handle_gerror() == 0u);
    io.regs[arch::GERROR] = arch::GERROR_SFM | arch::GERROR_EVTQ_ABT;
    BOOST_TEST(io.irq_level());
    BOOST_TEST(io.service_irq() == 1u);
    BOOST_TEST(io.reg(arch::GERRORN) == io.reg(arch::GERROR));
    BOOST_TEST(io.logged("SFM_ERR"));
    BOOST_TEST(io.logged("EVTQ_ABT_ERR"));
    BOOST_TEST(t.smmu->stats().gerrors == 2u);
    io.regs[arch::GERROR] ^= arch::GERROR_SFM;
    BOOST_TEST(t.smmu->handle_gerror() == arch::GERROR_SFM);
    BOOST_TEST(io.reg(arch::GERRORN) == io.reg(arch::GERROR));
}

// ---- IOVA space ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(iova_space_error_codes) {
    domain_rig t;
    iova_space s(*t.dom);
    iova_range r;
    BOOST_TEST(s.reserve(PAGE, 0, r) == -ENOSPC); // no window yet
    BOOST_TEST(s.init(0x800, GiB) == -EINVAL);
    BOOST_TEST(s.init(PAGE, 0) == -EINVAL);
    BOOST_TEST(s.init(1ull << 48, GiB) == -ERANGE);
    BOOST_TEST(s.init((1ull << 48) - GiB, 2 * GiB) == -ERANGE);
    const std::uint64_t base = GiB, size = 64 * MiB;
    BOOST_TEST(s.init(base, size) == 0);

    // reserve
    BOOST_TEST(s.reserve(0, 0, r) == -EINVAL);
    BOOST_TEST(s.reserve(PAGE + 1, 0, r) == -EINVAL);
    BOOST_TEST(s.reserve(PAGE, 3 * PAGE, r) == -EINVAL); // not a power of two
    BOOST_TEST(s.reserve(size + PAGE, 0, r) == -ENOSPC);
    iova_range a, b, c;
    BOOST_TEST(s.reserve(3 * PAGE, 0, a) == 0);
    BOOST_TEST(a.base == base);
    BOOST_TEST(a.size == 3 * PAGE);
    BOOST_TEST(s.reserve(BLOCK, BLOCK, b) == 0);
    BOOST_TEST(b.base == base + BLOCK);      // aligned past a
    BOOST_TEST(s.reserve(PAGE, 16, c) == 0); // tiny alignment = 4 KiB, first fit in the gap
    BOOST_TEST(c.base == base + 3 * PAGE);
    // reserve_at
    iova_range f;
    BOOST_TEST(s.reserve_at(base + PAGE, PAGE, f) == -EBUSY);             // inside a
    BOOST_TEST(s.reserve_at(base + BLOCK - PAGE, 2 * PAGE, f) == -EBUSY); // into b
    BOOST_TEST(s.reserve_at(base - PAGE, PAGE, f) == -ERANGE);
    BOOST_TEST(s.reserve_at(base + size - PAGE, 2 * PAGE, f) == -ERANGE);
    BOOST_TEST(s.reserve_at(base + 0x10800, PAGE, f) == -EINVAL);
    BOOST_TEST(s.reserve_at(base + 8 * MiB, MiB, f) == 0);
    BOOST_TEST(f.base == base + 8 * MiB);
    BOOST_TEST(s.ranges() == 4u);
    BOOST_TEST(s.init(0, GiB) == -EBUSY); // ranges exist

    // map
    const std::uint64_t phys = BUF_BASE;
    const iova_range unknown{a.base, a.size + PAGE};
    BOOST_TEST(s.map(unknown, 0, phys, PAGE, prot_read) == -ENOENT);
    BOOST_TEST(s.map(iova_range{base + 40 * MiB, PAGE}, 0, phys, PAGE, prot_read) == -ENOENT);
    BOOST_TEST(s.map(a, 0x100, phys, PAGE, prot_read) == -EINVAL);
    BOOST_TEST(s.map(a, 0, phys + 0x100, PAGE, prot_read) == -EINVAL);
    BOOST_TEST(s.map(a, 0, phys, 0x100, prot_read) == -EINVAL);
    BOOST_TEST(s.map(a, 0, phys, 0, prot_read) == -EINVAL);
    BOOST_TEST(s.map(a, 0, phys, PAGE, 0) == -EINVAL);
    BOOST_TEST(s.map(a, 2 * PAGE, phys, 2 * PAGE, prot_read) == -ERANGE);
    BOOST_TEST(s.map(a, 3 * PAGE, phys, PAGE, prot_read) == -ERANGE);
    BOOST_TEST(s.map(a, ~0ull - PAGE + 1, phys, PAGE, prot_read) == -ERANGE); // wraps
    BOOST_TEST(s.map(a, PAGE, phys, PAGE, prot_read) == 0);
    BOOST_TEST(s.map(a, 0, phys + PAGE, 2 * PAGE, prot_read) == -EEXIST);
    const std::vector<std::uint64_t> two = {phys + 8 * PAGE, phys + 9 * PAGE};
    BOOST_TEST(s.map_pages(a, 0, two, prot_read) == -EEXIST);
    std::uint64_t p = 0;
    BOOST_TEST(s.lookup(a.base, p) == -ENODATA); // the refused maps changed nothing
    BOOST_TEST(s.lookup(a.base + PAGE + 5, p) == 0);
    BOOST_TEST(p == phys + 5);
    BOOST_TEST((t.xl(a.base).what == outcome::translation));
    const std::vector<std::uint64_t> none, odd = {phys + 1}, four = {phys, phys, phys, phys};
    const std::vector<std::uint64_t> one = {phys};
    BOOST_TEST(s.map_pages(a, 0, none, prot_read) == -EINVAL);
    BOOST_TEST(s.map_pages(a, 0, odd, prot_read) == -EINVAL);
    BOOST_TEST(s.map_pages(a, 0, four, prot_read) == -ERANGE);
    BOOST_TEST(s.map_pages(unknown, 0, one, prot_read) == -ENOENT);
    // unmap
    BOOST_TEST(s.unmap(a, 0, PAGE) == -ENODATA);
    BOOST_TEST(s.unmap(a, 0, 2 * PAGE) == -ENODATA); // partly mapped: nothing changes
    BOOST_TEST(s.lookup(a.base + PAGE, p) == 0);
    BOOST_TEST(t.xl(a.base + PAGE).phys == phys);
    BOOST_TEST(s.unmap(a, 2 * PAGE, 2 * PAGE) == -ERANGE);
    BOOST_TEST(s.unmap(a, PAGE, 0) == -EINVAL);
    BOOST_TEST(s.unmap(unknown, PAGE, PAGE) == -ENOENT);
    BOOST_TEST(s.mapped_bytes(a) == PAGE);
    // free
    BOOST_TEST(s.free(unknown) == -ENOENT);
    BOOST_TEST(s.free(a) == 0);
    BOOST_TEST(s.free(a) == -ENOENT);
    BOOST_TEST((t.xl(a.base + PAGE).what == outcome::translation)); // free unmapped it
    BOOST_TEST(s.lookup(a.base + PAGE, p) == -ENODATA);
    // no space: fill the window
    iova_range rest;
    while (s.reserve(MiB, 0, rest) == 0) {
    }
    BOOST_TEST(s.reserve(MiB, 0, rest) == -ENOSPC);
    BOOST_TEST(s.reserve(PAGE, 0, rest) == 0); // the 3-page hole a left behind
    BOOST_TEST(rest.base == base);
}

BOOST_AUTO_TEST_CASE(iova_range_with_scattered_pages_and_the_interrupt_window) {
    domain_rig t;
    iova_space s(*t.dom);
    BOOST_TEST(s.init(PAGE, 4 * GiB - PAGE) == 0);
    iova_range r;
    BOOST_TEST(s.reserve(64 * KiB, 64 * KiB, r) == 0);
    BOOST_TEST(r.base == 64 * KiB);
    // Scattered DRAM pages (two of them contiguous) at offsets 0..4 pages.
    const std::vector<std::uint64_t> pages = {BUF_BASE + 77 * PAGE, BUF_BASE + 3 * PAGE,
                                              BUF_BASE + 4 * PAGE, BUF_BASE + 1000 * PAGE};
    BOOST_TEST(s.map_pages(r, 0, pages, prot_read | prot_write) == 0);
    // The interrupt-generation window in the last page of the range.
    const std::uint64_t win_off = 64 * KiB - PAGE;
    BOOST_TEST(s.map(r, win_off, IRQ_WINDOW_BASE, PAGE, prot_write | prot_mmio) == 0);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const walk_result w = t.xl(r.base + i * PAGE + 8, true);
        BOOST_TEST((w.what == outcome::ok));
        BOOST_TEST(w.phys == pages[i] + 8);
        std::uint64_t p = 0;
        BOOST_TEST(s.lookup(r.base + i * PAGE + 8, p) == 0);
        BOOST_TEST(p == pages[i] + 8);
    }
    const walk_result w = t.xl(r.base + win_off + 0x40, true);
    BOOST_TEST((w.what == outcome::ok));
    BOOST_TEST(w.phys == IRQ_WINDOW_BASE + 0x40);
    BOOST_TEST(w.device);
    BOOST_TEST((t.xl(r.base + 5 * PAGE).what == outcome::translation)); // hole in the range
    // Unmap a middle page of the scattered run, remap it elsewhere.
    BOOST_TEST(s.unmap(r, PAGE, PAGE) == 0);
    BOOST_TEST((t.xl(r.base + PAGE).what == outcome::translation));
    BOOST_TEST(t.xl(r.base + 2 * PAGE).phys == BUF_BASE + 4 * PAGE);
    BOOST_TEST(s.map(r, PAGE, BUF_BASE + 500 * PAGE, PAGE, prot_read) == 0);
    BOOST_TEST(t.xl(r.base + PAGE).phys == BUF_BASE + 500 * PAGE);
    BOOST_TEST(s.mapped_bytes(r) == 5 * PAGE);
    BOOST_TEST(s.free(r) == 0);
    for (std::uint64_t off = 0; off < 64 * KiB; off += PAGE)
        BOOST_TEST((t.xl(r.base + off).what == outcome::translation));
}

// Random map / map_pages / unmap sequences on one range, checked after every step against a
// shadow kept here and against the independent walker.
BOOST_AUTO_TEST_CASE(random_sequences_match_walker_and_shadow) {
    domain_rig t;
    smmu_domain& d = *t.dom;
    iova_space s(d);
    const std::uint64_t space_base = 8 * GiB;
    BOOST_TEST_REQUIRE(s.init(space_base, 64 * GiB) == 0);
    iova_range r;
    const std::uint64_t range_pages = 32 * MiB / PAGE;
    BOOST_TEST_REQUIRE(s.reserve(32 * MiB, BLOCK, r) == 0);
    std::map<std::uint64_t, std::uint64_t> shadow; // page index -> phys
    xorshift64star rng(0x5EED1234);
    auto rnd = [&](std::uint64_t n) { return rng.next() % n; };
    auto any_in = [&](std::uint64_t first, std::uint64_t count) {
        const auto it = shadow.lower_bound(first);
        return it != shadow.end() && it->first < first + count;
    };
    auto all_in = [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t k = first; k < first + count; ++k)
            if (!shadow.count(k)) return false;
        return true;
    };
    auto check_page = [&](std::uint64_t k) {
        const std::uint64_t iova = r.base + k * PAGE;
        const walk_result w = t.xl(iova + 0x18, true);
        std::uint64_t p1 = 0, p2 = 0;
        const int l1 = s.lookup(iova, p1), l2 = d.lookup(iova, p2);
        const auto it = shadow.find(k);
        if (it == shadow.end()) {
            BOOST_TEST((w.what == outcome::translation));
            BOOST_TEST(l1 == -ENODATA);
            BOOST_TEST(l2 == -ENODATA);
        } else {
            BOOST_TEST((w.what == outcome::ok));
            BOOST_TEST(w.phys == it->second + 0x18);
            BOOST_TEST(l1 == 0);
            BOOST_TEST(p1 == it->second);
            BOOST_TEST(l2 == 0);
            BOOST_TEST(p2 == it->second);
        }
    };
    std::uint64_t maps = 0, unmaps = 0, refused = 0, blocks_seen = 0;
    const unsigned steps = 600;
    for (unsigned step = 0; step < steps; ++step) {
        const unsigned op = static_cast<unsigned>(rnd(10));
        std::uint64_t first = 0, count = 0;
        const std::size_t cmds_before = t.io.consumed.size();
        bool was_unmap = false;
        int ret = 0, expect = 0;
        if (op < 3) { // block-friendly run
            first = rnd(range_pages / 512) * 512;
            count = (1 + rnd(3)) * 512 + (rnd(2) ? rnd(512) : 0);
            count = std::min(count, range_pages - first);
            const std::uint64_t phys = BUF_BASE + rnd(256) * BLOCK;
            expect = any_in(first, count) ? -EEXIST : 0;
            ret = s.map(r, first * PAGE, phys, count * PAGE, prot_read | prot_write);
            if (!ret)
                for (std::uint64_t k = 0; k < count; ++k)
                    shadow[first + k] = phys + k * PAGE;
        } else if (op < 5) { // small run anywhere
            first = rnd(range_pages);
            count = std::min<std::uint64_t>(1 + rnd(40), range_pages - first);
            const std::uint64_t phys = BUF_BASE + rnd(1u << 18) * PAGE;
            expect = any_in(first, count) ? -EEXIST : 0;
            ret = s.map(r, first * PAGE, phys, count * PAGE, prot_read | prot_write);
            if (!ret)
                for (std::uint64_t k = 0; k < count; ++k)
                    shadow[first + k] = phys + k * PAGE;
        } else if (op < 6) { // scattered pages
            first = rnd(range_pages);
            count = std::min<std::uint64_t>(1 + rnd(16), range_pages - first);
            std::vector<std::uint64_t> pages;
            for (std::uint64_t k = 0; k < count; ++k)
                pages.push_back(k && rnd(2) ? pages.back() + PAGE
                                            : BUF_BASE + rnd(1u << 18) * PAGE);
            expect = any_in(first, count) ? -EEXIST : 0;
            ret = s.map_pages(r, first * PAGE, pages, prot_read | prot_write);
            if (!ret)
                for (std::uint64_t k = 0; k < count; ++k)
                    shadow[first + k] = pages[k];
        } else if (!shadow.empty()) { // unmap part of what is mapped (or a bit more)
            was_unmap = true;
            auto it = shadow.begin();
            std::advance(it, static_cast<std::ptrdiff_t>(rnd(shadow.size())));
            first = it->first;
            count = 1;
            const std::uint64_t want = 1 + (rnd(4) ? rnd(64) : rnd(1200));
            while (count < want && first + count < range_pages &&
                   (shadow.count(first + count) || rnd(8) == 0))
                ++count;
            expect = all_in(first, count) ? 0 : -ENODATA;
            ret = s.unmap(r, first * PAGE, count * PAGE);
            if (!ret)
                for (std::uint64_t k = 0; k < count; ++k)
                    shadow.erase(first + k);
        } else {
            continue;
        }
        BOOST_TEST_CONTEXT("step " << step << " op " << op << " pages " << first << "+" << count) {
            BOOST_TEST(ret == expect);
            // Every page the operation touched, one page either side, and a random sample.
            for (std::uint64_t k = first ? first - 1 : 0;
                 k < std::min(range_pages, first + count + 1); ++k)
                check_page(k);
            for (unsigned i = 0; i < 16; ++i)
                check_page(rnd(range_pages));
            // Unmaps: per-page TLBI_NH_VA with the domain's ASID (or one TLBI_NH_ASID above the
            // threshold), then CMD_SYNC; refused calls issue nothing.
            const auto cmds = t.io.commands_since(cmds_before);
            if (was_unmap && !ret) {
                if (count > smmu_domain::tlbi_asid_threshold) {
                    BOOST_TEST_REQUIRE(cmds.size() == 2u);
                    BOOST_TEST(cmds[0].op() == arch::TLBI_NH_ASID);
                    BOOST_TEST((cmds[0].dw0 >> 48) == d.asid());
                } else {
                    BOOST_TEST_REQUIRE(cmds.size() == count + 1);
                    for (std::uint64_t k = 0; k < count; ++k) {
                        BOOST_TEST(cmds[k].op() == arch::TLBI_NH_VA);
                        BOOST_TEST((cmds[k].dw0 >> 48) == d.asid());
                        BOOST_TEST((cmds[k].dw1 & ~0xFFFull) == r.base + (first + k) * PAGE);
                    }
                }
                BOOST_TEST(cmds.back().op() == arch::SYNC);
            } else {
                BOOST_TEST(cmds.empty());
            }
        }
        if (ret)
            ++refused;
        else if (was_unmap)
            ++unmaps;
        else
            ++maps;
        if (step % 50 == 49) {
            for (std::uint64_t k = 0; k < range_pages; ++k)
                check_page(k);
            for (std::uint64_t k = 0; k < range_pages; k += 512)
                if (t.xl(r.base + k * PAGE).what == outcome::ok &&
                    t.xl(r.base + k * PAGE).level == 2)
                    ++blocks_seen;
        }
    }
    std::uint64_t mapped = 0;
    for (std::uint64_t k = 0; k < range_pages; ++k)
        mapped += shadow.count(k);
    BOOST_TEST(s.mapped_bytes(r) == mapped * PAGE);
    // The sequence exercised what it is meant to.
    BOOST_TEST(maps > 50u);
    BOOST_TEST(unmaps > 50u);
    BOOST_TEST(refused > 10u);
    BOOST_TEST(blocks_seen > 0u);
    BOOST_TEST(d.splits() > 0u);
    // free unmaps the rest.
    BOOST_TEST(s.free(r) == 0);
    for (std::uint64_t k = 0; k < range_pages; k += 7)
        BOOST_TEST((t.xl(r.base + k * PAGE).what == outcome::translation));
}

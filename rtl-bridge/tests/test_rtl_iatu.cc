// Lockstep tests of the RTL iATU (rtl/dw_iatu.sv through rtl_iatu: APB and AXI bridges, checkers
// on every bus) against the TLM model's iATU (model/dwc/iatu.h), in the default geometry (8/8
// windows, 4 KiB alignment, misses pass through) and a small one (4 outbound / 2 inbound, 64 KiB
// alignment, misses answered DECERR): 100 000 random steps each of register writes (every CTRL1
// type, BAR and function match (function numbers 0..31: CTRL1.FUNC_NUM [24:20]), inbound TLP
// type match (a region claims only requests of its CTRL1.TYPE), INCREASE_REGION_SIZE, limits,
// overlaps, disabled windows, regions beyond the count, reserved offsets) with read-back, register
// reads, and outbound and inbound translations aimed at region boundaries. Every result is compared
// field by field, with the TLM status. Then random AXI bursts run through an outbound window into a
// memory behind the AXI->TLM bridge and are checked against a reference.
#define BOOST_TEST_MODULE rtl_iatu
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "rtl-bridge/rtl_iatu.h"

#include "model/dwc/iatu.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

using namespace epvp;
using namespace epvp::rtl;

namespace {

// Register offsets and bits (reference sections 1.2-1.4), spelled out here.
constexpr std::uint32_t CTRL1 = 0x00, CTRL2 = 0x04, LOWER_BASE = 0x08, UPPER_BASE = 0x0C,
                        LIMIT = 0x10, LOWER_TARGET = 0x14, UPPER_TARGET = 0x18, UPPER_LIMIT = 0x20;
constexpr std::uint32_t REGS[] = {CTRL1, CTRL2,        LOWER_BASE,   UPPER_BASE,
                                  LIMIT, LOWER_TARGET, UPPER_TARGET, UPPER_LIMIT};
constexpr std::uint32_t REGION_STRIDE = 0x200, INBOUND = 0x100;
constexpr std::uint32_t TYPES[] = {0x0, 0x2, 0x4, 0x5, 0x10};
constexpr std::uint32_t INCREASE_REGION_SIZE = 1u << 13;
constexpr unsigned FUNC_SHIFT = 20;
constexpr std::uint32_t ENABLE = 1u << 31, BAR_MODE = 1u << 30, FUNC_MATCH = 1u << 19;
constexpr unsigned BAR_SHIFT = 8;
constexpr std::uint32_t ATU_SPACE_BYTES = 0x80000;

// A memory behind the iATU's manager ports: 128 KiB at 0, GENERIC_ERROR in [0x18000, 0x18800),
// ADDRESS_ERROR above; records the AxUSER of the last transaction.
struct memory_target : sc_core::sc_module {
    static constexpr std::uint64_t bytes = 0x20000, err_base = 0x18000, err_bytes = 0x800;
    tlm_utils::simple_target_socket<memory_target> socket;
    std::vector<unsigned char> mem = std::vector<unsigned char>(bytes, 0);
    std::uint64_t transactions = 0;
    explicit memory_target(sc_core::sc_module_name n)
        : sc_module(n)
        , socket("socket") {
        socket.register_b_transport(this, &memory_target::b_transport);
    }
    // Status of a one-byte access at a.
    static tlm::tlm_response_status status_at(std::uint64_t a) {
        if (a >= bytes) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
        if (a >= err_base && a < err_base + err_bytes) return tlm::TLM_GENERIC_ERROR_RESPONSE;
        return tlm::TLM_OK_RESPONSE;
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        ++transactions;
        delay += sc_core::sc_time(2, sc_core::SC_NS);
        const std::uint64_t a = gp.get_address();
        const unsigned len = gp.get_data_length();
        if (a >= bytes || len > bytes - a)
            return gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        if (a < err_base + err_bytes && a + len > err_base)
            return gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        const unsigned char* be = gp.get_byte_enable_ptr();
        for (unsigned i = 0; i < len; ++i) {
            if (gp.is_read())
                gp.get_data_ptr()[i] = mem[a + i];
            else if (!be || be[i % gp.get_byte_enable_length()] == TLM_BYTE_ENABLED)
                mem[a + i] = gp.get_data_ptr()[i];
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct bench {
    rtl_iatu rtl;
    memory_target ob_mem, ib_mem;
    dwc::iatu model;
    bench(const char* name, const iatu_geometry& g)
        : rtl(name, rtl_iatu_params{g})
        , ob_mem((std::string(name) + "_ob_mem").c_str())
        , ib_mem((std::string(name) + "_ib_mem").c_str())
        , model(dwc::iatu_params{g.outbound_windows, g.inbound_windows, g.region_align,
                                 g.region_limit, true, true}) {
        rtl.ob_out.socket.bind(ob_mem.socket);
        rtl.ib_out.socket.bind(ib_mem.socket);
    }
};

bench* b_default = nullptr;
bench* b_small = nullptr;

struct fixture {
    fixture() {
        const auto g = iatu_geometries();
        b_default = new bench("iatu_default", g.at(0));
        b_small = new bench("iatu_small", g.at(1));
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

// Run f in a thread until it returns.
void run(std::function<void()> f) {
    bool done = false;
    sc_core::sc_spawn([&] {
        f();
        done = true;
    });
    sc_core::sc_start();
    BOOST_REQUIRE(done);
}

struct coverage {
    std::map<std::string, std::uint64_t> n;
    void hit(const std::string& k) { ++n[k]; }
    std::string str() const {
        std::ostringstream os;
        for (const auto& [k, v] : n)
            os << " " << k << "=" << v;
        return os.str();
    }
};

// Addresses from a small pool so that windows, limits and translations meet.
struct address_pool {
    std::mt19937_64& rng;
    std::uint64_t align;
    std::uint64_t base() {
        static constexpr std::uint64_t highs[] = {0x0, 0x1, 0xFF, 0x80};
        const std::uint64_t hi = highs[rng() % 4];
        return (hi << 32) | ((rng() % 64) * align * (rng() % 2 ? 1 : 16));
    }
    std::uint64_t size() { return align << (rng() % 8); }
};

void lockstep(bench& b, unsigned steps, std::uint32_t seed) {
    const iatu_geometry& g = b.rtl.geometry();
    dwc::iatu& m = b.model;
    std::mt19937_64 rng(seed);
    address_pool pool{rng, g.region_align};
    coverage cov;
    std::uint64_t mismatches = 0, translations = 0;
    double rtl_seconds = 0;
    struct request {
        bool inbound;
        std::uint64_t addr;
        int bar;
        unsigned size_log2, function;
        unsigned tlp_type = 0;
    };
    std::vector<request> replay;
    auto mismatch = [&](const std::string& what) {
        if (++mismatches <= 10) BOOST_ERROR(g.describe() << ": " << what);
    };
    auto reg_offset = [&](bool inbound, unsigned index, std::uint32_t reg) {
        return index * REGION_STRIDE + (inbound ? INBOUND : 0) + reg;
    };
    auto write = [&](bool inbound, unsigned index, std::uint32_t reg, std::uint32_t v) {
        const std::uint32_t off = reg_offset(inbound, index, reg);
        BOOST_CHECK_EQUAL(b.rtl.write_reg(off, v), tlm::TLM_OK_RESPONSE);
        m.write_unrolled(off, v);
        tlm::tlm_response_status st;
        const std::uint32_t got = b.rtl.read_reg(off, &st);
        if (st != tlm::TLM_OK_RESPONSE || got != m.read_unrolled(off)) {
            std::ostringstream os;
            os << "read-back of 0x" << std::hex << off << " after writing 0x" << v << ": RTL 0x"
               << got << ", model 0x" << m.read_unrolled(off);
            mismatch(os.str());
        }
    };
    // One complete window at once (as firmware programs it), or single registers.
    auto program_window = [&](bool inbound, unsigned index) {
        const std::uint64_t base = pool.base();
        const std::uint64_t size = pool.size();
        const std::uint64_t limit = base + size - 1;
        const std::uint64_t target = pool.base();
        std::uint32_t ctrl1 = TYPES[rng() % 5];
        if (rng() % 3 == 0) ctrl1 |= INCREASE_REGION_SIZE;
        const unsigned fn = rng() % 32;
        ctrl1 |= fn << FUNC_SHIFT;
        std::uint32_t ctrl2 = rng() % 5 ? ENABLE : 0;
        if (inbound && rng() % 2) ctrl2 |= BAR_MODE | ((rng() % 8) << BAR_SHIFT);
        if (inbound && rng() % 3 == 0) ctrl2 |= FUNC_MATCH;
        cov.hit(std::string("ctrl1_type_") + std::to_string(ctrl1 & 0x1F));
        if (!(ctrl2 & ENABLE)) cov.hit("window_disabled");
        if (ctrl2 & BAR_MODE) cov.hit("window_bar_match");
        if (ctrl2 & FUNC_MATCH) cov.hit("window_func_match");
        if (ctrl1 & INCREASE_REGION_SIZE) cov.hit("window_increase_region_size");
        write(inbound, index, LOWER_BASE, static_cast<std::uint32_t>(base));
        write(inbound, index, UPPER_BASE, static_cast<std::uint32_t>(base >> 32));
        write(inbound, index, LIMIT, static_cast<std::uint32_t>(limit));
        write(inbound, index, UPPER_LIMIT, static_cast<std::uint32_t>(limit >> 32));
        write(inbound, index, LOWER_TARGET, static_cast<std::uint32_t>(target));
        write(inbound, index, UPPER_TARGET, static_cast<std::uint32_t>(target >> 32));
        write(inbound, index, CTRL1, ctrl1);
        write(inbound, index, CTRL2, ctrl2);
    };
    // An address near an enabled window's edges, or anywhere.
    auto pick_address = [&](bool inbound) -> std::uint64_t {
        const unsigned count = m.count(inbound ? dwc::iatu_dir::inbound : dwc::iatu_dir::outbound);
        const dwc::iatu_region* r =
            m.region(inbound ? dwc::iatu_dir::inbound : dwc::iatu_dir::outbound, rng() % count);
        switch (rng() % 6) {
        case 0:
            cov.hit("addr_at_base");
            return r->base();
        case 1:
            cov.hit("addr_at_limit");
            return r->limit(m.params().region_limit);
        case 2:
            cov.hit("addr_past_limit");
            return r->limit(m.params().region_limit) + 1;
        case 3:
            cov.hit("addr_below_base");
            return r->base() - 1;
        case 4:
            return r->base() + rng() % (g.region_align * 4);
        default:
            return pool.base() + rng() % g.region_align;
        }
    };
    auto compare = [&](const request& q, const dwc::iatu_hit& want, const rtl_translation& got) {
        std::ostringstream os;
        os << (q.inbound ? "inbound" : "outbound") << " 0x" << std::hex << q.addr << std::dec
           << " bar " << q.bar << " fn " << q.function << " type " << q.tlp_type << ": ";
        if (want.hit) {
            // A forwarded request is answered by the memory behind the iATU.
            if (!got.forwarded || got.status != memory_target::status_at(want.address) ||
                !got.hit.hit || got.hit.index != want.index || got.hit.address != want.address ||
                got.hit.type != want.type) {
                os << "model hit region " << want.index << " -> 0x" << std::hex << want.address
                   << " type " << want.type << "; RTL forwarded " << got.forwarded << " hit "
                   << got.hit.hit << " region " << std::dec << got.hit.index << " -> 0x" << std::hex
                   << got.hit.address << " status " << got.status;
                mismatch(os.str());
            }
        } else if (g.miss_decerr) {
            if (got.forwarded || got.status != tlm::TLM_ADDRESS_ERROR_RESPONSE) {
                os << "model miss; RTL forwarded " << got.forwarded << " status " << got.status;
                mismatch(os.str());
            }
        } else if (!got.forwarded || got.hit.hit || got.hit.address != q.addr ||
                   got.status != memory_target::status_at(q.addr)) {
            os << "model miss (pass-through); RTL forwarded " << got.forwarded << " hit "
               << got.hit.hit << " -> 0x" << std::hex << got.hit.address << " status "
               << got.status;
            mismatch(os.str());
        }
    };
    for (unsigned step = 0; step < steps; ++step) {
        const unsigned kind = rng() % 100;
        const bool inbound = rng() % 2;
        const unsigned count = inbound ? g.inbound_windows : g.outbound_windows;
        if (kind < 6) {
            program_window(inbound, rng() % count);
        } else if (kind < 22) {
            // A single register, sometimes of a region beyond the count or a reserved offset.
            const unsigned index = rng() % 8 == 0 ? count + rng() % 4 : rng() % count;
            if (index >= count) cov.hit("write_beyond_count");
            std::uint32_t reg = REGS[rng() % 8];
            if (rng() % 16 == 0) {
                reg = 0x1C + 4 * (rng() % 24); // reserved offsets 0x1C, 0x24..0x78
                if (reg == UPPER_LIMIT) reg = 0x24;
                cov.hit("write_reserved_offset");
            }
            std::uint32_t v = static_cast<std::uint32_t>(rng());
            if (reg == CTRL2 && rng() % 2) v = (v & ~BAR_MODE) | ENABLE;
            if (reg == CTRL1) {
                v = (v & ~0x1Fu) | TYPES[rng() % 5];
                cov.hit(std::string("ctrl1_type_") + std::to_string(v & 0x1F));
            }
            write(inbound, index, reg, v);
        } else if (kind < 30) {
            const std::uint32_t off = static_cast<std::uint32_t>(rng() % ATU_SPACE_BYTES) & ~3u;
            tlm::tlm_response_status st;
            const std::uint32_t got = b.rtl.read_reg(off, &st);
            if (st != tlm::TLM_OK_RESPONSE || got != m.read_unrolled(off)) {
                std::ostringstream os;
                os << "read 0x" << std::hex << off << ": RTL 0x" << got << ", model 0x"
                   << m.read_unrolled(off);
                mismatch(os.str());
            }
            cov.hit("register_read");
        } else {
            request q{inbound, pick_address(inbound), -1, 0, 0, 0};
            dwc::iatu_hit want;
            const auto t0 = std::chrono::steady_clock::now();
            rtl_translation got;
            if (inbound) {
                q.bar = static_cast<int>(rng() % 9) - 1;
                q.size_log2 = 12 + rng() % 20;
                // Mostly low function numbers (the regions' matches), sometimes up to 31.
                q.function = rng() % 4 ? rng() % 8 : rng() % 32;
                // Mostly memory requests, else any CTRL1 type.
                q.tlp_type = rng() % 2 ? TYPES[0] : TYPES[rng() % 5];
                got = b.rtl.translate_inbound(q.addr, q.bar, q.size_log2, q.function, q.tlp_type);
                rtl_seconds +=
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                want = m.translate_inbound(q.addr, q.bar,
                                           q.addr & ((std::uint64_t(1) << q.size_log2) - 1),
                                           q.function, q.tlp_type);
                if (want.hit) {
                    const auto* r = m.region(dwc::iatu_dir::inbound, want.index);
                    cov.hit(r->ctrl2 & BAR_MODE ? "hit_ib_bar_match" : "hit_ib_address_match");
                    if (r->ctrl2 & FUNC_MATCH) cov.hit("hit_ib_func_match");
                    if ((r->ctrl2 & FUNC_MATCH) && q.function >= 8) cov.hit("hit_ib_func_above_7");
                    if (q.tlp_type != TYPES[0]) cov.hit("hit_ib_non_mem_type");
                } else if (q.tlp_type != TYPES[0] &&
                           m.translate_inbound(q.addr, q.bar,
                                               q.addr & ((std::uint64_t(1) << q.size_log2) - 1),
                                               q.function, TYPES[0])
                               .hit) {
                    cov.hit("miss_ib_type_mismatch");
                }
            } else {
                got = b.rtl.translate_outbound(q.addr);
                rtl_seconds +=
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                want = m.translate_outbound(q.addr);
                if (want.hit) cov.hit("hit_ob");
            }
            if (!want.hit) cov.hit(inbound ? "miss_ib" : "miss_ob");
            if (want.hit) {
                // Overlap: a higher-numbered enabled window claims the address too.
                const auto d = inbound ? dwc::iatu_dir::inbound : dwc::iatu_dir::outbound;
                for (unsigned i = want.index + 1; i < count; ++i) {
                    const auto* r = m.region(d, i);
                    if (r->enabled() && !(r->ctrl2 & BAR_MODE) && q.addr >= r->base() &&
                        q.addr <= r->limit(m.params().region_limit)) {
                        cov.hit("hit_overlap_lowest_index_wins");
                        break;
                    }
                }
                cov.hit(std::string("hit_type_") + std::to_string(want.type));
            }
            compare(q, want, got);
            replay.push_back(q);
            ++translations;
        }
    }
    // The model's rate: the same translation requests replayed on its final register state.
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t sink = 0;
    for (const request& q : replay) {
        const dwc::iatu_hit h =
            q.inbound ? m.translate_inbound(q.addr, q.bar,
                                            q.addr & ((std::uint64_t(1) << q.size_log2) - 1),
                                            q.function, q.tlp_type)
                      : m.translate_outbound(q.addr);
        sink += h.address;
    }
    const double model_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("lockstep " << g.describe() << ": " << steps << " steps, " << translations
                                   << " translations, " << mismatches << " mismatches");
    BOOST_TEST_MESSAGE("  coverage:" << cov.str());
    BOOST_TEST_MESSAGE("  translations per wall second: RTL "
                       << static_cast<std::uint64_t>(translations / rtl_seconds) << ", model "
                       << static_cast<std::uint64_t>(replay.size() / (model_seconds + 1e-9))
                       << " (checksum " << (sink & 0xFF) << "), RTL cycles "
                       << b.rtl.island.cycles());
    BOOST_CHECK_EQUAL(mismatches, 0u);
    // Every kind of step happened.
    for (const char* k : {"ctrl1_type_0",
                          "ctrl1_type_2",
                          "ctrl1_type_4",
                          "ctrl1_type_5",
                          "ctrl1_type_16",
                          "window_disabled",
                          "window_bar_match",
                          "window_func_match",
                          "window_increase_region_size",
                          "hit_ob",
                          "hit_ib_bar_match",
                          "hit_ib_address_match",
                          "hit_ib_func_match",
                          "hit_ib_func_above_7",
                          "hit_ib_non_mem_type",
                          "miss_ib_type_mismatch",
                          "miss_ob",
                          "miss_ib",
                          "addr_at_base",
                          "addr_at_limit",
                          "addr_past_limit",
                          "hit_overlap_lowest_index_wins",
                          "write_beyond_count",
                          "write_reserved_offset"})
        BOOST_CHECK_MESSAGE(cov.n[k] > 0, g.describe() << ": coverage point " << k << " never hit");
    for (auto* c : {&b.rtl.ob_s_check, &b.rtl.ob_m_check, &b.rtl.ib_s_check, &b.rtl.ib_m_check})
        BOOST_CHECK(c->violations().empty());
    BOOST_CHECK(b.rtl.apb_check.violations().empty());
}

} // namespace

int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(reset_values_and_detection_probe) {
    for (bench* b : {b_default, b_small})
        run([&] {
            const auto& g = b->rtl.geometry();
            // LIMIT reads the alignment ones; the probe pattern sticks only in existing regions.
            BOOST_CHECK_EQUAL(b->rtl.read_reg(LIMIT), g.region_align - 1);
            for (unsigned i = 0; i <= g.outbound_windows; ++i) {
                BOOST_CHECK_EQUAL(b->rtl.write_reg(i * REGION_STRIDE + LOWER_TARGET, 0x11110000),
                                  tlm::TLM_OK_RESPONSE);
                BOOST_CHECK_EQUAL(b->rtl.read_reg(i * REGION_STRIDE + LOWER_TARGET),
                                  i < g.outbound_windows ? 0x11110000u & ~(g.region_align - 1)
                                                         : 0u);
                b->model.write_unrolled(i * REGION_STRIDE + LOWER_TARGET, 0x11110000);
            }
            // UPPER_LIMIT keeps the bits below the region limit (2^40: 8 bits).
            BOOST_CHECK_EQUAL(b->rtl.write_reg(UPPER_LIMIT, 0xFFFFFFFF), tlm::TLM_OK_RESPONSE);
            BOOST_CHECK_EQUAL(b->rtl.read_reg(UPPER_LIMIT), 0xFFu);
            b->model.write_unrolled(UPPER_LIMIT, 0xFFFFFFFF);
            // Sub-word register writes are refused with PSLVERR (-> generic error); reads work.
            std::uint16_t half = 0x1234;
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(CTRL1);
            gp.set_data_ptr(reinterpret_cast<unsigned char*>(&half));
            gp.set_data_length(2);
            gp.set_streaming_width(2);
            sc_core::sc_time d = sc_core::SC_ZERO_TIME;
            b->rtl.regs_init->b_transport(gp, d);
            BOOST_CHECK_EQUAL(gp.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
            gp.set_command(tlm::TLM_READ_COMMAND);
            gp.set_address(LIMIT + 2);
            b->rtl.regs_init->b_transport(gp, d);
            BOOST_CHECK_EQUAL(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
            BOOST_CHECK_EQUAL(half, (g.region_align - 1) >> 16);
            // Beyond the APB address space: address error before the pins.
            std::uint32_t w = 0;
            gp.set_address(ATU_SPACE_BYTES);
            gp.set_data_ptr(reinterpret_cast<unsigned char*>(&w));
            gp.set_data_length(4);
            gp.set_streaming_width(4);
            b->rtl.regs_init->b_transport(gp, d);
            BOOST_CHECK_EQUAL(gp.get_response_status(), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        });
}

// Callers killed during register accesses (sc_process_handle::kill unwinds them): the write on
// the APB pins completes (AMBA APB: a transfer, once PSEL is high, ends with PREADY; the bridge
// finishes it on a copy), the one still queued behind it never reaches the pins, and the next
// caller is served as before. Under the sanitizer stage this would also show a dangling queued
// pointer.
BOOST_AUTO_TEST_CASE(callers_killed_during_register_writes_leave_the_bridge_working) {
    bench& b = *b_default;
    run([&] {
        const std::uint32_t r1 = 1 * REGION_STRIDE + LOWER_TARGET;
        const std::uint32_t r2 = 2 * REGION_STRIDE + LOWER_TARGET;
        const std::uint32_t r3 = 3 * REGION_STRIDE + LOWER_TARGET;
        for (std::uint32_t r : {r1, r2, r3})
            BOOST_REQUIRE_EQUAL(b.rtl.write_reg(r, 0), tlm::TLM_OK_RESPONSE);
        const std::uint64_t before = b.rtl.regs.transfers();
        bool returned = false;
        sc_core::sc_process_handle on_pins = sc_core::sc_spawn([&] {
            b.rtl.write_reg(r1, 0x22220000);
            returned = true;
        });
        // Two delta cycles: it has passed its zero annotated delay and is first in the queue.
        sc_core::wait(sc_core::SC_ZERO_TIME);
        sc_core::wait(sc_core::SC_ZERO_TIME);
        sc_core::sc_process_handle queued = sc_core::sc_spawn([&] {
            b.rtl.write_reg(r2, 0x33330000);
            returned = true;
        });
        // Half a clock period in: the first write is in its setup cycle, the second waits.
        sc_core::wait(b.rtl.island.clock_period() / 2);
        BOOST_REQUIRE(b.rtl.regs.busy());
        BOOST_REQUIRE_EQUAL(b.rtl.regs.transfers(), before);
        on_pins.kill();
        queued.kill();
        BOOST_CHECK_EQUAL(b.rtl.write_reg(r3, 0x44440000), tlm::TLM_OK_RESPONSE);
        BOOST_CHECK_EQUAL(b.rtl.read_reg(r1), 0x22220000u);
        BOOST_CHECK_EQUAL(b.rtl.read_reg(r2), 0u);
        BOOST_CHECK_EQUAL(b.rtl.read_reg(r3), 0x44440000u);
        // The write on the pins, the third write and the three reads: five transfers.
        BOOST_CHECK_EQUAL(b.rtl.regs.transfers(), before + 5);
        for (std::uint32_t r : {r1, r2, r3})
            b.rtl.write_reg(r, 0);
    });
}

BOOST_AUTO_TEST_CASE(lockstep_default_geometry) {
    run([] { lockstep(*b_default, 100000, 2024); });
}

BOOST_AUTO_TEST_CASE(lockstep_small_geometry_with_decerr_misses) {
    run([] { lockstep(*b_small, 100000, 4048); });
}

// The RTL's INCREASE_REGION_SIZE limit above the region limit (2^40), by hand: base
// 0x100_F000_0000, 8 GiB, as Linux's dw_pcie_prog_outbound_atu programs it (UPPER_LIMIT gets
// upper_32_bits(limit) = 0x102, of which the register keeps 0x02). The limit's bits above 2^40 are
// the base's, so the window is [base, base + 8 GiB).
BOOST_AUTO_TEST_CASE(increase_region_size_above_the_region_limit_keeps_the_bases_high_bits) {
    bench& b = *b_default;
    run([&] {
        for (unsigned i = 0; i < 8; ++i)
            b.rtl.write_reg(i * REGION_STRIDE + CTRL2, 0);
        const std::uint64_t base = 0x100F0000000ull, size = 8ull << 30, target = 0x80000000ull;
        const std::uint64_t limit = base + size - 1;
        b.rtl.write_reg(LOWER_BASE, static_cast<std::uint32_t>(base));
        b.rtl.write_reg(UPPER_BASE, static_cast<std::uint32_t>(base >> 32));
        b.rtl.write_reg(LIMIT, static_cast<std::uint32_t>(limit));
        b.rtl.write_reg(UPPER_LIMIT, static_cast<std::uint32_t>(limit >> 32));
        b.rtl.write_reg(LOWER_TARGET, static_cast<std::uint32_t>(target));
        b.rtl.write_reg(UPPER_TARGET, 0);
        b.rtl.write_reg(CTRL1, INCREASE_REGION_SIZE);
        b.rtl.write_reg(CTRL2, ENABLE);
        rtl_translation t = b.rtl.translate_outbound(base + 0x1000);
        BOOST_TEST(t.hit.hit);
        BOOST_TEST(t.hit.address == target + 0x1000);
        t = b.rtl.translate_outbound(limit);
        BOOST_TEST(t.hit.hit);
        BOOST_TEST(t.hit.address == target + size - 1);
        BOOST_TEST(!b.rtl.translate_outbound(limit + 1).hit.hit);
        b.rtl.write_reg(CTRL2, 0);
    });
}

// Bursts of every type through an outbound window, out through the AXI->TLM bridge into a
// memory: data, strobes and statuses (SLVERR and DECERR from the memory) round-trip.
BOOST_AUTO_TEST_CASE(bursts_round_trip_through_the_outbound_window) {
    bench& b = *b_default;
    run([&] {
        constexpr std::uint64_t window = 0x40000000;
        // Region 7 (the lowest index wins, so make sure 0..6 are off) maps [window, +256 KiB)
        // onto the memory at 0.
        for (unsigned i = 0; i < 8; ++i)
            b.rtl.write_reg(i * REGION_STRIDE + CTRL2, 0);
        const std::uint32_t r = 7 * REGION_STRIDE;
        b.rtl.write_reg(r + LOWER_BASE, window);
        b.rtl.write_reg(r + UPPER_BASE, 0);
        b.rtl.write_reg(r + LIMIT, window + 0x3FFFF);
        b.rtl.write_reg(r + LOWER_TARGET, 0);
        b.rtl.write_reg(r + UPPER_TARGET, 0);
        b.rtl.write_reg(r + CTRL1, 0);
        BOOST_CHECK_EQUAL(b.rtl.write_reg(r + CTRL2, ENABLE), tlm::TLM_OK_RESPONSE);
        std::vector<unsigned char> ref(memory_target::bytes * 2, 0);
        std::mt19937 rng(99);
        unsigned statuses[4] = {0, 0, 0, 0};
        for (unsigned n = 0; n < 1500; ++n) {
            axi_request q;
            for (;;) {
                q.burst = static_cast<axi_burst>(rng() % 3);
                q.size_log2 = rng() % 4;
                q.beats = q.burst == axi_burst::wrap ? 2u << (rng() % 4) : 1 + rng() % 16;
                q.addr = rng() % (memory_target::bytes + 0x1000);
                if (q.burst == axi_burst::wrap) q.addr &= ~std::uint64_t(q.bytes_per_beat() - 1);
                if (axi_burst_violation(q, axi_bus_bytes).empty()) break;
            }
            const auto beats = axi_beats(q, axi_bus_bytes);
            std::size_t len = 0;
            for (const auto& x : beats)
                len += x.lanes;
            std::vector<unsigned char> data(len), be(len, TLM_BYTE_ENABLED);
            for (std::size_t i = 0; i < len; ++i) {
                data[i] = static_cast<unsigned char>(rng());
                if (rng() % 5 == 0) be[i] = TLM_BYTE_DISABLED;
            }
            const bool write = rng() % 2;
            // Expected status: the worst of the TLM transactions the AXI->TLM bridge makes
            // (runs of contiguous bytes); a run is refused whole, so compute per beat-run.
            axi_resp expect = axi_resp::okay;
            std::vector<std::pair<std::uint64_t, std::size_t>> runs; // (address, bytes)
            for (std::size_t i = 0; i < beats.size(); ++i) {
                const std::uint64_t a =
                    (beats[i].addr & ~std::uint64_t(axi_bus_bytes - 1)) + beats[i].lane_lo;
                if (!runs.empty() && q.burst != axi_burst::fixed &&
                    runs.back().first + runs.back().second == a)
                    runs.back().second += beats[i].lanes;
                else
                    runs.push_back({a, beats[i].lanes});
            }
            std::vector<axi_resp> run_resp;
            for (const auto& [a, l] : runs) {
                axi_resp rr = axi_resp::okay;
                if (a >= memory_target::bytes || l > memory_target::bytes - a)
                    rr = axi_resp::decerr;
                else if (a < memory_target::err_base + memory_target::err_bytes &&
                         a + l > memory_target::err_base)
                    rr = axi_resp::slverr;
                run_resp.push_back(rr);
                expect = worse(expect, rr);
            }
            std::size_t off = 0;
            if (write)
                for (std::size_t k = 0; k < runs.size(); ++k)
                    for (std::size_t i = 0; i < runs[k].second; ++i, ++off)
                        if (run_resp[k] == axi_resp::okay && be[off] == TLM_BYTE_ENABLED)
                            ref[runs[k].first + i] = data[off];
            ++statuses[static_cast<unsigned>(expect)];
            axi_ext ext;
            ext.explicit_burst = true;
            ext.burst = q.burst;
            ext.size_log2 = q.size_log2;
            ext.beats = q.beats;
            std::vector<unsigned char> buf = write ? data : std::vector<unsigned char>(len, 0);
            tlm::tlm_generic_payload gp;
            gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            gp.set_address(window + q.addr);
            gp.set_data_ptr(buf.data());
            gp.set_data_length(static_cast<unsigned>(len));
            gp.set_streaming_width(static_cast<unsigned>(len));
            gp.set_byte_enable_ptr(be.data());
            gp.set_byte_enable_length(static_cast<unsigned>(len));
            gp.set_extension(&ext);
            sc_core::sc_time d = sc_core::SC_ZERO_TIME;
            b.rtl.ob_init->b_transport(gp, d);
            gp.clear_extension(&ext);
            BOOST_CHECK_EQUAL(gp.get_response_status(), to_tlm(expect));
            if (!write) {
                off = 0;
                for (std::size_t k = 0; k < runs.size(); ++k)
                    for (std::size_t i = 0; i < runs[k].second; ++i, ++off)
                        if (run_resp[k] == axi_resp::okay && be[off] == TLM_BYTE_ENABLED &&
                            buf[off] != ref[runs[k].first + i]) {
                            BOOST_ERROR("burst " << n << " byte " << off << " differs");
                            break;
                        }
            }
        }
        BOOST_CHECK(std::equal(b.ob_mem.mem.begin(), b.ob_mem.mem.end(), ref.begin()));
        BOOST_TEST_MESSAGE("round trip: OKAY " << statuses[0] << ", SLVERR " << statuses[2]
                                               << ", DECERR " << statuses[3]
                                               << "; TLM transactions " << b.ob_mem.transactions);
        BOOST_CHECK_GT(statuses[2], 10u);
        BOOST_CHECK_GT(statuses[3], 10u);
    });
    for (auto* c : {&b.rtl.ob_s_check, &b.rtl.ob_m_check})
        BOOST_CHECK(c->violations().empty());
}

// Unit tests of the DWC iATU register model and address translation (model/dwc/iatu.h):
// unrolled and legacy-viewport layouts, the probe protocol of dw_pcie_iatu_detect, hard-wired
// alignment bits, UPPER_LIMIT, regions beyond the configured count, outbound and inbound
// (BAR-match and address-match) translation, inbound TLP type and 5-bit function matching, priority
// of overlapping regions and the programming-order warnings. Expected values come from
// the DWC iATU registers as Linux's pcie-designware.c programs them, written by hand.
#define BOOST_TEST_MODULE iatu
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/dwc/iatu.h"

#include <cstdint>
#include <string>

using namespace epvp::dwc;

namespace {

// Register offsets and bits as the reference gives them (section 1.3 / 1.4), spelled out here
// rather than taken from the model's header.
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

constexpr std::uint32_t TYPE_MEM = 0x0;
constexpr std::uint32_t TYPE_IO = 0x2;
constexpr std::uint32_t INCREASE_REGION_SIZE = 1u << 13;
constexpr std::uint32_t ENABLE = 1u << 31;
constexpr std::uint32_t BAR_MODE = 1u << 30;
constexpr std::uint32_t FUNC_NUM_MATCH = 1u << 19;
constexpr std::uint32_t DIR_IB = 1u << 31;
constexpr std::uint32_t PROBE = 0x11110000;

constexpr std::uint32_t ctrl1_func(unsigned pf) {
    return pf << 20;
}
constexpr std::uint32_t ctrl2_bar(unsigned bar) {
    return bar << 8;
}

constexpr std::uint64_t KiB = 1024, GiB = 1ull << 30, TiB = 1ull << 40;

iatu_params params(unsigned ob, unsigned ib, bool unrolled, std::uint64_t align = 4 * KiB,
                   std::uint64_t limit = TiB, bool upper = true) {
    iatu_params p;
    p.outbound_windows = ob;
    p.inbound_windows = ib;
    p.region_align = align;
    p.region_limit = limit;
    p.unrolled = unrolled;
    p.has_upper_limit = upper;
    return p;
}

std::uint32_t unr_off(iatu_dir d, unsigned index, std::uint32_t reg) {
    return index * 0x200 + (d == iatu_dir::inbound ? 0x100 : 0) + reg;
}

unsigned fls32(std::uint32_t v) {
    unsigned n = 0;
    while (v) {
        ++n;
        v >>= 1;
    }
    return n;
}

// dw_pcie_iatu_detect, as described in reference section 2, driven through the register
// interface only.
struct detected {
    bool unroll = false;
    unsigned max_region = 0;
    unsigned ob = 0, ib = 0;
    std::uint64_t region_align = 0;
    std::uint64_t region_limit = 0;
};

detected detect(iatu& a, bool ge_460a = true) {
    detected r;
    auto wr = [&](iatu_dir d, unsigned i, std::uint32_t reg, std::uint32_t v) {
        if (r.unroll) {
            a.write_unrolled(unr_off(d, i, reg), v);
        } else {
            a.write_viewport((d == iatu_dir::inbound ? DIR_IB : 0) | i);
            a.write_viewport_window(reg, v);
        }
    };
    auto rd = [&](iatu_dir d, unsigned i, std::uint32_t reg) -> std::uint32_t {
        if (r.unroll) return a.read_unrolled(unr_off(d, i, reg));
        a.write_viewport((d == iatu_dir::inbound ? DIR_IB : 0) | i);
        return a.read_viewport_window(reg);
    };
    if (a.read_viewport() == 0xFFFFFFFFu) {
        r.unroll = true;
        r.max_region = 256; // min(atu_size / 512, 256) with a 128 KiB "atu" resource
    } else {
        a.write_viewport(0xFF);
        r.max_region = a.read_viewport() + 1;
    }
    for (iatu_dir d : {iatu_dir::outbound, iatu_dir::inbound}) {
        unsigned n = 0;
        for (; n < r.max_region; ++n) {
            wr(d, n, LOWER_TARGET, PROBE);
            if (rd(d, n, LOWER_TARGET) != PROBE) break;
        }
        (d == iatu_dir::outbound ? r.ob : r.ib) = n;
    }
    if (!r.ob && !r.ib) return r;
    const iatu_dir d0 = r.ob ? iatu_dir::outbound : iatu_dir::inbound;
    wr(d0, 0, LIMIT, 0);
    r.region_align = 1ull << fls32(rd(d0, 0, LIMIT));
    std::uint64_t max = 0;
    if (ge_460a) {
        wr(d0, 0, UPPER_LIMIT, 0xFFFFFFFFu);
        max = rd(d0, 0, UPPER_LIMIT);
    }
    r.region_limit = (max << 32) | (4 * GiB - 1);
    return r;
}

// Programs an outbound region in the driver's order (reference 1.5); returns the warnings
// concatenated.
std::string prog_outbound(iatu& a, unsigned i, std::uint64_t base, std::uint64_t limit,
                          std::uint64_t target, std::uint32_t ctrl1 = TYPE_MEM) {
    std::string w;
    const iatu_dir d = iatu_dir::outbound;
    w += a.write(d, i, LOWER_BASE, std::uint32_t(base)).warning;
    w += a.write(d, i, UPPER_BASE, std::uint32_t(base >> 32)).warning;
    w += a.write(d, i, LIMIT, std::uint32_t(limit)).warning;
    w += a.write(d, i, UPPER_LIMIT, std::uint32_t(limit >> 32)).warning;
    w += a.write(d, i, LOWER_TARGET, std::uint32_t(target)).warning;
    w += a.write(d, i, UPPER_TARGET, std::uint32_t(target >> 32)).warning;
    w += a.write(d, i, CTRL1, ctrl1).warning;
    w += a.write(d, i, CTRL2, ENABLE).warning;
    return w;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

// ---- viewport register ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(unrolled_core_viewport_reads_all_ones) {
    iatu a(params(8, 8, true));
    BOOST_TEST(a.read_viewport() == 0xFFFFFFFFu);
    a.write_viewport(0x80000003); // ignored on an unrolled core
    BOOST_TEST(a.read_viewport() == 0xFFFFFFFFu);
}

BOOST_AUTO_TEST_CASE(legacy_viewport_masks_index_to_implemented_bits) {
    iatu a8(params(8, 8, false));
    BOOST_TEST(a8.read_viewport() != 0xFFFFFFFFu);
    a8.write_viewport(0xFF);
    BOOST_TEST(a8.read_viewport() == 7u); // 8 regions -> 3 index bits
    iatu a3(params(3, 2, false));
    a3.write_viewport(0xFF);
    BOOST_TEST(a3.read_viewport() == 3u); // 3 regions -> 2 index bits
    iatu a16(params(16, 4, false));
    a16.write_viewport(0xFF);
    BOOST_TEST(a16.read_viewport() == 15u);
    iatu a256(params(1, 256, false));
    a256.write_viewport(0xFF);
    BOOST_TEST(a256.read_viewport() == 0xFFu);
}

BOOST_AUTO_TEST_CASE(legacy_viewport_keeps_direction_bit) {
    iatu a(params(8, 8, false));
    a.write_viewport(DIR_IB | 5);
    BOOST_TEST(a.read_viewport() == (DIR_IB | 5u));
    a.write_viewport(DIR_IB | 0xFF);
    BOOST_TEST(a.read_viewport() == (DIR_IB | 7u));
    a.write_viewport(2);
    BOOST_TEST(a.read_viewport() == 2u);
}

BOOST_AUTO_TEST_CASE(legacy_viewport_selects_direction_and_index) {
    iatu a(params(4, 4, false));
    a.write_viewport(DIR_IB | 2);
    auto res = a.write_viewport_window(LOWER_TARGET, 0xABCD0000);
    BOOST_TEST(res.implemented);
    BOOST_TEST(res.warning.empty());
    BOOST_TEST(a.read(iatu_dir::inbound, 2, LOWER_TARGET) == 0xABCD0000u);
    BOOST_TEST(a.read(iatu_dir::outbound, 2, LOWER_TARGET) == 0u); // other direction untouched
    BOOST_TEST(a.read(iatu_dir::inbound, 1, LOWER_TARGET) == 0u);  // other index untouched
    a.write_viewport(2);                                           // outbound 2
    BOOST_TEST(a.read_viewport_window(LOWER_TARGET) == 0u);
    a.write_viewport(DIR_IB | 2);
    BOOST_TEST(a.read_viewport_window(LOWER_TARGET) == 0xABCD0000u);
}

// ---- probe protocol (reference section 2) -------------------------------------------------------

BOOST_AUTO_TEST_CASE(probe_counts_windows_unrolled) {
    const unsigned geo[][2] = {{8, 8}, {3, 2}, {1, 256}, {256, 1}, {16, 4}, {0, 4}};
    for (const auto& g : geo) {
        BOOST_TEST_CONTEXT("unrolled " << g[0] << " ob / " << g[1] << " ib") {
            iatu a(params(g[0], g[1], true));
            const detected d = detect(a);
            BOOST_TEST(d.unroll);
            BOOST_TEST(d.ob == g[0]);
            BOOST_TEST(d.ib == g[1]);
            BOOST_TEST(d.region_align == 4 * KiB);
            BOOST_TEST(d.region_limit == TiB - 1); // (0xFF << 32) | 0xFFFFFFFF
        }
    }
}

BOOST_AUTO_TEST_CASE(probe_counts_windows_viewport) {
    const unsigned geo[][2] = {{8, 8}, {3, 2}, {1, 256}, {256, 1}, {16, 4}};
    for (const auto& g : geo) {
        BOOST_TEST_CONTEXT("viewport " << g[0] << " ob / " << g[1] << " ib") {
            iatu a(params(g[0], g[1], false));
            const detected d = detect(a);
            BOOST_TEST(!d.unroll);
            BOOST_TEST(d.ob == g[0]);
            BOOST_TEST(d.ib == g[1]);
            BOOST_TEST(d.region_align == 4 * KiB);
            BOOST_TEST(d.region_limit == TiB - 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(probe_viewport_max_region_is_readback_plus_one) {
    // Writing 0xFF to the viewport: 8 regions read back 7 -> max_region 8; 3 regions (2 index
    // bits) read back 3 -> max_region 4.
    iatu a8(params(8, 8, false));
    BOOST_TEST(detect(a8).max_region == 8u);
    iatu a3(params(3, 2, false));
    BOOST_TEST(detect(a3).max_region == 4u);
}

BOOST_AUTO_TEST_CASE(probe_detects_64k_alignment_and_other_region_limits) {
    iatu a(params(4, 4, true, 64 * KiB, 256 * TiB));
    const detected d = detect(a);
    BOOST_TEST(d.ob == 4u);
    BOOST_TEST(d.ib == 4u);
    BOOST_TEST(d.region_align == 64 * KiB);
    BOOST_TEST(d.region_limit == 256 * TiB - 1); // (0xFFFF << 32) | 0xFFFFFFFF

    iatu old(params(2, 2, false, 4 * KiB, 4 * GiB, false));
    const detected o = detect(old, false); // pre-4.60a: UPPER_LIMIT not probed
    BOOST_TEST(o.ob == 2u);
    BOOST_TEST(o.ib == 2u);
    BOOST_TEST(o.region_limit == 4 * GiB - 1);
}

// ---- hard-wired bits ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(limit_written_zero_reads_alignment_ones) {
    iatu a4(params(2, 2, true, 4 * KiB));
    auto r = a4.write(iatu_dir::outbound, 0, LIMIT, 0);
    BOOST_TEST(r.implemented);
    BOOST_TEST(a4.read(iatu_dir::outbound, 0, LIMIT) == 0xFFFu);
    r = a4.write(iatu_dir::inbound, 1, LIMIT, 0x12345678);
    BOOST_TEST(r.implemented);
    BOOST_TEST(a4.read(iatu_dir::inbound, 1, LIMIT) == 0x12345FFFu);

    iatu a64(params(2, 2, true, 64 * KiB));
    r = a64.write(iatu_dir::outbound, 0, LIMIT, 0);
    BOOST_TEST(r.implemented);
    BOOST_TEST(a64.read(iatu_dir::outbound, 0, LIMIT) == 0xFFFFu);
    BOOST_TEST(a64.read_unrolled(unr_off(iatu_dir::outbound, 0, LIMIT)) == 0xFFFFu);
}

BOOST_AUTO_TEST_CASE(upper_limit_is_writable_up_to_region_limit) {
    iatu a(params(2, 2, true, 4 * KiB, TiB, true));
    auto r = a.write(iatu_dir::outbound, 0, UPPER_LIMIT, 0xFFFFFFFFu);
    BOOST_TEST(r.implemented);
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_LIMIT) == 0xFFu); // (1 TiB >> 32) - 1
    r = a.write(iatu_dir::outbound, 0, UPPER_LIMIT, 0x12);
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_LIMIT) == 0x12u);

    iatu b(params(2, 2, true, 4 * KiB, 256 * TiB, true));
    b.write(iatu_dir::inbound, 1, UPPER_LIMIT, 0xFFFFFFFFu);
    BOOST_TEST(b.read(iatu_dir::inbound, 1, UPPER_LIMIT) == 0xFFFFu);
}

BOOST_AUTO_TEST_CASE(upper_limit_absent_reads_zero) {
    iatu a(params(2, 2, true, 4 * KiB, 4 * GiB, false));
    auto r = a.write(iatu_dir::outbound, 0, UPPER_LIMIT, 0xFFFFFFFFu);
    BOOST_TEST(!r.implemented); // no such register before 4.60a
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_LIMIT) == 0u);
}

BOOST_AUTO_TEST_CASE(base_and_target_low_bits_below_alignment_read_zero) {
    iatu a(params(2, 2, true, 4 * KiB));
    BOOST_TEST(a.write(iatu_dir::outbound, 0, LOWER_BASE, 0x12345678).implemented);
    BOOST_TEST(a.write(iatu_dir::outbound, 0, LOWER_TARGET, 0x9ABCDEF1).implemented);
    BOOST_TEST(a.write(iatu_dir::outbound, 0, UPPER_BASE, 0xFFFFFFFFu).implemented);
    BOOST_TEST(a.write(iatu_dir::outbound, 0, UPPER_TARGET, 0x87654321u).implemented);
    BOOST_TEST(a.read(iatu_dir::outbound, 0, LOWER_BASE) == 0x12345000u);
    BOOST_TEST(a.read(iatu_dir::outbound, 0, LOWER_TARGET) == 0x9ABCD000u);
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_BASE) == 0xFFFFFFFFu); // full 32 bits
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_TARGET) == 0x87654321u);

    iatu b(params(2, 2, true, 64 * KiB));
    b.write(iatu_dir::inbound, 1, LOWER_BASE, 0x12345678);
    b.write(iatu_dir::inbound, 1, LOWER_TARGET, 0x9ABCDEF1);
    BOOST_TEST(b.read(iatu_dir::inbound, 1, LOWER_BASE) == 0x12340000u);
    BOOST_TEST(b.read(iatu_dir::inbound, 1, LOWER_TARGET) == 0x9ABC0000u);
}

BOOST_AUTO_TEST_CASE(registers_of_regions_beyond_count_read_zero_and_ignore_writes) {
    iatu a(params(3, 2, true));
    for (std::uint32_t reg : ALL_REGS) {
        BOOST_TEST_CONTEXT("reg 0x" << std::hex << reg) {
            auto r = a.write(iatu_dir::outbound, 3, reg, 0xFFFFFFFFu);
            BOOST_TEST(!r.implemented);
            BOOST_TEST(!r.enabled_now);
            BOOST_TEST(a.read(iatu_dir::outbound, 3, reg) == 0u);
            r = a.write_unrolled(unr_off(iatu_dir::inbound, 2, reg), 0xFFFFFFFFu);
            BOOST_TEST(!r.implemented);
            BOOST_TEST(a.read_unrolled(unr_off(iatu_dir::inbound, 2, reg)) == 0u);
        }
    }
    BOOST_TEST(a.region(iatu_dir::outbound, 3) == nullptr);
    BOOST_TEST(a.region(iatu_dir::inbound, 2) == nullptr);
    // The last implemented ones still work.
    BOOST_TEST(a.write(iatu_dir::outbound, 2, LOWER_TARGET, PROBE).implemented);
    BOOST_TEST(a.read(iatu_dir::outbound, 2, LOWER_TARGET) == PROBE);
    BOOST_TEST(a.read(iatu_dir::inbound, 1, LIMIT) == 0xFFFu);
    // Nothing enabled anywhere: no translation.
    BOOST_TEST(!a.translate_outbound(0).hit);
}

BOOST_AUTO_TEST_CASE(registers_beyond_count_through_viewport) {
    iatu a(params(3, 2, false));
    a.write_viewport(3); // outbound 3: index bits exist (2 bits), the region does not
    auto r = a.write_viewport_window(LOWER_TARGET, PROBE);
    BOOST_TEST(!r.implemented);
    BOOST_TEST(a.read_viewport_window(LOWER_TARGET) == 0u);
    BOOST_TEST(a.read_viewport_window(LIMIT) == 0u);
    a.write_viewport(DIR_IB | 2);
    r = a.write_viewport_window(LOWER_TARGET, PROBE);
    BOOST_TEST(!r.implemented);
    BOOST_TEST(a.read_viewport_window(LOWER_TARGET) == 0u);
}

// ---- outbound translation ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(outbound_translation_through_enabled_region) {
    iatu a(params(4, 4, true));
    const std::string w = prog_outbound(a, 0, 0x40000000, 0x4000FFFF, 0x123450000ull);
    BOOST_TEST(w.empty());
    BOOST_TEST(a.read(iatu_dir::outbound, 0, CTRL2) == ENABLE);
    BOOST_TEST(a.region(iatu_dir::outbound, 0)->enabled());

    iatu_hit h = a.translate_outbound(0x40001234);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 0u);
    BOOST_TEST(h.type == TYPE_MEM);
    BOOST_TEST(h.address == 0x123451234ull);

    h = a.translate_outbound(0x40000000); // base
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == 0x123450000ull);
    h = a.translate_outbound(0x4000FFFF); // limit (inclusive)
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == 0x12345FFFFull);
    BOOST_TEST(!a.translate_outbound(0x40010000).hit); // limit + 1
    BOOST_TEST(!a.translate_outbound(0x3FFFFFFF).hit); // base - 1
}

BOOST_AUTO_TEST_CASE(outbound_region_type_is_reported) {
    iatu a(params(2, 2, true));
    BOOST_TEST(prog_outbound(a, 1, 0x50000000, 0x50000FFF, 0x1000, TYPE_IO).empty());
    const iatu_hit h = a.translate_outbound(0x50000010);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 1u);
    BOOST_TEST(h.type == TYPE_IO);
    BOOST_TEST(h.address == 0x1010u);
}

BOOST_AUTO_TEST_CASE(outbound_no_hit_when_disabled) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::outbound;
    a.write(d, 0, LOWER_BASE, 0x40000000);
    a.write(d, 0, UPPER_BASE, 0);
    a.write(d, 0, LIMIT, 0x4000FFFF);
    a.write(d, 0, LOWER_TARGET, 0x80000000);
    a.write(d, 0, UPPER_TARGET, 0);
    a.write(d, 0, CTRL1, TYPE_MEM);
    BOOST_TEST(!a.translate_outbound(0x40000100).hit); // programmed, not enabled
    auto r = a.write(d, 0, CTRL2, ENABLE);
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(a.translate_outbound(0x40000100).hit);
    r = a.write(d, 0, CTRL2, 0); // dw_pcie_disable_atu
    BOOST_TEST(r.implemented);
    BOOST_TEST(!r.enabled_now);
    BOOST_TEST(r.warning.empty());
    BOOST_TEST(a.read(d, 0, CTRL2) == 0u);
    BOOST_TEST(!a.region(d, 0)->enabled());
    BOOST_TEST(!a.translate_outbound(0x40000100).hit);
}

BOOST_AUTO_TEST_CASE(increase_region_size_uses_upper_limit) {
    iatu a(params(2, 2, true));
    // base 0x0_8000_0000, limit 0x1_FFFF_FFFF (6 GiB window), target 0x20_0000_0000.
    BOOST_TEST(prog_outbound(a, 0, 0x80000000ull, 0x1FFFFFFFFull, 0x2000000000ull,
                             TYPE_MEM | INCREASE_REGION_SIZE)
                   .empty());
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_LIMIT) == 0x1u);
    iatu_hit h = a.translate_outbound(0x100000000ull);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == 0x2080000000ull); // target + 0x8000_0000
    h = a.translate_outbound(0x1FFFFFFFFull);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == 0x217FFFFFFFull);
    BOOST_TEST(!a.translate_outbound(0x200000000ull).hit);

    // The same registers without INCREASE_REGION_SIZE: the limit's upper half is UPPER_BASE (0),
    // so the window ends at 0xFFFF_FFFF.
    BOOST_TEST(a.write(iatu_dir::outbound, 0, CTRL1, TYPE_MEM).implemented);
    BOOST_TEST(!a.translate_outbound(0x100000000ull).hit);
    h = a.translate_outbound(0xFFFFFFFFull);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == 0x207FFFFFFFull);
}

// A region above the region limit (1 TiB here) that crosses 4 GiB: Linux's dw_pcie_prog_*_atu
// accepts it when the limit's bits above the region limit equal the base's, and writes only the
// bits UPPER_LIMIT keeps (0xFF for 1 TiB), so the hardware takes the bits above from the base.
// Base 0x100_F000_0000, 8 GiB: limit 0x102_EFFF_FFFF (UPPER_LIMIT reads 0x02).
BOOST_AUTO_TEST_CASE(increase_region_size_above_the_region_limit_keeps_the_bases_high_bits) {
    iatu a(params(2, 2, true));
    const std::uint64_t base = 0x100F0000000ull, size = 8ull << 30, target = 0x80000000ull;
    BOOST_TEST(prog_outbound(a, 0, base, base + size - 1, target, TYPE_MEM | INCREASE_REGION_SIZE)
                   .empty());
    BOOST_TEST(a.read(iatu_dir::outbound, 0, UPPER_LIMIT) == 0x02u);
    iatu_hit h = a.translate_outbound(base + 0x1000);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == target + 0x1000);
    h = a.translate_outbound(base + size - 1);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == target + size - 1);
    BOOST_TEST(!a.translate_outbound(base + size).hit);
    BOOST_TEST(!a.translate_outbound(base - 1).hit);
}

BOOST_AUTO_TEST_CASE(overlapping_enabled_regions_lowest_index_wins) {
    iatu a(params(4, 4, true));
    BOOST_TEST(prog_outbound(a, 3, 0x40000000, 0x4000FFFF, 0x30000000).empty());
    BOOST_TEST(prog_outbound(a, 1, 0x40000000, 0x4000FFFF, 0x10000000).empty());
    iatu_hit h = a.translate_outbound(0x40000040);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 1u);
    BOOST_TEST(h.address == 0x10000040u);
    // Disable region 1: region 3 takes over.
    a.write(iatu_dir::outbound, 1, CTRL2, 0);
    h = a.translate_outbound(0x40000040);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 3u);
    BOOST_TEST(h.address == 0x30000040u);
}

// ---- inbound translation -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(inbound_bar_match_translates_target_plus_offset) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::inbound;
    // dw_pcie_prog_ep_inbound_atu: only targets, CTRL1, CTRL2.
    auto r1 = a.write(d, 0, LOWER_TARGET, 0x80100000);
    auto r2 = a.write(d, 0, UPPER_TARGET, 0x1);
    auto r3 = a.write(d, 0, CTRL1, TYPE_MEM);
    auto r4 = a.write(d, 0, CTRL2, ENABLE | BAR_MODE | ctrl2_bar(2));
    BOOST_TEST((r1.implemented && r2.implemented && r3.implemented && r4.implemented));
    BOOST_TEST(r4.enabled_now);
    BOOST_TEST(r4.warning.empty()); // BAR match needs only the target

    iatu_hit h = a.translate_inbound(0xE0000040, 2, 0x40, 0);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 0u);
    BOOST_TEST(h.type == TYPE_MEM);
    BOOST_TEST(h.address == 0x180100040ull);
    BOOST_TEST(!a.translate_inbound(0xE0000040, 1, 0x40, 0).hit);  // another BAR
    BOOST_TEST(!a.translate_inbound(0xE0000040, 3, 0x40, 0).hit);  // another BAR
    BOOST_TEST(!a.translate_inbound(0xE0000040, -1, 0x40, 0).hit); // no BAR hit
}

BOOST_AUTO_TEST_CASE(inbound_bar_match_with_function_match) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::inbound;
    a.write(d, 1, LOWER_TARGET, 0x90000000);
    a.write(d, 1, UPPER_TARGET, 0);
    a.write(d, 1, CTRL1, TYPE_MEM | ctrl1_func(1));
    auto r = a.write(d, 1, CTRL2, ENABLE | FUNC_NUM_MATCH | BAR_MODE | ctrl2_bar(0));
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(r.warning.empty());
    iatu_hit h = a.translate_inbound(0xC0000000, 0, 0x1000, 1);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 1u);
    BOOST_TEST(h.address == 0x90001000u);
    BOOST_TEST(!a.translate_inbound(0xC0000000, 0, 0x1000, 0).hit); // function 0
    BOOST_TEST(!a.translate_inbound(0xC0000000, 0, 0x1000, 2).hit); // function 2
    BOOST_TEST(!a.translate_inbound(0xC0000000, 4, 0x1000, 1).hit); // BAR 4
}

// An inbound region claims only TLPs of its CTRL1.TYPE. The encodings are the TLP header's Type
// field (PCIe Base Spec 5.0 table 2-3: MRd/MWr 0b00000, IORd/IOWr 0b00010, CfgRd0/CfgWr0
// 0b00100, CfgRd1/CfgWr1 0b00101, Msg routed to the RC 0b10000), the values Linux programs
// (pcie-designware.h PCIE_ATU_TYPE_MEM 0x0, _IO 0x2, _CFG0 0x4, _CFG1 0x5, _MSG 0x10).
BOOST_AUTO_TEST_CASE(inbound_region_matches_only_its_tlp_type) {
    const std::uint32_t types[] = {0x00, 0x02, 0x04, 0x05, 0x10};
    for (std::uint32_t region_type : types) {
        iatu a(params(4, 4, true));
        const iatu_dir d = iatu_dir::inbound;
        // Region 0: address match 0xE0000000..0xE000FFFF -> 0x90000000, of type region_type.
        a.write(d, 0, LOWER_BASE, 0xE0000000);
        a.write(d, 0, UPPER_BASE, 0);
        a.write(d, 0, LIMIT, 0xE000FFFF);
        a.write(d, 0, LOWER_TARGET, 0x90000000);
        a.write(d, 0, UPPER_TARGET, 0);
        a.write(d, 0, CTRL1, region_type);
        a.write(d, 0, CTRL2, ENABLE);
        // Region 1: BAR-match BAR2 -> 0xA0000000, of the same type.
        a.write(d, 1, LOWER_TARGET, 0xA0000000);
        a.write(d, 1, UPPER_TARGET, 0);
        a.write(d, 1, CTRL1, region_type);
        a.write(d, 1, CTRL2, ENABLE | BAR_MODE | ctrl2_bar(2));
        for (std::uint32_t tlp_type : types) {
            const bool same = tlp_type == region_type;
            const iatu_hit h = a.translate_inbound(0xE0000040, -1, 0, 0, tlp_type);
            BOOST_TEST(h.hit == same, "region type " << region_type << ", TLP type " << tlp_type);
            if (same) BOOST_TEST(h.address == 0x90000040u);
            const iatu_hit b = a.translate_inbound(0xC0000080, 2, 0x80, 0, tlp_type);
            BOOST_TEST(b.hit == same,
                       "BAR match: region type " << region_type << ", TLP type " << tlp_type);
            if (same) BOOST_TEST((b.index == 1u && b.address == 0xA0000080u));
        }
    }
}

// CTRL1.FUNC_NUM is bits [24:20] (Linux PCIE_ATU_FUNC_NUM(pf) = pf << 20): five bits, so
// functions 8..31 match too, and function 17 is not function 1 (17 = 0b10001: a 3-bit field
// would keep only 0b001).
BOOST_AUTO_TEST_CASE(inbound_function_number_is_five_bits) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::inbound;
    a.write(d, 0, LOWER_TARGET, 0x90000000);
    a.write(d, 0, UPPER_TARGET, 0);
    a.write(d, 0, CTRL1, TYPE_MEM | (17u << 20));
    a.write(d, 0, CTRL2, ENABLE | FUNC_NUM_MATCH | BAR_MODE | ctrl2_bar(0));
    BOOST_TEST(a.read(d, 0, CTRL1) == 0x01100000u); // 17 << 20 reads back
    BOOST_TEST(a.translate_inbound(0, 0, 0x10, 17).hit);
    BOOST_TEST(!a.translate_inbound(0, 0, 0x10, 1).hit);
    a.write(d, 0, CTRL1, TYPE_MEM | (31u << 20));
    BOOST_TEST(a.translate_inbound(0, 0, 0x10, 31).hit);
    BOOST_TEST(!a.translate_inbound(0, 0, 0x10, 7).hit);
    BOOST_TEST(!a.translate_inbound(0, 0, 0x10, 15).hit);
}

BOOST_AUTO_TEST_CASE(inbound_address_match) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::inbound;
    // dw_pcie_prog_inbound_atu: BASE/LIMIT = PCI address, TARGET = CPU address.
    std::string w;
    w += a.write(d, 2, LOWER_BASE, 0xE0000000).warning;
    w += a.write(d, 2, UPPER_BASE, 0).warning;
    w += a.write(d, 2, LIMIT, 0xE000FFFF).warning;
    w += a.write(d, 2, LOWER_TARGET, 0x90000000).warning;
    w += a.write(d, 2, UPPER_TARGET, 0).warning;
    w += a.write(d, 2, CTRL1, TYPE_MEM).warning;
    auto r = a.write(d, 2, CTRL2, ENABLE);
    BOOST_TEST(w.empty());
    BOOST_TEST(r.warning.empty());
    BOOST_TEST(r.enabled_now);
    iatu_hit h = a.translate_inbound(0xE0000100, -1, 0, 0);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 2u);
    BOOST_TEST(h.address == 0x90000100u);
    h = a.translate_inbound(0xE000FFFF, 0, 0xFFFF, 0);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.address == 0x9000FFFFu);
    BOOST_TEST(!a.translate_inbound(0xE0010000, -1, 0, 0).hit);
    BOOST_TEST(!a.translate_inbound(0xDFFFFFFF, -1, 0, 0).hit);
}

BOOST_AUTO_TEST_CASE(inbound_overlapping_lowest_index_wins) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::inbound;
    for (unsigned i : {3u, 1u}) {
        a.write(d, i, LOWER_TARGET, 0x10000000 * i);
        a.write(d, i, CTRL1, TYPE_MEM);
        a.write(d, i, CTRL2, ENABLE | BAR_MODE | ctrl2_bar(4));
    }
    iatu_hit h = a.translate_inbound(0, 4, 0x20, 0);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 1u);
    BOOST_TEST(h.address == 0x10000020u);
}

// ---- programming order warnings and enable handshake ------------------------------------------

BOOST_AUTO_TEST_CASE(enabling_before_programming_warns) {
    iatu a(params(4, 4, true));
    auto r = a.write(iatu_dir::outbound, 2, CTRL2, ENABLE);
    BOOST_TEST(r.implemented);
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(!r.warning.empty());
    BOOST_TEST(contains(r.warning, "region 2"), r.warning);
    BOOST_TEST(contains(r.warning, "CTRL2"), r.warning);
}

BOOST_AUTO_TEST_CASE(enabling_with_target_missing_warns) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::outbound;
    BOOST_TEST(a.write(d, 1, LOWER_BASE, 0x40000000).warning.empty());
    BOOST_TEST(a.write(d, 1, UPPER_BASE, 0).warning.empty());
    BOOST_TEST(a.write(d, 1, LIMIT, 0x4000FFFF).warning.empty());
    auto r = a.write(d, 1, CTRL2, ENABLE);
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(contains(r.warning, "region 1"), r.warning);
    BOOST_TEST(contains(r.warning, "CTRL2"), r.warning);
}

BOOST_AUTO_TEST_CASE(bar_match_without_target_warns) {
    iatu a(params(4, 4, true));
    auto r = a.write(iatu_dir::inbound, 3, CTRL2, ENABLE | BAR_MODE | ctrl2_bar(1));
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(contains(r.warning, "region 3"), r.warning);
    BOOST_TEST(contains(r.warning, "CTRL2"), r.warning);
}

BOOST_AUTO_TEST_CASE(normal_order_has_no_warning_and_enabled_now_only_on_enabling_write) {
    iatu a(params(4, 4, true));
    const iatu_dir d = iatu_dir::outbound;
    const std::uint32_t regs[] = {LOWER_BASE,   UPPER_BASE,   LIMIT, UPPER_LIMIT,
                                  LOWER_TARGET, UPPER_TARGET, CTRL1};
    const std::uint32_t vals[] = {0x60000000, 0, 0x6000FFFF, 0, 0x70000000, 0, TYPE_MEM};
    for (int i = 0; i < 7; ++i) {
        auto r = a.write(d, 0, regs[i], vals[i]);
        BOOST_TEST(r.implemented);
        BOOST_TEST(!r.enabled_now);
        BOOST_TEST(r.warning.empty(), r.warning);
    }
    auto r = a.write(d, 0, CTRL2, ENABLE);
    BOOST_TEST(r.implemented);
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(r.warning.empty(), r.warning);
    // Already enabled: writing ENABLE again does not "enable now".
    r = a.write(d, 0, CTRL2, ENABLE);
    BOOST_TEST(!r.enabled_now);
    BOOST_TEST(r.warning.empty(), r.warning);
    // Unrolled access path reports the same.
    r = a.write_unrolled(unr_off(d, 0, CTRL2), 0);
    BOOST_TEST(!r.enabled_now);
    BOOST_TEST(a.read_unrolled(unr_off(d, 0, CTRL2)) == 0u);
    BOOST_TEST(!a.translate_outbound(0x60000000).hit);
}

BOOST_AUTO_TEST_CASE(viewport_programming_translates_and_reports_enable) {
    iatu a(params(8, 8, false));
    a.write_viewport(DIR_IB | 5);
    std::string w;
    w += a.write_viewport_window(LOWER_TARGET, 0x88000000).warning;
    w += a.write_viewport_window(UPPER_TARGET, 0).warning;
    w += a.write_viewport_window(CTRL1, TYPE_MEM).warning;
    auto r = a.write_viewport_window(CTRL2, ENABLE | BAR_MODE | ctrl2_bar(3));
    BOOST_TEST(w.empty());
    BOOST_TEST(r.enabled_now);
    BOOST_TEST(r.warning.empty(), r.warning);
    iatu_hit h = a.translate_inbound(0, 3, 0x10, 0);
    BOOST_TEST(h.hit);
    BOOST_TEST(h.index == 5u);
    BOOST_TEST(h.address == 0x88000010u);
}

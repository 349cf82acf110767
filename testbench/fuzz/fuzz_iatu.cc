// libFuzzer harness: model/dwc/iatu. A fuzzed iATU geometry (window counts, region alignment,
// region limit, unrolled or viewport layout, UPPER_LIMIT present or not), then a fuzzed sequence
// of register writes (unrolled offsets, the viewport, or direct), reads, resets and outbound /
// inbound translations, checked against a shadow model written from iatu.h's description:
//   - registers read back what was written, with the base/target low bits hard-wired to 0 and
//     the LIMIT low bits to 1 below the region alignment, UPPER_LIMIT masked to the region limit;
//   - registers of regions beyond the configured count read 0 and ignore writes (also through
//     the viewport), unrolled cores read the viewport as all-ones;
//   - a translation hits iff an enabled region matches, the hit is the lowest such index, the
//     address is target + (addr - base) (inbound BAR match: target + bar_offset), and a hit
//     address-match region always has base <= addr <= limit; an inbound region matches only
//     requests whose TLP type equals its CTRL1.TYPE, and its function match compares the
//     5-bit CTRL1.FUNC_NUM [24:20];
//   - enabled_now / the programming-rule warning follow which registers were written.
#include "testbench/fuzz/fuzz_check.h"

#include "model/dwc/iatu.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cinttypes>
#include <cstdint>
#include <vector>

using namespace epvp::dwc;
using namespace epvp::dwc::iatu_reg;

namespace {

struct sregion {
    std::uint32_t ctrl1 = 0, ctrl2 = 0, lbase = 0, ubase = 0, llimit = 0, ltarget = 0, utarget = 0,
                  ulimit = 0;
    bool base_w = false, limit_w = false, target_w = false;
    bool enabled() const { return ctrl2 >> 31; }
    std::uint64_t base() const { return std::uint64_t{ubase} << 32 | lbase; }
    std::uint64_t target() const { return std::uint64_t{utarget} << 32 | ltarget; }
    // Linux dw_pcie_prog_*_atu: with INCREASE_REGION_SIZE the limit's bits above region_limit
    // are the base's; without it the upper word is UPPER_BASE.
    std::uint64_t limit(std::uint64_t region_limit) const {
        const bool irs = ctrl1 & (1u << 13); // INCREASE_REGION_SIZE
        if (!irs) return std::uint64_t{ubase} << 32 | llimit;
        const std::uint64_t span = region_limit - 1;
        return (base() & ~span) | ((std::uint64_t{ulimit} << 32 | llimit) & span);
    }
};

struct shadow {
    iatu_params p;
    std::vector<sregion> r[2];
    std::uint32_t viewport = 0;
    std::uint32_t align_ones() const { return static_cast<std::uint32_t>(p.region_align - 1); }

    explicit shadow(const iatu_params& params)
        : p(params) {
        r[0].resize(p.outbound_windows);
        r[1].resize(p.inbound_windows);
        reset();
    }
    void reset() {
        for (auto& v : r)
            for (auto& x : v) {
                x = sregion{};
                x.llimit = align_ones();
            }
        viewport = 0;
    }
    // The index bits the viewport keeps: enough for the larger count.
    std::uint32_t viewport_index_bits() const {
        const unsigned most = std::max(p.outbound_windows, p.inbound_windows);
        std::uint32_t m = 1;
        while (m + 1 < most)
            m = m << 1 | 1;
        return m;
    }
    sregion* find(unsigned dir, unsigned index) {
        return index < r[dir].size() ? &r[dir][index] : nullptr;
    }
    std::uint32_t read(unsigned dir, unsigned index, std::uint32_t reg) {
        const sregion* x = find(dir, index);
        if (!x) return 0;
        switch (reg) {
        case 0x00:
            return x->ctrl1;
        case 0x04:
            return x->ctrl2;
        case 0x08:
            return x->lbase;
        case 0x0C:
            return x->ubase;
        case 0x10:
            return x->llimit;
        case 0x14:
            return x->ltarget;
        case 0x18:
            return x->utarget;
        case 0x20:
            return p.has_upper_limit ? x->ulimit : 0;
        default:
            return 0;
        }
    }
    // Returns implemented; enabled_now / warn as the model should report them.
    bool write(unsigned dir, unsigned index, std::uint32_t reg, std::uint32_t v, bool& enabled_now,
               bool& warn) {
        enabled_now = warn = false;
        sregion* x = find(dir, index);
        if (!x) return false;
        switch (reg) {
        case 0x00:
            x->ctrl1 = v;
            return true;
        case 0x04: {
            const bool was = x->enabled();
            x->ctrl2 = v;
            if (!was && x->enabled()) {
                enabled_now = true;
                const bool bar_mode = dir == 1 && (v & (1u << 30));
                warn = bar_mode ? !x->target_w : !(x->base_w && x->limit_w && x->target_w);
            }
            if (!x->enabled()) x->base_w = x->limit_w = x->target_w = false;
            return true;
        }
        case 0x08:
            x->lbase = v & ~align_ones();
            x->base_w = true;
            return true;
        case 0x0C:
            x->ubase = v;
            x->base_w = true;
            return true;
        case 0x10:
            x->llimit = v | align_ones();
            x->limit_w = true;
            return true;
        case 0x14:
            x->ltarget = v & ~align_ones();
            x->target_w = true;
            return true;
        case 0x18:
            x->utarget = v;
            x->target_w = true;
            return true;
        case 0x20:
            if (!p.has_upper_limit) return false;
            x->ulimit = v & static_cast<std::uint32_t>((p.region_limit >> 32) - 1);
            return true;
        default:
            return false;
        }
    }
};

// A register offset inside a region block: mostly the implemented ones.
std::uint32_t pick_reg(FuzzedDataProvider& in) {
    static const std::uint32_t regs[] = {0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x20};
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0)
        return in.ConsumeIntegralInRange<std::uint32_t>(0, 0xFF) & ~3u;
    return in.PickValueInArray(regs);
}

// A region index: mostly within the larger count, sometimes just past it.
unsigned pick_index(FuzzedDataProvider& in, const iatu_params& p) {
    const unsigned most = std::max(p.outbound_windows, p.inbound_windows);
    return in.ConsumeIntegralInRange<unsigned>(0, most + 1);
}

// Values that make regions overlap and reach the interesting corners.
std::uint32_t pick_value(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
        return in.ConsumeIntegralInRange<std::uint32_t>(0, 15) << 12;
    case 1:
        return in.ConsumeIntegralInRange<std::uint32_t>(0, 3);
    case 2:
        return 0xFFFFFFFFu - in.ConsumeIntegralInRange<std::uint32_t>(0, 0x2000);
    default:
        return in.ConsumeIntegral<std::uint32_t>();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    iatu_params p;
    p.outbound_windows = in.ConsumeIntegralInRange<unsigned>(1, in.ConsumeBool() ? 256 : 8);
    p.inbound_windows = in.ConsumeIntegralInRange<unsigned>(1, in.ConsumeBool() ? 256 : 8);
    p.region_align = std::uint64_t{1} << in.ConsumeIntegralInRange<unsigned>(12, 16);
    p.unrolled = in.ConsumeBool();
    p.has_upper_limit = in.ConsumeBool();
    p.region_limit = p.has_upper_limit
                         ? std::uint64_t{1} << in.ConsumeIntegralInRange<unsigned>(32, 63)
                         : std::uint64_t{1} << 32;

    iatu atu(p);
    shadow sh(p);

    // One region (or a missing one past the count) against the shadow, every register offset
    // through the direct and the unrolled interface.
    auto check_region = [&](const char* when, unsigned dir, unsigned i) {
        const iatu_dir d = dir ? iatu_dir::inbound : iatu_dir::outbound;
        for (std::uint32_t reg = 0; reg < 0x30; reg += 4) {
            const std::uint32_t got = atu.read(d, i, reg);
            const std::uint32_t want = sh.read(dir, i, reg);
            FUZZ_CHECK(got == want, "%s: %s region %u reg 0x%x reads 0x%08x, shadow 0x%08x", when,
                       dir ? "inbound" : "outbound", i, reg, got, want);
            const std::uint32_t off = i * region_bytes + dir * inbound_offset + reg;
            FUZZ_CHECK(atu.read_unrolled(off) == want,
                       "%s: unrolled read 0x%x = 0x%08x, shadow 0x%08x", when, off,
                       atu.read_unrolled(off), want);
        }
    };
    auto check_regs = [&](const char* when) {
        for (unsigned dir = 0; dir < 2; ++dir) {
            const iatu_dir d = dir ? iatu_dir::inbound : iatu_dir::outbound;
            const unsigned n = atu.count(d);
            FUZZ_CHECK(n == sh.r[dir].size(), "count(%u) = %u", dir, n);
            for (unsigned i = 0; i < n + 2; ++i)
                check_region(when, dir, i);
        }
        FUZZ_CHECK(atu.read_viewport() == (p.unrolled ? 0xFFFFFFFFu : sh.viewport),
                   "%s: viewport reads 0x%08x", when, atu.read_viewport());
    };

    // Addresses near the programmed regions' edges, or anywhere.
    auto pick_addr = [&](unsigned dir) -> std::uint64_t {
        const auto& v = sh.r[dir];
        const int how = in.ConsumeIntegralInRange<int>(0, 5);
        if (how == 5 || v.empty()) return in.ConsumeIntegral<std::uint64_t>();
        const sregion& x = v[in.ConsumeIntegralInRange<std::size_t>(0, v.size() - 1)];
        const std::uint64_t delta = in.ConsumeIntegralInRange<std::uint64_t>(0, 2);
        switch (how) {
        case 0:
            return x.base() - delta;
        case 1:
            return x.base() + delta;
        case 2:
            return x.limit(sh.p.region_limit) - delta;
        case 3:
            return x.limit(sh.p.region_limit) + delta;
        default: {
            const std::uint64_t span = x.limit(sh.p.region_limit) - x.base();
            return x.base() + in.ConsumeIntegralInRange<std::uint64_t>(0, span);
        }
        }
    };

    check_regs("after construction");
    unsigned ops = 0;
    while (in.remaining_bytes() > 0 && ops++ < 256) {
        const int op = in.ConsumeIntegralInRange<int>(0, 11);
        if (op <= 3) { // direct or unrolled register write
            const unsigned dir = in.ConsumeIntegralInRange<unsigned>(0, 1);
            const unsigned index = pick_index(in, p);
            const std::uint32_t reg = pick_reg(in);
            const std::uint32_t value = pick_value(in);
            bool now = false, warn = false;
            const bool impl = sh.write(dir, index, reg, value, now, warn);
            iatu_write_result res;
            if (op <= 1)
                res = atu.write(dir ? iatu_dir::inbound : iatu_dir::outbound, index, reg, value);
            else
                res = atu.write_unrolled(index * region_bytes + dir * inbound_offset + reg, value);
            FUZZ_CHECK(res.implemented == impl, "write %u/%u/0x%x: implemented %d, shadow %d", dir,
                       index, reg, res.implemented, impl);
            FUZZ_CHECK(res.enabled_now == now,
                       "write %u/%u/0x%x = 0x%08x: enabled_now %d, shadow %d", dir, index, reg,
                       value, res.enabled_now, now);
            FUZZ_CHECK(res.warning.empty() != warn, "write %u/%u/0x%x = 0x%08x: warning '%s'", dir,
                       index, reg, value, res.warning.c_str());
            check_region("after a write", dir, index);
        } else if (op <= 5) { // legacy viewport
            if (in.ConsumeBool()) {
                const std::uint32_t value =
                    in.ConsumeBool()
                        ? in.ConsumeIntegral<std::uint32_t>()
                        : (in.ConsumeBool() ? viewport_dir_inbound : 0) | pick_index(in, p);
                atu.write_viewport(value);
                if (!p.unrolled)
                    sh.viewport =
                        (value & viewport_dir_inbound) | (value & sh.viewport_index_bits());
            } else {
                const unsigned dir = (sh.viewport & viewport_dir_inbound) ? 1 : 0;
                const unsigned index = sh.viewport & sh.viewport_index_bits();
                const std::uint32_t reg = pick_reg(in);
                if (in.ConsumeBool()) {
                    const std::uint32_t value = pick_value(in);
                    bool now = false, warn = false;
                    const bool impl = sh.write(dir, index, reg, value, now, warn);
                    const iatu_write_result res = atu.write_viewport_window(reg, value);
                    FUZZ_CHECK(res.implemented == impl && res.enabled_now == now &&
                                   res.warning.empty() != warn,
                               "viewport write %u/%u/0x%x: implemented %d/%d enabled_now %d/%d",
                               dir, index, reg, res.implemented, impl, res.enabled_now, now);
                    check_region("after a viewport write", dir, index);
                } else {
                    FUZZ_CHECK(atu.read_viewport_window(reg) == sh.read(dir, index, reg),
                               "viewport read %u/%u/0x%x = 0x%08x, shadow 0x%08x", dir, index, reg,
                               atu.read_viewport_window(reg), sh.read(dir, index, reg));
                }
            }
        } else if (op == 6) {
            if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
                atu.reset();
                sh.reset();
                check_regs("after reset");
            }
        } else if (op <= 8) { // outbound translation
            const std::uint64_t a = pick_addr(0);
            const iatu_hit h = atu.translate_outbound(a);
            const sregion* want = nullptr;
            unsigned wi = 0;
            for (unsigned i = 0; i < sh.r[0].size() && !want; ++i) {
                const sregion& x = sh.r[0][i];
                if (x.enabled() && a >= x.base() && a <= x.limit(sh.p.region_limit)) {
                    want = &x;
                    wi = i;
                }
            }
            FUZZ_CHECK(h.hit == (want != nullptr), "outbound 0x%016" PRIx64 ": hit %d, shadow %d",
                       a, h.hit, want != nullptr);
            if (h.hit) {
                const iatu_region* r = atu.region(iatu_dir::outbound, h.index);
                FUZZ_CHECK(r && r->enabled() && a >= r->base() && a <= r->limit(p.region_limit),
                           "outbound 0x%016" PRIx64 " hit region %u outside [base, limit]", a,
                           h.index);
                FUZZ_CHECK(h.index == wi, "outbound 0x%016" PRIx64 ": region %u, lowest is %u", a,
                           h.index, wi);
                const std::uint64_t t = want->target() + (a - want->base());
                FUZZ_CHECK(h.address == t,
                           "outbound 0x%016" PRIx64 " -> 0x%016" PRIx64 ", expected 0x%016" PRIx64,
                           a, h.address, t);
                FUZZ_CHECK(h.type == (want->ctrl1 & ctrl1_type_mask), "outbound type %u", h.type);
            }
        } else { // inbound translation
            const std::uint64_t a = pick_addr(1);
            const int bar = in.ConsumeIntegralInRange<int>(-1, 6);
            const std::uint64_t bar_offset = in.ConsumeIntegralInRange<std::uint64_t>(0, 1u << 20);
            const unsigned fn = in.ConsumeIntegralInRange<unsigned>(0, 31);
            static const unsigned tlp_types[] = {type_mem, type_io, type_cfg0, type_cfg1, type_msg};
            const unsigned tt = in.ConsumeBool() ? type_mem : in.PickValueInArray(tlp_types);
            const iatu_hit h = atu.translate_inbound(a, bar, bar_offset, fn, tt);
            const sregion* want = nullptr;
            unsigned wi = 0;
            std::uint64_t t = 0;
            for (unsigned i = 0; i < sh.r[1].size() && !want; ++i) {
                const sregion& x = sh.r[1][i];
                if (!x.enabled() || (x.ctrl1 & 0x1Fu) != tt) continue;
                if ((x.ctrl2 & ctrl2_func_num_match) &&
                    ((x.ctrl1 >> ctrl1_func_num_shift) & 0x1Fu) != fn)
                    continue;
                if (x.ctrl2 & ctrl2_bar_mode) {
                    if (bar < 0 || static_cast<int>((x.ctrl2 >> ctrl2_bar_shift) & 7u) != bar)
                        continue;
                    t = x.target() + bar_offset;
                } else {
                    if (a < x.base() || a > x.limit(sh.p.region_limit)) continue;
                    t = x.target() + (a - x.base());
                }
                want = &x;
                wi = i;
            }
            FUZZ_CHECK(h.hit == (want != nullptr),
                       "inbound 0x%016" PRIx64 " bar %d fn %u type %u: hit %d, shadow %d", a, bar,
                       fn, tt, h.hit, want != nullptr);
            if (h.hit) {
                const iatu_region* r = atu.region(iatu_dir::inbound, h.index);
                FUZZ_CHECK(r && r->enabled(), "inbound hit on a disabled region %u", h.index);
                if (!(r->ctrl2 & ctrl2_bar_mode))
                    FUZZ_CHECK(a >= r->base() && a <= r->limit(p.region_limit),
                               "inbound 0x%016" PRIx64 " hit region %u outside [base, limit]", a,
                               h.index);
                FUZZ_CHECK(h.index == wi, "inbound 0x%016" PRIx64 ": region %u, lowest is %u", a,
                           h.index, wi);
                FUZZ_CHECK(h.address == t,
                           "inbound 0x%016" PRIx64 " -> 0x%016" PRIx64 ", expected 0x%016" PRIx64,
                           a, h.address, t);
                FUZZ_CHECK(h.type == (want->ctrl1 & ctrl1_type_mask), "inbound type %u", h.type);
            }
        }
        FUZZ_CHECK(atu.read_viewport() == (p.unrolled ? 0xFFFFFFFFu : sh.viewport),
                   "viewport reads 0x%08x, shadow 0x%08x", atu.read_viewport(), sh.viewport);
    }
    check_regs("at the end");
    return 0;
}

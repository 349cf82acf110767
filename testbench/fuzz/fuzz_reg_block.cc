// libFuzzer harness: model/core/reg_block driven by the DWC DBI / DBI2 tables of
// model/dwc/dbi_regs. A fuzzed controller configuration picks the table; a fuzzed sequence of
// wire writes, DBI writes (with and without DBI_RO_WR_EN), hardware updates (set32), reads and
// cold/warm resets runs against the block and against a shadow model that knows only the
// table's rules:
//   - a write changes only bits inside its byte lanes that the writer may write (rw; dbi_rw for
//     the DBI; ro_wr only for the DBI while RO_WR_EN is set) or W1C bits, and never sets a W1C
//     bit;
//   - writing 1 to a W1C bit clears it; RO bits never change through wire writes;
//   - without hardware updates a register only ever holds reset | rw | dbi_rw | ro_wr bits;
//   - offsets no entry covers read 0 and reject writes;
//   - reset(false) restores the non-sticky registers and leaves the sticky ones alone;
//   - a write hook sees exactly (offset, old, new) of the shadow.
// The table itself is checked too: 4-byte aligned unique offsets, fields inside 32 bits.
#include "testbench/fuzz/fuzz_check.h"

#include "model/core/reg_block.h"
#include "model/dwc/dbi_regs.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace epvp;
using namespace epvp::dwc;

namespace {

bar_hw fuzz_bar(FuzzedDataProvider& in) {
    bar_hw b;
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
        b.kind = bar_kind::programmable;
        break;
    case 1:
        b.kind = bar_kind::fixed;
        b.fixed_size = std::uint64_t{1} << in.ConsumeIntegralInRange<unsigned>(7, 31);
        break;
    case 2:
        b.kind = bar_kind::resizable;
        break;
    default:
        b.kind = bar_kind::reserved;
        break;
    }
    b.only_64bit = in.ConsumeBool();
    return b;
}

// The controller configurations the platform can build (testbench/config ranges).
dbi_params fuzz_params(FuzzedDataProvider& in) {
    static const unsigned widths[] = {1, 2, 4, 8, 16};
    static const unsigned mps[] = {128, 256, 512, 1024, 2048, 4096};
    dbi_params p;
    if (in.ConsumeBool()) {
        p.version_number = in.ConsumeIntegral<std::uint32_t>() | 1u;
        p.version_type = in.ConsumeIntegral<std::uint32_t>();
    }
    p.max_gen = in.ConsumeIntegralInRange<unsigned>(1, 6);
    p.max_width = in.PickValueInArray(widths);
    p.mps_supported_bytes = in.PickValueInArray(mps);
    for (auto& b : p.bars)
        b = fuzz_bar(in);
    return p;
}

struct shadow_reg {
    reg_def def;
    std::uint32_t value = 0;
    bool hw_touched = false; // set32 wrote it: the "allowed bits" check no longer applies
};

struct hook_call {
    std::uint32_t offset, old_value, new_value;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const dbi_params params = fuzz_params(in);
    const bool shadow2 = in.ConsumeBool(); // the DBI2 (BAR mask) table instead
    std::vector<reg_def> table = shadow2 ? dbi2_table(params) : dbi_table(params);

    // Table sanity.
    std::map<std::uint32_t, shadow_reg> shadow;
    std::uint32_t top = 0;
    for (const auto& d : table) {
        FUZZ_CHECK(d.offset % 4 == 0, "register %s at unaligned offset 0x%x", d.name, d.offset);
        FUZZ_CHECK(shadow.count(d.offset) == 0, "two registers at offset 0x%x (%s)", d.offset,
                   d.name);
        for (const auto& f : d.fields)
            FUZZ_CHECK(f.width > 0 && f.lsb + f.width <= 32, "%s.%s outside 32 bits", d.name,
                       f.name);
        shadow[d.offset] = shadow_reg{d, d.reset, false};
        top = std::max(top, d.offset + 4);
    }

    reg_block blk("DBI", table);
    std::vector<hook_call> calls;
    for (const auto& d : table)
        if (in.ConsumeBool())
            blk.on_write(d.offset, [&calls](std::uint32_t o, std::uint32_t a, std::uint32_t b) {
                calls.push_back({o, a, b});
            });

    auto check_all = [&](const char* when) {
        for (const auto& [off, s] : shadow) {
            const std::uint32_t got = blk.read32(off);
            FUZZ_CHECK(got == s.value, "%s: %s @0x%x reads 0x%08x, shadow 0x%08x", when, s.def.name,
                       off, got, s.value);
            if (!s.hw_touched) {
                const std::uint32_t allowed = s.def.reset | s.def.rw | s.def.dbi_rw | s.def.ro_wr;
                FUZZ_CHECK((got & ~allowed) == 0,
                           "%s: %s @0x%x = 0x%08x has bits outside reset|rw|dbi_rw|ro_wr 0x%08x",
                           when, s.def.name, off, got, allowed);
            }
        }
    };
    check_all("after construction");

    // Offsets: mostly table registers (any byte lane), sometimes anywhere in and past the table.
    auto pick_offset = [&]() -> std::uint32_t {
        if (in.ConsumeIntegralInRange<int>(0, 7) != 0) {
            auto it = shadow.begin();
            std::advance(it, in.ConsumeIntegralInRange<std::size_t>(0, shadow.size() - 1));
            return it->first | in.ConsumeIntegralInRange<std::uint32_t>(0, 3);
        }
        return in.ConsumeIntegralInRange<std::uint32_t>(0, top + 0x100);
    };

    unsigned ops = 0;
    while (in.remaining_bytes() > 0 && ops++ < 512) {
        const int op = in.ConsumeIntegralInRange<int>(0, 9);
        if (op <= 5) { // a software write: wire or DBI, 1/2/4 bytes
            const std::uint32_t addr = pick_offset();
            static const unsigned lens[] = {1, 2, 4};
            const unsigned len = in.PickValueInArray(lens);
            const std::uint32_t mask = byte_lane_mask(addr, len);
            const std::uint32_t value = in.ConsumeIntegral<std::uint32_t>();
            const reg_writer who = (op & 1) ? reg_writer::dbi : reg_writer::wire;
            const bool ro_wr_en = in.ConsumeBool();
            const std::uint32_t reg = addr & ~3u;
            calls.clear();
            const bool ok = blk.write32(addr, value, mask, who, ro_wr_en);
            auto it = shadow.find(reg);
            FUZZ_CHECK(ok == (it != shadow.end()), "write32(0x%x) returned %d, table has it: %d",
                       addr, ok, it != shadow.end());
            if (it == shadow.end()) {
                FUZZ_CHECK(blk.read32(reg) == 0, "unmapped 0x%x reads 0x%08x", reg,
                           blk.read32(reg));
                FUZZ_CHECK(calls.empty(), "hook called for unmapped 0x%x", reg);
                continue;
            }
            shadow_reg& s = it->second;
            const reg_def& d = s.def;
            const std::uint32_t old = s.value;
            const std::uint32_t got = blk.read32(reg);
            // Which bits this writer may change, from the table's rules alone.
            std::uint32_t may = d.rw;
            if (who == reg_writer::dbi) may |= d.dbi_rw;
            if (who == reg_writer::dbi && ro_wr_en) may |= d.ro_wr;
            may &= mask;
            std::uint32_t expect = 0;
            for (unsigned bit = 0; bit < 32; ++bit) {
                const std::uint32_t b = 1u << bit;
                bool v = old & b;
                if ((mask & b) && (d.w1c & b) && (value & b))
                    v = false; // write 1 to clear
                else if (may & b)
                    v = value & b;
                if (v) expect |= b;
            }
            const char* wname = who == reg_writer::dbi ? "DBI" : "wire";
            FUZZ_CHECK(got == expect,
                       "%s write %s @0x%x value 0x%08x mask 0x%08x ro_wr_en %d: old 0x%08x, "
                       "got 0x%08x, expected 0x%08x",
                       wname, d.name, addr, value, mask, ro_wr_en, old, got, expect);
            const std::uint32_t changed = got ^ old;
            FUZZ_CHECK((changed & ~mask) == 0, "%s write changed bits outside its byte lanes",
                       d.name);
            FUZZ_CHECK((got & ~old & d.w1c) == 0, "%s write set W1C bits of %s: 0x%08x -> 0x%08x",
                       wname, d.name, old, got);
            if (who == reg_writer::wire)
                FUZZ_CHECK((changed & ~(d.rw | d.w1c)) == 0,
                           "wire write changed read-only bits of %s: 0x%08x -> 0x%08x", d.name, old,
                           got);
            else if (!ro_wr_en)
                FUZZ_CHECK((changed & d.ro_wr & ~(d.rw | d.dbi_rw | d.w1c)) == 0,
                           "DBI write without RO_WR_EN changed RO bits of %s", d.name);
            // The hook, if any, saw this write.
            if (!calls.empty()) {
                FUZZ_CHECK(calls.size() == 1 && calls[0].offset == reg &&
                               calls[0].old_value == old && calls[0].new_value == got,
                           "hook of %s saw (0x%x, 0x%08x, 0x%08x), expected (0x%x, 0x%08x, "
                           "0x%08x)",
                           d.name, calls[0].offset, calls[0].old_value, calls[0].new_value, reg,
                           old, got);
            }
            s.value = expect;
        } else if (op == 6) { // hardware-side update
            const std::uint32_t addr = pick_offset();
            const std::uint32_t value = in.ConsumeIntegral<std::uint32_t>();
            if (in.ConsumeBool()) {
                blk.set32(addr, value);
                auto it = shadow.find(addr & ~3u);
                if (it != shadow.end()) {
                    it->second.value = value;
                    it->second.hw_touched = true;
                }
            } else {
                const std::uint32_t m = in.ConsumeIntegral<std::uint32_t>();
                blk.set_bits(addr, m, value);
                auto it = shadow.find(addr & ~3u);
                if (it != shadow.end()) {
                    it->second.value = (it->second.value & ~m) | (value & m);
                    it->second.hw_touched = true;
                }
            }
        } else if (op == 7) { // reset
            const bool cold = in.ConsumeBool();
            std::map<std::uint32_t, std::uint32_t> before;
            for (const auto& [off, s] : shadow)
                before[off] = s.value;
            blk.reset(cold);
            for (auto& [off, s] : shadow) {
                const std::uint32_t got = blk.read32(off);
                if (cold || !s.def.sticky) {
                    FUZZ_CHECK(got == s.def.reset, "%s reset: %s = 0x%08x, reset value 0x%08x",
                               cold ? "cold" : "warm", s.def.name, got, s.def.reset);
                    s.value = s.def.reset;
                    s.hw_touched = false;
                } else {
                    FUZZ_CHECK(got == before[off], "warm reset changed sticky %s: 0x%08x -> 0x%08x",
                               s.def.name, before[off], got);
                }
            }
        } else if (op == 8) { // lookups
            const std::uint32_t addr = pick_offset();
            const reg_def* d = blk.find(addr);
            const bool in_table = addr % 4 == 0 && shadow.count(addr);
            FUZZ_CHECK((d != nullptr) == in_table, "find(0x%x) = %p", addr,
                       static_cast<const void*>(d));
            if (d)
                FUZZ_CHECK(d->offset == addr, "find(0x%x) returned %s at 0x%x", addr, d->name,
                           d->offset);
            FUZZ_CHECK(blk.has(addr) == (shadow.count(addr & ~3u) != 0), "has(0x%x)", addr);
            const std::string text = blk.decode(addr, in.ConsumeIntegral<std::uint32_t>());
            FUZZ_CHECK(text.rfind("DBI.", 0) == 0, "decode(0x%x) = '%s'", addr, text.c_str());
        } else { // byte-lane helpers
            const std::uint32_t addr = in.ConsumeIntegral<std::uint32_t>();
            const unsigned len = in.ConsumeIntegralInRange<unsigned>(1, 4);
            const std::uint32_t m = byte_lane_mask(addr, len);
            std::uint32_t expect = 0;
            for (unsigned i = 0; i < len; ++i)
                if ((addr & 3u) + i < 4) expect |= 0xFFu << (8 * ((addr & 3u) + i));
            FUZZ_CHECK(m == expect, "byte_lane_mask(0x%x, %u) = 0x%08x, expected 0x%08x", addr, len,
                       m, expect);
            FUZZ_CHECK(lane_shift(addr) == (addr & 3u) * 8, "lane_shift(0x%x)", addr);
        }
        check_all("after an operation");
    }
    return 0;
}

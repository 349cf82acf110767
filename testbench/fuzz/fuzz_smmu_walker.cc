// libFuzzer harness: model/soc/smmu_walker. The fuzzer writes the physical memory the walker
// reads (stream table, STEs, CDs, page tables: any bytes at all, in a small window where table
// pointers are likely to land), chooses the stream-table format and IOTLB / walk-cache sizes, and
// runs a sequence of translations, invalidations and memory writes. Invariants:
//   - nothing crashes, every read stays a read (the walker never writes memory);
//   - a translation answers a fault, an abort, a bypass or an address, never two of them; a fault
//     carries a known event ID and a reason; a translated address keeps the input's offset inside
//     the page or block it reports, and the page size is 4 KiB, 2 MiB or 1 GiB;
//   - the caches never change an answer: while nothing was written since the last full
//     invalidation (CFGI_ALL + TLBI_ALL), a cached walker answers exactly what a fresh walker with
//     no caches answers for the same access;
//   - after any sequence, TLBI_ALL + CFGI_ALL bring it back in line with a fresh walker.
#include "testbench/fuzz/fuzz_check.h"

#include "model/soc/smmu_regs.h"
#include "model/soc/smmu_walker.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cinttypes>
#include <cstdint>
#include <map>

using namespace epvp::soc::smmuv3;

namespace {

constexpr std::uint64_t window_base = 0x8000'0000;
constexpr unsigned window_words = 1u << 13; // 64 KiB of interesting memory
constexpr unsigned max_ops = 256;

struct memory {
    std::map<std::uint64_t, std::uint64_t> words;
    std::uint64_t abort_page = ~0ull; // reads in this 4 KiB page fail (external abort)
    std::uint64_t reads = 0;
    read64_fn reader() {
        return [this](std::uint64_t a, std::uint64_t& v) {
            ++reads;
            FUZZ_CHECK(a % sizeof(std::uint64_t) == 0, "unaligned descriptor read at 0x%" PRIx64,
                       a);
            if ((a & ~0xFFFull) == abort_page) return false;
            auto it = words.find(a);
            v = it == words.end() ? 0 : it->second;
            return true;
        };
    }
};

bool known_event(std::uint8_t id) {
    switch (id) {
    case evt::C_BAD_STREAMID:
    case evt::F_STE_FETCH:
    case evt::C_BAD_STE:
    case evt::F_CD_FETCH:
    case evt::C_BAD_CD:
    case evt::F_WALK_EABT:
    case evt::F_TRANSLATION:
    case evt::F_ADDR_SIZE:
    case evt::F_ACCESS:
    case evt::F_PERMISSION:
        return true;
    default:
        return false;
    }
}

void check_shape(const translation& t, std::uint64_t iova) {
    FUZZ_CHECK(!(t.fault && !t.abort), "fault 0x%x without abort", t.fault);
    FUZZ_CHECK(!(t.bypass && t.abort), "bypass and abort at once");
    if (t.fault) {
        FUZZ_CHECK(known_event(t.fault), "unknown event ID 0x%x", t.fault);
        FUZZ_CHECK(!t.why.empty(), "fault 0x%x without a reason", t.fault);
    }
    if (t.bypass) FUZZ_CHECK(t.pa == iova, "bypass changed the address");
    if (!t.abort && !t.bypass) {
        FUZZ_CHECK(t.page_shift == 12 || t.page_shift == 21 || t.page_shift == 30, "page shift %u",
                   t.page_shift);
        const std::uint64_t mask = (1ull << t.page_shift) - 1;
        FUZZ_CHECK((t.pa & mask) == (iova & mask), "offset lost: iova 0x%" PRIx64 " pa 0x%" PRIx64,
                   iova, t.pa);
        FUZZ_CHECK((t.pa >> 48) == 0, "output address 0x%" PRIx64 " beyond 48 bits", t.pa);
    }
}

bool same(const translation& a, const translation& b) {
    return a.fault == b.fault && a.abort == b.abort && a.bypass == b.bypass &&
           (a.abort || a.pa == b.pa) && (a.abort || a.bypass || a.page_shift == b.page_shift);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    memory mem;
    walker_params wp;
    wp.tlb_entries = in.ConsumeIntegralInRange<unsigned>(0, 8);
    wp.walk_cache_entries = in.ConsumeIntegralInRange<unsigned>(0, 4);
    walker cached(wp);
    const std::uint64_t strtab = window_base + (in.ConsumeIntegral<std::uint16_t>() & ~0x3Full);
    std::uint32_t cfg = in.ConsumeIntegral<std::uint32_t>() & 0x0003073Fu;
    cached.set_stream_table(strtab, cfg);
    // Initial memory: words anywhere in the window, likely pointers back into it.
    const unsigned initial = in.ConsumeIntegralInRange<unsigned>(0, 512);
    for (unsigned i = 0; i < initial && in.remaining_bytes(); ++i) {
        const std::uint64_t a =
            window_base + in.ConsumeIntegralInRange<unsigned>(0, window_words - 1) * 8;
        std::uint64_t v = in.ConsumeIntegral<std::uint64_t>();
        if (in.ConsumeBool()) v = (v & 0xFFF) | (window_base + (v >> 12) % (window_words * 8));
        mem.words[a] = v;
    }
    // Most inputs start from well-formed structures (a 2-level stream table, an STE, a CD and a
    // table chain for a few IOVAs) that the fuzzed words then corrupt, so walks get deep.
    if (in.ConsumeIntegralInRange<unsigned>(0, 3) != 0) {
        cfg = (16u << strtab_cfg::LOG2SIZE_lsb) | (8u << strtab_cfg::SPLIT_lsb) |
              (strtab_cfg::FMT_2lvl << strtab_cfg::FMT_lsb);
        cached.set_stream_table(strtab, cfg);
        const std::uint64_t l2 = window_base + 0x2000, cd = window_base + 0x3000,
                            ttb0 = window_base + 0x4000;
        for (unsigned bus = 0; bus < 4; ++bus)
            mem.words[strtab + bus * l1std_bytes] = l2 | 9; // SPAN 9: 256 STEs
        const unsigned devfn = in.ConsumeIntegralInRange<unsigned>(0, 7);
        mem.words[l2 + devfn * ste_bytes] = ste::V | (ste::CONFIG_s1 << ste::CONFIG_lsb) | cd;
        mem.words[l2 + (devfn ^ 1) * ste_bytes] = ste::V | (ste::CONFIG_bypass << ste::CONFIG_lsb);
        mem.words[cd] = 16 | cd::V | (5ull << cd::IPS_lsb) | cd::AA64 |
                        (std::uint64_t{in.ConsumeIntegral<std::uint16_t>()} << cd::ASID_lsb);
        mem.words[cd + 8] = ttb0;
        std::uint64_t next_table = window_base + 0x5000;
        const unsigned mappings = in.ConsumeIntegralInRange<unsigned>(1, 8);
        for (unsigned m = 0; m < mappings; ++m) {
            const std::uint64_t iova =
                in.ConsumeIntegral<std::uint64_t>() & 0x0000'7FFF'FFFF'F000ull;
            const unsigned leaf = in.ConsumeIntegralInRange<unsigned>(1, 3); // 1 GiB, 2 MiB, 4 KiB
            std::uint64_t table = ttb0;
            for (unsigned level = 0; level < leaf; ++level) {
                const std::uint64_t slot = table + ((iova >> (39 - 9 * level)) & 511) * 8;
                std::uint64_t d = mem.words[slot];
                if (!(d & pte::VALID) || !(d & pte::TABLE) || next_table >= window_base + 0x10000) {
                    if (next_table >= window_base + 0x10000) break;
                    d = next_table | pte::VALID | pte::TABLE;
                    next_table += 0x1000;
                    mem.words[slot] = d;
                }
                table = d & pte::OA_mask;
            }
            const std::uint64_t attrs =
                in.ConsumeIntegral<std::uint8_t>() & (pte::AP1_UNPRIV | pte::AP2_RDONLY);
            mem.words[table + ((iova >> (39 - 9 * leaf)) & 511) * 8] =
                (in.ConsumeIntegral<std::uint64_t>() & pte::OA_mask) | pte::VALID |
                (leaf == 3 ? pte::TABLE : 0) | pte::AF | attrs;
        }
    }
    if (in.ConsumeBool())
        mem.abort_page = window_base + in.ConsumeIntegralInRange<unsigned>(0, 15) * 0x1000;
    const auto rd = mem.reader();
    bool clean = true; // no memory write since the last full invalidation
    for (unsigned op = 0; op < max_ops && in.remaining_bytes(); ++op) {
        switch (in.ConsumeIntegralInRange<unsigned>(0, 7)) {
        case 0:
        case 1:
        case 2: { // translate
            const std::uint32_t sid = in.ConsumeBool() ? in.ConsumeIntegral<std::uint8_t>()
                                                       : in.ConsumeIntegral<std::uint32_t>();
            std::uint64_t iova = in.ConsumeIntegral<std::uint64_t>();
            if (in.ConsumeBool()) iova &= 0x0000'003F'FFFF'FFFFull;
            const bool write = in.ConsumeBool(), priv = in.ConsumeBool();
            const std::size_t words_before = mem.words.size();
            const translation t = cached.translate(sid, iova, write, priv, rd);
            FUZZ_CHECK(mem.words.size() == words_before, "the walker created memory");
            check_shape(t, iova);
            if (clean) {
                walker fresh(walker_params{0, 0, wp.sid_bits, wp.oas_bits});
                fresh.set_stream_table(strtab, cfg);
                const translation f = fresh.translate(sid, iova, write, priv, rd);
                FUZZ_CHECK(same(t, f),
                           "cached and fresh walkers disagree for sid 0x%x iova 0x%" PRIx64
                           ": fault 0x%x/0x%x pa 0x%" PRIx64 "/0x%" PRIx64,
                           sid, iova, t.fault, f.fault, t.pa, f.pa);
            }
            break;
        }
        case 3: { // software changes memory (without invalidating)
            const std::uint64_t a =
                window_base + in.ConsumeIntegralInRange<unsigned>(0, window_words - 1) * 8;
            mem.words[a] = in.ConsumeIntegral<std::uint64_t>();
            clean = false;
            break;
        }
        case 4:
            cached.tlbi_va(in.ConsumeIntegral<std::uint16_t>(), in.ConsumeIntegral<std::uint64_t>(),
                           in.ConsumeBool());
            break;
        case 5:
            cached.tlbi_asid(in.ConsumeIntegral<std::uint16_t>());
            break;
        case 6:
            cached.cfgi_ste(in.ConsumeIntegral<std::uint32_t>());
            break;
        default: // full invalidation
            cached.tlbi_all();
            cached.cfgi_all();
            clean = true;
            break;
        }
        FUZZ_CHECK(cached.tlb_size() <= wp.tlb_entries, "IOTLB holds %zu > %u entries",
                   cached.tlb_size(), wp.tlb_entries);
    }
    return 0;
}

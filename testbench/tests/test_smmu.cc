// Tests of the SMMUv3 model (model/soc/smmu_walker, model/soc/smmu).
//
// The walker is checked against a reference table walk written here from the architecture
// (VMSAv8-64, 4 KiB granule), over random mappings of pages, 2 MiB and 1 GiB blocks, partial
// unmaps that split blocks, and invalidations. Page tables are built by a table writer in this
// file, not by any code under test. The SystemC module is checked for its programming interface,
// command queue (SYNC, illegal command), event queue (records, overflow, interrupt), the AXI
// responses of faulting accesses, bypass/abort when disabled, and that it offers no DMI; one
// test case (and one SMMU instance) per behaviour.
#define BOOST_TEST_MODULE smmu
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/core/log.h"
#include "model/core/sparse_memory.h"
#include "model/soc/smmu.h"
#include "model/soc/smmu_regs.h"
#include "model/soc/smmu_walker.h"
#include "model/soc/soc_attr.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <utility>

using namespace epvp;
using namespace epvp::soc;

namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr std::uint64_t page = 4 * KiB, block2m = 2 * MiB;

// ---- A word-addressed physical memory and a table writer ------------------------------------

struct phys_mem {
    std::map<std::uint64_t, std::uint64_t> words;
    std::set<std::uint64_t> faulty; // reads here fail (external abort)
    std::uint64_t next_table = 0x1000'0000;
    std::uint64_t get(std::uint64_t a) const {
        auto it = words.find(a);
        return it == words.end() ? 0 : it->second;
    }
    void put(std::uint64_t a, std::uint64_t v) { words[a] = v; }
    std::uint64_t alloc_table() {
        const std::uint64_t t = next_table;
        next_table += page;
        return t;
    }
    smmuv3::read64_fn reader() {
        return [this](std::uint64_t a, std::uint64_t& v) {
            if (faulty.count(a & ~(page - 1))) return false;
            v = get(a);
            return true;
        };
    }
};

// Descriptor bits, written from the architecture (independent of smmu_regs.h).
constexpr std::uint64_t d_valid = 1, d_table = 2, d_ap_el0 = 1ull << 6, d_ap_ro = 1ull << 7,
                        d_af = 1ull << 10;
constexpr std::uint64_t oa_bits = 0x0000FFFFFFFFF000ull;

struct stream_setup {
    std::uint64_t strtab = 0x0100'0000, l2 = 0x0100'1000, cd = 0x0100'8000, ttb0 = 0;
    std::uint16_t asid = 7;
};

// 2-level stream table, SPLIT 8, every L1 descriptor pointing at one shared L2 table;
// devfn `fn` translates through one CD; other STEs abort.
stream_setup make_stream(phys_mem& m, unsigned fn, std::uint16_t asid = 7, unsigned t0sz = 16) {
    stream_setup s;
    s.asid = asid;
    s.ttb0 = m.alloc_table();
    for (unsigned b = 0; b < 256; ++b)
        m.put(s.strtab + b * 8, s.l2 | 9); // SPAN 9: 256 STEs
    for (unsigned d = 0; d < 256; ++d)
        m.put(s.l2 + d * 64, 1 | (0ull << 1));     // V, abort
    m.put(s.l2 + fn * 64, 1 | (5ull << 1) | s.cd); // V, stage 1
    const std::uint64_t cd0 = t0sz | (0ull << 6) | (1ull << 31) | (5ull << 32) | (1ull << 41) |
                              (static_cast<std::uint64_t>(asid) << 48);
    m.put(s.cd, cd0);
    m.put(s.cd + 8, s.ttb0);
    return s;
}
constexpr std::uint32_t strtab_cfg_2lvl_split8 = 16 | (8u << 6) | (1u << 16);

// Installs a leaf for [va, va + size) at the level its size implies (4 KiB, 2 MiB, 1 GiB).
void map_leaf(phys_mem& m, std::uint64_t ttb0, std::uint64_t va, std::uint64_t pa,
              std::uint64_t size, std::uint64_t attrs) {
    const unsigned leaf_level = size == page ? 3 : size == block2m ? 2 : 1;
    std::uint64_t table = ttb0;
    for (unsigned level = 0; level < leaf_level; ++level) {
        const unsigned shift = 39 - 9 * level;
        const std::uint64_t slot = table + ((va >> shift) & 511) * 8;
        std::uint64_t d = m.get(slot);
        if (!(d & d_valid)) {
            d = m.alloc_table() | d_valid | d_table;
            m.put(slot, d);
        }
        BOOST_REQUIRE_MESSAGE(d & d_table, "test setup: mapping over a block");
        table = d & oa_bits;
    }
    const unsigned shift = 39 - 9 * leaf_level;
    m.put(table + ((va >> shift) & 511) * 8,
          pa | d_valid | (leaf_level == 3 ? d_table : 0) | d_af | attrs);
}

// The descriptor slot of the leaf that maps va, or nullopt.
std::optional<std::uint64_t> leaf_slot(const phys_mem& m, std::uint64_t ttb0, std::uint64_t va,
                                       unsigned* level_out = nullptr) {
    std::uint64_t table = ttb0;
    for (unsigned level = 0; level < 4; ++level) {
        const unsigned shift = 39 - 9 * level;
        const std::uint64_t slot = table + ((va >> shift) & 511) * 8;
        const std::uint64_t d = m.get(slot);
        if (!(d & d_valid)) return std::nullopt;
        if (level < 3 && (d & d_table)) {
            table = d & oa_bits;
            continue;
        }
        if (level_out) *level_out = level;
        return slot;
    }
    return std::nullopt;
}

// Reference walk: the physical address and whether writes are allowed, or nullopt.
struct ref_result {
    std::uint64_t pa;
    bool writable;
};
std::optional<ref_result> reference_walk(const phys_mem& m, std::uint64_t ttb0, std::uint64_t va) {
    unsigned level = 0;
    auto slot = leaf_slot(m, ttb0, va, &level);
    if (!slot) return std::nullopt;
    const std::uint64_t d = m.get(*slot);
    if (level == 0 || (level == 3 && !(d & d_table))) return std::nullopt;
    if (!(d & d_af) || !(d & d_ap_el0)) return std::nullopt;
    const unsigned shift = 39 - 9 * level + 0;
    const std::uint64_t size = 1ull << (shift);
    return ref_result{(d & oa_bits & ~(size - 1)) | (va & (size - 1)), !(d & d_ap_ro)};
}

// Replaces the 2 MiB block mapping va by a table of 512 pages with the same translation.
void split_block(phys_mem& m, std::uint64_t ttb0, std::uint64_t va) {
    unsigned level = 0;
    auto slot = leaf_slot(m, ttb0, va, &level);
    BOOST_REQUIRE(slot && level == 2);
    const std::uint64_t d = m.get(*slot);
    const std::uint64_t attrs = d & (d_ap_el0 | d_ap_ro);
    const std::uint64_t base_pa = d & oa_bits & ~(block2m - 1);
    const std::uint64_t t = m.alloc_table();
    for (unsigned i = 0; i < 512; ++i)
        m.put(t + i * 8, (base_pa + i * page) | d_valid | d_table | d_af | attrs);
    m.put(*slot, t | d_valid | d_table);
}

struct quiet_log {
    quiet_log() { logger::get().set_stream(&sink); }
    ~quiet_log() { logger::get().set_stream(nullptr); }
    std::ostringstream sink;
};

// A stream made by make_stream (devfn fn, its ASID) and a walker with tlb_entries IOTLB entries
// and 4 walk-cache entries over the shared 2-level stream table, logging quietly.
struct walker_rig {
    quiet_log q;
    phys_mem m;
    stream_setup s;
    smmuv3::walker w;
    smmuv3::read64_fn rd;
    walker_rig(unsigned fn, unsigned tlb_entries, std::uint16_t asid = 7)
        : s(make_stream(m, fn, asid))
        , w(smmuv3::walker_params{tlb_entries, 4, 16, 48})
        , rd(m.reader()) {
        w.set_stream_table(s.strtab, strtab_cfg_2lvl_split8);
    }
};

} // namespace

// ---- Walker against the reference -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(walker_matches_reference_walk_for_random_mappings_blocks_and_unmaps) {
    quiet_log q;
    phys_mem m;
    const unsigned fn = 0;
    const stream_setup s = make_stream(m, fn);
    smmuv3::walker w(smmuv3::walker_params{32, 8, 16, 48});
    w.set_stream_table(s.strtab, strtab_cfg_2lvl_split8);
    std::mt19937_64 rng(1234);
    // Random, non-overlapping mappings: each in its own 2 MiB slot of a 4 GiB IOVA area
    // (slot 0 left out), plus one 1 GiB block above it.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks; // (iova, size)
    std::set<std::uint64_t> used_slots;
    auto free_slot = [&]() {
        for (;;) {
            const std::uint64_t slotn = 1 + rng() % 2047;
            if (used_slots.insert(slotn).second) return slotn * block2m;
        }
    };
    for (int i = 0; i < 40; ++i) { // 2 MiB blocks
        const std::uint64_t va = free_slot();
        const std::uint64_t pa = (0x8000'0000ull + (rng() % 512) * block2m);
        map_leaf(m, s.ttb0, va, pa, block2m, d_ap_el0 | ((rng() % 4 == 0) ? d_ap_ro : 0));
        blocks.push_back({va, block2m});
    }
    for (int i = 0; i < 60; ++i) { // slots filled with scattered pages
        const std::uint64_t va = free_slot();
        for (int k = 0; k < 24; ++k) {
            const std::uint64_t pva = va + (rng() % 512) * page;
            if (leaf_slot(m, s.ttb0, pva)) continue;
            const std::uint64_t pa = 0x8000'0000ull + (rng() % (1 << 18)) * page;
            map_leaf(m, s.ttb0, pva, pa, page, d_ap_el0 | ((rng() % 5 == 0) ? d_ap_ro : 0));
        }
    }
    map_leaf(m, s.ttb0, 8 * GiB, 16 * GiB, GiB, d_ap_el0); // a 1 GiB block
    const auto rd = m.reader();

    auto compare_all = [&](int samples, std::uint64_t& mapped_checked) {
        for (int i = 0; i < samples; ++i) {
            std::uint64_t va;
            switch (rng() % 3) {
            case 0: // inside a known block or page slot
                va = *std::next(used_slots.begin(), rng() % used_slots.size()) * block2m +
                     (rng() % block2m);
                break;
            case 1:
                va = 8 * GiB + rng() % GiB;
                break;
            default:
                va = rng() % (16 * GiB);
            }
            const bool write = rng() % 2;
            const auto ref = reference_walk(m, s.ttb0, va);
            const smmuv3::translation t = w.translate(fn, va, write, false, rd);
            const bool ref_ok = ref && (!write || ref->writable);
            BOOST_TEST_CONTEXT("va " << std::hex << va << (write ? " write" : " read")) {
                BOOST_TEST(!t.abort == ref_ok);
                if (ref_ok) {
                    BOOST_TEST(t.fault == 0);
                    BOOST_TEST(t.pa == ref->pa);
                    ++mapped_checked;
                } else if (ref) {
                    BOOST_TEST(t.fault == smmuv3::evt::F_PERMISSION);
                } else {
                    BOOST_TEST(t.fault == smmuv3::evt::F_TRANSLATION);
                }
            }
        }
    };
    std::uint64_t mapped = 0;
    compare_all(20000, mapped);
    BOOST_TEST(mapped > 5000u); // the samples exercised translations, not only faults
    BOOST_TEST(w.counters().tlb_hits > 0u);
    BOOST_TEST(w.counters().walk_cache_hits > 0u);

    // Partial unmaps: split half of the 2 MiB blocks, unmap pages inside them and inside the
    // page slots, each followed by the invalidation software would issue.
    for (std::size_t i = 0; i < blocks.size(); i += 2) {
        const std::uint64_t va = blocks[i].first;
        split_block(m, s.ttb0, va);
        w.tlbi_va(s.asid, va, true); // the block entry goes; the new table is reachable
        for (int k = 0; k < 8; ++k) {
            const std::uint64_t pva = va + (rng() % 512) * page;
            auto slot = leaf_slot(m, s.ttb0, pva);
            if (!slot) continue;
            m.put(*slot, 0);
            w.tlbi_va(s.asid, pva, true);
        }
    }
    for (std::uint64_t slotn : used_slots) {
        for (int k = 0; k < 4; ++k) {
            const std::uint64_t pva = slotn * block2m + (rng() % 512) * page;
            unsigned level = 0;
            auto slot = leaf_slot(m, s.ttb0, pva, &level);
            if (!slot || level != 3) continue;
            m.put(*slot, 0);
            w.tlbi_va(s.asid, pva, true);
        }
    }
    std::uint64_t mapped_after = 0;
    compare_all(20000, mapped_after);
    BOOST_TEST(mapped_after > 4000u);
}

BOOST_AUTO_TEST_CASE(without_invalidation_the_iotlb_keeps_the_old_translation) {
    walker_rig r(3, 8);
    phys_mem& m = r.m;
    const stream_setup& s = r.s;
    smmuv3::walker& w = r.w;
    const smmuv3::read64_fn& rd = r.rd;
    map_leaf(m, s.ttb0, 0x4000'0000, 0x9000'0000, page, d_ap_el0);
    const std::uint32_t sid = (5u << 8) | 3; // any bus, devfn 3
    BOOST_TEST(w.translate(sid, 0x4000'0010, false, false, rd).pa == 0x9000'0010u);
    m.put(*leaf_slot(m, s.ttb0, 0x4000'0000), 0); // unmapped in memory, not invalidated
    smmuv3::translation stale = w.translate(sid, 0x4000'0010, false, false, rd);
    BOOST_TEST(stale.tlb_hit);
    BOOST_TEST(stale.pa == 0x9000'0010u);
    w.tlbi_va(s.asid, 0x4000'0000, true);
    smmuv3::translation now = w.translate(sid, 0x4000'0010, false, false, rd);
    BOOST_TEST(now.fault == smmuv3::evt::F_TRANSLATION);
    // Invalidating another ASID changes nothing for this one.
    map_leaf(m, s.ttb0, 0x4000'0000, 0xA000'0000, page, d_ap_el0);
    BOOST_TEST(w.translate(sid, 0x4000'0000, false, false, rd).pa == 0xA000'0000u);
    m.put(*leaf_slot(m, s.ttb0, 0x4000'0000), 0);
    w.tlbi_asid(static_cast<std::uint16_t>(s.asid + 1));
    BOOST_TEST(w.translate(sid, 0x4000'0000, false, false, rd).pa == 0xA000'0000u);
    w.tlbi_all();
    BOOST_TEST(w.translate(sid, 0x4000'0000, false, false, rd).abort);
}

BOOST_AUTO_TEST_CASE(iotlb_is_lru_and_walk_cache_saves_levels) {
    phys_mem m;
    const stream_setup s = make_stream(m, 0);
    smmuv3::walker w(smmuv3::walker_params{4, 4, 16, 48});
    w.set_stream_table(s.strtab, strtab_cfg_2lvl_split8);
    for (unsigned i = 0; i < 6; ++i)
        map_leaf(m, s.ttb0, 0x1000'0000 + i * page, 0x8000'0000 + i * page, page, d_ap_el0);
    const auto rd = m.reader();
    // First touch: a full walk of four levels (plus the stream table, STE and CD reads).
    smmuv3::translation t0 = w.translate(0, 0x1000'0000, false, false, rd);
    BOOST_TEST(!t0.tlb_hit);
    BOOST_TEST(t0.table_reads == 4u);
    BOOST_TEST(t0.config_reads == 4u); // L1 descriptor, STE, CD (2 words)
    // A neighbouring page: the walk cache holds the level-3 table, one read.
    smmuv3::translation t1 = w.translate(0, 0x1000'1000, false, false, rd);
    BOOST_TEST(t1.table_reads == 1u);
    BOOST_TEST(t1.walk_cache_hits == 3u);
    BOOST_TEST(t1.config_reads == 0u); // the configuration is cached
    for (unsigned i = 2; i < 4; ++i)
        w.translate(0, 0x1000'0000 + i * page, false, false, rd);
    BOOST_TEST(w.tlb_size() == 4u);
    BOOST_TEST(w.translate(0, 0x1000'0000, false, false, rd).tlb_hit); // page 0 is now MRU
    w.translate(0, 0x1000'4000, false, false, rd);                     // evicts the LRU: page 1
    BOOST_TEST(!w.translate(0, 0x1000'1000, false, false, rd).tlb_hit);
    BOOST_TEST(w.translate(0, 0x1000'0000, false, false, rd).tlb_hit);
    BOOST_TEST(w.counters().tlb_misses == 6u);
    BOOST_TEST(w.counters().walks == 6u);
}

BOOST_AUTO_TEST_CASE(every_fault_kind_is_reported_with_its_event_id) {
    walker_rig r(1, 16);
    phys_mem& m = r.m;
    const stream_setup& s = r.s;
    smmuv3::walker& w = r.w;
    const smmuv3::read64_fn& rd = r.rd;
    map_leaf(m, s.ttb0, 0x10'0000, 0x8000'0000, page, d_ap_el0);
    map_leaf(m, s.ttb0, 0x20'0000, 0x8000'1000, page, d_ap_el0 | d_ap_ro);
    map_leaf(m, s.ttb0, 0x30'0000, 0x8000'2000, page, 0);                     // privileged only
    map_leaf(m, s.ttb0, 0x40'0000, 0x0001'0000'0000'0000ull, page, d_ap_el0); // beyond 48 bits
    map_leaf(m, s.ttb0, 0x50'0000, 0x8000'3000, page, d_ap_el0);
    *leaf_slot(m, s.ttb0, 0x50'0000);
    m.put(*leaf_slot(m, s.ttb0, 0x50'0000),
          (0x8000'3000ull | d_valid | d_table | d_ap_el0)); // AF 0

    BOOST_TEST(w.translate(1, 0x10'0008, true, false, rd).pa == 0x8000'0008u);
    BOOST_TEST(w.translate(1, 0x20'0000, false, false, rd).fault == 0);
    BOOST_TEST(w.translate(1, 0x20'0000, true, false, rd).fault == smmuv3::evt::F_PERMISSION);
    BOOST_TEST(w.translate(1, 0x30'0000, false, false, rd).fault == smmuv3::evt::F_PERMISSION);
    BOOST_TEST(w.translate(1, 0x30'0000, true, true, rd).fault == 0); // privileged: allowed
    BOOST_TEST(w.translate(1, 0x40'0000, false, false, rd).fault == smmuv3::evt::F_ADDR_SIZE);
    BOOST_TEST(w.translate(1, 0x50'0000, false, false, rd).fault == smmuv3::evt::F_ACCESS);
    BOOST_TEST(w.translate(1, 0x60'0000, false, false, rd).fault == smmuv3::evt::F_TRANSLATION);
    BOOST_TEST(w.translate(1, 1ull << 48, false, false, rd).fault == smmuv3::evt::F_TRANSLATION);
    // A table base beyond the 48-bit output address size (CD.IPS 5): address size fault, not a
    // walk of the table the low bits name.
    m.put(s.cd + 8, s.ttb0 | (1ull << 48));
    w.cfgi_ste(1);
    w.tlbi_all();
    BOOST_TEST(w.translate(1, 0x10'0008, false, false, rd).fault == smmuv3::evt::F_ADDR_SIZE);
    m.put(s.cd + 8, s.ttb0);
    w.cfgi_ste(1);
    // Stream table and configuration errors.
    BOOST_TEST(w.translate(2, 0x10'0000, false, false, rd).abort); // STE abort: no event
    BOOST_TEST(w.translate(2, 0x10'0000, false, false, rd).fault == 0);
    BOOST_TEST(w.translate(1u << 16, 0, false, false, rd).fault == smmuv3::evt::C_BAD_STREAMID);
    m.put(s.strtab + 9 * 8, s.l2 | 1); // bus 9: SPAN 1 covers devfn 0 only
    BOOST_TEST(w.translate((9u << 8) | 1, 0, false, false, rd).fault ==
               smmuv3::evt::C_BAD_STREAMID);
    m.put(s.l2 + 4 * 64, 0); // devfn 4: V = 0
    BOOST_TEST(w.translate(4, 0, false, false, rd).fault == smmuv3::evt::C_BAD_STE);
    m.put(s.l2 + 5 * 64, 1 | (6ull << 1)); // stage 2 requested
    BOOST_TEST(w.translate(5, 0, false, false, rd).fault == smmuv3::evt::C_BAD_STE);
    // Stage 1 with S1CDMax (bits 63:59) 1: substreams beyond SMMU_IDR1.SSIDSIZE 0 (Arm SMMUv3:
    // S1CDMax above SSIDSIZE makes the STE illegal).
    m.put(s.l2 + 5 * 64, 1 | (5ull << 1) | s.cd | (1ull << 59));
    w.cfgi_ste(5);
    BOOST_TEST(w.translate(5, 0, false, false, rd).fault == smmuv3::evt::C_BAD_STE);
    m.put(s.l2 + 6 * 64, 1 | (4ull << 1)); // bypass
    smmuv3::translation by = w.translate(6, 0x1234'5678, true, false, rd);
    BOOST_TEST(by.bypass);
    BOOST_TEST(by.pa == 0x1234'5678u);
    m.put(s.l2 + 7 * 64, 1 | (5ull << 1) | 0x0100'9000ull); // CD at 0x01009000: V = 0
    BOOST_TEST(w.translate(7, 0, false, false, rd).fault == smmuv3::evt::C_BAD_CD);
    // A descriptor read that aborts.
    map_leaf(m, s.ttb0, 0x7000'0000, 0x8000'4000, page, d_ap_el0);
    unsigned level = 0;
    const std::uint64_t l3_slot = *leaf_slot(m, s.ttb0, 0x7000'0000, &level);
    m.faulty.insert(l3_slot & ~(page - 1));
    BOOST_TEST(w.translate(1, 0x7000'0000, false, false, rd).fault == smmuv3::evt::F_WALK_EABT);
    BOOST_TEST(w.counters().faults >= 12u);
}

// A CFGI or TLBI that runs while a translation reads memory (a read can wait, and the command queue
// runs then) leaves nothing of what it removed: the SMMUv3 architecture completes an invalidation
// at the CMD_SYNC after it, so no later transaction may use the old STE or descriptor. Here the
// invalidation runs inside the read, as it would between the read's request and its answer.
BOOST_AUTO_TEST_CASE(an_invalidation_during_a_translation_leaves_nothing_stale) {
    walker_rig r(1, 16);
    phys_mem& m = r.m;
    const stream_setup& s = r.s;
    smmuv3::walker& w = r.w;
    map_leaf(m, s.ttb0, 0x1000'0000, 0x8000'0000, page, d_ap_el0);
    const std::uint64_t leaf = *leaf_slot(m, s.ttb0, 0x1000'0000);
    const auto plain = m.reader();
    std::function<void()> on_read; // runs once, during the read of `at`
    std::uint64_t at = 0;
    const smmuv3::read64_fn rd = [&](std::uint64_t a, std::uint64_t& v) {
        if (a == at && on_read) std::exchange(on_read, nullptr)();
        return plain(a, v);
    };
    // The STE becomes abort (CFGI_STE) while the CD is read.
    at = s.cd;
    on_read = [&] {
        m.put(s.l2 + 1 * 64, 1 | (0ull << 1));
        w.cfgi_ste(1);
    };
    BOOST_TEST(w.translate(1, 0x1000'0000, false, false, rd).abort);
    BOOST_TEST(w.translate(1, 0x1000'0000, false, false, rd).abort); // not a cached stage-1 STE
    // Stage 1 again; the leaf is unmapped (TLBI_VA) while the walk reads it.
    m.put(s.l2 + 1 * 64, 1 | (5ull << 1) | s.cd);
    w.cfgi_ste(1);
    at = leaf;
    on_read = [&] {
        m.put(leaf, 0);
        w.tlbi_va(s.asid, 0x1000'0000, true);
    };
    BOOST_TEST(w.translate(1, 0x1000'0000, false, false, rd).fault == smmuv3::evt::F_TRANSLATION);
    BOOST_TEST(w.translate(1, 0x1000'0000, false, false, rd).fault == smmuv3::evt::F_TRANSLATION);
    BOOST_TEST(w.tlb_size() == 0u);
}

// Hierarchical permissions (VMSAv8-64 stage 1; SMMU_IDR3.HAD is 0, so they always apply): a table
// descriptor's APTable, bits 62:61, limits every level below it. APTable[1] (bit 62) forbids
// writes, APTable[0] (bit 61) unprivileged access, whatever the leaf's AP says; a walk that
// starts from the walk cache keeps them.
BOOST_AUTO_TEST_CASE(a_table_descriptors_aptable_limits_the_pages_below) {
    walker_rig r(1, 16);
    phys_mem& m = r.m;
    const stream_setup& s = r.s;
    smmuv3::walker& w = r.w;
    const smmuv3::read64_fn& rd = r.rd;
    const std::uint64_t va = 0x1000'0000, va2 = 0x1000'1000; // two pages under one L3 table
    map_leaf(m, s.ttb0, va, 0x8000'0000, page, d_ap_el0);    // the leaf: read/write, EL0 too
    map_leaf(m, s.ttb0, va2, 0x8000'1000, page, d_ap_el0);
    // The level-2 descriptor that points at the L3 table of va (levels 0, 1, 2 from TTB0).
    std::uint64_t table = s.ttb0, l2_slot = 0;
    for (unsigned level = 0; level <= 2; ++level) {
        l2_slot = table + ((va >> (39 - 9 * level)) & 511) * 8;
        table = m.get(l2_slot) & oa_bits;
    }
    const std::uint64_t l2_desc = m.get(l2_slot);
    BOOST_TEST(w.translate(1, va, true, false, rd).fault == 0);

    m.put(l2_slot, l2_desc | (1ull << 62)); // APTable[1]: no writes below
    w.tlbi_all();
    BOOST_TEST(w.translate(1, va, false, false, rd).pa == 0x8000'0000u);
    BOOST_TEST(w.translate(1, va, true, false, rd).fault == smmuv3::evt::F_PERMISSION); // IOTLB
    BOOST_TEST(w.translate(1, va2, true, true, rd).fault ==
               smmuv3::evt::F_PERMISSION); // walk cache

    m.put(l2_slot, l2_desc | (1ull << 61)); // APTable[0]: no unprivileged access below
    w.tlbi_all();
    BOOST_TEST(w.translate(1, va, false, false, rd).fault == smmuv3::evt::F_PERMISSION);
    BOOST_TEST(w.translate(1, va, true, true, rd).pa == 0x8000'0000u);
    BOOST_TEST(w.translate(1, va2, false, false, rd).fault == smmuv3::evt::F_PERMISSION);
}

// An input address beyond T0SZ is a translation fault (Arm SMMUv3: CD.T0SZ bounds the input
// range) even when a cached translation has the same low bits: neither another ASID's IOTLB entry
// nor one of its own may answer it.
BOOST_AUTO_TEST_CASE(an_address_beyond_t0sz_never_meets_a_cached_translation) {
    walker_rig r(1, 16, 1); // devfn 1: ASID 1
    phys_mem& m = r.m;
    const stream_setup& s = r.s;
    smmuv3::walker& w = r.w;
    const smmuv3::read64_fn& rd = r.rd;
    // devfn 2: ASID 0, its own (empty) tables.
    const std::uint64_t cd2 = 0x0100'9000, ttb2 = m.alloc_table();
    m.put(s.l2 + 2 * 64, 1 | (5ull << 1) | cd2);
    m.put(cd2, 16 | (1ull << 31) | (5ull << 32) | (1ull << 41)); // T0SZ 16, V, IPS 48, AA64
    m.put(cd2 + 8, ttb2);
    map_leaf(m, s.ttb0, 0x1000'0000, 0x8000'0000, page, d_ap_el0);
    map_leaf(m, s.ttb0, 0x20'0000, 0x9000'0000, block2m, d_ap_el0);
    BOOST_TEST(w.translate(1, 0x1000'0000, false, false, rd).pa == 0x8000'0000u);
    BOOST_TEST(w.translate(1, 0x20'0000, false, false, rd).pa == 0x9000'0000u);
    // Cached now. Bit 60 beyond the 48-bit range (it once cancelled the ASID in the lookup).
    const smmuv3::translation other = w.translate(2, 0x1000'0000'1000'0000ull, false, false, rd);
    BOOST_TEST(other.fault == smmuv3::evt::F_TRANSLATION);
    BOOST_TEST(!other.tlb_hit);
    BOOST_TEST(w.translate(2, 0x1000'0000, false, false, rd).fault == smmuv3::evt::F_TRANSLATION);
    // Its own ASID: bits above the 2 MiB block's key.
    const smmuv3::translation own = w.translate(1, 0x0190'0000'0020'0000ull, false, false, rd);
    BOOST_TEST(own.fault == smmuv3::evt::F_TRANSLATION);
    BOOST_TEST(!own.tlb_hit);
    BOOST_TEST(w.translate(1, 0x20'0010, false, false, rd).pa == 0x9000'0010u);
}

// ---- The SystemC module ---------------------------------------------------------------------

namespace {

// DRAM stand-in: sparse memory with a fixed latency per access.
struct memory_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<memory_target> in{"in"}, in2{"in2"}; // data, walker
    sparse_memory mem{4 * GiB};
    sc_core::sc_time latency{50, sc_core::SC_NS};
    unsigned accesses = 0;
    explicit memory_target(sc_core::sc_module_name n)
        : sc_module(n) {
        in.register_b_transport(this, &memory_target::b_transport);
        in.register_transport_dbg(this, &memory_target::dbg);
        in2.register_b_transport(this, &memory_target::b_transport);
        in2.register_transport_dbg(this, &memory_target::dbg);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        ++accesses;
        dbg(gp);
        delay += latency;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    unsigned dbg(tlm::tlm_generic_payload& gp) {
        if (gp.is_read())
            mem.read(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
        else
            mem.write_masked(gp.get_address(), gp.get_data_ptr(), gp.get_data_length(),
                             gp.get_byte_enable_ptr(), gp.get_byte_enable_length());
        return gp.get_data_length();
    }
    void put64(std::uint64_t a, std::uint64_t v) { mem.write(a, &v, 8); }
    std::uint64_t get64(std::uint64_t a) {
        std::uint64_t v = 0;
        mem.read(a, &v, 8);
        return v;
    }
};

// The test's initiator: its thread runs a scenario when a test case starts it, then pauses the
// simulation so the case can check the outcome.
struct harness : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<harness> cpu{"cpu"}; // to the SMMU registers
    tlm_utils::simple_initiator_socket<harness> dev{"dev"}; // the controller's AXI master
    sc_core::sc_signal<bool> irq{"irq"};
    std::function<void(harness&)> scenario;
    sc_core::sc_event go;
    bool done = false;
    std::uint32_t cmd_prod = 0; // the command queue's PROD as software keeps it
    explicit harness(sc_core::sc_module_name n)
        : sc_module(n) {
        SC_HAS_PROCESS(harness);
        SC_THREAD(run);
    }
    void run() {
        wait(go);
        scenario(*this);
        done = true;
        sc_core::sc_pause();
    }
    tlm::tlm_response_status reg(bool write, std::uint64_t off, std::uint64_t& v, unsigned len) {
        tlm::tlm_generic_payload gp;
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(off);
        gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        sc_core::sc_time d;
        cpu->b_transport(gp, d);
        wait(d);
        return gp.get_response_status();
    }
    void w32(std::uint64_t off, std::uint32_t v) {
        std::uint64_t x = v;
        BOOST_REQUIRE(reg(true, off, x, 4) == tlm::TLM_OK_RESPONSE);
    }
    void w64(std::uint64_t off, std::uint64_t v) {
        BOOST_REQUIRE(reg(true, off, v, 8) == tlm::TLM_OK_RESPONSE);
    }
    std::uint32_t r32(std::uint64_t off) {
        std::uint64_t x = 0;
        BOOST_REQUIRE(reg(false, off, x, 4) == tlm::TLM_OK_RESPONSE);
        return static_cast<std::uint32_t>(x);
    }
    tlm::tlm_response_status access(bool write, std::uint64_t addr, void* data, unsigned len,
                                    std::uint32_t sid, sc_core::sc_time* took = nullptr,
                                    std::vector<unsigned char> be = {}) {
        soc_attr attr;
        attr.initiator = master::pcie_inbound;
        attr.stream_id = sid;
        tlm::tlm_generic_payload gp;
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        if (!be.empty()) {
            gp.set_byte_enable_ptr(be.data());
            gp.set_byte_enable_length(static_cast<unsigned>(be.size()));
        }
        gp.set_extension(&attr);
        sc_core::sc_time d;
        dev->b_transport(gp, d);
        gp.clear_extension(&attr);
        if (took) *took = d;
        wait(d);
        return gp.get_response_status();
    }
};

constexpr std::uint32_t device_sid = 0x0100;
constexpr std::uint64_t mapped_page_iova = 0x4000'0000, mapped_page_pa = 0x9000'0000;
constexpr std::uint64_t mapped_block_iova = 0x4020'0000, mapped_block_pa = 0xA000'0000;
constexpr std::uint64_t unmapped_iova = 0x7000'0000;

// An SMMU with its memory and initiator; the stream of function 0 installed with one page and
// one 2 MiB block mapped. One per behaviour, all built before the simulation starts (SystemC
// elaborates once per process).
struct rig {
    memory_target mem;
    smmu mmu;
    harness h;
    phys_mem tables;
    stream_setup s;
    explicit rig(const std::string& name, const smmu_params& p)
        : mem((name + "_mem").c_str())
        , mmu((name + "_smmu").c_str(), p)
        , h((name + "_h").c_str()) {
        h.cpu.bind(mmu.regs);
        h.dev.bind(mmu.tbu_in);
        mmu.tbu_out.bind(mem.in);
        mmu.mem.bind(mem.in2);
        mmu.irq.bind(h.irq);
        s = make_stream(tables, 0);
        map_leaf(tables, s.ttb0, mapped_page_iova, mapped_page_pa, page, d_ap_el0);
        map_leaf(tables, s.ttb0, mapped_block_iova, mapped_block_pa, block2m, d_ap_el0);
        for (const auto& [a, v] : tables.words)
            mem.put64(a, v);
    }
    // Runs the scenario in simulated time; true once it finished.
    bool run(std::function<void(harness&)> scenario) {
        quiet_log q; // the faults the scenarios provoke log warnings
        h.scenario = std::move(scenario);
        h.go.notify(sc_core::SC_ZERO_TIME);
        sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_MS)); // returns at the pause
        return h.done;
    }
};

constexpr std::uint64_t cmdq_base = 0x0200'0000, evtq_base = 0x0201'0000;
constexpr unsigned cmdq_log2 = 4, evtq_log2 = 2;
constexpr std::uint64_t event_record_bytes = 32;

void enable(harness& h, const stream_setup& s) {
    using namespace smmuv3;
    h.w64(reg::STRTAB_BASE, s.strtab);
    h.w32(reg::STRTAB_BASE_CFG, strtab_cfg_2lvl_split8);
    h.w64(reg::CMDQ_BASE, cmdq_base | cmdq_log2);
    h.w64(reg::EVTQ_BASE, evtq_base | evtq_log2);
    h.w32(reg::IRQ_CTRL, irq_ctrl::EVTQ_IRQEN | irq_ctrl::GERROR_IRQEN);
    BOOST_TEST(h.r32(reg::IRQ_CTRLACK) == (irq_ctrl::EVTQ_IRQEN | irq_ctrl::GERROR_IRQEN));
    h.w32(reg::CR0, cr0::CMDQEN | cr0::EVTQEN | cr0::SMMUEN);
    BOOST_TEST(h.r32(reg::CR0ACK) == (cr0::CMDQEN | cr0::EVTQEN | cr0::SMMUEN));
}

// Queues commands at PROD and waits (polling CONS) until they are consumed.
bool submit(harness& h, memory_target& mem,
            std::vector<std::pair<std::uint64_t, std::uint64_t>> cmds) {
    using namespace smmuv3;
    const std::uint32_t mask = (2u << cmdq_log2) - 1, index_mask = (1u << cmdq_log2) - 1;
    for (const auto& c : cmds) {
        mem.put64(cmdq_base + (h.cmd_prod & index_mask) * 16, c.first);
        mem.put64(cmdq_base + (h.cmd_prod & index_mask) * 16 + 8, c.second);
        h.cmd_prod = (h.cmd_prod + 1) & mask;
    }
    h.w32(reg::CMDQ_PROD, h.cmd_prod);
    for (int i = 0; i < 1000; ++i) {
        const std::uint32_t cons = h.r32(reg::CMDQ_CONS);
        if (cons & q::CONS_ERR_mask) return false;
        if ((cons & mask) == h.cmd_prod) return true;
        wait(100, sc_core::SC_NS);
    }
    return false;
}

// Enabled, with the configuration and TLBs invalidated as a driver does at probe.
void enable_and_invalidate(rig& r) {
    using namespace smmuv3;
    enable(r.h, r.s);
    BOOST_TEST(submit(r.h, r.mem, {{cmd::CFGI_ALL, 31}, {cmd::TLBI_NSNH_ALL, 0}, {cmd::SYNC, 0}}));
}

struct rigs {
    std::map<std::string, std::unique_ptr<rig>> all;
    rigs() {
        smmu_params p;
        p.walker.tlb_entries = 16;
        for (const char* n :
             {"ids", "bypass", "translate", "fault", "overflow", "tlbi", "illegal", "dmi"})
            all[n] = std::make_unique<rig>(n, p);
    }
};
rigs& the_rigs() {
    static rigs r;
    return r;
}
rig& rig_for(const std::string& name) {
    return *the_rigs().all.at(name);
}
struct build_rigs {
    build_rigs() {
        the_rigs();
        sc_core::sc_start(sc_core::SC_ZERO_TIME); // every harness waits for its start
    }
};
BOOST_TEST_GLOBAL_FIXTURE(build_rigs);

} // namespace

BOOST_AUTO_TEST_CASE(identification_registers_read_as_a_driver_probes_them) {
    using namespace smmuv3;
    rig& r = rig_for("ids");
    BOOST_TEST(r.run([](harness& h) {
        const std::uint32_t idr0 = h.r32(reg::IDR0);
        BOOST_TEST((idr0 & idr0::S1P) != 0u);
        BOOST_TEST(((idr0 >> idr0::TTF_lsb) & 3) == idr0::TTF_aarch64);
        BOOST_TEST(((idr0 >> idr0::ST_LEVEL_lsb) & 3) == idr0::ST_LEVEL_2lvl);
        BOOST_TEST((h.r32(reg::IDR1) & 0x3F) == 16u);
        BOOST_TEST((h.r32(reg::IDR5) & idr5::GRAN4K) != 0u);
        // STRTAB_BASE_CFG keeps LOG2SIZE [5:0], SPLIT [10:6] and FMT [17:16] (Arm IHI 0070,
        // SMMU_STRTAB_BASE_CFG) for each SPLIT the architecture defines: 6, 8 and 10.
        for (std::uint32_t split : {6u, 8u, 10u}) {
            const std::uint32_t cfg = 13u | (split << 6) | (1u << 16);
            h.w32(reg::STRTAB_BASE_CFG, cfg | 0xFFFC0000u); // RES0 bits [31:18] are not stored
            BOOST_TEST(h.r32(reg::STRTAB_BASE_CFG) == cfg);
        }
    }));
}

BOOST_AUTO_TEST_CASE(disabled_smmu_bypasses_and_gbpa_abort_aborts) {
    using namespace smmuv3;
    rig& r = rig_for("bypass");
    BOOST_TEST(r.run([&r](harness& h) {
        std::uint32_t v = 0x11223344;
        BOOST_TEST(h.access(true, 0x5000, &v, 4, 0) == tlm::TLM_OK_RESPONSE);
        BOOST_TEST(r.mem.get64(0x5000) == 0x11223344u); // untranslated
        h.w32(reg::GBPA, gbpa::ABORT | gbpa::UPDATE);
        BOOST_TEST(h.r32(reg::GBPA) == gbpa::ABORT); // UPDATE completes
        BOOST_TEST(h.access(false, 0x5000, &v, 4, 0) == tlm::TLM_GENERIC_ERROR_RESPONSE);
        h.w32(reg::GBPA, gbpa::UPDATE);
        BOOST_TEST(h.access(false, 0x5000, &v, 4, 0) == tlm::TLM_OK_RESPONSE);
    }));
}

BOOST_AUTO_TEST_CASE(translated_accesses_walk_once_then_hit_and_split_at_page_boundaries) {
    rig& r = rig_for("translate");
    BOOST_TEST(r.run([&r](harness& h) {
        enable_and_invalidate(r);
        std::uint32_t x = 0xCAFEF00D;
        sc_core::sc_time miss, hit;
        BOOST_TEST(h.access(true, mapped_page_iova + 0x10, &x, 4, device_sid, &miss) ==
                   tlm::TLM_OK_RESPONSE);
        BOOST_TEST(r.mem.get64(mapped_page_pa + 0x10) == 0xCAFEF00Du);
        BOOST_TEST(h.access(false, mapped_page_iova + 0x10, &x, 4, device_sid, &hit) ==
                   tlm::TLM_OK_RESPONSE);
        BOOST_TEST(x == 0xCAFEF00Du);
        BOOST_TEST(miss > hit + r.mem.latency * 3); // a walk read every level through memory
        // 16 bytes across the end of the unmapped page before the block: the first half faults
        // (the write is answered SLVERR), the second half lands at the block's start.
        unsigned char buf[16];
        for (unsigned i = 0; i < 16; ++i)
            buf[i] = static_cast<unsigned char>(i + 1);
        BOOST_TEST(h.access(true, mapped_block_iova - 8, buf, 16, device_sid) ==
                   tlm::TLM_GENERIC_ERROR_RESPONSE);
        std::uint64_t lo = 0;
        r.mem.mem.read(mapped_block_pa, &lo, 8);
        BOOST_TEST(lo == 0x100F0E0D0C0B0A09ull); // bytes 9..16, little-endian
        // 8 bytes across a 4 KiB page boundary inside the block, with the repeating byte-enable
        // pattern {on, off, on} (TLM-2.0: byte i enabled by be[i % 3], from the access's start):
        // bytes 0, 2, 3, 5, 6 are written, 1, 4, 7 keep the 0xEE there before.
        const std::uint64_t across = mapped_block_iova + 0x1000 - 4;
        const std::uint64_t across_pa = mapped_block_pa + 0x1000 - 4;
        const std::uint64_t old_bytes = 0xEEEEEEEEEEEEEEEEull;
        r.mem.mem.write(across_pa, &old_bytes, 8);
        for (unsigned i = 0; i < 8; ++i)
            buf[i] = static_cast<unsigned char>(0x11 * (i + 1));
        constexpr unsigned char on = TLM_BYTE_ENABLED, off = TLM_BYTE_DISABLED;
        BOOST_TEST(h.access(true, across, buf, 8, device_sid, nullptr, {on, off, on}) ==
                   tlm::TLM_OK_RESPONSE);
        std::uint64_t got = 0;
        r.mem.mem.read(across_pa, &got, 8);
        BOOST_TEST(got == 0xEE7766EE4433EE11ull);
    }));
    BOOST_TEST(r.mmu.walker_stats().tlb_hits > 0u);
    BOOST_TEST(r.mmu.faults().size() == 1u); // the split write's first half
}

BOOST_AUTO_TEST_CASE(a_faulting_read_is_slverr_with_an_event_record_and_an_interrupt) {
    using namespace smmuv3;
    rig& r = rig_for("fault");
    BOOST_TEST(r.run([&r](harness& h) {
        enable_and_invalidate(r);
        wait(sc_core::SC_ZERO_TIME);
        BOOST_TEST(!h.irq.read());
        std::uint32_t y = 0xFFFFFFFF;
        BOOST_TEST(h.access(false, unmapped_iova, &y, 4, device_sid) ==
                   tlm::TLM_GENERIC_ERROR_RESPONSE);
        wait(sc_core::SC_ZERO_TIME);
        BOOST_TEST(h.irq.read());
        const std::uint32_t prod = h.r32(reg::EVTQ_PROD);
        BOOST_TEST((prod & 7u) == 1u); // one record
        // The record (Arm IHI 0070, F_TRANSLATION): event ID [7:0], StreamID [63:32], RnW in the
        // second word, the input address in the third.
        const std::uint64_t rec = r.mem.get64(evtq_base);
        BOOST_TEST((rec & 0xFF) == evt::F_TRANSLATION);
        BOOST_TEST((rec >> 32) == device_sid);
        BOOST_TEST((r.mem.get64(evtq_base + 8) & evt::RnW) != 0u);
        BOOST_TEST(r.mem.get64(evtq_base + 16) == unmapped_iova);
        h.w32(reg::EVTQ_CONS, prod);
        wait(sc_core::SC_ZERO_TIME);
        BOOST_TEST(!h.irq.read());
    }));
    BOOST_TEST(r.mmu.faults().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_full_event_queue_sets_ovflg_and_drops_the_record) {
    using namespace smmuv3;
    rig& r = rig_for("overflow");
    BOOST_TEST(r.run([&r](harness& h) {
        enable_and_invalidate(r);
        // The queue has 2^evtq_log2 = 4 entries: 4 records fit, the 5th sets OVFLG and is lost.
        std::uint32_t y = 0;
        for (std::uint64_t i = 0; i < 5; ++i)
            h.access(false, unmapped_iova + 0x100'0000 + i * page, &y, 4, device_sid);
        BOOST_TEST((h.r32(reg::EVTQ_PROD) & q::PROD_OVFLG) != 0u);
        BOOST_TEST(r.mem.get64(evtq_base + 3 * event_record_bytes + 16) ==
                   unmapped_iova + 0x100'0000 + 3 * page); // the 4th is the last one kept
    }));
    BOOST_TEST(r.mmu.stats().events_lost == 1u);
    BOOST_TEST(r.mmu.faults().size() == 5u);
}

BOOST_AUTO_TEST_CASE(tlbi_va_and_sync_drop_a_stale_translation) {
    using namespace smmuv3;
    rig& r = rig_for("tlbi");
    BOOST_TEST(r.run([&r](harness& h) {
        enable_and_invalidate(r);
        std::uint64_t z = 0;
        BOOST_TEST(h.access(false, mapped_page_iova, &z, 8, device_sid) == tlm::TLM_OK_RESPONSE);
        // Unmap the page in memory: the IOTLB still translates until TLBI + SYNC.
        r.mem.put64(*leaf_slot(r.tables, r.s.ttb0, mapped_page_iova), 0);
        BOOST_TEST(h.access(false, mapped_page_iova, &z, 8, device_sid) == tlm::TLM_OK_RESPONSE);
        BOOST_TEST(
            submit(h, r.mem,
                   {{cmd::TLBI_NH_VA | (std::uint64_t{r.s.asid} << 48), mapped_page_iova | 1},
                    {cmd::SYNC, 0}}));
        BOOST_TEST(h.access(false, mapped_page_iova, &z, 8, device_sid) ==
                   tlm::TLM_GENERIC_ERROR_RESPONSE);
    }));
    BOOST_TEST(r.mmu.faults().size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_illegal_command_stops_the_queue_until_software_acknowledges) {
    using namespace smmuv3;
    rig& r = rig_for("illegal");
    BOOST_TEST(r.run([&r](harness& h) {
        enable_and_invalidate(r);
        BOOST_TEST(!submit(h, r.mem, {{0x7F, 0}}));
        BOOST_TEST(((h.r32(reg::CMDQ_CONS) & q::CONS_ERR_mask) >> q::CONS_ERR_lsb) ==
                   q::CERROR_ILL);
        BOOST_TEST((h.r32(reg::GERROR) & gerror::CMDQ_ERR) != 0u);
        wait(sc_core::SC_ZERO_TIME);
        BOOST_TEST(h.irq.read());
        // Software replaces the command with a SYNC and acknowledges: the queue resumes.
        const std::uint32_t cons = h.r32(reg::CMDQ_CONS) & ((2u << cmdq_log2) - 1);
        r.mem.put64(cmdq_base + (cons & ((1u << cmdq_log2) - 1)) * 16, cmd::SYNC);
        h.w32(reg::GERRORN, h.r32(reg::GERROR));
        wait(1, sc_core::SC_US);
        BOOST_TEST((h.r32(reg::CMDQ_CONS) & ((2u << cmdq_log2) - 1)) == h.cmd_prod);
        BOOST_TEST((h.r32(reg::CMDQ_CONS) & q::CONS_ERR_mask) == 0u);
        wait(sc_core::SC_ZERO_TIME);
        BOOST_TEST(!h.irq.read());
    }));
    BOOST_TEST(r.mmu.stats().command_errors == 1u);
    BOOST_TEST(r.mmu.stats().syncs == 2u); // the probe's and the replacement
}

BOOST_AUTO_TEST_CASE(dmi_is_not_offered_so_every_access_is_translated) {
    // Neither the controller nor the interconnect uses DMI: the SMMU offers none, even for a
    // translated page, so an initiator that asks falls back to transactions.
    rig& r = rig_for("dmi");
    BOOST_TEST(r.run([&r](harness& h) {
        enable_and_invalidate(r);
        soc_attr a;
        a.stream_id = device_sid;
        tlm::tlm_generic_payload g;
        g.set_command(tlm::TLM_READ_COMMAND);
        g.set_address(mapped_block_iova + 0x10);
        g.set_extension(&a);
        tlm::tlm_dmi d;
        BOOST_TEST(!h.dev->get_direct_mem_ptr(g, d));
        g.clear_extension(&a);
    }));
}

// Boost.Test provides main(); libsystemc still wants the symbol.
int sc_main(int, char*[]) {
    return 0;
}

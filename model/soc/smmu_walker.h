// The SMMUv3 translation core: stream table and context descriptor fetch, the stage-1 table
// walk (VMSAv8-64, 4 KiB granule), a configuration cache, an IOTLB and a walk cache, and the
// invalidations the command queue performs. SystemC-free: the owner supplies the memory reads
// (and charges their time); this class decides what is read and what the answer is.
//
// Models: linear and 2-level stream tables (STRTAB_BASE_CFG.FMT/SPLIT/LOG2SIZE, L1 SPAN),
// STE V/Config (abort, bypass, stage-1), S1CDMax 0 (one CD per stream), CD V/T0SZ (16..39)/TG0
// (4 KiB only)/EPD0/IPS/AFFD/AA64/ASID/TTB0; walks from the start level T0SZ implies; table,
// block (1 GiB at level 1, 2 MiB at level 2) and page descriptors; AF (access flag fault unless
// CD.AFFD); AP[2] read-only and AP[1] unprivileged access, limited by the APTable bits of the
// table descriptors above (hierarchical permissions, IDR3.HAD = 0); output address size against
// CD.IPS and the SMMU's OAS (48 bits), TTB0 included; an input address beyond T0SZ faults before
// any cache lookup; a translation overtaken by a CFGI/TLBI during its memory reads starts again
// (at most 8 attempts) and caches nothing it read. IOTLB of tlb_entries, fully associative, LRU,
// one entry per page or block (keyed by ASID); walk cache of walk_cache_entries, LRU, caching the
// next-level table address per (ASID, level, VA prefix) so a miss reads fewer levels; a config
// cache of decoded STE+CD per stream ID. Faults as the SMMUv3 event IDs: C_BAD_STREAMID, C_BAD_STE
// (also for a stage 2 or nested STE.Config: stage 2 is not implemented), C_BAD_CD, F_WALK_EABT,
// F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION. Does not model: stage 2 and nesting,
// substreams (S1CDMax > 0, PASID), 16/64 KiB granules, TTB1, hardware AF/dirty update, the
// contiguous hint, ATS/PRI, stall mode, memory attributes and shareability (recorded nowhere),
// big-endian tables, VMIDs.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>

namespace epvp::soc::smmuv3 {

// Reads one little-endian 64-bit word of physical memory. False: external abort.
using read64_fn = std::function<bool(std::uint64_t pa, std::uint64_t& value)>;

struct walker_params {
    unsigned tlb_entries = 64;
    unsigned walk_cache_entries = 16;
    unsigned sid_bits = 16;
    unsigned oas_bits = 48;
};

struct translation {
    std::uint8_t fault = 0; // an event ID (evt::...), 0 = translated or bypassed
    bool abort = false;     // terminate with an abort (faults and STE.Config=abort)
    bool bypass = false;
    std::uint64_t pa = 0;
    unsigned page_shift = 12; // size of the translated page or block
    bool tlb_hit = false;
    unsigned table_reads = 0;     // descriptor reads of this walk (config fetches excluded)
    unsigned config_reads = 0;    // stream table / CD reads
    unsigned walk_cache_hits = 0; // levels skipped thanks to the walk cache
    std::string why;              // a readable reason for a fault
};

struct walker_counters {
    std::uint64_t tlb_hits = 0, tlb_misses = 0, walks = 0, walk_cache_hits = 0, table_reads = 0,
                  config_reads = 0, config_hits = 0, faults = 0;
    // The report's declaration (model/core/stats.h); config_hits and faults are for the tests.
    template <class V>
    void for_each(V&& v) const {
        v("tlb_hits", tlb_hits, "TLB lookups that hit");
        v("tlb_misses", tlb_misses, "TLB lookups that missed");
        v("walks", walks, "page table walks");
        v("walk_cache_hits", walk_cache_hits, "walk steps served by the walk cache");
        v("table_reads", table_reads, "page table descriptors read from memory");
        v("config_reads", config_reads, "STE / CD reads from memory");
    }
};

class walker {
public:
    explicit walker(const walker_params& p);

    // STRTAB_BASE (address bits) and STRTAB_BASE_CFG as programmed. Invalidates nothing by
    // itself (software must issue CFGI_ALL, as on hardware).
    void set_stream_table(std::uint64_t base, std::uint32_t cfg) {
        strtab_base_ = base;
        strtab_cfg_ = cfg;
    }

    // A translation whose memory reads let an invalidation run (a read can wait, and the command
    // queue runs meanwhile) starts again and caches nothing it read before: what the invalidation
    // removed never outlives the CMD_SYNC after it.
    translation translate(std::uint32_t sid, std::uint64_t iova, bool write, bool privileged,
                          const read64_fn& rd);

    // Command-queue invalidations.
    void cfgi_ste(std::uint32_t sid);
    void cfgi_all();
    void tlbi_asid(std::uint16_t asid);
    void tlbi_va(std::uint16_t asid, std::uint64_t va, bool leaf);
    void tlbi_all();

    // Lookups that hit without being made (burst mode: the later pieces of a page whose first
    // piece was just translated).
    void count_tlb_hits(std::uint64_t n) { n_.tlb_hits += n; }
    const walker_counters& counters() const { return n_; }
    const walker_params& params() const { return p_; }
    std::size_t tlb_size() const { return tlb_lru_.size(); }

private:
    struct stream_cfg {
        std::uint64_t config = 0; // STE.Config
        std::uint64_t ttb0 = 0;
        unsigned t0sz = 0, ips_bits = 0;
        std::uint16_t asid = 0;
        bool epd0 = false, affd = false;
    };
    struct tlb_entry {
        std::uint16_t asid;
        unsigned shift;
        std::uint64_t vpn, pa_base, desc;
    };
    struct wc_entry {
        std::uint16_t asid;
        unsigned level; // the level of the table this entry points at
        std::uint64_t prefix, table;
        unsigned ap_table; // the APTable bits of the table descriptors above it, ORed
    };
    static std::uint64_t tlb_key(std::uint16_t asid, unsigned shift, std::uint64_t vpn) {
        return (static_cast<std::uint64_t>(asid) << 48) ^
               (static_cast<std::uint64_t>(shift) << 40) ^ vpn;
    }
    static std::uint64_t wc_key(std::uint16_t asid, unsigned level, std::uint64_t prefix) {
        return (static_cast<std::uint64_t>(asid) << 48) ^
               (static_cast<std::uint64_t>(level) << 44) ^ prefix;
    }
    // Level-n table covers 2^(12 + 9 * (4 - n)) bytes of VA.
    static unsigned table_span_shift(unsigned level) { return 12 + 9 * (4 - level); }

    // One attempt; epoch is invalidations_ when it began (nothing is cached once it moved on).
    translation translate_once(std::uint32_t sid, std::uint64_t iova, bool write, bool privileged,
                               const read64_fn& rd, std::uint64_t epoch);
    bool fetch_config(std::uint32_t sid, stream_cfg& out, translation& t, const read64_fn& rd,
                      std::uint64_t epoch);
    bool permitted(std::uint64_t desc, bool write, bool privileged, translation& t) const;
    void tlb_insert(const tlb_entry& e);
    void wc_insert(const wc_entry& e);
    translation fault(translation t, std::uint8_t id, std::string why);

    walker_params p_;
    std::uint64_t strtab_base_ = 0;
    std::uint32_t strtab_cfg_ = 0;
    std::unordered_map<std::uint32_t, stream_cfg> config_;
    std::uint64_t invalidations_ = 0; // CFGI and TLBI commands performed
    // LRU lists: front = most recently used.
    std::list<tlb_entry> tlb_lru_;
    std::unordered_map<std::uint64_t, std::list<tlb_entry>::iterator> tlb_;
    std::list<wc_entry> wc_lru_;
    std::unordered_map<std::uint64_t, std::list<wc_entry>::iterator> wc_;
    walker_counters n_;
};

} // namespace epvp::soc::smmuv3

#include "model/soc/smmu_walker.h"

#include "model/soc/smmu_regs.h"

#include <algorithm>

namespace epvp::soc::smmuv3 {

namespace {
constexpr unsigned index_mask = (1u << pte::bits_per_level) - 1;
constexpr unsigned last_level = pte::levels - 1;
constexpr std::uint64_t table_addr_mask = 0x0000FFFFFFFFFFF0ull; // TTB0 as the walk uses it
constexpr unsigned max_translation_attempts = 8; // restarts after invalidations, at most
constexpr unsigned page_shifts[] = {12, 21, 30}; // page, 2 MiB, 1 GiB

unsigned leaf_shift(unsigned level) {
    return pte::granule_shift + pte::bits_per_level * (last_level - level);
}
} // namespace

walker::walker(const walker_params& p)
    : p_(p) {}

translation walker::fault(translation t, std::uint8_t id, std::string why) {
    t.fault = id;
    t.abort = true;
    t.why = std::move(why);
    ++n_.faults;
    return t;
}

bool walker::fetch_config(std::uint32_t sid, stream_cfg& out, translation& t, const read64_fn& rd,
                          std::uint64_t epoch) {
    auto it = config_.find(sid);
    if (it != config_.end()) {
        ++n_.config_hits;
        out = it->second;
        return true;
    }
    auto read = [&](std::uint64_t pa, std::uint64_t& v) {
        ++t.config_reads;
        ++n_.config_reads;
        return rd(pa, v);
    };
    const unsigned log2size = static_cast<unsigned>(
        field(strtab_cfg_, strtab_cfg::LOG2SIZE_lsb, strtab_cfg::LOG2SIZE_width));
    const unsigned fmt =
        static_cast<unsigned>(field(strtab_cfg_, strtab_cfg::FMT_lsb, strtab_cfg::FMT_width));
    const unsigned sid_bits = std::min(log2size, p_.sid_bits);
    if (sid_bits < 32 && (sid >> sid_bits) != 0) {
        t = fault(t, evt::C_BAD_STREAMID, "stream ID beyond STRTAB_BASE_CFG.LOG2SIZE");
        return false;
    }
    std::uint64_t ste_addr = 0;
    if (fmt == strtab_cfg::FMT_2lvl) {
        const unsigned split = static_cast<unsigned>(
            field(strtab_cfg_, strtab_cfg::SPLIT_lsb, strtab_cfg::SPLIT_width));
        std::uint64_t l1 = 0;
        if (!read(strtab_base_ + static_cast<std::uint64_t>(sid >> split) * l1std_bytes, l1)) {
            t = fault(t, evt::F_STE_FETCH, "level-1 stream table read failed");
            return false;
        }
        const unsigned span = static_cast<unsigned>(field(l1, l1std::SPAN_lsb, l1std::SPAN_width));
        const std::uint32_t l2_index = sid & ((1u << split) - 1);
        if (span == 0 || span > split + 1 || (l2_index >> (span - 1)) != 0) {
            t = fault(t, evt::C_BAD_STREAMID, "level-1 descriptor does not span the stream ID");
            return false;
        }
        ste_addr = (l1 & l1std::L2PTR_mask) + static_cast<std::uint64_t>(l2_index) * ste_bytes;
    } else if (fmt == strtab_cfg::FMT_linear) {
        ste_addr = strtab_base_ + static_cast<std::uint64_t>(sid) * ste_bytes;
    } else {
        t = fault(t, evt::C_BAD_STREAMID, "reserved STRTAB_BASE_CFG.FMT");
        return false;
    }
    std::uint64_t ste0 = 0;
    if (!read(ste_addr, ste0)) {
        t = fault(t, evt::F_STE_FETCH, "STE read failed");
        return false;
    }
    stream_cfg c;
    if (!(ste0 & ste::V)) {
        t = fault(t, evt::C_BAD_STE, "STE.V is 0");
        return false;
    }
    c.config = field(ste0, ste::CONFIG_lsb, ste::CONFIG_width);
    if (c.config == ste::CONFIG_s2 || c.config == ste::CONFIG_nested ||
        (c.config != ste::CONFIG_abort && c.config != ste::CONFIG_bypass &&
         c.config != ste::CONFIG_s1)) {
        t = fault(t, evt::C_BAD_STE,
                  "STE.Config " + std::to_string(c.config) + " (stage 2 is not implemented)");
        return false;
    }
    if (c.config == ste::CONFIG_s1) {
        // S1CDMax above SMMU_IDR1.SSIDSIZE (0: one CD per stream) makes the STE illegal; S1Fmt
        // is ignored when S1CDMax is 0.
        if (field(ste0, ste::S1CDMAX_lsb, ste::S1CDMAX_width) != 0) {
            t = fault(t, evt::C_BAD_STE, "STE.S1CDMax above SSIDSIZE 0 (substreams)");
            return false;
        }
        const std::uint64_t cd_addr = ste0 & ste::S1CTXPTR_mask;
        std::uint64_t cd0 = 0, cd1 = 0;
        if (!read(cd_addr, cd0) || !read(cd_addr + sizeof(std::uint64_t), cd1)) {
            t = fault(t, evt::F_CD_FETCH, "CD read failed");
            return false;
        }
        if (!(cd0 & cd::V)) {
            t = fault(t, evt::C_BAD_CD, "CD.V is 0");
            return false;
        }
        if (!(cd0 & cd::AA64)) {
            t = fault(t, evt::C_BAD_CD, "CD.AA64 is 0 (AArch32 tables are not supported)");
            return false;
        }
        if (field(cd0, cd::TG0_lsb, cd::TG0_width) != cd::TG0_4k) {
            t = fault(t, evt::C_BAD_CD, "CD.TG0 is not the 4 KiB granule");
            return false;
        }
        c.t0sz = static_cast<unsigned>(field(cd0, cd::T0SZ_lsb, cd::T0SZ_width));
        if (c.t0sz < cd::min_t0sz || c.t0sz > cd::max_t0sz) {
            t = fault(t, evt::C_BAD_CD, "CD.T0SZ " + std::to_string(c.t0sz) + " out of range");
            return false;
        }
        c.ips_bits = std::min(pa_bits(field(cd0, cd::IPS_lsb, cd::IPS_width)), p_.oas_bits);
        c.asid = static_cast<std::uint16_t>(field(cd0, cd::ASID_lsb, cd::ASID_width));
        c.epd0 = cd0 & cd::EPD0;
        c.affd = cd0 & cd::AFFD;
        c.ttb0 = cd1 & cd::TTB0_mask;
    }
    if (epoch == invalidations_) config_[sid] = c;
    out = c;
    return true;
}

bool walker::permitted(std::uint64_t desc, bool write, bool privileged, translation& t) const {
    if (!privileged && !(desc & pte::AP1_UNPRIV)) {
        t.why = "unprivileged access to a privileged-only page (AP[1]=0 or APTable[0]=1 above)";
        return false;
    }
    if (write && (desc & pte::AP2_RDONLY)) {
        t.why = "write to a read-only page (AP[2]=1 or APTable[1]=1 above)";
        return false;
    }
    return true;
}

translation walker::translate(std::uint32_t sid, std::uint64_t iova, bool write, bool privileged,
                              const read64_fn& rd) {
    // Bounded: a translation met by invalidations again and again ends with its last attempt
    // (cached nowhere, as every attempt an invalidation overtook).
    for (unsigned attempt = 1;; ++attempt) {
        const std::uint64_t epoch = invalidations_;
        translation t = translate_once(sid, iova, write, privileged, rd, epoch);
        if (epoch == invalidations_ || attempt == max_translation_attempts) return t;
    }
}

translation walker::translate_once(std::uint32_t sid, std::uint64_t iova, bool write,
                                   bool privileged, const read64_fn& rd, std::uint64_t epoch) {
    translation t;
    stream_cfg c;
    if (!fetch_config(sid, c, t, rd, epoch)) return t;
    if (c.config == ste::CONFIG_abort) {
        t.abort = true;
        t.why = "STE.Config is abort";
        return t;
    }
    if (c.config == ste::CONFIG_bypass) {
        t.bypass = true;
        t.pa = iova;
        return t;
    }
    // An input address beyond T0SZ faults before any lookup: the IOTLB and walk cache keys hold
    // only the address bits within the range, so it would otherwise meet an entry of another
    // address (of another ASID, even).
    const unsigned va_bits = 64 - c.t0sz;
    if ((iova >> va_bits) != 0)
        return fault(t, evt::F_TRANSLATION,
                     "input address beyond the " + std::to_string(va_bits) + "-bit range (T0SZ)");
    // IOTLB.
    for (unsigned shift : page_shifts) {
        auto it = tlb_.find(tlb_key(c.asid, shift, iova >> shift));
        if (it == tlb_.end()) continue;
        tlb_lru_.splice(tlb_lru_.begin(), tlb_lru_, it->second);
        const tlb_entry& e = *it->second;
        ++n_.tlb_hits;
        t.tlb_hit = true;
        t.page_shift = shift;
        if (!permitted(e.desc, write, privileged, t)) return fault(t, evt::F_PERMISSION, t.why);
        t.pa = e.pa_base | (iova & ((1ull << shift) - 1));
        return t;
    }
    ++n_.tlb_misses;
    ++n_.walks;
    if (c.epd0) return fault(t, evt::F_TRANSLATION, "TTB0 walks disabled (CD.EPD0)");
    const unsigned start = pte::levels - (va_bits - pte::granule_shift + pte::bits_per_level - 1) /
                                             pte::bits_per_level;
    unsigned level = start;
    // A base beyond the output address size is an address size fault at the start level, as for
    // a next-level table address (VMSAv8-64: TTB bits above the PA size).
    if ((c.ttb0 >> c.ips_bits) != 0)
        return fault(t, evt::F_ADDR_SIZE, "CD.TTB0 beyond the output address size");
    std::uint64_t table = c.ttb0 & table_addr_mask;
    unsigned ap_table = 0;
    for (unsigned l = last_level; l > start; --l) {
        auto it = wc_.find(wc_key(c.asid, l, iova >> table_span_shift(l)));
        if (it == wc_.end()) continue;
        wc_lru_.splice(wc_lru_.begin(), wc_lru_, it->second);
        table = it->second->table;
        ap_table = it->second->ap_table;
        t.walk_cache_hits = l - start;
        n_.walk_cache_hits += t.walk_cache_hits;
        level = l;
        break;
    }
    for (;; ++level) {
        const unsigned shift = leaf_shift(level);
        unsigned index = static_cast<unsigned>(iova >> shift) & index_mask;
        if (level == start) index &= static_cast<unsigned>((1ull << (va_bits - shift)) - 1);
        std::uint64_t desc = 0;
        ++t.table_reads;
        ++n_.table_reads;
        if (!rd(table + static_cast<std::uint64_t>(index) * sizeof(std::uint64_t), desc))
            return fault(t, evt::F_WALK_EABT,
                         "table read at level " + std::to_string(level) + " failed");
        if (!(desc & pte::VALID))
            return fault(t, evt::F_TRANSLATION,
                         "invalid descriptor at level " + std::to_string(level));
        const bool table_bit = desc & pte::TABLE;
        if (level < last_level && table_bit) {
            const std::uint64_t next = desc & pte::OA_mask;
            if ((desc & pte::OA_high_mask) || (next >> c.ips_bits) != 0)
                return fault(t, evt::F_ADDR_SIZE,
                             "next-level table address beyond the output address size");
            ap_table |= static_cast<unsigned>(field(desc, pte::APTABLE_lsb, pte::APTABLE_width));
            if (epoch == invalidations_)
                wc_insert({c.asid, level + 1, iova >> table_span_shift(level + 1), next, ap_table});
            table = next;
            continue;
        }
        if (level == 0 || (level == last_level && !table_bit))
            return fault(t, evt::F_TRANSLATION,
                         "reserved descriptor encoding at level " + std::to_string(level));
        const std::uint64_t oa = desc & pte::OA_mask & ~((1ull << shift) - 1);
        t.page_shift = shift;
        if ((desc & pte::OA_high_mask) || (oa >> c.ips_bits) != 0)
            return fault(t, evt::F_ADDR_SIZE, "output address beyond the output address size");
        if (!(desc & pte::AF) && !c.affd) return fault(t, evt::F_ACCESS, "access flag is 0");
        // The tables' APTable limits the leaf's AP (kept in the IOTLB entry as the result).
        if (ap_table & pte::APTABLE_no_unpriv) desc &= ~pte::AP1_UNPRIV;
        if (ap_table & pte::APTABLE_no_write) desc |= pte::AP2_RDONLY;
        if (epoch == invalidations_) tlb_insert({c.asid, shift, iova >> shift, oa, desc});
        if (!permitted(desc, write, privileged, t)) return fault(t, evt::F_PERMISSION, t.why);
        t.pa = oa | (iova & ((1ull << shift) - 1));
        return t;
    }
}

void walker::tlb_insert(const tlb_entry& e) {
    if (p_.tlb_entries == 0) return;
    const std::uint64_t k = tlb_key(e.asid, e.shift, e.vpn);
    auto it = tlb_.find(k);
    if (it != tlb_.end()) {
        *it->second = e;
        tlb_lru_.splice(tlb_lru_.begin(), tlb_lru_, it->second);
        return;
    }
    if (tlb_lru_.size() >= p_.tlb_entries) {
        const tlb_entry& old = tlb_lru_.back();
        tlb_.erase(tlb_key(old.asid, old.shift, old.vpn));
        tlb_lru_.pop_back();
    }
    tlb_lru_.push_front(e);
    tlb_[k] = tlb_lru_.begin();
}

void walker::wc_insert(const wc_entry& e) {
    if (p_.walk_cache_entries == 0) return;
    const std::uint64_t k = wc_key(e.asid, e.level, e.prefix);
    auto it = wc_.find(k);
    if (it != wc_.end()) {
        *it->second = e;
        wc_lru_.splice(wc_lru_.begin(), wc_lru_, it->second);
        return;
    }
    if (wc_lru_.size() >= p_.walk_cache_entries) {
        const wc_entry& old = wc_lru_.back();
        wc_.erase(wc_key(old.asid, old.level, old.prefix));
        wc_lru_.pop_back();
    }
    wc_lru_.push_front(e);
    wc_[k] = wc_lru_.begin();
}

void walker::cfgi_ste(std::uint32_t sid) {
    ++invalidations_;
    config_.erase(sid);
}

void walker::cfgi_all() {
    ++invalidations_;
    config_.clear();
}

void walker::tlbi_asid(std::uint16_t asid) {
    ++invalidations_;
    for (auto it = tlb_lru_.begin(); it != tlb_lru_.end();) {
        if (it->asid == asid) {
            tlb_.erase(tlb_key(it->asid, it->shift, it->vpn));
            it = tlb_lru_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = wc_lru_.begin(); it != wc_lru_.end();) {
        if (it->asid == asid) {
            wc_.erase(wc_key(it->asid, it->level, it->prefix));
            it = wc_lru_.erase(it);
        } else {
            ++it;
        }
    }
}

void walker::tlbi_va(std::uint16_t asid, std::uint64_t va, bool leaf) {
    ++invalidations_;
    for (unsigned shift : page_shifts) {
        auto it = tlb_.find(tlb_key(asid, shift, va >> shift));
        if (it == tlb_.end()) continue;
        tlb_lru_.erase(it->second);
        tlb_.erase(it);
    }
    if (leaf) return;
    for (unsigned l = 1; l <= last_level; ++l) {
        auto it = wc_.find(wc_key(asid, l, va >> table_span_shift(l)));
        if (it == wc_.end()) continue;
        wc_lru_.erase(it->second);
        wc_.erase(it);
    }
}

void walker::tlbi_all() {
    ++invalidations_;
    tlb_lru_.clear();
    tlb_.clear();
    wc_lru_.clear();
    wc_.clear();
}

} // namespace epvp::soc::smmuv3

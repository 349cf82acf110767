#include "firmware/iommu/iova.h"

#include "firmware/hal/errno.h"

#include <iterator>

namespace fw::iommu {

namespace {
constexpr std::uint64_t iova_page_mask = iova_space::page_bytes - 1;

bool page_aligned(std::uint64_t v) {
    return !(v & iova_page_mask);
}

bool is_pow2(std::uint64_t v) {
    return v && !(v & (v - 1));
}

// Rounds v up to a multiple of align (a power of two); false when that overflows.
bool align_up(std::uint64_t v, std::uint64_t align, std::uint64_t& out) {
    const std::uint64_t r = (v + (align - 1)) & ~(align - 1);
    if (r < v) return false;
    out = r;
    return true;
}

bool valid_prot(unsigned prot) {
    return (prot & (prot_read | prot_write)) && !(prot & ~unsigned(prot_all));
}

// The translation removed from the tables even though the call reports an error.
bool tables_changed(int r) {
    return r == 0 || r == -EIO || r == -ETIMEDOUT;
}
} // namespace

iova_space::iova_space(dma_domain& domain)
    : domain_(domain) {}

iova_space::~iova_space() {
    while (!ranges_.empty()) {
        const auto it = ranges_.begin();
        (void)free(iova_range{it->first, it->second.size});
    }
}

int iova_space::init(std::uint64_t base, std::uint64_t size) {
    if (!ranges_.empty()) return -EBUSY;
    if (!size || !page_aligned(base) || !page_aligned(size)) return -EINVAL;
    const std::uint64_t limit = domain_.iova_limit();
    if (base >= limit || size > limit - base) return -ERANGE;
    base_ = base;
    size_ = size;
    return 0;
}

// ---- reservations ----------------------------------------------------------------------------

int iova_space::reserve(std::uint64_t size, std::uint64_t alignment, iova_range& out) {
    if (!size || !page_aligned(size)) return -EINVAL;
    if (alignment && !is_pow2(alignment)) return -EINVAL;
    if (alignment < page_bytes) alignment = page_bytes;
    if (size > size_) return -ENOSPC;
    const std::uint64_t end = base_ + size_;
    std::uint64_t cand = 0;
    if (!align_up(base_, alignment, cand)) return -ENOSPC;
    for (const auto& r : ranges_) {
        if (cand <= r.first && size <= r.first - cand) break; // fits before this reservation
        if (!align_up(r.first + r.second.size, alignment, cand)) return -ENOSPC;
    }
    if (cand > end || size > end - cand) return -ENOSPC;
    ranges_[cand].size = size;
    out = {cand, size};
    return 0;
}

int iova_space::reserve_at(std::uint64_t base, std::uint64_t size, iova_range& out) {
    if (!size || !page_aligned(base) || !page_aligned(size)) return -EINVAL;
    if (base < base_ || base - base_ >= size_ || size > size_ - (base - base_)) return -ERANGE;
    const auto next = ranges_.lower_bound(base);
    if (next != ranges_.end() && next->first < base + size) return -EBUSY;
    if (next != ranges_.begin()) {
        const auto prev = std::prev(next);
        if (prev->first + prev->second.size > base) return -EBUSY;
    }
    ranges_[base].size = size;
    out = {base, size};
    return 0;
}

iova_space::reservation* iova_space::find(const iova_range& r) {
    const auto it = ranges_.find(r.base);
    if (it == ranges_.end() || it->second.size != r.size) return nullptr;
    return &it->second;
}

int iova_space::free(const iova_range& r) {
    reservation* res = find(r);
    if (!res) return -ENOENT;
    int ret = 0;
    // One domain unmap per IOVA-contiguous run of extents.
    for (auto it = res->mapped.begin(); it != res->mapped.end();) {
        const std::uint64_t start = it->first;
        std::uint64_t end = start + it->second.size;
        for (++it; it != res->mapped.end() && it->first == end; ++it)
            end += it->second.size;
        const int u = domain_.unmap(start, end - start);
        if (u && !ret) ret = u;
    }
    ranges_.erase(r.base);
    return ret;
}

// ---- extents ---------------------------------------------------------------------------------

bool iova_space::overlaps(const extent_map& m, std::uint64_t iova, std::uint64_t size) {
    const auto next = m.lower_bound(iova);
    if (next != m.end() && next->first < iova + size) return true;
    if (next == m.begin()) return false;
    const auto prev = std::prev(next);
    return prev->first + prev->second.size > iova;
}

bool iova_space::covered(const extent_map& m, std::uint64_t iova, std::uint64_t size) {
    const std::uint64_t end = iova + size;
    for (std::uint64_t cur = iova; cur < end;) {
        auto it = m.upper_bound(cur);
        if (it == m.begin()) return false;
        --it;
        const std::uint64_t e_end = it->first + it->second.size;
        if (e_end <= cur) return false;
        cur = e_end;
    }
    return true;
}

void iova_space::remove(extent_map& m, std::uint64_t iova, std::uint64_t size) {
    const std::uint64_t end = iova + size;
    auto it = m.upper_bound(iova);
    if (it != m.begin()) --it;
    while (it != m.end() && it->first < end) {
        const std::uint64_t a = it->first, e_end = a + it->second.size, phys = it->second.phys;
        if (e_end <= iova) {
            ++it;
            continue;
        }
        it = m.erase(it);
        if (a < iova) m[a] = {iova - a, phys};
        if (e_end > end) it = m.emplace(end, extent{e_end - end, phys + (end - a)}).first;
    }
}

void iova_space::add(extent_map& m, std::uint64_t iova, std::uint64_t phys, std::uint64_t size) {
    m[iova] = {size, phys};
}

// ---- mapping ---------------------------------------------------------------------------------

int iova_space::check_part(const iova_range& r, std::uint64_t offset, std::uint64_t size,
                           reservation*& res) {
    res = find(r);
    if (!res) return -ENOENT;
    if (!size || !page_aligned(offset) || !page_aligned(size)) return -EINVAL;
    if (offset >= r.size || size > r.size - offset) return -ERANGE;
    return 0;
}

int iova_space::map(const iova_range& r, std::uint64_t offset, std::uint64_t phys,
                    std::uint64_t size, unsigned prot) {
    reservation* res = nullptr;
    if (int e = check_part(r, offset, size, res)) return e;
    if (!page_aligned(phys) || !valid_prot(prot)) return -EINVAL;
    const std::uint64_t iova = r.base + offset;
    if (overlaps(res->mapped, iova, size)) return -EEXIST;
    if (int e = domain_.map(iova, phys, size, prot)) return e;
    add(res->mapped, iova, phys, size);
    return 0;
}

int iova_space::map_pages(const iova_range& r, std::uint64_t offset,
                          const std::vector<std::uint64_t>& pages, unsigned prot) {
    if (!find(r)) return -ENOENT;
    if (pages.empty()) return -EINVAL;
    if (pages.size() > r.size / page_bytes) return -ERANGE;
    const std::uint64_t size = pages.size() * page_bytes;
    reservation* res = nullptr;
    if (int e = check_part(r, offset, size, res)) return e;
    for (std::uint64_t p : pages)
        if (!page_aligned(p)) return -EINVAL;
    if (!valid_prot(prot)) return -EINVAL;
    const std::uint64_t iova = r.base + offset;
    if (overlaps(res->mapped, iova, size)) return -EEXIST;
    // Physically contiguous neighbours as one run (which may then use 2 MiB blocks).
    struct run {
        std::uint64_t iova, phys, size;
    };
    std::vector<run> done;
    for (std::size_t i = 0; i < pages.size();) {
        std::size_t j = i + 1;
        while (j < pages.size() && pages[j] == pages[j - 1] + page_bytes)
            ++j;
        const run cur{iova + i * page_bytes, pages[i], (j - i) * page_bytes};
        if (int e = domain_.map(cur.iova, cur.phys, cur.size, prot)) {
            for (const run& d : done)
                (void)domain_.unmap(d.iova, d.size);
            return e;
        }
        done.push_back(cur);
        i = j;
    }
    for (const run& d : done)
        add(res->mapped, d.iova, d.phys, d.size);
    return 0;
}

int iova_space::unmap(const iova_range& r, std::uint64_t offset, std::uint64_t size) {
    reservation* res = nullptr;
    if (int e = check_part(r, offset, size, res)) return e;
    const std::uint64_t iova = r.base + offset;
    if (!covered(res->mapped, iova, size)) return -ENODATA;
    const int e = domain_.unmap(iova, size);
    if (tables_changed(e)) remove(res->mapped, iova, size);
    return e;
}

int iova_space::lookup(std::uint64_t iova, std::uint64_t& phys) const {
    auto r = ranges_.upper_bound(iova);
    if (r == ranges_.begin()) return -ENODATA;
    --r;
    if (iova - r->first >= r->second.size) return -ENODATA;
    const extent_map& m = r->second.mapped;
    auto e = m.upper_bound(iova);
    if (e == m.begin()) return -ENODATA;
    --e;
    if (iova - e->first >= e->second.size) return -ENODATA;
    phys = e->second.phys + (iova - e->first);
    return 0;
}

std::uint64_t iova_space::mapped_bytes(const iova_range& r) const {
    const auto it = ranges_.find(r.base);
    if (it == ranges_.end() || it->second.size != r.size) return 0;
    std::uint64_t n = 0;
    for (const auto& e : it->second.mapped)
        n += e.second.size;
    return n;
}

} // namespace fw::iommu

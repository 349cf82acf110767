// Explicit IOVA management over a DMA domain: the firmware reserves contiguous IOVA ranges and
// maps whatever physical memory it likes into them (scattered DRAM pages, the interrupt-generation
// window, any other physical address), then points an inbound iATU window at the range.
//
// Models: a window [base, base + size) of the domain's input space, ranges reserved first-fit
// with a power-of-two alignment or at a fixed base, mappings of any page-aligned part of a range
// (one physical run, or a list of scattered 4 KiB pages), unmapping any page-aligned part, and
// a shadow of what each range maps (extents) for lookup() and for free(), which unmaps whatever
// is still mapped. Every call is all-or-nothing: a refused call changes nothing (a failed TLB
// invalidation is the one exception: see unmap). Blocks of 2 MiB are used by the domain where
// the IOVA, physical address and size allow unless prot_no_block is given.
// Does not model: sub-page granularity (4 KiB pages only), sharing one page between two ranges,
// growing a range, reference counts, or concurrent callers.
//
// Error codes (returned negated; each names one kind of caller mistake):
//   -EINVAL   misalignment or malformed argument: a base, offset, size or physical address not
//             a multiple of 4 KiB, a size of 0, an alignment that is not a power of two, an
//             empty page list, prot without read/write or with unknown bits
//   -EBUSY    reserve_at: the range overlaps an existing reservation
//   -ERANGE   out of range: offset + size beyond the range, a fixed range or an init window
//             outside the IOVA space / the domain's input range, a physical address beyond
//             the SMMU's output size
//   -EEXIST   double map: a page of the target is already mapped (nothing changed)
//   -ENODATA  unmap of a page that is not mapped (nothing changed); lookup of an unmapped IOVA
//   -ENOENT   unknown range: not a current reservation (base and size must both match)
//   -ENOSPC   no space: no free IOVA run of that size and alignment
//   -ENOMEM   the domain has no memory for a page table (nothing changed)
//   -EIO, -ETIMEDOUT  unmap/free: the translation was removed from the tables and the shadow,
//             but the SMMU's TLB invalidation failed (logged by the driver)
//   -ENODEV   the domain is not initialised
#pragma once

#include "firmware/iommu/smmu_v3.h"

#include <cstdint>
#include <map>
#include <vector>

namespace fw::iommu {

// A reservation, identified by its base and size.
struct iova_range {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
    std::uint64_t end() const { return base + size; }
    bool contains(std::uint64_t iova) const { return iova >= base && iova - base < size; }
};

class iova_space {
public:
    static constexpr std::uint64_t page_bytes = smmu_domain::page_bytes;

    // The domain must outlive the space.
    explicit iova_space(dma_domain& domain);
    // Frees every range (unmapping what is still mapped).
    ~iova_space();
    iova_space(const iova_space&) = delete;
    iova_space& operator=(const iova_space&) = delete;

    // The IOVA window this space hands out (e.g. [4 KiB, 4 GiB): keeping IOVA 0 unused makes
    // a zero DMA address always fault). Returns 0, -EINVAL (misaligned or empty), -ERANGE
    // (beyond the domain's input range) or -EBUSY (ranges are still reserved).
    int init(std::uint64_t base, std::uint64_t size);
    std::uint64_t base() const { return base_; }
    std::uint64_t size() const { return size_; }

    // A free run of size bytes aligned to alignment (0 = 4 KiB; smaller values mean 4 KiB).
    // Returns 0 and the range, -EINVAL or -ENOSPC.
    int reserve(std::uint64_t size, std::uint64_t alignment, iova_range& out);
    // Exactly [base, base + size). Returns 0, -EINVAL, -ERANGE or -EBUSY.
    int reserve_at(std::uint64_t base, std::uint64_t size, iova_range& out);
    // Unmaps what the range still maps, then drops the reservation (also when the unmap's TLB
    // invalidation failed: that error is returned). Returns 0, -ENOENT, -EIO or -ETIMEDOUT.
    int free(const iova_range& r);

    // [r.base + offset, + size) -> [phys, phys + size). Returns 0, -ENOENT, -EINVAL, -ERANGE,
    // -EEXIST, -ENOMEM.
    int map(const iova_range& r, std::uint64_t offset, std::uint64_t phys, std::uint64_t size,
            unsigned prot);
    // pages[i] (4 KiB each, any order) at r.base + offset + i * 4 KiB; physically contiguous
    // neighbours are mapped together. Same codes as map().
    int map_pages(const iova_range& r, std::uint64_t offset,
                  const std::vector<std::uint64_t>& pages, unsigned prot);
    // Any page-aligned part. Returns 0, -ENOENT, -EINVAL, -ERANGE, -ENODATA, -ENOMEM (a 2 MiB
    // block needed splitting), -EIO or -ETIMEDOUT.
    int unmap(const iova_range& r, std::uint64_t offset, std::uint64_t size);

    // The physical address iova maps to, from this space's own shadow: 0, or -ENODATA.
    int lookup(std::uint64_t iova, std::uint64_t& phys) const;
    // Bytes mapped inside r (0 for an unknown range).
    std::uint64_t mapped_bytes(const iova_range& r) const;
    std::size_t ranges() const { return ranges_.size(); }

private:
    struct extent {
        std::uint64_t size = 0;
        std::uint64_t phys = 0;
    };
    using extent_map = std::map<std::uint64_t, extent>; // IOVA -> extent, non-overlapping
    struct reservation {
        std::uint64_t size = 0;
        extent_map mapped;
    };
    reservation* find(const iova_range& r);
    int check_part(const iova_range& r, std::uint64_t offset, std::uint64_t size,
                   reservation*& res);
    static bool overlaps(const extent_map& m, std::uint64_t iova, std::uint64_t size);
    static bool covered(const extent_map& m, std::uint64_t iova, std::uint64_t size);
    static void remove(extent_map& m, std::uint64_t iova, std::uint64_t size);
    static void add(extent_map& m, std::uint64_t iova, std::uint64_t phys, std::uint64_t size);

    dma_domain& domain_;
    std::uint64_t base_ = 0, size_ = 0;
    std::map<std::uint64_t, reservation> ranges_; // base -> reservation
};

} // namespace fw::iommu

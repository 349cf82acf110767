#include "firmware/epc/epc.h"

#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"

#include <algorithm>

namespace fw::epc {

namespace {
constexpr std::uint64_t four_gib = 1ull << 32;
constexpr std::uint64_t resizable_min = 1ull << 20; // 1 MB
constexpr std::uint64_t resizable_max = 1ull << 47; // 128 TB
constexpr std::uint64_t min_bar_space = 128;        // pci_epf_alloc_space minimum
constexpr unsigned max_msi = 32, max_msix = 2048;
constexpr std::uint32_t io_flag_bits = 0x3; // PCI_BASE_ADDRESS_IO_MASK = ~0x3
bool is_pow2(std::uint64_t v) {
    return v && !(v & (v - 1));
}
std::uint64_t roundup_pow2(std::uint64_t v) {
    std::uint64_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}
std::uint64_t align_up(std::uint64_t v, std::uint64_t a) {
    return a ? (v + a - 1) / a * a : v;
}
} // namespace

// ---- mem_window ------------------------------------------------------------------------------

mem_window::mem_window(std::uint64_t phys_base, std::uint64_t size, std::uint64_t page_size)
    : base_(phys_base)
    , size_(size)
    , page_size_(page_size)
    , used_(size / page_size, false) {}

unsigned mem_window::order_for(std::uint64_t size) const {
    std::uint64_t pages = (align_up(size, page_size_)) / page_size_;
    unsigned order = 0;
    while ((1ull << order) < pages)
        ++order;
    return order;
}

std::uint64_t mem_window::pages_free() const {
    return static_cast<std::uint64_t>(std::count(used_.begin(), used_.end(), false));
}

int mem_window::alloc(std::uint64_t size, std::uint64_t& phys) {
    if (!size || used_.empty()) return -ENOMEM;
    const std::uint64_t run = 1ull << order_for(size);
    for (std::uint64_t p = 0; p + run <= used_.size(); p += run) {
        if (std::any_of(used_.begin() + p, used_.begin() + p + run, [](bool b) { return b; }))
            continue;
        std::fill(used_.begin() + p, used_.begin() + p + run, true);
        phys = base_ + p * page_size_;
        return 0;
    }
    return -ENOMEM;
}

void mem_window::free(std::uint64_t phys, std::uint64_t size) {
    if (phys < base_ || phys >= base_ + size_) return;
    std::uint64_t p = (phys - base_) / page_size_;
    std::uint64_t run = 1ull << order_for(size);
    std::fill(used_.begin() + p, used_.begin() + std::min<std::uint64_t>(p + run, used_.size()),
              false);
}

// ---- epc -------------------------------------------------------------------------------------

epc::epc(controller_ops& ops, hal::platform& io, const hal::ep_board& board)
    : ops_(ops)
    , io_(io)
    , mem_(board.aperture.base, board.aperture.size, board.aperture_page_size) {}

int epc::get_next_free_bar(const features& f, int bar) {
    for (int b = bar; b >= 0 && b < static_cast<int>(pci::STD_NUM_BARS); ++b) {
        if (b > 0 && f.bar[b - 1].only_64bit) continue; // upper half of a 64-bit BAR
        if (f.bar[b].type == hal::bar_type::reserved) continue;
        return b;
    }
    return NO_BAR;
}

int epc::set_bar(unsigned fn, const epf_bar& bar) {
    if (bar.barno < 0 || bar.barno >= static_cast<int>(pci::STD_NUM_BARS)) return -EINVAL;
    const features& f = ops_.get_features(fn);
    const hal::bar_desc& d = f.bar[bar.barno];
    const bool is64 = bar.flags & pci::BASE_ADDRESS_MEM_TYPE_64;
    const bool io_bar = bar.flags & pci::BASE_ADDRESS_SPACE_IO;
    if (d.type == hal::bar_type::reserved) return -EINVAL;
    if (d.type == hal::bar_type::resizable &&
        (bar.size < resizable_min || bar.size > resizable_max))
        return -EINVAL;
    if (d.type == hal::bar_type::fixed && bar.size != d.fixed_size) return -EINVAL;
    if (!is_pow2(bar.size)) return -EINVAL;
    if (bar.barno == static_cast<int>(pci::STD_NUM_BARS) - 1 && is64) return -EINVAL;
    if (io_bar && (bar.flags & ~io_flag_bits)) return -EINVAL;
    if (bar.size >= four_gib && !is64) // upper_32_bits(size) != 0
        return -EINVAL;
    return ops_.set_bar(fn, bar);
}

int epc::set_msi(unsigned fn, unsigned nr_irqs) {
    if (nr_irqs < 1 || nr_irqs > max_msi) return -EINVAL;
    return ops_.set_msi(fn, nr_irqs);
}

int epc::set_msix(unsigned fn, unsigned nr_irqs, unsigned bir, std::uint32_t offset) {
    if (nr_irqs < 1 || nr_irqs > max_msix) return -EINVAL;
    return ops_.set_msix(fn, nr_irqs, bir, offset);
}

int epc::mem_map(unsigned fn, std::uint64_t pci_addr, std::uint64_t size, map& m) {
    m = map{};
    if (!size) return -EINVAL;
    std::uint64_t map_size = size, offset = 0;
    m.pci_addr = pci_addr;
    m.map_pci_addr = ops_.align_addr(pci_addr, map_size, offset);
    m.map_size = map_size;
    m.pci_size = std::min(size, m.map_pci_addr + map_size - pci_addr);
    int r = mem_.alloc(m.map_size, m.phys_base);
    if (r) return r;
    m.phys_addr = m.phys_base + offset;
    r = ops_.map_addr(fn, m.phys_base, m.map_pci_addr, m.map_size);
    if (r) {
        mem_.free(m.phys_base, m.map_size);
        return r;
    }
    return 0;
}

void epc::mem_unmap(unsigned fn, const map& m) {
    ops_.unmap_addr(fn, m.phys_base);
    mem_.free(m.phys_base, m.map_size);
}

// ---- coherent_pool ---------------------------------------------------------------------------

int coherent_pool::alloc(std::uint64_t size, std::uint64_t align, std::uint64_t& addr) {
    if (!size) return -EINVAL;
    std::uint64_t a = align_up(base_, align);
    for (std::size_t i = 0; i <= used_.size(); ++i) {
        std::uint64_t end = i < used_.size() ? used_[i].addr : base_ + size_;
        if (a + size <= end) {
            used_.insert(used_.begin() + static_cast<std::ptrdiff_t>(i), block{a, size});
            addr = a;
            return 0;
        }
        if (i < used_.size()) a = align_up(used_[i].addr + used_[i].size, align);
    }
    return -ENOMEM;
}

void coherent_pool::free(std::uint64_t addr) {
    used_.erase(std::remove_if(used_.begin(), used_.end(),
                               [addr](const block& b) { return b.addr == addr; }),
                used_.end());
}

pool_buffer::pool_buffer(coherent_pool& pool, std::uint64_t size, std::uint64_t align)
    : pool_(pool) {
    ok_ = owned_ = pool_.alloc(size, align, addr_) == 0;
}

pool_buffer::~pool_buffer() {
    if (owned_) pool_.free(addr_);
}

int pool_buffer::keep_if_timed_out(int err) {
    if (err == -ETIMEDOUT) keep();
    return err;
}

int alloc_space(coherent_pool& pool, const features& f, int barno, std::uint64_t size,
                epf_bar& bar) {
    const hal::bar_desc& d = f.bar[barno];
    size = std::max(size, min_bar_space);
    switch (d.type) {
    case hal::bar_type::fixed:
        if (size > d.fixed_size) return -ENOMEM;
        size = d.fixed_size;
        break;
    case hal::bar_type::resizable:
        size = roundup_pow2(std::max(size, resizable_min));
        break;
    case hal::bar_type::reserved:
        return -EINVAL;
    case hal::bar_type::programmable:
        size = roundup_pow2(size);
        break;
    }
    // Inbound BAR-match windows need the buffer naturally aligned to the BAR size.
    std::uint64_t align = std::max<std::uint64_t>(f.align, size);
    std::uint64_t addr = 0;
    int r = pool.alloc(align_up(size, f.align ? f.align : 1), align, addr);
    if (r) return r;
    bar.barno = barno;
    bar.phys_addr = addr;
    bar.size = size;
    bar.flags = 0;
    if (size >= four_gib || d.only_64bit) bar.flags |= pci::BASE_ADDRESS_MEM_TYPE_64;
    return 0;
}

} // namespace fw::epc

#include "firmware/host/host_mem.h"

#include "firmware/hal/errno.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <limits>

namespace fw::host {

namespace {
constexpr std::uint64_t zero_chunk_bytes = 64 * 1024; // kzalloc clears in bus writes of this size
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

bool is_power_of_2(std::uint64_t v) {
    return v && !(v & (v - 1));
}
// align must be a power of two; false when the result does not fit in 64 bits.
bool align_up(std::uint64_t v, std::uint64_t align, std::uint64_t& out) {
    if (v > u64_max - (align - 1)) return false;
    out = (v + align - 1) & ~(align - 1);
    return true;
}
} // namespace

host_mem::host_mem(hal::platform& io, const hal::region& ram)
    : io_(io)
    , ram_(ram) {
    std::uint64_t base = 0;
    if (!ram.size || !align_up(ram.base, ARCH_KMALLOC_MINALIGN, base)) return;
    const std::uint64_t end = ram.base + (ram.size - 1); // last byte, cannot overflow
    if (base > end) return;
    const std::uint64_t usable = (end - base + 1) & ~(ARCH_KMALLOC_MINALIGN - 1);
    if (usable) free_[base] = usable;
}

void host_mem::insert_free(std::uint64_t base, std::uint64_t size) {
    auto next = free_.lower_bound(base);
    if (next != free_.end() && base + size == next->first) {
        size += next->second;
        next = free_.erase(next);
    }
    if (next != free_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == base) {
            prev->second += size;
            return;
        }
    }
    free_.emplace_hint(next, base, size);
}

int host_mem::kmalloc(std::uint64_t size, std::uint64_t align, std::uint64_t& addr) {
    addr = 0;
    if (!size) return -EINVAL;
    if (!align) align = ARCH_KMALLOC_MINALIGN;
    if (!is_power_of_2(align)) return -EINVAL;
    align = std::max(align, ARCH_KMALLOC_MINALIGN);
    std::uint64_t rounded = 0;
    if (!align_up(size, ARCH_KMALLOC_MINALIGN, rounded)) return -EINVAL;
    // First fit in address order: deterministic for a given call sequence.
    for (auto it = free_.begin(); it != free_.end(); ++it) {
        const std::uint64_t base = it->first, fsize = it->second;
        std::uint64_t a = 0;
        if (!align_up(base, align, a)) break; // every later block is at a higher address
        const std::uint64_t lead = a - base;
        if (lead >= fsize || fsize - lead < rounded) continue;
        const std::uint64_t tail = fsize - lead - rounded;
        free_.erase(it);
        if (lead) insert_free(base, lead);
        if (tail) insert_free(a + rounded, tail);
        used_[a] = rounded;
        in_use_ += rounded;
        addr = a;
        return 0;
    }
    return -ENOMEM;
}

int host_mem::kzalloc(std::uint64_t size, std::uint64_t align, std::uint64_t& addr) {
    int r = kmalloc(size, align, addr);
    if (r) return r;
    static const std::array<unsigned char, zero_chunk_bytes> zeros{};
    for (std::uint64_t off = 0; off < size; off += zero_chunk_bytes) {
        const std::size_t n = static_cast<std::size_t>(std::min(zero_chunk_bytes, size - off));
        if (io_.write(addr + off, zeros.data(), n) != hal::status::ok) {
            kfree(addr);
            addr = 0;
            return -EIO;
        }
    }
    return 0;
}

int host_mem::kfree(std::uint64_t addr) {
    auto it = used_.find(addr);
    if (it == used_.end()) return -EINVAL;
    const std::uint64_t size = it->second;
    used_.erase(it);
    in_use_ -= size;
    insert_free(addr, size);
    return 0;
}

std::uint64_t host_mem::largest_free() const {
    std::uint64_t best = 0;
    for (const auto& f : free_)
        best = std::max(best, f.second);
    return best;
}

dma_buffer::dma_buffer(dma_buffer&& other) noexcept
    : mem_(other.mem_)
    , addr_(other.addr_)
    , size_(other.size_) {
    other.mem_ = nullptr;
    other.addr_ = other.size_ = 0;
}

dma_buffer& dma_buffer::operator=(dma_buffer&& other) noexcept {
    if (this != &other) {
        reset();
        mem_ = other.mem_;
        addr_ = other.addr_;
        size_ = other.size_;
        other.mem_ = nullptr;
        other.addr_ = other.size_ = 0;
    }
    return *this;
}

int dma_buffer::kzalloc(host_mem& mem, std::uint64_t size, std::uint64_t align) {
    reset();
    int r = mem.kzalloc(size, align, addr_);
    if (r) return r;
    mem_ = &mem;
    size_ = size;
    return 0;
}

int dma_buffer::kmalloc(host_mem& mem, std::uint64_t size, std::uint64_t align) {
    reset();
    int r = mem.kmalloc(size, align, addr_);
    if (r) return r;
    mem_ = &mem;
    size_ = size;
    return 0;
}

void dma_buffer::reset() {
    if (mem_) mem_->kfree(addr_);
    leak();
}

void dma_buffer::leak() {
    mem_ = nullptr;
    addr_ = size_ = 0;
}

} // namespace fw::host

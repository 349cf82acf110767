// Host DMA buffers: the part of the Linux slab allocator (kmalloc/kzalloc/kfree) and of
// dma_map_single() that the host test driver needs, over the host board's RAM.
//
// Models: first-fit allocation over an address-ordered free list, so the same sequence of
// calls always returns the same addresses (deterministic runs); every block starts on at
// least ARCH_KMALLOC_MINALIGN bytes (a cache line) or on the requested power-of-two
// alignment, whichever is larger; kfree() returns a block and merges it with free neighbours;
// kzalloc() zeroes the block through the bus, kmalloc() leaves the old contents. The bus
// address of a block is its RAM address (no IOMMU: dma_map_single() is the identity).
// Does not model: per-size slab caches, GFP flags, NUMA, an IOMMU, or cache maintenance.
#pragma once

#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <cstddef>
#include <cstdint>
#include <map>

namespace fw::host {

class host_mem {
public:
    static constexpr std::uint64_t ARCH_KMALLOC_MINALIGN = 64;

    host_mem(hal::platform& io, const hal::region& ram);
    host_mem(const host_mem&) = delete;
    host_mem& operator=(const host_mem&) = delete;

    // Allocate size bytes aligned to max(align, ARCH_KMALLOC_MINALIGN); align 0 means the
    // minimum. Returns 0 and the block's address (which is also its bus address), -EINVAL
    // (size 0, align not a power of two, size overflow) or -ENOMEM.
    int kmalloc(std::uint64_t size, std::uint64_t align, std::uint64_t& addr);
    // As kmalloc, then zeroes the block; -EIO (and nothing allocated) when a write failed.
    int kzalloc(std::uint64_t size, std::uint64_t align, std::uint64_t& addr);
    // 0, or -EINVAL when addr is not the start of an allocated block.
    int kfree(std::uint64_t addr);

    const hal::region& ram() const { return ram_; }
    std::uint64_t bytes_in_use() const { return in_use_; }
    std::size_t blocks_in_use() const { return used_.size(); }
    std::uint64_t largest_free() const;

private:
    void insert_free(std::uint64_t base, std::uint64_t size);

    hal::platform& io_;
    hal::region ram_;
    std::map<std::uint64_t, std::uint64_t> free_; // base -> size, no two adjacent
    std::map<std::uint64_t, std::uint64_t> used_; // block address -> rounded size
    std::uint64_t in_use_ = 0;
};

// One block owned until destruction (like a pointer declared __free(kfree)).
class dma_buffer {
public:
    dma_buffer() = default;
    dma_buffer(const dma_buffer&) = delete;
    dma_buffer& operator=(const dma_buffer&) = delete;
    dma_buffer(dma_buffer&& other) noexcept;
    dma_buffer& operator=(dma_buffer&& other) noexcept;
    ~dma_buffer() { reset(); }

    // Frees any block held, then allocates; same returns as host_mem::kzalloc/kmalloc.
    int kzalloc(host_mem& mem, std::uint64_t size, std::uint64_t align);
    int kmalloc(host_mem& mem, std::uint64_t size, std::uint64_t align);

    std::uint64_t addr() const { return addr_; }
    std::uint64_t size() const { return size_; }
    explicit operator bool() const { return mem_ != nullptr; }
    void reset();
    // Gives up ownership without freeing: for a buffer a device may still write (a transfer
    // that timed out), which must never be handed out again.
    void leak();

private:
    host_mem* mem_ = nullptr;
    std::uint64_t addr_ = 0, size_ = 0;
};

} // namespace fw::host

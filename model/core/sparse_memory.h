// Sparse byte-addressable memory: backing pages are allocated on first write, unwritten bytes
// read as zero. Used for endpoint DRAM and host memory so that large address maps fit.
// SystemC-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace epvp {

class sparse_memory {
public:
    static constexpr std::uint64_t page_bytes = 4096;

    explicit sparse_memory(std::uint64_t size_bytes)
        : size_bytes_(size_bytes) {}
    std::uint64_t size() const { return size_bytes_; }
    bool in_range(std::uint64_t addr, std::uint64_t len) const {
        return len <= size_bytes_ && addr <= size_bytes_ - len;
    }
    // Caller checks in_range first.
    void read(std::uint64_t addr, void* dst, std::size_t len) const;
    void write(std::uint64_t addr, const void* src, std::size_t len);
    // Writes only the bytes whose byte-enable is non-zero (be_len > 0: pattern repeats).
    void write_masked(std::uint64_t addr, const void* src, std::size_t len, const unsigned char* be,
                      std::size_t be_len);
    // Pointer to a page's backing store, allocated on demand (for DMI).
    unsigned char* page(std::uint64_t page_index);
    std::size_t pages_allocated() const { return pages_.size(); }
    // Byte offsets of every aligned 32-bit word equal to value, in address order (for shadow
    // checks that prove a pattern landed nowhere).
    std::vector<std::uint64_t> find_word(std::uint32_t value) const;

private:
    // Pages come from blocks mapped from the system, which hands them out zeroed (no clearing
    // here). Pages are never freed before the memory is, so page pointers stay valid. A block
    // (2 MiB) is faulted in when it is mapped: a stream that first touches hundreds of MiB takes
    // one system call per block instead of a page fault per 4 KiB.
    static constexpr std::size_t block_pages = 512;
    static unsigned char* map_block();
    struct block_unmap {
        void operator()(unsigned char* p) const;
    };
    // The page's backing store, or null if it was never written.
    const unsigned char* find(std::uint64_t page_index) const;

    std::uint64_t size_bytes_;
    std::unordered_map<std::uint64_t, unsigned char*> pages_;
    std::vector<std::unique_ptr<unsigned char, block_unmap>> blocks_;
    std::size_t block_used_ = block_pages; // pages handed out of the last block
    // The page found last: streams touch the same page many times in a row.
    mutable std::uint64_t last_index_ = ~std::uint64_t(0);
    mutable unsigned char* last_page_ = nullptr;
};

} // namespace epvp

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
    std::uint64_t size_bytes_;
    std::unordered_map<std::uint64_t, std::unique_ptr<unsigned char[]>> pages_;
};

} // namespace epvp

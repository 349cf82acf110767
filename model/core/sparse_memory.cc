#include "model/core/sparse_memory.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <sys/mman.h>

namespace epvp {

void sparse_memory::block_unmap::operator()(unsigned char* p) const {
    ::munmap(p, block_pages * page_bytes);
}

unsigned char* sparse_memory::map_block() {
    // Anonymous mappings read as zero: no page needs clearing. MAP_POPULATE has the system fault
    // the whole block in at once, one call instead of a page fault per page first written.
    // Huge pages (a block aligned to its size with MADV_HUGEPAGE) would take one fault per
    // block, but where the system compacts memory to find them (the default "madvise" defrag
    // setting), a 256 MiB eDMA bench met stalls of one to two seconds at random, against at most
    // about 0.3 s with these 4 KiB pages, so they are not asked for.
    void* m = ::mmap(nullptr, block_pages * page_bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    return static_cast<unsigned char*>(m);
}

unsigned char* sparse_memory::page(std::uint64_t page_index) {
    if (page_index == last_index_) return last_page_;
    unsigned char*& p = pages_[page_index];
    if (!p) {
        if (block_used_ == block_pages) {
            blocks_.emplace_back(map_block());
            block_used_ = 0;
        }
        p = blocks_.back().get() + block_used_++ * page_bytes;
    }
    last_index_ = page_index;
    last_page_ = p;
    return p;
}

const unsigned char* sparse_memory::find(std::uint64_t page_index) const {
    if (page_index == last_index_) return last_page_;
    auto it = pages_.find(page_index);
    if (it == pages_.end()) return nullptr;
    last_index_ = page_index;
    last_page_ = it->second;
    return last_page_;
}

void sparse_memory::read(std::uint64_t addr, void* dst, std::size_t len) const {
    auto* out = static_cast<unsigned char*>(dst);
    while (len > 0) {
        std::uint64_t off = addr % page_bytes;
        std::size_t n = std::min<std::uint64_t>(len, page_bytes - off);
        const unsigned char* p = find(addr / page_bytes);
        if (!p)
            std::memset(out, 0, n);
        else
            std::memcpy(out, p + off, n);
        out += n;
        addr += n;
        len -= n;
    }
}

void sparse_memory::write(std::uint64_t addr, const void* src, std::size_t len) {
    auto* in = static_cast<const unsigned char*>(src);
    while (len > 0) {
        std::uint64_t off = addr % page_bytes;
        std::size_t n = std::min<std::uint64_t>(len, page_bytes - off);
        std::memcpy(page(addr / page_bytes) + off, in, n);
        in += n;
        addr += n;
        len -= n;
    }
}

void sparse_memory::write_masked(std::uint64_t addr, const void* src, std::size_t len,
                                 const unsigned char* be, std::size_t be_len) {
    if (!be || be_len == 0) {
        write(addr, src, len);
        return;
    }
    auto* in = static_cast<const unsigned char*>(src);
    for (std::size_t i = 0; i < len; ++i)
        if (be[i % be_len]) page((addr + i) / page_bytes)[(addr + i) % page_bytes] = in[i];
}

std::vector<std::uint64_t> sparse_memory::find_word(std::uint32_t value) const {
    std::vector<std::uint64_t> hits;
    for (const auto& [index, bytes] : pages_)
        for (std::uint64_t off = 0; off < page_bytes; off += sizeof value)
            if (std::memcmp(bytes + off, &value, sizeof value) == 0)
                hits.push_back(index * page_bytes + off);
    std::sort(hits.begin(), hits.end());
    return hits;
}

} // namespace epvp

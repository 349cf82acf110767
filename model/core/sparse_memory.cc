#include "model/core/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace epvp {

unsigned char* sparse_memory::page(std::uint64_t page_index) {
    auto& p = pages_[page_index];
    if (!p) {
        p.reset(new unsigned char[page_bytes]);
        std::memset(p.get(), 0, page_bytes);
    }
    return p.get();
}

void sparse_memory::read(std::uint64_t addr, void* dst, std::size_t len) const {
    auto* out = static_cast<unsigned char*>(dst);
    while (len > 0) {
        std::uint64_t off = addr % page_bytes;
        std::size_t n = std::min<std::uint64_t>(len, page_bytes - off);
        auto it = pages_.find(addr / page_bytes);
        if (it == pages_.end())
            std::memset(out, 0, n);
        else
            std::memcpy(out, it->second.get() + off, n);
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
        unsigned char* dst;
        if (n == page_bytes) { // a whole page: no need to zero it first
            auto& p = pages_[addr / page_bytes];
            if (!p) p.reset(new unsigned char[page_bytes]);
            dst = p.get();
        } else {
            dst = page(addr / page_bytes) + off;
        }
        std::memcpy(dst, in, n);
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
            if (std::memcmp(bytes.get() + off, &value, sizeof value) == 0)
                hits.push_back(index * page_bytes + off);
    std::sort(hits.begin(), hits.end());
    return hits;
}

} // namespace epvp

// The firmware ELF's runtime (see runtime.h).
//
// Heap: power-of-two size classes (16 B to the whole heap), each with a free list; a block
// freed goes back to its class's list, a request takes from its class's list or from the
// untouched end of the heap. O(1), no coalescing (firmware allocates the same sizes again and
// again: tree nodes, buffers of a few sizes), few stores per call (every guest store is
// expensive on the instruction-set simulator), and at most 2x the requested bytes. A block's
// class is kept in a 16-byte header in front of it.
#include "firmware/guest/runtime.h"

#include "contracts/uart_regs.h"
#include "firmware/hal/iss_map.h"

#include <cstdlib>
#include <cstring>
#include <new>

extern "C" {
extern char __heap_start[];
extern char __heap_end[];
[[noreturn]] void guest_exit(int status);
}

namespace fw::guest {
namespace {

constexpr std::size_t header_bytes = 16; // keeps blocks 16-byte aligned
constexpr unsigned min_class = 4;        // 16 bytes
constexpr unsigned classes = 48;

struct free_block {
    free_block* next;
};
struct header {
    std::uint64_t size_class;
    std::uint64_t requested;
};

free_block* free_lists[classes];
char* heap_top = nullptr;
heap_stats stats;

// The size class of a request; `classes` (too large) for one no heap block can hold.
unsigned class_of(std::size_t bytes) {
    if (bytes > (std::size_t{1} << (classes - 1)) - header_bytes) return classes;
    unsigned c = min_class;
    while ((std::size_t{1} << c) < bytes + header_bytes)
        ++c;
    return c;
}

void* heap_alloc(std::size_t bytes) {
    if (!heap_top) heap_top = __heap_start;
    const unsigned c = class_of(bytes);
    if (c >= classes) return nullptr;
    char* block;
    if (free_lists[c]) {
        block = reinterpret_cast<char*>(free_lists[c]);
        free_lists[c] = free_lists[c]->next;
    } else {
        const std::size_t size = std::size_t{1} << c;
        if (static_cast<std::size_t>(__heap_end - heap_top) < size) return nullptr;
        block = heap_top;
        heap_top += size;
    }
    auto* h = reinterpret_cast<header*>(block);
    h->size_class = c;
    h->requested = bytes;
    stats.bytes_in_use += bytes;
    if (stats.bytes_in_use > stats.peak_bytes) stats.peak_bytes = stats.bytes_in_use;
    ++stats.allocations;
    return block + header_bytes;
}

header* header_of(void* p) {
    return reinterpret_cast<header*>(static_cast<char*>(p) - header_bytes);
}

void heap_free(void* p) {
    if (!p) return;
    header* h = header_of(p);
    stats.bytes_in_use -= h->requested;
    auto* f = reinterpret_cast<free_block*>(h);
    f->next = free_lists[h->size_class];
    free_lists[h->size_class] = f;
}

void uart_puts(const char* s) {
    auto* tx = reinterpret_cast<volatile std::uint32_t*>(ISS_UART_BASE + uart::TX);
    auto* level = reinterpret_cast<volatile std::uint32_t*>(ISS_UART_BASE + uart::LEVEL);
    *level = uart::LEVEL_ERROR;
    for (; *s; ++s)
        *tx = static_cast<unsigned char>(*s);
    *tx = '\n';
}

} // namespace

heap_stats heap_usage() {
    return stats;
}

[[noreturn]] void panic(const char* msg) {
    uart_puts(msg);
    for (;;)
        asm volatile("brk %0" ::"i"(ISS_BRK_PANIC));
}

} // namespace fw::guest

// ---- C library -----------------------------------------------------------------------------
extern "C" {

void* malloc(std::size_t bytes) {
    return fw::guest::heap_alloc(bytes);
}
void free(void* p) {
    fw::guest::heap_free(p);
}
void* calloc(std::size_t n, std::size_t size) {
    if (size && n > static_cast<std::size_t>(-1) / size) return nullptr;
    void* p = malloc(n * size);
    if (p) std::memset(p, 0, n * size);
    return p;
}
void* realloc(void* p, std::size_t bytes) {
    if (!p) return malloc(bytes);
    const std::size_t old = fw::guest::header_of(p)->requested;
    void* q = malloc(bytes);
    if (q) {
        std::memcpy(q, p, old < bytes ? old : bytes);
        free(p);
    }
    return q;
}
// Word-at-a-time copies and fills: the C library's are byte loops, and every instruction costs
// simulated time on the instruction-set simulator. No unaligned access (MMU off: Device memory).
// This file is built with -fno-tree-loop-distribute-patterns, so these loops do not become calls
// to themselves.
void* memcpy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (((reinterpret_cast<std::uintptr_t>(d) ^ reinterpret_cast<std::uintptr_t>(s)) & 7) == 0) {
        while (n && (reinterpret_cast<std::uintptr_t>(d) & 7)) {
            *d++ = *s++;
            --n;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *reinterpret_cast<std::uint64_t*>(d) = *reinterpret_cast<const std::uint64_t*>(s);
    }
    while (n--)
        *d++ = *s++;
    return dst;
}
void* memmove(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d <= s || d >= s + n) return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}
void* memset(void* dst, int c, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto byte = static_cast<unsigned char>(c);
    while (n && (reinterpret_cast<std::uintptr_t>(d) & 7)) {
        *d++ = byte;
        --n;
    }
    const std::uint64_t word = byte * 0x0101010101010101ull;
    for (; n >= 8; n -= 8, d += 8)
        *reinterpret_cast<std::uint64_t*>(d) = word;
    while (n--)
        *d++ = byte;
    return dst;
}
void abort() {
    fw::guest::panic("abort()");
}
void _exit(int status) {
    guest_exit(status);
}
void exit(int status) {
    guest_exit(status);
}
// Static destructors never run: the firmware ends by stopping the CPU.
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}
void* __dso_handle = nullptr;
void __cxa_pure_virtual() {
    fw::guest::panic("pure virtual function called");
}

} // extern "C"

// ---- C++ allocation: the heap, a panic when it is exhausted (nothing can throw) -------------
namespace fw::guest {
namespace {
void* must_alloc(std::size_t bytes) {
    void* p = heap_alloc(bytes ? bytes : 1);
    if (!p) panic("out of heap memory");
    return p;
}
void* must_alloc(std::size_t bytes, std::align_val_t align) {
    // Heap blocks are 16-byte aligned; the firmware asks for no more.
    if (static_cast<std::size_t>(align) > header_bytes)
        panic("operator new: alignment above 16 bytes");
    return must_alloc(bytes);
}
} // namespace
} // namespace fw::guest

void* operator new(std::size_t n) {
    return fw::guest::must_alloc(n);
}
void* operator new[](std::size_t n) {
    return fw::guest::must_alloc(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return fw::guest::heap_alloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return fw::guest::heap_alloc(n ? n : 1);
}
void* operator new(std::size_t n, std::align_val_t a) {
    return fw::guest::must_alloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
    return fw::guest::must_alloc(n, a);
}
void operator delete(void* p) noexcept {
    fw::guest::heap_free(p);
}
void operator delete[](void* p) noexcept {
    fw::guest::heap_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    fw::guest::heap_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    fw::guest::heap_free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    fw::guest::heap_free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    fw::guest::heap_free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    fw::guest::heap_free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    fw::guest::heap_free(p);
}

// ---- What libstdc++ would throw: a panic naming it (the firmware is built without exceptions;
// defining these keeps the library's throwing objects, the unwinder and gettext out of the ELF).
namespace std {
void __throw_bad_alloc() {
    fw::guest::panic("std::bad_alloc");
}
void __throw_bad_array_new_length() {
    fw::guest::panic("std::bad_array_new_length");
}
void __throw_length_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_out_of_range(const char* what) {
    fw::guest::panic(what);
}
void __throw_out_of_range_fmt(const char* what, ...) {
    fw::guest::panic(what);
}
void __throw_logic_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_invalid_argument(const char* what) {
    fw::guest::panic(what);
}
void __throw_domain_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_range_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_overflow_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_underflow_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_runtime_error(const char* what) {
    fw::guest::panic(what);
}
void __throw_bad_function_call() {
    fw::guest::panic("std::bad_function_call");
}
void __throw_bad_cast() {
    fw::guest::panic("std::bad_cast");
}
void __throw_bad_typeid() {
    fw::guest::panic("std::bad_typeid");
}
} // namespace std

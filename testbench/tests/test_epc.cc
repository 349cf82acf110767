// Unit tests of the endpoint-controller core (firmware/epc/epc.h): the outbound aperture
// allocator (pci-epc-mem.c), the coherent buffer pool and alloc_space (pci_epf_alloc_space),
// the generic set_bar checks (pci_epc_set_bar), get_next_free_bar and the mem_map / mem_unmap
// partial-mapping rule (pci_epc_mem_map), all against a fake controller driver. Expected values
// come from Linux's endpoint core (drivers/pci/endpoint/pci-epc-core.c, pci-epc-mem.c), written by
// hand.
#define BOOST_TEST_MODULE epc
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/hal.h"

#include <cstdint>
#include <string>
#include <vector>

using namespace fw;
using fw::epc::coherent_pool;
using fw::epc::epf_bar;
using fw::epc::features;
using fw::epc::mem_window;

namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB, TiB = 1024 * GiB;
constexpr std::uint64_t PAGE = 4 * KiB;
constexpr std::uint32_t FLAG_IO = 0x1;    // PCI_BASE_ADDRESS_SPACE_IO
constexpr std::uint32_t FLAG_MEM64 = 0x4; // PCI_BASE_ADDRESS_MEM_TYPE_64
constexpr std::uint64_t SENTINEL = 0xDEADBEEFCAFEull;

// A platform with no bus: epc::epc needs one to be constructed but the code under test here
// never touches it.
class fake_platform : public hal::platform {
public:
    hal::status read(std::uint64_t, void*, std::size_t) override { return hal::status::ok; }
    hal::status write(std::uint64_t, const void*, std::size_t) override { return hal::status::ok; }
    std::uint64_t now_ns() override { return 0; }
    void delay_ns(std::uint64_t) override {}
    void charge_cycles(std::uint64_t) override {}
    void charge(work, std::uint64_t) override {}
    std::uint64_t cpu_clock_hz() const override { return 1000000000ull; }
    void set_irq_handler(unsigned, hal::irq_handler) override {}
    bool wait_for_interrupt(std::uint64_t) override { return false; }
    void log(hal::log_level, const std::string&, const std::string&) override {}
};

// A controller driver whose align_addr behaves like dw_pcie_ep_align_addr, with knobs.
class fake_controller : public epc::controller_ops {
public:
    struct map_call {
        unsigned fn;
        std::uint64_t phys, pci_addr, size;
    };
    struct unmap_call {
        unsigned fn;
        std::uint64_t phys;
    };
    struct set_bar_call {
        unsigned fn;
        epf_bar bar;
    };

    features feat;
    std::uint64_t region_align = 4 * KiB;
    std::uint64_t page_size = PAGE;
    std::uint64_t max_map_size = 0; // 0: never shortens (DWC); else a cap on the mapped size
    int map_result = 0;
    int set_bar_result = 0;
    std::vector<map_call> maps;
    std::vector<unmap_call> unmaps;
    std::vector<set_bar_call> set_bars;

    int write_header(unsigned, const epc::header&) override { return 0; }
    int set_bar(unsigned fn, const epf_bar& bar) override {
        set_bars.push_back({fn, bar});
        return set_bar_result;
    }
    void clear_bar(unsigned, const epf_bar&) override {}
    std::uint64_t align_addr(std::uint64_t pci_addr, std::uint64_t& size,
                             std::uint64_t& offset) override {
        const std::uint64_t mask = region_align - 1;
        offset = pci_addr & mask;
        size = (offset + size + page_size - 1) / page_size * page_size;
        if (max_map_size && size > max_map_size) size = max_map_size;
        return pci_addr & ~mask;
    }
    int map_addr(unsigned fn, std::uint64_t phys, std::uint64_t pci_addr,
                 std::uint64_t size) override {
        maps.push_back({fn, phys, pci_addr, size});
        return map_result;
    }
    void unmap_addr(unsigned fn, std::uint64_t phys) override { unmaps.push_back({fn, phys}); }
    int set_msi(unsigned, unsigned) override { return 0; }
    int get_msi(unsigned) override { return 0; }
    int set_msix(unsigned, unsigned, unsigned, std::uint32_t) override { return 0; }
    int get_msix(unsigned) override { return 0; }
    int raise_irq(unsigned, epc::irq_type, unsigned) override { return 0; }
    int start() override { return 0; }
    void stop() override {}
    const features& get_features(unsigned) override { return feat; }
};

constexpr std::uint64_t APERTURE_BASE = 0x60000000;
constexpr std::uint64_t APERTURE_PAGES = 16;
constexpr std::uint64_t APERTURE_SIZE = APERTURE_PAGES * PAGE; // 64 KiB

hal::ep_board board() {
    hal::ep_board b;
    b.aperture = {APERTURE_BASE, APERTURE_SIZE};
    b.aperture_page_size = PAGE;
    return b;
}

// The controller plus the epc over it.
struct fixture {
    fake_platform io;
    fake_controller ctrl;
    hal::ep_board b = board();
    epc::epc e{ctrl, io, b};

    // True when the whole aperture is free: one allocation of all of it succeeds at its base.
    bool aperture_all_free() {
        std::uint64_t phys = SENTINEL;
        if (e.mem_alloc_addr(APERTURE_SIZE, phys) != 0) return false;
        e.mem_free_addr(phys, APERTURE_SIZE);
        return phys == APERTURE_BASE;
    }
};

features features_with(std::initializer_list<hal::bar_desc> bars) {
    features f;
    int i = 0;
    for (const auto& d : bars)
        f.bar[i++] = d;
    return f;
}

constexpr hal::bar_desc PROG{hal::bar_type::programmable, 0, false};
constexpr hal::bar_desc PROG64{hal::bar_type::programmable, 0, true};
constexpr hal::bar_desc RSVD{hal::bar_type::reserved, 0, false};
constexpr hal::bar_desc RESIZ{hal::bar_type::resizable, 0, false};
constexpr hal::bar_desc fixed(std::uint64_t size) {
    return {hal::bar_type::fixed, size, false};
}

epf_bar make_bar(int barno, std::uint64_t size, std::uint32_t flags = 0,
                 std::uint64_t phys = 0x80000000) {
    epf_bar b;
    b.barno = barno;
    b.size = size;
    b.flags = flags;
    b.phys_addr = phys;
    return b;
}

} // namespace

// =============================================================================================
// mem_window (pci-epc-mem.c)
// =============================================================================================

BOOST_AUTO_TEST_SUITE(window)

BOOST_AUTO_TEST_CASE(allocations_are_power_of_two_naturally_aligned_runs) {
    const std::uint64_t base = 0x40000000;
    mem_window w(base, 32 * PAGE, PAGE);
    BOOST_TEST(w.page_size() == PAGE);
    BOOST_TEST(w.pages_free() == 32u);

    std::uint64_t a = SENTINEL;
    BOOST_TEST(w.alloc(1, a) == 0); // 1 byte -> 1 page (order 0)
    BOOST_TEST(a == base);
    BOOST_TEST(w.pages_free() == 31u);

    // 5 pages: order = fls((5 pages - 1) >> 12) = fls(4) = 3 -> 8 pages aligned to 8 pages.
    // Pages 0..7 hold page 0, so the run is pages 8..15.
    std::uint64_t b = SENTINEL;
    BOOST_TEST(w.alloc(5 * PAGE, b) == 0);
    BOOST_TEST(b == base + 8 * PAGE);
    BOOST_TEST(w.pages_free() == 23u);

    // 3 pages -> 4-page run aligned to 4: pages 4..7.
    std::uint64_t c = SENTINEL;
    BOOST_TEST(w.alloc(3 * PAGE, c) == 0);
    BOOST_TEST(c == base + 4 * PAGE);
    BOOST_TEST(w.pages_free() == 19u);

    // 1 page + 1 byte -> 2-page run aligned to 2: pages 2..3.
    std::uint64_t d = SENTINEL;
    BOOST_TEST(w.alloc(PAGE + 1, d) == 0);
    BOOST_TEST(d == base + 2 * PAGE);
    BOOST_TEST(w.pages_free() == 17u);

    // Exactly 4 pages -> order 2 (no rounding to 8): pages 16..19.
    std::uint64_t e = SENTINEL;
    BOOST_TEST(w.alloc(4 * PAGE, e) == 0);
    BOOST_TEST(e == base + 16 * PAGE);
    BOOST_TEST(w.pages_free() == 13u);
}

BOOST_AUTO_TEST_CASE(free_makes_room_again) {
    const std::uint64_t base = 0x40000000;
    mem_window w(base, 16 * PAGE, PAGE);
    std::uint64_t a = 0, b = 0;
    BOOST_TEST(w.alloc(5 * PAGE, a) == 0); // pages 0..7
    BOOST_TEST(w.alloc(8 * PAGE, b) == 0); // pages 8..15
    BOOST_TEST(a == base);
    BOOST_TEST(b == base + 8 * PAGE);
    BOOST_TEST(w.pages_free() == 0u);
    std::uint64_t c = SENTINEL;
    BOOST_TEST(w.alloc(1, c) == -ENOMEM);
    BOOST_TEST(c == SENTINEL);

    w.free(a, 5 * PAGE); // releases the whole 8-page run
    BOOST_TEST(w.pages_free() == 8u);
    BOOST_TEST(w.alloc(8 * PAGE, c) == 0);
    BOOST_TEST(c == base);
    BOOST_TEST(w.pages_free() == 0u);
}

BOOST_AUTO_TEST_CASE(exhaustion_returns_enomem_and_leaves_bitmap_unchanged) {
    const std::uint64_t base = 0x40000000;
    mem_window w(base, 8 * PAGE, PAGE);
    std::uint64_t a = 0;
    BOOST_TEST(w.alloc(1, a) == 0); // page 0
    BOOST_TEST(w.pages_free() == 7u);

    // 7 pages are free but an 8-page run must be naturally aligned: no room.
    std::uint64_t b = SENTINEL;
    BOOST_TEST(w.alloc(8 * PAGE, b) == -ENOMEM);
    BOOST_TEST(b == SENTINEL);
    BOOST_TEST(w.pages_free() == 7u);
    // Larger than the window.
    BOOST_TEST(w.alloc(9 * PAGE, b) == -ENOMEM);
    BOOST_TEST(b == SENTINEL);
    BOOST_TEST(w.pages_free() == 7u);
    // A 4-page run still fits at pages 4..7.
    BOOST_TEST(w.alloc(4 * PAGE, b) == 0);
    BOOST_TEST(b == base + 4 * PAGE);
    BOOST_TEST(w.pages_free() == 3u);
}

BOOST_AUTO_TEST_CASE(large_pages) {
    const std::uint64_t base = 0x100000000ull;
    const std::uint64_t page = 64 * KiB;
    mem_window w(base, 8 * page, page);
    BOOST_TEST(w.pages_free() == 8u);
    std::uint64_t a = 0, b = 0;
    BOOST_TEST(w.alloc(100, a) == 0); // one 64 KiB page
    BOOST_TEST(a == base);
    BOOST_TEST(w.alloc(page + 100, b) == 0); // two pages, aligned to two pages
    BOOST_TEST(b == base + 2 * page);
    BOOST_TEST(w.pages_free() == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// coherent_pool
// =============================================================================================

BOOST_AUTO_TEST_SUITE(pool)

BOOST_AUTO_TEST_CASE(alloc_honours_alignment_and_is_first_fit) {
    coherent_pool p(0x80000000, 0x10000);
    std::uint64_t a = 0, b = 0, c = 0;
    BOOST_TEST(p.alloc(0x100, 0x1000, a) == 0);
    BOOST_TEST(a == 0x80000000u);
    BOOST_TEST(p.alloc(0x100, 0x1000, b) == 0);
    BOOST_TEST(b == 0x80001000u);
    // First fit: the gap between a and b.
    BOOST_TEST(p.alloc(0x80, 0x80, c) == 0);
    BOOST_TEST(c == 0x80000100u);
    std::uint64_t d = 0;
    BOOST_TEST(p.alloc(0x10, 0x10, d) == 0);
    BOOST_TEST(d == 0x80000180u);
}

BOOST_AUTO_TEST_CASE(unaligned_pool_base_is_aligned_up) {
    coherent_pool p(0x80000100, 0x10000);
    std::uint64_t a = 0;
    BOOST_TEST(p.alloc(0x100, 0x1000, a) == 0);
    BOOST_TEST(a == 0x80001000u);
    std::uint64_t b = 0;
    BOOST_TEST(p.alloc(0x100, 0x100, b) == 0); // first fit before a
    BOOST_TEST(b == 0x80000100u);
}

BOOST_AUTO_TEST_CASE(free_and_refill_and_enomem_when_full) {
    coherent_pool p(0x80000000, 0x4000);
    std::uint64_t a[4] = {};
    for (int i = 0; i < 4; ++i) {
        BOOST_TEST(p.alloc(0x1000, 0x1000, a[i]) == 0);
        BOOST_TEST(a[i] == 0x80000000u + 0x1000u * i);
    }
    std::uint64_t x = SENTINEL;
    BOOST_TEST(p.alloc(1, 1, x) == -ENOMEM);
    BOOST_TEST(x == SENTINEL);

    p.free(a[2]);
    BOOST_TEST(p.alloc(0x1001, 1, x) == -ENOMEM); // the hole is 0x1000
    BOOST_TEST(x == SENTINEL);
    BOOST_TEST(p.alloc(0x1000, 0x1000, x) == 0);
    BOOST_TEST(x == 0x80002000u);
    BOOST_TEST(p.alloc(1, 1, x) == -ENOMEM);
}

BOOST_AUTO_TEST_CASE(alignment_larger_than_remaining_space_fails) {
    coherent_pool p(0x80000000, 0x10000);
    std::uint64_t a = 0, b = SENTINEL;
    BOOST_TEST(p.alloc(0x100, 1, a) == 0);
    // The next 64 KiB-aligned address is the end of the pool.
    BOOST_TEST(p.alloc(0x100, 0x10000, b) == -ENOMEM);
    BOOST_TEST(b == SENTINEL);
    p.free(a);
    BOOST_TEST(p.alloc(0x10000, 0x10000, b) == 0);
    BOOST_TEST(b == 0x80000000u);
}

// A DMA buffer goes back to the pool at scope exit unless its transfer timed out: then the
// channel may still be using it, and the next allocation must not get it.
BOOST_AUTO_TEST_CASE(a_pool_buffer_whose_transfer_timed_out_is_never_handed_out_again) {
    coherent_pool p(0x80000000, 0x4000);
    {
        fw::epc::pool_buffer b(p, 0x1000, 0x1000);
        BOOST_TEST(b.ok());
        BOOST_TEST(b.addr() == 0x80000000u);
        BOOST_TEST(b.keep_if_timed_out(-EIO) == -EIO); // an abort: the channel stopped
    }
    {
        fw::epc::pool_buffer b(p, 0x1000, 0x1000);
        BOOST_TEST(b.addr() == 0x80000000u); // freed above: first fit again
        BOOST_TEST(b.keep_if_timed_out(-ETIMEDOUT) == -ETIMEDOUT);
    }
    {
        fw::epc::pool_buffer b(p, 0x1000, 0x1000);
        BOOST_TEST(b.addr() == 0x80001000u); // the timed-out buffer is still allocated
        b.keep_if_timed_out(0);
    }
    fw::epc::pool_buffer too_big(p, 0x4000, 0x1000);
    BOOST_TEST(!too_big.ok()); // 0x80000000 is taken for good
    std::uint64_t x = SENTINEL;
    BOOST_TEST(p.alloc(0x3000, 0x1000, x) == 0); // only the kept page is in use
    BOOST_TEST(x == 0x80001000u);
    BOOST_TEST(p.alloc(1, 1, x) == -ENOMEM);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// alloc_space (pci_epf_alloc_space)
// =============================================================================================

BOOST_AUTO_TEST_SUITE(alloc_space)

constexpr std::uint64_t POOL_BASE = 0x400000000ull; // 16 GiB: aligned to everything used here
constexpr std::uint64_t POOL_SIZE = 64 * GiB;

BOOST_AUTO_TEST_CASE(programmable_minimum_128_and_power_of_two) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, PROG, PROG, PROG, PROG, PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 0, 1, b) == 0);
    BOOST_TEST(b.barno == 0);
    BOOST_TEST(b.size == 128u);
    BOOST_TEST(b.phys_addr % 128 == 0u);
    BOOST_TEST(b.flags == 0u);

    BOOST_TEST(epc::alloc_space(p, f, 2, 1000, b) == 0);
    BOOST_TEST(b.barno == 2);
    BOOST_TEST(b.size == 1024u);
    BOOST_TEST(b.phys_addr % 1024 == 0u);
    BOOST_TEST(b.flags == 0u);

    BOOST_TEST(epc::alloc_space(p, f, 4, 4096, b) == 0);
    BOOST_TEST(b.size == 4096u); // already a power of two
    BOOST_TEST(b.phys_addr % 4096 == 0u);
}

BOOST_AUTO_TEST_CASE(phys_addr_aligned_to_bar_size) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, PROG, RESIZ, PROG, PROG, PROG});
    epf_bar small, big;
    BOOST_TEST(epc::alloc_space(p, f, 0, 128, small) == 0);
    BOOST_TEST(small.phys_addr == POOL_BASE);
    BOOST_TEST(epc::alloc_space(p, f, 2, 1 * MiB, big) == 0);
    BOOST_TEST(big.size == 1 * MiB);
    BOOST_TEST(big.phys_addr == POOL_BASE + 1 * MiB); // next 1 MiB boundary
}

BOOST_AUTO_TEST_CASE(features_align_is_honoured) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    features f = features_with({PROG, PROG, PROG, PROG, PROG, PROG});
    f.align = 64 * KiB;
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 0, 128, b) == 0);
    BOOST_TEST(b.size == 128u);
    BOOST_TEST(b.phys_addr % (64 * KiB) == 0u);
    // The buffer took ALIGN(128, 64 KiB): the next byte-aligned allocation starts after it.
    std::uint64_t next = 0;
    BOOST_TEST(p.alloc(1, 1, next) == 0);
    BOOST_TEST(next == b.phys_addr + 64 * KiB);
}

BOOST_AUTO_TEST_CASE(fixed_uses_fixed_size_and_rejects_larger) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, PROG, PROG, PROG, fixed(256), PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 4, 100, b) == 0);
    BOOST_TEST(b.barno == 4);
    BOOST_TEST(b.size == 256u);
    BOOST_TEST(b.phys_addr % 256 == 0u);
    BOOST_TEST(epc::alloc_space(p, f, 4, 256, b) == 0);
    BOOST_TEST(b.size == 256u);

    epf_bar untouched = make_bar(3, 0x1234, 0x8, SENTINEL);
    BOOST_TEST(epc::alloc_space(p, f, 4, 257, untouched) == -ENOMEM);
    BOOST_TEST(untouched.barno == 3);
    BOOST_TEST(untouched.size == 0x1234u);
    BOOST_TEST(untouched.phys_addr == SENTINEL);
    BOOST_TEST(untouched.flags == 0x8u);
}

BOOST_AUTO_TEST_CASE(fixed_rejection_allocates_nothing) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, PROG, PROG, PROG, fixed(256), PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 4, 4096, b) == -ENOMEM);
    std::uint64_t first = 0;
    BOOST_TEST(p.alloc(1, 1, first) == 0);
    BOOST_TEST(first == POOL_BASE); // the pool is still empty
}

BOOST_AUTO_TEST_CASE(resizable_raised_to_at_least_1mib) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({RESIZ, PROG, RESIZ, PROG, PROG, PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 0, 4096, b) == 0);
    BOOST_TEST(b.size == 1 * MiB);
    BOOST_TEST(b.phys_addr % MiB == 0u);
    BOOST_TEST(b.flags == 0u);
    BOOST_TEST(epc::alloc_space(p, f, 2, 3 * MiB, b) == 0);
    BOOST_TEST(b.barno == 2);
    BOOST_TEST(b.size == 4 * MiB);
    BOOST_TEST(b.phys_addr % (4 * MiB) == 0u);
}

BOOST_AUTO_TEST_CASE(reserved_bar_is_einval) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, RSVD, PROG, PROG, PROG, PROG});
    epf_bar b = make_bar(0, 0x1000, 0, SENTINEL);
    BOOST_TEST(epc::alloc_space(p, f, 1, 4096, b) == -EINVAL);
    BOOST_TEST(b.barno == 0);
    BOOST_TEST(b.size == 0x1000u);
    BOOST_TEST(b.phys_addr == SENTINEL);
    std::uint64_t first = 0;
    BOOST_TEST(p.alloc(1, 1, first) == 0);
    BOOST_TEST(first == POOL_BASE);
}

BOOST_AUTO_TEST_CASE(only_64bit_sets_mem_type_64) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG64, RSVD, PROG, PROG, PROG, PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 0, 4096, b) == 0);
    BOOST_TEST(b.size == 4096u);
    BOOST_TEST(b.flags == FLAG_MEM64);
    BOOST_TEST(epc::alloc_space(p, f, 2, 4096, b) == 0);
    BOOST_TEST(b.flags == 0u);
}

BOOST_AUTO_TEST_CASE(above_4gib_sets_mem_type_64) {
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, PROG, PROG, PROG, PROG, PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 2, 5 * GiB, b) == 0);
    BOOST_TEST(b.size == 8 * GiB);
    BOOST_TEST(b.flags == FLAG_MEM64);
    BOOST_TEST(b.phys_addr % (8 * GiB) == 0u);
    BOOST_TEST(epc::alloc_space(p, f, 0, 2 * GiB, b) == 0);
    BOOST_TEST(b.size == 2 * GiB);
    BOOST_TEST(b.flags == 0u); // 2 GiB fits a 32-bit BAR
}

BOOST_AUTO_TEST_CASE(exactly_4gib_needs_mem_type_64) {
    // pci_epf_alloc_space sets the 64-bit flag when upper_32_bits(size) != 0; a 32-bit memory
    // BAR decodes at most 2 GiB (bit 31 is its highest size bit), so 4 GiB must be 64-bit.
    coherent_pool p(POOL_BASE, POOL_SIZE);
    const features f = features_with({PROG, PROG, PROG, PROG, PROG, PROG});
    epf_bar b;
    BOOST_TEST(epc::alloc_space(p, f, 0, 4 * GiB, b) == 0);
    BOOST_TEST(b.size == 4 * GiB);
    BOOST_TEST(b.flags == FLAG_MEM64);
}

BOOST_AUTO_TEST_CASE(pool_exhaustion_is_enomem) {
    coherent_pool p(POOL_BASE, 1 * MiB);
    const features f = features_with({PROG, PROG, RESIZ, PROG, PROG, PROG});
    epf_bar b = make_bar(5, 0x10, 0, SENTINEL);
    BOOST_TEST(epc::alloc_space(p, f, 0, 2 * MiB, b) == -ENOMEM);
    BOOST_TEST(b.barno == 5);
    BOOST_TEST(b.phys_addr == SENTINEL);
    BOOST_TEST(epc::alloc_space(p, f, 2, 1, b) == 0); // 1 MiB fits exactly
    BOOST_TEST(b.phys_addr == POOL_BASE);
    BOOST_TEST(epc::alloc_space(p, f, 0, 1, b) == -ENOMEM);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// epc::set_bar generic checks (pci_epc_set_bar)
// =============================================================================================

BOOST_AUTO_TEST_SUITE(set_bar)

features set_bar_features() {
    // BAR0 programmable, BAR1 reserved, BAR2 resizable, BAR3 fixed 256 B, BAR4/5 programmable.
    return features_with({PROG, RSVD, RESIZ, fixed(256), PROG, PROG});
}

BOOST_AUTO_TEST_CASE(reserved_bar_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(1, 4096)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
}

BOOST_AUTO_TEST_CASE(resizable_outside_1mb_128tb_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(2, 512 * KiB)) == -EINVAL);
    BOOST_TEST(fx.e.set_bar(0, make_bar(2, 256 * TiB, FLAG_MEM64)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
    // The bounds themselves are accepted.
    BOOST_TEST(fx.e.set_bar(0, make_bar(2, 1 * MiB)) == 0);
    BOOST_TEST(fx.e.set_bar(0, make_bar(2, 128 * TiB, FLAG_MEM64)) == 0);
    BOOST_TEST(fx.ctrl.set_bars.size() == 2u);
}

BOOST_AUTO_TEST_CASE(fixed_size_mismatch_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(3, 512)) == -EINVAL);
    BOOST_TEST(fx.e.set_bar(0, make_bar(3, 128)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
    BOOST_TEST(fx.e.set_bar(0, make_bar(3, 256)) == 0);
    BOOST_TEST(fx.ctrl.set_bars.size() == 1u);
}

BOOST_AUTO_TEST_CASE(non_power_of_two_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 3000)) == -EINVAL);
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 0x3000)) == -EINVAL);
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 0)) == -EINVAL);
    BOOST_TEST(fx.e.set_bar(0, make_bar(2, 3 * MiB)) == -EINVAL); // resizable, in range
    BOOST_TEST(fx.ctrl.set_bars.empty());
}

BOOST_AUTO_TEST_CASE(bar5_64bit_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(5, 4096, FLAG_MEM64)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
    BOOST_TEST(fx.e.set_bar(0, make_bar(5, 4096)) == 0); // 32-bit BAR5 is fine
    BOOST_TEST(fx.ctrl.set_bars.size() == 1u);
}

BOOST_AUTO_TEST_CASE(above_4gib_without_64bit_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 8 * GiB)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 8 * GiB, FLAG_MEM64)) == 0);
    BOOST_TEST(fx.ctrl.set_bars.size() == 1u);
}

BOOST_AUTO_TEST_CASE(exactly_4gib_without_64bit_rejected) {
    // pci_epc_set_bar rejects upper_32_bits(size) != 0 without MEM_TYPE_64: 4 GiB cannot be a
    // 32-bit BAR (its mask lower_32(size - 1) = 0xFFFFFFFF leaves no address bits).
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 4 * GiB)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
}

BOOST_AUTO_TEST_CASE(io_bar_with_io_mask_bits_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 256, FLAG_IO | 0x4)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 256, FLAG_IO)) == 0);
    BOOST_TEST(fx.ctrl.set_bars.size() == 1u);
}

BOOST_AUTO_TEST_CASE(bar_number_out_of_range_rejected) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(0, make_bar(6, 4096)) == -EINVAL);
    BOOST_TEST(fx.e.set_bar(0, make_bar(-1, 4096)) == -EINVAL);
    BOOST_TEST(fx.ctrl.set_bars.empty());
}

BOOST_AUTO_TEST_CASE(valid_bar_reaches_driver_unchanged) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    BOOST_TEST(fx.e.set_bar(1, make_bar(4, 64 * KiB, FLAG_MEM64 | 0x8, 0x81230000)) == 0);
    BOOST_TEST_REQUIRE(fx.ctrl.set_bars.size() == 1u);
    const auto& c = fx.ctrl.set_bars[0];
    BOOST_TEST(c.fn == 1u);
    BOOST_TEST(c.bar.barno == 4);
    BOOST_TEST(c.bar.size == 64 * KiB);
    BOOST_TEST(c.bar.flags == (FLAG_MEM64 | 0x8u));
    BOOST_TEST(c.bar.phys_addr == 0x81230000u);
}

BOOST_AUTO_TEST_CASE(driver_error_is_returned) {
    fixture fx;
    fx.ctrl.feat = set_bar_features();
    fx.ctrl.set_bar_result = -EBUSY;
    BOOST_TEST(fx.e.set_bar(0, make_bar(0, 4096)) == -EBUSY);
    BOOST_TEST(fx.ctrl.set_bars.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// get_next_free_bar
// =============================================================================================

BOOST_AUTO_TEST_SUITE(free_bar)

BOOST_AUTO_TEST_CASE(all_programmable) {
    const features f = features_with({PROG, PROG, PROG, PROG, PROG, PROG});
    BOOST_TEST(epc::epc::get_first_free_bar(f) == 0);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 3) == 3);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 5) == 5);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 6) == epc::NO_BAR);
    BOOST_TEST(epc::NO_BAR == -1);
}

BOOST_AUTO_TEST_CASE(skips_reserved_and_upper_half_of_64bit) {
    // BAR0 only_64bit (BAR1 its reserved upper half), BAR2 programmable, BAR3 reserved,
    // BAR4 fixed, BAR5 reserved.
    const features f = features_with({PROG64, RSVD, PROG, RSVD, fixed(256), RSVD});
    BOOST_TEST(epc::epc::get_first_free_bar(f) == 0);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 1) == 2);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 2) == 2);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 3) == 4);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 5) == epc::NO_BAR);
}

BOOST_AUTO_TEST_CASE(only_64bit_last_pair_leaves_none) {
    const features f = features_with({RSVD, RSVD, RSVD, RSVD, PROG64, RSVD});
    BOOST_TEST(epc::epc::get_first_free_bar(f) == 4);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 5) == epc::NO_BAR);
}

BOOST_AUTO_TEST_CASE(all_reserved_is_no_bar) {
    const features f = features_with({RSVD, RSVD, RSVD, RSVD, RSVD, RSVD});
    BOOST_TEST(epc::epc::get_first_free_bar(f) == epc::NO_BAR);
    BOOST_TEST(epc::epc::get_next_free_bar(f, 2) == epc::NO_BAR);
}

BOOST_AUTO_TEST_CASE(bar_after_only_64bit_is_skipped_even_if_not_marked_reserved) {
    // Reference 3.7: get_next_free_bar "skips bar+1 after an only_64bit BAR" (the start BAR is
    // moved on when bar-1 is only_64bit), independently of how bar+1 is described.
    const features f = features_with({PROG64, PROG, PROG, PROG, PROG, PROG});
    BOOST_TEST(epc::epc::get_next_free_bar(f, 1) == 2);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// mem_map / mem_unmap (pci_epc_mem_map)
// =============================================================================================

BOOST_AUTO_TEST_SUITE(mem_map)

BOOST_AUTO_TEST_CASE(unaligned_pci_address_maps_through_offset) {
    fixture fx; // region_align 4 KiB, page 4 KiB
    epc::map m;
    // offset = 0x789, map_pci_addr = 0x1_2345_6000, map_size = ALIGN(0x789 + 0x100, 4K) = 4K.
    BOOST_TEST(fx.e.mem_map(0, 0x123456789ull, 0x100, m) == 0);
    BOOST_TEST(m.pci_addr == 0x123456789ull);
    BOOST_TEST(m.map_pci_addr == 0x123456000ull);
    BOOST_TEST(m.map_size == 0x1000u);
    BOOST_TEST(m.pci_size == 0x100u); // fits: the whole request
    BOOST_TEST(m.phys_base == APERTURE_BASE);
    BOOST_TEST(m.phys_addr == APERTURE_BASE + 0x789);
    BOOST_TEST_REQUIRE(fx.ctrl.maps.size() == 1u);
    BOOST_TEST(fx.ctrl.maps[0].fn == 0u);
    BOOST_TEST(fx.ctrl.maps[0].phys == APERTURE_BASE);
    BOOST_TEST(fx.ctrl.maps[0].pci_addr == 0x123456000ull);
    BOOST_TEST(fx.ctrl.maps[0].size == 0x1000u);
}

BOOST_AUTO_TEST_CASE(region_align_64k_with_4k_pages) {
    fixture fx;
    fx.ctrl.region_align = 64 * KiB;
    epc::map m;
    // offset = 0x1234, map_size = ALIGN(0x1334, 4K) = 0x2000 (2 pages, aligned to 2 pages).
    BOOST_TEST(fx.e.mem_map(1, 0x100001234ull, 0x100, m) == 0);
    BOOST_TEST(m.map_pci_addr == 0x100000000ull);
    BOOST_TEST(m.map_size == 0x2000u);
    BOOST_TEST(m.pci_size == 0x100u);
    BOOST_TEST(m.phys_base == APERTURE_BASE);
    BOOST_TEST(m.phys_addr == APERTURE_BASE + 0x1234);
    BOOST_TEST_REQUIRE(fx.ctrl.maps.size() == 1u);
    BOOST_TEST(fx.ctrl.maps[0].fn == 1u);
    BOOST_TEST(fx.ctrl.maps[0].size == 0x2000u);

    // A second mapping takes the next free naturally aligned run (pages 2..3).
    epc::map m2;
    BOOST_TEST(fx.e.mem_map(1, 0x200000010ull, 0x1000, m2) == 0);
    BOOST_TEST(m2.map_size == 0x2000u); // ALIGN(0x10 + 0x1000, 4K)
    BOOST_TEST(m2.phys_base == APERTURE_BASE + 0x2000);
    BOOST_TEST(m2.phys_addr == APERTURE_BASE + 0x2010);
    BOOST_TEST(m2.pci_size == 0x1000u);
}

BOOST_AUTO_TEST_CASE(request_crossing_a_page_gets_two_pages) {
    fixture fx;
    epc::map m;
    BOOST_TEST(fx.e.mem_map(0, 0x10000F00, 0x200, m) == 0);
    BOOST_TEST(m.map_pci_addr == 0x10000000u);
    BOOST_TEST(m.map_size == 0x2000u); // ALIGN(0xF00 + 0x200, 4K)
    BOOST_TEST(m.pci_size == 0x200u);
    BOOST_TEST(m.phys_addr == m.phys_base + 0xF00);
}

BOOST_AUTO_TEST_CASE(partial_mapping_when_controller_shortens) {
    // pci_size = min(requested, map_pci_addr + map_size - pci_addr); the caller loops.
    fixture fx;
    fx.ctrl.max_map_size = 0x1000;
    epc::map m;
    BOOST_TEST(fx.e.mem_map(0, 0x10000F00, 0x200, m) == 0);
    BOOST_TEST(m.map_pci_addr == 0x10000000u);
    BOOST_TEST(m.map_size == 0x1000u);
    BOOST_TEST(m.pci_size == 0x100u); // 0x1000_1000 - 0x1000_0F00
    BOOST_TEST(m.phys_addr == APERTURE_BASE + 0xF00);
    fx.e.mem_unmap(0, m);

    epc::map rest;
    BOOST_TEST(fx.e.mem_map(0, 0x10000F00 + 0x100, 0x200 - 0x100, rest) == 0);
    BOOST_TEST(rest.map_pci_addr == 0x10001000u);
    BOOST_TEST(rest.pci_size == 0x100u);
    BOOST_TEST(rest.phys_addr == APERTURE_BASE);
    BOOST_TEST(fx.ctrl.maps.size() == 2u);
}

BOOST_AUTO_TEST_CASE(map_addr_failure_returns_error_and_frees_aperture) {
    fixture fx;
    fx.ctrl.map_result = -EINVAL; // e.g. "No free outbound window"
    epc::map m;
    BOOST_TEST(fx.e.mem_map(0, 0x10000000, 0x8000, m) == -EINVAL);
    BOOST_TEST(fx.ctrl.maps.size() == 1u); // it was tried
    BOOST_TEST(fx.ctrl.unmaps.empty());
    BOOST_TEST(fx.aperture_all_free());

    // And a retry succeeds at the same place.
    fx.ctrl.map_result = 0;
    epc::map m2;
    BOOST_TEST(fx.e.mem_map(0, 0x10000000, 0x8000, m2) == 0);
    BOOST_TEST(m2.phys_base == APERTURE_BASE);
    BOOST_TEST(m2.map_size == 0x8000u);
}

BOOST_AUTO_TEST_CASE(zero_size_is_einval) {
    fixture fx;
    epc::map m;
    BOOST_TEST(fx.e.mem_map(0, 0x10000000, 0, m) == -EINVAL);
    BOOST_TEST(fx.ctrl.maps.empty());
    BOOST_TEST(fx.aperture_all_free());
}

BOOST_AUTO_TEST_CASE(aperture_exhaustion_is_enomem_without_map_addr) {
    fixture fx;
    epc::map whole;
    BOOST_TEST(fx.e.mem_map(0, 0x10000000, APERTURE_SIZE, whole) == 0);
    BOOST_TEST(whole.map_size == APERTURE_SIZE);
    BOOST_TEST(fx.ctrl.maps.size() == 1u);

    epc::map m;
    BOOST_TEST(fx.e.mem_map(0, 0x20000000, 4, m) == -ENOMEM);
    BOOST_TEST(fx.ctrl.maps.size() == 1u); // map_addr not called

    fx.e.mem_unmap(0, whole);
    // Larger than the whole aperture: -ENOMEM, never split.
    BOOST_TEST(fx.e.mem_map(0, 0x20000000, APERTURE_SIZE + 1, m) == -ENOMEM);
    BOOST_TEST(fx.ctrl.maps.size() == 1u);
    BOOST_TEST(fx.aperture_all_free());
}

BOOST_AUTO_TEST_CASE(mem_unmap_calls_unmap_addr_with_phys_base_and_frees) {
    fixture fx;
    epc::map m;
    BOOST_TEST(fx.e.mem_map(1, 0x30000804, 0x10, m) == 0);
    BOOST_TEST(m.phys_addr == APERTURE_BASE + 0x804);
    BOOST_TEST(!fx.aperture_all_free());
    fx.e.mem_unmap(1, m);
    BOOST_TEST_REQUIRE(fx.ctrl.unmaps.size() == 1u);
    BOOST_TEST(fx.ctrl.unmaps[0].fn == 1u);
    BOOST_TEST(fx.ctrl.unmaps[0].phys == APERTURE_BASE); // phys_base, not phys_addr
    BOOST_TEST(fx.aperture_all_free());
}

BOOST_AUTO_TEST_SUITE_END()

#include "firmware/functions/iova_test.h"

#include "contracts/iova_test_regs.h"
#include "contracts/irq_window_regs.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"
#include "firmware/hal/random.h"

#include <vector>

namespace fw::functions {

namespace {
using namespace iova_test;
constexpr unsigned words_per_page = PAGE_BYTES / sizeof(std::uint32_t);
constexpr unsigned max_gap_pages = 3;          // scattering: up to this many pages between buffers
constexpr std::uint64_t scatter_seed = 0x10FA; // the gaps' own random stream
constexpr unsigned iova_func_no = 0;
constexpr int bar_no = 0;

std::uint64_t next_pow2(std::uint64_t v) {
    std::uint64_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

// Count of pages whose contents differ from the host's pattern; first bad page index in *first.
unsigned check_buffers(hal::platform& io, const iova_test_params& p,
                       const std::vector<std::uint64_t>& phys, unsigned* first) {
    std::vector<std::uint32_t> buf(words_per_page);
    unsigned bad = 0;
    for (std::size_t i = 0; i < phys.size(); ++i) {
        const auto page = static_cast<std::uint32_t>(i + 1);
        bool ok = io.read(phys[i], buf.data(), PAGE_BYTES) == hal::status::ok;
        for (unsigned w = 0; ok && w < words_per_page; ++w)
            ok = buf[w] == pattern(p.seed, page, w);
        io.charge(hal::platform::work::crc, PAGE_BYTES);
        if (!ok && bad++ == 0 && first) *first = page;
    }
    return bad;
}
} // namespace

std::uint64_t iova_test_bar_bytes(unsigned buffers) {
    return next_pow2((static_cast<std::uint64_t>(buffers) + 2) * PAGE_BYTES);
}

int run_iova_test(endpoint_services& s, const iova_test_params& p, iova_test_report& out) {
    hal::platform& io = s.io;
    out.buffers = p.buffers;
    auto step = [&](const std::string& what) {
        out.steps.push_back(what);
        io.log(hal::log_level::info, "iova", what);
    };
    auto fail = [&](const std::string& what, int err) {
        out.status = err;
        step(what + ": " + err_name(err));
        return err;
    };
    if (!s.iova || !s.domain || !s.smmu || !s.board) return fail("no SMMU on this board", -ENODEV);
    const std::uint64_t bar_bytes = iova_test_bar_bytes(p.buffers);
    const epc::epf_bar& old = s.function.bar(bar_no);
    if (old.size < bar_bytes)
        return fail("BAR0 is " + std::to_string(old.size) + " bytes, the test needs " +
                        std::to_string(bar_bytes),
                    -EINVAL);
    out.bar_bytes = old.size;
    const std::uint64_t t0 = io.now_ns();

    // The IOVA range (aligned to its size, as a BAR-match window target wants) and its pages.
    iommu::iova_range range;
    int r = s.iova->reserve(old.size, old.size, range);
    if (r) return fail("reserve " + std::to_string(old.size) + " bytes of IOVA", r);
    out.iova_base = range.base;
    std::uint64_t status_page = 0;
    if ((r = s.pool.alloc(PAGE_BYTES, PAGE_BYTES, status_page))) return fail("status page", r);
    xorshift64star rng(p.seed ^ scatter_seed);
    std::vector<std::uint64_t> gaps;
    out.buffer_phys.clear();
    for (unsigned i = 0; i < p.buffers; ++i) {
        std::uint64_t gap = 0;
        const std::uint64_t gap_pages = 1 + rng.next() % max_gap_pages;
        if ((r = s.pool.alloc(gap_pages * PAGE_BYTES, PAGE_BYTES, gap)) == 0) gaps.push_back(gap);
        std::uint64_t page = 0;
        if ((r = s.pool.alloc(PAGE_BYTES, PAGE_BYTES, page)))
            return fail("buffer " + std::to_string(i), r);
        out.buffer_phys.push_back(page);
    }
    for (std::uint64_t g : gaps)
        s.pool.free(g);
    const std::vector<std::uint8_t> zero(PAGE_BYTES, 0);
    io.write(status_page, zero.data(), zero.size());
    for (std::uint64_t b : out.buffer_phys)
        io.write(b, zero.data(), zero.size());

    const unsigned rw = iommu::prot_read | iommu::prot_write;
    const std::uint64_t doorbell_page = p.buffers + 1;
    if ((r = s.iova->map(range, 0, status_page, PAGE_BYTES, rw)))
        return fail("map the status page", r);
    if ((r = s.iova->map_pages(range, PAGE_BYTES, out.buffer_phys, rw)))
        return fail("map the buffers", r);
    if ((r = s.iova->map(range, doorbell_page * PAGE_BYTES, s.board->irq_window.base, PAGE_BYTES,
                         rw | iommu::prot_mmio)))
        return fail("map the interrupt window", r);
    // Dynamic inbound remap: BAR0's BAR-match window now points at the IOVA range.
    epc::epf_bar bar = old;
    bar.phys_addr = range.base;
    bar.submap.clear();
    if ((r = s.epc.set_bar(iova_func_no, bar))) return fail("point BAR0 at the IOVA range", r);
    out.map_ns = io.now_ns() - t0;
    step("reserved IOVA " + hex(range.base) + " (" + std::to_string(range.size) +
         " bytes), mapped the status page, " + std::to_string(p.buffers) +
         " scattered DRAM pages and the interrupt window; BAR0 -> IOVA range (" +
         std::to_string(out.map_ns) + " ns)");

    // Doorbells: the interrupt window's FIFO, drained by our handler.
    std::vector<std::uint32_t> rung;
    io.set_irq_handler(hal::irq_msi_ctrl, [&](unsigned) {
        while (io.rd32(s.board->irq_window.base + irq_window::COUNT))
            rung.push_back(io.rd32(s.board->irq_window.base + irq_window::POP));
    });
    // The handler refers to `rung`: it is removed on every way out of this function.
    struct handler_removal {
        hal::platform& io;
        ~handler_removal() { io.set_irq_handler(hal::irq_msi_ctrl, nullptr); }
    } remove_handler{io};
    auto wait_doorbell = [&](std::uint32_t value) {
        const std::uint64_t start = io.now_ns();
        for (;;) {
            for (std::size_t i = 0; i < rung.size(); ++i)
                if (rung[i] == value) {
                    rung.erase(rung.begin(), rung.begin() + static_cast<long>(i) + 1);
                    return true;
                }
            if (io.now_ns() - start > p.timeout_ns) return false;
            io.wait_for_interrupt(p.poll_ns);
        }
    };
    auto status = [&](std::uint32_t off, std::uint32_t v) {
        if (off == STATE && out.publish) out.publish(out);
        io.wr32(status_page + off, v);
    };
    status(BUFFERS, p.buffers);
    status(DOORBELL_PAGE, static_cast<std::uint32_t>(doorbell_page));
    status(IOVA_BASE_LO, static_cast<std::uint32_t>(range.base));
    status(IOVA_BASE_HI, static_cast<std::uint32_t>(range.base >> 32));
    status(STATE, STATE_READY);
    status(MAGIC, MAGIC_VALUE);

    auto failed_state = [&](const std::string& what, int err) {
        fail(what, err);
        status(ERROR, static_cast<std::uint32_t>(err));
        status(STATE, STATE_FAILED);
        return err;
    };
    if (!wait_doorbell(DOORBELL_CHECK))
        return failed_state("no doorbell from the host", -ETIMEDOUT);
    unsigned first = 0;
    out.bad_first = check_buffers(io, p, out.buffer_phys, &first);
    status(BAD_BUFFERS, out.bad_first);
    status(FIRST_BAD, first);
    step("doorbell: checked " + std::to_string(p.buffers) + " buffers, " +
         std::to_string(out.bad_first) + " bad");

    // Unmap a middle buffer: the host's next access there must fault.
    out.unmapped_index = p.buffers / 2 + 1;
    (void)s.smmu->take_events();
    const std::uint64_t t1 = io.now_ns();
    if ((r = s.iova->unmap(range, out.unmapped_index * PAGE_BYTES, PAGE_BYTES)))
        return failed_state("unmap buffer page " + std::to_string(out.unmapped_index), r);
    out.unmap_ns = io.now_ns() - t1;
    status(UNMAPPED_INDEX, out.unmapped_index);
    status(STATE, STATE_UNMAPPED);
    step("unmapped page " + std::to_string(out.unmapped_index) + " (IOVA " +
         hex(range.base + out.unmapped_index * PAGE_BYTES) + ", TLBI + CMD_SYNC " +
         std::to_string(out.unmap_ns) + " ns)");

    if (!wait_doorbell(DOORBELL_AFTER_UNMAP))
        return failed_state("no second doorbell from the host", -ETIMEDOUT);
    s.smmu->handle_irq(); // drain what the interrupt has not yet
    const std::uint64_t lo = range.base + out.unmapped_index * PAGE_BYTES;
    std::uint64_t fault_addr = 0;
    for (const auto& e : s.smmu->take_events()) {
        if (e.addr < lo || e.addr >= lo + PAGE_BYTES) continue;
        if (!out.smmu_faults++) fault_addr = e.addr;
    }
    first = 0;
    out.bad_second = check_buffers(io, p, out.buffer_phys, &first);
    status(BAD_BUFFERS, out.bad_second);
    status(FIRST_BAD, first);
    status(SMMU_FAULTS, out.smmu_faults);
    status(FAULT_ADDR_LO, static_cast<std::uint32_t>(fault_addr));
    status(FAULT_ADDR_HI, static_cast<std::uint32_t>(fault_addr >> 32));
    step("second doorbell: " + std::to_string(out.smmu_faults) +
         " SMMU fault records at the unmapped page, " + std::to_string(out.bad_second) +
         " bad buffers (the unmapped page's memory included)");
    status(STATE, STATE_DONE);
    return 0;
}

int run_iotlb_map(endpoint_services& s, const iotlb_map_params& p, iotlb_map_report& out) {
    hal::platform& io = s.io;
    auto fail = [&](const std::string& what, int err) {
        out.status = err;
        out.steps.push_back(what + ": " + err_name(err));
        io.log(hal::log_level::error, "iotlb", out.steps.back());
        return err;
    };
    if (!s.iova || !s.domain) return fail("no SMMU on this board", -ENODEV);
    struct which {
        int bar;
        unsigned prot;
        std::uint64_t* iova;
        std::uint64_t* ns;
        const char* what;
    };
    const unsigned rw = iommu::prot_read | iommu::prot_write;
    for (const which& w :
         {which{p.page_bar, rw | iommu::prot_no_block, &out.page_iova, &out.page_map_ns,
                "4 KiB pages"},
          which{p.block_bar, rw, &out.block_iova, &out.block_map_ns, "2 MiB blocks"}}) {
        const epc::epf_bar& old = s.function.bar(w.bar);
        if (old.size < p.region_bytes)
            return fail("BAR" + std::to_string(w.bar) + " is " + std::to_string(old.size) +
                            " bytes, the sweep needs " + std::to_string(p.region_bytes),
                        -EINVAL);
        const std::uint64_t t0 = io.now_ns();
        iommu::iova_range range;
        int r = s.iova->reserve(p.region_bytes, p.region_bytes, range);
        if (r) return fail("reserve IOVA", r);
        if ((r = s.iova->map(range, 0, old.phys_addr, p.region_bytes, w.prot)))
            return fail(std::string("map with ") + w.what, r);
        epc::epf_bar bar = old;
        bar.phys_addr = range.base;
        bar.submap.clear();
        if ((r = s.epc.set_bar(iova_func_no, bar)))
            return fail("point BAR" + std::to_string(w.bar) + " at the IOVA range", r);
        *w.ns = io.now_ns() - t0;
        *w.iova = range.base;
        io.wr32(old.phys_addr, MAGIC_VALUE);
        out.steps.push_back("BAR" + std::to_string(w.bar) + " -> IOVA " + hex(range.base) + ", " +
                            std::to_string(p.region_bytes >> 20) + " MiB mapped with " + w.what +
                            " in " + std::to_string(*w.ns) + " ns");
        io.log(hal::log_level::info, "iotlb", out.steps.back());
    }
    return 0;
}

} // namespace fw::functions

#include "firmware/host/iova_host.h"

#include "contracts/iova_test_regs.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"
#include "firmware/hal/random.h"

namespace fw::host {

namespace {
using namespace iova_test;
constexpr unsigned words_per_page = PAGE_BYTES / sizeof(std::uint32_t);
constexpr unsigned bar_no = 0;
constexpr unsigned poison_words = 16; // a 64-byte write through the unmapped IOVA

void fill(std::vector<std::uint32_t>& buf, std::uint64_t seed, std::uint32_t page) {
    for (unsigned w = 0; w < words_per_page; ++w)
        buf[w] = pattern(seed, page, w);
}
} // namespace

int run_iova_host(pci_host& host, const pci_dev& dev, const iova_host_params& p,
                  iova_host_result& out) {
    hal::platform& io = host.io();
    const pci_bar& bar = dev.bars[bar_no];
    auto step = [&](const std::string& what) {
        out.steps.push_back(what);
        io.log(hal::log_level::info, "iova", what);
    };
    auto fail = [&](const std::string& what, int err) {
        out.status = err;
        step(what + ": " + err_name(err));
        return err;
    };
    if (!bar.size) return fail("BAR0 is not assigned", -ENODEV);
    const std::uint64_t base = bar.addr;
    auto wait_state = [&](std::uint32_t want) {
        const std::uint64_t start = io.now_ns();
        for (;;) {
            std::uint32_t magic = 0, state = 0;
            if (io.read32(base + MAGIC, magic) == hal::status::ok && magic == MAGIC_VALUE &&
                io.read32(base + STATE, state) == hal::status::ok &&
                (state == want || state == STATE_FAILED))
                return state == want ? 0 : static_cast<int>(io.rd32(base + ERROR));
            if (io.now_ns() - start > p.timeout_ns) return -ETIMEDOUT;
            io.delay_ns(p.poll_ns);
        }
    };
    int r = wait_state(STATE_READY);
    if (r) return fail("waiting for the function's status page", r);
    out.buffers = io.rd32(base + BUFFERS);
    const std::uint32_t doorbell = io.rd32(base + DOORBELL_PAGE);
    if (!out.buffers || doorbell != out.buffers + 1 || (doorbell + 1ull) * PAGE_BYTES > bar.size)
        return fail("status page: " + std::to_string(out.buffers) + " buffers, doorbell page " +
                        std::to_string(doorbell) + " in a " + std::to_string(bar.size) +
                        "-byte BAR",
                    -EINVAL);
    const std::uint64_t iova_base = io.rd32(base + IOVA_BASE_LO) |
                                    static_cast<std::uint64_t>(io.rd32(base + IOVA_BASE_HI)) << 32;
    step("BAR0 at " + hex(base) + " shows " + std::to_string(out.buffers) +
         " buffers behind IOVA " + hex(iova_base));

    // A distinct pattern into every buffer, then the doorbell.
    std::vector<std::uint32_t> buf(words_per_page), got(words_per_page);
    for (std::uint32_t page = 1; page <= out.buffers; ++page) {
        fill(buf, p.seed, page);
        if (io.write(base + page * PAGE_BYTES, buf.data(), PAGE_BYTES) != hal::status::ok)
            return fail("write buffer page " + std::to_string(page), -EIO);
    }
    io.wr32(base + doorbell * PAGE_BYTES, DOORBELL_CHECK);
    step("wrote " + std::to_string(out.buffers) + " x 4 KiB patterns, rang the doorbell");
    if ((r = wait_state(STATE_UNMAPPED))) return fail("waiting for the function's check", r);
    out.fw_bad_first = io.rd32(base + BAD_BUFFERS);
    out.unmapped_index = io.rd32(base + UNMAPPED_INDEX);
    step("the function found " + std::to_string(out.fw_bad_first) +
         " bad buffers and unmapped page " + std::to_string(out.unmapped_index));
    if (out.unmapped_index == 0 || out.unmapped_index > out.buffers)
        return fail("unmapped page index " + std::to_string(out.unmapped_index), -EINVAL);

    // The unmapped page: a read fails (the SMMU faults, the controller answers Completer Abort),
    // a write is dropped.
    const std::uint64_t hole = base + out.unmapped_index * PAGE_BYTES;
    std::uint32_t v = 0;
    out.unmapped_read = io.read32(hole, v);
    std::vector<std::uint32_t> poison(poison_words, POISON);
    (void)io.write(hole, poison.data(), poison_words * sizeof(std::uint32_t));
    step(std::string("read of the unmapped page: ") + hal::to_string(out.unmapped_read) +
         "; wrote POISON there");
    // Every other buffer still works.
    for (std::uint32_t page = 1; page <= out.buffers; ++page) {
        if (page == out.unmapped_index) continue;
        fill(buf, p.seed, page);
        if (io.read(base + page * PAGE_BYTES, got.data(), PAGE_BYTES) != hal::status::ok ||
            got != buf)
            ++out.host_bad_buffers;
    }
    step("read back " + std::to_string(out.buffers - 1) +
         " mapped buffers: " + std::to_string(out.host_bad_buffers) + " mismatches");
    io.wr32(base + doorbell * PAGE_BYTES, DOORBELL_AFTER_UNMAP);
    if ((r = wait_state(STATE_DONE))) return fail("waiting for the function's second check", r);
    out.fw_bad_second = io.rd32(base + BAD_BUFFERS);
    out.smmu_faults = io.rd32(base + SMMU_FAULTS);
    out.fault_addr = io.rd32(base + FAULT_ADDR_LO) |
                     static_cast<std::uint64_t>(io.rd32(base + FAULT_ADDR_HI)) << 32;
    step("second check: " + std::to_string(out.fw_bad_second) + " bad buffers, " +
         std::to_string(out.smmu_faults) + " SMMU fault records at the unmapped page");
    const bool ok = out.fw_bad_first == 0 && out.fw_bad_second == 0 && out.host_bad_buffers == 0 &&
                    out.unmapped_read != hal::status::ok && out.smmu_faults > 0;
    out.status = ok ? 0 : -EIO;
    return out.status;
}

int run_iotlb_sweep_host(pci_host& host, const pci_dev& dev, const iotlb_sweep_params& p,
                         std::vector<iotlb_sweep_row>& rows) {
    hal::platform& io = host.io();
    if (p.read_bytes == 0 || p.reads == 0) return -EINVAL;
    xorshift64star rng(p.seed);
    std::vector<std::uint8_t> buf(p.read_bytes);
    constexpr double bytes_per_ns_to_MBps = 1000.0;
    for (const auto& [bar_no, name] :
         {std::pair<int, const char*>{p.page_bar, "4KiB-pages"}, {p.block_bar, "2MiB-blocks"}}) {
        const pci_bar& bar = dev.bars[static_cast<unsigned>(bar_no)];
        if (!bar.size) return -ENODEV;
        // The function writes MAGIC at the start once the BAR shows its IOVA range.
        const std::uint64_t start = io.now_ns();
        while (io.rd32(bar.addr) != MAGIC_VALUE) {
            if (io.now_ns() - start > p.timeout_ns) return -ETIMEDOUT;
            io.delay_ns(p.poll_ns);
        }
        for (std::uint64_t set : p.set_bytes) {
            if (set > bar.size || set < p.read_bytes) return -EINVAL;
            iotlb_sweep_row row;
            row.mapping = name;
            row.set_bytes = set;
            row.reads = p.reads;
            const std::uint64_t slots = set / p.read_bytes;
            const std::uint64_t t0 = io.now_ns();
            for (unsigned i = 0; i < p.reads; ++i) {
                const std::uint64_t off = (rng.next() % slots) * p.read_bytes;
                if (io.read(bar.addr + off, buf.data(), p.read_bytes) != hal::status::ok)
                    ++row.errors;
            }
            row.elapsed_ns = io.now_ns() - t0;
            const double ns = static_cast<double>(row.elapsed_ns);
            row.mean_latency_ns = ns / p.reads;
            row.throughput_MBps =
                ns > 0 ? static_cast<double>(p.reads) * p.read_bytes / ns * bytes_per_ns_to_MBps
                       : 0;
            rows.push_back(row);
        }
    }
    return 0;
}

} // namespace fw::host

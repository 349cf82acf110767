#include "firmware/host/cmd_stream_host.h"

#include "contracts/cmd_stream_regs.h"
#include "contracts/host_irq_regs.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"
#include "firmware/hal/random.h"

#include <algorithm>
#include <numeric>

namespace fw::host {

namespace {
using namespace ::cmd_stream;
constexpr std::uint64_t page_align = 4096;
constexpr unsigned percent = 100;
} // namespace

int run_cmd_stream_host(pci_host& host, const pci_dev& dev, host_mem& mem,
                        const cmd_stream_host_params& p, cmd_stream_result& out) {
    hal::platform& io = host.io();
    const pci_bar& bar = dev.bars[p.bar];
    const std::uint64_t sqe = sqe_bytes(p.pages_per_command);
    // A ring of N entries holds N - 1 commands (a full ring would look empty).
    const unsigned ring = p.queue_depth + 1;
    if (!bar.size || SQ_OFFSET + ring * sqe > bar.size) {
        io.log(hal::log_level::error, "cmd-stream", "the command BAR is too small for the ring");
        return out.status = -EINVAL;
    }
    const std::uint64_t regs = bar.addr;
    auto wait_status = [&](std::uint32_t bits) {
        const std::uint64_t start = io.now_ns();
        while (!(io.rd32(regs + REG_STATUS) & bits))
            if (io.now_ns() - start > p.timeout_ns)
                return false;
            else
                io.delay_ns(p.poll_ns);
        return true;
    };
    // The function publishes its limits once it runs (after bus mastering is enabled).
    const std::uint64_t pub_start = io.now_ns();
    while (!io.rd32(regs + REG_MAX_PAGES) && io.now_ns() - pub_start < p.timeout_ns)
        io.delay_ns(p.poll_ns);
    if (io.rd32(regs + REG_MAX_PAGES) < p.pages_per_command) {
        io.log(hal::log_level::error, "cmd-stream", "the device takes fewer pages per command");
        return out.status = -EINVAL;
    }
    // Completion ring and the data pages: every queue slot owns its pages, allocated one by one
    // and handed out in a shuffled order so a command's pages are scattered.
    std::uint64_t cq = 0;
    if (mem.kzalloc(std::uint64_t(ring) * CQE_BYTES, page_align, cq)) return out.status = -ENOMEM;
    std::vector<std::uint64_t> pages(std::size_t(ring) * p.pages_per_command);
    for (auto& pg : pages)
        if (mem.kmalloc(p.page_bytes, page_align, pg)) return out.status = -ENOMEM;
    xorshift64star rng(p.seed);
    for (std::size_t i = pages.size(); i > 1; --i)
        std::swap(pages[i - 1], pages[rng.next() % i]);

    // One MSI vector at the host's MSI doorbell; the driver reaps by polling and drains the
    // interrupt FIFO as it goes.
    const hal::host_board& hb = host.board();
    if (dev.msi_cap) {
        const std::uint16_t flags =
            host.cfg_read16(dev.bus, dev.dev, dev.fn, dev.msi_cap + pci::MSI_FLAGS);
        host.cfg_write32(dev.bus, dev.dev, dev.fn, dev.msi_cap + pci::MSI_ADDRESS_LO,
                         static_cast<std::uint32_t>(hb.msi_doorbell.base));
        const bool is64 = flags & pci::MSI_FLAGS_64BIT;
        if (is64)
            host.cfg_write32(dev.bus, dev.dev, dev.fn, dev.msi_cap + pci::MSI_ADDRESS_HI,
                             static_cast<std::uint32_t>(hb.msi_doorbell.base >> 32));
        host.cfg_write16(dev.bus, dev.dev, dev.fn,
                         dev.msi_cap + (is64 ? pci::MSI_DATA_64 : pci::MSI_DATA_32), 0);
        host.cfg_write16(
            dev.bus, dev.dev, dev.fn, dev.msi_cap + pci::MSI_FLAGS,
            static_cast<std::uint16_t>((flags & ~pci::MSI_FLAGS_QSIZE) | pci::MSI_FLAGS_ENABLE));
    }
    auto drain_msis = [&]() {
        const std::uint32_t n = io.rd32(hb.msi_regs.base + host_irq::MSI_COUNT);
        for (std::uint32_t i = 0; i < n; ++i)
            (void)io.rd32(hb.msi_regs.base + host_irq::MSI_POP_DATA);
    };

    io.wr32(regs + REG_SQ_ENTRIES, ring);
    io.wr32(regs + REG_CQ_ADDR_LO, static_cast<std::uint32_t>(cq));
    io.wr32(regs + REG_CQ_ADDR_HI, static_cast<std::uint32_t>(cq >> 32));
    io.wr32(regs + REG_SQ_TAIL, 0);
    io.wr32(regs + REG_CTRL, CTRL_ENABLE);
    if (!wait_status(STATUS_READY)) return out.status = -ETIMEDOUT;

    std::vector<std::uint64_t> submitted_at(ring);
    std::vector<std::uint16_t> opcode(ring);
    unsigned tail = 0, submitted = 0, completed = 0;
    out.start_ns = io.now_ns();
    std::vector<std::uint8_t> entry(sqe);
    std::vector<std::uint8_t> page(p.page_bytes);
    while (completed < p.commands) {
        bool rang = false;
        while (submitted < p.commands && submitted - completed < p.queue_depth) {
            const unsigned slot = tail;
            const std::uint16_t op = (rng.next() % percent) < p.write_percent ? OP_WRITE : OP_READ;
            const std::uint16_t cid = static_cast<std::uint16_t>(slot);
            std::fill(entry.begin(), entry.end(), 0);
            std::copy_n(reinterpret_cast<const std::uint8_t*>(&op), sizeof op, &entry[SQE_OPCODE]);
            std::copy_n(reinterpret_cast<const std::uint8_t*>(&cid), sizeof cid, &entry[SQE_CID]);
            std::copy_n(reinterpret_cast<const std::uint8_t*>(&p.pages_per_command),
                        sizeof(std::uint32_t), &entry[SQE_PAGES]);
            std::copy_n(reinterpret_cast<const std::uint8_t*>(&p.page_bytes), sizeof(std::uint32_t),
                        &entry[SQE_PAGE_BYTES]);
            std::copy_n(reinterpret_cast<const std::uint8_t*>(&pages[slot * p.pages_per_command]),
                        p.pages_per_command * sizeof(std::uint64_t), &entry[SQE_PRP]);
            io.write(regs + SQ_OFFSET + std::uint64_t(slot) * sqe, entry.data(), entry.size());
            opcode[slot] = op;
            submitted_at[slot] = io.now_ns();
            tail = (tail + 1) % ring;
            ++submitted;
            rang = true;
        }
        if (rang) io.wr32(regs + REG_SQ_TAIL, tail);
        // Reap the next completion (bounded wait).
        const std::uint64_t slot_addr = cq + std::uint64_t(completed % ring) * CQE_BYTES;
        const std::uint64_t wait_start = io.now_ns();
        std::uint32_t seq = 0;
        while ((io.read32(slot_addr + CQE_SEQ, seq), seq) != completed + 1) {
            if (io.now_ns() - wait_start > p.timeout_ns) {
                io.log(hal::log_level::error, "cmd-stream", "completion timed out");
                io.wr32(regs + REG_CTRL, CTRL_ENABLE | CTRL_STOP);
                return out.status = -ETIMEDOUT;
            }
            io.delay_ns(p.poll_ns);
        }
        drain_msis();
        std::uint16_t cid = 0, status = 0;
        io.read16(slot_addr + CQE_CID, cid);
        io.read16(slot_addr + CQE_STATUS, status);
        ++completed;
        ++out.commands;
        if (cid >= ring || status != CQE_STATUS_OK) {
            ++out.errors;
            continue;
        }
        out.latencies_ns.push_back(io.now_ns() - submitted_at[cid]);
        out.bytes += std::uint64_t(p.pages_per_command) * p.page_bytes;
        if (opcode[cid] == OP_WRITE)
            for (unsigned i = 0; i < p.pages_per_command; ++i) {
                io.read(pages[cid * p.pages_per_command + i], page.data(), page.size());
                if (std::any_of(page.begin(), page.end(),
                                [&](std::uint8_t b) { return b != write_pattern(cid); }))
                    ++out.data_errors;
            }
    }
    out.end_ns = io.now_ns();
    io.wr32(regs + REG_CTRL, CTRL_ENABLE | CTRL_STOP);
    wait_status(STATUS_STOPPED);
    return out.status = (out.errors || out.data_errors) ? -EIO : 0;
}

} // namespace fw::host

#include "firmware/host/msi_irq.h"

#include "contracts/host_irq_regs.h"
#include "firmware/hal/format.h"
#include "firmware/hal/pci_regs.h"

#include <algorithm>
#include <cerrno>

namespace fw::host {

namespace {
// Message data of vector 0; Multiple Message Enable replaces the low log2(n) bits (PCI Local Bus
// 3.0 section 6.8.1.6), so the base is aligned to the largest vector count, 32.
constexpr std::uint32_t msi_data_base = 0x200;
} // namespace

msi_irq::msi_irq(pci_host& host, const hal::host_board& board, const pci_dev& dev)
    : host_(host)
    , board_(board)
    , dev_(dev) {
    host_.io().set_irq_handler(hal::host_irq_msi, [this](unsigned) { handler(); });
}

msi_irq::~msi_irq() {
    host_.io().set_irq_handler(hal::host_irq_msi, nullptr);
}

int msi_capability_enable(pci_host& host, const pci_dev& dev, std::uint64_t doorbell,
                          std::uint16_t data_base, unsigned vectors,
                          const std::function<void()>& disable_others,
                          const std::function<void()>& before_enable, std::string& detail) {
    const std::uint8_t cap = dev.msi_cap;
    if (!cap) return detail = "no MSI capability", -EINVAL;
    if (vectors == 0 || vectors > pci::MSI_MAX_VECTORS)
        return detail = std::to_string(vectors) + " MSI vectors asked (1..32)", -EINVAL;
    const unsigned b = dev.bus, d = dev.dev, f = dev.fn;
    std::uint16_t flags = host.cfg_read16(b, d, f, cap + pci::MSI_FLAGS);
    // Multiple Message Capable: 2^MMC vectors (PCI Local Bus 3.0 section 6.8.1.3).
    const unsigned capable = 1u << ((flags & pci::MSI_FLAGS_QMASK) >> pci::MSI_FLAGS_QMASK_SHIFT);
    unsigned granted = 1, mme = 0;
    while (granted < std::min(vectors, capable)) {
        granted <<= 1;
        ++mme;
    }
    const bool is64 = flags & pci::MSI_FLAGS_64BIT;
    if (!is64 && (doorbell >> 32)) {
        detail = "32-bit MSI capability cannot reach the doorbell at " + hex(doorbell);
        return -EINVAL;
    }
    if (disable_others) disable_others();
    // Disable MSI during set-up, write the message, then Multiple Message Enable and enable.
    flags = static_cast<std::uint16_t>(flags & ~pci::MSI_FLAGS_ENABLE);
    host.cfg_write16(b, d, f, cap + pci::MSI_FLAGS, flags);
    host.cfg_write32(b, d, f, cap + pci::MSI_ADDRESS_LO, static_cast<std::uint32_t>(doorbell));
    if (is64)
        host.cfg_write32(b, d, f, cap + pci::MSI_ADDRESS_HI,
                         static_cast<std::uint32_t>(doorbell >> 32));
    host.cfg_write16(b, d, f, cap + (is64 ? pci::MSI_DATA_64 : pci::MSI_DATA_32), data_base);
    if (flags & pci::MSI_FLAGS_MASKBIT) // unmask the granted vectors, mask the rest
        host.cfg_write32(b, d, f, cap + (is64 ? pci::MSI_MASK_64 : pci::MSI_MASK_32),
                         granted >= pci::MSI_MAX_VECTORS ? 0u : ~((1u << granted) - 1));
    flags = static_cast<std::uint16_t>((flags & ~pci::MSI_FLAGS_QSIZE) |
                                       (mme << pci::MSI_FLAGS_QSIZE_SHIFT));
    host.cfg_write16(b, d, f, cap + pci::MSI_FLAGS, flags);
    if (before_enable) before_enable();
    host.cfg_write16(b, d, f, cap + pci::MSI_FLAGS,
                     static_cast<std::uint16_t>(flags | pci::MSI_FLAGS_ENABLE));
    return static_cast<int>(granted);
}

int msi_irq::enable(unsigned vectors) {
    std::string detail;
    const unsigned b = dev_.bus, d = dev_.dev, f = dev_.fn;
    const int r = msi_capability_enable(
        host_, dev_, board_.msi_doorbell.base, static_cast<std::uint16_t>(msi_data_base), vectors,
        [&] {
            disable();
            const std::uint16_t command = host_.cfg_read16(b, d, f, pci::COMMAND);
            host_.cfg_write16(b, d, f, pci::COMMAND,
                              command | pci::COMMAND_MASTER | pci::COMMAND_INTX_DISABLE);
        },
        nullptr, detail);
    if (r > 0) granted_ = static_cast<unsigned>(r);
    return r;
}

int msi_irq::enable_msix(unsigned vectors) {
    const std::uint8_t cap = dev_.msix_cap;
    if (!cap || vectors == 0) return -EINVAL;
    const unsigned b = dev_.bus, d = dev_.dev, f = dev_.fn;
    const std::uint16_t flags = host_.cfg_read16(b, d, f, cap + pci::MSIX_FLAGS);
    const std::uint32_t table = host_.cfg_read32(b, d, f, cap + pci::MSIX_TABLE);
    // Table Size is N - 1 (PCI Local Bus 3.0 section 6.8.2.3).
    const unsigned granted = std::min(vectors, (flags & pci::MSIX_FLAGS_QSIZE) + 1u);
    // The table must lie inside a memory BAR that was assigned (BIR 6 and 7 are reserved).
    const unsigned bir = table & pci::MSIX_TABLE_BIR;
    const std::uint64_t offset = table & pci::MSIX_TABLE_OFFSET;
    if (bir >= pci::STD_NUM_BARS || !dev_.bars[bir].addr || offset > dev_.bars[bir].size ||
        dev_.bars[bir].size - offset < std::uint64_t(granted) * pci::MSIX_ENTRY_SIZE)
        return -EINVAL;
    const pci_bar& bar = dev_.bars[bir];
    granted_ = granted;
    disable();
    const std::uint16_t command = host_.cfg_read16(b, d, f, pci::COMMAND);
    host_.cfg_write16(b, d, f, pci::COMMAND,
                      command | pci::COMMAND_MASTER | pci::COMMAND_INTX_DISABLE);
    // Enable with every vector masked while the table is written (Function Mask), then unmask.
    host_.cfg_write16(b, d, f, cap + pci::MSIX_FLAGS,
                      flags | pci::MSIX_FLAGS_ENABLE | pci::MSIX_FLAGS_MASKALL);
    hal::platform& io = host_.io();
    const std::uint64_t addr = board_.msi_doorbell.base;
    const std::uint64_t entries = bar.addr + offset;
    for (unsigned i = 0; i < granted_; ++i) {
        // Entry: Message Address, Message Upper Address, Message Data, Vector Control.
        const std::uint64_t e = entries + std::uint64_t(i) * pci::MSIX_ENTRY_SIZE;
        io.wr32(e + 0x0, static_cast<std::uint32_t>(addr));
        io.wr32(e + 0x4, static_cast<std::uint32_t>(addr >> 32));
        io.wr32(e + 0x8, msi_data_base + i);
        io.wr32(e + 0xC, 0);
    }
    host_.cfg_write16(
        b, d, f, cap + pci::MSIX_FLAGS,
        static_cast<std::uint16_t>((flags | pci::MSIX_FLAGS_ENABLE) & ~pci::MSIX_FLAGS_MASKALL));
    return static_cast<int>(granted_);
}

void msi_irq::disable() {
    const unsigned b = dev_.bus, d = dev_.dev, f = dev_.fn;
    if (dev_.msi_cap) {
        const std::uint16_t flags = host_.cfg_read16(b, d, f, dev_.msi_cap + pci::MSI_FLAGS);
        host_.cfg_write16(b, d, f, dev_.msi_cap + pci::MSI_FLAGS,
                          static_cast<std::uint16_t>(flags & ~pci::MSI_FLAGS_ENABLE));
    }
    if (dev_.msix_cap) {
        const std::uint16_t flags = host_.cfg_read16(b, d, f, dev_.msix_cap + pci::MSIX_FLAGS);
        host_.cfg_write16(b, d, f, dev_.msix_cap + pci::MSIX_FLAGS,
                          static_cast<std::uint16_t>(flags & ~pci::MSIX_FLAGS_ENABLE));
    }
}

void msi_irq::handler() {
    hal::platform& io = host_.io();
    const std::uint64_t regs = board_.msi_regs.base;
    const std::uint32_t n = std::min(io.rd32(regs + host_irq::MSI_COUNT), host_irq::FIFO_DEPTH);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t data = io.rd32(regs + host_irq::MSI_POP_DATA);
        if (data >= msi_data_base && data < msi_data_base + granted_)
            pending_.push_back(data - msi_data_base);
        else
            ++foreign_;
    }
}

int msi_irq::wait(std::uint64_t timeout_ns) {
    hal::platform& io = host_.io();
    const std::uint64_t start = io.now_ns();
    while (pending_.empty()) {
        const std::uint64_t elapsed = io.now_ns() - start;
        if (elapsed >= timeout_ns || !io.wait_for_interrupt(timeout_ns - elapsed)) break;
    }
    if (pending_.empty()) return -ETIMEDOUT;
    const unsigned v = pending_.front();
    pending_.pop_front();
    return static_cast<int>(v);
}

} // namespace fw::host

// MSI and MSI-X for a host driver of an endpoint function: pci_set_master plus
// pci_alloc_irq_vectors(dev, 1, n, PCI_IRQ_MSI or PCI_IRQ_MSIX), and a wait for the next message
// of the device (a driver's completion signalled from its interrupt handler).
//
// Models: the MSI capability programmed with the host MSI controller's doorbell address and a
// base data value aligned to 32 vectors, Multiple Message Enable for the vectors granted, INTx
// disabled while MSI is on; messages are taken from the MSI controller's FIFO by the handler on
// host_irq_msi; MSI-X table entries (in the BAR the capability names) get the same doorbell and
// consecutive data values. Does not model: per-vector masking, sharing the MSI line with another
// driver (the handler takes every message; those of other devices are counted and dropped).
#pragma once

#include "firmware/hal/board.h"
#include "firmware/host/pci_host.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

namespace fw::host {

// How a host driver's pci_alloc_irq_vectors(PCI_IRQ_MSI) programs a device's MSI capability,
// for every driver here: the capability is disabled, `disable_others` runs (the driver turns
// MSI-X off, sets Bus Master Enable, ...), the Message Address (the doorbell) and Message Data
// (data_base, aligned to 32) are written, the granted vectors unmasked when the capability has
// per-vector masking, Multiple Message Enable set, `before_enable` runs (INTx disabled) and MSI
// enabled. Grants the power of two covering min(vectors, Multiple Message Capable). Returns the
// vectors granted, or -EINVAL with `detail` set (no MSI capability, vectors not in 1..32, or a
// 32-bit capability that cannot reach the doorbell).
int msi_capability_enable(pci_host& host, const pci_dev& dev, std::uint64_t doorbell,
                          std::uint16_t data_base, unsigned vectors,
                          const std::function<void()>& disable_others,
                          const std::function<void()>& before_enable, std::string& detail);

class msi_irq {
public:
    msi_irq(pci_host& host, const hal::host_board& board, const pci_dev& dev);
    ~msi_irq();
    msi_irq(const msi_irq&) = delete;
    msi_irq& operator=(const msi_irq&) = delete;

    // Sets Bus Master Enable and enables MSI with up to `vectors` (1..32) vectors. Returns the
    // vectors granted (the capability's Multiple Message Capable may allow fewer) or -EINVAL (no
    // MSI capability, or a 32-bit capability that cannot reach the doorbell).
    int enable(unsigned vectors);
    // The same with MSI-X: up to `vectors` (1..2048) table entries. Returns the vectors granted
    // or -EINVAL (no MSI-X capability, a reserved BIR, a table BAR not assigned, or a table that
    // does not fit in its BAR).
    int enable_msix(unsigned vectors);
    void disable();
    // Waits up to timeout_ns for a message of this device: its vector (0-based), or -ETIMEDOUT.
    int wait(std::uint64_t timeout_ns);
    std::uint64_t foreign_messages() const { return foreign_; }

private:
    void handler();

    pci_host& host_;
    const hal::host_board& board_;
    pci_dev dev_;
    unsigned granted_ = 0;
    std::deque<unsigned> pending_; // vectors received, not yet waited for
    std::uint64_t foreign_ = 0;
};

} // namespace fw::host

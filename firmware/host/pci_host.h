// Host-side PCI core: ECAM configuration access and enumeration of the tree below the root
// port (the part of the Linux PCI core the test needs).
//
// Enumeration: sets bus numbers, enables CRS Software Visibility, waits (bounded) for the root
// port's Data Link Layer Link Active, reads Vendor IDs retrying while they read 0x0001 (CRS),
// sizes BARs by writing all-ones, assigns addresses from the host windows (64-bit prefetchable
// BARs from the 64-bit window, the rest from the 32-bit one), programs the bridge windows and
// enables memory space and bus mastering. Every wait is bounded by the timeout and reports
// -ETIMEDOUT.
#pragma once

#include "hal/board.h"
#include "hal/hal.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fw::host {

struct pci_bar {
    std::uint64_t addr = 0, size = 0;
    bool is64 = false, prefetch = false, io = false;
};

struct pci_dev {
    unsigned bus = 0, dev = 0, fn = 0;
    std::uint16_t vendor = 0, device = 0;
    std::uint32_t class_code = 0;
    std::uint8_t header_type = 0;
    std::array<pci_bar, 6> bars{};
    std::uint8_t msi_cap = 0, msix_cap = 0, exp_cap = 0;
    std::string name() const;
};

class pci_host {
public:
    pci_host(hal::platform& io, const hal::host_board& board, std::uint64_t timeout_ns,
             std::uint64_t crs_retry_ns);

    std::uint32_t cfg_read32(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg);
    std::uint16_t cfg_read16(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg);
    std::uint8_t cfg_read8(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg);
    void cfg_write32(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg, std::uint32_t v);
    void cfg_write16(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg, std::uint16_t v);
    void cfg_write8(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg, std::uint8_t v);
    std::uint8_t find_capability(const pci_dev& d, std::uint8_t cap);

    // Reads and clears the root port's Secondary Status error bits: what came back from below
    // since the last call, e.g. ", root port: Received Master Abort (UR completion)"; "" if none.
    std::string take_received_errors();

    // Reads and clears a device's AER uncorrectable error status: ", AER: Completion Timeout"
    // etc., or "" when nothing is logged (or the device has no AER capability).
    std::string take_aer_errors(const pci_dev& d);
    std::uint16_t find_ext_capability(const pci_dev& d, std::uint16_t cap);

    // Returns 0 and the endpoints found, or a negative errno.
    int enumerate(std::vector<pci_dev>& endpoints);
    std::uint64_t crs_retries() const { return crs_retries_; }

    hal::platform& io() { return io_; }
    const hal::host_board& board() const { return board_; }

private:
    std::uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg) const;
    int wait_link(unsigned bus, unsigned dev, std::uint8_t exp_cap);
    int read_vendor(unsigned bus, unsigned dev, std::uint16_t& vendor);
    void size_bars(pci_dev& d);
    int assign_bars(pci_dev& d);

    hal::platform& io_;
    hal::host_board board_;
    std::uint64_t timeout_ns_, crs_retry_ns_;
    std::uint64_t next32_, next64_;
    std::uint64_t crs_retries_ = 0;
};

} // namespace fw::host

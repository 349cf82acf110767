// A fake endpoint controller driver for unit tests of endpoint functions (SDK): it accepts every
// operation, records the calls a test asserts on (BARs set and cleared, headers, interrupt
// vectors, interrupts raised, outbound mappings) and offers the features the test sets. With
// hal::fake_platform and epc::epc over it, a function binds and runs without the platform.
//
// Models: the EPC ops' bookkeeping (what is set), the DWC rule that an outbound mapping starts on
// a region-aligned address. Does not model: any hardware effect (no iATU, no interrupts sent).
#pragma once

#include "firmware/epc/epc.h"

#include <cstdint>
#include <vector>

namespace fw::epc {

// A board for an epc::epc over the fake controller: an outbound aperture of 16 4 KiB pages at
// 0x6000'0000 and 16 MiB of DRAM at 0x8000'0000 (any values a test does not depend on).
inline hal::ep_board fake_ep_board() {
    hal::ep_board b;
    b.aperture = {0x6000'0000, 0x1'0000};
    b.aperture_page_size = 0x1000;
    b.dram = {0x8000'0000, 0x100'0000};
    return b;
}

class fake_controller : public controller_ops {
public:
    struct irq {
        irq_type type;
        unsigned num;
    };
    features feat;
    header hdr;
    std::vector<epf_bar> bars_set, bars_cleared;
    std::vector<irq> irqs_raised;
    unsigned msi_vectors = 0, msix_vectors = 0;
    bool started = false;
    std::uint64_t region_align = 4096;

    int write_header(unsigned, const header& h) override {
        hdr = h;
        return 0;
    }
    int set_bar(unsigned, const epf_bar& bar) override {
        bars_set.push_back(bar);
        return 0;
    }
    void clear_bar(unsigned, const epf_bar& bar) override { bars_cleared.push_back(bar); }
    std::uint64_t align_addr(std::uint64_t pci_addr, std::uint64_t& size,
                             std::uint64_t& offset) override {
        offset = pci_addr & (region_align - 1);
        size += offset;
        return pci_addr - offset;
    }
    int map_addr(unsigned, std::uint64_t, std::uint64_t, std::uint64_t) override { return 0; }
    void unmap_addr(unsigned, std::uint64_t) override {}
    int set_msi(unsigned, unsigned n) override {
        msi_vectors = n;
        return 0;
    }
    int get_msi(unsigned) override { return static_cast<int>(msi_vectors); }
    int set_msix(unsigned, unsigned n, unsigned, std::uint32_t) override {
        msix_vectors = n;
        return 0;
    }
    int get_msix(unsigned) override { return static_cast<int>(msix_vectors); }
    int raise_irq(unsigned, irq_type type, unsigned num) override {
        irqs_raised.push_back({type, num});
        return 0;
    }
    int start() override {
        started = true;
        return 0;
    }
    void stop() override { started = false; }
    const features& get_features(unsigned) override { return feat; }
};

} // namespace fw::epc

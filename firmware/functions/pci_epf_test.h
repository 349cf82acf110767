// The endpoint test function (the counterpart of Linux's pci-epf-test.c): a register block at
// the start of the test register BAR that the host test driver commands, BAR spaces of the
// configured sizes, MSI/MSI-X capability set-up, and a command loop polled every
// poll_interval.
#pragma once

#include "epc/epc.h"
#include "hal/hal.h"

#include <array>
#include <cstdint>

namespace fw::functions {

struct epf_test_params {
    std::array<std::uint64_t, 6> bar_sizes{}; // 0 = BAR not used
    unsigned msi_vectors = 32;
    unsigned msix_vectors = 2048;
    std::uint16_t vendor_id = 0;
    std::uint16_t device_id = 0;
    std::uint64_t poll_interval_ns = 1'000'000;
    // Work the firmware does after link-up before it lets the controller answer configuration
    // requests (until then the host sees Configuration Request Retry Status).
    std::uint64_t init_delay_ns = 0;
};

class pci_epf_test {
public:
    pci_epf_test(hal::platform& io, epc::epc& epc, epc::coherent_pool& pool,
                 const epf_test_params& p);

    int bind();     // allocate BAR spaces
    int epc_init(); // header, BARs, MSI/MSI-X, CAPS
    void link_up();
    void link_down();
    void cmd_handler(); // one poll of COMMAND

    bool running() const { return running_; }
    int test_reg_bar() const { return test_reg_bar_; }
    const epc::epf_bar& bar(unsigned i) const { return bar_[i]; }
    std::uint64_t poll_interval_ns() const { return p_.poll_interval_ns; }
    std::uint64_t init_delay_ns() const { return p_.init_delay_ns; }
    std::uint64_t commands_seen() const { return commands_; }

private:
    std::uint64_t reg(std::uint32_t off) const { return bar_[test_reg_bar_].phys_addr + off; }
    std::uint64_t test_reg_bar_size() const;

    hal::platform& io_;
    epc::epc& epc_;
    epc::coherent_pool& pool_;
    epf_test_params p_;
    epc::features features_;
    int test_reg_bar_ = epc::NO_BAR;
    std::array<epc::epf_bar, 6> bar_{};
    bool running_ = false;
    std::uint64_t commands_ = 0;
};

} // namespace fw::functions

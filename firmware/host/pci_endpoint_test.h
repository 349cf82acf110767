// Host test driver for the endpoint test function (the counterpart of Linux's
// drivers/misc/pci_endpoint_test.c) and the kselftest-style runner that judges its results.
#pragma once

#include "host/pci_host.h"

#include <string>
#include <vector>

namespace fw::host {

enum class verdict { pass, fail, skip };
const char* to_string(verdict v);

struct test_result {
    std::string name;
    verdict result = verdict::pass;
    std::string reason; // why it failed or was skipped
};

class pci_endpoint_test {
public:
    pci_endpoint_test(pci_host& host, const pci_dev& dev);

    int test_reg_bar() const { return test_reg_bar_; }
    // PCITEST_BAR: 0, -ENODATA (BAR disabled) or -EIO with a detail.
    int bar_test(unsigned bar, std::string& detail);
    // PCITEST_BARS: every BAR written in order, then read back in order.
    int bars_test(std::string& detail);

private:
    std::uint64_t bar_len(unsigned bar) const;
    pci_host& host_;
    pci_dev dev_;
    int test_reg_bar_ = 0;
};

// Runs the pcitest table (here: BAR0..5 and the consecutive-BAR test) against every endpoint.
std::vector<test_result> run_pcitest(pci_host& host, const pci_dev& dev);

// "ok 1 pci_ep_bar.BAR0.BAR_TEST", a line per test, then totals.
std::string format_results(const std::vector<test_result>& results);

} // namespace fw::host

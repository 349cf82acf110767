// An endpoint function packaged as an epsim workload: its endpoint side (an epf::function, run by
// the function runner in the endpoint firmware), its host side (a host driver and test program
// against the host firmware API) and its configuration keys (function.<name>.*), registered in
// the workload registry exactly as a built-in workload is. A plugin (sdk/plugin.h) calls
// add_function from its entry point; the project's own code may call it too.
//
// The host side gets the enumerated device, the host memory allocator, MSI, its keys, a TAP
// stream (each test() is one TAP line, printed as it completes; the plan is `tests`) and its
// report section (report[<name>] in `epsim run --report`). The run fails when a test fails, when
// the host side returns an error, or when the endpoint side cannot bind (one line: "<name>: bind
// failed: ENOMEM").
//
// Models: one endpoint function on endpoint 0 of the platform, run by the function runner
// (epf/runner.h); the host side runs after enumeration, on the first endpoint found. Does not
// model: several functions in one run (other endpoints of a topology run the test function).
//
// SystemC-free: a function and its host side include nothing of the model.
#pragma once

#include "firmware/epf/function.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/host/host_mem.h"
#include "firmware/host/msi_irq.h"
#include "firmware/host/pci_endpoint_test.h"
#include "firmware/host/pci_host.h"
#include "testbench/config/config.h"
#include "testbench/config/keys.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace epvp::tb {
class workload_registry;
}

namespace epvp::sdk {

// The validated values of a function's keys (function.<name>.<leaf>).
class function_keys {
public:
    function_keys(const cfg::platform_config& c, std::string name);
    const cfg::json& value(const std::string& leaf) const;
    std::uint64_t uint(const std::string& leaf) const { return value(leaf).get<std::uint64_t>(); }
    bool boolean(const std::string& leaf) const { return value(leaf).get<bool>(); }
    double real(const std::string& leaf) const { return value(leaf).get<double>(); }
    const std::string& prefix() const { return prefix_; }

private:
    const cfg::platform_config& c_;
    std::string prefix_; // "function.<name>."
};

class host_context {
public:
    hal::platform& io;
    const hal::host_board& board;
    fw::host::pci_host& host;
    const fw::host::pci_dev& dev; // the function, enumerated, BARs assigned
    fw::host::host_mem& mem;      // host memory with bus addresses (kmalloc/kfree)
    const function_keys& keys;
    cfg::json& report; // the function's report section

    // One TAP test, printed as it completes: "ok N - name" or "not ok N - name # reason".
    void test(const std::string& name, bool pass, const std::string& reason = "");
    void skip(const std::string& name, const std::string& reason);
    // Host-side log line under the function's category.
    void info(const std::string& msg);

    // Implementation: where the test lines go.
    std::function<void(const fw::host::test_result&)> emit;
    std::string category;
};

struct function_desc {
    std::string name;        // --workload NAME, the log category, function.NAME.*
    std::string description; // one line for `epsim workloads`
    // Its keys: paths relative to function.NAME. ("poll_us"), registered in the key table.
    std::vector<cfg::key_def> keys;
    unsigned tests = 0; // the TAP plan: how many tests the host side reports
    std::function<std::unique_ptr<fw::epf::function>(const function_keys&)> make_function;
    // The host side; returns 0 or a negated errno (the run then fails).
    std::function<int(host_context&)> host;
};

// Registers the function's keys (and function.NAME.bus_master_poll_us, the runner's Bus Master
// Enable poll) and its workload. Throws cfg::config_error for a key that cannot be registered,
// std::logic_error for a name already registered.
void add_function(tb::workload_registry& r, function_desc d);

} // namespace epvp::sdk

// Plugins whose registration must be refused (test_sdk): a function named like a built-in one
// (function.test.* is pci-epf-test's), and a key whose default breaks its own rule. Which one is
// built is chosen by BAD_NAMES_CASE.
#include "testbench/sdk/plugin.h"

#include <memory>

namespace {

int no_host(epvp::sdk::host_context&) {
    return 0;
}

void register_bad(epvp::tb::workload_registry& r) {
    epvp::sdk::function_desc d;
#if BAD_NAMES_CASE == 0
    d.name = "test";
#else
    d.name = "baddefault";
    d.keys.push_back(epvp::cfg::uint_key("n", 0, epvp::cfg::in_range(1, 10), "A count."));
#endif
    d.description = "a function that must not register";
    d.make_function = [](const epvp::sdk::function_keys&) -> std::unique_ptr<fw::epf::function> {
        return nullptr;
    };
    d.host = no_host;
    epvp::sdk::add_function(r, std::move(d));
}

} // namespace

EPVP_PLUGIN(register_bad)

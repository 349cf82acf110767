// Workloads and functions whose own code misbehaves when epsim runs it (test_sdk): each run must
// end with one line naming it and a non-zero exit, never a crash.
#include "testbench/sdk/plugin.h"

#include <memory>
#include <stdexcept>

namespace {

class load_throws final : public epvp::tb::workload {
public:
    void load(epvp::tb::platform&, epvp::tb::workload_result&) override {
        throw std::runtime_error("load exploded");
    }
};

int no_host(epvp::sdk::host_context&) {
    return 0;
}

void register_bad(epvp::tb::workload_registry& r) {
    epvp::tb::workload_info none;
    none.name = "nullmake";
    none.description = "a workload whose factory makes nothing";
    none.make = [] { return std::unique_ptr<epvp::tb::workload>(); };
    r.add(std::move(none));

    epvp::tb::workload_info throws;
    throws.name = "loadthrow";
    throws.description = "a workload whose load throws";
    throws.make = [] { return std::make_unique<load_throws>(); };
    r.add(std::move(throws));

    epvp::sdk::function_desc d;
    d.name = "makethrow";
    d.description = "a function whose factory throws an int";
    d.make_function = [](const epvp::sdk::function_keys&) -> std::unique_ptr<fw::epf::function> {
        throw 7;
    };
    d.host = no_host;
    epvp::sdk::add_function(r, std::move(d));
}

} // namespace

EPVP_PLUGIN(register_bad)

// Two functions whose bind fails: one returns -ENOMEM, one throws.
#include "testbench/sdk/plugin.h"

#include <cerrno>
#include <memory>
#include <stdexcept>

namespace {

class failing final : public fw::epf::function {
public:
    explicit failing(bool throws)
        : throws_(throws) {}
    int bind(fw::epf::context&) override {
        if (throws_) throw std::runtime_error("bind exploded");
        return -ENOMEM;
    }

private:
    bool throws_;
};

int no_host(epvp::sdk::host_context&) {
    return 0;
}

void register_bad(epvp::tb::workload_registry& r) {
    for (bool throws : {false, true}) {
        epvp::sdk::function_desc d;
        d.name = throws ? "bindthrow" : "bindfail";
        d.description = "a function whose bind fails";
        d.make_function = [throws](const epvp::sdk::function_keys&) {
            return std::make_unique<failing>(throws);
        };
        d.host = no_host;
        epvp::sdk::add_function(r, std::move(d));
    }
}

} // namespace

EPVP_PLUGIN(register_bad)

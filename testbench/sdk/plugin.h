// The plugin entry point: a shared library that epsim loads with `--plugin ./libX.so` exports
// two C functions, defined by EPVP_PLUGIN(register_fn):
//   unsigned epvp_plugin_api_version(void);  the SDK API version it was built against
//   int epvp_plugin_register(void* registry); registers its functions/workloads; 0 or an error
// epsim checks the version before anything else (a plugin built against another API version is
// one error line) and catches anything the registration throws.
#pragma once

#include "testbench/sdk/function.h"
#include "testbench/workload.h"

namespace epvp::sdk {

// Bumped whenever a header of the SDK changes in a way that breaks plugins built against it.
// 2: config::key_def gained variable-length object arrays and text keys (its layout changed).
constexpr unsigned api_version = 2;

} // namespace epvp::sdk

// Defines the entry points; `register_fn` is `void register_fn(epvp::tb::workload_registry&)`.
#define EPVP_PLUGIN(register_fn)                                                                   \
    extern "C" __attribute__((visibility("default"))) unsigned epvp_plugin_api_version() {         \
        return ::epvp::sdk::api_version;                                                           \
    }                                                                                              \
    extern "C" __attribute__((visibility("default"))) int epvp_plugin_register(void* registry) {   \
        register_fn(*static_cast<::epvp::tb::workload_registry*>(registry));                       \
        return 0;                                                                                  \
    }

// How epsim calls a workload's own code (a plugin's, or a built-in's): what it throws becomes one
// configuration error naming the workload. Internal to epsim (not part of the SDK's headers).
#pragma once

#include "testbench/config/config.h"
#include "testbench/output_file.h"

#include <stdexcept>
#include <string>

namespace epvp::tb {

// A workload's own code (a plugin's, or a built-in's) run by epsim: what it throws becomes one
// configuration error naming the workload (a configuration or output error passes as it is).
template <class Call>
auto workload_call(const std::string& name, const char* doing, Call&& call) {
    try {
        return call();
    } catch (const cfg::config_error&) {
        throw;
    } catch (const output_error&) {
        throw;
    } catch (const std::exception& e) {
        throw cfg::config_error("workload " + name + ": " + doing + " threw: " + e.what());
    } catch (...) {
        throw cfg::config_error("workload " + name + ": " + doing +
                                " threw a non-standard exception");
    }
}

} // namespace epvp::tb

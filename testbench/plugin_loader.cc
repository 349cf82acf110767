#include "testbench/plugin_loader.h"

#include "testbench/config/config.h"
#include "testbench/sdk/plugin.h"
#include "testbench/workload.h"

#include <dlfcn.h>
#include <exception>
#include <sys/stat.h>

namespace epvp::tb {

namespace {

void load_plugin(const std::string& path) {
    const std::string what = "--plugin " + path + ": ";
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw cfg::config_error(what + "no such file");
    // A name without a slash would be looked up in the library path, not as the file given.
    const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
    void* lib = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* e = ::dlerror();
        throw cfg::config_error(what + "cannot be loaded: " + (e ? e : "unknown error"));
    }
    using version_fn = unsigned (*)();
    using register_fn = int (*)(void*);
    auto version = reinterpret_cast<version_fn>(::dlsym(lib, "epvp_plugin_api_version"));
    auto reg = reinterpret_cast<register_fn>(::dlsym(lib, "epvp_plugin_register"));
    if (!version || !reg)
        throw cfg::config_error(what + "not an epsim plugin (no epvp_plugin_api_version / "
                                       "epvp_plugin_register: build it with epvp_add_function)");
    const unsigned v = version();
    if (v != sdk::api_version)
        throw cfg::config_error(what + "built against SDK API version " + std::to_string(v) +
                                ", this epsim has API version " + std::to_string(sdk::api_version) +
                                " (rebuild the plugin against this installation)");
    int r = 0;
    try {
        r = reg(&registry());
    } catch (const cfg::config_error& e) {
        throw cfg::config_error(what + "registration failed: " + e.what());
    } catch (const std::exception& e) {
        throw cfg::config_error(what + "registration threw: " + e.what());
    } catch (...) {
        throw cfg::config_error(what + "registration threw a non-standard exception");
    }
    if (r) throw cfg::config_error(what + "registration returned " + std::to_string(r));
    // The library stays loaded: its code runs until the process ends.
}

} // namespace

void load_plugins(const std::vector<std::string>& paths) {
    for (const auto& p : paths)
        load_plugin(p);
}

} // namespace epvp::tb

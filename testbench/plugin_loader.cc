#include "testbench/plugin_loader.h"

#include "testbench/config/config.h"
#include "testbench/process.h"
#include "testbench/sdk/plugin.h"
#include "testbench/workload.h"

#ifdef EPVP_RTL_COSIM
#include "rtl-bridge/rtl_island_library.h"
#endif

#include <dlfcn.h>
#include <exception>
#include <filesystem>
#include <sys/stat.h>

namespace epvp::tb {

namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// A regular file (a FIFO or a device would block or never end a read).
bool is_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Opens an existing shared library; `what` starts the error line.
void* open_library(const std::string& path, const std::string& what) {
    // A name without a slash would be looked up in the library path, not as the file given.
    const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
    void* lib = nullptr;
    // The library's static initialisers run in dlopen, which the C library declares as not
    // throwing: called by its address (a volatile one, which the compiler cannot follow), the
    // call keeps its handler.
    void* (*volatile open)(const char*, int) = ::dlopen;
    try {
        lib = open(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    } catch (const std::exception& e) {
        throw cfg::config_error(what + "its static initialisation threw: " + e.what());
    } catch (...) {
        throw cfg::config_error(what + "its static initialisation threw a non-standard exception");
    }
    if (!lib) {
        const char* e = ::dlerror();
        throw cfg::config_error(what + "cannot be loaded: " + (e ? e : "unknown error"));
    }
    return lib;
}

void load_plugin(const std::string& path) {
    const std::string what = "--plugin " + path + ": ";
    if (!is_file(path)) throw cfg::config_error(what + "no such file (or not a regular file)");
    void* lib = open_library(path, what);
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

#ifdef EPVP_RTL_COSIM
#ifndef EPVP_RTL_ISLAND_FROM_EPSIM
#define EPVP_RTL_ISLAND_FROM_EPSIM "../lib"
#endif

// The island beside epsim (the build tree), else in the installed library directory.
const rtl::island_api* load_rtl_island() {
    // Already in the process when a plugin of an RTL block (which links it) was loaded.
    void* lib = ::dlopen(rtl::island_library_file, RTLD_NOW | RTLD_NOLOAD);
    std::string file = rtl::island_library_file;
    if (!lib) {
        const std::filesystem::path dir = std::filesystem::path(self_path()).parent_path();
        const std::string beside = (dir / rtl::island_library_file).string();
        const std::string installed =
            (dir / EPVP_RTL_ISLAND_FROM_EPSIM / rtl::island_library_file).lexically_normal();
        file = exists(beside) || !exists(installed) ? beside : installed;
        if (!exists(file)) {
            // The remedy depends on where this epsim is: a build tree (its CMakeCache.txt beside
            // it) builds the library; elsewhere, epsim also looks where an install puts it.
            const bool build_tree = exists((dir / "CMakeCache.txt").string());
            const std::string remedy =
                build_tree
                    ? "build it with `cmake --build " + dir.string() + " --target epvp_rtl_island`"
                    : "this epsim also looks for it in " + installed +
                          ", where `cmake --install` of the build that made it puts it";
            throw cfg::config_error(
                "this run uses RTL (dwc.iatu.impl = rtl | lockstep, or bench --rtl-iatu) and the "
                "RTL island library " +
                beside + " is missing: " + remedy);
        }
        lib = open_library(file, "RTL island " + file + ": ");
    }
    using entry_fn = const rtl::island_api* (*)();
    auto entry = reinterpret_cast<entry_fn>(::dlsym(lib, rtl::island_entry_symbol));
    if (!entry)
        throw cfg::config_error("RTL island " + file + ": not an RTL island library (no " +
                                rtl::island_entry_symbol + ")");
    const rtl::island_api* api = entry();
    if (!api || api->version != rtl::island_api_version)
        throw cfg::config_error(
            "RTL island " + file + ": built for island API version " +
            std::to_string(api ? api->version : 0) + ", this epsim has version " +
            std::to_string(rtl::island_api_version) + " (rebuild it with this epsim)");
    return api;
}
#endif

} // namespace

void use_rtl_island_library() {
#ifdef EPVP_RTL_COSIM
    rtl::set_island_loader(&load_rtl_island);
#endif
}

void load_plugins(const std::vector<std::string>& paths) {
    for (const auto& p : paths)
        load_plugin(p);
}

} // namespace epvp::tb

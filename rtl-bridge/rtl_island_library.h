// The RTL island library, libepvp_rtl_island.so: the Verilated blocks of rtl_models.h with the
// Verilator runtime and the wave writers (waves/rtl_trace.h), built apart from epsim
// (`cmake --build build --target epvp_rtl_island`). epsim links none of it: it loads the library
// the first time a run makes a block (dwc.iatu.impl = rtl | lockstep, bench --rtl-iatu), through
// one C entry point that returns the factories below. A user's RTL block plugin
// (epvp_add_rtl_block) links the library for the Verilator runtime.
//
// Models: a table of factory functions behind a versioned C entry point; the program decides how
// the library is found (set_island_loader: epsim looks beside itself) or hands over a table it
// linked (use_island: the rtl-bridge and waves tests). Does not model: unloading, two islands in
// one process. Neither Verilator nor SystemC headers here.
#pragma once

#include "rtl-bridge/rtl_models.h"

#include <memory>
#include <string>
#include <vector>

namespace epvp::rtl {

// Bumped whenever island_api or a class it makes changes; epsim refuses another version.
constexpr unsigned island_api_version = 1;
constexpr const char* island_library_file = "libepvp_rtl_island.so";
constexpr const char* island_entry_symbol = "epvp_rtl_island_entry";

// What the library offers. `version` stays the first member in every version.
struct island_api {
    unsigned version;
    // New blocks, owned by the caller.
    axi_sram_model* (*make_axi_sram)(const std::string& name, wave_flavour waves);
    // Null when the geometry was not verilated.
    dw_iatu_model* (*make_dw_iatu)(const std::string& name, const iatu_geometry& g,
                                   wave_flavour waves);
    // The dw_iatu geometries the library holds.
    std::vector<iatu_geometry> (*iatu_geometries)();
};

// Finds and opens the library; throws (one line naming the file) when it cannot.
using island_loader = const island_api* (*)();
void set_island_loader(island_loader load);
// The table of a library the program linked.
void use_island(const island_api* api);
// The table, loaded on first use (the loader's exceptions pass through; std::logic_error when
// the program set neither a loader nor a table).
const island_api& island();

} // namespace epvp::rtl

// The entry point: the library's table (its `version` may differ from the caller's).
extern "C" const epvp::rtl::island_api* epvp_rtl_island_entry();

// Loading plugins (`epsim run|workloads|sweep --plugin ./libX.so`): a shared library with the
// entry points sdk/plugin.h defines, whose workloads join the registry before the configuration
// is read (their keys are then validated, dumped and described like built-in keys). Also loads
// the RTL island library (rtl-bridge/rtl_island_library.h) when a run first makes an RTL block.
#pragma once

#include <string>
#include <vector>

namespace epvp::tb {

// Loads each plugin in order. A missing file, a library that is not a plugin, a plugin built
// against another SDK API version, or a registration that fails or throws is a cfg::config_error
// (one line naming the plugin and what was wrong).
void load_plugins(const std::vector<std::string>& paths);

// From now on, the first RTL block a run makes loads libepvp_rtl_island.so: the one already in
// the process (an RTL block plugin links it), else the one beside this executable, else the one
// in the installed library directory (EPVP_RTL_ISLAND_FROM_EPSIM, relative to the executable's
// directory). A missing file is a cfg::config_error naming it and the build command; so is a
// library of another island API version. Does nothing in a build without RTL co-simulation.
void use_rtl_island_library();

} // namespace epvp::tb

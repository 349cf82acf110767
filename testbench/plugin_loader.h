// Loading plugins (`epsim run|workloads|sweep --plugin ./libX.so`): a shared library with the
// entry points sdk/plugin.h defines, whose workloads join the registry before the configuration
// is read (their keys are then validated, dumped and described like built-in keys).
#pragma once

#include <string>
#include <vector>

namespace epvp::tb {

// Loads each plugin in order. A missing file, a library that is not a plugin, a plugin built
// against another SDK API version, or a registration that fails or throws is a cfg::config_error
// (one line naming the plugin and what was wrong).
void load_plugins(const std::vector<std::string>& paths);

} // namespace epvp::tb

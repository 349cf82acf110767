// The built-in configuration keys (config/declarations.cc), in dump order. Internal to config/.
#pragma once

#include "testbench/config/keys.h"

#include <vector>

namespace epvp::cfg {

std::vector<key_def> builtin_keys();

} // namespace epvp::cfg

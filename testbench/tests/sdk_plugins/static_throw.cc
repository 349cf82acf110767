// A plugin whose static initialisation throws while epsim loads it.
#include <stdexcept>

namespace {
struct throws_at_load {
    throws_at_load() { throw std::runtime_error("static init exploded"); }
} at_load;
} // namespace

extern "C" __attribute__((visibility("default"))) unsigned epvp_plugin_api_version() {
    return 0;
}

// The echo function in the firmware ELF (cpu.kind = iss): the guest main makes it by name from
// the values of its keys (function.echo.*), as the plugin's make_function does natively.
#include "echo_function.h"

#include "firmware/guest/functions.h"

#include <memory>

namespace {
std::unique_ptr<fw::epf::function> make_echo(const fw::guest::function_values& keys) {
    return std::make_unique<echo::echo_function>(keys.uint("poll_us") * 1000);
}
} // namespace

EPVP_GUEST_FUNCTION(echo, make_echo);

// Endpoint functions the firmware ELF can run by name (cpu.kind = iss): a user's function,
// cross-built with the platform's firmware (the SDK's epvp_add_function(... ISS)), registers
// itself here with EPVP_GUEST_FUNCTION; the boot parameters name the function and carry the
// values of its keys (function.<name>.*), and the guest main runs it with the function runner
// (epf/runner.h), as the plugin's workload runs it natively.
//
// Registration happens in static constructors (start.S runs them before guest_main), so a
// function's object file only has to be linked into the ELF.
#pragma once

#include "firmware/epf/function.h"
#include "firmware/guest/boot_params.h"
#include "firmware/hal/hal.h"

#include <cstdint>
#include <memory>

namespace fw::guest {

// The values of the function's keys, as the boot parameters carry them.
class function_values {
public:
    explicit function_values(const function_boot& b)
        : b_(b) {}
    // The value of key function.<name>.<leaf> (a number or a boolean as 0/1); a panic naming
    // the key when the platform did not pass it.
    std::uint64_t uint(const char* leaf) const;
    bool boolean(const char* leaf) const { return uint(leaf) != 0; }

private:
    const function_boot& b_;
};

using function_factory = std::unique_ptr<epf::function> (*)(const function_values&);

struct function_entry {
    const char* name;
    function_factory make;
    const function_entry* next;
};

// Adds an entry to the registry (a static object's constructor: see EPVP_GUEST_FUNCTION).
struct register_function {
    register_function(const char* name, function_factory make);
    function_entry entry;
};

// The function the boot parameters name, run by the function runner. Returns only by a panic
// (the function is unknown to this ELF, or its bring-up failed: the runner's reason).
[[noreturn]] void run_function(hal::platform& io, const hal::ep_board& board,
                               const function_boot& b);

} // namespace fw::guest

// Registers function NAME (an identifier: the --workload name) made by FACTORY, a function
// (const fw::guest::function_values&) -> std::unique_ptr<fw::epf::function>.
#define EPVP_GUEST_FUNCTION(NAME, FACTORY)                                                         \
    static ::fw::guest::register_function epvp_guest_function_##NAME(#NAME, FACTORY)

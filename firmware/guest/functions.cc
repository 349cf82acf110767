#include "firmware/guest/functions.h"

#include "firmware/epf/runner.h"
#include "firmware/guest/runtime.h"
#include "firmware/hal/errno.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace fw::guest {

namespace {
const function_entry* registry = nullptr; // constant-initialised: safe before any constructor

// A fixed-size, possibly unterminated name field as a string.
std::string field(const char* s, std::size_t n) {
    return std::string(s, strnlen(s, n));
}
} // namespace

std::uint64_t function_values::uint(const char* leaf) const {
    for (std::uint32_t i = 0; i < b_.value_count && i < max_function_values; ++i)
        if (field(b_.values[i].leaf, sizeof b_.values[i].leaf) == leaf) return b_.values[i].value;
    const std::string msg =
        "boot parameters: no value for key function." + field(b_.name, sizeof b_.name) + "." + leaf;
    panic(msg.c_str());
}

register_function::register_function(const char* name, function_factory make)
    : entry{name, make, registry} {
    registry = &entry;
}

void run_function(hal::platform& io, const hal::ep_board& board, const function_boot& b) {
    const std::string name = field(b.name, sizeof b.name);
    const function_entry* e = registry;
    while (e && name != e->name)
        e = e->next;
    if (!e) {
        const std::string msg = "boot parameters: this firmware ELF has no function " + name +
                                " (build it with epvp_add_function(" + name + " ... ISS))";
        panic(msg.c_str());
    }
    const function_values values(b);
    const std::unique_ptr<epf::function> f = e->make(values);
    epf::runner_options o;
    o.name = name;
    o.bus_master_poll_ns = b.bus_master_poll_ns;
    std::string failed;
    const int err = epf::run_function(io, board, *f, o, failed);
    const std::string msg = name + ": " + failed + " failed: " + err_name(err);
    panic(msg.c_str());
}

} // namespace fw::guest

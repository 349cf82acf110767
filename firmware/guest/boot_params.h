// What the platform hands the firmware ELF before reset, like a device tree and a command line:
// a block at the start of SRAM (ISS_SRAM_BASE, hal/iss_map.h) that the guest reads at boot.
// Plain data with the same layout in the host's and the guest's ABI (both LP64, little-endian);
// the static_asserts pin the sizes both compilers must agree on.
#pragma once

#include "firmware/functions/pci_epf_test.h"
#include "firmware/hal/board.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace fw::guest {

constexpr std::uint32_t boot_magic = 0x42505645; // "EVPB" in memory order
constexpr std::uint32_t boot_version = 2;

// The firmware image to run: the endpoint side of a workload.
enum class boot_image : std::uint32_t {
    pcitest = 0,  // the test endpoint (pci-epf-test) and its event loop
    function = 1, // an endpoint function registered by name (guest/functions.h), `function`
};

// boot_image::function: which function, and the values of its keys (function.<name>.<leaf>).
constexpr std::size_t max_function_values = 16;
struct function_value {
    char leaf[40] = {}; // NUL-padded
    std::uint64_t value = 0;
};
struct function_boot {
    char name[40] = {}; // NUL-padded
    std::uint64_t bus_master_poll_ns = 0;
    std::uint32_t value_count = 0;
    std::uint32_t reserved = 0;
    function_value values[max_function_values];
};

struct boot_params {
    std::uint32_t magic = boot_magic;
    std::uint32_t version = boot_version;
    boot_image image = boot_image::pcitest;
    std::uint32_t reserved = 0;
    std::uint64_t cpu_clock_hz = 0;
    hal::ep_board board;
    functions::epf_test_params epf;
    function_boot function;
};

// Fills a function_boot (the platform's side): false when the name or a leaf does not fit its
// field (at most 39 characters) or all max_function_values slots are taken.
inline bool set_name(function_boot& b, const std::string& name) {
    if (name.size() >= sizeof b.name) return false;
    std::memcpy(b.name, name.data(), name.size());
    return true;
}
inline bool add_value(function_boot& b, const std::string& leaf, std::uint64_t value) {
    if (b.value_count >= max_function_values || leaf.size() >= sizeof b.values[0].leaf)
        return false;
    function_value& v = b.values[b.value_count++];
    std::memcpy(v.leaf, leaf.data(), leaf.size());
    v.value = value;
    return true;
}

static_assert(std::is_trivially_copyable_v<boot_params>, "boot_params is copied as bytes");
// function_boot: 40 + 8 + 4 + 4 + 16 * (40 + 8) = 824 bytes; boot_params 488 + 824 = 1312.
static_assert(sizeof(hal::ep_board) == 328 && sizeof(functions::epf_test_params) == 136 &&
                  sizeof(function_boot) == 824 && sizeof(boot_params) == 1312,
              "boot_params layout changed: both builds must agree on it");

} // namespace fw::guest

// What the platform hands the firmware ELF before reset, like a device tree and a command line:
// a block at the start of SRAM (ISS_SRAM_BASE, hal/iss_map.h) that the guest reads at boot.
// Plain data with the same layout in the host's and the guest's ABI (both LP64, little-endian);
// the static_asserts pin the sizes both compilers must agree on.
#pragma once

#include "firmware/functions/pci_epf_test.h"
#include "firmware/hal/board.h"

#include <cstdint>
#include <type_traits>

namespace fw::guest {

constexpr std::uint32_t boot_magic = 0x42505645; // "EVPB" in memory order
constexpr std::uint32_t boot_version = 1;

// The firmware image to run: the endpoint side of a workload.
enum class boot_image : std::uint32_t {
    pcitest = 0, // the test endpoint (pci-epf-test) and its event loop
};

struct boot_params {
    std::uint32_t magic = boot_magic;
    std::uint32_t version = boot_version;
    boot_image image = boot_image::pcitest;
    std::uint32_t reserved = 0;
    std::uint64_t cpu_clock_hz = 0;
    hal::ep_board board;
    functions::epf_test_params epf;
};

static_assert(std::is_trivially_copyable_v<boot_params>, "boot_params is copied as bytes");
static_assert(sizeof(hal::ep_board) == 328 && sizeof(functions::epf_test_params) == 136 &&
                  sizeof(boot_params) == 488,
              "boot_params layout changed: both builds must agree on it");

} // namespace fw::guest

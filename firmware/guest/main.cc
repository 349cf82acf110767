// The firmware ELF's entry (called by start.S): reads the boot parameters the platform wrote
// (guest/boot_params.h) and runs the firmware image they name on the guest HAL backend.
#include "firmware/epf/runner.h"
#include "firmware/functions/test_endpoint.h"
#include "firmware/guest/boot_params.h"
#include "firmware/guest/guest_hal.h"
#include "firmware/guest/runtime.h"
#include "firmware/hal/iss_map.h"

extern "C" int guest_main() {
    const auto* boot =
        reinterpret_cast<const fw::guest::boot_params*>(static_cast<std::uintptr_t>(ISS_SRAM_BASE));
    if (boot->magic != fw::guest::boot_magic || boot->version != fw::guest::boot_version)
        fw::guest::panic("boot parameters: no block of this firmware's version at ISS_SRAM_BASE");
    const hal::ep_board board = boot->board;
    const fw::functions::epf_test_params epf = boot->epf;
    fw::guest::guest_platform io(boot->cpu_clock_hz);
    switch (boot->image) {
    case fw::guest::boot_image::pcitest: {
        fw::functions::test_endpoint f(epf);
        fw::epf::runner_options o;
        o.name = "ep";
        o.bus_master_poll_ns = epf.poll_interval_ns;
        o.unmapped_bar = epf.unmapped_bar;
        std::string failed;
        const int r = fw::epf::run_function(io, board, f, o, failed);
        fw::epf::halt(io, "ep", failed, r);
    }
    }
    fw::guest::panic("boot parameters: unknown firmware image");
}

// An exception other than IRQ (start.S): a firmware bug or a bus abort.
extern "C" [[noreturn]] void guest_unexpected_exception(std::uint64_t esr, std::uint64_t elr) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "unexpected exception: ESR_EL1=0x%llx ELR_EL1=0x%llx",
                  static_cast<unsigned long long>(esr), static_cast<unsigned long long>(elr));
    fw::guest::panic(msg);
}

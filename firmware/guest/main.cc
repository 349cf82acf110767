// The firmware ELF's entry (called by start.S): reads the boot parameters the platform wrote
// (guest/boot_params.h) and runs the firmware image they name on the guest HAL backend.
#include "firmware/functions/builtin.h"
#include "firmware/functions/test_endpoint.h"
#include "firmware/guest/boot_params.h"
#include "firmware/guest/functions.h"
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
        // A built-in function's job, by name, when the platform wrote its arguments.
        constexpr std::uintptr_t sram = ISS_SRAM_BASE;
        const auto* args = reinterpret_cast<const fw::functions::builtin_args*>(
            sram + fw::functions::builtin_args_offset);
        auto* results = reinterpret_cast<fw::functions::builtin_results*>(
            sram + fw::functions::builtin_results_offset);
        const bool job = args->magic == fw::functions::builtin_magic;
        if (job && (args->version != fw::functions::builtin_version ||
                    !fw::functions::is_builtin_job(args->name)))
            fw::guest::panic("boot parameters: unknown built-in function job");
        fw::functions::run_test_function(
            io, board, epf, job ? fw::functions::builtin_job(*args, *results) : nullptr);
    }
    case fw::guest::boot_image::function: {
        const fw::guest::function_boot fn = boot->function;
        fw::guest::run_function(io, board, fn);
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

// A firmware ELF that panics at once, for the test that a firmware panic ends the run with its
// message and a failed status (testbench/tests/test_iss.cc). The guest runtime's own start-up
// (start.S) and panic path (runtime.cc), none of the firmware.
#include "firmware/guest/runtime.h"

#include <cstdint>

extern "C" int guest_main() {
    fw::guest::panic("probe: a deliberate panic");
}

extern "C" void guest_irq() {}

extern "C" [[noreturn]] void guest_unexpected_exception(std::uint64_t, std::uint64_t) {
    fw::guest::panic("probe: unexpected exception");
}

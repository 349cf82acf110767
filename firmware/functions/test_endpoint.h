// The firmware image of the test endpoint: boots the controller, binds the test function and
// runs the event loop (link interrupts, the function's command poll). Never returns.
#pragma once

#include "functions/pci_epf_test.h"
#include "hal/board.h"
#include "hal/hal.h"

namespace fw::functions {

void run_test_endpoint(hal::platform& io, const hal::ep_board& board, const epf_test_params& p);

} // namespace fw::functions

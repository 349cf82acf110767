// The function runner: the endpoint firmware image for one endpoint function (epf/function.h).
// It brings up the controller stack (epf/endpoint_stack.h), binds the function, probes the eDMA,
// calls epc_init, starts the link, then runs the event loop that calls the function's operations
// the way Linux's endpoint core does: link_up / link_down on the glue block's link interrupts
// (an FLR is a link_down then a link_up), bus_master_enable once the host has set Bus Master
// Enable after a link up, doorbell per value of the interrupt-generation window, and the
// function's delayed work when due.
//
// Models: one function on one controller; Bus Master Enable is read from the Command register
// every bus_master_poll_ns while the link is up and it is still clear (this controller's glue
// raises no interrupt for it). Does not model: epc_deinit on PERST# assertion (the platform never
// asserts PERST# again after power-on).
#pragma once

#include "firmware/epf/function.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <cstdint>
#include <string>

namespace fw::epf {

struct runner_options {
    std::string name;                     // the function's name: its log category
    std::uint64_t bus_master_poll_ns = 0; // Command register poll while waiting for BME
    // Fault injection for bring-up studies: after epc_init this BAR stays enabled without its
    // inbound iATU window (-1: none), the classic firmware bug the iATU miss policy makes visible.
    int unmapped_bar = -1;
};

// Runs f; returns only when the controller, bind or epc_init fails: the negated errno, with
// `failed` naming what failed ("bind", "epc_init", "controller init", ...).
int run_function(hal::platform& io, const hal::ep_board& board, function& f,
                 const runner_options& o, std::string& failed);

// What firmware does when it cannot go on: log_failure logs "<what> failed: <error>" under
// `category`, then idle_forever sleeps for ever. Log in a scope of your own and leave it before
// idle_forever: a CPU thread that never returns never destroys what its frames hold.
void log_failure(hal::platform& io, const std::string& category, const std::string& what,
                 int err);
[[noreturn]] void idle_forever(hal::platform& io);

} // namespace fw::epf

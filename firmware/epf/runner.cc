#include "firmware/epf/runner.h"

#include "contracts/irq_window_regs.h"
#include "firmware/dwc/glue.h"
#include "firmware/epf/endpoint_stack.h"
#include "firmware/epf/workqueue.h"
#include "firmware/hal/errno.h"

#include <algorithm>
#include <string>

namespace fw::epf {

int run_function(hal::platform& io, const hal::ep_board& board, function& f,
                 const runner_options& o, std::string& failed) {
    endpoint_stack stack(io, board);
    const char* step = "";
    int r = stack.boot(step);
    if (r) return failed = step, r;
    workqueue wq(io);
    context ctx{io, board, stack.epc, stack.pool, wq, nullptr, stack.iova.get(), o.name, 0};
    ctx.smmu = stack.smmu.get();
    ctx.domain = stack.domain.get();
    bool doorbell = false;
    io.set_irq_handler(hal::irq_msi_ctrl, [&doorbell](unsigned) { doorbell = true; });
    // The handler refers to `doorbell`: it is removed on every way out of this function.
    struct handler_removal {
        hal::platform& io;
        ~handler_removal() { io.set_irq_handler(hal::irq_msi_ctrl, nullptr); }
    } remove_handler{io};
    if ((r = f.bind(ctx))) return failed = "bind", r;
    // Probed after bind so that the BAR spaces keep their place in the pool.
    if ((r = stack.edma.probe()))
        io.log(hal::log_level::info, o.name, std::string("no eDMA: ") + err_name(r));
    ctx.edma = stack.edma.probed() ? &stack.edma : nullptr;
    if ((r = f.epc_init())) {
        f.unbind();
        return failed = "epc_init", r;
    }
    if (o.unmapped_bar >= 0) {
        io.log(hal::log_level::warning, "ep",
               "fault injection: BAR" + std::to_string(o.unmapped_bar) +
                   " left enabled without its inbound iATU window");
        stack.ep.drop_inbound_window(static_cast<unsigned>(o.unmapped_bar));
    }
    io.log(hal::log_level::info, o.name, "function ready; enabling LTSSM");
    stack.epc.start();

    auto check = [&](const char* op, int err) {
        if (err) io.log(hal::log_level::warning, o.name, std::string(op) + ": " + err_name(err));
    };
    bool linked = false, bus_master = false;
    // The link interrupts and Bus Master Enable, as operations of the function.
    auto link_events = [&]() {
        const std::uint32_t ev = stack.take_events();
        // Function-Level Reset: the function's configuration state is gone; it stops what it
        // was doing (link_down), its non-sticky registers are written back and it starts again.
        if (ev & dwc::app_regs::IRQ_FLR)
            io.log(hal::log_level::info, o.name, "FLR: re-initialising the function");
        if (ev & (dwc::app_regs::IRQ_LINK_DOWN | dwc::app_regs::IRQ_FLR)) {
            check("link_down", f.link_down());
            stack.ep.linkdown();
            linked = bus_master = false;
        }
        if (ev & dwc::app_regs::IRQ_FLR) {
            check("link_up", f.link_up());
            stack.ep.glue().flr_done();
            io.log(hal::log_level::info, o.name, "FLR done");
            linked = true;
        }
        if (ev & dwc::app_regs::IRQ_LINK_UP) {
            check("link_up", f.link_up());
            // Configuration requests were answered with CRS until the function was ready.
            stack.ep.glue().set_config_retry(false);
            linked = true;
        }
        if (linked && !bus_master && stack.bus_master()) {
            bus_master = true;
            check("bus_master_enable", f.bus_master_enable());
        }
        return linked && bus_master;
    };
    ctx.events = link_events;
    for (;;) {
        std::uint64_t timeout = endpoint_stack::idle_wait_ns;
        const std::uint64_t due = wq.next_due_ns(), now = io.now_ns();
        if (due != workqueue::never) timeout = std::min(timeout, due > now ? due - now : 0);
        if (linked && !bus_master) timeout = std::min(timeout, o.bus_master_poll_ns);
        if (timeout) io.wait_for_interrupt(timeout);

        link_events();
        if (doorbell && board.irq_window.size) {
            doorbell = false;
            const std::uint64_t w = board.irq_window.base;
            while (io.rd32(w + irq_window::COUNT)) {
                const std::uint32_t v = io.rd32(w + irq_window::POP);
                f.doorbell(v, io.rd32(w + irq_window::LAST_OFFSET));
            }
        }
        wq.run_due();
    }
}

void log_failure(hal::platform& io, const std::string& category, const std::string& what, int err) {
    io.log(hal::log_level::error, category, what + " failed: " + err_name(err));
}

void idle_forever(hal::platform& io) {
    for (;;)
        io.wait_for_interrupt(endpoint_stack::idle_wait_ns);
}


} // namespace fw::epf

#include "echo_function.h"

#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"

#include <string>

namespace echo {

int echo_function::bind(fw::epf::context& ctx) {
    ctx_ = &ctx;
    const int r = ctx.alloc_space(0, BAR_BYTES, bar_);
    if (r) ctx.error("cannot allocate BAR0: " + std::string(fw::err_name(r)));
    return r;
}

void echo_function::unbind() {
    ctx_->wq.cancel(work_);
    ctx_->free_space(bar_);
}

int echo_function::epc_init() {
    fw::epc::header h;
    h.vendorid = VENDOR_ID;
    h.deviceid = DEVICE_ID;
    int r = ctx_->epc.write_header(ctx_->fn, h);
    if (!r) r = ctx_->epc.set_bar(ctx_->fn, bar_);
    if (!r) r = ctx_->epc.set_msi(ctx_->fn, 1);
    if (r) return r;
    for (std::uint32_t reg = REG_DATA; reg <= REG_DONE; reg += 4)
        wr(reg, 0);
    wr(REG_MAGIC, MAGIC);
    ctx_->info("BAR0 at " + fw::hex(bar_.phys_addr) + ", MSI set");
    return 0;
}

int echo_function::link_up() {
    ctx_->info("link up: polling every " + std::to_string(poll_ns_) + " ns");
    ctx_->wq.queue(work_, poll_ns_);
    return 0;
}

int echo_function::link_down() {
    ctx_->wq.cancel(work_);
    return 0;
}

int echo_function::bus_master_enable() {
    ctx_->info("bus master enabled");
    return 0;
}

void echo_function::poll() {
    const std::uint32_t seq = rd(REG_SEQ);
    if (seq != last_seq_) {
        last_seq_ = seq;
        const std::uint32_t data = rd(REG_DATA);
        wr(REG_ECHO, data);
        wr(REG_DONE, seq);
        ++echoes_;
        ctx_->info("echo " + std::to_string(seq) + ": " + std::to_string(data));
        const int r = ctx_->epc.raise_irq(ctx_->fn, fw::epc::irq_type::msi, 1);
        if (r) ctx_->warning("MSI failed: " + std::string(fw::err_name(r)));
    }
    ctx_->wq.queue(work_, poll_ns_);
}

} // namespace echo

#include "ring_function.h"

#include "firmware/hal/errno.h"

#include <string>

namespace ring {

int ring_function::bind(fw::epf::context& ctx) {
    ctx_ = &ctx;
    int r = ctx.alloc_space(REG_BAR, BAR_BYTES, regs_);
    if (!r) r = ctx.alloc_space(DOORBELL_BAR, BAR_BYTES, doorbell_);
    if (!r) r = ctx.pool.alloc(max_slot_bytes_, sizeof(std::uint64_t), staging_);
    if (r) ctx.error("bind: " + std::string(fw::err_name(r)));
    return r;
}

void ring_function::unbind() {
    ctx_->pool.free(staging_);
    ctx_->free_space(doorbell_);
    ctx_->free_space(regs_);
}

int ring_function::epc_init() {
    fw::epc::header h;
    h.vendorid = VENDOR_ID;
    h.deviceid = DEVICE_ID;
    std::uint64_t db_offset = 0;
    int r = ctx_->epc.write_header(ctx_->fn, h);
    if (!r) r = ctx_->epc.set_bar(ctx_->fn, regs_);
    if (!r) r = ctx_->set_doorbell_bar(doorbell_, db_offset);
    if (!r) r = ctx_->epc.set_msix(ctx_->fn, vectors_, REG_BAR, MSIX_TABLE);
    if (r) return r;
    for (std::uint32_t reg = REG_SLOT_BYTES; reg <= REG_STATUS; reg += 4)
        wr(reg, 0);
    wr(REG_DB_BAR, DOORBELL_BAR);
    wr(REG_DB_OFFSET, static_cast<std::uint32_t>(db_offset));
    wr(REG_MAGIC, MAGIC);
    ctx_->info("ready: doorbell at BAR1 + " + std::to_string(db_offset) + ", " +
               std::to_string(vectors_) + " MSI-X vectors");
    return 0;
}

int ring_function::move_slot(std::uint32_t slot) {
    const std::uint64_t bytes = rd(REG_SLOT_BYTES);
    if (!ctx_->edma) return -EOPNOTSUPP;
    if (!bytes || bytes > max_slot_bytes_) return -EINVAL;
    const std::uint64_t src = (std::uint64_t(rd(REG_SRC_HI)) << 32 | rd(REG_SRC_LO)) + slot * bytes;
    const std::uint64_t dst = (std::uint64_t(rd(REG_DST_HI)) << 32 | rd(REG_DST_LO)) + slot * bytes;
    using fw::dwc::edma_dir;
    int r = ctx_->edma->xfer(edma_dir::read, staging_, src, bytes, dma_timeout_ns_);
    if (!r) r = ctx_->edma->xfer(edma_dir::write, staging_, dst, bytes, dma_timeout_ns_);
    return r;
}

void ring_function::doorbell(std::uint32_t value, std::uint64_t) {
    ctx_->info("doorbell " + std::to_string(value));
    for (std::uint32_t tail = rd(REG_TAIL); tail != rd(REG_HEAD); tail = rd(REG_TAIL)) {
        const int r = move_slot(tail);
        if (r) {
            ctx_->warning("slot " + std::to_string(tail) + ": " + fw::err_name(r));
            wr(REG_STATUS, static_cast<std::uint32_t>(r));
            return;
        }
        wr(REG_TAIL, tail + 1);
        ctx_->info("slot " + std::to_string(tail) + " moved");
        const int irq = ctx_->epc.raise_irq(ctx_->fn, fw::epc::irq_type::msix, tail % vectors_ + 1);
        if (irq) ctx_->warning("MSI-X: " + std::string(fw::err_name(irq)));
    }
}

} // namespace ring

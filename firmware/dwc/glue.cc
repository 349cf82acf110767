#include "firmware/dwc/glue.h"

namespace fw::dwc {

using namespace app_regs;

epc::features soc_glue::features() const {
    epc::features f;
    f.linkup_notifier = board_.linkup_notifier;
    f.msi_capable = board_.msi_capable;
    f.msix_capable = board_.msix_capable;
    f.intx_capable = board_.intx_capable;
    f.dynamic_inbound_mapping = true;
    f.subrange_mapping = true;
    f.bar = board_.bars;
    f.align = board_.bar_align;
    return f;
}

void soc_glue::enable_irqs() {
    io_.wr32(board_.app.base + IRQ_ENABLE,
             IRQ_LINK_UP | IRQ_LINK_DOWN | IRQ_PERST_DEASSERT | IRQ_FLR);
}

bool soc_glue::perst_deasserted() {
    return io_.rd32(board_.app.base + STATUS) & STATUS_PERST_DEASSERTED;
}

void soc_glue::ltssm_enable(bool on) {
    io_.rmw32(board_.app.base + CTRL, CTRL_LTSSM_EN, on ? CTRL_LTSSM_EN : 0);
}

void soc_glue::set_config_retry(bool on) {
    io_.rmw32(board_.app.base + CTRL, CTRL_REQ_RETRY_EN, on ? CTRL_REQ_RETRY_EN : 0);
}

void soc_glue::set_intx(bool asserted) {
    io_.rmw32(board_.app.base + CTRL, CTRL_SYS_INT, asserted ? CTRL_SYS_INT : 0);
}

void soc_glue::flr_done() {
    io_.rmw32(board_.app.base + CTRL, CTRL_FLR_DONE, CTRL_FLR_DONE);
}

std::uint32_t soc_glue::ack_irq() {
    std::uint32_t s = io_.rd32(board_.app.base + IRQ_STATUS);
    if (s) io_.wr32(board_.app.base + IRQ_STATUS, s);
    return s;
}

} // namespace fw::dwc

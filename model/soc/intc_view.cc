#include "model/soc/intc_view.h"

#include "contracts/intc_regs.h"
#include "model/soc/reg_target.h"

#include <cstring>

namespace epvp::soc {

intc_view::intc_view(sc_core::sc_module_name name, const irq_controller& lines)
    : sc_module(name)
    , regs("regs")
    , lines_(lines) {
    regs.register_b_transport(this, &intc_view::b_transport);
    regs.register_transport_dbg(this, &intc_view::transport_dbg);
}

bool intc_view::access(bool write, std::uint32_t offset, unsigned char* data, unsigned len) {
    if (len != 4 || offset % 4 != 0 || offset >= intc::BLOCK_BYTES) return false;
    std::uint32_t v = 0;
    if (write) {
        std::memcpy(&v, data, 4);
        if (offset == intc::MASK && v != mask_) {
            mask_ = v;
            mask_changed_.notify(sc_core::SC_ZERO_TIME);
        }
        return true;
    }
    switch (offset) {
    case intc::RAW:
        v = raw();
        break;
    case intc::MASK:
        v = mask_;
        break;
    case intc::PENDING:
        v = pending();
        break;
    case intc::ACK: {
        const std::uint32_t p = pending();
        v = p ? static_cast<std::uint32_t>(__builtin_ctz(p)) : intc::ACK_NONE;
        break;
    }
    default:
        break;
    }
    std::memcpy(data, &v, 4);
    return true;
}

void intc_view::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    // Act at the access's own time: a MASK write changes the CPU's IRQ input then, not when a
    // decoupled initiator that runs ahead issues it.
    reg_target_transport(gp, delay, [this](bool w, std::uint32_t o, unsigned char* d, unsigned l) {
        return access(w, o, d, l);
    });
}

unsigned intc_view::transport_dbg(tlm::tlm_generic_payload& gp) {
    return reg_target_debug_read(gp, [this](bool w, std::uint32_t o, unsigned char* d, unsigned l) {
        return access(w, o, d, l);
    });
}

} // namespace epvp::soc

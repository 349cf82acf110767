#include "model/soc/intc_view.h"

#include "contracts/intc_regs.h"

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

void intc_view::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    const bool ok = access(gp.is_write(), static_cast<std::uint32_t>(gp.get_address()),
                           gp.get_data_ptr(), gp.get_data_length());
    gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

unsigned intc_view::transport_dbg(tlm::tlm_generic_payload& gp) {
    if (!gp.is_read()) return 0;
    return access(false, static_cast<std::uint32_t>(gp.get_address()), gp.get_data_ptr(),
                  gp.get_data_length())
               ? 4
               : 0;
}

} // namespace epvp::soc

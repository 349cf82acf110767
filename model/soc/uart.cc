#include "model/soc/uart.h"

#include "contracts/uart_regs.h"

#include <cstring>

namespace epvp::soc {

uart::uart(sc_core::sc_module_name name, sink out)
    : sc_module(name)
    , regs("regs")
    , out_(std::move(out))
    , level_(::uart::LEVEL_INFO)
    , line_level_(::uart::LEVEL_INFO) {
    regs.register_b_transport(this, &uart::b_transport);
}

void uart::flush(const sc_core::sc_time& at) {
    ++lines_;
    if (out_) out_(line_level_, line_, at);
    line_.clear();
}

void uart::put(char c, const sc_core::sc_time& at) {
    if (c == '\n') {
        // The end of a line that was just printed in full as a piece prints nothing more.
        if (!line_.empty() || !split_) flush(at);
        split_ = false;
        return;
    }
    split_ = false;
    if (line_.empty()) line_level_ = level_;
    line_ += c;
    if (line_.size() == ::uart::LINE_BYTES) {
        flush(at);
        split_ = true;
    }
}

void uart::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const unsigned len = gp.get_data_length();
    const auto offset = static_cast<std::uint32_t>(gp.get_address());
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if ((len != 1 && len != 4) || offset % 4 != 0 || offset >= ::uart::BLOCK_BYTES) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    std::uint32_t v = 0;
    if (gp.is_write()) {
        std::memcpy(&v, gp.get_data_ptr(), len);
        if (offset == ::uart::TX)
            put(static_cast<char>(v & 0xFF), sc_core::sc_time_stamp() + delay);
        if (offset == ::uart::LEVEL) level_ = v & 3u;
    } else {
        if (offset == ::uart::LEVEL) v = level_;
        if (offset == ::uart::STATUS) v = ::uart::STATUS_TX_READY;
        std::memcpy(gp.get_data_ptr(), &v, len);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace epvp::soc

#include "model/host/msi_controller.h"

#include "contracts/host_irq_regs.h"
#include "model/core/log.h"
#include "model/pcie/tlp.h"

#include <algorithm>
#include <cstring>

namespace epvp::host {

msi_controller::msi_controller(sc_core::sc_module_name name, std::uint64_t doorbell_base)
    : sc_module(name)
    , msi_irq("msi_irq")
    , intx_irq("intx_irq")
    , in("in")
    , doorbell_base_(doorbell_base) {
    in.register_b_transport(this, &msi_controller::b_transport);
    SC_METHOD(drive);
    sensitive << changed_;
    dont_initialize();
    SC_METHOD(deliver);
    sensitive << arrive_;
    dont_initialize();
}

void msi_controller::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    constexpr unsigned dword = 4;
    const std::uint64_t a = gp.get_address();
    const unsigned len = gp.get_data_length();
    const pcie::pcie_tlp* t = gp.get_extension<pcie::pcie_tlp>();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (t && t->type == pcie::tlp_type::mwr && claims(a)) {
        std::uint32_t data = 0;
        std::memcpy(&data, gp.get_data_ptr(), std::min<unsigned>(len, dword));
        if (len != dword)
            logger::get().guest_error(
                "host", "MSI write of " + std::to_string(len) + " bytes from " +
                            pcie::bdf_string(t->requester_id) + ": a message is one dword");
        message(a, data, t->requester_id, delay);
        return;
    }
    if (t && t->type == pcie::tlp_type::msg) {
        const auto code = static_cast<unsigned>(t->code);
        const auto assert_a = static_cast<unsigned>(pcie::msg_code::assert_inta);
        const auto deassert_a = static_cast<unsigned>(pcie::msg_code::deassert_inta);
        if (code >= assert_a && code <= static_cast<unsigned>(pcie::msg_code::deassert_intd)) {
            intx(code >= deassert_a ? code - deassert_a : code - assert_a, code < deassert_a,
                 delay);
            return;
        }
    }
    if (!t && claims_regs(a)) {
        if (gp.is_read() && len == dword && (a % dword) == 0) {
            const std::uint32_t v = read_reg(static_cast<std::uint32_t>(a - regs_base()));
            std::memcpy(gp.get_data_ptr(), &v, dword);
        } else {
            logger::get().guest_error("host", "MSI controller register " + hex(a) +
                                                  ": registers are 32-bit read-only");
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        }
        return;
    }
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void msi_controller::schedule(const arriving& a) {
    // Arrivals on one link are in order; from several links they interleave by time.
    auto it =
        std::upper_bound(arriving_.begin(), arriving_.end(), a.at,
                         [](const sc_core::sc_time& t, const arriving& x) { return t < x.at; });
    arriving_.insert(it, a);
    arrive_.notify(arriving_.front().at - sc_core::sc_time_stamp());
}

void msi_controller::deliver() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    while (!arriving_.empty() && arriving_.front().at <= now) {
        const arriving a = arriving_.front();
        arriving_.pop_front();
        if (a.is_msi)
            apply_message(a.m);
        else
            apply_intx(a.pin, a.asserted);
    }
    if (!arriving_.empty()) arrive_.notify(arriving_.front().at - now);
}

void msi_controller::message(std::uint64_t addr, std::uint32_t data, std::uint16_t requester,
                             const sc_core::sc_time& arrival) {
    schedule(
        arriving{sc_core::sc_time_stamp() + arrival, true, msg{addr, data, requester}, 0, false});
}

void msi_controller::intx(unsigned pin, bool asserted, const sc_core::sc_time& arrival) {
    schedule(arriving{sc_core::sc_time_stamp() + arrival, false, msg{0, 0, 0}, pin, asserted});
}

void msi_controller::apply_message(const msg& m) {
    const std::uint64_t addr = m.addr;
    const std::uint32_t data = m.data;
    ++total_;
    if (fifo_.size() >= ::host_irq::FIFO_DEPTH) {
        ++dropped_;
        logger::get().warning("host", "MSI FIFO full: message " + hex(data) + " dropped",
                              "fifo-full");
        return;
    }
    fifo_.push_back(m);
    if (logger::get().enabled("irq"))
        logger::get().info("irq", "MSI data " + hex(data) + " at " + hex(addr));
    update();
}

void msi_controller::apply_intx(unsigned pin, bool asserted) {
    const std::uint32_t bit = 1u << pin;
    if (asserted && !(intx_state_ & bit)) ++intx_asserts_;
    intx_state_ = asserted ? (intx_state_ | bit) : (intx_state_ & ~bit);
    if (logger::get().enabled("irq"))
        logger::get().info("irq", std::string(asserted ? "Assert" : "Deassert") + "_INT" +
                                      static_cast<char>('A' + pin));
    update();
}

std::uint32_t msi_controller::read_reg(std::uint32_t offset) {
    using namespace ::host_irq;
    switch (offset) {
    case MSI_COUNT:
        return static_cast<std::uint32_t>(fifo_.size());
    case MSI_POP_DATA:
        if (fifo_.empty()) return 0;
        last_ = fifo_.front();
        fifo_.pop_front();
        update();
        return last_.data;
    case MSI_POP_ADDR_LO:
        return static_cast<std::uint32_t>(last_.addr);
    case MSI_POP_ADDR_HI:
        return static_cast<std::uint32_t>(last_.addr >> 32);
    case MSI_POP_SOURCE:
        return last_.requester;
    case MSI_TOTAL:
        return static_cast<std::uint32_t>(total_);
    case MSI_DROPPED:
        return static_cast<std::uint32_t>(dropped_);
    case INTX_STATE:
        return intx_state_;
    case INTX_ASSERTS:
        return static_cast<std::uint32_t>(intx_asserts_);
    default:
        return 0;
    }
}

void msi_controller::update() {
    bool m = !fifo_.empty(), i = intx_state_ != 0;
    if (m != msi_level_ || i != intx_level_) {
        msi_level_ = m;
        intx_level_ = i;
        changed_.notify(sc_core::SC_ZERO_TIME);
    }
}

void msi_controller::drive() {
    msi_irq.write(msi_level_);
    intx_irq.write(intx_level_);
}

} // namespace epvp::host

#include "host/msi_controller.h"

#include "core/log.h"
#include "hal/host_irq_regs.h"

#include <algorithm>

namespace epvp::host {

msi_controller::msi_controller(sc_core::sc_module_name name, std::uint64_t doorbell_base)
    : sc_module(name)
    , msi_irq("msi_irq")
    , intx_irq("intx_irq")
    , doorbell_base_(doorbell_base) {
    SC_METHOD(drive);
    sensitive << changed_;
    dont_initialize();
    SC_METHOD(deliver);
    sensitive << arrive_;
    dont_initialize();
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
    logger::get().info("irq", "MSI data " + hex(data) + " at " + hex(addr));
    update();
}

void msi_controller::apply_intx(unsigned pin, bool asserted) {
    const std::uint32_t bit = 1u << pin;
    if (asserted && !(intx_state_ & bit)) ++intx_asserts_;
    intx_state_ = asserted ? (intx_state_ | bit) : (intx_state_ & ~bit);
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

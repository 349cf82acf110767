#include "model/soc/timer.h"

#include "contracts/timer_regs.h"
#include "model/soc/reg_target.h"

#include <cstring>

namespace epvp::soc {

using sc_core::sc_time;

namespace {
// Not a static sc_time: none may exist before the platform sets the time resolution.
sc_time counter_period() {
    return sc_time(1e9 / soc_timer::COUNTS_PER_SECOND, sc_core::SC_NS);
}
} // namespace

timer::timer(sc_core::sc_module_name name)
    : sc_module(name)
    , regs("regs")
    , irq("irq") {
    regs.register_b_transport(this, &timer::b_transport);
    regs.register_transport_dbg(this, &timer::transport_dbg);
    SC_METHOD(update_line);
    sensitive << reevaluate_;
}

std::uint64_t timer::count() const {
    return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / counter_period());
}

void timer::update_line() {
    const std::uint64_t now = count();
    irq.write(enabled_ && now >= compare_);
    // The next change: the counter reaching COMPARE, at that step's own time (an access may
    // have come between two steps). A COMPARE beyond SystemC's time range is never reached.
    if (enabled_ && now < compare_) {
        const std::uint64_t period = counter_period().value();
        if (compare_ <= sc_core::sc_max_time().value() / period)
            reevaluate_.notify(sc_time::from_value(compare_ * period) - sc_core::sc_time_stamp());
    }
}

bool timer::access(bool write, std::uint32_t offset, unsigned char* data, unsigned len) {
    const bool wide = offset == soc_timer::COUNT || offset == soc_timer::COMPARE;
    if (!(len == 4 || (len == 8 && wide)) || offset % 4 != 0) return false;
    if (offset >= soc_timer::BLOCK_BYTES) return false;
    const std::uint32_t reg64 = offset & ~7u; // the 64-bit register an access is part of
    const unsigned shift = (offset % 8) * 8;  // a 4-byte access to the upper half: 32
    if (!write) {
        std::uint64_t v = 0;
        switch (reg64) {
        case soc_timer::COUNT:
            v = count();
            break;
        case soc_timer::COMPARE:
            v = compare_;
            break;
        default:
            if (offset == soc_timer::CTRL) v = enabled_ ? soc_timer::CTRL_ENABLE : 0;
            if (offset == soc_timer::STATUS)
                v = count() >= compare_ ? soc_timer::STATUS_ISTATUS : 0;
            if (offset == soc_timer::FREQ_HZ) v = soc_timer::COUNTS_PER_SECOND;
            std::memcpy(data, &v, len);
            return true;
        }
        v >>= shift;
        std::memcpy(data, &v, len);
        return true;
    }
    std::uint64_t v = 0;
    std::memcpy(&v, data, len);
    if (reg64 == soc_timer::COMPARE) {
        const std::uint64_t mask = len == 8 ? ~std::uint64_t{0} : 0xFFFFFFFFull << shift;
        compare_ = (compare_ & ~mask) | ((v << shift) & mask);
    } else if (offset == soc_timer::CTRL) {
        enabled_ = (v & soc_timer::CTRL_ENABLE) != 0;
    } else {
        return true; // read-only or no register: ignored
    }
    reevaluate_.cancel();
    reevaluate_.notify(sc_core::SC_ZERO_TIME);
    return true;
}

void timer::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    reg_target_transport(gp, delay, [this](bool w, std::uint32_t o, unsigned char* d, unsigned l) {
        return access(w, o, d, l);
    });
}

unsigned timer::transport_dbg(tlm::tlm_generic_payload& gp) {
    return reg_target_debug_read(gp, [this](bool w, std::uint32_t o, unsigned char* d, unsigned l) {
        return access(w, o, d, l);
    });
}

} // namespace epvp::soc

#include "model/soc/irq_controller.h"

namespace epvp::soc {

irq_controller::irq_controller(sc_core::sc_module_name name, unsigned n_lines)
    : sc_module(name)
    , lines("lines", n_lines)
    , counts_(n_lines, 0) {
    SC_METHOD(sample);
    for (auto& l : lines)
        sensitive << l;
    dont_initialize();
}

void irq_controller::sample() {
    std::uint64_t now = 0;
    for (unsigned i = 0; i < lines.size(); ++i)
        if (lines[i].read()) now |= 1ull << i;
    for (unsigned i = 0; i < lines.size(); ++i)
        if ((now & ~pending_) & (1ull << i)) ++counts_[i];
    pending_ = now;
    if (pending_) changed_.notify(sc_core::SC_ZERO_TIME);
}

} // namespace epvp::soc

// The endpoint CPU's interrupt controller: level-sensitive lines from the SoC's blocks.
//
// Models: N level-sensitive input lines, the set of lines currently asserted, and an event
// that CPU models wait on. Does not model: priorities, masking registers, edge-triggered lines,
// routing to several CPUs.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

namespace epvp::soc {

class irq_controller : public sc_core::sc_module {
public:
    sc_core::sc_vector<sc_core::sc_in<bool>> lines;

    SC_HAS_PROCESS(irq_controller);
    irq_controller(sc_core::sc_module_name name, unsigned n_lines);

    std::uint64_t pending() const { return pending_; }
    const sc_core::sc_event& changed() const { return changed_; }
    std::uint64_t assertions(unsigned line) const { return counts_.at(line); }

private:
    void sample();
    std::uint64_t pending_ = 0;
    std::vector<std::uint64_t> counts_;
    sc_core::sc_event changed_;
};

} // namespace epvp::soc

// The endpoint SoC's timer: the CPU's time base and wake-up source when the firmware runs as a
// binary (cpu.kind = iss). Register layout: contracts/timer_regs.h; compliance: timer.md.
//
// Models: a 64-bit counter of simulated nanoseconds since the simulation started (the SoC's
// 1 GHz system counter), a 64-bit compare value and a level-sensitive interrupt line, high
// while CTRL.ENABLE is set and COUNT >= COMPARE (re-evaluated when COMPARE or CTRL change and
// when the counter reaches COMPARE). An access acts at its own time: a decoupled initiator is
// synchronised to it first (wait(delay), as the memory controller does), so COUNT and the line
// do not depend on sim.quantum_ns; callers must be SC_THREADs. Accesses of 4 bytes, or 8 bytes
// at COUNT and COMPARE; other sizes and byte enables are answered with an error response.
// Offsets without a register read 0 and ignore writes.
// Does not model: a prescaler, counter writes, several comparators, the counter stopping.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::soc {

class timer : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<timer> regs;
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(timer);
    explicit timer(sc_core::sc_module_name name);

    std::uint64_t count() const; // COUNT now
    std::uint64_t compare() const { return compare_; }
    bool enabled() const { return enabled_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    // Reads or writes one register access; false for an access the block does not take.
    bool access(bool write, std::uint32_t offset, unsigned char* data, unsigned len);
    void update_line();
    std::uint64_t compare_ = ~std::uint64_t{0};
    bool enabled_ = false;
    sc_core::sc_event reevaluate_;
};

} // namespace epvp::soc

// The endpoint CPU's register view of its interrupt controller, for firmware that runs as a
// binary (cpu.kind = iss). Register layout: contracts/intc_regs.h; compliance: intc_view.md.
//
// Models: the lines of an irq_controller (RAW), a mask (reset: all masked), PENDING = RAW &
// ~MASK (the CPU's IRQ input is PENDING != 0) and ACK, the lowest pending line (no state
// change: lines are level-sensitive and acknowledged at their sources). An event fires when
// MASK changes (the controller's own event covers the lines). An access acts at its own time: a
// decoupled initiator is synchronised to it first (reg_target.h), so a MASK write changes the
// IRQ input at the access's time, whatever sim.quantum_ns; callers must be SC_THREADs.
// 4-byte accesses; other sizes and byte enables get an error response; offsets without a
// register read 0 and ignore writes. Debug transport reads registers and writes nothing.
// Does not model: priorities, edge-triggered lines, several CPUs, FIQ.
#pragma once

#include "model/soc/irq_controller.h"

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::soc {

class intc_view : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<intc_view> regs;

    intc_view(sc_core::sc_module_name name, const irq_controller& lines);

    std::uint32_t raw() const { return static_cast<std::uint32_t>(lines_.pending()); }
    std::uint32_t mask() const { return mask_; }
    std::uint32_t pending() const { return raw() & ~mask_; }
    const sc_core::sc_event& mask_changed() const { return mask_changed_; }
    const sc_core::sc_event& lines_changed() const { return lines_.changed(); }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    bool access(bool write, std::uint32_t offset, unsigned char* data, unsigned len);
    const irq_controller& lines_;
    std::uint32_t mask_ = 0xFFFFFFFF;
    sc_core::sc_event mask_changed_;
};

} // namespace epvp::soc

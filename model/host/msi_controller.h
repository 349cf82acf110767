// The host's interrupt target for PCIe: an MSI doorbell page and the INTx wires.
//
// Models: a memory write TLP into the doorbell page is one message: its address, 32-bit data
// and requester ID enter a FIFO (depth host_irq::FIFO_DEPTH; a full FIFO drops and counts);
// Assert_INTx/Deassert_INTx messages set and clear four wires. Host software reads the FIFO and
// the wire state through a register page (layout in contracts/host_irq_regs.h). Two
// level-sensitive outputs tell the host CPU: FIFO not empty, any INTx asserted. A message takes
// effect when its TLP arrives (the sender's annotated time), not when the sender's thread
// happens to call: the interrupt does not depend on how far the sender ran ahead.
// Everything arrives through one target socket, as the transactions it is: an MWr TLP into the
// doorbell page (a message), an Assert/Deassert_INTx Msg TLP, or a host CPU read of the register
// page (a plain 32-bit read).
// Does not model: interrupt remapping, per-vector routing to CPUs, x86 delivery modes in the
// address/data; the data is taken as the vector.
#pragma once

#include <cstdint>
#include <deque>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::host {

class msi_controller : public sc_core::sc_module {
public:
    sc_core::sc_out<bool> msi_irq;
    sc_core::sc_out<bool> intx_irq;
    tlm_utils::simple_target_socket<msi_controller> in; // TLPs from the root complex, CPU reads

    SC_HAS_PROCESS(msi_controller);
    msi_controller(sc_core::sc_module_name name, std::uint64_t doorbell_base);

    bool claims(std::uint64_t addr) const {
        return addr >= doorbell_base_ && addr - doorbell_base_ < page_bytes;
    }
    std::uint64_t doorbell_base() const { return doorbell_base_; }
    std::uint64_t regs_base() const { return doorbell_base_ + page_bytes; }
    bool claims_regs(std::uint64_t addr) const {
        return addr >= regs_base() && addr - regs_base() < page_bytes;
    }

    // `arrival`: the TLP's arrival as an offset from the kernel's time (its annotated delay).
    void message(std::uint64_t addr, std::uint32_t data, std::uint16_t requester,
                 const sc_core::sc_time& arrival);
    void intx(unsigned pin, bool asserted, const sc_core::sc_time& arrival); // pin 0 = INTA
    std::uint32_t read_reg(std::uint32_t offset);

    std::uint64_t total() const { return total_; }
    std::uint64_t dropped() const { return dropped_; }
    std::uint64_t intx_asserts() const { return intx_asserts_; }

    static constexpr std::uint64_t page_bytes = 0x1000;

private:
    struct msg {
        std::uint64_t addr;
        std::uint32_t data;
        std::uint16_t requester;
    };
    // A message or INTx change on its way, applied at `at` (absolute).
    struct arriving {
        sc_core::sc_time at;
        bool is_msi;
        msg m;
        unsigned pin;
        bool asserted;
    };
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void schedule(const arriving& a);
    void deliver();
    void apply_message(const msg& m);
    void apply_intx(unsigned pin, bool asserted);
    void update();
    void drive();
    std::deque<arriving> arriving_; // by arrival time, ties in call order
    sc_core::sc_event arrive_;
    std::uint64_t doorbell_base_;
    std::deque<msg> fifo_;
    msg last_{0, 0, 0};
    std::uint32_t intx_state_ = 0;
    std::uint64_t total_ = 0, dropped_ = 0, intx_asserts_ = 0;
    bool msi_level_ = false, intx_level_ = false;
    sc_core::sc_event changed_;
};

} // namespace epvp::host

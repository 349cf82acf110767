// TLM-2.0 -> APB4 bridge for register blocks: a TLM target socket whose b_transport runs APB
// transfers on a Verilated block's APB port, on an rtl_island.
//
// Models: the LT->pin boundary (the annotated delay passes before the setup phase; b_transport
// returns with zero delay after PREADY); one APB transfer per access of 1 to 4 bytes inside one
// word of the port's data width (8, 16 or 32 bits; axi_pins.h): a setup cycle (PSEL), then access
// cycles (PENABLE) until PREADY; PSTRB from the written bytes and the TLM byte enables; reads
// return the addressed bytes of PRDATA; PSLVERR -> TLM_GENERIC_ERROR_RESPONSE; transfers from
// several initiators queue up in arrival order. Accesses that are not inside one word are answered
// TLM_BURST_ERROR_RESPONSE, and addresses beyond the port's PADDR width TLM_ADDRESS_ERROR_RESPONSE,
// without touching the pins.
// Does not model: PPROT (driven 0 / absent), wait states of its own, DMI, debug transport.
#pragma once

#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/rtl_island.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::rtl {

class tlm2apb_bridge : public sc_core::sc_module, public cycle_agent {
public:
    tlm_utils::simple_target_socket<tlm2apb_bridge> socket;

    // The view is kept by reference (it must outlive this), so that a block re-made in its other
    // trace flavour before it runs is followed (rtl_models.h). paddr_bits: the PADDR width; 0: the
    // port view's addr_bits. The view is checked here (std::invalid_argument naming what does not
    // fit).
    tlm2apb_bridge(sc_core::sc_module_name name, rtl_island& island, const apb_port& pins,
                   unsigned paddr_bits = 0);

    std::uint64_t transfers() const { return transfers_; }

    // The socket's b_transport, also callable directly (from an SC_THREAD).
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    void drive() override;
    void sample(std::uint64_t cycle) override;
    bool busy() const override { return !queue_.empty() || phase_ != phase::idle; }

private:
    struct transfer {
        std::uint32_t addr = 0;
        bool write = false;
        std::uint32_t wdata = 0;
        std::uint8_t strb = 0;
        std::uint32_t rdata = 0;
        bool slverr = false;
        bool done = false;
        sc_core::sc_event done_ev;
    };

    rtl_island& island_;
    const apb_port& p_; // the block's view: follows the instance when it is re-made
    unsigned paddr_bits_;
    unsigned word_bytes_; // the port's data width in bytes
    std::deque<transfer*> queue_;
    // Transfers whose caller left while they were on the pins (a killed process): the access
    // ends on a copy kept here, as APB cannot drop a transfer it has started.
    std::deque<std::unique_ptr<transfer>> orphans_;
    enum class phase { idle, setup, access } phase_ = phase::idle;
    std::uint64_t transfers_ = 0;
};

} // namespace epvp::rtl

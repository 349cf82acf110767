// This SoC's glue around the DWC controller (the role a glue driver such as pcie-rcar-gen4.c
// plays): the app register block with LTSSM enable, configuration retry, INTx level, PERST#
// status, link and Function-Level Reset interrupts and the FLR-done handshake, and the controller
// features the SoC integration fixes.
#pragma once

#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <cstdint>

namespace fw::dwc {

namespace app_regs {
constexpr std::uint32_t CTRL = 0x00;
constexpr std::uint32_t CTRL_LTSSM_EN = 1u << 0;
constexpr std::uint32_t CTRL_REQ_RETRY_EN = 1u << 1;
constexpr std::uint32_t CTRL_SYS_INT = 1u << 2;
constexpr std::uint32_t CTRL_FLR_DONE = 1u << 3; // app_flr_pf_done (self-clearing)
constexpr std::uint32_t STATUS = 0x04;
constexpr std::uint32_t STATUS_PERST_DEASSERTED = 1u << 0;
constexpr std::uint32_t STATUS_LINK_UP = 1u << 1;
constexpr std::uint32_t STATUS_FLR_ACTIVE = 1u << 2; // cfg_flr_pf_active
constexpr std::uint32_t IRQ_STATUS = 0x08;
constexpr std::uint32_t IRQ_ENABLE = 0x0C;
constexpr std::uint32_t IRQ_LINK_UP = 1u << 0;
constexpr std::uint32_t IRQ_LINK_DOWN = 1u << 1;
constexpr std::uint32_t IRQ_PERST_DEASSERT = 1u << 2;
constexpr std::uint32_t IRQ_FLR = 1u << 3; // the host initiated a Function-Level Reset
} // namespace app_regs

class soc_glue {
public:
    soc_glue(hal::platform& io, const hal::ep_board& board)
        : io_(io)
        , board_(board) {}

    epc::features features() const;
    void enable_irqs();
    bool perst_deasserted();
    void ltssm_enable(bool on);
    // While set, the controller answers configuration requests with CRS.
    void set_config_retry(bool on);
    // The INTA level the controller turns into Assert_INTA / Deassert_INTA messages.
    void set_intx(bool asserted);
    // Tells the controller the function has re-initialised after an FLR (it stops answering
    // configuration requests with CRS).
    void flr_done();
    // Reads and clears the app interrupt status; returns the bits that were set.
    std::uint32_t ack_irq();

private:
    hal::platform& io_;
    const hal::ep_board& board_;
};

} // namespace fw::dwc

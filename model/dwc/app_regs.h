// The SoC glue ("app") register block around the DWC controller: the controller's sideband
// inputs and outputs that the SoC integrator exposes to firmware. Its layout is this SoC's own
// (every vendor's glue differs); the signals are the DWC core's: app_ltssm_enable,
// app_req_retry_en, sys_int (INTx), PERST# and link-up/link-down events.
//
// Models: LTSSM enable, configuration request retry (CRS) enable, INTA level, the PERST# input,
// link state mirror, the Function-Level Reset handshake (cfg_flr_pf_active / app_flr_pf_done),
// and a W1C interrupt status with enables that drives the app interrupt line.
// Does not model: clock/reset sequencing of the core, PHY registers, power management sideband.
// SystemC-free.
#pragma once

#include "model/core/reg_block.h"

namespace epvp::dwc::app {

constexpr std::uint32_t ctrl = 0x00;
constexpr std::uint32_t ctrl_ltssm_enable = 1u << 0;
constexpr std::uint32_t ctrl_req_retry_en = 1u << 1;
constexpr std::uint32_t ctrl_sys_int = 1u << 2;  // INTA level: 1 asserts, 0 deasserts
constexpr std::uint32_t ctrl_flr_done = 1u << 3; // app_flr_pf_done: write 1 ends FLR_ACTIVE
constexpr std::uint32_t status = 0x04;
constexpr std::uint32_t status_perst_deasserted = 1u << 0;
constexpr std::uint32_t status_link_up = 1u << 1;
constexpr std::uint32_t status_flr_active = 1u << 2; // cfg_flr_pf_active
constexpr std::uint32_t status_ltssm_shift = 8;
constexpr std::uint32_t status_ltssm_mask = 0x3Fu << status_ltssm_shift;
constexpr std::uint32_t irq_status = 0x08;
constexpr std::uint32_t irq_enable = 0x0C;
constexpr std::uint32_t irq_link_up = 1u << 0;
constexpr std::uint32_t irq_link_down = 1u << 1;
constexpr std::uint32_t irq_perst_deassert = 1u << 2;
constexpr std::uint32_t irq_flr = 1u << 3; // the host initiated a Function-Level Reset
constexpr std::uint32_t irq_all = irq_link_up | irq_link_down | irq_perst_deassert | irq_flr;
constexpr std::uint32_t block_bytes = 0x1000;

std::vector<reg_def> table();

} // namespace epvp::dwc::app

// The RTL iATU (rtl/dw_iatu.sv, Verilated) as a drop-in for the TLM model's iATU: an RTL island
// holding the block, a TLM->APB bridge for its registers, TLM->AXI bridges into its outbound
// and inbound request ports, AXI->TLM bridges out of its translated ports, and a protocol
// checker on every bus.
//
// Models: register access at offsets inside the unrolled iATU space (regs.socket, or
// read_reg/write_reg); outbound translation of EP-side AXI traffic (ob_in.socket -> ob_out
// socket) and inbound translation of the controller's AXI master traffic (ib_in.socket, with
// the BAR hit, BAR size, function and TLP type in AxUSER via axi_ext, -> ib_out socket); the lookup
// result of each forwarded request (hit, region index, CTRL1 type, translated address) decoded from
// AxUSER into dwc::iatu_hit, so that it compares directly with model/dwc/iatu.h; a miss is
// forwarded untranslated or answered DECERR (TLM_ADDRESS_ERROR_RESPONSE) as the geometry's
// miss policy says.
// Does not model: the legacy viewport, programming-order warnings (see dw_iatu.sv), the
// controller around the iATU (TLP formation, limit checks, BAR decoding: the caller supplies
// the BAR hit).
#pragma once

#include "rtl-bridge/apb_checker.h"
#include "rtl-bridge/axi2tlm_bridge.h"
#include "rtl-bridge/axi_checker.h"
#include "rtl-bridge/rtl_island.h"
#include "rtl-bridge/rtl_models.h"
#include "rtl-bridge/tlm2apb_bridge.h"
#include "rtl-bridge/tlm2axi_bridge.h"

#include "model/dwc/iatu.h"

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

namespace epvp::rtl {

// AxUSER layouts of dw_iatu (see rtl/dw_iatu.sv).
namespace iatu_user {
constexpr unsigned bar_size_shift = 0; // request: log2 of the BAR size
constexpr std::uint32_t bar_size_mask = 0x3F;
constexpr unsigned bar_shift = 6; // request: BAR number
constexpr std::uint32_t bar_mask = 0x7;
constexpr std::uint32_t bar_hit = 1u << 9; // request: a BAR was hit
constexpr unsigned func_shift = 10;        // request: function number
constexpr std::uint32_t func_mask = 0x1F;  // CTRL1.FUNC_NUM is 5 bits
constexpr unsigned tlp_type_shift = 15;    // request: TLP header Type field
constexpr std::uint32_t tlp_type_mask = 0x1F;
constexpr std::uint32_t result_hit = 1u << 0; // forwarded: a region matched
constexpr unsigned result_index_shift = 1;
constexpr std::uint32_t result_index_mask = 0xFF;
constexpr unsigned result_type_shift = 9;
constexpr std::uint32_t result_type_mask = 0x1F;

// Sideband of an inbound request; bar < 0: no BAR hit.
std::uint32_t inbound_request(int bar, unsigned bar_size_log2, unsigned function,
                              unsigned tlp_type = dwc::iatu_reg::type_mem);
// Lookup result carried by a forwarded request.
dwc::iatu_hit decode(const axi_request& forwarded);
} // namespace iatu_user

struct rtl_iatu_params {
    iatu_geometry geometry;
    sc_core::sc_time clock_period = sc_core::sc_time(1, sc_core::SC_NS);
    // Bind the wrapper's own initiators to regs/ob_in/ib_in (for use through the helpers
    // only); false leaves those target sockets for the caller to bind.
    bool bind_internal_initiators = true;
    // Trace flavour of the block (nullopt: either; island.open_waves re-makes it in the one a
    // wave file needs as long as it has not run).
    wave_flavour waves = std::nullopt;
};

struct rtl_translation {
    dwc::iatu_hit hit;      // hit = false on a miss (forwarded untranslated, or DECERR)
    bool forwarded = false; // the request left on ob_m / ib_m
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
};

class rtl_iatu : public sc_core::sc_module {
public:
    rtl_iatu(sc_core::sc_module_name name, const rtl_iatu_params& p);

    rtl_island island;
    dw_iatu_model& rtl;
    tlm2apb_bridge regs;
    tlm2axi_bridge ob_in, ib_in;
    axi2tlm_bridge ob_out, ib_out;
    apb_checker apb_check;
    axi_checker ob_s_check, ob_m_check, ib_s_check, ib_m_check;
    tlm_utils::simple_initiator_socket<rtl_iatu> regs_init, ob_init, ib_init;

    // Helpers for an SC_THREAD: one APB transfer / one single-byte read through the iATU.
    std::uint32_t read_reg(std::uint32_t offset, tlm::tlm_response_status* status = nullptr);
    tlm::tlm_response_status write_reg(std::uint32_t offset, std::uint32_t value);
    rtl_translation translate_outbound(std::uint64_t axi_addr);
    rtl_translation translate_inbound(std::uint64_t pci_addr, int bar, unsigned bar_size_log2,
                                      unsigned function,
                                      unsigned tlp_type = dwc::iatu_reg::type_mem);

    const iatu_geometry& geometry() const { return p_.geometry; }
    std::uint64_t protocol_handshakes() const;

private:
    rtl_translation translate(tlm2axi_bridge& in, bool& seen, axi_request& last, std::uint64_t addr,
                              std::uint32_t user);
    rtl_iatu_params p_;
    bool ob_seen_ = false, ib_seen_ = false;
    axi_request ob_last_, ib_last_;
};

} // namespace epvp::rtl

// Test helper: plain variables for every pin of a 64-bit AXI4 port with AxCACHE/AxPROT/AxQOS/
// AxREGION,
// and the axi_port view of them, for tests that put two bridges face to face or drive the pins
// of a checker by hand (no Verilated block in between).
#pragma once

#include "rtl-bridge/axi_pins.h"

#include <cstdint>
#include <string>

namespace epvp::rtl::test {

// Storage for every pin of a 64-bit AXI4 port with memory attributes, and its view.
struct pin_storage {
    std::uint8_t s_awid = 0, s_awlen = 0, s_awsize = 0, s_awburst = 0, s_awvalid = 0;
    std::uint8_t s_awready = 0, s_awcache = 0, s_awprot = 0, s_awqos = 0, s_awregion = 0;
    std::uint64_t s_awaddr = 0, s_wdata = 0, s_araddr = 0, s_rdata = 0;
    std::uint8_t s_wstrb = 0, s_wlast = 0, s_wvalid = 0, s_wready = 0;
    std::uint8_t s_bid = 0, s_bresp = 0, s_bvalid = 0, s_bready = 0;
    std::uint8_t s_arid = 0, s_arlen = 0, s_arsize = 0, s_arburst = 0, s_arvalid = 0;
    std::uint8_t s_arready = 0, s_arcache = 0, s_arprot = 0, s_arqos = 0, s_arregion = 0;
    std::uint8_t s_rid = 0, s_rresp = 0, s_rlast = 0, s_rvalid = 0, s_rready = 0;
    axi_port port;
    explicit pin_storage(const std::string& name) {
        port.name = name;
        port.id_bits = 4;
        EPVP_AXI_PORT_COMMON(port, *this, s);
        EPVP_AXI_PORT_ATTRS(port, *this, s);
        EPVP_AXI_PORT_REGION(port, *this, s);
    }
};

} // namespace epvp::rtl::test

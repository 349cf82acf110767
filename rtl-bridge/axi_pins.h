// Pin views of a Verilated block's AXI4 and APB4 ports: pointers to the model's port variables,
// so that bridges and checkers work on any Verilated block whatever its port prefix.
//
// Models: an AXI4 port with a 64-bit address, a 64-bit data bus, IDs of up to 8 bits and
// optional 32-bit AxUSER, optional AxCACHE/AxPROT/AxQOS and optional AxREGION (Verilator's C++
// types: 1..8-bit ports are uint8_t, 17..32-bit ports uint32_t, 33..64-bit ports uint64_t); an APB4
// port with up to 32 address bits. The direction (which side drives which pin) is decided by
// whoever uses the view. Does not model: AxLOCK, WUSER/BUSER/RUSER, wider data buses. SystemC-free.
#pragma once

#include <cstdint>
#include <string>

namespace epvp::rtl {

constexpr unsigned axi_bus_bytes = 8; // every co-simulated AXI port here is 64 bits wide

struct axi_port {
    std::string name; // for messages: "iatu.ob_s"
    unsigned id_bits = 4;
    // AW
    std::uint8_t* awid = nullptr;
    std::uint64_t* awaddr = nullptr;
    std::uint8_t* awlen = nullptr;
    std::uint8_t* awsize = nullptr;
    std::uint8_t* awburst = nullptr;
    std::uint32_t* awuser = nullptr; // optional
    std::uint8_t* awcache = nullptr; // optional, with awprot and awqos
    std::uint8_t* awprot = nullptr;
    std::uint8_t* awqos = nullptr;
    std::uint8_t* awregion = nullptr; // optional
    std::uint8_t* awvalid = nullptr;
    std::uint8_t* awready = nullptr;
    // W
    std::uint64_t* wdata = nullptr;
    std::uint8_t* wstrb = nullptr;
    std::uint8_t* wlast = nullptr;
    std::uint8_t* wvalid = nullptr;
    std::uint8_t* wready = nullptr;
    // B
    std::uint8_t* bid = nullptr;
    std::uint8_t* bresp = nullptr;
    std::uint8_t* bvalid = nullptr;
    std::uint8_t* bready = nullptr;
    // AR
    std::uint8_t* arid = nullptr;
    std::uint64_t* araddr = nullptr;
    std::uint8_t* arlen = nullptr;
    std::uint8_t* arsize = nullptr;
    std::uint8_t* arburst = nullptr;
    std::uint32_t* aruser = nullptr; // optional
    std::uint8_t* arcache = nullptr; // optional, with arprot and arqos
    std::uint8_t* arprot = nullptr;
    std::uint8_t* arqos = nullptr;
    std::uint8_t* arregion = nullptr; // optional
    std::uint8_t* arvalid = nullptr;
    std::uint8_t* arready = nullptr;
    // R
    std::uint8_t* rid = nullptr;
    std::uint64_t* rdata = nullptr;
    std::uint8_t* rresp = nullptr;
    std::uint8_t* rlast = nullptr;
    std::uint8_t* rvalid = nullptr;
    std::uint8_t* rready = nullptr;
};

struct apb_port {
    std::string name;
    std::uint8_t* psel = nullptr;
    std::uint8_t* penable = nullptr;
    std::uint8_t* pwrite = nullptr;
    std::uint32_t* paddr = nullptr;
    std::uint32_t* pwdata = nullptr;
    std::uint8_t* pstrb = nullptr;
    std::uint8_t* pready = nullptr;
    std::uint32_t* prdata = nullptr;
    std::uint8_t* pslverr = nullptr;
};

} // namespace epvp::rtl

// Fill an axi_port from a Verilated model's ports named <prefix>_awid, <prefix>_awaddr, ...
#define EPVP_AXI_PORT_COMMON(port, m, p)                                                           \
    do {                                                                                           \
        (port).awid = &(m).p##_awid;                                                               \
        (port).awaddr = &(m).p##_awaddr;                                                           \
        (port).awlen = &(m).p##_awlen;                                                             \
        (port).awsize = &(m).p##_awsize;                                                           \
        (port).awburst = &(m).p##_awburst;                                                         \
        (port).awvalid = &(m).p##_awvalid;                                                         \
        (port).awready = &(m).p##_awready;                                                         \
        (port).wdata = &(m).p##_wdata;                                                             \
        (port).wstrb = &(m).p##_wstrb;                                                             \
        (port).wlast = &(m).p##_wlast;                                                             \
        (port).wvalid = &(m).p##_wvalid;                                                           \
        (port).wready = &(m).p##_wready;                                                           \
        (port).bid = &(m).p##_bid;                                                                 \
        (port).bresp = &(m).p##_bresp;                                                             \
        (port).bvalid = &(m).p##_bvalid;                                                           \
        (port).bready = &(m).p##_bready;                                                           \
        (port).arid = &(m).p##_arid;                                                               \
        (port).araddr = &(m).p##_araddr;                                                           \
        (port).arlen = &(m).p##_arlen;                                                             \
        (port).arsize = &(m).p##_arsize;                                                           \
        (port).arburst = &(m).p##_arburst;                                                         \
        (port).arvalid = &(m).p##_arvalid;                                                         \
        (port).arready = &(m).p##_arready;                                                         \
        (port).rid = &(m).p##_rid;                                                                 \
        (port).rdata = &(m).p##_rdata;                                                             \
        (port).rresp = &(m).p##_rresp;                                                             \
        (port).rlast = &(m).p##_rlast;                                                             \
        (port).rvalid = &(m).p##_rvalid;                                                           \
        (port).rready = &(m).p##_rready;                                                           \
    } while (0)

#define EPVP_AXI_PORT_USER(port, m, p)                                                             \
    do {                                                                                           \
        EPVP_AXI_PORT_COMMON(port, m, p);                                                          \
        (port).awuser = &(m).p##_awuser;                                                           \
        (port).aruser = &(m).p##_aruser;                                                           \
    } while (0)

#define EPVP_AXI_PORT_ATTRS(port, m, p)                                                            \
    do {                                                                                           \
        (port).awcache = &(m).p##_awcache;                                                         \
        (port).awprot = &(m).p##_awprot;                                                           \
        (port).awqos = &(m).p##_awqos;                                                             \
        (port).arcache = &(m).p##_arcache;                                                         \
        (port).arprot = &(m).p##_arprot;                                                           \
        (port).arqos = &(m).p##_arqos;                                                             \
    } while (0)

#define EPVP_AXI_PORT_REGION(port, m, p)                                                           \
    do {                                                                                           \
        (port).awregion = &(m).p##_awregion;                                                       \
        (port).arregion = &(m).p##_arregion;                                                       \
    } while (0)

#define EPVP_APB_PORT(port, m)                                                                     \
    do {                                                                                           \
        (port).psel = &(m).psel;                                                                   \
        (port).penable = &(m).penable;                                                             \
        (port).pwrite = &(m).pwrite;                                                               \
        (port).paddr = &(m).paddr;                                                                 \
        (port).pwdata = &(m).pwdata;                                                               \
        (port).pstrb = &(m).pstrb;                                                                 \
        (port).pready = &(m).pready;                                                               \
        (port).prdata = &(m).prdata;                                                               \
        (port).pslverr = &(m).pslverr;                                                             \
    } while (0)

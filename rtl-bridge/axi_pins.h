// Pin views of a Verilated block's AXI4 and APB4 ports: handles on the model's port variables with
// the widths the block was built with, so that bridges and checkers work on any Verilated block
// whatever its port prefix and bus widths.
//
// Models: an AXI4 port of data_bits 8..1024 (a power of two; 32, 64, 128, 256 and 512 are
// exercised against axi_sram), addr_bits 1..64, id_bits 0..32 (0: no ID pins) and AxUSER of 1..64
// bits (optional), optional AxCACHE/AxPROT/AxQOS and optional AxREGION; an APB4 port of 8, 16 or
// 32 data bits and 1..32 address bits. A pin is any of Verilator's C++ port types: 1..8 bits
// uint8_t, 9..16 uint16_t, 17..32 uint32_t, 33..64 uint64_t, wider VlWide<N> (N 32-bit words,
// least significant first); validate() checks that every bound pin has the type its declared width
// gets from Verilator, so a view that does not match the block is named at construction rather
// than read past its end. An unbound (optional) pin reads 0 and ignores writes. The direction
// (which side drives which pin) is decided by whoever uses the view.
// Does not model: AxLOCK, WUSER/BUSER/RUSER, addresses beyond 64 bits.
// SystemC-free, Verilator-free.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace epvp::rtl {

// The data width of the project's own AXI blocks (dw_iatu; axi_sram's default build).
constexpr unsigned axi_bus_bytes = 8;
constexpr unsigned axi_max_data_bytes = 128; // AxSIZE 0b111: 1024-bit buses
constexpr unsigned axi_max_strobe_bytes = axi_max_data_bytes / 8;

// One beat of a data bus and its strobes: byte lane i at index i; strobe bit i is bit i % 8 of
// byte i / 8.
using axi_lanes = std::array<std::uint8_t, axi_max_data_bytes>;
using axi_strobes = std::array<std::uint8_t, axi_max_strobe_bytes>;

// The bytes of Verilator's C++ type for a port of `bits` bits.
constexpr unsigned verilated_storage_bytes(unsigned bits) {
    return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : bits <= 64 ? 8 : (bits + 31) / 32 * 4;
}

// A handle on one port variable of a Verilated model (or any integer variable of a test). Like a
// pointer, a const handle still writes the variable it refers to.
class pin {
public:
    pin() = default;
    pin(std::nullptr_t) {}
    // From the address of the port variable: an unsigned integer, or a VlWide<N>. Implicit, so
    // that views are filled with `port.x = &model.p_x`.
    template <class T>
    pin(T* var) {
        if constexpr (std::is_integral_v<T>) {
            static_assert(std::is_unsigned_v<T> && sizeof(T) <= 8, "unsigned port variable");
            ptr_ = var;
            bytes_ = sizeof(T);
        } else {
            static_assert(std::is_convertible_v<T&, std::uint32_t*> && sizeof(T) % 4 == 0,
                          "a wide port is a VlWide<N> (N 32-bit words)");
            ptr_ = var ? static_cast<std::uint32_t*>(*var) : nullptr;
            bytes_ = sizeof(T);
        }
    }

    explicit operator bool() const { return ptr_ != nullptr; }
    unsigned storage_bytes() const { return bytes_; }

    // The low 64 bits of the value (0 when unbound). Inlined: bridges and checkers read dozens
    // of pins every cycle, and the call cost more than the read.
    // Tests in order of frequency, not a switch: a jump table costs an indirect branch per read.
    [[gnu::always_inline]] std::uint64_t get() const {
        if (bytes_ == 1) return *static_cast<const std::uint8_t*>(ptr_); // VALID, READY, ...
        if (bytes_ == 8) return *static_cast<const std::uint64_t*>(ptr_);
        if (bytes_ == 4) return *static_cast<const std::uint32_t*>(ptr_);
        if (bytes_ == 2) return *static_cast<const std::uint16_t*>(ptr_);
        if (bytes_ == 0) return 0;
        return word(0) | std::uint64_t(word(1)) << 32;
    }
    // Sets the value to v (truncated to the storage; the upper words of a wide pin to 0).
    [[gnu::always_inline]] void set(std::uint64_t v) const {
        switch (bytes_) {
        case 0:
            return;
        case 1:
            *static_cast<std::uint8_t*>(ptr_) = static_cast<std::uint8_t>(v);
            return;
        case 2:
            *static_cast<std::uint16_t*>(ptr_) = static_cast<std::uint16_t>(v);
            return;
        case 4:
            *static_cast<std::uint32_t*>(ptr_) = static_cast<std::uint32_t>(v);
            return;
        case 8:
            *static_cast<std::uint64_t*>(ptr_) = v;
            return;
        default:
            for (unsigned w = 0; w < bytes_ / 4; ++w)
                words()[w] = w < 2 ? static_cast<std::uint32_t>(v >> (32 * w)) : 0;
        }
    }
    // Bytes [0, n) of the value, least significant first (n <= storage_bytes()).
    void get_bytes(std::uint8_t* out, unsigned n) const {
        if (bytes_ <= 8) {
            const std::uint64_t v = get();
            for (unsigned i = 0; i < n; ++i)
                out[i] = static_cast<std::uint8_t>(v >> (8 * i));
            return;
        }
        for (unsigned i = 0; i < n; ++i)
            out[i] = static_cast<std::uint8_t>(word(i / 4) >> (8 * (i % 4)));
    }
    // Sets bytes [0, n) of the value from in, the rest to 0.
    void set_bytes(const std::uint8_t* in, unsigned n) const {
        if (bytes_ <= 8) {
            std::uint64_t v = 0;
            for (unsigned i = 0; i < n && i < 8; ++i)
                v |= std::uint64_t(in[i]) << (8 * i);
            set(v);
            return;
        }
        for (unsigned w = 0; w < bytes_ / 4; ++w) {
            std::uint32_t v = 0;
            for (unsigned k = 0; k < 4 && 4 * w + k < n; ++k)
                v |= std::uint32_t(in[4 * w + k]) << (8 * k);
            words()[w] = v;
        }
    }
    // The value as 64-bit words, least significant first, into out[0..words64()).
    unsigned words64() const { return bytes_ <= 8 ? 1 : (bytes_ + 7) / 8; }
    void get_words64(std::uint64_t* out) const {
        if (bytes_ <= 8) {
            out[0] = get();
            return;
        }
        for (unsigned w = 0; w < words64(); ++w)
            out[w] = word(2 * w) | std::uint64_t(2 * w + 1 < bytes_ / 4 ? word(2 * w + 1) : 0)
                                       << 32;
    }
    // Copies the value of a pin of the same storage.
    void copy_from(const pin& o) const {
        if (!ptr_ || !o.ptr_ || o.bytes_ != bytes_) return;
        const auto* s = static_cast<const std::uint8_t*>(o.ptr_);
        std::copy(s, s + bytes_, static_cast<std::uint8_t*>(ptr_));
    }

private:
    std::uint32_t word(unsigned w) const { return static_cast<const std::uint32_t*>(ptr_)[w]; }
    std::uint32_t* words() const { return static_cast<std::uint32_t*>(ptr_); }
    void* ptr_ = nullptr;
    unsigned bytes_ = 0;
};

// One address channel's pins (AW or AR) of an axi_port, for code that treats both alike.
struct axi_addr_pins {
    const pin &id, &addr, &len, &size, &burst, &user, &cache, &prot, &qos, &region, &valid, &ready;
};

struct axi_port {
    std::string name; // for messages: "iatu.ob_s"
    // Widths the block was built with.
    unsigned data_bits = 64;
    unsigned addr_bits = 64;
    unsigned id_bits = 4;
    unsigned user_bits = 32; // AWUSER and ARUSER, when bound
    // AW
    pin awid, awaddr, awlen, awsize, awburst;
    pin awuser;                           // optional
    pin awcache, awprot, awqos, awregion; // optional
    pin awvalid, awready;
    // W
    pin wdata, wstrb, wlast, wvalid, wready;
    // B
    pin bid, bresp, bvalid, bready;
    // AR
    pin arid, araddr, arlen, arsize, arburst;
    pin aruser;                           // optional
    pin arcache, arprot, arqos, arregion; // optional
    pin arvalid, arready;
    // R
    pin rid, rdata, rresp, rlast, rvalid, rready;

    unsigned data_bytes() const { return data_bits / 8; }
    axi_addr_pins aw() const {
        return {awid,    awaddr, awlen, awsize,   awburst, awuser,
                awcache, awprot, awqos, awregion, awvalid, awready};
    }
    axi_addr_pins ar() const {
        return {arid,    araddr, arlen, arsize,   arburst, aruser,
                arcache, arprot, arqos, arregion, arvalid, arready};
    }
    // Sets the widths (from the block's parameters).
    axi_port& widths(unsigned data, unsigned addr, unsigned id, unsigned user = 32) {
        data_bits = data;
        addr_bits = addr;
        id_bits = id;
        user_bits = user;
        return *this;
    }
    // Why the view cannot be used (a width out of range, a mandatory pin unbound, a pin whose C++
    // type does not fit its declared width), or an empty string.
    std::string validate() const;
};

struct apb_port {
    std::string name;
    unsigned data_bits = 32; // 8, 16 or 32
    unsigned addr_bits = 32; // 1..32
    pin psel, penable, pwrite, paddr, pwdata, pstrb, pready, prdata, pslverr;
    unsigned data_bytes() const { return data_bits / 8; }
    std::string validate() const;
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

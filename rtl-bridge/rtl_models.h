// The Verilated blocks of the RTL island library (rtl_island_library.h), behind rtl_model (no
// Verilator headers here), with pin views for their buses. The functions below load the library
// on first use.
//
// Models: axi_sram (64 KiB, 4-bit IDs, SLVERR at [sram_slverr_base, +sram_err_bytes), DECERR
// at [sram_decerr_base, +sram_err_bytes) and at or above 64 KiB, all offsets from its base_i
// test pin, 0 unless a test sets it; AxCACHE/AxPROT/AxQOS pins) and dw_iatu in the geometries
// listed by iatu_geometries(). Every block is verilated twice, with FST (--trace-fst) and with
// VCD (--trace) tracing: the make_* functions instantiate the flavour asked for (none asked:
// FST), and a block not yet evaluated is re-made in the other flavour when a wave file of that
// format is opened on it (its pin views and their values carry over), so waves can be chosen
// after the block was made and before it first runs. Each block gets its own VerilatedContext
// with the 1ns/1ps timescale it was verilated with.
// Does not model: blocks other than these; switching flavour after a block has run (its state
// lives in the instance); a geometry must be verilated at build time (rtl-bridge/CMakeLists.txt)
// before it can be made here.
#pragma once

#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/rtl_model.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace epvp::rtl {

// axi_sram as built (parameters given to Verilator in rtl-bridge/CMakeLists.txt).
constexpr std::uint64_t sram_bytes = 0x10000;
constexpr std::uint64_t sram_slverr_base = 0xE000;
constexpr std::uint64_t sram_decerr_base = 0xF000;
constexpr std::uint64_t sram_err_bytes = 0x800;
constexpr unsigned sram_id_bits = 4;

class axi_sram_model : public rtl_model {
public:
    axi_port port;                   // s_* pins
    std::uint8_t* stall = nullptr;   // stall_i: {ARREADY, WREADY, AWREADY} low
    std::uint8_t* reorder = nullptr; // reorder_i
    std::uint64_t* base = nullptr;   // base_i: address of storage byte 0 (0 unless set)
};

std::unique_ptr<axi_sram_model> make_axi_sram(const std::string& name, wave_flavour waves = {});

// dw_iatu geometry (Verilator parameters) and its pin views.
struct iatu_geometry {
    unsigned outbound_windows = 8;
    unsigned inbound_windows = 8;
    std::uint64_t region_align = 4096;
    std::uint64_t region_limit = 1ull << 40;
    bool miss_decerr = false; // dwc.iatu.miss_policy = ur
    std::string describe() const;
    bool operator==(const iatu_geometry& o) const {
        return outbound_windows == o.outbound_windows && inbound_windows == o.inbound_windows &&
               region_align == o.region_align && region_limit == o.region_limit &&
               miss_decerr == o.miss_decerr;
    }
};
std::vector<iatu_geometry> iatu_geometries();

constexpr unsigned iatu_id_bits = 4;
constexpr unsigned iatu_paddr_bits = 19; // the unrolled iATU space (0x80000 bytes)

class dw_iatu_model : public rtl_model {
public:
    apb_port apb;
    axi_port ob_s, ob_m, ib_s, ib_m;
};
// Throws std::invalid_argument listing the built geometries when g was not built.
std::unique_ptr<dw_iatu_model> make_dw_iatu(const std::string& name, const iatu_geometry& g,
                                            wave_flavour waves = {});

} // namespace epvp::rtl

// The project's blocks behind rtl_model, through the SDK's adapter (verilated_block.h), and the
// entry point of the RTL island library that holds them (rtl_island_library.h). Compiled
// with the generated headers, which come before anything that pulls in SystemC (see there).
// Each block exists as two generated classes, <name>_fst (--trace-fst) and <name>_vcd (--trace),
// with the same ports: one of them is instantiated at a time. Clock `clk`, active-low `rst_n`.
#include "rtl-bridge/verilated_block.h"
#include <Vaxi_sram_fst.h>
#include <Vaxi_sram_vcd.h>
#include <Vdw_iatu_ob4_ib2_fst.h>
#include <Vdw_iatu_ob4_ib2_vcd.h>
#include <Vdw_iatu_ob8_ib8_fst.h>
#include <Vdw_iatu_ob8_ib8_vcd.h>

#include "rtl-bridge/rtl_island_library.h"

#include <string>
#include <utility>
#include <vector>

namespace epvp::rtl {

namespace {

using waves::trace_format;

class sram_impl : public verilated_block<Vaxi_sram_fst, Vaxi_sram_vcd, axi_sram_model> {
public:
    sram_impl(const std::string& name, wave_flavour waves)
        : verilated_block(name) {
        port.name = name + ".s";
        port.widths(64, 64, sram_id_bits);
        make(waves.value_or(trace_format::fst));
    }

private:
    void bind(Vaxi_sram_fst& m) override { bind_pins(m); }
    void bind(Vaxi_sram_vcd& m) override { bind_pins(m); }
    pin_views views() override { return {{&port}, {}, {&stall, &reorder}, {&base}}; }
    template <class V>
    void bind_pins(V& m) {
        bind_clock(&m.clk);
        bind_reset(&m.rst_n, false);
        EPVP_AXI_PORT_COMMON(port, m, s);
        EPVP_AXI_PORT_ATTRS(port, m, s);
        stall = &m.stall_i;
        reorder = &m.reorder_i;
        base = &m.base_i;
    }
};

template <class Fst, class Vcd>
class iatu_impl : public verilated_block<Fst, Vcd, dw_iatu_model> {
public:
    iatu_impl(const std::string& name, wave_flavour waves)
        : verilated_block<Fst, Vcd, dw_iatu_model>(name) {
        this->apb.name = name + ".apb";
        this->ob_s.name = name + ".ob_s";
        this->ob_m.name = name + ".ob_m";
        this->ib_s.name = name + ".ib_s";
        this->ib_m.name = name + ".ib_m";
        for (axi_port* p : {&this->ob_s, &this->ob_m, &this->ib_s, &this->ib_m})
            p->id_bits = iatu_id_bits;
        this->make(waves.value_or(trace_format::fst));
    }

private:
    void bind(Fst& m) override { bind_pins(m); }
    void bind(Vcd& m) override { bind_pins(m); }
    pin_views views() override {
        return {{&this->ob_s, &this->ob_m, &this->ib_s, &this->ib_m}, {&this->apb}, {}, {}};
    }
    template <class V>
    void bind_pins(V& m) {
        this->bind_clock(&m.clk);
        this->bind_reset(&m.rst_n, false);
        EPVP_APB_PORT(this->apb, m);
        EPVP_AXI_PORT_COMMON(this->ob_s, m, ob_s);
        EPVP_AXI_PORT_USER(this->ob_m, m, ob_m);
        EPVP_AXI_PORT_USER(this->ib_s, m, ib_s);
        EPVP_AXI_PORT_USER(this->ib_m, m, ib_m);
    }
};

// Must match the verilate() calls in rtl-bridge/CMakeLists.txt.
const iatu_geometry geometry_ob8_ib8{8, 8, 4096, 1ull << 40, false};
const iatu_geometry geometry_ob4_ib2{4, 2, 65536, 1ull << 40, true};

axi_sram_model* new_axi_sram(const std::string& name, wave_flavour waves) {
    return new sram_impl(name, waves);
}

dw_iatu_model* new_dw_iatu(const std::string& name, const iatu_geometry& g, wave_flavour waves) {
    if (g == geometry_ob8_ib8)
        return new iatu_impl<Vdw_iatu_ob8_ib8_fst, Vdw_iatu_ob8_ib8_vcd>(name, waves);
    if (g == geometry_ob4_ib2)
        return new iatu_impl<Vdw_iatu_ob4_ib2_fst, Vdw_iatu_ob4_ib2_vcd>(name, waves);
    return nullptr;
}

std::vector<iatu_geometry> built_geometries() {
    return {geometry_ob8_ib8, geometry_ob4_ib2};
}

constexpr island_api api{island_api_version, new_axi_sram, new_dw_iatu, built_geometries};

} // namespace

} // namespace epvp::rtl

extern "C" __attribute__((visibility("default"))) const epvp::rtl::island_api*
epvp_rtl_island_entry() {
    return &epvp::rtl::api;
}

// Adapters from the Verilated classes to rtl_model. Compiled with the generated headers.
// Verilator's headers come before anything that pulls in SystemC: with SystemC visible they
// take their time from sc_time_stamp() (the --sc flavour), which these --cc models do not use.
#include <Vaxi_sram.h>
#include <Vdw_iatu_ob4_ib2.h>
#include <Vdw_iatu_ob8_ib8.h>
#include <verilated.h>

#include "rtl_trace.h"

#include "rtl_models.h"

#include <sstream>
#include <stdexcept>

namespace epvp::rtl {

namespace {

// Owns a context and a model whose clock is `clk` and whose reset is active-low `rst_n`.
template <class V, class Base>
class verilated : public Base {
public:
    explicit verilated(const std::string& name)
        : name_(name) {
        ctx_.traceEverOn(true);
        m_ = std::make_unique<V>(&ctx_, name_.c_str());
    }
    ~verilated() override { close_waves(); }
    V& top() { return *m_; }
    const char* name() const override { return name_.c_str(); }
    void set_clock(bool level) override { m_->clk = level; }
    void set_reset(bool asserted) override { m_->rst_n = !asserted; }
    void eval() override { m_->eval(); }
    void open_waves(const std::string& file) override {
        close_waves();
        trace_ = std::make_unique<waves::rtl_trace>(file);
        trace_->open(*m_);
    }
    void dump_waves(std::uint64_t time_ps) override {
        if (trace_) trace_->dump(time_ps);
    }
    void close_waves() override { trace_.reset(); }
    void final() override { m_->final(); }

private:
    std::string name_;
    VerilatedContext ctx_;
    std::unique_ptr<V> m_;
    std::unique_ptr<waves::rtl_trace> trace_;
};

class sram_impl : public verilated<Vaxi_sram, axi_sram_model> {
public:
    explicit sram_impl(const std::string& name)
        : verilated(name) {
        auto& m = top();
        port.name = name + ".s";
        port.id_bits = sram_id_bits;
        EPVP_AXI_PORT_COMMON(port, m, s);
        stall = &m.stall_i;
        reorder = &m.reorder_i;
    }
};

template <class V>
class iatu_impl : public verilated<V, dw_iatu_model> {
public:
    explicit iatu_impl(const std::string& name)
        : verilated<V, dw_iatu_model>(name) {
        auto& m = this->top();
        this->apb.name = name + ".apb";
        EPVP_APB_PORT(this->apb, m);
        this->ob_s.name = name + ".ob_s";
        this->ob_m.name = name + ".ob_m";
        this->ib_s.name = name + ".ib_s";
        this->ib_m.name = name + ".ib_m";
        EPVP_AXI_PORT_COMMON(this->ob_s, m, ob_s);
        EPVP_AXI_PORT_USER(this->ob_m, m, ob_m);
        EPVP_AXI_PORT_USER(this->ib_s, m, ib_s);
        EPVP_AXI_PORT_USER(this->ib_m, m, ib_m);
        for (axi_port* p : {&this->ob_s, &this->ob_m, &this->ib_s, &this->ib_m})
            p->id_bits = iatu_id_bits;
    }
};

// Must match the verilate() calls in rtl-bridge/CMakeLists.txt.
const iatu_geometry geometry_ob8_ib8{8, 8, 4096, 1ull << 40, false};
const iatu_geometry geometry_ob4_ib2{4, 2, 65536, 1ull << 40, true};

} // namespace

std::string iatu_geometry::describe() const {
    std::ostringstream os;
    os << outbound_windows << " outbound / " << inbound_windows << " inbound windows, align "
       << region_align / 1024 << " KiB, region limit 2^" <<
        [this] {
            unsigned n = 0;
            while ((1ull << n) < region_limit && n < 63)
                ++n;
            return n;
        }()
       << ", miss " << (miss_decerr ? "DECERR" : "passthrough");
    return os.str();
}

std::vector<iatu_geometry> iatu_geometries() {
    return {geometry_ob8_ib8, geometry_ob4_ib2};
}

std::unique_ptr<axi_sram_model> make_axi_sram(const std::string& name) {
    return std::make_unique<sram_impl>(name);
}

std::unique_ptr<dw_iatu_model> make_dw_iatu(const std::string& name, const iatu_geometry& g) {
    if (g == geometry_ob8_ib8) return std::make_unique<iatu_impl<Vdw_iatu_ob8_ib8>>(name);
    if (g == geometry_ob4_ib2) return std::make_unique<iatu_impl<Vdw_iatu_ob4_ib2>>(name);
    std::string built;
    for (const auto& b : iatu_geometries())
        built += "\n  " + b.describe();
    throw std::invalid_argument("dw_iatu '" + name + "': geometry (" + g.describe() +
                                ") was not verilated; built geometries:" + built);
}

} // namespace epvp::rtl

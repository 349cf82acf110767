// Adapters from the Verilated classes to rtl_model. Compiled with the generated headers.
// Verilator's headers come before anything that pulls in SystemC: with SystemC visible they
// take their time from sc_time_stamp() (the --sc flavour), which these --cc models do not use.
// Each block exists as two generated classes, <name>_fst (--trace-fst) and <name>_vcd (--trace),
// with the same ports: one of them is instantiated at a time.
#include <Vaxi_sram_fst.h>
#include <Vaxi_sram_vcd.h>
#include <Vdw_iatu_ob4_ib2_fst.h>
#include <Vdw_iatu_ob4_ib2_vcd.h>
#include <Vdw_iatu_ob8_ib8_fst.h>
#include <Vdw_iatu_ob8_ib8_vcd.h>
#include <verilated.h>

#include "waves/rtl_trace.h"

#include "rtl-bridge/rtl_models.h"

#include <sstream>
#include <stdexcept>
#include <utility>

namespace epvp::rtl {

namespace {

using waves::trace_format;

// Every pin of a view, for copying values between two instances of the same block.
// clang-format off
#define EPVP_AXI_PINS(X)                                                                           \
    X(awid) X(awaddr) X(awlen) X(awsize) X(awburst) X(awuser) X(awvalid) X(awready)                \
    X(awcache) X(awprot) X(awqos) X(awregion) X(arcache) X(arprot) X(arqos) X(arregion)            \
    X(wdata) X(wstrb) X(wlast) X(wvalid) X(wready)                                                 \
    X(bid) X(bresp) X(bvalid) X(bready)                                                            \
    X(arid) X(araddr) X(arlen) X(arsize) X(arburst) X(aruser) X(arvalid) X(arready)                \
    X(rid) X(rdata) X(rresp) X(rlast) X(rvalid) X(rready)
#define EPVP_APB_PINS(X)                                                                           \
    X(psel) X(penable) X(pwrite) X(paddr) X(pwdata) X(pstrb) X(pready) X(prdata) X(pslverr)
// clang-format on
#define EPVP_COPY_PIN(f) to.f.copy_from(from.f);

void copy_pins(const axi_port& from, const axi_port& to) {
    EPVP_AXI_PINS(EPVP_COPY_PIN)
}
void copy_pins(const apb_port& from, const apb_port& to) {
    EPVP_APB_PINS(EPVP_COPY_PIN)
}

// The pin views a block's adapter fills (pointers into the instance in use).
struct pin_views {
    std::vector<axi_port*> axi;
    std::vector<apb_port*> apb;
    std::vector<std::uint8_t**> bits;   // single test pins (axi_sram's stall_i, reorder_i)
    std::vector<std::uint64_t**> words; // wide test pins (axi_sram's base_i)
};

// Owns a context and one instance of a block, in the flavour Fst (--trace-fst) or Vcd
// (--trace); the block's clock is `clk` and its reset active-low `rst_n`. Derived classes fill
// their pin views in bind() for either class.
template <class Fst, class Vcd, class Base>
class verilated : public Base {
public:
    ~verilated() override { close_waves(); }
    const char* name() const override { return name_.c_str(); }
    void set_clock(bool level) override {
        clk_ = level;
        visit([level](auto& m) { m.clk = level; });
    }
    void set_reset(bool asserted) override {
        reset_ = asserted;
        visit([asserted](auto& m) { m.rst_n = !asserted; });
    }
    void eval() override {
        evaluated_ = true;
        visit([](auto& m) { m.eval(); });
    }
    void open_waves(const std::string& file) override {
        const trace_format want = waves::trace_format_for(file);
        if (want != format_) {
            if (evaluated_)
                throw std::invalid_argument(
                    "wave file '" + file + "': block '" + name_ + "' has already run as its " +
                    waves::to_string(format_) + " build; " + waves::to_string(want) +
                    " waves must be opened before it first runs");
            make(want);
        }
        close_waves();
        auto t = std::make_unique<waves::rtl_trace>(file);
        visit([&t](auto& m) { t->open(m); });
        trace_ = std::move(t);
    }
    void dump_waves(std::uint64_t time_ps) override {
        if (trace_) trace_->dump(time_ps);
    }
    void close_waves() override { trace_.reset(); }
    void final() override {
        visit([](auto& m) { m.final(); });
    }
    trace_format wave_format() const override { return format_; }

protected:
    explicit verilated(std::string name)
        : name_(std::move(name)) {}
    virtual void bind(Fst& m) = 0;
    virtual void bind(Vcd& m) = 0;
    virtual pin_views views() = 0;

    // Instantiate the block in flavour f (from the derived constructor, and from open_waves
    // before the first evaluation): the pin views move to the new instance with their values.
    void make(trace_format f) {
        auto ctx = std::make_unique<VerilatedContext>();
        ctx->traceEverOn(true);
        const bool had = fst_ || vcd_;
        const pin_views v = views();
        std::vector<axi_port> old_axi;
        std::vector<apb_port> old_apb;
        std::vector<std::uint8_t*> old_bits;
        std::vector<std::uint64_t*> old_words;
        for (const axi_port* p : v.axi)
            old_axi.push_back(*p);
        for (const apb_port* p : v.apb)
            old_apb.push_back(*p);
        for (std::uint8_t** b : v.bits)
            old_bits.push_back(*b);
        for (std::uint64_t** w : v.words)
            old_words.push_back(*w);
        std::unique_ptr<Fst> fst;
        std::unique_ptr<Vcd> vcd;
        if (f == trace_format::fst) {
            fst = std::make_unique<Fst>(ctx.get(), name_.c_str());
            bind(*fst);
        } else {
            vcd = std::make_unique<Vcd>(ctx.get(), name_.c_str());
            bind(*vcd);
        }
        if (had) {
            for (std::size_t i = 0; i < v.axi.size(); ++i)
                copy_pins(old_axi[i], *v.axi[i]);
            for (std::size_t i = 0; i < v.apb.size(); ++i)
                copy_pins(old_apb[i], *v.apb[i]);
            for (std::size_t i = 0; i < v.bits.size(); ++i)
                if (old_bits[i] && *v.bits[i]) **v.bits[i] = *old_bits[i];
            for (std::size_t i = 0; i < v.words.size(); ++i)
                if (old_words[i] && *v.words[i]) **v.words[i] = *old_words[i];
        }
        close_waves();
        fst_ = std::move(fst);
        vcd_ = std::move(vcd);
        ctx_ = std::move(ctx); // after the old instance, which used the old context
        format_ = f;
        set_clock(clk_);
        set_reset(reset_);
    }

private:
    template <class F>
    void visit(F&& f) {
        if (fst_)
            f(*fst_);
        else
            f(*vcd_);
    }

    std::string name_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Fst> fst_;
    std::unique_ptr<Vcd> vcd_;
    std::unique_ptr<waves::rtl_trace> trace_;
    trace_format format_ = trace_format::fst;
    bool evaluated_ = false;
    bool clk_ = false;
    bool reset_ = false;
};

class sram_impl : public verilated<Vaxi_sram_fst, Vaxi_sram_vcd, axi_sram_model> {
public:
    sram_impl(const std::string& name, wave_flavour waves)
        : verilated(name) {
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
        EPVP_AXI_PORT_COMMON(port, m, s);
        EPVP_AXI_PORT_ATTRS(port, m, s);
        stall = &m.stall_i;
        reorder = &m.reorder_i;
        base = &m.base_i;
    }
};

template <class Fst, class Vcd>
class iatu_impl : public verilated<Fst, Vcd, dw_iatu_model> {
public:
    iatu_impl(const std::string& name, wave_flavour waves)
        : verilated<Fst, Vcd, dw_iatu_model>(name) {
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

std::unique_ptr<axi_sram_model> make_axi_sram(const std::string& name, wave_flavour waves) {
    return std::make_unique<sram_impl>(name, waves);
}

std::unique_ptr<dw_iatu_model> make_dw_iatu(const std::string& name, const iatu_geometry& g,
                                            wave_flavour waves) {
    if (g == geometry_ob8_ib8)
        return std::make_unique<iatu_impl<Vdw_iatu_ob8_ib8_fst, Vdw_iatu_ob8_ib8_vcd>>(name, waves);
    if (g == geometry_ob4_ib2)
        return std::make_unique<iatu_impl<Vdw_iatu_ob4_ib2_fst, Vdw_iatu_ob4_ib2_vcd>>(name, waves);
    std::string built;
    for (const auto& b : iatu_geometries())
        built += "\n  " + b.describe();
    throw std::invalid_argument("dw_iatu '" + name + "': geometry (" + g.describe() +
                                ") was not verilated; built geometries:" + built);
}

} // namespace epvp::rtl

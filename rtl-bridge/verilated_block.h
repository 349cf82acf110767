// The adapter from a Verilated class to rtl_model (rtl_model.h): part of the installed SDK, used
// by the project's own blocks (rtl_models.cc) and by a user's block (epvp_add_rtl_block generates
// a small source that instantiates it for the user's Verilated classes).
//
// Models: a block verilated twice, as Fst (--trace-fst) and Vcd (--trace), with the same ports;
// one of the two is instantiated at a time, in its own VerilatedContext. Its clock and reset are
// any 1-bit inputs, named by the derived class in bind() (bind_clock, bind_reset with the reset's
// polarity). A block not yet evaluated is re-made in the other flavour when a wave file of that
// format is opened on it; its pin views (pin_views()) move to the new instance with their values.
// Does not model: switching flavour after the block has run (its state lives in the instance),
// blocks with several clocks.
// Include order: Verilator's headers (the generated classes) before anything that pulls in
// SystemC, so that they take their time from the context (--cc), not sc_time_stamp().
#pragma once

#include <verilated.h>

#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/rtl_model.h"
#include "waves/rtl_trace.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace epvp::rtl {

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

inline void copy_pins(const axi_port& from, const axi_port& to) {
    EPVP_AXI_PINS(EPVP_COPY_PIN)
}
inline void copy_pins(const apb_port& from, const apb_port& to) {
    EPVP_APB_PINS(EPVP_COPY_PIN)
}

// The pin views a block's adapter fills (pointers into the instance in use).
struct pin_views {
    std::vector<axi_port*> axi;
    std::vector<apb_port*> apb;
    std::vector<std::uint8_t**> bits;   // single test pins (axi_sram's stall_i, reorder_i)
    std::vector<std::uint64_t**> words; // wide test pins (axi_sram's base_i)
};

// Owns a context and one instance of a block, in the flavour Fst or Vcd. Derived classes name
// the clock and reset and fill their pin views in bind() for either class, and call make() from
// their constructor.
template <class Fst, class Vcd, class Base>
class verilated_block : public Base {
public:
    ~verilated_block() override { close_waves(); }
    const char* name() const override { return name_.c_str(); }
    void set_clock(bool level) override {
        clk_ = level;
        clock_pin_.set(level);
    }
    void set_reset(bool asserted) override {
        reset_ = asserted;
        reset_pin_.set(asserted == reset_active_high_);
    }
    void eval() override {
        evaluated_ = true;
        visit([](auto& m) { m.eval(); });
    }
    void open_waves(const std::string& file) override {
        const waves::trace_format want = waves::trace_format_for(file);
        if (want != format_) {
            if (evaluated_)
                throw std::invalid_argument(
                    "wave file '" + file + "': block '" + name_ + "' has already run as its " +
                    waves::to_string(format_) + " build; " + waves::to_string(want) +
                    " waves must be opened before it first runs");
            make(want);
        }
        close_waves();
        // A trace takes its time unit from the thread's current Verilator context, which is the
        // one constructed last, maybe another block's, since destroyed: make it this block's.
        Verilated::threadContextp(ctx_.get());
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
    waves::trace_format wave_format() const override { return format_; }

protected:
    explicit verilated_block(std::string name)
        : name_(std::move(name)) {}
    virtual void bind(Fst& m) = 0;
    virtual void bind(Vcd& m) = 0;
    virtual pin_views views() = 0;

    // From bind(): the clock input, and the reset input with its polarity.
    void bind_clock(pin clock) { clock_pin_ = clock; }
    void bind_reset(pin reset, bool active_high) {
        reset_pin_ = reset;
        reset_active_high_ = active_high;
    }

    // Instantiate the block in flavour f (from the derived constructor, and from open_waves
    // before the first evaluation): the pin views move to the new instance with their values.
    void make(waves::trace_format f) {
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
        if (f == waves::trace_format::fst) {
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
    waves::trace_format format_ = waves::trace_format::fst;
    pin clock_pin_, reset_pin_;
    bool reset_active_high_ = false;
    bool evaluated_ = false;
    bool clk_ = false;
    bool reset_ = false;
};

} // namespace epvp::rtl

// A Verilated block as an RTL island (rtl_island.h) sees it: clock, reset, evaluation and waves,
// behind an interface that needs neither Verilator nor SystemC headers. rtl_models.cc implements
// it for the project's own blocks, rtl-bridge/verilated_block.h for any Verilated class (the
// adapter a user's block gets from epvp_add_rtl_block).
// Models: a block with one clock and one reset input. Does not model: several clocks, X/Z.
#pragma once

#include "waves/trace_format.h"

#include <cstdint>
#include <optional>
#include <string>

namespace epvp::rtl {

class rtl_model {
public:
    virtual ~rtl_model() = default;
    virtual const char* name() const = 0;
    virtual void set_clock(bool level) = 0;
    // asserted: reset active, whatever the pin's polarity.
    virtual void set_reset(bool asserted) = 0;
    virtual void eval() = 0;
    // Waves: open a file (".fst" or ".vcd"), dump at a time in picoseconds, close. A block is
    // built in both trace flavours and instantiated in one (wave_format()); a file of the other
    // format re-makes it in that flavour as long as it has not been evaluated yet (pin views
    // stay valid), and is refused (std::invalid_argument naming the file) once it has.
    virtual void open_waves(const std::string& file) = 0;
    virtual waves::trace_format wave_format() const = 0;
    virtual void dump_waves(std::uint64_t time_ps) = 0;
    virtual void close_waves() = 0;
    virtual void final() = 0;
};

// The trace flavour to instantiate a block in; nullopt: either (FST is made).
using wave_flavour = std::optional<waves::trace_format>;

} // namespace epvp::rtl

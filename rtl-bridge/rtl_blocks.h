// Verilated AXI4 subordinate blocks registered by name: a plugin built with epvp_add_rtl_block
// registers its block here when epsim loads it, and the endpoint SoC places registered blocks
// on its interconnect (soc.rtl_slaves, rtl_axi_slave.h).
//
// Models: a registry of factories, each making one instance of a block (with its AXI port view
// filled and its widths set) in the trace flavour asked for. Does not model: blocks with more
// than one bus port, AXI managers (a block that starts transactions), APB blocks.
// SystemC-free and Verilator-free (a plugin includes it beside its generated classes).
#pragma once

#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/rtl_model.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace epvp::rtl {

// A block whose one AXI4 subordinate port is `port` (pins bound, widths set).
class axi_slave_block : public rtl_model {
public:
    axi_port port;
};

// Makes an instance named `instance` (its hierarchy name in waves).
using axi_slave_factory =
    std::function<std::unique_ptr<axi_slave_block>(const std::string& instance, wave_flavour)>;

// Throws std::invalid_argument (naming the block) for an empty name, a name not made of letters,
// digits and _, or one already registered.
void register_axi_slave(const std::string& name, axi_slave_factory make);
// Null when no block of that name is registered.
const axi_slave_factory* find_axi_slave(const std::string& name);
// Registered names, sorted.
std::vector<std::string> axi_slave_names();

} // namespace epvp::rtl

// The name a module instance goes by in log lines and trace tracks: its hierarchical name below
// the top-level module, so that two endpoint SoCs' controllers are "client.dwc" and
// "provider.dwc" (platform.client.dwc), and a platform-level block is just "rc" (platform.rc).
// A module built on its own (a unit test's "dut") is its own name.
#pragma once

#include <string>
#include <systemc>

namespace epvp {

inline std::string instance_name(const sc_core::sc_object& o) {
    const std::string n = o.name();
    const auto dot = n.find('.');
    return dot == std::string::npos ? n : n.substr(dot + 1);
}

} // namespace epvp

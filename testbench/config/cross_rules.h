// The cross-key rules and derived values of the platform configuration. Internal to config/.
#pragma once

#include "testbench/config/config.h"

namespace epvp::cfg {

// Fills the values derived from others (dwc.version_number, a 0 board.aperture.page_size or
// mc.irq_window.base) and checks the rules between keys; config_error names the first key broken.
void derive_and_check(platform_config& p);

// sim.link_timing = burst with more than one endpoint or a switch (after the topology is read).
void check_burst_topology(const platform_config& p);

} // namespace epvp::cfg

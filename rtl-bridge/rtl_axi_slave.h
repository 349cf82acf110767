// A registered RTL block (rtl_blocks.h) as a TLM target: its own rtl_island (clock and reset
// inside the island only), the TLM->AXI4 bridge driving the block's AXI subordinate port, and an
// AXI4 checker watching it. The endpoint SoC puts one on its interconnect per soc.rtl_slaves
// entry; the target sees offsets from the start of its range (address 0 = the block's 0).
//
// Models: reads and writes through the bridge (bridge and checker: see their headers), counted
// (transactions, bytes) at the socket; the checker's handshakes per channel. Waves: the block's
// FST or VCD dump. A protocol violation by the block ends the run (the checker's default).
// Does not model: DMI and debug transport (refused: 0 bytes), clock domain crossing costs (the
// island keeps its own time, see rtl_island.h).
#pragma once

#include "rtl-bridge/axi_checker.h"
#include "rtl-bridge/rtl_blocks.h"
#include "rtl-bridge/rtl_island.h"
#include "rtl-bridge/tlm2axi_bridge.h"

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::rtl {

struct rtl_axi_slave_stats {
    std::uint64_t reads = 0, writes = 0;
    std::uint64_t bytes_read = 0, bytes_written = 0;
    std::uint64_t cycles = 0; // RTL clock cycles run
    axi_checker::channel_counts handshakes;
};

class rtl_axi_slave : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<rtl_axi_slave> socket;

    // block: the registered name (for the report); make: its factory.
    rtl_axi_slave(sc_core::sc_module_name name, const std::string& block,
                  const axi_slave_factory& make, sc_core::sc_time clock_period);

    const std::string& block() const { return block_name_; }
    // The block's wave file (".fst" or ".vcd"); before the block first runs (see rtl_model.h).
    void open_waves(const std::string& file) { island_.open_waves(file); }
    void close_waves() { island_.close_waves(); }
    rtl_axi_slave_stats stats() const;

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    std::string block_name_;
    rtl_island island_;
    axi_slave_block* model_;
    tlm2axi_bridge bridge_;
    axi_checker checker_;
    tlm_utils::simple_initiator_socket<rtl_axi_slave> to_bridge_; // -> bridge_.socket
    rtl_axi_slave_stats counts_;
};

} // namespace epvp::rtl

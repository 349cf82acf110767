// Memory controller and DRAM of the endpoint SoC (first cut).
//
// Models: sparse DRAM of the configured size (pages allocated on first write), a fixed access
// latency from config (dram.latency_ns) per transaction, byte enables, out-of-range accesses
// answered with TLM_ADDRESS_ERROR_RESPONSE, debug transport.
// Does not model (yet): channels, banks, row hits/misses, refresh, per-master queueing, the
// interrupt-generation window, DMI.
#pragma once

#include "core/sparse_memory.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::soc {

class memory_controller : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<memory_controller> in;

    memory_controller(sc_core::sc_module_name name, std::uint64_t size_bytes,
                      sc_core::sc_time latency);

    sparse_memory& storage() { return mem_; }
    std::uint64_t reads() const { return reads_; }
    std::uint64_t writes() const { return writes_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    sparse_memory mem_;
    sc_core::sc_time latency_;
    std::uint64_t reads_ = 0, writes_ = 0;
};

} // namespace epvp::soc

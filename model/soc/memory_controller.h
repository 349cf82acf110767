// Memory controller and DRAM of the endpoint SoC.
//
// Models: sparse DRAM of the configured size (pages allocated on first write); the timing of
// dram_timing.h (front-end latency, channels, banks, open rows, refresh) unless the DRAM is
// ideal (zero latency, unbounded bandwidth); byte enables; out-of-range accesses answered with
// TLM_ADDRESS_ERROR_RESPONSE; debug transport; accesses counted per master.
// Does not model (yet): the interrupt-generation window, DMI.
#pragma once

#include "core/sparse_memory.h"
#include "soc/dram_timing.h"

#include <map>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::soc {

class memory_controller : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<memory_controller> in;

    // timing null: ideal memory.
    memory_controller(sc_core::sc_module_name name, std::uint64_t size_bytes,
                      const dram_params* timing);

    sparse_memory& storage() { return mem_; }
    std::uint64_t reads() const { return reads_; }
    std::uint64_t writes() const { return writes_; }
    const dram_timing* timing() const { return timing_.get(); }
    const std::map<std::string, std::uint64_t>& per_master() const { return per_master_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    sparse_memory mem_;
    std::unique_ptr<dram_timing> timing_;
    std::map<std::string, std::uint64_t> per_master_;
    std::uint64_t reads_ = 0, writes_ = 0;
};

} // namespace epvp::soc

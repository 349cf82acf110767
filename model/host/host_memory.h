// Host memory (DRAM behind the root complex) as a target: [base, base + size) at absolute
// addresses, sparse (pages appear when first written; unwritten bytes read as zero).
// Models: reads and writes through b_transport and debug transport, in zero time (the root
// complex charges host.read_latency_ns for inbound reads); accesses outside the range answer
// TLM_ADDRESS_ERROR_RESPONSE / 0 bytes.
// Does not model: DRAM timing, caches, DMI.
#pragma once

#include "model/core/sparse_memory.h"

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::host {

class host_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<host_memory> in;

    host_memory(sc_core::sc_module_name name, std::uint64_t base, std::uint64_t size_bytes);

    bool claims(std::uint64_t addr, std::uint64_t len) const {
        return addr >= base_ && mem_.in_range(addr - base_, len);
    }
    // Pages written so far (each sparse_memory::page_bytes).
    std::size_t pages_allocated() const { return mem_.pages_allocated(); }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    bool access(tlm::tlm_generic_payload& gp);

    std::uint64_t base_;
    sparse_memory mem_;
};

} // namespace epvp::host

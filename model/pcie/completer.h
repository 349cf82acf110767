// The completer side of non-posted PCIe transactions: answering a request TLP with completion
// TLPs, each its own transaction in the reverse direction.
//
// Models: a successful read is answered by CplD split at the read completion boundary and MPS
// (split_completions); a failed one, and every write-type non-posted request, by one Cpl with
// its status (SC, UR, CRS, CA); in burst mode a burst of reads by one CplD burst. Does not model:
// completion data poisoning, ECRC.
#pragma once

#include "model/pcie/tlp.h"

#include <systemc>
#include <tlm>

namespace epvp::pcie {

struct completer_params {
    std::uint16_t completer_id = 0;
    unsigned rcb_bytes = 64;
    unsigned mps_bytes = 256;
};

// Answers the request req (whose extension is req_tlp) with data (for a successful read) or a
// status-only completion. delay: when the completer starts sending.
void send_completion(tlm::tlm_fw_transport_if<>& out, const completer_params& p,
                     const tlm::tlm_generic_payload& req, const pcie_tlp& req_tlp,
                     cpl_status status, const unsigned char* data, sc_core::sc_time& delay);

// Burst mode: answers the MRd burst req (req_tlp.burst: its pieces, each with the time it
// arrived) with one CplD burst. Each request piece's data is split at RCB and MPS as
// send_completion splits it, every completion ready `latency` after its request arrived. cpls
// receives the completion pieces (group: the request piece); data holds the bytes of all.
void send_completion_burst(tlm::tlm_fw_transport_if<>& out, const completer_params& p,
                           const tlm::tlm_generic_payload& req, const pcie_tlp& req_tlp,
                           const unsigned char* data, const sc_core::sc_time& latency,
                           tlp_burst& cpls);

} // namespace epvp::pcie

// The endpoint's Advanced Error Reporting: the function's error logging and the error messages
// it sends. The logging (status, severity, mask, First Error Pointer, Header Log, Device Status)
// is the shared AER unit's (pcie/aer.h, the same as root and switch ports use); this unit adds
// what the endpoint does with a logged error.
//
// Models: ERR_NONFATAL / ERR_FATAL when Device Control enables it, ERR_COR at the time of
// detection when Correctable Error Reporting is enabled, messages only while the link is up;
// the controller's error counters. Does not model: Advisory Non-Fatal errors, multiple header
// recording, TLP prefix log.
#pragma once

#include "model/core/reg_block.h"
#include "model/pcie/tlp.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <systemc>
#include <tlm>

namespace epvp::dwc {

struct aer_counters {
    std::uint64_t completion_timeouts = 0, err_messages = 0, correctable_errors = 0,
                  err_cor_messages = 0;
};

class ep_aer {
public:
    // Sends an error message TLP (ERR_COR / ERR_NONFATAL / ERR_FATAL) at `delay`.
    using message_sender = std::function<void(pcie::msg_code, sc_core::sc_time& delay)>;

    // `cfg` holds the function's configuration space (PCIe capability, AER capability).
    ep_aer(reg_block& cfg, aer_counters& stats, std::function<bool()> link_up, message_sender send);

    // An uncorrectable error `bit` (AER Uncorrectable Error Status) at `delay`; the header log
    // takes the header dwords of `tlp` (none for a Completion Timeout).
    void uncorrectable(std::uint32_t bit, const tlm::tlm_generic_payload* tlp,
                       sc_core::sc_time& delay);
    // A correctable error `bit` detected at `when` (absolute); an unmasked, reported one queues
    // an ERR_COR for the sender.
    void correctable(std::uint32_t bit, sc_core::sc_time when);
    // The ERR_COR sender: the body of one SystemC thread of the owning module.
    void err_cor_sender();

private:
    reg_block& cfg_;
    aer_counters& stats_;
    std::function<bool()> link_up_;
    message_sender send_;
    std::deque<sc_core::sc_time> err_cor_due_; // ERR_COR messages to send, by detection time
    sc_core::sc_event err_cor_kick_;
};

} // namespace epvp::dwc

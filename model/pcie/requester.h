// The requester side of non-posted PCIe transactions: tag allocation, sending a request TLP
// as its own transaction, and collecting the completions that come back as separate
// transactions, matched by requester ID and tag, reassembled by lower address and byte count.
//
// Models: tags of 8 bits (max_tags outstanding), completion status (SC/UR/CRS/CA), multiple
// completions per read, a request whose completions never came reports "no completion", a
// poisoned completion (EP bit) marks the request's data bad (its bytes are not copied).
// Used by the root complex and by the DWC controller's outbound path.
// Does not model: the completion timeout timer (a request whose completion does not arrive
// while the request is carried is reported at once), relaxed ordering between completions.
#pragma once

#include "pcie/tlp.h"

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace epvp::pcie {

struct np_result {
    bool completed = false; // every byte (or a status-only completion) arrived
    cpl_status status = cpl_status::sc;
    bool link_error = false;  // the request could not be sent (link down)
    unsigned completions = 0; // completion TLPs that answered it
    bool poisoned = false;    // a completion had the EP bit: the data is bad
    tlp_link_timing sent;     // the request at its first link (when it left, what it waited for)
};

class tlp_requester {
public:
    tlp_requester(std::string owner, std::uint16_t requester_id, unsigned max_tags);

    void set_requester_id(std::uint16_t id) { requester_id_ = id; }
    std::uint16_t requester_id() const { return requester_id_; }

    // Sends a non-posted request (MRd, CfgRd0/1, CfgWr0/1) through out. For reads, data receives
    // len bytes from the completions. delay is the caller's local time offset; on return it is
    // the time the last completion arrived. Configuration requests are one dword whose bytes
    // are selected by cfg_first_be.
    np_result request(tlm::tlm_fw_transport_if<>& out, tlp_type type, std::uint64_t addr,
                      void* data, std::uint32_t len, sc_core::sc_time& delay,
                      std::uint16_t target_id = 0, std::uint8_t cfg_first_be = 0xF);
    // Sends a posted request (MWr, Msg, MsgD). Returns false if the link refused it. sent
    // (optional) receives the request's timing at its first link.
    bool posted(tlm::tlm_fw_transport_if<>& out, tlp_type type, std::uint64_t addr,
                const void* data, std::uint32_t len, sc_core::sc_time& delay,
                msg_code code = msg_code::assert_inta, tlp_link_timing* sent = nullptr);

    // Offer an incoming completion; returns true if it matched an outstanding tag.
    bool accept_completion(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay);

    std::uint64_t requests_sent() const { return sent_; }
    std::uint64_t unexpected_completions() const { return unexpected_; }

private:
    struct pending {
        unsigned char* data;
        std::uint64_t addr;
        std::uint32_t len;
        std::uint32_t received;
        bool any;
        unsigned count;
        cpl_status status;
        sc_core::sc_time last;
        bool active;
        bool poisoned;
    };
    std::string owner_;
    std::uint16_t requester_id_;
    unsigned max_tags_;
    std::uint16_t next_tag_ = 0;
    std::vector<pending> outstanding_; // indexed by tag
    unsigned active_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t unexpected_ = 0;
};

} // namespace epvp::pcie

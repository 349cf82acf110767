// The requester side of non-posted PCIe transactions: tag allocation, sending a request TLP
// as its own transaction, and collecting the completions that come back as separate
// transactions, matched by requester ID and tag, reassembled by lower address and byte count.
//
// Models: tags of 8 bits (max_tags outstanding), completion status (SC/UR/CRS/CA), multiple
// completions per read, a request whose completions never came reports "no completion", a
// poisoned completion (EP bit) marks the request's data bad (its bytes are not copied).
// The transaction layer above it (read()/write()): a transfer split into requests that never
// cross a 4 KiB boundary and carry at most Max_Read_Request_Size (reads) or Max_Payload_Size
// (writes) bytes, and the completion timeout: a read whose completion never arrives ends
// completion_timeout after it was issued, and the owner's hook (AER) is told at that time.
// Used by the root complex, and by the DWC controller's outbound path and eDMA.
// Does not model: a running timer (a request whose completion does not arrive while the request
// is carried times out; later completions are unexpected), relaxed ordering between
// completions, several requests of one transfer in flight at once (burst mode times them as
// the link would, one transaction for several).
#pragma once

#include "model/pcie/tlp.h"

#include <cstdint>
#include <functional>
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

// Device Control (PCIe Base Spec 5.0 section 7.5.3.4): Max_Payload_Size in bits 7:5 and
// Max_Read_Request_Size in bits 14:12, each 128 bytes << code.
unsigned devctl_mps_bytes(std::uint32_t devctl);
unsigned devctl_mrrs_bytes(std::uint32_t devctl);

// The bytes of the next request of a transfer at addr with `remaining` bytes left: at most
// max_bytes (MPS or MRRS) and not crossing a 4 KiB boundary (PCIe Base Spec 5.0 section 2.2.7).
std::uint32_t request_bytes(std::uint64_t addr, std::uint64_t remaining, unsigned max_bytes);

// The outcome of a transfer carried as several requests. On failure it stops at the request
// that failed: failed_addr is its address and `last` its result (reads).
struct transfer_result {
    bool ok = false;
    unsigned tlps = 0; // requests issued, the failed one included
    std::uint64_t failed_addr = 0;
    bool timed_out = false; // a read's completion never came: completion timeout
    bool not_sent = false;  // a write the link refused
    np_result last;         // reads: the last request's result
    tlp_link_timing sent;   // writes: the last request's timing at its first link
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
                      std::uint16_t target_id = 0, std::uint8_t cfg_first_be = 0xF,
                      tlp_burst* burst = nullptr);
    // Sends a posted request (MWr, Msg, MsgD). Returns false if the link refused it. sent
    // (optional) receives the request's timing at its first link.
    bool posted(tlm::tlm_fw_transport_if<>& out, tlp_type type, std::uint64_t addr,
                const void* data, std::uint32_t len, sc_core::sc_time& delay,
                msg_code code = msg_code::assert_inta, tlp_link_timing* sent = nullptr,
                tlp_burst* burst = nullptr);

    // Transaction layer: a read of len bytes split into MRd requests of at most mrrs_bytes, one
    // after the other, that stops at the first that fails. A request without a completion ends
    // completion_timeout after it was issued (delay is set to that time) and calls the
    // completion-timeout hook with it.
    transfer_result read(tlm::tlm_fw_transport_if<>& out, std::uint64_t addr, unsigned char* data,
                         std::uint32_t len, unsigned mrrs_bytes, sc_core::sc_time& delay);
    // A write split into MWr requests of at most mps_bytes; delay ends when the last request has
    // left (its departure at the first link).
    transfer_result write(tlm::tlm_fw_transport_if<>& out, std::uint64_t addr,
                          const unsigned char* data, std::uint32_t len, unsigned mps_bytes,
                          sc_core::sc_time& delay);
    // The completion timeout (Device Control 2 range as the integration sets it) and what the
    // owner does when it expires (AER: Completion Timeout), called at the expiry time.
    void set_completion_timeout(sc_core::sc_time timeout,
                                std::function<void(sc_core::sc_time& delay)> on_timeout) {
        completion_timeout_ = timeout;
        on_timeout_ = std::move(on_timeout);
    }

    // Burst mode (tlp.h, tlp_burst): `burst` given, request() and posted() send one transaction
    // for its pieces (MRd or MWr TLPs at consecutive addresses from addr, len bytes in all). The
    // link writes each piece's times; a read's completions arrive as one burst whose pieces name
    // the request piece they answer, and each request piece gets its completion time and count.

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
        tlp_burst* burst;
    };
    std::string owner_;
    std::uint16_t requester_id_;
    unsigned max_tags_;
    std::uint16_t next_tag_ = 0;
    std::vector<pending> outstanding_; // indexed by tag
    unsigned active_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t unexpected_ = 0;
    sc_core::sc_time completion_timeout_;
    std::function<void(sc_core::sc_time&)> on_timeout_;
};

} // namespace epvp::pcie

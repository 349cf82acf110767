#include "model/pcie/requester.h"
#include "model/core/payload_pool.h"

#include "model/core/log.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace epvp::pcie {

namespace {
constexpr std::uint32_t devctl_mps_shift = 5;
constexpr std::uint32_t devctl_mrrs_shift = 12;
constexpr std::uint32_t devctl_size_code_mask = 7;
constexpr unsigned min_size_bytes = 128;
constexpr std::uint64_t request_boundary_bytes = 4096;
} // namespace

unsigned devctl_mps_bytes(std::uint32_t devctl) {
    return min_size_bytes << ((devctl >> devctl_mps_shift) & devctl_size_code_mask);
}

unsigned devctl_mrrs_bytes(std::uint32_t devctl) {
    return min_size_bytes << ((devctl >> devctl_mrrs_shift) & devctl_size_code_mask);
}

std::uint32_t request_bytes(std::uint64_t addr, std::uint64_t remaining, unsigned max_bytes) {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(
        {remaining, max_bytes, request_boundary_bytes - (addr % request_boundary_bytes)}));
}

tlp_requester::tlp_requester(std::string owner, std::uint16_t requester_id, unsigned max_tags)
    : owner_(std::move(owner))
    , requester_id_(requester_id)
    , max_tags_(max_tags)
    , outstanding_(max_tags) {}

np_result tlp_requester::request(tlm::tlm_fw_transport_if<>& out, tlp_type type, std::uint64_t addr,
                                 void* data, std::uint32_t len, sc_core::sc_time& delay,
                                 std::uint16_t target_id, std::uint8_t cfg_first_be,
                                 tlp_burst* burst) {
    np_result r;
    if (active_ >= max_tags_) {
        logger::get().warning(owner_, "no free tag: request refused");
        r.link_error = true;
        return r;
    }
    std::uint16_t tag = next_tag_;
    while (outstanding_[tag].active)
        tag = static_cast<std::uint16_t>((tag + 1) % max_tags_);
    next_tag_ = static_cast<std::uint16_t>((tag + 1) % max_tags_);

    bool is_read = (type == tlp_type::mrd || type == tlp_type::cfgrd0 || type == tlp_type::cfgrd1);
    pending& p = outstanding_[tag];
    p = pending{is_read ? static_cast<unsigned char*>(data) : nullptr,
                addr,
                is_read ? len : 0,
                0,
                false,
                0,
                cpl_status::sc,
                sc_core::SC_ZERO_TIME,
                true,
                false,
                burst};
    ++active_;

    pcie_tlp ext;
    ext.type = type;
    ext.requester_id = requester_id_;
    ext.tag = tag;
    ext.target_id = target_id;
    ext.addr64 = addr > 0xFFFFFFFFull;
    ext.burst = burst;
    byte_enables(addr, len, ext.first_be, ext.last_be);
    if (type != tlp_type::mrd) {
        ext.first_be = cfg_first_be;
        ext.last_be = 0;
    }
    std::vector<unsigned char> scratch(is_read ? 0 : len);
    if (!is_read && len) std::memcpy(scratch.data(), data, len);
    pooled_payload pooled_gp;
    tlm::tlm_generic_payload& gp = *pooled_gp;
    gp.set_command(is_read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(is_read ? nullptr : scratch.data());
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&ext);
    ++sent_;
    out.b_transport(gp, delay);
    gp.clear_extension(&ext);

    pending done = outstanding_[tag];
    outstanding_[tag].active = false;
    --active_;
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
        r.link_error = true;
        return r;
    }
    r.status = done.status;
    r.completions = done.count;
    r.poisoned = done.poisoned;
    r.sent = ext.sent;
    // A burst read the link cut short (the sender's other work comes first) asked for the bytes
    // of the pieces it kept: gp's data length now.
    const std::uint32_t asked =
        burst ? std::min<std::uint32_t>(done.len, gp.get_data_length()) : done.len;
    r.completed =
        done.any && (done.status != cpl_status::sc || done.poisoned || done.received >= asked);
    if (done.any && done.last > delay) delay = done.last;
    return r;
}

bool tlp_requester::posted(tlm::tlm_fw_transport_if<>& out, tlp_type type, std::uint64_t addr,
                           const void* data, std::uint32_t len, sc_core::sc_time& delay,
                           msg_code code, tlp_link_timing* sent, tlp_burst* burst) {
    pcie_tlp ext;
    ext.type = type;
    ext.requester_id = requester_id_;
    ext.addr64 = addr > 0xFFFFFFFFull;
    ext.code = code;
    ext.burst = burst;
    if (len) byte_enables(addr, len, ext.first_be, ext.last_be);
    pooled_payload pooled_gp;
    tlm::tlm_generic_payload& gp = *pooled_gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(const_cast<unsigned char*>(static_cast<const unsigned char*>(data)));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&ext);
    ++sent_;
    out.b_transport(gp, delay);
    gp.clear_extension(&ext);
    if (sent) *sent = ext.sent;
    return gp.get_response_status() == tlm::TLM_OK_RESPONSE;
}

transfer_result tlp_requester::read(tlm::tlm_fw_transport_if<>& out, std::uint64_t addr,
                                    unsigned char* data, std::uint32_t len, unsigned mrrs_bytes,
                                    sc_core::sc_time& delay) {
    transfer_result t;
    for (std::uint32_t off = 0; off < len;) {
        const std::uint64_t a = addr + off;
        const std::uint32_t n = request_bytes(a, len - off, mrrs_bytes);
        ++t.tlps;
        const sc_core::sc_time issued = delay;
        t.last = request(out, tlp_type::mrd, a, data + off, n, delay);
        const np_result& r = t.last;
        if (!r.link_error && !r.completed) {
            // No completion: the requester's timer expires.
            delay = issued + completion_timeout_;
            t.timed_out = true;
            if (on_timeout_) on_timeout_(delay);
        }
        if (r.link_error || !r.completed || r.poisoned || r.status != cpl_status::sc) {
            t.failed_addr = a;
            return t;
        }
        off += n;
    }
    t.ok = true;
    return t;
}

transfer_result tlp_requester::write(tlm::tlm_fw_transport_if<>& out, std::uint64_t addr,
                                     const unsigned char* data, std::uint32_t len,
                                     unsigned mps_bytes, sc_core::sc_time& delay) {
    transfer_result t;
    for (std::uint32_t off = 0; off < len;) {
        const std::uint64_t a = addr + off;
        const std::uint32_t n = request_bytes(a, len - off, mps_bytes);
        ++t.tlps;
        t.sent = tlp_link_timing();
        if (!posted(out, tlp_type::mwr, a, data + off, n, delay, msg_code::assert_inta, &t.sent)) {
            t.not_sent = true;
            t.failed_addr = a;
            return t;
        }
        // The request is done for its sender once it has left.
        delay = t.sent.departed - sc_core::sc_time_stamp();
        off += n;
    }
    t.ok = true;
    return t;
}

bool tlp_requester::accept_completion(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    if (t.requester_id != requester_id_ || t.tag >= outstanding_.size() ||
        !outstanding_[t.tag].active) {
        ++unexpected_;
        logger::get().warning(owner_, "unexpected completion tag " + std::to_string(t.tag) +
                                          " for " + bdf_string(t.requester_id));
        return false;
    }
    pending& p = outstanding_[t.tag];
    p.any = true;
    ++p.count;
    p.last = delay;
    if (t.status != cpl_status::sc) {
        p.status = t.status;
        return true;
    }
    if (t.poisoned) {
        p.poisoned = true; // the data is bad: nothing of it is used
        return true;
    }
    if (t.burst && p.burst) {
        // Burst mode: the data of every completion of every request piece, in order.
        p.count += static_cast<unsigned>(t.burst->pieces.size()) - 1;
        for (const tlp_burst_piece& c : t.burst->pieces) {
            tlp_burst_piece& req = p.burst->pieces.at(c.group);
            req.completed = std::max(req.completed, c.arrival);
            ++req.completions;
        }
        const std::uint32_t n = std::min<std::uint32_t>(gp.get_data_length(), p.len);
        if (p.data) std::memcpy(p.data, gp.get_data_ptr(), n);
        p.received += n;
        return true;
    }
    if (t.type == tlp_type::cpld && p.data) {
        // Byte count = bytes still to come including this completion (0 encodes 4096), which
        // places this completion's data in the request.
        std::uint32_t remaining = t.byte_count == 0 ? 4096 : t.byte_count;
        std::uint32_t off = remaining <= p.len ? p.len - remaining : 0;
        std::uint32_t n = std::min<std::uint32_t>(gp.get_data_length(), p.len - off);
        std::memcpy(p.data + off, gp.get_data_ptr(), n);
        p.received += n;
    }
    return true;
}

} // namespace epvp::pcie

#include "model/pcie/completer.h"
#include "model/core/payload_pool.h"

namespace epvp::pcie {

void send_completion(tlm::tlm_fw_transport_if<>& out, const completer_params& p,
                     const tlm::tlm_generic_payload& req, const pcie_tlp& req_tlp,
                     cpl_status status, const unsigned char* data, sc_core::sc_time& delay) {
    bool is_read = req_tlp.type == tlp_type::mrd || req_tlp.type == tlp_type::cfgrd0 ||
                   req_tlp.type == tlp_type::cfgrd1;
    pcie_tlp ext;
    ext.requester_id = req_tlp.requester_id;
    ext.tag = req_tlp.tag;
    ext.tc = req_tlp.tc;
    ext.attr = req_tlp.attr;
    ext.completer_id = p.completer_id;
    pooled_payload pooled_gp;
    tlm::tlm_generic_payload& gp = *pooled_gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_extension(&ext);
    if (!is_read || status != cpl_status::sc || !data) {
        ext.type = tlp_type::cpl;
        ext.status = status;
        ext.byte_count = static_cast<std::uint16_t>(is_read ? req.get_data_length() : 4);
        ext.lower_addr = static_cast<std::uint8_t>(req.get_address() & 0x7F);
        gp.set_address(req.get_address());
        gp.set_data_ptr(nullptr);
        gp.set_data_length(0);
        gp.set_streaming_width(0);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        out.b_transport(gp, delay);
        gp.clear_extension(&ext);
        return;
    }
    ext.type = tlp_type::cpld;
    ext.status = cpl_status::sc;
    // A configuration read is one dword: one completion.
    const bool is_cfg = req_tlp.type != tlp_type::mrd;
    const std::uint32_t len = req.get_data_length();
    // All the data is there at once: every completion is ready at the same time and the link
    // serialises them (a completion does not wait for the previous one to arrive).
    const sc_core::sc_time ready = delay;
    for (std::uint64_t off = 0; off < len || (is_cfg && off == 0);) {
        const cpl_piece c =
            is_cfg ? cpl_piece{0, len, static_cast<std::uint16_t>(len),
                               static_cast<std::uint8_t>(req.get_address() & 0x7F)}
                   : next_completion(req.get_address(), len, off, p.rcb_bytes, p.mps_bytes);
        ext.byte_count = c.byte_count;
        ext.lower_addr = c.lower_addr;
        gp.set_address(req.get_address() + c.offset);
        gp.set_data_ptr(const_cast<unsigned char*>(data + c.offset));
        gp.set_data_length(c.bytes);
        gp.set_streaming_width(c.bytes);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        delay = ready;
        out.b_transport(gp, delay);
        if (is_cfg) break;
        off += c.bytes;
    }
    gp.clear_extension(&ext);
}

void send_completion_burst(tlm::tlm_fw_transport_if<>& out, const completer_params& p,
                           const tlm::tlm_generic_payload& req, const pcie_tlp& req_tlp,
                           const unsigned char* data, const sc_core::sc_time& latency,
                           tlp_burst& cpls) {
    cpls.paced = tlp_burst::pacing::own;
    cpls.pieces.clear();
    std::uint64_t addr = req.get_address();
    const auto& reqs = req_tlp.burst->pieces;
    for (std::uint32_t g = 0; g < reqs.size(); ++g) {
        const std::uint32_t len = reqs[g].bytes;
        for (std::uint64_t off = 0; off < len;) {
            const cpl_piece c = next_completion(addr, len, off, p.rcb_bytes, p.mps_bytes);
            tlp_burst_piece piece;
            piece.bytes = c.bytes;
            piece.group = g;
            piece.ready = reqs[g].arrival + latency;
            cpls.pieces.push_back(piece);
            off += c.bytes;
        }
        addr += len;
    }
    const cpl_piece first =
        next_completion(req.get_address(), reqs.front().bytes, 0, p.rcb_bytes, p.mps_bytes);
    pcie_tlp ext;
    ext.type = tlp_type::cpld;
    ext.status = cpl_status::sc;
    ext.requester_id = req_tlp.requester_id;
    ext.tag = req_tlp.tag;
    ext.tc = req_tlp.tc;
    ext.attr = req_tlp.attr;
    ext.completer_id = p.completer_id;
    ext.byte_count = first.byte_count;
    ext.lower_addr = first.lower_addr;
    ext.burst = &cpls;
    pooled_payload pooled_gp;
    tlm::tlm_generic_payload& gp = *pooled_gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_extension(&ext);
    gp.set_address(req.get_address());
    gp.set_data_ptr(const_cast<unsigned char*>(data));
    gp.set_data_length(req.get_data_length());
    gp.set_streaming_width(req.get_data_length());
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = cpls.pieces.front().ready - sc_core::sc_time_stamp();
    out.b_transport(gp, delay);
    gp.clear_extension(&ext);
}

} // namespace epvp::pcie

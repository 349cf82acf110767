#include "rtl-bridge/rtl_iatu.h"

namespace epvp::rtl {

namespace iatu_user {

std::uint32_t inbound_request(int bar, unsigned bar_size_log2, unsigned function,
                              unsigned tlp_type) {
    std::uint32_t u = (bar_size_log2 & bar_size_mask) << bar_size_shift;
    u |= (function & func_mask) << func_shift;
    u |= (tlp_type & tlp_type_mask) << tlp_type_shift;
    if (bar >= 0) u |= bar_hit | ((static_cast<std::uint32_t>(bar) & bar_mask) << bar_shift);
    return u;
}

dwc::iatu_hit decode(const axi_request& forwarded) {
    dwc::iatu_hit h;
    h.hit = forwarded.user & result_hit;
    h.index = (forwarded.user >> result_index_shift) & result_index_mask;
    h.type = (forwarded.user >> result_type_shift) & result_type_mask;
    h.address = forwarded.addr;
    return h;
}

} // namespace iatu_user

namespace {
dw_iatu_model& adopt(rtl_island& island, std::unique_ptr<dw_iatu_model> m) {
    dw_iatu_model* raw = m.get();
    island.add_model(std::move(m));
    return *raw;
}
} // namespace

rtl_iatu::rtl_iatu(sc_core::sc_module_name name, const rtl_iatu_params& p)
    : sc_module(name)
    , island("island", p.clock_period)
    , rtl(adopt(island, make_dw_iatu(std::string(basename()), p.geometry, p.waves)))
    , regs("regs", island, rtl.apb, iatu_paddr_bits)
    , ob_in("ob_in", island, rtl.ob_s)
    , ib_in("ib_in", island, rtl.ib_s)
    , ob_out("ob_out", island, rtl.ob_m)
    , ib_out("ib_out", island, rtl.ib_m)
    , apb_check(rtl.apb)
    , ob_s_check(rtl.ob_s)
    , ob_m_check(rtl.ob_m)
    , ib_s_check(rtl.ib_s)
    , ib_m_check(rtl.ib_m)
    , regs_init("regs_init")
    , ob_init("ob_init")
    , ib_init("ib_init")
    , p_(p) {
    if (p.bind_internal_initiators) {
        regs_init.bind(regs.socket);
        ob_init.bind(ob_in.socket);
        ib_init.bind(ib_in.socket);
    }
    for (cycle_agent* c : std::initializer_list<cycle_agent*>{&apb_check, &ob_s_check, &ob_m_check,
                                                              &ib_s_check, &ib_m_check})
        island.add_agent(c);
    ob_out.on_request([this](const axi_request& r, bool) {
        ob_seen_ = true;
        ob_last_ = r;
    });
    ib_out.on_request([this](const axi_request& r, bool) {
        ib_seen_ = true;
        ib_last_ = r;
    });
}

std::uint32_t rtl_iatu::read_reg(std::uint32_t offset, tlm::tlm_response_status* status) {
    std::uint32_t v = 0;
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(offset);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    gp.set_data_length(sizeof v);
    gp.set_streaming_width(sizeof v);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    regs.b_transport(gp, delay);
    if (status) *status = gp.get_response_status();
    return v;
}

tlm::tlm_response_status rtl_iatu::write_reg(std::uint32_t offset, std::uint32_t value) {
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(offset);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    gp.set_data_length(sizeof value);
    gp.set_streaming_width(sizeof value);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    regs.b_transport(gp, delay);
    return gp.get_response_status();
}

rtl_translation rtl_iatu::translate(tlm2axi_bridge& in, bool& seen, axi_request& last,
                                    std::uint64_t addr, std::uint32_t user) {
    unsigned char byte = 0;
    tlm::tlm_generic_payload gp;
    axi_ext ext;
    ext.explicit_burst = true;
    ext.burst = axi_burst::incr;
    ext.size_log2 = 0;
    ext.beats = 1;
    ext.user = user;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(&byte);
    gp.set_data_length(1);
    gp.set_streaming_width(1);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&ext);
    seen = false;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    in.b_transport(gp, delay);
    gp.clear_extension(&ext);
    rtl_translation t;
    t.status = gp.get_response_status();
    t.forwarded = seen;
    if (seen) t.hit = iatu_user::decode(last);
    return t;
}

rtl_translation rtl_iatu::translate_outbound(std::uint64_t axi_addr) {
    return translate(ob_in, ob_seen_, ob_last_, axi_addr, 0);
}

rtl_translation rtl_iatu::translate_inbound(std::uint64_t pci_addr, int bar, unsigned bar_size_log2,
                                            unsigned function, unsigned tlp_type) {
    return translate(ib_in, ib_seen_, ib_last_, pci_addr,
                     iatu_user::inbound_request(bar, bar_size_log2, function, tlp_type));
}

std::uint64_t rtl_iatu::protocol_handshakes() const {
    return ob_s_check.handshakes() + ob_m_check.handshakes() + ib_s_check.handshakes() +
           ib_m_check.handshakes();
}

} // namespace epvp::rtl

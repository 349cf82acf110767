#include "model/pcie/pcie_switch.h"

#include "model/core/log.h"
#include "model/pcie/completer.h"
#include "model/pcie/config_space.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace epvp::pcie {

using sc_core::sc_time;

namespace {
namespace pc = port_cfg;
constexpr std::uint32_t acs_version_1 = 1;
constexpr unsigned ext_cap_version_shift = 16;
constexpr unsigned max_downstream_ports = 32; // one egress-vector register
constexpr std::uint8_t relaxed_ordering = 1u << 1;
constexpr unsigned dev_mask = 0x1F, fn_mask = 0x7;

std::vector<reg_def> port_table(const pcie_switch_params& p, bool upstream, unsigned port_number) {
    const bool acs = !upstream && p.acs_capabilities;
    type1_params tp;
    tp.vendor_id = p.vendor_id;
    tp.device_id = upstream ? p.usp_device_id : p.dsp_device_id;
    tp.port_type = upstream ? pc::exp_type_upstream : pc::exp_type_downstream;
    tp.port_number = port_number;
    tp.max_gen = p.max_gen;
    tp.max_width = p.max_width;
    tp.mps_supported = p.mps_supported;
    tp.dll_active_reporting = !upstream;
    tp.devctl2 = true;
    tp.aer_next = acs ? pc::acs_cap : 0;
    std::vector<reg_def> t = type1_table(tp);
    if (acs) {
        const unsigned n = p.downstream_ports;
        const std::uint32_t vector_mask = n >= 32 ? all_bits : ((1u << n) - 1);
        t.push_back({pc::acs_cap,
                     "ACS_HEADER",
                     std::uint32_t(pc::ext_cap_id_acs) | (acs_version_1 << ext_cap_version_shift),
                     0,
                     0,
                     0,
                     true,
                     {}});
        t.push_back({pc::acs_cap + pc::acs_cap_ctrl,
                     "ACS_CAP_CTRL",
                     p.acs_capabilities | ((n & 0xFF) << pc::acs_vector_size_shift),
                     std::uint32_t(p.acs_capabilities) << pc::acs_ctrl_shift,
                     0,
                     0,
                     false,
                     {{"SV", 16, 1},
                      {"TB", 17, 1},
                      {"RR", 18, 1},
                      {"CR", 19, 1},
                      {"UF", 20, 1},
                      {"EC", 21, 1},
                      {"DT", 22, 1}}});
        t.push_back({pc::acs_cap + pc::acs_egress_vector,
                     "ACS_EGRESS_VECTOR",
                     0,
                     vector_mask,
                     0,
                     0,
                     false,
                     {}});
    }
    return t;
}

std::uint32_t be_mask(std::uint8_t first_be) {
    std::uint32_t m = 0;
    for (unsigned b = 0; b < dword_bytes; ++b)
        if (first_be & (1u << b)) m |= 0xFFu << (8 * b);
    return m;
}

} // namespace

pcie_switch::pcie_switch(sc_core::sc_module_name name, const pcie_switch_params& p)
    : sc_module(name)
    , up_rx("up_rx")
    , up_tx("up_tx")
    , p_(p)
    , usp_(std::string(basename()) + ".usp", port_table(p, true, p.downstream_ports)) {
    if (p.downstream_ports == 0 || p.downstream_ports > max_downstream_ports)
        throw std::invalid_argument(std::string(basename()) + ": downstream_ports must be 1.." +
                                    std::to_string(max_downstream_ports) + ", got " +
                                    std::to_string(p.downstream_ports));
    up_rx.register_b_transport(this, &pcie_switch::up_b_transport);
    usp_.socket = &up_tx;
    for (unsigned i = 0; i < p.downstream_ports; ++i) {
        const std::string n = std::to_string(i);
        dsps_.push_back(
            std::make_unique<port>(std::string(basename()) + ".dsp" + n, port_table(p, false, i)));
        dn_tx_.push_back(std::make_unique<tlm_utils::simple_initiator_socket<pcie_switch>>(
            ("dn_tx_" + n).c_str()));
        dn_rx_.push_back(std::make_unique<tlm_utils::simple_target_socket_tagged<pcie_switch>>(
            ("dn_rx_" + n).c_str()));
        dn_rx_.back()->register_b_transport(this, &pcie_switch::dn_b_transport,
                                            static_cast<int>(i));
        dsps_.back()->socket = dn_tx_.back().get();
    }
}

tlm_utils::simple_initiator_socket<pcie_switch>& pcie_switch::dn_tx(unsigned i) {
    if (i >= dn_tx_.size())
        throw std::out_of_range(std::string(basename()) + ": no downstream port " +
                                std::to_string(i));
    return *dn_tx_[i];
}
tlm_utils::simple_target_socket_tagged<pcie_switch>& pcie_switch::dn_rx(unsigned i) {
    if (i >= dn_rx_.size())
        throw std::out_of_range(std::string(basename()) + ": no downstream port " +
                                std::to_string(i));
    return *dn_rx_[i];
}
reg_block& pcie_switch::downstream_regs(unsigned i) {
    if (i >= dsps_.size())
        throw std::out_of_range(std::string(basename()) + ": no downstream port " +
                                std::to_string(i));
    return dsps_[i]->regs;
}
const pcie_switch::port_counters& pcie_switch::downstream_stats(unsigned i) const {
    if (i >= dsps_.size())
        throw std::out_of_range(std::string(basename()) + ": no downstream port " +
                                std::to_string(i));
    return dsps_[i]->stats;
}

sc_core::sc_export<link_status_if>& pcie_switch::dn_link_status(unsigned i) {
    if (i >= dsps_.size())
        throw std::out_of_range(std::string(basename()) + ": no downstream port " +
                                std::to_string(i));
    return dsps_[i]->status;
}

int pcie_switch::dsp_for_address(std::uint64_t addr, std::uint64_t len) const {
    for (std::size_t i = 0; i < dsps_.size(); ++i)
        if (type1::memory_enabled(dsps_[i]->regs) && type1::in_windows(dsps_[i]->regs, addr, len))
            return static_cast<int>(i);
    return -1;
}
int pcie_switch::dsp_for_bus(unsigned bus) const {
    for (std::size_t i = 0; i < dsps_.size(); ++i)
        if (type1::bus_below(dsps_[i]->regs, bus)) return static_cast<int>(i);
    return -1;
}
std::uint16_t pcie_switch::acs_ctrl(unsigned i) const {
    if (!p_.acs_capabilities) return 0;
    return static_cast<std::uint16_t>(dsps_[i]->regs.read32(pc::acs_cap + pc::acs_cap_ctrl) >>
                                      pc::acs_ctrl_shift);
}
std::uint32_t pcie_switch::egress_vector(unsigned i) const {
    if (!p_.acs_capabilities) return 0;
    return dsps_[i]->regs.read32(pc::acs_cap + pc::acs_egress_vector);
}

void pcie_switch::up_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    ++usp_.stats.tlps_in;
    if (has_data(t.type)) usp_.stats.bytes_in += gp.get_data_length();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    from_above(gp, t, delay);
}

void pcie_switch::dn_b_transport(int i, tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    port& in = *dsps_[static_cast<unsigned>(i)];
    ++in.stats.tlps_in;
    if (has_data(t.type)) in.stats.bytes_in += gp.get_data_length();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    from_below(static_cast<unsigned>(i), gp, t, delay);
}

void pcie_switch::answer_ur(port& at, port& back, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                            sc_time& delay) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (!is_non_posted_request(t.type)) return;
    completer_params cp;
    cp.completer_id = at.id;
    send_completion(back.out, cp, gp, t, cpl_status::ur, nullptr, delay);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void pcie_switch::reject(port& at, port& back, std::uint32_t aer_bit, const std::string& why,
                         tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_time& delay) {
    aer::record_uncorrectable(at.regs, pc::aer_layout, aer_bit, &gp);
    if (aer_bit == aer::unc_acs_violation)
        ++at.stats.acs_violations;
    else if (aer_bit == aer::unc_unexpected_completion)
        ++at.stats.unexpected_completions;
    else
        ++at.stats.unsupported;
    logger::get().warning("switch",
                          at.regs.name() + ": " + to_string(t.type) + " " + hex(gp.get_address()) +
                              " from " + bdf_string(t.requester_id) + ": " + why +
                              (is_non_posted_request(t.type) ? " (UR completion)" : " (dropped)"),
                          at.regs.name() + why);
    answer_ur(at, back, gp, t, delay);
}

void pcie_switch::forward(port& to, port& back, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                          sc_time& delay) {
    delay += p_.forward_latency;
    to.out.b_transport(gp, delay);
    if (gp.get_response_status() == tlm::TLM_OK_RESPONSE) return;
    // The egress link is down (or not connected): the port cannot deliver it.
    ++to.stats.unsupported;
    logger::get().warning("switch",
                          to.regs.name() + ": " + to_string(t.type) + " " + hex(gp.get_address()) +
                              ": link down, not delivered",
                          to.regs.name() + "link-down");
    answer_ur(to, back, gp, t, delay);
}

void pcie_switch::config_access(port& target, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                                sc_time& delay) {
    const std::uint32_t reg = static_cast<std::uint32_t>(gp.get_address()) & cfg_reg_mask;
    completer_params cp;
    cp.completer_id = target.id;
    const bool write = t.type == tlp_type::cfgwr0 || t.type == tlp_type::cfgwr1;
    if (write) {
        std::uint32_t v = 0;
        if (gp.get_data_ptr())
            std::memcpy(&v, gp.get_data_ptr(),
                        std::min<unsigned>(gp.get_data_length(), dword_bytes));
        target.regs.write32(reg, v, be_mask(t.first_be), reg_writer::wire, false);
        if (logger::get().enabled("regs"))
            logger::get().info("regs", target.regs.name() + " cfg write " + hex(reg) + " = " +
                                           target.regs.decode(reg, target.regs.read32(reg)));
        send_completion(usp_.out, cp, gp, t, cpl_status::sc, nullptr, delay);
    } else {
        const std::uint32_t v = target.regs.read32(reg);
        send_completion(usp_.out, cp, gp, t, cpl_status::sc,
                        reinterpret_cast<const unsigned char*>(&v), delay);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void pcie_switch::config_from_above(tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_time& delay) {
    const unsigned bus = t.target_id >> id_bus_shift;
    const unsigned dev = (t.target_id >> id_dev_shift) & dev_mask;
    const unsigned fn = t.target_id & fn_mask;
    const unsigned sec = type1::secondary_bus(usp_.regs);
    if (!type1::bus_below(usp_.regs, bus)) {
        reject(usp_, usp_, aer::unc_unsupported_request,
               "Type 1 configuration request to bus " + std::to_string(bus) +
                   " outside secondary..subordinate",
               gp, t, delay);
        return;
    }
    if (bus == sec) {
        // The internal bus: a downstream port's own header (device i, function 0).
        if (dev < dsps_.size() && fn == 0) {
            port& d = *dsps_[dev];
            d.id = make_bdf(sec, dev, 0);
            delay += p_.forward_latency;
            config_access(d, gp, t, delay);
        } else {
            answer_ur(usp_, usp_, gp, t, delay); // no such function: enumeration reads all-ones
        }
        return;
    }
    const int j = dsp_for_bus(bus);
    if (j < 0) {
        answer_ur(usp_, usp_, gp, t, delay);
        return;
    }
    port& d = *dsps_[static_cast<unsigned>(j)];
    if (bus == type1::secondary_bus(d.regs)) {
        // Type 1 -> Type 0 at the port whose secondary bus matches; a link has device 0 only.
        if (dev != 0) {
            answer_ur(d, usp_, gp, t, delay);
            return;
        }
        const tlp_type orig = t.type;
        t.type = orig == tlp_type::cfgrd1 ? tlp_type::cfgrd0 : tlp_type::cfgwr0;
        forward(d, usp_, gp, t, delay);
        t.type = orig;
        return;
    }
    forward(d, usp_, gp, t, delay);
}

void pcie_switch::from_above(tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_time& delay) {
    switch (t.type) {
    case tlp_type::cfgrd0:
    case tlp_type::cfgwr0:
        if ((t.target_id & fn_mask) != 0) {
            answer_ur(usp_, usp_, gp, t, delay);
            return;
        }
        // The upstream port captures its bus and device number from Type 0 requests.
        usp_.id = t.target_id & ~fn_mask;
        delay += p_.forward_latency;
        config_access(usp_, gp, t, delay);
        return;
    case tlp_type::cfgrd1:
    case tlp_type::cfgwr1:
        config_from_above(gp, t, delay);
        return;
    case tlp_type::mrd:
    case tlp_type::mwr: {
        const std::uint64_t a = gp.get_address();
        const std::uint64_t len = gp.get_data_length();
        if (!type1::memory_enabled(usp_.regs) || !type1::in_windows(usp_.regs, a, len)) {
            reject(usp_, usp_, aer::unc_unsupported_request,
                   type1::memory_enabled(usp_.regs) ? "outside the upstream port's windows"
                                                    : "Memory Space Enable clear",
                   gp, t, delay);
            return;
        }
        const int j = dsp_for_address(a, len);
        if (j < 0) {
            reject(usp_, usp_, aer::unc_unsupported_request, "no downstream port claims it", gp, t,
                   delay);
            return;
        }
        forward(*dsps_[static_cast<unsigned>(j)], usp_, gp, t, delay);
        return;
    }
    case tlp_type::cpl:
    case tlp_type::cpld: {
        const int j = dsp_for_bus(t.requester_id >> id_bus_shift);
        if (j < 0) {
            reject(usp_, usp_, aer::unc_unexpected_completion,
                   "completion for a requester not below the switch", gp, t, delay);
            return;
        }
        forward(*dsps_[static_cast<unsigned>(j)], usp_, gp, t, delay);
        return;
    }
    case tlp_type::msg:
    case tlp_type::msgd: {
        // Messages from above are routed by ID (the model has no broadcast or local routing).
        const int j = dsp_for_bus(t.target_id >> id_bus_shift);
        if (j < 0) {
            logger::get().unimplemented_once("switch", "msg-down",
                                             "messages from above are routed by target ID only");
            return;
        }
        forward(*dsps_[static_cast<unsigned>(j)], usp_, gp, t, delay);
        return;
    }
    }
}

void pcie_switch::from_below(unsigned i, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                             sc_time& delay) {
    port& in = *dsps_[i];
    const std::uint16_t ctrl = acs_ctrl(i);
    switch (t.type) {
    case tlp_type::cfgrd0:
    case tlp_type::cfgwr0:
    case tlp_type::cfgrd1:
    case tlp_type::cfgwr1:
        reject(in, in, aer::unc_unsupported_request, "configuration request travelling upstream",
               gp, t, delay);
        return;
    case tlp_type::msg:
    case tlp_type::msgd: {
        // ACS Source Validation applies to every upstream request, messages too.
        if ((ctrl & pc::acs_sv) && !type1::bus_below(in.regs, t.requester_id >> id_bus_shift)) {
            reject(in, in, aer::unc_acs_violation,
                   "ACS Source Validation: message requester outside secondary..subordinate", gp, t,
                   delay);
            return;
        }
        // Error messages cross each bridge from its secondary to its primary side only with
        // Bridge Control SERR# Enable: the downstream port's, then the upstream port's.
        const bool error_msg = t.code == msg_code::err_cor || t.code == msg_code::err_nonfatal ||
                               t.code == msg_code::err_fatal;
        if (error_msg &&
            !((in.regs.read32(cfg::t1_bridge_control) & usp_.regs.read32(cfg::t1_bridge_control)) &
              type1::bridge_control_serr)) {
            ++in.stats.error_messages_blocked;
            gp.set_response_status(tlm::TLM_OK_RESPONSE);
            return;
        }
        // INTx and error messages go to the root complex.
        forward(usp_, in, gp, t, delay);
        return;
    }
    case tlp_type::mrd:
    case tlp_type::mwr: {
        const std::uint64_t a = gp.get_address();
        const std::uint64_t len = gp.get_data_length();
        if (!type1::bus_master(in.regs)) {
            reject(in, in, aer::unc_unsupported_request, "Bus Master Enable clear", gp, t, delay);
            return;
        }
        if ((ctrl & pc::acs_sv) && !type1::bus_below(in.regs, t.requester_id >> id_bus_shift)) {
            reject(in, in, aer::unc_acs_violation,
                   "ACS Source Validation: requester outside secondary..subordinate", gp, t, delay);
            return;
        }
        auto up = [&](port& blame) {
            if (!type1::bus_master(usp_.regs)) {
                reject(usp_, blame, aer::unc_unsupported_request,
                       "upstream port Bus Master Enable clear", gp, t, delay);
                return;
            }
            forward(usp_, in, gp, t, delay);
        };
        if (type1::memory_enabled(in.regs) && type1::in_windows(in.regs, a, len)) {
            ++in.stats.route_to_self;
            if (ctrl & pc::acs_uf) {
                ++in.stats.upstream_forwarded;
                up(in);
                return;
            }
            reject(in, in, aer::unc_unsupported_request,
                   "route-to-self: the target is below the port it came in by", gp, t, delay);
            return;
        }
        const int j = dsp_for_address(a, len);
        if (j >= 0) {
            const bool egress_blocked =
                (ctrl & pc::acs_ec) && ((egress_vector(i) >> static_cast<unsigned>(j)) & 1);
            if (egress_blocked && !(ctrl & pc::acs_rr)) {
                reject(in, in, aer::unc_acs_violation,
                       "ACS P2P Egress Control blocks port " + std::to_string(j), gp, t, delay);
                return;
            }
            if (ctrl & pc::acs_rr) {
                ++in.stats.acs_redirects;
                up(in);
                return;
            }
            forward(*dsps_[static_cast<unsigned>(j)], in, gp, t, delay);
            return;
        }
        if (type1::memory_enabled(usp_.regs) && type1::in_windows(usp_.regs, a, len)) {
            reject(in, in, aer::unc_unsupported_request,
                   "below the switch but no downstream port claims it", gp, t, delay);
            return;
        }
        up(in);
        return;
    }
    case tlp_type::cpl:
    case tlp_type::cpld: {
        const unsigned bus = t.requester_id >> id_bus_shift;
        if (type1::bus_below(in.regs, bus)) {
            ++in.stats.route_to_self;
            if (ctrl & pc::acs_uf) {
                ++in.stats.upstream_forwarded;
                forward(usp_, in, gp, t, delay);
                return;
            }
            reject(in, in, aer::unc_unexpected_completion,
                   "route-to-self: completion for a requester below the port it came in by", gp, t,
                   delay);
            return;
        }
        const int j = dsp_for_bus(bus);
        if (j >= 0) {
            if ((ctrl & pc::acs_cr) && !(t.attr & relaxed_ordering)) {
                ++in.stats.acs_redirects;
                forward(usp_, in, gp, t, delay);
                return;
            }
            forward(*dsps_[static_cast<unsigned>(j)], in, gp, t, delay);
            return;
        }
        forward(usp_, in, gp, t, delay);
        return;
    }
    }
}

} // namespace epvp::pcie

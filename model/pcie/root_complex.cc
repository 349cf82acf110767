#include "model/pcie/root_complex.h"

#include "model/core/log.h"
#include "model/core/payload_pool.h"
#include "model/host/msi_controller.h"
#include "model/pcie/config_space.h"
#include "model/pcie/type1_config.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace epvp::pcie {

using sc_core::sc_time;

namespace {
constexpr unsigned ecam_bus_shift = 20, ecam_dev_shift = 15, ecam_fn_shift = 12;
constexpr std::uint64_t ecam_bytes = 256ull << 20;
constexpr unsigned max_root_ports = 32; // devices on bus 0

std::vector<reg_def> root_port_table(const root_complex_params& p, unsigned port) {
    type1_params tp;
    tp.vendor_id = p.vendor_id;
    tp.device_id = p.device_id;
    tp.port_type = port_cfg::exp_type_root_port;
    tp.port_number = port;
    tp.max_gen = p.max_gen;
    tp.max_width = p.max_width;
    tp.mps_supported = p.mps_supported;
    tp.io_window = true;
    tp.dll_active_reporting = true;
    tp.root_control = true;
    tp.sec_status_fields = true;
    return type1_table(tp);
}
} // namespace

root_complex::root_complex(sc_core::sc_module_name name, const root_complex_params& p)
    : sc_module(name)
    , host_in("host_in")
    , pcie_tx("pcie_tx")
    , pcie_rx("pcie_rx")
    , msi_out("msi_out")
    , mem_out("mem_out")
    , p_(p)
    , requester_(basename(), 0, p.max_tags) {
    if (p.root_ports == 0 || p.root_ports > max_root_ports)
        throw std::invalid_argument(std::string(basename()) + ": root_ports must be 1.." +
                                    std::to_string(max_root_ports) + ", got " +
                                    std::to_string(p.root_ports));
    host_in.register_b_transport(this, &root_complex::host_b_transport);
    host_in.register_transport_dbg(this, &root_complex::host_dbg);
    pcie_rx.register_b_transport(this, &root_complex::rx_b_transport);
    for (unsigned i = 0; i < p.root_ports; ++i) {
        ports_.push_back(std::make_unique<root_port_state>(
            *this, i ? "RP" + std::to_string(i) : "RP", root_port_table(p, i)));
        ports_.back()->id = make_bdf(0, i, 0);
        root_port_state* rp = ports_.back().get();
        rp->regs.on_write(cfg::t1_bridge_control, [this, rp](std::uint32_t, std::uint32_t old_value,
                                                             std::uint32_t value) {
            const bool was = old_value & type1::bridge_control_sbr;
            const bool now = value & type1::bridge_control_sbr;
            if (was == now || !rp->control.size()) return;
            if (now) ++stats_.hot_resets;
            if (logger::get().enabled("host"))
                logger::get().info("host", rp->regs.name() + ": Secondary Bus Reset " +
                                               (now ? "asserted" : "released"));
            rp->control->hot_reset(now);
        });
        if (!i) {
            ports_.back()->socket = &pcie_tx;
            continue;
        }
        const std::string n = std::to_string(i);
        extra_tx_.push_back(std::make_unique<tlm_utils::simple_initiator_socket<root_complex>>(
            ("pcie_tx_" + n).c_str()));
        extra_rx_.push_back(std::make_unique<tlm_utils::simple_target_socket_tagged<root_complex>>(
            ("pcie_rx_" + n).c_str()));
        extra_rx_.back()->register_b_transport(this, &root_complex::rx_port, static_cast<int>(i));
        ports_.back()->socket = extra_tx_.back().get();
    }
}

tlm_utils::simple_initiator_socket<root_complex>& root_complex::tx(unsigned i) {
    if (i >= ports_.size())
        throw std::out_of_range(std::string(basename()) + ": no root port " + std::to_string(i));
    return *ports_[i]->socket;
}

tlm::tlm_target_socket<>& root_complex::rx(unsigned i) {
    if (i >= ports_.size())
        throw std::out_of_range(std::string(basename()) + ": no root port " + std::to_string(i));
    if (!i) return pcie_rx;
    return *extra_rx_[i - 1];
}

const reg_block& root_complex::root_port(unsigned i) const {
    if (i >= ports_.size())
        throw std::out_of_range(std::string(basename()) + ": no root port " + std::to_string(i));
    return ports_[i]->regs;
}

const root_complex::port_counters& root_complex::port_stats(unsigned i) const {
    if (i >= ports_.size())
        throw std::out_of_range(std::string(basename()) + ": no root port " + std::to_string(i));
    return ports_[i]->stats;
}

sc_core::sc_export<link_status_if>& root_complex::link_status(unsigned i) {
    if (i >= ports_.size())
        throw std::out_of_range(std::string(basename()) + ": no root port " + std::to_string(i));
    return ports_[i]->status;
}

sc_core::sc_port<link_control_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>&
root_complex::link_control(unsigned i) {
    if (i >= ports_.size())
        throw std::out_of_range(std::string(basename()) + ": no root port " + std::to_string(i));
    return ports_[i]->control;
}

void root_complex::root_port_state::link_state(bool up, unsigned gen, unsigned width) {
    link_is_up = up;
    type1::set_link_status(regs, up, gen, width);
}

void root_complex::root_port_state::link_dll_error(dll_error e, sc_time) {
    ++rc.stats_.correctable_errors;
    aer::record_correctable(regs, port_cfg::aer_layout,
                            e == dll_error::bad_tlp               ? aer::cor_bad_tlp
                            : e == dll_error::bad_dllp            ? aer::cor_bad_dllp
                            : e == dll_error::replay_num_rollover ? aer::cor_replay_rollover
                                                                  : aer::cor_replay_timeout);
}

bool root_complex::in_ram(std::uint64_t addr, std::uint64_t len) const {
    return mem_out.size() && addr >= p_.mem_base && addr - p_.mem_base <= p_.mem_size &&
           len <= p_.mem_size - (addr - p_.mem_base);
}
bool root_complex::msi_doorbell(std::uint64_t addr) const {
    return msi_out.size() && addr >= p_.msi_base &&
           addr - p_.msi_base < host::msi_controller::page_bytes;
}
bool root_complex::msi_regs(std::uint64_t addr) const {
    const std::uint64_t regs = p_.msi_base + host::msi_controller::page_bytes;
    return msi_out.size() && addr >= regs && addr - regs < host::msi_controller::page_bytes;
}

unsigned root_complex::host_dbg(tlm::tlm_generic_payload& gp) {
    if (!in_ram(gp.get_address(), gp.get_data_length())) return 0;
    return mem_out->transport_dbg(gp);
}

void root_complex::host_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    std::uint64_t a = gp.get_address();
    unsigned len = gp.get_data_length();
    if (in_ram(a, len)) {
        mem_out->b_transport(gp, delay);
        return;
    }
    if (msi_regs(a)) {
        msi_out->b_transport(gp, delay);
        return;
    }
    if (a >= p_.ecam_base && a - p_.ecam_base < ecam_bytes) {
        ecam_access(gp, delay);
        return;
    }
    bool in32 = a >= p_.mmio32_base && a - p_.mmio32_base < p_.mmio32_size;
    bool in64 = a >= p_.mmio64_base && a - p_.mmio64_base < p_.mmio64_size;
    if (in32 || in64) {
        mmio_access(gp, delay);
        return;
    }
    logger::get().guest_error("host", std::string(gp.is_read() ? "read " : "write ") + hex(a) +
                                          ": nothing decodes this host address");
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

int root_complex::port_for_address(std::uint64_t addr, std::uint64_t len) const {
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        const reg_block& rp = ports_[i]->regs;
        if (type1::memory_enabled(rp) && type1::in_windows(rp, addr, len))
            return static_cast<int>(i);
    }
    return -1;
}

int root_complex::port_for_bus(unsigned bus) const {
    for (std::size_t i = 0; i < ports_.size(); ++i)
        if (type1::bus_below(ports_[i]->regs, bus)) return static_cast<int>(i);
    return -1;
}

void root_complex::mmio_access(tlm::tlm_generic_payload& gp, sc_time& delay) {
    std::uint64_t a = gp.get_address();
    unsigned len = gp.get_data_length();
    const int port = port_for_address(a, len);
    if (port < 0 || !link_up(*ports_[static_cast<unsigned>(port)])) {
        ++stats_.master_aborts;
        logger::get().guest_error("host",
                                  std::string(gp.is_read() ? "read " : "write ") + hex(a) +
                                      ": outside the root port's enabled windows or link "
                                      "down (master abort)",
                                  "master-abort");
        if (gp.is_read()) std::memset(gp.get_data_ptr(), 0xFF, len);
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    root_port_state& rp = *ports_[static_cast<unsigned>(port)];
    auto& tx = rp.out;
    if (gp.is_write()) {
        bool ok = requester_.posted(tx, tlp_type::mwr, a, gp.get_data_ptr(), len, delay);
        gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    np_result r = requester_.request(tx, tlp_type::mrd, a, gp.get_data_ptr(), len, delay);
    if (r.completed && r.status == cpl_status::sc && !r.poisoned) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (r.poisoned) {
        logger::get().warning("host",
                              "MRd " + hex(a) + " len " + std::to_string(len) +
                                  ": completion poisoned (EP): data discarded",
                              "mrd-poisoned");
        std::memset(gp.get_data_ptr(), 0xFF, len);
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    (r.status == cpl_status::ca ? stats_.completer_aborts : stats_.unsupported)++;
    if (r.completed)
        rp.regs.set32(cfg::t1_io_base_status,
                      rp.regs.read32(cfg::t1_io_base_status) |
                          (r.status == cpl_status::ca ? type1::sec_status_rec_target_abort
                                                      : type1::sec_status_rec_master_abort));
    logger::get().warning("host",
                          "MRd " + hex(a) + " len " + std::to_string(len) + ": " +
                              (r.link_error ? std::string("not sent")
                               : !r.completed
                                   ? std::string("no completion")
                                   : std::string("completion status ") + to_string(r.status)),
                          "mrd-error");
    std::memset(gp.get_data_ptr(), 0xFF, len);
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
}

void root_complex::ecam_access(tlm::tlm_generic_payload& gp, sc_time& delay) {
    std::uint64_t off = gp.get_address() - p_.ecam_base;
    unsigned bus = (off >> ecam_bus_shift) & 0xFF;
    unsigned dev = (off >> ecam_dev_shift) & 0x1F;
    unsigned fn = (off >> ecam_fn_shift) & 0x7;
    std::uint32_t reg = off & cfg_reg_mask;
    unsigned len = gp.get_data_length();
    unsigned lane = off & 3;
    if (lane + len > dword_bytes) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    std::uint32_t byte_mask = byte_lane_mask(static_cast<std::uint32_t>(off), len);
    std::uint32_t wval = 0;
    if (gp.is_write())
        std::memcpy(reinterpret_cast<unsigned char*>(&wval) + lane, gp.get_data_ptr(), len);
    std::uint32_t rval = all_bits;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    ++stats_.cfg_requests;

    const int port = bus == 0 ? -1 : port_for_bus(bus);
    const unsigned secondary =
        port < 0 ? 0 : type1::secondary_bus(ports_[static_cast<unsigned>(port)]->regs);
    if (bus == 0) {
        if (dev < ports_.size() && fn == 0) {
            reg_block& rp = ports_[dev]->regs;
            if (gp.is_write())
                rp.write32(reg, wval, byte_mask, reg_writer::wire, false);
            else
                rval = rp.read32(reg);
        }
    } else if (port >= 0 && link_up(*ports_[static_cast<unsigned>(port)]) &&
               (bus != secondary || dev == 0)) {
        root_port_state& rp = *ports_[static_cast<unsigned>(port)];
        tlp_type type = bus == secondary ? (gp.is_write() ? tlp_type::cfgwr0 : tlp_type::cfgrd0)
                                         : (gp.is_write() ? tlp_type::cfgwr1 : tlp_type::cfgrd1);
        std::uint16_t target = make_bdf(bus, dev, fn);
        auto& tx = rp.out;
        const bool crs_sv =
            rp.regs.read32(port_cfg::exp_cap + cfg::exp_rootctl) & cfg::rootctl_crs_sv;
        sc_time waited = sc_core::SC_ZERO_TIME;
        for (;;) {
            std::uint32_t data = gp.is_write() ? wval : 0;
            // A configuration TLP is one dword; the byte enables select the bytes.
            np_result r =
                requester_.request(tx, type, reg, &data, dword_bytes, delay, target,
                                   static_cast<std::uint8_t>(0xF & (0xFu << lane)) &
                                       static_cast<std::uint8_t>((1u << (lane + len)) - 1));
            if (r.completed && r.status == cpl_status::crs) {
                // CRS Software Visibility answers only a read of both Vendor ID bytes (section
                // 2.3.2); any other configuration request is retried.
                if (!gp.is_write() && reg == cfg::vendor_id && (byte_mask & 0xFFFF) == 0xFFFF &&
                    crs_sv) {
                    ++stats_.crs_visible;
                    rval = 0xFFFF0000u | cfg::crs_vendor_id;
                    break;
                }
                if (waited >= p_.crs_timeout) {
                    logger::get().warning("host", "configuration request to " + bdf_string(target) +
                                                      " still answered CRS after " +
                                                      waited.to_string() + ": giving up");
                    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
                    break;
                }
                ++stats_.crs_retries;
                sc_core::wait(delay + p_.crs_retry);
                waited += delay + p_.crs_retry;
                delay = sc_core::SC_ZERO_TIME;
                continue;
            }
            if (r.poisoned) {
                // The data is bad: the read returns all-ones, as for an error.
                logger::get().warning("host",
                                      "configuration read of " + bdf_string(target) + " " +
                                          hex(reg) + ": completion poisoned (EP): all-ones",
                                      "cfg-poisoned");
            } else if (r.completed && r.status == cpl_status::sc) {
                if (!gp.is_write()) rval = data;
            } else {
                ++stats_.unsupported;
                if (!gp.is_write())
                    gp.set_response_status(tlm::TLM_OK_RESPONSE); // all-ones, as a PC reads it
            }
            break;
        }
    }
    if (gp.is_read()) {
        rval >>= 8 * lane;
        std::memcpy(gp.get_data_ptr(), &rval, len);
    }
}

void root_complex::reject(root_port_state& in, std::uint32_t aer_bit, const std::string& why,
                          tlm::tlm_generic_payload& gp, pcie_tlp& t, sc_time& delay,
                          root_port_state* back) {
    aer::record_uncorrectable(in.regs, port_cfg::aer_layout, aer_bit, &gp);
    if (aer_bit == aer::unc_unexpected_completion)
        ++in.stats.unexpected_completions;
    else
        ++in.stats.unsupported;
    const bool np = is_non_posted_request(t.type);
    logger::get().warning("host",
                          in.regs.name() + ": " + to_string(t.type) + " " + hex(gp.get_address()) +
                              " from " + bdf_string(t.requester_id) + ": " + why +
                              (np ? " (UR completion)" : " (dropped)"),
                          in.regs.name() + why);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (!np) return;
    completer_params cp;
    cp.completer_id = in.id;
    send_completion((back ? back : &in)->out, cp, gp, t, cpl_status::ur, nullptr, delay);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void root_complex::poisoned(root_port_state& in, tlm::tlm_generic_payload& gp, const pcie_tlp& t) {
    ++stats_.poisoned_tlps;
    aer::record_uncorrectable(in.regs, port_cfg::aer_layout, aer::unc_poisoned_tlp, &gp);
    logger::get().warning("host",
                          in.regs.name() + ": poisoned " + to_string(t.type) + " " +
                              hex(gp.get_address()) + " from " +
                              bdf_string(is_completion(t.type) ? t.completer_id : t.requester_id) +
                              (t.type == tlp_type::mwr ? ": Poisoned TLP Received, write dropped"
                                                       : ": Poisoned TLP Received, data bad"),
                          "poisoned");
}

void root_complex::route_p2p(root_port_state& in, int to, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                             sc_time& delay) {
    const bool completion = is_completion(t.type);
    const std::uint32_t err =
        completion ? aer::unc_unexpected_completion : aer::unc_unsupported_request;
    if (to < 0) {
        reject(in, err, "no root port routes it", gp, t, delay);
        return;
    }
    if (!completion && !type1::bus_master(in.regs)) {
        reject(in, err, "Bus Master Enable clear", gp, t, delay);
        return;
    }
    root_port_state& out = *ports_[static_cast<unsigned>(to)];
    if (&out == &in) {
        if (!p_.p2p_reflect) {
            ++in.stats.route_to_self;
            reject(in, err, "route-to-self: the target is below the root port it came in by", gp, t,
                   delay);
            return;
        }
        ++in.stats.p2p_reflected;
    } else if (!p_.p2p_between_root_ports) {
        ++in.stats.p2p_blocked;
        reject(in, err, "peer-to-peer between root ports is not routed", gp, t, delay);
        return;
    } else {
        ++in.stats.p2p_forwarded;
    }
    delay += p_.p2p_forward_latency;
    out.out.b_transport(gp, delay);
    if (gp.get_response_status() == tlm::TLM_OK_RESPONSE) return;
    // The egress port's link is down: that port handles the request as UR (it logs it), and the
    // requester gets the completion back the way the request came.
    reject(out, err, "link down, not delivered", gp, t, delay, &in);
}

void root_complex::rx_port(int port, tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie_tlp& t = tlp_of(gp);
    root_port_state& in = *ports_[static_cast<unsigned>(port)];
    // Burst mode: the transaction stands for several TLPs.
    const std::uint64_t tlps = t.burst ? t.burst->pieces.size() : 1;
    in.stats.tlps_in += tlps;
    if (has_data(t.type)) in.stats.bytes_in += gp.get_data_length();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    std::uint64_t a = gp.get_address();
    unsigned len = gp.get_data_length();
    const bool ram = in_ram(a, len);
    if ((t.type == tlp_type::mwr || t.type == tlp_type::mrd) && !ram &&
        !(t.type == tlp_type::mwr && msi_doorbell(a))) {
        const int to = port_for_address(a, len);
        if (to >= 0) {
            route_p2p(in, to, gp, t, delay);
            return;
        }
    }
    switch (t.type) {
    case tlp_type::cpl:
    case tlp_type::cpld:
        if ((t.requester_id >> id_bus_shift) == 0) {
            if (t.poisoned) poisoned(in, gp, t);
            requester_.accept_completion(gp, delay);
            return;
        }
        route_p2p(in, port_for_bus(t.requester_id >> id_bus_shift), gp, t, delay);
        return;
    case tlp_type::mwr:
        stats_.inbound_writes += tlps;
        // A memory request in the upstream direction with Bus Master Enable clear is UR at the
        // root port (PCIe Base Spec, Type 1 Command register): an MSI is a memory write too.
        if (!type1::bus_master(in.regs)) {
            reject(in, aer::unc_unsupported_request, "Bus Master Enable clear", gp, t, delay);
            return;
        }
        if (t.poisoned) {
            poisoned(in, gp, t); // not written (nor taken as an MSI)
            return;
        }
        if (msi_doorbell(a)) {
            ++stats_.msi_messages;
            msi_out->b_transport(gp, delay); // the MWr it is
            return;
        }
        if (ram) {
            mem_out->b_transport(gp, delay);
            gp.set_response_status(tlm::TLM_OK_RESPONSE);
        } else {
            reject(in, aer::unc_unsupported_request, "not host memory", gp, t, delay);
        }
        return;
    case tlp_type::mrd: {
        stats_.inbound_reads += tlps;
        completer_params cp;
        cp.completer_id = 0;
        cp.rcb_bytes = p_.rcb_bytes;
        cp.mps_bytes = type1::mps_bytes(in.regs);
        delay += p_.read_latency;
        auto& tx = in.out;
        if (!type1::bus_master(in.regs) || !ram) {
            reject(in, aer::unc_unsupported_request,
                   type1::bus_master(in.regs) ? "not host memory" : "Bus Master Enable clear", gp,
                   t, delay);
            return;
        }
        const std::uint64_t n = stats_.inbound_reads;
        if (n == p_.drop_completion_nth_read) {
            ++stats_.injected_faults;
            logger::get().warning("host", "fault injection: no completion for inbound MRd #" +
                                              std::to_string(n) + " (" + hex(a) + ")");
            return;
        }
        if (n == p_.ur_nth_read || n == p_.ca_nth_read) {
            ++stats_.injected_faults;
            const cpl_status st = n == p_.ur_nth_read ? cpl_status::ur : cpl_status::ca;
            logger::get().warning("host", std::string("fault injection: ") + to_string(st) +
                                              " completion for inbound MRd #" + std::to_string(n) +
                                              " (" + hex(a) + ")");
            send_completion(tx, cp, gp, t, st, nullptr, delay);
            return;
        }
        if (read_buf_.size() < len) read_buf_.resize(len);
        pooled_payload pooled_rd;
        tlm::tlm_generic_payload& rd = *pooled_rd;
        rd.set_command(tlm::TLM_READ_COMMAND);
        rd.set_address(a);
        rd.set_data_ptr(read_buf_.data());
        rd.set_data_length(len);
        rd.set_streaming_width(len);
        rd.set_byte_enable_ptr(nullptr);
        rd.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time at = sc_core::SC_ZERO_TIME; // host memory answers in zero time
        mem_out->b_transport(rd, at);
        if (t.burst)
            send_completion_burst(tx, cp, gp, t, read_buf_.data(), p_.read_latency, cpl_burst_);
        else
            send_completion(tx, cp, gp, t, cpl_status::sc, read_buf_.data(), delay);
        return;
    }
    case tlp_type::msg: {
        const auto code = static_cast<unsigned>(t.code);
        const auto assert_a = static_cast<unsigned>(msg_code::assert_inta);
        if (code >= assert_a && code <= static_cast<unsigned>(msg_code::deassert_intd)) {
            ++stats_.intx_messages;
            if (msi_out.size()) {
                msi_out->b_transport(gp, delay); // the Msg it is
                gp.set_response_status(tlm::TLM_OK_RESPONSE);
            }
            return;
        }
        if (code == static_cast<unsigned>(msg_code::err_cor) ||
            code == static_cast<unsigned>(msg_code::err_nonfatal) ||
            code == static_cast<unsigned>(msg_code::err_fatal)) {
            (code == static_cast<unsigned>(msg_code::err_cor)        ? stats_.err_cor_messages
             : code == static_cast<unsigned>(msg_code::err_nonfatal) ? stats_.err_nonfatal_messages
                                                                     : stats_.err_fatal_messages)++;
            if (code == static_cast<unsigned>(msg_code::err_cor)) {
                // Corrected in hardware: counted and logged, not a problem of the run.
                if (logger::get().enabled("host"))
                    logger::get().info("host", "ERR_COR from " + bdf_string(t.requester_id));
            } else {
                logger::get().warning(
                    "host", "error message " + hex(code) + " from " + bdf_string(t.requester_id),
                    "err-msg");
            }
            return;
        }
        if (logger::get().enabled("host"))
            logger::get().info("host", "message code " + hex(code) + " from " +
                                           bdf_string(t.requester_id) + " ignored");
        return;
    }
    default:
        if (logger::get().enabled("host"))
            logger::get().info("host", std::string("received ") + to_string(t.type) + " from " +
                                           bdf_string(t.requester_id));
        return;
    }
}

} // namespace epvp::pcie

#include "dwc/dw_pcie_ep.h"
#include "core/payload_pool.h"

#include "core/log.h"
#include "core/trace_events.h"
#include "dwc/app_regs.h"
#include "pcie/config_space.h"
#include "soc/soc_attr.h"

#include <cstring>
#include <vector>

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

namespace {
constexpr unsigned dword = 4;
constexpr std::uint32_t cfg_space_bytes = 0x1000;
constexpr std::uint32_t cfg_offset_mask = cfg_space_bytes - dword;
constexpr unsigned completer_rcb_bytes = 128;
constexpr std::uint32_t devctl_mps_shift = 5;
constexpr std::uint32_t devctl_mrrs_shift = 12;
constexpr std::uint32_t training_phases = 4;      // detect, polling, configuration (x2)
constexpr std::uint32_t legacy_edma_base = 0x970; // PCIE_DMA_VIEWPORT_BASE
constexpr std::uint32_t legacy_edma_end = 0xB00;
constexpr std::uint32_t edma_space_bytes = 0x80000;
constexpr std::uint32_t all_ones = 0xFFFFFFFFu;
constexpr std::uint32_t devctl_initiate_flr = 1u << 15; // Device Control: Initiate FLR (write 1)
constexpr std::uint32_t devcap_flr_capable = 1u << 28;

// --trace: one event per translated request on the iATU's track of its direction, from the
// time the request entered the iATU to the time it left translated.
void trace_translation(const char* dir, const iatu_hit& hit, std::uint64_t in_addr,
                       std::uint64_t out_addr, const sc_time& entered, const sc_time& left) {
    trace::recorder* tr = trace::recorder::active();
    if (!tr) return;
    const sc_time ps(1, sc_core::SC_PS);
    tr->complete(tr->track("iATU", dir), hit.hit ? "window " + std::to_string(hit.index) : "miss",
                 static_cast<std::uint64_t>(entered / ps),
                 static_cast<std::uint64_t>((left > entered ? left - entered : sc_time()) / ps),
                 {{"in", hex(in_addr)}, {"out", hex(out_addr)}});
}

std::uint32_t be_to_mask(std::uint8_t be) {
    std::uint32_t m = 0;
    for (unsigned i = 0; i < dword; ++i)
        if (be & (1u << i)) m |= 0xFFu << (8 * i);
    return m;
}
} // namespace

dw_pcie_ep::dw_pcie_ep(sc_core::sc_module_name name, const dw_pcie_ep_params& p)
    : sc_module(name)
    , dbi("dbi")
    , app("app")
    , pcie_rx("pcie_rx")
    , pcie_tx("pcie_tx")
    , axi_m("axi_m")
    , axi_s("axi_s")
    , app_irq("app_irq")
    , edma_irq("edma_irq")
    , p_(p)
    , dbi_("DBI", dbi_table(p.dbi))
    , dbi2_("DBI2", dbi2_table(p.dbi))
    , app_regs_("APP", app::table())
    , atu_(p.iatu)
    , requester_(std::string(basename()), 0, p.max_tags) {
    dbi.register_b_transport(this, &dw_pcie_ep::dbi_b_transport);
    app.register_b_transport(this, &dw_pcie_ep::app_b_transport);
    pcie_rx.register_b_transport(this, &dw_pcie_ep::rx_b_transport);
    axi_s.register_b_transport(this, &dw_pcie_ep::axi_s_b_transport);
    ob_busy_until_.assign(p.iatu.outbound_windows, sc_core::SC_ZERO_TIME);
    ib_busy_until_.assign(p.iatu.inbound_windows, sc_core::SC_ZERO_TIME);

    // Resizable BAR: writing the capability register makes the controller select that size.
    const auto rebars = resizable_bars(p.dbi);
    for (unsigned i = 0; i < rebars.size(); ++i) {
        dbi_.on_write(rebar_entry_cap(i), [this, i](std::uint32_t, std::uint32_t,
                                                    std::uint32_t nv) {
            std::uint32_t sizes = nv >> rebar_cap_first_size_bit;
            if (!sizes) return;
            std::uint32_t code = 0;
            while (!(sizes & (1u << code)))
                ++code;
            dbi_.set_bits(rebar_entry_ctrl(i), rebar_ctrl_size_mask, code << rebar_ctrl_size_shift);
        });
    }
    app_regs_.on_write(app::ctrl, [this](std::uint32_t, std::uint32_t, std::uint32_t nv) {
        if (nv & app::ctrl_flr_done) {
            // app_flr_pf_done: the firmware has re-initialised its function (self-clearing).
            app_regs_.set_bits(app::ctrl, app::ctrl_flr_done, 0);
            app_regs_.set_bits(app::status, app::status_flr_active, 0);
            logger::get().info("dwc", std::string(basename()) + ": FLR done (app_flr_pf_done)");
        }
        // At the write's own time (the writer may run ahead of the kernel's time).
        ltssm_kick_.notify(access_delay_);
        update_intx();
    });
    app_regs_.on_write(app::irq_status,
                       [this](std::uint32_t, std::uint32_t, std::uint32_t) { update_app_irq(); });
    app_regs_.on_write(app::irq_enable,
                       [this](std::uint32_t, std::uint32_t, std::uint32_t) { update_app_irq(); });
    if (p.edma_write_channels || p.edma_read_channels) {
        edma_params ep{p.edma_unrolled, p.edma_write_channels, p.edma_read_channels, *this,
                       p.quantum};
        ep.axi_burst_bytes = p.edma_axi_burst_bytes;
        ep.axi_outstanding_reads = p.edma_axi_outstanding_reads;
        ep.staging_buffer_bytes = p.edma_staging_buffer_bytes;
        ep.rd_outstanding_mrd = p.edma_rd_outstanding_mrd;
        edma_ = std::make_unique<dwc::edma>("edma", ep);
    }
    SC_THREAD(ltssm_thread);
    SC_THREAD(err_cor_thread);
    SC_METHOD(drive_app_irq);
    sensitive << app_irq_changed_;
    dont_initialize();
    SC_METHOD(drive_edma_irq);
    sensitive << edma_irq_changed_;
    dont_initialize();
}

void dw_pcie_ep::attach_link(pcie::pcie_link& link) {
    link_ = &link;
    link.on_state_change([this](bool up) {
        if (!up) ltssm_kick_.notify(sc_core::SC_ZERO_TIME);
    });
    using dll = pcie::pcie_link::dll_error;
    link.on_dll_error([this](pcie::pcie_link::direction d, dll e, sc_time when) {
        // The endpoint receives downstream TLPs and transmits upstream ones.
        const bool receiver = d == pcie::pcie_link::downstream;
        if ((e == dll::bad_tlp) != receiver) return;
        const std::uint32_t bit = e == dll::bad_tlp               ? aer_cor_bad_tlp
                                  : e == dll::bad_dllp            ? aer_cor_bad_dllp
                                  : e == dll::replay_num_rollover ? aer_cor_replay_rollover
                                                                  : aer_cor_replay_timeout;
        aer_correctable(bit, when);
    });
}

std::uint16_t dw_pcie_ep::requester_id() const {
    return pcie::make_bdf(bus_, dev_, 0);
}

void dw_pcie_ep::set_perst(bool asserted) {
    perst_asserted_ = asserted;
    app_regs_.set_bits(app::status, app::status_perst_deasserted,
                       asserted ? 0 : app::status_perst_deasserted);
    if (!asserted) raise_app_irq(app::irq_perst_deassert);
    ltssm_kick_.notify(sc_core::SC_ZERO_TIME);
}

void dw_pcie_ep::raise_app_irq(std::uint32_t bits) {
    app_regs_.set32(app::irq_status, app_regs_.read32(app::irq_status) | bits);
    update_app_irq();
}

void dw_pcie_ep::update_app_irq() {
    bool level = (app_regs_.read32(app::irq_status) & app_regs_.read32(app::irq_enable)) != 0;
    if (level != app_irq_level_) {
        app_irq_level_ = level;
        app_irq_changed_.notify(sc_core::SC_ZERO_TIME);
    }
}

void dw_pcie_ep::drive_app_irq() {
    app_irq.write(app_irq_level_);
}

void dw_pcie_ep::link_down_reset() {
    ++stats_.link_down_resets;
    dbi_.reset(false); // non-sticky registers only (the table's sticky column)
    bus_ = dev_ = 0;
    intx_sent_ = false;
    dbi_.set_bits(port_debug1, port_debug1_in_training | port_debug1_link_up, 0);
    app_regs_.set_bits(app::status, app::status_link_up | app::status_flr_active, 0);
    logger::get().info("ltssm", std::string(basename()) +
                                    ": link down: non-sticky registers reset to their defaults");
}

void dw_pcie_ep::function_level_reset() {
    ++stats_.function_level_resets;
    // The function's state resets; the link's does not (it stays in L0, trained as it was).
    const std::uint32_t keep[] = {exp_cap + c::exp_lnkctl, port_debug0, port_debug1};
    std::uint32_t kept[sizeof keep / sizeof keep[0]];
    for (unsigned i = 0; i < sizeof keep / sizeof keep[0]; ++i)
        kept[i] = dbi_.read32(keep[i]);
    dbi_.reset(false);
    for (unsigned i = 0; i < sizeof keep / sizeof keep[0]; ++i)
        dbi_.set32(keep[i], kept[i]);
    // In-flight work of the function is discarded.
    if (edma_) edma_->stop_all("Function-Level Reset");
    if (intx_sent_) {
        requester_.set_requester_id(requester_id());
        sc_time d = access_delay_;
        requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::msg, 0, nullptr, 0, d,
                          pcie::msg_code::deassert_inta);
        intx_sent_ = false;
        ++stats_.intx_messages;
    }
    app_regs_.set_bits(app::status, app::status_flr_active, app::status_flr_active);
    raise_app_irq(app::irq_flr);
    logger::get().info("dwc", std::string(basename()) +
                                  ": Function-Level Reset: non-sticky function registers reset; "
                                  "configuration requests get CRS until the firmware is done");
}

void dw_pcie_ep::poisoned_received(const tlm::tlm_generic_payload& gp, const pcie::pcie_tlp& t,
                                   sc_time& delay) {
    ++stats_.poisoned_tlps;
    const std::uint64_t addr = gp.get_address();
    logger::get().warning(
        "dwc",
        std::string(basename()) + ": poisoned " + pcie::to_string(t.type) + " " + hex(addr) +
            " from " +
            pcie::bdf_string(pcie::is_completion(t.type) ? t.completer_id : t.requester_id) +
            (t.type == pcie::tlp_type::mwr ? ": Poisoned TLP Received, not written"
                                           : ": Poisoned TLP Received, data discarded"),
        "poisoned");
    aer_uncorrectable(aer_uncor_poisoned_tlp, &gp, delay);
}

void dw_pcie_ep::set_ltssm(ltssm s) {
    ltssm_ = s;
    dbi_.set_bits(port_debug0, port_debug0_ltssm_mask, static_cast<std::uint32_t>(s));
    app_regs_.set_bits(app::status, app::status_ltssm_mask,
                       static_cast<std::uint32_t>(s) << app::status_ltssm_shift);
    logger::get().info("ltssm", std::string(basename()) + ": " + to_string(s));
    if (on_ltssm_) on_ltssm_(s);
}

void dw_pcie_ep::ltssm_thread() {
    const sc_time phase = p_.training_time / training_phases;
    for (;;) {
        sc_core::wait(ltssm_kick_);
        bool enable = app_regs_.read32(app::ctrl) & app::ctrl_ltssm_enable;
        if (ltssm_ == ltssm::l0 && link_ && !link_->is_up()) {
            // The link was lost under us (surprise down): Recovery fails, back to Detect. The
            // Data Link Layer reports DL_Down: a link-down reset of the non-sticky registers.
            // A hot reset (the partner's training sets with Hot Reset) goes through Hot Reset;
            // otherwise Recovery fails.
            const bool hot = link_->hot_reset_received();
            if (hot) ++stats_.hot_resets;
            set_ltssm(hot ? ltssm::hot_reset : ltssm::recovery_lock);
            link_down_reset();
            set_ltssm(ltssm::detect_quiet);
            raise_app_irq(app::irq_link_down);
            if (!link_->partner_present()) sc_core::wait(link_->partner_back());
            ltssm_kick_.notify(sc_core::SC_ZERO_TIME);
            continue;
        }
        if (enable && !perst_asserted_ && ltssm_ == ltssm::detect_quiet &&
            (!link_ || link_->partner_present())) {
            dbi_.set_bits(port_debug1, port_debug1_in_training, port_debug1_in_training);
            dbi_.set_bits(exp_cap + c::exp_lnkctl, c::lnksta_training, c::lnksta_training);
            set_ltssm(ltssm::detect_act);
            sc_core::wait(phase);
            set_ltssm(ltssm::pol_active);
            sc_core::wait(phase);
            set_ltssm(ltssm::cfg_linkwd_start);
            sc_core::wait(2 * phase);
            // The endpoint's side: Link Capabilities, LINK_MODE and the target speed.
            std::uint32_t lnkcap = dbi_.read32(exp_cap + c::exp_lnkcap);
            unsigned cap_gen = lnkcap & 0xF;
            unsigned cap_width = (lnkcap >> 4) & 0x3F;
            unsigned mode_width = width_for_link_mode(
                (dbi_.read32(port_link_control) & port_link_mode_mask) >> port_link_mode_shift);
            unsigned target = dbi_.read32(exp_cap + c::exp_lnkctl2) & 0xF;
            unsigned gen = std::max(1u, std::min(cap_gen, target ? target : cap_gen));
            unsigned width = std::max(1u, std::min(cap_width, mode_width));
            if (link_) link_->train(gen, width);
            unsigned lgen = link_ ? link_->gen() : gen, lwidth = link_ ? link_->width() : width;
            dbi_.set_bits(exp_cap + c::exp_lnkctl, 0xFFFF0000u & ~c::lnksta_slot_clock,
                          (lgen << c::lnksta_speed_shift) | (lwidth << c::lnksta_width_shift) |
                              c::lnksta_dlla);
            dbi_.set_bits(port_debug1, port_debug1_in_training | port_debug1_link_up,
                          port_debug1_link_up);
            set_ltssm(ltssm::l0);
            app_regs_.set_bits(app::status, app::status_link_up, app::status_link_up);
            raise_app_irq(app::irq_link_up);
        } else if ((!enable || perst_asserted_) && ltssm_ != ltssm::detect_quiet) {
            if (link_) link_->down();
            dbi_.set_bits(port_debug1, port_debug1_in_training | port_debug1_link_up, 0);
            dbi_.set_bits(exp_cap + c::exp_lnkctl, c::lnksta_dlla | c::lnksta_training, 0);
            set_ltssm(ltssm::detect_quiet);
            app_regs_.set_bits(app::status, app::status_link_up, 0);
            raise_app_irq(app::irq_link_down);
        }
    }
}

// The iATU's registers are DBI registers: its register port (the RTL iATU's APB) works inside
// the DBI access time the controller charges (dwc.dbi_access_ns), from the access's start; the
// access ends at its own end, or when the port is done if that is later. So a port that takes
// no time (the TLM iATU) and one that takes a few clock cycles (the RTL's APB transfer) give the
// access the same end, and the iATU implementation changes no result.
void dw_pcie_ep::within_dbi_access(sc_time& delay, const std::function<void(sc_time&)>& port) {
    const sc_time end = sc_core::sc_time_stamp() + delay;
    sc_time d = delay > p_.dbi_access ? delay - p_.dbi_access : sc_core::SC_ZERO_TIME;
    port(d);
    const sc_time now = sc_core::sc_time_stamp();
    delay = std::max(end, now + d) - now;
}

std::uint64_t dw_pcie_ep::access_ps() const {
    return static_cast<std::uint64_t>((sc_core::sc_time_stamp() + access_delay_).value());
}

void dw_pcie_ep::log_reg(const char* who, bool write, const reg_block& blk, std::uint32_t off,
                         std::uint32_t value) {
    if (!logger::get().enabled(reg_log_category)) return;
    log_reg_access(access_ps(), who, write, off, blk.decode(off, value));
}

// ---------------------------------------------------------------------------------------------
// DBI aperture (EP CPU side)

std::uint32_t dw_pcie_ep::dbi_read32(std::uint32_t off) {
    if (off >= legacy_edma_base && off < legacy_edma_end) {
        // The legacy eDMA viewport; cores without it (unrolled or no eDMA) read all-ones.
        if (!edma_ || p_.edma_unrolled) return all_ones;
        return edma_->read32(off - legacy_edma_base);
    }
    if (p_.edma_unrolled && off >= p_.edma_offset && off < p_.edma_offset + edma_space_bytes)
        return edma_ ? edma_->read32(off - p_.edma_offset) : all_ones;
    if (off < dbi_function_size) {
        if (off == atu_viewport) return atu_.read_viewport();
        if (off == msix_doorbell) return 0; // write-only
        if (!p_.iatu.unrolled && off >= atu_viewport_window &&
            off < atu_viewport_window + atu_viewport_size)
            return atu_.read_viewport_window(off - atu_viewport_window);
        if (!dbi_.has(off)) {
            logger::get().unimplemented_once(
                "dbi", hex(off), "DBI offset " + hex(off, 3) + " not modelled: reads 0");
            return 0;
        }
        std::uint32_t v = dbi_.read32(off);
        log_reg("ep-cpu", false, dbi_, off, v);
        return v;
    }
    if (off >= p_.dbi2_offset && off < p_.dbi2_offset + dbi_function_size) {
        std::uint32_t o = off - p_.dbi2_offset;
        if (!dbi2_.has(o)) {
            logger::get().unimplemented_once("dbi", hex(off),
                                             "DBI2 offset " + hex(o, 3) + " not modelled: reads 0");
            return 0;
        }
        return dbi2_.read32(o);
    }
    if (p_.iatu.unrolled && off >= p_.atu_offset && off < p_.atu_offset + p_.atu_space_bytes) {
        sc_time local = access_delay_;
        std::uint32_t v = 0;
        within_dbi_access(dbi_delay_ ? *dbi_delay_ : local,
                          [&](sc_time& d) { v = unit_->read_reg(off - p_.atu_offset, d); });
        return v;
    }
    logger::get().unimplemented_once("dbi", hex(off),
                                     "DBI aperture offset " + hex(off) + " not modelled: reads 0");
    return 0;
}

void dw_pcie_ep::dbi_write32(std::uint32_t off, std::uint32_t value, std::uint32_t byte_mask) {
    auto report_atu = [&](const iatu_write_result& r, const std::string& where) {
        if (!r.warning.empty()) logger::get().warning("iatu", r.warning);
        if (logger::get().enabled(reg_log_category))
            log_reg_access(access_ps(), "ep-cpu", true, off, where + "=" + hex(value, 8));
    };
    const bool ro_wr_en = dbi_.read32(misc_control_1) & misc_dbi_ro_wr_en;
    if (off >= legacy_edma_base && off < legacy_edma_end) {
        if (edma_ && !p_.edma_unrolled) {
            const std::uint32_t o = off - legacy_edma_base;
            edma_->write32(o, (edma_->peek32(o) & ~byte_mask) | (value & byte_mask), access_delay_);
        }
        return;
    }
    if (p_.edma_unrolled && off >= p_.edma_offset && off < p_.edma_offset + edma_space_bytes) {
        if (edma_) {
            const std::uint32_t o = off - p_.edma_offset;
            edma_->write32(o, (edma_->peek32(o) & ~byte_mask) | (value & byte_mask), access_delay_);
        }
        return;
    }
    if (off < dbi_function_size) {
        if (off == atu_viewport) {
            atu_.write_viewport(value);
            report_atu({}, "IATU.VIEWPORT");
            return;
        }
        if (!p_.iatu.unrolled && off >= atu_viewport_window &&
            off < atu_viewport_window + atu_viewport_size) {
            std::uint32_t reg = off - atu_viewport_window;
            const std::uint32_t vp = atu_.read_viewport();
            check_in_flight((vp & iatu_reg::viewport_dir_inbound) ? iatu_dir::inbound
                                                                  : iatu_dir::outbound,
                            vp & ~iatu_reg::viewport_dir_inbound, iatu::reg_name(reg));
            report_atu(atu_.write_viewport_window(reg, value), std::string("IATU[viewport ") +
                                                                   hex(atu_.read_viewport(), 8) +
                                                                   "]." + iatu::reg_name(reg));
            return;
        }
        if (off == msix_doorbell) {
            if (logger::get().enabled(reg_log_category))
                log_reg_access(access_ps(), "ep-cpu", true, off, "MSIX_DOORBELL=" + hex(value, 8));
            if (byte_mask == all_ones)
                msix_doorbell_write(value);
            else
                logger::get().guest_error("dbi", "MSIX_DOORBELL written with a partial width: "
                                                 "ignored");
            return;
        }
        std::uint32_t before = dbi_.read32(off);
        if (!dbi_.write32(off, value, byte_mask, reg_writer::dbi, ro_wr_en)) {
            logger::get().unimplemented_once(
                "dbi", hex(off), "DBI offset " + hex(off, 3) + " not modelled: write ignored");
            return;
        }
        std::uint32_t after = dbi_.read32(off);
        log_reg("ep-cpu", true, dbi_, off, after);
        const reg_def* d = dbi_.find(off);
        std::uint32_t wanted = (value & byte_mask & ~d->w1c) | (before & ~byte_mask);
        if (!ro_wr_en && (wanted & d->ro_wr & ~d->rw) != (before & d->ro_wr & ~d->rw))
            logger::get().guest_error("dbi", std::string("write to read-only field of ") + d->name +
                                                 " = " + hex(value, 8) +
                                                 " without MISC_CONTROL_1.DBI_RO_WR_EN: ignored");
        return;
    }
    if (off >= p_.dbi2_offset && off < p_.dbi2_offset + dbi_function_size) {
        std::uint32_t o = off - p_.dbi2_offset;
        if (!dbi2_.write32(o, value, byte_mask, reg_writer::dbi, ro_wr_en)) {
            logger::get().unimplemented_once(
                "dbi", hex(off), "DBI2 offset " + hex(o, 3) + " not modelled: write ignored");
            return;
        }
        log_reg("ep-cpu", true, dbi2_, o, dbi2_.read32(o));
        return;
    }
    if (p_.iatu.unrolled && off >= p_.atu_offset && off < p_.atu_offset + p_.atu_space_bytes) {
        std::uint32_t o = off - p_.atu_offset;
        bool inbound = o & iatu_reg::inbound_offset;
        check_in_flight(inbound ? iatu_dir::inbound : iatu_dir::outbound,
                        o / iatu_reg::region_bytes, iatu::reg_name(o % iatu_reg::inbound_offset));
        sc_time local = access_delay_;
        iatu_write_result r;
        within_dbi_access(dbi_delay_ ? *dbi_delay_ : local,
                          [&](sc_time& d) { r = unit_->write_reg(o, value, d); });
        report_atu(r, std::string("IATU.") + (inbound ? "IB" : "OB") +
                          std::to_string(o / iatu_reg::region_bytes) + "." +
                          iatu::reg_name(o % iatu_reg::inbound_offset));
        return;
    }
    logger::get().unimplemented_once(
        "dbi", hex(off), "DBI aperture offset " + hex(off) + " not modelled: write ignored");
}

// One handler for every 32-bit register port: 1/2/4-byte accesses inside a dword, or aligned
// 8-byte accesses as two dwords. Anything else is a slave error.
template <typename Read, typename Write>
static void dword_access(tlm::tlm_generic_payload& gp, Read rd, Write wr) {
    std::uint64_t addr = gp.get_address();
    unsigned len = gp.get_data_length();
    unsigned char* data = gp.get_data_ptr();
    bool ok_small = (len == 1 || len == 2 || len == dword) && (addr % dword) + len <= dword;
    bool ok_wide = len == 2 * dword && addr % (2 * dword) == 0;
    if ((!ok_small && !ok_wide) || gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    for (unsigned done = 0; done < len; done += dword) {
        std::uint32_t a = static_cast<std::uint32_t>(addr + done);
        unsigned n = std::min(len - done, dword);
        std::uint32_t shift = lane_shift(a);
        std::uint32_t mask = byte_lane_mask(a, n);
        if (gp.is_read()) {
            std::uint32_t v = rd(a & ~3u) >> shift;
            std::memcpy(data + done, &v, n);
        } else {
            std::uint32_t v = 0;
            std::memcpy(&v, data + done, n);
            wr(a & ~3u, v << shift, mask);
        }
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void dw_pcie_ep::dbi_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (gp.get_address() >= p_.dbi_aperture_bytes) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += p_.dbi_access;
    access_delay_ = delay;
    dbi_delay_ = &delay;
    access_delay_ref_ = &delay;
    dword_access(
        gp, [this](std::uint32_t a) { return dbi_read32(a); },
        [this](std::uint32_t a, std::uint32_t v, std::uint32_t m) { dbi_write32(a, v, m); });
    dbi_delay_ = nullptr;
    access_delay_ref_ = nullptr;
}

void dw_pcie_ep::posted_side_effect(const std::function<void(sc_time&)>& work) {
    // The work may read memory; the memory controller then synchronises this thread to the
    // read's start, which is the access's own time. The access still ends at its own time (the
    // writer does not wait for its side effects), so its delay is set again relative to the
    // thread's new time. Another access may have been handled meanwhile: this one's state is
    // restored.
    const sc_time end = sc_core::sc_time_stamp() + access_delay_;
    sc_time* const ref = access_delay_ref_;
    sc_time* const dbi = dbi_delay_;
    sc_time d = access_delay_;
    work(d);
    const sc_time now = sc_core::sc_time_stamp();
    access_delay_ = end > now ? end - now : sc_core::SC_ZERO_TIME;
    access_delay_ref_ = ref;
    dbi_delay_ = dbi;
    if (ref) *ref = access_delay_;
}

void dw_pcie_ep::app_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (gp.get_address() >= app::block_bytes) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += p_.dbi_access;
    access_delay_ = delay;
    dword_access(
        gp,
        [this](std::uint32_t a) {
            std::uint32_t v = app_regs_.read32(a);
            log_reg("ep-cpu", false, app_regs_, a, v);
            return v;
        },
        [this](std::uint32_t a, std::uint32_t v, std::uint32_t m) {
            if (!app_regs_.write32(a, v, m, reg_writer::dbi, false))
                logger::get().guest_error("app", "write to unmapped glue offset " + hex(a, 3));
            else
                log_reg("ep-cpu", true, app_regs_, a, app_regs_.read32(a));
        });
}

// ---------------------------------------------------------------------------------------------
// Configuration space as the host sees it

bool dw_pcie_ep::bar_is_upper_half(unsigned bar) const {
    if (bar == 0) return false;
    std::uint32_t prev = dbi_.read32(c::bar0 + 4 * (bar - 1));
    return (prev & c::bar_type_64) && !bar_is_upper_half(bar - 1) &&
           (dbi2_.read32(c::bar0 + 4 * (bar - 1)) & 1u);
}

std::uint64_t dw_pcie_ep::bar_mask(unsigned bar) const {
    const bar_hw& hw = p_.dbi.bars[bar];
    std::uint64_t mask;
    if (hw.kind == bar_kind::resizable) {
        const auto rebars = resizable_bars(p_.dbi);
        mask = rebar_min_size - 1;
        for (unsigned i = 0; i < rebars.size(); ++i)
            if (rebars[i] == bar) {
                unsigned code = (dbi_.read32(rebar_entry_ctrl(i)) & rebar_ctrl_size_mask) >>
                                rebar_ctrl_size_shift;
                mask = (rebar_min_size << code) - 1;
            }
    } else {
        mask = dbi2_.read32(c::bar0 + 4 * bar) | c::bar_flags_mask;
    }
    bool is64 = dbi_.read32(c::bar0 + 4 * bar) & c::bar_type_64;
    if (is64 && bar + 1 < c::num_bars && hw.kind != bar_kind::resizable)
        mask |= std::uint64_t(dbi2_.read32(c::bar0 + 4 * (bar + 1))) << 32;
    if (!is64) mask &= 0xFFFFFFFFull;
    return mask;
}

std::uint64_t dw_pcie_ep::bar_size(unsigned bar) const {
    if (bar >= c::num_bars || bar_is_upper_half(bar) || !(dbi2_.read32(c::bar0 + 4 * bar) & 1u))
        return 0;
    return bar_mask(bar) + 1;
}

std::uint64_t dw_pcie_ep::bar_address(unsigned bar) const {
    std::uint64_t a = dbi_.read32(c::bar0 + 4 * bar) & ~c::bar_flags_mask;
    if ((dbi_.read32(c::bar0 + 4 * bar) & c::bar_type_64) && bar + 1 < c::num_bars)
        a |= std::uint64_t(dbi_.read32(c::bar0 + 4 * (bar + 1))) << 32;
    return a;
}

int dw_pcie_ep::bar_hit(std::uint64_t addr, std::uint64_t& offset) const {
    for (unsigned b = 0; b < c::num_bars; ++b) {
        std::uint64_t size = bar_size(b);
        if (!size || (dbi_.read32(c::bar0 + 4 * b) & c::bar_io)) continue;
        std::uint64_t base = bar_address(b);
        if (addr >= base && addr - base < size) {
            offset = addr - base;
            return static_cast<int>(b);
        }
    }
    return -1;
}

std::uint32_t dw_pcie_ep::cfg_read32(std::uint32_t off) const {
    if (off >= c::bar0 && off < c::bar0 + 4 * c::num_bars) {
        unsigned bar = (off - c::bar0) / 4;
        if (!bar_is_upper_half(bar) && !(dbi2_.read32(off) & 1u)) return 0; // disabled BAR
    }
    return dbi_.read32(off);
}

void dw_pcie_ep::cfg_write32(std::uint32_t off, std::uint32_t value, std::uint32_t byte_mask) {
    if (off >= c::bar0 && off < c::bar0 + 4 * c::num_bars) {
        unsigned bar = (off - c::bar0) / 4;
        std::uint32_t writable;
        if (bar_is_upper_half(bar))
            writable = ~static_cast<std::uint32_t>(bar_mask(bar - 1) >> 32);
        else if (dbi2_.read32(off) & 1u)
            writable = ~static_cast<std::uint32_t>(bar_mask(bar)) & ~c::bar_flags_mask;
        else
            return; // disabled BAR: the write is dropped
        writable &= byte_mask;
        dbi_.set32(off, (dbi_.read32(off) & ~writable) | (value & writable));
        return;
    }
    const bool flr = off == exp_cap + c::exp_devctl && (value & byte_mask & devctl_initiate_flr) &&
                     (dbi_.read32(exp_cap + c::exp_devcap) & devcap_flr_capable);
    if (!dbi_.write32(off, value, byte_mask, reg_writer::wire, false))
        logger::get().unimplemented_once("cfg", hex(off),
                                         "config offset " + hex(off, 3) + " not modelled");
    if (flr) function_level_reset();
    if (off == msix_ctrl && !msix_pending_.empty()) // the Function Mask may have been cleared
        posted_side_effect([this](sc_time& d) { msix_send_pending(d); });
}

pcie::completer_params dw_pcie_ep::completer() const {
    pcie::completer_params cp;
    cp.completer_id = requester_id();
    // An endpoint completes at 128 B: its Link Control RCB bit describes the root port's RCB,
    // and only a root complex may use 64 B (PCIe Base Spec 5.0 sections 2.3.1.1 and 7.5.3.7).
    cp.rcb_bytes = completer_rcb_bytes;
    cp.mps_bytes = 128u << ((dbi_.read32(exp_cap + c::exp_devctl) >> devctl_mps_shift) & 7);
    return cp;
}

// ---------------------------------------------------------------------------------------------
// Inbound TLPs

void dw_pcie_ep::rx_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    pcie::pcie_tlp& t = pcie::tlp_of(gp);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (t.poisoned) {
        // Poisoned TLP Received; a write is not performed, a completion's data is bad (the
        // requester sees it through its pending request).
        poisoned_received(gp, t, delay);
        if (t.type == pcie::tlp_type::mwr) {
            ++stats_.mem_writes;
            return;
        }
    }
    switch (t.type) {
    case pcie::tlp_type::cfgrd0:
    case pcie::tlp_type::cfgwr0:
        access_delay_ref_ = &delay;
        handle_config(gp, t, delay);
        access_delay_ref_ = nullptr;
        break;
    case pcie::tlp_type::cfgrd1:
    case pcie::tlp_type::cfgwr1:
        ++stats_.unsupported_requests;
        pcie::send_completion(*pcie_tx.operator->(), completer(), gp, t, pcie::cpl_status::ur,
                              nullptr, delay);
        break;
    case pcie::tlp_type::mrd:
    case pcie::tlp_type::mwr:
        handle_memory(gp, t, delay);
        break;
    case pcie::tlp_type::cpl:
    case pcie::tlp_type::cpld:
        requester_.accept_completion(gp, delay);
        break;
    case pcie::tlp_type::msg:
    case pcie::tlp_type::msgd:
        logger::get().info("tlp", std::string(basename()) + ": message received and ignored");
        break;
    }
}

void dw_pcie_ep::handle_config(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_time& delay) {
    ++stats_.cfg_requests;
    access_delay_ = delay;
    auto& tx = *pcie_tx.operator->();
    if ((app_regs_.read32(app::ctrl) & app::ctrl_req_retry_en) ||
        (app_regs_.read32(app::status) & app::status_flr_active)) {
        ++stats_.crs_completions;
        pcie::completer_params cp = completer();
        cp.completer_id = t.target_id;
        pcie::send_completion(tx, cp, gp, t, pcie::cpl_status::crs, nullptr, delay);
        return;
    }
    std::uint32_t off = static_cast<std::uint32_t>(gp.get_address()) & cfg_offset_mask;
    if (t.type == pcie::tlp_type::cfgwr0) {
        bus_ = static_cast<std::uint8_t>(t.target_id >> 8);
        dev_ = static_cast<std::uint8_t>((t.target_id >> 3) & 0x1F);
        std::uint32_t v = 0;
        std::memcpy(&v, gp.get_data_ptr(), std::min<unsigned>(dword, gp.get_data_length()));
        cfg_write32(off, v, be_to_mask(t.first_be));
        log_reg("host", true, dbi_, off, dbi_.read32(off));
        if (off == c::command) update_intx();
        pcie::send_completion(tx, completer(), gp, t, pcie::cpl_status::sc, nullptr, delay);
        return;
    }
    std::uint32_t v = cfg_read32(off);
    log_reg("host", false, dbi_, off, v);
    unsigned char data[dword];
    std::memcpy(data, &v, dword);
    pcie::send_completion(tx, completer(), gp, t, pcie::cpl_status::sc, data, delay);
}

void dw_pcie_ep::handle_memory(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_time& delay) {
    auto& tx = *pcie_tx.operator->();
    const bool is_read = t.type == pcie::tlp_type::mrd;
    (is_read ? stats_.mem_reads : stats_.mem_writes)++;
    auto unsupported = [&](const std::string& why) {
        ++stats_.unsupported_requests;
        aer_uncorrectable(aer_uncor_unsupported_request, &gp, delay);
        logger::get().warning("dwc",
                              std::string(basename()) + ": " + pcie::to_string(t.type) + " " +
                                  hex(gp.get_address()) + ": " + why + " -> Unsupported Request",
                              "ur");
        if (is_read)
            pcie::send_completion(tx, completer(), gp, t, pcie::cpl_status::ur, nullptr, delay);
    };
    if (!(dbi_.read32(c::command) & c::cmd_memory)) {
        unsupported("Memory Space Enable is clear");
        return;
    }
    std::uint64_t bar_off = 0;
    int bar = bar_hit(gp.get_address(), bar_off);
    if (bar < 0) {
        unsupported("no BAR claims the address");
        return;
    }
    soc::soc_attr attr;
    attr.initiator = soc::master::pcie_inbound;
    attr.stream_id = stream_id();
    std::vector<unsigned char> buf(gp.get_data_length());
    if (!is_read && !buf.empty()) std::memcpy(buf.data(), gp.get_data_ptr(), buf.size());
    pooled_payload pooled_axi;
    tlm::tlm_generic_payload& axi = *pooled_axi;
    axi.set_command(is_read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    axi.set_address(gp.get_address()); // the iATU translates it on the way
    axi.set_data_ptr(buf.data());
    axi.set_data_length(static_cast<unsigned>(buf.size()));
    axi.set_streaming_width(static_cast<unsigned>(buf.size()));
    axi.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    iatu_inbound_sideband sb;
    sb.bar = bar;
    sb.bar_offset = bar_off;
    sb.tlp_type = iatu_reg::type_mem; // MRd/MWr: only MEM regions claim them
    for (std::uint64_t size = bar_size(static_cast<unsigned>(bar)); size > 1; size >>= 1)
        ++sb.bar_size_log2;
    // Each request the iATU forwards goes out on the AXI master port with the controller's
    // stream ID; a miss follows the miss policy.
    bool miss_ur = false;
    std::uint64_t axi_addr = gp.get_address();
    const sc_time entered = sc_core::sc_time_stamp() + delay;
    auto forward = [&](tlm::tlm_generic_payload& req, const iatu_hit& hit, std::uint64_t in_addr,
                       sc_time& d) {
        axi_addr = req.get_address();
        trace_translation("inbound", hit, in_addr, axi_addr, entered, sc_core::sc_time_stamp() + d);
        if (!hit.hit) {
            ++stats_.iatu_misses;
            if (p_.miss_is_ur) {
                miss_ur = true;
                req.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
                return;
            }
            logger::get().warning("iatu",
                                  std::string(basename()) + ": inbound " + pcie::to_string(t.type) +
                                      " BAR" + std::to_string(bar) + " offset " + hex(bar_off) +
                                      ": no iATU region matches; passed through untranslated "
                                      "to AXI address " +
                                      hex(axi_addr),
                                  "ib-miss");
        }
        const bool own_attr = req.get_extension<soc::soc_attr>() == nullptr;
        if (own_attr) req.set_extension(&attr);
        axi_m->b_transport(req, d);
        if (own_attr) req.clear_extension(&attr);
        if (hit.hit && hit.index < ib_busy_until_.size())
            ib_busy_until_[hit.index] =
                std::max(ib_busy_until_[hit.index], sc_core::sc_time_stamp() + d);
    };
    axi.set_extension(&attr);
    unit_->inbound(axi, sb, delay, forward);
    axi.clear_extension(&attr);
    if (miss_ur) {
        unsupported("BAR" + std::to_string(bar) + " offset " + hex(bar_off) +
                    ": no inbound iATU region matches (dwc.iatu.miss_policy=ur)");
        return;
    }
    bool ok = axi.get_response_status() == tlm::TLM_OK_RESPONSE;
    if (!ok) {
        ++stats_.completer_aborts;
        if (is_read) aer_uncorrectable(aer_uncor_completer_abort, &gp, delay);
        logger::get().warning("dwc",
                              std::string(basename()) + ": AXI " + (is_read ? "read" : "write") +
                                  " at " + hex(axi_addr) + " failed (" + axi.get_response_string() +
                                  ")" + (is_read ? " -> Completer Abort" : ": posted write lost"),
                              "axi-error");
    }
    if (is_read)
        pcie::send_completion(tx, completer(), gp, t,
                              ok ? pcie::cpl_status::sc : pcie::cpl_status::ca, buf.data(), delay);
    // A write into the MSI-X Table may have cleared a pending vector's Mask bit.
    if (!is_read && ok && !msix_pending_.empty() &&
        static_cast<unsigned>(bar) == (dbi_.read32(msix_table) & msix_bir_mask)) {
        const std::uint64_t table = dbi_.read32(msix_table) & ~std::uint64_t(msix_bir_mask);
        const unsigned entries =
            ((dbi_.read32(msix_ctrl) >> msix_ctrl_qsize_shift) & msix_ctrl_qsize_mask) + 1;
        if (bar_off + gp.get_data_length() > table &&
            bar_off < table + entries * msix_entry_bytes) {
            sc_time d = delay; // the controller's own work: the write's handling is done
            msix_send_pending(d);
        }
    }
}

} // namespace epvp::dwc

namespace epvp::dwc {

// ---------------------------------------------------------------------------------------------
// Outbound: the EP CPU's accesses to the aperture

void dw_pcie_ep::axi_s_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    const std::uint64_t axi_addr = p_.aperture_base + gp.get_address();
    const unsigned len = gp.get_data_length();
    const bool is_read = gp.is_read();
    // A failed request: logged, answered with st (reads return all-ones).
    auto fail = [&](tlm::tlm_generic_payload& req, tlm::tlm_response_status st,
                    const std::string& why) {
        ++stats_.outbound_errors;
        logger::get().warning("dwc",
                              std::string(basename()) + ": outbound " +
                                  (is_read ? "read " : "write ") + hex(axi_addr) + " len " +
                                  std::to_string(len) + ": " + why,
                              "outbound-error");
        if (is_read) std::memset(req.get_data_ptr(), 0xFF, req.get_data_length());
        req.set_response_status(st);
    };
    if (gp.get_byte_enable_ptr() || !len)
        return fail(gp, tlm::TLM_GENERIC_ERROR_RESPONSE,
                    "byte enables / empty accesses not supported");
    if (!link_ || !link_->is_up())
        return fail(gp, tlm::TLM_GENERIC_ERROR_RESPONSE, "the link is down");
    if (!(dbi_.read32(c::command) & c::cmd_bus_master))
        return fail(gp, tlm::TLM_GENERIC_ERROR_RESPONSE,
                    "Bus Master Enable is clear: the function may not issue requests");
    const sc_time entered = sc_core::sc_time_stamp() + delay;
    // Each request the outbound iATU forwards becomes MRd/MWr TLPs.
    auto forward = [&](tlm::tlm_generic_payload& req, const iatu_hit& hit, std::uint64_t in_addr,
                       sc_time& d) {
        const unsigned n_req = req.get_data_length();
        unsigned char* data = req.get_data_ptr();
        if (req.get_byte_enable_ptr())
            return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE,
                        "sparse byte enables from the iATU not supported");
        const std::uint64_t pci = req.get_address();
        trace_translation("outbound", hit, in_addr, pci, entered, sc_core::sc_time_stamp() + d);
        if (!hit.hit) {
            ++stats_.outbound_misses;
            if (p_.miss_is_ur)
                return fail(req, tlm::TLM_ADDRESS_ERROR_RESPONSE,
                            "no outbound iATU region matches (dwc.iatu.miss_policy=ur): DECERR");
            logger::get().warning("iatu",
                                  std::string(basename()) + ": outbound " + hex(in_addr) +
                                      ": no iATU region matches; sent untranslated",
                                  "ob-miss");
        } else {
            if (hit.type != iatu_reg::type_mem) {
                logger::get().unimplemented_once("dwc", "ob-type",
                                                 "outbound iATU region type " + hex(hit.type) +
                                                     " (CFG/IO/MSG) not modelled");
                return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE, "region type not modelled");
            }
            if (in_addr + n_req - 1 > unit_->region_limit(iatu_dir::outbound, hit.index, d))
                return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE,
                            "access runs past the end of outbound region " +
                                std::to_string(hit.index));
        }
        auto& tx = *pcie_tx.operator->();
        requester_.set_requester_id(requester_id());
        const std::uint32_t devctl = dbi_.read32(exp_cap + c::exp_devctl);
        const unsigned mps = 128u << ((devctl >> devctl_mps_shift) & 7);
        const unsigned mrrs = 128u << ((devctl >> devctl_mrrs_shift) & 7);
        const unsigned max_bytes = is_read ? mrrs : mps;
        constexpr std::uint64_t boundary = 4096; // a request never crosses a 4 KiB boundary
        for (unsigned off = 0; off < n_req;) {
            const std::uint64_t a = pci + off;
            const unsigned n = static_cast<unsigned>(
                std::min<std::uint64_t>({n_req - off, max_bytes, boundary - (a % boundary)}));
            ++stats_.outbound_tlps;
            if (is_read) {
                const sc_time issued = d;
                pcie::np_result r =
                    requester_.request(tx, pcie::tlp_type::mrd, a, data + off, n, d);
                if (!r.link_error && !r.completed) {
                    // No completion: the requester's timer expires.
                    d = issued + p_.completion_timeout;
                    aer_uncorrectable(aer_uncor_completion_timeout, nullptr, d);
                    return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE,
                                "MRd " + hex(a) + ": completion timeout");
                }
                if (r.poisoned)
                    return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE,
                                "MRd " + hex(a) + ": completion poisoned (EP bit)");
                if (r.link_error || !r.completed || r.status != pcie::cpl_status::sc)
                    return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE,
                                r.link_error   ? std::string("MRd not sent")
                                : !r.completed ? std::string("MRd got no completion")
                                               : std::string("MRd completed with ") +
                                                     pcie::to_string(r.status));
            } else {
                pcie::tlp_link_timing sent;
                if (!requester_.posted(tx, pcie::tlp_type::mwr, a, data + off, n, d,
                                       pcie::msg_code::assert_inta, &sent))
                    return fail(req, tlm::TLM_GENERIC_ERROR_RESPONSE, "MWr not sent");
                // The AXI write response comes once the controller has sent the posted TLP.
                d = sent.departed - sc_core::sc_time_stamp();
            }
            off += n;
        }
        if (hit.hit && hit.index < ob_busy_until_.size())
            ob_busy_until_[hit.index] =
                std::max(ob_busy_until_[hit.index], sc_core::sc_time_stamp() + d);
        req.set_response_status(tlm::TLM_OK_RESPONSE);
    };
    const std::uint64_t cpu_addr = gp.get_address();
    gp.set_address(axi_addr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    unit_->outbound(gp, delay, forward);
    gp.set_address(cpu_addr);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
        if (is_read) std::memset(gp.get_data_ptr(), 0xFF, len);
        return;
    }
    (is_read ? stats_.outbound_reads : stats_.outbound_writes)++;
}

void dw_pcie_ep::update_intx() {
    const bool level = app_regs_.read32(app::ctrl) & app::ctrl_sys_int;
    dbi_.set_bits(c::command, c::sta_interrupt, level ? c::sta_interrupt : 0);
    const bool want = level && !(dbi_.read32(c::command) & c::cmd_intx_disable);
    if (want == intx_sent_) return;
    if (!link_ || !link_->is_up()) {
        intx_sent_ = false;
        return;
    }
    requester_.set_requester_id(requester_id());
    sc_time d = access_delay_;
    requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::msg, 0, nullptr, 0, d,
                      want ? pcie::msg_code::assert_inta : pcie::msg_code::deassert_inta);
    intx_sent_ = want;
    ++stats_.intx_messages;
}

void dw_pcie_ep::check_in_flight(iatu_dir d, unsigned index, const std::string& reg) {
    const auto& busy = d == iatu_dir::outbound ? ob_busy_until_ : ib_busy_until_;
    if (index >= busy.size()) return;
    const sc_time now = sc_core::sc_time_stamp() + access_delay_;
    if (busy[index] <= now) return;
    ++stats_.iatu_reprogram_in_flight;
    logger::get().warning("iatu",
                          std::string(basename()) + ": " + reg + " of " +
                              (d == iatu_dir::outbound ? "outbound" : "inbound") + " region " +
                              std::to_string(index) + " written at " +
                              logger::format_time(static_cast<std::uint64_t>(now.value())) +
                              " while a transaction through it completes at " +
                              logger::format_time(static_cast<std::uint64_t>(busy[index].value())) +
                              " (undefined behaviour per the databook)");
}

} // namespace epvp::dwc

namespace epvp::dwc {

// ---------------------------------------------------------------------------------------------
// The eDMA engine's view of the controller

void dw_pcie_ep::drive_edma_irq() {
    edma_irq.write(edma_irq_level_);
}

void dw_pcie_ep::local_irq(bool level) {
    if (level == edma_irq_level_) return;
    edma_irq_level_ = level;
    edma_irq_changed_.notify(sc_core::SC_ZERO_TIME);
}

edma_bus::link_snapshot dw_pcie_ep::link_activity() const {
    link_snapshot s;
    if (!link_) return s;
    const auto& up = link_->stats(pcie::pcie_link::upstream);
    const auto& down = link_->stats(pcie::pcie_link::downstream);
    s.busy_up = up.busy;
    s.busy_down = down.busy;
    s.tlps_up = up.tlps;
    s.tlps_down = down.tlps;
    s.lost_up = up.time_lost;
    s.lost_down = down.time_lost;
    return s;
}

unsigned dw_pcie_ep::max_outstanding_reads() const {
    // The tag field the host enabled bounds what link.tags allows.
    const std::uint32_t devctl = dbi_.read32(exp_cap + c::exp_devctl);
    const std::uint32_t devctl2 = dbi_.read32(exp_cap + c::exp_devctl2);
    const unsigned field = (devctl2 & c::devctl2_10bit_tag_requester) ? c::tags_10bit
                           : (devctl & c::devctl_ext_tag)             ? c::tags_8bit
                                                                      : c::tags_5bit;
    return std::min(p_.max_tags, field);
}

unsigned dw_pcie_ep::mps_bytes() const {
    return 128u << ((dbi_.read32(exp_cap + c::exp_devctl) >> devctl_mps_shift) & 7);
}

unsigned dw_pcie_ep::mrrs_bytes() const {
    return 128u << ((dbi_.read32(exp_cap + c::exp_devctl) >> devctl_mrrs_shift) & 7);
}

bool dw_pcie_ep::local_access(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                              sc_time& delay) {
    soc::soc_attr attr;
    attr.initiator = soc::master::edma;
    attr.stream_id = stream_id();
    pooled_payload pooled_axi;
    tlm::tlm_generic_payload& axi = *pooled_axi;
    axi.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    axi.set_address(addr);
    axi.set_data_ptr(data);
    axi.set_data_length(len);
    axi.set_streaming_width(len);
    axi.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    axi.set_extension(&attr);
    axi_m->b_transport(axi, delay);
    axi.clear_extension(&attr);
    return axi.get_response_status() == tlm::TLM_OK_RESPONSE;
}

bool dw_pcie_ep::pcie_write(std::uint64_t pci_addr, const unsigned char* data, unsigned len,
                            sc_time& delay, tlp_wait* wait) {
    if (!link_ || !link_->is_up() || !(dbi_.read32(c::command) & c::cmd_bus_master)) return false;
    requester_.set_requester_id(requester_id());
    pcie::tlp_link_timing sent;
    const bool ok = requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::mwr, pci_addr, data,
                                      len, delay, pcie::msg_code::assert_inta, &sent);
    // A posted write is done for the engine once it has left the controller.
    if (ok) delay = sent.departed - sc_core::sc_time_stamp();
    if (wait) {
        wait->link = sent.link_wait;
        wait->credits = sent.credit_wait;
    }
    return ok;
}

pcie::cpl_status dw_pcie_ep::pcie_read(std::uint64_t pci_addr, unsigned char* data, unsigned len,
                                       sc_time& delay, tlp_wait* wait) {
    if (!link_ || !link_->is_up() || !(dbi_.read32(c::command) & c::cmd_bus_master))
        return pcie::cpl_status::ur;
    requester_.set_requester_id(requester_id());
    const sc_time issued = delay;
    const pcie::np_result r =
        requester_.request(*pcie_tx.operator->(), pcie::tlp_type::mrd, pci_addr, data, len, delay);
    if (!r.link_error && !r.completed) {
        delay = issued + p_.completion_timeout;
        aer_uncorrectable(aer_uncor_completion_timeout, nullptr, delay);
        logger::get().warning(
            "dwc", std::string(basename()) + ": eDMA MRd " + hex(pci_addr) + ": completion timeout",
            "edma-cto");
    }
    if (wait) {
        wait->link = r.sent.link_wait;
        wait->credits = r.sent.credit_wait;
        wait->completions = r.completions;
        wait->poisoned = r.poisoned;
    }
    if (r.link_error || !r.completed || (r.poisoned && !wait)) return pcie::cpl_status::ur;
    return r.status;
}

} // namespace epvp::dwc

namespace epvp::dwc {

void dw_pcie_ep::aer_uncorrectable(std::uint32_t bit, const tlm::tlm_generic_payload* tlp,
                                   sc_time& delay) {
    if (bit == aer_uncor_completion_timeout) ++stats_.completion_timeouts;
    const std::uint32_t pending = dbi_.read32(aer_uncor_status);
    dbi_.set32(aer_uncor_status, pending | bit);
    const bool masked = dbi_.read32(aer_uncor_mask) & bit;
    const bool fatal = dbi_.read32(aer_uncor_sever) & bit;
    std::uint32_t devsta = fatal ? devsta_fatal : devsta_nonfatal;
    if (bit == aer_uncor_unsupported_request) devsta |= devsta_unsupported;
    dbi_.set_bits(exp_cap + c::exp_devctl, devsta, devsta);
    if (masked) return;
    // First error: its bit position and the header of the TLP that caused it.
    if (!(pending & ~dbi_.read32(aer_uncor_mask))) {
        unsigned pos = 0;
        while (!((bit >> pos) & 1u))
            ++pos;
        dbi_.set_bits(aer_cap_ctrl, aer_first_error_pointer_mask, pos);
        const pcie::pcie_tlp* t = tlp ? tlp->get_extension<pcie::pcie_tlp>() : nullptr;
        if (t) {
            const auto h = pcie::header_dwords(*t, tlp->get_address(), tlp->get_data_length());
            for (unsigned i = 0; i < h.size(); ++i)
                dbi_.set32(aer_header_log + dword * i, h[i]);
        }
    }
    const std::uint32_t devctl = dbi_.read32(exp_cap + c::exp_devctl);
    if (!(devctl & (fatal ? devctl_fatal_report : devctl_nonfatal_report)) || !link_ ||
        !link_->is_up())
        return;
    ++stats_.err_messages;
    requester_.set_requester_id(requester_id());
    sc_time d = delay;
    requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::msg, 0, nullptr, 0, d,
                      fatal ? pcie::msg_code::err_fatal : pcie::msg_code::err_nonfatal);
}

} // namespace epvp::dwc

namespace epvp::dwc {

void dw_pcie_ep::aer_correctable(std::uint32_t bit, sc_time when) {
    ++stats_.correctable_errors;
    dbi_.set32(aer_cor_status, dbi_.read32(aer_cor_status) | bit);
    if (dbi_.read32(aer_cor_mask) & bit) return; // masked: status only
    dbi_.set_bits(exp_cap + c::exp_devctl, devsta_correctable, devsta_correctable);
    if (!(dbi_.read32(exp_cap + c::exp_devctl) & devctl_correctable_report)) return;
    err_cor_due_.push_back(when);
    err_cor_kick_.notify(sc_core::SC_ZERO_TIME);
}

void dw_pcie_ep::err_cor_thread() {
    for (;;) {
        if (err_cor_due_.empty()) sc_core::wait(err_cor_kick_);
        while (!err_cor_due_.empty()) {
            const sc_time when = err_cor_due_.front();
            err_cor_due_.pop_front();
            if (when > sc_core::sc_time_stamp()) sc_core::wait(when - sc_core::sc_time_stamp());
            if (!link_ || !link_->is_up()) continue;
            ++stats_.err_cor_messages;
            requester_.set_requester_id(requester_id());
            sc_time d = sc_core::SC_ZERO_TIME;
            requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::msg, 0, nullptr, 0, d,
                              pcie::msg_code::err_cor);
        }
    }
}

} // namespace epvp::dwc

namespace epvp::dwc {

// ---------------------------------------------------------------------------------------------
// MSI-X doorbell

bool dw_pcie_ep::msix_access(bool table, bool write, std::uint64_t offset, unsigned char* data,
                             unsigned len, sc_time& delay) {
    const std::uint32_t reg = dbi_.read32(table ? msix_table : msix_pba);
    const unsigned bar = reg & msix_bir_mask;
    const std::uint64_t bar_off = (reg & ~msix_bir_mask) + offset;
    const std::uint64_t size = bar < c::num_bars ? bar_size(bar) : 0;
    if (!size || bar_off + len > size) {
        logger::get().guest_error(
            "dwc", std::string(basename()) + ": MSI-X " + (table ? "Table" : "PBA") + " in BAR" +
                       std::to_string(bar) + " is outside the enabled BAR: not accessible");
        return false;
    }
    soc::soc_attr attr;
    attr.initiator = soc::master::pcie_inbound;
    attr.stream_id = stream_id();
    pooled_payload pooled_axi;
    tlm::tlm_generic_payload& axi = *pooled_axi;
    axi.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    axi.set_address(bar_address(bar) + bar_off);
    axi.set_data_ptr(data);
    axi.set_data_length(len);
    axi.set_streaming_width(len);
    axi.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    iatu_inbound_sideband sb;
    sb.bar = static_cast<int>(bar);
    sb.bar_offset = bar_off;
    for (std::uint64_t s = size; s > 1; s >>= 1)
        ++sb.bar_size_log2;
    auto forward = [&](tlm::tlm_generic_payload& req, const iatu_hit& hit, std::uint64_t,
                       sc_time& d) {
        if (!hit.hit && p_.miss_is_ur) {
            req.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        const bool own_attr = req.get_extension<soc::soc_attr>() == nullptr;
        if (own_attr) req.set_extension(&attr);
        axi_m->b_transport(req, d);
        if (own_attr) req.clear_extension(&attr);
    };
    axi.set_extension(&attr);
    unit_->inbound(axi, sb, delay, forward);
    axi.clear_extension(&attr);
    if (axi.get_response_status() == tlm::TLM_OK_RESPONSE) return true;
    logger::get().warning("dwc",
                          std::string(basename()) + ": MSI-X " + (table ? "Table" : "PBA") +
                              " access at BAR" + std::to_string(bar) + " offset " + hex(bar_off) +
                              " failed (" + axi.get_response_string() + ")",
                          "msix-access");
    return false;
}

bool dw_pcie_ep::msix_fire(unsigned v, sc_time& delay, bool& error) {
    error = false;
    unsigned char entry[msix_entry_bytes];
    if (!msix_access(true, false, std::uint64_t(v) * msix_entry_bytes, entry, sizeof entry,
                     delay)) {
        error = true;
        return false;
    }
    auto field = [&](unsigned at) {
        std::uint32_t x = 0;
        std::memcpy(&x, entry + at, dword);
        return x;
    };
    const std::uint32_t ctrl = dbi_.read32(msix_ctrl);
    const std::uint32_t pba_bit = 1u << (v % 32);
    const std::uint64_t pba_off = std::uint64_t(v / 32) * dword;
    std::uint32_t pba = 0;
    if ((ctrl & msix_ctrl_mask_all) || (field(msix_entry_vector_ctrl) & msix_entry_masked)) {
        // Masked: the vector's Pending bit is set; the message goes once it is unmasked.
        if (!msix_access(false, false, pba_off, reinterpret_cast<unsigned char*>(&pba), dword,
                         delay))
            error = true;
        pba |= pba_bit;
        if (!error && !msix_access(false, true, pba_off, reinterpret_cast<unsigned char*>(&pba),
                                   dword, delay))
            error = true;
        if (!error && msix_pending_.insert(v).second) ++stats_.msix_pending_set;
        return false;
    }
    if (!(dbi_.read32(c::command) & c::cmd_bus_master) || ltssm_ != ltssm::l0 ||
        (link_ && !link_->is_up())) {
        logger::get().warning("dwc",
                              std::string(basename()) + ": MSI-X vector " + std::to_string(v) +
                                  ": Bus Master Enable clear or the link is down: not sent",
                              "msix-not-sent");
        error = true;
        return false;
    }
    const std::uint64_t addr =
        (std::uint64_t(field(msix_entry_addr + dword)) << 32) | field(msix_entry_addr);
    const std::uint32_t data = field(msix_entry_data);
    requester_.set_requester_id(requester_id());
    unsigned char payload[dword];
    std::memcpy(payload, &data, dword);
    if (!requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::mwr, addr, payload, dword,
                           delay)) {
        error = true;
        return false;
    }
    ++stats_.msix_messages;
    if (msix_pending_.erase(v)) {
        if (msix_access(false, false, pba_off, reinterpret_cast<unsigned char*>(&pba), dword,
                        delay)) {
            pba &= ~pba_bit;
            msix_access(false, true, pba_off, reinterpret_cast<unsigned char*>(&pba), dword, delay);
        }
    }
    return true;
}

void dw_pcie_ep::msix_doorbell_write(std::uint32_t value) {
    ++stats_.msix_doorbells;
    const unsigned pf = (value >> msix_doorbell_pf_shift) & msix_doorbell_pf_mask;
    const unsigned v = value & msix_doorbell_vector_mask;
    const std::uint32_t ctrl = dbi_.read32(msix_ctrl);
    const unsigned entries = ((ctrl >> msix_ctrl_qsize_shift) & msix_ctrl_qsize_mask) + 1;
    std::string why;
    if (pf != 0)
        why = "physical function " + std::to_string(pf) + " does not exist (one function)";
    else if (v >= entries)
        why = "vector " + std::to_string(v) + " is beyond the table (" + std::to_string(entries) +
              " entries)";
    else if (!(ctrl & msix_ctrl_enable))
        why = "MSI-X is not enabled";
    if (!why.empty()) {
        logger::get().guest_error("dwc", std::string(basename()) + ": MSIX_DOORBELL = " +
                                             hex(value, 8) + ": " + why + ": no message");
        return;
    }
    // A posted register write: the CPU does not wait for the table read and the message.
    posted_side_effect([this, v](sc_time& d) {
        bool error = false;
        msix_fire(v, d, error);
    });
}

void dw_pcie_ep::msix_send_pending(sc_time& delay) {
    const std::uint32_t ctrl = dbi_.read32(msix_ctrl);
    if (!(ctrl & msix_ctrl_enable) || (ctrl & msix_ctrl_mask_all)) return;
    const std::vector<unsigned> pending(msix_pending_.begin(), msix_pending_.end());
    for (unsigned v : pending) {
        bool error = false;
        msix_fire(v, delay, error);
    }
}

} // namespace epvp::dwc

// The controller's top: its sockets, the glue ("app") block, resets (link down, FLR) and the
// wiring of its units (DBI map, LTSSM, AER, INTx, requester). The data paths live in
// dw_pcie_ep_inbound.cc and dw_pcie_ep_outbound.cc, the DBI in dw_pcie_ep_dbi.cc, MSI-X in
// dw_pcie_ep_msix.cc.
#include "model/dwc/dw_pcie_ep.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"
#include "model/dwc/app_regs.h"
#include "model/pcie/config_space.h"

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

dw_pcie_ep::dw_pcie_ep(sc_core::sc_module_name name, const dw_pcie_ep_params& p)
    : sc_module(name)
    , dbi("dbi")
    , app("app")
    , pcie_rx("pcie_rx")
    , pcie_tx("pcie_tx")
    , axi_m("axi_m")
    , axi_s("axi_s")
    , iatu_ob_req("iatu_ob_req")
    , iatu_ib_req("iatu_ib_req")
    , iatu_ob_fwd("iatu_ob_fwd")
    , iatu_ib_fwd("iatu_ib_fwd")
    , app_irq("app_irq")
    , edma_irq("edma_irq")
    , link_status("link_status")
    , link_control("link_control")
    , p_(p)
    , dbi_("DBI", dbi_table(p.dbi))
    , dbi2_("DBI2", dbi2_table(p.dbi))
    , app_regs_("APP", app::table())
    , atu_(p.iatu)
    , requester_(instance_name(*this), 0, p.max_tags)
    , aer_(
          dbi_, stats_, [this] { return link_.up; },
          [this](pcie::msg_code code, sc_time& d) { send_message(code, d); })
    , training_(instance_name(*this), dbi_, app_regs_, p.training_time, link_control, link_,
                ltssm_kick_, stats_.hot_resets,
                ltssm_unit::hooks{[this] { link_down_reset(); },
                                  [this](std::uint32_t bits) { raise_app_irq(bits); }})
    , intx_(
          dbi_, [this] { return link_.up; },
          [this](pcie::msg_code code, sc_time& d) { send_message(code, d); },
          stats_.intx_messages) {
    link_status.bind(link_end_);
    dbi.register_b_transport(this, &dw_pcie_ep::dbi_b_transport);
    app.register_b_transport(this, &dw_pcie_ep::app_b_transport);
    pcie_rx.register_b_transport(this, &dw_pcie_ep::rx_b_transport);
    axi_s.register_b_transport(this, &dw_pcie_ep::axi_s_b_transport);
    iatu_ob_fwd.register_b_transport(this, &dw_pcie_ep::ob_translated_b_transport);
    iatu_ib_fwd.register_b_transport(this, &dw_pcie_ep::ib_translated_b_transport);
    ob_busy_until_.assign(p.iatu.outbound_windows, sc_core::SC_ZERO_TIME);
    ib_busy_until_.assign(p.iatu.inbound_windows, sc_core::SC_ZERO_TIME);
    // Completion timeout: AER at the time the timer expires.
    requester_.set_completion_timeout(p.completion_timeout, [this](sc_time& d) {
        aer_.uncorrectable(aer_uncor_completion_timeout, nullptr, d);
    });

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
    if (p.edma_write_channels || p.edma_read_channels) {
        edma_params ep{p.edma_unrolled, p.edma_write_channels, p.edma_read_channels, *this,
                       p.quantum};
        ep.axi_burst_bytes = p.edma_axi_burst_bytes;
        ep.axi_outstanding_reads = p.edma_axi_outstanding_reads;
        ep.staging_buffer_bytes = p.edma_staging_buffer_bytes;
        ep.rd_outstanding_mrd = p.edma_rd_outstanding_mrd;
        ep.burst = p.edma_burst;
        edma_ = std::make_unique<dwc::edma>("edma", ep);
    }
    build_dbi_map();
    SC_THREAD(ltssm_thread);
    SC_THREAD(err_cor_thread);
    SC_METHOD(drive_app_irq);
    sensitive << app_irq_changed_;
    dont_initialize();
    SC_METHOD(drive_edma_irq);
    sensitive << edma_irq_changed_;
    dont_initialize();
}

void dw_pcie_ep::link_end::link_state(bool up, unsigned gen, unsigned width) {
    ep.link_.up = up;
    ep.link_.gen = gen;
    ep.link_.width = width;
    if (!up) ep.ltssm_kick_.notify(sc_core::SC_ZERO_TIME);
}

void dw_pcie_ep::link_end::link_dll_error(pcie::dll_error e, sc_time when) {
    // The link tells this end the errors it detects: Bad TLP as the receiver of downstream TLPs,
    // the others as the transmitter of upstream ones.
    using dll = pcie::dll_error;
    const std::uint32_t bit = e == dll::bad_tlp               ? aer_cor_bad_tlp
                              : e == dll::bad_dllp            ? aer_cor_bad_dllp
                              : e == dll::replay_num_rollover ? aer_cor_replay_rollover
                                                              : aer_cor_replay_timeout;
    ep.aer_correctable(bit, when);
}

void dw_pcie_ep::link_end::link_partner(bool present, bool hot_reset_received) {
    ep.link_.partner_present = present;
    ep.link_.hot_reset_received = hot_reset_received;
    if (present)
        ep.link_.partner_back.notify(sc_core::SC_ZERO_TIME);
    else
        ep.link_.partner_lost.notify(sc_core::SC_ZERO_TIME);
}

void dw_pcie_ep::link_end::link_activity(const pcie::link_activity_delta& a) {
    auto& s = ep.link_activity_;
    s.busy_up += a.busy_up;
    s.busy_down += a.busy_down;
    s.tlps_up += a.tlps_up;
    s.tlps_down += a.tlps_down;
    s.lost_up += a.lost_up;
    s.lost_down += a.lost_down;
}

std::uint16_t dw_pcie_ep::requester_id() const {
    return pcie::make_bdf(bus_, dev_, 0);
}

void dw_pcie_ep::set_perst(bool asserted) {
    training_.set_perst(asserted);
    app_regs_.set_bits(app::status, app::status_perst_deasserted,
                       asserted ? 0 : app::status_perst_deasserted);
    if (!asserted) raise_app_irq(app::irq_perst_deassert);
    ltssm_kick_.notify(sc_core::SC_ZERO_TIME);
}

void dw_pcie_ep::ltssm_thread() {
    training_.run();
}

void dw_pcie_ep::err_cor_thread() {
    aer_.err_cor_sender();
}

// ---------------------------------------------------------------------------------------------
// Glue block

void dw_pcie_ep::app_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (gp.get_address() >= app::block_bytes) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += p_.dbi_access;
    dword_port_access(
        gp,
        [&](std::uint32_t a) {
            std::uint32_t v = app_regs_.read32(a);
            log_reg("ep-cpu", false, app_regs_, a, v, delay);
            return v;
        },
        [&](std::uint32_t a, std::uint32_t v, std::uint32_t m) {
            if (!app_regs_.write32(a, v, m, reg_writer::dbi, false)) {
                logger::get().guest_error("app", "write to unmapped glue offset " + hex(a, 3));
                return;
            }
            app_written(a, delay);
            log_reg("ep-cpu", true, app_regs_, a, app_regs_.read32(a), delay);
        });
}

void dw_pcie_ep::app_written(std::uint32_t offset, const sc_time& delay) {
    if (offset == app::ctrl) {
        if (app_regs_.read32(app::ctrl) & app::ctrl_flr_done) {
            // app_flr_pf_done: the firmware has re-initialised its function (self-clearing).
            app_regs_.set_bits(app::ctrl, app::ctrl_flr_done, 0);
            app_regs_.set_bits(app::status, app::status_flr_active, 0);
            if (logger::get().enabled("dwc"))
                logger::get().info("dwc", instance_name(*this) + ": FLR done (app_flr_pf_done)");
        }
        // At the write's own time (the writer may run ahead of the kernel's time).
        ltssm_kick_.notify(delay);
        update_intx(delay);
    } else if (offset == app::irq_status || offset == app::irq_enable) {
        update_app_irq();
    }
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

void dw_pcie_ep::drive_edma_irq() {
    edma_irq.write(edma_irq_level_);
}

// ---------------------------------------------------------------------------------------------
// Resets, messages

void dw_pcie_ep::link_down_reset() {
    ++stats_.link_down_resets;
    dbi_.reset(false); // non-sticky registers only (the table's sticky column)
    bus_ = dev_ = 0;
    intx_.link_down();
    msix_pending_.clear(); // MSI-X Control resets with the function: nothing pending survives
    dbi_.set_bits(port_debug1, port_debug1_in_training | port_debug1_link_up, 0);
    app_regs_.set_bits(app::status, app::status_link_up | app::status_flr_active, 0);
    if (logger::get().enabled("ltssm"))
        logger::get().info("ltssm",
                           instance_name(*this) +
                               ": link down: non-sticky registers reset to their defaults");
}

void dw_pcie_ep::function_level_reset(const sc_time& delay) {
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
    intx_.function_reset(delay);
    // A vector pending before the reset is no longer pending: after it, a Pending bit is set only
    // by a new event while masked (the PBA in BAR memory is the function's to clear).
    msix_pending_.clear();
    app_regs_.set_bits(app::status, app::status_flr_active, app::status_flr_active);
    raise_app_irq(app::irq_flr);
    if (logger::get().enabled("dwc"))
        logger::get().info("dwc",
                           instance_name(*this) +
                               ": Function-Level Reset: non-sticky function registers reset; "
                               "configuration requests get CRS until the firmware is done");
}

void dw_pcie_ep::update_intx(const sc_time& delay) {
    intx_.update(app_regs_.read32(app::ctrl) & app::ctrl_sys_int, delay);
}

void dw_pcie_ep::send_message(pcie::msg_code code, sc_time& delay) {
    requester_.set_requester_id(requester_id());
    requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::msg, 0, nullptr, 0, delay, code);
}

void dw_pcie_ep::before_end_of_elaboration() {
    if (!unit_) {
        tlm_unit_ = std::make_unique<tlm_iatu_unit>("iatu", atu_);
        unit_ = tlm_unit_.get();
    }
    iatu_ob_req.bind(unit_->ob_in);
    iatu_ib_req.bind(unit_->ib_in);
    unit_->ob_out.bind(iatu_ob_fwd);
    unit_->ib_out.bind(iatu_ib_fwd);
}

// ---------------------------------------------------------------------------------------------
// Helpers of every path

void dw_pcie_ep::axi_request(tlm::tlm_generic_payload& axi, bool write, std::uint64_t addr,
                             unsigned char* data, unsigned len) {
    axi.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    axi.set_address(addr);
    axi.set_data_ptr(data);
    axi.set_data_length(len);
    axi.set_streaming_width(len);
    axi.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

void dw_pcie_ep::log_reg(const char* who, bool write, const reg_block& blk, std::uint32_t off,
                         std::uint32_t value, const sc_time& delay) {
    if (!logger::get().enabled(reg_log_category)) return;
    log_reg_access(static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay).value()), who,
                   write, off, blk.decode(off, value));
}

void dw_pcie_ep::posted_side_effect(sc_time& delay, const std::function<void(sc_time&)>& work) {
    // The work may read memory; the memory controller then synchronises this thread to the
    // read's start, which is the access's own time. The access still ends at its own time (the
    // writer does not wait for its side effects), so its delay is set again relative to the
    // thread's new time.
    const sc_time end = sc_core::sc_time_stamp() + delay;
    sc_time d = delay;
    work(d);
    const sc_time now = sc_core::sc_time_stamp();
    delay = end > now ? end - now : sc_core::SC_ZERO_TIME;
}

} // namespace epvp::dwc

// The DBI: its address map of sub-targets (built once, decoded once for reads and writes), the
// function's configuration space and port logic as the EP CPU sees them, and the configuration
// space as the host sees it (BARs through the DBI2 masks, FLR).
#include "model/dwc/dw_pcie_ep.h"

#include "model/core/log.h"
#include "model/pcie/config_space.h"

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

namespace {
constexpr std::uint32_t legacy_edma_base = 0x970; // PCIE_DMA_VIEWPORT_BASE
constexpr std::uint32_t legacy_edma_end = 0xB00;
constexpr std::uint32_t edma_space_bytes = 0x80000;
constexpr std::uint32_t all_ones = 0xFFFFFFFFu;
constexpr std::uint32_t devctl_initiate_flr = 1u << 15; // Device Control: Initiate FLR (write 1)
constexpr std::uint32_t devcap_flr_capable = 1u << 28;

std::uint32_t merge(std::uint32_t old, std::uint32_t value, std::uint32_t byte_mask) {
    return (old & ~byte_mask) | (value & byte_mask);
}

// The log line of an iATU register write at DBI offset `off`.
void report_iatu(const iatu_write_result& r, std::uint32_t off, std::uint32_t value,
                 const std::string& where, const sc_time& delay) {
    if (!r.warning.empty()) logger::get().warning("iatu", r.warning);
    if (logger::get().enabled(reg_log_category))
        log_reg_access(static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay).value()),
                       "ep-cpu", true, off, where + "=" + hex(value, 8));
}
} // namespace

// The sub-targets in decode order: where two overlap, the earlier one claims the offset.
void dw_pcie_ep::build_dbi_map() {
    // The legacy eDMA viewport (port logic 0x970); cores without it (unrolled or no eDMA) read
    // all-ones and ignore writes.
    const bool legacy_edma = edma_ && !p_.edma_unrolled;
    dbi_map_.add(
        {"eDMA viewport", legacy_edma_base, legacy_edma_end - legacy_edma_base,
         [this, legacy_edma](std::uint32_t o, sc_time&) {
             return legacy_edma ? edma_->read32(o) : all_ones;
         },
         [this, legacy_edma](std::uint32_t o, std::uint32_t v, std::uint32_t m, sc_time& delay) {
             if (legacy_edma) edma_->write32(o, merge(edma_->peek32(o), v, m), delay);
         }});
    if (p_.edma_unrolled)
        dbi_map_.add(
            {"eDMA", p_.edma_offset, edma_space_bytes,
             [this](std::uint32_t o, sc_time&) { return edma_ ? edma_->read32(o) : all_ones; },
             [this](std::uint32_t o, std::uint32_t v, std::uint32_t m, sc_time& delay) {
                 if (edma_) edma_->write32(o, merge(edma_->peek32(o), v, m), delay);
             }});
    // The iATU viewport register, and on a viewport core the window it selects.
    dbi_map_.add({"iATU viewport", atu_viewport, pcie::dword_bytes,
                  [this](std::uint32_t, sc_time&) { return atu_.read_viewport(); },
                  [this](std::uint32_t, std::uint32_t v, std::uint32_t m, sc_time& delay) {
                      // DBI writes carry byte enables: only the enabled bytes change.
                      v = merge(atu_.read_viewport(), v, m);
                      atu_.write_viewport(v);
                      report_iatu({}, atu_viewport, v, "IATU.VIEWPORT", delay);
                  }});
    if (!p_.iatu.unrolled)
        dbi_map_.add({"iATU viewport window", atu_viewport_window, atu_viewport_size,
                      [this](std::uint32_t o, sc_time&) { return atu_.read_viewport_window(o); },
                      [this](std::uint32_t o, std::uint32_t v, std::uint32_t m, sc_time& delay) {
                          v = merge(atu_.read_viewport_window(o), v, m);
                          const std::uint32_t vp = atu_.read_viewport();
                          check_in_flight(
                              (vp & iatu_reg::viewport_dir_inbound) ? iatu_dir::inbound
                                                                    : iatu_dir::outbound,
                              vp & ~iatu_reg::viewport_dir_inbound, iatu::reg_name(o), delay);
                          report_iatu(atu_.write_viewport_window(o, v), atu_viewport_window + o, v,
                                      std::string("IATU[viewport ") + hex(atu_.read_viewport(), 8) +
                                          "]." + iatu::reg_name(o),
                                      delay);
                      }});
    // The MSI-X doorbell (port logic, write-only).
    dbi_map_.add(
        {"MSI-X doorbell", msix_doorbell, pcie::dword_bytes,
         [](std::uint32_t, sc_time&) { return 0u; },
         [this](std::uint32_t, std::uint32_t v, std::uint32_t m, sc_time& delay) {
             if (logger::get().enabled(reg_log_category))
                 log_reg_access(
                     static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay).value()),
                     "ep-cpu", true, msix_doorbell, "MSIX_DOORBELL=" + hex(v, 8));
             if (m == all_ones)
                 msix_doorbell_write(v, delay);
             else
                 logger::get().guest_error("dbi",
                                           "MSIX_DOORBELL written with a partial width: ignored");
         }});
    // The function's configuration space and port logic.
    dbi_map_.add({"DBI", 0, dbi_function_size,
                  [this](std::uint32_t o, sc_time& delay) { return function_read32(o, delay); },
                  [this](std::uint32_t o, std::uint32_t v, std::uint32_t m, sc_time& delay) {
                      function_write32(o, v, m, delay);
                  }});
    // DBI2 (CS2): the BAR masks and other shadow registers.
    dbi_map_.add({"DBI2", p_.dbi2_offset, dbi_function_size,
                  [this](std::uint32_t o, sc_time&) -> std::uint32_t {
                      if (!dbi2_.has(o)) {
                          logger::get().unimplemented_once("dbi", hex(p_.dbi2_offset + o),
                                                           "DBI2 offset " + hex(o, 3) +
                                                               " not modelled: reads 0");
                          return 0;
                      }
                      return dbi2_.read32(o);
                  },
                  [this](std::uint32_t o, std::uint32_t v, std::uint32_t m, sc_time& delay) {
                      const bool ro_wr_en = dbi_.read32(misc_control_1) & misc_dbi_ro_wr_en;
                      if (!dbi2_.write32(o, v, m, reg_writer::dbi, ro_wr_en)) {
                          logger::get().unimplemented_once("dbi", hex(p_.dbi2_offset + o),
                                                           "DBI2 offset " + hex(o, 3) +
                                                               " not modelled: write ignored");
                          return;
                      }
                      log_reg("ep-cpu", true, dbi2_, o, dbi2_.read32(o), delay);
                  }});
    // The unrolled iATU, through the iATU implementation's register port.
    if (p_.iatu.unrolled)
        dbi_map_.add({"iATU", p_.atu_offset, p_.atu_space_bytes,
                      [this](std::uint32_t o, sc_time& delay) {
                          std::uint32_t v = 0;
                          within_dbi_access(delay, [&](sc_time& d) { v = unit_->read_reg(o, d); });
                          return v;
                      },
                      [this](std::uint32_t o, std::uint32_t v, std::uint32_t m, sc_time& delay) {
                          if (m != all_ones) { // the other bytes keep their value
                              std::uint32_t old = 0;
                              within_dbi_access(delay,
                                                [&](sc_time& d) { old = unit_->read_reg(o, d); });
                              v = merge(old, v, m);
                          }
                          iatu_reg_write(o, v, delay);
                      }});
}

void dw_pcie_ep::dbi_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (gp.get_address() >= p_.dbi_aperture_bytes) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += p_.dbi_access;
    dword_port_access(
        gp, [&](std::uint32_t a) { return dbi_map_.read32(a, delay); },
        [&](std::uint32_t a, std::uint32_t v, std::uint32_t m) {
            dbi_map_.write32(a, v, m, delay);
        });
}

std::uint32_t dw_pcie_ep::function_read32(std::uint32_t off, sc_time& delay) {
    if (!dbi_.has(off)) {
        logger::get().unimplemented_once("dbi", hex(off),
                                         "DBI offset " + hex(off, 3) + " not modelled: reads 0");
        return 0;
    }
    std::uint32_t v = dbi_.read32(off);
    log_reg("ep-cpu", false, dbi_, off, v, delay);
    return v;
}

void dw_pcie_ep::function_write32(std::uint32_t off, std::uint32_t value, std::uint32_t byte_mask,
                                  sc_time& delay) {
    const bool ro_wr_en = dbi_.read32(misc_control_1) & misc_dbi_ro_wr_en;
    std::uint32_t before = dbi_.read32(off);
    if (!dbi_.write32(off, value, byte_mask, reg_writer::dbi, ro_wr_en)) {
        logger::get().unimplemented_once(
            "dbi", hex(off), "DBI offset " + hex(off, 3) + " not modelled: write ignored");
        return;
    }
    std::uint32_t after = dbi_.read32(off);
    log_reg("ep-cpu", true, dbi_, off, after, delay);
    const reg_def* d = dbi_.find(off);
    std::uint32_t wanted = (value & byte_mask & ~d->w1c) | (before & ~byte_mask);
    if (!ro_wr_en && (wanted & d->ro_wr & ~d->rw) != (before & d->ro_wr & ~d->rw))
        logger::get().guest_error("dbi", std::string("write to read-only field of ") + d->name +
                                             " = " + hex(value, 8) +
                                             " without MISC_CONTROL_1.DBI_RO_WR_EN: ignored");
}

void dw_pcie_ep::iatu_reg_write(std::uint32_t o, std::uint32_t value, sc_time& delay) {
    bool inbound = o & iatu_reg::inbound_offset;
    check_in_flight(inbound ? iatu_dir::inbound : iatu_dir::outbound, o / iatu_reg::region_bytes,
                    iatu::reg_name(o % iatu_reg::inbound_offset), delay);
    iatu_write_result r;
    within_dbi_access(delay, [&](sc_time& d) { r = unit_->write_reg(o, value, d); });
    report_iatu(r, p_.atu_offset + o, value,
                std::string("IATU.") + (inbound ? "IB" : "OB") +
                    std::to_string(o / iatu_reg::region_bytes) + "." +
                    iatu::reg_name(o % iatu_reg::inbound_offset),
                delay);
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

void dw_pcie_ep::cfg_write32(std::uint32_t off, std::uint32_t value, std::uint32_t byte_mask,
                             sc_time& delay) {
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
    // A reset takes effect when its write arrives (the write's own time, ahead of the kernel's
    // by the link's flight and the writer's look-ahead): its interrupt, the eDMA stop and the
    // registers' reset are seen by the firmware from then on, at any quantum.
    if (flr && delay > sc_core::SC_ZERO_TIME) {
        sc_core::wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    if (!dbi_.write32(off, value, byte_mask, reg_writer::wire, false))
        logger::get().unimplemented_once("cfg", hex(off),
                                         "config offset " + hex(off, 3) + " not modelled");
    if (flr) function_level_reset(delay);
    if (off == msix_ctrl && !msix_pending_.empty()) // the Function Mask may have been cleared
        posted_side_effect(delay, [this](sc_time& d) { msix_send_pending(d); });
}

} // namespace epvp::dwc

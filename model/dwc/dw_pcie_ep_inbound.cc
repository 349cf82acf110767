// The inbound path: TLPs from the link. Configuration requests (CRS while the firmware holds
// them off), memory requests through the BARs and the inbound iATU onto the AXI master,
// completions to the requester, poisoned TLPs to AER.
#include "model/core/payload_pool.h"
#include "model/dwc/dw_pcie_ep.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"
#include "model/core/trace_events.h"
#include "model/dwc/app_regs.h"
#include "model/pcie/config_space.h"
#include "model/soc/soc_attr.h"

#include <cstring>
#include <vector>

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

namespace {
constexpr std::uint32_t cfg_space_bytes = 0x1000;
constexpr std::uint32_t cfg_offset_mask = cfg_space_bytes - pcie::dword_bytes;
constexpr unsigned completer_rcb_bytes = 128;

std::uint32_t be_to_mask(std::uint8_t be) {
    std::uint32_t m = 0;
    for (unsigned i = 0; i < pcie::dword_bytes; ++i)
        if (be & (1u << i)) m |= 0xFFu << (8 * i);
    return m;
}
} // namespace

// --trace: one event per translated request on the iATU's track of its direction, from the
// time the request entered the iATU to the time it left translated.
void dw_pcie_ep::trace_translation(const char* dir, const iatu_hit& hit, std::uint64_t in_addr,
                                   std::uint64_t out_addr, const sc_time& entered,
                                   const sc_time& left) const {
    trace::recorder* tr = trace::recorder::active();
    if (!tr) return;
    const sc_time ps(1, sc_core::SC_PS);
    tr->complete(tr->track("iATU", instance_name(*this) + " " + dir),
                 hit.hit ? "window " + std::to_string(hit.index) : "miss",
                 static_cast<std::uint64_t>(entered / ps),
                 static_cast<std::uint64_t>((left > entered ? left - entered : sc_time()) / ps),
                 {{"in", hex(in_addr)}, {"out", hex(out_addr)}});
}

pcie::completer_params dw_pcie_ep::completer() const {
    pcie::completer_params cp;
    cp.completer_id = requester_id();
    // An endpoint completes at 128 B: its Link Control RCB bit describes the root port's RCB,
    // and only a root complex may use 64 B (PCIe Base Spec 5.0 sections 2.3.1.1 and 7.5.3.7).
    cp.rcb_bytes = completer_rcb_bytes;
    cp.mps_bytes = mps_bytes();
    return cp;
}

void dw_pcie_ep::poisoned_received(const tlm::tlm_generic_payload& gp, const pcie::pcie_tlp& t,
                                   sc_time& delay) {
    ++stats_.poisoned_tlps;
    const std::uint64_t addr = gp.get_address();
    logger::get().warning(
        "dwc",
        instance_name(*this) + ": poisoned " + pcie::to_string(t.type) + " " + hex(addr) +
            " from " +
            pcie::bdf_string(pcie::is_completion(t.type) ? t.completer_id : t.requester_id) +
            (t.type == pcie::tlp_type::mwr ? ": Poisoned TLP Received, not written"
                                           : ": Poisoned TLP Received, data discarded"),
        "poisoned");
    aer_.uncorrectable(aer_uncor_poisoned_tlp, &gp, delay);
}

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
        handle_config(gp, t, delay);
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
        if (logger::get().enabled("tlp"))
            logger::get().info("tlp", instance_name(*this) + ": message received and ignored");
        break;
    }
}

void dw_pcie_ep::handle_config(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_time& delay) {
    ++stats_.cfg_requests;
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
        std::memcpy(&v, gp.get_data_ptr(),
                    std::min<unsigned>(pcie::dword_bytes, gp.get_data_length()));
        cfg_write32(off, v, be_to_mask(t.first_be), delay);
        log_reg("host", true, dbi_, off, dbi_.read32(off), delay);
        if (off == c::command) update_intx(delay);
        pcie::send_completion(tx, completer(), gp, t, pcie::cpl_status::sc, nullptr, delay);
        return;
    }
    std::uint32_t v = cfg_read32(off);
    log_reg("host", false, dbi_, off, v, delay);
    unsigned char data[pcie::dword_bytes];
    std::memcpy(data, &v, pcie::dword_bytes);
    pcie::send_completion(tx, completer(), gp, t, pcie::cpl_status::sc, data, delay);
}

void dw_pcie_ep::handle_memory(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_time& delay) {
    auto& tx = *pcie_tx.operator->();
    const bool is_read = t.type == pcie::tlp_type::mrd;
    (is_read ? stats_.mem_reads : stats_.mem_writes)++;
    auto unsupported = [&](const std::string& why) {
        ++stats_.unsupported_requests;
        aer_.uncorrectable(aer_uncor_unsupported_request, &gp, delay);
        logger::get().warning("dwc",
                              instance_name(*this) + ": " + pcie::to_string(t.type) + " " +
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
    // At the TLP's address: the iATU translates it on the way.
    axi_request(axi, !is_read, gp.get_address(), buf.data(), static_cast<unsigned>(buf.size()));
    // The BAR decode travels with the request into the inbound iATU stage (BAR and function in
    // pcie_tlp, the rest in iatu_xlat); ib_translated_b_transport carries out what it forwards.
    pcie::pcie_tlp req_tlp = t;
    req_tlp.bar = bar;
    req_tlp.function = 0;
    iatu_xlat x;
    x.bar_offset = bar_off;
    x.tlp_type = iatu_reg::type_mem; // MRd/MWr: only MEM regions claim them
    for (std::uint64_t size = bar_size(static_cast<unsigned>(bar)); size > 1; size >>= 1)
        ++x.bar_size_log2;
    iatu_path path;
    path.rx = &t;
    path.bar = bar;
    path.bar_off = bar_off;
    path.out_addr = gp.get_address();
    transport_with(iatu_ib_req, axi, delay, attr, req_tlp, x, path);
    const std::uint64_t axi_addr = path.out_addr;
    if (path.refused) {
        unsupported("BAR" + std::to_string(bar) + " offset " + hex(bar_off) +
                    ": no inbound iATU region matches (dwc.iatu.miss_policy=ur)");
        return;
    }
    bool ok = axi.get_response_status() == tlm::TLM_OK_RESPONSE;
    if (!ok) {
        ++stats_.completer_aborts;
        if (is_read) aer_.uncorrectable(aer_uncor_completer_abort, &gp, delay);
        logger::get().warning("dwc",
                              instance_name(*this) + ": AXI " + (is_read ? "read" : "write") +
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

// Each request the inbound iATU forwards goes out on the AXI master port with the controller's
// stream ID (soc_attr, set by the sender); a miss follows the miss policy.
void dw_pcie_ep::ib_translated_b_transport(tlm::tlm_generic_payload& req, sc_time& d) {
    iatu_path& path = *req.get_extension<iatu_path>();
    const iatu_xlat& x = *req.get_extension<iatu_xlat>();
    const iatu_hit& hit = x.hit;
    path.out_addr = req.get_address();
    if (path.rx)
        trace_translation("inbound", hit, x.in_addr, path.out_addr, x.entered,
                          sc_core::sc_time_stamp() + d);
    if (!hit.hit) {
        if (path.rx) ++stats_.iatu_misses;
        if (p_.miss_is_ur) {
            path.refused = true;
            req.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (path.rx)
            logger::get().warning("iatu",
                                  instance_name(*this) + ": inbound " +
                                      pcie::to_string(path.rx->type) + " BAR" +
                                      std::to_string(path.bar) + " offset " + hex(path.bar_off) +
                                      ": no iATU region matches; passed through untranslated "
                                      "to AXI address " +
                                      hex(path.out_addr),
                                  "ib-miss");
    }
    // The SoC sees an AXI request: the stage's marks stay behind.
    pcie::pcie_tlp* t = req.get_extension<pcie::pcie_tlp>();
    if (t) req.clear_extension(t);
    axi_m->b_transport(req, d);
    if (t) req.set_extension(t);
    if (path.rx && hit.hit && hit.index < ib_busy_until_.size())
        ib_busy_until_[hit.index] =
            std::max(ib_busy_until_[hit.index], sc_core::sc_time_stamp() + d);
}

} // namespace epvp::dwc

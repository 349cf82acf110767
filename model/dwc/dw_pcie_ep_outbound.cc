// The outbound path: the EP CPU's accesses to the AXI slave aperture, translated by the
// outbound iATU into requests of the transaction-layer requester; and the eDMA engine's bus
// side (local AXI master, the same requester on the link).
#include "model/core/payload_pool.h"
#include "model/dwc/dw_pcie_ep.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"
#include "model/pcie/config_space.h"
#include "model/soc/soc_attr.h"

#include <cstring>

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

void dw_pcie_ep::outbound_fail(tlm::tlm_generic_payload& req, tlm::tlm_response_status st,
                               std::uint64_t axi_addr, unsigned len, const std::string& why) {
    ++stats_.outbound_errors;
    const bool is_read = req.is_read();
    logger::get().warning("dwc",
                          instance_name(*this) + ": outbound " + (is_read ? "read " : "write ") +
                              hex(axi_addr) + " len " + std::to_string(len) + ": " + why,
                          "outbound-error");
    if (is_read) std::memset(req.get_data_ptr(), 0xFF, req.get_data_length());
    req.set_response_status(st);
}

void dw_pcie_ep::axi_s_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    iatu_path path;
    path.axi_addr = p_.aperture_base + gp.get_address();
    path.len = gp.get_data_length();
    const bool is_read = gp.is_read();
    auto fail = [&](const std::string& why) {
        outbound_fail(gp, tlm::TLM_GENERIC_ERROR_RESPONSE, path.axi_addr, path.len, why);
    };
    if (gp.get_byte_enable_ptr() || !path.len)
        return fail("byte enables / empty accesses not supported");
    if (!link_.up) return fail("the link is down");
    if (!(dbi_.read32(c::command) & c::cmd_bus_master))
        return fail("Bus Master Enable is clear: the function may not issue requests");
    // Through the outbound iATU stage, which hands each translated request to
    // ob_translated_b_transport.
    const std::uint64_t cpu_addr = gp.get_address();
    gp.set_address(path.axi_addr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    transport_with(iatu_ob_req, gp, delay, path);
    gp.set_address(cpu_addr);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
        if (is_read) std::memset(gp.get_data_ptr(), 0xFF, path.len);
        return;
    }
    (is_read ? stats_.outbound_reads : stats_.outbound_writes)++;
}

// Each request the outbound iATU forwards becomes MRd/MWr TLPs.
void dw_pcie_ep::ob_translated_b_transport(tlm::tlm_generic_payload& req, sc_time& d) {
    const iatu_path& path = *req.get_extension<iatu_path>();
    const iatu_xlat& x = *req.get_extension<iatu_xlat>();
    const iatu_hit& hit = x.hit;
    const bool is_read = req.is_read();
    auto fail = [&](tlm::tlm_response_status st, const std::string& why) {
        outbound_fail(req, st, path.axi_addr, path.len, why);
    };
    const unsigned n_req = req.get_data_length();
    unsigned char* data = req.get_data_ptr();
    if (req.get_byte_enable_ptr())
        return fail(tlm::TLM_GENERIC_ERROR_RESPONSE,
                    "sparse byte enables from the iATU not supported");
    const std::uint64_t pci = req.get_address();
    trace_translation("outbound", hit, x.in_addr, pci, x.entered, sc_core::sc_time_stamp() + d);
    if (!hit.hit) {
        ++stats_.outbound_misses;
        if (p_.miss_is_ur)
            return fail(tlm::TLM_ADDRESS_ERROR_RESPONSE,
                        "no outbound iATU region matches (dwc.iatu.miss_policy=ur): DECERR");
        logger::get().warning("iatu",
                              instance_name(*this) + ": outbound " + hex(x.in_addr) +
                                  ": no iATU region matches; sent untranslated",
                              "ob-miss");
    } else {
        if (hit.type != iatu_reg::type_mem) {
            logger::get().unimplemented_once("dwc", "ob-type",
                                             "outbound iATU region type " + hex(hit.type) +
                                                 " (CFG/IO/MSG) not modelled");
            return fail(tlm::TLM_GENERIC_ERROR_RESPONSE, "region type not modelled");
        }
        if (x.in_addr + n_req - 1 > unit_->region_limit(iatu_dir::outbound, hit.index, d))
            return fail(tlm::TLM_GENERIC_ERROR_RESPONSE,
                        "access runs past the end of outbound region " + std::to_string(hit.index));
    }
    // One access becomes requests of at most MRRS/MPS bytes, never crossing 4 KiB.
    auto& tx = *pcie_tx.operator->();
    requester_.set_requester_id(requester_id());
    const pcie::transfer_result r = is_read
                                        ? requester_.read(tx, pci, data, n_req, mrrs_bytes(), d)
                                        : requester_.write(tx, pci, data, n_req, mps_bytes(), d);
    stats_.outbound_tlps += r.tlps;
    if (!r.ok) {
        const pcie::np_result& last = r.last;
        return fail(tlm::TLM_GENERIC_ERROR_RESPONSE,
                    !is_read        ? std::string("MWr not sent")
                    : r.timed_out   ? "MRd " + hex(r.failed_addr) + ": completion timeout"
                    : last.poisoned ? "MRd " + hex(r.failed_addr) + ": completion poisoned (EP bit)"
                    : last.link_error ? std::string("MRd not sent")
                    : !last.completed
                        ? std::string("MRd got no completion")
                        : std::string("MRd completed with ") + pcie::to_string(last.status));
    }
    if (hit.hit && hit.index < ob_busy_until_.size())
        ob_busy_until_[hit.index] =
            std::max(ob_busy_until_[hit.index], sc_core::sc_time_stamp() + d);
    req.set_response_status(tlm::TLM_OK_RESPONSE);
}

void dw_pcie_ep::check_in_flight(iatu_dir d, unsigned index, const std::string& reg,
                                 const sc_time& delay) {
    const auto& busy = d == iatu_dir::outbound ? ob_busy_until_ : ib_busy_until_;
    if (index >= busy.size()) return;
    const sc_time now = sc_core::sc_time_stamp() + delay;
    if (busy[index] <= now) return;
    ++stats_.iatu_reprogram_in_flight;
    logger::get().warning("iatu",
                          instance_name(*this) + ": " + reg + " of " +
                              (d == iatu_dir::outbound ? "outbound" : "inbound") + " region " +
                              std::to_string(index) + " written at " +
                              logger::format_time(static_cast<std::uint64_t>(now.value())) +
                              " while a transaction through it completes at " +
                              logger::format_time(static_cast<std::uint64_t>(busy[index].value())) +
                              " (undefined behaviour per the databook)");
}

// ---------------------------------------------------------------------------------------------
// The eDMA engine's view of the controller

void dw_pcie_ep::local_irq(bool level) {
    if (level == edma_irq_level_) return;
    edma_irq_level_ = level;
    edma_irq_changed_.notify(sc_core::SC_ZERO_TIME);
}

edma_bus::link_snapshot dw_pcie_ep::link_activity() const {
    return link_activity_;
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
    return pcie::devctl_mps_bytes(dbi_.read32(exp_cap + c::exp_devctl));
}

unsigned dw_pcie_ep::mrrs_bytes() const {
    return pcie::devctl_mrrs_bytes(dbi_.read32(exp_cap + c::exp_devctl));
}

bool dw_pcie_ep::may_request() const {
    return link_.up && (dbi_.read32(c::command) & c::cmd_bus_master);
}

bool dw_pcie_ep::local_access(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                              sc_time& delay) {
    return local_axi(write, addr, data, len, nullptr, delay);
}

bool dw_pcie_ep::local_write_pieces(std::uint64_t addr, unsigned char* data,
                                    soc::access_pieces& pieces, sc_time& delay) {
    unsigned len = 0;
    for (const auto& p : pieces.pieces)
        len += p.bytes;
    ++local_page_writes_;
    return local_axi(true, addr, data, len, &pieces, delay);
}

bool dw_pcie_ep::local_axi(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                           soc::access_pieces* pieces, sc_time& delay) {
    soc::soc_attr attr;
    attr.initiator = soc::master::edma;
    attr.stream_id = stream_id();
    pooled_payload pooled_axi;
    tlm::tlm_generic_payload& axi = *pooled_axi;
    axi_request(axi, write, addr, data, len);
    if (pieces)
        transport_with(axi_m, axi, delay, attr, *pieces);
    else
        transport_with(axi_m, axi, delay, attr);
    return axi.get_response_status() == tlm::TLM_OK_RESPONSE;
}

namespace {

// What an eDMA read learns from its request's result (UR for no completion or a link error).
pcie::cpl_status read_outcome(const pcie::np_result& r, tlp_wait* wait) {
    if (wait) {
        wait->link = r.sent.link_wait;
        wait->credits = r.sent.credit_wait;
        wait->completions = r.completions;
        wait->poisoned = r.poisoned;
    }
    if (r.link_error || !r.completed || (r.poisoned && !wait)) return pcie::cpl_status::ur;
    return r.status;
}

std::uint32_t burst_bytes(const pcie::tlp_burst& b) {
    std::uint32_t n = 0;
    for (const auto& piece : b.pieces)
        n += piece.bytes;
    return n;
}

} // namespace

bool dw_pcie_ep::pcie_write(std::uint64_t pci_addr, const unsigned char* data, unsigned len,
                            sc_time& delay, tlp_wait* wait) {
    if (!may_request()) return false;
    requester_.set_requester_id(requester_id());
    const pcie::transfer_result r =
        requester_.write(*pcie_tx.operator->(), pci_addr, data, len, mps_bytes(), delay);
    if (wait) {
        wait->link = r.sent.link_wait;
        wait->credits = r.sent.credit_wait;
    }
    return r.ok;
}

pcie::cpl_status dw_pcie_ep::pcie_read(std::uint64_t pci_addr, unsigned char* data, unsigned len,
                                       sc_time& delay, tlp_wait* wait) {
    if (!may_request()) return pcie::cpl_status::ur;
    requester_.set_requester_id(requester_id());
    const pcie::transfer_result t =
        requester_.read(*pcie_tx.operator->(), pci_addr, data, len, mrrs_bytes(), delay);
    if (t.timed_out)
        logger::get().warning(
            "dwc", instance_name(*this) + ": eDMA MRd " + hex(pci_addr) + ": completion timeout",
            "edma-cto");
    return read_outcome(t.last, wait);
}

bool dw_pcie_ep::pcie_write_burst(std::uint64_t pci_addr, const unsigned char* data,
                                  pcie::tlp_burst& b, sc_time& delay, tlp_wait* wait) {
    if (!may_request()) return false;
    requester_.set_requester_id(requester_id());
    pcie::tlp_link_timing sent;
    const bool ok =
        requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::mwr, pci_addr, data,
                          burst_bytes(b), delay, pcie::msg_code::assert_inta, &sent, &b);
    if (ok) delay = sent.departed - sc_core::sc_time_stamp();
    if (wait) {
        wait->link = sent.link_wait;
        wait->credits = sent.credit_wait;
    }
    return ok;
}

pcie::cpl_status dw_pcie_ep::pcie_read_burst(std::uint64_t pci_addr, unsigned char* data,
                                             pcie::tlp_burst& b, sc_time& delay, tlp_wait* wait) {
    if (!may_request()) return pcie::cpl_status::ur;
    requester_.set_requester_id(requester_id());
    std::uint32_t len = 0;
    for (const auto& piece : b.pieces)
        len += piece.bytes;
    // Completion timeouts are refused in burst mode (faults.completion_timeout.nth_read).
    return read_outcome(requester_.request(*pcie_tx.operator->(), pcie::tlp_type::mrd, pci_addr,
                                           data, burst_bytes(b), delay, 0, 0xF, &b),
                        wait);
}

} // namespace epvp::dwc

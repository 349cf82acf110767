// MSI-X: the DBI doorbell, the function's table and PBA read through its BAR and the inbound
// iATU, the message as an MWr, pending vectors sent once unmasked.
#include "model/core/payload_pool.h"
#include "model/dwc/dw_pcie_ep.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"
#include "model/pcie/config_space.h"
#include "model/soc/soc_attr.h"

#include <cstring>
#include <vector>

namespace epvp::dwc {

using sc_core::sc_time;
namespace c = pcie::cfg;

bool dw_pcie_ep::msix_access(bool table, bool write, std::uint64_t offset, unsigned char* data,
                             unsigned len, sc_time& delay) {
    const std::uint32_t reg = dbi_.read32(table ? msix_table : msix_pba);
    const unsigned bar = reg & msix_bir_mask;
    const std::uint64_t bar_off = (reg & ~msix_bir_mask) + offset;
    const std::uint64_t size = bar < c::num_bars ? bar_size(bar) : 0;
    if (!size || bar_off + len > size) {
        logger::get().guest_error(
            "dwc", instance_name(*this) + ": MSI-X " + (table ? "Table" : "PBA") + " in BAR" +
                       std::to_string(bar) + " is outside the enabled BAR: not accessible");
        return false;
    }
    soc::soc_attr attr;
    attr.initiator = soc::master::pcie_inbound;
    attr.stream_id = stream_id();
    pooled_payload pooled_axi;
    tlm::tlm_generic_payload& axi = *pooled_axi;
    axi_request(axi, write, bar_address(bar) + bar_off, data, len);
    // Where the host sees the table: through the inbound iATU stage like a host request to the
    // BAR (ib_translated_b_transport carries it out; not counted as the host's).
    pcie::pcie_tlp req_tlp;
    req_tlp.type = write ? pcie::tlp_type::mwr : pcie::tlp_type::mrd;
    req_tlp.bar = static_cast<int>(bar);
    iatu_xlat x;
    x.bar_offset = bar_off;
    for (std::uint64_t s = size; s > 1; s >>= 1)
        ++x.bar_size_log2;
    iatu_path path;
    transport_with(iatu_ib_req, axi, delay, attr, req_tlp, x, path);
    if (axi.get_response_status() == tlm::TLM_OK_RESPONSE) return true;
    logger::get().warning("dwc",
                          instance_name(*this) + ": MSI-X " + (table ? "Table" : "PBA") +
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
        std::memcpy(&x, entry + at, pcie::dword_bytes);
        return x;
    };
    const std::uint32_t ctrl = dbi_.read32(msix_ctrl);
    const std::uint32_t pba_bit = 1u << (v % 32);
    const std::uint64_t pba_off = std::uint64_t(v / 32) * pcie::dword_bytes;
    std::uint32_t pba = 0;
    if ((ctrl & msix_ctrl_mask_all) || (field(msix_entry_vector_ctrl) & msix_entry_masked)) {
        // Masked: the vector's Pending bit is set; the message goes once it is unmasked.
        if (!msix_access(false, false, pba_off, reinterpret_cast<unsigned char*>(&pba),
                         pcie::dword_bytes, delay))
            error = true;
        pba |= pba_bit;
        if (!error && !msix_access(false, true, pba_off, reinterpret_cast<unsigned char*>(&pba),
                                   pcie::dword_bytes, delay))
            error = true;
        if (!error && msix_pending_.insert(v).second) ++stats_.msix_pending_set;
        return false;
    }
    if (!(dbi_.read32(c::command) & c::cmd_bus_master) || training_.state() != ltssm::l0 ||
        (link_control.size() > 0 && !link_.up)) {
        logger::get().warning("dwc",
                              instance_name(*this) + ": MSI-X vector " + std::to_string(v) +
                                  ": Bus Master Enable clear or the link is down: not sent",
                              "msix-not-sent");
        error = true;
        return false;
    }
    const std::uint64_t addr =
        (std::uint64_t(field(msix_entry_addr + pcie::dword_bytes)) << 32) | field(msix_entry_addr);
    const std::uint32_t data = field(msix_entry_data);
    requester_.set_requester_id(requester_id());
    unsigned char payload[pcie::dword_bytes];
    std::memcpy(payload, &data, pcie::dword_bytes);
    if (!requester_.posted(*pcie_tx.operator->(), pcie::tlp_type::mwr, addr, payload,
                           pcie::dword_bytes, delay)) {
        error = true;
        return false;
    }
    ++stats_.msix_messages;
    if (msix_pending_.erase(v)) {
        if (msix_access(false, false, pba_off, reinterpret_cast<unsigned char*>(&pba),
                        pcie::dword_bytes, delay)) {
            pba &= ~pba_bit;
            msix_access(false, true, pba_off, reinterpret_cast<unsigned char*>(&pba),
                        pcie::dword_bytes, delay);
        }
    }
    return true;
}

void dw_pcie_ep::msix_doorbell_write(std::uint32_t value, sc_time& delay) {
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
        logger::get().guest_error("dwc", instance_name(*this) + ": MSIX_DOORBELL = " +
                                             hex(value, 8) + ": " + why + ": no message");
        return;
    }
    // A posted register write: the CPU does not wait for the table read and the message.
    posted_side_effect(delay, [this, v](sc_time& d) {
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

#include "model/pcie/tlp.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace epvp::pcie {

namespace {
constexpr unsigned hdr_3dw_bytes = 12;
constexpr unsigned hdr_4dw_bytes = 16;
constexpr unsigned dll_overhead_bytes = 8; // STP/framing + sequence number + LCRC

// Header fields (PCIe Base Spec 5.0 section 2.2.1, figure 2-5, and table 2-3).
constexpr std::uint8_t fmt_4dw = 0x20;        // Fmt[0]: 4 DW header
constexpr std::uint8_t fmt_data = 0x40;       // Fmt[1]: with data
constexpr std::uint8_t type_mem = 0x00;       // MRd / MWr
constexpr std::uint8_t type_cfg0 = 0x04;      // CfgRd0 / CfgWr0
constexpr std::uint8_t type_cfg1 = 0x05;      // CfgRd1 / CfgWr1
constexpr std::uint8_t type_cpl = 0x0A;       // Cpl / CplD
constexpr std::uint8_t type_msg_to_rc = 0x10; // Msg, routed to the Root Complex (r = 000)
constexpr std::uint8_t type_msg_local = 0x14; // Msg, local: terminate at receiver (r = 100)
constexpr unsigned fmt_type_shift = 24, t9_shift = 23, tc_shift = 20, t8_shift = 19,
                   attr2_shift = 18, ep_shift = 14, attr10_shift = 12;
constexpr std::uint32_t length_mask = 0x3FF; // 1024 DW encodes as 0
constexpr unsigned id_shift = 16, tag_shift = 8, last_be_shift = 4, cpl_status_shift = 13;
constexpr std::uint32_t byte_count_mask = 0xFFF, lower_addr_mask = 0x7F;

std::uint8_t fmt_type(const pcie_tlp& t) {
    const std::uint8_t wide = t.addr64 ? fmt_4dw : 0;
    switch (t.type) {
    case tlp_type::mrd:
        return type_mem | wide;
    case tlp_type::mwr:
        return fmt_data | type_mem | wide;
    case tlp_type::cfgrd0:
        return type_cfg0;
    case tlp_type::cfgwr0:
        return fmt_data | type_cfg0;
    case tlp_type::cfgrd1:
        return type_cfg1;
    case tlp_type::cfgwr1:
        return fmt_data | type_cfg1;
    case tlp_type::msg:
    case tlp_type::msgd: {
        // INTx messages are local (terminate at the receiver); error messages go to the RC.
        const bool intx = t.code >= msg_code::assert_inta && t.code <= msg_code::deassert_intd;
        return static_cast<std::uint8_t>(fmt_4dw | (t.type == tlp_type::msgd ? fmt_data : 0) |
                                         (intx ? type_msg_local : type_msg_to_rc));
    }
    case tlp_type::cpl:
        return type_cpl;
    case tlp_type::cpld:
        return fmt_data | type_cpl;
    }
    return 0;
}
} // namespace

const char* to_string(tlp_type t) {
    switch (t) {
    case tlp_type::mrd:
        return "MRd";
    case tlp_type::mwr:
        return "MWr";
    case tlp_type::cfgrd0:
        return "CfgRd0";
    case tlp_type::cfgwr0:
        return "CfgWr0";
    case tlp_type::cfgrd1:
        return "CfgRd1";
    case tlp_type::cfgwr1:
        return "CfgWr1";
    case tlp_type::msg:
        return "Msg";
    case tlp_type::msgd:
        return "MsgD";
    case tlp_type::cpl:
        return "Cpl";
    case tlp_type::cpld:
        return "CplD";
    }
    return "?";
}

const char* to_string(cpl_status s) {
    switch (s) {
    case cpl_status::sc:
        return "SC";
    case cpl_status::ur:
        return "UR";
    case cpl_status::crs:
        return "CRS";
    case cpl_status::ca:
        return "CA";
    }
    return "?";
}

std::string bdf_string(std::uint16_t bdf) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1F, bdf & 7);
    return buf;
}

tlm::tlm_extension_base* pcie_tlp::clone() const {
    return new pcie_tlp(*this);
}
void pcie_tlp::copy_from(const tlm::tlm_extension_base& ext) {
    *this = static_cast<const pcie_tlp&>(ext);
}

unsigned header_bytes(const pcie_tlp& t) {
    switch (t.type) {
    case tlp_type::mrd:
    case tlp_type::mwr:
        return t.addr64 ? hdr_4dw_bytes : hdr_3dw_bytes;
    case tlp_type::msg:
    case tlp_type::msgd:
        return hdr_4dw_bytes;
    default:
        return hdr_3dw_bytes;
    }
}

std::uint64_t wire_bytes(unsigned header, std::uint64_t payload_bytes, bool ecrc) {
    std::uint64_t payload_dw = (payload_bytes + dword_bytes - 1) / dword_bytes;
    return dll_overhead_bytes + header + payload_dw * dword_bytes + (ecrc ? ecrc_bytes : 0);
}

cpl_piece next_completion(std::uint64_t addr, std::uint32_t len, std::uint64_t off, unsigned rcb,
                          unsigned mps) {
    const std::uint64_t a = addr + off;
    const std::uint64_t remaining = len - off;
    // An unaligned start ends at the first RCB boundary (a short first completion);
    // after that, the largest RCB-aligned end within MPS bytes.
    std::uint64_t end;
    if (a % rcb) {
        end = std::min<std::uint64_t>(a + rcb - (a % rcb), a + mps);
    } else {
        const std::uint64_t max_end = a + mps;
        end = max_end - (max_end % rcb);
        if (end <= a) // RCB larger than MPS
            end = max_end;
    }
    const std::uint64_t n = std::min<std::uint64_t>(end - a, remaining);
    constexpr std::uint64_t max_byte_count = 4096;
    return cpl_piece{off, static_cast<std::uint32_t>(n),
                     static_cast<std::uint16_t>(remaining % max_byte_count),
                     static_cast<std::uint8_t>(a & 0x7F)};
}

std::vector<cpl_piece> split_completions(std::uint64_t addr, std::uint32_t len, unsigned rcb,
                                         unsigned mps) {
    std::vector<cpl_piece> out;
    out.reserve(len / std::min(rcb, mps) + 2);
    for (std::uint64_t off = 0; off < len; off += out.back().bytes)
        out.push_back(next_completion(addr, len, off, rcb, mps));
    return out;
}

std::array<std::uint32_t, 4> header_dwords(const pcie_tlp& t, std::uint64_t addr,
                                           std::uint32_t len) {
    std::array<std::uint32_t, 4> dw{};
    // Length in DW: what the payload (or a read's request) spans from its first dword; one DW
    // for configuration requests; reserved (0) for Cpl and messages without data.
    std::uint64_t length_dw = 0;
    if (t.type == tlp_type::cfgrd0 || t.type == tlp_type::cfgwr0 || t.type == tlp_type::cfgrd1 ||
        t.type == tlp_type::cfgwr1)
        length_dw = 1;
    else if (has_data(t.type) || t.type == tlp_type::mrd) {
        // A completion's data starts at its Lower Address.
        const std::uint64_t lead = (is_completion(t.type) ? t.lower_addr : addr) % dword_bytes;
        length_dw = (lead + len + dword_bytes - 1) / dword_bytes;
    }
    const std::uint32_t tag = t.tag;
    dw[0] = (std::uint32_t(fmt_type(t)) << fmt_type_shift) | (((tag >> 9) & 1u) << t9_shift) |
            (std::uint32_t(t.tc & 7u) << tc_shift) | (((tag >> 8) & 1u) << t8_shift) |
            (((t.attr >> 2) & 1u) << attr2_shift) | (std::uint32_t(t.poisoned) << ep_shift) |
            (std::uint32_t(t.attr & 3u) << attr10_shift) |
            static_cast<std::uint32_t>(length_dw & length_mask);
    const std::uint32_t req_tag =
        (std::uint32_t(t.requester_id) << id_shift) | ((tag & 0xFFu) << tag_shift);
    if (is_completion(t.type)) {
        dw[1] = (std::uint32_t(t.completer_id) << id_shift) |
                (std::uint32_t(static_cast<unsigned>(t.status)) << cpl_status_shift) |
                (t.byte_count & byte_count_mask);
        dw[2] = req_tag | (t.lower_addr & lower_addr_mask);
        return dw;
    }
    if (t.type == tlp_type::msg || t.type == tlp_type::msgd) {
        dw[1] = req_tag | static_cast<std::uint32_t>(t.code);
        return dw;
    }
    dw[1] = req_tag | (std::uint32_t(t.last_be & 0xFu) << last_be_shift) | (t.first_be & 0xFu);
    if (t.type == tlp_type::mrd || t.type == tlp_type::mwr) {
        if (t.addr64) {
            dw[2] = static_cast<std::uint32_t>(addr >> 32);
            dw[3] = static_cast<std::uint32_t>(addr) & ~3u;
        } else {
            dw[2] = static_cast<std::uint32_t>(addr) & ~3u;
        }
    } else {
        dw[2] = (std::uint32_t(t.target_id) << id_shift) |
                (static_cast<std::uint32_t>(addr) & cfg_reg_mask);
    }
    return dw;
}

void byte_enables(std::uint64_t addr, std::uint32_t len, std::uint8_t& first_be,
                  std::uint8_t& last_be) {
    std::uint64_t first_dw = addr / dword_bytes;
    std::uint64_t last_dw = (addr + len - 1) / dword_bytes;
    unsigned lead = addr % dword_bytes;
    unsigned tail = (addr + len - 1) % dword_bytes;
    if (first_dw == last_dw) {
        first_be = static_cast<std::uint8_t>(((1u << (tail + 1)) - 1) & ~((1u << lead) - 1));
        last_be = 0;
    } else {
        first_be = static_cast<std::uint8_t>(0xF & ~((1u << lead) - 1));
        last_be = static_cast<std::uint8_t>((1u << (tail + 1)) - 1);
    }
}

void missing_tlp_extension() {
    throw std::logic_error("TLP transaction without pcie_tlp extension");
}

} // namespace epvp::pcie

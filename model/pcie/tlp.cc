#include "pcie/tlp.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace epvp::pcie {

namespace {
constexpr unsigned dword_bytes = 4;
constexpr unsigned hdr_3dw_bytes = 12;
constexpr unsigned hdr_4dw_bytes = 16;
constexpr unsigned dll_overhead_bytes = 8; // STP/framing + sequence number + LCRC
constexpr unsigned ecrc_bytes = 4;
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

bool is_posted(tlp_type t) {
    return t == tlp_type::mwr || t == tlp_type::msg || t == tlp_type::msgd;
}
bool is_completion(tlp_type t) {
    return t == tlp_type::cpl || t == tlp_type::cpld;
}
bool has_data(tlp_type t) {
    return t == tlp_type::mwr || t == tlp_type::cfgwr0 || t == tlp_type::cfgwr1 ||
           t == tlp_type::msgd || t == tlp_type::cpld;
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

std::vector<cpl_piece> split_completions(std::uint64_t addr, std::uint32_t len, unsigned rcb,
                                         unsigned mps) {
    std::vector<cpl_piece> out;
    out.reserve(len / std::min(rcb, mps) + 2);
    std::uint64_t off = 0;
    while (off < len) {
        std::uint64_t a = addr + off;
        std::uint64_t remaining = len - off;
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
        std::uint64_t n = std::min<std::uint64_t>(end - a, remaining);
        constexpr std::uint64_t max_byte_count = 4096;
        out.push_back(cpl_piece{off, static_cast<std::uint32_t>(n),
                                static_cast<std::uint16_t>(remaining % max_byte_count),
                                static_cast<std::uint8_t>(a & 0x7F)});
        off += n;
    }
    return out;
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

pcie_tlp& tlp_of(tlm::tlm_generic_payload& gp) {
    pcie_tlp* t = nullptr;
    gp.get_extension(t);
    if (!t) throw std::logic_error("TLP transaction without pcie_tlp extension");
    return *t;
}

} // namespace epvp::pcie

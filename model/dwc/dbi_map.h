// The DBI aperture as an address map: each sub-target of the controller's DBI (the function's
// configuration space and port logic, DBI2, the iATU, the eDMA, the legacy eDMA viewport) is
// one entry with its range and its dword read and write, decoded in one place for reads and
// writes alike.
//
// Models: first match wins (an entry added earlier shadows a later one where they overlap, as
// the legacy eDMA viewport sits inside the port logic); offsets outside every entry read 0 and
// ignore writes, logged once per offset. The access's delay is carried to the sub-target as an
// argument. Does not model: access widths (the register port hands it dwords), CS2 (DBI2)
// selection by an AXI sideband (DBI2 has its own range here).
#pragma once

#include "model/core/reg_block.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace epvp::dwc {

struct dbi_target {
    std::string name;
    std::uint32_t base = 0;
    std::uint32_t bytes = 0;
    // Offsets are relative to base; delay is the access's annotated delay.
    std::function<std::uint32_t(std::uint32_t offset, sc_core::sc_time& delay)> read;
    std::function<void(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask,
                       sc_core::sc_time& delay)>
        write;
};

class dbi_map {
public:
    void add(dbi_target t) { targets_.push_back(std::move(t)); }
    // The entry that claims `offset`, or null.
    const dbi_target* decode(std::uint32_t offset) const;
    std::uint32_t read32(std::uint32_t offset, sc_core::sc_time& delay) const;
    void write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask,
                 sc_core::sc_time& delay) const;

private:
    std::vector<dbi_target> targets_;
};

// One handler for every 32-bit register port (DBI, glue): 1/2/4-byte accesses inside a dword,
// or aligned 8-byte accesses as two dwords, as rd(dword offset) and wr(dword offset, value,
// byte mask). Anything else is a slave error.
template <typename Read, typename Write>
void dword_port_access(tlm::tlm_generic_payload& gp, Read rd, Write wr) {
    constexpr unsigned dword = 4;
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

} // namespace epvp::dwc

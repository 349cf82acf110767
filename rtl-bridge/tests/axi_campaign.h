// Test helper: the random explicit-burst campaign of the TLM->AXI4 bridge against axi_sram, for a
// bus of any width. Every transaction is checked against a reference memory computed here from the
// AXI burst rules (axi_burst.h) and the error ranges the SRAM was built with (rtl_models.h);
// statuses are asserted as well as data. Include after Boost.Test.
#pragma once

#include "rtl-bridge/axi_burst.h"
#include "rtl-bridge/axi_ext.h"
#include "rtl-bridge/rtl_models.h"

#include <tlm>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace epvp::rtl::test {

// Reference SRAM: contents and the response of a beat address (as the RTL was built).
struct sram_reference {
    std::vector<unsigned char> mem = std::vector<unsigned char>(sram_bytes, 0);
    static axi_resp resp(std::uint64_t a) {
        if (a >= sram_bytes) return axi_resp::decerr;
        if (a >= sram_decerr_base && a - sram_decerr_base < sram_err_bytes) return axi_resp::decerr;
        if (a >= sram_slverr_base && a - sram_slverr_base < sram_err_bytes) return axi_resp::slverr;
        return axi_resp::okay;
    }
};

// One b_transport with a 3 ns annotated delay, which the bridge must consume.
inline tlm::tlm_response_status transport(tlm::tlm_fw_transport_if<>& to, tlm::tlm_command cmd,
                                          std::uint64_t addr, std::vector<unsigned char>& data,
                                          std::vector<unsigned char>* be, axi_ext* ext,
                                          unsigned streaming_width = 0) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data.data());
    gp.set_data_length(static_cast<unsigned>(data.size()));
    gp.set_streaming_width(streaming_width ? streaming_width : static_cast<unsigned>(data.size()));
    if (be) {
        gp.set_byte_enable_ptr(be->data());
        gp.set_byte_enable_length(static_cast<unsigned>(be->size()));
    }
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (ext) gp.set_extension(ext);
    sc_core::sc_time delay(3, sc_core::SC_NS);
    to.b_transport(gp, delay);
    if (ext) gp.clear_extension(ext);
    BOOST_CHECK(delay == sc_core::SC_ZERO_TIME);
    return gp.get_response_status();
}

struct campaign_stats {
    unsigned by_type[3] = {0, 0, 0};
    unsigned by_size[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    unsigned errors = 0, unaligned = 0, strobed = 0;
};

// One random explicit burst inside [lo, hi) on a bus of bus_bytes: every burst type, transfer sizes
// 1..bus_bytes, unaligned starts, random byte enables; checked against ref.
inline void random_burst(tlm::tlm_fw_transport_if<>& to, unsigned bus_bytes, std::mt19937& rng,
                         std::uint64_t lo, std::uint64_t hi, sram_reference& ref,
                         campaign_stats& st) {
    unsigned sizes = 0; // transfer sizes 2^0 .. 2^(sizes - 1)
    while ((1u << sizes) <= bus_bytes)
        ++sizes;
    axi_ext ext;
    axi_request r;
    for (;;) {
        r.burst = static_cast<axi_burst>(rng() % 3);
        r.size_log2 = rng() % sizes;
        if (r.burst == axi_burst::wrap)
            r.beats = 2u << (rng() % 4);
        else if (r.burst == axi_burst::fixed)
            r.beats = 1 + rng() % 16;
        else
            r.beats = 1 + (rng() % 4 == 0 ? rng() % 256 : rng() % 16);
        const std::uint64_t span = std::uint64_t(r.beats) << r.size_log2;
        if (span >= hi - lo) continue;
        r.addr = lo + rng() % (hi - lo - span);
        if (r.burst == axi_burst::wrap) r.addr &= ~std::uint64_t(r.bytes_per_beat() - 1);
        if (axi_burst_violation(r, bus_bytes).empty()) break;
    }
    ext.explicit_burst = true;
    ext.burst = r.burst;
    ext.size_log2 = r.size_log2;
    ext.beats = r.beats;
    const auto beats = axi_beats(r, bus_bytes);
    std::size_t len = 0;
    for (const auto& b : beats)
        len += b.lanes;
    std::vector<unsigned char> data(len), be(len, TLM_BYTE_ENABLED);
    const bool strobes = rng() % 3 == 0;
    for (std::size_t i = 0; i < len; ++i) {
        data[i] = static_cast<unsigned char>(rng());
        if (strobes && rng() % 4 == 0) be[i] = TLM_BYTE_DISABLED;
    }
    const bool write = rng() % 2;
    ++st.by_type[static_cast<unsigned>(r.burst)];
    ++st.by_size[r.size_log2];
    st.unaligned += r.addr % r.bytes_per_beat() != 0;
    st.strobed += strobes;
    // Expected: the worst beat response; writes land only on OKAY beats.
    axi_resp expect = axi_resp::okay;
    std::vector<unsigned char> expect_data(len);
    std::size_t off = 0;
    for (const auto& b : beats) {
        const axi_resp br = sram_reference::resp(b.addr);
        expect = worse(expect, br);
        const std::uint64_t word = b.addr & ~std::uint64_t(bus_bytes - 1);
        for (unsigned k = 0; k < b.lanes; ++k, ++off) {
            const std::uint64_t a = word + b.lane_lo + k;
            if (write && br == axi_resp::okay && be[off] == TLM_BYTE_ENABLED)
                ref.mem[a] = data[off];
            expect_data[off] = br == axi_resp::okay ? ref.mem[a] : 0;
        }
    }
    st.errors += expect != axi_resp::okay;
    std::vector<unsigned char> got = data;
    if (!write) std::fill(got.begin(), got.end(), 0xA5);
    const auto status = transport(to, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND,
                                  r.addr, got, strobes ? &be : nullptr, &ext);
    BOOST_CHECK_EQUAL(status, to_tlm(expect));
    BOOST_CHECK_EQUAL(static_cast<int>(ext.resp), static_cast<int>(expect));
    if (!write) {
        // OKAY beats return memory; bytes of error beats and disabled bytes are not compared.
        off = 0;
        for (const auto& b : beats) {
            const bool ok = sram_reference::resp(b.addr) == axi_resp::okay;
            for (unsigned k = 0; k < b.lanes; ++k, ++off)
                if (ok && (!strobes || be[off] == TLM_BYTE_ENABLED) && got[off] != expect_data[off])
                    BOOST_ERROR("read 0x" << std::hex << r.addr << " " << to_string(r.burst)
                                          << " size " << r.size_log2 << " beats " << std::dec
                                          << r.beats << ": byte " << off << " = " << int(got[off])
                                          << ", expected " << int(expect_data[off]));
        }
    }
}

} // namespace epvp::rtl::test

// Unit tests of the SystemC-free TLP arithmetic in model/pcie/tlp.h: header sizes, bytes on the
// wire, completion splitting at RCB and MPS, first/last byte enables, the TLP type classes and
// the header dwords (hand-encoded from PCIe Base Spec 5.0 section 2.2, field by field).
// Expected values are PCIe arithmetic written out by hand from
// the PCIe Base Spec 5.0 (TLP framing and overhead, completion rules).
#define BOOST_TEST_MODULE tlp
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/pcie/tlp.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

using namespace epvp::pcie;

namespace {

pcie_tlp make(tlp_type type, bool addr64) {
    pcie_tlp t;
    t.type = type;
    t.addr64 = addr64;
    return t;
}

// One expected completion: offset in the request, bytes, byte count field, lower address field.
struct piece {
    std::uint64_t offset;
    std::uint32_t bytes;
    std::uint16_t byte_count;
    std::uint8_t lower_addr;
};

void check_pieces(const std::vector<cpl_piece>& got, const std::vector<piece>& want) {
    BOOST_TEST(got.size() == want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
        BOOST_TEST_CONTEXT("piece " << i) {
            BOOST_TEST(got[i].offset == want[i].offset);
            BOOST_TEST(got[i].bytes == want[i].bytes);
            BOOST_TEST(got[i].byte_count == want[i].byte_count);
            BOOST_TEST(unsigned(got[i].lower_addr) == unsigned(want[i].lower_addr));
        }
    }
}

// Every piece starts where the previous one ended and together they cover exactly len bytes.
void check_contiguous(const std::vector<cpl_piece>& got, std::uint32_t len) {
    std::uint64_t next = 0;
    for (const auto& p : got) {
        BOOST_TEST(p.offset == next);
        BOOST_TEST(p.bytes > 0u);
        next += p.bytes;
    }
    BOOST_TEST(next == len);
}

} // namespace

// ---- header_bytes -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(memory_requests_are_3dw_with_32bit_and_4dw_with_64bit_address) {
    BOOST_TEST(header_bytes(make(tlp_type::mrd, false)) == 12u);
    BOOST_TEST(header_bytes(make(tlp_type::mwr, false)) == 12u);
    BOOST_TEST(header_bytes(make(tlp_type::mrd, true)) == 16u);
    BOOST_TEST(header_bytes(make(tlp_type::mwr, true)) == 16u);
}

BOOST_AUTO_TEST_CASE(completions_and_config_requests_are_always_3dw) {
    // The addr64 flag means nothing for these types; the header stays 3 DW.
    for (bool a64 : {false, true}) {
        BOOST_TEST_CONTEXT("addr64 " << a64) {
            BOOST_TEST(header_bytes(make(tlp_type::cpl, a64)) == 12u);
            BOOST_TEST(header_bytes(make(tlp_type::cpld, a64)) == 12u);
            BOOST_TEST(header_bytes(make(tlp_type::cfgrd0, a64)) == 12u);
            BOOST_TEST(header_bytes(make(tlp_type::cfgwr0, a64)) == 12u);
            BOOST_TEST(header_bytes(make(tlp_type::cfgrd1, a64)) == 12u);
            BOOST_TEST(header_bytes(make(tlp_type::cfgwr1, a64)) == 12u);
        }
    }
}

BOOST_AUTO_TEST_CASE(messages_are_always_4dw) {
    for (bool a64 : {false, true}) {
        BOOST_TEST_CONTEXT("addr64 " << a64) {
            BOOST_TEST(header_bytes(make(tlp_type::msg, a64)) == 16u);
            BOOST_TEST(header_bytes(make(tlp_type::msgd, a64)) == 16u);
        }
    }
}

// ---- wire_bytes -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(wire_bytes_of_full_mps_writes) {
    // 8 (framing + sequence + LCRC) + header + payload.
    BOOST_TEST(wire_bytes(12, 256, false) == 276u); // 8 + 12 + 256
    BOOST_TEST(wire_bytes(16, 256, false) == 280u); // 8 + 16 + 256
    BOOST_TEST(wire_bytes(12, 128, false) == 148u); // 128/148 = 86.5 % (reference)
    BOOST_TEST(wire_bytes(16, 128, false) == 152u); // 128/152 = 84.2 % (reference)
    BOOST_TEST(wire_bytes(12, 512, false) == 532u); // 512/532 = 96.2 % (reference)
}

BOOST_AUTO_TEST_CASE(wire_bytes_with_ecrc_adds_four) {
    BOOST_TEST(wire_bytes(12, 256, true) == 280u); // 276 + 4
    BOOST_TEST(wire_bytes(16, 256, true) == 284u); // 280 + 4
    BOOST_TEST(wire_bytes(12, 0, true) == 24u);    // 20 + 4
}

BOOST_AUTO_TEST_CASE(wire_bytes_rounds_payload_up_to_dwords) {
    BOOST_TEST(wire_bytes(12, 1, false) == 24u);    // 1 B travels as one dword: 8 + 12 + 4
    BOOST_TEST(wire_bytes(12, 4, false) == 24u);    // 8 + 12 + 4
    BOOST_TEST(wire_bytes(12, 5, false) == 28u);    // 2 dwords: 8 + 12 + 8
    BOOST_TEST(wire_bytes(16, 7, false) == 32u);    // 2 dwords: 8 + 16 + 8
    BOOST_TEST(wire_bytes(12, 255, false) == 276u); // 64 dwords
}

BOOST_AUTO_TEST_CASE(wire_bytes_without_payload_is_overhead_plus_header) {
    BOOST_TEST(wire_bytes(12, 0, false) == 20u); // 3 DW MRd / Cpl
    BOOST_TEST(wire_bytes(16, 0, false) == 24u); // 4 DW MRd / Msg
}

// ---- split_completions -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(aligned_512_byte_read_splits_at_mps) {
    // RCB 64, MPS 256: two full-MPS completions. Byte count = bytes remaining at the start of
    // each completion; lower address = low 7 bits of the completion's first byte address.
    const auto got = split_completions(0x1000, 512, 64, 256);
    check_pieces(got, {{0, 256, 512, 0x00}, {256, 256, 256, 0x00}});
    check_contiguous(got, 512);
}

BOOST_AUTO_TEST_CASE(aligned_read_lower_address_bits) {
    // Start at 0x2040 (RCB 64 aligned, not 128 aligned): pieces of 128 B at 0x2040, 0x20C0,
    // 0x2140 -> lower address 0x40 each (7 bits).
    const auto got = split_completions(0x2040, 384, 64, 128);
    check_pieces(got, {{0, 128, 384, 0x40}, {128, 128, 256, 0x40}, {256, 128, 128, 0x40}});
    check_contiguous(got, 384);
}

BOOST_AUTO_TEST_CASE(unaligned_read_first_completion_ends_at_first_rcb_boundary) {
    // timing-reference.md: "the first completion ends at the first RCB boundary, so an unaligned
    // read costs an extra small completion". 0x1030 + 200 = 0x10F8.
    //   0x1030..0x1040: 16 B (byte count 200, lower address 0x30)
    //   0x1040..0x10C0: 128 B = MPS, ends on an RCB boundary (byte count 184, lower 0x40)
    //   0x10C0..0x10F8: 56 B, the last one (byte count 56, lower 0x40)
    const auto got = split_completions(0x1030, 200, 64, 128);
    check_pieces(got, {{0, 16, 200, 0x30}, {16, 128, 184, 0x40}, {144, 56, 56, 0x40}});
    check_contiguous(got, 200);
}

BOOST_AUTO_TEST_CASE(unaligned_read_with_rcb_128) {
    // 0x3010 + 300 = 0x313C, RCB 128, MPS 256:
    //   0x3010..0x3080: 112 B (first RCB boundary), byte count 300, lower 0x10
    //   0x3080..0x3180 would be 256 B but the read ends at 0x313C: 188 B, byte count 188, lower 0
    const auto got = split_completions(0x3010, 300, 128, 256);
    check_pieces(got, {{0, 112, 300, 0x10}, {112, 188, 188, 0x00}});
    check_contiguous(got, 300);
}

BOOST_AUTO_TEST_CASE(non_first_pieces_end_on_rcb_boundaries_and_respect_mps) {
    const std::uint64_t addr = 0x7FF4;
    const std::uint32_t len = 1000;
    const unsigned rcb = 64, mps = 256;
    const auto got = split_completions(addr, len, rcb, mps);
    BOOST_TEST_REQUIRE(!got.empty());
    check_contiguous(got, len);
    // First piece: 0x7FF4..0x8000 = 12 bytes (first RCB boundary).
    BOOST_TEST(got.front().bytes == 12u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        BOOST_TEST_CONTEXT("piece " << i) {
            const std::uint64_t end = addr + got[i].offset + got[i].bytes;
            BOOST_TEST(got[i].bytes <= mps);
            if (i + 1 < got.size()) BOOST_TEST(end % rcb == 0u);
            const std::uint32_t remaining = len - static_cast<std::uint32_t>(got[i].offset);
            BOOST_TEST(got[i].byte_count == remaining);
        }
    }
    // 12 + 256 + 256 + 256 + 220 = 1000
    BOOST_TEST(got.size() == 5u);
}

BOOST_AUTO_TEST_CASE(read_inside_one_rcb_block_is_one_completion) {
    const auto got = split_completions(0x1030, 8, 64, 128);
    check_pieces(got, {{0, 8, 8, 0x30}});
}

BOOST_AUTO_TEST_CASE(byte_count_of_4096_encodes_as_zero) {
    // 4 KiB read, MPS 512: eight 512 B completions; the first carries byte count 4096 -> 0.
    const auto got = split_completions(0x10000, 4096, 64, 512);
    check_pieces(got, {{0, 512, 0, 0x00},
                       {512, 512, 3584, 0x00},
                       {1024, 512, 3072, 0x00},
                       {1536, 512, 2560, 0x00},
                       {2048, 512, 2048, 0x00},
                       {2560, 512, 1536, 0x00},
                       {3072, 512, 1024, 0x00},
                       {3584, 512, 512, 0x00}});
    check_contiguous(got, 4096);
}

// ---- byte_enables -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(byte_enables_single_byte_at_offset_1) {
    std::uint8_t first = 0xAA, last = 0xAA;
    byte_enables(0x1001, 1, first, last);
    BOOST_TEST(unsigned(first) == 0x2u);
    BOOST_TEST(unsigned(last) == 0x0u); // one-dword request: last BE must be 0
}

BOOST_AUTO_TEST_CASE(byte_enables_aligned_dword) {
    std::uint8_t first = 0xAA, last = 0xAA;
    byte_enables(0x2000, 4, first, last);
    BOOST_TEST(unsigned(first) == 0xFu);
    BOOST_TEST(unsigned(last) == 0x0u);
}

BOOST_AUTO_TEST_CASE(byte_enables_six_bytes_at_offset_2) {
    // Bytes 2..7: dword 0 bytes 2,3 (0xC), dword 1 bytes 0..3 (0xF).
    std::uint8_t first = 0xAA, last = 0xAA;
    byte_enables(0x3002, 6, first, last);
    BOOST_TEST(unsigned(first) == 0xCu);
    BOOST_TEST(unsigned(last) == 0xFu);
}

BOOST_AUTO_TEST_CASE(byte_enables_five_bytes_at_offset_0) {
    // Bytes 0..4: dword 0 full, dword 1 byte 0.
    std::uint8_t first = 0xAA, last = 0xAA;
    byte_enables(0x4000, 5, first, last);
    BOOST_TEST(unsigned(first) == 0xFu);
    BOOST_TEST(unsigned(last) == 0x1u);
}

BOOST_AUTO_TEST_CASE(byte_enables_middle_two_bytes_and_long_unaligned) {
    std::uint8_t first = 0xAA, last = 0xAA;
    byte_enables(0x5001, 2, first, last); // bytes 1,2 of one dword
    BOOST_TEST(unsigned(first) == 0x6u);
    BOOST_TEST(unsigned(last) == 0x0u);
    byte_enables(0x5003, 10, first, last); // bytes 3..12: first 0x8, last dword byte 0 -> 0x1
    BOOST_TEST(unsigned(first) == 0x8u);
    BOOST_TEST(unsigned(last) == 0x1u);
}

// ---- type classes -----------------------------------------------------------------------------

// Header images of the TLP kinds the AER Header Log sees besides MRd/MWr/CplD (those are in
// test_dwc_ep and test_p2p).
BOOST_AUTO_TEST_CASE(header_dwords_of_config_message_and_wide_tag_requests) {
    // CfgWr0 to 01:00.0 register 0x3C from 00:00.0, tag 0x03, First BE 0x1.
    pcie_tlp cfg = make(tlp_type::cfgwr0, false);
    cfg.requester_id = 0x0000;
    cfg.tag = 0x03;
    cfg.target_id = 0x0100;
    cfg.first_be = 0x1;
    cfg.last_be = 0x0;
    const std::array<std::uint32_t, 4> cfg_want = {
        0x44000001, // Fmt 010 (3 DW, data) Type 00100 (Cfg0), Length 1
        0x00000301, // Requester 00:00.0, Tag 0x03, Last BE 0, First BE 0x1
        0x0100003C, // Bus 01 Device 00 Function 0, Register Number 0x3C >> 2 (bits 7:2)
        0x00000000};
    BOOST_TEST(header_dwords(cfg, 0x3C, 4) == cfg_want);
    // ERR_NONFATAL (code 0x31) from 01:00.0: routed to the Root Complex (r = 000).
    pcie_tlp err = make(tlp_type::msg, false);
    err.requester_id = 0x0100;
    err.tag = 0;
    err.code = msg_code::err_nonfatal;
    const std::array<std::uint32_t, 4> err_want = {
        0x30000000, // Fmt 001 (4 DW, no data) Type 10000 (Msg, to RC), Length 0
        0x01000031, // Requester 01:00.0, Tag 0, Message Code 0x31
        0x00000000, 0x00000000};
    BOOST_TEST(header_dwords(err, 0, 0) == err_want);
    // Assert_INTA (code 0x20): local, terminate at receiver (r = 100).
    pcie_tlp inta = err;
    inta.code = msg_code::assert_inta;
    BOOST_TEST(header_dwords(inta, 0, 0)[0] == 0x34000000u); // Type 10100
    // MWr with a 10-bit tag 0x3A5 (T9 = 1 at DW0 bit 23, T8 = 1 at bit 19, Tag[7:0] 0xA5),
    // No Snoop (Attr[0], bit 12) and ID-Based Ordering (Attr[2], bit 18), 8 bytes at 0x1002
    // (first dword 0x1000: Length 3 DW).
    pcie_tlp w = make(tlp_type::mwr, false);
    w.requester_id = 0x0100;
    w.tag = 0x3A5;
    w.attr = 0x5;
    w.first_be = 0xC;
    w.last_be = 0x3;
    const std::array<std::uint32_t, 4> w_want = {
        0x408C1003, // Fmt 010 Type 0 | T9 | T8 | Attr[2] | Attr[0] | Length 3
        0x0100A53C, // Requester 01:00.0, Tag[7:0] 0xA5, Last BE 0x3, First BE 0xC
        0x00001000, // Address [31:2]
        0x00000000};
    BOOST_TEST(header_dwords(w, 0x1002, 8) == w_want);
}

BOOST_AUTO_TEST_CASE(posted_types) {
    BOOST_TEST(is_posted(tlp_type::mwr));
    BOOST_TEST(is_posted(tlp_type::msg));
    BOOST_TEST(is_posted(tlp_type::msgd));
    BOOST_TEST(!is_posted(tlp_type::mrd));
    BOOST_TEST(!is_posted(tlp_type::cfgrd0));
    BOOST_TEST(!is_posted(tlp_type::cfgwr0)); // config writes are non-posted
    BOOST_TEST(!is_posted(tlp_type::cfgrd1));
    BOOST_TEST(!is_posted(tlp_type::cfgwr1));
    BOOST_TEST(!is_posted(tlp_type::cpl));
    BOOST_TEST(!is_posted(tlp_type::cpld));
}

BOOST_AUTO_TEST_CASE(completion_types) {
    BOOST_TEST(is_completion(tlp_type::cpl));
    BOOST_TEST(is_completion(tlp_type::cpld));
    for (tlp_type t : {tlp_type::mrd, tlp_type::mwr, tlp_type::cfgrd0, tlp_type::cfgwr0,
                       tlp_type::cfgrd1, tlp_type::cfgwr1, tlp_type::msg, tlp_type::msgd})
        BOOST_TEST(!is_completion(t), to_string(t));
}

BOOST_AUTO_TEST_CASE(types_with_data) {
    for (tlp_type t :
         {tlp_type::mwr, tlp_type::cfgwr0, tlp_type::cfgwr1, tlp_type::msgd, tlp_type::cpld})
        BOOST_TEST(has_data(t), to_string(t));
    for (tlp_type t :
         {tlp_type::mrd, tlp_type::cfgrd0, tlp_type::cfgrd1, tlp_type::msg, tlp_type::cpl})
        BOOST_TEST(!has_data(t), to_string(t));
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

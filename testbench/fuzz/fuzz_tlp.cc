// libFuzzer harness: the TLP arithmetic of model/pcie/tlp (split_completions, byte_enables,
// wire_bytes, header_bytes) on fuzzed addresses, lengths, RCB and MPS, checked against a shadow
// computed byte by byte:
//   - completions cover the request exactly, in order, with no empty piece;
//   - each piece holds at most MPS bytes; every piece but the last ends on an RCB boundary;
//   - byte count is the remaining byte count (4096 encoded as 0) and strictly decreases;
//     lower address is the low 7 bits of the piece's address;
//   - no more pieces than needed: a piece is only short of MPS when it ends at an RCB boundary
//     (or the request ends);
//   - first/last byte enables select exactly the bytes of the request in the first and last
//     dword (last_be 0 for a one-dword request), contiguous as PCIe requires;
//   - wire bytes = framing + header + payload rounded up to dwords (+ ECRC), monotonic.
// tlp.cc also defines the TLM extension, so this harness links libsystemc; it never starts a
// simulation.
#include "testbench/fuzz/fuzz_check.h"

#include "model/pcie/tlp.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cinttypes>
#include <cstdint>

using namespace epvp::pcie;

namespace {

constexpr std::uint64_t u64_max = ~std::uint64_t{0};

// An address near the interesting boundaries (RCB, 4 KiB, 4 GiB, the top of the space).
std::uint64_t pick_addr(FuzzedDataProvider& in) {
    const std::uint64_t low = in.ConsumeIntegralInRange<std::uint64_t>(0, 0x3FFF);
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
        return low;
    case 1:
        return 0xFFFF0000ull + low;
    case 2:
        return in.ConsumeIntegral<std::uint64_t>();
    default:
        return u64_max - low;
    }
}

void check_split(std::uint64_t addr, std::uint32_t len, unsigned rcb, unsigned mps) {
    const auto pieces = split_completions(addr, len, rcb, mps);
    std::uint64_t off = 0;
    std::uint64_t prev_remaining = ~std::uint64_t{0};
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const cpl_piece& c = pieces[i];
        const bool last = i + 1 == pieces.size();
        const std::uint64_t a = addr + c.offset;
        const std::uint64_t end = a + c.bytes; // mod 2^64: the top of the space is a boundary
        const std::uint64_t remaining = len - c.offset;
#define PIECE_FMT                                                                                  \
    "split(0x%016" PRIx64 ", %u, rcb %u, mps %u) piece %zu {off %" PRIu64                          \
    ", %u B, bc %u, la 0x%x}: "
#define PIECE_ARGS                                                                                 \
    addr, len, rcb, mps, i, c.offset, c.bytes, unsigned{c.byte_count}, unsigned{c.lower_addr}
        FUZZ_CHECK(c.offset == off, PIECE_FMT "expected offset %" PRIu64, PIECE_ARGS, off);
        FUZZ_CHECK(c.bytes > 0, PIECE_FMT "empty piece", PIECE_ARGS);
        FUZZ_CHECK(c.bytes <= mps, PIECE_FMT "more than MPS", PIECE_ARGS);
        FUZZ_CHECK(c.offset + c.bytes <= len, PIECE_FMT "past the request", PIECE_ARGS);
        if (!last)
            FUZZ_CHECK(end % rcb == 0, PIECE_FMT "ends off an RCB boundary", PIECE_ARGS);
        else
            FUZZ_CHECK(c.offset + c.bytes == len, PIECE_FMT "last piece ends short", PIECE_ARGS);
        // Not shorter than needed: a non-last piece below MPS must end at the last RCB boundary
        // it can reach within MPS bytes.
        if (!last && c.bytes < mps) {
            const std::uint64_t room = mps - c.bytes; // how much further it could have gone
            const std::uint64_t next_boundary = rcb;  // from an RCB-aligned end
            FUZZ_CHECK(room < next_boundary || i == 0,
                       PIECE_FMT "short of MPS by %" PRIu64 " although the next RCB boundary fits",
                       PIECE_ARGS, room);
        }
        FUZZ_CHECK(c.byte_count == static_cast<std::uint16_t>(remaining % 4096),
                   PIECE_FMT "byte count, %" PRIu64 " remaining", PIECE_ARGS, remaining);
        if (len <= 4096) {
            const std::uint64_t decoded = c.byte_count == 0 ? 4096 : c.byte_count;
            FUZZ_CHECK(decoded == remaining && decoded < prev_remaining,
                       PIECE_FMT "byte count does not decrease", PIECE_ARGS);
            prev_remaining = decoded;
        }
        FUZZ_CHECK(c.lower_addr == (a & 0x7F), PIECE_FMT "lower address", PIECE_ARGS);
        off += c.bytes;
#undef PIECE_FMT
#undef PIECE_ARGS
    }
    FUZZ_CHECK(off == len, "split(0x%016" PRIx64 ", %u, rcb %u, mps %u) covers %" PRIu64 " bytes",
               addr, len, rcb, mps, off);
}

void check_byte_enables(std::uint64_t addr, std::uint32_t len) {
    std::uint8_t first = 0xAA, last = 0xAA;
    byte_enables(addr, len, first, last);
    // Shadow: mark every byte of [addr, addr + len) in its dword.
    const std::uint64_t first_dw = addr / 4;
    const std::uint64_t last_dw = (addr + (len - 1)) / 4;
    std::uint8_t want_first = 0, want_last = 0;
    for (std::uint64_t b = addr; b != addr + len; ++b) {
        const std::uint8_t bit = static_cast<std::uint8_t>(1u << (b % 4));
        if (b / 4 == first_dw)
            want_first |= bit;
        else if (b / 4 == last_dw)
            want_last |= bit;
        if (b / 4 != first_dw && b / 4 != last_dw)
            b = last_dw * 4 - 1; // skip the whole middle dwords
    }
    FUZZ_CHECK(first == want_first && last == want_last,
               "byte_enables(0x%016" PRIx64 ", %u) = first 0x%x last 0x%x, expected 0x%x 0x%x",
               addr, len, first, last, want_first, want_last);
    // PCIe: multi-dword requests have contiguous enables towards the middle, and non-zero ones.
    if (first_dw != last_dw) {
        FUZZ_CHECK(first & 0x8 && last & 0x1, "byte_enables(0x%016" PRIx64 ", %u): not contiguous",
                   addr, len);
    }
    FUZZ_CHECK(first != 0, "byte_enables(0x%016" PRIx64 ", %u): first_be 0", addr, len);
}

void check_wire(unsigned header, std::uint64_t payload, bool ecrc) {
    const std::uint64_t got = wire_bytes(header, payload, ecrc);
    const std::uint64_t dws = payload / 4 + (payload % 4 != 0);
    const std::uint64_t want = 8 + header + dws * 4 + (ecrc ? 4 : 0);
    FUZZ_CHECK(got == want, "wire_bytes(%u, %" PRIu64 ", %d) = %" PRIu64 ", expected %" PRIu64,
               header, payload, ecrc, got, want);
    FUZZ_CHECK(got >= payload && (got - payload) <= 8 + header + 4 + 3,
               "wire_bytes(%u, %" PRIu64 ", %d) = %" PRIu64 " overhead out of range", header,
               payload, ecrc, got);
    if (payload > 0)
        FUZZ_CHECK(wire_bytes(header, payload - 1, ecrc) <= got,
                   "wire_bytes not monotonic at %" PRIu64, payload);
}

} // namespace

// libsystemc.so refers to sc_main; libFuzzer's main() runs instead and never calls it.
int sc_main(int, char*[]) {
    return 1;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    unsigned ops = 0;
    while (in.remaining_bytes() > 0 && ops++ < 64) {
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
        case 1: {
            // RCB as the platform uses it (64/128) or any power of two up to MPS; MPS and the
            // request length as DEVCTL / MRRS allow (<= 4096), sometimes longer (64 KiB).
            const unsigned mps = 128u << in.ConsumeIntegralInRange<unsigned>(0, 5);
            const unsigned rcb =
                in.ConsumeBool()
                    ? (in.ConsumeBool() ? 64u : 128u)
                    : 1u << in.ConsumeIntegralInRange<unsigned>(0, 31 - __builtin_clz(mps));
            const std::uint32_t len = in.ConsumeBool()
                                          ? in.ConsumeIntegralInRange<std::uint32_t>(0, 4096)
                                          : in.ConsumeIntegralInRange<std::uint32_t>(0, 1u << 16);
            std::uint64_t addr = pick_addr(in);
            if (addr > u64_max - len) // a request lies inside the 64-bit space
                addr = u64_max - len + 1;
            check_split(addr, len, rcb, mps);
            break;
        }
        case 2: {
            const std::uint32_t len = in.ConsumeIntegralInRange<std::uint32_t>(1, 1u << 16);
            std::uint64_t addr = pick_addr(in);
            if (addr > u64_max - len) addr = u64_max - len + 1;
            check_byte_enables(addr, len);
            break;
        }
        default: {
            pcie_tlp t;
            t.type = static_cast<tlp_type>(in.ConsumeIntegralInRange<int>(0, 9));
            t.addr64 = in.ConsumeBool();
            const unsigned h = header_bytes(t);
            const bool four_dw =
                ((t.type == tlp_type::mrd || t.type == tlp_type::mwr) && t.addr64) ||
                t.type == tlp_type::msg || t.type == tlp_type::msgd;
            FUZZ_CHECK(h == (four_dw ? 16u : 12u), "header_bytes(%s, addr64 %d) = %u",
                       to_string(t.type), t.addr64, h);
            check_wire(
                h,
                in.ConsumeIntegralInRange<std::uint64_t>(0, in.ConsumeBool() ? 8192 : 1ull << 40),
                in.ConsumeBool());
            break;
        }
        }
    }
    return 0;
}

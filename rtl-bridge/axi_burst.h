// AXI4 burst arithmetic shared by the bridges, the protocol checker and the tests: the address
// and active byte lanes of every beat of a burst, and the burst legality rules.
//
// Models: the AXI4 address rules for FIXED, INCR and WRAP bursts (aligned address, beat
// addresses, wrap boundary), the byte lanes a beat uses on a bus of bus_bytes (an unaligned
// start leaves the low lanes of the first INCR beat, and of every FIXED beat, unused), and the
// legality rules a manager must keep: WRAP lengths 2/4/8/16 with a start aligned to the
// transfer size, at most 16 beats for FIXED and WRAP, at most 256 for INCR, a transfer size no
// wider than the bus, no INCR burst crossing a 4 KiB boundary, the reserved burst encoding.
// Does not model: AXI3 (16-beat INCR limit, write interleaving), exclusive-access rules.
// SystemC-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace epvp::rtl {

enum class axi_burst : std::uint8_t { fixed = 0, incr = 1, wrap = 2, reserved = 3 };
enum class axi_resp : std::uint8_t { okay = 0, exokay = 1, slverr = 2, decerr = 3 };

constexpr std::uint64_t axi_boundary_bytes = 4096; // no burst crosses a 4 KiB boundary
constexpr unsigned axi_max_incr_beats = 256;
constexpr unsigned axi_max_fixed_wrap_beats = 16;

const char* to_string(axi_burst b);
const char* to_string(axi_resp r);
// The more severe of two responses: DECERR over SLVERR over EXOKAY/OKAY.
axi_resp worse(axi_resp a, axi_resp b);

// One AXI address-channel request.
struct axi_request {
    std::uint64_t addr = 0;
    unsigned beats = 1;     // AxLEN + 1
    unsigned size_log2 = 0; // AxSIZE: bytes per beat = 1 << size_log2
    axi_burst burst = axi_burst::incr;
    unsigned id = 0;
    std::uint64_t user = 0;  // AxUSER (up to 64 bits)
    std::uint8_t cache = 0;  // AxCACHE (4 bits)
    std::uint8_t prot = 0;   // AxPROT (3 bits)
    std::uint8_t qos = 0;    // AxQOS (4 bits)
    std::uint8_t region = 0; // AxREGION (4 bits)
    unsigned bytes_per_beat() const { return 1u << size_log2; }
};

struct axi_beat {
    std::uint64_t addr = 0; // address of the beat (unaligned for the first INCR beat)
    unsigned lane_lo = 0;   // first active byte lane
    unsigned lanes = 0;     // number of active byte lanes
};

// Beats of a legal burst on a bus of bus_bytes (a power of two).
std::vector<axi_beat> axi_beats(const axi_request& r, unsigned bus_bytes);
// The same into out (its contents replaced; its storage reused: bridges call this per burst).
void axi_beats(const axi_request& r, unsigned bus_bytes, std::vector<axi_beat>& out);

// The legality rule the request breaks, as "rule: detail", or an empty string.
std::string axi_burst_violation(const axi_request& r, unsigned bus_bytes);

// One INCR burst of the full bus width carrying bytes [offset, offset + bytes) of a byte range.
struct axi_incr_chunk {
    axi_request req;
    std::uint64_t offset = 0; // of the chunk's first byte (req.addr) from the range's start
    std::uint64_t bytes = 0;
};

// Splits the byte range [addr, addr + len) into INCR bursts of the full bus width (bus_bytes, a
// power of two up to axi_boundary_bytes), each ending at the range's end, a 4 KiB boundary or
// its 256th beat, whichever comes first. A range may end exactly at 2^64; the arithmetic works
// with bytes left to a boundary, so it does not overflow there. Returns an empty string, or
// why the range cannot be split (zero length, or a range that runs past 2^64).
std::string axi_split_incr(std::uint64_t addr, std::uint64_t len, unsigned bus_bytes,
                           std::vector<axi_incr_chunk>& out);

} // namespace epvp::rtl

#include "rtl-bridge/axi_burst.h"

#include <algorithm>
#include <sstream>

namespace epvp::rtl {

const char* to_string(axi_burst b) {
    switch (b) {
    case axi_burst::fixed:
        return "FIXED";
    case axi_burst::incr:
        return "INCR";
    case axi_burst::wrap:
        return "WRAP";
    default:
        return "reserved";
    }
}

const char* to_string(axi_resp r) {
    switch (r) {
    case axi_resp::okay:
        return "OKAY";
    case axi_resp::exokay:
        return "EXOKAY";
    case axi_resp::slverr:
        return "SLVERR";
    default:
        return "DECERR";
    }
}

axi_resp worse(axi_resp a, axi_resp b) {
    auto rank = [](axi_resp r) {
        return r == axi_resp::decerr ? 3 : r == axi_resp::slverr ? 2 : 0;
    };
    return rank(a) >= rank(b) ? a : b;
}

std::vector<axi_beat> axi_beats(const axi_request& r, unsigned bus_bytes) {
    std::vector<axi_beat> out;
    axi_beats(r, bus_bytes, out);
    return out;
}

void axi_beats(const axi_request& r, unsigned bus_bytes, std::vector<axi_beat>& out) {
    out.clear();
    out.reserve(r.beats);
    const std::uint64_t nb = r.bytes_per_beat();
    const std::uint64_t wrap_bytes = nb * r.beats;
    const std::uint64_t wrap_base = (r.addr / wrap_bytes) * wrap_bytes;
    std::uint64_t a = r.addr;
    for (unsigned i = 0; i < r.beats; ++i) {
        const std::uint64_t aligned = (a / nb) * nb;
        axi_beat b;
        b.addr = a;
        b.lane_lo = static_cast<unsigned>(a % bus_bytes);
        const unsigned lane_hi = static_cast<unsigned>((aligned + nb - 1) % bus_bytes);
        b.lanes = lane_hi - b.lane_lo + 1;
        out.push_back(b);
        if (r.burst == axi_burst::fixed) continue;
        a = aligned + nb;
        if (r.burst == axi_burst::wrap && a == wrap_base + wrap_bytes) a = wrap_base;
    }
}

std::string axi_burst_violation(const axi_request& r, unsigned bus_bytes) {
    // A stream only for a violation: legal bursts (nearly every call, one per burst on the
    // co-simulation's hot path) build no stream and no locale.
    const std::uint64_t nb = r.bytes_per_beat();
    if (r.burst == axi_burst::reserved) return "burst-type: AxBURST = 0b11 is reserved";
    if (nb > bus_bytes) {
        std::ostringstream os;
        os << "burst-size: AxSIZE " << r.size_log2 << " (" << nb << " bytes) is wider than the "
           << bus_bytes << "-byte bus";
        return os.str();
    }
    if (r.beats == 0 || r.beats > axi_max_incr_beats) {
        std::ostringstream os;
        os << "burst-length: " << r.beats << " beats (INCR allows 1.." << axi_max_incr_beats << ")";
        return os.str();
    }
    if (r.burst != axi_burst::incr && r.beats > axi_max_fixed_wrap_beats) {
        std::ostringstream os;
        os << "burst-length: " << to_string(r.burst) << " burst of " << r.beats
           << " beats (at most " << axi_max_fixed_wrap_beats << ")";
        return os.str();
    }
    if (r.burst == axi_burst::wrap) {
        if (r.beats != 2 && r.beats != 4 && r.beats != 8 && r.beats != 16) {
            std::ostringstream os;
            os << "wrap-length: WRAP burst of " << r.beats << " beats (must be 2, 4, 8 or 16)";
            return os.str();
        }
        if (r.addr % nb != 0) {
            std::ostringstream os;
            os << "wrap-alignment: WRAP start 0x" << std::hex << r.addr << " is not aligned to the "
               << std::dec << nb << "-byte transfer size";
            return os.str();
        }
    }
    if (r.burst == axi_burst::incr) {
        const std::uint64_t aligned = (r.addr / nb) * nb;
        const std::uint64_t last = aligned + nb * r.beats - 1;
        if (last / axi_boundary_bytes != r.addr / axi_boundary_bytes) {
            std::ostringstream os;
            os << "4k-boundary: INCR burst 0x" << std::hex << r.addr << "..0x" << last
               << " crosses a 4 KiB boundary";
            return os.str();
        }
    }
    return std::string();
}

std::string axi_split_incr(std::uint64_t addr, std::uint64_t len, unsigned bus_bytes,
                           std::vector<axi_incr_chunk>& out) {
    if (len == 0) return "zero-length transaction";
    // The last byte is addr + len - 1; it must not pass 2^64 - 1 (ending at 2^64 is fine).
    if (len - 1 > ~addr) return "address range wraps around 2^64";
    const std::uint64_t max_burst_bytes = std::uint64_t(axi_max_incr_beats) * bus_bytes;
    std::uint64_t cur = addr;
    for (std::uint64_t done = 0; done < len;) {
        const std::uint64_t head = cur % bus_bytes; // bytes of the first beat below cur
        const std::uint64_t to_boundary = axi_boundary_bytes - cur % axi_boundary_bytes;
        const std::uint64_t bytes = std::min({len - done, to_boundary, max_burst_bytes - head});
        axi_incr_chunk c;
        c.req.addr = cur;
        c.req.size_log2 = 0;
        while ((1u << c.req.size_log2) < bus_bytes)
            ++c.req.size_log2;
        c.req.burst = axi_burst::incr;
        c.req.beats = static_cast<unsigned>((head + bytes + bus_bytes - 1) / bus_bytes);
        c.offset = done;
        c.bytes = bytes;
        out.push_back(c);
        done += bytes;
        cur += bytes; // 0 after a chunk that ends at 2^64, which is then the last one
    }
    return std::string();
}

} // namespace epvp::rtl

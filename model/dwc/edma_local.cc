#include "model/dwc/edma_local.h"

#include "model/dwc/edma_regs.h"

#include <algorithm>

namespace epvp::dwc {

std::uint64_t edma_to_boundary(std::uint64_t addr) {
    return edma_reg::boundary_bytes - (addr % edma_reg::boundary_bytes);
}

unsigned edma_tlp_bytes(std::uint64_t addr, std::uint64_t left, std::uint64_t max_bytes) {
    std::uint64_t room = std::min(edma_to_boundary(addr), std::max<std::uint64_t>(1, max_bytes));
    if (max_bytes && (max_bytes & (max_bytes - 1)) == 0)
        room = std::min(room, max_bytes - addr % max_bytes);
    return static_cast<unsigned>(std::min(left, room));
}

sc_core::sc_time edma_rel(const sc_core::sc_time& at) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    return at > now ? at - now : sc_core::SC_ZERO_TIME;
}

namespace {
unsigned piece_len(std::uint64_t addr, unsigned left) {
    return static_cast<unsigned>(std::min<std::uint64_t>(left, edma_to_boundary(addr)));
}
} // namespace

bool edma_local_port::access(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                             bool chained, const sc_core::sc_time& start, sc_core::sc_time& last,
                             sc_core::sc_time& latest) {
    sc_core::sc_time issue = start;
    for (unsigned done = 0; done < len;) {
        const unsigned piece = piece_len(addr + done, len - done);
        sc_core::sc_time d = edma_rel(issue);
        const bool ok = bus_.local_access(write, addr + done, data + done, piece, d);
        ++(write ? writes_ : reads_);
        last = sc_core::sc_time_stamp() + d;
        if (last > latest) latest = last;
        if (chained) issue = last;
        if (!ok) return false;
        done += piece;
    }
    return true;
}

bool edma_local_port::read(std::uint64_t addr, unsigned char* data, unsigned len,
                           sc_core::sc_time& at) {
    sc_core::sc_time latest = at;
    return access(false, addr, data, len, true, sc_core::sc_time(at), at, latest);
}

bool edma_local_port::write(std::uint64_t addr, unsigned char* data, unsigned len,
                            const sc_core::sc_time& start, sc_core::sc_time& latest,
                            sc_core::sc_time& failed_at) {
    sc_core::sc_time last;
    const bool ok = access(true, addr, data, len, false, start, last, latest);
    if (!ok) failed_at = last;
    return ok;
}

bool edma_local_port::write_pieces(std::uint64_t addr, unsigned char* data,
                                   soc::access_pieces& pieces, sc_core::sc_time& latest,
                                   sc_core::sc_time& failed_at) {
    sc_core::sc_time d = edma_rel(pieces.pieces.front().start);
    pieces.failed_piece = 0;
    const bool ok = bus_.local_write_pieces(addr, data, pieces, d);
    // Counted as write() counts: every piece up to the failing one.
    const std::size_t written = ok ? pieces.pieces.size() : pieces.failed_piece;
    writes_ += ok ? written : written + 1;
    for (std::size_t k = 0; k < written; ++k)
        latest = std::max(latest, pieces.pieces[k].done);
    if (!ok) {
        failed_at = sc_core::sc_time_stamp() + d;
        latest = std::max(latest, failed_at);
    }
    return ok;
}

} // namespace epvp::dwc

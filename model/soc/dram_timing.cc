#include "model/soc/dram_timing.h"

#include <algorithm>
#include <cmath>

namespace epvp::soc {

dram_timing::dram_timing(const dram_params& p)
    : p_(p)
    , ch_(p.channels) {
    for (auto& c : ch_)
        c.banks.resize(p.banks);
}

double dram_timing::after_refresh(channel& ch, double t_ns) {
    // Refresh occupies [k * tREFI, k * tREFI + tRFC) on every channel.
    // t mod tREFI without fmod (which costs more than the rest of an access).
    double phase = t_ns - std::floor(t_ns / p_.t_refi_ns) * p_.t_refi_ns;
    if (phase < 0) phase += p_.t_refi_ns;
    if (phase >= p_.t_rfc_ns) return t_ns;
    const double end = t_ns - phase + p_.t_rfc_ns;
    ++c_.refresh_stalls;
    c_.refresh_stall_ns += end - t_ns;
    for (auto& b : ch.banks)
        b.open = false; // refresh precharges every bank
    return end;
}

double dram_timing::chunk(std::uint64_t addr, std::uint64_t len, double t_ns, double& queue_ns) {
    const std::uint64_t unit = addr / p_.interleave_bytes;
    channel& ch = ch_[unit % p_.channels];
    const std::uint64_t local =
        (unit / p_.channels) * p_.interleave_bytes + addr % p_.interleave_bytes;
    const std::uint64_t row_index = local / p_.row_bytes;
    bank& b = ch.banks[row_index % p_.banks];
    const std::uint64_t row = row_index / p_.banks;

    double t = after_refresh(ch, std::max(t_ns, b.free_ns));
    queue_ns = t - t_ns; // behind the bank's earlier accesses, or refresh
    double cas_at;
    if (b.open && b.row == row) {
        ++c_.row_hits;
        cas_at = t;
    } else if (b.open) {
        ++c_.row_conflicts;
        const double precharge = std::max(t, b.activated_ns + p_.t_ras_ns);
        b.activated_ns = precharge + p_.t_rp_ns;
        cas_at = b.activated_ns + p_.t_rcd_ns;
    } else {
        ++c_.row_misses;
        b.activated_ns = t;
        cas_at = t + p_.t_rcd_ns;
    }
    b.open = true;
    b.row = row;
    // A refresh window blocks the channel's data bus too.
    const double data_start = after_refresh(ch, std::max(cas_at + p_.t_cl_ns, ch.bus_free_ns));
    queue_ns += data_start - (cas_at + p_.t_cl_ns); // behind the channel's data bus
    const double data_end = data_start + static_cast<double>(len) / p_.bytes_per_ns;
    ch.bus_free_ns = data_end;
    b.free_ns = cas_at + static_cast<double>(len) / p_.bytes_per_ns; // next column command
    return data_end;
}

double dram_timing::access(std::uint64_t addr, std::uint64_t len, double t_ns, double* queue_ns) {
    ++c_.accesses;
    const double start = t_ns + p_.front_end_ns;
    double done = start, waited = 0;
    // Split at interleave boundaries; the pieces go to their channels in parallel.
    while (len > 0) {
        const std::uint64_t n =
            std::min<std::uint64_t>(len, p_.interleave_bytes - addr % p_.interleave_bytes);
        double q = 0;
        done = std::max(done, chunk(addr, n, start, q));
        waited = std::max(waited, q);
        addr += n;
        len -= n;
    }
    if (queue_ns) *queue_ns = waited;
    return done;
}

} // namespace epvp::soc

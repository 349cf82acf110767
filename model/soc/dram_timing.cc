#include "model/soc/dram_timing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace epvp::soc {

dram_timing::dram_timing(const dram_params& p)
    : p_(p)
    , ch_(p.channels) {
    if (p.burst_bytes == 0 || p.burst_bytes > p.interleave_bytes)
        throw std::invalid_argument("DRAM burst_bytes must be in [1, interleave_bytes]");
    if (refreshes() && p.t_rfc_ns + p.t_rcd_ns + p.t_cl_ns >= p.t_refi_ns)
        throw std::invalid_argument("DRAM tRFC + tRCD + CL must be below tREFI");
    for (auto& c : ch_)
        c.banks.resize(p.banks);
}

double dram_timing::refresh_at_or_after(double t_ns) const {
    // k * tREFI without fmod (which costs more than the rest of an access).
    double r = std::floor(t_ns / p_.t_refi_ns) * p_.t_refi_ns;
    if (r < t_ns) r += p_.t_refi_ns;
    return r;
}

void dram_timing::stall(double ns) {
    ++c_.refresh_stalls;
    c_.refresh_stall_ns += ns;
}

double dram_timing::after_refresh(double t_ns) {
    // Refresh occupies [k * tREFI, k * tREFI + tRFC) on every channel.
    const double start = std::floor(t_ns / p_.t_refi_ns) * p_.t_refi_ns;
    if (t_ns >= start + p_.t_rfc_ns) return t_ns;
    stall(start + p_.t_rfc_ns - t_ns);
    return start + p_.t_rfc_ns;
}

double dram_timing::chunk(std::uint64_t addr, std::uint64_t len, double t_ns, dram_dir dir,
                          double& queue_ns) {
    const std::uint64_t id = c_.accesses;
    const std::uint64_t unit = addr / p_.interleave_bytes;
    channel& ch = ch_[unit % p_.channels];
    const std::uint64_t local =
        (unit / p_.channels) * p_.interleave_bytes + addr % p_.interleave_bytes;
    const std::uint64_t row_index = local / p_.row_bytes;
    bank& b = ch.banks[row_index % p_.banks];
    const std::uint64_t row = row_index / p_.banks;
    // Every burst the access touches moves whole.
    const std::uint64_t bursts = (addr + len - 1) / p_.burst_bytes - addr / p_.burst_bytes + 1;
    const double burst_ns = static_cast<double>(bursts * p_.burst_bytes) / p_.bytes_per_ns;

    double q = 0; // behind other accesses and refresh
    double t = t_ns;
    if (b.free_ns > t) { // behind the bank's earlier accesses (this access's own are no wait)
        if (b.owner != id) q += b.free_ns - t;
        t = b.free_ns;
    }
    if (refreshes()) {
        const double after = after_refresh(t);
        q += after - t;
        t = after;
        if (b.open && refresh_at_or_after(b.used_ns) <= t) b.open = false; // refreshed since
    }
    enum class kind { hit, miss, conflict } k;
    double activate = 0, cas_at = 0, ready = 0, data_start = 0;
    for (;;) {
        if (b.open && b.row == row) {
            k = kind::hit;
            cas_at = t;
        } else if (b.open) {
            k = kind::conflict;
            const double precharge =
                std::max({t, b.activated_ns + p_.t_ras_ns, b.write_end_ns + p_.t_wr_ns});
            activate = precharge + p_.t_rp_ns;
            cas_at = activate + p_.t_rcd_ns;
        } else {
            k = kind::miss;
            activate = t;
            cas_at = t + p_.t_rcd_ns;
        }
        ready = cas_at + p_.t_cl_ns;
        data_start = std::max(ready, ch.bus_free_ns);
        if (!refreshes()) break;
        // The data must begin before the next refresh; else the refresh (which closes the row)
        // comes first and the access begins again after it.
        const double next = refresh_at_or_after(t);
        if (data_start < next) break;
        const double resume = next + p_.t_rfc_ns;
        stall(resume - t);
        q += resume - t;
        t = resume;
        b.open = false;
    }
    switch (k) {
    case kind::hit:
        ++c_.row_hits;
        break;
    case kind::miss:
        ++c_.row_misses;
        b.activated_ns = activate;
        break;
    case kind::conflict:
        ++c_.row_conflicts;
        b.activated_ns = activate;
        break;
    }
    if (ch.bus_owner != id) q += data_start - ready; // behind the channel's data bus
    double data_end = data_start + burst_ns;
    double paused = 0;
    const double first = refreshes() ? refresh_at_or_after(data_start) : data_end;
    if (first < data_end) {
        // Refreshes inside the data transfer: each pauses it for tRFC, then an activate and a
        // column command (the refresh closed the row). The first comes after
        // first - data_start of the data; after each pause an interval leaves tREFI - pause for
        // data, so n pauses carry rem with (n - 1) x that < rem <= n x that (closed form: a
        // long transfer over short refresh intervals would take many steps).
        const double pause = p_.t_rfc_ns + p_.t_rcd_ns + p_.t_cl_ns;
        const double per_interval = p_.t_refi_ns - pause;
        const double rem = burst_ns - (first - data_start);
        double n = std::max(1.0, std::ceil(rem / per_interval));
        if (n > 1 && (n - 1) * per_interval >= rem) n -= 1; // rounding of the division
        if (n * per_interval < rem) n += 1;
        paused = n * pause;
        data_end += paused;
        const auto pauses = static_cast<std::uint64_t>(n);
        c_.refresh_stalls += pauses;
        c_.refresh_stall_ns += paused;
        q += n * p_.t_rfc_ns;
        // The row was activated again after the last of them (tRAS counts from there).
        b.activated_ns = first + (n - 1) * p_.t_refi_ns + p_.t_rfc_ns;
    }
    ch.bus_free_ns = data_end;
    ch.bus_owner = id;
    b.open = true;
    b.row = row;
    b.free_ns = cas_at + burst_ns + paused; // next column command
    b.used_ns = data_end;
    b.owner = id;
    if (dir == dram_dir::write) b.write_end_ns = data_end;
    queue_ns = q;
    return data_end;
}

double dram_timing::access(std::uint64_t addr, std::uint64_t len, double t_ns, dram_dir dir,
                           double* queue_ns) {
    ++c_.accesses;
    const double start = t_ns + p_.front_end_ns;
    double done = start, waited = 0;
    // Split at interleave boundaries; the pieces go to their channels in parallel.
    while (len > 0) {
        const std::uint64_t n =
            std::min<std::uint64_t>(len, p_.interleave_bytes - addr % p_.interleave_bytes);
        double q = 0;
        done = std::max(done, chunk(addr, n, start, dir, q));
        waited = std::max(waited, q);
        addr += n;
        len -= n;
    }
    if (queue_ns) *queue_ns = waited;
    return done;
}

} // namespace epvp::soc

// The eDMA channel engine's data path: the write channel's AXI prefetch into the staging buffer
// and its MWrs, the read channel's MRds under the tag limit and the local writes of their data.
#include "model/dwc/edma_engine.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <deque>
#include <utility>

namespace epvp::dwc {

using namespace edma_reg;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

unsigned min_len(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    return static_cast<unsigned>(std::min(a, std::min(b, c)));
}
// How many staging buffers' worth of sent bytes the write window keeps before it moves its
// unsent bytes to the front (a simulator cost, no simulated effect).
constexpr std::uint64_t window_compact_factor = 4;

} // namespace

// Local memory (SAR) -> PCIe (DAR).
//
// Two pipelines, issued in time order from the times the transactions return (never from how
// far this thread's local time lags): AXI bursts of at most axi_burst_bytes (never across 4 KiB)
// into the staging buffer, and MWr TLPs out of it. Burst k starts when
//   - the block may start (its element is fetched; the previous block's last burst completed),
//   - an outstanding-read slot is free: burst k - axi_outstanding_reads has completed,
//   - the staging buffer has room: the MWr carrying the byte staging_buffer_bytes before the
//     burst's last byte has left (a byte stays staged from its burst's start until its MWr left).
// MWr j starts when MWr j - 1 has left and the bursts holding its bytes have completed. The
// earlier of the next burst and the next MWr is issued first (a burst on a tie); so every
// transaction is issued at its own start time, which is never before the thread's time.
edma_engine::step edma_engine::write_block(run_state& r, sc_time start) {
    const std::uint64_t mps = std::max(1u, p_.bus.mps_bytes());
    const std::uint64_t total = r.size;
    const std::uint64_t sar0 = r.sar, dar0 = r.dar;
    const sc_time never = sc_core::sc_max_time();
    // Bytes [win_base, fetched) of the block at the front; the vector only grows (no zero fill
    // per burst) and bytes past fetched are stale.
    std::vector<unsigned char>& win = r.ch.buffer;
    std::uint64_t win_base = 0, fetched = 0, sent = 0;
    const sc_time burst_start = std::max(start, r.fetch_free);
    std::vector<sc_time> slot_free(p_.axi_outstanding_reads, burst_start);
    std::size_t burst = 0;
    std::deque<std::pair<std::uint64_t, sc_time>> bursts;  // end offset, completion (unsent data)
    std::deque<std::pair<std::uint64_t, sc_time>> sent_at; // MWr end offset, when it left
    sc_time last_burst = burst_start, prev_left = std::max(start, r.tlp_free);
    sc_time prev_burst = burst_start; // when the previous burst started (for the wait counters)
    const unsigned ch = r.ch.index;
    while (sent < total) {
        if (cancelled(r) || r.ch.stop)
            return {cancelled(r) ? step::kind::cancelled : step::kind::stopped, prev_left};
        // The next burst.
        sc_time burst_at = never, slot_at = never;
        unsigned blen = 0;
        if (fetched < total) {
            blen = min_len(p_.axi_burst_bytes, total - fetched, edma_to_boundary(sar0 + fetched));
            burst_at = std::max(burst_start, slot_free[burst % slot_free.size()]);
            slot_at = burst_at;
            if (fetched + blen > p_.staging_buffer_bytes) {
                const std::uint64_t must_leave = fetched + blen - p_.staging_buffer_bytes;
                while (!sent_at.empty() && sent_at.front().first < must_leave)
                    sent_at.pop_front();
                burst_at = sent_at.empty() ? never : std::max(burst_at, sent_at.front().second);
            }
        }
        // The next MWr.
        const unsigned len = edma_tlp_bytes(dar0 + sent, total - sent, mps);
        sc_time tlp_at = never, data_ready = SC_ZERO_TIME;
        if (fetched >= sent + len) {
            for (const auto& b : bursts) {
                data_ready = std::max(data_ready, b.second);
                if (b.first >= sent + len) break;
            }
            tlp_at = std::max(prev_left, data_ready);
        }
        const bool arbitrated = contended(edma_dir::write);
        if (tlp_at < burst_at) prefetch_before(r, tlp_at);
        // A channel that gave up waiting for a grant because its burst is due issues it now.
        if (burst_at <= tlp_at || (arbitrated && burst_at <= now())) {
            // check() keeps staging_buffer_bytes >= one burst + one MWr, so one of them can go.
            sc_assert(burst_at != never);
            const sc_time paced = std::max(burst_start, prev_burst);
            if (slot_at > paced) r.rec.wait_axi_slots += slot_at - paced;
            if (burst_at > std::max(paced, slot_at))
                r.rec.wait_staging += burst_at - std::max(paced, slot_at);
            prev_burst = burst_at;
            prefetch_before(r, burst_at);
            sync_to(r, burst_at);
            const std::size_t at_win = fetched - win_base;
            if (win.size() < at_win + blen) win.resize(at_win + blen);
            sc_time done = burst_at;
            const bool ok = local_.read(sar0 + fetched, win.data() + at_win, blen, done);
            slot_free[burst++ % slot_free.size()] = done;
            if (!ok) return {step::kind::local_read, std::max(done, prev_left)};
            last_burst = std::max(last_burst, done);
            fetched += blen;
            bursts.emplace_back(fetched, done);
            continue;
        }
        if (arbitrated) {
            // Every channel of the direction is at the TLP's start: the arbiter picks one.
            wait_until(r, tlp_at);
            if (!arbiter(edma_dir::write).acquire(ch, fetched < total ? burst_at : never)) continue;
            if (now() > tlp_at) r.rec.wait_arbitration += now() - tlp_at;
        }
        if (burst_timing(r.ch)) {
            // Burst mode: every MWr whose data is staged, in one transaction (the next local
            // burst, due after the first of them, is issued after it at its own time).
            const sc_time decided = now();
            sync_to(r, fetched < total ? tlp_at
                                       : std::min(tlp_at, std::max(r.next_block, last_burst)));
            auto& pieces = r.burst.pieces;
            pieces.clear();
            r.burst.paced = pcie::tlp_burst::pacing::departed;
            std::size_t bi = 0; // the first local burst with data not in an earlier piece
            for (std::uint64_t at = sent; at < total;) {
                const unsigned l = edma_tlp_bytes(dar0 + at, total - at, mps);
                if (fetched < at + l) break;
                while (bi < bursts.size() && bursts[bi].first <= at)
                    ++bi;
                sc_time ready = SC_ZERO_TIME;
                for (std::size_t k = bi; k < bursts.size(); ++k) {
                    ready = std::max(ready, bursts[k].second);
                    if (bursts[k].first >= at + l) break;
                }
                pcie::tlp_burst_piece piece;
                piece.bytes = l;
                piece.ready = ready;
                pieces.push_back(piece);
                at += l;
            }
            // The next local burst goes before any MWr due at or after its start: when its
            // AXI slot is free and, with the staging buffer full, the MWr holding the byte
            // staging_buffer_bytes before its end has left (maybe one of these).
            r.burst.stop_at = never;
            r.burst.stop_after = pcie::tlp_burst::no_piece;
            r.burst.end_before = next_other_start(r.ch, decided);
            if (fetched < total) {
                r.burst.stop_at = slot_at;
                if (fetched + blen > p_.staging_buffer_bytes) {
                    const std::uint64_t must_leave = fetched + blen - p_.staging_buffer_bytes;
                    if (!sent_at.empty()) {
                        // sent_at was trimmed to the MWrs ending at or after must_leave.
                        r.burst.stop_at = std::max(slot_at, sent_at.front().second);
                    } else {
                        std::uint64_t end = sent;
                        std::size_t m = 0;
                        while (m < pieces.size() && (end += pieces[m].bytes) < must_leave)
                            ++m;
                        if (m < pieces.size())
                            r.burst.stop_after = m;
                        else
                            r.burst.stop_at = never;
                    }
                }
            }
            sc_time d = edma_rel(tlp_at);
            tlp_wait w;
            const bool ok = p_.bus.pcie_write_burst(dar0 + sent, win.data() + (sent - win_base),
                                                    r.burst, d, &w);
            const sc_time left = now() + d;
            // The grant may have come while the others ran, before this channel ran alone.
            if (arbitrated) arbiter(edma_dir::write).release(left);
            r.rec.wait_link += w.link;
            r.rec.wait_credits += w.credits;
            if (!ok) return {step::kind::mwr_failed, std::max(left, prev_left)};
            for (const auto& piece : pieces) {
                if (piece.ready > prev_left) r.rec.wait_memory += piece.ready - prev_left;
                ++counters_.mwr_tlps;
                ++r.rec.tlps;
                r.rec.bytes += piece.bytes;
                counters_.bytes_written += piece.bytes;
                sent += piece.bytes;
                prev_left = piece.departed;
                sent_at.emplace_back(sent, piece.departed);
                r.size -= piece.bytes;
                r.sar += piece.bytes;
                r.dar += piece.bytes;
            }
        } else {
            if (data_ready > prev_left) r.rec.wait_memory += data_ready - prev_left;
            // Once every burst of the block is out, the next block's first burst (its element is
            // already fetched) may come before this block's later MWrs: do not run past it.
            sync_to(r, fetched < total ? tlp_at
                                       : std::min(tlp_at, std::max(r.next_block, last_burst)));
            sc_time d = edma_rel(tlp_at);
            tlp_wait w;
            const bool ok = in_tie_order(r.ch, [&] {
                return p_.bus.pcie_write(dar0 + sent, win.data() + (sent - win_base), len, d, &w);
            });
            const sc_time left = now() + d;
            if (arbitrated) arbiter(edma_dir::write).release(left);
            r.rec.wait_link += w.link;
            r.rec.wait_credits += w.credits;
            if (!ok) return {step::kind::mwr_failed, std::max(left, prev_left)};
            ++counters_.mwr_tlps;
            ++r.rec.tlps;
            r.rec.bytes += len;
            counters_.bytes_written += len;
            sent += len;
            prev_left = left;
            sent_at.emplace_back(sent, left);
            r.size -= len;
            r.sar += len;
            r.dar += len;
        }
        while (!bursts.empty() && bursts.front().first <= sent)
            bursts.pop_front();
        // The sent bytes leave the window now and then (the unsent ones move to its front).
        if (sent - win_base >= window_compact_factor * p_.staging_buffer_bytes) {
            std::memmove(win.data(), win.data() + (sent - win_base), fetched - sent);
            win_base = sent;
        }
    }
    r.fetch_free = last_burst;
    r.tlp_free = prev_left;
    return {step::kind::none, prev_left};
}

bool edma_engine::write_arrived(run_state& r, const sc_time& until, sc_time& failed_at) {
    auto& unwritten = r.unwritten;
    const auto page_of = [](std::uint64_t a) { return a / boundary_bytes; };
    // The reads from the front of `unwritten`, arrived by `until` (and before a pending element
    // prefetch), that one batch can take.
    const auto batchable = [&](const sc_time& until) {
        std::size_t n = 1;
        const std::uint64_t first = unwritten.front().addr;
        std::uint64_t end = first + unwritten.front().data.size();
        if (page_of(end - 1) != page_of(first)) return n;
        while (n < unwritten.size() && unwritten[n].at <= until && unwritten[n].addr == end &&
               page_of(end + unwritten[n].data.size() - 1) == page_of(first) &&
               !(r.prefetch_pending && unwritten[n].at >= r.prefetch_at))
            end += unwritten[n++].data.size();
        return n;
    };
    // Exact against separate accesses; not while another channel is known to run.
    const bool coalesce = p_.burst && !any_concurrent();
    while (!unwritten.empty() && unwritten.front().at <= until) {
        prefetch_before(r, unwritten.front().at);
        const std::size_t n = coalesce ? batchable(until) : 1;
        if (n > 1) {
            r.batch.pieces.clear();
            r.batch_data.clear();
            for (std::size_t k = 0; k < n; ++k) {
                const auto& a = unwritten[k];
                r.batch_data.insert(r.batch_data.end(), a.data.begin(), a.data.end());
                soc::access_pieces::piece p;
                p.bytes = static_cast<unsigned>(a.data.size());
                p.start = a.at;
                r.batch.pieces.push_back(p);
            }
            if (!local_.write_pieces(unwritten.front().addr, r.batch_data.data(), r.batch,
                                     r.local_done, failed_at)) {
                unwritten.clear();
                return false;
            }
            for (std::size_t k = 0; k < n; ++k) {
                r.spare.push_back(std::move(unwritten.front().data));
                unwritten.pop_front();
            }
            continue;
        }
        auto& a = unwritten.front();
        if (!local_.write(a.addr, a.data.data(), static_cast<unsigned>(a.data.size()), a.at,
                          r.local_done, failed_at)) {
            unwritten.clear();
            return false;
        }
        r.spare.push_back(std::move(a.data));
        unwritten.pop_front();
    }
    return true;
}

// PCIe (SAR) -> local memory (DAR).
//
// MRds go out as tags free up; each one's data is written to local memory when its last
// completion arrived. The memory controller serves an access at its own time (it synchronises
// the caller), so the local writes are issued in time order: a completion's write waits here
// until the thread's next MRd is due after it (or the block ends), never pulling the MRds that
// come before it in time behind it.
edma_engine::step edma_engine::read_block(run_state& r, sc_time start) {
    const std::uint64_t mrrs = std::max(1u, p_.bus.mrrs_bytes());
    // The controller's tags are shared by the read channels; a channel running alone starts
    // with all of them free (as when tags were counted per run).
    const std::size_t tags = std::max(1u, p_.bus.max_outstanding_reads());
    if (!r.tags_checked) {
        r.tags_checked = true;
        if (!contended(edma_dir::read)) tag_free_.clear();
    }
    if (tag_free_.size() != tags) {
        tag_free_.assign(tags, SC_ZERO_TIME);
        next_tag_ = 0;
    }
    if (p_.rd_outstanding_mrd && r.own_free.empty())
        r.own_free.assign(p_.rd_outstanding_mrd, SC_ZERO_TIME);
    const unsigned ch = r.ch.index;
    const std::uint64_t total = r.size;
    const std::uint64_t sar0 = r.sar, dar0 = r.dar;
    const std::size_t buf_bytes =
        static_cast<std::size_t>(std::min<std::uint64_t>(mrrs, boundary_bytes));
    sc_time last_cpl = start;
    r.local_done = std::max(r.local_done, start);
    r.last_request = std::max(r.last_request, start);
    using arrived_data = run_state::arrived_data;
    auto& unwritten = r.unwritten;
    auto& spare = r.spare;
    sc_time failed_at;
    const auto write_arrived = [&](const sc_time& until) {
        return this->write_arrived(r, until, failed_at);
    };
    const sc_time never = sc_core::sc_max_time();
    std::vector<unsigned char> data(buf_bytes);
    for (std::uint64_t off = 0; off < total;) {
        if (cancelled(r) || r.ch.stop) {
            write_arrived(never);
            return {cancelled(r) ? step::kind::cancelled : step::kind::stopped,
                    std::max(last_cpl, r.local_done)};
        }
        if (burst_timing(r.ch)) {
            // Burst mode: the MRds whose tag and own slot are already known free (at most one
            // round of each), in one transaction.
            const sc_time decided = now();
            std::size_t n = tag_free_.size();
            if (!r.own_free.empty()) n = std::min(n, r.own_free.size());
            auto& pieces = r.burst.pieces;
            pieces.clear();
            r.burst.paced = pcie::tlp_burst::pacing::started;
            r.burst.end_before = next_other_start(r.ch, decided);
            std::uint64_t bytes = 0;
            for (std::uint64_t at = off; at < total && pieces.size() < n;) {
                const std::size_t k = pieces.size();
                const unsigned l = edma_tlp_bytes(sar0 + at, total - at, mrrs);
                pcie::tlp_burst_piece piece;
                piece.bytes = l;
                piece.ready = tag_free_[(next_tag_ + k) % tag_free_.size()];
                if (!r.own_free.empty())
                    piece.ready =
                        std::max(piece.ready, r.own_free[(r.next_own + k) % r.own_free.size()]);
                pieces.push_back(piece);
                at += l;
                bytes += l;
            }
            const sc_time issue = std::max(r.last_request, pieces.front().ready);
            if (!write_arrived(issue))
                return {step::kind::local_write, std::max(failed_at, last_cpl)};
            prefetch_before(r, issue);
            sync_to(r, issue);
            const sc_time issued = std::max(issue, now());
            sc_time d = issued - now();
            tlp_wait w;
            if (r.burst_data.size() < bytes) r.burst_data.resize(bytes);
            const pcie::cpl_status st =
                p_.bus.pcie_read_burst(sar0 + off, r.burst_data.data(), r.burst, d, &w);
            r.rec.wait_link += w.link;
            r.rec.wait_credits += w.credits;
            if (w.poisoned || st != pcie::cpl_status::sc) {
                const sc_time arrived = now() + d;
                ++counters_.mrd_tlps;
                ++r.rec.tlps;
                r.rec.completions += w.completions;
                if (!write_arrived(never))
                    return {step::kind::local_write, std::max(failed_at, last_cpl)};
                if (w.poisoned) return {step::kind::cpl_poisoned, std::max(arrived, r.local_done)};
                return {st == pcie::cpl_status::ca ? step::kind::cpl_ca : step::kind::cpl_ur,
                        std::max(arrived, r.local_done)};
            }
            std::uint64_t at = 0;
            for (const auto& piece : pieces) {
                // The waits a single MRd would have counted: its own slot, then its tag.
                const sc_time ready = r.last_request;
                sc_time& own = r.own_free.empty() ? r.last_request
                                                  : r.own_free[r.next_own++ % r.own_free.size()];
                sc_time base = ready;
                if (!r.own_free.empty() && own > ready) {
                    r.rec.wait_outstanding += own - ready;
                    base = own;
                }
                sc_time& tag = tag_free_[next_tag_++ % tag_free_.size()];
                if (tag > base) r.rec.wait_tags += tag - base;
                const sc_time arrived = piece.completed;
                r.rec.completions += piece.completions;
                ++counters_.mrd_tlps;
                ++r.rec.tlps;
                r.last_request = piece.start;
                tag = arrived;
                if (!r.own_free.empty()) own = arrived;
                std::vector<unsigned char> slice;
                if (!spare.empty()) {
                    slice = std::move(spare.back());
                    spare.pop_back();
                }
                slice.assign(r.burst_data.begin() + static_cast<std::ptrdiff_t>(at),
                             r.burst_data.begin() + static_cast<std::ptrdiff_t>(at + piece.bytes));
                auto pos = std::upper_bound(
                    unwritten.begin(), unwritten.end(), arrived,
                    [](const sc_time& t, const arrived_data& a) { return t < a.at; });
                unwritten.insert(pos, arrived_data{dar0 + off, std::move(slice), arrived});
                last_cpl = std::max(last_cpl, arrived);
                off += piece.bytes;
                at += piece.bytes;
                r.size -= piece.bytes;
                r.sar += piece.bytes;
                r.dar += piece.bytes;
                r.rec.bytes += piece.bytes;
                counters_.bytes_read += piece.bytes;
            }
            continue;
        }
        const unsigned len = edma_tlp_bytes(sar0 + off, total - off, mrrs);
        const sc_time ready = r.last_request;
        // The channel's own limit, then (concurrent channels) the arbiter, then a tag.
        sc_time* own = r.own_free.empty() ? nullptr : &r.own_free[r.next_own++ % r.own_free.size()];
        sc_time base = ready;
        if (own && *own > ready) {
            r.rec.wait_outstanding += *own - ready;
            base = *own;
        }
        const bool arbitrated = contended(edma_dir::read);
        if (arbitrated) {
            if (!write_arrived(base))
                return {step::kind::local_write, std::max(failed_at, last_cpl)};
            prefetch_before(r, base);
            wait_until(r, base);
            arbiter(edma_dir::read).acquire(ch, never);
            if (now() > base) r.rec.wait_arbitration += now() - base;
            base = now();
        }
        sc_time& tag = tag_free_[next_tag_++ % tag_free_.size()];
        const sc_time issue = std::max(base, tag);
        if (tag > base) r.rec.wait_tags += tag - base;
        if (!write_arrived(issue)) {
            if (arbitrated) arbiter(edma_dir::read).release(now());
            return {step::kind::local_write, std::max(failed_at, last_cpl)};
        }
        prefetch_before(r, issue);
        sync_to(r, issue);
        const sc_time issued = std::max(issue, now());
        sc_time d = issued - now();
        tlp_wait w;
        data.resize(len);
        const pcie::cpl_status st = in_tie_order(
            r.ch, [&] { return p_.bus.pcie_read(sar0 + off, data.data(), len, d, &w); });
        const sc_time arrived = now() + d;
        r.rec.wait_link += w.link;
        r.rec.wait_credits += w.credits;
        r.rec.completions += w.completions;
        ++counters_.mrd_tlps;
        ++r.rec.tlps;
        r.last_request = issued + w.link + w.credits; // when the MRd went out
        if (arbitrated) arbiter(edma_dir::read).release(r.last_request);
        tag = arrived; // the tag is free again when the last completion arrived
        if (own) *own = arrived;
        if (w.poisoned || st != pcie::cpl_status::sc) {
            if (!write_arrived(never))
                return {step::kind::local_write, std::max(failed_at, last_cpl)};
            if (w.poisoned) return {step::kind::cpl_poisoned, std::max(arrived, r.local_done)};
            return {st == pcie::cpl_status::ca ? step::kind::cpl_ca : step::kind::cpl_ur,
                    std::max(arrived, r.local_done)};
        }
        // In arrival order (a later MRd's completions may come first).
        auto at =
            std::upper_bound(unwritten.begin(), unwritten.end(), arrived,
                             [](const sc_time& t, const arrived_data& a) { return t < a.at; });
        unwritten.insert(at, arrived_data{dar0 + off, std::move(data), arrived});
        if (!spare.empty()) {
            data = std::move(spare.back());
            spare.pop_back();
        }
        last_cpl = std::max(last_cpl, arrived);
        off += len;
        r.size -= len;
        r.sar += len;
        r.dar += len;
        r.rec.bytes += len;
        counters_.bytes_read += len;
    }
    // A linked list's block leaves its unwritten data to the next one (run_linked_list writes
    // it when the block's end matters).
    if (r.ll) return {step::kind::none, last_cpl};
    return finish_reads(r, last_cpl);
}

edma_engine::step edma_engine::finish_reads(run_state& r, sc_time last_cpl) {
    sc_time failed_at;
    if (!write_arrived(r, sc_core::sc_max_time(), failed_at))
        return {step::kind::local_write, std::max(failed_at, last_cpl)};
    if (r.local_done > last_cpl) r.rec.wait_memory += r.local_done - last_cpl;
    return {step::kind::none, std::max(last_cpl, r.local_done)};
}

} // namespace epvp::dwc

// sc_spawn: one thread per channel, created with the channel.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "model/dwc/edma_engine.h"

#include "model/core/log.h"
#include "model/core/trace_events.h"

#include <utility>

namespace epvp::dwc {

using namespace edma_reg;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

sc_time later(const sc_time& a, const sc_time& b) {
    return a > b ? a : b;
}

void put_le32(unsigned char* p, std::uint32_t v) {
    for (unsigned i = 0; i < 4; ++i)
        p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::string who(edma_dir d, unsigned index) {
    return std::string(dir_label(d)) + " ch" + std::to_string(index);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Doorbells and stops (called from the register file's writes)

edma_engine::edma_engine(std::string owner, const edma_params& p, edma_regfile& regs,
                         std::function<void()> irq_changed)
    : owner_(std::move(owner))
    , p_(p)
    , regs_(regs)
    , irq_changed_(std::move(irq_changed))
    , local_(p_.bus, counters_.local_reads, counters_.local_writes) {
    const edma_dir dirs[] = {edma_dir::write, edma_dir::read};
    for (edma_dir d : dirs) {
        const unsigned idx = static_cast<unsigned>(d);
        for (unsigned n = 0; n < regs_.channels(d); ++n) {
            const std::string label =
                std::string(d == edma_dir::write ? "wr" : "rd") + std::to_string(n);
            channels_[idx].push_back(std::make_unique<channel>(d, n, regs_.channel(d, n)));
            channel* ch = channels_[idx].back().get();
            sc_core::sc_spawn([this, ch] { channel_thread(*ch); }, label.c_str());
        }
        arbiters_[idx] = std::make_unique<edma_arbiter>(
            regs_.channels(d), [this, d](unsigned ch) { return regs_.arb_weight(d, ch) + 1; });
    }
}

bool edma_engine::any_concurrent() const {
    return running_channels_ > 1;
}

bool edma_engine::runs_alone(const channel& self) const {
    return running_channels_ == 0 || (running_channels_ == 1 && self.running);
}

bool edma_engine::contended(edma_dir d) const {
    // A channel competes from its doorbell's time on: the CPU may have written the doorbell
    // ahead of the kernel's time (it runs ahead by up to its quantum), and when that happened
    // must not decide whether the channels running now need the arbiter.
    if (running_channels_ < 2) return false;
    unsigned running = 0;
    for (const auto& ch : channels_[static_cast<unsigned>(d)])
        running += ch->running && ch->doorbell_at <= now() ? 1 : 0;
    return running > 1;
}

bool edma_engine::burst_timing(const channel& self) const {
    if (!p_.burst) return false;
    if (runs_alone(self)) return true;
    // Started channels, by their doorbells' times (not by when the CPU's writes came).
    for (const auto& v : channels_)
        for (const auto& ch : v)
            if (ch.get() != &self && ch->running && ch->doorbell_at <= now()) return false;
    return true;
}

sc_time edma_engine::next_other_start(const channel& self, const sc_time& decided) const {
    sc_time first = sc_core::sc_max_time();
    if (runs_alone(self)) return first;
    for (const auto& v : channels_)
        for (const auto& ch : v)
            if (ch.get() != &self && ch->running && ch->doorbell_at > decided)
                first = std::min(first, ch->doorbell_at);
    return first;
}

edma_engine::~edma_engine() = default;

edma_engine::channel* edma_engine::find(edma_dir d, unsigned index) {
    auto& v = channels_[static_cast<unsigned>(d)];
    return index < v.size() ? v[index].get() : nullptr;
}

void edma_engine::stop(channel& ch, const std::string& why) {
    ch.stop = true;
    ++counters_.stops;
    if (logger::get().enabled(edma_log_category))
        logger::get().info(edma_log_category, who(ch.dir, ch.index) + " stopped" + why);
}

void edma_engine::stop_all(const char* why) {
    for (auto& v : channels_)
        for (auto& ch : v)
            if (ch->running) stop(*ch, std::string(": ") + why);
}

void edma_engine::engine_disabled(edma_dir d) {
    for (auto& ch : channels_[static_cast<unsigned>(d)])
        if (ch->running) stop(*ch, " by engine disable");
}

void edma_engine::reset() {
    for (auto& v : channels_)
        for (auto& ch : v) {
            if (ch->running || ch->pending) ++ch->generation;
            ch->running = ch->pending = ch->stop = ch->rerun = false;
        }
    running_channels_ = 0;
}

void edma_engine::doorbell(edma_dir d, std::uint32_t value, const sc_time& delay) {
    logger& log = logger::get();
    const unsigned n = value & doorbell_channel_mask;
    channel* ch = find(d, n);
    const std::string name = who(d, n);
    if (!ch) {
        ++counters_.doorbells_ignored;
        log.guest_error(edma_log_category,
                        name + " doorbell: the core has " + std::to_string(regs_.channels(d)) +
                            " " + to_string(d) + " channels; ignored",
                        "no-channel");
        return;
    }
    if (value & doorbell_stop) {
        if (ch->running) {
            ch->stop = true;
            ++counters_.stops;
            log.info(edma_log_category, name + " doorbell STOP");
        } else {
            log.info(edma_log_category,
                     name + " doorbell STOP to an idle channel: nothing to stop");
        }
        return;
    }
    if (!regs_.engine_enabled(d)) {
        ++counters_.doorbells_ignored;
        log.guest_error(edma_log_category,
                        name + " doorbell with " + dir_label(d) + "_ENGINE_EN clear; ignored",
                        "engine-off");
        return;
    }
    if (ch->running) {
        if (ch->regs.read32(ch_control1) & lle) {
            ch->rerun = true; // more elements may have been appended
            ++counters_.doorbells_rerun;
            return;
        }
        ++counters_.doorbells_ignored;
        log.guest_error(edma_log_category,
                        name + " doorbell while a single-block transfer runs; ignored", "busy");
        return;
    }
    ++counters_.doorbells;
    ch->running = true;
    ++running_channels_;
    ch->pending = true;
    ch->stop = ch->rerun = false;
    ch->doorbell_at = now() + delay;
    ch->regs.set_bits(ch_control1, cs_mask, cs_running << cs_shift);
    ch->doorbell_ev.notify(delay);
}

// ---------------------------------------------------------------------------------------------
// Channel threads

bool edma_engine::cancelled(const run_state& r) const {
    return r.generation != r.ch.generation;
}

void edma_engine::publish(run_state& r) {
    if (!r.loaded || cancelled(r)) return;
    reg_block& regs = r.ch.regs;
    regs.set32(transfer_size, r.size);
    set64(regs, sar_lo, r.sar);
    set64(regs, dar_lo, r.dar);
    if (!r.ll) return;
    set64(regs, llp_lo, r.list.llp);
    regs.set_bits(ch_control1, ccs, r.list.ccs ? ccs : 0);
}

void edma_engine::sync_to(run_state& r, const sc_time& at) {
    // Channels running together meet at the link and in local memory: each transaction goes
    // out at its own time, so that the bus sees them in time order whatever the quantum.
    if (at <= now() + (any_concurrent() ? SC_ZERO_TIME : p_.quantum)) return;
    publish(r);
    ++counters_.syncs;
    sc_core::wait(at - now());
}

void edma_engine::wait_until(run_state& r, const sc_time& at) {
    if (at <= now()) return;
    publish(r);
    ++counters_.syncs;
    sc_core::wait(at - now());
}

void edma_engine::channel_thread(channel& ch) {
    for (;;) {
        if (!ch.pending) sc_core::wait(ch.doorbell_ev);
        if (!ch.pending) continue;
        ch.pending = false;
        run(ch);
    }
}

void edma_engine::run(channel& ch) {
    run_state r(ch);
    r.rec.read = ch.dir == edma_dir::read;
    r.rec.channel = ch.index;
    r.rec.doorbell = ch.doorbell_at;
    r.rec.link = p_.bus.link_activity();
    wait_until(r, ch.doorbell_at);
    r.start = now();
    r.engine_free = r.fetch_free = r.tlp_free = r.last_request = r.start;
    const bool linked = ch.regs.read32(ch_control1) & lle;
    // What the doorbell started (the run counts the size down and moves SAR/DAR on).
    const std::uint32_t size = ch.regs.read32(transfer_size);
    const std::uint64_t sar = read64(ch.regs, sar_lo);
    const std::uint64_t dar = read64(ch.regs, dar_lo);
    const std::uint64_t llp = read64(ch.regs, llp_lo);
    logger& log = logger::get();
    if (log.enabled(edma_log_category))
        log.info(
            edma_log_category,
            who(ch.dir, ch.index) + " doorbell: " + (linked ? "linked list at " : "single block ") +
                (linked ? hex(llp)
                        : std::to_string(size) + " bytes SAR " + hex(sar) + " DAR " + hex(dar)));
    const step s = linked ? run_linked_list(r) : run_single(r);
    sc_assert(r.unwritten.empty()); // every read's data was written (or dropped by an error)
    if (trace::recorder* tr = trace::recorder::active()) {
        const sc_time end = later(s.at, r.start);
        // A linked list: the bytes its elements moved, its first element's SAR and DAR, and
        // where the list starts.
        using args = std::vector<std::pair<std::string, std::string>>;
        tr->complete(
            tr->track("eDMA", owner_ + " " + who(ch.dir, ch.index)),
            linked ? "linked list" : "single block",
            static_cast<std::uint64_t>(r.start / sc_time(1, sc_core::SC_PS)),
            static_cast<std::uint64_t>((end - r.start) / sc_time(1, sc_core::SC_PS)),
            linked ? args{{"bytes", std::to_string(r.rec.bytes)},
                          {"sar", hex(r.first_sar)},
                          {"dar", hex(r.first_dar)},
                          {"llp", hex(llp)}}
                   : args{{"bytes", std::to_string(size)}, {"sar", hex(sar)}, {"dar", hex(dar)}});
    }
    finish(r, s);
}

edma_engine::step edma_engine::run_single(run_state& r) {
    const reg_block& regs = r.ch.regs;
    r.size = regs.read32(transfer_size);
    r.sar = read64(regs, sar_lo);
    r.dar = read64(regs, dar_lo);
    r.control = regs.read32(ch_control1) & (lie | rie);
    r.loaded = true;
    const step s = data_block(r, r.start);
    r.done_control = r.control;
    return s;
}

edma_engine::step edma_engine::run_linked_list(run_state& r) {
    const reg_block& regs = r.ch.regs;
    r.ll = true;
    r.list.ccs = regs.read32(ch_control1) & ccs;
    r.list.llp = read64(regs, llp_lo);
    r.size = regs.read32(transfer_size);
    r.sar = read64(regs, sar_lo);
    r.dar = read64(regs, dar_lo);
    r.loaded = true;
    element e = next_element(r, r.start, true);
    for (;;) {
        if (e.k == element::kind::fault) return {e.fault, later(e.at, r.engine_free)};
        if (e.k == element::kind::stop) {
            wait_until(r, later(e.at, r.engine_free));
            if (cancelled(r)) return {step::kind::cancelled, now()};
            if (r.ch.stop) return {step::kind::stopped, now()};
            if (r.ch.rerun) {
                r.ch.rerun = false;
                r.list.fetched = 0; // a new doorbell
                e = next_element(r, now(), true);
                continue;
            }
            return {step::kind::none, now()};
        }
        r.size = e.size;
        r.sar = e.sar;
        r.dar = e.dar;
        if (!r.first_loaded) {
            r.first_sar = e.sar;
            r.first_dar = e.dar;
            r.first_loaded = true;
        }
        r.control = e.control & (lie | rie);
        // The element fetcher runs one element (and any link elements) ahead of the data: it
        // fetches the next element once the blocks before this one are done. The data path
        // issues the fetch among this block's transactions, in time order (prefetch_before);
        // until then the next block cannot start before the fetch does.
        r.prefetch_pending = true;
        r.prefetch_at = later(e.at, r.engine_free);
        r.next_block = r.prefetch_at;
        step s = data_block(r, e.at);
        if (s.fault == step::kind::none && r.ch.dir == edma_dir::read && r.prefetch_pending) {
            // The data that arrived before the fetch is due is written before it, in time order.
            sc_time failed_at;
            if (!write_arrived(r, r.prefetch_at, failed_at))
                s = {step::kind::local_write, later(failed_at, s.at)};
        }
        prefetch_before(r, sc_core::sc_max_time());
        const element next = r.prefetched;
        // A read block's data is written by now only where its end matters: its interrupt,
        // or no data element after it.
        if (s.fault == step::kind::none && r.ch.dir == edma_dir::read &&
            (r.control || next.k != element::kind::data))
            s = finish_reads(r, s.at);
        if (s.fault != step::kind::none) return s;
        r.engine_free = later(r.engine_free, s.at);
        if (r.control) {
            if (next.k == element::kind::stop) {
                // The last element: the channel stops when its interrupt is raised.
                wait_until(r, later(r.engine_free, next.at));
                if (cancelled(r)) return {step::kind::cancelled, now()};
                if (!r.ch.rerun && !r.ch.stop) {
                    r.done_control = r.control;
                    return {step::kind::none, now()};
                }
            } else {
                wait_until(r, r.engine_free);
                if (cancelled(r)) return {step::kind::cancelled, now()};
            }
            raise_done(r, r.control);
        }
        e = next;
    }
}

edma_engine::element edma_engine::next_element(run_state& r, sc_time ready, bool may_sync) {
    unsigned char raw[ll_element_bytes];
    for (;;) {
        element e;
        e.at = ready;
        if (cancelled(r) || r.ch.stop) {
            e.k = element::kind::fault;
            e.fault = cancelled(r) ? step::kind::cancelled : step::kind::stopped;
            return e;
        }
        if (r.list.exhausted(p_.max_ll_elements)) {
            e.k = element::kind::fault;
            e.fault = step::kind::ll_runaway;
            return e;
        }
        ++r.list.fetched;
        ++counters_.ll_elements;
        if (may_sync) sync_to(r, ready);
        if (!local_.read(r.list.llp, raw, ll_element_bytes, e.at)) {
            e.k = element::kind::fault;
            e.fault = step::kind::ll_fetch;
            return e;
        }
        const edma_ll::slot s = r.list.advance(raw);
        if (s.k == edma_ll::slot::kind::stop) {
            e.k = element::kind::stop; // LLP stays at this element
            return e;
        }
        if (s.k == edma_ll::slot::kind::link) {
            ready = e.at;
            continue;
        }
        e.k = element::kind::data;
        e.control = s.control;
        e.size = s.size;
        e.sar = s.sar;
        e.dar = s.dar;
        return e;
    }
}

void edma_engine::prefetch_before(run_state& r, const sc_time& t) {
    if (!r.prefetch_pending || r.prefetch_at > t) return;
    r.prefetch_pending = false;
    // No sync for it: the block's transactions before it have been issued.
    r.prefetched = next_element(r, r.prefetch_at, false);
    r.next_block = r.prefetched.k == element::kind::data ? r.prefetched.at : sc_core::sc_max_time();
}

edma_engine::step edma_engine::data_block(run_state& r, sc_time start) {
    return r.ch.dir == edma_dir::write ? write_block(r, start) : read_block(r, start);
}

// ---------------------------------------------------------------------------------------------
// End of a run: status, interrupts, IMWr

void edma_engine::raise_done(run_state& r, std::uint32_t control) {
    channel& ch = r.ch;
    if (control & lie) {
        regs_.set_done(ch.dir, ch.index);
        irq_changed_();
    }
    if (control & rie) send_imwr(ch, false);
}

void edma_engine::send_imwr(channel& ch, bool abort) {
    const edma_regfile::imwr m = regs_.imwr_message(ch.dir, ch.index, abort);
    unsigned char bytes[imwr_tlp_bytes];
    put_le32(bytes, m.data);
    sc_time delay = SC_ZERO_TIME; // now: after the channel's last data TLP has left
    tlp_wait w;
    const bool ok = in_tie_order(
        ch, [&] { return p_.bus.pcie_write(m.addr, bytes, imwr_tlp_bytes, delay, &w); });
    ++counters_.imwr_tlps;
    if (!ok)
        logger::get().warning(edma_log_category,
                              who(ch.dir, ch.index) + (abort ? " abort" : " done") + " IMWr to " +
                                  hex(m.addr) + " could not be sent",
                              "imwr");
}

void edma_engine::finish(run_state& r, const step& s) {
    channel& ch = r.ch;
    if (cancelled(r) || s.fault == step::kind::cancelled)
        return; // reset: the registers already hold their reset values
    wait_until(r, s.at);
    if (cancelled(r)) return;
    publish(r);
    const bool ok = s.fault == step::kind::none;
    ch.regs.set_bits(ch_control1, cs_mask, (ok ? cs_stopped : cs_halted) << cs_shift);
    if (ch.running) --running_channels_;
    ch.running = false;
    ch.stop = ch.rerun = false;
    r.rec.done = now();
    {
        const edma_bus::link_snapshot at_end = p_.bus.link_activity();
        r.rec.link.busy_up = at_end.busy_up - r.rec.link.busy_up;
        r.rec.link.busy_down = at_end.busy_down - r.rec.link.busy_down;
        r.rec.link.tlps_up = at_end.tlps_up - r.rec.link.tlps_up;
        r.rec.link.tlps_down = at_end.tlps_down - r.rec.link.tlps_down;
        r.rec.link.lost_up = at_end.lost_up - r.rec.link.lost_up;
        r.rec.link.lost_down = at_end.lost_down - r.rec.link.lost_down;
    }
    r.rec.aborted = !ok;
    if (transfers_.size() < p_.max_transfer_records)
        transfers_.push_back(r.rec);
    else
        ++counters_.records_dropped;
    logger& log = logger::get();
    const std::string name = who(ch.dir, ch.index);
    if (ok) {
        ++counters_.transfers_done;
        if (log.enabled(edma_log_category))
            log.info(edma_log_category, name + " done: " + std::to_string(r.rec.bytes) +
                                            " bytes, " + std::to_string(r.rec.tlps) + " TLPs");
        raise_done(r, r.done_control);
        return;
    }
    ++counters_.transfers_aborted;
    edma_error err = edma_error::none;
    std::string why;
    switch (s.fault) {
    case step::kind::stopped:
        why = "stopped (doorbell STOP or engine disable)";
        break;
    case step::kind::local_read:
        why = "AXI error reading local memory";
        err = edma_error::app_read;
        break;
    case step::kind::local_write:
        why = "AXI error writing local memory";
        err = edma_error::app_write;
        break;
    case step::kind::ll_fetch:
        why = "AXI error fetching a linked-list element";
        err = edma_error::ll_fetch;
        break;
    case step::kind::ll_runaway:
        why = "linked list ran past " + std::to_string(p_.max_ll_elements) +
              " elements without stopping";
        err = edma_error::ll_fetch;
        break;
    case step::kind::cpl_ur:
        why = "MRd completed with UR (or no completion)";
        err = edma_error::cpl_ur;
        break;
    case step::kind::cpl_ca:
        why = "MRd completed with CA";
        err = edma_error::cpl_ca;
        break;
    case step::kind::cpl_poisoned:
        why = "MRd completion poisoned (EP bit): data discarded";
        err = edma_error::cpl_poisoned;
        break;
    case step::kind::mwr_failed:
        why = "MWr could not be sent (link down or bus mastering off)";
        break;
    case step::kind::none:
    case step::kind::cancelled:
        break;
    }
    const std::string msg = name + " aborted after " + std::to_string(r.rec.bytes) +
                            " bytes: " + why + "; SAR " + hex(r.sar) + " DAR " + hex(r.dar);
    if (s.fault == step::kind::stopped)
        log.info(edma_log_category, msg);
    else if (s.fault == step::kind::ll_runaway)
        log.guest_error(edma_log_category, msg, "runaway");
    else
        log.warning(edma_log_category, msg, "abort");
    regs_.set_abort(ch.dir, ch.index, err);
    irq_changed_();
    const bool remote =
        (r.control & rie) || (r.ll && regs_.ll_remote_abort_enabled(ch.dir, ch.index));
    if (remote) send_imwr(ch, true);
}

} // namespace epvp::dwc

#include "model/soc/smmu.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"
#include "model/core/payload_pool.h"
#include "model/core/trace_events.h"
#include "model/soc/access_pieces.h"
#include "model/soc/smmu_regs.h"
#include "model/soc/soc_attr.h"

#include <algorithm>
#include <cstring>

namespace epvp::soc {

using namespace smmuv3;
using sc_core::sc_time;

namespace {
constexpr std::uint32_t hi_addr_bits = 0x000FFFFFu;    // address bits 51:32
constexpr std::uint32_t strtab_cfg_bits = 0x000307FFu; // LOG2SIZE [5:0], SPLIT [10:6], FMT
constexpr std::uint32_t ovackflg = 1u << 31;           // EVTQ_CONS.OVACKFLG
constexpr std::size_t max_fault_records = 4096;
constexpr std::uint64_t page_bytes = pte::granule_bytes;
constexpr std::uint32_t dword = 4;

std::uint32_t qmask(unsigned log2) {
    return (2u << log2) - 1; // index bits plus the wrap bit
}
} // namespace

const char* smmu_event_name(std::uint8_t id) {
    switch (id) {
    case evt::C_BAD_STREAMID:
        return "C_BAD_STREAMID";
    case evt::F_STE_FETCH:
        return "F_STE_FETCH";
    case evt::C_BAD_STE:
        return "C_BAD_STE";
    case evt::F_STREAM_DISABLED:
        return "F_STREAM_DISABLED";
    case evt::F_CD_FETCH:
        return "F_CD_FETCH";
    case evt::C_BAD_CD:
        return "C_BAD_CD";
    case evt::F_WALK_EABT:
        return "F_WALK_EABT";
    case evt::F_TRANSLATION:
        return "F_TRANSLATION";
    case evt::F_ADDR_SIZE:
        return "F_ADDR_SIZE";
    case evt::F_ACCESS:
        return "F_ACCESS";
    case evt::F_PERMISSION:
        return "F_PERMISSION";
    default:
        return "event";
    }
}

static std::vector<reg_def> smmu_table(const smmu_params& p) {
    const std::uint32_t idr0 = idr0::S1P | (idr0::TTF_aarch64 << idr0::TTF_lsb) | idr0::COHACC |
                               idr0::ASID16 | (idr0::TTENDIAN_little << idr0::TTENDIAN_lsb) |
                               (idr0::STALL_MODEL_no_stall << idr0::STALL_MODEL_lsb) |
                               (idr0::ST_LEVEL_2lvl << idr0::ST_LEVEL_lsb);
    const std::uint32_t idr1 = (p.walker.sid_bits << idr1::SIDSIZE_lsb) |
                               (p.evtq_max_log2 << idr1::EVTQS_lsb) |
                               (p.cmdq_max_log2 << idr1::CMDQS_lsb);
    const std::uint32_t idr5 = idr5::OAS_48bit | idr5::GRAN4K;
    const std::uint32_t cmdq_ptr = qmask(p.cmdq_max_log2), evtq_ptr = qmask(p.evtq_max_log2);
    return {
        {reg::IDR0, "IDR0", idr0, 0, 0, 0, true, {}},
        {reg::IDR1, "IDR1", idr1, 0, 0, 0, true, {}},
        {reg::IDR2, "IDR2", 0, 0, 0, 0, true, {}},
        {reg::IDR3, "IDR3", 0, 0, 0, 0, true, {}},
        {reg::IDR4, "IDR4", 0, 0, 0, 0, true, {}},
        {reg::IDR5, "IDR5", idr5, 0, 0, 0, true, {}},
        {reg::IIDR, "IIDR", 0, 0, 0, 0, true, {}},
        {reg::AIDR, "AIDR", 0, 0, 0, 0, true, {}}, // SMMUv3.0
        {reg::CR0,
         "CR0",
         0,
         cr0::writable,
         0,
         0,
         false,
         {{"SMMUEN", 0, 1}, {"EVTQEN", 2, 1}, {"CMDQEN", 3, 1}}},
        {reg::CR0ACK, "CR0ACK", 0, 0, 0, 0, false, {}},
        {reg::CR1, "CR1", 0, all_bits, 0, 0, false, {}},
        {reg::CR2, "CR2", 0, all_bits, 0, 0, false, {}},
        {reg::STATUSR, "STATUSR", 0, 0, 0, 0, false, {}},
        {reg::GBPA,
         "GBPA",
         0,
         gbpa::ABORT | gbpa::UPDATE,
         0,
         0,
         false,
         {{"ABORT", 20, 1}, {"UPDATE", 31, 1}}},
        {reg::IRQ_CTRL,
         "IRQ_CTRL",
         0,
         irq_ctrl::writable,
         0,
         0,
         false,
         {{"GERROR_IRQEN", 0, 1}, {"EVTQ_IRQEN", 2, 1}}},
        {reg::IRQ_CTRLACK, "IRQ_CTRLACK", 0, 0, 0, 0, false, {}},
        {reg::GERROR, "GERROR", 0, 0, 0, 0, false, {{"CMDQ_ERR", 0, 1}, {"EVTQ_ABT_ERR", 2, 1}}},
        {reg::GERRORN, "GERRORN", 0, gerror::writable, 0, 0, false, {}},
        {reg::STRTAB_BASE,
         "STRTAB_BASE",
         0,
         static_cast<std::uint32_t>(addr_mask_51_6),
         0,
         0,
         false,
         {}},
        {reg::STRTAB_BASE_HI, "STRTAB_BASE_HI", 0, hi_addr_bits, 0, 0, false, {}},
        {reg::STRTAB_BASE_CFG,
         "STRTAB_BASE_CFG",
         0,
         strtab_cfg_bits,
         0,
         0,
         false,
         {{"LOG2SIZE", 0, 6}, {"SPLIT", 6, 5}, {"FMT", 16, 2}}},
        {reg::CMDQ_BASE,
         "CMDQ_BASE",
         0,
         static_cast<std::uint32_t>(addr_mask_51_5 | q_log2size_mask),
         0,
         0,
         false,
         {}},
        {reg::CMDQ_BASE_HI, "CMDQ_BASE_HI", 0, hi_addr_bits, 0, 0, false, {}},
        {reg::CMDQ_PROD, "CMDQ_PROD", 0, cmdq_ptr, 0, 0, false, {}},
        {reg::CMDQ_CONS, "CMDQ_CONS", 0, cmdq_ptr, 0, 0, false, {{"ERR", 24, 7}}},
        {reg::EVTQ_BASE,
         "EVTQ_BASE",
         0,
         static_cast<std::uint32_t>(addr_mask_51_5 | q_log2size_mask),
         0,
         0,
         false,
         {}},
        {reg::EVTQ_BASE_HI, "EVTQ_BASE_HI", 0, hi_addr_bits, 0, 0, false, {}},
        {reg::EVTQ_PROD, "EVTQ_PROD", 0, evtq_ptr | q::PROD_OVFLG, 0, 0, false, {}},
        {reg::EVTQ_CONS, "EVTQ_CONS", 0, evtq_ptr | ovackflg, 0, 0, false, {}},
    };
}

smmu::smmu(sc_core::sc_module_name name, const smmu_params& p)
    : sc_module(name)
    , tbu_in("tbu_in")
    , tbu_out("tbu_out")
    , mem("mem")
    , regs("regs")
    , irq("irq")
    , p_(p)
    , regs_("smmu", smmu_table(p))
    , walker_(p.walker) {
    // The walker's memory reads: through the interconnect, one walker (a resource), per-level
    // work on top. Built once; the per-translation state lives in walk_: the memory controller
    // synchronises each read to its own time, so translations are serialised (translating_).
    timed_read_ = [this](std::uint64_t addr, std::uint64_t& v) {
        if (!walk_.walked) {
            walk_.walked = true;
            if (walker_free_at_ > walk_.at) walk_.at = walker_free_at_;
        }
        walk_.at += p_.walk_step_latency;
        sc_time d = walk_.at - sc_core::sc_time_stamp();
        const bool ok = mem_rw(false, addr, &v, sizeof v, &d);
        walk_.at = sc_core::sc_time_stamp() + d;
        return ok;
    };
    tbu_in.register_b_transport(this, &smmu::tbu_b_transport);
    tbu_in.register_transport_dbg(this, &smmu::tbu_transport_dbg);
    regs.register_b_transport(this, &smmu::regs_b_transport);
    regs.register_transport_dbg(this, &smmu::regs_transport_dbg);

    regs_.on_write(reg::CR0, [this](std::uint32_t, std::uint32_t, std::uint32_t v) {
        regs_.set32(reg::CR0ACK, v);
        if (!(v & cr0::CMDQEN)) prefetched_.clear();
        cmdq_kick_.notify(sc_core::SC_ZERO_TIME);
        update_irq();
    });
    regs_.on_write(reg::GBPA, [this](std::uint32_t, std::uint32_t, std::uint32_t v) {
        regs_.set32(reg::GBPA, v & ~gbpa::UPDATE); // the update completes at once
    });
    regs_.on_write(reg::IRQ_CTRL, [this](std::uint32_t, std::uint32_t, std::uint32_t v) {
        regs_.set32(reg::IRQ_CTRLACK, v);
        update_irq();
    });
    regs_.on_write(reg::GERRORN, [this](std::uint32_t, std::uint32_t, std::uint32_t) {
        cmdq_kick_.notify(sc_core::SC_ZERO_TIME);
        update_irq();
    });
    regs_.on_write(reg::CMDQ_PROD, [this](std::uint32_t, std::uint32_t, std::uint32_t) {
        prefetch_commands();
        cmdq_kick_.notify(sc_core::SC_ZERO_TIME);
    });
    // A new queue or a moved consumer index makes what was prefetched stale.
    for (std::uint32_t r : {reg::CMDQ_BASE, reg::CMDQ_BASE_HI, reg::CMDQ_CONS})
        regs_.on_write(
            r, [this](std::uint32_t, std::uint32_t, std::uint32_t) { prefetched_.clear(); });
    regs_.on_write(reg::EVTQ_CONS,
                   [this](std::uint32_t, std::uint32_t, std::uint32_t) { update_irq(); });

    SC_THREAD(cmdq_thread);
    SC_METHOD(drive_irq);
    sensitive << irq_changed_;
    dont_initialize();
}

// ---- Programming interface ------------------------------------------------------------------

void smmu::reg_access(tlm::tlm_generic_payload& gp) {
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    unsigned char* data = gp.get_data_ptr();
    const bool wide = len == sizeof(std::uint64_t) && (addr % sizeof(std::uint64_t)) == 0;
    const bool narrow = len && len <= dword && (addr % dword) + len <= dword;
    if ((!wide && !narrow) || addr + len > reg::block_bytes || gp.get_byte_enable_ptr()) {
        logger::get().guest_error("smmu",
                                  instance_name(*this) + ": register access at " + hex(addr) +
                                      " len " + std::to_string(len) +
                                      " (use 32- or 64-bit naturally aligned accesses)",
                                  "smmu-reg-size");
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    for (unsigned done = 0; done < len; done += dword) {
        const std::uint32_t off = static_cast<std::uint32_t>(addr + done) & ~3u;
        const unsigned n = std::min(len - done, dword);
        const std::uint32_t mask = byte_lane_mask(static_cast<std::uint32_t>(addr + done), n);
        const unsigned shift = lane_shift(static_cast<std::uint32_t>(addr + done));
        if (gp.is_write()) {
            std::uint32_t v = 0;
            std::memcpy(&v, data + done, n);
            if (!regs_.write32(off, v << shift, mask, reg_writer::dbi, false))
                logger::get().guest_error("smmu",
                                          instance_name(*this) + ": write to unimplemented " +
                                              "register " + hex(off),
                                          "smmu-unimpl");
            else if (logger::get().enabled(reg_log_category)) {
                const soc_attr* a = gp.get_extension<soc_attr>();
                log_reg_access(static_cast<std::uint64_t>(sc_core::sc_time_stamp().value()),
                               to_string(a ? a->initiator : master::ep_cpu), true, off,
                               regs_.decode(off, regs_.read32(off)));
            }
        } else {
            const std::uint32_t v = regs_.read32(off) >> shift;
            std::memcpy(data + done, &v, n);
        }
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void smmu::regs_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    // Side effects (the command queue) start at the access's local time, and a read sees the
    // registers as they are at its local time (CMDQ_CONS advances as the queue is consumed), so
    // a driver polling CMDQ_CONS sees the command complete when it does, whatever the quantum.
    if (delay > sc_core::SC_ZERO_TIME) {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    // A read at the instant an update is due sees it: the command queue updates CONS in the
    // first delta cycle of that instant, the read waits one delta (no dependence on which
    // process the kernel happens to run first).
    if (gp.is_read()) wait(sc_core::SC_ZERO_TIME);
    reg_access(gp);
}

unsigned smmu::regs_transport_dbg(tlm::tlm_generic_payload& gp) {
    if (gp.is_write()) return 0; // debug writes would bypass the side effects
    reg_access(gp);
    return gp.is_response_ok() ? gp.get_data_length() : 0;
}

// ---- Memory accesses of the SMMU itself -----------------------------------------------------

bool smmu::mem_rw(bool write, std::uint64_t pa, void* data, unsigned len, sc_time* delay) {
    soc_attr attr;
    attr.initiator = master::smmu_walker;
    pooled_payload pooled;
    tlm::tlm_generic_payload& gp = *pooled;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(pa);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&attr);
    bool ok;
    if (delay) {
        mem->b_transport(gp, *delay);
        ok = gp.is_response_ok();
    } else {
        ok = mem->transport_dbg(gp) == len;
    }
    gp.clear_extension(&attr);
    return ok;
}

// ---- Translation ----------------------------------------------------------------------------

bool smmu::translate_piece(std::uint32_t sid, bool has_sid, std::uint64_t iova, bool write,
                           bool privileged, std::uint64_t& pa, sc_time& delay, bool* looked_up) {
    const std::uint32_t cr0 = regs_.read32(reg::CR0);
    ++n_.translations;
    if (looked_up) *looked_up = false;
    if (!(cr0 & cr0::SMMUEN)) {
        if (regs_.read32(reg::GBPA) & gbpa::ABORT) {
            ++n_.aborted;
            return false;
        }
        ++n_.bypassed;
        pa = iova;
        return true;
    }
    if (!has_sid) {
        record_event(evt::C_BAD_STREAMID, 0, iova, !write, privileged,
                     "transaction without a stream ID", delay);
        return false;
    }
    // One translation at a time, in simulated-time order: the request is synchronised to its
    // own time, and waits while another translation's walk reads memory (no hit-under-miss).
    if (delay > sc_core::SC_ZERO_TIME) {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    while (translating_)
        wait(translated_);
    translating_ = true;
    const std::uint64_t strtab =
        (static_cast<std::uint64_t>(regs_.read32(reg::STRTAB_BASE_HI)) << 32 |
         regs_.read32(reg::STRTAB_BASE)) &
        addr_mask_51_6;
    walker_.set_stream_table(strtab, regs_.read32(reg::STRTAB_BASE_CFG));
    const sc_time start = sc_core::sc_time_stamp(); // the request's time (delay is zero)
    walk_ = {start, false};
    const translation t = walker_.translate(sid, iova, write, privileged, timed_read_);
    translating_ = false;
    translated_.notify(sc_core::SC_ZERO_TIME);
    // The walk's reads may have moved this thread's time: the result is due at walk_.at.
    sc_time done = start;
    if (walk_.walked) {
        if (trace::recorder* tr = trace::recorder::active())
            tr->complete(
                tr->track("SMMU", instance_name(*this) + " walker"), "walk",
                static_cast<std::uint64_t>(start / sc_time(1, sc_core::SC_PS)),
                static_cast<std::uint64_t>((walk_.at - start) / sc_time(1, sc_core::SC_PS)),
                {{"stream", hex(sid)}, {"iova", hex(iova)}, {"fault", t.fault ? "yes" : "no"}});
        n_.walk_time += walk_.at - start;
        walker_free_at_ = walk_.at;
        done = walk_.at;
    }
    delay = done - sc_core::sc_time_stamp();
    delay += p_.tlb_hit_latency;
    if (t.fault) {
        record_event(t.fault, sid, iova, !write, privileged, t.why, delay);
        return false;
    }
    if (t.abort) {
        ++n_.aborted;
        return false;
    }
    if (t.bypass) ++n_.bypassed;
    if (looked_up) *looked_up = !t.bypass;
    pa = t.pa;
    return true;
}

void smmu::record_event(std::uint8_t id, std::uint32_t sid, std::uint64_t iova, bool read,
                        bool privileged, const std::string& why, sc_time& delay) {
    if (read)
        ++n_.faulting_reads;
    else
        ++n_.faulting_writes_dropped;
    if (trace::recorder* tr = trace::recorder::active())
        tr->complete(tr->track("SMMU", instance_name(*this) + " faults"), smmu_event_name(id),
                     static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay) /
                                                sc_time(1, sc_core::SC_PS)),
                     0, {{"stream", hex(sid)}, {"iova", hex(iova)}, {"why", why}});
    if (faults_.size() < max_fault_records)
        faults_.push_back({static_cast<std::uint64_t>((sc_core::sc_time_stamp() + delay).value()),
                           id, sid, iova, read, why});
    logger::get().warning("smmu",
                          instance_name(*this) + ": " + smmu_event_name(id) + " stream " +
                              hex(sid) + " " + (read ? "read " : "write ") + hex(iova) + ": " + why,
                          "smmu-fault");
    const std::uint32_t cr0 = regs_.read32(reg::CR0);
    if (!(cr0 & cr0::EVTQEN)) {
        ++n_.events_lost;
        return;
    }
    const std::uint64_t base = (static_cast<std::uint64_t>(regs_.read32(reg::EVTQ_BASE_HI)) << 32 |
                                regs_.read32(reg::EVTQ_BASE));
    const unsigned log2 = std::min(static_cast<unsigned>(base & q_log2size_mask), p_.evtq_max_log2);
    const std::uint32_t mask = qmask(log2), index_mask = (1u << log2) - 1;
    const std::uint32_t prod_reg = regs_.read32(reg::EVTQ_PROD);
    const std::uint32_t prod = prod_reg & mask, cons = regs_.read32(reg::EVTQ_CONS) & mask;
    if ((prod ^ cons) == (1u << log2)) { // same index, different wrap: full
        ++n_.events_lost;
        const bool ovflg = prod_reg & q::PROD_OVFLG;
        const bool ovack = regs_.read32(reg::EVTQ_CONS) & ovackflg;
        if (ovflg == ovack) regs_.set32(reg::EVTQ_PROD, prod_reg ^ q::PROD_OVFLG);
        update_irq();
        return;
    }
    std::uint64_t rec[evt_bytes / sizeof(std::uint64_t)] = {};
    rec[0] = id | static_cast<std::uint64_t>(sid) << evt::SID_lsb;
    rec[1] = (read ? evt::RnW : 0) | (privileged ? evt::PnU : 0);
    rec[2] = iova;
    // The record is written beside the faulting access; the write synchronises this thread to
    // its start, which is the access's own time: the access goes on from there.
    const sc_time due = sc_core::sc_time_stamp() + delay;
    sc_time write_delay = delay;
    const bool written = mem_rw(true, (base & addr_mask_51_5) + (prod & index_mask) * evt_bytes,
                                rec, evt_bytes, &write_delay);
    delay = due > sc_core::sc_time_stamp() ? due - sc_core::sc_time_stamp() : sc_core::SC_ZERO_TIME;
    if (!written) {
        regs_.set32(reg::GERROR, regs_.read32(reg::GERROR) ^ gerror::EVTQ_ABT_ERR);
        ++n_.events_lost;
        update_irq();
        return;
    }
    ++n_.events;
    regs_.set32(reg::EVTQ_PROD, (prod_reg & q::PROD_OVFLG) | ((prod + 1) & mask));
    update_irq();
}

// Burst mode: the pieces after the first of a page whose first piece was translated (first: its
// start, translated: when its translation was done). Each is the lookup a separate access would
// make: it waits for the first one's walk, then hits the TLB; counted as its own translation.
void smmu::move_pieces(access_pieces& pieces, const sc_time& first, const sc_time& translated,
                       bool looked_up, bool has_sid, std::uint32_t sid) {
    const bool enabled = regs_.read32(reg::CR0) & cr0::SMMUEN;
    const std::size_t more = pieces.pieces.empty() ? 0 : pieces.pieces.size() - 1;
    n_.translations += more;
    if (has_sid) n_.per_stream[sid] += more;
    if (!enabled) n_.bypassed += more;
    if (looked_up) walker_.count_tlb_hits(more);
    if (enabled && !looked_up) n_.bypassed += more; // STE.Config bypass
    for (auto& p : pieces.pieces) {
        if (p.start == first)
            p.start = translated;
        else if (enabled)
            p.start = std::max(p.start + p_.tlb_hit_latency, translated);
    }
}

void smmu::tbu_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    soc_attr* attr = nullptr;
    gp.get_extension(attr);
    const bool has_sid = attr && attr->stream_id.has_value();
    const std::uint32_t sid = has_sid ? *attr->stream_id : 0;
    if (has_sid) ++n_.per_stream[sid];
    const bool privileged = attr && attr->privileged;
    const bool write = gp.is_write();
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    const bool one_page = len == 0 || (addr / page_bytes) == ((addr + len - 1) / page_bytes);
    if (one_page) {
        std::uint64_t pa = 0;
        access_pieces* pieces = nullptr;
        gp.get_extension(pieces);
        const sc_time first = sc_core::sc_time_stamp() + delay;
        bool looked_up = false;
        if (!translate_piece(sid, has_sid, addr, write, privileged, pa, delay, &looked_up)) {
            if (!write) std::memset(gp.get_data_ptr(), 0, len);
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
        if (pieces)
            move_pieces(*pieces, first, sc_core::sc_time_stamp() + delay, looked_up, has_sid, sid);
        gp.set_address(pa);
        tbu_out->b_transport(gp, delay);
        gp.set_address(addr);
        return;
    }
    // Split at page boundaries: each piece is translated and forwarded on its own.
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    std::vector<unsigned char> rotated; // a repeating byte-enable pattern as a piece sees it
    for (unsigned done = 0; done < len;) {
        const std::uint64_t a = addr + done;
        const unsigned n =
            static_cast<unsigned>(std::min<std::uint64_t>(len - done, page_bytes - a % page_bytes));
        std::uint64_t pa = 0;
        if (!translate_piece(sid, has_sid, a, write, privileged, pa, delay)) {
            if (!write) std::memset(gp.get_data_ptr() + done, 0, n);
            status = tlm::TLM_GENERIC_ERROR_RESPONSE;
            done += n;
            continue;
        }
        pooled_payload pooled;
        tlm::tlm_generic_payload& piece = *pooled;
        piece.set_command(gp.get_command());
        piece.set_address(pa);
        piece.set_data_ptr(gp.get_data_ptr() + done);
        piece.set_data_length(n);
        piece.set_streaming_width(n);
        set_part_byte_enables(piece, gp.get_byte_enable_ptr(), gp.get_byte_enable_length(), len,
                              done, n, rotated);
        piece.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        if (attr) piece.set_extension(attr);
        tbu_out->b_transport(piece, delay);
        if (attr) piece.clear_extension(attr);
        if (!piece.is_response_ok()) status = piece.get_response_status();
        done += n;
    }
    gp.set_response_status(status);
}

unsigned smmu::tbu_transport_dbg(tlm::tlm_generic_payload& gp) {
    // Debug accesses translate without events, timing or cache updates of their own: a
    // throw-away walker over the same tables.
    soc_attr* attr = nullptr;
    gp.get_extension(attr);
    const std::uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (len == 0 || addr / page_bytes != (addr + len - 1) / page_bytes) return 0;
    std::uint64_t pa = addr;
    if (regs_.read32(reg::CR0) & cr0::SMMUEN) {
        if (!attr || !attr->stream_id) return 0;
        walker probe(walker_params{1, 0, p_.walker.sid_bits, p_.walker.oas_bits});
        probe.set_stream_table(
            (static_cast<std::uint64_t>(regs_.read32(reg::STRTAB_BASE_HI)) << 32 |
             regs_.read32(reg::STRTAB_BASE)) &
                addr_mask_51_6,
            regs_.read32(reg::STRTAB_BASE_CFG));
        const translation t =
            probe.translate(*attr->stream_id, addr, gp.is_write(), attr->privileged,
                            [this](std::uint64_t a, std::uint64_t& v) {
                                return mem_rw(false, a, &v, sizeof v, nullptr);
                            });
        if (t.abort) return 0;
        pa = t.pa;
    } else if (regs_.read32(reg::GBPA) & gbpa::ABORT) {
        return 0;
    }
    gp.set_address(pa);
    const unsigned n = tbu_out->transport_dbg(gp);
    gp.set_address(addr);
    return n;
}

// ---- Command queue --------------------------------------------------------------------------

bool smmu::execute(const std::uint64_t (&c)[2]) {
    const auto op = static_cast<std::uint8_t>(field(c[0], cmd::OPCODE_lsb, cmd::OPCODE_width));
    const auto sid = static_cast<std::uint32_t>(field(c[0], cmd::SID_lsb, cmd::SID_width));
    const auto asid = static_cast<std::uint16_t>(field(c[0], cmd::ASID_lsb, cmd::ASID_width));
    switch (op) {
    case cmd::PREFETCH_CONFIG:
    case cmd::PREFETCH_ADDR:
        return true;
    case cmd::CFGI_STE:
    case cmd::CFGI_CD:
    case cmd::CFGI_CD_ALL:
        walker_.cfgi_ste(sid);
        return true;
    case cmd::CFGI_ALL:
        walker_.cfgi_all();
        return true;
    case cmd::TLBI_NH_ALL:
    case cmd::TLBI_NSNH_ALL:
    case cmd::TLBI_NH_VAA: // over-invalidates: every ASID, every address
        walker_.tlbi_all();
        return true;
    case cmd::TLBI_NH_ASID:
        walker_.tlbi_asid(asid);
        return true;
    case cmd::TLBI_NH_VA:
        walker_.tlbi_va(asid, c[1] & cmd::ADDR_mask, c[1] & cmd::LEAF);
        return true;
    case cmd::SYNC:
        ++n_.syncs;
        if (field(c[0], cmd::SYNC_CS_lsb, cmd::SYNC_CS_width) != cmd::SYNC_CS_none &&
            !sync_cs_logged_) {
            sync_cs_logged_ = true;
            logger::get().warning("smmu", instance_name(*this) +
                                              ": CMD_SYNC completion signal (IRQ/SEV) is not "
                                              "modelled: poll CMDQ_CONS");
        }
        return true;
    default:
        return false;
    }
}

smmu::cmdq_geometry smmu::cmdq_geometry_now() const {
    const std::uint64_t base = static_cast<std::uint64_t>(regs_.read32(reg::CMDQ_BASE_HI)) << 32 |
                               regs_.read32(reg::CMDQ_BASE);
    const unsigned log2 = std::min(static_cast<unsigned>(base & q_log2size_mask), p_.cmdq_max_log2);
    return {base & addr_mask_51_5, qmask(log2), (1u << log2) - 1};
}

bool smmu::cmdq_running() const {
    return (regs_.read32(reg::CR0) & cr0::CMDQEN) &&
           !((regs_.read32(reg::GERROR) ^ regs_.read32(reg::GERRORN)) & gerror::CMDQ_ERR);
}

void smmu::prefetch_commands() {
    if (!cmdq_running()) return;
    const cmdq_geometry g = cmdq_geometry_now();
    const std::uint32_t cons = regs_.read32(reg::CMDQ_CONS) & g.mask;
    const std::uint32_t prod = regs_.read32(reg::CMDQ_PROD) & g.mask;
    if (prefetched_.empty()) prefetch_first_ = cmdq_executing_ ? (cons + 1) & g.mask : cons;
    // The fetches follow each other from the write's instant (the writer is synchronised).
    sc_time d = sc_core::SC_ZERO_TIME;
    for (std::uint32_t i =
             (prefetch_first_ + static_cast<std::uint32_t>(prefetched_.size())) & g.mask;
         i != prod && prefetched_.size() <= g.index_mask; i = (i + 1) & g.mask) {
        fetched_command f{};
        f.ok = mem_rw(false, g.base + (i & g.index_mask) * cmd_bytes, f.c, cmd_bytes, &d);
        f.ready = sc_core::sc_time_stamp() + d;
        prefetched_.push_back(f);
        if (!f.ok) break;
    }
}

void smmu::cmdq_thread() {
    for (;;) {
        wait(cmdq_kick_);
        for (;;) {
            if (!cmdq_running()) break;
            const cmdq_geometry g = cmdq_geometry_now();
            std::uint32_t cons_reg = regs_.read32(reg::CMDQ_CONS);
            if (cons_reg & q::CONS_ERR_mask) { // the error was acknowledged: resume
                cons_reg &= ~q::CONS_ERR_mask;
                regs_.set32(reg::CMDQ_CONS, cons_reg);
            }
            const std::uint32_t prod = regs_.read32(reg::CMDQ_PROD) & g.mask,
                                cons = cons_reg & g.mask;
            if (prod == cons) break;
            auto stop = [&](std::uint32_t err, const std::string& why) {
                ++n_.command_errors;
                prefetched_.clear();
                regs_.set32(reg::CMDQ_CONS, cons | (err << q::CONS_ERR_lsb));
                regs_.set32(reg::GERROR, regs_.read32(reg::GERROR) ^ gerror::CMDQ_ERR);
                logger::get().warning("smmu", instance_name(*this) + ": command queue stopped at " +
                                                  "index " + std::to_string(cons & g.index_mask) +
                                                  ": " + why);
                update_irq();
            };
            // The command: prefetched at the CMDQ_PROD write, or fetched now.
            fetched_command f{};
            if (!prefetched_.empty() && prefetch_first_ == cons) {
                f = prefetched_.front();
                prefetched_.pop_front();
                prefetch_first_ = (cons + 1) & g.mask;
            } else {
                prefetched_.clear();
                sc_time d = sc_core::SC_ZERO_TIME;
                f.ok =
                    mem_rw(false, g.base + (cons & g.index_mask) * cmd_bytes, f.c, cmd_bytes, &d);
                f.ready = sc_core::sc_time_stamp() + d;
            }
            if (!f.ok) {
                stop(q::CERROR_ABT, "command fetch failed");
                break;
            }
            ++n_.commands;
            const bool is_sync = (f.c[0] & 0xFF) == cmd::SYNC;
            if (!execute(f.c)) {
                stop(q::CERROR_ILL, "illegal command opcode " + hex(f.c[0] & 0xFF));
                break;
            }
            const sc_time now = sc_core::sc_time_stamp();
            cmdq_executing_ = true;
            wait((f.ready > now ? f.ready - now : sc_core::SC_ZERO_TIME) +
                 (is_sync ? p_.sync_latency : p_.command_latency));
            cmdq_executing_ = false;
            regs_.set32(reg::CMDQ_CONS, (cons + 1) & g.mask);
        }
    }
}

// ---- Interrupt ------------------------------------------------------------------------------

void smmu::update_irq() {
    const std::uint32_t ctrl = regs_.read32(reg::IRQ_CTRL);
    const std::uint32_t mask = qmask(p_.evtq_max_log2);
    const bool evtq = (ctrl & irq_ctrl::EVTQ_IRQEN) &&
                      ((regs_.read32(reg::EVTQ_PROD) ^ regs_.read32(reg::EVTQ_CONS)) & mask);
    const bool gerr = (ctrl & irq_ctrl::GERROR_IRQEN) &&
                      ((regs_.read32(reg::GERROR) ^ regs_.read32(reg::GERRORN)) & gerror::writable);
    const bool level = evtq || gerr;
    if (level != irq_level_) {
        irq_level_ = level;
        irq_changed_.notify(sc_core::SC_ZERO_TIME);
    }
}

void smmu::drive_irq() {
    irq.write(irq_level_);
}

} // namespace epvp::soc

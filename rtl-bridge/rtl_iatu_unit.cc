#include "rtl-bridge/rtl_iatu_unit.h"

#include "model/core/log.h"
#include "model/pcie/tlp.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace epvp::rtl {

using dwc::iatu_dir;
using dwc::iatu_hit;
namespace reg = dwc::iatu_reg;

namespace {

constexpr unsigned bus_size_log2 = 3; // 64-bit data bus
constexpr unsigned bus_bytes = 1u << bus_size_log2;

std::string describe(const iatu_hit& h) {
    if (!h.hit) return "miss";
    return "window " + std::to_string(h.index) + " type " + std::to_string(h.type) + " -> " +
           hex(h.address);
}

bool same(const iatu_hit& a, const iatu_hit& b) {
    if (a.hit != b.hit) return false;
    return !a.hit || (a.index == b.index && a.type == b.type && a.address == b.address);
}

std::uint32_t region_offset(iatu_dir d, unsigned index, std::uint32_t r) {
    return index * reg::region_bytes + (d == iatu_dir::inbound ? reg::inbound_offset : 0) + r;
}

// A request forwarded for another carries that one's extensions (those it has no own of) while it
// is carried out; the indices put on it are kept in put (its storage reused) so that they can be
// taken off again.
void carry_extensions(const tlm::tlm_generic_payload& from, tlm::tlm_generic_payload& to,
                      std::vector<unsigned>& put) {
    put.clear();
    const unsigned slots = tlm::max_num_extensions();
    for (unsigned i = 0; i < slots; ++i)
        if (from.get_extension(i) && !to.get_extension(i)) {
            to.set_extension(i, from.get_extension(i));
            put.push_back(i);
        }
}

void drop_extensions(tlm::tlm_generic_payload& to, const std::vector<unsigned>& put) {
    for (unsigned i : put)
        to.set_extension(i, nullptr);
}

// The next exact burst of a request: [addr, addr + remaining) -> (size_log2, beats).
std::pair<unsigned, unsigned> next_burst(std::uint64_t addr, std::uint64_t remaining) {
    if (addr % bus_bytes == 0 && remaining >= bus_bytes) {
        const std::uint64_t to_boundary = axi_boundary_bytes - addr % axi_boundary_bytes;
        const std::uint64_t beats = std::min<std::uint64_t>(
            {remaining / bus_bytes, axi_max_incr_beats, to_boundary / bus_bytes});
        return {bus_size_log2, static_cast<unsigned>(beats)};
    }
    // Narrow: the widest transfer size the start is aligned to, inside the current bus word.
    unsigned size = bus_size_log2 - 1;
    while (size > 0 && (addr % (1u << size) != 0 || remaining < (1u << size)))
        --size;
    const std::uint64_t in_word = (bus_bytes - addr % bus_bytes) >> size;
    return {size, static_cast<unsigned>(std::min<std::uint64_t>(remaining >> size, in_word))};
}

} // namespace

iatu_geometry rtl_geometry_for(const dwc::iatu_params& p, bool prefer_miss_decerr) {
    const std::vector<iatu_geometry> built = iatu_geometries();
    const iatu_geometry* found = nullptr;
    for (const auto& g : built) {
        if (g.outbound_windows != p.outbound_windows || g.inbound_windows != p.inbound_windows ||
            g.region_align != p.region_align || g.region_limit != p.region_limit)
            continue;
        if (!found || g.miss_decerr == prefer_miss_decerr) found = &g;
    }
    if (found) return *found;
    std::string names;
    for (const auto& g : built)
        names += (names.empty() ? "" : "; ") + g.describe();
    iatu_geometry want;
    want.outbound_windows = p.outbound_windows;
    want.inbound_windows = p.inbound_windows;
    want.region_align = p.region_align;
    want.region_limit = p.region_limit;
    throw std::invalid_argument("no RTL iATU was built for " + want.describe() +
                                " (built: " + names + ")");
}

rtl_iatu_unit::rtl_iatu_unit(sc_core::sc_module_name name, const rtl_iatu_unit_params& p,
                             bool prefer_miss_decerr)
    : iatu_unit(name)
    // Named "iatu": the block's scope in wave dumps, as waves/dw_iatu.gtkw names its signals.
    , rtl("iatu", rtl_iatu_params{rtl_geometry_for(p.model, prefer_miss_decerr), p.clock_period,
                                  true, p.waves})
    , lockstep_(p.lockstep)
    , ob_fwd("ob_fwd")
    , ib_fwd("ib_fwd") {
    if (!p.model.unrolled)
        throw std::invalid_argument("the RTL iATU has the unrolled layout only (dwc.version "
                                    ">= 4.80a)");
    if (lockstep_) model_ = std::make_unique<dwc::iatu>(p.model);
    ob_fwd.register_b_transport(this, &rtl_iatu_unit::fwd_b_transport, 0);
    ib_fwd.register_b_transport(this, &rtl_iatu_unit::fwd_b_transport, 1);
    rtl.ob_out.socket.bind(ob_fwd);
    rtl.ib_out.socket.bind(ib_fwd);
    // What the RTL forwards is carried out by the process running the island's cycles (no
    // worker thread, no thread switch), except while a worker carries out another forwarded
    // request (its controller may read a region limit, which takes APB cycles that must not
    // wait for this one), and an outbound hit whose region limit is not known (the controller
    // asks for it before it waits for anything).
    rtl.ib_out.carry_in_clock([this](const axi_request&, bool) { return holders_.empty(); });
    rtl.ob_out.carry_in_clock([this](const axi_request& r, bool) {
        const iatu_hit got = iatu_user::decode(r);
        return holders_.empty() &&
               (!got.hit || (got.index < limits_[0].size() && limits_[0][got.index].valid));
    });
    rtl_stats_.lockstep = lockstep_;
    limits_[0].resize(p.model.outbound_windows);
    limits_[1].resize(p.model.inbound_windows);
    rtl_stats_.ob_region_hits.assign(p.model.outbound_windows, 0);
    rtl_stats_.ib_region_hits.assign(p.model.inbound_windows, 0);
}

std::uint32_t rtl_iatu_unit::apb_read(std::uint32_t offset, sc_core::sc_time& delay,
                                      tlm::tlm_response_status* st) {
    std::uint32_t v = 0;
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(offset);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    gp.set_data_length(sizeof v);
    gp.set_streaming_width(sizeof v);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    rtl.regs.b_transport(gp, delay);
    if (st) *st = gp.get_response_status();
    return v;
}

std::uint32_t rtl_iatu_unit::read_reg(std::uint32_t offset, sc_core::sc_time& delay) {
    ++stats_.reg_reads;
    if (offset >> iatu_paddr_bits) return 0; // outside the block's decoded space
    const std::uint32_t got = apb_read(offset, delay);
    if (lockstep_) {
        ++rtl_stats_.compared;
        const std::uint32_t want = model_->read_unrolled(offset);
        if (want != got)
            mismatch("register " + hex(offset) + " (" +
                     dwc::iatu::reg_name(offset % reg::inbound_offset) + "): expected " +
                     hex(want) + ", got " + hex(got));
    }
    return got;
}

dwc::iatu_write_result rtl_iatu_unit::write_reg(std::uint32_t offset, std::uint32_t value,
                                                sc_core::sc_time& delay) {
    ++stats_.reg_writes;
    ++reg_writes_seen_;
    for (auto& dir : limits_)
        for (known_limit& k : dir)
            k.valid = false;
    dwc::iatu_write_result r;
    if (lockstep_) r = model_->write_unrolled(offset, value);
    if (offset >> iatu_paddr_bits) return r;
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(offset);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    gp.set_data_length(sizeof value);
    gp.set_streaming_width(sizeof value);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    rtl.regs.b_transport(gp, delay);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE)
        logger::get().warning("iatu", std::string(basename()) + ": APB write " + hex(offset) +
                                          " answered " + gp.get_response_string());
    return r;
}

std::uint64_t rtl_iatu_unit::region_limit(iatu_dir d, unsigned index, sc_core::sc_time& delay) {
    // The limit changes only with the block's registers: it is read through APB once after
    // they change (the hardware compares against its region table; it reads no register per
    // access).
    auto& known = limits_[d == iatu_dir::inbound];
    known_limit* k = index < known.size() ? &known[index] : nullptr;
    if (k && k->valid) return k->limit;
    // A write while the reads below wait for the clock makes what they return stale: kept only
    // if no write came in between.
    const std::uint64_t writes_before = reg_writes_seen_;
    // Called by the controller while a worker carries out a forwarded request: the APB
    // transfers need the clock that worker holds, so it lends its own hold for them (another
    // worker's hold stays: the transfers wait until that one's request is done).
    const bool lend = std::find(holders_.begin(), holders_.end(),
                                sc_core::sc_get_current_process_handle()) != holders_.end();
    if (lend) rtl.island.release();
    struct rehold {
        rtl_island& island;
        bool lent;
        ~rehold() {
            if (lent) island.hold();
        }
    } restore{rtl.island, lend};
    const std::uint32_t ctrl1 = apb_read(region_offset(d, index, reg::ctrl1), delay);
    const bool increase = ctrl1 & reg::ctrl1_increase_region_size;
    std::uint32_t upper = apb_read(region_offset(d, index, reg::upper_base), delay);
    if (increase) {
        // UPPER_LIMIT within the region limit's span, the bits above it the base's
        // (dwc::iatu_region::limit).
        const std::uint32_t span_hi =
            static_cast<std::uint32_t>((rtl.geometry().region_limit - 1) >> 32);
        upper = (upper & ~span_hi) |
                (apb_read(region_offset(d, index, reg::upper_limit), delay) & span_hi);
    }
    const std::uint64_t got =
        (std::uint64_t(upper) << 32) | apb_read(region_offset(d, index, reg::lower_limit), delay);
    if (lockstep_) {
        ++rtl_stats_.compared;
        const dwc::iatu_region* r = model_->region(d, index);
        const std::uint64_t want = r ? r->limit(model_->params().region_limit) : 0;
        if (want != got)
            mismatch(std::string(d == iatu_dir::inbound ? "inbound" : "outbound") + " window " +
                     std::to_string(index) + " limit: expected " + hex(want) + ", got " + hex(got));
    }
    if (k && reg_writes_seen_ == writes_before) *k = known_limit{true, got};
    return got;
}

unsigned rtl_iatu_unit::take_id() {
    for (;;) {
        for (unsigned k = 0; k < ids; ++k) {
            const unsigned id = (next_id_ + k) % ids;
            if (!pieces_[id].in_use) {
                next_id_ = (id + 1) % ids;
                pieces_[id].reset();
                pieces_[id].in_use = true;
                return id;
            }
        }
        ++id_waiters_;
        sc_core::wait(id_freed_);
        --id_waiters_;
    }
}

void rtl_iatu_unit::translate(bool inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const sc_core::sc_time entered = sc_core::sc_time_stamp() + delay;
    const std::uint64_t start = gp.get_address();
    const std::uint64_t len = gp.get_data_length();
    if (gp.get_byte_enable_ptr() || gp.get_streaming_width() < len) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    // The sender's extensions, or the stage's own for the time of the request.
    dwc::iatu_xlat own_x;
    pcie::pcie_tlp own_t;
    const bool add_x = !gp.get_extension<dwc::iatu_xlat>(),
               add_t = !gp.get_extension<pcie::pcie_tlp>();
    if (add_x) gp.set_extension(&own_x);
    if (add_t) gp.set_extension(&own_t);
    inbound_request req;
    if (inbound) {
        const pcie::pcie_tlp& t = *gp.get_extension<pcie::pcie_tlp>();
        const dwc::iatu_xlat& x = *gp.get_extension<dwc::iatu_xlat>();
        req = inbound_request{t.bar, x.bar_offset, x.bar_size_log2, t.function, x.tlp_type};
    }
    tlm::tlm_response_status worst = tlm::TLM_OK_RESPONSE;
    for (std::uint64_t off = 0; off < len;) {
        const std::uint64_t addr = start + off;
        const auto [size_log2, beats] = next_burst(addr, len - off);
        const unsigned bytes = beats << size_log2;
        const unsigned id = take_id();
        piece& pc = pieces_[id];
        pc.inbound = inbound;
        pc.in_addr = addr;
        pc.from = &gp;
        pc.entered = entered;
        std::uint32_t user = 0;
        if (inbound) {
            pc.req = req;
            pc.req.bar_offset = req.bar_offset + off;
            user =
                iatu_user::inbound_request(req.bar, req.bar_size_log2, req.function, req.tlp_type);
        }
        axi_ext ext;
        ext.explicit_burst = true;
        ext.burst = axi_burst::incr;
        ext.size_log2 = size_log2;
        ext.beats = beats;
        ext.has_id = true;
        ext.id = id;
        ext.user = user;
        tlm::tlm_generic_payload& p = payloads_[id];
        p.set_command(gp.get_command());
        p.set_address(addr);
        p.set_data_ptr(gp.get_data_ptr() + off);
        p.set_data_length(bytes);
        p.set_streaming_width(bytes);
        p.set_byte_enable_ptr(nullptr);
        p.set_byte_enable_length(0);
        p.set_dmi_allowed(false);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        p.set_extension(&ext);
        (inbound ? rtl.ib_in : rtl.ob_in).b_transport(p, delay);
        p.clear_extension(&ext);
        if (!pc.forwarded && p.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE) {
            // The block answered a miss itself (DECERR build): the miss leaves the stage
            // untranslated, and the controller decides.
            const iatu_hit miss;
            account(inbound, addr, pc.req, miss);
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            forward(pc, p, miss, delay);
        }
        pc.in_use = false;
        if (id_waiters_) id_freed_.notify(sc_core::SC_ZERO_TIME);
        if (p.get_response_status() != tlm::TLM_OK_RESPONSE && worst == tlm::TLM_OK_RESPONSE)
            worst = p.get_response_status();
        off += bytes;
    }
    if (add_x) gp.clear_extension(&own_x);
    if (add_t) gp.clear_extension(&own_t);
    gp.set_response_status(worst);
}

void rtl_iatu_unit::forward(piece& pc, tlm::tlm_generic_payload& gp, const iatu_hit& got,
                            sc_core::sc_time& delay) {
    std::vector<unsigned>& put = pc.carried;
    carry_extensions(*pc.from, gp, put);
    unsigned function = pc.req.function;
    if (!pc.inbound && got.hit && model_)
        if (const dwc::iatu_region* r = model_->region(iatu_dir::outbound, got.index))
            function = (r->ctrl1 & reg::ctrl1_func_num_mask) >> reg::ctrl1_func_num_shift;
    mark(gp, pc.inbound, got, function, pc.in_addr, pc.entered);
    (pc.inbound ? ib_out : ob_out)->b_transport(gp, delay);
    drop_extensions(gp, put);
}

void rtl_iatu_unit::fwd_b_transport(int inbound, tlm::tlm_generic_payload& gp,
                                    sc_core::sc_time& delay) {
    axi_ext* ext = gp.get_extension<axi_ext>();
    piece* pc = ext && ext->id < ids ? &pieces_[ext->id] : nullptr;
    if (!pc || !pc->in_use || pc->inbound != (inbound != 0) || !pc->from) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        logger::get().warning("iatu", std::string(basename()) +
                                          ": the RTL forwarded a request with an unknown ID");
        return;
    }
    pc->forwarded = true;
    axi_request r;
    r.addr = gp.get_address();
    r.user = ext->user;
    const iatu_hit got = iatu_user::decode(r);
    account(inbound != 0, pc->in_addr, pc->req, got);
    // The controller carries the request out (TLPs, the SoC's memory) while the island holds
    // its clock; the response goes back on the pins once the annotated delay has passed. Called
    // by the process running the island's cycles (axi2tlm_bridge::carry_in_clock), the island is
    // held as long as the call lasts, and the bridge keeps the delay.
    if (rtl.island.is_clocking()) {
        forward(*pc, gp, got, delay);
        return;
    }
    rtl.island.hold();
    holders_.push_back(sc_core::sc_get_current_process_handle());
    struct unhold {
        rtl_iatu_unit& u;
        ~unhold() {
            const auto me = std::find(u.holders_.begin(), u.holders_.end(),
                                      sc_core::sc_get_current_process_handle());
            if (me != u.holders_.end()) u.holders_.erase(me);
            u.rtl.island.release();
        }
    } done{*this};
    forward(*pc, gp, got, delay);
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
}

void rtl_iatu_unit::account(bool inbound, std::uint64_t in_addr, const inbound_request& sb,
                            const iatu_hit& got) {
    ++(inbound ? stats_.inbound_translations : stats_.outbound_translations);
    iatu_hit ref = got;
    if (lockstep_) {
        ref = inbound ? model_->translate_inbound(in_addr, sb.bar, sb.bar_offset, sb.function,
                                                  sb.tlp_type)
                      : model_->translate_outbound(in_addr);
        ++rtl_stats_.compared;
        if (!same(ref, got)) {
            const unsigned window = ref.hit ? ref.index : got.index;
            mismatch(std::string(inbound ? "inbound" : "outbound") + " window " +
                     std::to_string(window) + " address " + hex(in_addr) + ": expected " +
                     describe(ref) + ", got " + describe(got));
        }
    }
    if (!ref.hit) {
        ++(inbound ? stats_.inbound_misses : stats_.outbound_misses);
        return;
    }
    auto& hits = inbound ? rtl_stats_.ib_region_hits : rtl_stats_.ob_region_hits;
    if (ref.index < hits.size()) ++hits[ref.index];
    ++(ref.type == reg::type_mem ? rtl_stats_.type_mem : rtl_stats_.type_other);
    if (inbound && model_) {
        const dwc::iatu_region* rg = model_->region(iatu_dir::inbound, ref.index);
        ++(rg && (rg->ctrl2 & reg::ctrl2_bar_mode) ? rtl_stats_.ib_bar_match
                                                   : rtl_stats_.ib_address_match);
    }
}

void rtl_iatu_unit::mismatch(const std::string& what) {
    if (rtl_stats_.mismatches++ == 0) rtl_stats_.first_mismatch = what;
    logger::get().warning("iatu", std::string(basename()) + ": lockstep mismatch: " + what,
                          "lockstep");
}

rtl_iatu_stats rtl_iatu_unit::rtl_stats() const {
    rtl_iatu_stats s = rtl_stats_;
    s.rtl_cycles = rtl.island.cycles();
    for (const piece& pc : pieces_)
        if (pc.in_use) ++s.requests_in_flight;
    return s;
}

} // namespace epvp::rtl

#include "rtl-bridge/apb_checker.h"

namespace epvp::rtl {

apb_checker::apb_checker(const apb_port& port, violation_handler on_violation)
    : p_(port)
    , handler_(std::move(on_violation)) {
    const std::string bad = p_.validate();
    if (!bad.empty()) throw std::invalid_argument("apb_checker: APB " + bad);
}

void apb_checker::fail(const char* rule, std::uint64_t cycle, const std::string& detail) {
    protocol_violation v{p_.name, rule, "APB", cycle, detail};
    violations_.push_back(v);
    if (handler_)
        handler_(v);
    else
        throw protocol_error(v);
}

void apb_checker::sample(std::uint64_t cycle) {
    const bool sel = p_.psel.get(), en = p_.penable.get();
    // An idle bus after an idle cycle: nothing to check, and the payload recorded here would be
    // overwritten by the setup cycle before any comparison reads it.
    if (!sel && !en && phase_ == phase::idle && !finished_) return;
    const bool ready = p_.pready.get();
    const std::uint32_t addr = static_cast<std::uint32_t>(p_.paddr.get());
    const std::uint32_t wdata = static_cast<std::uint32_t>(p_.pwdata.get());
    const std::uint8_t write = static_cast<std::uint8_t>(p_.pwrite.get());
    const std::uint8_t strb = static_cast<std::uint8_t>(p_.pstrb.get());
    const bool same = addr == addr_ && write == write_ && wdata == wdata_ && strb == strb_;
    const bool was_finished = finished_;
    finished_ = false;
    if (was_finished && sel && en) {
        fail("penable-low", cycle, "PENABLE still high in the cycle after PREADY");
    } else if (phase_ == phase::idle) {
        if (en) fail("setup-first", cycle, "PENABLE high without a setup cycle");
    } else if (!sel) {
        fail("psel-held", cycle, "PSEL dropped before the transfer completed with PREADY");
    } else if (!same) {
        fail("payload-stable", cycle, "PADDR/PWRITE/PWDATA/PSTRB changed during a transfer");
    } else if (!en) {
        if (phase_ == phase::setup)
            fail("setup-first", cycle, "PENABLE not raised in the cycle after setup");
        else
            fail("psel-held", cycle, "PENABLE dropped before PREADY");
    }
    // Next phase.
    if (sel && !en) {
        phase_ = phase::setup;
    } else if (sel && en && ready) {
        phase_ = phase::idle;
        finished_ = true;
        ++transfers_;
    } else if (sel && en) {
        phase_ = phase::access;
    } else {
        phase_ = phase::idle;
    }
    addr_ = addr;
    write_ = write;
    wdata_ = wdata;
    strb_ = strb;
}

} // namespace epvp::rtl

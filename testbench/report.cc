#include "report.h"

#include "core/log.h"
#include "hal/errno.h"
#include "pcie/pcie_switch.h"

#include <algorithm>
#include <cstdio>

#ifdef EPVP_RTL_COSIM
#include "rtl_iatu_unit.h"
#endif

namespace epvp::tb {

namespace {
cfg::json link_dir(const pcie::pcie_link::counters& c) {
    cfg::json j;
    j["tlps"] = c.tlps;
    j["wire_bytes"] = c.wire_bytes;
    j["payload_bytes"] = c.payload_bytes;
    j["busy_ns"] = c.busy.to_seconds() * 1e9;
    return j;
}
// Data Link Layer retry of the TLPs sent in one direction.
cfg::json replay_dir(const pcie::pcie_link::counters& c) {
    cfg::json j;
    j["lcrc_errors"] = c.lcrc_errors;
    j["naks"] = c.naks;
    j["replays"] = c.replays;
    j["replay_timer_timeouts"] = c.replay_timer_timeouts;
    j["bad_dllps"] = c.bad_dllps;
    j["replay_num_rollovers"] = c.rollovers;
    j["retrains"] = c.retrains;
    j["bytes_replayed"] = c.bytes_replayed;
    j["time_lost_ns"] = c.time_lost.to_seconds() * 1e9;
    j["replay_buffer_stall_ns"] = c.replay_buffer_stall.to_seconds() * 1e9;
    return j;
}
} // namespace

namespace {
// Why a run did not pass, in one line: what the run itself gave (a failed test and its reason,
// the workload's own finding, such as its errno with the first error it logged).
std::string failure_reason(const workload& w, const workload_result& r) {
    if (!r.host_finished)
        return r.stop_message.empty()
                   ? "ETIMEDOUT: the workload did not finish within sim.time_limit_us" +
                         first_problem_suffix()
                   : r.stop_message;
    for (const auto& t : r.tests)
        if (t.result == fw::host::verdict::fail)
            return "test " + t.name + " failed" + (t.reason.empty() ? "" : ": " + t.reason);
    const std::string own = w.failure_reason(r);
    if (!own.empty()) return own;
    if (r.enumerate_status)
        return std::string("enumeration failed: ") + fw::err_name(r.enumerate_status) +
               first_problem_suffix();
    const auto& problems = logger::get().problems();
    return problems.empty() ? "failed" : problems.front();
}
} // namespace

bool run_failed(const workload& w, const workload_result& r) {
    return r.enumerate_status || r.failed() || w.failed(r);
}

cfg::json make_report(const std::string& name, const workload& w, const cfg::json& config_doc,
                      platform& p, const workload_result& r) {
    cfg::json j;
    j["workload"] = name;
    const bool failed = run_failed(w, r);
    j["status"] = r.interrupted      ? "interrupted"
                  : !r.host_finished ? "HUNG"
                  : failed           ? "FAIL"
                                     : "PASS";
    if (!r.host_finished)
        j["stopped"] = {
            {"by", r.stopped_by}, {"in_progress", r.in_progress}, {"message", r.stop_message}};
    if (!r.host_finished || failed) j["reason"] = failure_reason(w, r);
    cfg::json totals;
    totals["pass"] = r.passed();
    totals["fail"] = r.failed();
    totals["skip"] = r.skipped();
    j["totals"] = totals;
    cfg::json tests = cfg::json::array();
    for (const auto& t : r.tests) {
        cfg::json e;
        e["name"] = t.name;
        e["result"] = fw::host::to_string(t.result);
        e["reason"] = t.reason;
        tests.push_back(e);
    }
    j["tests"] = tests;
    if (!r.resets.empty()) {
        cfg::json resets = cfg::json::array();
        for (const auto& x : r.resets)
            resets.push_back({{"kind", x.kind},
                              {"before_test", x.before_test},
                              {"status", x.status},
                              {"at_ns", x.at_ns},
                              {"duration_ns", x.duration_ns}});
        j["resets"] = resets;
    }
    // Flat numbers a parameter sweep tabulates; every name carries its unit.
    j["metrics"] = cfg::json::object();
    j["metrics"]["tests_passed_count"] = r.passed();
    j["metrics"]["tests_failed_count"] = r.failed();
    w.report_before_counters(p, r, j);

    cfg::json en;
    en["status"] = r.enumerate_status;
    en["crs_retries"] = r.crs_retries;
    en["reenumerations"] = r.reenumerations;
    cfg::json devs = cfg::json::array();
    for (const auto& d : r.devices) {
        cfg::json dj;
        dj["bdf"] = d.name();
        dj["vendor_id"] = d.vendor;
        dj["device_id"] = d.device;
        dj["class_code"] = d.class_code;
        cfg::json bars = cfg::json::array();
        for (unsigned b = 0; b < d.bars.size(); ++b) {
            if (!d.bars[b].size) continue;
            cfg::json bj;
            bj["bar"] = b;
            bj["address"] = d.bars[b].addr;
            bj["size_bytes"] = d.bars[b].size;
            bj["is64"] = d.bars[b].is64;
            bj["prefetchable"] = d.bars[b].prefetch;
            bars.push_back(bj);
        }
        dj["bars"] = bars;
        devs.push_back(dj);
    }
    en["devices"] = devs;
    j["enumeration"] = en;

    cfg::json link;
    link["up"] = p.link.is_up();
    link["gen"] = p.link.gen();
    link["width"] = p.link.width();
    link["link_down_faults"] = p.link.link_down_faults();
    link["tlps_failed_link_down"] = p.link.tlps_failed_link_down();
    link["hot_resets"] = p.link.hot_resets();
    link["poisoned_tlps_injected"] = {
        {"upstream", p.link.stats(pcie::pcie_link::upstream).poisoned},
        {"downstream", p.link.stats(pcie::pcie_link::downstream).poisoned}};
    link["downstream"] = link_dir(p.link.stats(pcie::pcie_link::downstream));
    link["upstream"] = link_dir(p.link.stats(pcie::pcie_link::upstream));
    {
        const auto& up = p.link.stats(pcie::pcie_link::upstream);
        const auto& dn = p.link.stats(pcie::pcie_link::downstream);
        cfg::json replay;
        replay["ack_latency_ns"] = p.link.ack_latency().to_seconds() * 1e9;
        replay["replay_timer_ns"] = p.link.replay_timer().to_seconds() * 1e9;
        replay["upstream"] = replay_dir(up);
        replay["downstream"] = replay_dir(dn);
        link["replay"] = replay;
        j["metrics"]["replays_count"] = up.replays + dn.replays;
        j["metrics"]["replay_time_lost_ns"] = (up.time_lost + dn.time_lost).to_seconds() * 1e9;
    }
    j["link"] = link;

    const auto& es = p.ep.stats();
    cfg::json ctl;
    ctl["ltssm"] = dwc::to_string(p.ep.ltssm_state());
    ctl["cfg_requests"] = es.cfg_requests;
    ctl["crs_completions"] = es.crs_completions;
    ctl["mem_reads"] = es.mem_reads;
    ctl["mem_writes"] = es.mem_writes;
    ctl["unsupported_requests"] = es.unsupported_requests;
    ctl["completer_aborts"] = es.completer_aborts;
    ctl["iatu_misses"] = es.iatu_misses;
    ctl["outbound_reads"] = es.outbound_reads;
    ctl["outbound_writes"] = es.outbound_writes;
    ctl["outbound_tlps"] = es.outbound_tlps; // TLPs made from EP CPU accesses to the aperture
    ctl["outbound_errors"] = es.outbound_errors;
    ctl["outbound_misses"] = es.outbound_misses;
    ctl["intx_messages"] = es.intx_messages;
    ctl["iatu_reprogram_in_flight"] = es.iatu_reprogram_in_flight;
    ctl["completion_timeouts"] = es.completion_timeouts;
    ctl["error_messages_sent"] = es.err_messages;
    ctl["aer_uncorrectable_status"] = p.ep.dbi_regs().read32(dwc::aer_uncor_status);
    ctl["correctable_errors"] = es.correctable_errors;
    ctl["link_down_resets"] = es.link_down_resets;
    ctl["hot_resets"] = es.hot_resets;
    ctl["function_level_resets"] = es.function_level_resets;
    ctl["poisoned_tlps_received"] = es.poisoned_tlps;
    ctl["err_cor_messages_sent"] = es.err_cor_messages;
    ctl["aer_correctable_status"] = p.ep.dbi_regs().read32(dwc::aer_cor_status);
    j["controller"] = ctl;

    const auto& rs = p.rc.stats();
    cfg::json rc;
    rc["cfg_requests"] = rs.cfg_requests;
    rc["crs_retries"] = rs.crs_retries;
    rc["crs_visible"] = rs.crs_visible;
    rc["master_aborts"] = rs.master_aborts;
    rc["unsupported"] = rs.unsupported;
    rc["completer_aborts"] = rs.completer_aborts;
    rc["inbound_reads"] = rs.inbound_reads;
    rc["inbound_writes"] = rs.inbound_writes;
    rc["msi_messages"] = rs.msi_messages;
    rc["intx_messages"] = rs.intx_messages;
    rc["msi_dropped"] = p.msi.dropped();
    rc["err_cor_messages"] = rs.err_cor_messages;
    rc["err_nonfatal_messages"] = rs.err_nonfatal_messages;
    rc["err_fatal_messages"] = rs.err_fatal_messages;
    rc["injected_faults"] = rs.injected_faults;
    rc["correctable_errors"] = rs.correctable_errors;
    rc["poisoned_tlps_received"] = rs.poisoned_tlps;
    rc["hot_resets"] = rs.hot_resets;
    rc["root_port_aer_uncorrectable_status"] =
        p.rc.root_port().read32(pcie::port_cfg::aer_cap + pcie::port_cfg::aer_uncor_status);
    rc["root_port_aer_correctable_status"] =
        p.rc.root_port().read32(pcie::port_cfg::aer_cap + pcie::port_cfg::aer_cor_status);
    j["root_complex"] = rc;

    cfg::json soc;
    soc["dram_reads"] = p.dram.reads();
    cfg::json masters = cfg::json::object();
    for (const auto& [who, m] : p.dram.master_queues())
        masters[who] = {{"accesses", m.accesses},
                        {"bytes", m.bytes},
                        {"mean_latency_ns", m.accesses ? m.latency_ns / m.accesses : 0.0},
                        {"mean_queue_ns", m.accesses ? m.queue_ns / m.accesses : 0.0},
                        {"max_queue_ns", m.max_queue_ns},
                        {"irq_window_accesses", m.window_accesses}};
    soc["dram_masters"] = masters;
    soc["dram_writes"] = p.dram.writes();
    soc["decode_errors"] = p.noc.decode_errors();
    soc["ep_cpu_accesses"] = p.ep_cpu.accesses();
    soc["irq_window_writes"] = p.dram.window_writes();
    soc["irq_window_overflows"] = p.dram.window_overflows();
    j["soc"] = soc;

    if (p.smmu) {
        const auto& n = p.smmu->stats();
        const auto& w = p.smmu->walker_stats();
        cfg::json sm;
        sm["enabled_by_firmware"] = p.smmu->enabled();
        sm["translations"] = n.translations;
        sm["bypassed"] = n.bypassed;
        sm["aborted"] = n.aborted;
        sm["tlb_hits"] = w.tlb_hits;
        sm["tlb_misses"] = w.tlb_misses;
        sm["walks"] = w.walks;
        sm["walk_cache_hits"] = w.walk_cache_hits;
        sm["table_reads"] = w.table_reads;
        sm["config_reads"] = w.config_reads;
        sm["walk_time_ns"] = n.walk_time.to_seconds() * 1e9;
        sm["faulting_reads"] = n.faulting_reads;
        sm["faulting_writes_dropped"] = n.faulting_writes_dropped;
        sm["events"] = n.events;
        sm["events_lost"] = n.events_lost;
        sm["commands"] = n.commands;
        sm["syncs"] = n.syncs;
        sm["command_errors"] = n.command_errors;
        cfg::json streams = cfg::json::array();
        for (const auto& [sid, count] : n.per_stream)
            streams.push_back({{"stream_id", sid}, {"transactions", count}});
        sm["streams"] = streams;
        cfg::json faults = cfg::json::array();
        for (const auto& f : p.smmu->faults())
            faults.push_back({{"event", soc::smmu_event_name(f.event_id)},
                              {"stream_id", f.stream_id},
                              {"address", hex(f.address)},
                              {"access", f.read ? "read" : "write"},
                              {"time_ns", static_cast<double>(f.time_ps) / 1000.0},
                              {"why", f.why}});
        sm["faults"] = faults;
        j["smmu"] = sm;
    }

    cfg::json sim;
    sim["end_time_ns"] = sc_core::sc_time_stamp().to_seconds() * 1e9;
    sim["warnings"] = logger::get().count(log_kind::warning);
    sim["guest_errors"] = logger::get().count(log_kind::guest_error);
    j["sim"] = sim;
    j["metrics"]["sim_time_ns"] = sim["end_time_ns"];
    w.report_after_counters(p, r, j);
    if (p.iatu_cosim()) j["iatu_cosim"] = iatu_cosim_json(*p.iatu_cosim());
    j["problems"] = logger::get().problems();
    j["config"] = config_doc;
    return j;
}

#ifdef EPVP_RTL_COSIM
namespace {
// The RTL iATU's own counters (rtl-bridge): cycles, coverage and the lockstep comparison; none
// for another iATU.
rtl::rtl_iatu_stats rtl_stats_of(const dwc::iatu_unit& u) {
    const auto* r = dynamic_cast<const rtl::rtl_iatu_unit*>(&u);
    return r ? r->rtl_stats() : rtl::rtl_iatu_stats{};
}
} // namespace

// The co-simulated iATU's counters: the ones every iATU keeps, and the RTL unit's own.
cfg::json iatu_cosim_json(const dwc::iatu_unit& u) {
    const dwc::iatu_unit_stats s = u.stats();
    const rtl::rtl_iatu_stats r = rtl_stats_of(u);
    cfg::json j = {{"impl", u.impl_name()},
                   {"outbound_translations", s.outbound_translations},
                   {"inbound_translations", s.inbound_translations},
                   {"outbound_misses", s.outbound_misses},
                   {"inbound_misses", s.inbound_misses},
                   {"register_reads", s.reg_reads},
                   {"register_writes", s.reg_writes},
                   {"rtl_cycles", r.rtl_cycles},
                   {"outbound_region_hits", r.ob_region_hits},
                   {"inbound_region_hits", r.ib_region_hits},
                   {"type_mem", r.type_mem},
                   {"type_other", r.type_other}};
    if (r.lockstep)
        j["lockstep"] = {{"compared", r.compared},
                         {"mismatches", r.mismatches},
                         {"first_mismatch", r.first_mismatch},
                         {"inbound_bar_match", r.ib_bar_match},
                         {"inbound_address_match", r.ib_address_match}};
    return j;
}

std::string format_iatu_cosim(const dwc::iatu_unit& u, double wall_s) {
    const dwc::iatu_unit_stats s = u.stats();
    const rtl::rtl_iatu_stats r = rtl_stats_of(u);
    auto list = [](const std::vector<std::uint64_t>& v) {
        std::string o;
        for (std::size_t i = 0; i < v.size(); ++i)
            o += (i ? " " : "") + std::to_string(v[i]);
        return o;
    };
    const std::uint64_t translations = s.outbound_translations + s.inbound_translations;
    std::string o = std::string("iatu ") + u.impl_name() + ": " + std::to_string(translations) +
                    " translations (outbound " + std::to_string(s.outbound_translations) +
                    ", inbound " + std::to_string(s.inbound_translations) + "), misses " +
                    std::to_string(s.outbound_misses) + "/" + std::to_string(s.inbound_misses) +
                    ", " + std::to_string(s.reg_reads) + " register reads, " +
                    std::to_string(s.reg_writes) + " writes, " + std::to_string(r.rtl_cycles) +
                    " RTL cycles\n";
    char speed[160];
    std::snprintf(speed, sizeof speed,
                  "iatu %s: co-simulation speed %.0f translations per wall second (%.2f s wall "
                  "for the whole run)\n",
                  u.impl_name(), wall_s > 0 ? static_cast<double>(translations) / wall_s : 0.0,
                  wall_s);
    o += speed;
    o += "iatu coverage: outbound hits per window [" + list(r.ob_region_hits) +
         "], inbound hits per window [" + list(r.ib_region_hits) + "], MEM type " +
         std::to_string(r.type_mem) + ", other types " + std::to_string(r.type_other);
    if (r.lockstep)
        o += ", inbound BAR-match " + std::to_string(r.ib_bar_match) + ", address-match " +
             std::to_string(r.ib_address_match);
    o += "\n";
    if (r.lockstep) {
        o += "iatu lockstep: " + std::to_string(r.compared) + " results compared, " +
             std::to_string(r.mismatches) + " mismatches";
        if (r.mismatches) o += "; first: " + r.first_mismatch;
        o += "\n";
    }
    return o;
}

std::uint64_t iatu_lockstep_mismatches(const dwc::iatu_unit& u) {
    return rtl_stats_of(u).mismatches;
}
#else
// Without the RTL co-simulation built no iATU is co-simulated (platform::iatu_cosim() is null).
cfg::json iatu_cosim_json(const dwc::iatu_unit&) {
    return {};
}
std::string format_iatu_cosim(const dwc::iatu_unit&, double) {
    return {};
}
std::uint64_t iatu_lockstep_mismatches(const dwc::iatu_unit&) {
    return 0;
}
#endif

} // namespace epvp::tb

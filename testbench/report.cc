#include "testbench/report.h"

#include "firmware/hal/errno.h"
#include "model/core/log.h"
#include "model/pcie/pcie_switch.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <utility>
#include <vector>

#ifdef EPVP_RTL_COSIM
#include "rtl-bridge/rtl_axi_slave.h"
#include "rtl-bridge/rtl_iatu_unit.h"
#endif

namespace epvp::tb {

namespace {
// A declared statistic as the report writes it (model/core/stats.h): counts and text as they
// are, times in nanoseconds.
template <class T>
cfg::json report_value(const T& x) {
    return x;
}
cfg::json report_value(const sc_core::sc_time& t) {
    return t.to_seconds() * 1e9;
}

// Fields a section shows among a module's counters that are not counters of that struct (a
// register read, another block's count, another struct's group), each written right after the
// named counter.
using after_counter = std::vector<std::pair<std::string, std::function<void(cfg::json&)>>>;

// Writes the statistics a declaration visits into j, in declaration order, with `after`'s
// fields. `decl` calls its visitor: [&](auto&& v) { s.for_each(v); }.
template <class Decl>
void put_counters(cfg::json& j, Decl&& decl, const after_counter& after = {}) {
    decl([&](const char* name, const auto& value, const char* /*meaning*/) {
        j[name] = report_value(value);
        for (const auto& [key, put] : after)
            if (key == name) put(j);
    });
}
template <class Decl>
cfg::json counters_json(Decl&& decl) {
    cfg::json j = cfg::json::object();
    put_counters(j, std::forward<Decl>(decl));
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
    const auto& up = p.link.stats(pcie::pcie_link::upstream);
    const auto& dn = p.link.stats(pcie::pcie_link::downstream);
    {
        // What fault injection did, each count as {"upstream", "downstream"}.
        const cfg::json u = counters_json([&](auto&& v) { up.for_each_injected(v); });
        const cfg::json d = counters_json([&](auto&& v) { dn.for_each_injected(v); });
        for (auto it = u.begin(); it != u.end(); ++it)
            link[it.key()] = {{"upstream", it.value()}, {"downstream", d.at(it.key())}};
    }
    link["downstream"] = counters_json([&](auto&& v) { dn.for_each_traffic(v); });
    link["upstream"] = counters_json([&](auto&& v) { up.for_each_traffic(v); });
    {
        cfg::json replay;
        replay["ack_latency_ns"] = p.link.ack_latency().to_seconds() * 1e9;
        replay["replay_timer_ns"] = p.link.replay_timer().to_seconds() * 1e9;
        replay["upstream"] = counters_json([&](auto&& v) { up.for_each_replay(v); });
        replay["downstream"] = counters_json([&](auto&& v) { dn.for_each_replay(v); });
        link["replay"] = replay;
        j["metrics"]["replays_count"] = up.replays + dn.replays;
        j["metrics"]["replay_time_lost_ns"] = (up.time_lost + dn.time_lost).to_seconds() * 1e9;
    }
    j["link"] = link;

    const auto& es = p.ep.stats();
    cfg::json ctl;
    ctl["ltssm"] = dwc::to_string(p.ep.ltssm_state());
    put_counters(ctl, [&](auto&& v) { es.for_each(v); },
                 {{"error_messages_sent", [&](cfg::json& c) {
                       c["aer_uncorrectable_status"] =
                           p.ep.dbi_regs().read32(dwc::aer_uncor_status);
                   }}});
    ctl["aer_correctable_status"] = p.ep.dbi_regs().read32(dwc::aer_cor_status);
    j["controller"] = ctl;
    // How burst mode computed the run, not a simulated result (absent when none, so a tlp-mode
    // report is unchanged): the eDMA read channels' page writes (docs/link-timing.md).
    if (p.ep.local_page_writes())
        j["burst_mode"] = {{"edma_page_writes", p.ep.local_page_writes()}};

    const auto& rs = p.rc.stats();
    cfg::json rc;
    put_counters(rc, [&](auto&& v) { rs.for_each(v); },
                 {{"intx_messages", [&](cfg::json& c) { c["msi_dropped"] = p.msi.dropped(); }}});
    rc["root_port_aer_uncorrectable_status"] =
        p.rc.root_port().read32(pcie::port_cfg::aer_cap + pcie::port_cfg::aer_uncor_status);
    rc["root_port_aer_correctable_status"] =
        p.rc.root_port().read32(pcie::port_cfg::aer_cap + pcie::port_cfg::aer_cor_status);
    j["root_complex"] = rc;

    cfg::json soc;
    soc["dram_reads"] = p.dram.reads();
    cfg::json masters = cfg::json::object();
    for (const auto& [who, m] : p.dram.master_queues())
        masters[who] = counters_json([&](auto&& v) { m.for_each(v); });
    soc["dram_masters"] = masters;
    soc["dram_writes"] = p.dram.writes();
    soc["decode_errors"] = p.noc.decode_errors();
    soc["ep_cpu_accesses"] = p.ep_cpu.accesses();
    soc["irq_window_writes"] = p.dram.window_writes();
    soc["irq_window_overflows"] = p.dram.window_overflows();
    j["soc"] = soc;
    // cpu.kind = iss: the instructions the firmware binary executed (guest MIPS = instructions /
    // wall seconds) and its bus accesses.
    if (const auto& iss = p.endpoint(0).iss)
        j["iss"] = {{"instructions", iss->instructions()}, {"bus_accesses", iss->accesses()}};

    if (p.smmu) {
        const auto& n = p.smmu->stats();
        const auto& w = p.smmu->walker_stats();
        cfg::json sm;
        sm["enabled_by_firmware"] = p.smmu->enabled();
        put_counters(sm, [&](auto&& v) { n.for_each(v); },
                     {{"aborted",
                       [&](cfg::json& s) { put_counters(s, [&](auto&& v) { w.for_each(v); }); }}});
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
    const cfg::json rtl = rtl_slaves_json(p);
    if (!rtl.empty()) j["rtl_slaves"] = rtl;
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
    cfg::json j = {{"impl", u.impl_name()}};
    put_counters(j, [&](auto&& v) { s.for_each(v); });
    put_counters(j, [&](auto&& v) { r.for_each(v); });
    if (r.lockstep) j["lockstep"] = counters_json([&](auto&& v) { r.for_each_lockstep(v); });
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

// soc.rtl_slaves: per endpoint and block, the traffic at its socket and the checker's handshakes.
cfg::json rtl_slaves_json(platform& p) {
    cfg::json out = cfg::json::array();
    for (unsigned e = 0; e < p.endpoint_count(); ++e) {
        const endpoint_soc& soc = p.endpoint(e);
        for (std::size_t i = 0; i < soc.rtl_slaves().size(); ++i) {
            const rtl::rtl_axi_slave& m = *soc.rtl_slaves()[i];
            const rtl::rtl_axi_slave_stats s = m.stats();
            const cfg::rtl_slave_config& c = soc.config().soc.rtl_slaves[i];
            out.push_back({{"endpoint", soc.basename()},
                           {"index", i},
                           {"block", m.block()},
                           {"base", c.base},
                           {"size", c.size},
                           {"clock_mhz", c.clock_mhz},
                           {"reads", s.reads},
                           {"writes", s.writes},
                           {"bytes_read", s.bytes_read},
                           {"bytes_written", s.bytes_written},
                           {"cycles", s.cycles},
                           {"handshakes",
                            {{"aw", s.handshakes.aw},
                             {"w", s.handshakes.w},
                             {"b", s.handshakes.b},
                             {"ar", s.handshakes.ar},
                             {"r", s.handshakes.r}}}});
        }
    }
    return out;
}

std::string format_rtl_slaves(platform& p, double wall_s) {
    std::string o;
    for (const auto& b : rtl_slaves_json(p)) {
        const std::uint64_t n = b["reads"].get<std::uint64_t>() + b["writes"].get<std::uint64_t>();
        char line[256];
        std::snprintf(line, sizeof line,
                      "rtl %s.%s: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu cycles; "
                      "co-simulation speed %.0f transactions per wall second\n",
                      b["endpoint"].get<std::string>().c_str(),
                      b["block"].get<std::string>().c_str(),
                      static_cast<unsigned long long>(b["reads"].get<std::uint64_t>()),
                      static_cast<unsigned long long>(b["bytes_read"].get<std::uint64_t>()),
                      static_cast<unsigned long long>(b["writes"].get<std::uint64_t>()),
                      static_cast<unsigned long long>(b["bytes_written"].get<std::uint64_t>()),
                      static_cast<unsigned long long>(b["cycles"].get<std::uint64_t>()),
                      wall_s > 0 ? static_cast<double>(n) / wall_s : 0.0);
        o += line;
    }
    return o;
}
#else
cfg::json rtl_slaves_json(platform&) {
    return cfg::json::array();
}
std::string format_rtl_slaves(platform&, double) {
    return {};
}
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

#include "report.h"

#include "core/log.h"

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
} // namespace

cfg::json make_report(const std::string& workload, const cfg::json& config_doc, platform& p,
                      const workload_result& r) {
    cfg::json j;
    j["workload"] = workload;
    j["status"] = !r.host_finished ? "HUNG" : (r.enumerate_status || r.failed()) ? "FAIL" : "PASS";
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

    cfg::json en;
    en["status"] = r.enumerate_status;
    en["crs_retries"] = r.crs_retries;
    cfg::json devs = cfg::json::array();
    for (const auto& d : r.devices) {
        cfg::json dj;
        dj["bdf"] = d.name();
        dj["vendor_id"] = d.vendor;
        dj["device_id"] = d.device;
        dj["class_code"] = d.class_code;
        cfg::json bars = cfg::json::array();
        for (unsigned b = 0; b < d.bars.size(); ++b) {
            if (!d.bars[b].size)
                continue;
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
    link["downstream"] = link_dir(p.link.stats(pcie::pcie_link::downstream));
    link["upstream"] = link_dir(p.link.stats(pcie::pcie_link::upstream));
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
    j["root_complex"] = rc;

    cfg::json soc;
    soc["dram_reads"] = p.dram.reads();
    soc["dram_writes"] = p.dram.writes();
    soc["decode_errors"] = p.noc.decode_errors();
    soc["ep_cpu_accesses"] = p.ep_cpu.accesses();
    j["soc"] = soc;

    cfg::json sim;
    sim["end_time_ns"] = sc_core::sc_time_stamp().to_seconds() * 1e9;
    sim["warnings"] = logger::get().count(log_kind::warning);
    sim["guest_errors"] = logger::get().count(log_kind::guest_error);
    j["sim"] = sim;
    j["problems"] = logger::get().problems();
    j["config"] = config_doc;
    return j;
}

} // namespace epvp::tb

// The machine-readable result of a run (--report FILE): configuration, per-test results,
// enumeration, link and block counters, warnings. It holds no wall-clock figure, so two runs
// of the same configuration write the same bytes.
#pragma once

#include "config/config.h"
#include "platform.h"
#include "workloads.h"

namespace epvp::tb {

// One row of the dma-sweep table, from the eDMA model's record of the transfer.
struct sweep_row {
    std::string direction; // "read" (host -> local) or "write" (local -> host)
    std::uint64_t bytes = 0;
    double time_ns = 0; // doorbell to done
    double throughput_Bps = 0;
    std::uint64_t mwr = 0, mrd = 0, cpld = 0;
    double utilisation_up = 0, utilisation_down = 0; // link busy fraction per direction
    std::string bound;    // replay, link, credits, tags, memory or latency
    double replay_ns = 0; // time the link spent on replays and retrains during the transfer
    bool aborted = false;
    int firmware_status = 0;
};
std::vector<sweep_row> sweep_table(const platform& p, const workload_result& r);
std::string format_sweep(const std::vector<sweep_row>& rows);
// dma-sweep: a warning per transfer that lost more than 1 % of its time to replays/retrains.
void warn_fault_costs(const platform& p, const workload_result& r);
// cmd-stream: what bounds its throughput ("outbound windows ...", "link", "latency ...").
std::string cmd_stream_bound(const platform& p, const workload_result& r);

cfg::json make_report(const std::string& workload, const cfg::json& config_doc, platform& p,
                      const workload_result& r);

// The co-simulated iATU (dwc.iatu.impl = rtl | lockstep): its counters, lockstep result and
// coverage for the report (deterministic), and as text with the speed for stdout.
cfg::json iatu_cosim_json(const dwc::iatu_unit& u);
std::string format_iatu_cosim(const dwc::iatu_unit& u, double wall_s);
// Results of a lockstep iATU that differed from the TLM model's (0 for any other iATU).
std::uint64_t iatu_lockstep_mismatches(const dwc::iatu_unit& u);

} // namespace epvp::tb

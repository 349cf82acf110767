// The machine-readable result of a run (--report FILE): configuration, per-test results,
// enumeration, link and block counters, warnings. It holds no wall-clock figure, so two runs
// of the same configuration write the same bytes.
#pragma once

#include "testbench/config/config.h"
#include "testbench/platform.h"
#include "testbench/workload.h"

namespace epvp::tb {

// The report of a run of workload `w` (registered as `name`); the workload adds its sections.
cfg::json make_report(const std::string& name, const workload& w, const cfg::json& config_doc,
                      platform& p, const workload_result& r);
// Whether the run failed: the common checks (enumeration, failed tests) and the workload's own.
bool run_failed(const workload& w, const workload_result& r);

// The co-simulated iATU (dwc.iatu.impl = rtl | lockstep): its counters, lockstep result and
// coverage for the report (deterministic), and as text with the speed for stdout.
cfg::json iatu_cosim_json(const dwc::iatu_unit& u);
std::string format_iatu_cosim(const dwc::iatu_unit& u, double wall_s);
// The placed RTL blocks (soc.rtl_slaves) of every endpoint: the report's "rtl_slaves" array
// (empty when none), and stdout lines with their traffic and co-simulation speed.
cfg::json rtl_slaves_json(platform& p);
std::string format_rtl_slaves(platform& p, double wall_s);
// Results of a lockstep iATU that differed from the TLM model's (0 for any other iATU).
std::uint64_t iatu_lockstep_mismatches(const dwc::iatu_unit& u);

} // namespace epvp::tb

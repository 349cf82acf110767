// The machine-readable result of a run (--report FILE): configuration, per-test results,
// enumeration, link and block counters, warnings. It holds no wall-clock figure, so two runs
// of the same configuration write the same bytes.
#pragma once

#include "config/config.h"
#include "platform.h"
#include "workloads.h"

namespace epvp::tb {

cfg::json make_report(const std::string& workload, const cfg::json& config_doc, platform& p,
                      const workload_result& r);

} // namespace epvp::tb

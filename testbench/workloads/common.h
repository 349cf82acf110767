// What the built-in workloads share: the test function's parameters from the configuration,
// time units, and the registration of each built-in workload (each in its own file here,
// through the same registry call an out-of-tree workload makes).
#pragma once

#include "firmware/functions/builtin.h"
#include "firmware/functions/test_endpoint.h"
#include "firmware/guest/boot_params.h"
#include "testbench/config/config.h"

#include <cstdint>

namespace epvp::tb {

class endpoint_soc;
class platform;
class workload_registry;

namespace builtin {

constexpr std::uint64_t ns_per_us = 1000;
constexpr std::uint64_t ns_per_ms = 1000 * ns_per_us;

// The test function (pci-epf-test) as configured by function.test.*.
fw::functions::epf_test_params epf_params(const cfg::platform_config& c);

// Loads the test function (fw::functions::test_endpoint, with an optional one-shot job) as the
// endpoint's firmware, run by the function runner exactly as a plugin's function is; a failed
// bring-up step is logged under "ep" and the firmware halts.
void load_test_endpoint(endpoint_soc& soc, const fw::functions::epf_test_params& p,
                        fw::functions::endpoint_job job = {});

// The boot parameters of the test endpoint image on endpoint 0 (its ELF with cpu.kind = iss).
fw::guest::boot_params test_endpoint_boot(platform& p, const fw::functions::epf_test_params& ep);

// A built-in function's job (fw::functions::builtin_job, a.name) on endpoint 0: natively, the
// test function with the job writing into r; with cpu.kind = iss, the firmware ELF with a in its
// SRAM, its results fetched into r by fetch_builtin_results after the run. a and r outlive the
// run.
void load_builtin_job(platform& p, const fw::functions::epf_test_params& ep,
                      const fw::functions::builtin_args& a, fw::functions::builtin_results& r);
void fetch_builtin_results(platform& p, fw::functions::builtin_results& r);

void register_pcitest(workload_registry& r);
void register_cmd_stream(workload_registry& r);
void register_dma_sweep(workload_registry& r);
void register_dma_mix(workload_registry& r);
void register_iova(workload_registry& r);
void register_iotlb_sweep(workload_registry& r);
void register_p2p(workload_registry& r);

} // namespace builtin
} // namespace epvp::tb

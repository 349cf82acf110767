// The built-in endpoint functions' jobs by name, one table for every firmware image: the native
// firmware and the AArch64 ELF (cpu.kind = iss) run the test function (test_endpoint.h) with the
// job this table names, from the same arguments, into the same result block.
//
// The arguments and the results are plain data (trivially copyable, the same layout in the
// host's and the guest's LP64 ABI): the native workload keeps them in its own memory; with the
// instruction-set simulator the platform writes the arguments into the CPU's SRAM beside the boot
// parameters (builtin_args_offset) and reads the results back from there after the run
// (builtin_results_offset), as a bring-up harness reads a firmware's mailbox.
//
// Models: iova, dma-sweep, dma-mix and cmd-stream. Does not model: jobs that need the
// testbench's view of the platform (p2p reads the fabric's counters; iotlb-sweep's host side
// alone judges it): those keep their jobs in their workloads.
#pragma once

#include "firmware/functions/cmd_stream.h"
#include "firmware/functions/dma_mix.h"
#include "firmware/functions/dma_sweep.h"
#include "firmware/functions/iova_test.h"
#include "firmware/functions/test_endpoint.h"

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace fw::functions {

constexpr std::uint32_t builtin_magic = 0x424A4F42; // "BOJB" in memory order
constexpr std::uint32_t builtin_version = 2;
// The value a job writes into the host's completion flag (by eDMA) when it is done.
constexpr std::uint32_t host_done_flag_value = 0x5EE9D0E;

constexpr std::size_t builtin_name_bytes = 16;
constexpr unsigned builtin_max_iova_buffers = 4096; // function.iova.buffers' bound
constexpr unsigned builtin_max_sweep_rows = 128;
constexpr unsigned builtin_max_mix_rows = 64;
constexpr std::size_t builtin_steps_bytes = 2048;

struct builtin_args {
    builtin_args() = default;
    explicit builtin_args(const char* job) {
        for (std::size_t i = 0; i + 1 < builtin_name_bytes && job[i]; ++i)
            name[i] = job[i];
    }
    std::uint32_t magic = builtin_magic;
    std::uint32_t version = builtin_version;
    char name[builtin_name_bytes] = {}; // "iova", "dma-sweep", "dma-mix", "cmd-stream"
    iova_test_params iova;
    struct sweep_args {
        std::uint64_t host_buffer = 0, max_bytes = 0; // as dma_sweep_params
        std::uint64_t min_bytes = 0, factor = 4;      // sizes min_bytes, x factor, .. max_bytes
        std::uint32_t reads = 1, writes = 1;
        std::uint64_t timeout_ns = 1'000'000'000;
        std::uint64_t flag = 0;         // host PCI address of the completion flag
        std::uint64_t repeat_bytes = 0; // as dma_sweep_params
        std::uint32_t max_repeats = 1;
        std::uint32_t element_bytes = 0; // as dma_sweep_params
    } sweep;
    dma_mix_params mix;
    std::uint64_t mix_flag = 0; // host PCI address of the completion flag
    cmd_stream_params cmd;
};

struct builtin_results {
    std::uint32_t magic = 0; // builtin_magic once the job has run
    std::int32_t status = 0;
    // iova
    struct iova_results {
        std::uint32_t buffers = 0, bad_first = 0, bad_second = 0, unmapped_index = 0;
        std::uint32_t smmu_faults = 0, reserved = 0;
        std::uint64_t iova_base = 0, bar_bytes = 0, map_ns = 0, unmap_ns = 0;
        std::uint64_t buffer_phys[builtin_max_iova_buffers] = {};
    } iova;
    char steps[builtin_steps_bytes] = {}; // what the job did, one line per '\n'
    // dma-sweep, dma-mix
    std::uint32_t sweep_rows = 0, mix_rows = 0;
    dma_sweep_row sweep[builtin_max_sweep_rows] = {};
    dma_mix_row mix[builtin_max_mix_rows] = {};
    // cmd-stream
    cmd_stream_stats cmd;

    bool ran() const { return magic == builtin_magic; }
    // The iova job's account as its report type.
    iova_test_report iova_report() const;
    // `steps` as lines.
    std::vector<std::string> step_lines() const;
};

static_assert(std::is_trivially_copyable_v<builtin_args> &&
                  std::is_trivially_copyable_v<builtin_results>,
              "the ISS passes them as bytes");

// Where the ISS's SRAM holds them: after the boot parameters, inside the boot block.
constexpr std::uint64_t builtin_args_offset = 0x1000;
constexpr std::uint64_t builtin_results_offset = 0x2000;
constexpr std::uint64_t builtin_block_end = 0x10000; // ISS_BOOT_PARAMS_BYTES
static_assert(builtin_args_offset + sizeof(builtin_args) <= builtin_results_offset &&
                  builtin_results_offset + sizeof(builtin_results) <= builtin_block_end,
              "the built-in job blocks do not fit the boot block");

// Whether `name` is a built-in job.
bool is_builtin_job(const char* name);
// The job `a.name` names, writing into `r` (which must outlive the run); an empty job for an
// unknown name.
endpoint_job builtin_job(const builtin_args& a, builtin_results& r);

} // namespace fw::functions

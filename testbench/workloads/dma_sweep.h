// Workload dma-sweep: eDMA read and write throughput and latency over transfer sizes, each
// transfer's figures from the eDMA model's own record of it. Public for `epsim bench`, which
// runs the sweep's transfers as its speed run.
#pragma once

#include "firmware/functions/builtin.h"
#include "firmware/functions/dma_sweep.h"
#include "firmware/functions/test_endpoint.h"
#include "testbench/workload.h"

#include <memory>
#include <string>
#include <vector>

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
std::string format_sweep(const std::vector<sweep_row>& rows);

namespace builtin {

// Where the eDMA workloads' host buffers live: a region of host memory the host software
// leaves alone (like a reserved DMA area).
constexpr std::uint64_t sweep_buffer_offset = 64ull << 20;
// The eDMA workloads' end: the endpoint writes a flag word to host memory at `flag` by eDMA
// (fw::functions::host_done_flag_value); the host enumerates, then waits (bounded) for it;
// *status (if 0) becomes -ETIMEDOUT if the flag never came.
void load_flag_waiting_host(platform& p, workload_result& out, std::uint64_t flag, int* status);

class dma_sweep final : public workload {
public:
    void load(platform& p, workload_result& out) override;
    // A warning per transfer that lost more than 1 % of its time to replays/retrains.
    void finish(platform& p, workload_result& r) override;
    void print_results(platform& p, const workload_result& r, std::ostream& out) const override;
    void print_summary(platform& p, const workload_result& r, std::ostream& out) const override;
    void report_before_counters(platform& p, const workload_result& r,
                                cfg::json& report) const override;
    bool failed(const workload_result&) const override { return status() != 0; }
    std::string failure_reason(const workload_result& r) const override;

    // The rows of the transfers the firmware made, and its status (0 or a negative errno).
    std::vector<sweep_row> table(const platform& p) const;
    // (With cpu.kind = iss the firmware's rows and status are there after finish.)
    int status() const { return res_->status ? res_->status : host_status_; }

private:
    bool ran() const { return res_->ran(); }
    int host_status_ = 0; // -ETIMEDOUT: the completion flag never came
    fw::functions::builtin_args args_{"dma-sweep"};
    std::unique_ptr<fw::functions::builtin_results> res_ =
        std::make_unique<fw::functions::builtin_results>();
};

} // namespace builtin
} // namespace epvp::tb

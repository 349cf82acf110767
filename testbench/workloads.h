// Workloads: what the host and the endpoint run on the platform. Each workload names the
// endpoint firmware and the host program and collects results for the report.
#pragma once

#include "functions/cmd_stream.h"
#include "functions/dma_sweep.h"
#include "functions/iova_test.h"
#include "host/cmd_stream_host.h"
#include "host/iova_host.h"
#include "host/pci_endpoint_test.h"
#include "host/pci_host.h"
#include "platform.h"

#include <string>
#include <vector>

namespace epvp::tb {

struct workload_result {
    bool host_finished = false;
    int enumerate_status = 0;
    std::vector<fw::host::pci_dev> devices;
    std::uint64_t crs_retries = 0;
    std::uint64_t reenumerations = 0; // the host enumerated again after the link came back
    std::vector<fw::host::test_result> tests;
    // dma-sweep: the firmware's rows; the model's per-transfer records are in the eDMA.
    std::vector<fw::functions::dma_sweep_row> sweep_rows;
    int sweep_status = 0;
    bool sweep_ran = false;
    // cmd-stream: the host's measurements and the firmware's counters.
    bool cmd_ran = false;
    fw::host::cmd_stream_result cmd;
    fw::functions::cmd_stream_stats cmd_fw;
    int cmd_fw_status = 0;
    // iova: both sides' accounts and the testbench's shadow check of DRAM.
    bool iova_ran = false;
    fw::functions::iova_test_report iova_fw;
    fw::host::iova_host_result iova_host;
    std::size_t iova_poison_words = 0;   // POISON words found anywhere in DRAM (must be 0)
    unsigned iova_shadow_mismatches = 0; // buffer pages whose DRAM contents are not the pattern
    bool iova_ok() const {
        return iova_ran && iova_fw.status == 0 && iova_host.status == 0 && iova_poison_words == 0 &&
               iova_shadow_mismatches == 0;
    }
    // iotlb-sweep
    bool iotlb_ran = false;
    fw::functions::iotlb_map_report iotlb_fw;
    std::vector<fw::host::iotlb_sweep_row> iotlb_rows;
    int iotlb_status = 0;
    unsigned passed() const;
    unsigned failed() const;
    unsigned skipped() const;
};

struct workload {
    const char* name;
    const char* description;
    void (*load)(platform& p, workload_result& out);
    // After the run (optional): checks the testbench makes on the model's state.
    void (*finish)(platform& p, workload_result& out) = nullptr;
};

const std::vector<workload>& workloads();
const workload* find_workload(const std::string& name);

} // namespace epvp::tb

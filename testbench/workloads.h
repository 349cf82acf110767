// Workloads: what the host and the endpoint run on the platform. Each workload names the
// endpoint firmware and the host program and collects results for the report.
#pragma once

#include "functions/cmd_stream.h"
#include "functions/dma_mix.h"
#include "functions/dma_sweep.h"
#include "functions/iova_test.h"
#include "functions/p2p_dma.h"
#include "host/cmd_stream_host.h"
#include "host/iova_host.h"
#include "host/p2pdma.h"
#include "host/pci_endpoint_test.h"
#include "host/pci_host.h"
#include "platform.h"

#include <functional>
#include <string>
#include <vector>

namespace epvp::tb {

// Workload p2p: one port's traffic over a phase (a switch port or a root port), both directions
// as the port sees them: in = received from its link, out = sent on it (payload bytes).
struct p2p_port_traffic {
    std::string port; // "root port 0", "sw0 upstream", "sw0 port 1"
    std::uint64_t tlps_in = 0, tlps_out = 0, bytes_in = 0, bytes_out = 0;
    // Routing events in the phase: root ports: forwarded + reflected + blocked; switch ports:
    // ACS redirects; both: route-to-self and UR.
    std::uint64_t p2p_via_root = 0, acs_redirects = 0, route_to_self = 0, unsupported = 0;
    bool root_port = false;
};
struct p2p_pair_row {
    std::string provider, client; // "03:00.0"
    fw::host::p2pdma_map_type type = fw::host::p2pdma_map_type::unknown;
    int distance = 0;
    std::string acs_redirects; // devices counted as ACS redirects on the path
};
struct p2p_result {
    bool ran = false;
    int status = 0;                  // setup: 0 or a negative errno (no such endpoint, ...)
    int enumerate_status = 0;        // the enumeration's own (setup can fail after it succeeded)
    std::vector<std::string> tree;   // the enumerated tree, one function a line
    std::vector<p2p_pair_row> pairs; // every ordered pair of endpoints
    std::string provider, client;
    fw::host::p2p_mapping mapping;
    int map_status = 0; // 0 or -EREMOTEIO (not supported)
    bool forced = false, self = false;
    bool dma_issued = false;
    std::uint64_t peer_addr = 0;
    fw::functions::p2p_client_report client_fw; // what the client's firmware saw
    int host_status = 0;                        // waiting for the client / reading results
    std::vector<p2p_port_traffic> write_ports, read_ports; // per direction, during the DMA
    std::vector<std::string> errors; // AER and Device Status findings after the transfers
    // Shadow check: the CRC of the provider's memory the testbench reads after the run.
    bool shadow_checked = false;
    std::uint32_t shadow_crc = 0;
    std::vector<std::uint64_t> bar_phys;   // per endpoint SoC: local address behind the p2p BAR
    std::uint64_t provider_bar_offset = 0; // peer address - the provider's BAR address
    bool ok() const;
};

struct workload_result {
    bool host_finished = false;
    int enumerate_status = 0;
    std::vector<fw::host::pci_dev> devices;
    std::uint64_t crs_retries = 0;
    std::uint64_t reenumerations = 0; // the host enumerated again after the link came back
    std::vector<fw::host::test_result> tests;
    // pcitest: the rows it will have, and what to do with each row as its test completes.
    unsigned tests_planned = 0;
    std::function<void(unsigned, const fw::host::test_result&)> on_test;
    std::vector<fw::host::pcitest_reset> resets; // pcitest: the resets between tests
    // dma-sweep: the firmware's rows; the model's per-transfer records are in the eDMA.
    std::vector<fw::functions::dma_sweep_row> sweep_rows;
    int sweep_status = 0;
    bool sweep_ran = false;
    // dma-mix: the firmware's rows (one per channel); the model's records are in the eDMA.
    std::vector<fw::functions::dma_mix_row> mix_rows;
    int mix_status = 0;
    bool mix_ran = false;
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
    // p2p
    p2p_result p2p;
    // A run stopped before the host software finished (sim.time_limit_us, sim.wall_limit_s,
    // SIGINT or SIGTERM): what stopped it, the one-line account of where, and pcitest's
    // progress (its completed tests become `tests`).
    bool interrupted = false; // by a signal
    std::string stopped_by;   // "sim.time_limit_us = 50", "SIGINT", ...
    std::string in_progress;  // the pcitest test running when it stopped, or ""
    std::string stop_message; // "the workload did not finish within ...: hung in ..."
    fw::host::pcitest_progress pcitest_progress;
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
// Endpoints a workload left without firmware (in a topology) run the plain test function.
void load_idle_endpoints(platform& p);
// The configuration a workload runs with: p2p without a `topology` gets the default p2p one.
void apply_workload_defaults(const std::string& workload, cfg::json& doc);
std::string format_p2p(const p2p_result& r);
const workload* find_workload(const std::string& name);

} // namespace epvp::tb

// Platform configuration: one JSON document with a complete default, overrides by --config FILE
// and --set key.path=VALUE, validated against the key table (config/keys.h); the typed view the
// platform is built from.
//
// Every key has a default that forms a realistic platform. Unknown keys, wrong types and
// out-of-range values are rejected with a config_error whose one-line message names the key path
// and the rule ("link.width = 3: must be one of 1, 2, 4, 8, 16"). A choice is an enum here; its
// spellings in the document are its choices<> table below. SystemC-free.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace epvp::cfg {

using json = nlohmann::ordered_json;

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The complete default configuration (what `epsim config --dump` prints).
json defaults();

// Parses JSON text; malformed text throws config_error naming the source, line and column, as
// do a key that appears twice in one object and nesting deeper than 64 objects and arrays.
json parse_text(const std::string& text, const std::string& source_name); // "config NAME: ..."
json parse_json(const std::string& text, const std::string& source);      // "SOURCE: ..."
// A file's text, at most 16 MiB (config_error "SOURCE: larger than 16 MiB ..." otherwise;
// "SOURCE: cannot open" when it cannot be opened).
std::string read_file(const std::string& path, const std::string& source);
json load_file(const std::string& path);

// Merges a user document over a base: objects merge key by key, everything else replaces.
// Keys the schema does not know are rejected (with their path).
void merge(json& base, const json& overlay);

// Applies one "a.b[2].c=VALUE" override. VALUE is read as JSON when it parses as JSON
// (numbers, true/false, arrays, quoted strings), otherwise as a plain string; numbers may also
// be written in hex (0x...). A path that does not exist in the schema is rejected.
void apply_set(json& cfg, const std::string& assignment);

// The document spelling of each value of a choice enum, indexed by the enum's value (the enums
// count from 0 in declaration order). A choice key lists these as its allowed values.
template <class E>
struct choices;
#define EPVP_CFG_CHOICES(E, ...)                                                                   \
    template <>                                                                                    \
    struct choices<E> {                                                                            \
        static constexpr const char* names[] = {__VA_ARGS__};                                      \
    }

template <class E>
std::string choice_name(E value) {
    return choices<E>::names[static_cast<std::size_t>(value)];
}
// False when `name` is not a spelling of E.
template <class E>
bool choice_from_name(const std::string& name, E& out) {
    std::size_t i = 0;
    for (const char* n : choices<E>::names) {
        if (name == n) {
            out = static_cast<E>(i);
            return true;
        }
        ++i;
    }
    return false;
}
template <class E>
std::vector<std::string> choice_names() {
    return {std::begin(choices<E>::names), std::end(choices<E>::names)};
}

// Synopsys DesignWare PCIe controller releases, oldest first (order is compared).
enum class dwc_version { v3_65a, v4_60a, v4_70a, v4_80a, v4_90a, v5_20a, v5_40a };
EPVP_CFG_CHOICES(dwc_version, "3.65a", "4.60a", "4.70a", "4.80a", "4.90a", "5.20a", "5.40a");
enum class bar_type { programmable, fixed, resizable, reserved };
EPVP_CFG_CHOICES(bar_type, "programmable", "fixed", "resizable", "reserved");
enum class miss_policy { passthrough, ur };
EPVP_CFG_CHOICES(miss_policy, "passthrough", "ur");
enum class stream_id_mode { fixed, requester_id };
EPVP_CFG_CHOICES(stream_id_mode, "fixed", "requester_id");
// Which iATU sits on the controller's data path: the model, the verilated dw_iatu
// (co-simulated), or the RTL on the data path checked against the model.
enum class iatu_impl { tlm, rtl, lockstep };
EPVP_CFG_CHOICES(iatu_impl, "tlm", "rtl", "lockstep");
// Who moves cmd-stream data: the EP CPU or the eDMA.
enum class cmd_mover { cpu, edma };
EPVP_CFG_CHOICES(cmd_mover, "cpu", "edma");
// The Linux pcitest and pci-epf-test modelled.
enum class pcitest_kernel { v6_18, next };
EPVP_CFG_CHOICES(pcitest_kernel, "6.18", "next");
// A direction on a link: toward the root complex, or toward the endpoint.
enum class link_direction { upstream, downstream };
EPVP_CFG_CHOICES(link_direction, "upstream", "downstream");
// Which TLPs with data a poison fault counts.
enum class poison_tlp { any, mwr, cpld };
EPVP_CFG_CHOICES(poison_tlp, "any", "mwr", "cpld");
// What runs the endpoint firmware: the native build in a SystemC thread behind the HAL, or the
// AArch64 ELF on the instruction-set simulator.
enum class cpu_kind { native, iss };
EPVP_CFG_CHOICES(cpu_kind, "native", "iss");

struct bar_cap {
    bar_type type = bar_type::programmable;
    std::uint64_t fixed_size = 0;
    bool only_64bit = false;
};

// How the link times DMA streams: one transaction per TLP, or per burst of TLPs with the same
// arithmetic (docs/link-timing.md).
enum class link_timing { tlp, burst };
EPVP_CFG_CHOICES(link_timing, "tlp", "burst");

struct sim_config {
    std::uint64_t seed;
    link_timing timing; // sim.link_timing
    std::uint64_t quantum_ns;
    std::uint64_t time_limit_us; // simulated time after which a run is stopped as hung
    std::uint64_t wall_limit_s;  // wall-clock time after which a run is stopped (0: none)
};

// Receive-buffer credits one side advertises (0 = infinite).
struct credit_config {
    unsigned posted_header, posted_data;
    unsigned nonposted_header, nonposted_data;
    unsigned completion_header, completion_data; // data in 16-byte units
};

struct link_config {
    unsigned gen;   // 1..6
    unsigned width; // 1, 2, 4, 8, 16
    unsigned mps;   // bytes
    unsigned mrrs;  // bytes
    std::uint64_t training_us;
    std::uint64_t propagation_ns;
    bool ecrc;
    unsigned rcb;  // root complex read completion boundary, bytes
    unsigned tags; // outstanding non-posted requests per requester
    bool dllp;     // charge ACK/UpdateFC DLLPs on the reverse direction
    credit_config host_credits, ep_credits;
    std::uint64_t replay_buffer_bytes; // Data Link Layer replay buffer
    std::uint64_t ack_latency_ns;      // 0 = Base Spec table 3-7
    std::uint64_t replay_timer_ns;     // 0 = 3 x ACK latency
    std::uint64_t retrain_ns;          // Recovery after a REPLAY_NUM rollover
};

struct iatu_config {
    unsigned outbound_windows;
    unsigned inbound_windows;
    std::uint64_t region_align;
    std::uint64_t region_limit;
    miss_policy miss;
    iatu_impl impl;
    std::uint64_t rtl_clock_period_ps; // the RTL island's clock
};

struct dwc_config {
    dwc_version version;
    std::uint32_t version_number; // PCIE_VERSION_NUMBER value, e.g. 0x3437302a for 4.70a
    std::uint64_t dbi_access_ns;  // latency of a DBI / glue register access
    unsigned datapath_bits;       // core datapath width: a TLP takes ceil(bytes / width) clocks
    std::uint64_t core_clock_mhz;
    unsigned edma_write_channels, edma_read_channels;
    unsigned edma_axi_burst_bytes, edma_axi_outstanding_reads, edma_staging_buffer_bytes;
    unsigned edma_rd_outstanding_mrd; // per read channel; 0: the controller's tags alone
    std::uint64_t completion_timeout_us;
    stream_id_mode stream_mode; // the AXI master's SMMU StreamID: stream_id, or the requester ID
    std::uint32_t stream_id;
    iatu_config iatu;
    std::array<bar_cap, 6> bars;
};

struct test_function_config {
    std::array<std::uint64_t, 6> bar_sizes; // 0 = BAR not used by the function
    unsigned msi_vectors;
    unsigned msix_vectors;
    std::uint16_t vendor_id;
    std::uint16_t device_id;
    std::uint64_t poll_interval_us;
    std::uint64_t init_delay_us; // firmware work after link-up before config requests are served
    int unmapped_bar;            // -1 or a BAR enabled without its inbound window (a fault)
};

struct cmd_function_config {
    unsigned concurrency;
    cmd_mover mover;
    unsigned pages_per_command, page_bytes, commands, queue_depth, write_percent;
    std::uint64_t poll_ns;
};

struct iova_function_config {
    unsigned buffers; // scattered 4 KiB DRAM buffers behind BAR0
};

struct function_config {
    test_function_config test;
    cmd_function_config cmd;
    iova_function_config iova;
    std::uint64_t max_map_bytes; // the DWC driver's cap on one outbound mapping
};

struct smmu_config {
    bool enabled;
    unsigned tlb_entries, walk_cache_entries;
    std::uint64_t tlb_hit_ns, walk_step_ns, command_ns, sync_ns;
    unsigned cmdq_max_log2, evtq_max_log2;
};

struct dram_config {
    std::uint64_t base;
    std::uint64_t size_bytes;
    std::uint64_t latency_ns;
    bool ideal; // zero latency, unlimited bandwidth (link studies)
    unsigned channels, banks;
    std::uint64_t row_bytes, interleave_bytes, burst_bytes, channel_bandwidth_MBps;
    std::uint64_t trcd_ps, trp_ps, tcl_ps, tras_ps, twr_ps, trfc_ps, trefi_ps;
};

struct mc_config {
    std::uint64_t irq_window_base, irq_window_bytes;
    unsigned irq_window_fifo_depth;
    std::uint64_t irq_window_latency_ns; // per access (the controller's front end)
};

struct host_config {
    std::uint64_t mem_base; // host memory is [mem_base, mem_base + mem_size_bytes)
    std::uint64_t mem_size_bytes;
    std::uint64_t read_latency_ns;
    std::uint64_t write_absorb_ns;
    std::uint64_t test_timeout_us;
    std::uint64_t crs_retry_us;
    std::uint64_t ecam_base;
    std::uint64_t mmio32_base;
    std::uint64_t mmio32_size;
    std::uint64_t mmio64_base;
    std::uint64_t mmio64_size;
    unsigned mmio_access_bytes;     // largest single MMIO load/store the host CPU issues
    std::uint64_t msi_base;         // MSI doorbell page; the MSI controller's registers follow
    bool pcitest_msix_sample;       // sample the MSI-X vectors instead of testing all
    pcitest_kernel pcitest_version; // the Linux pcitest and pci-epf-test modelled
    // Resets: how long the host holds Secondary Bus Reset, and waits after initiating an FLR
    // before touching the function again (PCIe: 100 ms).
    std::uint64_t sbr_hold_us, flr_wait_ms;
    // Peer-to-peer at the root complex: route a request from one root port down another; send
    // an ACS-redirected request back down the root port it came in by (else route-to-self UR).
    bool p2p_between_root_ports, p2p_reflect;
    std::uint64_t p2p_forward_latency_ns;
    // The host bridge's identity (00:00.0), what the p2pdma whitelist reads.
    std::uint16_t bridge_vendor_id, bridge_device_id;
};

struct aperture_config {
    std::uint64_t base;
    std::uint64_t size;
    std::uint64_t page_size;
};

struct board_config {
    std::uint64_t dbi_base;
    std::uint64_t atu_size; // what the board description claims for the unrolled iATU space
    std::uint64_t app_base;
    std::uint64_t smmu_base; // SMMUv3 register pages (128 KiB)
    aperture_config aperture;
    bool intx_capable; // the glue driver's pci_epc_features.intx_capable
};

struct cpu_config {
    std::uint64_t clock_mhz;
    unsigned mmio_access_bytes;         // largest single load/store the EP CPU issues
    std::uint64_t irq_entry_cycles;     // cost of taking an interrupt
    std::uint64_t copy_cycles_per_byte; // CPU memcpy in local memory
    std::uint64_t crc_cycles_per_byte;  // CRC32 in software
    cpu_kind kind;         // native: firmware in a SystemC thread; iss: the ELF on an ISS
    std::uint64_t iss_cpi; // cpu.kind = iss: cycles per instruction
    std::string elf;       // cpu.kind = iss: the firmware ELF ("$ORIGIN/...": epsim's directory)
};

struct dma_sweep_config {
    std::uint64_t min_bytes, max_bytes, factor;
    bool read, write;
    std::uint64_t offset_bytes;
    std::uint64_t repeat_bytes;  // a row repeats its transfer until it moved this much
    unsigned max_repeats;        // transfers per row at most
    std::uint64_t element_bytes; // the eDMA driver's linked-list data element (0: its own)
};

struct dma_mix_config {
    unsigned write_channels, read_channels;
    std::uint64_t size_bytes;                  // per channel
    std::uint64_t write_weights, read_weights; // channel n at bits [5n+4:5n]
};

struct iotlb_sweep_config {
    std::uint64_t min_set_bytes, max_set_bytes; // working sets: powers of two in between
    unsigned reads, read_bytes;                 // random host reads per working set
};

// Workload p2p: which enumerated endpoints (bus order) are the provider and the client, the
// provider's BAR range published as p2p memory, and the variants.
enum class p2p_target { peer, self };
EPVP_CFG_CHOICES(p2p_target, "peer", "self");
struct p2p_workload_config {
    unsigned provider, client;
    unsigned bar;
    std::uint64_t offset_bytes; // start of the published range in the BAR
    std::uint64_t bytes;        // one transfer each way
    bool acs_redirect;          // the host sets P2P Request/Completion Redirect on switch DSPs
    bool force;                 // DMA even when the orchestrator says "not supported"
    p2p_target target;          // self: the client's DMA targets its own BAR (route-to-self)
};

struct workload_config {
    dma_sweep_config dma_sweep;
    dma_mix_config dma_mix;
    iotlb_sweep_config iotlb_sweep;
    p2p_workload_config p2p;
};

struct faults_config {
    std::uint64_t seed;
    std::uint64_t completion_timeout_nth_read, ur_nth_read, ca_nth_read; // 0 = off
    double lcrc_error_rate, dllp_error_rate; // per TLP transmission / per NAK
    std::uint64_t lcrc_nth_tlp;              // 0 = off
    link_direction lcrc_direction;           // direction the Nth TLP is counted in
    unsigned lcrc_count;                     // failed transmissions of that TLP in a row
    std::uint64_t link_down_at_us;           // 0 = off
    std::uint64_t link_down_duration_us;
    // Poisoned TLPs (EP bit): the Nth TLP with data of a direction and type, or a rate.
    std::uint64_t poison_nth_tlp; // 0 = off
    double poison_rate;
    link_direction poison_direction; // direction the TLPs are counted in
    poison_tlp poison_type;
    // Resets the host initiates before the Nth pcitest test (1-based; 0 = off).
    std::uint64_t hot_reset_before_test, flr_before_test;
};

// A Verilated AXI4 subordinate placed on the endpoint SoC's interconnect (soc.rtl_slaves[i]).
struct rtl_slave_config {
    std::string block;           // the name its plugin registered
    std::uint64_t base = 0;      // [base, base + size) on the interconnect
    std::uint64_t size = 0;      // bytes
    std::uint64_t clock_mhz = 0; // the block's own clock
};
struct soc_config {
    std::vector<rtl_slave_config> rtl_slaves;
};

// The PCIe tree (key `topology`, optional: without it the platform is one endpoint on one root
// port). A parent is "root" (port = root port index) or a switch's name (port = its downstream
// port index); switches are listed after their parent.
struct topology_switch_config {
    std::string name, parent;
    unsigned port;
    unsigned downstream_ports;
    std::uint64_t forward_latency_ns;
};
struct topology_endpoint_config {
    std::string name, parent;
    unsigned port;
};
struct topology_config {
    unsigned root_ports = 1;
    std::vector<topology_switch_config> switches;
    std::vector<topology_endpoint_config> endpoints; // empty: no topology given
};

struct platform_config {
    sim_config sim;
    link_config link;
    dwc_config dwc;
    function_config function;
    smmu_config smmu;
    dram_config dram;
    mc_config mc;
    host_config host;
    board_config board;
    cpu_config cpu;
    workload_config workload;
    faults_config faults;
    soc_config soc;
    topology_config topology;
    // One per topology.endpoints[i]: this configuration with the endpoint's link, dwc, smmu,
    // dram and function overrides applied (validated like the whole document).
    std::vector<platform_config> endpoint_configs;
    // The validated values of keys registered at run time (register_key in config/keys.h, e.g.
    // a plugin's function.<name>.*), by key path; a key absent from the document has its default.
    std::map<std::string, nlohmann::ordered_json> registered;
};

// The default peer-to-peer topology (workload p2p without a `topology`): a switch with two
// downstream ports below root port 0, the provider on port 0 (BAR4 4 MiB), the client on port 1.
json default_p2p_topology();

// Validates the whole document (types, ranges, cross-key rules) and returns the typed view.
platform_config parse(const json& cfg);

} // namespace epvp::cfg

// The built-in configuration keys, declared once each, per area: path, default, rule or allowed
// values, unit, one-sentence meaning and the platform_config field the value fills.
//
// The order of the rows is the order of `epsim config --dump` and `epsim config --describe`
// (an object's keys in the order they first appear).
#include "testbench/config/declarations.h"

#include "testbench/config/keys.h"

// Set by the build (firmware/CMakeLists.txt); builds of the key table alone (fuzzing) use this.
#ifndef EPVP_FIRMWARE_ELF_FROM_EPSIM
#define EPVP_FIRMWARE_ELF_FROM_EPSIM "firmware-aarch64/epvp-firmware.elf"
#endif

namespace epvp::cfg {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
constexpr std::uint64_t GiB = 1024 * MiB;
constexpr std::uint64_t TiB = 1024 * GiB;

constexpr std::uint64_t pow2(unsigned n) {
    return std::uint64_t{1} << n;
}

template <class Field>
key_def u(std::string path, Field f, std::uint64_t def, rule r, std::string meaning,
          std::string unit = "") {
    return bound(uint_key(std::move(path), def, std::move(r), std::move(meaning), std::move(unit)),
                 f);
}
template <class Field>
key_def b(std::string path, Field f, bool def, std::string meaning) {
    return bound(bool_key(std::move(path), def, std::move(meaning)), f);
}
template <class Field, class E>
key_def c(std::string path, Field f, E def, std::string meaning) {
    return bound(choice_key(std::move(path), def, std::move(meaning)), f);
}
template <class Field>
key_def r(std::string path, Field f, double def, double min, double max, std::string meaning,
          std::string unit = "") {
    return bound(real_key(std::move(path), def, min, max, std::move(meaning), std::move(unit)), f);
}

#define F EPVP_CFG_FIELD

void sim_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("sim.seed", F(sim.seed), 1, in_range(0, pow2(63)),
              "Seed of the simulation's pseudo-random choices (same seed and configuration: same "
              "results)."),
            u("sim.quantum_ns", F(sim.quantum_ns), 1000, in_range(10, 10000),
              "TLM-2.0 global quantum of the loosely timed initiators: a simulator setting. Within "
              "this range DMA, link, SMMU and DRAM results stay the same (test_quantum: link and "
              "DRAM counters identical, DMA throughput within the report's 0.1 % rounding), but "
              "for software polling: a span it measures around a polling loop moves by at most a "
              "quantum per polling CPU, and the count of its polls (and so of their link, SMMU "
              "and DRAM accesses) by one or so (docs/performance.md)."),
            u("sim.time_limit_us", F(sim.time_limit_us), 60000000, in_range(1, 3600000000),
              "Simulated time after which a run is stopped as hung."),
            u("sim.wall_limit_s", F(sim.wall_limit_s), 0, in_range(0, 604800),
              "Wall-clock seconds after which a run is stopped as hung (0: no limit; up to a "
              "week)."),
            c("sim.link_timing", F(sim.timing), link_timing::tlp,
              "How the link times eDMA streams: tlp, one transaction per TLP; burst, one per "
              "burst of TLPs with the same per-TLP arithmetic (faster; refuses the faults and "
              "topologies that need single TLPs; docs/link-timing.md)."),
        });
}

// The credits one side advertises: the two sides differ only in their field and defaults.
void credit_keys(std::vector<key_def>& t, const std::string& side,
                 credit_config link_config::*credits, const credit_config& d) {
    const std::string base = "link.credits." + side + ".";
    const std::string who = side == "host" ? "root port" : "endpoint";
    auto field = [credits](unsigned credit_config::*member) {
        return [credits, member](platform_config& p, std::size_t) -> unsigned& {
            credit_config& c = p.link.*credits;
            return c.*member;
        };
    };
    const std::string inf = " (0: infinite).";
    t.insert(t.end(),
             {
                 u(base + "posted_header", field(&credit_config::posted_header), d.posted_header,
                   in_range(0, 255), "Posted header credits the " + who + " advertises" + inf,
                   "credits"),
                 u(base + "posted_data", field(&credit_config::posted_data), d.posted_data,
                   in_range(0, 4095),
                   "Posted data credits the " + who +
                       " advertises (0: infinite; else at least link.mps / 16).",
                   "16-byte credits"),
                 u(base + "nonposted_header", field(&credit_config::nonposted_header),
                   d.nonposted_header, in_range(0, 255),
                   "Non-posted header credits the " + who + " advertises" + inf, "credits"),
                 u(base + "nonposted_data", field(&credit_config::nonposted_data), d.nonposted_data,
                   in_range(0, 4095), "Non-posted data credits the " + who + " advertises" + inf,
                   "16-byte credits"),
                 u(base + "completion_header", field(&credit_config::completion_header),
                   d.completion_header, in_range(0, 255),
                   "Completion header credits the " + who + " advertises" + inf, "credits"),
                 u(base + "completion_data", field(&credit_config::completion_data),
                   d.completion_data, in_range(0, 4095),
                   "Completion data credits the " + who +
                       " advertises (0: infinite; else at least min(link.mps, link.mrrs) / 16).",
                   "16-byte credits"),
             });
}

void link_keys(std::vector<key_def>& t) {
    const rule payload = one_of({128, 256, 512, 1024, 2048, 4096});
    t.insert(
        t.end(),
        {
            u("link.gen", F(link.gen), 3, in_range(1, 6),
              "PCIe generation of the link (1: 2.5 GT/s ... 6: 64 GT/s).", "generation"),
            u("link.width", F(link.width), 4, one_of({1, 2, 4, 8, 16}), "Lanes of the link.",
              "lanes"),
            u("link.mps", F(link.mps), 256, payload,
              "Max_Payload_Size: the largest TLP payload either side sends.", "bytes"),
            u("link.mrrs", F(link.mrrs), 512, payload,
              "Max_Read_Request_Size: the largest read request the endpoint issues.", "bytes"),
            u("link.training_us", F(link.training_us), 20, in_range(0, 1000000),
              "Time link training takes before the link is up."),
            u("link.propagation_ns", F(link.propagation_ns), 10, in_range(0, 1000000),
              "Flight time of a TLP or DLLP over the link."),
            b("link.ecrc", F(link.ecrc), false, "Every TLP carries an ECRC digest (4 more bytes)."),
            u("link.rcb", F(link.rcb), 64, one_of({64, 128}),
              "Read Completion Boundary of the root complex's completions.", "bytes"),
            u("link.tags", F(link.tags), 32, in_range(1, 768),
              "Outstanding non-posted requests per requester (tags).", "tags"),
            b("link.dllp", F(link.dllp), true,
              "Charge ACK and UpdateFC DLLPs on the reverse direction of the link."),
            u("link.replay_buffer_bytes", F(link.replay_buffer_bytes), 32768,
              in_range(256, 16 * MiB),
              "Data Link Layer replay buffer: wire bytes held until they are ACKed."),
            u("link.ack_latency_ns", F(link.ack_latency_ns), 0, in_range(0, 1000000),
              "ACK latency, also the interval of the ACK and UpdateFC DLLPs a receiver sends (0: "
              "PCIe Base Spec tables 3-7..3-9 for the rate, width and MPS)."),
            u("link.replay_timer_ns", F(link.replay_timer_ns), 0, in_range(0, 10000000),
              "Replay timer of the Data Link Layer (0: 3 x the ACK latency)."),
            u("link.retrain_ns", F(link.retrain_ns), 2000, in_range(0, 100000000),
              "Time a retrain (Recovery after a REPLAY_NUM rollover) blocks the link."),
        });
    credit_keys(t, "host", &link_config::host_credits, {64, 1024, 64, 64, 0, 0});
    credit_keys(t, "ep", &link_config::ep_credits, {32, 512, 32, 32, 0, 0});
}

void dwc_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            c("dwc.version", F(dwc.version), dwc_version::v5_40a,
              "DesignWare PCIe controller release (sets the register layout and "
              "PCIE_VERSION_NUMBER)."),
            u("dwc.dbi_access_ns", F(dwc.dbi_access_ns), 40, in_range(0, 100000),
              "Latency of one DBI or glue register access."),
            u("dwc.datapath_bits", F(dwc.datapath_bits), 256, one_of({64, 128, 256, 512}),
              "Core datapath width: a TLP takes ceil(bytes / width) core clocks.", "bits"),
            u("dwc.core_clock_mhz", F(dwc.core_clock_mhz), 500, in_range(62, 4000),
              "Controller core clock.", "MHz"),
            u("dwc.completion_timeout_us", F(dwc.completion_timeout_us), 10000,
              in_range(1, 10000000), "The endpoint's completion timeout for its own reads."),
            // fixed: default 0x5b, Tegra194's TEGRA194_SID_PCIE5 for its C5 endpoint controller
            // (Linux include/dt-bindings/memory/tegra194-mc.h). 0..0xFFFF: SMMU IDR1.SIDSIZE is 16.
            c("dwc.stream_id_mode", F(dwc.stream_mode), stream_id_mode::fixed,
              "SMMU StreamID of the controller's AXI master requests: dwc.stream_id (fixed) or the "
              "function's requester ID (0 before enumeration)."),
            u("dwc.stream_id", F(dwc.stream_id), 0x5b, in_range(0, 0xFFFF),
              "StreamID the SoC integration gives the controller when dwc.stream_id_mode is "
              "fixed."),
            u("dwc.edma.write_channels", F(dwc.edma_write_channels), 4, in_range(0, 8),
              "eDMA write (local to PCIe) channels.", "channels"),
            u("dwc.edma.read_channels", F(dwc.edma_read_channels), 4, in_range(0, 8),
              "eDMA read (PCIe to local) channels.", "channels"),
            u("dwc.edma.axi_burst_bytes", F(dwc.edma_axi_burst_bytes), 4096, power_of_two(1, 4096),
              "Bytes of one local AXI read burst of an eDMA write channel (never across 4 KiB)."),
            u("dwc.edma.axi_outstanding_reads", F(dwc.edma_axi_outstanding_reads), 4,
              in_range(1, 65536), "AXI reads in flight per eDMA write channel.", "reads"),
            u("dwc.edma.staging_buffer_bytes", F(dwc.edma_staging_buffer_bytes), 16384,
              in_range(4097, 1ull << 30),
              "Staging buffer between AXI bursts and MWr TLPs per eDMA write channel (at least one "
              "burst + 4096)."),
            u("dwc.edma.rd_outstanding_mrd", F(dwc.edma_rd_outstanding_mrd), 0, in_range(0, 1024),
              "MRds in flight per eDMA read channel (0: only the controller's tags, shared by all "
              "read channels, bound them).",
              "requests"),
            u("dwc.iatu.outbound_windows", F(dwc.iatu.outbound_windows), 8, in_range(1, 256),
              "Outbound iATU regions.", "regions"),
            u("dwc.iatu.inbound_windows", F(dwc.iatu.inbound_windows), 8, in_range(1, 256),
              "Inbound iATU regions.", "regions"),
            u("dwc.iatu.region_align", F(dwc.iatu.region_align), 4096, power_of_two(4096, 65536),
              "Alignment (minimum size) of an iATU region.", "bytes"),
            u("dwc.iatu.region_limit", F(dwc.iatu.region_limit), TiB,
              power_of_two(4 * GiB, pow2(63)),
              "Largest iATU region (4 GiB for releases without UPPER_LIMIT).", "bytes"),
            c("dwc.iatu.miss_policy", F(dwc.iatu.miss), miss_policy::passthrough,
              "What an inbound TLP that no iATU region matches does: pass untranslated, or UR."),
            c("dwc.iatu.impl", F(dwc.iatu.impl), iatu_impl::tlm,
              "Which iATU is on the data path: the model, the co-simulated RTL, or the RTL checked "
              "against the model (lockstep)."),
            u("dwc.iatu.rtl_clock_period_ps", F(dwc.iatu.rtl_clock_period_ps), 1000,
              in_range(100, 1000000), "Clock period of the RTL iATU island."),
            object_array_key(
                "dwc.bars", 6,
                {
                    c("type", F(dwc.bars[i].type), bar_type::programmable,
                      "What the BAR is in hardware: sized by firmware, fixed, resizable or "
                      "reserved."),
                    u("fixed_size", F(dwc.bars[i].fixed_size), 0, in_range(0, pow2(63)),
                      "Size of a fixed BAR (0 for the other types).", "bytes"),
                    b("only_64bit", F(dwc.bars[i].only_64bit), false,
                      "The BAR is 64-bit only (an even BAR; the next one is reserved)."),
                },
                "The controller's six BARs."),
        });
}

void function_keys(std::vector<key_def>& t) {
    // unmapped_bar: "none" is -1, "0".."5" the BAR.
    key_def unmapped =
        choice_key("function.test.unmapped_bar", "none", {"none", "0", "1", "2", "3", "4", "5"},
                   "Firmware bring-up fault: enable this BAR without its inbound window.");
    unmapped.bind = [](platform_config& p, const nlohmann::ordered_json& v, std::size_t) {
        const std::string s = v.get<std::string>();
        p.function.test.unmapped_bar = s == "none" ? -1 : s[0] - '0';
    };
    t.insert(
        t.end(),
        {
            bound(uint_array_key(
                      "function.test.bar_sizes",
                      {0, 128 * KiB, 128 * KiB, 128 * KiB, 128 * KiB, 1 * MiB},
                      zero_or_power_of_two(128, pow2(40)),
                      "Sizes of BAR0..5 for pci-epf-test (0: unused; the test register BAR "
                      "is sized by the function: 0).",
                      "bytes"),
                  F(function.test.bar_sizes)),
            u("function.test.msi_vectors", F(function.test.msi_vectors), 32, in_range(1, 32),
              "MSI vectors the test function asks for.", "vectors"),
            u("function.test.msix_vectors", F(function.test.msix_vectors), 2048, in_range(1, 2048),
              "MSI-X vectors the test function asks for.", "vectors"),
            u("function.test.vendor_id", F(function.test.vendor_id), 0x16c3, in_range(0, 0xffff),
              "Vendor ID of the test function."),
            u("function.test.device_id", F(function.test.device_id), 0xedda, in_range(0, 0xffff),
              "Device ID of the test function."),
            u("function.test.poll_interval_us", F(function.test.poll_interval_us), 1000,
              in_range(1, 1000000), "How often the test function polls its command register."),
            u("function.test.init_delay_us", F(function.test.init_delay_us), 200,
              in_range(0, 10000000),
              "Firmware work after link-up before configuration requests are served."),
            unmapped,
            u("function.iova.buffers", F(function.iova.buffers), 64, in_range(1, 4096),
              "Workload iova: scattered 4 KiB DRAM buffers the function maps behind BAR0.",
              "buffers"),
            u("function.max_map_bytes", F(function.max_map_bytes), 1 * MiB,
              power_of_two(4096, pow2(30)), "The DWC driver's cap on one outbound mapping."),
            u("function.cmd.concurrency", F(function.cmd.concurrency), 4, in_range(1, 64),
              "Workload cmd-stream: commands the function works on at a time.", "commands"),
            c("function.cmd.mover", F(function.cmd.mover), cmd_mover::cpu,
              "Workload cmd-stream: who moves the data, the EP CPU or the eDMA."),
            u("function.cmd.pages_per_command", F(function.cmd.pages_per_command), 8,
              in_range(1, 64), "Workload cmd-stream: pages one command moves.", "pages"),
            u("function.cmd.page_bytes", F(function.cmd.page_bytes), 4096, power_of_two(512, 65536),
              "Workload cmd-stream: bytes of one page."),
            u("function.cmd.commands", F(function.cmd.commands), 256, in_range(1, 1000000),
              "Workload cmd-stream: commands the host submits.", "commands"),
            u("function.cmd.queue_depth", F(function.cmd.queue_depth), 32, in_range(1, 256),
              "Workload cmd-stream: entries of the submission queue.", "entries"),
            u("function.cmd.write_percent", F(function.cmd.write_percent), 50, in_range(0, 100),
              "Workload cmd-stream: share of commands that are writes.", "%"),
            u("function.cmd.poll_ns", F(function.cmd.poll_ns), 500, in_range(1, 1000000),
              "Workload cmd-stream: how often the function polls the submission queue."),
        });
}

void smmu_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            b("smmu.enabled", F(smmu.enabled), true,
              "An SMMU sits between the controller's AXI master and DRAM."),
            u("smmu.tlb_entries", F(smmu.tlb_entries), 64, in_range(1, 65536),
              "Entries of the SMMU TLB.", "entries"),
            u("smmu.walk_cache_entries", F(smmu.walk_cache_entries), 16, in_range(0, 65536),
              "Entries of the SMMU table-walk cache.", "entries"),
            u("smmu.tlb_hit_ns", F(smmu.tlb_hit_ns), 2, in_range(0, 10000),
              "Time of a translation that hits the TLB."),
            u("smmu.walk_step_ns", F(smmu.walk_step_ns), 4, in_range(0, 10000),
              "Walker work per level on top of the descriptor read through the memory controller."),
            u("smmu.command_ns", F(smmu.command_ns), 20, in_range(0, 100000),
              "Time the SMMU takes for one command-queue command."),
            u("smmu.sync_ns", F(smmu.sync_ns), 200, in_range(0, 1000000),
              "Time the SMMU takes for a CMD_SYNC."),
            u("smmu.cmdq_max_log2", F(smmu.cmdq_max_log2), 8, in_range(1, 19),
              "log2 of the largest command queue (IDR1.CMDQS).", "log2 entries"),
            u("smmu.evtq_max_log2", F(smmu.evtq_max_log2), 7, in_range(1, 19),
              "log2 of the largest event queue (IDR1.EVENTQS).", "log2 entries"),
        });
}

void dram_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("dram.base", F(dram.base), 0x80000000, multiple_of(4096, 0, pow2(48)),
              "Address of the SoC's DRAM.", "address"),
            u("dram.size_bytes", F(dram.size_bytes), 1 * GiB, power_of_two(1 * MiB, pow2(36)),
              "Size of the SoC's DRAM."),
            u("dram.latency_ns", F(dram.latency_ns), 60, in_range(0, 100000),
              "Front-end latency (interconnect and controller) before the DRAM timing."),
            u("dram.channels", F(dram.channels), 2, in_range(1, 8), "DRAM channels.", "channels"),
            u("dram.banks", F(dram.banks), 16, one_of({4, 8, 16, 32}), "Banks per channel.",
              "banks"),
            u("dram.row_bytes", F(dram.row_bytes), 2048, power_of_two(512, 16384),
              "Bytes of one DRAM row (page)."),
            u("dram.interleave_bytes", F(dram.interleave_bytes), 256, power_of_two(64, 65536),
              "Bytes after which consecutive addresses move to the next channel."),
            u("dram.channel_bandwidth_MBps", F(dram.channel_bandwidth_MBps), 12800,
              in_range(100, 1000000), "Bandwidth of one channel (LPDDR5-6400 x16: 12800)."),
            u("dram.trcd_ps", F(dram.trcd_ps), 18000, in_range(0, 1000000),
              "tRCD: activate to read or write."),
            u("dram.trp_ps", F(dram.trp_ps), 18000, in_range(0, 1000000), "tRP: precharge."),
            u("dram.tcl_ps", F(dram.tcl_ps), 21250, in_range(0, 1000000), "tCL: CAS latency."),
            u("dram.tras_ps", F(dram.tras_ps), 42000, in_range(0, 1000000),
              "tRAS: activate to precharge."),
            u("dram.twr_ps", F(dram.twr_ps), 34000, in_range(0, 1000000),
              "tWR: end of a write burst to precharge of its bank (LPDDR5: 34 ns)."),
            u("dram.burst_bytes", F(dram.burst_bytes), 32, power_of_two(4, 64),
              "Bytes of one column access (data width x burst length; LPDDR5 x16 with 16n "
              "prefetch: 32): an access moves every burst it touches."),
            u("dram.trfc_ps", F(dram.trfc_ps), 210000, in_range(0, 10000000),
              "tRFC: one all-bank refresh; 0: no refresh (tRFC + tRCD + tCL below "
              "dram.trefi_ps)."),
            u("dram.trefi_ps", F(dram.trefi_ps), 3900000, in_range(1000, 100000000),
              "tREFI: refresh interval."),
            b("dram.ideal", F(dram.ideal), false,
              "Zero latency and unlimited bandwidth (for link studies)."),
        });
}

void mc_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("mc.irq_window.base", F(mc.irq_window_base), 0, multiple_of(4096),
              "DRAM addresses the memory controller turns into EP CPU interrupts (0: the last "
              "size_bytes of DRAM).",
              "address"),
            u("mc.irq_window.size_bytes", F(mc.irq_window_bytes), 4096, power_of_two(4096, 1 * MiB),
              "Size of the interrupt-generation window (nothing is stored there)."),
            u("mc.irq_window.fifo_depth", F(mc.irq_window_fifo_depth), 64, in_range(1, 65536),
              "Interrupt writes the window queues for the EP CPU.", "entries"),
            u("mc.irq_window.latency_ns", F(mc.irq_window_latency_ns), 60, in_range(0, 100000),
              "What one access to the window costs (the controller's front end, no DRAM access)."),
        });
}

void host_keys(std::vector<key_def>& t) {
    constexpr std::uint64_t ecam_region_size = 256 * MiB;
    t.insert(
        t.end(),
        {
            u("host.mem_base", F(host.mem_base), 4 * GiB, multiple_of(1 * MiB),
              "Address of host memory.", "address"),
            u("host.mem_size_bytes", F(host.mem_size_bytes), 4 * GiB,
              power_of_two(16 * MiB, pow2(40)), "Size of host memory."),
            u("host.read_latency_ns", F(host.read_latency_ns), 500, in_range(0, 1000000),
              "Time the root complex takes to answer a read of host memory."),
            u("host.write_absorb_ns", F(host.write_absorb_ns), 100, in_range(0, 1000000),
              "Time the root complex needs to absorb a posted write before it returns its "
              "credits."),
            u("host.test_timeout_us", F(host.test_timeout_us), 1000000, in_range(1, 3600000000),
              "How long a host test waits for the endpoint before it fails."),
            u("host.crs_retry_us", F(host.crs_retry_us), 100, in_range(1, 1000000),
              "How long the host waits before retrying a configuration request answered with CRS."),
            u("host.sbr_hold_us", F(host.sbr_hold_us), 2000, in_range(1, 1000000),
              "How long the host holds Secondary Bus Reset."),
            u("host.flr_wait_ms", F(host.flr_wait_ms), 100, in_range(1, 10000),
              "How long the host waits after an FLR before touching the function (PCIe: 100 ms)."),
            u("host.ecam_base", F(host.ecam_base), 0x2000000000, multiple_of(ecam_region_size),
              "Address of the 256 MiB ECAM configuration window.", "address"),
            u("host.mmio32_base", F(host.mmio32_base), 0xC0000000, multiple_of(1 * MiB),
              "Address of the 32-bit MMIO window BARs are assigned from.", "address"),
            u("host.mmio32_size", F(host.mmio32_size), 512 * MiB,
              multiple_of(1 * MiB, 1 * MiB, 4 * GiB), "Size of the 32-bit MMIO window.", "bytes"),
            u("host.mmio64_base", F(host.mmio64_base), 0x4000000000, multiple_of(1 * MiB),
              "Address of the 64-bit MMIO window BARs are assigned from.", "address"),
            u("host.mmio64_size", F(host.mmio64_size), 256 * GiB, multiple_of(1 * MiB),
              "Size of the 64-bit MMIO window.", "bytes"),
            u("host.msi_base", F(host.msi_base), 0xFEE00000, multiple_of(8192),
              "MSI target: the doorbell page the root complex decodes, then its registers.",
              "address"),
        });
}

void board_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("board.dbi_base", F(board.dbi_base), 0x40000000, multiple_of(4 * MiB),
              "Address of the controller's DBI space on the EP CPU's bus.", "address"),
            u("board.atu_size", F(board.atu_size), 128 * KiB, multiple_of(512, 512, 0x80000),
              "What the board description claims for the unrolled iATU space.", "bytes"),
            u("board.app_base", F(board.app_base), 0x41000000, multiple_of(4096),
              "Address of the controller's glue (app) registers.", "address"),
            u("board.smmu_base", F(board.smmu_base), 0x41100000, multiple_of(64 * KiB),
              "Address of the SMMUv3 register pages (128 KiB).", "address"),
            b("board.intx_capable", F(board.intx_capable), true,
              "The SoC's endpoint can raise INTx (Linux pci_epc_features.intx_capable of its glue "
              "driver): false makes the firmware refuse INTx and leave CAP_INTX clear; pcitest's "
              "INTx test, which does not look at CAP_INTX, then fails with a timeout, as on the "
              "SoC (RK3588: pcie-dw-rockchip.c)."),
            u("board.aperture.base", F(board.aperture.base), 0x60000000, any_value(),
              "Address of the outbound aperture (a multiple of board.aperture.page_size).",
              "address"),
            u("board.aperture.size", F(board.aperture.size), 0x10000000,
              power_of_two(65536, pow2(40)), "Size of the outbound aperture.", "bytes"),
            u("board.aperture.page_size", F(board.aperture.page_size), 0,
              zero_or_power_of_two(4096, 1 * MiB),
              "Allocation granule of the outbound aperture (0: dwc.iatu.region_align).", "bytes"),
        });
}

void cpu_keys(std::vector<key_def>& t) {
    t.insert(t.end(), {
                          u("cpu.clock_mhz", F(cpu.clock_mhz), 1000, in_range(1, 10000),
                            "EP CPU clock.", "MHz"),
                      });
}

void workload_sweep_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("workload.iotlb_sweep.min_set_bytes", F(workload.iotlb_sweep.min_set_bytes), 64 * KiB,
              power_of_two(4 * KiB, 1 * GiB), "Workload iotlb-sweep: the smallest working set."),
            u("workload.iotlb_sweep.max_set_bytes", F(workload.iotlb_sweep.max_set_bytes), 64 * MiB,
              power_of_two(4 * KiB, 1 * GiB), "Workload iotlb-sweep: the largest working set."),
            u("workload.iotlb_sweep.reads", F(workload.iotlb_sweep.reads), 2000,
              in_range(1, 10000000), "Workload iotlb-sweep: random host reads per working set.",
              "reads"),
            u("workload.iotlb_sweep.read_bytes", F(workload.iotlb_sweep.read_bytes), 8,
              one_of({1, 2, 4, 8, 16, 32, 64, 128}), "Workload iotlb-sweep: bytes of one read."),
            u("workload.dma_sweep.min_bytes", F(workload.dma_sweep.min_bytes), 64,
              in_range(4, 1ull << 30), "Workload dma-sweep: the smallest eDMA transfer."),
            u("workload.dma_sweep.max_bytes", F(workload.dma_sweep.max_bytes), 16 * MiB,
              in_range(4, 1ull << 30), "Workload dma-sweep: the largest eDMA transfer."),
            u("workload.dma_sweep.factor", F(workload.dma_sweep.factor), 4, in_range(2, 1024),
              "Workload dma-sweep: each transfer size is the previous one times this.", "x"),
            b("workload.dma_sweep.read", F(workload.dma_sweep.read), true,
              "Workload dma-sweep: run eDMA reads."),
            b("workload.dma_sweep.write", F(workload.dma_sweep.write), true,
              "Workload dma-sweep: run eDMA writes."),
            u("workload.dma_sweep.offset_bytes", F(workload.dma_sweep.offset_bytes), 0,
              in_range(0, 4095),
              "Workload dma-sweep: offset of the host buffer from a 4 KiB boundary."),
            u("workload.dma_sweep.repeat_bytes", F(workload.dma_sweep.repeat_bytes), 256 * KiB,
              in_range(0, 1ull << 30),
              "Workload dma-sweep: a size smaller than this is transferred again, back to back, "
              "until its row has moved this many bytes (at most workload.dma_sweep.max_repeats "
              "transfers); the row is their mean. One transfer's time depends on where it falls in "
              "the DRAM refresh schedule. 0: one transfer per row."),
            u("workload.dma_sweep.max_repeats", F(workload.dma_sweep.max_repeats), 16,
              in_range(1, 64), "Workload dma-sweep: transfers per row at most.", "transfers"),
            u("workload.dma_sweep.element_bytes", F(workload.dma_sweep.element_bytes), 0,
              in_range(0, 16 * MiB),
              "Workload dma-sweep: bytes per linked-list data element the firmware's eDMA "
              "driver cuts a transfer into, as Linux dw-edma makes one element per "
              "scatter-gather entry (4096: a list of pages); 0: as large as the driver allows "
              "(16 MiB). A list longer than one LL page goes in chunks, a doorbell each."),
            u("workload.dma_mix.write_channels", F(workload.dma_mix.write_channels), 2,
              in_range(0, 8), "Workload dma-mix: eDMA write channels run at once.", "channels"),
            u("workload.dma_mix.read_channels", F(workload.dma_mix.read_channels), 2,
              in_range(0, 8), "Workload dma-mix: eDMA read channels run at once.", "channels"),
            u("workload.dma_mix.size_bytes", F(workload.dma_mix.size_bytes), 1 * MiB,
              in_range(4, 16 * MiB), "Workload dma-mix: bytes each channel moves."),
            u("workload.dma_mix.write_weights", F(workload.dma_mix.write_weights), 0,
              in_range(0, (1ull << 40) - 1),
              "Workload dma-mix: write channel n's arbitration weight at bits [5n+4:5n] (0..31: "
              "weight + 1 TLPs per turn)."),
            u("workload.dma_mix.read_weights", F(workload.dma_mix.read_weights), 0,
              in_range(0, (1ull << 40) - 1),
              "Workload dma-mix: read channel n's arbitration weight at bits [5n+4:5n]."),
        });
}

void faults_keys(std::vector<key_def>& t) {
    constexpr std::uint64_t nth_max = 1ull << 40;
    t.insert(
        t.end(),
        {
            u("faults.seed", F(faults.seed), 1, in_range(0, 1ull << 62),
              "Seed of the fault-injection PRNG (the rates below)."),
            u("faults.completion_timeout.nth_read", F(faults.completion_timeout_nth_read), 0,
              in_range(0, nth_max), "The Nth MRd the host receives gets no completion (0: off).",
              "count"),
            u("faults.ur_at_completer.nth_read", F(faults.ur_nth_read), 0, in_range(0, nth_max),
              "The Nth MRd the host receives is completed with UR (0: off).", "count"),
            u("faults.ca_at_completer.nth_read", F(faults.ca_nth_read), 0, in_range(0, nth_max),
              "The Nth MRd the host receives is completed with CA (0: off).", "count"),
            r("faults.lcrc_error_rate", F(faults.lcrc_error_rate), 0, 0, 0.5,
              "Probability that a TLP transmission fails its LCRC.", "probability"),
            r("faults.dllp_error_rate", F(faults.dllp_error_rate), 0, 0, 0.5,
              "Probability that a NAK DLLP is lost.", "probability"),
            u("faults.lcrc.nth_tlp", F(faults.lcrc_nth_tlp), 0, in_range(0, nth_max),
              "The Nth TLP of faults.lcrc.direction fails its LCRC (0: off).", "count"),
            c("faults.lcrc.direction", F(faults.lcrc_direction), link_direction::upstream,
              "Direction in which faults.lcrc.nth_tlp counts TLPs."),
            u("faults.lcrc.count", F(faults.lcrc_count), 1, in_range(1, 16),
              "Failed transmissions of that TLP in a row (4: REPLAY_NUM rollover and a retrain).",
              "transmissions"),
            u("faults.link_down.at_us", F(faults.link_down_at_us), 0, in_range(0, 3600000000),
              "Simulated time at which the link goes down (0: never)."),
            u("faults.link_down.duration_us", F(faults.link_down_duration_us), 100,
              in_range(1, 60000000), "How long the link stays down."),
            u("faults.poison.nth_tlp", F(faults.poison_nth_tlp), 0, in_range(0, nth_max),
              "The Nth TLP with data of faults.poison.type and direction is poisoned (0: off).",
              "count"),
            c("faults.poison.direction", F(faults.poison_direction), link_direction::upstream,
              "Direction in which poisoned TLPs are counted."),
            c("faults.poison.type", F(faults.poison_type), poison_tlp::any,
              "Which TLPs with data are counted for poisoning (any: MWr and CplD)."),
            r("faults.poison.rate", F(faults.poison_rate), 0, 0, 0.5,
              "Probability that a TLP with data is poisoned.", "probability"),
            u("faults.hot_reset.before_test", F(faults.hot_reset_before_test), 0,
              in_range(0, 100000),
              "Secondary Bus Reset on the root port before the Nth pcitest test (1-based; 0: off).",
              "test"),
            u("faults.flr.before_test", F(faults.flr_before_test), 0, in_range(0, 100000),
              "Function-Level Reset of the endpoint before the Nth pcitest test (1-based; 0: off).",
              "test"),
        });
}

void cpu_cost_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("cpu.mmio_access_bytes", F(cpu.mmio_access_bytes), 8, one_of({1, 2, 4, 8}),
              "Largest single load or store the EP CPU issues."),
            u("cpu.irq_entry_cycles", F(cpu.irq_entry_cycles), 100, in_range(0, 100000),
              "EP CPU cycles to take an interrupt.", "cycles"),
            u("cpu.copy_cycles_per_byte", F(cpu.copy_cycles_per_byte), 1, in_range(0, 1000),
              "EP CPU cycles per byte of a memcpy in local memory.", "cycles/byte"),
            u("cpu.crc_cycles_per_byte", F(cpu.crc_cycles_per_byte), 2, in_range(0, 1000),
              "EP CPU cycles per byte of a software CRC32.", "cycles/byte"),
            c("cpu.kind", F(cpu.kind), cpu_kind::native,
              "What runs the endpoint firmware: native (a SystemC thread behind the HAL) or "
              "iss (the AArch64 ELF on the instruction-set simulator)."),
            u("cpu.iss_cpi", F(cpu.iss_cpi), 1, in_range(1, 100),
              "cpu.kind = iss: cycles each guest instruction takes at cpu.clock_mhz.", "cycles"),
            // The build puts the ELF there beside epsim and installs it there beside the
            // installed epsim (firmware/CMakeLists.txt).
            bound(text_key("cpu.elf", "$ORIGIN/" EPVP_FIRMWARE_ELF_FROM_EPSIM,
                           "cpu.kind = iss: the firmware ELF the CPU runs; a leading $ORIGIN is "
                           "the directory of the epsim executable (default: the ELF built and "
                           "installed with it)."),
                  F(cpu.elf)),
        });
}

void host_more_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("host.mmio_access_bytes", F(host.mmio_access_bytes), 8, one_of({1, 2, 4, 8}),
              "Largest single MMIO load or store the host CPU issues."),
            b("host.pcitest_msix_sample", F(host.pcitest_msix_sample), false,
              "pcitest runs MSI-X vectors 1, 2, 31..33, 1024, 2047, 2048 instead of all of them."),
            // 6.18: its kselftest list (no BAR_SUBRANGE_TEST, DOORBELL_TEST without a skip), its
            // pci-epf-test (COPY with DMA fails without a memcpy channel); next: the newest list
            // and this firmware's bounce-buffer DMA COPY.
            c("host.pcitest.kernel", F(host.pcitest_version), pcitest_kernel::next,
              "The Linux release whose pcitest test list and pci-epf-test behaviour are modelled."),
            b("host.p2p_between_root_ports", F(host.p2p_between_root_ports), true,
              "The root complex routes a peer-to-peer request from one root port down another."),
            b("host.p2p_reflect", F(host.p2p_reflect), true,
              "An ACS-redirected request goes back down its ingress root port (false: "
              "route-to-self UR)."),
            u("host.p2p_forward_latency_ns", F(host.p2p_forward_latency_ns), 100,
              in_range(0, 1000000), "Time the root complex takes to forward a peer-to-peer TLP."),
            u("host.bridge.vendor_id", F(host.bridge_vendor_id), 0x8086, in_range(0, 0xffff),
              "Vendor ID of the host bridge (00:00.0), which the p2pdma whitelist reads."),
            u("host.bridge.device_id", F(host.bridge_device_id), 0x2030, in_range(0, 0xffff),
              "Device ID of the host bridge (8086:2030 is on the p2pdma whitelist)."),
        });
}

void workload_p2p_keys(std::vector<key_def>& t) {
    t.insert(
        t.end(),
        {
            u("workload.p2p.provider", F(workload.p2p.provider), 0, in_range(0, 15),
              "Workload p2p: the enumerated endpoint (bus order) that publishes p2p memory.",
              "index"),
            u("workload.p2p.client", F(workload.p2p.client), 1, in_range(0, 15),
              "Workload p2p: the enumerated endpoint (bus order) whose eDMA uses it.", "index"),
            u("workload.p2p.bar", F(workload.p2p.bar), 4, in_range(0, 5),
              "Workload p2p: the provider's BAR the p2p memory is in.", "BAR"),
            u("workload.p2p.offset_bytes", F(workload.p2p.offset_bytes), 0, multiple_of(4096),
              "Workload p2p: start of the published range in the BAR."),
            u("workload.p2p.bytes", F(workload.p2p.bytes), 64 * KiB,
              multiple_of(4096, 4096, 1 * GiB), "Workload p2p: bytes of one transfer each way.",
              "bytes"),
            b("workload.p2p.acs_redirect", F(workload.p2p.acs_redirect), false,
              "Workload p2p: the host sets P2P Request/Completion Redirect on switch downstream "
              "ports."),
            b("workload.p2p.force", F(workload.p2p.force), false,
              "Workload p2p: DMA even when the orchestrator says not supported (the fabric answers "
              "UR)."),
            c("workload.p2p.target", F(workload.p2p.target), p2p_target::peer,
              "Workload p2p: the client's DMA targets the provider, or its own BAR "
              "(route-to-self)."),
        });
}

// Verilated blocks that plugins registered (epvp_add_rtl_block), placed on the endpoint SoC's
// interconnect as AXI4 subordinates.
constexpr std::size_t max_rtl_slaves = 8;
void soc_keys(std::vector<key_def>& t) {
    t.push_back(object_list_key(
        "soc.rtl_slaves", max_rtl_slaves,
        {
            bound(text_key("block", "", "Name of a loaded RTL block (its plugin registered it)."),
                  F(soc.rtl_slaves[i].block)),
            u("base", F(soc.rtl_slaves[i].base), 0, any_value(),
              "Address of the block's byte 0 on the interconnect.", "address"),
            u("size", F(soc.rtl_slaves[i].size), 4096, in_range(1, pow2(63)),
              "Bytes of address space the block answers.", "bytes"),
            u("clock_mhz", F(soc.rtl_slaves[i].clock_mhz), 500, in_range(1, 10000),
              "The block's own clock, running inside its RTL island only."),
        },
        "RTL AXI4 subordinates on the endpoint SoC's interconnect, at [base, base + size); "
        "a range inside DRAM takes those addresses over.",
        [](platform_config & p) -> auto& { return p.soc.rtl_slaves; }));
}

#undef F

} // namespace

std::vector<key_def> builtin_keys() {
    std::vector<key_def> t;
    // This order is the dump's order: keep an object's keys where they first appear.
    sim_keys(t);
    link_keys(t);
    dwc_keys(t);
    function_keys(t);
    smmu_keys(t);
    dram_keys(t);
    mc_keys(t);
    host_keys(t);
    board_keys(t);
    cpu_keys(t);
    workload_sweep_keys(t);
    faults_keys(t);
    cpu_cost_keys(t);
    host_more_keys(t);
    workload_p2p_keys(t);
    soc_keys(t);
    return t;
}

} // namespace epvp::cfg

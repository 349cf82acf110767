// No configuration key is accepted and ignored: for every leaf key of the schema (read from
// `epsim config --dump`, so a new key lands here unclassified and fails the test), setting a
// valid non-default value either changes something observable in a short run's report other
// than the echoed configuration, or the key is on the explicit list of keys that must leave
// the results unchanged (simulator settings, address-map relocations), which the test checks
// are identical, or it has no valid non-default value on its own and is rejected.
// Each key runs on the shortest workload that exercises it, with the other keys it needs set
// in both runs. The runs are separate epsim processes (one simulation per process), two at a
// time.
#define BOOST_TEST_MODULE config_keys
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr unsigned parallel_runs = 2;
constexpr int exit_usage = 2;

// The shortest workload that exercises each group of keys.
const std::map<std::string, std::string>& workloads() {
    static const std::map<std::string, std::string> w = {
        // One 4 KiB eDMA read and write after enumeration: the link, controller, DRAM path.
        {"dma", "--workload dma-sweep --set workload.dma_sweep.min_bytes=4096 "
                "--set workload.dma_sweep.max_bytes=4096 --set workload.dma_sweep.repeat_bytes=0"},
        // The kselftest table, MSI-X sampled.
        {"pcitest", "--workload pcitest --set host.pcitest_msix_sample=true"},
        // Two write and two read channels of 16 KiB at once.
        {"mix", "--workload dma-mix --set workload.dma_mix.size_bytes=16384"},
        {"cmd", "--workload cmd-stream --set function.cmd.commands=16"},
        {"iova", "--workload iova --set function.iova.buffers=4"},
        {"iotlb", "--workload iotlb-sweep --set workload.iotlb_sweep.reads=64 "
                  "--set workload.iotlb_sweep.max_set_bytes=262144"},
        {"p2p", "--workload p2p --set workload.p2p.bytes=4096"},
        // The two endpoints on two root ports: peer-to-peer crosses the root complex.
        {"p2p_root_ports", "--workload p2p --config " TOPOLOGY_DIR
                           "/two_root_ports.json --set workload.p2p.bytes=4096"},
    };
    return w;
}

enum class expect { changes, same, rejected };

struct key_case {
    std::string key;
    std::string value;                   // valid and not the default
    std::string workload;                // a key of workloads()
    std::vector<std::string> needs = {}; // other --set KEY=VALUE, in both runs
    expect e = expect::changes;
    std::vector<std::string> with = {}; // coupled keys set with it (not in the baseline)
};

key_case same(std::string key, std::string value, std::string workload,
              std::vector<std::string> needs = {}) {
    return {std::move(key), std::move(value), std::move(workload), std::move(needs), expect::same};
}
// A key with no valid non-default value of its own (the run must exit 2 naming it).
key_case rejected(std::string key, std::string value) {
    return {std::move(key), std::move(value), "dma", {}, expect::rejected};
}

// Simulator settings: no simulated result may depend on them. The memory controller and the
// SMMU serve each access at its own time (they synchronise the initiator), so the quantum
// changes nothing.
std::vector<key_case> simulator_settings() {
    return {
        same("sim.quantum_ns", "100", "dma"),
        same("sim.wall_limit_s", "600", "dma"), // far above what the run takes
        // Burst timing reproduces tlp mode on this run (test_burst bounds it on longer ones).
        same("sim.link_timing", "burst", "dma"),
    };
}

// The RTL iATU in place of the TLM one, on the iATU's register path: the RTL takes each 32-bit
// register access as an APB transfer of 2 cycles of its clock (AMBA APB: setup and access
// phases), which the controller runs inside the DBI access time it charges
// (dw_pcie_ep::within_dbi_access), so neither the implementation nor the RTL's clock changes a
// result. Not covered here, and known to differ: translations through the RTL take its pipeline's
// cycles, which the TLM iATU does not charge (a full pcitest ends about 0.5 % later; pass/fail
// lines are the same). The dma workload programs the iATU but sends no translated traffic.
std::vector<key_case> rtl_iatu_settings() {
    return {
        same("dwc.iatu.impl", "rtl", "dma"),
        same("dwc.iatu.rtl_clock_period_ps", "2000", "dma", {"dwc.iatu.impl=rtl"}),
    };
}

// The endpoint CPU as an instruction-set simulator running the firmware ELF: instructions take
// time, so results change (pcitest's pass/fail lines do not). Run only outside the sanitizer
// build (Unicorn is not instrumented); classified in both.
// cpu.elf names the same ELF as its default by its absolute path: nothing may change.
std::vector<key_case> iss_settings() {
    return {
        {"cpu.kind", "iss", "pcitest"},
        {"cpu.iss_cpi", "4", "pcitest", {"cpu.kind=iss"}},
        same("cpu.elf", FIRMWARE_ELF, "pcitest", {"cpu.kind=iss"}),
    };
}

// Every other leaf key, classified. Keys that need a fault, a workload or another key say so in
// `needs`; the "same" ones must leave every result identical: address-map relocations and
// sizes (what moves is where things are, not what happens), and resources the short runs never
// exhaust because the host has one request of that kind in flight at a time.
std::vector<key_case> cases() {
    std::vector<key_case> c = {
        {"sim.seed", "7", "cmd"},           // the host's command mix
        {"sim.time_limit_us", "50", "dma"}, // stops the run (HUNG)
        {"link.gen", "4", "dma"},
        {"link.width", "8", "dma"},
        {"link.mps", "128", "dma"},
        {"link.mrrs", "128", "dma"},
        {"link.training_us", "40", "dma"},
        {"link.propagation_ns", "500", "dma"},
        {"link.ecrc", "true", "dma"},
        // The first MRd from offset 32 (MRRS 128: 96 bytes, to the MRRS boundary) completes in
        // 32 + 64 bytes at RCB 64, in one piece at RCB 128 (the others are aligned).
        {"link.rcb", "128", "dma", {"workload.dma_sweep.offset_bytes=32", "link.mrrs=128"}},
        {"link.tags", "1", "dma"},
        {"link.dllp", "false", "dma"},
        {"link.replay_buffer_bytes", "256", "dma"},
        {"link.ack_latency_ns", "1000", "dma"},
        {"link.replay_timer_ns", "5000", "dma"},
        {"link.retrain_ns", "10000", "dma", {"faults.lcrc.nth_tlp=10", "faults.lcrc.count=4"}},
        {"dwc.version", "4.70a", "dma"},
        {"dwc.dbi_access_ns", "200", "dma"},
        {"dwc.datapath_bits", "64", "dma"},
        {"dwc.core_clock_mhz", "125", "dma"},
        {"dwc.completion_timeout_us", "100", "dma", {"faults.completion_timeout.nth_read=3"}},
        // The SMMU counts transactions per stream ID (smmu.streams).
        {"dwc.stream_id", "0x3f", "dma"},
        {"dwc.stream_id_mode", "requester_id", "dma"},
        {"dwc.edma.write_channels", "0", "dma"},
        {"dwc.edma.read_channels", "0", "dma"},
        {"dwc.edma.axi_burst_bytes", "64", "dma"},
        {"dwc.edma.axi_outstanding_reads", "1", "dma", {"dwc.edma.axi_burst_bytes=64"}},
        {"dwc.edma.rd_outstanding_mrd", "1", "dma"},
        // One 4 KiB burst and one maximum MPS staged: a x16 Gen5 link drains it faster than
        // DRAM refills it.
        {"dwc.edma.staging_buffer_bytes",
         "8192",
         "dma",
         {"link.gen=5", "link.width=16", "workload.dma_sweep.min_bytes=65536",
          "workload.dma_sweep.max_bytes=65536"}},
        {"dwc.iatu.outbound_windows", "4", "cmd"},
        {"dwc.iatu.inbound_windows", "4", "dma"},
        // BAR sizes round up to the alignment (a 4 KiB BAR1 becomes 64 KiB).
        {"dwc.iatu.region_align", "65536", "dma", {"function.test.bar_sizes[1]=4096"}},
        // The limit caps a window at a 4 GiB boundary: no short run maps across one.
        same("dwc.iatu.region_limit", "4294967296", "cmd"),
        {"dwc.iatu.miss_policy", "ur", "pcitest", {"function.test.unmapped_bar=2"}},

        {"function.test.msi_vectors", "4", "pcitest"},
        {"function.test.msix_vectors", "64", "dma"},
        {"function.test.vendor_id", "0x1234", "dma"},
        {"function.test.device_id", "0x5678", "dma"},
        {"function.test.poll_interval_us", "10", "pcitest"},
        {"function.test.init_delay_us", "2000", "dma"},
        {"function.test.unmapped_bar", "2", "pcitest"},
        {"function.iova.buffers", "8", "iova"},
        {"function.max_map_bytes", "4096", "cmd", {"function.cmd.page_bytes=16384"}},
        {"function.cmd.concurrency", "1", "cmd"},
        {"function.cmd.mover", "edma", "cmd"},
        {"function.cmd.pages_per_command", "2", "cmd"},
        {"function.cmd.page_bytes", "512", "cmd"},
        {"function.cmd.commands", "8", "cmd"},
        {"function.cmd.queue_depth", "2", "cmd"},
        {"function.cmd.write_percent", "100", "cmd"},
        {"function.cmd.poll_ns", "5000", "cmd"},
        {"smmu.enabled", "false", "dma"},
        {"smmu.tlb_entries", "4", "iotlb"},
        {"smmu.walk_cache_entries", "0", "iotlb"},
        {"smmu.tlb_hit_ns", "50", "iotlb"},
        {"smmu.walk_step_ns", "100", "iotlb"},
        {"smmu.command_ns", "500", "iotlb"},
        {"smmu.sync_ns", "5000", "iotlb"},
        {"smmu.cmdq_max_log2", "2", "iova"},
        {"smmu.evtq_max_log2", "1", "iova"},
        same("dram.base", "0x100000000", "dma"),
        {"dram.size_bytes", "0x20000000", "dma"},
        {"dram.latency_ns", "600", "dma"},
        {"dram.channels", "1", "dma"},
        {"dram.banks", "4", "dma"},
        {"dram.row_bytes", "512", "dma"},
        {"dram.interleave_bytes", "4096", "dma"},
        {"dram.channel_bandwidth_MBps", "500", "dma"},
        {"dram.trcd_ps", "100000", "dma"},
        {"dram.trp_ps", "100000", "dma"},
        {"dram.tcl_ps", "100000", "dma"},
        {"dram.tras_ps", "1000000", "iotlb"}, // random reads: row conflicts
        {"dram.twr_ps", "1000000", "cmd"},    // the firmware's writes, then other rows
        {"dram.burst_bytes", "64", "dma"},    // the CPU's short accesses move longer bursts
        {"dram.trfc_ps", "1000000", "dma"},
        {"dram.trefi_ps", "1500000", "dma"},
        {"dram.ideal", "true", "dma"},
        {"mc.irq_window.base", "0x80000000", "pcitest"},
        {"mc.irq_window.size_bytes", "8192", "pcitest"},
        // The doorbell test rings once: the FIFO never holds two.
        same("mc.irq_window.fifo_depth", "1", "pcitest"),
        {"mc.irq_window.latency_ns", "5000", "pcitest"},
        {"host.pcitest.kernel", "6.18", "pcitest"},
        same("host.mem_base", "0x200000000", "dma"),
        {"host.mem_size_bytes", "0x1000000", "dma"},
        {"host.read_latency_ns", "2000", "dma"},
        {"host.write_absorb_ns", "2000", "dma", {"link.credits.host.posted_header=2"}},
        {"host.test_timeout_us", "10", "dma"},
        {"host.crs_retry_us", "10", "dma"},
        {"host.sbr_hold_us", "100", "pcitest", {"faults.hot_reset.before_test=19"}},
        {"host.flr_wait_ms", "10", "pcitest", {"faults.flr.before_test=19"}},
        same("host.ecam_base", "0x3000000000", "dma"),
        {"host.mmio32_base", "0xA0000000", "dma"},
        same("host.mmio32_size", "0x10000000", "dma"),
        // The BARs are 32-bit and not prefetchable: nothing is placed in the 64-bit window.
        same("host.mmio64_base", "0x8000000000", "dma"),
        same("host.mmio64_size", "0x100000000", "dma"),
        same("host.msi_base", "0xFEC00000", "dma"),
        same("board.dbi_base", "0x48000000", "dma"),
        same("board.atu_size", "0x10000", "dma"),
        same("board.app_base", "0x42000000", "dma"),
        same("board.smmu_base", "0x42100000", "dma"),
        same("board.aperture.base", "0x70000000", "dma"),
        {"board.aperture.size", "0x10000", "cmd", {"board.aperture.page_size=65536"}},
        {"board.aperture.page_size", "65536", "cmd", {"board.aperture.size=0x20000"}},
        // pcitest's LEGACY_IRQ_TEST skips instead of passing.
        {"board.intx_capable", "false", "pcitest"},
        {"cpu.clock_mhz", "100", "dma"},
        {"workload.iotlb_sweep.min_set_bytes", "131072", "iotlb"},
        {"workload.iotlb_sweep.max_set_bytes", "131072", "iotlb"},
        {"workload.iotlb_sweep.reads", "32", "iotlb"},
        {"workload.iotlb_sweep.read_bytes", "64", "iotlb"},
        {"workload.dma_sweep.min_bytes", "1024", "dma"},
        {"workload.dma_sweep.max_bytes", "16384", "dma"},
        {"workload.dma_sweep.factor", "2", "dma", {"workload.dma_sweep.min_bytes=1024"}},
        {"workload.dma_sweep.read", "false", "dma"},
        {"workload.dma_sweep.write", "false", "dma"},
        {"workload.dma_sweep.offset_bytes", "100", "dma"},
        // Four 4 KiB transfers per row instead of one (the first walks the SMMU's tables, the
        // others hit its TLB), then two.
        {"workload.dma_sweep.repeat_bytes", "16384", "dma"},
        {"workload.dma_sweep.max_repeats", "2", "dma", {"workload.dma_sweep.repeat_bytes=16384"}},
        // The 4 KiB transfers in two elements of 2 KiB.
        {"workload.dma_sweep.element_bytes", "2048", "dma"},
        {"workload.dma_mix.write_channels", "1", "mix"},
        {"workload.dma_mix.read_channels", "1", "mix"},
        {"workload.dma_mix.size_bytes", "8192", "mix"},
        {"workload.dma_mix.write_weights", "992", "mix"}, // channel 1: weight 31 (31 << 5)
        {"workload.dma_mix.read_weights", "992", "mix"},
        {"faults.seed", "2", "dma", {"faults.lcrc_error_rate=0.2"}},
        {"faults.completion_timeout.nth_read", "3", "dma"},
        {"faults.ur_at_completer.nth_read", "3", "dma"},
        {"faults.ca_at_completer.nth_read", "3", "dma"},
        {"faults.lcrc_error_rate", "0.2", "dma"},
        // Lost NAKs: needs LCRC errors to NAK.
        {"faults.dllp_error_rate", "0.5", "dma", {"faults.lcrc_error_rate=0.2"}},
        {"faults.lcrc.nth_tlp", "10", "dma"},
        {"faults.lcrc.direction", "downstream", "dma", {"faults.lcrc.nth_tlp=10"}},
        {"faults.lcrc.count", "4", "dma", {"faults.lcrc.nth_tlp=10"}},
        {"faults.link_down.at_us", "300", "dma"},
        {"faults.link_down.duration_us", "500", "dma", {"faults.link_down.at_us=300"}},
        {"faults.poison.nth_tlp", "10", "dma"},
        {"faults.poison.direction", "downstream", "dma", {"faults.poison.nth_tlp=10"}},
        {"faults.poison.type", "mwr", "dma", {"faults.poison.nth_tlp=2"}},
        {"faults.poison.rate", "0.2", "dma"},
        {"faults.hot_reset.before_test", "19", "pcitest"},
        {"faults.flr.before_test", "19", "pcitest"},
        {"cpu.mmio_access_bytes", "4", "dma"},
        {"cpu.irq_entry_cycles", "10000", "dma"},
        {"cpu.copy_cycles_per_byte", "10", "cmd"},
        {"cpu.crc_cycles_per_byte", "20", "pcitest"},
        {"host.mmio_access_bytes", "4", "pcitest"},
        {"host.pcitest_msix_sample", "false", "pcitest"},
        {"host.p2p_between_root_ports", "false", "p2p_root_ports"},
        {"host.p2p_reflect", "false", "p2p", {"workload.p2p.acs_redirect=true"}},
        {"host.p2p_forward_latency_ns", "5000", "p2p", {"workload.p2p.acs_redirect=true"}},
        {"host.bridge.vendor_id", "0x1022", "p2p_root_ports"},
        {"host.bridge.device_id", "0x1234", "p2p_root_ports"},
        {"workload.p2p.provider", "1", "p2p", {"workload.p2p.client=0"}},
        {"workload.p2p.client", "0", "p2p", {"workload.p2p.provider=1"}},
        {"workload.p2p.bar", "2", "p2p"},
        {"workload.p2p.offset_bytes", "4096", "p2p"},
        {"workload.p2p.bytes", "8192", "p2p"},
        {"workload.p2p.acs_redirect", "true", "p2p"},
        {"workload.p2p.force",
         "true",
         "p2p_root_ports",
         {// off the p2pdma host-bridge whitelist: "not supported" unless forced
          "host.bridge.device_id=0x1234"}},
        {"workload.p2p.target", "self", "p2p"},
        // The test register BAR is sized by the function: only 0 is valid.
        rejected("function.test.bar_sizes[0]", "131072"),
        // A 64-bit BAR is an even BAR.
        rejected("dwc.bars[1].only_64bit", "true"),
        rejected("dwc.bars[3].only_64bit", "true"),
        rejected("dwc.bars[5].only_64bit", "true"),
    };
    // Link credits: a single credit stalls the traffic that uses it. The host CPU's accesses to
    // the endpoint (writes, reads and so the completions it takes back, configuration requests)
    // go one at a time, and the endpoint sends no non-posted request with data: one credit of
    // those is enough.
    c.push_back({"link.credits.host.posted_header", "1", "dma"});
    // Data credits: one TLP of the largest payload (MPS 256: 16), the fewest allowed
    // (test_config data_credits_hold_one_tlp_of_the_largest_payload).
    c.push_back({"link.credits.host.posted_data", "16", "dma"});
    // A non-posted header credit comes back once the host has taken the MRd in (its UpdateFC
    // crosses the link), long before the completion: with one, each of the 4 KiB read's MRds
    // waits for the one before to be taken in. The read's time stays what the completion round
    // trip makes it, but the waits are now the credits' and the row's bound names them.
    c.push_back({"link.credits.host.nonposted_header", "1", "dma"});
    c.push_back({"link.credits.ep.completion_header", "1", "dma"});
    c.push_back({"link.credits.ep.completion_data", "16", "dma"});
    for (const char* credit : {"host.nonposted_data", "host.completion_header", "ep.posted_header",
                               "ep.nonposted_header", "ep.nonposted_data"})
        c.push_back(same(std::string("link.credits.") + credit, "1", "dma"));
    for (const char* credit : {"host.completion_data", "ep.posted_data"})
        c.push_back(same(std::string("link.credits.") + credit, "16", "dma"));
    for (unsigned b = 1; b < 6; ++b)
        c.push_back({"function.test.bar_sizes[" + std::to_string(b) + "]", "262144", "dma"});
    for (unsigned b = 0; b < 6; ++b) {
        const std::string bar = "dwc.bars[" + std::to_string(b) + "]";
        const std::string size = "function.test.bar_sizes[" + std::to_string(b) + "]";
        // BAR0 holds the registers (64 KiB for 2048 MSI-X vectors): a 128 KiB fixed BAR.
        // Fixed at 2 MiB: above every BAR size configured (BAR0's registers take 64 KiB).
        c.push_back(
            {bar + ".type", "fixed", "dma", {}, expect::changes, {bar + ".fixed_size=2097152"}});
        c.push_back({bar + ".fixed_size",
                     "4194304",
                     "dma",
                     {bar + ".type=fixed", bar + ".fixed_size=2097152"}});
        if (b % 2 == 0)
            c.push_back({bar + ".only_64bit",
                         "true",
                         "dma",
                         {"dwc.bars[" + std::to_string(b + 1) + "].type=reserved",
                          "function.test.bar_sizes[" + std::to_string(b + 1) + "]=0"}});
    }
    return c;
}

std::string temp_dir() {
    static const std::string d = [] {
        const fs::path p =
            fs::temp_directory_path() / ("epsim_config_keys_" + std::to_string(::getpid()));
        fs::create_directories(p);
        return p.string();
    }();
    return d;
}

struct cleanup {
    ~cleanup() {
        std::error_code ec;
        fs::remove_all(temp_dir(), ec);
    }
};
BOOST_GLOBAL_FIXTURE(cleanup);

std::string read_file(const std::string& p) {
    std::ifstream is(p);
    std::stringstream ss;
    ss << is.rdbuf();
    return ss.str();
}

// Runs each command (through /bin/sh) with `parallel_runs` at a time; returns exit statuses.
std::vector<int> run_all(const std::vector<std::string>& commands) {
    std::vector<int> status(commands.size(), -1);
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    while (next < commands.size() || !running.empty()) {
        while (next < commands.size() && running.size() < parallel_runs) {
            const pid_t pid = ::fork();
            BOOST_REQUIRE(pid >= 0);
            if (pid == 0) {
                ::execl("/bin/sh", "sh", "-c", commands[next].c_str(), static_cast<char*>(nullptr));
                ::_exit(127);
            }
            running[pid] = next++;
        }
        int st = 0;
        const pid_t done = ::wait(&st);
        if (done < 0) break;
        const auto it = running.find(done);
        if (it == running.end()) continue;
        status[it->second] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        running.erase(it);
    }
    return status;
}

// Every leaf path of a JSON document: "a.b", "a.list[2]", "a.objs[1].c".
void leaves(const json& j, const std::string& path, std::vector<std::string>& out) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            leaves(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            leaves(j[i], path + "[" + std::to_string(i) + "]", out);
    } else {
        out.push_back(path);
    }
}

// The results of a report: everything but the echoed configuration (and, for keys that must
// change nothing, the co-simulated iATU's own counters, which only the RTL iATU has).
// drop_instrumentation: leave out what says how the simulator computed the run rather than what
// it simulated (the iATU co-simulation's counters, burst mode's page writes).
json results_of(const std::string& file, bool drop_instrumentation) {
    json r = json::parse(read_file(file), nullptr, false);
    if (!r.is_object()) return json();
    r.erase("config");
    if (drop_instrumentation) {
        r.erase("iatu_cosim");
        r.erase("burst_mode");
    }
    return r;
}

std::string describe(const key_case& k) {
    std::string s = "--set " + k.key + "=" + k.value + " (workload " + k.workload;
    for (const auto& n : k.needs)
        s += ", --set " + n;
    for (const auto& n : k.with)
        s += ", with --set " + n;
    return s + ")";
}

// Runs every case over its baseline and checks what it must change (or not).
void check(const std::vector<key_case>& all) {
    // The runs: a baseline per (workload, needs), then each key over its baseline.
    std::map<std::string, std::size_t> baseline_of; // "workload|needs" -> command index
    std::vector<std::string> commands;
    std::vector<std::string> reports;
    auto command = [&](const std::string& workload, const std::vector<std::string>& sets) {
        const std::string report = temp_dir() + "/r" + std::to_string(reports.size()) + "_" +
                                   std::to_string(all.size()) + ".json";
        std::string cmd = std::string(EPSIM_PATH) + " run " + workloads().at(workload);
        for (const auto& s : sets)
            cmd += " --set '" + s + "'";
        cmd += " --report " + report + " > " + report + ".out 2>&1";
        commands.push_back(cmd);
        reports.push_back(report);
        return commands.size() - 1;
    };
    std::vector<std::size_t> key_run(all.size()), base_run(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& k = all[i];
        std::string id = k.workload;
        for (const auto& n : k.needs)
            id += "|" + n;
        if (k.e != expect::rejected) {
            if (!baseline_of.count(id)) baseline_of[id] = command(k.workload, k.needs);
            base_run[i] = baseline_of[id];
        }
        std::vector<std::string> sets = k.needs;
        sets.insert(sets.end(), k.with.begin(), k.with.end());
        sets.push_back(k.key + "=" + k.value);
        key_run[i] = command(k.workload, sets);
    }
    BOOST_TEST_MESSAGE(commands.size() << " runs");
    const auto status = run_all(commands);

    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& k = all[i];
        const std::string& out = reports[key_run[i]];
        if (k.e == expect::rejected) {
            BOOST_CHECK_MESSAGE(status[key_run[i]] == exit_usage,
                                describe(k) + ": expected a configuration error (exit 2), got " +
                                    std::to_string(status[key_run[i]]));
            BOOST_CHECK_MESSAGE(read_file(out + ".out").find(k.key) != std::string::npos,
                                describe(k) + ": the error does not name the key");
            continue;
        }
        const std::size_t b = base_run[i];
        BOOST_CHECK_MESSAGE(status[b] != exit_usage && fs::exists(reports[b]),
                            describe(k) +
                                ": the baseline run failed: " + read_file(reports[b] + ".out"));
        BOOST_CHECK_MESSAGE(status[key_run[i]] != exit_usage && fs::exists(out),
                            describe(k) + ": the run was rejected: " + read_file(out + ".out"));
        const bool drop = k.e == expect::same;
        const json before = results_of(reports[b], drop), after = results_of(out, drop);
        if (before.is_null() || after.is_null()) continue;
        if (k.e == expect::same)
            BOOST_CHECK_MESSAGE(before == after, describe(k) + ": must leave every result "
                                                               "unchanged, but changed it");
        else
            BOOST_CHECK_MESSAGE(before != after,
                                describe(k) + ": changes nothing in the report but the echoed "
                                              "configuration (honour the key or reject the value)");
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(every_key_is_classified) {
    const std::string dump_file = temp_dir() + "/dump.json";
    BOOST_REQUIRE_EQUAL(
        std::system((std::string(EPSIM_PATH) + " config --dump > " + dump_file).c_str()), 0);
    std::vector<std::string> keys;
    leaves(json::parse(read_file(dump_file)), "", keys);
    BOOST_REQUIRE_GT(keys.size(), 100u);
    std::set<std::string> classified;
    auto all = cases();
    const auto sim = simulator_settings();
    all.insert(all.end(), sim.begin(), sim.end());
    const auto rtl = rtl_iatu_settings();
    all.insert(all.end(), rtl.begin(), rtl.end());
    const auto iss = iss_settings();
    all.insert(all.end(), iss.begin(), iss.end());
    for (const auto& c : all) {
        BOOST_CHECK_MESSAGE(classified.insert(c.key).second, c.key + ": listed twice");
        BOOST_CHECK_MESSAGE(std::find(keys.begin(), keys.end(), c.key) != keys.end(),
                            c.key + ": listed here but not a configuration key");
    }
    for (const auto& k : keys)
        BOOST_CHECK_MESSAGE(classified.count(k),
                            k + ": a configuration key nobody checked is used (give it a value, "
                                "a workload and what it must change in this test's table)");
}

BOOST_AUTO_TEST_CASE(every_key_changes_a_result_or_is_listed_as_changing_none) {
    check(cases());
}

#ifdef EPVP_ISS_TESTS
BOOST_AUTO_TEST_CASE(iss_keys_change_results) {
    check(iss_settings());
}
#endif

BOOST_AUTO_TEST_CASE(simulator_settings_leave_every_result_unchanged) {
    check(simulator_settings());
}

BOOST_AUTO_TEST_CASE(rtl_iatu_leaves_every_result_unchanged) {
#ifdef EPVP_RTL_COSIM
    check(rtl_iatu_settings());
#else
    // A build without the RTL iATU has no dwc.iatu.impl other than tlm to compare.
    BOOST_TEST_MESSAGE("no RTL iATU in this build");
#endif
}

// `epsim config --describe` is generated from the table the dump comes from: every dumped key has
// a line, and the line's default is the dumped value.
BOOST_AUTO_TEST_CASE(describe_lists_every_dumped_key_with_its_default) {
    const std::string dir = temp_dir();
    const std::string epsim = EPSIM_PATH;
    BOOST_REQUIRE_EQUAL(std::system((epsim + " config --dump > " + dir + "/d.json").c_str()), 0);
    BOOST_REQUIRE_EQUAL(std::system((epsim + " config --describe > " + dir + "/d.txt").c_str()), 0);
    std::vector<std::string> keys;
    const json dump = json::parse(read_file(dir + "/d.json"));
    leaves(dump, "", keys);
    // "path | type | unit | default | allowed | meaning" by path.
    std::map<std::string, std::string> defaults;
    std::istringstream lines(read_file(dir + "/d.txt"));
    for (std::string line; std::getline(lines, line);) {
        const auto a = line.find(" | ");
        const auto b = line.find(" | ", a + 3);
        const auto c = line.find(" | ", b + 3);
        const auto d = line.find(" | ", c + 3);
        BOOST_REQUIRE_MESSAGE(d != std::string::npos, "not a describe line: " + line);
        defaults[line.substr(0, a)] = line.substr(c + 3, d - c - 3);
    }
    for (const auto& k : keys) {
        // The pointer into the dump, and the described key: a number array's element is
        // described with its array, an object array's field as "dwc.bars[i].type".
        std::string pointer = "/" + k;
        std::string described = k;
        for (std::size_t i = 0; i < pointer.size(); ++i)
            if (pointer[i] == '.' || pointer[i] == '[') pointer[i] = '/';
        pointer.erase(std::remove(pointer.begin(), pointer.end(), ']'), pointer.end());
        const auto open = k.find('[');
        if (open != std::string::npos)
            described = k.back() == ']' ? k.substr(0, open)
                                        : k.substr(0, open) + "[i]" + k.substr(k.find(']') + 1);
        const auto it = defaults.find(described);
        BOOST_REQUIRE_MESSAGE(it != defaults.end(), k + ": dumped but not described");
        const json value = dump.at(json::json_pointer(pointer));
        const json def = json::parse(it->second);
        if (described != k && k.back() == ']')
            BOOST_CHECK_MESSAGE(def.at(std::stoul(k.substr(open + 1))) == value,
                                k + ": described default " + it->second);
        else
            BOOST_CHECK_MESSAGE(def == value, k + ": described default " + it->second +
                                                  ", dumped " + value.dump());
    }

    // Markdown for the generated reference; an unknown prefix is one line and exit 2.
    BOOST_REQUIRE_EQUAL(
        std::system((epsim + " config --describe link --format md > " + dir + "/d.md").c_str()), 0);
    const std::string md = read_file(dir + "/d.md");
    BOOST_TEST(md.find("| Key | Type | Unit | Default | Allowed | Meaning |") != std::string::npos);
    BOOST_TEST(md.find("`dwc.") == std::string::npos);
    const int st =
        std::system((epsim + " config --describe nosuch > " + dir + "/e.txt 2>&1").c_str());
    BOOST_TEST(WEXITSTATUS(st) == exit_usage);
    BOOST_TEST(read_file(dir + "/e.txt") ==
               "epsim: error: nosuch: no configuration key has this prefix (areas: sim, link, dwc, "
               "function, smmu, dram, mc, host, board, cpu, workload, faults, soc)\n");
}

// docs/configuration-reference.md is the generated reference, kept equal to what the key table
// describes (regenerate it with `epsim config --describe --format md`).
BOOST_AUTO_TEST_CASE(the_configuration_reference_page_is_generated_from_the_key_table) {
    const std::string dir = temp_dir();
    BOOST_REQUIRE_EQUAL(std::system((std::string(EPSIM_PATH) + " config --describe --format md > " +
                                     dir + "/ref.md")
                                        .c_str()),
                        0);
    const std::string page =
        read_file(std::string(EPVP_SOURCE_DIR) + "/docs/configuration-reference.md");
    BOOST_TEST(!page.empty());
    BOOST_TEST(
        page == read_file(dir + "/ref.md"),
        "docs/configuration-reference.md differs from `epsim config --describe --format md`");
}

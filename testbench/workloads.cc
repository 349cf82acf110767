#include "workloads.h"

#include "functions/test_endpoint.h"
#include "hal/errno.h"
#include "hal/iova_test_regs.h"

#include <algorithm>

namespace epvp::tb {

namespace {
constexpr std::uint64_t ns_per_us = 1000;

fw::functions::epf_test_params epf_params(const cfg::platform_config& c) {
    fw::functions::epf_test_params p;
    p.bar_sizes = c.function.test.bar_sizes;
    p.msi_vectors = c.function.test.msi_vectors;
    p.msix_vectors = c.function.test.msix_vectors;
    p.vendor_id = c.function.test.vendor_id;
    p.device_id = c.function.test.device_id;
    p.poll_interval_ns = c.function.test.poll_interval_us * ns_per_us;
    p.init_delay_ns = c.function.test.init_delay_us * ns_per_us;
    p.seed = c.sim.seed;
    p.unmapped_bar = c.function.test.unmapped_bar;
    return p;
}

// Where the dma-sweep workload's host buffer and completion flag live: a region of host memory
// the host software leaves alone (like a reserved DMA area).
constexpr std::uint64_t sweep_buffer_offset = 64ull << 20;
constexpr std::uint64_t sweep_flag_value = 0x5EE9D0E;
constexpr std::uint64_t sweep_poll_ns = 10'000;

void load_dma_sweep(platform& p, workload_result& out) {
    const auto& c = p.config();
    const auto& sw = c.workload.dma_sweep;
    fw::functions::dma_sweep_params sp;
    sp.host_buffer = c.host.mem_base + sweep_buffer_offset + sw.offset_bytes;
    sp.max_bytes = sw.max_bytes;
    for (std::uint64_t n = sw.min_bytes; n <= sw.max_bytes; n *= sw.factor)
        sp.sizes.push_back(n);
    sp.reads = sw.read;
    sp.writes = sw.write;
    sp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    constexpr std::uint64_t flag_align = 4;
    const std::uint64_t flag =
        (sp.host_buffer + sw.max_bytes + flag_align - 1) / flag_align * flag_align;
    auto ep_params = epf_params(c);
    ep_params.claim_dma = false; // the sweep uses the channels
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb, sp, flag, &out](hal::platform& io) {
        fw::functions::run_test_endpoint(
            io, eb, ep_params, [sp, flag, &out](fw::functions::endpoint_services& s) {
                out.sweep_ran = true;
                if (!s.edma) {
                    out.sweep_status = -EOPNOTSUPP;
                    s.io.log(hal::log_level::error, "sweep", "no eDMA: nothing to sweep");
                } else {
                    auto run = sp;
                    run.link_ready = s.link_ready;
                    out.sweep_status =
                        fw::functions::run_dma_sweep(s.io, *s.edma, s.pool, run, out.sweep_rows);
                }
                // Tell the host we are done: a flag word in its memory, by eDMA (or not at all).
                std::uint64_t local = 0;
                if (s.edma &&
                    s.pool.alloc(sizeof(std::uint32_t), sizeof(std::uint32_t), local) == 0) {
                    s.io.wr32(local, static_cast<std::uint32_t>(sweep_flag_value));
                    s.edma->xfer(fw::dwc::edma_dir::write, local, flag, sizeof(std::uint32_t),
                                 sp.timeout_ns);
                    s.pool.free(local);
                }
            });
    });
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([&out, &hb, timeout_ns, retry_ns, flag](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (out.enumerate_status) return;
        // Wait (bounded) for the endpoint's flag. A link that goes down and comes back (the
        // root port's Data Link Layer Link Active) gets the hierarchy enumerated again, as a
        // hot-plug driver would.
        const std::uint64_t start = io.now_ns();
        bool seen = false;
        bool was_up = true;
        while (!(seen = io.rd32(flag) == sweep_flag_value) && io.now_ns() - start < timeout_ns) {
            const bool up = host.root_port_link_active();
            if (was_up && !up) io.log(hal::log_level::warning, "host", "root port: link down");
            if (!was_up && up) {
                io.log(hal::log_level::info, "host", "root port: link up again: re-enumerating");
                ++out.reenumerations;
                out.enumerate_status = host.enumerate(out.devices);
            }
            was_up = up;
            io.delay_ns(sweep_poll_ns);
        }
        if (!seen && !out.sweep_status) out.sweep_status = -ETIMEDOUT;
        out.host_finished = true;
    });
}

void load_cmd_stream(platform& p, workload_result& out) {
    const auto& c = p.config();
    fw::functions::cmd_stream_params fp;
    fp.concurrency = c.function.cmd.concurrency;
    fp.use_dma = c.function.cmd.use_dma;
    fp.max_pages = c.function.cmd.pages_per_command;
    fp.poll_ns = c.function.cmd.poll_ns;
    fp.idle_timeout_ns = c.host.test_timeout_us * ns_per_us;
    fp.dma_timeout_ns = c.host.test_timeout_us * ns_per_us;
    fw::host::cmd_stream_host_params hp;
    hp.bar = fp.bar;
    hp.commands = c.function.cmd.commands;
    hp.queue_depth = c.function.cmd.queue_depth;
    hp.pages_per_command = c.function.cmd.pages_per_command;
    hp.page_bytes = c.function.cmd.page_bytes;
    hp.write_percent = c.function.cmd.write_percent;
    hp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    hp.seed = c.sim.seed;
    auto ep_params = epf_params(c);
    ep_params.claim_dma = false; // the command server uses the channels
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb, fp, &out](hal::platform& io) {
        fw::functions::run_test_endpoint(
            io, eb, ep_params, [fp, &out](fw::functions::endpoint_services& s) {
                out.cmd_fw_status = fw::functions::serve_cmd_stream(s, fp, out.cmd_fw);
            });
    });
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([&out, &hb, timeout_ns, retry_ns, hp](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        out.cmd_ran = true;
        if (!out.enumerate_status && !out.devices.empty()) {
            fw::host::host_mem mem(io, hb.ram);
            fw::host::run_cmd_stream_host(host, out.devices.front(), mem, hp, out.cmd);
        } else {
            out.cmd.status = out.enumerate_status ? out.enumerate_status : -ENODEV;
        }
        out.host_finished = true;
    });
}

void load_iova(platform& p, workload_result& out) {
    const auto& c = p.config();
    if (!c.smmu.enabled)
        throw cfg::config_error("workload iova: needs the SMMU (smmu.enabled = true)");
    auto ep_params = epf_params(c);
    fw::functions::iova_test_params ip;
    ip.buffers = c.function.iova.buffers;
    ip.seed = c.sim.seed;
    ip.timeout_ns = c.host.test_timeout_us * ns_per_us;
    ep_params.min_reg_bar_bytes = fw::functions::iova_test_bar_bytes(ip.buffers); // BAR0
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb, ip, &out](hal::platform& io) {
        fw::functions::run_test_endpoint(io, eb, ep_params,
                                         [ip, &out](fw::functions::endpoint_services& s) {
                                             out.iova_ran = true;
                                             fw::functions::run_iova_test(s, ip, out.iova_fw);
                                         });
    });
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    fw::host::iova_host_params hp;
    hp.seed = c.sim.seed;
    hp.timeout_ns = timeout_ns;
    p.load_host([&out, &hb, timeout_ns, retry_ns, hp](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (!out.enumerate_status && !out.devices.empty())
            fw::host::run_iova_host(host, out.devices.front(), hp, out.iova_host);
        else
            out.iova_host.status = out.enumerate_status ? out.enumerate_status : -ENODEV;
        out.host_finished = true;
    });
}

// Shadow check: the buffers hold exactly the host's pattern in DRAM, and the POISON the host
// wrote through the unmapped IOVA appears nowhere in DRAM.
void finish_iova(platform& p, workload_result& out) {
    const auto& mem = p.dram.storage();
    out.iova_poison_words = mem.find_word(iova_test::POISON).size();
    constexpr unsigned words = iova_test::PAGE_BYTES / sizeof(std::uint32_t);
    std::vector<std::uint32_t> page(words);
    for (std::size_t i = 0; i < out.iova_fw.buffer_phys.size(); ++i) {
        mem.read(out.iova_fw.buffer_phys[i] - p.config().dram.base, page.data(),
                 iova_test::PAGE_BYTES);
        for (unsigned w = 0; w < words; ++w)
            if (page[w] !=
                iova_test::pattern(p.config().sim.seed, static_cast<std::uint32_t>(i + 1), w)) {
                ++out.iova_shadow_mismatches;
                break;
            }
    }
}

void load_iotlb_sweep(platform& p, workload_result& out) {
    const auto& c = p.config();
    if (!c.smmu.enabled)
        throw cfg::config_error("workload iotlb-sweep: needs the SMMU (smmu.enabled = true)");
    const auto& w = c.workload.iotlb_sweep;
    fw::functions::iotlb_map_params mp;
    mp.region_bytes = w.max_set_bytes;
    auto ep_params = epf_params(c);
    ep_params.min_reg_bar_bytes = mp.region_bytes; // BAR0: the 4 KiB-page mapping
    ep_params.bar_sizes[mp.block_bar] = std::max(ep_params.bar_sizes[mp.block_bar],
                                                 mp.region_bytes); // BAR2: 2 MiB blocks
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb, mp, &out](hal::platform& io) {
        fw::functions::run_test_endpoint(io, eb, ep_params,
                                         [mp, &out](fw::functions::endpoint_services& s) {
                                             fw::functions::run_iotlb_map(s, mp, out.iotlb_fw);
                                         });
    });
    fw::host::iotlb_sweep_params hp;
    for (std::uint64_t n = w.min_set_bytes; n <= w.max_set_bytes; n *= 2)
        hp.set_bytes.push_back(n);
    hp.reads = w.reads;
    hp.read_bytes = w.read_bytes;
    hp.page_bar = mp.page_bar;
    hp.block_bar = mp.block_bar;
    hp.seed = c.sim.seed;
    hp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    const hal::host_board& hb = p.host_board();
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([&out, &hb, retry_ns, hp](hal::platform& io) {
        fw::host::pci_host host(io, hb, hp.timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        out.iotlb_ran = true;
        out.iotlb_status =
            out.enumerate_status ? out.enumerate_status
            : out.devices.empty()
                ? -ENODEV
                : fw::host::run_iotlb_sweep_host(host, out.devices.front(), hp, out.iotlb_rows);
        out.host_finished = true;
    });
}

void load_pcitest(platform& p, workload_result& out) {
    const auto ep_params = epf_params(p.config());
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb](hal::platform& io) {
        fw::functions::run_test_endpoint(io, eb, ep_params);
    });
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = p.config().host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = p.config().host.crs_retry_us * ns_per_us;
    fw::host::pcitest_options opts;
    opts.xfer_timeout_ns = timeout_ns;
    opts.seed = p.config().sim.seed;
    // The DMA variants run when the controller has an eDMA with both directions.
    opts.dma = p.config().dwc.edma_write_channels > 0 && p.config().dwc.edma_read_channels > 0;
    opts.doorbell = true; // the function remaps a BAR onto the interrupt-generation window
    if (p.config().host.pcitest_msix_sample)
        opts.msix_vectors = {1, 2, 31, 32, 33, 1024, 2047, 2048};
    p.load_host([&out, &hb, timeout_ns, retry_ns, opts](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (out.enumerate_status == 0 && !out.devices.empty())
            out.tests = fw::host::run_pcitest(host, hb, out.devices.front(), opts);
        out.host_finished = true;
    });
}
} // namespace

unsigned workload_result::passed() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::pass;
    return n;
}
unsigned workload_result::failed() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::fail;
    return n;
}
unsigned workload_result::skipped() const {
    unsigned n = 0;
    for (const auto& t : tests)
        n += t.result == fw::host::verdict::skip;
    return n;
}

const std::vector<workload>& workloads() {
    static const std::vector<workload> all = {
        {"pcitest",
         "the Linux endpoint test suite: enumerate the endpoint, then the BAR tests (kselftest "
         "pci_endpoint_test)",
         &load_pcitest},
        {"cmd-stream",
         "an NVMe-like command stream: the host posts commands with scattered pages, the "
         "endpoint serves them by CPU copies through mem_map windows or by eDMA "
         "(function.cmd.*)",
         &load_cmd_stream},
        {"dma-sweep",
         "eDMA read and write throughput and latency over transfer sizes "
         "(workload.dma_sweep.*), doorbell to done",
         &load_dma_sweep},
        {"iova",
         "explicit IOVA management: BAR0 onto a reserved IOVA range of scattered DRAM buffers "
         "and the interrupt window (function.iova.buffers), doorbell, checks, a partial unmap "
         "that must fault",
         &load_iova, &finish_iova},
        {"iotlb-sweep",
         "IOTLB working-set study: host random reads over a growing working set behind a BAR "
         "mapped with 4 KiB pages and one mapped with 2 MiB blocks (workload.iotlb_sweep.*)",
         &load_iotlb_sweep},
    };
    return all;
}

const workload* find_workload(const std::string& name) {
    for (const auto& w : workloads())
        if (name == w.name) return &w;
    return nullptr;
}

} // namespace epvp::tb

#include "workloads.h"

#include "functions/test_endpoint.h"
#include "hal/crc32.h"
#include "hal/errno.h"
#include "hal/format.h"
#include "hal/iova_test_regs.h"
#include "hal/p2p_regs.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace epvp::tb {

namespace {
constexpr std::uint64_t ns_per_us = 1000;
constexpr std::uint64_t ns_per_ms = 1000 * ns_per_us;

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
    p.dma_copy_bounce = c.host.pcitest_kernel != "6.18"; // 6.18: COPY by DMA needs DMA_MEMCPY
    return p;
}

// Where the dma-sweep workload's host buffer and completion flag live: a region of host memory
// the host software leaves alone (like a reserved DMA area).
constexpr std::uint64_t sweep_buffer_offset = 64ull << 20;
constexpr std::uint64_t sweep_flag_value = 0x5EE9D0E;
constexpr std::uint64_t sweep_poll_ns = 10'000;

// The endpoint tells the host it is done: a flag word in its memory, by eDMA (or not at all).
void signal_host(fw::functions::endpoint_services& s, std::uint64_t flag,
                 std::uint64_t timeout_ns) {
    std::uint64_t local = 0;
    if (s.edma && s.pool.alloc(sizeof(std::uint32_t), sizeof(std::uint32_t), local) == 0) {
        s.io.wr32(local, static_cast<std::uint32_t>(sweep_flag_value));
        s.edma->xfer(fw::dwc::edma_dir::write, local, flag, sizeof(std::uint32_t), timeout_ns);
        s.pool.free(local);
    }
}

// The host of the eDMA workloads: enumerates, then waits (bounded) for the endpoint's flag;
// *status becomes -ETIMEDOUT if the flag never came (and it was 0).
void load_flag_host(platform& p, workload_result& out, std::uint64_t flag, int* status) {
    const auto& c = p.config();
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    p.load_host([&out, &hb, timeout_ns, retry_ns, flag, status](hal::platform& io) {
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
        if (!seen && !*status) *status = -ETIMEDOUT;
        out.host_finished = true;
    });
}

void load_dma_sweep(platform& p, workload_result& out) {
    const auto& c = p.config();
    const auto& sw = c.workload.dma_sweep;
    if (!sw.read && !sw.write)
        throw cfg::config_error("workload dma-sweep: workload.dma_sweep.read and "
                                "workload.dma_sweep.write are both false: nothing to transfer");
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
                signal_host(s, flag, sp.timeout_ns);
            });
    });
    load_flag_host(p, out, flag, &out.sweep_status);
}

// dma-mix: write and read channels at once (workload.dma_mix.*), in the dma-sweep's host
// buffer region: write channel i at i x size_bytes, read channel j after the write channels.
void load_dma_mix(platform& p, workload_result& out) {
    const auto& c = p.config();
    const auto& mx = c.workload.dma_mix;
    if (!mx.write_channels && !mx.read_channels)
        throw cfg::config_error("workload dma-mix: workload.dma_mix.write_channels and "
                                "workload.dma_mix.read_channels are both 0: nothing to run");
    if (mx.write_channels > c.dwc.edma_write_channels ||
        mx.read_channels > c.dwc.edma_read_channels)
        throw cfg::config_error("workload dma-mix: " + std::to_string(mx.write_channels) +
                                " write / " + std::to_string(mx.read_channels) +
                                " read channels asked, the core has " +
                                std::to_string(c.dwc.edma_write_channels) + " / " +
                                std::to_string(c.dwc.edma_read_channels) +
                                " (dwc.edma.write_channels / read_channels)");
    fw::functions::dma_mix_params mp;
    mp.host_buffer = c.host.mem_base + sweep_buffer_offset;
    mp.write_channels = mx.write_channels;
    mp.read_channels = mx.read_channels;
    mp.size_bytes = mx.size_bytes;
    mp.host_bytes = mx.size_bytes * (mx.write_channels + mx.read_channels);
    mp.write_weights = mx.write_weights;
    mp.read_weights = mx.read_weights;
    mp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t flag = mp.host_buffer + mp.host_bytes;
    auto ep_params = epf_params(c);
    ep_params.claim_dma = false; // the workload uses the channels
    const hal::ep_board& eb = p.ep_board();
    p.load_ep([ep_params, &eb, mp, flag, &out](hal::platform& io) {
        fw::functions::run_test_endpoint(
            io, eb, ep_params, [mp, flag, &out](fw::functions::endpoint_services& s) {
                out.mix_ran = true;
                if (!s.edma) {
                    out.mix_status = -EOPNOTSUPP;
                    s.io.log(hal::log_level::error, "dma-mix", "no eDMA: nothing to run");
                } else {
                    out.mix_status =
                        fw::functions::run_dma_mix(s.io, *s.edma, s.pool, mp, out.mix_rows);
                }
                signal_host(s, flag, mp.timeout_ns);
            });
    });
    load_flag_host(p, out, flag, &out.mix_status);
}

// The DWC endpoint driver keeps one outbound window mapped for raising MSIs (Linux
// drivers/pci/controller/dwc/pcie-designware-ep.c, ep->msi_mem).
constexpr unsigned msi_outbound_windows = 1;

void load_cmd_stream(platform& p, workload_result& out) {
    const auto& c = p.config();
    if (c.dwc.iatu.outbound_windows <= msi_outbound_windows)
        throw cfg::config_error(
            "workload cmd-stream: dwc.iatu.outbound_windows = " +
            std::to_string(c.dwc.iatu.outbound_windows) +
            ": the MSI window holds the only one, none is left to reach host memory (need >= " +
            std::to_string(msi_outbound_windows + 1) + ")");
    // Windows all busy: the server waits for one and counts it (window_busy_stalls).
    p.ep_cpu.expect_message("No free outbound window");
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
    opts.kernel = p.config().host.pcitest_kernel == "6.18" ? fw::host::pcitest_kernel::v6_18
                                                           : fw::host::pcitest_kernel::next;
    if (p.config().host.pcitest_msix_sample)
        opts.msix_vectors = {1, 2, 31, 32, 33, 1024, 2047, 2048};
    opts.hot_reset_before_test = p.config().faults.hot_reset_before_test;
    opts.flr_before_test = p.config().faults.flr_before_test;
    opts.sbr_hold_ns = p.config().host.sbr_hold_us * ns_per_us;
    opts.flr_wait_ns = p.config().host.flr_wait_ms * ns_per_ms;
    opts.resets = &out.resets;
    opts.progress = &out.pcitest_progress;
    out.tests_planned = fw::host::pcitest_rows(opts.kernel);
    opts.on_result = [&out](unsigned n, const fw::host::test_result& t) {
        if (out.on_test) out.on_test(n, t);
    };
    p.load_host([&out, &hb, timeout_ns, retry_ns, opts](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (out.enumerate_status == 0 && !out.devices.empty())
            out.tests = fw::host::run_pcitest(host, hb, out.devices.front(), opts);
        out.host_finished = true;
    });
}

// ---- p2p ----------------------------------------------------------------------------------
// Where the client signals completion: a host memory word the host software leaves alone.
constexpr std::uint64_t p2p_flag_offset = 80ull << 20;
constexpr std::uint64_t p2p_poll_ns = 10'000;
constexpr unsigned bits_per_word = 32;

// Every root port's and switch port's counters now.
std::vector<p2p_port_traffic> port_traffic(platform& p) {
    std::vector<p2p_port_traffic> rows;
    for (unsigned i = 0; i < p.rc.root_ports(); ++i) {
        const auto& s = p.rc.port_stats(i);
        p2p_port_traffic t;
        t.port = "root port " + std::to_string(i);
        t.root_port = true;
        t.tlps_in = s.tlps_in;
        t.tlps_out = s.tlps_out;
        t.bytes_in = s.bytes_in;
        t.bytes_out = s.bytes_out;
        t.p2p_via_root = s.p2p_forwarded + s.p2p_reflected + s.p2p_blocked;
        t.route_to_self = s.route_to_self;
        t.unsupported = s.unsupported;
        rows.push_back(t);
    }
    for (unsigned k = 0; k < p.switch_count(); ++k) {
        pcie::pcie_switch& sw = p.switch_at(k);
        const std::string name = p.config().topology.switches[k].name;
        for (unsigned i = 0; i <= sw.downstream_ports(); ++i) {
            const bool up = i == 0;
            const auto& s = up ? sw.upstream_stats() : sw.downstream_stats(i - 1);
            p2p_port_traffic t;
            t.port = name + (up ? " upstream" : " port " + std::to_string(i - 1));
            t.tlps_in = s.tlps_in;
            t.tlps_out = s.tlps_out;
            t.bytes_in = s.bytes_in;
            t.bytes_out = s.bytes_out;
            t.acs_redirects = s.acs_redirects;
            t.route_to_self = s.route_to_self;
            t.unsupported = s.unsupported;
            rows.push_back(t);
        }
    }
    return rows;
}

std::vector<p2p_port_traffic> traffic_since(platform& p, const std::vector<p2p_port_traffic>& a) {
    std::vector<p2p_port_traffic> b = port_traffic(p);
    for (std::size_t i = 0; i < b.size() && i < a.size(); ++i) {
        b[i].tlps_in -= a[i].tlps_in;
        b[i].tlps_out -= a[i].tlps_out;
        b[i].bytes_in -= a[i].bytes_in;
        b[i].bytes_out -= a[i].bytes_out;
        b[i].p2p_via_root -= a[i].p2p_via_root;
        b[i].acs_redirects -= a[i].acs_redirects;
        b[i].route_to_self -= a[i].route_to_self;
        b[i].unsupported -= a[i].unsupported;
    }
    return b;
}

std::string tree_line(const fw::host::pci_host& host, const fw::host::pci_dev& d) {
    unsigned depth = 0;
    for (int up = d.parent; up >= 0; up = host.tree()[static_cast<std::size_t>(up)].parent)
        ++depth;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%*s%s [%04x:%04x] %s", static_cast<int>(2 * depth), "",
                  d.name().c_str(), d.vendor, d.device, fw::host::to_string(d.type));
    std::string line = buf;
    if (d.is_bridge()) {
        std::snprintf(buf, sizeof buf, ", buses %02x-%02x", d.secondary, d.subordinate);
        line += buf;
    }
    if (d.acs_cap) {
        std::snprintf(buf, sizeof buf, ", ACS ctrl %04x", d.acs_ctrl);
        line += buf;
    }
    for (unsigned b = 0; b < d.bars.size(); ++b)
        if (d.bars[b].size && !d.bars[b].io) {
            std::snprintf(buf, sizeof buf, ", BAR%u %s+%s", b, fw::hex(d.bars[b].addr).c_str(),
                          fw::hex(d.bars[b].size).c_str());
            line += buf;
        }
    return line;
}

// The host's side of workload p2p: enumerate, orchestrate, hand the client its job, wait for
// the done flag in host memory, collect results and every bridge's AER findings.
void p2p_host(hal::platform& io, const hal::host_board& hb, const cfg::platform_config& c,
              p2p_result& r) {
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const auto& w = c.workload.p2p;
    fw::host::pci_host host(io, hb, timeout_ns, c.host.crs_retry_us * ns_per_us);
    std::vector<fw::host::pci_dev> eps;
    if ((r.status = r.enumerate_status = host.enumerate(eps))) return;
    if (w.acs_redirect) // what Linux's pci_enable_acs() does on an IOMMU system, minus SV/UF
        for (std::size_t i = 0; i < host.tree().size(); ++i)
            if (host.tree()[i].type == fw::host::pci_dev_type::downstream_port &&
                host.tree()[i].acs_cap)
                host.set_acs_ctrl(static_cast<int>(i), fw::host::acs::RR | fw::host::acs::CR);
    for (const auto& d : host.tree())
        r.tree.push_back(tree_line(host, d));

    fw::host::p2pdma orch(fw::host::p2pdma::from_host(host));
    auto idx = [&](const fw::host::pci_dev& d) { return orch.find(d.bus, d.dev, d.fn); };
    for (const auto& a : eps)
        for (const auto& b : eps) {
            p2p_pair_row row;
            row.provider = a.name();
            row.client = b.name();
            orch.calc_map_type_and_dist(idx(a), idx(b), row.type, row.distance);
            row.acs_redirects = orch.acs_redirect_list();
            r.pairs.push_back(row);
        }
    if (w.provider >= eps.size() || w.client >= eps.size()) {
        r.status = -ENODEV;
        r.errors.push_back("workload.p2p.provider/client: " + std::to_string(eps.size()) +
                           " endpoints were found");
        return;
    }
    const fw::host::pci_dev& prov = eps[w.provider];
    const fw::host::pci_dev& cli = eps[w.client];
    r.provider = prov.name();
    r.client = cli.name();
    const int pi = idx(prov), ci = idx(cli);
    std::uint64_t cpu_addr = 0;
    if ((r.status = orch.add_resource(pi, w.bar, w.bytes, w.offset_bytes)) ||
        (r.status = orch.publish(pi)))
        return;
    const int found = orch.find_many({ci});
    r.map_status = -ENODEV;
    if (found == pi && !(r.status = orch.alloc(pi, w.bytes, cpu_addr)))
        r.map_status = orch.map(pi, ci, cpu_addr, w.bytes, r.mapping);
    else if (found < 0) // no published provider the client can reach: what map says
        r.map_status = orch.map(pi, ci, prov.bars[w.bar].addr + w.offset_bytes, w.bytes, r.mapping);
    if (r.status) return;
    r.forced = r.map_status != 0 && w.force;
    r.self = w.target == cfg::p2p_target::self;
    if (r.self)
        r.peer_addr = cli.bars[w.bar].addr + w.offset_bytes;
    else if (r.map_status == 0)
        r.peer_addr = r.mapping.dma_addr;
    else if (r.forced) // the provider's BAR as the CPU sees it
        r.peer_addr = prov.bars[w.bar].addr + w.offset_bytes;
    else
        return; // "not supported": no DMA
    r.provider_bar_offset = r.peer_addr - (r.self ? cli : prov).bars[w.bar].addr;

    // The client's mailbox, then the job.
    const std::uint64_t mb = cli.bars[p2p_job::MAILBOX_BAR].addr;
    const std::uint64_t start = io.now_ns();
    while (io.rd32(mb + p2p_job::MAGIC) != p2p_job::MAGIC_VALUE ||
           io.rd32(mb + p2p_job::STATE) != p2p_job::STATE_READY) {
        if (io.now_ns() - start >= timeout_ns) {
            r.host_status = -ETIMEDOUT;
            r.errors.push_back(cli.name() + ": the p2p mailbox never became ready");
            return;
        }
        io.delay_ns(p2p_poll_ns);
    }
    const std::uint64_t flag = c.host.mem_base + p2p_flag_offset;
    io.wr32(flag, 0);
    io.wr32(mb + p2p_job::PEER_LO, static_cast<std::uint32_t>(r.peer_addr));
    io.wr32(mb + p2p_job::PEER_HI, static_cast<std::uint32_t>(r.peer_addr >> bits_per_word));
    io.wr32(mb + p2p_job::BYTES, static_cast<std::uint32_t>(w.bytes));
    io.wr32(mb + p2p_job::FLAGS, p2p_job::FLAG_WRITE | p2p_job::FLAG_READ);
    io.wr32(mb + p2p_job::HOST_FLAG_LO, static_cast<std::uint32_t>(flag));
    io.wr32(mb + p2p_job::HOST_FLAG_HI, static_cast<std::uint32_t>(flag >> bits_per_word));
    io.wr32(mb + p2p_job::SEED_LO, static_cast<std::uint32_t>(c.sim.seed));
    io.wr32(mb + p2p_job::SEED_HI, static_cast<std::uint32_t>(c.sim.seed >> bits_per_word));
    io.wr32(mb + p2p_job::STATE, p2p_job::STATE_GO);
    r.dma_issued = true;
    // Waiting on host memory keeps the root ports quiet while the client works.
    const std::uint64_t go = io.now_ns();
    while (io.rd32(flag) != p2p_job::DONE_VALUE) {
        if (io.now_ns() - go >= timeout_ns) {
            r.host_status = -ETIMEDOUT;
            r.errors.push_back(cli.name() + ": no done flag from the client");
            break;
        }
        io.delay_ns(p2p_poll_ns);
    }
    if (io.rd32(mb + p2p_job::STATE) != p2p_job::STATE_DONE && !r.host_status) r.host_status = -EIO;
    // What the fabric recorded: every bridge's AER (read and cleared).
    for (const auto& d : host.tree()) {
        if (!d.is_bridge()) continue;
        const std::string aer = host.take_aer_errors(d);
        if (!aer.empty())
            r.errors.push_back(d.name() + " (" + fw::host::to_string(d.type) + ")" + aer);
    }
}

void load_p2p(platform& p, workload_result& out) {
    const auto& c = p.config();
    const auto& w = c.workload.p2p;
    const unsigned needed = std::max(w.provider, w.client) + 1;
    if (needed > p.endpoint_count())
        throw cfg::config_error(
            "workload p2p: workload.p2p.provider = " + std::to_string(w.provider) +
            " and workload.p2p.client = " + std::to_string(w.client) + " need " +
            std::to_string(needed) + " endpoints, the topology has " +
            std::to_string(p.endpoint_count()) +
            " (add a second endpoint to topology.endpoints, or run without a topology for the "
            "default provider and client under a switch)");
    p2p_result& r = out.p2p;
    r.ran = true;
    r.bar_phys.assign(p.endpoint_count(), 0);
    fw::functions::p2p_client_params cp;
    cp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    for (unsigned i = 0; i < p.endpoint_count(); ++i) {
        endpoint_soc& soc = p.endpoint(i);
        auto ep_params = epf_params(soc.config());
        ep_params.claim_dma = false; // a client's job uses the channels
        const hal::ep_board& eb = soc.board();
        const unsigned bar = c.workload.p2p.bar;
        // Every endpoint publishes a mailbox; the one the host picks as client gets the job.
        soc.load([ep_params, &eb, cp, bar, i, &p, &out](hal::platform& io) {
            fw::functions::run_test_endpoint(
                io, eb, ep_params, [cp, bar, i, &p, &out](fw::functions::endpoint_services& s) {
                    out.p2p.bar_phys[i] = s.function.bar(bar).phys_addr;
                    fw::functions::p2p_client client(s, cp);
                    if (client.wait_job() == 0) {
                        // The fabric's counters around each direction (the host is waiting on
                        // its own memory, so the DMA is all that moves).
                        auto before = port_traffic(p);
                        client.write_to_peer();
                        out.p2p.write_ports = traffic_since(p, before);
                        before = port_traffic(p);
                        client.read_from_peer();
                        out.p2p.read_ports = traffic_since(p, before);
                    }
                    if (client.report().job.bytes) out.p2p.client_fw = client.report();
                    client.finish();
                });
        });
    }
    const hal::host_board& hb = p.host_board();
    p.load_host([&out, &hb, &c](hal::platform& io) {
        p2p_host(io, hb, c, out.p2p);
        out.enumerate_status = out.p2p.enumerate_status;
        out.host_finished = true;
    });
}

// Shadow check: the provider's memory (or the client's own, for a route-to-self run) holds what
// the client says it wrote.
void finish_p2p(platform& p, workload_result& out) {
    p2p_result& r = out.p2p;
    if (!r.dma_issued || r.client_fw.job.bytes == 0) return;
    const std::string& target = r.self ? r.client : r.provider;
    for (unsigned i = 0; i < p.endpoint_count(); ++i) {
        endpoint_soc& soc = p.endpoint(i);
        char bdf[16];
        const std::uint16_t id = soc.ep.requester_id();
        constexpr unsigned bus_shift = 8, dev_shift = 3, dev_mask = 0x1F, fn_mask = 0x7;
        std::snprintf(bdf, sizeof bdf, "%02x:%02x.%x", id >> bus_shift,
                      (id >> dev_shift) & dev_mask, id & fn_mask);
        if (target != bdf || !r.bar_phys[i]) continue;
        std::vector<std::uint8_t> data(r.client_fw.job.bytes);
        soc.dram.storage().read(r.bar_phys[i] + r.provider_bar_offset - soc.config().dram.base,
                                data.data(), data.size());
        r.shadow_crc = fw::crc32_le(~0u, data.data(), data.size());
        r.shadow_checked = true;
    }
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
    for (const auto& x : resets) // a reset that failed fails the run
        n += x.status != 0;
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
        {"dma-mix",
         "concurrent eDMA channels: N write and M read channels at once, arbitrated by their "
         "weights (workload.dma_mix.*): per-channel throughput, waits, fairness",
         &load_dma_mix},
        {"iova",
         "explicit IOVA management: BAR0 onto a reserved IOVA range of scattered DRAM buffers "
         "and the interrupt window (function.iova.buffers), doorbell, checks, a partial unmap "
         "that must fault",
         &load_iova, &finish_iova},
        {"iotlb-sweep",
         "IOTLB working-set study: host random reads over a growing working set behind a BAR "
         "mapped with 4 KiB pages and one mapped with 2 MiB blocks (workload.iotlb_sweep.*)",
         &load_iotlb_sweep},
        {"p2p",
         "peer-to-peer: enumerate the tree, p2pdma distances and map types, a provider publishes "
         "BAR memory and a client's eDMA writes and reads it by bus address, CRC checked, per-port "
         "counters (workload.p2p.*, topology; without one: two endpoints under a switch)",
         &load_p2p, &finish_p2p},
    };
    return all;
}

const workload* find_workload(const std::string& name) {
    for (const auto& w : workloads())
        if (name == w.name) return &w;
    return nullptr;
}

} // namespace epvp::tb

namespace epvp::tb {

bool p2p_result::ok() const {
    if (!ran || status || host_status) return false;
    if (!dma_issued) return map_status != 0; // refused before any DMA: the right answer
    if (forced || self || client_fw.status) return false;
    return client_fw.data_ok() && (!shadow_checked || shadow_crc == client_fw.write.crc);
}

void load_idle_endpoints(platform& p) {
    for (unsigned i = 0; i < p.endpoint_count(); ++i) {
        endpoint_soc& soc = p.endpoint(i);
        if (soc.loaded()) continue;
        const auto params = epf_params(soc.config());
        const hal::ep_board& eb = soc.board();
        soc.load(
            [params, &eb](hal::platform& io) { fw::functions::run_test_endpoint(io, eb, params); });
    }
}

void apply_workload_defaults(const std::string& workload, cfg::json& doc) {
    if (workload == "p2p" && !doc.contains("topology"))
        cfg::merge(doc, cfg::json{{"topology", cfg::default_p2p_topology()}});
}

std::string format_p2p(const p2p_result& r) {
    std::string s;
    char buf[256];
    s += "tree:\n";
    for (const auto& line : r.tree)
        s += "  " + line + "\n";
    s += "p2pdma (provider -> client: distance, map type):\n";
    for (const auto& row : r.pairs) {
        std::snprintf(buf, sizeof buf, "  %s -> %s: %d, %s%s%s\n", row.provider.c_str(),
                      row.client.c_str(), row.distance, fw::host::to_string(row.type),
                      row.acs_redirects.empty() ? "" : ", ACS redirect at ",
                      row.acs_redirects.c_str());
        s += buf;
    }
    if (!r.provider.empty()) {
        std::snprintf(
            buf, sizeof buf, "provider %s, client %s: map %s", r.provider.c_str(), r.client.c_str(),
            r.map_status ? fw::err_name(r.map_status) : fw::host::to_string(r.mapping.type));
        s += buf;
        if (!r.map_status) s += ", bus address " + fw::hex(r.mapping.dma_addr);
        if (r.map_status && !r.dma_issued) s += ": not supported, no DMA issued";
        if (r.forced) s += ": forced, DMA to " + fw::hex(r.peer_addr);
        if (r.self)
            s += "; target: the client's own BAR " + fw::hex(r.peer_addr) + " (route-to-self)";
        s += "\n";
    }
    auto dir = [&](const char* name, const fw::functions::p2p_transfer& t) {
        if (!t.ran) return;
        const double mbps = t.status ? 0
                            : t.ns ? static_cast<double>(t.bytes) * 1e3 / static_cast<double>(t.ns)
                                   : 0;
        std::snprintf(buf, sizeof buf, "%s: %llu bytes, %s, %.3f us, %.1f MB/s, crc %08x\n", name,
                      static_cast<unsigned long long>(t.bytes),
                      t.status ? fw::err_name(t.status) : "OK", static_cast<double>(t.ns) / 1e3,
                      mbps, t.crc);
        s += buf;
    };
    dir(r.self ? "client -> own BAR (eDMA write)" : "client -> provider (eDMA write)",
        r.client_fw.write);
    dir(r.self ? "own BAR -> client (eDMA read) " : "provider -> client (eDMA read) ",
        r.client_fw.read);
    if (r.shadow_checked) {
        std::snprintf(buf, sizeof buf, "target memory crc %08x (%s the data sent)\n", r.shadow_crc,
                      r.shadow_crc == r.client_fw.write.crc ? "equals" : "DIFFERS from");
        s += buf;
    }
    auto ports = [&](const char* name, const std::vector<p2p_port_traffic>& rows) {
        if (rows.empty()) return;
        s += std::string("port counters during the ") + name + " (TLPs / payload bytes):\n";
        std::snprintf(buf, sizeof buf, "  %-16s %8s %12s %8s %12s %8s %6s %6s %6s\n", "port",
                      "TLPs in", "bytes in", "TLPs out", "bytes out", "via-RC", "ACS", "self",
                      "UR");
        s += buf;
        for (const auto& t : rows) {
            std::snprintf(buf, sizeof buf,
                          "  %-16s %8llu %12llu %8llu %12llu %8llu %6llu %6llu %6llu\n",
                          t.port.c_str(), static_cast<unsigned long long>(t.tlps_in),
                          static_cast<unsigned long long>(t.bytes_in),
                          static_cast<unsigned long long>(t.tlps_out),
                          static_cast<unsigned long long>(t.bytes_out),
                          static_cast<unsigned long long>(t.p2p_via_root),
                          static_cast<unsigned long long>(t.acs_redirects),
                          static_cast<unsigned long long>(t.route_to_self),
                          static_cast<unsigned long long>(t.unsupported));
            s += buf;
        }
        std::uint64_t rc_bytes = 0, rc_tlps = 0;
        for (const auto& t : rows)
            if (t.root_port) {
                rc_bytes += t.bytes_in + t.bytes_out;
                rc_tlps += t.tlps_in + t.tlps_out;
            }
        std::snprintf(buf, sizeof buf, "  root complex: %llu TLPs, %llu bytes%s\n",
                      static_cast<unsigned long long>(rc_tlps),
                      static_cast<unsigned long long>(rc_bytes),
                      rc_tlps ? "" : " (nothing crossed it)");
        s += buf;
    };
    ports("write", r.write_ports);
    ports("read", r.read_ports);
    for (const auto& e : r.errors)
        s += "recorded: " + e + "\n";
    std::snprintf(buf, sizeof buf, "p2p: %s\n", r.ok() ? "PASS" : "FAIL");
    s += buf;
    return s;
}

} // namespace epvp::tb

#include "testbench/endpoint_soc.h"

#include "firmware/hal/format.h"
#include "firmware/hal/iss_map.h"
#include "model/dwc/app_regs.h"
#include "model/soc/smmu_regs.h"

#include <filesystem>
#include <memory>
#include <stdexcept>

#ifdef EPVP_RTL_COSIM
#include "rtl-bridge/rtl_axi_slave.h"
#endif

namespace epvp::tb {

using sc_core::sc_time;

namespace {
// The endpoint SoC's fixed integration: where DBI2, the unrolled iATU and eDMA sit inside
// the controller's DBI aperture (as in Linux's DEFAULT_DBI_ATU_OFFSET and dbi + SZ_4K).
constexpr std::uint64_t dbi_aperture_bytes = 0x400000;
constexpr std::uint64_t dbi2_offset = 0x1000;
constexpr std::uint64_t atu_offset = 0x300000;
constexpr std::uint64_t edma_offset = 0x380000;
constexpr std::uint64_t edma_bytes = 0x80000;
constexpr std::uint64_t dbi_function_bytes = 0x1000;
constexpr std::uint64_t smmu_region_bytes = soc::smmuv3::reg::block_bytes;
constexpr std::uint64_t mhz = 1'000'000;
enum noc_port : unsigned {
    port_dram = 0,
    port_dbi = 1,
    port_app = 2,
    port_aperture = 3,
    port_smmu = 4
};

#ifdef EPVP_ISS
// cpu.elf: a leading "$ORIGIN" is the directory of the running executable (the build puts the
// firmware ELF beside epsim and installs it beside the installed epsim).
std::string elf_path(const std::string& key) {
    const std::string origin = "$ORIGIN";
    if (key.compare(0, origin.size(), origin) != 0) return key;
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return (ec ? std::string(".") : exe.parent_path().string()) + key.substr(origin.size());
}
#endif

dwc::bar_kind kind_of(cfg::bar_type t) {
    switch (t) {
    case cfg::bar_type::fixed:
        return dwc::bar_kind::fixed;
    case cfg::bar_type::resizable:
        return dwc::bar_kind::resizable;
    case cfg::bar_type::reserved:
        return dwc::bar_kind::reserved;
    case cfg::bar_type::programmable:
        break;
    }
    return dwc::bar_kind::programmable;
}
hal::bar_type hal_type_of(cfg::bar_type t) {
    switch (t) {
    case cfg::bar_type::fixed:
        return hal::bar_type::fixed;
    case cfg::bar_type::resizable:
        return hal::bar_type::resizable;
    case cfg::bar_type::reserved:
        return hal::bar_type::reserved;
    case cfg::bar_type::programmable:
        break;
    }
    return hal::bar_type::programmable;
}
// "4.80a" compares by its ASCII version number.
constexpr std::uint32_t ver_460a = 0x3436302a, ver_470a = 0x3437302a, ver_480a = 0x3438302a,
                        ver_540a = 0x3534302a;
} // namespace

dwc::dw_pcie_ep_params endpoint_soc::ep_params(const cfg::platform_config& c) {
    dwc::dw_pcie_ep_params p;
    const std::uint32_t ver = c.dwc.version_number;
    p.dbi.version_number = ver >= ver_470a ? ver : 0;
    p.dbi.version_type = ver >= ver_470a ? 0x6561302a : 0;
    p.dbi.max_gen = c.link.gen;
    p.dbi.max_width = c.link.width;
    p.dbi.mps_supported_bytes = c.link.mps;
    for (unsigned i = 0; i < 6; ++i)
        p.dbi.bars[i] = dwc::bar_hw{kind_of(c.dwc.bars[i].type), c.dwc.bars[i].fixed_size,
                                    c.dwc.bars[i].only_64bit};
    p.iatu.outbound_windows = c.dwc.iatu.outbound_windows;
    p.iatu.inbound_windows = c.dwc.iatu.inbound_windows;
    p.iatu.region_align = c.dwc.iatu.region_align;
    p.iatu.region_limit = ver >= ver_460a ? c.dwc.iatu.region_limit : (1ull << 32);
    p.iatu.unrolled = ver >= ver_480a;
    p.iatu.has_upper_limit = ver >= ver_460a;
    p.miss_is_ur = c.dwc.iatu.miss == cfg::miss_policy::ur;
    p.training_time = sc_time(static_cast<double>(c.link.training_us), sc_core::SC_US);
    p.dbi_access = sc_time(static_cast<double>(c.dwc.dbi_access_ns), sc_core::SC_NS);
    p.dbi2_offset = dbi2_offset;
    p.atu_offset = atu_offset;
    p.atu_space_bytes = edma_offset - atu_offset;
    p.edma_offset = edma_offset;
    p.dbi_aperture_bytes = dbi_aperture_bytes;
    p.max_tags = c.link.tags;
    p.completion_timeout =
        sc_time(static_cast<double>(c.dwc.completion_timeout_us), sc_core::SC_US);
    p.edma_write_channels = c.dwc.edma_write_channels;
    p.edma_read_channels = c.dwc.edma_read_channels;
    p.edma_axi_burst_bytes = c.dwc.edma_axi_burst_bytes;
    p.edma_axi_outstanding_reads = c.dwc.edma_axi_outstanding_reads;
    p.edma_staging_buffer_bytes = c.dwc.edma_staging_buffer_bytes;
    p.edma_rd_outstanding_mrd = c.dwc.edma_rd_outstanding_mrd;
    p.edma_burst = c.sim.timing == cfg::link_timing::burst;
    p.edma_unrolled = ver >= ver_540a;
    p.quantum = sc_time(static_cast<double>(c.sim.quantum_ns), sc_core::SC_NS);
    p.aperture_base = c.board.aperture.base;
    p.aperture_bytes = c.board.aperture.size;
    if (c.dwc.stream_mode == cfg::stream_id_mode::fixed) p.fixed_stream_id = c.dwc.stream_id;
    return p;
}

soc::dram_params endpoint_soc::dram_params(const cfg::platform_config& c) {
    constexpr double ps_per_ns = 1000.0;
    constexpr double mbps_per_bytes_per_ns = 1000.0;
    soc::dram_params d;
    d.channels = c.dram.channels;
    d.banks = c.dram.banks;
    d.row_bytes = c.dram.row_bytes;
    d.interleave_bytes = c.dram.interleave_bytes;
    d.burst_bytes = c.dram.burst_bytes;
    d.bytes_per_ns = static_cast<double>(c.dram.channel_bandwidth_MBps) / mbps_per_bytes_per_ns;
    d.t_rcd_ns = static_cast<double>(c.dram.trcd_ps) / ps_per_ns;
    d.t_rp_ns = static_cast<double>(c.dram.trp_ps) / ps_per_ns;
    d.t_cl_ns = static_cast<double>(c.dram.tcl_ps) / ps_per_ns;
    d.t_ras_ns = static_cast<double>(c.dram.tras_ps) / ps_per_ns;
    d.t_wr_ns = static_cast<double>(c.dram.twr_ps) / ps_per_ns;
    d.t_rfc_ns = static_cast<double>(c.dram.trfc_ps) / ps_per_ns;
    d.t_refi_ns = static_cast<double>(c.dram.trefi_ps) / ps_per_ns;
    d.front_end_ns = static_cast<double>(c.dram.latency_ns);
    return d;
}

soc::smmu_params endpoint_soc::smmu_params(const cfg::platform_config& c) {
    soc::smmu_params p;
    p.walker.tlb_entries = c.smmu.tlb_entries;
    p.walker.walk_cache_entries = c.smmu.walk_cache_entries;
    p.tlb_hit_latency = sc_time(static_cast<double>(c.smmu.tlb_hit_ns), sc_core::SC_NS);
    p.walk_step_latency = sc_time(static_cast<double>(c.smmu.walk_step_ns), sc_core::SC_NS);
    p.command_latency = sc_time(static_cast<double>(c.smmu.command_ns), sc_core::SC_NS);
    p.sync_latency = sc_time(static_cast<double>(c.smmu.sync_ns), sc_core::SC_NS);
    p.cmdq_max_log2 = c.smmu.cmdq_max_log2;
    p.evtq_max_log2 = c.smmu.evtq_max_log2;
    return p;
}

namespace {
cpu_params ep_cpu_params(const cfg::platform_config& c) {
    cpu_params p;
    p.clock_hz = c.cpu.clock_mhz * mhz;
    p.max_beat_bytes = c.cpu.mmio_access_bytes;
    p.irq_entry_cycles = c.cpu.irq_entry_cycles;
    p.copy_cycles_per_byte = c.cpu.copy_cycles_per_byte;
    p.crc_cycles_per_byte = c.cpu.crc_cycles_per_byte;
    p.id = soc::master::ep_cpu;
    p.log_category = "fw";
    return p;
}
} // namespace

endpoint_soc::endpoint_soc(sc_core::sc_module_name name, const cfg::platform_config& c)
    : sc_module(name)
    , ep("dwc", ep_params(c))
    , noc("noc")
    ,
    // The temporary lives until the controller has copied it.
    dram("dram", c.dram.size_bytes,
         c.dram.ideal ? nullptr
                      : std::addressof(static_cast<const soc::dram_params&>(dram_params(c))),
         soc::irq_window_params{
             c.mc.irq_window_base - c.dram.base, c.mc.irq_window_bytes, c.mc.irq_window_fifo_depth,
             sc_core::sc_time(static_cast<double>(c.mc.irq_window_latency_ns), sc_core::SC_NS)})
    , smmu(c.smmu.enabled ? std::make_unique<soc::smmu>("smmu", smmu_params(c)) : nullptr)
    , irqc("irqc", hal::ep_irq_lines)
    , ep_cpu("ep_cpu", ep_cpu_params(c), &irqc)
    , cfg_(c) {
    if (c.cpu.kind == cfg::cpu_kind::iss) {
#ifndef EPVP_ISS
        throw cfg::config_error("cpu.kind = iss: this build has no instruction-set simulator "
                                "(install libunicorn-dev and build again)");
#else
        // The CPU's own blocks sit below the board's configurable map (hal/iss_map.h).
        const std::uint64_t own_base = ISS_SRAM_BASE, own_end = ISS_CPU_BASE + ISS_BLOCK_BYTES;
        const std::pair<const char*, hal::region> regions[] = {
            {"dram.base", {c.dram.base, c.dram.size_bytes}},
            {"board.dbi_base", {c.board.dbi_base, dbi_aperture_bytes}},
            {"board.app_base", {c.board.app_base, dwc::app::block_bytes}},
            {"board.smmu_base", {c.board.smmu_base, smmu_region_bytes}},
            {"board.aperture.base", {c.board.aperture.base, c.board.aperture.size}}};
        for (const auto& [key, r] : regions)
            if (r.base < own_end && (r.base >= own_base || own_base - r.base < r.size))
                throw cfg::config_error(std::string(key) + " = " + fw::hex(r.base) +
                                        ": the region overlaps the CPU's own SRAM and blocks [" +
                                        fw::hex(own_base) + ", " + fw::hex(own_end) +
                                        ") that cpu.kind = iss uses");
        iss_params ip;
        ip.clock_hz = c.cpu.clock_mhz * mhz;
        ip.cycles_per_instruction = c.cpu.iss_cpi;
        ip.elf = elf_path(c.cpu.elf);
        // UART lines ("category: message") are firmware log lines, as the native CPU's.
        try {
            iss = std::make_unique<iss_cpu>(
                "ep_iss", ip, irqc,
                [this](std::uint32_t level, const std::string& line, const sc_time& at) {
                    const auto colon = line.find(": ");
                    const std::string category =
                        colon == std::string::npos ? "fw" : line.substr(0, colon);
                    const std::string msg =
                        colon == std::string::npos ? line : line.substr(colon + 2);
                    ep_cpu.log_at(static_cast<hal::log_level>(level & 3u), category, msg, at);
                });
        } catch (const iss_cpu::elf_error& e) {
            // The build without a cross toolchain has no ELF at the default path.
            const bool unbuilt = std::string(EPVP_FIRMWARE_ELF).empty() &&
                                 c.cpu.elf == cfg::defaults()["cpu"]["elf"].get<std::string>();
            throw cfg::config_error("cpu.elf = \"" + c.cpu.elf + "\": " + e.what() +
                                    (unbuilt ? " (this build has no firmware ELF: install "
                                               "g++-aarch64-linux-gnu and "
                                               "picolibc-aarch64-linux-gnu and build again)"
                                             : ""));
        }
#endif
    }
    make_rtl_slaves(c);
}

// soc.rtl_slaves: each block must be registered, and its range must overlap nothing but lie, at
// most, wholly inside DRAM (clear of the interrupt-generation window).
void endpoint_soc::make_rtl_slaves(const cfg::platform_config& c) {
    const auto& slaves = c.soc.rtl_slaves;
    if (slaves.empty()) return;
#ifndef EPVP_RTL_COSIM
    throw cfg::config_error("soc.rtl_slaves: this build has no RTL co-simulation (Verilator was "
                            "not found at configure time)");
#else
    struct named {
        std::string what;
        std::uint64_t base, size;
    };
    std::vector<named> taken = {
        {"board.dbi_base", c.board.dbi_base, dbi_aperture_bytes},
        {"board.app_base", c.board.app_base, dwc::app::block_bytes},
        {"board.aperture.base", c.board.aperture.base, c.board.aperture.size},
        {"mc.irq_window_base", c.mc.irq_window_base, c.mc.irq_window_bytes}};
    if (c.smmu.enabled) taken.push_back({"board.smmu_base", c.board.smmu_base, smmu_region_bytes});
    const auto overlaps = [](std::uint64_t b0, std::uint64_t s0, std::uint64_t b1,
                             std::uint64_t s1) { return b0 < b1 + s1 && b1 < b0 + s0; };
    for (std::size_t i = 0; i < slaves.size(); ++i) {
        const cfg::rtl_slave_config& s = slaves[i];
        const std::string at = "soc.rtl_slaves[" + std::to_string(i) + "]";
        if (s.block.empty())
            throw cfg::config_error(at + ".block is empty: name an RTL block a plugin registered");
        const rtl::axi_slave_factory* make = rtl::find_axi_slave(s.block);
        if (!make) {
            std::string known;
            for (const auto& n : rtl::axi_slave_names())
                known += (known.empty() ? "" : ", ") + n;
            throw cfg::config_error(at + ".block = \"" + s.block +
                                    "\": no loaded plugin registered an RTL block of that name "
                                    "(registered: " +
                                    (known.empty() ? "none; load one with --plugin" : known) + ")");
        }
        const std::string range = "[" + fw::hex(s.base) + ", " + fw::hex(s.base + s.size) + ")";
        if (s.base + s.size < s.base)
            throw cfg::config_error(at + " = " + fw::hex(s.base) + " + " + fw::hex(s.size) +
                                    ": the range runs past the end of the address space");
        const bool in_dram = s.base >= c.dram.base && s.base - c.dram.base < c.dram.size_bytes &&
                             s.size <= c.dram.size_bytes - (s.base - c.dram.base);
        if (!in_dram && overlaps(s.base, s.size, c.dram.base, c.dram.size_bytes))
            throw cfg::config_error(at + " " + range +
                                    ": overlaps the edge of DRAM (dram.base); a block lies wholly "
                                    "inside DRAM or outside it");
        for (const named& t : taken)
            if (overlaps(s.base, s.size, t.base, t.size))
                throw cfg::config_error(at + " " + range + ": overlaps " + t.what + " [" +
                                        fw::hex(t.base) + ", " + fw::hex(t.base + t.size) + ")");
        taken.push_back({at, s.base, s.size});
        const sc_time period(1.0 / static_cast<double>(s.clock_mhz), sc_core::SC_US);
        std::unique_ptr<rtl::rtl_axi_slave> m;
        try {
            m = std::make_unique<rtl::rtl_axi_slave>(("rtl" + std::to_string(i)).c_str(), s.block,
                                                     *make, period);
        } catch (const std::invalid_argument& e) {
            // The block's pins do not fit the widths its plugin declares.
            throw cfg::config_error(at + ".block = \"" + s.block + "\": " + e.what());
        }
        rtl_slaves_.push_back(m.get());
        rtl_modules_.push_back(std::move(m));
    }
#endif
}

void endpoint_soc::load(program p) {
    loaded_ = true;
    if (iss) {
        if (!iss->booted())
            throw cfg::config_error("cpu.kind = iss: this workload has no firmware image for the "
                                    "instruction-set simulator yet");
        return;
    }
    ep_cpu.load(std::move(p));
}

void endpoint_soc::boot_iss(const fw::guest::boot_params& params) {
    if (iss) iss->boot(params);
}

void endpoint_soc::wire() {
    const cfg::platform_config& c = cfg_;
    ep_cpu.bus.bind(noc.in);
    if (iss) iss->bus.bind(noc.in);
    noc.out.bind(dram.in);
    noc.out.bind(ep.dbi);
    noc.out.bind(ep.app);
    noc.out.bind(ep.axi_s);
    if (smmu) {
        // The controller's AXI master reaches the interconnect through the SMMU.
        ep.axi_m.bind(smmu->tbu_in);
        smmu->tbu_out.bind(noc.in);
        smmu->mem.bind(noc.in);
        noc.out.bind(smmu->regs);
        noc.map(c.board.smmu_base, smmu_region_bytes, port_smmu, "smmu");
        smmu->irq.bind(smmu_irq_);
    } else {
        ep.axi_m.bind(noc.in);
    }
    noc.map(c.dram.base, c.dram.size_bytes, port_dram, "dram", true);
    noc.map(c.board.dbi_base, dbi_aperture_bytes, port_dbi, "dbi");
    noc.map(c.board.app_base, dwc::app::block_bytes, port_app, "app");
    noc.map(c.board.aperture.base, c.board.aperture.size, port_aperture, "aperture");
#ifdef EPVP_RTL_COSIM
    // The RTL blocks take the ports after the fixed ones (made and checked in the constructor).
    unsigned port = smmu ? port_smmu + 1 : port_smmu;
    for (std::size_t i = 0; i < rtl_slaves_.size(); ++i, ++port) {
        const cfg::rtl_slave_config& s = c.soc.rtl_slaves[i];
        noc.out.bind(rtl_slaves_[i]->socket);
        const std::string name = "rtl_slaves[" + std::to_string(i) + "] " + s.block;
        if (s.base >= c.dram.base && s.base - c.dram.base < c.dram.size_bytes)
            noc.map_inside(s.base, s.size, port, name);
        else
            noc.map(s.base, s.size, port, name);
    }
#endif
    // Interrupt lines.
    ep.app_irq.bind(app_irq_);
    ep.edma_irq.bind(edma_irq_);
    dram.window_irq.bind(window_irq_);
    for (unsigned i = 0; i < hal::ep_irq_lines; ++i) {
        if (i == hal::irq_app) {
            irqc.lines[i].bind(app_irq_);
            continue;
        }
        if (i == hal::irq_edma) {
            irqc.lines[i].bind(edma_irq_);
            continue;
        }
        if (i == hal::irq_msi_ctrl) {
            irqc.lines[i].bind(window_irq_);
            continue;
        }
        if (i == hal::irq_timer && iss) {
            irqc.lines[i].bind(iss->timer_line());
            continue;
        }
        if (i == hal::irq_smmu && smmu) {
            irqc.lines[i].bind(smmu_irq_);
            continue;
        }
        idle_lines_.push_back(std::make_unique<sc_core::sc_signal<bool>>());
        irqc.lines[i].bind(*idle_lines_.back());
    }

    // Board descriptions.
    board_.dbi = {c.board.dbi_base, dbi_function_bytes};
    board_.dbi2 = {c.board.dbi_base + dbi2_offset, dbi_function_bytes};
    board_.atu = {c.board.dbi_base + atu_offset, c.board.atu_size};
    board_.edma = {c.board.dbi_base + edma_offset, edma_bytes};
    board_.app = {c.board.app_base, dwc::app::block_bytes};
    board_.aperture = {c.board.aperture.base, c.board.aperture.size};
    board_.aperture_page_size = c.board.aperture.page_size;
    board_.intx_capable = c.board.intx_capable;
    board_.dram = {c.dram.base, c.dram.size_bytes};
    board_.irq_window = {c.mc.irq_window_base, c.mc.irq_window_bytes};
    if (smmu) board_.smmu = {c.board.smmu_base, smmu_region_bytes};
    // What the device tree's iommu-map / iommu-map-mask would say about the controller.
    if (c.dwc.stream_mode == cfg::stream_id_mode::fixed)
        board_.smmu_stream = {hal::stream_id_source::fixed, c.dwc.stream_id};
    for (unsigned i = 0; i < 6; ++i)
        board_.bars[i] = hal::bar_desc{hal_type_of(c.dwc.bars[i].type), c.dwc.bars[i].fixed_size,
                                       c.dwc.bars[i].only_64bit};
    board_.bar_align = c.dwc.iatu.region_align;
    board_.max_map_bytes = c.function.max_map_bytes;
}

void endpoint_soc::trace_irq_lines(sc_core::sc_trace_file* f, const std::string& prefix) const {
    sc_core::sc_trace(f, app_irq_, prefix + "app_irq");
    sc_core::sc_trace(f, edma_irq_, prefix + "edma_irq");
    sc_core::sc_trace(f, window_irq_, prefix + "window_irq");
    sc_core::sc_trace(f, smmu_irq_, prefix + "smmu_irq");
}

} // namespace epvp::tb

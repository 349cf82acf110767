// The cross-key rules of the platform configuration (rules between keys, after each key has
// passed its own rule) and the values derived from others.
#include "testbench/config/cross_rules.h"

#include "testbench/config/config_util.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace epvp::cfg {
using namespace util;
namespace {

// Fixed-size regions the cross-key rules need.
constexpr std::uint64_t msi_region_size = 0x2000; // doorbell page + register page
constexpr std::uint64_t dbi_region_size = 0x400000;
constexpr std::uint64_t app_region_size = 0x1000;
constexpr std::uint64_t smmu_region_size = 0x20000; // two 64 KiB register pages
constexpr std::uint64_t ecam_region_size = 256 * MiB;
constexpr std::uint64_t resizable_bar_min = 1 * MiB;
constexpr std::uint64_t fixed_bar_min = 128;

// ---------------------------------------------------------------------------------------------
// Cross-key rules

struct region {
    std::string what; // "dram.base + dram.size_bytes"
    std::uint64_t base;
    std::uint64_t size;
    std::uint64_t end() const { return base + size; }
};

std::string span(const region& r) {
    return "[" + hex(r.base) + ", " + hex(r.end()) + ")";
}

region make_region(std::string what, std::uint64_t base, std::uint64_t size) {
    if (size > u64_max - base)
        fail(what + " = " + hex(base) + " + " + hex(size) +
             ": the region must end within the 64-bit address space");
    return {std::move(what), base, size};
}

void check_disjoint(const std::vector<region>& regions) {
    for (std::size_t i = 0; i < regions.size(); ++i) {
        for (std::size_t j = i + 1; j < regions.size(); ++j) {
            const region& a = regions[i];
            const region& b = regions[j];
            if (a.size == 0 || b.size == 0) continue;
            if (a.base < b.end() && b.base < a.end())
                fail(a.what + " = " + span(a) + " overlaps " + b.what + " = " + span(b) +
                     ": the regions must be disjoint");
        }
    }
}

// "4.70a" -> '4' '7' '0' '*' = 0x3437302a (the PCIE_VERSION_NUMBER register value).
std::uint32_t version_number(const std::string& version) {
    std::uint32_t n = 0;
    for (char c : version)
        if (c >= '0' && c <= '9') n = (n << 8) | static_cast<std::uint8_t>(c);
    return (n << 8) | static_cast<std::uint8_t>('*');
}

// Burst mode times several TLPs in one transaction (docs/link-timing.md): what needs a single
// TLP to act on, or more than one link on the way, is refused by name.
void check_burst_timing(const platform_config& p) {
    if (p.sim.timing != link_timing::burst) return;
    const auto& f = p.faults;
    const std::pair<const char*, bool> single_tlp[] = {
        {"faults.completion_timeout.nth_read", f.completion_timeout_nth_read != 0},
        {"faults.ur_at_completer.nth_read", f.ur_nth_read != 0},
        {"faults.ca_at_completer.nth_read", f.ca_nth_read != 0},
        {"faults.link_down.at_us", f.link_down_at_us != 0},
        {"faults.poison.nth_tlp", f.poison_nth_tlp != 0},
        {"faults.poison.rate", f.poison_rate > 0},
    };
    for (const auto& [key, set] : single_tlp)
        if (set)
            fail(std::string(key) +
                 ": needs single TLPs; sim.link_timing = burst times bursts (set it to tlp)");
}

} // namespace

void check_burst_topology(const platform_config& p) {
    if (p.sim.timing == link_timing::burst &&
        (p.topology.endpoints.size() > 1 || !p.topology.switches.empty()))
        fail("topology: sim.link_timing = burst supports one endpoint on the root port (a burst "
             "meets one link); set sim.link_timing to tlp");
}

namespace {

void check_cross_rules(const platform_config& p) {
    const auto& iatu = p.dwc.iatu;
    const auto& ap = p.board.aperture;
    check_burst_timing(p);

    if (ap.page_size < iatu.region_align)
        fail("board.aperture.page_size = " + dec(ap.page_size) +
             ": must be >= dwc.iatu.region_align (" + dec(iatu.region_align) + ")");
    if (ap.base % ap.page_size != 0)
        fail("board.aperture.base = " + hex(ap.base) +
             ": must be a multiple of board.aperture.page_size (" + dec(ap.page_size) + ")");

    const std::string version = choice_name(p.dwc.version);
    if (iatu.impl != iatu_impl::tlm && p.dwc.version < dwc_version::v4_80a)
        fail("dwc.iatu.impl = " + choice_name(iatu.impl) +
             ": the RTL iATU has the unrolled layout only; dwc.version " + version +
             " uses the viewport (need >= 4.80a)");

    if (p.dwc.version < dwc_version::v4_60a && iatu.region_limit != 4 * GiB)
        fail("dwc.iatu.region_limit = " + dec(iatu.region_limit) + ": dwc.version " + version +
             " has no UPPER_LIMIT, so the limit is 4 GiB (4294967296)");

    // The native CPU's costs: on the ISS the firmware's own instructions take the time
    // (cpu.iss_cpi) and its loads and stores are as wide as the code makes them, so a value
    // other than the default would be ignored.
    if (p.cpu.kind == cpu_kind::iss) {
        const json d = defaults().at("cpu");
        const std::pair<const char*, std::uint64_t> native_only[] = {
            {"mmio_access_bytes", p.cpu.mmio_access_bytes},
            {"irq_entry_cycles", p.cpu.irq_entry_cycles},
            {"copy_cycles_per_byte", p.cpu.copy_cycles_per_byte},
            {"crc_cycles_per_byte", p.cpu.crc_cycles_per_byte}};
        for (const auto& [key, value] : native_only)
            if (value != d.at(key).get<std::uint64_t>())
                fail(std::string("cpu.") + key + " = " + dec(value) +
                     ": applies to the native CPU only (cpu.kind = native); with cpu.kind = iss "
                     "the firmware's own instructions take the time (cpu.iss_cpi)");
    }

    // PCIe Base Spec table 2-45 (Minimum Initial Flow Control Advertisements): a receiver that
    // does not advertise infinite data credits has room for one TLP of the largest payload it
    // may receive: posted data for Max_Payload_Size, completion data for the smaller of
    // Max_Payload_Size and the largest read request (16-byte units). Fewer would let a TLP go
    // out without credits.
    {
        constexpr unsigned fc_unit_bytes = 16;
        const unsigned pd_min = p.link.mps / fc_unit_bytes;
        const unsigned cpld_min = std::min(p.link.mps, p.link.mrrs) / fc_unit_bytes;
        const std::pair<const char*, const credit_config*> sides[] = {
            {"host", &p.link.host_credits}, {"ep", &p.link.ep_credits}};
        for (const auto& [side, cc] : sides) {
            if (cc->posted_data && cc->posted_data < pd_min)
                fail(std::string("link.credits.") + side + ".posted_data = " +
                     dec(cc->posted_data) + ": must be 0 (infinite) or at least link.mps / 16 (" +
                     dec(pd_min) + "): room for one TLP of the largest payload");
            if (cc->completion_data && cc->completion_data < cpld_min)
                fail(std::string("link.credits.") + side +
                     ".completion_data = " + dec(cc->completion_data) +
                     ": must be 0 (infinite) or at least min(link.mps, link.mrrs) / 16 (" +
                     dec(cpld_min) + "): room for one completion of the largest payload");
        }
    }

    constexpr std::uint64_t largest_mps_bytes = 4096;
    if (p.dwc.edma_staging_buffer_bytes < p.dwc.edma_axi_burst_bytes + largest_mps_bytes)
        fail("dwc.edma.staging_buffer_bytes = " + dec(p.dwc.edma_staging_buffer_bytes) +
             ": must be >= dwc.edma.axi_burst_bytes + 4096 (" +
             dec(p.dwc.edma_axi_burst_bytes + largest_mps_bytes) + ")");

    const auto& bars = p.dwc.bars;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const std::string bar = indexed("dwc.bars", i);
        const std::string type = choice_name(bars[i].type);
        if (bars[i].type == bar_type::fixed) {
            if (!is_pow2(bars[i].fixed_size) || bars[i].fixed_size < fixed_bar_min)
                fail(bar + ".fixed_size = " + dec(bars[i].fixed_size) + ": " + bar +
                     ".type is \"fixed\", so it must be a power of two >= " + dec(fixed_bar_min));
        } else if (bars[i].fixed_size != 0) {
            fail(bar + ".fixed_size = " + dec(bars[i].fixed_size) + ": must be 0 because " + bar +
                 ".type is \"" + type + "\" (only fixed BARs have a fixed_size)");
        }
        if (bars[i].only_64bit) {
            if (i % 2 != 0)
                fail(bar +
                     ".only_64bit = true: a 64-bit BAR must be an even BAR (0, 2 or 4), not " +
                     (i + 1 == bars.size() ? "BAR5, the last one" : "the odd BAR" + dec(i)));
            const auto& upper = bars[i + 1];
            if (upper.type != bar_type::reserved)
                fail(bar + ".only_64bit = true: requires " + indexed("dwc.bars", i + 1) +
                     ".type = \"reserved\" (the upper half of the 64-bit BAR), got \"" +
                     choice_name(upper.type) + "\"");
        }
    }

    const auto& sizes = p.function.test.bar_sizes;
    // pci-epf-test puts its registers, the MSI-X table and the PBA in the first free BAR and
    // sizes it from them, never from bar_size[] (Linux drivers/pci/endpoint/functions/
    // pci-epf-test.c, pci_epf_test_alloc_space()); a fixed BAR keeps its fixed size.
    std::size_t reg_bar = 0;
    while (reg_bar + 1 < bars.size() && bars[reg_bar].type == bar_type::reserved)
        ++reg_bar;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] == 0) continue;
        const std::string key = indexed("function.test.bar_sizes", i) + " = " + dec(sizes[i]);
        const std::string bar = indexed("dwc.bars", i);
        if (i == reg_bar)
            fail(key + ": BAR" + dec(i) +
                 " is the test register BAR, which the function sizes from its registers and the "
                 "MSI-X table (function.test.msix_vectors), so it must be 0");
        switch (bars[i].type) {
        case bar_type::programmable:
            break;
        case bar_type::fixed:
            if (sizes[i] > bars[i].fixed_size)
                fail(key + ": " + bar + ".type is \"fixed\" with fixed_size " +
                     dec(bars[i].fixed_size) +
                     ", so it must be 0 or <= " + dec(bars[i].fixed_size));
            break;
        case bar_type::resizable:
            if (sizes[i] < resizable_bar_min)
                fail(key + ": " + bar + ".type is \"resizable\", so it must be 0 or >= " +
                     dec(resizable_bar_min) + " (1 MiB)");
            break;
        case bar_type::reserved:
            fail(key + ": " + bar + ".type is \"reserved\", so it must be 0");
        }
    }

    check_disjoint({
        make_region("dram.base + dram.size_bytes", p.dram.base, p.dram.size_bytes),
        make_region("board.aperture.base + board.aperture.size", ap.base, ap.size),
        make_region("board.dbi_base + " + hex(dbi_region_size), p.board.dbi_base, dbi_region_size),
        make_region("board.app_base + " + hex(app_region_size), p.board.app_base, app_region_size),
        make_region("board.smmu_base + " + hex(smmu_region_size), p.board.smmu_base,
                    smmu_region_size),
    });

    const auto& h = p.host;
    const region mmio32 =
        make_region("host.mmio32_base + host.mmio32_size", h.mmio32_base, h.mmio32_size);
    if (mmio32.end() > 4 * GiB)
        fail(mmio32.what + " = " + span(mmio32) +
             ": the 32-bit MMIO window must end at or below 4 GiB (0x100000000)");
    check_disjoint({
        mmio32,
        make_region("host.mmio64_base + host.mmio64_size", h.mmio64_base, h.mmio64_size),
        make_region("host.ecam_base + " + hex(ecam_region_size), h.ecam_base, ecam_region_size),
        make_region("host.mem_base + host.mem_size_bytes", h.mem_base, h.mem_size_bytes),
        make_region("host.msi_base + " + hex(msi_region_size), h.msi_base, msi_region_size),
    });
}

} // namespace

// Values derived from others, and the cross-key rules between the fields.
void derive_and_check(platform_config& p) {
    // An access makes progress between two refreshes: a refresh, an activate and a column
    // command fit in one interval (dram_timing.h).
    if (p.dram.trfc_ps && p.dram.trfc_ps + p.dram.trcd_ps + p.dram.tcl_ps >= p.dram.trefi_ps)
        fail("dram.trfc_ps = " + dec(p.dram.trfc_ps) + ": with dram.trcd_ps and dram.tcl_ps (" +
             dec(p.dram.trcd_ps) + " + " + dec(p.dram.tcl_ps) + ") must be below dram.trefi_ps (" +
             dec(p.dram.trefi_ps) + ")");
    p.dwc.version_number = version_number(choice_name(p.dwc.version));
    const auto& it = p.workload.iotlb_sweep;
    if (it.min_set_bytes > it.max_set_bytes)
        fail("workload.iotlb_sweep.min_set_bytes = " + dec(it.min_set_bytes) +
             ": must not exceed workload.iotlb_sweep.max_set_bytes (" + dec(it.max_set_bytes) +
             ")");
    if (p.board.aperture.page_size == 0) p.board.aperture.page_size = p.dwc.iatu.region_align;
    const auto& ds = p.workload.dma_sweep;
    if (ds.min_bytes > ds.max_bytes)
        fail("workload.dma_sweep.min_bytes = " + dec(ds.min_bytes) +
             ": must be <= workload.dma_sweep.max_bytes (" + dec(ds.max_bytes) + ")");
    if (p.mc.irq_window_base == 0)
        p.mc.irq_window_base = p.dram.base + p.dram.size_bytes - p.mc.irq_window_bytes;
    else if (p.mc.irq_window_base < p.dram.base ||
             p.mc.irq_window_base - p.dram.base > p.dram.size_bytes ||
             p.mc.irq_window_bytes > p.dram.size_bytes - (p.mc.irq_window_base - p.dram.base))
        fail("mc.irq_window.base = " + hex(p.mc.irq_window_base) +
             ": the window must lie inside [dram.base, dram.base + dram.size_bytes)");
    check_cross_rules(p);
}

} // namespace epvp::cfg

// Board descriptions: what firmware is told about the hardware it runs on, like a device tree.
//
// Firmware learns resource bases and sizes, interrupt line numbers and the controller's
// per-BAR capabilities (which Linux keeps in the glue driver's pci_epc_features) from here.
// Window counts, alignment, version and channel counts are not here: firmware probes them
// from registers, as on silicon.
#pragma once

#include <array>
#include <cstdint>

namespace hal {

struct region {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
    bool contains(std::uint64_t a, std::uint64_t len = 1) const {
        return a >= base && len <= size && a - base <= size - len;
    }
};

// pci_epc_bar_type
enum class bar_type : std::uint8_t { programmable, fixed, resizable, reserved };

struct bar_desc {
    bar_type type = bar_type::programmable;
    std::uint64_t fixed_size = 0; // bytes, only for bar_type::fixed
    bool only_64bit = false;
};

// Interrupt lines of the endpoint SoC's interrupt controller.
enum ep_irq_line : unsigned {
    irq_app = 0,      // glue ("app") block: link up / link down / PERST#
    irq_edma = 1,     // eDMA done/abort (local)
    irq_msi_ctrl = 2, // interrupt-generation window
    irq_smmu = 3,     // SMMU event queue
    irq_timer = 4,    // the CPU's timer (hal/timer_regs.h; wired when the firmware runs as a binary)
    ep_irq_lines = 8,
};

// Which SMMU StreamIDs the controller's AXI master puts on its requests, as the controller
// node's `iommu-map` / `iommu-map-mask` say in a device tree (Linux
// Documentation/devicetree/bindings/pci/pci-iommu.txt): StreamID = sid_base + (RID & mask).
//   fixed:        mask 0, one StreamID set by the SoC integration whatever the host numbers the
//                 function (Tegra194's pcie-ep nodes: iommu-map = <0x0 &smmu
//                 TEGRA194_SID_PCIE5 0x1000>, iommu-map-mask = <0x0>);
//   requester_id: no map: the function's requester ID (bus << 8 | devfn) is the StreamID (no
//                 `iommu-map` means no translation of the ID in Linux's of_map_id()).
enum class stream_id_source : std::uint8_t { requester_id, fixed };
struct smmu_stream_desc {
    stream_id_source source = stream_id_source::requester_id;
    std::uint32_t fixed_id = 0; // the StreamID when source is fixed
};

struct ep_board {
    region dbi;      // DBI: config space + port logic
    region dbi2;     // DBI2 shadow (BAR masks, read-only fields)
    region atu;      // unrolled iATU space (ignored by a viewport core)
    region edma;     // unrolled eDMA space
    region app;      // glue block: LTSSM enable, PERST#, link interrupts
    region aperture; // outbound address space ("addr_space")
    std::uint64_t aperture_page_size = 0;
    region dram;       // memory the firmware may allocate buffers from
    region irq_window; // interrupt-generation window (inside the DRAM range; stores nothing)
    region smmu;       // SMMUv3 register pages between the controller and DRAM; size 0 = none
    smmu_stream_desc smmu_stream; // the controller's StreamIDs at that SMMU
    std::array<bar_desc, 6> bars{};
    std::uint64_t bar_align = 0; // pci_epc_features.align: BAR buffer alignment in bytes
    bool msi_capable = true;
    bool msix_capable = true;
    bool intx_capable = true;
    bool linkup_notifier = true;
    unsigned max_functions = 1;
    // The DWC driver caps one outbound mapping at this many bytes (and at the next region-limit
    // boundary) and returns a partial mapping instead of failing.
    std::uint64_t max_map_bytes = 1ull << 20;
};

// Interrupt lines of the host CPU.
enum host_irq_line : unsigned {
    host_irq_msi = 0,  // the MSI controller's FIFO is not empty
    host_irq_intx = 1, // an INTx wire is asserted
    host_irq_lines = 2,
};

struct host_board {
    region ram;                // host DRAM
    region ecam;               // enhanced configuration access window
    region mmio32;             // non-prefetchable 32-bit window for BARs
    region mmio64;             // 64-bit prefetchable window for BARs
    region msi_doorbell;       // MSI target: memory writes here are interrupts (address/data)
    region msi_regs;           // the MSI controller's registers (host_irq_regs.h)
    unsigned first_bus = 1;    // bus below the root port
    unsigned mrrs_bytes = 512; // Max Read Request Size the host's policy programs
};

} // namespace hal

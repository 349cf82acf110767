#include "firmware/epf/endpoint_stack.h"

#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"

#include <algorithm>
#include <string>

namespace fw::epf {

namespace {
// Explicitly managed IOVA ranges (iova_space) live here, far above any DRAM the identity map
// covers.
constexpr std::uint64_t explicit_iova_base = 1ull << 40;
constexpr std::uint64_t explicit_iova_bytes = 1ull << 40;
constexpr unsigned function_devfn = 0; // device 0, function 0 of whatever bus the host assigns

// Buffers come from DRAM beside the interrupt-generation window (which stores nothing): the
// larger of the parts below and above it (below when they are equal).
hal::region pool_region(const hal::ep_board& board) {
    const hal::region& d = board.dram;
    const hal::region& w = board.irq_window;
    if (!w.size || w.base >= d.base + d.size || w.base + w.size <= d.base) return d;
    const std::uint64_t below = w.base > d.base ? w.base - d.base : 0;
    const std::uint64_t window_end = w.base + w.size;
    const std::uint64_t above = d.base + d.size > window_end ? d.base + d.size - window_end : 0;
    return below >= above ? hal::region{d.base, below} : hal::region{window_end, above};
}
} // namespace

endpoint_stack::endpoint_stack(hal::platform& io_, const hal::ep_board& board_)
    : io(io_)
    , board(board_)
    , ep(io_, board_)
    , epc(ep, io_, board_)
    , pool(pool_region(board_).base, pool_region(board_).size)
    , edma(io_, board_, ep.pci(), pool) {}

endpoint_stack::~endpoint_stack() {
    io.set_irq_handler(hal::irq_app, nullptr);
}

bool endpoint_stack::bus_master() {
    return (ep.pci().readw_dbi(pci::COMMAND) & pci::COMMAND_MASTER) != 0;
}

int endpoint_stack::boot(const char*& what) {
    io.set_irq_handler(hal::irq_app, [this](unsigned) { events_ |= ep.glue().ack_irq(); });
    ep.glue().enable_irqs();

    // dw_pcie_ep_init_registers needs the reference clock: wait for PERST# deassertion.
    while (!ep.glue().perst_deasserted())
        io.wait_for_interrupt(idle_wait_ns);

    int r = ep.init_registers();
    if (r) return what = "controller init", r;
    if ((r = ep.init_msi_mem(epc))) return what = "interrupt memory reservation", r;
    // The SMMU between the controller and DRAM: one stage-1 domain for the function. The pool
    // and the interrupt window are identity-mapped (IOVA = physical address), so buffers handed
    // to the controller (BAR backing, eDMA addresses, the doorbell) keep their addresses, as
    // with an identity-mapped DMA window; jobs reserve explicit IOVA ranges above it.
    if (!board.smmu.size) return 0;
    smmu = std::make_unique<iommu::smmu_v3>(io, board, pool);
    if ((r = smmu->probe()) || (r = smmu->init())) return what = "SMMU init", r;
    domain = std::make_unique<iommu::smmu_domain>(*smmu);
    const unsigned rw = iommu::prot_read | iommu::prot_write;
    if ((r = domain->init())) return what = "SMMU domain", r;
    const hal::region buffers = pool_region(board);
    if ((r = domain->map(buffers.base, buffers.base, buffers.size, rw)))
        return what = "SMMU identity map of DRAM", r;
    if (board.irq_window.size && (r = domain->map(board.irq_window.base, board.irq_window.base,
                                                  board.irq_window.size, rw | iommu::prot_mmio)))
        return what = "SMMU map of the interrupt window", r;
    if ((r = domain->attach(function_devfn))) return what = "SMMU attach", r;
    iova = std::make_unique<iommu::iova_space>(*domain);
    if ((r = iova->init(explicit_iova_base, explicit_iova_bytes))) return what = "IOVA space", r;
    io.log(hal::log_level::info, "ep",
           "SMMU enabled: DRAM and the interrupt window identity-mapped, ASID " +
               std::to_string(domain->asid()));
    return 0;
}

} // namespace fw::epf

// One endpoint SoC, assembled from a validated configuration: the DWC controller in endpoint mode,
// the SMMU on its AXI master (when smmu.enabled), the interconnect, the memory controller with
// DRAM and the interrupt-generation window, the interrupt controller and the EP CPU that runs
// this endpoint's firmware. The platform holds one per endpoint and connects each controller to
// a link (below a root port or a switch downstream port).
//
// It is a module: its blocks are its children ("ep.dwc", "ep.noc", ... on the single-endpoint
// platform; "client.dwc", "client.ep_cpu", ... for topology endpoint "client"), and log lines and
// trace tracks name them so (core/instance_name.h). Construction is in two steps: the modules
// (controller, interconnect, memory controller, interrupt controller, CPU, SMMU), then wire()
// (every binding).
//
// Models: everything its parts model; the SoC's fixed integration (where DBI2, the unrolled iATU
// and eDMA sit in the DBI aperture, the interconnect's address map, the interrupt lines) and the
// board description the firmware receives. With cpu.kind = iss the firmware runs as the AArch64
// ELF on an instruction-set simulator (iss_cpu.h, with its own SRAM, timer on line
// hal::irq_timer, UART and interrupt-controller view) instead of the native CPU's thread. Each
// soc.rtl_slaves entry puts a Verilated block that a plugin registered on the interconnect as an
// AXI4 subordinate (rtl-bridge/rtl_axi_slave.h: its own RTL island, bridge and checker), where the
// EP CPU, the eDMA and inbound PCIe traffic reach it; inside DRAM's range it takes those
// addresses over. Does not model: anything between endpoint SoCs but the PCIe fabric (no shared
// memory, no sideband signals).
#pragma once

#include "firmware/guest/boot_params.h"
#include "firmware/hal/board.h"
#include "model/dwc/dw_pcie_ep.h"
#include "model/pcie/link.h"
#include "model/soc/interconnect.h"
#include "model/soc/irq_controller.h"
#include "model/soc/memory_controller.h"
#include "model/soc/smmu.h"
#include "testbench/config/config.h"
#include "testbench/cpu.h"
#include "testbench/iss_cpu.h"

#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::rtl {
class rtl_axi_slave;
}

namespace epvp::tb {

class endpoint_soc : public sc_core::sc_module {
public:
    using program = std::function<void(hal::platform&)>;

    endpoint_soc(sc_core::sc_module_name name, const cfg::platform_config& c);
    endpoint_soc(const endpoint_soc&) = delete;
    endpoint_soc& operator=(const endpoint_soc&) = delete;
    // Every binding inside the SoC; the controller's link sockets (ep.pcie_tx, ep.pcie_rx) are
    // bound by whoever builds the link.
    void wire();
    // The platform attaches the controller to its link's downstream end by sockets and ports
    // only (link.dn_out -> ep.pcie_rx, ep.pcie_tx -> link.dn_in, link.dn_status ->
    // ep.link_status, ep.link_control -> link.dn_control).

    const cfg::platform_config& config() const { return cfg_; }
    const hal::ep_board& board() const { return board_; }
    // cpu.kind = iss: the workload's firmware image runs on the instruction-set simulator,
    // which needs its boot parameters (boot_iss) before load; the native program is not run.
    void load(program p);
    void boot_iss(const fw::guest::boot_params& params);
    bool loaded() const { return loaded_; }

    static dwc::dw_pcie_ep_params ep_params(const cfg::platform_config& c);
    // Adds the SoC's interrupt lines to a wave file, named prefix + "app_irq" etc.
    void trace_irq_lines(sc_core::sc_trace_file* f, const std::string& prefix) const;
    static soc::dram_params dram_params(const cfg::platform_config& c);
    static soc::smmu_params smmu_params(const cfg::platform_config& c);

    dwc::dw_pcie_ep ep;
    soc::interconnect noc;
    soc::memory_controller dram;
    std::unique_ptr<soc::smmu> smmu; // null when smmu.enabled is false
    soc::irq_controller irqc;
    cpu ep_cpu;
    std::unique_ptr<iss_cpu> iss; // cpu.kind = iss only
    // The placed RTL blocks, in soc.rtl_slaves order (empty without co-simulation).
    const std::vector<rtl::rtl_axi_slave*>& rtl_slaves() const { return rtl_slaves_; }

private:
    cfg::platform_config cfg_;
    hal::ep_board board_;
    bool loaded_ = false;
    sc_core::sc_signal<bool> app_irq_, edma_irq_, window_irq_, smmu_irq_;
    std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> idle_lines_;
    void make_rtl_slaves(const cfg::platform_config& c);
    std::vector<std::unique_ptr<sc_core::sc_module>> rtl_modules_;
    std::vector<rtl::rtl_axi_slave*> rtl_slaves_;
};

} // namespace epvp::tb

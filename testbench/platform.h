// The default platform, assembled from a validated configuration: a host (CPU, root complex
// with host memory) linked to an endpoint SoC (DWC controller in endpoint mode, interconnect,
// memory controller with DRAM, interrupt controller, EP CPU running the endpoint firmware).
//
// The board descriptions firmware receives are derived here from the configuration; the
// firmware finds everything else (window counts, alignment, version) by probing.
#pragma once

#include "config/config.h"
#include "cpu.h"
#include "dwc/dw_pcie_ep.h"
#include "hal/board.h"
#include "host/msi_controller.h"
#include "pcie/link.h"
#include "pcie/root_complex.h"
#include "soc/interconnect.h"
#include "soc/irq_controller.h"
#include "soc/memory_controller.h"
#include "soc/smmu.h"

#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::tb {

class platform : public sc_core::sc_module {
public:
    using program = std::function<void(hal::platform&)>;

    SC_HAS_PROCESS(platform);
    platform(sc_core::sc_module_name name, const cfg::platform_config& c);

    const cfg::platform_config& config() const { return cfg_; }
    const hal::ep_board& ep_board() const { return ep_board_; }
    const hal::host_board& host_board() const { return host_board_; }

    // Load firmware; the host program's return ends the simulation.
    void load_ep(program p) { ep_cpu.load(std::move(p)); }
    void load_host(program p);

    // The DRAM timing the configuration describes.
    static soc::dram_params dram_params(const cfg::platform_config& c);
    static soc::smmu_params smmu_params(const cfg::platform_config& c);

    // Runs until the host program returns or sim.time_limit_us passes. True if it returned.
    bool run();

    // RTL co-simulation of the iATU (dwc.iatu.impl = rtl | lockstep): whether this build has
    // it, and the installed RTL iATU (null with impl = tlm).
    static bool rtl_cosim_built();
    const dwc::iatu_unit* iatu_cosim() const { return iatu_unit_; }
    // Waves from now on: the RTL island (when co-simulated) to file (.fst or .vcd), the model's
    // signals (interrupt lines, LTSSM state, per-direction link busy) to an sc_trace VCD next to
    // it (FILE.model.vcd). Returns the files written. Call before the simulation starts.
    std::vector<std::string> open_waves(const std::string& file);
    // Transaction trace (--trace): per-TLP events of both link directions.
    void trace_link();

    host::msi_controller msi;
    soc::irq_controller host_irqc;
    pcie::root_complex rc;
    pcie::pcie_link link;
    dwc::dw_pcie_ep ep;
    soc::interconnect noc;
    soc::memory_controller dram;
    std::unique_ptr<soc::smmu> smmu; // null when smmu.enabled is false
    soc::irq_controller irqc;
    cpu ep_cpu;
    cpu host_cpu;

private:
    void install_iatu(const cfg::platform_config& c);
    void power_on();
    static dwc::dw_pcie_ep_params ep_params(const cfg::platform_config& c);
    static pcie::root_complex_params rc_params(const cfg::platform_config& c);

    cfg::platform_config cfg_;
    hal::ep_board ep_board_;
    hal::host_board host_board_;
    sc_core::sc_signal<bool> app_irq_, edma_irq_, window_irq_, smmu_irq_;
    sc_core::sc_signal<bool> host_msi_irq_, host_intx_irq_;
    std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> idle_lines_;
    std::unique_ptr<sc_core::sc_module> iatu_module_; // owns the RTL iATU when co-simulated
    dwc::iatu_unit* iatu_unit_ = nullptr;
    std::unique_ptr<sc_core::sc_module> model_waves_;
};

} // namespace epvp::tb

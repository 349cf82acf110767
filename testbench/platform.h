// The default platform, assembled from a validated configuration: a host (CPU, root complex
// with host memory) linked to an endpoint SoC (DWC controller in endpoint mode, interconnect,
// memory controller with DRAM, interrupt controller, EP CPU running the endpoint firmware).
// With a `topology` in the configuration: root ports, switches (each behind its own link) and
// one endpoint SoC per topology.endpoints[i], built from that endpoint's configuration; the
// members ep, noc, dram, smmu, irqc, ep_cpu, link and ep_board() are then endpoint 0's.
// Switch upstream links train at power-on after link.training_us; an endpoint's link trains
// when its firmware starts the LTSSM.
//
// The board descriptions firmware receives are derived here from the configuration; the
// firmware finds everything else (window counts, alignment, version) by probing.
#pragma once

#include "firmware/hal/board.h"
#include "model/dwc/dw_pcie_ep.h"
#include "model/host/host_memory.h"
#include "model/host/msi_controller.h"
#include "model/pcie/link.h"
#include "model/pcie/pcie_switch.h"
#include "model/pcie/root_complex.h"
#include "model/pcie/tlm_monitor.h"
#include "model/soc/interconnect.h"
#include "model/soc/irq_controller.h"
#include "model/soc/memory_controller.h"
#include "model/soc/smmu.h"
#include "testbench/config/config.h"
#include "testbench/cpu.h"
#include "testbench/endpoint_soc.h"

#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

namespace epvp::tb {

// How the platform is assembled, beyond the configuration (no simulated result depends on it).
struct platform_options {
    // A pass-through TLM monitor (pcie::tlm_monitor) on each of the four socket bindings of
    // every link: between the upstream port and the link, the link and the downstream port.
    bool monitor_links = false;
};

class platform : public sc_core::sc_module {
public:
    using program = std::function<void(hal::platform&)>;

    SC_HAS_PROCESS(platform);
    platform(sc_core::sc_module_name name, const cfg::platform_config& c,
             const platform_options& o = {});
    // Out of line: a unit that destroys a platform then emits none of its members' inline virtual
    // functions, so the program keeps the copies compiled with the model's optimisation level
    // (the command line is compiled at a lower one, cmake/compile_time.cmake).
    ~platform() override;

    const cfg::platform_config& config() const { return cfg_; }
    const hal::ep_board& ep_board() const { return socs_.front()->board(); }
    const hal::host_board& host_board() const { return host_board_; }

    // Load firmware; the host program's return ends the simulation.
    void load_ep(program p) { socs_.front()->load(std::move(p)); }
    void load_host(program p);

    // Topology: endpoint SoCs (in topology.endpoints order; one without a topology), switches
    // (topology.switches order) and the link above each endpoint and each switch.
    unsigned endpoint_count() const { return static_cast<unsigned>(socs_.size()); }
    endpoint_soc& endpoint(unsigned i) { return *socs_.at(i); }
    unsigned switch_count() const { return static_cast<unsigned>(switches_.size()); }
    pcie::pcie_switch& switch_at(unsigned i) { return *switches_.at(i); }
    pcie::pcie_link& endpoint_link(unsigned i) { return *links_.at(i); }
    pcie::pcie_link& switch_link(unsigned i) { return *links_.at(socs_.size() + i); }
    // Name of what topology.endpoints[i] / switches[i] hangs off: "root port 0", "sw0 port 1".
    std::string endpoint_parent(unsigned i) const;
    std::string switch_parent(unsigned i) const;
    // The monitors of platform_options::monitor_links (none without it), four per link (each
    // named after its link and socket: "<link>_mon_up_in", _up_out, _dn_out, _dn_in).
    const std::vector<std::unique_ptr<pcie::tlm_monitor>>& link_monitors() const {
        return monitors_;
    }

    // The DRAM timing the configuration describes.
    static soc::dram_params dram_params(const cfg::platform_config& c) {
        return endpoint_soc::dram_params(c);
    }
    static soc::smmu_params smmu_params(const cfg::platform_config& c) {
        return endpoint_soc::smmu_params(c);
    }

    // Runs until the host program returns or sim.time_limit_us passes. True if it returned.
    bool run();
    // The same in slices of simulated time, calling between() after each (a progress display;
    // the simulated result is the same).
    bool run(const sc_core::sc_time& slice, const std::function<void()>& between);
    // Why an endpoint's firmware binary stopped the run (cpu.kind = iss: a panic or a CPU
    // error, iss_cpu::failure), naming the endpoint when there are several; "" when none did.
    std::string firmware_failure() const;

    // RTL co-simulation of the iATU (dwc.iatu.impl = rtl | lockstep): whether this build has
    // it, and the installed RTL iATU (null with impl = tlm).
    static bool rtl_cosim_built();
    const dwc::iatu_unit* iatu_cosim() const { return iatu_unit_; }
    // Waves from now on: the RTL island (when co-simulated) to file (.fst or .vcd), the model's
    // signals (interrupt lines, LTSSM state, per-direction link busy) to an sc_trace VCD next to
    // it (FILE.model.vcd). Returns the files written. Call before the simulation starts.
    std::vector<std::string> open_waves(const std::string& file);
    // Closes every wave file open_waves opened and checks each as an output: one error line per
    // file that is not a complete regular file (a device, empty, a VCD cut short: a write failed).
    std::vector<std::string> close_waves();
    // The model's wave file for --waves FILE: FILE without its extension + ".model.vcd".
    static std::string model_waves_file(const std::string& file);
    // Transaction trace (--trace): per-TLP events of both directions of every link (the
    // endpoints' and the switches'), a track per link and direction.
    void trace_links();

    host::msi_controller msi;
    soc::irq_controller host_irqc;
    pcie::root_complex rc;
    host::host_memory host_mem;

private:
    // Declared here so that modules are created in the order the platform always had: root
    // complex, link, the endpoint SoC's modules, host CPU (then SMMU and switches).
    std::vector<std::unique_ptr<pcie::pcie_link>> links_; // endpoints', then switches'
    std::vector<std::unique_ptr<endpoint_soc>> socs_;

public:
    pcie::pcie_link& link; // endpoint 0's
    dwc::dw_pcie_ep& ep;
    soc::interconnect& noc;
    soc::memory_controller& dram;
    std::unique_ptr<soc::smmu>& smmu; // null when smmu.enabled is false
    soc::irq_controller& irqc;
    cpu& ep_cpu;
    cpu host_cpu;

private:
    void install_iatu(const cfg::platform_config& c);
    void power_on();
    static pcie::root_complex_params rc_params(const cfg::platform_config& c);
    void build_topology();
    // Binds an initiator socket to a target socket, through a monitor when monitoring links.
    void connect(tlm::tlm_initiator_socket<>& from, tlm::tlm_target_socket<>& to,
                 const std::string& monitor_name);
    // The upstream port's sockets (tx -> l.up_in, l.up_out -> rx) / the downstream port's
    // (l.dn_out -> rx, tx -> l.dn_in).
    void connect_up(pcie::pcie_link& l, tlm::tlm_initiator_socket<>& tx,
                    tlm::tlm_target_socket<>& rx);
    void connect_down(pcie::pcie_link& l, tlm::tlm_initiator_socket<>& tx,
                      tlm::tlm_target_socket<>& rx);

    cfg::platform_config cfg_;
    platform_options opt_;
    std::vector<std::unique_ptr<pcie::tlm_monitor>> monitors_;
    hal::host_board host_board_;
    std::vector<std::unique_ptr<pcie::pcie_switch>> switches_;
    sc_core::sc_signal<bool> host_msi_irq_, host_intx_irq_;
    std::unique_ptr<sc_core::sc_module> iatu_module_; // owns the RTL iATU when co-simulated
    dwc::iatu_unit* iatu_unit_ = nullptr;
    std::unique_ptr<sc_core::sc_module> model_waves_;
    std::vector<std::string> waves_written_; // by open_waves, checked by close_waves
    std::string model_waves_path_;           // the one of them SystemC writes
};

} // namespace epvp::tb

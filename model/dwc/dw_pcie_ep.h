// The Synopsys DesignWare PCIe controller in endpoint mode, one physical function.
//
// Models: the DBI space (config header and capabilities, port logic, DBI2 BAR masks, the iATU
// in the layout dwc.version implies) on an AXI slave port for the EP CPU; the glue ("app")
// block; the LTSSM from LTSSM enable (with PERST# deasserted) through Detect/Polling/Config to
// L0 over the configured training time, training the link to the common generation and width
// (LINK_MODE and Link Capabilities bound the endpoint's side); inbound TLPs: Type 0
// configuration requests (answered with CRS while APP_CTRL.REQ_RETRY_EN is set; the bus and
// device numbers are captured from configuration writes), memory requests matched against
// enabled BARs (Memory Space Enable required, else UR), translated by the inbound iATU (a miss
// follows dwc.iatu.miss_policy: passthrough = untranslated with a warning, ur = Unsupported
// Request) and carried out on the AXI master port; AXI errors on reads become Completer Abort
// completions; completions split at RCB and MPS.
// Does not model (yet): the outbound path, eDMA, MSI/MSI-X/INTx generation, multiple
// functions, AER logging of received errors, power management, Type 1 configuration requests.
#pragma once

#include "core/reg_block.h"
#include "dwc/dbi_regs.h"
#include "dwc/iatu.h"
#include "pcie/completer.h"
#include "pcie/link.h"
#include "pcie/requester.h"

#include <set>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace epvp::dwc {

struct dw_pcie_ep_params {
    dbi_params dbi;
    iatu_params iatu;
    bool miss_is_ur = false;
    sc_core::sc_time training_time = sc_core::sc_time(20, sc_core::SC_US);
    sc_core::sc_time dbi_access = sc_core::sc_time(40, sc_core::SC_NS); // DBI/app access latency
    std::uint32_t dbi2_offset = 0x1000;       // DBI2 (CS2) inside the DBI aperture
    std::uint32_t atu_offset = 0x300000;      // unrolled iATU inside the DBI aperture
    std::uint32_t atu_space_bytes = 0x80000;  // decoded size of the unrolled iATU space
    std::uint32_t edma_offset = 0x380000;     // unrolled eDMA inside the DBI aperture
    std::uint32_t dbi_aperture_bytes = 0x400000;
    unsigned max_tags = 32;
};

class dw_pcie_ep : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<dw_pcie_ep> dbi;       // AXI slave: DBI aperture
    tlm_utils::simple_target_socket<dw_pcie_ep> app;       // APB: glue block
    tlm_utils::simple_target_socket<dw_pcie_ep> pcie_rx;   // TLPs from the link
    tlm_utils::simple_initiator_socket<dw_pcie_ep> pcie_tx; // TLPs to the link
    tlm_utils::simple_initiator_socket<dw_pcie_ep> axi_m;  // inbound requests into the SoC
    sc_core::sc_out<bool> app_irq;

    SC_HAS_PROCESS(dw_pcie_ep);
    dw_pcie_ep(sc_core::sc_module_name name, const dw_pcie_ep_params& p);

    void attach_link(pcie::pcie_link& link);
    void set_perst(bool asserted); // PERST# input (refclk present when deasserted)

    // Introspection for tests and reports.
    const reg_block& dbi_regs() const { return dbi_; }
    const reg_block& dbi2_regs() const { return dbi2_; }
    const dwc::iatu& atu() const { return atu_; }
    ltssm ltssm_state() const { return ltssm_; }
    std::uint16_t requester_id() const;
    // Size of an enabled BAR (0 if disabled or the upper half of a 64-bit BAR).
    std::uint64_t bar_size(unsigned bar) const;
    std::uint64_t bar_address(unsigned bar) const;

    struct counters {
        std::uint64_t cfg_requests = 0, crs_completions = 0, mem_reads = 0, mem_writes = 0,
                      unsupported_requests = 0, completer_aborts = 0, iatu_misses = 0;
    };
    const counters& stats() const { return stats_; }

private:
    void dbi_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void app_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void rx_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void ltssm_thread();

    // DBI aperture, one dword.
    std::uint32_t dbi_read32(std::uint32_t offset);
    void dbi_write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask);
    // Config space from the wire.
    std::uint32_t cfg_read32(std::uint32_t offset) const;
    void cfg_write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask);
    bool bar_is_upper_half(unsigned bar) const;
    std::uint64_t bar_mask(unsigned bar) const; // size - 1, 64 bits for a 64-bit BAR
    int bar_hit(std::uint64_t addr, std::uint64_t& offset) const;
    void handle_config(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_core::sc_time& delay);
    void handle_memory(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_core::sc_time& delay);
    void set_ltssm(ltssm s);
    void raise_app_irq(std::uint32_t bits);
    void update_app_irq();
    void drive_app_irq(); // the one process that writes app_irq
    void log_reg(const char* who, bool write, const reg_block& blk, std::uint32_t off,
                 std::uint32_t value);
    pcie::completer_params completer() const;
    std::string stamp() const; // simulated time of the access being handled

    dw_pcie_ep_params p_;
    reg_block dbi_;
    reg_block dbi2_;
    reg_block app_regs_;
    dwc::iatu atu_;
    pcie::tlp_requester requester_;
    pcie::pcie_link* link_ = nullptr;
    ltssm ltssm_ = ltssm::detect_quiet;
    bool perst_asserted_ = true;
    std::uint8_t bus_ = 0, dev_ = 0;
    sc_core::sc_event ltssm_kick_;
    sc_core::sc_event app_irq_changed_;
    bool app_irq_level_ = false;
    sc_core::sc_time access_delay_; // the current access's annotated delay (for logs)
    counters stats_;
};

} // namespace epvp::dwc

// The Synopsys DesignWare PCIe controller in endpoint mode, one physical function.
//
// Models: the DBI space (config header and capabilities, port logic, DBI2, iATU, eDMA) on an AXI
// slave, the glue ("app") block, the LTSSM (trains the link through its link_control port and
// follows it through link_status), inbound configuration and memory requests (BAR match, the
// inbound iATU stage, AXI master), the outbound aperture (outbound iATU, requester splitting at 4
// KiB / MPS / MRRS), INTx, MSI-X doorbell, AER (through the shared pcie/aer unit), link-down, hot
// reset and Function-Level Reset, the SMMU StreamID. Does not model: multiple functions, power
// management, Type 1 configuration requests, outbound CFG/IO/MSG regions, the internal MSI-X table
// RAM. Details: docs/controller.md (eDMA: edma.h).
//
// The blocks, in the databook's division: the DBI address map (dbi_map.h; sub-targets built in
// dw_pcie_ep_dbi.cc), the LTSSM (ltssm.h), AER (ep_aer.h over pcie/aer.h), the transaction-layer
// requester shared by the outbound path and the eDMA (pcie/requester.h), the inbound path
// (dw_pcie_ep_inbound.cc), the outbound path and the eDMA's bus side (dw_pcie_ep_outbound.cc),
// MSI-X (dw_pcie_ep_msix.cc), INTx (intx.h); this file's .cc holds the glue block, the resets and
// the link's status end.
#pragma once

#include "model/core/reg_block.h"
#include "model/dwc/dbi_map.h"
#include "model/dwc/dbi_regs.h"
#include "model/dwc/edma.h"
#include "model/dwc/edma_bus.h"
#include "model/dwc/ep_aer.h"
#include "model/dwc/iatu.h"
#include "model/dwc/iatu_unit.h"
#include "model/dwc/intx.h"
#include "model/dwc/ltssm.h"
#include "model/pcie/completer.h"
#include "model/pcie/link.h"
#include "model/pcie/requester.h"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::dwc {

struct dw_pcie_ep_params {
    dbi_params dbi;
    iatu_params iatu;
    bool miss_is_ur = false;
    sc_core::sc_time training_time = sc_core::sc_time(20, sc_core::SC_US);
    sc_core::sc_time dbi_access = sc_core::sc_time(40, sc_core::SC_NS); // DBI/app access latency
    std::uint32_t dbi2_offset = 0x1000;      // DBI2 (CS2) inside the DBI aperture
    std::uint32_t atu_offset = 0x300000;     // unrolled iATU inside the DBI aperture
    std::uint32_t atu_space_bytes = 0x80000; // decoded size of the unrolled iATU space
    std::uint32_t edma_offset = 0x380000;    // unrolled eDMA inside the DBI aperture
    std::uint32_t dbi_aperture_bytes = 0x400000;
    std::uint64_t aperture_base = 0; // AXI address of the outbound aperture (axi_s offset 0)
    std::uint64_t aperture_bytes = 0;
    // The SMMU StreamID the AXI master puts on every request (inbound and eDMA), set by the SoC
    // integration; unset: the function's requester ID as captured from configuration writes (0
    // before enumeration and after a link down or hot reset).
    std::optional<std::uint32_t> fixed_stream_id;
    unsigned max_tags = 32;
    // The requester's completion timeout (Device Control 2 range, as this integration sets it).
    sc_core::sc_time completion_timeout = sc_core::sc_time(10, sc_core::SC_MS);
    // eDMA: channel counts (0/0 = none) and its register layout (unrolled from 5.40a, else the
    // legacy viewport at DBI 0x970).
    unsigned edma_write_channels = 0, edma_read_channels = 0;
    bool edma_unrolled = true;
    // Per write channel: local read burst, reads in flight, staging buffer (edma_params).
    unsigned edma_axi_burst_bytes = 4096, edma_axi_outstanding_reads = 4;
    unsigned edma_staging_buffer_bytes = 16384;
    unsigned edma_rd_outstanding_mrd = 0; // per read channel; 0: the controller's tags alone
    bool edma_burst = false;              // sim.link_timing = burst: eDMA TLPs timed per burst
    sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US);
};

class dw_pcie_ep : public sc_core::sc_module, private edma_bus {
public:
    tlm_utils::simple_target_socket<dw_pcie_ep> dbi;        // AXI slave: DBI aperture
    tlm_utils::simple_target_socket<dw_pcie_ep> app;        // APB: glue block
    tlm_utils::simple_target_socket<dw_pcie_ep> pcie_rx;    // TLPs from the link
    tlm_utils::simple_initiator_socket<dw_pcie_ep> pcie_tx; // TLPs to the link
    tlm_utils::simple_initiator_socket<dw_pcie_ep> axi_m;   // inbound requests into the SoC
    tlm_utils::simple_target_socket<dw_pcie_ep> axi_s;      // AXI slave: outbound aperture
    // The iATU stage (bound at the end of elaboration to the installed unit): requests into it,
    // and the translated requests it forwards, per direction.
    tlm_utils::simple_initiator_socket<dw_pcie_ep> iatu_ob_req, iatu_ib_req;
    tlm_utils::simple_target_socket<dw_pcie_ep> iatu_ob_fwd, iatu_ib_fwd;
    sc_core::sc_out<bool> app_irq;
    sc_core::sc_out<bool> edma_irq; // eDMA done/abort (local)
    // The link attaches like any downstream port: its dn_status binds to link_status, and
    // link_control binds to its dn_control (the LTSSM trains the link through it).
    sc_core::sc_export<pcie::link_status_if> link_status;
    link_training_port link_control;

    SC_HAS_PROCESS(dw_pcie_ep);
    dw_pcie_ep(sc_core::sc_module_name name, const dw_pcie_ep_params& p);

    void set_perst(bool asserted); // PERST# input (refclk present when deasserted)

    // Introspection for tests and reports.
    const reg_block& dbi_regs() const { return dbi_; }
    const reg_block& dbi2_regs() const { return dbi2_; }
    const dwc::iatu& atu() const { return atu_; }
    // The iATU on the data path: the built-in TLM one unless another implementation (the RTL
    // iATU, a lockstep pair) is installed before the simulation starts. Only the unrolled
    // layout can be replaced; a viewport core keeps the TLM iATU.
    void use_iatu(iatu_unit* unit) { unit_ = unit; }
    const iatu_unit& iatu_impl() const { return *unit_; } // after elaboration
    // Observers for waves and traces (unset: no cost).
    void on_ltssm_change(std::function<void(ltssm)> f) { training_.on_change(std::move(f)); }
    ltssm ltssm_state() const { return training_.state(); }
    const dwc::edma* dma() const { return edma_.get(); }
    std::uint16_t requester_id() const;
    std::uint32_t stream_id() const { return p_.fixed_stream_id.value_or(requester_id()); }
    // Size of an enabled BAR (0 if disabled or the upper half of a 64-bit BAR).
    std::uint64_t bar_size(unsigned bar) const;
    std::uint64_t bar_address(unsigned bar) const;

    // The AER unit's counters (completion_timeouts, err_messages, ...) are part of it.
    struct counters : aer_counters {
        std::uint64_t cfg_requests = 0, crs_completions = 0, mem_reads = 0, mem_writes = 0,
                      unsupported_requests = 0, completer_aborts = 0, iatu_misses = 0,
                      outbound_reads = 0, outbound_writes = 0, outbound_tlps = 0,
                      outbound_errors = 0, outbound_misses = 0, intx_messages = 0,
                      iatu_reprogram_in_flight = 0, link_down_resets = 0, poisoned_tlps = 0,
                      hot_resets = 0, function_level_resets = 0, msix_doorbells = 0,
                      msix_messages = 0, msix_pending_set = 0;
        // The report's declaration (model/core/stats.h), with the AER unit's counters where
        // the report shows them. The MSI-X counters are for the tests.
        template <class V>
        void for_each(V&& v) const {
            v("cfg_requests", cfg_requests, "configuration requests received");
            v("crs_completions", crs_completions, "configuration requests completed with CRS");
            v("mem_reads", mem_reads, "inbound memory reads");
            v("mem_writes", mem_writes, "inbound memory writes");
            v("unsupported_requests", unsupported_requests, "requests completed with UR");
            v("completer_aborts", completer_aborts, "requests completed with CA");
            v("iatu_misses", iatu_misses, "inbound requests no iATU region matched");
            v("outbound_reads", outbound_reads, "EP CPU reads of the outbound aperture");
            v("outbound_writes", outbound_writes, "EP CPU writes to the outbound aperture");
            v("outbound_tlps", outbound_tlps, "TLPs made from EP CPU accesses to the aperture");
            v("outbound_errors", outbound_errors, "outbound accesses that failed");
            v("outbound_misses", outbound_misses, "outbound accesses no iATU region matched");
            v("intx_messages", intx_messages, "Assert/Deassert_INTx messages sent");
            v("iatu_reprogram_in_flight", iatu_reprogram_in_flight,
              "iATU writes while a translated request was in flight");
            v("completion_timeouts", completion_timeouts, "non-posted requests timed out");
            v("error_messages_sent", err_messages, "ERR_NONFATAL / ERR_FATAL messages sent");
            v("correctable_errors", correctable_errors, "correctable errors detected");
            v("link_down_resets", link_down_resets, "DL_Down resets");
            v("hot_resets", hot_resets, "hot resets received");
            v("function_level_resets", function_level_resets, "function level resets");
            v("poisoned_tlps_received", poisoned_tlps, "TLPs received with the EP bit");
            v("err_cor_messages_sent", err_cor_messages, "ERR_COR messages sent");
        }
    };
    const counters& stats() const { return stats_; }
    // Burst mode: the eDMA's page writes (local_write_pieces calls; 0 in tlp mode).
    std::uint64_t local_page_writes() const { return local_page_writes_; }

private:
    // Every access's annotated delay travels as an argument (`delay`): a callee may wait (the
    // RTL iATU's register port does), so no member holds "the current access".
    void dbi_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void app_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void rx_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void axi_s_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    // What the iATU stage forwards, translated: outbound into TLPs, inbound onto the AXI master.
    void ob_translated_b_transport(tlm::tlm_generic_payload& req, sc_core::sc_time& delay);
    void ib_translated_b_transport(tlm::tlm_generic_payload& req, sc_core::sc_time& delay);
    // Binds the iATU stage: the installed unit, else the built-in TLM one.
    void before_end_of_elaboration() override;

    // The controller's own account of a request it sends through the iATU stage, read back where
    // the stage delivers it (and carried onto every request the stage forwards for it).
    struct iatu_path : tlm::tlm_extension<iatu_path> {
        // Outbound: the EP CPU's access as it arrived (its AXI address and length).
        std::uint64_t axi_addr = 0;
        unsigned len = 0;
        // Inbound: the received TLP (null for the controller's own MSI-X table accesses, which
        // are neither counted nor traced) and its BAR decode, for the miss warning.
        const pcie::pcie_tlp* rx = nullptr;
        int bar = -1;
        std::uint64_t bar_off = 0;
        // Inbound, back from the delivery: a miss refused (dwc.iatu.miss_policy = ur) and the
        // AXI address of the last request carried out.
        bool refused = false;
        std::uint64_t out_addr = 0;

        tlm::tlm_extension_base* clone() const override { return new iatu_path(*this); }
        void copy_from(const tlm::tlm_extension_base& ext) override {
            *this = static_cast<const iatu_path&>(ext);
        }
    };
    // A failed outbound request: logged with the access it came from, answered with st (reads
    // return all-ones).
    void outbound_fail(tlm::tlm_generic_payload& req, tlm::tlm_response_status st,
                       std::uint64_t axi_addr, unsigned len, const std::string& why);

    // DBI (dw_pcie_ep_dbi.cc): the address map of sub-targets, and the function's own space.
    void build_dbi_map();
    std::uint32_t function_read32(std::uint32_t offset, sc_core::sc_time& delay);
    void function_write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask,
                          sc_core::sc_time& delay);
    void iatu_reg_write(std::uint32_t offset, std::uint32_t value, sc_core::sc_time& delay);
    // The iATU's register port works inside the DBI access time (see the definition).
    void within_dbi_access(sc_core::sc_time& delay,
                           const std::function<void(sc_core::sc_time&)>& port);
    // Config space from the wire.
    std::uint32_t cfg_read32(std::uint32_t offset) const;
    void cfg_write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask,
                     sc_core::sc_time& delay);
    bool bar_is_upper_half(unsigned bar) const;
    std::uint64_t bar_mask(unsigned bar) const; // size - 1, 64 bits for a 64-bit BAR
    int bar_hit(std::uint64_t addr, std::uint64_t& offset) const;

    // Glue block (dw_pcie_ep.cc): a register write's side effects at the access's time.
    void app_written(std::uint32_t offset, const sc_core::sc_time& delay);
    void raise_app_irq(std::uint32_t bits);
    void update_app_irq();
    void drive_app_irq(); // the one process that writes app_irq
    void drive_edma_irq();
    void ltssm_thread();
    void err_cor_thread();
    void aer_correctable(std::uint32_t bit, sc_core::sc_time when) { aer_.correctable(bit, when); }
    void link_down_reset(); // DL_Down: non-sticky registers, captured bus/device numbers
    void function_level_reset(const sc_core::sc_time& delay);
    // INTx: the glue's SYS_INT level to the INTx unit, at `delay`.
    void update_intx(const sc_core::sc_time& delay);
    // Sends a message TLP (INTx, error messages) with the function's requester ID.
    void send_message(pcie::msg_code code, sc_core::sc_time& delay);

    // Inbound (dw_pcie_ep_inbound.cc): TLPs from the link.
    void handle_config(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_core::sc_time& delay);
    void handle_memory(tlm::tlm_generic_payload& gp, pcie::pcie_tlp& t, sc_core::sc_time& delay);
    // A TLP received with the EP bit: AER Poisoned TLP (and ERR_NONFATAL), counted, logged.
    void poisoned_received(const tlm::tlm_generic_payload& gp, const pcie::pcie_tlp& t,
                           sc_core::sc_time& delay);
    pcie::completer_params completer() const;
    // --trace: one event per translated request on this controller's iATU track of its
    // direction.
    void trace_translation(const char* dir, const iatu_hit& hit, std::uint64_t in_addr,
                           std::uint64_t out_addr, const sc_core::sc_time& entered,
                           const sc_core::sc_time& left) const;

    // Outbound (dw_pcie_ep_outbound.cc): the AXI slave aperture and the eDMA's bus side.
    // Programming-rule check: a region's registers written while traffic through it is in flight.
    void check_in_flight(iatu_dir d, unsigned index, const std::string& reg,
                         const sc_core::sc_time& delay);
    // edma_bus: what the eDMA engine uses.
    bool local_access(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                      sc_core::sc_time& delay) override;
    bool local_write_pieces(std::uint64_t addr, unsigned char* data, soc::access_pieces& pieces,
                            sc_core::sc_time& delay) override;
    // One AXI access of the eDMA master (pieces: a burst-mode page write, else null).
    bool local_axi(bool write, std::uint64_t addr, unsigned char* data, unsigned len,
                   soc::access_pieces* pieces, sc_core::sc_time& delay);
    bool pcie_write(std::uint64_t pci_addr, const unsigned char* data, unsigned len,
                    sc_core::sc_time& delay, tlp_wait* wait) override;
    pcie::cpl_status pcie_read(std::uint64_t pci_addr, unsigned char* data, unsigned len,
                               sc_core::sc_time& delay, tlp_wait* wait) override;
    bool pcie_write_burst(std::uint64_t pci_addr, const unsigned char* data, pcie::tlp_burst& b,
                          sc_core::sc_time& delay, tlp_wait* wait) override;
    pcie::cpl_status pcie_read_burst(std::uint64_t pci_addr, unsigned char* data,
                                     pcie::tlp_burst& b, sc_core::sc_time& delay,
                                     tlp_wait* wait) override;
    unsigned mps_bytes() const override;
    unsigned mrrs_bytes() const override;
    unsigned max_outstanding_reads() const override;
    void local_irq(bool level) override;
    link_snapshot link_activity() const override;
    // The function may issue requests: the link is up and Bus Master Enable is set.
    bool may_request() const;

    // MSI-X (dw_pcie_ep_msix.cc). The doorbell: the written value; pending vectors whose mask
    // is now clear.
    void msix_doorbell_write(std::uint32_t value, sc_core::sc_time& delay);
    void msix_send_pending(sc_core::sc_time& delay);
    // Sends vector v's message (true) or leaves it pending (false, masked); error: not sent.
    bool msix_fire(unsigned v, sc_core::sc_time& delay, bool& error);
    // A local access to the function's MSI-X Table (table = true) or PBA at byte `offset`,
    // through the BAR its BIR names and the inbound iATU.
    bool msix_access(bool table, bool write, std::uint64_t offset, unsigned char* data,
                     unsigned len, sc_core::sc_time& delay);

    // The fields of a request on the AXI master (inbound, MSI-X table, eDMA): command, address,
    // data, length; the response status incomplete.
    static void axi_request(tlm::tlm_generic_payload& axi, bool write, std::uint64_t addr,
                            unsigned char* data, unsigned len);
    // b_transport of gp on socket s with the given extensions set for the time of the call.
    template <typename... Ext>
    static void transport_with(tlm_utils::simple_initiator_socket<dw_pcie_ep>& s,
                               tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Ext&... ext) {
        (gp.set_extension(&ext), ...);
        s->b_transport(gp, delay);
        (gp.clear_extension(&ext), ...);
    }
    void log_reg(const char* who, bool write, const reg_block& blk, std::uint32_t off,
                 std::uint32_t value, const sc_core::sc_time& delay);
    // A side effect of the access being handled that may reach DRAM (and so synchronise this
    // thread): run with a copy of the access's delay; `delay` stays the access's own.
    void posted_side_effect(sc_core::sc_time& delay,
                            const std::function<void(sc_core::sc_time&)>& work);

    dw_pcie_ep_params p_;
    reg_block dbi_;
    reg_block dbi2_;
    reg_block app_regs_;
    dbi_map dbi_map_;
    dwc::iatu atu_;
    std::unique_ptr<tlm_iatu_unit> tlm_unit_; // made at elaboration when no other is installed
    iatu_unit* unit_ = nullptr;
    pcie::tlp_requester requester_;
    // What the link told this end (state, partner, hot reset, DLL errors, activity).
    struct link_end : pcie::link_status_if {
        dw_pcie_ep& ep;
        explicit link_end(dw_pcie_ep& e)
            : ep(e) {}
        void link_state(bool up, unsigned gen, unsigned width) override;
        void link_dll_error(pcie::dll_error e, sc_core::sc_time when) override;
        void link_partner(bool present, bool hot_reset_received) override;
        void link_activity(const pcie::link_activity_delta& a) override;
    };
    link_end link_end_{*this};
    link_view link_;
    link_snapshot link_activity_; // cumulative, from the link's per-TLP reports
    std::uint8_t bus_ = 0, dev_ = 0;
    sc_core::sc_event ltssm_kick_;
    sc_core::sc_event app_irq_changed_;
    bool app_irq_level_ = false;
    bool edma_irq_level_ = false;
    sc_core::sc_event edma_irq_changed_;
    std::unique_ptr<dwc::edma> edma_;
    std::vector<sc_core::sc_time> ob_busy_until_, ib_busy_until_;
    std::set<unsigned> msix_pending_; // vectors whose PBA bit the controller set
    counters stats_;
    std::uint64_t local_page_writes_ = 0;
    ep_aer aer_;
    ltssm_unit training_;
    intx_unit intx_;
};

} // namespace epvp::dwc

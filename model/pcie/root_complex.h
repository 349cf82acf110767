// The host's root complex with one root port, host memory, and the host CPU's view of PCIe.
//
// Models: the host CPU port decodes host memory, the ECAM window and the MMIO windows; ECAM
// bus 0 device 0 is the root port's own Type 1 configuration space (bus numbers, memory
// windows, PCIe capability with Link Status and Root Control); configuration requests to the
// secondary bus become CfgRd0/CfgWr0 TLPs (device 0 only), deeper buses CfgRd1/CfgWr1; a
// configuration read answered with CRS returns Vendor ID 0x0001 when Root Control's CRS
// Software Visibility is enabled and the read covers the Vendor ID, otherwise the root complex
// re-issues the request every host.crs_retry_us until host.test_timeout_us; reads that end in
// UR/CA or hit nothing return all-ones and a slave-error status. MMIO accesses inside the root
// port's memory windows (with Memory Space Enable) become MRd/MWr TLPs; inbound TLPs from the
// link: MWr into host memory, MRd answered from host memory after host.read_latency_ns with
// completions split at the root complex's RCB and MPS, completions matched by tag.
// MSI: memory writes into the MSI controller's doorbell page; INTx: Assert/Deassert messages.
// ERR_COR/NONFATAL/FATAL messages are counted. Fault injection: the Nth inbound MRd can get no
// completion, a UR or a CA. Does not model (yet): switches, ACS, peer-to-peer routing, the root
// port's AER capability, IOMMU.
#pragma once

#include "core/reg_block.h"
#include "core/sparse_memory.h"
#include "pcie/completer.h"
#include "pcie/link.h"
#include "pcie/requester.h"

namespace epvp::host {
class msi_controller;
}

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::pcie {

struct root_complex_params {
    std::uint64_t mem_base = 0, mem_size = 0;
    std::uint64_t ecam_base = 0;
    std::uint64_t mmio32_base = 0, mmio32_size = 0;
    std::uint64_t mmio64_base = 0, mmio64_size = 0;
    sc_core::sc_time read_latency = sc_core::sc_time(500, sc_core::SC_NS);
    sc_core::sc_time crs_retry = sc_core::sc_time(100, sc_core::SC_US);
    sc_core::sc_time crs_timeout = sc_core::sc_time(1, sc_core::SC_SEC);
    unsigned max_gen = 3, max_width = 4, mps_supported = 256;
    unsigned rcb_bytes = 64;
    unsigned max_tags = 32;
    std::uint16_t vendor_id = 0x8086, device_id = 0x2030;
    // Fault injection at the completer: the Nth inbound MRd (1-based; 0 = never) gets no
    // completion (the requester's completion timeout), a UR or a CA completion.
    std::uint64_t drop_completion_nth_read = 0, ur_nth_read = 0, ca_nth_read = 0;
};

class root_complex : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<root_complex> host_in;    // host CPU accesses
    tlm_utils::simple_initiator_socket<root_complex> pcie_tx; // TLPs downstream
    tlm_utils::simple_target_socket<root_complex> pcie_rx;    // TLPs from downstream

    root_complex(sc_core::sc_module_name name, const root_complex_params& p);
    void attach_link(pcie_link& link);
    // The interrupt target: MWr into its doorbell page and INTx messages go there; the host
    // CPU reads its registers.
    void attach_msi(host::msi_controller& msi) { msi_ = &msi; }

    sparse_memory& memory() { return mem_; }
    const reg_block& root_port() const { return rp_; }

    struct counters {
        std::uint64_t cfg_requests = 0, crs_retries = 0, crs_visible = 0, master_aborts = 0,
                      unsupported = 0, completer_aborts = 0, inbound_writes = 0, inbound_reads = 0,
                      msi_messages = 0, intx_messages = 0, err_cor_messages = 0,
                      err_nonfatal_messages = 0, err_fatal_messages = 0, injected_faults = 0;
    };
    const counters& stats() const { return stats_; }

private:
    void host_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned host_dbg(tlm::tlm_generic_payload& gp);
    void rx_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void ecam_access(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void mmio_access(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    bool routes_downstream(std::uint64_t addr, std::uint64_t len) const;
    void link_changed(bool up);

    root_complex_params p_;
    sparse_memory mem_;
    reg_block rp_;
    tlp_requester requester_;
    pcie_link* link_ = nullptr;
    host::msi_controller* msi_ = nullptr;
    counters stats_;
    std::vector<unsigned char> read_buf_; // data of the inbound read being answered
};

} // namespace epvp::pcie

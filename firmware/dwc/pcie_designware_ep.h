// DWC endpoint-mode controller driver (the counterpart of Linux's pcie-designware-ep.c):
// implements the EPC ops on the DWC registers, with this SoC's glue for what the generic
// driver leaves to glue drivers (LTSSM start, INTx, features).
#pragma once

#include "firmware/dwc/glue.h"
#include "firmware/dwc/pcie_designware.h"
#include "firmware/epc/epc.h"

#include <array>
#include <vector>

namespace fw::dwc {

class dw_pcie_ep : public epc::controller_ops {
public:
    dw_pcie_ep(hal::platform& io, const hal::ep_board& board);

    // dw_pcie_ep_init_registers: once the reference clock is present.
    int init_registers();
    // Reserves the aperture pages interrupt generation maps (Linux: msi_mem), once the EPC
    // exists.
    int init_msi_mem(epc::epc& epc);

    dw_pcie& pci() { return pci_; }
    soc_glue& glue() { return glue_; }

    // EPC ops.
    int write_header(unsigned fn, const epc::header& h) override;
    int set_bar(unsigned fn, const epc::epf_bar& bar) override;
    void clear_bar(unsigned fn, const epc::epf_bar& bar) override;
    std::uint64_t align_addr(std::uint64_t pci_addr, std::uint64_t& size,
                             std::uint64_t& offset) override;
    int map_addr(unsigned fn, std::uint64_t phys, std::uint64_t pci_addr,
                 std::uint64_t size) override;
    void unmap_addr(unsigned fn, std::uint64_t phys) override;
    int set_msi(unsigned fn, unsigned nr_irqs) override;
    int get_msi(unsigned fn) override;
    int set_msix(unsigned fn, unsigned nr_irqs, unsigned bir, std::uint32_t offset) override;
    int get_msix(unsigned fn) override;
    int raise_irq(unsigned fn, epc::irq_type type, unsigned num) override;
    int start() override;
    void stop() override;
    const epc::features& get_features(unsigned fn) override;

    std::uint8_t msi_cap() const { return msi_cap_; }
    std::uint8_t msix_cap() const { return msix_cap_; }

    // dw_pcie_ep_raise_msix_irq_doorbell: MSI-X interrupt num (1-based) of function fn through
    // the controller's MSIX_DOORBELL register (the controller reads the table and sends the
    // message); for glue drivers that use it instead of the iATU-mapped write.
    int raise_msix_doorbell(unsigned fn, unsigned num);

    std::uint64_t msi_remaps() const { return msi_remaps_; }
    // dw_pcie_ep_linkdown: the controller reset its non-sticky registers on link down; write
    // back what this driver put there (BAR flags, Resizable BAR sizes, MSI/MSI-X capability
    // fields). The iATU keeps its windows.
    void linkdown();
    // Fault injection: disable a set BAR's inbound window but leave the BAR enabled.
    int drop_inbound_window(unsigned bar);

private:
    int raise_msi(unsigned fn, unsigned num);
    int raise_msix(unsigned fn, unsigned num);
    int raise_intx();
    int set_bar_submap(unsigned fn, const epc::epf_bar& bar, std::uint32_t type);
    void free_submap(unsigned bar);
    void reset_bar(unsigned bar);
    void init_non_sticky_registers();
    int find_free(std::vector<bool>& map);

    dw_pcie pci_;
    soc_glue glue_;
    epc::features features_;
    std::vector<bool> ob_window_map_, ib_window_map_;
    std::vector<std::uint64_t> outbound_addr_;
    std::array<int, 6> bar_to_atu_{}; // index + 1, 0 = none
    std::array<epc::epf_bar, 6> epf_bar_{};
    std::array<bool, 6> bar_set_{};
    std::array<std::vector<unsigned>, 6> bar_sub_atu_{}; // address-match windows per BAR
    std::uint8_t msi_cap_ = 0, msix_cap_ = 0;
    std::uint64_t msi_mem_phys_ = 0, msix_mem_phys_ = 0;
    bool msi_iatu_mapped_ = false;
    std::uint64_t msi_msg_addr_ = 0, msi_map_size_ = 0, msi_remaps_ = 0;
    std::uint16_t rebar_cap_ = 0;
    unsigned msi_irqs_ = 0, msix_irqs_ = 0, msix_bir_ = 0; // as set, for linkdown()
    std::uint32_t msix_offset_ = 0;
};

} // namespace fw::dwc

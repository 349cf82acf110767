#include "dwc/dw_pcie_ep.h"

#include "dwc/dw_pcie_regs.h"
#include "hal/errno.h"
#include "hal/pci_regs.h"

namespace fw::dwc {

using namespace regs;

namespace {
constexpr std::uint32_t rebar_ctrl_upper_sizes = 0xFFFF0000u; // 256 TB .. 8 EB
constexpr unsigned rebar_first_size_bit = 4;                  // bit 4 = 1 MB
constexpr unsigned mb_shift = 20;
constexpr std::uint32_t rebar_entry_stride = 8;
std::uint32_t lower_32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }
std::uint32_t upper_32(std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); }
unsigned ilog2(std::uint64_t v) {
    unsigned n = 0;
    while (v >>= 1)
        ++n;
    return n;
}
unsigned order_base_2(unsigned v) {
    unsigned n = 0;
    while ((1u << n) < v)
        ++n;
    return n;
}
std::uint32_t bar_reg(unsigned bar) { return pci::BASE_ADDRESS_0 + 4 * bar; }
} // namespace

dw_pcie_ep::dw_pcie_ep(hal::platform& io, const hal::ep_board& board)
    : pci_(io, board), glue_(io, board), features_(glue_.features()) {}

const epc::features& dw_pcie_ep::get_features(unsigned) { return features_; }

int dw_pcie_ep::find_free(std::vector<bool>& map) {
    for (std::size_t i = 0; i < map.size(); ++i)
        if (!map[i]) {
            map[i] = true;
            return static_cast<int>(i);
        }
    return -1;
}

int dw_pcie_ep::init_registers() {
    hal::platform& io = pci_.io();
    std::uint8_t hdr = pci_.readb_dbi(pci::HEADER_TYPE) & pci::HEADER_TYPE_MASK;
    if (hdr != pci::HEADER_TYPE_NORMAL) {
        io.log(hal::log_level::error, "dwc",
               "PCIe controller is not set to EP mode (hdr_type:" + std::to_string(hdr) + ")");
        return -EIO;
    }
    pci_.version_detect();
    int r = pci_.iatu_detect();
    if (r)
        return r;
    ob_window_map_.assign(pci_.num_ob_windows(), false);
    ib_window_map_.assign(pci_.num_ib_windows(), false);
    outbound_addr_.assign(pci_.num_ob_windows(), 0);
    msi_cap_ = pci_.find_capability(pci::CAP_ID_MSI);
    msix_cap_ = pci_.find_capability(pci::CAP_ID_MSIX);
    rebar_cap_ = pci_.find_ext_capability(pci::EXT_CAP_ID_REBAR);
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b)
        reset_bar(b);
    init_non_sticky_registers();
    return 0;
}

void dw_pcie_ep::init_non_sticky_registers() {
    if (!rebar_cap_)
        return;
    pci_.dbi_ro_wr_en();
    std::uint32_t ctrl0 = pci_.readl_dbi(rebar_cap_ + pci::REBAR_CTRL);
    unsigned nbars = (ctrl0 & pci::REBAR_CTRL_NBAR_MASK) >> pci::REBAR_CTRL_NBAR_SHIFT;
    for (unsigned i = 0; i < nbars; ++i) {
        std::uint32_t off = rebar_cap_ + i * rebar_entry_stride;
        unsigned bar = pci_.readl_dbi(off + pci::REBAR_CTRL) & pci::REBAR_CTRL_BAR_IDX;
        std::uint32_t cap = 1u << rebar_first_size_bit;
        if (bar_set_[bar])
            cap = 1u << (ilog2(epf_bar_[bar].size) - mb_shift + rebar_first_size_bit);
        pci_.writel_dbi(off + pci::REBAR_CAP, cap);
    }
    pci_.dbi_ro_wr_dis();
}

void dw_pcie_ep::reset_bar(unsigned bar) {
    pci_.dbi_ro_wr_en();
    pci_.writel_dbi2(bar_reg(bar), 0);
    pci_.writel_dbi(bar_reg(bar), 0);
    if (bar_set_[bar] && (epf_bar_[bar].flags & pci::BASE_ADDRESS_MEM_TYPE_64)) {
        pci_.writel_dbi2(bar_reg(bar + 1), 0);
        pci_.writel_dbi(bar_reg(bar + 1), 0);
    }
    pci_.dbi_ro_wr_dis();
}

int dw_pcie_ep::write_header(unsigned, const epc::header& h) {
    pci_.dbi_ro_wr_en();
    pci_.writew_dbi(pci::VENDOR_ID, h.vendorid);
    pci_.writew_dbi(pci::DEVICE_ID, h.deviceid);
    pci_.writeb_dbi(pci::REVISION_ID, h.revid);
    pci_.writeb_dbi(pci::CLASS_PROG, h.progif_code);
    pci_.writew_dbi(pci::CLASS_DEVICE,
                    static_cast<std::uint16_t>(h.subclass_code | (h.baseclass_code << 8)));
    pci_.writew_dbi(pci::SUBSYSTEM_VENDOR_ID, h.subsys_vendor_id);
    pci_.writew_dbi(pci::SUBSYSTEM_ID, h.subsys_id);
    pci_.writeb_dbi(pci::INTERRUPT_PIN, h.interrupt_pin);
    pci_.dbi_ro_wr_dis();
    return 0;
}

int dw_pcie_ep::set_bar(unsigned fn, const epc::epf_bar& b) {
    const unsigned bar = static_cast<unsigned>(b.barno);
    const bool is64 = b.flags & pci::BASE_ADDRESS_MEM_TYPE_64;
    if (is64 && (bar & 1))
        return -EINVAL; // DWC does not allow BAR pairs to overlap
    const std::uint32_t type =
        (b.flags & pci::BASE_ADDRESS_SPACE_IO) ? ATU_TYPE_IO : ATU_TYPE_MEM;
    if (bar_set_[bar]) {
        // Dynamic re-set: same BAR, size and flags; only the inbound window moves.
        const epc::epf_bar& old = epf_bar_[bar];
        if (old.size != b.size || old.flags != b.flags)
            return -EINVAL;
        int r = pci_.prog_ep_inbound_atu(fn, static_cast<unsigned>(bar_to_atu_[bar] - 1), type,
                                         b.phys_addr, bar, b.size);
        if (!r)
            epf_bar_[bar] = b;
        return r;
    }
    int idx = find_free(ib_window_map_);
    if (idx < 0) {
        pci_.io().log(hal::log_level::error, "dwc", "No free inbound window");
        return -EINVAL;
    }
    int r = pci_.prog_ep_inbound_atu(fn, static_cast<unsigned>(idx), type, b.phys_addr, bar,
                                     b.size);
    if (r) {
        ib_window_map_[static_cast<std::size_t>(idx)] = false;
        return r;
    }
    bar_to_atu_[bar] = idx + 1;

    pci_.dbi_ro_wr_en();
    if (features_.bar[bar].type == hal::bar_type::resizable) {
        pci_.writel_dbi2(bar_reg(bar), 1);
        pci_.writel_dbi(bar_reg(bar), b.flags);
        std::uint32_t ctrl0 = pci_.readl_dbi(rebar_cap_ + pci::REBAR_CTRL);
        unsigned nbars = (ctrl0 & pci::REBAR_CTRL_NBAR_MASK) >> pci::REBAR_CTRL_NBAR_SHIFT;
        for (unsigned i = 0; i < nbars; ++i) {
            std::uint32_t off = rebar_cap_ + i * rebar_entry_stride;
            if ((pci_.readl_dbi(off + pci::REBAR_CTRL) & pci::REBAR_CTRL_BAR_IDX) != bar)
                continue;
            pci_.io().rmw32(pci_.board().dbi.base + off + pci::REBAR_CTRL, rebar_ctrl_upper_sizes, 0);
            pci_.writel_dbi(off + pci::REBAR_CAP,
                            1u << (ilog2(b.size) - mb_shift + rebar_first_size_bit));
        }
    } else {
        pci_.writel_dbi2(bar_reg(bar), lower_32(b.size - 1));
        pci_.writel_dbi(bar_reg(bar), b.flags);
        if (is64) {
            pci_.writel_dbi2(bar_reg(bar + 1), upper_32(b.size - 1));
            pci_.writel_dbi(bar_reg(bar + 1), 0);
        }
    }
    pci_.dbi_ro_wr_dis();
    epf_bar_[bar] = b;
    bar_set_[bar] = true;
    return 0;
}

void dw_pcie_ep::clear_bar(unsigned, const epc::epf_bar& b) {
    const unsigned bar = static_cast<unsigned>(b.barno);
    reset_bar(bar);
    if (bar_to_atu_[bar]) {
        unsigned idx = static_cast<unsigned>(bar_to_atu_[bar] - 1);
        pci_.disable_atu(atu_dir::ib, idx);
        ib_window_map_[idx] = false;
        bar_to_atu_[bar] = 0;
    }
    bar_set_[bar] = false;
    epf_bar_[bar] = epc::epf_bar{};
}

std::uint64_t dw_pcie_ep::align_addr(std::uint64_t pci_addr, std::uint64_t& size,
                                     std::uint64_t& offset) {
    const std::uint64_t mask = pci_.region_align() - 1;
    const std::uint64_t page = pci_.board().aperture_page_size;
    offset = pci_addr & mask;
    size = (offset + size + page - 1) / page * page;
    return pci_addr & ~mask;
}

int dw_pcie_ep::map_addr(unsigned fn, std::uint64_t phys, std::uint64_t pci_addr,
                         std::uint64_t size) {
    int idx = find_free(ob_window_map_);
    if (idx < 0) {
        pci_.io().log(hal::log_level::error, "dwc", "No free outbound window");
        return -EINVAL;
    }
    int r = pci_.prog_outbound_atu(static_cast<unsigned>(idx), ATU_TYPE_MEM, fn, phys, pci_addr,
                                   size);
    if (r) {
        ob_window_map_[static_cast<std::size_t>(idx)] = false;
        pci_.io().log(hal::log_level::error, "dwc", "Failed to enable address");
        return r;
    }
    outbound_addr_[static_cast<std::size_t>(idx)] = phys;
    return 0;
}

void dw_pcie_ep::unmap_addr(unsigned, std::uint64_t phys) {
    for (std::size_t i = 0; i < outbound_addr_.size(); ++i)
        if (ob_window_map_[i] && outbound_addr_[i] == phys) {
            pci_.disable_atu(atu_dir::ob, static_cast<unsigned>(i));
            ob_window_map_[i] = false;
            return;
        }
}

int dw_pcie_ep::set_msi(unsigned, unsigned nr_irqs) {
    if (!msi_cap_)
        return -EINVAL;
    pci_.dbi_ro_wr_en();
    std::uint16_t flags = pci_.readw_dbi(msi_cap_ + pci::MSI_FLAGS);
    flags = static_cast<std::uint16_t>((flags & ~pci::MSI_FLAGS_QMASK) |
                                       (order_base_2(nr_irqs) << 1));
    pci_.writew_dbi(msi_cap_ + pci::MSI_FLAGS, flags);
    pci_.dbi_ro_wr_dis();
    return 0;
}

int dw_pcie_ep::get_msi(unsigned) {
    if (!msi_cap_)
        return -EINVAL;
    std::uint16_t flags = pci_.readw_dbi(msi_cap_ + pci::MSI_FLAGS);
    if (!(flags & pci::MSI_FLAGS_ENABLE))
        return -EINVAL;
    return 1 << ((flags & pci::MSI_FLAGS_QSIZE) >> 4);
}

int dw_pcie_ep::set_msix(unsigned, unsigned nr_irqs, unsigned bir, std::uint32_t offset) {
    if (!msix_cap_)
        return -EINVAL;
    pci_.dbi_ro_wr_en();
    std::uint16_t flags = pci_.readw_dbi(msix_cap_ + pci::MSIX_FLAGS);
    flags = static_cast<std::uint16_t>((flags & ~pci::MSIX_FLAGS_QSIZE) | (nr_irqs - 1));
    pci_.writew_dbi(msix_cap_ + pci::MSIX_FLAGS, flags);
    pci_.writel_dbi(msix_cap_ + pci::MSIX_TABLE, offset | bir);
    pci_.writel_dbi(msix_cap_ + pci::MSIX_PBA, (offset + nr_irqs * pci::MSIX_ENTRY_SIZE) | bir);
    pci_.dbi_ro_wr_dis();
    return 0;
}

int dw_pcie_ep::get_msix(unsigned) {
    if (!msix_cap_)
        return -EINVAL;
    std::uint16_t flags = pci_.readw_dbi(msix_cap_ + pci::MSIX_FLAGS);
    if (!(flags & pci::MSIX_FLAGS_ENABLE))
        return -EINVAL;
    return (flags & pci::MSIX_FLAGS_QSIZE) + 1;
}

int dw_pcie_ep::raise_irq(unsigned, epc::irq_type, unsigned) {
    // MSI/MSI-X/INTx generation arrives with the mapping API work.
    return -EOPNOTSUPP;
}

int dw_pcie_ep::start() {
    glue_.ltssm_enable(true);
    return 0;
}

void dw_pcie_ep::stop() { glue_.ltssm_enable(false); }

} // namespace fw::dwc

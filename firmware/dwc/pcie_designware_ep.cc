#include "firmware/dwc/pcie_designware_ep.h"

#include <algorithm>

#include "firmware/dwc/dw_pcie_regs.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"

namespace fw::dwc {

using namespace regs;

namespace {
constexpr std::uint32_t rebar_ctrl_upper_sizes = 0xFFFF0000u; // 256 TB .. 8 EB
constexpr unsigned rebar_first_size_bit = 4;                  // bit 4 = 1 MB
constexpr unsigned mb_shift = 20;
constexpr std::uint32_t rebar_entry_stride = 8;
// struct pci_epf_msix_tbl { u64 msg_addr; u32 msg_data; u32 vector_ctrl; }
constexpr std::uint32_t MSIX_ENTRY_ADDR = 0x0;
constexpr std::uint32_t MSIX_ENTRY_DATA = 0x8;
constexpr std::uint32_t MSIX_ENTRY_VECTOR_CTRL = 0xC;
constexpr std::uint32_t MSIX_ENTRY_CTRL_MASKBIT = 0x1;
constexpr std::uint64_t INTX_ASSERT_NS = 1'000'000; // glue drivers hold INTx for 1 ms
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
std::uint32_t bar_reg(unsigned bar) {
    return pci::BASE_ADDRESS_0 + 4 * bar;
}
} // namespace

dw_pcie_ep::dw_pcie_ep(hal::platform& io, const hal::ep_board& board)
    : pci_(io, board)
    , glue_(io, board)
    , features_(glue_.features()) {}

const epc::features& dw_pcie_ep::get_features(unsigned) {
    return features_;
}

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
    if (r) return r;
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
    if (!rebar_cap_) return;
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
    if (is64 && (bar & 1)) return -EINVAL; // DWC does not allow BAR pairs to overlap
    const std::uint32_t type = (b.flags & pci::BASE_ADDRESS_SPACE_IO) ? ATU_TYPE_IO : ATU_TYPE_MEM;
    if (bar_set_[bar]) {
        // Dynamic re-set: same BAR, size and flags; only the inbound mapping moves, the BAR
        // register (the host's address) is left alone.
        const epc::epf_bar& old = epf_bar_[bar];
        if (old.size != b.size || old.flags != b.flags) return -EINVAL;
        if (!b.submap.empty()) return set_bar_submap(fn, b, type);
        free_submap(bar);
        if (!bar_to_atu_[bar]) {
            int idx = find_free(ib_window_map_);
            if (idx < 0) return -EINVAL;
            bar_to_atu_[bar] = idx + 1;
        }
        int r = pci_.prog_ep_inbound_atu(fn, static_cast<unsigned>(bar_to_atu_[bar] - 1), type,
                                         b.phys_addr, bar, b.size);
        if (!r) epf_bar_[bar] = b;
        return r;
    }
    if (!b.submap.empty())
        return -EINVAL; // subrange mapping needs a BAR the host has already been given
    int idx = find_free(ib_window_map_);
    if (idx < 0) {
        pci_.io().log(hal::log_level::error, "dwc", "No free inbound window");
        return -EINVAL;
    }
    int r =
        pci_.prog_ep_inbound_atu(fn, static_cast<unsigned>(idx), type, b.phys_addr, bar, b.size);
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
            if ((pci_.readl_dbi(off + pci::REBAR_CTRL) & pci::REBAR_CTRL_BAR_IDX) != bar) continue;
            pci_.io().rmw32(pci_.board().dbi.base + off + pci::REBAR_CTRL, rebar_ctrl_upper_sizes,
                            0);
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

int dw_pcie_ep::drop_inbound_window(unsigned bar) {
    if (bar >= pci::STD_NUM_BARS || !bar_to_atu_[bar]) return -EINVAL;
    pci_.disable_atu(atu_dir::ib, static_cast<unsigned>(bar_to_atu_[bar] - 1));
    return 0;
}

void dw_pcie_ep::free_submap(unsigned bar) {
    for (unsigned idx : bar_sub_atu_[bar]) {
        pci_.disable_atu(atu_dir::ib, idx);
        ib_window_map_[idx] = false;
    }
    bar_sub_atu_[bar].clear();
}

int dw_pcie_ep::set_bar_submap(unsigned fn, const epc::epf_bar& b, std::uint32_t type) {
    const unsigned bar = static_cast<unsigned>(b.barno);
    if (!features_.subrange_mapping) return -EINVAL;
    // The host-assigned BAR address, read back from DBI.
    std::uint64_t bar_addr = pci_.readl_dbi(bar_reg(bar)) & pci::BASE_ADDRESS_MEM_MASK;
    if (b.flags & pci::BASE_ADDRESS_MEM_TYPE_64)
        bar_addr |= std::uint64_t(pci_.readl_dbi(bar_reg(bar + 1))) << 32;
    if (!bar_addr) return -EINVAL;
    // Pieces: non-zero, aligned, no gaps or overlaps, exact coverage; enough free windows.
    const std::uint64_t mask = pci_.region_align() - 1;
    std::uint64_t covered = 0;
    for (const auto& m : b.submap) {
        if (!m.size || (m.size & mask) || (m.phys_addr & mask) || (covered & mask)) return -EINVAL;
        covered += m.size;
    }
    if (covered != b.size) return -EINVAL;
    std::size_t free_windows =
        static_cast<std::size_t>(std::count(ib_window_map_.begin(), ib_window_map_.end(), false));
    const std::size_t reusable = bar_sub_atu_[bar].size() + (bar_to_atu_[bar] ? 1 : 0);
    if (b.submap.size() > free_windows + reusable) return -ENOSPC;
    // Tear down the old mapping, then program one address-match window per piece.
    free_submap(bar);
    if (bar_to_atu_[bar]) {
        unsigned idx = static_cast<unsigned>(bar_to_atu_[bar] - 1);
        pci_.disable_atu(atu_dir::ib, idx);
        ib_window_map_[idx] = false;
        bar_to_atu_[bar] = 0;
    }
    std::uint64_t off = 0;
    for (const auto& m : b.submap) {
        int idx = find_free(ib_window_map_);
        int r = pci_.prog_inbound_atu(static_cast<unsigned>(idx), type, bar_addr + off, m.phys_addr,
                                      m.size);
        if (r) {
            ib_window_map_[static_cast<std::size_t>(idx)] = false;
            free_submap(bar);
            return r;
        }
        bar_sub_atu_[bar].push_back(static_cast<unsigned>(idx));
        off += m.size;
    }
    (void)fn;
    epf_bar_[bar] = b;
    return 0;
}

void dw_pcie_ep::clear_bar(unsigned, const epc::epf_bar& b) {
    const unsigned bar = static_cast<unsigned>(b.barno);
    // A BAR never set is left alone, as Linux's dw_pcie_ep_clear_bar does (its registers may be
    // the upper half of a 64-bit BAR below it).
    if (bar >= bar_set_.size() || !bar_set_[bar]) return;
    reset_bar(bar);
    free_submap(bar);
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
    // Linux's DWC align_addr only rounds up; this driver also caps the mapping at the next
    // region-limit boundary and at board.max_map_bytes, so a large or boundary-crossing request
    // becomes a partial mapping (the caller loops) instead of failing in the iATU.
    const std::uint64_t mask = pci_.region_align() - 1;
    const std::uint64_t page = pci_.board().aperture_page_size;
    offset = pci_addr & mask;
    const std::uint64_t base = pci_addr & ~mask;
    std::uint64_t map = (offset + size + page - 1) / page * page;
    map = std::min(map, pci_.board().max_map_bytes);
    const std::uint64_t boundary = (base | pci_.region_limit()) + 1; // 0 on wrap: no cap
    if (boundary > base) map = std::min(map, boundary - base);
    // Always cover at least the first byte asked for (in region-alignment units, so the caps
    // above still hold when aperture pages are larger than the alignment).
    map = std::max(map, (offset + 1 + mask) & ~mask);
    size = map;
    return base;
}

int dw_pcie_ep::map_addr(unsigned fn, std::uint64_t phys, std::uint64_t pci_addr,
                         std::uint64_t size) {
    int idx = find_free(ob_window_map_);
    if (idx < 0) {
        pci_.io().log(hal::log_level::error, "dwc", "No free outbound window");
        return -EINVAL;
    }
    int r =
        pci_.prog_outbound_atu(static_cast<unsigned>(idx), ATU_TYPE_MEM, fn, phys, pci_addr, size);
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

void dw_pcie_ep::linkdown() {
    init_non_sticky_registers();
    pci_.dbi_ro_wr_en();
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar) {
        if (!bar_set_[bar]) continue;
        pci_.writel_dbi(bar_reg(bar), epf_bar_[bar].flags);
        if (epf_bar_[bar].flags & pci::BASE_ADDRESS_MEM_TYPE_64)
            pci_.writel_dbi(bar_reg(bar + 1), 0);
    }
    pci_.dbi_ro_wr_dis();
    if (msi_irqs_) set_msi(0, msi_irqs_);
    if (msix_irqs_) set_msix(0, msix_irqs_, msix_bir_, msix_offset_);
}

int dw_pcie_ep::set_msi(unsigned, unsigned nr_irqs) {
    if (!msi_cap_) return -EINVAL;
    msi_irqs_ = nr_irqs;
    pci_.dbi_ro_wr_en();
    std::uint16_t flags = pci_.readw_dbi(msi_cap_ + pci::MSI_FLAGS);
    flags =
        static_cast<std::uint16_t>((flags & ~pci::MSI_FLAGS_QMASK) | (order_base_2(nr_irqs) << 1));
    pci_.writew_dbi(msi_cap_ + pci::MSI_FLAGS, flags);
    pci_.dbi_ro_wr_dis();
    return 0;
}

int dw_pcie_ep::get_msi(unsigned) {
    if (!msi_cap_) return -EINVAL;
    std::uint16_t flags = pci_.readw_dbi(msi_cap_ + pci::MSI_FLAGS);
    if (!(flags & pci::MSI_FLAGS_ENABLE)) return -EINVAL;
    return 1 << ((flags & pci::MSI_FLAGS_QSIZE) >> 4);
}

int dw_pcie_ep::set_msix(unsigned, unsigned nr_irqs, unsigned bir, std::uint32_t offset) {
    if (!msix_cap_) return -EINVAL;
    msix_irqs_ = nr_irqs;
    msix_bir_ = bir;
    msix_offset_ = offset;
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
    if (!msix_cap_) return -EINVAL;
    std::uint16_t flags = pci_.readw_dbi(msix_cap_ + pci::MSIX_FLAGS);
    if (!(flags & pci::MSIX_FLAGS_ENABLE)) return -EINVAL;
    return (flags & pci::MSIX_FLAGS_QSIZE) + 1;
}

int dw_pcie_ep::init_msi_mem(epc::epc& epc) {
    const std::uint64_t page = pci_.board().aperture_page_size;
    int r = epc.mem_alloc_addr(page, msi_mem_phys_);
    if (r) return r;
    return epc.mem_alloc_addr(page, msix_mem_phys_);
}

int dw_pcie_ep::raise_irq(unsigned fn, epc::irq_type type, unsigned num) {
    switch (type) {
    case epc::irq_type::intx:
        return raise_intx();
    case epc::irq_type::msi:
        return raise_msi(fn, num);
    case epc::irq_type::msix:
        return raise_msix(fn, num);
    }
    return -EINVAL;
}

int dw_pcie_ep::raise_intx() {
    if (!features_.intx_capable) return -EINVAL;
    glue_.set_intx(true);
    pci_.io().delay_ns(INTX_ASSERT_NS);
    glue_.set_intx(false);
    return 0;
}

int dw_pcie_ep::raise_msi(unsigned fn, unsigned num) {
    if (!msi_cap_ || !msi_mem_phys_) return -EINVAL;
    const std::uint16_t flags = pci_.readw_dbi(msi_cap_ + pci::MSI_FLAGS);
    if (!(flags & pci::MSI_FLAGS_ENABLE)) return -EINVAL;
    const bool has64 = flags & pci::MSI_FLAGS_64BIT;
    std::uint64_t msg_addr = pci_.readl_dbi(msi_cap_ + pci::MSI_ADDRESS_LO);
    if (has64) msg_addr |= std::uint64_t(pci_.readl_dbi(msi_cap_ + pci::MSI_ADDRESS_HI)) << 32;
    const std::uint16_t msg_data =
        pci_.readw_dbi(msi_cap_ + (has64 ? pci::MSI_DATA_64 : pci::MSI_DATA_32));
    std::uint64_t map_size = sizeof(std::uint32_t), offset = 0;
    const std::uint64_t aligned = align_addr(msg_addr, map_size, offset);
    // The MSI window stays mapped (the in-flight iATU reprogramming problem); if the host moved
    // the MSI address, remap it here, where no transfer is in flight.
    if (msi_iatu_mapped_ && (msi_msg_addr_ != aligned || msi_map_size_ != map_size)) {
        unmap_addr(fn, msi_mem_phys_);
        msi_iatu_mapped_ = false;
        ++msi_remaps_;
        pci_.io().log(hal::log_level::info, "dwc", "MSI address changed: remapping");
    }
    if (!msi_iatu_mapped_) {
        int r = map_addr(fn, msi_mem_phys_, aligned, map_size);
        if (r) return r;
        msi_iatu_mapped_ = true;
        msi_msg_addr_ = aligned;
        msi_map_size_ = map_size;
    }
    pci_.io().wr32(msi_mem_phys_ + offset, msg_data | (num - 1));
    return 0;
}

int dw_pcie_ep::raise_msix(unsigned fn, unsigned num) {
    if (!msix_cap_ || !msix_mem_phys_) return -EINVAL;
    const std::uint32_t tbl = pci_.readl_dbi(msix_cap_ + pci::MSIX_TABLE);
    const unsigned bir = tbl & pci::MSIX_TABLE_BIR;
    if (!bar_set_[bir]) return -EINVAL;
    // The table lives in the local memory that backs the BAR.
    const std::uint64_t entry = epf_bar_[bir].phys_addr + (tbl & pci::MSIX_TABLE_OFFSET) +
                                std::uint64_t(num - 1) * pci::MSIX_ENTRY_SIZE;
    hal::platform& io = pci_.io();
    std::uint64_t msg_addr = 0;
    std::uint32_t msg_data = 0, vec_ctrl = 0;
    if (io.read64(entry + MSIX_ENTRY_ADDR, msg_addr) != hal::status::ok ||
        io.read32(entry + MSIX_ENTRY_DATA, msg_data) != hal::status::ok ||
        io.read32(entry + MSIX_ENTRY_VECTOR_CTRL, vec_ctrl) != hal::status::ok)
        return -EIO;
    if (vec_ctrl & MSIX_ENTRY_CTRL_MASKBIT) {
        io.log(hal::log_level::warning, "dwc", "MSI-X entry ctrl set");
        return -EPERM;
    }
    std::uint64_t map_size = sizeof(std::uint32_t), offset = 0;
    const std::uint64_t aligned = align_addr(msg_addr, map_size, offset);
    int r = map_addr(fn, msix_mem_phys_, aligned, map_size);
    if (r) return r;
    io.wr32(msix_mem_phys_ + offset, msg_data);
    unmap_addr(fn, msix_mem_phys_);
    return 0;
}

int dw_pcie_ep::raise_msix_doorbell(unsigned fn, unsigned num) {
    if (!msix_cap_ || !num) return -EINVAL;
    pci_.writel_dbi(MSIX_DOORBELL, (fn << MSIX_DOORBELL_PF_SHIFT) | (num - 1));
    return 0;
}

int dw_pcie_ep::start() {
    glue_.ltssm_enable(true);
    return 0;
}

void dw_pcie_ep::stop() {
    glue_.ltssm_enable(false);
}

} // namespace fw::dwc

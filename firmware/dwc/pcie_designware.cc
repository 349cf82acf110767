#include "firmware/dwc/pcie_designware.h"

#include "firmware/dwc/dw_pcie_regs.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"

#include <algorithm>
#include <cstdio>

namespace fw::dwc {

using namespace regs;

namespace {
constexpr std::uint64_t four_gib = 1ull << 32;
constexpr std::uint32_t atu_region_bytes = 1u << ATU_UNROLL_REGION_SHIFT;
constexpr unsigned max_cap_walk = 48; // bounded walk: a looped list cannot hang the firmware
unsigned fls(std::uint32_t v) {
    unsigned n = 0;
    while (v) {
        ++n;
        v >>= 1;
    }
    return n;
}
} // namespace

std::uint16_t dw_pcie::readw_dbi(std::uint32_t reg) {
    std::uint16_t v = 0xFFFF;
    (void)io_.read16(board_.dbi.base + reg, v);
    return v;
}
std::uint8_t dw_pcie::readb_dbi(std::uint32_t reg) {
    std::uint8_t v = 0xFF;
    (void)io_.read8(board_.dbi.base + reg, v);
    return v;
}
void dw_pcie::writew_dbi(std::uint32_t reg, std::uint16_t v) {
    (void)io_.write16(board_.dbi.base + reg, v);
}
void dw_pcie::writeb_dbi(std::uint32_t reg, std::uint8_t v) {
    (void)io_.write8(board_.dbi.base + reg, v);
}

void dw_pcie::dbi_ro_wr_en() {
    io_.rmw32(board_.dbi.base + MISC_CONTROL_1_OFF, 0, DBI_RO_WR_EN);
}
void dw_pcie::dbi_ro_wr_dis() {
    io_.rmw32(board_.dbi.base + MISC_CONTROL_1_OFF, DBI_RO_WR_EN, 0);
}

void dw_pcie::version_detect() {
    version_ = readl_dbi(VERSION_NUMBER);
    char text[5] = {static_cast<char>(version_ >> 24), static_cast<char>(version_ >> 16),
                    static_cast<char>(version_ >> 8), static_cast<char>(version_), 0};
    io_.log(hal::log_level::info, "dwc",
            version_ ? std::string("core version ") + text : "core version registers absent");
}

std::uint64_t dw_pcie::atu_region_base(atu_dir dir, unsigned index) {
    if (unroll_)
        return board_.atu.base + (std::uint64_t(index) << ATU_UNROLL_REGION_SHIFT) +
               (dir == atu_dir::ib ? ATU_UNROLL_IB : 0);
    writel_dbi(ATU_VIEWPORT, (dir == atu_dir::ib ? ATU_REGION_DIR_IB : ATU_REGION_DIR_OB) | index);
    return board_.dbi.base + ATU_VIEWPORT_BASE;
}

std::uint32_t dw_pcie::readl_atu(atu_dir dir, unsigned index, std::uint32_t reg) {
    return io_.rd32(atu_region_base(dir, index) + reg);
}

void dw_pcie::writel_atu(atu_dir dir, unsigned index, std::uint32_t reg, std::uint32_t v) {
    io_.wr32(atu_region_base(dir, index) + reg, v);
}

int dw_pcie::iatu_detect() {
    unsigned max_region;
    if (readl_dbi(ATU_VIEWPORT) == 0xFFFFFFFFu) {
        unroll_ = true;
        max_region = std::min<std::uint64_t>(board_.atu.size / atu_region_bytes, MAX_IATU_REGIONS);
    } else {
        unroll_ = false;
        writel_dbi(ATU_VIEWPORT, 0xFF);
        max_region = std::min<unsigned>(readl_dbi(ATU_VIEWPORT) + 1, MAX_IATU_REGIONS);
    }
    unsigned ob = 0, ib = 0;
    for (; ob < max_region; ++ob) {
        writel_atu(atu_dir::ob, ob, ATU_LOWER_TARGET, ATU_PROBE_PATTERN);
        if (readl_atu(atu_dir::ob, ob, ATU_LOWER_TARGET) != ATU_PROBE_PATTERN) break;
    }
    for (; ib < max_region; ++ib) {
        writel_atu(atu_dir::ib, ib, ATU_LOWER_TARGET, ATU_PROBE_PATTERN);
        if (readl_atu(atu_dir::ib, ib, ATU_LOWER_TARGET) != ATU_PROBE_PATTERN) break;
    }
    if (!ob && !ib) {
        io_.log(hal::log_level::error, "dwc", "No iATU regions found");
        return -EIO;
    }
    atu_dir d = ob ? atu_dir::ob : atu_dir::ib;
    writel_atu(d, 0, ATU_LIMIT, 0);
    std::uint32_t min = readl_atu(d, 0, ATU_LIMIT);
    std::uint32_t max = 0;
    if (ver_is_ge(DW_PCIE_VER_460A)) {
        writel_atu(d, 0, ATU_UPPER_LIMIT, 0xFFFFFFFFu);
        max = readl_atu(d, 0, ATU_UPPER_LIMIT);
    }
    num_ob_ = ob;
    num_ib_ = ib;
    region_align_ = 1ull << fls(min);
    region_limit_ = (std::uint64_t(max) << 32) | (four_gib - 1);
    char buf[128];
    std::snprintf(buf, sizeof buf, "iATU: unroll %s, %u ob, %u ib, align %lluK, limit %lluG",
                  unroll_ ? "T" : "F", ob, ib, static_cast<unsigned long long>(region_align_ >> 10),
                  static_cast<unsigned long long>((region_limit_ + 1) >> 30));
    io_.log(hal::log_level::info, "dwc", buf);
    return 0;
}

int dw_pcie::wait_atu_enabled(atu_dir dir, unsigned index) {
    for (unsigned i = 0; i < LINK_WAIT_MAX_IATU_RETRIES; ++i) {
        if (readl_atu(dir, index, ATU_REGION_CTRL2) & ATU_ENABLE) return 0;
        io_.delay_ns(LINK_WAIT_IATU_NS);
    }
    io_.log(hal::log_level::error, "dwc",
            std::string(dir == atu_dir::ob ? "Outbound" : "Inbound") +
                " iATU is not being enabled");
    return -ETIMEDOUT;
}

int dw_pcie::prog_outbound_atu(unsigned index, std::uint32_t type, unsigned func,
                               std::uint64_t cpu_addr, std::uint64_t pci_addr, std::uint64_t size) {
    std::uint64_t limit = cpu_addr + size - 1;
    if ((limit & ~region_limit_) != (cpu_addr & ~region_limit_) || !size ||
        (cpu_addr & (region_align_ - 1)) || (pci_addr & (region_align_ - 1)) || index >= num_ob_)
        return -EINVAL;
    writel_atu(atu_dir::ob, index, ATU_LOWER_BASE, lower_32(cpu_addr));
    writel_atu(atu_dir::ob, index, ATU_UPPER_BASE, upper_32(cpu_addr));
    writel_atu(atu_dir::ob, index, ATU_LIMIT, lower_32(limit));
    if (ver_is_ge(DW_PCIE_VER_460A))
        writel_atu(atu_dir::ob, index, ATU_UPPER_LIMIT, upper_32(limit));
    writel_atu(atu_dir::ob, index, ATU_LOWER_TARGET, lower_32(pci_addr));
    writel_atu(atu_dir::ob, index, ATU_UPPER_TARGET, upper_32(pci_addr));
    std::uint32_t ctrl1 = type | atu_func_num(func);
    if (upper_32(limit) > upper_32(cpu_addr) && ver_is_ge(DW_PCIE_VER_460A))
        ctrl1 |= ATU_INCREASE_REGION_SIZE;
    writel_atu(atu_dir::ob, index, ATU_REGION_CTRL1, ctrl1);
    writel_atu(atu_dir::ob, index, ATU_REGION_CTRL2, ATU_ENABLE);
    return wait_atu_enabled(atu_dir::ob, index);
}

int dw_pcie::prog_inbound_atu(unsigned index, std::uint32_t type, std::uint64_t pci_addr,
                              std::uint64_t cpu_addr, std::uint64_t size) {
    std::uint64_t limit = pci_addr + size - 1;
    if ((limit & ~region_limit_) != (pci_addr & ~region_limit_) || !size ||
        (cpu_addr & (region_align_ - 1)) || (pci_addr & (region_align_ - 1)) || index >= num_ib_)
        return -EINVAL;
    writel_atu(atu_dir::ib, index, ATU_LOWER_BASE, lower_32(pci_addr));
    writel_atu(atu_dir::ib, index, ATU_UPPER_BASE, upper_32(pci_addr));
    writel_atu(atu_dir::ib, index, ATU_LIMIT, lower_32(limit));
    if (ver_is_ge(DW_PCIE_VER_460A))
        writel_atu(atu_dir::ib, index, ATU_UPPER_LIMIT, upper_32(limit));
    writel_atu(atu_dir::ib, index, ATU_LOWER_TARGET, lower_32(cpu_addr));
    writel_atu(atu_dir::ib, index, ATU_UPPER_TARGET, upper_32(cpu_addr));
    std::uint32_t ctrl1 = type;
    if (upper_32(limit) > upper_32(pci_addr) && ver_is_ge(DW_PCIE_VER_460A))
        ctrl1 |= ATU_INCREASE_REGION_SIZE;
    writel_atu(atu_dir::ib, index, ATU_REGION_CTRL1, ctrl1);
    writel_atu(atu_dir::ib, index, ATU_REGION_CTRL2, ATU_ENABLE);
    return wait_atu_enabled(atu_dir::ib, index);
}

int dw_pcie::prog_ep_inbound_atu(unsigned func, unsigned index, std::uint32_t type,
                                 std::uint64_t cpu_addr, unsigned bar, std::uint64_t size) {
    if (index >= num_ib_ || !size || (cpu_addr & (region_align_ - 1)) || (cpu_addr & (size - 1)))
        return -EINVAL;
    writel_atu(atu_dir::ib, index, ATU_LOWER_TARGET, lower_32(cpu_addr));
    writel_atu(atu_dir::ib, index, ATU_UPPER_TARGET, upper_32(cpu_addr));
    writel_atu(atu_dir::ib, index, ATU_REGION_CTRL1, type | atu_func_num(func));
    writel_atu(atu_dir::ib, index, ATU_REGION_CTRL2,
               ATU_ENABLE | ATU_FUNC_NUM_MATCH_EN | ATU_BAR_MODE_ENABLE | atu_bar(bar));
    return wait_atu_enabled(atu_dir::ib, index);
}

void dw_pcie::disable_atu(atu_dir dir, unsigned index) {
    writel_atu(dir, index, ATU_REGION_CTRL2, 0);
}

bool dw_pcie::link_up() {
    std::uint32_t v = readl_dbi(PORT_DEBUG1);
    return (v & PORT_DEBUG1_LINK_UP) && !(v & PORT_DEBUG1_LINK_IN_TRAINING);
}

std::uint8_t dw_pcie::find_capability(std::uint8_t cap) {
    std::uint8_t pos = readb_dbi(pci::CAPABILITY_LIST);
    for (unsigned n = 0; pos && n < max_cap_walk; ++n) {
        std::uint16_t hdr = readw_dbi(pos);
        if ((hdr & 0xFF) == cap) return pos;
        pos = static_cast<std::uint8_t>(hdr >> 8);
    }
    return 0;
}

std::uint16_t dw_pcie::find_ext_capability(std::uint16_t cap) {
    std::uint32_t pos = pci::CFG_SPACE_SIZE;
    for (unsigned n = 0; pos && n < max_cap_walk; ++n) {
        std::uint32_t hdr = readl_dbi(pos);
        if (hdr == 0 || hdr == 0xFFFFFFFFu) return 0;
        if ((hdr & 0xFFFF) == cap) return static_cast<std::uint16_t>(pos);
        pos = hdr >> 20;
    }
    return 0;
}

} // namespace fw::dwc

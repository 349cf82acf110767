// DWC controller core driver: DBI access, version detection, iATU detection and programming,
// link status. The firmware counterpart of Linux's pcie-designware.c, written for this SoC.
//
// It finds out everything a board description does not say by probing registers: unrolled or
// viewport iATU, the number of outbound and inbound windows, region alignment and region limit.
#pragma once

#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <cstdint>

namespace fw::dwc {

enum class atu_dir { ob, ib };

class dw_pcie {
public:
    dw_pcie(hal::platform& io, const hal::ep_board& board)
        : io_(io)
        , board_(board) {}

    hal::platform& io() { return io_; }
    const hal::ep_board& board() const { return board_; }

    std::uint32_t readl_dbi(std::uint32_t reg) { return io_.rd32(board_.dbi.base + reg); }
    std::uint16_t readw_dbi(std::uint32_t reg);
    std::uint8_t readb_dbi(std::uint32_t reg);
    void writel_dbi(std::uint32_t reg, std::uint32_t v) { io_.wr32(board_.dbi.base + reg, v); }
    void writew_dbi(std::uint32_t reg, std::uint16_t v);
    void writeb_dbi(std::uint32_t reg, std::uint8_t v);
    void writel_dbi2(std::uint32_t reg, std::uint32_t v) { io_.wr32(board_.dbi2.base + reg, v); }
    void dbi_ro_wr_en();
    void dbi_ro_wr_dis();

    // Version registers (0 on cores older than 4.70a).
    void version_detect();
    std::uint32_t version() const { return version_; }
    bool ver_is_ge(std::uint32_t v) const { return version_ >= v; }

    // dw_pcie_iatu_detect: counts windows, alignment and limit. Returns 0 or -ENODEV-like -EIO.
    int iatu_detect();
    bool iatu_unroll() const { return unroll_; }
    unsigned num_ob_windows() const { return num_ob_; }
    unsigned num_ib_windows() const { return num_ib_; }
    std::uint64_t region_align() const { return region_align_; }
    std::uint64_t region_limit() const { return region_limit_; }

    int prog_outbound_atu(unsigned index, std::uint32_t type, unsigned func, std::uint64_t cpu_addr,
                          std::uint64_t pci_addr, std::uint64_t size);
    int prog_inbound_atu(unsigned index, std::uint32_t type, std::uint64_t pci_addr,
                         std::uint64_t cpu_addr, std::uint64_t size);
    int prog_ep_inbound_atu(unsigned func, unsigned index, std::uint32_t type,
                            std::uint64_t cpu_addr, unsigned bar, std::uint64_t size);
    void disable_atu(atu_dir dir, unsigned index);

    bool link_up();
    // Config-space capability walk through DBI; 0 if absent.
    std::uint8_t find_capability(std::uint8_t cap);
    std::uint16_t find_ext_capability(std::uint16_t cap);

private:
    std::uint64_t atu_region_base(atu_dir dir, unsigned index);
    std::uint32_t readl_atu(atu_dir dir, unsigned index, std::uint32_t reg);
    void writel_atu(atu_dir dir, unsigned index, std::uint32_t reg, std::uint32_t v);
    int wait_atu_enabled(atu_dir dir, unsigned index);

    hal::platform& io_;
    const hal::ep_board& board_;
    std::uint32_t version_ = 0;
    bool unroll_ = false;
    unsigned num_ob_ = 0, num_ib_ = 0;
    std::uint64_t region_align_ = 0, region_limit_ = 0;
};

// The low and high 32 bits of a 64-bit address, as the DBI's LOWER/UPPER register pairs take them.
inline std::uint32_t lower_32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
inline std::uint32_t upper_32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> 32);
}

} // namespace fw::dwc

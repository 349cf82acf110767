// DWC controller register offsets and bits as the firmware knows them (the equivalent of
// Linux's pcie-designware.h). Kept apart from the model's own tables on purpose: firmware and
// model are two independent readings of the databook, and the tests compare them.
#pragma once

#include <cstdint>

namespace fw::dwc::regs {

constexpr std::uint32_t PORT_LINK_CONTROL = 0x710;
constexpr std::uint32_t PORT_LINK_MODE_MASK = 0x3Fu << 16;
constexpr std::uint32_t PORT_DEBUG0 = 0x728;
constexpr std::uint32_t PORT_LOGIC_LTSSM_STATE_MASK = 0x3F;
constexpr std::uint32_t PORT_LOGIC_LTSSM_STATE_L0 = 0x11;
constexpr std::uint32_t PORT_DEBUG1 = 0x72C;
constexpr std::uint32_t PORT_DEBUG1_LINK_UP = 1u << 4;
constexpr std::uint32_t PORT_DEBUG1_LINK_IN_TRAINING = 1u << 29;
constexpr std::uint32_t LINK_WIDTH_SPEED_CONTROL = 0x80C;
constexpr std::uint32_t MISC_CONTROL_1_OFF = 0x8BC;
constexpr std::uint32_t DBI_RO_WR_EN = 1u << 0;
constexpr std::uint32_t VERSION_NUMBER = 0x8F8;
constexpr std::uint32_t VERSION_TYPE = 0x8FC;
constexpr std::uint32_t ATU_VIEWPORT = 0x900;
constexpr std::uint32_t ATU_VIEWPORT_BASE = 0x904;
constexpr std::uint32_t ATU_VIEWPORT_SIZE = 0x2C;
constexpr std::uint32_t ATU_REGION_DIR_IB = 1u << 31;
constexpr std::uint32_t ATU_REGION_DIR_OB = 0;
constexpr std::uint32_t MSIX_DOORBELL = 0x948;
constexpr std::uint32_t MSIX_DOORBELL_PF_SHIFT = 24;

// Per-region registers (unrolled block or the viewport window).
constexpr std::uint32_t ATU_REGION_CTRL1 = 0x00;
constexpr std::uint32_t ATU_REGION_CTRL2 = 0x04;
constexpr std::uint32_t ATU_LOWER_BASE = 0x08;
constexpr std::uint32_t ATU_UPPER_BASE = 0x0C;
constexpr std::uint32_t ATU_LIMIT = 0x10;
constexpr std::uint32_t ATU_LOWER_TARGET = 0x14;
constexpr std::uint32_t ATU_UPPER_TARGET = 0x18;
constexpr std::uint32_t ATU_UPPER_LIMIT = 0x20;
constexpr std::uint32_t ATU_UNROLL_REGION_SHIFT = 9; // 0x200 per index
constexpr std::uint32_t ATU_UNROLL_IB = 1u << 8;

constexpr std::uint32_t ATU_TYPE_MEM = 0x0;
constexpr std::uint32_t ATU_TYPE_IO = 0x2;
constexpr std::uint32_t ATU_TYPE_CFG0 = 0x4;
constexpr std::uint32_t ATU_TYPE_CFG1 = 0x5;
constexpr std::uint32_t ATU_TYPE_MSG = 0x10;
constexpr std::uint32_t ATU_INCREASE_REGION_SIZE = 1u << 13;
constexpr std::uint32_t atu_func_num(unsigned pf) {
    return pf << 20;
}
constexpr std::uint32_t ATU_ENABLE = 1u << 31;
constexpr std::uint32_t ATU_BAR_MODE_ENABLE = 1u << 30;
constexpr std::uint32_t ATU_FUNC_NUM_MATCH_EN = 1u << 19;
constexpr std::uint32_t atu_bar(unsigned bar) {
    return bar << 8;
}

constexpr unsigned LINK_WAIT_MAX_IATU_RETRIES = 5;
constexpr std::uint64_t LINK_WAIT_IATU_NS = 9'000'000; // 9 ms
constexpr unsigned MAX_IATU_REGIONS = 256;
constexpr std::uint32_t ATU_PROBE_PATTERN = 0x11110000;
constexpr std::uint32_t DW_PCIE_VER_460A = 0x3436302a;
constexpr std::uint32_t DW_PCIE_VER_480A = 0x3438302a;

} // namespace fw::dwc::regs

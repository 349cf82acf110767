// PCI/PCIe configuration-space definitions for software (the equivalent of Linux's
// include/uapi/linux/pci_regs.h), shared by the endpoint firmware and the host software.
#pragma once

#include <cstdint>

namespace pci {

constexpr std::uint32_t VENDOR_ID = 0x00;
constexpr std::uint32_t DEVICE_ID = 0x02;
constexpr std::uint32_t COMMAND = 0x04;
constexpr std::uint16_t COMMAND_IO = 0x1;
constexpr std::uint16_t COMMAND_MEMORY = 0x2;
constexpr std::uint16_t COMMAND_MASTER = 0x4;
constexpr std::uint16_t COMMAND_INTX_DISABLE = 0x400;
constexpr std::uint32_t STATUS = 0x06;
constexpr std::uint16_t STATUS_INTERRUPT = 0x8;
constexpr std::uint16_t STATUS_CAP_LIST = 0x10;
constexpr std::uint32_t REVISION_ID = 0x08;
constexpr std::uint32_t CLASS_PROG = 0x09;
constexpr std::uint32_t CLASS_DEVICE = 0x0A;
constexpr std::uint32_t HEADER_TYPE = 0x0E;
constexpr std::uint8_t HEADER_TYPE_MASK = 0x7F;
constexpr std::uint8_t HEADER_TYPE_NORMAL = 0;
constexpr std::uint8_t HEADER_TYPE_BRIDGE = 1;
constexpr std::uint32_t BASE_ADDRESS_0 = 0x10;
constexpr unsigned STD_NUM_BARS = 6;
constexpr std::uint32_t BASE_ADDRESS_SPACE_IO = 0x1;
constexpr std::uint32_t BASE_ADDRESS_MEM_TYPE_64 = 0x4;
constexpr std::uint32_t BASE_ADDRESS_MEM_PREFETCH = 0x8;
constexpr std::uint32_t BASE_ADDRESS_MEM_MASK = ~0xFu;
constexpr std::uint32_t SUBSYSTEM_VENDOR_ID = 0x2C;
constexpr std::uint32_t SUBSYSTEM_ID = 0x2E;
constexpr std::uint32_t CAPABILITY_LIST = 0x34;
constexpr std::uint32_t INTERRUPT_LINE = 0x3C;
constexpr std::uint32_t INTERRUPT_PIN = 0x3D;

// Type 1 (bridge) header.
constexpr std::uint32_t PRIMARY_BUS = 0x18;
constexpr std::uint32_t SECONDARY_BUS = 0x19;
constexpr std::uint32_t SUBORDINATE_BUS = 0x1A;
constexpr std::uint32_t SEC_STATUS = 0x1E;
constexpr std::uint32_t BRIDGE_CONTROL = 0x3E;
constexpr std::uint16_t BRIDGE_CTL_SERR = 0x02;      // SERR# Enable: forward ERR_ messages up
constexpr std::uint16_t BRIDGE_CTL_BUS_RESET = 0x40; // Secondary Bus Reset
constexpr std::uint16_t STATUS_REC_TARGET_ABORT = 0x1000;
constexpr std::uint16_t STATUS_REC_MASTER_ABORT = 0x2000;
constexpr std::uint32_t MEMORY_BASE = 0x20;
constexpr std::uint32_t MEMORY_LIMIT = 0x22;
constexpr std::uint32_t PREF_MEMORY_BASE = 0x24;
constexpr std::uint32_t PREF_MEMORY_LIMIT = 0x26;
constexpr std::uint32_t PREF_BASE_UPPER32 = 0x28;
constexpr std::uint32_t PREF_LIMIT_UPPER32 = 0x2C;

constexpr std::uint8_t CAP_ID_PM = 0x01;
constexpr std::uint8_t CAP_ID_MSI = 0x05;
constexpr std::uint8_t CAP_ID_EXP = 0x10;
constexpr std::uint8_t CAP_ID_MSIX = 0x11;
constexpr std::uint16_t EXT_CAP_ID_ERR = 0x0001;
constexpr std::uint16_t EXT_CAP_ID_REBAR = 0x0015;
constexpr std::uint32_t CFG_SPACE_SIZE = 0x100;
constexpr std::uint32_t CFG_SPACE_EXP_SIZE = 0x1000;

// MSI capability.
constexpr std::uint32_t MSI_FLAGS = 0x02;
constexpr std::uint16_t MSI_FLAGS_ENABLE = 0x0001;
constexpr std::uint16_t MSI_FLAGS_QMASK = 0x000E; // Multiple Message Capable
constexpr std::uint16_t MSI_FLAGS_QSIZE = 0x0070; // Multiple Message Enable
constexpr std::uint16_t MSI_FLAGS_64BIT = 0x0080;
constexpr std::uint16_t MSI_FLAGS_MASKBIT = 0x0100; // Per-Vector Masking Capable
constexpr unsigned MSI_FLAGS_QMASK_SHIFT = 1;
constexpr unsigned MSI_FLAGS_QSIZE_SHIFT = 4;
constexpr unsigned MSI_MAX_VECTORS = 32;
constexpr std::uint32_t MSI_ADDRESS_LO = 0x04;
constexpr std::uint32_t MSI_ADDRESS_HI = 0x08;
constexpr std::uint32_t MSI_DATA_32 = 0x08;
constexpr std::uint32_t MSI_DATA_64 = 0x0C;
constexpr std::uint32_t MSI_MASK_32 = 0x0C; // Mask Bits (with per-vector masking)
constexpr std::uint32_t MSI_MASK_64 = 0x10;

// MSI-X capability.
constexpr std::uint32_t MSIX_FLAGS = 0x02;
constexpr std::uint16_t MSIX_FLAGS_QSIZE = 0x07FF;
constexpr std::uint16_t MSIX_FLAGS_MASKALL = 0x4000;
constexpr std::uint16_t MSIX_FLAGS_ENABLE = 0x8000;
constexpr std::uint32_t MSIX_TABLE = 0x04;
constexpr std::uint32_t MSIX_TABLE_BIR = 0x7;
constexpr std::uint32_t MSIX_TABLE_OFFSET = ~0x7u;
constexpr std::uint32_t MSIX_PBA = 0x08;
constexpr std::uint32_t MSIX_ENTRY_SIZE = 16;

// PCI Express capability.
constexpr std::uint32_t EXP_DEVCAP = 0x04;
constexpr std::uint32_t EXP_DEVCAP_PAYLOAD = 0x7;
constexpr std::uint32_t EXP_DEVCAP_EXT_TAG = 0x20;
constexpr std::uint32_t EXP_DEVCAP_FLR = 0x10000000; // Function Level Reset Capability
constexpr std::uint32_t EXP_DEVCTL = 0x08;
constexpr std::uint16_t EXP_DEVCTL_BCR_FLR = 0x8000; // Initiate Function Level Reset
constexpr std::uint16_t EXP_DEVCTL_EXT_TAG = 0x0100;
constexpr std::uint16_t EXP_DEVCTL_ERR_REPORTING = 0x000F; // CERE | NFERE | FERE | URRE
constexpr unsigned EXP_DEVCTL_PAYLOAD_SHIFT = 5;
constexpr unsigned EXP_DEVCTL_READRQ_SHIFT = 12;
constexpr std::uint16_t EXP_DEVCTL_PAYLOAD = 0x00E0;
constexpr std::uint16_t EXP_DEVCTL_READRQ = 0x7000;
constexpr std::uint32_t EXP_LNKCAP = 0x0C;
constexpr std::uint32_t EXP_LNKCAP_SLS = 0x0F;
constexpr std::uint32_t EXP_LNKCAP_MLW = 0x3F0;
constexpr std::uint32_t EXP_LNKSTA = 0x12;
constexpr std::uint16_t EXP_LNKSTA_CLS = 0x000F;
constexpr std::uint16_t EXP_LNKSTA_NLW = 0x03F0;
constexpr std::uint16_t EXP_LNKSTA_DLLLA = 0x2000;
constexpr std::uint32_t EXP_RTCTL = 0x1C;
constexpr std::uint32_t EXP_DEVCAP2 = 0x24;
constexpr std::uint32_t EXP_DEVCAP2_10BIT_TAG_COMP = 0x00010000;
constexpr std::uint32_t EXP_DEVCAP2_10BIT_TAG_REQ = 0x00020000;
constexpr std::uint32_t EXP_DEVCTL2 = 0x28;
constexpr std::uint16_t EXP_DEVCTL2_10BIT_TAG_REQ_EN = 0x1000;
constexpr std::uint16_t EXP_RTCTL_CRSSVE = 0x0010;

// Advanced Error Reporting.
constexpr std::uint32_t ERR_UNCOR_STATUS = 0x04;
constexpr std::uint32_t ERR_UNC_POISON_TLP = 0x00001000;
constexpr std::uint32_t ERR_UNC_COMP_TIME = 0x00004000;
constexpr std::uint32_t ERR_UNC_COMP_ABORT = 0x00008000;
constexpr std::uint32_t ERR_UNC_MALF_TLP = 0x00040000;
constexpr std::uint32_t ERR_UNC_UNSUP = 0x00100000;

// Resizable BAR.
constexpr std::uint32_t REBAR_CAP = 0x04;
constexpr std::uint32_t REBAR_CTRL = 0x08;
constexpr std::uint32_t REBAR_CTRL_BAR_IDX = 0x7;
constexpr std::uint32_t REBAR_CTRL_NBAR_MASK = 0xE0;
constexpr std::uint32_t REBAR_CTRL_NBAR_SHIFT = 5;
constexpr std::uint32_t REBAR_CTRL_BAR_SIZE = 0x3F00;

constexpr std::uint16_t CRS_VENDOR_ID = 0x0001; // CRS Software Visibility
constexpr std::uint16_t ANY_ID = 0xFFFF;
constexpr std::uint32_t CLASS_OTHERS = 0xFF;

} // namespace pci

// The register protocol between the endpoint test function and the host test driver (Linux
// pci-epf-test / pci_endpoint_test): the block at the start of the test register BAR.
// Shared by both sides like a uapi header.
#pragma once

#include <cstdint>

namespace epf_test {

// struct pci_epf_test_reg, little-endian, packed.
constexpr std::uint32_t MAGIC = 0x00;
constexpr std::uint32_t COMMAND = 0x04;
constexpr std::uint32_t STATUS = 0x08;
constexpr std::uint32_t SRC_ADDR_LOWER = 0x0C;
constexpr std::uint32_t SRC_ADDR_UPPER = 0x10;
constexpr std::uint32_t DST_ADDR_LOWER = 0x14;
constexpr std::uint32_t DST_ADDR_UPPER = 0x18;
constexpr std::uint32_t SIZE = 0x1C;
constexpr std::uint32_t CHECKSUM = 0x20;
constexpr std::uint32_t IRQ_TYPE = 0x24;
constexpr std::uint32_t IRQ_NUMBER = 0x28;
constexpr std::uint32_t FLAGS = 0x2C;
constexpr std::uint32_t CAPS = 0x30;
constexpr std::uint32_t DB_BAR = 0x34;
constexpr std::uint32_t DB_OFFSET = 0x38;
constexpr std::uint32_t DB_DATA = 0x3C;
constexpr std::uint32_t REG_BYTES = 0x40;
constexpr std::uint32_t REG_BAR_SIZE = 128; // ALIGN(sizeof(reg), 128); MSI-X table follows

// COMMAND bits.
constexpr std::uint32_t COMMAND_RAISE_INTX_IRQ = 1u << 0;
constexpr std::uint32_t COMMAND_RAISE_MSI_IRQ = 1u << 1;
constexpr std::uint32_t COMMAND_RAISE_MSIX_IRQ = 1u << 2;
constexpr std::uint32_t COMMAND_READ = 1u << 3;
constexpr std::uint32_t COMMAND_WRITE = 1u << 4;
constexpr std::uint32_t COMMAND_COPY = 1u << 5;
constexpr std::uint32_t COMMAND_ENABLE_DOORBELL = 1u << 6;
constexpr std::uint32_t COMMAND_DISABLE_DOORBELL = 1u << 7;
constexpr std::uint32_t COMMAND_BAR_SUBRANGE_SETUP = 1u << 8;
constexpr std::uint32_t COMMAND_BAR_SUBRANGE_CLEAR = 1u << 9;

// STATUS bits.
constexpr std::uint32_t STATUS_READ_SUCCESS = 1u << 0;
constexpr std::uint32_t STATUS_READ_FAIL = 1u << 1;
constexpr std::uint32_t STATUS_WRITE_SUCCESS = 1u << 2;
constexpr std::uint32_t STATUS_WRITE_FAIL = 1u << 3;
constexpr std::uint32_t STATUS_COPY_SUCCESS = 1u << 4;
constexpr std::uint32_t STATUS_COPY_FAIL = 1u << 5;
constexpr std::uint32_t STATUS_IRQ_RAISED = 1u << 6;
constexpr std::uint32_t STATUS_SRC_ADDR_INVALID = 1u << 7;
constexpr std::uint32_t STATUS_DST_ADDR_INVALID = 1u << 8;
constexpr std::uint32_t STATUS_DOORBELL_SUCCESS = 1u << 9;
constexpr std::uint32_t STATUS_DOORBELL_ENABLE_SUCCESS = 1u << 10;
constexpr std::uint32_t STATUS_DOORBELL_ENABLE_FAIL = 1u << 11;
constexpr std::uint32_t STATUS_DOORBELL_DISABLE_SUCCESS = 1u << 12;
constexpr std::uint32_t STATUS_DOORBELL_DISABLE_FAIL = 1u << 13;
constexpr std::uint32_t STATUS_BAR_SUBRANGE_SETUP_SUCCESS = 1u << 14;
constexpr std::uint32_t STATUS_BAR_SUBRANGE_SETUP_FAIL = 1u << 15;
constexpr std::uint32_t STATUS_BAR_SUBRANGE_CLEAR_SUCCESS = 1u << 16;
constexpr std::uint32_t STATUS_BAR_SUBRANGE_CLEAR_FAIL = 1u << 17;

// CAPS bits.
constexpr std::uint32_t CAP_UNALIGNED_ACCESS = 1u << 0;
constexpr std::uint32_t CAP_MSI = 1u << 1;
constexpr std::uint32_t CAP_MSIX = 1u << 2;
constexpr std::uint32_t CAP_INTX = 1u << 3;
constexpr std::uint32_t CAP_SUBRANGE_MAPPING = 1u << 4;
constexpr std::uint32_t CAP_DYNAMIC_INBOUND_MAPPING = 1u << 5;

constexpr std::uint32_t FLAG_USE_DMA = 1u << 0;

enum irq_type : std::uint32_t { IRQ_TYPE_INTX = 0, IRQ_TYPE_MSI = 1, IRQ_TYPE_MSIX = 2 };

// The host driver's BAR test patterns.
constexpr std::uint8_t bar_pattern(unsigned bar) {
    return static_cast<std::uint8_t>(0xA0 + bar);
}
// BAR_SUBRANGE: the endpoint fills physical half i with this signature byte; the host writes
// subrange_pattern into the half it sees as i.
constexpr std::uint8_t subrange_signature(unsigned bar, unsigned half) {
    return static_cast<std::uint8_t>(0x50 + bar * 8 + half);
}
constexpr std::uint8_t subrange_pattern(unsigned bar, unsigned half) {
    return static_cast<std::uint8_t>(0xA0 + bar * 8 + half);
}

} // namespace epf_test

// PCI/PCIe configuration-space register offsets, bits and capability IDs (PCI Local Bus 3.0,
// PCIe Base 5.0) as the model's devices implement them. SystemC-free constants.
#pragma once

#include <cstdint>

namespace epvp::pcie::cfg {

// Type 0/1 common header.
constexpr std::uint32_t vendor_id = 0x00;
constexpr std::uint32_t command = 0x04; // Command (15:0) | Status (31:16)
constexpr std::uint32_t class_rev = 0x08;
constexpr std::uint32_t bist_hdr_lat_cls = 0x0C;
constexpr std::uint32_t bar0 = 0x10;
constexpr unsigned num_bars = 6;
constexpr std::uint32_t cardbus_cis = 0x28;
constexpr std::uint32_t subsystem = 0x2C;
constexpr std::uint32_t rom_base = 0x30;
constexpr std::uint32_t cap_ptr = 0x34;
constexpr std::uint32_t interrupt = 0x3C;
// Type 1 header.
constexpr std::uint32_t t1_bus_numbers = 0x18;
constexpr std::uint32_t t1_io_base_status = 0x1C;
constexpr std::uint32_t t1_mem_base_limit = 0x20;
constexpr std::uint32_t t1_pref_base_limit = 0x24;
constexpr std::uint32_t t1_pref_base_upper = 0x28;
constexpr std::uint32_t t1_pref_limit_upper = 0x2C;
constexpr std::uint32_t t1_bridge_control = 0x3C;

// Command / Status bits within the 32-bit register at 0x04.
constexpr std::uint32_t cmd_io = 1u << 0;
constexpr std::uint32_t cmd_memory = 1u << 1;
constexpr std::uint32_t cmd_bus_master = 1u << 2;
constexpr std::uint32_t cmd_parity = 1u << 6;
constexpr std::uint32_t cmd_serr = 1u << 8;
constexpr std::uint32_t cmd_intx_disable = 1u << 10;
constexpr std::uint32_t sta_interrupt = 1u << 19;
constexpr std::uint32_t sta_cap_list = 1u << 20;
constexpr std::uint32_t sta_error_bits = 0xF9000000u; // W1C error bits

// BAR bits.
constexpr std::uint32_t bar_io = 1u << 0;
constexpr std::uint32_t bar_type_64 = 2u << 1;
constexpr std::uint32_t bar_prefetch = 1u << 3;
constexpr std::uint32_t bar_flags_mask = 0xFu;

// Capability IDs.
constexpr std::uint8_t cap_id_pm = 0x01;
constexpr std::uint8_t cap_id_msi = 0x05;
constexpr std::uint8_t cap_id_exp = 0x10;
constexpr std::uint8_t cap_id_msix = 0x11;
constexpr std::uint16_t ext_cap_id_aer = 0x0001;
constexpr std::uint16_t ext_cap_id_rebar = 0x0015;
constexpr std::uint32_t ext_cap_start = 0x100;

// PCI Express capability register offsets (from the capability start).
constexpr std::uint32_t exp_devcap = 0x04;
constexpr std::uint32_t exp_devctl = 0x08; // DevCtl (15:0) | DevSta (31:16)
constexpr std::uint32_t exp_lnkcap = 0x0C;
constexpr std::uint32_t exp_lnkctl = 0x10; // LnkCtl (15:0) | LnkSta (31:16)
constexpr std::uint32_t exp_rootctl = 0x1C;
constexpr std::uint32_t exp_devcap2 = 0x24;
constexpr std::uint32_t exp_devctl2 = 0x28;
constexpr std::uint32_t exp_lnkcap2 = 0x2C;
constexpr std::uint32_t exp_lnkctl2 = 0x30;
constexpr std::uint32_t exp_type_endpoint = 0x0;
constexpr std::uint32_t exp_type_root_port = 0x4;
constexpr std::uint32_t lnksta_speed_shift = 16;
constexpr std::uint32_t lnksta_width_shift = 20;
constexpr std::uint32_t lnksta_training = 1u << 27;
constexpr std::uint32_t lnksta_slot_clock = 1u << 28;
constexpr std::uint32_t lnksta_dlla = 1u << 29;
constexpr std::uint32_t rootctl_crs_sv = 1u << 4;
constexpr std::uint32_t devctl_ext_tag = 1u << 8;
// Role-Based Error Reporting: set by every function of PCIe 1.1 or later (Device Capabilities).
constexpr std::uint32_t devcap_role_based_err = 1u << 15;
constexpr std::uint32_t devcap2_10bit_tag_completer = 1u << 16;
constexpr std::uint32_t devctl2_10bit_tag_requester = 1u << 12;
// Outstanding non-posted requests a requester may have by tag size.
constexpr unsigned tags_5bit = 32, tags_8bit = 256, tags_10bit = 768;
constexpr std::uint16_t crs_vendor_id = 0x0001; // what a CRS-visible Vendor ID read returns

// Encodings of 128 << n for MPS / MRRS fields.
constexpr std::uint32_t size_code(unsigned bytes) {
    std::uint32_t c = 0;
    while ((128u << c) < bytes)
        ++c;
    return c;
}

} // namespace epvp::pcie::cfg

// The configuration space of a PCI-to-PCI bridge function as root ports and switch ports
// implement it: the Type 1 header, the PCI Express capability and AER (pcie/aer.h), and the
// decode a port does with them (memory windows, bus numbers, enables, Link Status).
//
// Models: the Type 1 header of PCIe Base Spec 5.0 section 7.5.1.3 (figure 7-10) with the
// attributes of its tables: Command (section 7.5.1.1.3; writable: I/O Space Enable where the
// port has an I/O window, Memory Space Enable, Bus Master Enable, Parity Error Response, SERR#
// Enable, Interrupt Disable), Status error bits W1C, bus numbers, I/O base/limit with Secondary
// Status (section 7.5.1.3.7), memory and 64-bit prefetchable windows (1 MiB granules, sections
// 7.5.1.3.8-7.5.1.3.10), Bridge Control (section 7.5.1.3.13; writable: Parity Error Response
// Enable, SERR# Enable, ISA Enable, VGA Enable, VGA 16-bit Decode, Secondary Bus Reset; Master
// Abort Mode and the PCI timer bits are hardwired 0 in PCIe) with Interrupt Line; the PCI
// Express capability (section 7.5.3: Device Capabilities/Control/Status, Link Capabilities/
// Control/Status, Root Control/Capabilities on root ports, Device Capabilities 2, Device
// Control 2 where the port has it); AER after it at 0x100.
// Does not model: I/O decoding through the I/O window (registers only), VGA / ISA routing, the
// prefetchable window as a separate attribute (both windows forward alike), Slot registers.
#pragma once

#include "model/core/reg_block.h"
#include "model/pcie/aer.h"

#include <cstdint>
#include <vector>

namespace epvp::pcie {

// Register layout of root ports and switch ports. SystemC-free constants.
namespace port_cfg {
constexpr std::uint32_t exp_cap = 0x40; // PCI Express capability
constexpr std::uint32_t aer_cap = 0x100;
constexpr aer::layout aer_layout{aer_cap, exp_cap};
constexpr std::uint32_t aer_uncor_status = aer::uncor_status;
constexpr std::uint32_t aer_cor_status = aer::cor_status;
constexpr std::uint16_t ext_cap_id_acs = 0x000D;
constexpr std::uint32_t acs_cap = 0x130; // DSPs: after AER
constexpr std::uint32_t acs_cap_ctrl = 0x04;
constexpr std::uint32_t acs_egress_vector = 0x08;
// ACS capability / control bits (section 7.7.8).
constexpr std::uint16_t acs_sv = 0x0001, acs_tb = 0x0002, acs_rr = 0x0004, acs_cr = 0x0008,
                        acs_uf = 0x0010, acs_ec = 0x0020, acs_dt = 0x0040;
constexpr std::uint16_t acs_all = 0x007F;
constexpr unsigned acs_vector_size_shift = 8;
constexpr unsigned acs_ctrl_shift = 16;
// Device/Port Type of the PCI Express Capabilities register (section 7.5.3.2).
constexpr std::uint32_t exp_type_root_port = 0x4, exp_type_upstream = 0x5,
                        exp_type_downstream = 0x6;
} // namespace port_cfg

struct type1_params {
    const char* name = "";
    std::uint16_t vendor_id = 0, device_id = 0;
    std::uint32_t port_type = port_cfg::exp_type_root_port;
    unsigned port_number = 0; // Link Capabilities Port Number
    unsigned max_gen = 3, max_width = 4, mps_supported = 256;
    bool io_window = false;            // I/O base/limit writable, and with it I/O Space Enable
    bool dll_active_reporting = false; // Link Capabilities bit 20
    bool root_control = false;         // Root Control / Root Capabilities (root ports)
    bool devctl2 = false;              // Device Control 2 writable
    bool sec_status_fields = false;    // name Secondary Status' Received Abort fields
    std::uint32_t aer_next = 0;        // capability after AER (0: none)
};
// The header, the PCI Express capability and AER as reg_defs.
std::vector<reg_def> type1_table(const type1_params& p);

namespace type1 {
// Secondary Bus Reset: Bridge Control bit 6 within the register at 0x3C (bits 31:16).
constexpr std::uint32_t bridge_control_sbr = 1u << 22;
// SERR# Enable: Bridge Control bit 1 (register bit 17): ERR_COR/NONFATAL/FATAL messages from the
// secondary side are forwarded to the primary side only when set.
constexpr std::uint32_t bridge_control_serr = 1u << 17;
// Secondary Status bits: a completion with CA / UR received from below.
constexpr std::uint32_t sec_status_rec_target_abort = 1u << 28;
constexpr std::uint32_t sec_status_rec_master_abort = 1u << 29;

bool memory_enabled(const reg_block& r);
bool bus_master(const reg_block& r);
unsigned secondary_bus(const reg_block& r);
unsigned subordinate_bus(const reg_block& r);
// Whether bus lies in secondary..subordinate (a port with secondary 0 is unconfigured).
bool bus_below(const reg_block& r, unsigned bus);
// Whether [addr, addr + len) lies in the memory window or the prefetchable window.
bool in_windows(const reg_block& r, std::uint64_t addr, std::uint64_t len);
// Link Status: speed, width and Data Link Layer Link Active while up, zero while down.
void set_link_status(reg_block& r, bool up, unsigned gen, unsigned width);
// Max_Payload_Size from Device Control, in bytes.
unsigned mps_bytes(const reg_block& r);
} // namespace type1

} // namespace epvp::pcie

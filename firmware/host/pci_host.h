// Host-side PCI core: ECAM configuration access and enumeration of the tree below the root
// ports (the part of the Linux PCI core the tests and the p2pdma orchestrator need).
//
// Enumeration: finds the root ports on bus 0 (device 0 is the first; further devices on bus 0
// that read as Type 1 PCIe Root Ports are the others), and walks each one's tree depth-first
// (pci_scan_bridge order): every bridge gets primary = its bus, secondary = the next free bus
// number and, once everything below is scanned, subordinate = the highest bus found below.
// On the bus below a root port it enables CRS Software Visibility; below a root port or a switch
// downstream port it waits (bounded) for that port's Data Link Layer Link Active (an empty slot
// is skipped after the timeout) and reads Vendor IDs retrying while they read 0x0001
// (CRS); only device 0 is probed below a root port or switch downstream port (a link has one
// device), every device number on a switch's internal bus; functions 1-7 of a multi-function
// device. It sizes BARs by writing all-ones and, bottom-up, assigns addresses from the host
// windows (64-bit prefetchable BARs from the 64-bit window, the rest from the 32-bit one, in
// function and BAR order, each aligned to its size), programs every bridge's memory and
// prefetchable windows (empty ones disabled: base above limit) to
// cover what sits below it (1 MiB granular), sets MPS (the largest every port in the path
// supports), MRRS and tags, and enables memory space and bus mastering. Each function's ACS
// capability (offset, capability and control registers) and type are recorded so the p2pdma
// orchestrator can compute distances. Every wait is bounded by the timeout and reports
// -ETIMEDOUT. Does not model: I/O BARs (sized, never assigned), hot plug, ARI, SR-IOV, bus
// number exhaustion beyond 255 (reported as -ENOSPC), resource reassignment.
#pragma once

#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fw::host {

// ACS extended capability (PCIe Base 5.0 section 7.7.8; Linux pci_regs.h PCI_ACS_*).
namespace acs {
constexpr std::uint16_t EXT_CAP_ID = 0x000D;
constexpr std::uint32_t CAP = 0x04;          // ACS Capability (15:0)
constexpr std::uint32_t CTRL = 0x06;         // ACS Control (15:0)
constexpr std::uint32_t EGRESS_CTL_V = 0x08; // Egress Control Vector
constexpr std::uint16_t SV = 0x0001;         // Source Validation
constexpr std::uint16_t TB = 0x0002;         // Translation Blocking
constexpr std::uint16_t RR = 0x0004;         // P2P Request Redirect
constexpr std::uint16_t CR = 0x0008;         // P2P Completion Redirect
constexpr std::uint16_t UF = 0x0010;         // Upstream Forwarding
constexpr std::uint16_t EC = 0x0020;         // P2P Egress Control
constexpr std::uint16_t DT = 0x0040;         // Direct Translated P2P
constexpr unsigned EGRESS_BITS_SHIFT = 8;    // Capability 15:8: vector size (0 = 256)
} // namespace acs

// PCI Express Capabilities register (capability + 2), device/port type field 7:4.
constexpr std::uint32_t EXP_FLAGS = 0x02;
constexpr std::uint16_t EXP_FLAGS_TYPE = 0x00F0;
constexpr unsigned EXP_FLAGS_TYPE_SHIFT = 4;
// AER uncorrectable status bits this code names beyond hal/pci_regs.h.
constexpr std::uint32_t ERR_UNC_ACSV = 0x00200000; // ACS Violation
// The Multi-Function bit of the Header Type register.
constexpr std::uint8_t HEADER_TYPE_MULTI_FUNCTION = 0x80;

struct pci_bar {
    std::uint64_t addr = 0, size = 0;
    bool is64 = false, prefetch = false, io = false;
};

// What a function is, from its header type and PCIe capability's port type.
enum class pci_dev_type : std::uint8_t {
    endpoint,        // Type 0 (PCIe Endpoint, Legacy Endpoint, RCiEP, or conventional)
    root_port,       // PCIe Root Port (Type 1)
    upstream_port,   // switch upstream port (Type 1)
    downstream_port, // switch downstream port (Type 1)
    pci_bridge,      // any other Type 1 function
};
const char* to_string(pci_dev_type t);

struct pci_dev {
    unsigned bus = 0, dev = 0, fn = 0;
    std::uint16_t vendor = 0, device = 0;
    std::uint32_t class_code = 0;
    std::uint8_t header_type = 0;
    std::array<pci_bar, 6> bars{};
    std::uint8_t msi_cap = 0, msix_cap = 0, exp_cap = 0;
    // The tree (filled by enumerate; data-built topologies fill it by hand).
    pci_dev_type type = pci_dev_type::endpoint;
    int parent = -1;          // index in the tree of the bridge above this bus; -1 on bus 0
    unsigned host_bridge = 0; // which host bridge (PCI domain) the function hangs off
    unsigned secondary = 0, subordinate = 0; // bridges only
    std::uint16_t aer_cap = 0;               // AER extended capability offset, 0 = none
    std::uint16_t acs_cap = 0;               // ACS extended capability offset, 0 = none
    std::uint16_t acs_cap_bits = 0;          // ACS Capability register
    std::uint16_t acs_ctrl = 0;              // ACS Control register as last read
    std::string name() const;
    bool is_bridge() const { return type != pci_dev_type::endpoint; }
};

class pci_host {
public:
    pci_host(hal::platform& io, const hal::host_board& board, std::uint64_t timeout_ns,
             std::uint64_t crs_retry_ns);

    std::uint32_t cfg_read32(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg);
    std::uint16_t cfg_read16(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg);
    std::uint8_t cfg_read8(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg);
    void cfg_write32(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg, std::uint32_t v);
    void cfg_write16(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg, std::uint16_t v);
    void cfg_write8(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg, std::uint8_t v);
    std::uint8_t find_capability(const pci_dev& d, std::uint8_t cap);

    // Reads and clears the root port's Secondary Status error bits: what came back from below
    // since the last call, e.g. ", root port: Received Master Abort (UR completion)"; "" if none.
    std::string take_received_errors();

    // Reads and clears a device's AER uncorrectable error status: ", AER: Completion Timeout"
    // etc., or "" when nothing is logged (or the device has no AER capability).
    std::string take_aer_errors(const pci_dev& d);
    std::uint16_t find_ext_capability(const pci_dev& d, std::uint16_t cap);

    // Walks the whole tree. Returns 0 and the endpoints found (Type 0 functions, in bus order),
    // or a negative errno. The full tree (bridges included) is tree() afterwards.
    int enumerate(std::vector<pci_dev>& endpoints);
    std::uint64_t crs_retries() const { return crs_retries_; }
    // Data Link Layer Link Active of the root port 00:00.0 (after an enumerate()).
    bool root_port_link_active();

    // Hot reset of everything below root port 00:00.0 (pci_reset_secondary_bus): Bridge Control
    // Secondary Bus Reset set, held hold_ns, cleared; then waits (bounded) for the link to come
    // back. The devices below lost their configuration: enumerate() again afterwards. Returns
    // 0, -ENODEV (no root port) or -ETIMEDOUT.
    int hot_reset(std::uint64_t hold_ns);
    // Function-Level Reset (pcie_flr with pci_save_state / pci_restore_state): saves the
    // function's configuration (Command, BARs, Interrupt Line, Device Control 1/2, MSI, MSI-X
    // control), writes Device Control Initiate FLR, waits wait_ns (PCIe: 100 ms), waits
    // (bounded) until the function answers configuration reads (CRS), and restores it. Returns
    // 0, -ENOTTY (not FLR capable) or -ETIMEDOUT.
    int function_reset(const pci_dev& d, std::uint64_t wait_ns);

    // Every function found by the last enumerate(), parents before children; pci_dev::parent
    // indexes this vector.
    const std::vector<pci_dev>& tree() const { return tree_; }
    // Index in tree() of bus:dev.fn, or -1.
    int find(unsigned bus, unsigned dev, unsigned fn) const;
    // Writes a function's ACS Control register (bits it does not implement read back 0) and
    // refreshes tree()'s copy. Returns 0, -ENODEV (no such index) or -EINVAL (no ACS).
    int set_acs_ctrl(int index, std::uint16_t ctrl);
    // Re-reads every function's ACS Control register into tree().
    void refresh_acs();

    hal::platform& io() { return io_; }
    const hal::host_board& board() const { return board_; }

private:
    struct window {
        std::uint64_t lo = 0, hi = 0; // [lo, hi) assigned below a bridge; lo == hi: empty
    };
    std::uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg) const;
    int wait_link(unsigned bus, unsigned dev, std::uint8_t exp_cap);
    int read_vendor(unsigned bus, unsigned dev, unsigned fn, std::uint16_t& vendor);
    void size_bars(pci_dev& d);
    int assign_bars(pci_dev& d);
    // Probes every device (one if single_device: below a link) on bus; bridges recurse.
    int scan_bus(unsigned bus, int parent, bool single_device, unsigned& next_bus);
    // Reads a function into tree_; returns its index or -1 (header type not handled).
    int probe_function(unsigned bus, unsigned dev, unsigned fn, int parent, std::uint16_t vendor);
    int scan_bridge(int index, unsigned& next_bus);
    void assign_below(int index);
    void program_window(const pci_dev& bridge, const window& mem, const window& pref);
    void configure_payload(const pci_dev& root_port);
    void read_acs(pci_dev& d);

    hal::platform& io_;
    hal::host_board board_;
    std::uint64_t timeout_ns_, crs_retry_ns_;
    std::uint64_t next32_, next64_;
    std::uint64_t crs_retries_ = 0;
    std::vector<pci_dev> tree_;
};

} // namespace fw::host

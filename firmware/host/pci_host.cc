#include "firmware/host/pci_host.h"

#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"

#include <algorithm>
#include <cstdio>

namespace fw::host {

namespace {
constexpr unsigned ecam_bus_shift = 20, ecam_dev_shift = 15, ecam_fn_shift = 12;
constexpr std::uint64_t bridge_granule = 1ull << 20; // memory windows are 1 MiB granular
constexpr unsigned max_cap_walk = 48;
constexpr unsigned max_bus = 255;
constexpr unsigned max_devices = 32, max_functions = 8;
constexpr unsigned bridge_num_bars = 2; // a Type 1 header has BAR0 and BAR1
constexpr std::uint16_t window_disabled_base = 0xFFF0, window_disabled_limit = 0x0000;
constexpr std::uint16_t pref_window_64bit = 0x1;
constexpr std::uint16_t no_device = 0xFFFF;
// PCIe Capabilities device/port types.
constexpr unsigned exp_type_root_port = 0x4, exp_type_upstream = 0x5, exp_type_downstream = 0x6;
std::uint64_t align_up(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}
} // namespace

const char* to_string(pci_dev_type t) {
    switch (t) {
    case pci_dev_type::endpoint:
        return "endpoint";
    case pci_dev_type::root_port:
        return "root port";
    case pci_dev_type::upstream_port:
        return "switch upstream port";
    case pci_dev_type::downstream_port:
        return "switch downstream port";
    case pci_dev_type::pci_bridge:
        return "PCI bridge";
    }
    return "?";
}

std::string pci_dev::name() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02x:%02x.%x", bus, dev, fn);
    return buf;
}

pci_host::pci_host(hal::platform& io, const hal::host_board& board, std::uint64_t timeout_ns,
                   std::uint64_t crs_retry_ns)
    : io_(io)
    , board_(board)
    , timeout_ns_(timeout_ns)
    , crs_retry_ns_(crs_retry_ns)
    , next32_(board.mmio32.base)
    , next64_(board.mmio64.base) {}

std::uint64_t pci_host::ecam(unsigned bus, unsigned dev, unsigned fn, std::uint32_t reg) const {
    return board_.ecam.base + (std::uint64_t(bus) << ecam_bus_shift) +
           (std::uint64_t(dev) << ecam_dev_shift) + (std::uint64_t(fn) << ecam_fn_shift) + reg;
}

std::uint32_t pci_host::cfg_read32(unsigned b, unsigned d, unsigned f, std::uint32_t reg) {
    return io_.rd32(ecam(b, d, f, reg));
}
std::uint16_t pci_host::cfg_read16(unsigned b, unsigned d, unsigned f, std::uint32_t reg) {
    std::uint16_t v = 0xFFFF;
    (void)io_.read16(ecam(b, d, f, reg), v);
    return v;
}
std::uint8_t pci_host::cfg_read8(unsigned b, unsigned d, unsigned f, std::uint32_t reg) {
    std::uint8_t v = 0xFF;
    (void)io_.read8(ecam(b, d, f, reg), v);
    return v;
}
void pci_host::cfg_write32(unsigned b, unsigned d, unsigned f, std::uint32_t reg, std::uint32_t v) {
    io_.wr32(ecam(b, d, f, reg), v);
}
void pci_host::cfg_write16(unsigned b, unsigned d, unsigned f, std::uint32_t reg, std::uint16_t v) {
    (void)io_.write16(ecam(b, d, f, reg), v);
}
void pci_host::cfg_write8(unsigned b, unsigned d, unsigned f, std::uint32_t reg, std::uint8_t v) {
    (void)io_.write8(ecam(b, d, f, reg), v);
}

std::uint8_t pci_host::find_capability(const pci_dev& d, std::uint8_t cap) {
    std::uint8_t pos = cfg_read8(d.bus, d.dev, d.fn, pci::CAPABILITY_LIST);
    for (unsigned n = 0; pos && pos != 0xFF && n < max_cap_walk; ++n) {
        std::uint16_t hdr = cfg_read16(d.bus, d.dev, d.fn, pos);
        if ((hdr & 0xFF) == cap) return pos;
        pos = static_cast<std::uint8_t>(hdr >> 8);
    }
    return 0;
}

std::string pci_host::take_received_errors() {
    const std::uint16_t sta = cfg_read16(0, 0, 0, pci::SEC_STATUS);
    const std::uint16_t bits = sta & (pci::STATUS_REC_TARGET_ABORT | pci::STATUS_REC_MASTER_ABORT);
    if (!bits || sta == 0xFFFF) return {};
    cfg_write16(0, 0, 0, pci::SEC_STATUS, bits); // W1C
    std::string out = ", root port:";
    if (bits & pci::STATUS_REC_MASTER_ABORT) out += " Received Master Abort (UR completion)";
    if (bits & pci::STATUS_REC_TARGET_ABORT) out += " Received Target Abort (CA completion)";
    return out;
}

std::uint16_t pci_host::find_ext_capability(const pci_dev& d, std::uint16_t cap) {
    std::uint32_t pos = pci::CFG_SPACE_SIZE;
    for (unsigned n = 0; pos && n < max_cap_walk; ++n) {
        const std::uint32_t hdr = cfg_read32(d.bus, d.dev, d.fn, pos);
        if (hdr == 0 || hdr == 0xFFFFFFFFu) return 0;
        if ((hdr & 0xFFFF) == cap) return static_cast<std::uint16_t>(pos);
        pos = hdr >> 20;
    }
    return 0;
}

std::string pci_host::take_aer_errors(const pci_dev& d) {
    const std::uint16_t aer = find_ext_capability(d, pci::EXT_CAP_ID_ERR);
    if (!aer) return {};
    const std::uint32_t status = cfg_read32(d.bus, d.dev, d.fn, aer + pci::ERR_UNCOR_STATUS);
    if (!status || status == 0xFFFFFFFFu) return {};
    cfg_write32(d.bus, d.dev, d.fn, aer + pci::ERR_UNCOR_STATUS, status); // W1C
    struct name {
        std::uint32_t bit;
        const char* text;
    };
    static const name names[] = {{pci::ERR_UNC_COMP_TIME, "Completion Timeout"},
                                 {pci::ERR_UNC_COMP_ABORT, "Completer Abort"},
                                 {pci::ERR_UNC_UNSUP, "Unsupported Request"},
                                 {pci::ERR_UNC_POISON_TLP, "Poisoned TLP"},
                                 {pci::ERR_UNC_MALF_TLP, "Malformed TLP"},
                                 {ERR_UNC_ACSV, "ACS Violation"}};
    std::string out = ", AER:";
    for (const auto& n : names)
        if (status & n.bit) out += std::string(" ") + n.text;
    return out;
}

bool pci_host::root_port_link_active() {
    const int rp = find(0, 0, 0);
    if (rp < 0 || !tree_[static_cast<unsigned>(rp)].exp_cap) return false;
    const std::uint8_t cap = tree_[static_cast<unsigned>(rp)].exp_cap;
    return (cfg_read16(0, 0, 0, cap + pci::EXP_LNKSTA) & pci::EXP_LNKSTA_DLLLA) != 0;
}

int pci_host::hot_reset(std::uint64_t hold_ns) {
    const int rp = find(0, 0, 0);
    if (rp < 0 || !tree_[static_cast<unsigned>(rp)].exp_cap) return -ENODEV;
    const std::uint16_t ctl = cfg_read16(0, 0, 0, pci::BRIDGE_CONTROL);
    io_.log(hal::log_level::info, "pci", "00:00.0: Secondary Bus Reset");
    cfg_write16(0, 0, 0, pci::BRIDGE_CONTROL, ctl | pci::BRIDGE_CTL_BUS_RESET);
    io_.delay_ns(hold_ns);
    cfg_write16(0, 0, 0, pci::BRIDGE_CONTROL, ctl & ~pci::BRIDGE_CTL_BUS_RESET);
    return wait_link(0, 0, tree_[static_cast<unsigned>(rp)].exp_cap);
}

int pci_host::function_reset(const pci_dev& d, std::uint64_t wait_ns) {
    if (!d.exp_cap ||
        !(cfg_read32(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCAP) & pci::EXP_DEVCAP_FLR)) {
        io_.log(hal::log_level::error, "pci", d.name() + ": not FLR capable");
        return -ENOTTY;
    }
    // pci_save_state: what the function loses.
    std::uint32_t bars[pci::STD_NUM_BARS];
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b)
        bars[b] = cfg_read32(d.bus, d.dev, d.fn, pci::BASE_ADDRESS_0 + 4 * b);
    const std::uint16_t cmd = cfg_read16(d.bus, d.dev, d.fn, pci::COMMAND);
    const std::uint8_t line = cfg_read8(d.bus, d.dev, d.fn, pci::INTERRUPT_LINE);
    const std::uint16_t devctl = cfg_read16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL);
    const std::uint16_t devctl2 = cfg_read16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL2);
    // MSI: flags, address low, then address high and data (64-bit) or data.
    constexpr unsigned msi_dwords_64 = 4, msi_dwords_32 = 3;
    std::uint32_t msi[msi_dwords_64] = {};
    const unsigned msi_dwords =
        d.msi_cap &&
                (cfg_read16(d.bus, d.dev, d.fn, d.msi_cap + pci::MSI_FLAGS) & pci::MSI_FLAGS_64BIT)
            ? msi_dwords_64
            : msi_dwords_32;
    if (d.msi_cap)
        for (unsigned i = 0; i < msi_dwords; ++i)
            msi[i] = cfg_read32(d.bus, d.dev, d.fn, d.msi_cap + 4 * i);
    const std::uint16_t msix =
        d.msix_cap ? cfg_read16(d.bus, d.dev, d.fn, d.msix_cap + pci::MSIX_FLAGS) : 0;

    io_.log(hal::log_level::info, "pci", d.name() + ": Function-Level Reset");
    cfg_write16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL, devctl | pci::EXP_DEVCTL_BCR_FLR);
    io_.delay_ns(wait_ns);
    std::uint16_t vendor = 0;
    if (int r = read_vendor(d.bus, d.dev, d.fn, vendor)) return r;

    // pci_restore_state: BARs and capabilities first, Command (decoding, mastering) last.
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b)
        cfg_write32(d.bus, d.dev, d.fn, pci::BASE_ADDRESS_0 + 4 * b, bars[b]);
    cfg_write8(d.bus, d.dev, d.fn, pci::INTERRUPT_LINE, line);
    cfg_write16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL, devctl);
    cfg_write16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL2, devctl2);
    if (d.msi_cap)
        for (unsigned i = msi_dwords; i-- > 0;) // the flags (enable) last
            cfg_write32(d.bus, d.dev, d.fn, d.msi_cap + 4 * i, msi[i]);
    if (d.msix_cap) cfg_write16(d.bus, d.dev, d.fn, d.msix_cap + pci::MSIX_FLAGS, msix);
    cfg_write16(d.bus, d.dev, d.fn, pci::COMMAND, cmd);
    return 0;
}

int pci_host::find(unsigned bus, unsigned dev, unsigned fn) const {
    for (std::size_t i = 0; i < tree_.size(); ++i)
        if (tree_[i].bus == bus && tree_[i].dev == dev && tree_[i].fn == fn)
            return static_cast<int>(i);
    return -1;
}

void pci_host::read_acs(pci_dev& d) {
    d.acs_cap = find_ext_capability(d, acs::EXT_CAP_ID);
    d.acs_cap_bits = d.acs_cap ? cfg_read16(d.bus, d.dev, d.fn, d.acs_cap + acs::CAP) : 0;
    d.acs_ctrl = d.acs_cap ? cfg_read16(d.bus, d.dev, d.fn, d.acs_cap + acs::CTRL) : 0;
}

int pci_host::set_acs_ctrl(int index, std::uint16_t ctrl) {
    if (index < 0 || static_cast<std::size_t>(index) >= tree_.size()) return -ENODEV;
    pci_dev& d = tree_[static_cast<unsigned>(index)];
    if (!d.acs_cap) {
        io_.log(hal::log_level::error, "pci", d.name() + ": no ACS capability");
        return -EINVAL;
    }
    cfg_write16(d.bus, d.dev, d.fn, d.acs_cap + acs::CTRL, ctrl);
    d.acs_ctrl = cfg_read16(d.bus, d.dev, d.fn, d.acs_cap + acs::CTRL);
    return 0;
}

void pci_host::refresh_acs() {
    for (pci_dev& d : tree_)
        if (d.acs_cap) d.acs_ctrl = cfg_read16(d.bus, d.dev, d.fn, d.acs_cap + acs::CTRL);
}

int pci_host::wait_link(unsigned bus, unsigned dev, std::uint8_t exp_cap) {
    const std::uint64_t start = io_.now_ns();
    for (;;) {
        std::uint16_t sta = cfg_read16(bus, dev, 0, exp_cap + pci::EXP_LNKSTA);
        if (sta & pci::EXP_LNKSTA_DLLLA) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "port %02x:%02x.0: link up, Gen%u x%u", bus, dev,
                          sta & pci::EXP_LNKSTA_CLS, (sta & pci::EXP_LNKSTA_NLW) >> 4);
            io_.log(hal::log_level::info, "pci", buf);
            return 0;
        }
        if (io_.now_ns() - start >= timeout_ns_) {
            io_.log(hal::log_level::error, "pci", "timed out waiting for the link to come up");
            return -ETIMEDOUT;
        }
        io_.delay_ns(crs_retry_ns_);
    }
}

int pci_host::read_vendor(unsigned bus, unsigned dev, unsigned fn, std::uint16_t& vendor) {
    const std::uint64_t start = io_.now_ns();
    for (;;) {
        vendor = cfg_read16(bus, dev, fn, pci::VENDOR_ID);
        if (vendor != pci::CRS_VENDOR_ID) return 0;
        ++crs_retries_;
        if (io_.now_ns() - start >= timeout_ns_) {
            io_.log(hal::log_level::error, "pci", "device still not ready (CRS) after timeout");
            return -ETIMEDOUT;
        }
        io_.delay_ns(crs_retry_ns_);
    }
}

void pci_host::size_bars(pci_dev& d) {
    const unsigned nbars =
        d.header_type == pci::HEADER_TYPE_NORMAL ? pci::STD_NUM_BARS : bridge_num_bars;
    for (unsigned b = 0; b < nbars; ++b) {
        std::uint32_t reg = pci::BASE_ADDRESS_0 + 4 * b;
        std::uint32_t orig = cfg_read32(d.bus, d.dev, d.fn, reg);
        cfg_write32(d.bus, d.dev, d.fn, reg, 0xFFFFFFFFu);
        std::uint32_t lo = cfg_read32(d.bus, d.dev, d.fn, reg);
        cfg_write32(d.bus, d.dev, d.fn, reg, orig);
        if (!lo || lo == 0xFFFFFFFFu) continue;
        pci_bar& bar = d.bars[b];
        bar.io = lo & pci::BASE_ADDRESS_SPACE_IO;
        bar.is64 = !bar.io && (lo & 0x6) == pci::BASE_ADDRESS_MEM_TYPE_64;
        bar.prefetch = lo & pci::BASE_ADDRESS_MEM_PREFETCH;
        std::uint64_t mask = lo & pci::BASE_ADDRESS_MEM_MASK;
        if (bar.is64 && b + 1 < nbars) {
            std::uint32_t ureg = reg + 4;
            std::uint32_t uorig = cfg_read32(d.bus, d.dev, d.fn, ureg);
            cfg_write32(d.bus, d.dev, d.fn, ureg, 0xFFFFFFFFu);
            std::uint32_t hi = cfg_read32(d.bus, d.dev, d.fn, ureg);
            cfg_write32(d.bus, d.dev, d.fn, ureg, uorig);
            mask |= std::uint64_t(hi) << 32;
            bar.size = ~mask + 1;
            ++b;
        } else {
            bar.size = (~mask + 1) & 0xFFFFFFFFull;
        }
    }
}

int pci_host::assign_bars(pci_dev& d) {
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b) {
        pci_bar& bar = d.bars[b];
        if (!bar.size || bar.io) continue;
        bool use64 = bar.is64 && bar.prefetch;
        std::uint64_t& next = use64 ? next64_ : next32_;
        const hal::region& win = use64 ? board_.mmio64 : board_.mmio32;
        std::uint64_t a = align_up(next, bar.size);
        if (a + bar.size > win.base + win.size) {
            io_.log(hal::log_level::error, "pci",
                    d.name() + " BAR" + std::to_string(b) + ": no space in the host window");
            bar.size = 0;
            continue;
        }
        bar.addr = a;
        next = a + bar.size;
        std::uint32_t reg = pci::BASE_ADDRESS_0 + 4 * b;
        std::uint32_t flags = cfg_read32(d.bus, d.dev, d.fn, reg) & 0xF;
        cfg_write32(d.bus, d.dev, d.fn, reg, static_cast<std::uint32_t>(a) | flags);
        if (bar.is64) cfg_write32(d.bus, d.dev, d.fn, reg + 4, static_cast<std::uint32_t>(a >> 32));
        char buf[128];
        std::snprintf(buf, sizeof buf, "%s BAR%u: [mem 0x%llx-0x%llx%s%s]", d.name().c_str(), b,
                      static_cast<unsigned long long>(a),
                      static_cast<unsigned long long>(a + bar.size - 1), bar.is64 ? " 64bit" : "",
                      bar.prefetch ? " pref" : "");
        io_.log(hal::log_level::info, "pci", buf);
        if (bar.is64) ++b;
    }
    return 0;
}

int pci_host::probe_function(unsigned bus, unsigned dev, unsigned fn, int parent,
                             std::uint16_t vendor) {
    pci_dev d;
    d.bus = bus;
    d.dev = dev;
    d.fn = fn;
    d.vendor = vendor;
    d.parent = parent;
    d.device = cfg_read16(bus, dev, fn, pci::DEVICE_ID);
    d.class_code = cfg_read32(bus, dev, fn, pci::REVISION_ID) >> 8;
    d.header_type = cfg_read8(bus, dev, fn, pci::HEADER_TYPE) & pci::HEADER_TYPE_MASK;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s: [%04x:%04x] type %02x class 0x%06x", d.name().c_str(),
                  d.vendor, d.device, d.header_type, d.class_code);
    io_.log(hal::log_level::info, "pci", buf);
    d.exp_cap = find_capability(d, pci::CAP_ID_EXP);
    d.msi_cap = find_capability(d, pci::CAP_ID_MSI);
    d.msix_cap = find_capability(d, pci::CAP_ID_MSIX);
    if (d.header_type == pci::HEADER_TYPE_BRIDGE) {
        const unsigned port =
            d.exp_cap ? (cfg_read16(bus, dev, fn, d.exp_cap + EXP_FLAGS) & EXP_FLAGS_TYPE) >>
                            EXP_FLAGS_TYPE_SHIFT
                      : 0;
        d.type = port == exp_type_root_port    ? pci_dev_type::root_port
                 : port == exp_type_upstream   ? pci_dev_type::upstream_port
                 : port == exp_type_downstream ? pci_dev_type::downstream_port
                                               : pci_dev_type::pci_bridge;
    } else if (d.header_type != pci::HEADER_TYPE_NORMAL) {
        io_.log(hal::log_level::warning, "pci", d.name() + ": unsupported header type, ignored");
        return -1;
    }
    if (d.exp_cap) {
        d.aer_cap = find_ext_capability(d, pci::EXT_CAP_ID_ERR);
        read_acs(d);
    }
    size_bars(d);
    tree_.push_back(d);
    return static_cast<int>(tree_.size() - 1);
}

int pci_host::scan_bus(unsigned bus, int parent, bool single_device, unsigned& next_bus) {
    const unsigned devices = single_device ? 1 : max_devices;
    for (unsigned dev = 0; dev < devices; ++dev) {
        std::uint16_t vendor = no_device;
        int r = read_vendor(bus, dev, 0, vendor);
        if (r) return r;
        if (vendor == no_device) continue;
        const bool multi = cfg_read8(bus, dev, 0, pci::HEADER_TYPE) & HEADER_TYPE_MULTI_FUNCTION;
        for (unsigned fn = 0; fn < (multi ? max_functions : 1); ++fn) {
            if (fn) {
                vendor = cfg_read16(bus, dev, fn, pci::VENDOR_ID);
                if (vendor == no_device) continue;
            }
            const int idx = probe_function(bus, dev, fn, parent, vendor);
            if (idx < 0 || !tree_[static_cast<unsigned>(idx)].is_bridge()) continue;
            r = scan_bridge(idx, next_bus);
            if (r) return r;
        }
    }
    return 0;
}

int pci_host::scan_bridge(int index, unsigned& next_bus) {
    const pci_dev br = tree_[static_cast<unsigned>(index)];
    if (next_bus > max_bus) {
        io_.log(hal::log_level::error, "pci", br.name() + ": no bus number left below it");
        return -ENOSPC;
    }
    const unsigned secondary = next_bus++;
    cfg_write8(br.bus, br.dev, br.fn, pci::PRIMARY_BUS, static_cast<std::uint8_t>(br.bus));
    cfg_write8(br.bus, br.dev, br.fn, pci::SECONDARY_BUS, static_cast<std::uint8_t>(secondary));
    // Open to the top while scanning, so Type 1 requests reach every bus below.
    cfg_write8(br.bus, br.dev, br.fn, pci::SUBORDINATE_BUS, static_cast<std::uint8_t>(max_bus));
    tree_[static_cast<unsigned>(index)].secondary = secondary;
    const bool below_link =
        br.type == pci_dev_type::root_port || br.type == pci_dev_type::downstream_port;
    bool scan = true;
    if (below_link && br.exp_cap) {
        if (br.type == pci_dev_type::root_port)
            cfg_write16(br.bus, br.dev, br.fn, br.exp_cap + pci::EXP_RTCTL, pci::EXP_RTCTL_CRSSVE);
        // pci_bridge_wait_for_secondary_bus: a switch downstream port's link as well.
        int r = wait_link(br.bus, br.dev, br.exp_cap);
        // The first root port's link is the platform's; another one may be an empty slot.
        if (r && br.bus == 0 && br.dev == 0) return r;
        scan = r == 0;
    }
    const std::size_t before = tree_.size();
    if (scan) {
        int r = scan_bus(secondary, index, below_link, next_bus);
        if (r) return r;
    }
    if (br.type == pci_dev_type::root_port && tree_.size() == before)
        io_.log(hal::log_level::warning, "pci", "no device below the root port " + br.name());
    const unsigned subordinate = next_bus - 1;
    tree_[static_cast<unsigned>(index)].subordinate = subordinate;
    cfg_write8(br.bus, br.dev, br.fn, pci::SUBORDINATE_BUS, static_cast<std::uint8_t>(subordinate));
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s: bridge to [bus %02x-%02x]", br.name().c_str(), secondary,
                  subordinate);
    io_.log(hal::log_level::info, "pci", buf);
    return 0;
}

void pci_host::program_window(const pci_dev& br, const window& mem, const window& pref) {
    if (mem.hi > mem.lo) {
        cfg_write16(br.bus, br.dev, br.fn, pci::MEMORY_BASE,
                    static_cast<std::uint16_t>(mem.lo >> 16));
        cfg_write16(br.bus, br.dev, br.fn, pci::MEMORY_LIMIT,
                    static_cast<std::uint16_t>((mem.hi - 1) >> 16));
    } else {
        cfg_write16(br.bus, br.dev, br.fn, pci::MEMORY_BASE, window_disabled_base);
        cfg_write16(br.bus, br.dev, br.fn, pci::MEMORY_LIMIT, window_disabled_limit);
    }
    if (pref.hi > pref.lo) {
        cfg_write16(br.bus, br.dev, br.fn, pci::PREF_MEMORY_BASE,
                    static_cast<std::uint16_t>(((pref.lo >> 16) & 0xFFF0) | pref_window_64bit));
        cfg_write16(
            br.bus, br.dev, br.fn, pci::PREF_MEMORY_LIMIT,
            static_cast<std::uint16_t>((((pref.hi - 1) >> 16) & 0xFFF0) | pref_window_64bit));
        cfg_write32(br.bus, br.dev, br.fn, pci::PREF_BASE_UPPER32,
                    static_cast<std::uint32_t>(pref.lo >> 32));
        cfg_write32(br.bus, br.dev, br.fn, pci::PREF_LIMIT_UPPER32,
                    static_cast<std::uint32_t>((pref.hi - 1) >> 32));
    } else {
        cfg_write16(br.bus, br.dev, br.fn, pci::PREF_MEMORY_BASE,
                    window_disabled_base | pref_window_64bit);
        cfg_write16(br.bus, br.dev, br.fn, pci::PREF_MEMORY_LIMIT,
                    window_disabled_limit | pref_window_64bit);
        cfg_write32(br.bus, br.dev, br.fn, pci::PREF_BASE_UPPER32, 0);
        cfg_write32(br.bus, br.dev, br.fn, pci::PREF_LIMIT_UPPER32, 0);
    }
    auto text = [](const window& w, const char* kind) {
        if (w.hi <= w.lo) return std::string("[") + kind + " none]";
        char buf[64];
        std::snprintf(buf, sizeof buf, "[%s 0x%llx-0x%llx]", kind,
                      static_cast<unsigned long long>(w.lo),
                      static_cast<unsigned long long>(w.hi - 1));
        return std::string(buf);
    };
    io_.log(hal::log_level::info, "pci",
            br.name() + ": bridge window " + text(mem, "mem") + " " + text(pref, "mem pref"));
}

void pci_host::assign_below(int index) {
    window mem, pref;
    mem.lo = next32_ = align_up(next32_, bridge_granule);
    pref.lo = next64_ = align_up(next64_, bridge_granule);
    for (std::size_t i = 0; i < tree_.size(); ++i) {
        if (tree_[i].parent != index) continue;
        assign_bars(tree_[i]);
        if (tree_[i].is_bridge()) assign_below(static_cast<int>(i));
    }
    mem.hi = next32_ = align_up(next32_, bridge_granule);
    pref.hi = next64_ = align_up(next64_, bridge_granule);
    program_window(tree_[static_cast<unsigned>(index)], mem, pref);
}

void pci_host::configure_payload(const pci_dev& rp) {
    // Max Payload Size: the largest every port in the tree supports; Max Read Request Size: the
    // host's policy; extended tags where the device has them.
    unsigned mps = pci::EXP_DEVCAP_PAYLOAD;
    for (const pci_dev& d : tree_)
        if (d.exp_cap)
            mps = std::min<unsigned>(mps,
                                     cfg_read32(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCAP) &
                                         pci::EXP_DEVCAP_PAYLOAD);
    unsigned mrrs = 0;
    while ((128u << (mrrs + 1)) <= board_.mrrs_bytes && mrrs < 5)
        ++mrrs;
    for (std::size_t i = 0; i < tree_.size(); ++i) {
        const pci_dev& d = tree_[i];
        if (!d.exp_cap) continue;
        const bool endpoint = !d.is_bridge();
        const std::uint32_t cap = cfg_read32(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCAP);
        std::uint16_t ctl = cfg_read16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL);
        ctl = static_cast<std::uint16_t>(ctl & ~pci::EXP_DEVCTL_PAYLOAD);
        ctl = static_cast<std::uint16_t>(ctl | (mps << pci::EXP_DEVCTL_PAYLOAD_SHIFT));
        if (endpoint) {
            // pci_enable_pcie_error_reporting: correctable, non-fatal, fatal, UR.
            ctl = static_cast<std::uint16_t>(ctl | pci::EXP_DEVCTL_ERR_REPORTING);
            ctl = static_cast<std::uint16_t>(ctl & ~pci::EXP_DEVCTL_READRQ);
            ctl = static_cast<std::uint16_t>(ctl | (mrrs << pci::EXP_DEVCTL_READRQ_SHIFT));
            if (cap & pci::EXP_DEVCAP_EXT_TAG)
                ctl = static_cast<std::uint16_t>(ctl | pci::EXP_DEVCTL_EXT_TAG);
        }
        cfg_write16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL, ctl);
        if (!endpoint) continue;
        // 10-bit tags: the endpoint may use them if it can and every port above it (up to and
        // including the root port) completes them.
        bool completers = rp.exp_cap != 0;
        for (int p = d.parent; p >= 0 && completers; p = tree_[static_cast<unsigned>(p)].parent) {
            const pci_dev& b = tree_[static_cast<unsigned>(p)];
            completers =
                b.exp_cap && (cfg_read32(b.bus, b.dev, b.fn, b.exp_cap + pci::EXP_DEVCAP2) &
                              pci::EXP_DEVCAP2_10BIT_TAG_COMP);
        }
        const std::uint32_t cap2 = cfg_read32(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCAP2);
        if (completers && (cap2 & pci::EXP_DEVCAP2_10BIT_TAG_REQ)) {
            std::uint16_t ctl2 = cfg_read16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL2);
            cfg_write16(d.bus, d.dev, d.fn, d.exp_cap + pci::EXP_DEVCTL2,
                        static_cast<std::uint16_t>(ctl2 | pci::EXP_DEVCTL2_10BIT_TAG_REQ_EN));
        }
        char line[96];
        std::snprintf(line, sizeof line, "%s: MPS %u, MRRS %u", d.name().c_str(), 128u << mps,
                      128u << mrrs);
        io_.log(hal::log_level::info, "pci", line);
    }
}

int pci_host::enumerate(std::vector<pci_dev>& endpoints) {
    endpoints.clear();
    tree_.clear();
    next32_ = board_.mmio32.base;
    next64_ = board_.mmio64.base;
    // The first root port at 00:00.0.
    std::uint16_t rp_vendor = cfg_read16(0, 0, 0, pci::VENDOR_ID);
    if (rp_vendor == no_device) {
        io_.log(hal::log_level::error, "pci", "no root port at 00:00.0");
        return -ENODATA;
    }
    // Bus 0: root ports (and any other function of the host bridge), then each bridge's tree
    // depth-first.
    unsigned next_bus = board_.first_bus;
    int r = scan_bus(0, -1, false, next_bus);
    if (r) return r;
    const int rp = find(0, 0, 0);
    if (rp < 0) return -ENODATA;

    // Addresses bottom-up: each bridge's window covers what was assigned below it.
    for (std::size_t i = 0; i < tree_.size(); ++i) {
        if (tree_[i].parent != -1) continue;
        assign_bars(tree_[i]);
        if (tree_[i].is_bridge()) assign_below(static_cast<int>(i));
    }
    configure_payload(tree_[static_cast<unsigned>(rp)]);
    // Decoding and mastering, top-down.
    const std::uint16_t cmd = pci::COMMAND_MEMORY | pci::COMMAND_MASTER;
    for (const pci_dev& d : tree_)
        cfg_write16(d.bus, d.dev, d.fn, pci::COMMAND, cmd);
    // A bridge forwards ERR_ messages from below only with SERR# Enable in Bridge Control (Linux
    // pci_configure_serr sets it on every bridge).
    for (const pci_dev& d : tree_)
        if (d.is_bridge())
            cfg_write16(d.bus, d.dev, d.fn, pci::BRIDGE_CONTROL,
                        cfg_read16(d.bus, d.dev, d.fn, pci::BRIDGE_CONTROL) | pci::BRIDGE_CTL_SERR);
    for (const pci_dev& d : tree_)
        if (!d.is_bridge() && d.parent >= 0) endpoints.push_back(d);
    return 0;
}

} // namespace fw::host

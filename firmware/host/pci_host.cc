#include "host/pci_host.h"

#include "hal/errno.h"
#include "hal/pci_regs.h"

#include <algorithm>
#include <cstdio>

namespace fw::host {

namespace {
constexpr unsigned ecam_bus_shift = 20, ecam_dev_shift = 15, ecam_fn_shift = 12;
constexpr std::uint64_t bridge_granule = 1ull << 20; // memory windows are 1 MiB granular
constexpr unsigned max_cap_walk = 48;
std::uint64_t align_up(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}
} // namespace

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
                                 {pci::ERR_UNC_MALF_TLP, "Malformed TLP"}};
    std::string out = ", AER:";
    for (const auto& n : names)
        if (status & n.bit) out += std::string(" ") + n.text;
    return out;
}

int pci_host::wait_link(unsigned bus, unsigned dev, std::uint8_t exp_cap) {
    const std::uint64_t start = io_.now_ns();
    for (;;) {
        std::uint16_t sta = cfg_read16(bus, dev, 0, exp_cap + pci::EXP_LNKSTA);
        if (sta & pci::EXP_LNKSTA_DLLLA) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "root port %02x:%02x.0: link up, Gen%u x%u", bus, dev,
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

int pci_host::read_vendor(unsigned bus, unsigned dev, std::uint16_t& vendor) {
    const std::uint64_t start = io_.now_ns();
    for (;;) {
        vendor = cfg_read16(bus, dev, 0, pci::VENDOR_ID);
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
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b) {
        std::uint32_t reg = pci::BASE_ADDRESS_0 + 4 * b;
        std::uint32_t orig = cfg_read32(d.bus, d.dev, d.fn, reg);
        cfg_write32(d.bus, d.dev, d.fn, reg, 0xFFFFFFFFu);
        std::uint32_t lo = cfg_read32(d.bus, d.dev, d.fn, reg);
        cfg_write32(d.bus, d.dev, d.fn, reg, orig);
        if (!lo) continue;
        pci_bar& bar = d.bars[b];
        bar.io = lo & pci::BASE_ADDRESS_SPACE_IO;
        bar.is64 = !bar.io && (lo & 0x6) == pci::BASE_ADDRESS_MEM_TYPE_64;
        bar.prefetch = lo & pci::BASE_ADDRESS_MEM_PREFETCH;
        std::uint64_t mask = lo & pci::BASE_ADDRESS_MEM_MASK;
        if (bar.is64 && b + 1 < pci::STD_NUM_BARS) {
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

int pci_host::enumerate(std::vector<pci_dev>& endpoints) {
    endpoints.clear();
    // The root port at 00:00.0.
    std::uint16_t rp_vendor = cfg_read16(0, 0, 0, pci::VENDOR_ID);
    if (rp_vendor == 0xFFFF) {
        io_.log(hal::log_level::error, "pci", "no root port at 00:00.0");
        return -ENODATA;
    }
    pci_dev rp;
    rp.header_type = cfg_read8(0, 0, 0, pci::HEADER_TYPE) & pci::HEADER_TYPE_MASK;
    rp.exp_cap = find_capability(rp, pci::CAP_ID_EXP);
    const unsigned secondary = board_.first_bus;
    cfg_write8(0, 0, 0, pci::PRIMARY_BUS, 0);
    cfg_write8(0, 0, 0, pci::SECONDARY_BUS, static_cast<std::uint8_t>(secondary));
    cfg_write8(0, 0, 0, pci::SUBORDINATE_BUS, static_cast<std::uint8_t>(secondary));
    if (rp.exp_cap) {
        cfg_write16(0, 0, 0, rp.exp_cap + pci::EXP_RTCTL, pci::EXP_RTCTL_CRSSVE);
        int r = wait_link(0, 0, rp.exp_cap);
        if (r) return r;
    }
    // Device 0 on the secondary bus (a root port has one device below it).
    pci_dev d;
    d.bus = secondary;
    int r = read_vendor(secondary, 0, d.vendor);
    if (r) return r;
    if (d.vendor == 0xFFFF) {
        io_.log(hal::log_level::warning, "pci", "no device below the root port");
        return 0;
    }
    d.device = cfg_read16(d.bus, 0, 0, pci::DEVICE_ID);
    d.class_code = cfg_read32(d.bus, 0, 0, pci::REVISION_ID) >> 8;
    d.header_type = cfg_read8(d.bus, 0, 0, pci::HEADER_TYPE) & pci::HEADER_TYPE_MASK;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s: [%04x:%04x] type %02x class 0x%06x", d.name().c_str(),
                  d.vendor, d.device, d.header_type, d.class_code);
    io_.log(hal::log_level::info, "pci", buf);
    if (d.header_type != pci::HEADER_TYPE_NORMAL) return 0;
    size_bars(d);
    assign_bars(d);
    d.msi_cap = find_capability(d, pci::CAP_ID_MSI);
    d.msix_cap = find_capability(d, pci::CAP_ID_MSIX);
    d.exp_cap = find_capability(d, pci::CAP_ID_EXP);

    // Max Payload Size: the largest both ends support; Max Read Request Size: the host's
    // policy; extended tags where the device has them.
    if (d.exp_cap && rp.exp_cap) {
        const std::uint32_t rp_cap = cfg_read32(0, 0, 0, rp.exp_cap + pci::EXP_DEVCAP);
        const std::uint32_t ep_cap = cfg_read32(d.bus, 0, 0, d.exp_cap + pci::EXP_DEVCAP);
        const unsigned mps =
            std::min(rp_cap & pci::EXP_DEVCAP_PAYLOAD, ep_cap & pci::EXP_DEVCAP_PAYLOAD);
        unsigned mrrs = 0;
        while ((128u << (mrrs + 1)) <= board_.mrrs_bytes && mrrs < 5)
            ++mrrs;
        auto program = [&](unsigned bus, std::uint8_t cap, bool endpoint) {
            std::uint16_t ctl = cfg_read16(bus, 0, 0, cap + pci::EXP_DEVCTL);
            ctl = static_cast<std::uint16_t>(ctl & ~pci::EXP_DEVCTL_PAYLOAD);
            ctl = static_cast<std::uint16_t>(ctl | (mps << pci::EXP_DEVCTL_PAYLOAD_SHIFT));
            if (endpoint) {
                // pci_enable_pcie_error_reporting: correctable, non-fatal, fatal, UR.
                ctl = static_cast<std::uint16_t>(ctl | pci::EXP_DEVCTL_ERR_REPORTING);
                ctl = static_cast<std::uint16_t>(ctl & ~pci::EXP_DEVCTL_READRQ);
                ctl = static_cast<std::uint16_t>(ctl | (mrrs << pci::EXP_DEVCTL_READRQ_SHIFT));
                if (ep_cap & pci::EXP_DEVCAP_EXT_TAG)
                    ctl = static_cast<std::uint16_t>(ctl | pci::EXP_DEVCTL_EXT_TAG);
            }
            cfg_write16(bus, 0, 0, cap + pci::EXP_DEVCTL, ctl);
        };
        program(0, rp.exp_cap, false);
        program(d.bus, d.exp_cap, true);
        // 10-bit tags: the endpoint may use them if it can and the root port completes them.
        const std::uint32_t rp_cap2 = cfg_read32(0, 0, 0, rp.exp_cap + pci::EXP_DEVCAP2);
        const std::uint32_t ep_cap2 = cfg_read32(d.bus, 0, 0, d.exp_cap + pci::EXP_DEVCAP2);
        if ((rp_cap2 & pci::EXP_DEVCAP2_10BIT_TAG_COMP) &&
            (ep_cap2 & pci::EXP_DEVCAP2_10BIT_TAG_REQ)) {
            std::uint16_t ctl2 = cfg_read16(d.bus, 0, 0, d.exp_cap + pci::EXP_DEVCTL2);
            cfg_write16(d.bus, 0, 0, d.exp_cap + pci::EXP_DEVCTL2,
                        static_cast<std::uint16_t>(ctl2 | pci::EXP_DEVCTL2_10BIT_TAG_REQ_EN));
        }
        char line[96];
        std::snprintf(line, sizeof line, "%s: MPS %u, MRRS %u", d.name().c_str(), 128u << mps,
                      128u << mrrs);
        io_.log(hal::log_level::info, "pci", line);
    }

    // Bridge windows covering what was assigned, then enable decoding and mastering.
    std::uint64_t m_lo = board_.mmio32.base, m_hi = align_up(next32_, bridge_granule);
    if (m_hi > m_lo) {
        cfg_write16(0, 0, 0, pci::MEMORY_BASE, static_cast<std::uint16_t>(m_lo >> 16));
        cfg_write16(0, 0, 0, pci::MEMORY_LIMIT, static_cast<std::uint16_t>((m_hi - 1) >> 16));
    }
    std::uint64_t p_lo = board_.mmio64.base, p_hi = align_up(next64_, bridge_granule);
    if (p_hi > p_lo) {
        cfg_write16(0, 0, 0, pci::PREF_MEMORY_BASE,
                    static_cast<std::uint16_t>(((p_lo >> 16) & 0xFFF0) | 1));
        cfg_write16(0, 0, 0, pci::PREF_MEMORY_LIMIT,
                    static_cast<std::uint16_t>((((p_hi - 1) >> 16) & 0xFFF0) | 1));
        cfg_write32(0, 0, 0, pci::PREF_BASE_UPPER32, static_cast<std::uint32_t>(p_lo >> 32));
        cfg_write32(0, 0, 0, pci::PREF_LIMIT_UPPER32, static_cast<std::uint32_t>((p_hi - 1) >> 32));
    }
    std::uint16_t cmd = pci::COMMAND_MEMORY | pci::COMMAND_MASTER;
    cfg_write16(0, 0, 0, pci::COMMAND, cmd);
    cfg_write16(d.bus, 0, 0, pci::COMMAND, cmd);
    endpoints.push_back(d);
    return 0;
}

} // namespace fw::host

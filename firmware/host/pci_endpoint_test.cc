#include "firmware/host/pci_endpoint_test.h"

#include "contracts/host_irq_regs.h"
#include "contracts/pci_epf_test_regs.h"
#include "firmware/hal/crc32.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"
#include "firmware/hal/pci_regs.h"
#include "firmware/hal/random.h"
#include "firmware/host/msi_irq.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

namespace fw::host {

namespace {
constexpr std::uint64_t chunk_bytes = 1ull << 20; // the driver copies in chunks of up to 1 MiB
constexpr std::uint32_t pattern_offset_mask = 0x00FFFFFF;
constexpr std::uint32_t pattern_bar_mask = 0xFF000000;
constexpr std::uint32_t reg_bar_test_bytes = 4;
constexpr std::uint32_t byte_replicate = 0x01010101u;
constexpr unsigned addr_upper_shift = 32;
constexpr const char* log_cat = "pci-endpoint-test";

using epf_test::STATUS_BAR_SUBRANGE_CLEAR_FAIL;
using epf_test::STATUS_BAR_SUBRANGE_CLEAR_SUCCESS;
using epf_test::STATUS_BAR_SUBRANGE_SETUP_FAIL;
using epf_test::STATUS_BAR_SUBRANGE_SETUP_SUCCESS;
using epf_test::STATUS_DOORBELL_DISABLE_FAIL;
using epf_test::STATUS_DOORBELL_DISABLE_SUCCESS;
using epf_test::STATUS_DOORBELL_ENABLE_FAIL;
using epf_test::STATUS_DOORBELL_ENABLE_SUCCESS;
using epf_test::STATUS_DOORBELL_SUCCESS;
constexpr std::uint32_t STATUS_NO_RESOURCE = 1u << 18; // [patch] with *_FAIL: out of windows

// MSI/MSI-X capability fields that hal/pci_regs.h does not have (Linux pci_regs.h names).
constexpr std::uint32_t PCI_MSIX_ENTRY_LOWER_ADDR = 0x0;
constexpr std::uint32_t PCI_MSIX_ENTRY_UPPER_ADDR = 0x4;
constexpr std::uint32_t PCI_MSIX_ENTRY_DATA = 0x8;
constexpr std::uint32_t PCI_MSIX_ENTRY_VECTOR_CTRL = 0xC;
constexpr std::uint32_t msix_vector_ctrl_unmasked = 0;

// pci_alloc_irq_vectors() limits the driver asks for.
constexpr unsigned msi_max_vectors = pci::MSI_MAX_VECTORS;
constexpr unsigned msix_max_vectors = 2048;
// Interrupt ids ("Linux IRQ numbers"): MSI/MSI-X vector i is the message data base + i. The MSI
// base is aligned to the largest vector count, since the function writes data | (num - 1).
constexpr int msi_irq_base = 0x40;
constexpr int msix_irq_base = 0x1000;
constexpr int intx_irq = 0x20;
static_assert(msi_irq_base % msi_max_vectors == 0, "MSI data must be aligned to 32 vectors");
static_assert(msi_irq_base + int(msi_max_vectors) <= msix_irq_base, "MSI and MSI-X ids overlap");
static_assert(intx_irq < msi_irq_base, "INTx id overlaps the MSI ids");
constexpr unsigned intx_pins = 4;
// IRQ_NUMBER written with a command: transfers and the other commands complete on vector 1;
// the INTx test writes 0.
constexpr std::uint32_t completion_irq_number = 1;
constexpr std::uint32_t intx_irq_number = 0;

// Waiting for interrupts: a level INTx that stays asserted after its handler ran would
// re-enter at once; back off this long before looking again. The wake-up cap is a safety net.
constexpr std::uint64_t intx_storm_backoff_ns = 10'000;
constexpr unsigned max_irq_wakeups = 1u << 20;
constexpr std::uint64_t ns_per_ms = 1'000'000;

// Transfers: with CAP_UNALIGNED_ACCESS (alignment 0) the buffers are deliberately placed at
// these odd offsets into their allocation, so unaligned host addresses are exercised.
constexpr std::uint64_t misalign_src = 1;
constexpr std::uint64_t misalign_dst = 3;

// BAR subrange test (PCI_ENDPOINT_TEST_BAR_SUBRANGE_NSUB and the byte helpers).
constexpr unsigned subrange_nsub = 2;
constexpr unsigned subrange_sig_base = 0x50;
constexpr unsigned subrange_test_base = 0xA0;
constexpr unsigned subrange_bar_stride = 8;
std::uint8_t subrange_sig_byte(unsigned bar, unsigned subno) {
    return static_cast<std::uint8_t>(subrange_sig_base + bar * subrange_bar_stride + subno);
}
std::uint8_t subrange_test_byte(unsigned bar, unsigned subno) {
    return static_cast<std::uint8_t>(subrange_test_base + bar * subrange_bar_stride + subno);
}

// The kselftest data sizes (test_size[] in pci_endpoint_test.c).
constexpr std::uint64_t xfer_sizes[] = {1, 1024, 1025, 1024000, 1024001};

std::uint32_t bar_test_pattern_with_offset(unsigned bar, std::uint32_t offset) {
    std::uint32_t p = byte_replicate * epf_test::bar_pattern(bar);
    return (p & pattern_bar_mask) | (offset & pattern_offset_mask);
}
std::uint32_t lower_32_bits(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::uint32_t upper_32_bits(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> addr_upper_shift);
}
std::uint64_t round_up(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}

// "0x00000050 (IRQ_RAISED|WRITE_SUCCESS)".
std::string status_string(std::uint32_t status) {
    struct bit_name {
        std::uint32_t bit;
        const char* name;
    };
    static const bit_name names[] = {
        {epf_test::STATUS_READ_SUCCESS, "READ_SUCCESS"},
        {epf_test::STATUS_READ_FAIL, "READ_FAIL"},
        {epf_test::STATUS_WRITE_SUCCESS, "WRITE_SUCCESS"},
        {epf_test::STATUS_WRITE_FAIL, "WRITE_FAIL"},
        {epf_test::STATUS_COPY_SUCCESS, "COPY_SUCCESS"},
        {epf_test::STATUS_COPY_FAIL, "COPY_FAIL"},
        {epf_test::STATUS_IRQ_RAISED, "IRQ_RAISED"},
        {epf_test::STATUS_SRC_ADDR_INVALID, "SRC_ADDR_INVALID"},
        {epf_test::STATUS_DST_ADDR_INVALID, "DST_ADDR_INVALID"},
        {STATUS_DOORBELL_SUCCESS, "DOORBELL_SUCCESS"},
        {STATUS_DOORBELL_ENABLE_SUCCESS, "DOORBELL_ENABLE_SUCCESS"},
        {STATUS_DOORBELL_ENABLE_FAIL, "DOORBELL_ENABLE_FAIL"},
        {STATUS_DOORBELL_DISABLE_SUCCESS, "DOORBELL_DISABLE_SUCCESS"},
        {STATUS_DOORBELL_DISABLE_FAIL, "DOORBELL_DISABLE_FAIL"},
        {STATUS_BAR_SUBRANGE_SETUP_SUCCESS, "BAR_SUBRANGE_SETUP_SUCCESS"},
        {STATUS_BAR_SUBRANGE_SETUP_FAIL, "BAR_SUBRANGE_SETUP_FAIL"},
        {STATUS_BAR_SUBRANGE_CLEAR_SUCCESS, "BAR_SUBRANGE_CLEAR_SUCCESS"},
        {STATUS_BAR_SUBRANGE_CLEAR_FAIL, "BAR_SUBRANGE_CLEAR_FAIL"},
        {STATUS_NO_RESOURCE, "NO_RESOURCE"},
    };
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", status);
    std::string s = std::string("STATUS ") + buf;
    std::string bits;
    for (const auto& n : names)
        if (status & n.bit) bits += (bits.empty() ? "" : "|") + std::string(n.name);
    return bits.empty() ? s : s + " (" + bits + ")";
}

std::string failure(int ret, const std::string& detail) {
    return std::string(err_name(ret)) + (detail.empty() ? "" : ": " + detail);
}
} // namespace

const char* to_string(verdict v) {
    switch (v) {
    case verdict::pass:
        return "PASS";
    case verdict::fail:
        return "FAIL";
    case verdict::skip:
        return "SKIP";
    }
    return "?";
}

// ---- probe -----------------------------------------------------------------------------------

pci_endpoint_test::pci_endpoint_test(pci_host& host, const pci_dev& dev)
    : host_(host)
    , dev_(dev)
    , last_irq_(-ENODATA) {}

pci_endpoint_test::pci_endpoint_test(pci_host& host, const hal::host_board& board,
                                     const pci_dev& dev, host_mem& mem,
                                     const pci_endpoint_test_params& params)
    : host_(host)
    , dev_(dev)
    , board_(&board)
    , mem_(&mem)
    , params_(params)
    , test_reg_bar_(params.test_reg_bar)
    , alignment_(params.alignment)
    , rng_(params.seed)
    , last_irq_(-ENODATA) {
    probe();
    hal::platform& io = host_.io();
    io.set_irq_handler(hal::host_irq_msi, [this](unsigned) { msi_handler(); });
    io.set_irq_handler(hal::host_irq_intx, [this](unsigned) { intx_handler(); });
}

pci_endpoint_test::~pci_endpoint_test() {
    if (!has_board()) return;
    clear_irq();
    // The handlers must not outlive this object: leave ones that only drain the MSI FIFO (so a
    // late message cannot keep the line pending) and ignore INTx.
    hal::platform* io = &host_.io();
    const std::uint64_t regs = board_->msi_regs.base;
    io->set_irq_handler(hal::host_irq_msi, [io, regs](unsigned) {
        const std::uint32_t n =
            std::min(io->rd32(regs + host_irq::MSI_COUNT), host_irq::FIFO_DEPTH);
        for (std::uint32_t i = 0; i < n; ++i)
            (void)io->rd32(regs + host_irq::MSI_POP_DATA);
    });
    io->set_irq_handler(hal::host_irq_intx, [](unsigned) {});
}

void pci_endpoint_test::probe() {
    hal::platform& io = host_.io();
    if (test_reg_bar_ < 0 || test_reg_bar_ >= static_cast<int>(pci::STD_NUM_BARS) ||
        !bar_len(static_cast<unsigned>(test_reg_bar_))) {
        probe_error_ = -ENOMEM;
        io.log(hal::log_level::error, log_cat,
               "Cannot perform PCI test without BAR" + std::to_string(test_reg_bar_));
        return;
    }
    std::uint32_t caps = 0;
    if (io.read32(dev_.bars[test_reg_bar_].addr + epf_test::CAPS, caps) != hal::status::ok) {
        probe_error_ = -EIO;
        io.log(hal::log_level::error, log_cat, "cannot read PCI_ENDPOINT_TEST_CAPS");
        return;
    }
    ep_caps_ = caps;
    // CAP_UNALIGNED_ACCESS is set if the EP can do unaligned access.
    if (ep_caps_ & epf_test::CAP_UNALIGNED_ACCESS) alignment_ = 0;
    const std::uint8_t pin = host_.cfg_read8(dev_.bus, dev_.dev, dev_.fn, pci::INTERRUPT_PIN);
    if (pin >= 1 && pin <= intx_pins) // the root port's swizzle: INTx(pin - 1 + slot) mod 4
        intx_pin_bit_ = 1u << ((pin - 1 + dev_.dev) % intx_pins);
    io.log(hal::log_level::info, log_cat,
           dev_.name() + ": CAPS " + hex(ep_caps_) + ", alignment " + std::to_string(alignment_) +
               ", test register BAR" + std::to_string(test_reg_bar_));
}

int pci_endpoint_test::reset_done(const pci_dev& dev) {
    const int type = irq_type_;
    // Whatever the function had enabled is gone (hot reset) or restored from a saved copy (FLR):
    // set it up from scratch.
    irq_type_ = PCITEST_IRQ_TYPE_UNDEFINED;
    num_irqs_ = 0;
    dev_ = dev;
    probe_error_ = 0;
    if (has_board()) probe();
    if (probe_error_ || type == PCITEST_IRQ_TYPE_UNDEFINED) return probe_error_;
    std::string detail;
    const int r = alloc_irq_vectors(type, detail);
    if (r) host_.io().log(hal::log_level::error, log_cat, dev_.name() + ": " + detail);
    return r;
}

int pci_endpoint_test::check_driver(std::string& detail) const {
    if (!has_board()) {
        detail = "no host board description (MSI controller, host RAM)";
        return -ENODEV;
    }
    return check_probe(detail);
}

int pci_endpoint_test::check_probe(std::string& detail) const {
    if (probe_error_)
        detail =
            "probe failed: test register BAR" + std::to_string(test_reg_bar_) + " is not usable";
    return probe_error_;
}

std::uint64_t pci_endpoint_test::bar_len(unsigned bar) const {
    return dev_.bars[bar].io ? 0 : dev_.bars[bar].size;
}

std::uint32_t pci_endpoint_test::readl(std::uint32_t off) {
    return host_.io().rd32(dev_.bars[test_reg_bar_].addr + off);
}
void pci_endpoint_test::writel(std::uint32_t off, std::uint32_t v) {
    host_.io().wr32(dev_.bars[test_reg_bar_].addr + off, v);
}
std::uint32_t pci_endpoint_test::irq_regs_read(std::uint32_t off) {
    return host_.io().rd32(board_->msi_regs.base + off);
}

// ---- BAR tests -------------------------------------------------------------------------------

// Like every test, the BAR tests need the probed driver: under Linux a failed probe leaves no
// device to open, so each test fails in its fixture's set-up.
int pci_endpoint_test::bar_test(unsigned bar, std::string& detail) {
    if (int r = check_probe(detail)) return r;
    std::uint64_t size = bar_len(bar);
    if (!size) return -ENODATA;
    if (static_cast<int>(bar) == test_reg_bar_) size = reg_bar_test_bytes;
    hal::platform& io = host_.io();
    const std::uint64_t base = dev_.bars[bar].addr;
    std::vector<unsigned char> write_buf(std::min(size, chunk_bytes), epf_test::bar_pattern(bar));
    std::vector<unsigned char> read_buf(write_buf.size());
    for (std::uint64_t off = 0; off < size; off += chunk_bytes) {
        std::size_t n = static_cast<std::size_t>(std::min(chunk_bytes, size - off));
        hal::status ws = io.write(base + off, write_buf.data(), n);
        std::fill(read_buf.begin(), read_buf.end(), 0);
        hal::status rs = io.read(base + off, read_buf.data(), n);
        if (ws != hal::status::ok || rs != hal::status::ok) {
            detail = "BAR" + std::to_string(bar) + " offset " + hex(off) + ": " +
                     (ws != hal::status::ok ? std::string("write ") + hal::to_string(ws)
                                            : std::string("read ") + hal::to_string(rs)) +
                     host_.take_received_errors();
            return -EIO;
        }
        if (std::memcmp(write_buf.data(), read_buf.data(), n) != 0) {
            std::size_t i = 0;
            while (write_buf[i] == read_buf[i])
                ++i;
            detail = "BAR" + std::to_string(bar) + " mismatch at offset " + hex(off + i) +
                     ": wrote " + hex(write_buf[i]) + ", read " + hex(read_buf[i]);
            return -EIO;
        }
    }
    return 0;
}

int pci_endpoint_test::bars_test(std::string& detail) {
    if (int r = check_probe(detail)) return r;
    hal::platform& io = host_.io();
    auto len_of = [&](unsigned bar) {
        return static_cast<int>(bar) == test_reg_bar_
                   ? std::min<std::uint64_t>(bar_len(bar), reg_bar_test_bytes)
                   : bar_len(bar);
    };
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar)
        for (std::uint64_t off = 0; off < len_of(bar); off += sizeof(std::uint32_t))
            io.wr32(dev_.bars[bar].addr + off,
                    bar_test_pattern_with_offset(bar, static_cast<std::uint32_t>(off)));
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar)
        for (std::uint64_t off = 0; off < len_of(bar); off += sizeof(std::uint32_t)) {
            std::uint32_t want = bar_test_pattern_with_offset(bar, static_cast<std::uint32_t>(off));
            std::uint32_t got = 0;
            hal::status s = io.read32(dev_.bars[bar].addr + off, got);
            if (s != hal::status::ok || got != want) {
                detail = "BAR" + std::to_string(bar) + " offset " + hex(off) + ": expected " +
                         hex(want) + ", read " + hex(got) +
                         (s != hal::status::ok ? std::string(" (") + hal::to_string(s) + ")" : "") +
                         host_.take_received_errors();
                return -EIO;
            }
        }
    return 0;
}

// ---- IRQ vectors (pci_alloc_irq_vectors / pci_free_irq_vectors) ------------------------------

int pci_endpoint_test::set_irq(int req_irq_type, std::string& detail) {
    if (int r = check_driver(detail)) return r;
    if (req_irq_type < PCITEST_IRQ_TYPE_INTX || req_irq_type > PCITEST_IRQ_TYPE_AUTO) {
        detail = "Invalid IRQ type option";
        return -EINVAL;
    }
    if (req_irq_type == PCITEST_IRQ_TYPE_AUTO) {
        if (ep_caps_ & epf_test::CAP_MSI)
            req_irq_type = PCITEST_IRQ_TYPE_MSI;
        else if (ep_caps_ & epf_test::CAP_MSIX)
            req_irq_type = PCITEST_IRQ_TYPE_MSIX;
        else if (ep_caps_ & epf_test::CAP_INTX)
            req_irq_type = PCITEST_IRQ_TYPE_INTX;
        else // fallback to MSI if no caps defined
            req_irq_type = PCITEST_IRQ_TYPE_MSI;
    }
    if (irq_type_ == req_irq_type) return 0;
    free_irq_vectors();
    return alloc_irq_vectors(req_irq_type, detail);
}

int pci_endpoint_test::clear_irq() {
    if (has_board() && !probe_error_) free_irq_vectors();
    return 0;
}

int pci_endpoint_test::alloc_irq_vectors(int type, std::string& detail) {
    int n = -EINVAL;
    const char* what = "?";
    switch (type) {
    case PCITEST_IRQ_TYPE_INTX:
        n = intx_setup(detail);
        what = "Legacy";
        break;
    case PCITEST_IRQ_TYPE_MSI:
        n = msi_setup(detail);
        what = "MSI";
        break;
    case PCITEST_IRQ_TYPE_MSIX:
        n = msix_setup(detail);
        what = "MSI-X";
        break;
    default:
        detail = "Invalid IRQ type selected";
        return -EINVAL;
    }
    if (n < 0) {
        detail = std::string("Failed to get ") + what + " interrupts: " + detail;
        return n;
    }
    irq_type_ = type;
    num_irqs_ = n;
    host_.io().log(hal::log_level::info, log_cat,
                   dev_.name() + ": " + what + ": " + std::to_string(n) + " vector(s)");
    return 0;
}

void pci_endpoint_test::free_irq_vectors() {
    switch (irq_type_) {
    case PCITEST_IRQ_TYPE_MSI:
        msi_disable();
        set_intx_disable(false); // pci_intx_for_msi(dev, 1)
        break;
    case PCITEST_IRQ_TYPE_MSIX:
        msix_disable();
        set_intx_disable(false);
        break;
    default:
        break;
    }
    irq_type_ = PCITEST_IRQ_TYPE_UNDEFINED;
    num_irqs_ = 0;
}

void pci_endpoint_test::set_intx_disable(bool disable) {
    const std::uint16_t cmd = host_.cfg_read16(dev_.bus, dev_.dev, dev_.fn, pci::COMMAND);
    const std::uint16_t want = disable
                                   ? static_cast<std::uint16_t>(cmd | pci::COMMAND_INTX_DISABLE)
                                   : static_cast<std::uint16_t>(cmd & ~pci::COMMAND_INTX_DISABLE);
    if (want != cmd) host_.cfg_write16(dev_.bus, dev_.dev, dev_.fn, pci::COMMAND, want);
}

void pci_endpoint_test::msi_disable() {
    if (!dev_.msi_cap) return;
    const std::uint32_t reg = dev_.msi_cap + pci::MSI_FLAGS;
    const std::uint16_t flags = host_.cfg_read16(dev_.bus, dev_.dev, dev_.fn, reg);
    if (flags & pci::MSI_FLAGS_ENABLE)
        host_.cfg_write16(dev_.bus, dev_.dev, dev_.fn, reg,
                          static_cast<std::uint16_t>(flags & ~pci::MSI_FLAGS_ENABLE));
}

void pci_endpoint_test::msix_disable() {
    if (!dev_.msix_cap) return;
    const std::uint32_t reg = dev_.msix_cap + pci::MSIX_FLAGS;
    const std::uint16_t flags = host_.cfg_read16(dev_.bus, dev_.dev, dev_.fn, reg);
    if (flags & pci::MSIX_FLAGS_ENABLE)
        host_.cfg_write16(dev_.bus, dev_.dev, dev_.fn, reg,
                          static_cast<std::uint16_t>(flags & ~pci::MSIX_FLAGS_ENABLE));
}

int pci_endpoint_test::intx_setup(std::string& detail) {
    const std::uint8_t pin = host_.cfg_read8(dev_.bus, dev_.dev, dev_.fn, pci::INTERRUPT_PIN);
    if (!pin || !intx_pin_bit_) {
        detail = "the device has no interrupt pin";
        return -ENOSPC;
    }
    msi_disable();
    msix_disable();
    set_intx_disable(false); // pci_intx(dev, 1)
    return 1;
}

int pci_endpoint_test::msi_setup(std::string& detail) {
    // pci_msi_vec_count() = 1 << MMC; the driver asks for at most 32.
    return msi_capability_enable(
        host_, dev_, board_->msi_doorbell.base, static_cast<std::uint16_t>(msi_irq_base),
        msi_max_vectors, [this] { msix_disable(); } /* only one type at a time */,
        [this] { set_intx_disable(true); } /* pci_intx_for_msi(dev, 0) */, detail);
}

int pci_endpoint_test::msix_setup(std::string& detail) {
    const std::uint8_t cap = dev_.msix_cap;
    if (!cap) {
        detail = "no MSI-X capability";
        return -EINVAL;
    }
    const unsigned b = dev_.bus, d = dev_.dev, f = dev_.fn;
    const std::uint16_t flags = host_.cfg_read16(b, d, f, cap + pci::MSIX_FLAGS);
    const unsigned table_size = (flags & pci::MSIX_FLAGS_QSIZE) + 1u;
    const unsigned granted = std::min(msix_max_vectors, table_size);
    const std::uint32_t table = host_.cfg_read32(b, d, f, cap + pci::MSIX_TABLE);
    const unsigned bir = table & pci::MSIX_TABLE_BIR;
    const std::uint64_t offset = table & pci::MSIX_TABLE_OFFSET;
    const std::uint64_t bytes = std::uint64_t(granted) * pci::MSIX_ENTRY_SIZE;
    if (bir >= pci::STD_NUM_BARS || !bar_len(bir) || offset > bar_len(bir) ||
        bar_len(bir) - offset < bytes) {
        detail = "MSI-X table (BIR " + std::to_string(bir) + ", offset " + hex(offset) + ", " +
                 std::to_string(granted) + " entries) is not inside a mapped BAR";
        return -ENOMEM;
    }
    msi_disable(); // only one type at a time
    // Enable with every vector masked while the table is written (msix_capability_init).
    host_.cfg_write16(
        b, d, f, cap + pci::MSIX_FLAGS,
        static_cast<std::uint16_t>(flags | pci::MSIX_FLAGS_ENABLE | pci::MSIX_FLAGS_MASKALL));
    const std::uint64_t addr = board_->msi_doorbell.base;
    std::vector<unsigned char> entries(static_cast<std::size_t>(bytes));
    auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(&entries[at], &v, sizeof v); };
    for (unsigned i = 0; i < granted; ++i) {
        const std::size_t e = std::size_t(i) * pci::MSIX_ENTRY_SIZE;
        put32(e + PCI_MSIX_ENTRY_LOWER_ADDR, lower_32_bits(addr));
        put32(e + PCI_MSIX_ENTRY_UPPER_ADDR, upper_32_bits(addr));
        put32(e + PCI_MSIX_ENTRY_DATA, static_cast<std::uint32_t>(msix_irq_base) + i);
        put32(e + PCI_MSIX_ENTRY_VECTOR_CTRL, msix_vector_ctrl_unmasked);
    }
    const hal::status s =
        host_.io().write(dev_.bars[bir].addr + offset, entries.data(), entries.size());
    if (s != hal::status::ok) {
        msix_disable();
        detail = std::string("writing the MSI-X table failed: ") + hal::to_string(s);
        return -EIO;
    }
    set_intx_disable(true); // pci_intx_for_msi(dev, 0)
    host_.cfg_write16(
        b, d, f, cap + pci::MSIX_FLAGS,
        static_cast<std::uint16_t>((flags | pci::MSIX_FLAGS_ENABLE) & ~pci::MSIX_FLAGS_MASKALL));
    return static_cast<int>(granted);
}

int pci_endpoint_test::pci_irq_vector(unsigned nr) const {
    switch (irq_type_) {
    case PCITEST_IRQ_TYPE_MSI:
        return nr < static_cast<unsigned>(num_irqs_) ? msi_irq_base + static_cast<int>(nr)
                                                     : -EINVAL;
    case PCITEST_IRQ_TYPE_MSIX:
        return nr < static_cast<unsigned>(num_irqs_) ? msix_irq_base + static_cast<int>(nr)
                                                     : -EINVAL;
    case PCITEST_IRQ_TYPE_INTX:
        return nr == 0 ? intx_irq : -EINVAL;
    default:
        return -EINVAL;
    }
}

int pci_endpoint_test::irq_to_vector(int irq) const {
    switch (irq_type_) {
    case PCITEST_IRQ_TYPE_MSI:
        return irq >= msi_irq_base && irq - msi_irq_base < num_irqs_ ? irq - msi_irq_base : -EINVAL;
    case PCITEST_IRQ_TYPE_MSIX:
        return irq >= msix_irq_base && irq - msix_irq_base < num_irqs_ ? irq - msix_irq_base
                                                                       : -EINVAL;
    case PCITEST_IRQ_TYPE_INTX:
        return irq == intx_irq ? 0 : -EINVAL;
    default:
        return -EINVAL;
    }
}

// ---- interrupt handling ----------------------------------------------------------------------

// pci_endpoint_test_irqhandler(): completes only if the function says it raised the IRQ. It
// does not write STATUS back (Linux dropped that: it raced with the endpoint).
void pci_endpoint_test::irqhandler(int irq) {
    if (readl(epf_test::STATUS) & epf_test::STATUS_IRQ_RAISED) {
        last_irq_ = irq;
        ++done_;
    }
}

void pci_endpoint_test::msi_handler() {
    const std::uint32_t n = std::min(irq_regs_read(host_irq::MSI_COUNT), host_irq::FIFO_DEPTH);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t data = irq_regs_read(host_irq::MSI_POP_DATA);
        ++msi_messages_;
        const bool ours =
            (irq_type_ == PCITEST_IRQ_TYPE_MSI || irq_type_ == PCITEST_IRQ_TYPE_MSIX) &&
            data <= static_cast<std::uint32_t>(std::numeric_limits<int>::max()) &&
            irq_to_vector(static_cast<int>(data)) >= 0;
        if (!ours) {
            ++spurious_messages_;
            continue;
        }
        irqhandler(static_cast<int>(data));
    }
}

void pci_endpoint_test::intx_handler() {
    const std::uint32_t state = irq_regs_read(host_irq::INTX_STATE);
    const std::uint32_t asserts = irq_regs_read(host_irq::INTX_ASSERTS);
    intx_level_ = state & intx_pin_bit_;
    if (irq_type_ != PCITEST_IRQ_TYPE_INTX || !num_irqs_)
        return; // no handler requested on this line
    // Only an assertion since the ioctl started (or since the last completion) counts.
    const bool new_assert = asserts != intx_asserts_at_arm_ || (intx_level_ && !intx_level_at_arm_);
    if (!new_assert) return;
    intx_seen_ = true;
    const unsigned before = done_;
    irqhandler(intx_irq);
    if (done_ != before) {
        intx_asserts_at_arm_ = asserts;
        intx_level_at_arm_ = intx_level_;
    }
}

// The start of an ioctl: reinit_completion(&irq_raised) and last_irq = -ENODATA. Messages still
// in the FIFO belong to earlier commands (Linux's handler would have consumed them already).
void pci_endpoint_test::reinit_completion() {
    const std::uint32_t n = std::min(irq_regs_read(host_irq::MSI_COUNT), host_irq::FIFO_DEPTH);
    for (std::uint32_t i = 0; i < n; ++i) {
        (void)irq_regs_read(host_irq::MSI_POP_DATA);
        ++msi_messages_;
        ++stale_messages_;
    }
    done_ = 0;
    last_irq_ = -ENODATA;
    intx_seen_ = false;
    intx_level_ = irq_regs_read(host_irq::INTX_STATE) & intx_pin_bit_;
    intx_level_at_arm_ = intx_level_;
    intx_asserts_at_arm_ = irq_regs_read(host_irq::INTX_ASSERTS);
}

// wait_for_completion_timeout(): handlers run inside wait_for_interrupt(); wait again with
// whatever time is left until a handler completed or the time is up.
bool pci_endpoint_test::wait_for_completion_timeout(std::uint64_t timeout_ns) {
    hal::platform& io = host_.io();
    const std::uint64_t start = io.now_ns();
    for (unsigned wakeups = 0; wakeups < max_irq_wakeups; ++wakeups) {
        if (done_) {
            --done_;
            return true;
        }
        const std::uint64_t elapsed = io.now_ns() - start;
        if (elapsed >= timeout_ns) return false;
        const bool irq = io.wait_for_interrupt(timeout_ns - elapsed);
        if (irq && !done_ && intx_level_)
            io.delay_ns(std::min(intx_storm_backoff_ns, timeout_ns - elapsed));
    }
    if (done_) {
        --done_;
        return true;
    }
    return false;
}

std::string pci_endpoint_test::irq_wait_detail(std::uint32_t status) const {
    std::string s = status_string(status);
    if (irq_type_ == PCITEST_IRQ_TYPE_INTX)
        s += intx_seen_ ? ", INTx asserted"
             : intx_level_ && intx_level_at_arm_
                 ? ", INTx asserted since before the command (no new assertion seen)"
                 : ", INTx never seen asserted";
    else
        s += ", " + std::to_string(msi_messages_) + " MSI message(s) so far, " +
             std::to_string(spurious_messages_) + " not ours";
    return s;
}

// ---- interrupt tests -------------------------------------------------------------------------

int pci_endpoint_test::intx_irq_test(std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    writel(epf_test::IRQ_TYPE, epf_test::IRQ_TYPE_INTX);
    writel(epf_test::IRQ_NUMBER, intx_irq_number);
    writel(epf_test::COMMAND, epf_test::COMMAND_RAISE_INTX_IRQ);
    if (!wait_for_completion_timeout(params_.irq_timeout_ns)) {
        detail = "no INTx completion within " + std::to_string(params_.irq_timeout_ns / ns_per_ms) +
                 " ms: " + irq_wait_detail(readl(epf_test::STATUS));
        return -ETIMEDOUT;
    }
    return 0;
}

int pci_endpoint_test::msi_irq_test(unsigned msi_num, std::string& detail) {
    return msi_irq(msi_num, false, detail);
}

int pci_endpoint_test::msix_irq_test(unsigned msi_num, std::string& detail) {
    return msi_irq(msi_num, true, detail);
}

int pci_endpoint_test::msi_irq(unsigned msi_num, bool msix, std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    const std::string name = std::string(msix ? "MSI-X" : "MSI") + std::to_string(msi_num);
    const int irq = msi_num ? pci_irq_vector(msi_num - 1) : -EINVAL;
    if (irq < 0) {
        detail = name + " not allocated (" + std::to_string(num_irqs_) + " vector(s) granted)";
        return irq;
    }
    writel(epf_test::IRQ_TYPE, msix ? epf_test::IRQ_TYPE_MSIX : epf_test::IRQ_TYPE_MSI);
    writel(epf_test::IRQ_NUMBER, msi_num);
    writel(epf_test::COMMAND,
           msix ? epf_test::COMMAND_RAISE_MSIX_IRQ : epf_test::COMMAND_RAISE_MSI_IRQ);
    if (!wait_for_completion_timeout(params_.irq_timeout_ns)) {
        detail = name + ": no interrupt within " +
                 std::to_string(params_.irq_timeout_ns / ns_per_ms) +
                 " ms: " + irq_wait_detail(readl(epf_test::STATUS));
        return -ETIMEDOUT;
    }
    if (irq != last_irq_) {
        detail = name + ": expected message data " + hex(static_cast<std::uint64_t>(irq)) +
                 " (vector " + std::to_string(msi_num - 1) + "), got " +
                 hex(static_cast<std::uint64_t>(static_cast<std::uint32_t>(last_irq_)));
        return -EIO;
    }
    return 0;
}

// ---- transfers -------------------------------------------------------------------------------

int pci_endpoint_test::validate_xfer(std::uint64_t size, std::string& detail) const {
    if (!size) {
        detail = "Data size is zero";
        return -EINVAL;
    }
    if (size > std::numeric_limits<std::uint64_t>::max() - alignment_) {
        detail = "Maximum transfer data size exceeded";
        return -EINVAL;
    }
    if (size > std::numeric_limits<std::uint32_t>::max()) { // SIZE is a 32-bit register
        detail = "size " + std::to_string(size) + " does not fit the SIZE register";
        return -EINVAL;
    }
    if (irq_type_ < PCITEST_IRQ_TYPE_INTX || irq_type_ > PCITEST_IRQ_TYPE_MSIX) {
        detail = "Invalid IRQ type option";
        return -EINVAL;
    }
    return 0;
}

// The extra bytes past size that a buffer's allocation has: kzalloc(size + alignment), or with
// alignment 0 room for the deliberate odd offset.
std::uint64_t pci_endpoint_test::xfer_misalign(bool dst) const {
    return alignment_ ? alignment_ : (dst ? misalign_dst : misalign_src);
}

// get_random_bytes(orig_addr, size + alignment): fill the allocation and keep a copy.
int pci_endpoint_test::fill_random(std::uint64_t addr, std::uint64_t len,
                                   std::vector<unsigned char>& buf, std::string& detail) {
    buf.resize(static_cast<std::size_t>(len));
    rng_.fill(buf.data(), buf.size());
    const hal::status s = host_.io().write(addr, buf.data(), buf.size());
    if (s != hal::status::ok) {
        detail = "writing the host buffer at " + hex(addr) + " failed: " + hal::to_string(s);
        return -EIO;
    }
    return 0;
}

namespace {
// The bus address the driver hands out: aligned up (alignment), or at the deliberate offset.
std::uint64_t xfer_phys(std::uint64_t orig, std::uint64_t alignment, std::uint64_t misalign) {
    return alignment ? round_up(orig, alignment) : orig + misalign;
}
} // namespace

// PCITEST_WRITE: the endpoint reads the host buffer (COMMAND_READ) and checks its CRC.
int pci_endpoint_test::write_test(std::uint64_t size, bool use_dma, std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    if (int r = validate_xfer(size, detail)) return r;
    const std::uint32_t flags = use_dma ? epf_test::FLAG_USE_DMA : 0;
    const std::uint64_t extra = xfer_misalign(false);
    dma_buffer orig;
    if (orig.kmalloc(*mem_, size + extra, 0)) {
        detail = "Failed to allocate address";
        return -ENOMEM;
    }
    std::vector<unsigned char> buf;
    if (int r = fill_random(orig.addr(), size + extra, buf, detail)) return r;
    const std::uint64_t phys = xfer_phys(orig.addr(), alignment_, misalign_src);
    const std::size_t off = static_cast<std::size_t>(phys - orig.addr());
    const std::uint32_t crc32 = fw::crc32_le(~0u, buf.data() + off, static_cast<std::size_t>(size));
    host_.io().charge(hal::platform::work::crc, size);

    writel(epf_test::CHECKSUM, crc32);
    writel(epf_test::SRC_ADDR_LOWER, lower_32_bits(phys));
    writel(epf_test::SRC_ADDR_UPPER, upper_32_bits(phys));
    writel(epf_test::SIZE, static_cast<std::uint32_t>(size));
    writel(epf_test::FLAGS, flags);
    writel(epf_test::IRQ_TYPE, static_cast<std::uint32_t>(irq_type_));
    writel(epf_test::IRQ_NUMBER, completion_irq_number);
    writel(epf_test::COMMAND, epf_test::COMMAND_READ);
    if (!wait_for_completion_timeout(params_.xfer_timeout_ns)) {
        orig.leak(); // the endpoint may still read it; never reuse
        detail = "size " + std::to_string(size) + " at " + hex(phys) + ": no interrupt within " +
                 std::to_string(params_.xfer_timeout_ns / ns_per_ms) +
                 " ms: " + irq_wait_detail(readl(epf_test::STATUS));
        return -ETIMEDOUT;
    }
    const std::uint32_t reg = readl(epf_test::STATUS);
    if (!(reg & epf_test::STATUS_READ_SUCCESS)) {
        detail = "size " + std::to_string(size) + " at " + hex(phys) + ": " + status_string(reg);
        return -EIO;
    }
    return 0;
}

// PCITEST_READ: the endpoint writes random data to the host buffer (COMMAND_WRITE) and its CRC
// to CHECKSUM.
int pci_endpoint_test::read_test(std::uint64_t size, bool use_dma, std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    if (int r = validate_xfer(size, detail)) return r;
    const std::uint32_t flags = use_dma ? epf_test::FLAG_USE_DMA : 0;
    const std::uint64_t extra = xfer_misalign(true);
    dma_buffer orig;
    if (int r = orig.kzalloc(*mem_, size + extra, 0)) {
        detail = r == -ENOMEM ? "Failed to allocate destination address"
                              : "zeroing the destination buffer failed";
        return r;
    }
    const std::uint64_t phys = xfer_phys(orig.addr(), alignment_, misalign_dst);

    writel(epf_test::DST_ADDR_LOWER, lower_32_bits(phys));
    writel(epf_test::DST_ADDR_UPPER, upper_32_bits(phys));
    writel(epf_test::SIZE, static_cast<std::uint32_t>(size));
    writel(epf_test::FLAGS, flags);
    writel(epf_test::IRQ_TYPE, static_cast<std::uint32_t>(irq_type_));
    writel(epf_test::IRQ_NUMBER, completion_irq_number);
    writel(epf_test::COMMAND, epf_test::COMMAND_WRITE);
    if (!wait_for_completion_timeout(params_.xfer_timeout_ns)) {
        orig.leak(); // the endpoint may still write it; never reuse
        detail = "size " + std::to_string(size) + " at " + hex(phys) + ": no interrupt within " +
                 std::to_string(params_.xfer_timeout_ns / ns_per_ms) +
                 " ms: " + irq_wait_detail(readl(epf_test::STATUS));
        return -ETIMEDOUT;
    }
    std::vector<unsigned char> buf(static_cast<std::size_t>(size));
    const hal::status s = host_.io().read(phys, buf.data(), buf.size());
    if (s != hal::status::ok) {
        detail = "reading the host buffer at " + hex(phys) + " failed: " + hal::to_string(s);
        return -EIO;
    }
    const std::uint32_t crc32 = fw::crc32_le(~0u, buf.data(), buf.size());
    host_.io().charge(hal::platform::work::crc, size);
    const std::uint32_t checksum = readl(epf_test::CHECKSUM);
    if (crc32 != checksum) {
        detail = "size " + std::to_string(size) + " at " + hex(phys) + ": CRC32 of the buffer " +
                 hex(crc32) + " != CHECKSUM " + hex(checksum) + ", " +
                 status_string(readl(epf_test::STATUS));
        return -EIO;
    }
    return 0;
}

// PCITEST_COPY: the endpoint copies the source buffer to the destination buffer.
int pci_endpoint_test::copy_test(std::uint64_t size, bool use_dma, std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    if (int r = validate_xfer(size, detail)) return r;
    const std::uint32_t flags = use_dma ? epf_test::FLAG_USE_DMA : 0;
    dma_buffer orig_src, orig_dst;
    const std::uint64_t src_extra = xfer_misalign(false), dst_extra = xfer_misalign(true);
    if (orig_src.kmalloc(*mem_, size + src_extra, 0)) {
        detail = "Failed to allocate source buffer";
        return -ENOMEM;
    }
    std::vector<unsigned char> src;
    if (int r = fill_random(orig_src.addr(), size + src_extra, src, detail)) return r;
    const std::uint64_t src_phys = xfer_phys(orig_src.addr(), alignment_, misalign_src);
    const std::size_t src_off = static_cast<std::size_t>(src_phys - orig_src.addr());
    writel(epf_test::SRC_ADDR_LOWER, lower_32_bits(src_phys));
    writel(epf_test::SRC_ADDR_UPPER, upper_32_bits(src_phys));
    const std::uint32_t src_crc32 =
        fw::crc32_le(~0u, src.data() + src_off, static_cast<std::size_t>(size));
    host_.io().charge(hal::platform::work::crc, size);

    if (int r = orig_dst.kzalloc(*mem_, size + dst_extra, 0)) {
        detail = r == -ENOMEM ? "Failed to allocate destination address"
                              : "zeroing the destination buffer failed";
        return r;
    }
    const std::uint64_t dst_phys = xfer_phys(orig_dst.addr(), alignment_, misalign_dst);
    writel(epf_test::DST_ADDR_LOWER, lower_32_bits(dst_phys));
    writel(epf_test::DST_ADDR_UPPER, upper_32_bits(dst_phys));
    writel(epf_test::SIZE, static_cast<std::uint32_t>(size));
    writel(epf_test::FLAGS, flags);
    writel(epf_test::IRQ_TYPE, static_cast<std::uint32_t>(irq_type_));
    writel(epf_test::IRQ_NUMBER, completion_irq_number);
    writel(epf_test::COMMAND, epf_test::COMMAND_COPY);
    const std::string where =
        "size " + std::to_string(size) + " " + hex(src_phys) + " -> " + hex(dst_phys);
    if (!wait_for_completion_timeout(params_.xfer_timeout_ns)) {
        orig_src.leak(); // the endpoint may still use them; never reuse
        orig_dst.leak();
        detail = where + ": no interrupt within " +
                 std::to_string(params_.xfer_timeout_ns / ns_per_ms) +
                 " ms: " + irq_wait_detail(readl(epf_test::STATUS));
        return -ETIMEDOUT;
    }
    std::vector<unsigned char> dst(static_cast<std::size_t>(size));
    const hal::status s = host_.io().read(dst_phys, dst.data(), dst.size());
    if (s != hal::status::ok) {
        detail = where + ": reading the destination failed: " + hal::to_string(s);
        return -EIO;
    }
    const std::uint32_t dst_crc32 = fw::crc32_le(~0u, dst.data(), dst.size());
    host_.io().charge(hal::platform::work::crc, size);
    if (dst_crc32 != src_crc32) {
        detail = where + ": CRC32 of the destination " + hex(dst_crc32) + " != source " +
                 hex(src_crc32) + ", " + status_string(readl(epf_test::STATUS));
        return -EIO;
    }
    return 0;
}

// ---- doorbell --------------------------------------------------------------------------------

int pci_endpoint_test::doorbell_test(std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    if (params_.kernel == pcitest_kernel::next &&
        !(ep_caps_ & epf_test::CAP_DYNAMIC_INBOUND_MAPPING)) {
        detail = "the endpoint has no CAP_DYNAMIC_INBOUND_MAPPING";
        return -EOPNOTSUPP;
    }
    if (irq_type_ < PCITEST_IRQ_TYPE_INTX || irq_type_ > PCITEST_IRQ_TYPE_MSIX) {
        detail = "Invalid IRQ type";
        return -EINVAL;
    }
    const std::uint32_t irq_type = static_cast<std::uint32_t>(irq_type_);
    writel(epf_test::IRQ_TYPE, irq_type);
    writel(epf_test::IRQ_NUMBER, completion_irq_number);
    writel(epf_test::COMMAND, epf_test::COMMAND_ENABLE_DOORBELL);
    bool left = wait_for_completion_timeout(params_.irq_timeout_ns);
    std::uint32_t status = readl(epf_test::STATUS);
    if (!left || !(status & STATUS_DOORBELL_ENABLE_SUCCESS)) {
        detail = std::string("Failed to enable doorbell: ") +
                 (left ? status_string(status) : "timed out, " + irq_wait_detail(status));
        return -EINVAL;
    }
    const std::uint32_t data = readl(epf_test::DB_DATA);
    const std::uint32_t addr = readl(epf_test::DB_OFFSET);
    writel(epf_test::IRQ_TYPE, irq_type);
    writel(epf_test::IRQ_NUMBER, completion_irq_number);
    writel(epf_test::STATUS, 0);
    const std::uint32_t bar = readl(epf_test::DB_BAR);
    if (bar >= pci::STD_NUM_BARS || !bar_len(bar) || addr > bar_len(bar) - sizeof(std::uint32_t)) {
        detail = "doorbell BAR" + std::to_string(bar) + " offset " + hex(addr) +
                 " reported by the endpoint is out of range";
        return -ERANGE;
    }
    host_.io().wr32(dev_.bars[bar].addr + addr, data);
    int ret = 0;
    left = wait_for_completion_timeout(params_.irq_timeout_ns);
    status = readl(epf_test::STATUS);
    if (!left || !(status & STATUS_DOORBELL_SUCCESS)) {
        detail = "Failed to trigger doorbell in endpoint (BAR" + std::to_string(bar) + " + " +
                 hex(addr) + " <- " + hex(data) +
                 "): " + (left ? status_string(status) : "timed out, " + irq_wait_detail(status));
        ret = -EINVAL; // store the error, but continue to disable the doorbell
    }
    writel(epf_test::COMMAND, epf_test::COMMAND_DISABLE_DOORBELL);
    (void)wait_for_completion_timeout(params_.irq_timeout_ns);
    status |= readl(epf_test::STATUS);
    if (!(status & STATUS_DOORBELL_DISABLE_SUCCESS)) {
        detail += std::string(detail.empty() ? "" : "; ") +
                  "Failed to disable doorbell: " + status_string(status);
        return -EINVAL;
    }
    return ret;
}

// ---- BAR subrange ----------------------------------------------------------------------------

int pci_endpoint_test::bar_subrange_cmd(unsigned bar, std::uint32_t command, std::uint32_t ok_bit,
                                        std::uint32_t fail_bit, std::string& detail) {
    const char* what =
        command == epf_test::COMMAND_BAR_SUBRANGE_SETUP ? "subrange SETUP" : "subrange CLEAR";
    if (irq_type_ < PCITEST_IRQ_TYPE_INTX || irq_type_ > PCITEST_IRQ_TYPE_MSIX) {
        detail = "Invalid IRQ type";
        return -EINVAL;
    }
    reinit_completion();
    writel(epf_test::STATUS, 0);
    writel(epf_test::IRQ_TYPE, static_cast<std::uint32_t>(irq_type_));
    writel(epf_test::IRQ_NUMBER, completion_irq_number);
    writel(epf_test::SIZE, bar); // SIZE carries the BAR number for BAR_SUBRANGE_* commands
    writel(epf_test::COMMAND, command);
    if (!wait_for_completion_timeout(params_.irq_timeout_ns)) {
        detail = std::string(what) + ": no interrupt within " +
                 std::to_string(params_.irq_timeout_ns / ns_per_ms) +
                 " ms: " + irq_wait_detail(readl(epf_test::STATUS));
        return -ETIMEDOUT;
    }
    const std::uint32_t status = readl(epf_test::STATUS);
    if (status & fail_bit) {
        detail = std::string(what) + " failed: " + status_string(status);
        return (status & STATUS_NO_RESOURCE) ? -ENOSPC : -EIO;
    }
    if (!(status & ok_bit)) {
        detail = std::string(what) + ": no success bit: " + status_string(status);
        return -EIO;
    }
    return 0;
}

int pci_endpoint_test::bar_subrange_test(unsigned bar, std::string& detail) {
    if (int r = check_driver(detail)) return r;
    reinit_completion();
    if (bar >= pci::STD_NUM_BARS) {
        detail = "no BAR" + std::to_string(bar);
        return -EINVAL;
    }
    if (!(ep_caps_ & epf_test::CAP_SUBRANGE_MAPPING)) return -EOPNOTSUPP;
    // The test register BAR is not safe to reprogram and write over its full size.
    if (static_cast<int>(bar) == test_reg_bar_) return -EBUSY;
    const std::uint64_t bar_size = bar_len(bar);
    if (!bar_size) return -ENODATA;

    int ret =
        bar_subrange_cmd(bar, epf_test::COMMAND_BAR_SUBRANGE_SETUP,
                         STATUS_BAR_SUBRANGE_SETUP_SUCCESS, STATUS_BAR_SUBRANGE_SETUP_FAIL, detail);
    if (ret == -ETIMEDOUT) {
        // Linux returns here; the endpoint may still have applied the sub-ranges, so restore
        // the plain mapping (best effort) before the next test uses the BAR.
        std::string clear_detail;
        if (bar_subrange_cmd(bar, epf_test::COMMAND_BAR_SUBRANGE_CLEAR,
                             STATUS_BAR_SUBRANGE_CLEAR_SUCCESS, STATUS_BAR_SUBRANGE_CLEAR_FAIL,
                             clear_detail))
            detail += "; " + clear_detail;
    }
    if (ret) return ret;

    hal::platform& io = host_.io();
    const std::uint64_t bar_addr = dev_.bars[bar].addr;
    const std::uint64_t sub_size = bar_size / subrange_nsub;
    const std::string name = "BAR" + std::to_string(bar);
    auto check = [&]() -> int {
        if (bar_size % subrange_nsub || sub_size < sizeof(std::uint32_t)) {
            detail = name + " of " + std::to_string(bar_size) + " bytes cannot be split in " +
                     std::to_string(subrange_nsub);
            return -EINVAL;
        }
        // Step 1: the endpoint's signature in every sub-range, at its start and its end: this
        // shows whether the endpoint really applied the (swapped) sub-range order.
        for (unsigned i = 0; i < subrange_nsub; ++i) {
            const std::uint32_t exp = byte_replicate * subrange_sig_byte(bar, i);
            const std::uint64_t first = i * sub_size;
            const std::uint64_t last = first + sub_size - sizeof(std::uint32_t);
            for (const std::uint64_t off : {first, last}) {
                std::uint32_t val = 0;
                const hal::status s = io.read32(bar_addr + off, val);
                if (s != hal::status::ok || val != exp) {
                    detail =
                        name + " subrange" + std::to_string(i) + " signature mismatch @" +
                        hex(off) + ": exp " + hex(exp) + " got " + hex(val) +
                        (s != hal::status::ok ? std::string(" (") + hal::to_string(s) + ")" : "");
                    return -EIO;
                }
            }
        }
        // Step 2: a distinct pattern per sub-range, all written first.
        const std::uint64_t buf_size = std::min(sub_size, chunk_bytes);
        std::vector<unsigned char> buf(static_cast<std::size_t>(buf_size));
        for (unsigned i = 0; i < subrange_nsub; ++i) {
            std::fill(buf.begin(), buf.end(), subrange_test_byte(bar, i));
            for (std::uint64_t off = 0; off < sub_size; off += buf_size) {
                const std::size_t n = static_cast<std::size_t>(std::min(buf_size, sub_size - off));
                const hal::status s = io.write(bar_addr + i * sub_size + off, buf.data(), n);
                if (s != hal::status::ok) {
                    detail = name + " subrange" + std::to_string(i) + " write @" +
                             hex(i * sub_size + off) + " failed: " + hal::to_string(s);
                    return -EIO;
                }
            }
        }
        // Step 3: read every sub-range back after all the writes.
        for (unsigned i = 0; i < subrange_nsub; ++i) {
            const std::uint8_t pattern = subrange_test_byte(bar, i);
            for (std::uint64_t off = 0; off < sub_size; off += buf_size) {
                const std::size_t n = static_cast<std::size_t>(std::min(buf_size, sub_size - off));
                const hal::status s = io.read(bar_addr + i * sub_size + off, buf.data(), n);
                auto bad = std::find_if(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n),
                                        [pattern](unsigned char c) { return c != pattern; });
                if (s != hal::status::ok || bad != buf.begin() + static_cast<std::ptrdiff_t>(n)) {
                    const std::uint64_t at =
                        i * sub_size + off + static_cast<std::uint64_t>(bad - buf.begin());
                    detail = name + " subrange" + std::to_string(i) + " data mismatch @" + hex(at) +
                             " (pattern " + hex(pattern) + ")" +
                             (s != hal::status::ok ? std::string(": ") + hal::to_string(s) : "");
                    return -EIO;
                }
            }
        }
        return 0;
    };
    ret = check();
    std::string clear_detail;
    const int clear_ret = bar_subrange_cmd(bar, epf_test::COMMAND_BAR_SUBRANGE_CLEAR,
                                           STATUS_BAR_SUBRANGE_CLEAR_SUCCESS,
                                           STATUS_BAR_SUBRANGE_CLEAR_FAIL, clear_detail);
    if (clear_ret && !ret)
        detail = clear_detail;
    else if (clear_ret)
        detail += "; " + clear_detail;
    return ret ? ret : clear_ret;
}

// ---- the kselftest table ---------------------------------------------------------------------

namespace {

test_result judged(const std::string& name, int ret, const std::string& detail) {
    test_result r;
    r.name = name;
    if (ret) {
        r.result = verdict::fail;
        r.reason = failure(ret, detail);
    }
    return r;
}

test_result skipped(const std::string& name, const std::string& reason) {
    test_result r;
    r.name = name;
    r.result = verdict::skip;
    r.reason = reason;
    return r;
}

// The result table: a failed test's reason gets the endpoint's and the root port's AER errors
// that came with it (read and cleared after every test, so each is charged to the test that
// raised it). The resets the options ask for happen between two rows.
class result_table {
public:
    result_table(pci_host& host, const pci_dev& dev, const pcitest_options& options)
        : host_(host)
        , dev_(dev)
        , options_(options) {
        const int rp = host_.find(0, 0, 0);
        if (rp >= 0) root_port_ = host_.tree()[static_cast<unsigned>(rp)];
    }
    // The driver is probed: a reset asked for before the first test happens now.
    void attach(pci_endpoint_test* driver) {
        driver_ = driver;
        if (options_.hot_reset_before_test == 1) reset(true, 1);
        if (options_.flr_before_test == 1) reset(false, 1);
    }
    const pci_dev& device() const { return dev_; }
    // The test (and step) that runs now, for a caller that stops the run early.
    void begin(const std::string& what) {
        if (options_.progress) options_.progress->running = what;
    }
    void push_back(test_result r) {
        const std::string aer = host_.take_aer_errors(dev_);
        std::string rp_aer = root_port_.exp_cap ? host_.take_aer_errors(root_port_) : std::string();
        if (!rp_aer.empty()) rp_aer = ", root port" + rp_aer.substr(1); // ", root port AER: ..."
        if (r.result == verdict::fail) r.reason += aer + rp_aer;
        if (options_.progress) {
            options_.progress->done.push_back(r);
            options_.progress->running.clear();
        }
        rows_.push_back(std::move(r));
        if (options_.on_result)
            options_.on_result(static_cast<unsigned>(rows_.size()), rows_.back());
        // Before the next test (none after the last: the workload refuses such a number).
        const std::uint64_t next = rows_.size() + 1;
        if (next == options_.hot_reset_before_test) reset(true, next);
        if (next == options_.flr_before_test) reset(false, next);
    }
    std::vector<test_result> take() { return std::move(rows_); }

private:
    void reset(bool hot, std::uint64_t before) {
        hal::platform& io = host_.io();
        pcitest_reset rec;
        rec.kind = hot ? "hot reset" : "FLR";
        rec.before_test = static_cast<unsigned>(before);
        begin(rec.kind + " before test " + std::to_string(before));
        rec.at_ns = io.now_ns();
        if (hot) {
            rec.status = host_.hot_reset(options_.sbr_hold_ns);
            std::vector<pci_dev> endpoints;
            if (!rec.status) rec.status = host_.enumerate(endpoints);
            const int i = host_.find(dev_.bus, dev_.dev, dev_.fn);
            if (!rec.status && i < 0) rec.status = -ENODEV;
            if (!rec.status) dev_ = host_.tree()[static_cast<unsigned>(i)];
        } else {
            rec.status = host_.function_reset(dev_, options_.flr_wait_ns);
        }
        if (!rec.status && driver_) rec.status = driver_->reset_done(dev_);
        rec.duration_ns = io.now_ns() - rec.at_ns;
        io.log(rec.status ? hal::log_level::error : hal::log_level::info, log_cat,
               rec.kind + " before test " + std::to_string(before) + ": " +
                   (rec.status ? std::string("failed: ") + err_name(rec.status) : "done"));
        // What the reset itself left in AER is not any test's.
        (void)host_.take_aer_errors(dev_);
        if (options_.resets) options_.resets->push_back(rec);
    }

    pci_host& host_;
    pci_dev dev_;
    pci_dev root_port_;
    const pcitest_options& options_;
    pci_endpoint_test* driver_ = nullptr;
    std::vector<test_result> rows_;
};

// pci_ep_bar.BARn.BAR_SUBRANGE_TEST.
void run_subrange_test(pci_endpoint_test& t, result_table& out, unsigned bar) {
    const std::string name = "pci_ep_bar.BAR" + std::to_string(bar) + ".BAR_SUBRANGE_TEST";
    out.begin(name);
    std::string detail;
    if (int ret = t.set_irq(PCITEST_IRQ_TYPE_AUTO, detail)) {
        out.push_back(judged(name, ret, "Can't set AUTO IRQ type: " + detail));
        return;
    }
    const int ret = t.bar_subrange_test(bar, detail);
    if (ret == -ENODATA)
        out.push_back(skipped(name, "BAR is disabled"));
    else if (ret == -EBUSY)
        out.push_back(skipped(name, "BAR is test register space"));
    else if (ret == -EOPNOTSUPP)
        out.push_back(skipped(name, "Subrange map is not supported"));
    else
        out.push_back(judged(name, ret, detail));
}

// The pci_ep_bar fixture, then pci_ep_basic's first test. The kselftest harness runs fixture by
// fixture, variant by variant, and each variant's tests in their order (test_harness_run), so
// each BAR's BAR_TEST is followed by its BAR_SUBRANGE_TEST where the list has one.
void run_bar_tests(pci_endpoint_test& t, result_table& out, bool subrange) {
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar) {
        const std::string name = "pci_ep_bar.BAR" + std::to_string(bar) + ".BAR_TEST";
        out.begin(name);
        std::string detail;
        int ret = t.bar_test(bar, detail);
        out.push_back(ret == -ENODATA ? skipped(name, "BAR is disabled")
                                      : judged(name, ret, detail));
        if (subrange) run_subrange_test(t, out, bar);
    }
    out.begin("pci_ep_basic.CONSECUTIVE_BAR_TEST");
    std::string detail;
    int ret = t.bars_test(detail);
    out.push_back(judged("pci_ep_basic.CONSECUTIVE_BAR_TEST", ret, detail));
}

// MSI_TEST / MSIX_TEST: every vector in turn; -EINVAL (vector not allocated) ends the loop
// with a SKIP, other errors are failures (EXPECT_FALSE: the loop goes on).
test_result run_vector_test(pci_endpoint_test& t, result_table& out, const std::string& name,
                            bool msix, const std::vector<unsigned>& vectors) {
    const char* kind = msix ? "MSI-X" : "MSI";
    out.begin(name);
    std::string detail;
    int ret = t.set_irq(msix ? PCITEST_IRQ_TYPE_MSIX : PCITEST_IRQ_TYPE_MSI, detail);
    if (ret) return judged(name, ret, std::string("Can't set ") + kind + " IRQ type: " + detail);
    unsigned failed = 0;
    std::string first_failure, skip_reason;
    for (unsigned i : vectors) {
        out.begin(name + " (" + kind + " vector " + std::to_string(i) + ")");
        detail.clear();
        ret = msix ? t.msix_irq_test(i, detail) : t.msi_irq_test(i, detail);
        if (ret == -EINVAL) {
            skip_reason = std::string(kind) + std::to_string(i) + " is disabled";
            break;
        }
        if (ret && !failed++) first_failure = failure(ret, detail);
    }
    test_result r;
    r.name = name;
    if (failed) {
        // A failure stays a failure even when a later vector is missing.
        r.result = verdict::fail;
        r.reason = first_failure;
        if (failed > 1) r.reason += " (" + std::to_string(failed) + " vectors failed)";
        if (!skip_reason.empty()) r.reason += "; then " + skip_reason;
    } else if (!skip_reason.empty()) {
        r.result = verdict::skip;
        r.reason = skip_reason;
    }
    return r;
}

} // namespace

std::vector<test_result> run_pcitest(pci_host& host, const hal::host_board& board,
                                     const pci_dev& dev, const pcitest_options& options) {
    result_table out(host, dev, options);
    host_mem mem(host.io(), board.ram);
    pci_endpoint_test_params params;
    params.test_reg_bar = options.test_reg_bar;
    params.alignment = options.alignment;
    params.irq_timeout_ns = options.irq_timeout_ns;
    params.xfer_timeout_ns = options.xfer_timeout_ns;
    params.seed = options.seed;
    params.kernel = options.kernel;
    pci_endpoint_test t(host, board, dev, mem, params);
    out.attach(&t);

    // pci_ep_bar.BARn.BAR_TEST (and BAR_SUBRANGE_TEST), pci_ep_basic.CONSECUTIVE_BAR_TEST.
    run_bar_tests(t, out, options.kernel == pcitest_kernel::next);

    // pci_ep_basic.LEGACY_IRQ_TEST.
    {
        const std::string name = "pci_ep_basic.LEGACY_IRQ_TEST";
        out.begin(name);
        std::string detail;
        // No skip without CAP_INTX: the kselftest sets INTx and expects the interrupt (an
        // endpoint that cannot assert INTx fails here, as RK3588's does under Linux).
        if (int ret = t.set_irq(PCITEST_IRQ_TYPE_INTX, detail)) {
            out.push_back(judged(name, ret, "Can't set Legacy IRQ type: " + detail));
        } else if (t.get_irq_type() != PCITEST_IRQ_TYPE_INTX) {
            out.push_back(judged(name, -EIO, "Can't get Legacy IRQ type"));
        } else {
            int ret2 = t.intx_irq_test(detail);
            out.push_back(judged(name, ret2, detail));
        }
    }

    // pci_ep_basic.MSI_TEST and MSIX_TEST.
    std::vector<unsigned> msi_vectors(msi_max_vectors);
    for (unsigned i = 0; i < msi_max_vectors; ++i)
        msi_vectors[i] = i + 1;
    out.push_back(run_vector_test(t, out, "pci_ep_basic.MSI_TEST", false, msi_vectors));
    std::vector<unsigned> msix_vectors = options.msix_vectors;
    if (msix_vectors.empty()) {
        msix_vectors.resize(msix_max_vectors);
        for (unsigned i = 0; i < msix_max_vectors; ++i)
            msix_vectors[i] = i + 1;
    }
    out.push_back(run_vector_test(t, out, "pci_ep_basic.MSIX_TEST", true, msix_vectors));

    // pci_ep_data_transfer.{memcpy,dma}.{READ,WRITE,COPY}_TEST, a row per size.
    using xfer_fn = int (pci_endpoint_test::*)(std::uint64_t, bool, std::string&);
    struct xfer_test {
        const char* name;
        xfer_fn fn;
    };
    const xfer_test xfer_tests[] = {{"READ_TEST", &pci_endpoint_test::read_test},
                                    {"WRITE_TEST", &pci_endpoint_test::write_test},
                                    {"COPY_TEST", &pci_endpoint_test::copy_test}};
    for (const bool use_dma : {false, true}) {
        const std::string variant =
            std::string("pci_ep_data_transfer.") + (use_dma ? "dma" : "memcpy") + ".";
        for (const auto& x : xfer_tests) {
            const std::string prefix = variant + x.name + ".";
            std::string detail;
            const int set = t.set_irq(PCITEST_IRQ_TYPE_AUTO, detail);
            const std::string set_detail = "Can't set AUTO IRQ type: " + detail;
            for (std::uint64_t size : xfer_sizes) {
                out.begin(prefix + std::to_string(size));
                detail.clear();
                const int ret = set ? set : (t.*x.fn)(size, use_dma, detail);
                out.push_back(
                    judged(prefix + std::to_string(size), ret, set ? set_detail : detail));
            }
        }
    }

    // pcie_ep_doorbell.DOORBELL_TEST. 6.18 has no skip path: the result is judged as it comes.
    const bool next = options.kernel == pcitest_kernel::next;
    {
        const std::string name = "pcie_ep_doorbell.DOORBELL_TEST";
        out.begin(name);
        std::string detail;
        // As the kselftest: the IRQ type first (ASSERT), then the doorbell ioctl, which the
        // driver answers -EOPNOTSUPP without CAP_DYNAMIC_INBOUND_MAPPING (SKIP).
        if (next && !options.doorbell) {
            out.push_back(skipped(name, "not supported: the doorbell test is not enabled"));
        } else if (int ret = t.set_irq(PCITEST_IRQ_TYPE_AUTO, detail)) {
            out.push_back(judged(name, ret, "Can't set AUTO IRQ type: " + detail));
        } else if (next && !(t.ep_caps() & epf_test::CAP_DYNAMIC_INBOUND_MAPPING)) {
            out.push_back(
                skipped(name, "not supported: the endpoint has no CAP_DYNAMIC_INBOUND_MAPPING"));
        } else {
            int ret2 = t.doorbell_test(detail);
            out.push_back(next && ret2 == -EOPNOTSUPP ? skipped(name, "not supported: " + detail)
                                                      : judged(name, ret2, detail));
        }
    }
    return out.take();
}

unsigned pcitest_rows(pcitest_kernel kernel) {
    constexpr unsigned bar_rows = pci::STD_NUM_BARS + 1; // BAR_TEST per BAR, CONSECUTIVE
    // BAR_SUBRANGE_TEST per BAR: not in Linux 6.18's list.
    const unsigned subrange_rows = kernel == pcitest_kernel::next ? pci::STD_NUM_BARS : 0;
    constexpr unsigned irq_rows = 3;       // LEGACY_IRQ, MSI, MSI-X
    constexpr unsigned xfer_kinds = 2 * 3; // memcpy/dma x READ/WRITE/COPY
    constexpr unsigned doorbell_rows = 1;
    return bar_rows + subrange_rows + irq_rows +
           xfer_kinds * static_cast<unsigned>(std::size(xfer_sizes)) + doorbell_rows;
}

std::string format_result_line(unsigned n, const test_result& r) {
    std::ostringstream os;
    switch (r.result) {
    case verdict::pass:
        os << "ok " << n << ' ' << r.name << '\n';
        break;
    case verdict::skip:
        os << "ok " << n << ' ' << r.name << " # SKIP " << r.reason << '\n';
        break;
    case verdict::fail:
        os << "not ok " << n << ' ' << r.name << " # " << r.reason << '\n';
        break;
    }
    return os.str();
}

std::string format_plan(unsigned rows) {
    return "TAP version 13\n1.." + std::to_string(rows) + '\n';
}

std::string format_totals(const std::vector<test_result>& results) {
    unsigned pass = 0, fail = 0, skip = 0;
    for (const auto& r : results) {
        pass += r.result == verdict::pass;
        skip += r.result == verdict::skip;
        fail += r.result == verdict::fail;
    }
    std::ostringstream os;
    os << "# Totals: pass:" << pass << " fail:" << fail << " xfail:0 xpass:0 skip:" << skip
       << " error:0\n";
    return os.str();
}

std::string format_results(const std::vector<test_result>& results) {
    std::string s = format_plan(static_cast<unsigned>(results.size()));
    unsigned n = 0;
    for (const auto& r : results)
        s += format_result_line(++n, r);
    return s + format_totals(results);
}

} // namespace fw::host

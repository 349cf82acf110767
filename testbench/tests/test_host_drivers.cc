// Host driver unit tests on the fake HAL (firmware/hal/fake_platform.h): the function's
// configuration space is plain memory at its ECAM address, so a test lays out a capability by
// hand and reads back what the driver wrote. Offsets and bits are written here from the PCIe Base
// Specification 5.0 (section 7.7.2, MSI-X Capability and Table Structure), not taken from the
// firmware's register header.
#define BOOST_TEST_MODULE host_drivers
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "firmware/hal/board.h"
#include "firmware/hal/crc32.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/fake_platform.h"
#include "firmware/host/msi_irq.h"
#include "firmware/host/pci_host.h"

#include <cstdint>

namespace {

constexpr std::uint64_t ECAM = 0xE0000000;
constexpr std::uint64_t DOORBELL = 0x1'2345'0000; // above 4 GiB: the upper address is written
constexpr unsigned BUS = 1;                       // bus 1, device 0, function 0
constexpr std::uint64_t CFG = ECAM + (std::uint64_t(BUS) << 20);

// MSI-X capability (Base 5.0 section 7.7.2): ID 0x11; Message Control at +2 (Table Size 10:0
// encoded N-1, Function Mask bit 14, MSI-X Enable bit 15); Table Offset/BIR at +4 (BIR 2:0);
// table entries of 16 bytes: Message Address, Upper Address, Data, Vector Control.
constexpr std::uint8_t CAP = 0xB0;
constexpr std::uint16_t CTRL_ENABLE = 0x8000, CTRL_FUNCTION_MASK = 0x4000;
// Command register (Base 5.0 section 7.5.1.1.3): Bus Master Enable bit 2, Interrupt Disable bit 10.
constexpr std::uint16_t CMD_BUS_MASTER = 0x0004, CMD_INTX_DISABLE = 0x0400;

hal::host_board make_board() {
    hal::host_board b;
    b.ecam = {ECAM, 256u << 20};
    b.msi_doorbell = {DOORBELL, 0x1000};
    return b;
}

struct rig {
    hal::fake_platform io;
    hal::host_board board = make_board();
    fw::host::pci_dev dev;
    fw::host::pci_host host{io, board, 1'000'000, 1'000};

    // A function whose MSI-X table has `table_entries` entries at `offset` in BAR `bir`.
    rig(unsigned table_entries, unsigned bir, std::uint32_t offset) {
        dev.bus = BUS;
        dev.msix_cap = CAP;
        dev.bars[0] = {0, 0x4000, false, false, false}; // sized, never assigned an address
        dev.bars[2] = {0x8000'0000, 0x4000, false, false, false};
        (void)io.write8(CFG + CAP, 0x11);
        (void)io.write16(CFG + CAP + 2, static_cast<std::uint16_t>(table_entries - 1));
        io.wr32(CFG + CAP + 4, offset | bir);
    }
    std::uint16_t rd16(std::uint64_t a) {
        std::uint16_t v = 0;
        (void)io.read16(a, v);
        return v;
    }
    std::uint16_t control() { return rd16(CFG + CAP + 2); }
    std::uint16_t command() { return rd16(CFG + 0x04); }
};

} // namespace

BOOST_AUTO_TEST_CASE(msix_table_entries_go_into_the_bar_the_capability_names) {
    rig t(8, 2, 0x1000);
    fw::host::msi_irq irq(t.host, t.board, t.dev);
    BOOST_TEST(irq.enable_msix(4) == 4);
    const std::uint64_t table = 0x8000'0000 + 0x1000;
    const std::uint32_t data0 = t.io.rd32(table + 8);
    BOOST_TEST(data0 % 32 == 0u); // a data base aligned to 32 vectors
    for (unsigned i = 0; i < 4; ++i) {
        const std::uint64_t e = table + 16 * i;
        BOOST_TEST(t.io.rd32(e) == 0x2345'0000u);
        BOOST_TEST(t.io.rd32(e + 4) == 0x1u);
        BOOST_TEST(t.io.rd32(e + 8) == data0 + i);
        BOOST_TEST(t.io.rd32(e + 12) == 0u); // unmasked
    }
    BOOST_TEST(t.io.rd32(table + 4 * 16) == 0u); // entry 4 was not asked for
    BOOST_TEST((t.control() & (CTRL_ENABLE | CTRL_FUNCTION_MASK)) == CTRL_ENABLE);
    const std::uint16_t command = t.command();
    BOOST_TEST((command & (CMD_BUS_MASTER | CMD_INTX_DISABLE)) ==
               (CMD_BUS_MASTER | CMD_INTX_DISABLE));
    // More vectors than the table has are cut to its size.
    rig u(8, 2, 0x1000);
    fw::host::msi_irq irq8(u.host, u.board, u.dev);
    BOOST_TEST(irq8.enable_msix(2048) == 8);
}

BOOST_AUTO_TEST_CASE(msix_with_a_table_outside_an_assigned_bar_is_refused_untouched) {
    struct row {
        unsigned entries, bir;
        std::uint32_t offset;
        const char* why;
    };
    const row rows[] = {
        {4, 6, 0x0, "BIR 6 is reserved"},
        {4, 7, 0x0, "BIR 7 is reserved"},
        {4, 0, 0x0, "BAR 0 was sized but never assigned"},
        {4, 2, 0x4000, "the table starts at the BAR's end"},
        {2, 2, 0x3FF8, "the table's first entry crosses the BAR's end"},
        {1025, 2, 0x0, "1025 entries are 16 400 bytes, the BAR 16 384"},
        {2, 2, 0x3FF0, "the second of two entries is past the BAR's end"},
    };
    for (const row& r : rows) {
        BOOST_TEST_CONTEXT(r.why) {
            rig t(r.entries, r.bir, r.offset);
            fw::host::msi_irq irq(t.host, t.board, t.dev);
            BOOST_TEST(irq.enable_msix(r.entries) == -EINVAL);
            BOOST_TEST((t.control() & CTRL_ENABLE) == 0);
            BOOST_TEST(t.command() == 0u); // Command untouched
        }
    }
}

BOOST_AUTO_TEST_CASE(msix_table_that_ends_at_the_bars_end_is_taken) {
    // 1024 entries of 16 bytes are 16 KiB, BAR 2's size; one entry in the BAR's last 16 bytes.
    rig t(1024, 2, 0x0);
    fw::host::msi_irq irq(t.host, t.board, t.dev);
    BOOST_TEST(irq.enable_msix(1024) == 1024);
    BOOST_TEST(t.io.rd32(0x8000'0000 + 0x3FF0) == 0x2345'0000u);
    rig u(1, 2, 0x3FF0);
    fw::host::msi_irq irq1(u.host, u.board, u.dev);
    BOOST_TEST(irq1.enable_msix(1) == 1);
    BOOST_TEST(u.io.rd32(0x8000'0000 + 0x3FF0) == 0x2345'0000u);
}

// The checksum the endpoint test protocol uses on both sides, Linux's crc32_le(~0, buf, len)
// (reflected polynomial 0xEDB88320, no final inversion): the CRC-32 catalogue's check value for
// "123456789" is 0xCBF43926 with the final inversion, so without it 0x340BC6D9.
BOOST_AUTO_TEST_CASE(crc32_le_matches_the_standard_check_value) {
    const char digits[] = "123456789";
    BOOST_TEST(fw::crc32_le(~0u, digits, 9) == 0x340BC6D9u);
    BOOST_TEST(fw::crc32_le(~0u, digits, 0) == ~0u); // nothing hashed: the seed
    // In two parts: the first part's result seeds the second.
    BOOST_TEST(fw::crc32_le(fw::crc32_le(~0u, digits, 4), digits + 4, 5) == 0x340BC6D9u);
}

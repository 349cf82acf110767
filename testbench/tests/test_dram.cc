// Unit tests of the DRAM timing (model/soc/dram_timing): every expected time is worked out by
// hand from the LPDDR5 defaults of dram_params (front end 60 ns, tRCD 18, tRP 18, CL 21.25,
// tRAS 42, tWR 34, 32-byte bursts, 12.8 bytes/ns per channel, 256-byte interleave over 2
// channels, 16 banks of 2 KiB rows, tRFC 210 every tREFI 3900) and the rules the datasheets
// state: an all-bank refresh needs and leaves every bank precharged (its rows closed); a
// precharge after a write waits tWR from the end of the write burst; a column access moves
// whole bursts.
// Also the memory controller's interrupt-generation window (model/soc/memory_controller): writes
// of 1, 2, 4, 8 bytes and bursts with byte enables, the values and slot offsets they leave in
// the FIFO (by the rule of memory_controller.h: one interrupt per aligned 32-bit slot with an
// enabled byte, the enabled bytes in their little-endian lanes), its cost per access and the
// per-master counts.
#define BOOST_TEST_MODULE dram
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "contracts/irq_window_regs.h"
#include "model/soc/dram_timing.h"
#include "model/soc/memory_controller.h"
#include "model/soc/soc_attr.h"

#include <cstdint>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

using epvp::soc::dram_params;
using epvp::soc::dram_timing;
constexpr auto rd = epvp::soc::dram_dir::read;
constexpr auto wr = epvp::soc::dram_dir::write;

namespace {
constexpr double eps = 1e-9;
}

BOOST_AUTO_TEST_CASE(row_miss_hit_and_conflict_latencies) {
    dram_timing d{dram_params{}};
    double q = -1;
    // Closed bank: 60 + tRCD 18 + CL 21.25 + 64 B / 12.8 = 104.25 ns.
    BOOST_TEST(d.access(0, 64, 1000, rd, &q) - 1000 == 104.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 0.0);
    // Same row later: 60 + 21.25 + 5 = 86.25 ns.
    BOOST_TEST(d.access(0, 64, 2000, rd, &q) - 2000 == 86.25, boost::test_tools::tolerance(eps));
    // Same bank (channel 0, local offset 16 rows x 2 KiB), other row: + tRP + tRCD = 122.25 ns.
    BOOST_TEST(d.access(65536, 64, 3000, rd, &q) - 3000 == 122.25,
               boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 0.0);
    BOOST_TEST(d.counters().row_misses == 1u);
    BOOST_TEST(d.counters().row_hits == 1u);
    BOOST_TEST(d.counters().row_conflicts == 1u);
}

BOOST_AUTO_TEST_CASE(a_second_access_queues_behind_the_first) {
    dram_timing d{dram_params{}};
    double qa = -1, qb = -1;
    d.access(0, 64, 1000, rd, &qa); // bank busy until its CAS + burst: 1078 + 5 = 1083
    // Same row, same time: waits for the bank (1083 - 1060 = 23 ns), then its burst follows the
    // first one's on the data bus without a gap: done at 1104.25 + 5.
    const double done = d.access(64, 64, 1000, rd, &qb);
    BOOST_TEST(qa == 0.0);
    BOOST_TEST(qb == 23.0, boost::test_tools::tolerance(eps));
    BOOST_TEST(done == 1109.25, boost::test_tools::tolerance(eps));
    // The other channel (bytes 256..511) is independent: no wait.
    double qc = -1;
    d.access(256, 64, 1000, rd, &qc);
    BOOST_TEST(qc == 0.0);
}

BOOST_AUTO_TEST_CASE(refresh_blocks_the_channel) {
    dram_timing d{dram_params{}};
    double q = -1;
    // Ready at the front end's output 5 ns into the second refresh window [7800, 8010): waits
    // 205 ns, then a row miss.
    const double done = d.access(0, 64, 7745, rd, &q);
    BOOST_TEST(q == 205.0, boost::test_tools::tolerance(eps));
    BOOST_TEST(done == 8010 + 18 + 21.25 + 5, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.counters().refresh_stalls == 1u);
    BOOST_TEST(d.counters().refresh_stall_ns == 205.0, boost::test_tools::tolerance(eps));
}

BOOST_AUTO_TEST_CASE(a_refresh_between_two_accesses_closes_the_row) {
    dram_timing d{dram_params{}};
    double q = -1;
    // Row 0 opened at 360; the refresh at 3900 closes it; the access at 4460 is a miss again:
    // 60 + 18 + 21.25 + 5 = 104.25 ns, not the hit's 86.25.
    d.access(0, 64, 300, rd, &q);
    BOOST_TEST(d.access(0, 64, 4400, rd, &q) - 4400 == 104.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 0.0);
    BOOST_TEST(d.counters().row_misses == 2u);
    BOOST_TEST(d.counters().row_hits == 0u);
}

BOOST_AUTO_TEST_CASE(an_access_whose_data_would_cross_a_refresh_starts_after_it) {
    dram_timing d{dram_params{}};
    double q = -1;
    // Ready at 3899: activate, CAS at 3917, data at 3938.25, after the refresh at 3900 began.
    // It starts again when the refresh ends (4110) as a miss: 4110 + 18 + 21.25 + 5.
    BOOST_TEST(d.access(0, 64, 3839, rd, &q) == 4154.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 211.0, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.counters().refresh_stalls == 1u);
    BOOST_TEST(d.counters().row_misses == 1u);
}

BOOST_AUTO_TEST_CASE(a_refresh_inside_a_long_burst_pauses_it) {
    dram_params p;
    p.interleave_bytes = 65536; // one 64 KiB access on one channel: 5120 ns of data
    dram_timing d{p};
    // Ready at 60, inside the refresh [0, 210): waits to 210; activate, CAS at 228, data from
    // 249.25 to 5369.25, but the refresh at 3900 falls inside: + tRFC 210, activate again 18,
    // CAS 21.25: done at 5618.5 (the next refresh, 7800, is after it).
    BOOST_TEST(d.access(0, 65536, 0, rd) == 5618.5, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.counters().refresh_stalls == 2u);
    BOOST_TEST(d.counters().refresh_stall_ns == 150.0 + 249.25, boost::test_tools::tolerance(eps));
}

BOOST_AUTO_TEST_CASE(tras_counts_from_the_activate_after_a_pause) {
    dram_timing d{dram_params{}};
    // A: ready at 3859.75, activate, CAS 3877.75, data from 3899; the refresh at 3900 pauses it
    // after 1 ns: the rest (4 ns) follows tRFC, an activate (at 4110) and a CAS later: done at
    // 3904 + 210 + 18 + 21.25 = 4153.25; its next column command may start at 3877.75 + 5 +
    // 249.25 = 4132.
    BOOST_TEST(d.access(0, 64, 3799.75, rd) == 4153.25, boost::test_tools::tolerance(eps));
    // B, another row of bank 0, ready at 4132: the precharge waits for tRAS from the activate
    // at 4110 (4152), then tRP, tRCD, CL and 5 ns of data.
    BOOST_TEST(d.access(65536, 64, 4072, rd) == 4152 + 18 + 18 + 21.25 + 5,
               boost::test_tools::tolerance(eps));
    BOOST_TEST(d.counters().row_conflicts == 1u);
}

// A long transfer over many short refresh intervals: tREFI 1000 ns, tRFC 400, tRCD + CL 100
// (pause 500, so 500 ns of data per interval), 12.8 B/ns, one 64 KiB chunk: 5120 ns of data
// from 0 + 60 (front end) -> inside the refresh [0, 400): the activate at 400, data from 500.
// First pause at 1000 after 500 ns of data; 4620 ns remain, 500 per interval: 10 pauses (the
// last data ends at 10000 + 500 + 120, before 11000). Done at 500 + 5120 + 10 x 500 = 10620.
BOOST_AUTO_TEST_CASE(a_transfer_over_many_refreshes_pauses_once_per_refresh) {
    dram_params p;
    p.interleave_bytes = 65536;
    p.t_refi_ns = 1000;
    p.t_rfc_ns = 400;
    p.t_rcd_ns = 50;
    p.t_cl_ns = 50;
    dram_timing d{p};
    BOOST_TEST(d.access(0, 65536, 0, rd) == 10620.0, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.counters().refresh_stalls == 1u + 10u); // the wait for the first, 10 pauses
}

BOOST_AUTO_TEST_CASE(a_write_delays_the_precharge_of_its_bank_by_twr) {
    // Both at 1000, the second to another row of bank 0 of channel 0 (65536 = 16 rows x 2 KiB
    // further on that channel). The first: activate 1060, CAS 1078, data 1099.25..1104.25. The
    // second waits for the bank (its column command is free at 1083) and precharges at
    // max(1083, activate + tRAS = 1102, after a write: 1104.25 + tWR 34 = 1138.25), then
    // tRP, tRCD, CL and 5 ns of data.
    for (const auto first : {rd, wr}) {
        dram_timing d{dram_params{}};
        d.access(0, 64, 1000, first);
        double q = -1;
        const double done = d.access(65536, 64, 1000, rd, &q);
        const double precharge = first == wr ? 1138.25 : 1102;
        BOOST_TEST(done == precharge + 18 + 18 + 21.25 + 5, boost::test_tools::tolerance(eps));
        BOOST_TEST(q == 23.0, boost::test_tools::tolerance(eps));
        BOOST_TEST(d.counters().row_conflicts == 1u);
    }
}

BOOST_AUTO_TEST_CASE(short_accesses_move_whole_bursts) {
    dram_timing d{dram_params{}};
    d.access(0, 64, 1000, rd); // opens row 0 of bank 0
    // Three 8-byte reads at 2000, each a row hit moving one 32-byte burst (2.5 ns): the first's
    // data at 2081.25..2083.75; the others follow one burst apart (their column commands wait
    // for the previous burst).
    BOOST_TEST(d.access(0, 8, 2000, rd) == 2083.75, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.access(8, 8, 2000, rd) == 2086.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(d.access(16, 8, 2000, rd) == 2088.75, boost::test_tools::tolerance(eps));
    // Eight bytes across a burst boundary (28..35) move two bursts: 5 ns.
    BOOST_TEST(d.access(28, 8, 3000, rd) - 3000 == 60 + 21.25 + 5,
               boost::test_tools::tolerance(eps));
}

BOOST_AUTO_TEST_CASE(an_access_does_not_queue_behind_its_own_pieces) {
    dram_timing d{dram_params{}};
    double q = -1;
    // 4 KiB at 1000: 16 pieces of 256 bytes, 8 on each channel, all in row 0 of bank 0 there.
    // Per channel: the first a miss (CAS 1078, data 1099.25..1119.25), each next one a hit 20 ns
    // later: the eighth ends at 1099.25 + 8 x 20 = 1259.25. No other access: no queueing.
    BOOST_TEST(d.access(0, 4096, 1000, rd, &q) == 1259.25, boost::test_tools::tolerance(eps));
    BOOST_TEST(q == 0.0);
}

// ---- interrupt-generation window ---------------------------------------------------------------

namespace {

// A bus master that issues one access at a time and reports the delay it was charged.
struct master_port : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<master_port> out;
    explicit master_port(sc_core::sc_module_name n)
        : sc_module(n)
        , out("out") {}
    // Returns the delay the access added; bytes in/out through data.
    sc_core::sc_time access(epvp::soc::master who, bool write, std::uint64_t addr,
                            std::vector<unsigned char>& data,
                            const std::vector<unsigned char>& be = {}) {
        tlm::tlm_generic_payload gp;
        epvp::soc::soc_attr attr;
        attr.initiator = who;
        gp.set_extension(&attr);
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(data.data());
        gp.set_data_length(static_cast<unsigned>(data.size()));
        gp.set_streaming_width(static_cast<unsigned>(data.size()));
        std::vector<unsigned char> be_copy = be;
        if (!be_copy.empty()) {
            gp.set_byte_enable_ptr(be_copy.data());
            gp.set_byte_enable_length(static_cast<unsigned>(be_copy.size()));
        }
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        out->b_transport(gp, delay);
        gp.clear_extension(&attr);
        BOOST_TEST(gp.is_response_ok());
        return delay;
    }
    std::uint32_t rd32(std::uint64_t addr) {
        std::vector<unsigned char> d(4);
        access(epvp::soc::master::ep_cpu, false, addr, d);
        return std::uint32_t(d[0]) | std::uint32_t(d[1]) << 8 | std::uint32_t(d[2]) << 16 |
               std::uint32_t(d[3]) << 24;
    }
};

constexpr unsigned char on = 0xFF, off = 0x00; // TLM byte enables

} // namespace

BOOST_AUTO_TEST_CASE(interrupt_window_takes_any_width_with_byte_enables) {
    using epvp::soc::master;
    constexpr std::uint64_t window = 0xF0000; // offset of the window in a 1 MiB DRAM
    const sc_core::sc_time latency(60, sc_core::SC_NS);
    epvp::soc::memory_controller mc("mc", 1 << 20, nullptr,
                                    epvp::soc::irq_window_params{window, 4096, 16, latency});
    epvp::soc::memory_controller small("small", 1 << 20, nullptr,
                                       epvp::soc::irq_window_params{window, 4096, 2, latency});
    master_port cpu("cpu"), cpu2("cpu2");
    sc_core::sc_signal<bool> irq("irq"), irq2("irq2");
    cpu.out.bind(mc.in);
    cpu2.out.bind(small.in);
    mc.window_irq.bind(irq);
    small.window_irq.bind(irq2);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);

    // Writes by the eDMA; each costs the window's 60 ns whatever its width.
    std::vector<sc_core::sc_time> delays;
    std::vector<unsigned char> d4 = {0x44, 0x33, 0x22, 0x11};
    delays.push_back(cpu.access(master::edma, true, window + 0x10, d4));
    std::vector<unsigned char> d1 = {0xAB};
    delays.push_back(cpu.access(master::edma, true, window + 0x21, d1));
    std::vector<unsigned char> d2 = {0xCD, 0xEF};
    delays.push_back(cpu.access(master::edma, true, window + 0x32, d2));
    std::vector<unsigned char> d8 = {1, 2, 3, 4, 5, 6, 7, 8};
    delays.push_back(cpu.access(master::edma, true, window + 0x40, d8));
    // A 16-byte burst, byte enables repeating every 4 bytes (low half of each slot).
    std::vector<unsigned char> d16(16);
    for (unsigned i = 0; i < 16; ++i)
        d16[i] = static_cast<unsigned char>(0xA0 + i);
    delays.push_back(cpu.access(master::edma, true, window + 0x80, d16, {on, on, off, off}));
    // A 12-byte burst with the middle slot's bytes all disabled: two interrupts.
    std::vector<unsigned char> d12 = {0x10, 0x11, 0x12, 0x13, 0x20, 0x21,
                                      0x22, 0x23, 0x30, 0x31, 0x32, 0x33};
    delays.push_back(cpu.access(master::edma, true, window + 0xC0, d12,
                                {on, on, on, on, off, off, off, off, on, on, on, on}));
    for (const auto& t : delays)
        BOOST_TEST(t == latency);
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_NS)); // the line follows in a few deltas
    BOOST_TEST(irq.read());

    // Expected FIFO, by hand: (slot offset, value).
    struct entry {
        std::uint32_t offset, value;
    };
    const entry want[] = {
        {0x10, 0x11223344},                     // 4 bytes
        {0x20, 0x0000AB00},                     // 1 byte in lane 1
        {0x30, 0xEFCD0000},                     // 2 bytes in lanes 2..3
        {0x40, 0x04030201},                     // 8 bytes: two slots
        {0x44, 0x08070605}, {0x80, 0x0000A1A0}, // burst, lanes 0..1 of each slot
        {0x84, 0x0000A5A4}, {0x88, 0x0000A9A8},
        {0x8C, 0x0000ADAC}, {0xC0, 0x13121110}, // slot 0xC4 had no enabled byte
        {0xC8, 0x33323130},
    };
    constexpr unsigned n = sizeof want / sizeof want[0];
    BOOST_TEST(mc.window_writes() == n);
    BOOST_TEST(cpu.rd32(window + irq_window::COUNT) == n);
    // A 2-byte read of COUNT's low half.
    std::vector<unsigned char> r2(2);
    cpu.access(master::ep_cpu, false, window + irq_window::COUNT, r2);
    BOOST_TEST(r2[0] == n);
    BOOST_TEST(r2[1] == 0);
    for (unsigned i = 0; i + 1 < n; ++i)
        BOOST_TEST_CONTEXT("entry " << i) {
            BOOST_TEST(cpu.rd32(window + irq_window::POP) == want[i].value);
            BOOST_TEST(cpu.rd32(window + irq_window::LAST_OFFSET) == want[i].offset);
        }
    // The last one by an 8-byte read of POP and COUNT: POP in bytes 0..3, then COUNT (0 now).
    std::vector<unsigned char> r8(8, 0xEE);
    cpu.access(master::ep_cpu, false, window + irq_window::POP, r8);
    BOOST_TEST((std::uint32_t(r8[0]) | std::uint32_t(r8[1]) << 8 | std::uint32_t(r8[2]) << 16 |
                std::uint32_t(r8[3]) << 24) == want[n - 1].value);
    BOOST_TEST((r8[4] | r8[5] | r8[6] | r8[7]) == 0);
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_NS)); // the line follows in a few deltas
    BOOST_TEST(!irq.read());

    // Per master: the eDMA's 6 writes (4 + 1 + 2 + 8 + 16 + 12 = 43 bytes), the CPU's reads
    // (COUNT 4, COUNT 2, 10 x (POP 4 + LAST_OFFSET 4), 8 = 94 bytes in 23 accesses), 60 ns each.
    const auto masters = mc.master_queues();
    const auto& e = masters.at("edma");
    BOOST_TEST(e.accesses == 6u);
    BOOST_TEST(e.window_accesses == 6u);
    BOOST_TEST(e.bytes == 43u);
    BOOST_TEST(e.latency_ns == 6 * 60.0, boost::test_tools::tolerance(1e-9));
    const auto& c = masters.at("ep-cpu");
    BOOST_TEST(c.accesses == 23u);
    BOOST_TEST(c.window_accesses == 23u);
    BOOST_TEST(c.bytes == 94u);
    BOOST_TEST(c.latency_ns == 23 * 60.0, boost::test_tools::tolerance(1e-9));

    // Debug transport (a debugger, a loader) does not reach into the window: no byte read or
    // written there, across its lower edge either; below it, DRAM as usual. No interrupt.
    const auto dbg = [&](bool write, std::uint64_t addr, std::vector<unsigned char>& d) {
        tlm::tlm_generic_payload gp;
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(d.data());
        gp.set_data_length(static_cast<unsigned>(d.size()));
        return cpu.out->transport_dbg(gp);
    };
    std::vector<unsigned char> dd = {1, 2, 3, 4, 5, 6, 7, 8};
    BOOST_TEST(dbg(true, window + 0x10, dd) == 0u);
    BOOST_TEST(dbg(false, window + irq_window::COUNT, dd) == 0u);
    BOOST_TEST(dbg(false, window - 4, dd) == 0u);     // 4 bytes below, 4 in the window
    BOOST_TEST(dbg(true, window - 0x1000, dd) == 8u); // wholly below
    std::vector<unsigned char> back(8);
    BOOST_TEST(dbg(false, window - 0x1000, back) == 8u);
    BOOST_TEST((back == dd));
    BOOST_TEST(mc.window_writes() == n);

    // A FIFO of 2: a 16-byte burst is 4 interrupts, 2 kept and 2 lost.
    std::vector<unsigned char> b16(16, 0x5A);
    cpu2.access(master::pcie_inbound, true, window + 0x100, b16);
    BOOST_TEST(small.window_writes() == 4u);
    BOOST_TEST(small.window_overflows() == 2u);
    BOOST_TEST(cpu2.rd32(window + irq_window::OVERFLOW) == 2u);
    BOOST_TEST(cpu2.rd32(window + irq_window::COUNT) == 2u);
    BOOST_TEST(cpu2.rd32(window + irq_window::POP) == 0x5A5A5A5Au);
    BOOST_TEST(cpu2.rd32(window + irq_window::LAST_OFFSET) == 0x100u);
    BOOST_TEST(cpu2.rd32(window + irq_window::POP) == 0x5A5A5A5Au);
    BOOST_TEST(cpu2.rd32(window + irq_window::LAST_OFFSET) == 0x104u);

    // A burst-mode page write (access_pieces) into the window is one write per piece: three
    // 4-byte pieces are 3 window accesses of 60 ns each and 3 interrupts.
    const std::uint64_t writes_before = mc.window_writes();
    std::vector<unsigned char> three(12, 0x11);
    epvp::soc::access_pieces pieces;
    pieces.pieces.assign(3, epvp::soc::access_pieces::piece{4, sc_core::sc_time_stamp(), {}});
    epvp::soc::soc_attr attr;
    attr.initiator = master::pcie_inbound;
    tlm::tlm_generic_payload gp;
    gp.set_extension(&attr);
    gp.set_extension(&pieces);
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(window + 0x200);
    gp.set_data_ptr(three.data());
    gp.set_data_length(12);
    gp.set_streaming_width(12);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    cpu.out->b_transport(gp, delay);
    gp.clear_extension(&attr);
    gp.clear_extension(&pieces);
    BOOST_TEST(gp.is_response_ok());
    BOOST_TEST(mc.window_writes() == writes_before + 3);
    const auto queues = mc.master_queues(); // a copy: keep it while `in` refers into it
    const auto& in = queues.at("pcie-inbound");
    BOOST_TEST(in.accesses == 3u);
    BOOST_TEST(in.window_accesses == 3u);
    BOOST_TEST(in.bytes == 12u);
    BOOST_TEST(in.latency_ns == 3 * 60.0, boost::test_tools::tolerance(1e-9));
    for (const auto& p : pieces.pieces)
        BOOST_TEST(p.done == sc_core::sc_time_stamp() + latency);

    // An access that starts below the window and runs into it is neither DRAM nor window: an
    // address error, like one past the window's end, and nothing is stored or raised. A
    // burst-mode write into the window with a repeating byte-enable pattern (TLM-2.0: byte i is
    // enabled by be[i % length], counted from the start of the whole transaction) enables the
    // same bytes as one write would.
    while (cpu.rd32(window + irq_window::COUNT) != 0)
        (void)cpu.rd32(window + irq_window::POP);
    const std::uint64_t window_writes = mc.window_writes();
    auto transport = [&](bool write, std::uint64_t addr, std::vector<unsigned char>& data,
                         epvp::soc::access_pieces* pieces, std::vector<unsigned char> be) {
        epvp::soc::soc_attr attr;
        attr.initiator = master::pcie_inbound;
        tlm::tlm_generic_payload gp;
        gp.set_extension(&attr);
        if (pieces) gp.set_extension(pieces);
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(data.data());
        gp.set_data_length(static_cast<unsigned>(data.size()));
        gp.set_streaming_width(static_cast<unsigned>(data.size()));
        if (!be.empty()) {
            gp.set_byte_enable_ptr(be.data());
            gp.set_byte_enable_length(static_cast<unsigned>(be.size()));
        }
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        cpu.out->b_transport(gp, delay);
        gp.clear_extension(&attr);
        if (pieces) gp.clear_extension(pieces);
        return gp.get_response_status();
    };
    std::vector<unsigned char> eight(8, 0xA5);
    BOOST_TEST(transport(true, window - 4, eight, nullptr, {}) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(transport(false, window - 4, eight, nullptr, {}) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(mc.window_writes() == window_writes);
    std::vector<unsigned char> below(4, 0xFF);
    BOOST_TEST(transport(false, window - 4, below, nullptr, {}) == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(below == std::vector<unsigned char>(4, 0)); // nothing was stored there
    // 12 bytes 0x10..0x1B in three 4-byte pieces, pattern {on, off, on}: bytes 0, 2, 3, 5, 6,
    // 8, 9, 11 enabled, so the slots get 0x13120010, 0x00161500 and 0x1B001918.
    std::vector<unsigned char> data(12);
    for (unsigned i = 0; i < data.size(); ++i)
        data[i] = static_cast<unsigned char>(0x10 + i);
    epvp::soc::access_pieces rotated;
    rotated.pieces.assign(3, epvp::soc::access_pieces::piece{4, sc_core::sc_time_stamp(), {}});
    BOOST_TEST(transport(true, window + 0x300, data, &rotated, {on, off, on}) ==
               tlm::TLM_OK_RESPONSE);
    BOOST_TEST(mc.window_writes() == window_writes + 3);
    BOOST_TEST(cpu.rd32(window + irq_window::POP) == 0x13120010u);
    BOOST_TEST(cpu.rd32(window + irq_window::POP) == 0x00161500u);
    BOOST_TEST(cpu.rd32(window + irq_window::POP) == 0x1B001918u);
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

// The SoC blocks the firmware binary runs against (cpu.kind = iss): the timer, the console UART
// and the CPU's view of the interrupt controller, through their TLM register sockets. Expected
// values come from the register contracts (contracts/timer_regs.h, uart_regs.h,
// intc_regs.h) and hand arithmetic in the comments.
#define BOOST_TEST_MODULE iss_blocks
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "contracts/intc_regs.h"
#include "contracts/timer_regs.h"
#include "contracts/uart_regs.h"
#include "model/soc/intc_view.h"
#include "model/soc/irq_controller.h"
#include "model/soc/timer.h"
#include "model/soc/uart.h"
#include "testbench/tests/tlm_test_util.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <utility>
#include <vector>

namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

// One initiator socket per block; accesses return the TLM response.
struct port : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<port> out;
    explicit port(sc_core::sc_module_name n)
        : sc_module(n)
        , out("out") {}
    tlm::tlm_response_status access(bool write, std::uint32_t addr, void* data, unsigned len,
                                    sc_time delay = sc_core::SC_ZERO_TIME) {
        return tlm_test::access(out, write, addr, data, len, delay);
    }
    std::uint64_t rd(std::uint32_t addr, unsigned len = 4) {
        std::uint64_t v = 0;
        BOOST_TEST(access(false, addr, &v, len) == tlm::TLM_OK_RESPONSE);
        return v;
    }
    void wr(std::uint32_t addr, std::uint64_t v, unsigned len = 4) {
        BOOST_TEST(access(true, addr, &v, len) == tlm::TLM_OK_RESPONSE);
    }
    // Debug transport: the bytes the target says it transferred.
    unsigned dbg(bool write, std::uint32_t addr, void* data, unsigned len) {
        tlm::tlm_generic_payload gp;
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(len);
        return out->transport_dbg(gp);
    }
};

struct bench : sc_core::sc_module {
    epvp::soc::timer tmr{"tmr"};
    std::vector<std::pair<std::uint32_t, std::string>> lines;
    std::vector<sc_time> line_times;
    epvp::soc::uart con{"con",
                        [this](std::uint32_t level, const std::string& line, const sc_time& at) {
                            lines.emplace_back(level, line);
                            line_times.push_back(at);
                        }};
    epvp::soc::irq_controller irqc{"irqc", 8};
    epvp::soc::intc_view view{"view", irqc};
    port t{"t"}, u{"u"}, i{"i"};
    sc_core::sc_signal<bool> timer_line{"timer_line"};
    std::vector<sc_core::sc_signal<bool>> src{8};
    std::uint64_t late_count = 0;
    // A decoupled write to the interrupt-controller view's MASK, issued when mask_go fires.
    sc_core::sc_event mask_go;
    std::uint32_t mask_value = 0;
    sc_time mask_delay;

    SC_HAS_PROCESS(bench);
    explicit bench(sc_core::sc_module_name n)
        : sc_module(n) {
        t.out.bind(tmr.regs);
        u.out.bind(con.regs);
        i.out.bind(view.regs);
        tmr.irq.bind(timer_line);
        for (unsigned l = 0; l < 8; ++l)
            irqc.lines[l].bind(src[l]);
        SC_THREAD(decoupled_reader);
        SC_THREAD(decoupled_mask_writer);
    }
    void decoupled_mask_writer() {
        for (;;) {
            sc_core::wait(mask_go);
            std::uint32_t v = mask_value;
            i.access(true, intc::MASK, &v, 4, mask_delay);
        }
    }
    // A temporally decoupled initiator 250 ns ahead of the kernel at time 0.
    void decoupled_reader() {
        std::uint64_t v = 0;
        t.access(false, soc_timer::COUNT, &v, 8, sc_time(250, SC_NS));
        late_count = v;
    }
};

bench& tb() {
    static bench* b = new bench("tb"); // lives for the whole program (SystemC owns modules)
    return *b;
}

} // namespace

BOOST_AUTO_TEST_CASE(timer_counts_nanoseconds_and_interrupts_at_compare) {
    bench& b = tb();
    sc_core::sc_start(sc_time(1000, SC_NS));
    // The decoupled read acted at its own time: 0 + 250 ns = 250 counts at 1 count/ns.
    BOOST_TEST(b.late_count == 250u);
    BOOST_TEST(b.t.rd(soc_timer::COUNT, 8) == 1000u);
    BOOST_TEST(b.t.rd(soc_timer::COUNT) == 1000u);  // lower half
    BOOST_TEST(b.t.rd(soc_timer::COUNT + 4) == 0u); // upper half
    BOOST_TEST(b.t.rd(soc_timer::FREQ_HZ) == 1'000'000'000u);
    BOOST_TEST(b.t.rd(soc_timer::COMPARE, 8) == ~std::uint64_t{0}); // reset value
    // COMPARE written as two halves: 0x0000_0000_0000_05DC = 1500.
    b.t.wr(soc_timer::COMPARE + 4, 0);
    b.t.wr(soc_timer::COMPARE, 1500);
    BOOST_TEST(b.t.rd(soc_timer::COMPARE, 8) == 1500u);
    b.t.wr(soc_timer::CTRL, soc_timer::CTRL_ENABLE);
    sc_core::sc_start(sc_time(499, SC_NS)); // t = 1499 < 1500
    BOOST_TEST(!b.timer_line.read());
    BOOST_TEST(b.t.rd(soc_timer::STATUS) == 0u);
    sc_core::sc_start(sc_time(1, SC_NS));     // t = 1500: COUNT >= COMPARE
    sc_core::sc_start(sc_core::SC_ZERO_TIME); // the notifications due at 1500 run
    BOOST_TEST(b.timer_line.read());
    BOOST_TEST(b.t.rd(soc_timer::STATUS) == soc_timer::STATUS_ISTATUS);
    // Disabled: the line drops, the condition stays.
    b.t.wr(soc_timer::CTRL, 0);
    sc_core::sc_start(sc_time(1, SC_NS));
    BOOST_TEST(!b.timer_line.read());
    BOOST_TEST(b.t.rd(soc_timer::STATUS) == soc_timer::STATUS_ISTATUS);
    // A compare in the future clears the condition; re-enabled, the line stays low until then.
    b.t.wr(soc_timer::COMPARE, 2000, 8);
    b.t.wr(soc_timer::CTRL, soc_timer::CTRL_ENABLE);
    sc_core::sc_start(sc_time(1, SC_NS)); // t = 1502
    BOOST_TEST(!b.timer_line.read());
    sc_core::sc_start(sc_time(498, SC_NS)); // t = 2000
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    BOOST_TEST(b.timer_line.read());
    b.t.wr(soc_timer::CTRL, 0);
    // COUNT is read-only; 2-byte accesses and 8-byte accesses to CTRL are refused.
    b.t.wr(soc_timer::COUNT, 7, 8);
    BOOST_TEST(b.t.rd(soc_timer::COUNT, 8) == 2000u);
    std::uint64_t v = 0;
    BOOST_TEST(b.t.access(false, soc_timer::CTRL, &v, 2) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    BOOST_TEST(b.t.access(false, soc_timer::CTRL, &v, 8) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    // Enabled between two counter steps (t = 2000.4 ns): the line rises when the counter reaches
    // COMPARE = 2100, at 2100 ns exactly (it rose at 2100.4 ns, a step late).
    sc_core::sc_start(sc_time(400, sc_core::SC_PS));
    b.t.wr(soc_timer::COMPARE, 2100, 8);
    b.t.wr(soc_timer::CTRL, soc_timer::CTRL_ENABLE);
    sc_core::sc_start(sc_time(99600, sc_core::SC_PS)); // t = 2100 ns
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    BOOST_TEST(b.timer_line.read());
    // A COMPARE beyond SystemC's time range (~0, the reset value) is never reached.
    b.t.wr(soc_timer::COMPARE, ~std::uint64_t{0}, 8);
    sc_core::sc_start(sc_time(1, SC_NS));
    BOOST_TEST(!b.timer_line.read());
    b.t.wr(soc_timer::CTRL, 0);
}

BOOST_AUTO_TEST_CASE(uart_prints_lines_at_the_level_they_began_with) {
    bench& b = tb();
    b.lines.clear();
    BOOST_TEST(b.u.rd(uart::STATUS) == uart::STATUS_TX_READY);
    BOOST_TEST(b.u.rd(uart::LEVEL) == uart::LEVEL_INFO); // reset value
    for (char c : std::string("fw: up\n"))
        b.u.wr(uart::TX, static_cast<unsigned char>(c), 1);
    b.u.wr(uart::LEVEL, uart::LEVEL_ERROR);
    b.u.wr(uart::TX, 'x', 1);
    b.u.wr(uart::LEVEL, uart::LEVEL_DEBUG); // mid-line: the line keeps ERROR
    b.u.wr(uart::TX, 0x100 | 'y');          // a 4-byte write: its low byte is the character
    b.u.wr(uart::TX, '\n', 1);
    BOOST_REQUIRE_EQUAL(b.lines.size(), 2u);
    BOOST_TEST(b.lines[0].first == uart::LEVEL_INFO);
    BOOST_TEST(b.lines[0].second == "fw: up");
    BOOST_TEST(b.lines[1].first == uart::LEVEL_ERROR);
    BOOST_TEST(b.lines[1].second == "xy");
    // 1024 + 6 characters: one full piece, then the rest at the newline.
    b.lines.clear();
    for (unsigned n = 0; n < uart::LINE_BYTES + 6; ++n)
        b.u.wr(uart::TX, 'a', 1);
    b.u.wr(uart::TX, '\n', 1);
    BOOST_REQUIRE_EQUAL(b.lines.size(), 2u);
    BOOST_TEST(b.lines[0].second.size() == 1024u);
    BOOST_TEST(b.lines[1].second == "aaaaaa");
    // Exactly 1024 characters: one piece; its newline prints no empty line after it. An empty
    // line of its own still prints.
    b.lines.clear();
    for (unsigned n = 0; n < uart::LINE_BYTES; ++n)
        b.u.wr(uart::TX, 'b', 1);
    b.u.wr(uart::TX, '\n', 1);
    b.u.wr(uart::TX, '\n', 1);
    BOOST_REQUIRE_EQUAL(b.lines.size(), 2u);
    BOOST_TEST(b.lines[0].second.size() == 1024u);
    BOOST_TEST(b.lines[1].second.empty());
    std::uint16_t h = 0;
    BOOST_TEST(b.u.access(true, uart::TX, &h, 2) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    // A line carries the time of the write that ended it: the kernel's time plus the write's
    // annotated delay (a CPU ahead of the kernel under temporal decoupling).
    b.line_times.clear();
    b.u.wr(uart::TX, 'z', 1);
    std::uint64_t newline = '\n';
    BOOST_TEST(b.u.access(true, uart::TX, &newline, 1, sc_time(250, SC_NS)) ==
               tlm::TLM_OK_RESPONSE);
    BOOST_REQUIRE_EQUAL(b.line_times.size(), 1u);
    BOOST_TEST(b.line_times[0] == sc_core::sc_time_stamp() + sc_time(250, SC_NS));
}

BOOST_AUTO_TEST_CASE(intc_view_masks_and_names_the_lowest_pending_line) {
    bench& b = tb();
    b.src[1].write(true);
    b.src[3].write(true);
    sc_core::sc_start(sc_time(1, SC_NS));
    BOOST_TEST(b.i.rd(intc::RAW) == 0x0Au);        // lines 1 and 3: 0b1010
    BOOST_TEST(b.i.rd(intc::MASK) == 0xFFFFFFFFu); // reset: all masked
    BOOST_TEST(b.i.rd(intc::PENDING) == 0u);
    BOOST_TEST(b.i.rd(intc::ACK) == intc::ACK_NONE);
    b.i.wr(intc::MASK, ~(1u << 3)); // line 3 unmasked
    BOOST_TEST(b.i.rd(intc::PENDING) == 0x08u);
    BOOST_TEST(b.i.rd(intc::ACK) == 3u);
    b.i.wr(intc::MASK, 0); // all unmasked: the lowest is line 1
    BOOST_TEST(b.i.rd(intc::ACK) == 1u);
    BOOST_TEST(b.i.rd(intc::ACK) == 1u); // reading ACK changes nothing
    b.src[1].write(false);
    b.src[3].write(false);
    sc_core::sc_start(sc_time(1, SC_NS));
    BOOST_TEST(b.i.rd(intc::PENDING) == 0u);
    BOOST_TEST(b.i.rd(intc::ACK) == intc::ACK_NONE);
    std::uint8_t byte = 0;
    BOOST_TEST(b.i.access(false, intc::RAW, &byte, 1) == tlm::TLM_GENERIC_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(intc_view_a_decoupled_mask_write_acts_at_its_own_time) {
    bench& b = tb();
    b.i.wr(intc::MASK, 0xFFFFFFFFu);
    b.src[2].write(true);
    sc_core::sc_start(sc_time(1, SC_NS));
    BOOST_REQUIRE(b.view.raw() == 0x04u); // line 2 high, masked
    // An initiator 300 ns ahead of the kernel unmasks line 2: the IRQ input (PENDING != 0) must
    // change 300 ns from now, not when the write is issued.
    b.mask_value = ~(1u << 2);
    b.mask_delay = sc_time(300, SC_NS);
    b.mask_go.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start(sc_time(1, SC_NS)); // issued, 299 ns still to go
    BOOST_TEST(b.view.mask() == 0xFFFFFFFFu);
    BOOST_TEST(b.view.pending() == 0u);
    sc_core::sc_start(sc_time(298, SC_NS)); // 1 ns to go
    BOOST_TEST(b.view.pending() == 0u);
    sc_core::sc_start(sc_time(1, SC_NS));     // the write's own time
    sc_core::sc_start(sc_core::SC_ZERO_TIME); // the processes due then run
    BOOST_TEST(b.view.mask() == ~(1u << 2));
    BOOST_TEST(b.view.pending() == 0x04u);
    b.src[2].write(false);
    b.i.wr(intc::MASK, 0xFFFFFFFFu);
    sc_core::sc_start(sc_time(1, SC_NS));
}

BOOST_AUTO_TEST_CASE(debug_transport_reads_registers_and_returns_the_bytes_read) {
    bench& b = tb();
    b.i.wr(intc::MASK, 0x12345678u);
    std::uint32_t v = 0;
    BOOST_TEST(b.i.dbg(false, intc::MASK, &v, 4) == 4u);
    BOOST_TEST(v == 0x12345678u);
    v = 0;
    BOOST_TEST(b.i.dbg(true, intc::MASK, &v, 4) == 0u); // writes nothing
    BOOST_TEST(b.i.rd(intc::MASK) == 0x12345678u);
    std::uint8_t byte = 0;
    BOOST_TEST(b.i.dbg(false, intc::MASK, &byte, 1) == 0u); // a size the block refuses
    b.i.wr(intc::MASK, 0xFFFFFFFFu);
    // The timer: 8 bytes at COMPARE (reset value all ones unless a test wrote it), 4 at FREQ_HZ.
    std::uint64_t w = 0;
    BOOST_TEST(b.t.dbg(false, soc_timer::COMPARE, &w, 8) == 8u);
    BOOST_TEST(w == b.tmr.compare());
    std::uint32_t f = 0;
    BOOST_TEST(b.t.dbg(false, soc_timer::FREQ_HZ, &f, 4) == 4u);
    BOOST_TEST(f == 1'000'000'000u);
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

// Tests of the link's ACK/UpdateFC DLLP interval (model/pcie/link): the table cells against the
// PCIe Base Spec 5.0 tables 3-7 (2.5 GT/s), 3-8 (5.0 GT/s) and 3-9 (8.0 GT/s), typed in here by
// hand from the spec, and their effect end to end: the DLLPs a stream of MWr TLPs causes on the
// reverse direction and the ACK latency the retry timing uses, worked out by hand.
#define BOOST_TEST_MODULE link
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/pcie/link.h"
#include "model/pcie/tlp.h"

#include <cstdint>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

using namespace epvp::pcie;

namespace {

// One cell of the spec tables: symbol times for a rate (generation), width and MPS.
struct cell {
    unsigned gen, width, mps, symbols;
};

// One symbol time (a byte on one lane): 2.5 GT/s 8b/10b = 4 ns, 5.0 GT/s = 2 ns; 8.0 GT/s
// 128b/130b = 130 / 128 ns; 16.0 GT/s half that.
double symbol_ns(unsigned gen) {
    switch (gen) {
    case 1:
        return 4.0;
    case 2:
        return 2.0;
    case 3:
        return 130.0 / 128.0;
    default:
        return 65.0 / 128.0; // Gen4
    }
}

// Both ports of a link: sends TLPs into either side and accepts whatever comes out.
struct ports : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<ports> to_up_in, to_dn_in;
    tlm_utils::simple_target_socket<ports> from_dn_out, from_up_out;
    explicit ports(sc_core::sc_module_name n)
        : sc_module(n)
        , to_up_in("to_up_in")
        , to_dn_in("to_dn_in")
        , from_dn_out("from_dn_out")
        , from_up_out("from_up_out") {
        from_dn_out.register_b_transport(this, &ports::sink);
        from_up_out.register_b_transport(this, &ports::sink);
    }
    // Both ends of the link.
    void attach(pcie_link& link) {
        to_up_in.bind(link.up_in);
        to_dn_in.bind(link.dn_in);
        link.dn_out.bind(from_dn_out);
        link.up_out.bind(from_up_out);
    }
    void sink(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    // One 32-bit-address MWr of `bytes` in direction d, ready at sc_time_stamp() + delay; returns
    // the delay the link gave back.
    sc_core::sc_time send_one(pcie_link::direction d, unsigned bytes, sc_core::sc_time delay,
                              std::uint64_t addr = 0x1000) {
        std::vector<unsigned char> data(bytes);
        tlm::tlm_generic_payload gp;
        pcie_tlp t;
        t.type = tlp_type::mwr;
        gp.set_extension(&t);
        gp.set_command(tlm::TLM_WRITE_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(data.data());
        gp.set_data_length(bytes);
        gp.set_streaming_width(bytes);
        (d == pcie_link::downstream ? to_up_in : to_dn_in)->b_transport(gp, delay);
        gp.clear_extension(&t);
        BOOST_TEST(gp.is_response_ok());
        return delay;
    }
    // n MWr TLPs of `bytes` payload each, in direction d.
    void send_mwr(pcie_link::direction d, unsigned n, unsigned bytes, bool addr64) {
        std::vector<unsigned char> data(bytes);
        for (unsigned i = 0; i < n; ++i) {
            tlm::tlm_generic_payload gp;
            pcie_tlp t;
            t.type = tlp_type::mwr;
            t.addr64 = addr64;
            gp.set_extension(&t);
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(addr64 ? 0x1'0000'0000ull : 0x1000);
            gp.set_data_ptr(data.data());
            gp.set_data_length(bytes);
            gp.set_streaming_width(bytes);
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            (d == pcie_link::downstream ? to_up_in : to_dn_in)->b_transport(gp, delay);
            gp.clear_extension(&t);
            BOOST_TEST(gp.is_response_ok());
        }
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(dllp_interval_cells_follow_the_spec_tables) {
    // Typed in from PCIe Base Spec 5.0 tables 3-7, 3-8 and 3-9 (symbol times), every width
    // x1..x16, every MPS column and each rate at least once; 16.0 and 32.0 GT/s take the
    // 8.0 GT/s table.
    const cell cells[] = {
        // 2.5 GT/s, table 3-7.
        {1, 1, 128, 237},
        {1, 1, 4096, 4143},
        {1, 2, 256, 217},
        {1, 2, 2048, 1057},
        {1, 4, 512, 154},
        {1, 8, 512, 86},
        {1, 16, 128, 48},
        // 5.0 GT/s, table 3-8.
        {2, 1, 256, 467},
        {2, 2, 1024, 596},
        {2, 4, 2048, 589},
        {2, 8, 128, 118},
        {2, 16, 4096, 585},
        // 8.0 GT/s, table 3-9.
        {3, 1, 512, 655},
        {3, 1, 1024, 1167},
        {3, 2, 128, 224},
        {3, 2, 4096, 2177},
        {3, 4, 256, 214},
        {3, 8, 128, 163},
        {3, 16, 256, 168},
        // 16.0 and 32.0 GT/s: the 8.0 GT/s values.
        {4, 1, 128, 333},
        {4, 8, 2048, 374},
        {5, 2, 2048, 1153},
        {5, 16, 512, 182},
    };
    for (const cell& c : cells)
        BOOST_TEST_CONTEXT("Gen" << c.gen << " x" << c.width << " MPS " << c.mps) {
            BOOST_TEST(dllp_interval_symbols(c.gen, c.width, c.mps) == c.symbols);
        }
    // x1 and x2 have rows of their own: 8.0 GT/s, MPS 256 is 512 / 313 / 214 symbol times.
    BOOST_TEST(dllp_interval_symbols(3, 1, 256) != dllp_interval_symbols(3, 4, 256));
    BOOST_TEST(dllp_interval_symbols(3, 2, 256) != dllp_interval_symbols(3, 4, 256));
}

BOOST_AUTO_TEST_CASE(dllps_and_ack_latency_of_a_transfer) {
    link_params p;
    p.max_gen = 6;
    p.max_width = 16;
    p.mps_bytes = 256;
    pcie_link link("link", p);
    ports port("ports");
    port.attach(link);
    // A link with a given ACK latency (link.ack_latency_ns): 260 ns.
    link_params p_ack = p;
    p_ack.retry.ack_latency = sc_core::sc_time(260, sc_core::SC_NS);
    pcie_link link_ack("link_ack", p_ack);
    ports port_ack("ports_ack");
    port_ack.attach(link_ack);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);

    const auto dllps = [&](pcie_link::direction d) { return link.stats(d).dllps; };
    struct run {
        unsigned gen, width, mps;
        pcie_link::direction d;
        unsigned tlps, payload;
        bool addr64;
        std::uint64_t reverse_dllps; // ACK + UpdateFC per interval received
    };
    // Bytes received per interval = symbols x lanes; one ACK and one UpdateFC per full interval.
    const run runs[] = {
        // Gen3 x1, MPS 256: 512 symbols x 1 lane = 512 B. 100 MWr of 256 B, 3 DW header:
        // 8 + 12 + 256 = 276 B each, 27600 B: floor(27600 / 512) = 53 intervals, 106 DLLPs
        // upstream (x1 with the x4 row, 214 B, would be 128 intervals).
        {3, 1, 256, pcie_link::downstream, 100, 256, false, 106},
        // Gen1 x2, MPS 256: 217 x 2 = 434 B; 27600 / 434 = 63.6: 63 intervals, 126 DLLPs.
        {1, 2, 256, pcie_link::downstream, 100, 256, false, 126},
        // Gen2 x16, MPS 256: 123 x 16 = 1968 B; 27600 / 1968 = 14.02: 14 intervals, 28 DLLPs.
        {2, 16, 256, pcie_link::downstream, 100, 256, false, 28},
        // Upstream, Gen2 x1, MPS 128: 288 x 1 = 288 B. 50 MWr of 128 B, 4 DW header:
        // 8 + 16 + 128 = 152 B, 7600 B: 7600 / 288 = 26.4: 26 intervals, 52 DLLPs downstream.
        {2, 1, 128, pcie_link::upstream, 50, 128, true, 52},
        // Gen4 x8, MPS 1024 (the 8.0 GT/s table): 246 x 8 = 1968 B. 100 MWr of 1024 B, 4 DW:
        // 1048 B each, 104800 B: 104800 / 1968 = 53.3: 53 intervals, 106 DLLPs.
        {4, 8, 1024, pcie_link::downstream, 100, 1024, true, 106},
    };
    for (const run& r : runs)
        BOOST_TEST_CONTEXT("Gen" << r.gen << " x" << r.width << " MPS " << r.mps) {
            link.set_mps(r.mps);
            link.train(r.gen, r.width);
            const pcie_link::direction rev =
                r.d == pcie_link::downstream ? pcie_link::upstream : pcie_link::downstream;
            const std::uint64_t before = dllps(rev), before_same = dllps(r.d);
            const sc_core::sc_time busy_before = link.stats(rev).busy;
            port.send_mwr(r.d, r.tlps, r.payload, r.addr64);
            BOOST_TEST(dllps(rev) - before == r.reverse_dllps);
            BOOST_TEST(dllps(r.d) - before_same == 0u); // nothing flows the other way
            // The reverse direction is busy with them: each DLLP is 8 B striped across the lanes,
            // 8 / width symbol times, stretched by SKP (4 symbols in 1538).
            const double expect_ns = static_cast<double>(r.reverse_dllps) * 8.0 / r.width *
                                     symbol_ns(r.gen) * 1538.0 / 1534.0;
            BOOST_TEST((link.stats(rev).busy - busy_before).to_seconds() * 1e9 == expect_ns,
                       boost::test_tools::tolerance(1e-3));
        }

    // The ACK latency of the retry timing is the same cell in time: a symbol is 4 ns at
    // 2.5 GT/s (8b/10b, 250 MB/s per lane) and 2 ns at 5.0 GT/s.
    link.set_mps(128);
    link.train(1, 1);
    BOOST_TEST(link.ack_latency() == sc_core::sc_time(237 * 4, sc_core::SC_NS)); // table 3-7
    link.set_mps(512);
    link.train(2, 2);
    BOOST_TEST(link.ack_latency() == sc_core::sc_time(340 * 2, sc_core::SC_NS)); // table 3-8
    BOOST_TEST(link.replay_timer() == sc_core::sc_time(3 * 340 * 2, sc_core::SC_NS));

    // The DLLPs a stream owes the reverse direction go out while that direction is idle: a TLP
    // there long after the stream leaves as it would on a link that carried nothing (it paid
    // for all 106 DLLPs of the first row above, 0.86 us, however long the direction sat idle).
    link.set_mps(256);
    link.train(3, 1);
    port.send_mwr(pcie_link::downstream, 100, 256, false); // 106 DLLPs owed upstream
    const sc_core::sc_time at1(10, sc_core::SC_MS), at2(20, sc_core::SC_MS);
    const sc_core::sc_time after_stream = port.send_one(pcie_link::upstream, 256, at1) - at1;
    const sc_core::sc_time after_idle = port.send_one(pcie_link::upstream, 256, at2) - at2;
    BOOST_TEST(after_stream == after_idle);

    // A given ACK latency is the DLLP interval too: at Gen3 x1 a symbol is 130/128 ns, so 260 ns
    // is 256 symbols, 256 B received per interval: the 100 MWr of 276 B (27600 B) make
    // floor(27600 / 256) = 107 intervals, 214 DLLPs upstream (the table's 512 B gave 106).
    link_ack.set_mps(256);
    link_ack.train(3, 1);
    port_ack.send_mwr(pcie_link::downstream, 100, 256, false);
    BOOST_TEST(link_ack.stats(pcie_link::upstream).dllps == 214u);
    BOOST_TEST(link_ack.ack_latency() == sc_core::sc_time(260, sc_core::SC_NS));

    // The payload travels in the dwords it spans (Base Spec 2.2: Length, First/Last DW byte
    // enables): 252 bytes at 0x1000 are 63 dwords, 8 + 12 + 252 = 272 bytes on the wire; at 0x1001
    // they span 64 dwords, 276 bytes; at 0x1003, 3 + 252 = 255 bytes: still 64 dwords.
    const auto wire = [&](std::uint64_t addr) {
        const std::uint64_t before = link.stats(pcie_link::upstream).wire_bytes;
        port.send_one(pcie_link::upstream, 252, sc_core::sc_time(30, sc_core::SC_MS), addr);
        return link.stats(pcie_link::upstream).wire_bytes - before;
    };
    BOOST_TEST(wire(0x1000) == 272u);
    BOOST_TEST(wire(0x1001) == 276u);
    BOOST_TEST(wire(0x1003) == 276u);
    BOOST_TEST(wire(0x1004) == 272u);
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

// The GDB remote serial protocol layer of the GDB server (gdb_server.h), without a socket or a CPU.
// Expected bytes follow the protocol's documented encoding (GDB manual, appendix "GDB Remote
// Serial Protocol": "Overview" for framing, checksums and escapes, "Packets" and "Stop Reply
// Packets" for the commands), worked by hand in the comments.
#define BOOST_TEST_MODULE gdb_server
#include "testbench/gdb_server.h"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

using namespace epvp::tb::gdb;

namespace {

// A CPU stand-in: register n holds 0x1111111111111111 * n (cpsr 0x3C5), 64 bytes of memory at
// 0x1000 holding their offsets.
struct fake_target : target {
    std::map<unsigned, std::uint64_t> regs;
    std::uint8_t mem[64];
    std::set<std::uint64_t> bps;
    fake_target() {
        for (unsigned i = 0; i < reg_count; ++i)
            regs[i] = 0x1111111111111111ull * i;
        regs[reg_cpsr] = 0x3C5;
        for (unsigned i = 0; i < sizeof mem; ++i)
            mem[i] = static_cast<std::uint8_t>(i);
    }
    std::uint64_t read_register(unsigned n) override { return regs.at(n); }
    void write_register(unsigned n, std::uint64_t v) override { regs[n] = v; }
    bool in(std::uint64_t a, std::size_t n) { return a >= 0x1000 && a + n <= 0x1000 + sizeof mem; }
    bool read_memory(std::uint64_t a, std::size_t n, std::uint8_t* out) override {
        if (!in(a, n)) return false;
        std::copy(mem + (a - 0x1000), mem + (a - 0x1000) + n, out);
        return true;
    }
    bool write_memory(std::uint64_t a, std::size_t n, const std::uint8_t* data) override {
        if (!in(a, n)) return false;
        std::copy(data, data + n, mem + (a - 0x1000));
        return true;
    }
    bool insert_breakpoint(std::uint64_t a) override { return bps.insert(a), a % 4 == 0; }
    bool remove_breakpoint(std::uint64_t a) override { return bps.erase(a), true; }
};

std::vector<decoder::event> feed_all(decoder& d, const std::string& bytes) {
    std::vector<decoder::event> out;
    for (char c : bytes) {
        auto e = d.feed(c);
        if (e.what != decoder::kind::none) out.push_back(std::move(e));
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(checksum_is_the_byte_sum_modulo_256) {
    // 'O' 0x4f + 'K' 0x4b = 0x9a.
    BOOST_TEST(checksum("OK") == 0x9a);
    // "qSupported": 0x71+0x53+0x75+0x70+0x70+0x6f+0x72+0x74+0x65+0x64 = 0x437 -> 0x37.
    BOOST_TEST(checksum("qSupported") == 0x37);
    BOOST_TEST(checksum("") == 0x00);
    BOOST_TEST(frame("OK") == "$OK#9a");
    // "S05": 0x53+0x30+0x35 = 0xb8.
    BOOST_TEST(frame("S05") == "$S05#b8");
    BOOST_TEST(frame("") == "$#00");
}

BOOST_AUTO_TEST_CASE(escapes_are_the_byte_xor_0x20_after_a_brace) {
    // '#' 0x23 -> "}\x03", '$' 0x24 -> "}\x04", '}' 0x7d -> "}]", '*' 0x2a -> "}\x0a".
    BOOST_TEST(escape("a#b") == std::string("a}\x03"
                                            "b"));
    BOOST_TEST(escape("$") == std::string("}\x04"));
    BOOST_TEST(escape("}") == "}]");
    BOOST_TEST(escape("*") == std::string("}\x0a"));
    BOOST_TEST(escape("plain") == "plain");
    // The checksum covers the escaped bytes: '}' 0x7d + ']' 0x5d = 0xda.
    BOOST_TEST(frame("}") == "$}]#da");
}

BOOST_AUTO_TEST_CASE(the_decoder_finds_packets_acks_and_interrupts) {
    decoder d;
    // "m10,4": 0x6d+0x31+0x30+0x2c+0x34 = 0x12e -> 0x2e.
    auto ev = feed_all(d, "+$m10,4#2e-\x03");
    BOOST_REQUIRE_EQUAL(ev.size(), 4u);
    BOOST_TEST((ev[0].what == decoder::kind::ack));
    BOOST_TEST((ev[1].what == decoder::kind::packet));
    BOOST_TEST(ev[1].payload == "m10,4");
    BOOST_TEST((ev[2].what == decoder::kind::nak));
    BOOST_TEST((ev[3].what == decoder::kind::interrupt));
    // A wrong checksum is reported, not delivered; upper-case hex digits are accepted.
    ev = feed_all(d, "$OK#9b$OK#9A");
    BOOST_REQUIRE_EQUAL(ev.size(), 2u);
    BOOST_TEST((ev[0].what == decoder::kind::bad_checksum));
    BOOST_TEST((ev[1].what == decoder::kind::packet));
    BOOST_TEST(ev[1].payload == "OK");
    // An escaped binary payload ("X" data) is unescaped; the checksum is over what was sent:
    // 'X' 0x58 + '}' 0x7d + ']' 0x5d = 0x132 -> 0x32.
    ev = feed_all(d, "$X}]#32");
    BOOST_REQUIRE_EQUAL(ev.size(), 1u);
    BOOST_TEST(ev[0].payload == "X}");
    // What frame() sends, the decoder reads back.
    const std::string bin("a#$}*\x03z", 7);
    ev = feed_all(d, frame(bin));
    BOOST_REQUIRE_EQUAL(ev.size(), 1u);
    BOOST_TEST(ev[0].payload == bin);
}

// Packets that cannot be right are dropped with a NAK once their "#cc" has come, and the next
// packet is read as it should be.
BOOST_AUTO_TEST_CASE(the_decoder_drops_broken_packets_and_reads_the_next) {
    decoder d;
    // A body longer than PacketSize (0x1000) is dropped even with its right checksum (4106 'a'
    // 0x61, '-' 0x2d, 0x03: 398 330 = 0xfa modulo 256); the bytes after the cut ('-', Ctrl-C)
    // are not taken for a NAK or an interrupt.
    auto ev = feed_all(d, "$" + std::string(0x1000 + 10, 'a') + "-\x03#fa$?#3f");
    BOOST_REQUIRE_EQUAL(ev.size(), 2u);
    BOOST_TEST((ev[0].what == decoder::kind::bad_checksum));
    BOOST_TEST((ev[1].what == decoder::kind::packet));
    BOOST_TEST(ev[1].payload == "?");
    // An escape with nothing after it ("}#") ends the packet as a bad one: 'X' 0x58 + '1' 0x31
    // + ':' 0x3a + '}' 0x7d = 0x140 -> 0x40, a right sum for what was sent, still dropped.
    ev = feed_all(d, "$X1:}#40$?#3f");
    BOOST_REQUIRE_EQUAL(ev.size(), 2u);
    BOOST_TEST((ev[0].what == decoder::kind::bad_checksum));
    BOOST_TEST(ev[1].payload == "?");
    // A '$' in a body (never sent unescaped) starts a new packet: the cut one is forgotten, also
    // right after an escape.
    ev = feed_all(d, "$m10,$?#3f");
    BOOST_REQUIRE_EQUAL(ev.size(), 1u);
    BOOST_TEST(ev[0].payload == "?");
    ev = feed_all(d, "$X1:}$?#3f");
    BOOST_REQUIRE_EQUAL(ev.size(), 1u);
    BOOST_TEST(ev[0].payload == "?");
}

BOOST_AUTO_TEST_CASE(registers_are_little_endian_hex_in_gdbs_aarch64_order) {
    fake_target t;
    const auto g = handle(t, "g");
    // 31 x registers, sp, pc of 8 bytes and cpsr of 4: 268 bytes, 536 hex digits.
    BOOST_REQUIRE_EQUAL(g.payload.size(), 536u);
    // x1 = 0x1111111111111111 at bytes 8..15; pc (register 32) = 0x2222222222222220 at 256..263.
    BOOST_TEST(g.payload.substr(16, 16) == "1111111111111111");
    BOOST_TEST(g.payload.substr(512, 16) == "2022222222222222");
    // cpsr 0x000003c5, little endian.
    BOOST_TEST(g.payload.substr(528) == "c5030000");
    BOOST_TEST(handle(t, "p21").payload == "c5030000"); // register 0x21 = 33, cpsr
    // x30 = 0x1111111111111111 * 30 mod 2^64 = 0x1111111111111110 + 0xeeeeeeeeeeeeeeee
    // (16x + 14x) = 0xfffffffffffffffe.
    BOOST_TEST(handle(t, "p1e").payload == "feffffffffffffff");
    BOOST_TEST(handle(t, "P20=0800001000000000").payload == "OK"); // pc := 0x10000008
    BOOST_TEST(t.regs[reg_pc] == 0x10000008u);
    BOOST_TEST(handle(t, "p22").payload == "E01"); // register 34 does not exist
}

BOOST_AUTO_TEST_CASE(memory_reads_and_writes_in_hex_and_binary) {
    fake_target t;
    BOOST_TEST(handle(t, "m1004,4").payload == "04050607");
    BOOST_TEST(handle(t, "m2000,4").payload == "E01"); // outside memory: an error reply
    BOOST_TEST(handle(t, "m1004").payload == "E01");   // no length
    BOOST_TEST(handle(t, "M1000,2:beef").payload == "OK");
    BOOST_TEST(handle(t, "m1000,3").payload == "beef02");
    BOOST_TEST(handle(t, "M1000,2:be").payload == "E01"); // length and data disagree
    // X carries raw bytes (already unescaped by the decoder): '#' 0x23 and '}' 0x7d.
    BOOST_TEST(handle(t, "X1010,2:#}").payload == "OK");
    BOOST_TEST(handle(t, "m1010,2").payload == "237d");
    BOOST_TEST(handle(t, "X1010,0:").payload == "OK"); // GDB's probe for X support
    BOOST_TEST(handle(t, "m1000,0").payload == "");    // nothing to read: an empty reply
}

BOOST_AUTO_TEST_CASE(software_breakpoints_and_resumption) {
    fake_target t;
    BOOST_TEST(handle(t, "Z0,10000040,4").payload == "OK");
    BOOST_TEST(t.bps.count(0x10000040u) == 1u);
    BOOST_TEST(handle(t, "Z0,10000042,4").payload == "E01"); // the target refuses
    BOOST_TEST(handle(t, "z0,10000040,4").payload == "OK");
    BOOST_TEST(t.bps.count(0x10000040u) == 0u);
    BOOST_TEST(handle(t, "Z1,10000040,4").payload == ""); // hardware breakpoints: unsupported
    auto c = handle(t, "c");
    BOOST_TEST(!c.reply); // the stop reply comes when the CPU stops
    BOOST_TEST((c.then == action::resume));
    BOOST_TEST((handle(t, "s").then == action::step));
    BOOST_TEST((handle(t, "c10000100").then == action::resume)); // resume at an address
    BOOST_TEST(t.regs[reg_pc] == 0x10000100u);
    BOOST_TEST(handle(t, "vCont?").payload == "vCont;c;C;s;S");
    BOOST_TEST((handle(t, "vCont;s:1;c").then == action::step));
    BOOST_TEST((handle(t, "vCont;c").then == action::resume));
    BOOST_TEST((handle(t, "D").then == action::detach));
    BOOST_TEST(handle(t, "D").payload == "OK");
}

BOOST_AUTO_TEST_CASE(stop_replies_queries_and_the_target_description) {
    fake_target t;
    // '?' answers why the target halted, as the stop reply did (GDB remote protocol, '?').
    BOOST_TEST(handle(t, "?").payload == "S05"); // SIGTRAP
    BOOST_TEST(handle(t, "?", sig_int).payload == "S02");
    BOOST_TEST(stop_reply(sig_int) == "S02");
    BOOST_TEST(handle(t, "qSupported:multiprocess+;swbreak+").payload ==
               "PacketSize=1000;qXfer:features:read+");
    BOOST_TEST(handle(t, "vMustReplyEmpty").payload == "");
    BOOST_TEST(handle(t, "QStartNoAckMode").payload == ""); // acknowledged mode only
    BOOST_TEST(handle(t, "qAttached").payload == "1");
    // target.xml in pieces: "m" while more follows, "l" with the last piece.
    const std::string xml = target_xml();
    BOOST_TEST(xml.find("<feature name=\"org.gnu.gdb.aarch64.core\">") != std::string::npos);
    BOOST_TEST(xml.find("<reg name=\"cpsr\" bitsize=\"32\" regnum=\"33\"/>") != std::string::npos);
    std::string got;
    for (std::size_t off = 0;;) {
        char q[64];
        std::snprintf(q, sizeof q, "qXfer:features:read:target.xml:%zx,100", off);
        const auto r = handle(t, q);
        BOOST_REQUIRE(!r.payload.empty());
        got += r.payload.substr(1);
        off += r.payload.size() - 1;
        if (r.payload[0] == 'l') break;
        BOOST_REQUIRE(r.payload[0] == 'm');
        BOOST_REQUIRE(r.payload.size() == 0x101u);
    }
    BOOST_TEST(got == xml);
    BOOST_TEST(handle(t, "qXfer:features:read:other.xml:0,100").payload == "E00");
    // A zero length is an error: an empty "m" would have the client ask again for ever.
    BOOST_TEST(handle(t, "qXfer:features:read:target.xml:0,0").payload == "E01");
}

BOOST_AUTO_TEST_CASE(a_port_in_use_is_one_clear_error) {
    server first(0); // a free port
    BOOST_TEST(first.port() != 0u);
    try {
        server second(first.port());
        BOOST_FAIL("a second server on the same port");
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        BOOST_TEST(msg.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) !=
                       std::string::npos,
                   msg);
        BOOST_TEST(msg.find('\n') == std::string::npos);
    }
}

#include "testbench/gdb_server.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace epvp::tb::gdb {

namespace {

constexpr char escape_char = '}';
constexpr char escape_xor = 0x20;
constexpr char interrupt_char = 0x03;
const char hex_digits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A hex number (at most 64 bits) at the start of s, up to the first non-hex character;
// false when there is none.
bool parse_number(std::string_view& s, std::uint64_t& v) {
    std::size_t i = 0;
    v = 0;
    while (i < s.size() && i < 16 && hex_value(s[i]) >= 0)
        v = (v << 4) | static_cast<unsigned>(hex_value(s[i++]));
    if (i == 0 || (i < s.size() && hex_value(s[i]) >= 0)) return false;
    s.remove_prefix(i);
    return true;
}

bool expect(std::string_view& s, char c) {
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
}

// "ADDR,LENGTH" followed by `end` (or the end of s when end is 0).
bool parse_range(std::string_view& s, std::uint64_t& addr, std::uint64_t& len, char end) {
    return parse_number(s, addr) && expect(s, ',') && parse_number(s, len) &&
           (end == 0 ? s.empty() : expect(s, end));
}

std::string error_reply() {
    return "E01";
}

// Register values travel in target byte order: little endian.
std::string reg_hex(std::uint64_t v, unsigned bytes) {
    std::uint8_t b[8];
    for (unsigned i = 0; i < bytes; ++i)
        b[i] = static_cast<std::uint8_t>(v >> (8 * i));
    return to_hex(b, bytes);
}

std::uint64_t reg_value(const std::vector<std::uint8_t>& b, std::size_t at, unsigned bytes) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i)
        v |= std::uint64_t{b[at + i]} << (8 * i);
    return v;
}

outcome reply(std::string payload, action then = action::none) {
    return outcome{true, std::move(payload), then};
}

outcome memory_read(target& t, std::string_view args) {
    std::uint64_t addr = 0, len = 0;
    if (!parse_range(args, addr, len, 0)) return reply(error_reply());
    // Two hex digits a byte, framed in "$...#cc".
    if (len > (packet_bytes - 4) / 2) len = (packet_bytes - 4) / 2;
    std::vector<std::uint8_t> b(len);
    if (!t.read_memory(addr, b.size(), b.data())) return reply(error_reply());
    return reply(to_hex(b.data(), b.size()));
}

outcome memory_write(target& t, std::string_view args, bool binary) {
    std::uint64_t addr = 0, len = 0;
    if (!parse_range(args, addr, len, ':')) return reply(error_reply());
    std::vector<std::uint8_t> b;
    if (binary)
        b.assign(args.begin(), args.end());
    else if (!from_hex(args, b))
        return reply(error_reply());
    if (b.size() != len) return reply(error_reply());
    if (len && !t.write_memory(addr, b.size(), b.data())) return reply(error_reply());
    return reply("OK");
}

outcome breakpoint(target& t, std::string_view args, bool insert) {
    // Z0,ADDR,KIND: only software breakpoints (type 0); the others are unsupported (empty reply).
    if (!expect(args, '0')) return reply("");
    std::uint64_t addr = 0, kind = 0;
    if (!expect(args, ',') || !parse_number(args, addr) || !expect(args, ',') ||
        !parse_number(args, kind))
        return reply(error_reply());
    const bool ok = insert ? t.insert_breakpoint(addr) : t.remove_breakpoint(addr);
    return reply(ok ? "OK" : error_reply());
}

// "c [ADDR]" and "s [ADDR]": resume at ADDR when given.
outcome resume(target& t, std::string_view args, action a) {
    std::uint64_t addr = 0;
    if (!args.empty()) {
        if (!parse_number(args, addr) || !args.empty()) return reply(error_reply());
        t.write_register(reg_pc, addr);
    }
    return outcome{false, {}, a};
}

// "vCont;ACTION[:THREAD][;ACTION[:THREAD]]...": one thread, so the first action decides.
outcome vcont(std::string_view args) {
    if (!expect(args, ';') || args.empty()) return reply(error_reply());
    switch (args.front()) {
    case 'c':
    case 'C':
        return outcome{false, {}, action::resume};
    case 's':
    case 'S':
        return outcome{false, {}, action::step};
    default:
        return reply(error_reply());
    }
}

outcome xfer_features(std::string_view args) {
    // qXfer:features:read:ANNEX:OFFSET,LENGTH
    constexpr std::string_view annex = "target.xml:";
    if (args.substr(0, annex.size()) != annex) return reply("E00");
    args.remove_prefix(annex.size());
    std::uint64_t off = 0, len = 0;
    if (!parse_range(args, off, len, 0) || len == 0) return reply(error_reply());
    const std::string xml = target_xml();
    if (off >= xml.size()) return reply("l");
    // Escaping may double a byte: stay within the packet size.
    len = std::min<std::uint64_t>(len, (packet_bytes - 8) / 2);
    const std::string part = xml.substr(off, len);
    return reply((off + part.size() >= xml.size() ? "l" : "m") + part);
}

outcome query(std::string_view q) {
    auto starts = [&q](std::string_view p) { return q.substr(0, p.size()) == p; };
    if (starts("qSupported"))
        return reply("PacketSize=" + [] {
            char b[16];
            std::snprintf(b, sizeof b, "%x", packet_bytes);
            return std::string(b);
        }() + ";qXfer:features:read+");
    if (starts("qXfer:features:read:"))
        return xfer_features(q.substr(std::string_view("qXfer:features:read:").size()));
    if (q == "qAttached") return reply("1"); // attached to an existing process: keep it on detach
    if (q == "qC") return reply("QC1");
    if (q == "qfThreadInfo") return reply("m1");
    if (q == "qsThreadInfo") return reply("l");
    if (starts("qSymbol")) return reply("OK");
    return reply(""); // unsupported
}

} // namespace

std::uint8_t checksum(std::string_view sent_payload) {
    unsigned sum = 0;
    for (char c : sent_payload)
        sum += static_cast<unsigned char>(c);
    return static_cast<std::uint8_t>(sum & 0xFF);
}

std::string escape(std::string_view payload) {
    std::string out;
    out.reserve(payload.size());
    for (char c : payload) {
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            out += escape_char;
            out += static_cast<char>(c ^ escape_xor);
        } else {
            out += c;
        }
    }
    return out;
}

std::string frame(std::string_view payload) {
    const std::string body = escape(payload);
    const std::uint8_t sum = checksum(body);
    return "$" + body + "#" + hex_digits[sum >> 4] + hex_digits[sum & 0xF];
}

decoder::event decoder::feed(char c) {
    switch (state_) {
    case state::idle:
        if (c == '$') {
            payload_.clear();
            sum_ = 0;
            broken_ = false;
            state_ = state::body;
            return {};
        }
        if (c == '+') return {kind::ack, {}};
        if (c == '-') return {kind::nak, {}};
        if (c == interrupt_char) return {kind::interrupt, {}};
        return {}; // noise between packets
    case state::body:
        if (c == '#') {
            state_ = state::sum1;
            return {};
        }
        if (c == '$') { // the packet before was cut short: this one starts afresh
            payload_.clear();
            sum_ = 0;
            broken_ = false;
            return {};
        }
        if (broken_) return {}; // too long: the rest is not kept
        sum_ += static_cast<unsigned char>(c);
        if (c == escape_char)
            state_ = state::escape;
        else
            payload_ += c;
        if (payload_.size() > packet_bytes) {
            broken_ = true;
            payload_.clear();
        }
        return {};
    case state::escape:
        if (c == '#') { // an escape with nothing after it
            broken_ = true;
            state_ = state::sum1;
            return {};
        }
        if (c == '$') { // as in a body: a new packet
            payload_.clear();
            sum_ = 0;
            broken_ = false;
            state_ = state::body;
            return {};
        }
        sum_ += static_cast<unsigned char>(c);
        state_ = state::body;
        if (broken_) return {};
        payload_ += static_cast<char>(c ^ escape_xor);
        if (payload_.size() > packet_bytes) {
            broken_ = true;
            payload_.clear();
        }
        return {};
    case state::sum1:
        got_ = static_cast<unsigned>(hex_value(c)) << 4;
        state_ = hex_value(c) < 0 ? state::idle : state::sum2;
        return state_ == state::idle ? event{kind::bad_checksum, {}} : event{};
    case state::sum2:
        state_ = state::idle;
        if (broken_ || hex_value(c) < 0 ||
            (got_ | static_cast<unsigned>(hex_value(c))) != (sum_ & 0xFF))
            return {kind::bad_checksum, {}};
        return {kind::packet, std::move(payload_)};
    }
    return {};
}

std::string to_hex(const std::uint8_t* bytes, std::size_t n) {
    std::string s;
    s.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        s += hex_digits[bytes[i] >> 4];
        s += hex_digits[bytes[i] & 0xF];
    }
    return s;
}

bool from_hex(std::string_view hex, std::vector<std::uint8_t>& out) {
    if (hex.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return true;
}

unsigned reg_bytes(unsigned regno) {
    return regno == reg_cpsr ? 4 : 8;
}

std::string target_xml() {
    // The register set of GDB's feature org.gnu.gdb.aarch64.core, in its register numbering.
    std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                    "<target version=\"1.0\">\n<architecture>aarch64</architecture>\n"
                    "<feature name=\"org.gnu.gdb.aarch64.core\">\n";
    for (unsigned i = 0; i <= 30; ++i)
        x += "<reg name=\"x" + std::to_string(i) + "\" bitsize=\"64\" regnum=\"" +
             std::to_string(i) + "\"/>\n";
    x += "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n"
         "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n"
         "<reg name=\"cpsr\" bitsize=\"32\" regnum=\"33\"/>\n"
         "</feature>\n</target>\n";
    return x;
}

std::string stop_reply(int signal) {
    char b[8];
    std::snprintf(b, sizeof b, "S%02x", signal & 0xFF);
    return b;
}

outcome handle(target& t, const std::string& packet, int stopped_by) {
    if (packet.empty()) return reply("");
    const std::string_view args = std::string_view(packet).substr(1);
    switch (packet.front()) {
    case '?': // why the target halted: the same reply as the step or continue that halted it
        return reply(stop_reply(stopped_by));
    case 'g': {
        std::string s;
        for (unsigned r = 0; r < reg_count; ++r)
            s += reg_hex(t.read_register(r), reg_bytes(r));
        return reply(s);
    }
    case 'G': {
        std::vector<std::uint8_t> b;
        std::size_t want = 0;
        for (unsigned r = 0; r < reg_count; ++r)
            want += reg_bytes(r);
        if (!from_hex(args, b) || b.size() != want) return reply(error_reply());
        std::size_t at = 0;
        for (unsigned r = 0; r < reg_count; at += reg_bytes(r), ++r)
            t.write_register(r, reg_value(b, at, reg_bytes(r)));
        return reply("OK");
    }
    case 'p': {
        std::string_view a = args;
        std::uint64_t r = 0;
        if (!parse_number(a, r) || !a.empty() || r >= reg_count) return reply(error_reply());
        const unsigned n = static_cast<unsigned>(r);
        return reply(reg_hex(t.read_register(n), reg_bytes(n)));
    }
    case 'P': {
        std::string_view a = args;
        std::uint64_t r = 0;
        std::vector<std::uint8_t> b;
        if (!parse_number(a, r) || !expect(a, '=') || r >= reg_count || !from_hex(a, b) ||
            b.size() != reg_bytes(static_cast<unsigned>(r)))
            return reply(error_reply());
        t.write_register(static_cast<unsigned>(r), reg_value(b, 0, reg_bytes(unsigned(r))));
        return reply("OK");
    }
    case 'm':
        return memory_read(t, args);
    case 'M':
        return memory_write(t, args, false);
    case 'X':
        return memory_write(t, args, true);
    case 'Z':
        return breakpoint(t, args, true);
    case 'z':
        return breakpoint(t, args, false);
    case 'c':
        return resume(t, args, action::resume);
    case 's':
        return resume(t, args, action::step);
    case 'H':
    case 'T': // one thread, always alive
        return reply("OK");
    case 'D':
        return reply("OK", action::detach);
    case 'k':
        return outcome{false, {}, action::detach};
    case 'q':
        return query(packet);
    case 'v':
        if (packet == "vCont?") return reply("vCont;c;C;s;S");
        if (packet.rfind("vCont;", 0) == 0) return vcont(std::string_view(packet).substr(5));
        return reply("");
    default:
        return reply("");
    }
}

server::server(unsigned port) {
    const std::string where = "--gdb " + std::to_string(port) + ": ";
    if (port > 65535) throw std::runtime_error(where + "not a TCP port (0-65535)");
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error(where + "socket: " + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // loopback only
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 1) != 0) {
        const int e = errno;
        ::close(listen_fd_);
        throw std::runtime_error(where + "cannot listen on 127.0.0.1:" + std::to_string(port) +
                                 ": " + std::strerror(e));
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
}

server::~server() {
    disconnect();
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void server::accept_client() {
    if (fd_ >= 0) return;
    do
        fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0) throw std::runtime_error(std::string("gdb: accept: ") + std::strerror(errno));
    int one = 1; // small packets, one at a time: no Nagle delay
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void server::disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void server::send(const std::string& payload) {
    if (fd_ < 0) return;
    last_ = frame(payload);
    std::size_t done = 0;
    while (done < last_.size()) {
        const ssize_t n = ::send(fd_, last_.data() + done, last_.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            disconnect();
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

action server::halted(target& t, int signal, bool initial) {
    if (fd_ < 0) return action::detach;
    if (!initial) send(stop_reply(signal));
    for (;;) {
        // Bytes after a packet that resumes wait in pending_ for the next call.
        while (!pending_.empty() && fd_ >= 0) {
            const decoder::event e = dec_.feed(pending_.front());
            pending_.erase(0, 1);
            if (e.what == decoder::kind::bad_checksum) {
                ::send(fd_, "-", 1, MSG_NOSIGNAL);
            } else if (e.what == decoder::kind::nak && !last_.empty()) {
                ::send(fd_, last_.data(), last_.size(), MSG_NOSIGNAL);
            } else if (e.what == decoder::kind::packet) {
                ::send(fd_, "+", 1, MSG_NOSIGNAL);
                const outcome o = handle(t, e.payload, signal);
                if (o.reply) send(o.payload);
                if (o.then == action::detach) disconnect();
                if (o.then != action::none) return o.then;
            }
        }
        if (!receive(true)) break; // GDB went away
    }
    disconnect();
    return action::detach;
}

bool server::receive(bool block) {
    if (fd_ < 0) return false;
    if (!block) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return true;
    }
    char buf[4096];
    ssize_t n;
    do
        n = ::recv(fd_, buf, sizeof buf, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        disconnect();
        return false;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool server::interrupt_requested() {
    if (!receive(false)) return false;
    // Only Ctrl-C means something while the CPU runs (acknowledgements are dropped).
    bool stop = false;
    for (char c : pending_)
        stop |= dec_.feed(c).what == decoder::kind::interrupt;
    pending_.clear();
    return stop;
}

void server::exited(int status) {
    if (fd_ < 0) return;
    char b[8];
    std::snprintf(b, sizeof b, "W%02x", status & 0xFF);
    send(b);
    disconnect();
}

} // namespace epvp::tb::gdb

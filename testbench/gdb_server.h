// A GDB remote serial protocol server for the instruction-set simulator (cpu.kind = iss,
// `epsim run --gdb PORT`). SystemC-free: the packet layer (framing, checksums, escapes), the
// command set and the loopback socket; the CPU is reached through `gdb::target` (iss_gdb.h binds
// it to iss_cpu).
//
// Models: one AArch64 thread, registers in GDB's org.gnu.gdb.aarch64.core order (x0-x30, sp, pc,
// cpsr; target.xml is served through qXfer:features:read), memory read/write (m, M, X), software
// breakpoints (Z0/z0), continue and single step (c, s, vCont), Ctrl-C (0x03 while running), the
// stop replies S05 (breakpoint, step, reset), S02 (Ctrl-C) and W (the workload ended), detach
// (D; k detaches too: the run goes on to its end). Acknowledgement mode only (no
// QStartNoAckMode), a NAK resends the last packet.
// Does not model: FP/SIMD registers, hardware breakpoints and watchpoints (Z1-Z4 are answered as
// unsupported), run-length encoded input, multiple threads or inferiors, non-stop mode, the
// file-I/O extension.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace epvp::tb::gdb {

// --- The packet layer: "$payload#cc" with cc the modulo-256 sum of the payload's bytes as sent
// (after escaping), two lower-case hex digits; '#', '$', '}' and '*' in a payload are sent as
// '}' followed by the byte XOR 0x20.
std::uint8_t checksum(std::string_view sent_payload);
std::string escape(std::string_view payload);
std::string frame(std::string_view payload); // escaped, with '$', '#' and the checksum

// Splits the byte stream from GDB into packets, acknowledgements and interrupts.
class decoder {
public:
    enum class kind { none, packet, ack, nak, interrupt, bad_checksum };
    struct event {
        kind what = kind::none;
        std::string payload; // kind::packet: unescaped
    };
    // One byte in; an event when it completes one. A packet that cannot be right is reported as
    // bad_checksum (the server answers '-') once its "#cc" has come: one with a body longer than
    // packet_bytes (the rest of it is dropped unread) or one ending in an escape ("}#"). A '$' in
    // a body starts a new packet (a sent '$' is always escaped).
    event feed(char c);

private:
    enum class state { idle, body, escape, sum1, sum2 };
    state state_ = state::idle;
    std::string payload_;
    unsigned sum_ = 0, got_ = 0;
    bool broken_ = false; // the packet is dropped whatever its checksum
};

// Hex text of bytes (two lower-case digits each) and back (false on an odd length or a non-hex
// digit).
std::string to_hex(const std::uint8_t* bytes, std::size_t n);
bool from_hex(std::string_view hex, std::vector<std::uint8_t>& out);

// --- The debugged CPU.
constexpr unsigned reg_count = 34;  // x0-x30, sp, pc, cpsr
constexpr unsigned reg_pc = 32;     // GDB's AArch64 register numbers
constexpr unsigned reg_cpsr = 33;   // 32 bits wide; the others 64
unsigned reg_bytes(unsigned regno); // 8, or 4 for cpsr
std::string target_xml();

class target {
public:
    virtual ~target() = default;
    virtual std::uint64_t read_register(unsigned regno) = 0;
    virtual void write_register(unsigned regno, std::uint64_t value) = 0;
    virtual bool read_memory(std::uint64_t addr, std::size_t n, std::uint8_t* out) = 0;
    virtual bool write_memory(std::uint64_t addr, std::size_t n, const std::uint8_t* in) = 0;
    virtual bool insert_breakpoint(std::uint64_t addr) = 0;
    virtual bool remove_breakpoint(std::uint64_t addr) = 0;
};

// --- The command set, transport-free: one packet's payload in, the reply and what to do out.
enum class action { none, resume, step, detach };
constexpr unsigned packet_bytes = 0x1000; // PacketSize announced in qSupported

struct outcome {
    bool reply = true; // false: send nothing (c, s, k)
    std::string payload;
    action then = action::none;
};
// Stop replies: signal numbers as GDB numbers them (SIGINT 2, SIGILL 4, SIGTRAP 5, SIGABRT 6).
constexpr int sig_int = 2, sig_ill = 4, sig_trap = 5, sig_abrt = 6;
// One packet to a halted target; stopped_by: the signal of the stop that halted it ('?').
outcome handle(target& t, const std::string& packet, int stopped_by = sig_trap);
std::string stop_reply(int signal);

// --- The loopback socket and its session.
class server {
public:
    // Listens on 127.0.0.1:port (0: a free port the system picks). Throws std::runtime_error
    // with one line naming the port and the reason.
    explicit server(unsigned port);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    unsigned port() const { return port_; }
    bool connected() const { return fd_ >= 0; }
    // Waits for GDB to connect.
    void accept_client();
    // The CPU halted: sends the stop reply (unless `initial`: GDB asks with '?') and serves
    // packets until GDB resumes, steps or leaves (action::detach, also when it disconnects).
    action halted(target& t, int signal, bool initial);
    // While the CPU runs: true when GDB sent Ctrl-C (non-blocking); a disconnect detaches.
    bool interrupt_requested();
    // The workload ended: "W" with the exit status, then the connection closes.
    void exited(int status);

private:
    void send(const std::string& payload);
    bool receive(bool block); // appends to pending_; false when disconnected
    void disconnect();
    int listen_fd_ = -1, fd_ = -1;
    unsigned port_ = 0;
    decoder dec_;
    std::string last_, pending_;
};

} // namespace epvp::tb::gdb

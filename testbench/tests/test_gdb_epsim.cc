// gdb-multiarch debugging the endpoint firmware binary through `epsim run --gdb` (cpu.kind = iss):
// epsim halts the ISS CPU at its reset vector and prints one line when it listens; GDB connects,
// breaks at the EPC's mem_map, shows a backtrace through the pci-epf-test function, reads a
// register, the PC and a firmware variable, deletes the breakpoint and continues; the run then
// passes the Linux pcitest suite as without a debugger. Skipped (with the reason) when
// gdb-multiarch or the firmware ELF (the cross toolchain) is missing. Not in the sanitizer build
// (Unicorn is not instrumented).
#define BOOST_TEST_MODULE gdb_epsim
#include "firmware/hal/iss_map.h"
#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using cli_test::contains;
using cli_test::shell;
using cli_test::shell_quote;

const std::string epsim = EPSIM_PATH;
const std::string elf = FIRMWARE_ELF;
constexpr int run_timeout_s = 600;

bool have_gdb() {
    return cli_test::run_captured("command -v gdb-multiarch").status == 0;
}

std::string gdb_command(unsigned port) {
    // The commands a user types (docs/firmware-on-the-iss.md shows this session).
    const char* commands[] = {"set pagination off",
                              "set confirm off",
                              "target remote 127.0.0.1:PORT",
                              "break fw::epc::epc::mem_map",
                              "continue",
                              "bt 10", // the outermost frames repeat guest_main: limit them
                              "info registers x0",
                              "p $pc",
                              "p fn",
                              "delete breakpoints",
                              "continue"};
    std::string cmd = "gdb-multiarch -batch -nx " + shell_quote(elf);
    for (std::string c : commands) {
        if (const auto at = c.find("PORT"); at != std::string::npos)
            c.replace(at, 4, std::to_string(port));
        cmd += " -ex " + shell_quote(c);
    }
    return cmd + " </dev/null";
}

// The value after "x0" in `info registers x0` ("x0             0x10038c18          268667928").
unsigned long long x0_value(const std::string& out) {
    const auto at = out.find("\nx0 ");
    if (at == std::string::npos) return 0;
    return std::strtoull(out.c_str() + out.find("0x", at), nullptr, 16);
}

// `epsim run --set cpu.kind=iss --gdb 0` started, its output read up to the listening line.
struct sim_with_gdb_port {
    FILE* pipe = nullptr;
    std::string out;
    unsigned port = 0;
    explicit sim_with_gdb_port(const std::string& extra = "") {
        pipe = ::popen(("timeout " + std::to_string(run_timeout_s) + " " + epsim +
                        " run --set cpu.kind=iss --gdb 0 " + extra + " 2>&1")
                           .c_str(),
                       "r");
        BOOST_REQUIRE(pipe);
        const std::string listening = "gdb: listening on 127.0.0.1:";
        char line[4096];
        while (port == 0 && std::fgets(line, sizeof line, pipe)) {
            out += line;
            const std::string l = line;
            if (l.rfind(listening, 0) == 0) port = std::stoul(l.substr(listening.size()));
        }
        BOOST_REQUIRE_MESSAGE(port != 0, "no listening line: " << out);
    }
    // The rest of the output; the exit status.
    int finish() {
        char line[4096];
        while (std::fgets(line, sizeof line, pipe))
            out += line;
        const int st = ::pclose(pipe);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
};

bool skip_without_iss_tools() {
    if (!have_gdb()) {
        BOOST_TEST_MESSAGE("skipped: gdb-multiarch is not installed (scripts/ install it)");
        return true;
    }
    if (elf.empty() || !std::filesystem::exists(elf)) {
        BOOST_TEST_MESSAGE("skipped: no firmware ELF (the AArch64 cross toolchain is missing)");
        return true;
    }
    return false;
}

// A raw protocol client: bytes out, bytes in until `want` arrived (consumed with what came
// before it) (or the peer closed, or a
// minute without a byte: a hang guard, not a timing assertion).
struct raw_client {
    int fd = -1;
    std::string got;
    explicit raw_client(unsigned port) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~raw_client() { ::close(fd); }
    void send(const std::string& s) {
        BOOST_REQUIRE(::write(fd, s.data(), s.size()) == ssize_t(s.size()));
    }
    bool wait_for(const std::string& want) {
        while (got.find(want) == std::string::npos) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 60'000) <= 0) return false;
            char b[512];
            const ssize_t n = ::read(fd, b, sizeof b);
            if (n <= 0) return false;
            got.append(b, static_cast<std::size_t>(n));
        }
        got.erase(0, got.find(want) + want.size()); // the next wait looks at what follows
        return true;
    }
    // The body of the next "$body#cc" (consumed), or "" after a minute without one.
    std::string next_packet() {
        if (!wait_for("$")) return "";
        std::string body;
        for (;;) {
            const auto end = got.find('#');
            if (end != std::string::npos && got.size() >= end + 3) {
                body = got.substr(0, end);
                got.erase(0, end + 3);
                return body;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 60'000) <= 0) return "";
            char b[512];
            const ssize_t n = ::read(fd, b, sizeof b);
            if (n <= 0) return "";
            got.append(b, static_cast<std::size_t>(n));
        }
    }
};

// "$body#cc": cc the byte sum of the body modulo 256 in two hex digits (no escapes needed here).
std::string packet(const std::string& body) {
    unsigned sum = 0;
    for (unsigned char c : body)
        sum += c;
    char cc[3];
    std::snprintf(cc, sizeof cc, "%02x", sum & 0xFF);
    return "$" + body + "#" + cc;
}

// A 64-bit register value in GDB's little-endian hex ("0400011000000000" -> 0x10010004).
std::uint64_t le_hex(const std::string& h) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i + 1 < h.size() && i < 16; i += 2)
        v |= std::stoull(h.substr(i, 2), nullptr, 16) << (4 * i);
    return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(step_then_ctrl_c_stops_the_running_cpu_and_detach_lets_the_run_finish) {
    if (skip_without_iss_tools()) return;
    sim_with_gdb_port sim;
    {
        raw_client gdb(sim.port);
        // Packets with their checksums (the byte sum modulo 256): '?' 0x3f, 'c' 0x63, 'D' 0x44;
        // replies "S05" 0x53+0x30+0x35 = 0xb8, "S02" 0x53+0x30+0x32 = 0xb5, "OK" 0x9a.
        gdb.send("$?#3f");
        BOOST_TEST(gdb.wait_for("+$S05#b8"), gdb.got); // halted at the reset vector: SIGTRAP
        // One step from the reset vector (firmware/hal/iss_map.h: ISS_IMAGE_BASE = 0x10010000;
        // start.S begins with a load, not a branch): PC 0x10010004, register 32 ("p20", 0x70 +
        // 0x32 + 0x30 = 0xd2) in little-endian hex. 's' is 0x73.
        gdb.send("+$s#73");
        BOOST_TEST(gdb.wait_for("+$S05#b8"), gdb.got);
        gdb.send("+$p20#d2");
        BOOST_TEST(gdb.wait_for("+$0400011000000000#"), gdb.got);
        gdb.send("+$c#63");
        gdb.send("\x03");                              // Ctrl-C while the firmware runs
        BOOST_TEST(gdb.wait_for("+$S02#b5"), gdb.got); // stopped by SIGINT
        gdb.send("+$D#44");
        BOOST_TEST(gdb.wait_for("+$OK#9a"), gdb.got);
    }
    // Detached: the firmware runs on and the workload passes.
    const int status = sim.finish();
    BOOST_TEST(status == 0, sim.out);
    BOOST_TEST(!contains(sim.out, "\nnot ok "), sim.out);
}

// Hostile addresses get an error reply: a breakpoint in the last word of the 64-bit address
// space (its end wraps to 0: the check once passed and the BRK was written outside the CPU's
// SRAM, into the emulator's own memory); a zero-length read at the end of SRAM is an empty reply.
// And a step asked for while Ctrl-C has the CPU halted in WFI ends with a stop reply once the
// WFI ends (it was lost: the CPU ran on to the end of the run).
BOOST_AUTO_TEST_CASE(bad_addresses_are_errors_and_a_step_from_wfi_stops) {
    if (skip_without_iss_tools()) return;
    sim_with_gdb_port sim;
    {
        raw_client gdb(sim.port);
        gdb.send(packet("?"));
        BOOST_TEST(gdb.wait_for("+" + packet("S05")), gdb.got);
        gdb.send("+" + packet("Z0,fffffffffffffffc,4"));
        BOOST_TEST(gdb.wait_for("+" + packet("E01")), gdb.got);
        char end_read[64];
        std::snprintf(end_read, sizeof end_read, "m%llx,0",
                      static_cast<unsigned long long>(ISS_SRAM_BASE) + ISS_SRAM_BYTES);
        gdb.send("+" + packet(end_read));
        BOOST_TEST(gdb.wait_for("+" + packet("")), gdb.got);
        // Run and stop with Ctrl-C until the CPU stops right after a WFI (the firmware waits
        // for the host there most of the time): the instruction before the PC is WFI,
        // 0xd503207f, "7f2003d5" in memory order.
        bool in_wfi = false;
        for (int tries = 0; tries < 20 && !in_wfi; ++tries) {
            gdb.send("+" + packet("c"));
            ::usleep(200'000);
            gdb.send("\x03");
            BOOST_REQUIRE(gdb.wait_for("+" + packet("S02")));
            gdb.send("+" + packet("p20")); // the PC
            const std::uint64_t pc = le_hex(gdb.next_packet());
            char before[64];
            std::snprintf(before, sizeof before, "m%llx,4",
                          static_cast<unsigned long long>(pc - 4));
            gdb.send("+" + packet(before));
            in_wfi = gdb.next_packet() == "7f2003d5";
        }
        BOOST_REQUIRE(in_wfi);
        gdb.send("+" + packet("s"));
        BOOST_TEST(gdb.wait_for(packet("S05")), gdb.got);
        gdb.send("+" + packet("D"));
        BOOST_TEST(gdb.wait_for("+" + packet("OK")), gdb.got);
    }
    const int status = sim.finish();
    BOOST_TEST(status == 0, sim.out);
}

namespace {

std::int64_t sign_extend(std::uint64_t v, unsigned bits) {
    const std::uint64_t m = std::uint64_t{1} << (bits - 1);
    return static_cast<std::int64_t>((v ^ m) - m);
}

// Where an A64 instruction at pc may continue (Arm Architecture Reference Manual, C4.1 branch
// encodings): pc + 4, and for a branch its target; `reg` reads a general register (BR, BLR,
// RET). Empty for instructions the check leaves out: system instructions (MSR to DAIF, WFI:
// an interrupt may be taken), exception generation (SVC, BRK) and ERET.
std::vector<std::uint64_t> next_pcs(std::uint64_t pc, std::uint32_t insn,
                                    const std::function<std::uint64_t(unsigned)>& reg) {
    if ((insn & 0xFFC00000u) == 0xD5000000u || (insn & 0xFF000000u) == 0xD4000000u ||
        insn == 0xD69F03E0u)
        return {};
    std::vector<std::uint64_t> v{pc + 4};
    if ((insn & 0x7C000000u) == 0x14000000u) // B, BL: imm26
        v.push_back(pc + static_cast<std::uint64_t>(sign_extend(insn & 0x3FFFFFFu, 26) * 4));
    else if ((insn & 0xFF000010u) == 0x54000000u || (insn & 0x7E000000u) == 0x34000000u)
        // B.cond, CBZ, CBNZ: imm19 in bits 23:5
        v.push_back(pc + static_cast<std::uint64_t>(sign_extend((insn >> 5) & 0x7FFFFu, 19) * 4));
    else if ((insn & 0x7E000000u) == 0x36000000u) // TBZ, TBNZ: imm14 in bits 18:5
        v.push_back(pc + static_cast<std::uint64_t>(sign_extend((insn >> 5) & 0x3FFFu, 14) * 4));
    else if ((insn & 0xFF9FFC1Fu) == 0xD61F0000u) // BR, BLR, RET: Rn in bits 9:5
        v.push_back(reg((insn >> 5) & 0x1F));
    return v;
}

} // namespace

// Single steps after the firmware ran freely (its code translated and cached by the emulator)
// execute exactly one instruction each: after every `s` the PC is the next instruction or, for
// a branch, its target, decoded here from the instruction word read through `m`.
BOOST_AUTO_TEST_CASE(single_steps_after_a_free_run_execute_one_instruction_each) {
    if (skip_without_iss_tools()) return;
    sim_with_gdb_port sim;
    {
        raw_client gdb(sim.port);
        gdb.send(packet("?"));
        BOOST_REQUIRE(gdb.wait_for("+" + packet("S05")));
        gdb.send("+" + packet("c"));
        ::usleep(300'000);
        gdb.send("\x03");
        BOOST_REQUIRE(gdb.wait_for("+" + packet("S02")));
        auto reg = [&](unsigned n) {
            char p[16];
            std::snprintf(p, sizeof p, "p%x", n);
            gdb.send("+" + packet(p));
            return le_hex(gdb.next_packet());
        };
        auto word = [&](std::uint64_t addr) {
            char m[64];
            std::snprintf(m, sizeof m, "m%llx,4", static_cast<unsigned long long>(addr));
            gdb.send("+" + packet(m));
            return static_cast<std::uint32_t>(le_hex(gdb.next_packet()));
        };
        constexpr unsigned pc_reg = 0x20; // GDB's AArch64 register 32
        unsigned checked = 0;
        for (int i = 0; i < 300; ++i) {
            const std::uint64_t pc = reg(pc_reg);
            const std::uint32_t insn = word(pc);
            const std::vector<std::uint64_t> next = next_pcs(pc, insn, reg);
            gdb.send("+" + packet("s"));
            BOOST_REQUIRE(gdb.wait_for(packet("S05")));
            const std::uint64_t now = reg(pc_reg);
            if (next.empty()) continue;
            ++checked;
            BOOST_CHECK_MESSAGE(std::find(next.begin(), next.end(), now) != next.end(),
                                "step " << i << " from 0x" << std::hex << pc << " (insn 0x" << insn
                                        << ") ended at 0x" << now);
        }
        BOOST_TEST(checked > 200u);
        gdb.send("+" + packet("D"));
        BOOST_TEST(gdb.wait_for("+" + packet("OK")), gdb.got);
    }
    const int status = sim.finish();
    BOOST_TEST(status == 0, sim.out);
}

// A firmware panic under GDB halts the CPU at the panic's BRK with SIGABRT (GDB remote protocol:
// a stop reply "S06"), so the registers and the stack can be looked at; continuing ends the run,
// and GDB gets the process's exit ("W01": epsim's status 1 for a failed run) instead of a
// dropped connection. The panic probe (firmware/guest/tests/panic_probe.cc) panics at once.
BOOST_AUTO_TEST_CASE(a_firmware_panic_halts_under_gdb_then_the_exit_is_reported) {
    if (skip_without_iss_tools()) return;
    sim_with_gdb_port sim("--set cpu.elf=" PANIC_PROBE_ELF);
    {
        raw_client gdb(sim.port);
        gdb.send(packet("?"));
        BOOST_REQUIRE(gdb.wait_for("+" + packet("S05")));
        gdb.send("+" + packet("c"));
        BOOST_REQUIRE(gdb.wait_for("+" + packet("S06")));
        gdb.send("+" + packet("p20")); // the PC: at the BRK #1 (0xd4200020, "200020d4")
        const std::uint64_t pc = le_hex(gdb.next_packet());
        char m[64];
        std::snprintf(m, sizeof m, "m%llx,4", static_cast<unsigned long long>(pc));
        gdb.send("+" + packet(m));
        BOOST_TEST(gdb.next_packet() == "200020d4");
        gdb.send("+" + packet("?"));
        BOOST_TEST(gdb.wait_for(packet("S06")), gdb.got);
        gdb.send("+" + packet("c"));
        BOOST_TEST(gdb.wait_for(packet("W01")), gdb.got);
    }
    const int status = sim.finish();
    BOOST_TEST(status == 1, sim.out);
    BOOST_TEST(contains(sim.out, "panicked"), sim.out);
}

// A BRK other than the runtime's exit and panic (GCC's __builtin_trap is BRK #0x3e8, 0xd4207d00)
// is a trap, not an exit: under GDB the CPU halts at it (SIGTRAP), then the run ends failed,
// naming it. An undefined instruction (UDF #0, 0x00000000) is a CPU exception: SIGILL. Each is
// written over the first instruction at the reset vector with `M`.
BOOST_AUTO_TEST_CASE(a_trap_or_an_undefined_instruction_halts_then_fails_the_run) {
    if (skip_without_iss_tools()) return;
    struct row {
        const char *bytes, *stop, *message;
    };
    for (const row& r :
         {row{"007d20d4", "S05", "trapped: BRK #0x3e8"}, row{"00000000", "S04", "CPU exception"}}) {
        sim_with_gdb_port sim;
        {
            raw_client gdb(sim.port);
            gdb.send(packet("?"));
            BOOST_REQUIRE(gdb.wait_for("+" + packet("S05")));
            char m[64];
            std::snprintf(m, sizeof m, "M%llx,4:%s",
                          static_cast<unsigned long long>(ISS_IMAGE_BASE), r.bytes);
            gdb.send("+" + packet(m));
            BOOST_REQUIRE(gdb.wait_for("+" + packet("OK")));
            gdb.send("+" + packet("c"));
            BOOST_REQUIRE_MESSAGE(gdb.wait_for("+" + packet(r.stop)), r.stop << ": " << gdb.got);
            gdb.send("+" + packet("p20"));
            BOOST_TEST(le_hex(gdb.next_packet()) == std::uint64_t{ISS_IMAGE_BASE});
            gdb.send("+" + packet("c"));
            BOOST_TEST(gdb.wait_for(packet("W01")), gdb.got);
        }
        const int status = sim.finish();
        BOOST_TEST(status == 1, sim.out);
        BOOST_TEST(contains(sim.out, r.message), sim.out);
    }
}

BOOST_AUTO_TEST_CASE(a_used_port_is_one_clear_error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    BOOST_REQUIRE(::listen(fd, 1) == 0);
    BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    const std::string port = std::to_string(ntohs(a.sin_port));
    const auto r = shell(epsim + " run --set cpu.kind=iss --gdb " + port, run_timeout_s);
    ::close(fd);
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "epsim: error: --gdb " + port + ": cannot listen on 127.0.0.1:" +
                                   port + ": Address already in use\n"),
               r.out);
}

BOOST_AUTO_TEST_CASE(gdb_breaks_in_the_firmware_binary_and_the_run_then_passes) {
    if (skip_without_iss_tools()) return;
    // Port 0: epsim takes a free port and names it in its listening line.
    sim_with_gdb_port sim;
    const auto gdb = shell(gdb_command(sim.port), run_timeout_s);
    BOOST_TEST_MESSAGE(gdb.out);
    const int sim_status = sim.finish();
    const std::string& sim_out = sim.out;

    // The breakpoint at the EPC's mem_map (nm on the ELF: fw::epc::epc::mem_map(unsigned int,
    // unsigned long, unsigned long, fw::epc::map&)) is hit ...
    BOOST_TEST(contains(gdb.out, "Breakpoint 1, fw::epc::epc::mem_map"), gdb.out);
    // ... called from the pci-epf-test function (firmware/functions/pci_epf_test: its BAR and
    // transfer set-up map host memory through the EPC).
    const auto bt = gdb.out.find("#1 ");
    BOOST_TEST((bt != std::string::npos &&
                gdb.out.find("fw::functions::pci_epf_test::", bt) != std::string::npos),
               gdb.out);
    // x0 is `this` at the call, the epc object: in the CPU's SRAM (firmware/hal/iss_map.h:
    // ISS_SRAM_BASE, ISS_SRAM_BYTES).
    const auto x0 = x0_value(gdb.out);
    BOOST_TEST(x0 >= ISS_SRAM_BASE);
    BOOST_TEST(x0 < std::uint64_t{ISS_SRAM_BASE} + ISS_SRAM_BYTES);
    // The PC is inside mem_map, past its prologue.
    BOOST_TEST(contains(gdb.out, "<fw::epc::epc::mem_map("), gdb.out);
    // fn, mem_map's function number: pci-epf-test is the endpoint's only function, number 0.
    BOOST_TEST(contains(gdb.out, "$2 = 0\n"), gdb.out);
    // The workload ran to its end: GDB's W stop reply with epsim's exit status 0.
    BOOST_TEST(contains(gdb.out, "exited normally"), gdb.out);

    BOOST_TEST(sim_status == 0, sim_out);
    BOOST_TEST(contains(sim_out, "\nok 1 "), sim_out);
    BOOST_TEST(!contains(sim_out, "\nnot ok "), sim_out);
}

BOOST_AUTO_TEST_CASE(gdb_needs_the_iss_and_a_free_port) {
    auto r = shell(epsim + " run --gdb 0", run_timeout_s);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.out, "--gdb 0: the GDB server debugs the firmware binary; it needs "
                               "--set cpu.kind=iss"),
               r.out);
    r = shell(epsim + " run --set cpu.kind=iss --gdb 70000", run_timeout_s);
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "--gdb"), r.out);
}

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

#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>

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

} // namespace

BOOST_AUTO_TEST_CASE(gdb_breaks_in_the_firmware_binary_and_the_run_then_passes) {
    if (!have_gdb()) {
        BOOST_TEST_MESSAGE("skipped: gdb-multiarch is not installed (scripts/ install it)");
        return;
    }
    if (elf.empty() || !std::filesystem::exists(elf)) {
        BOOST_TEST_MESSAGE("skipped: no firmware ELF (the AArch64 cross toolchain is missing)");
        return;
    }
    // Port 0: epsim takes a free port and names it in its listening line.
    FILE* sim = ::popen(("timeout " + std::to_string(run_timeout_s) + " " + epsim +
                         " run --set cpu.kind=iss --gdb 0 2>&1")
                            .c_str(),
                        "r");
    BOOST_REQUIRE(sim);
    std::string sim_out;
    unsigned port = 0;
    char line[4096];
    const std::string listening = "gdb: listening on 127.0.0.1:";
    while (port == 0 && std::fgets(line, sizeof line, sim)) {
        sim_out += line;
        const std::string l = line;
        if (l.rfind(listening, 0) == 0) port = std::stoul(l.substr(listening.size()));
    }
    BOOST_REQUIRE_MESSAGE(port != 0, "no listening line: " << sim_out);

    const auto gdb = shell(gdb_command(port), run_timeout_s);
    BOOST_TEST_MESSAGE(gdb.out);
    while (std::fgets(line, sizeof line, sim))
        sim_out += line;
    const int st = ::pclose(sim);
    const int sim_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;

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

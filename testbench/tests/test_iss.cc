// The endpoint firmware as a binary on the instruction-set simulator (cpu.kind = iss), end to
// end through epsim: the Linux pcitest suite and the iova workload give the same pass/fail lines
// as the native firmware (the reference: the same sources compiled for the host), default
// dma-sweep rows of 64 KiB and more take the native time within 1 %, the same seed gives the same
// report, the report does not depend on sim.quantum_ns, a firmware panic ends the run with its
// message, and a workload without an ELF image or a bad cpu.elf is refused with one line. Not in
// the sanitizer build (Unicorn is not instrumented).
#define BOOST_TEST_MODULE iss
#include "testbench/tests/cli_test_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <elf.h>
#include <sstream>
#include <string>
#include <vector>

namespace {

using cli_test::shell;
using cli_test::work_dir;

using cleanup = cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(cleanup);

const std::string epsim = EPSIM_PATH;
constexpr int run_timeout_s = 600;

// The TAP result lines ("ok 3 ...", "not ok 7 ..."), in order.
std::vector<std::string> tap_results(const std::string& out) {
    std::vector<std::string> lines;
    std::istringstream in(out);
    std::string l;
    while (std::getline(in, l))
        if (l.rfind("ok ", 0) == 0 || l.rfind("not ok ", 0) == 0) lines.push_back(l);
    return lines;
}

// A report without the configuration echo's sim.quantum_ns (the one key the runs differ in).
nlohmann::json results_of(const std::string& report_file) {
    nlohmann::json r = nlohmann::json::parse(cli_test::read_file(report_file));
    r.at("config").at("sim").erase("quantum_ns");
    return r;
}

std::size_t count_of(const std::string& s, const std::string& part) {
    std::size_t n = 0;
    for (auto at = s.find(part); at != std::string::npos; at = s.find(part, at + part.size()))
        ++n;
    return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(pcitest_on_the_iss_matches_native_and_repeats_exactly) {
    const auto native = shell(epsim + " run", run_timeout_s);
    BOOST_REQUIRE_EQUAL(native.status, 0);
    const std::string r1 = (work_dir() / "iss1.json").string();
    const std::string r2 = (work_dir() / "iss2.json").string();
    const auto iss1 = shell(epsim + " run --set cpu.kind=iss --report " + r1, run_timeout_s);
    BOOST_TEST_MESSAGE(iss1.out.substr(iss1.out.size() > 600 ? iss1.out.size() - 600 : 0));
    BOOST_REQUIRE_EQUAL(iss1.status, 0);
    const auto want = tap_results(native.out);
    // The Linux pcitest suite: 47 rows (tools/testing/selftests/pci_endpoint).
    BOOST_REQUIRE_EQUAL(want.size(), 47u);
    const auto got = tap_results(iss1.out);
    BOOST_TEST(got == want, boost::test_tools::per_element());
    // Instructions take time on the ISS: the same tests end at another simulated time, but the
    // same seed gives the same bytes.
    const auto iss2 = shell(epsim + " run --set cpu.kind=iss --report " + r2, run_timeout_s);
    BOOST_REQUIRE_EQUAL(iss2.status, 0);
    BOOST_TEST(cli_test::read_file(r1) == cli_test::read_file(r2));
}

// The lines a workload prints that start with `prefix` ("iova:", "endpoint:"), in order.
std::vector<std::string> lines_with(const std::string& out, const std::string& prefix) {
    std::vector<std::string> lines;
    std::istringstream in(out);
    std::string l;
    while (std::getline(in, l))
        if (l.rfind(prefix, 0) == 0) lines.push_back(l);
    return lines;
}

BOOST_AUTO_TEST_CASE(iova_on_the_iss_gives_the_native_pass_fail_lines) {
    // A few buffers keep the run short; the reference is the same sources compiled for the host.
    const std::string args = " run --workload iova --set function.iova.buffers=8";
    const auto native = shell(epsim + args, run_timeout_s);
    BOOST_REQUIRE_EQUAL(native.status, 0);
    const auto iss = shell(epsim + args + " --set cpu.kind=iss", run_timeout_s);
    BOOST_TEST_MESSAGE(iss.out.substr(iss.out.size() > 600 ? iss.out.size() - 600 : 0));
    BOOST_REQUIRE_EQUAL(iss.status, 0);
    // The verdict line (PASS, the unmapped page's read, the fault records, the DRAM checks).
    const auto want = lines_with(native.out, "iova: ");
    BOOST_REQUIRE_EQUAL(want.size(), 1u);
    BOOST_TEST(cli_test::contains(want.front(), "iova: PASS"), want.front());
    BOOST_TEST(lines_with(iss.out, "iova: ") == want, boost::test_tools::per_element());
    // The host's account of what the function did (its steps are timed, the host's are not).
    BOOST_TEST(lines_with(iss.out, "host: ") == lines_with(native.out, "host: "),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dma_sweep_rows_of_64_kib_and_more_match_native) {
    // The eDMA moves the data, the CPU only rings doorbells: from 64 KiB on, a row's time is the
    // engine's and the link's, whichever CPU model rang it. The issue asks for 1 % on the default
    // sweep (64 B .. 16 MiB; rows below 256 KiB are the mean of several transfers,
    // workload.dma_sweep.repeat_bytes, see the next test for why).
    const std::string args = " run --workload dma-sweep --report ";
    const std::string rn = (work_dir() / "sweep-native.json").string();
    const std::string ri = (work_dir() / "sweep-iss.json").string();
    const auto native = shell(epsim + args + rn, run_timeout_s);
    BOOST_REQUIRE_EQUAL(native.status, 0);
    const auto iss = shell(epsim + args + ri + " --set cpu.kind=iss", run_timeout_s);
    BOOST_TEST_MESSAGE(iss.out.substr(iss.out.size() > 600 ? iss.out.size() - 600 : 0));
    BOOST_REQUIRE_EQUAL(iss.status, 0);
    const auto want = cli_test::read_json(rn).at("dma_sweep");
    const auto got = cli_test::read_json(ri).at("dma_sweep");
    // 64 B x 4^k up to 16 MiB: 10 sizes, read and write.
    BOOST_REQUIRE_EQUAL(want.size(), 20u);
    BOOST_REQUIRE_EQUAL(got.size(), want.size());
    constexpr std::uint64_t from_bytes = 64 * 1024;
    unsigned compared = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        BOOST_TEST(got[i].at("direction") == want[i].at("direction"));
        BOOST_TEST(got[i].at("size_bytes") == want[i].at("size_bytes"));
        BOOST_TEST(got[i].at("firmware_status").get<int>() == 0);
        if (want[i].at("size_bytes").get<std::uint64_t>() < from_bytes) continue;
        const double w = want[i].at("time_ns").get<double>();
        const double g = got[i].at("time_ns").get<double>();
        BOOST_TEST(w > 0);
        BOOST_TEST(g == w, boost::test_tools::tolerance(0.01));
        ++compared;
    }
    BOOST_TEST(compared == 10u); // 64 KiB, 256 KiB, 1, 4 and 16 MiB, both directions
}

BOOST_AUTO_TEST_CASE(one_transfer_differs_only_by_the_phase_of_dram_refresh) {
    // Why rows repeat small transfers: the ISS boots more slowly, so a transfer starts at another
    // phase of DRAM refresh (every dram.trefi_ps from time 0). Any DRAM access of the transfer (the
    // linked-list element fetch, an SMMU walk, a completion's data write) that meets a refresh
    // waits for it, then activates its row again. Checked on one 64 KiB read
    // (workload.dma_sweep.repeat_bytes = 0), about 19.5 us: (1) the rows differ by no more than
    // the refreshes inside the transfer can cost, each at most tRFC + tRCD + tCL (210 + 18 +
    // 21.25 ns with the defaults) and one more for a refresh the transfer starts in; (2) with
    // refreshes that take no time (dram.trfc_ps = 0) the two rows and the walk times are equal.
    const std::string args = " run --workload dma-sweep --set workload.dma_sweep.min_bytes=65536"
                             " --set workload.dma_sweep.max_bytes=65536"
                             " --set workload.dma_sweep.repeat_bytes=0"
                             " --set workload.dma_sweep.write=false";
    const auto run = [&](const std::string& extra, const std::string& name) {
        const std::string file = (work_dir() / name).string();
        const auto r = shell(epsim + args + extra + " --report " + file, run_timeout_s);
        BOOST_REQUIRE_EQUAL(r.status, 0);
        const auto j = cli_test::read_json(file);
        return std::pair<double, double>(j.at("dma_sweep").at(0).at("time_ns").get<double>(),
                                         j.at("smmu").at("walk_time_ns").get<double>());
    };
    const auto [t_native, walk_native] = run("", "read64-native.json");
    const auto [t_iss, walk_iss] = run(" --set cpu.kind=iss", "read64-iss.json");
    constexpr double trefi_ns = 3900, refresh_cost_ns = 210 + 18 + 21.25;
    const double refreshes = std::ceil(std::max(t_native, t_iss) / trefi_ns) + 1;
    BOOST_TEST(std::abs(t_native - t_iss) <= refreshes * refresh_cost_ns);
    BOOST_TEST(walk_native > 0);
    BOOST_TEST(walk_iss > 0);
    const std::string no_refresh = " --set dram.trfc_ps=0";
    const auto [t_native_nr, w1] = run(no_refresh, "read64-native-nr.json");
    const auto [t_iss_nr, w2] = run(no_refresh + " --set cpu.kind=iss", "read64-iss-nr.json");
    BOOST_TEST(t_iss_nr == t_native_nr);
    BOOST_TEST(w1 == w2);
}

BOOST_AUTO_TEST_CASE(a_workload_without_an_elf_image_is_refused) {
    // iotlb-sweep's endpoint job reads nothing back through the ELF's result block yet.
    const auto r = shell(epsim + " run --workload iotlb-sweep --set cpu.kind=iss", run_timeout_s);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(cli_test::contains(r.out, "cpu.kind = iss"), r.out);
}

BOOST_AUTO_TEST_CASE(a_board_region_over_the_cpu_sram_is_refused) {
    // SRAM is [0x1000_0000, 0x1100_0000): 16 MiB of DRAM at 0x1080_0000 overlaps its upper half.
    const auto r = shell(
        epsim +
            " run --set cpu.kind=iss --set dram.base=0x10800000 --set dram.size_bytes=0x1000000",
        run_timeout_s);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(cli_test::contains(r.out, "dram.base = 0x10800000"), r.out);
}

// How an interrupt reaches the firmware binary (iss_cpu.h): only at a run boundary of the core.
// The guest HAL keeps PSTATE.I set except right after its WFI; WFI ends the quantum (the core
// synchronises to the kernel) and the core then waits in simulated time for PENDING != 0, so the
// first block after the wake takes the interrupt at the line's own time whatever the quantum.
// The core's own blocks (timer, interrupt-controller view) and the memory controller act at each
// access's own time. The bound on a timing figure is therefore one quantum per interrupt taken
// while PSTATE.I is clear in computing code: none in pcitest, so its bound is 0 and every figure
// of the report (end time, latencies, counters) must be the same at quanta of 100 ns, 1 us (the
// default) and 10 us (the largest sim.quantum_ns accepts).
BOOST_AUTO_TEST_CASE(pcitest_on_the_iss_does_not_depend_on_the_quantum) {
    std::vector<std::string> tap;
    std::vector<nlohmann::json> reports;
    for (const char* quantum_ns : {"1000", "100", "10000"}) {
        const std::string report =
            (work_dir() / ("q" + std::string(quantum_ns) + ".json")).string();
        const auto r = shell(epsim + " run --set cpu.kind=iss --set sim.quantum_ns=" + quantum_ns +
                                 " --report " + report,
                             run_timeout_s);
        BOOST_REQUIRE_MESSAGE(r.status == 0, r.out);
        const auto lines = tap_results(r.out);
        BOOST_REQUIRE_EQUAL(lines.size(), 47u);
        if (tap.empty()) tap = lines;
        BOOST_TEST(lines == tap, boost::test_tools::per_element());
        reports.push_back(results_of(report));
    }
    const double end_1us = reports[0].at("sim").at("end_time_ns").get<double>(); // 1000 first
    for (std::size_t i = 1; i < reports.size(); ++i) {
        BOOST_TEST(reports[i].at("sim").at("end_time_ns").get<double>() == end_1us);
        BOOST_TEST(reports[i] == reports[0]);
    }
}

// The firmware's log lines, native and as the binary (its UART), carry the CPU's own time, not
// the kernel's: the same lines at the same times at quanta of 10 ns and 10 us (the CPU runs up to
// a quantum ahead of the kernel; its lines were stamped up to a quantum early).
BOOST_AUTO_TEST_CASE(firmware_log_lines_carry_the_cpus_own_time) {
    for (const char* cpu : {"native", "iss"}) {
        std::vector<std::string> at[2];
        const char* quanta[] = {"10", "10000"};
        for (int q = 0; q < 2; ++q) {
            const auto r = shell(epsim + " run --workload dma-mix --log fw --set cpu.kind=" + cpu +
                                     " --set sim.quantum_ns=" + quanta[q],
                                 run_timeout_s);
            BOOST_REQUIRE_MESSAGE(r.status == 0, r.out);
            std::istringstream in(r.out);
            for (std::string line; std::getline(in, line);)
                if (line.find("] fw: ") != std::string::npos) at[q].push_back(line);
        }
        BOOST_TEST_CONTEXT(cpu) {
            BOOST_TEST(at[0].size() > 5u);
            BOOST_TEST(at[0] == at[1], boost::test_tools::per_element());
        }
    }
}

// A guest runtime panic (an ELF that panics at once: firmware/guest/tests/panic_probe.cc) ends the
// run at once with one line carrying the message the firmware wrote to the UART, and exit 1.
BOOST_AUTO_TEST_CASE(a_firmware_panic_ends_the_run_with_its_message) {
    const auto r =
        shell(epsim + " run --set cpu.kind=iss --set cpu.elf=" PANIC_PROBE_ELF, run_timeout_s);
    BOOST_TEST(r.status == 1, r.out);
    BOOST_TEST(count_of(r.out, "epsim: error:") == 1u, r.out);
    BOOST_TEST(
        cli_test::contains(
            r.out, "epsim: error: the endpoint firmware panicked: probe: a deliberate panic"),
        r.out);
}

// cpu.elf: the default is the ELF beside epsim; a missing file or a file that is not an AArch64
// ELF is refused before the run with one line naming the key (exit 2, a configuration error).
BOOST_AUTO_TEST_CASE(cpu_elf_defaults_to_the_built_elf_and_bad_files_are_refused) {
    const auto dump = shell(epsim + " config --dump", run_timeout_s);
    BOOST_REQUIRE_EQUAL(dump.status, 0);
    const auto doc = nlohmann::json::parse(dump.out);
    BOOST_TEST(doc.at("cpu").at("elf").get<std::string>() ==
               "$ORIGIN/firmware-aarch64/epvp-firmware.elf");
    const auto missing =
        shell(epsim + " run --set cpu.kind=iss --set cpu.elf=/nonexistent/fw.elf", run_timeout_s);
    BOOST_TEST(missing.status == 2);
    BOOST_TEST(count_of(missing.out, "epsim: error:") == 1u, missing.out);
    BOOST_TEST(
        cli_test::contains(missing.out,
                           "cpu.elf = \"/nonexistent/fw.elf\": cannot read /nonexistent/fw.elf"),
        missing.out);
    // epsim itself: an ELF, but for the host.
    const auto host_elf =
        shell(epsim + " run --set cpu.kind=iss --set cpu.elf=" + epsim, run_timeout_s);
    BOOST_TEST(host_elf.status == 2);
    BOOST_TEST(cli_test::contains(host_elf.out, "not an AArch64 ELF64 file"), host_elf.out);
    BOOST_TEST(count_of(host_elf.out, "epsim: error:") == 1u, host_elf.out);
    // Not a regular file: a device that never ends, a folder (a FIFO would block the same way).
    for (const char* path : {"/dev/zero", "/tmp"}) {
        const auto r =
            shell(epsim + " run --set cpu.kind=iss --set cpu.elf=" + path, run_timeout_s);
        BOOST_TEST(r.status == 2, path << ": " << r.out);
        BOOST_TEST(cli_test::contains(r.out, "not a regular file"), r.out);
    }
}

// A crafted ELF whose offsets or addresses would wrap a bounds check around 2^64 is refused with
// one line; it once made the loader copy outside the CPU's SRAM (a segment past its end) or read
// outside the file. Each file: an AArch64 ELF64 header (<elf.h>) and one PT_LOAD program header,
// with one field set far out; the image area starts at 0x10010000 (firmware/hal/iss_map.h:
// ISS_SRAM_BASE 0x10000000 + ISS_BOOT_PARAMS_BYTES 0x10000) and SRAM ends at 0x11000000.
BOOST_AUTO_TEST_CASE(crafted_elf_offsets_are_refused_without_wrapping) {
    struct crafted {
        const char* name;
        std::uint64_t phoff, paddr, offset;
        const char* says;
    };
    const crafted cases[] = {
        {"past_sram.elf", sizeof(Elf64_Ehdr), 0x20000000, 0, "outside the CPU's SRAM image area"},
        {"phoff_wraps.elf", 0xFFFFFFFFFFFFFFF0ull, 0x10010000, 0, "truncated program headers"},
        {"offset_wraps.elf", sizeof(Elf64_Ehdr), 0x10010000, 0xFFFFFFFFFFFFFF00ull,
         "beyond the end of the file"},
    };
    for (const crafted& c : cases) {
        Elf64_Ehdr eh{};
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = ET_EXEC;
        eh.e_machine = EM_AARCH64;
        eh.e_version = EV_CURRENT;
        eh.e_entry = 0x10010000;
        eh.e_phoff = c.phoff;
        eh.e_ehsize = sizeof eh;
        eh.e_phentsize = sizeof(Elf64_Phdr);
        eh.e_phnum = 1;
        Elf64_Phdr ph{};
        ph.p_type = PT_LOAD;
        ph.p_offset = c.offset;
        ph.p_vaddr = ph.p_paddr = c.paddr;
        ph.p_filesz = ph.p_memsz = 0x100;
        std::string bytes(reinterpret_cast<const char*>(&eh), sizeof eh);
        bytes.append(reinterpret_cast<const char*>(&ph), sizeof ph);
        bytes.append(0x100, '\0');
        const auto file = cli_test::write_file(c.name, bytes);
        const auto r =
            shell(epsim + " run --set cpu.kind=iss --set cpu.elf=" + file.string(), run_timeout_s);
        BOOST_TEST(r.status == 2, c.name << ": " << r.out);
        BOOST_TEST(cli_test::contains(r.out, c.says), c.name << ": " << r.out);
        BOOST_TEST(count_of(r.out, "epsim: error:") == 1u, r.out);
    }
}

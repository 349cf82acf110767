// The firmware ELF the cross build produces: an AArch64 executable laid out on the CPU's address
// map, with the firmware's functions as symbols and nothing the bare-metal runtime cannot give
// it (no undefined symbol, no exception machinery).
#define BOOST_TEST_MODULE firmware_elf
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    BOOST_REQUIRE_MESSAGE(p, "cannot run " << cmd);
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        out.append(buf.data(), n);
    const int st = ::pclose(p);
    BOOST_REQUIRE_MESSAGE(WIFEXITED(st) && WEXITSTATUS(st) == 0, cmd << " failed: " << out);
    return out;
}

std::uint64_t le(const unsigned char* p, unsigned bytes) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i)
        v |= std::uint64_t{p[i]} << (8 * i);
    return v;
}

// nm's defined symbols, demangled name -> address.
std::map<std::string, std::uint64_t> defined_symbols() {
    std::map<std::string, std::uint64_t> syms;
    std::istringstream in(run(std::string(NM) + " -C --defined-only " + FIRMWARE_ELF));
    std::string line;
    while (std::getline(in, line)) {
        // "0000000010010000 T _start"
        if (line.size() < 20 || line[16] != ' ' || line[18] != ' ') continue;
        syms[line.substr(19)] = std::stoull(line.substr(0, 16), nullptr, 16);
    }
    return syms;
}

} // namespace

// ELF header fields (System V gABI "ELF Header"): e_ident[EI_CLASS] = ELFCLASS64 (2),
// e_ident[EI_DATA] = ELFDATA2LSB (1), e_type = ET_EXEC (2) at offset 16, e_machine at 18 =
// EM_AARCH64 (183, Linux include/uapi/linux/elf-em.h), e_entry at 24.
BOOST_AUTO_TEST_CASE(header_says_aarch64_executable) {
    std::ifstream f(FIRMWARE_ELF, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(f, "no firmware ELF at " FIRMWARE_ELF);
    std::array<unsigned char, 64> h{};
    f.read(reinterpret_cast<char*>(h.data()), h.size());
    BOOST_REQUIRE_EQUAL(f.gcount(), 64);
    BOOST_TEST(std::memcmp(h.data(),
                           "\x7f"
                           "ELF",
                           4) == 0);
    BOOST_TEST(h[4] == 2);
    BOOST_TEST(h[5] == 1);
    BOOST_TEST(le(&h[16], 2) == 2u);
    BOOST_TEST(le(&h[18], 2) == 183u);
    // The reset vector: SRAM base 0x1000_0000 + the 64 KiB boot parameter block = 0x1001_0000.
    BOOST_TEST(le(&h[24], 8) == 0x10010000u);
    BOOST_TEST(run(std::string(READELF) + " -h " + FIRMWARE_ELF).find("AArch64") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(symbols_name_the_firmware_functions) {
    const auto syms = defined_symbols();
    auto has_prefix = [&syms](const std::string& name) {
        auto it = syms.lower_bound(name);
        return it != syms.end() && it->first.compare(0, name.size(), name) == 0;
    };
    // One function of every part of the endpoint firmware the test endpoint image runs (with the
    // built-in jobs it dispatches by name), and of the guest's own runtime.
    for (const char* f :
         {"fw::epc::epc::mem_map(", "fw::epf::run_function(", "fw::functions::builtin_job(",
          "fw::functions::run_iova_test(", "fw::functions::run_dma_sweep(",
          "fw::functions::run_dma_mix(", "fw::functions::serve_cmd_stream(",
          "fw::functions::pci_epf_test::", "fw::dwc::dw_pcie_ep::", "fw::dwc::dw_edma::xfer(",
          "fw::iommu::smmu_v3::probe(", "fw::iommu::iova_space::init(",
          "fw::guest::guest_platform::wait_for_interrupt(", "guest_main", "guest_irq", "_start",
          "vectors", "malloc", "operator new("})
        BOOST_TEST(has_prefix(f), f << " is not a defined symbol of the ELF");
}

BOOST_AUTO_TEST_CASE(layout_fits_the_cpu_address_map) {
    const auto syms = defined_symbols();
    for (const char* s : {"_start", "vectors", "__stack_top", "__heap_start", "__heap_end"})
        BOOST_REQUIRE_MESSAGE(syms.count(s), s << " missing");
    BOOST_TEST(syms.at("_start") == 0x10010000u);
    // VBAR_EL1 bits [10:0] are RES0 (Arm ARM D13.2): the vector table is 2 KiB aligned.
    BOOST_TEST(syms.at("vectors") % 2048 == 0u);
    // SRAM is 16 MiB from 0x1000_0000: the stack starts at its end, 0x1100_0000, and the heap
    // ends 1 MiB (the stack) below it, 0x10F0_0000.
    BOOST_TEST(syms.at("__stack_top") == 0x11000000u);
    BOOST_TEST(syms.at("__heap_end") == 0x10F00000u);
    BOOST_TEST(syms.at("__heap_start") < syms.at("__heap_end"));
}

BOOST_AUTO_TEST_CASE(nothing_undefined_and_no_exception_machinery) {
    BOOST_TEST(run(std::string(NM) + " -u " + FIRMWARE_ELF).empty());
    const std::string all = run(std::string(NM) + " " + FIRMWARE_ELF);
    for (const char* s : {"__cxa_throw", "__cxa_begin_catch", "__gxx_personality_v0",
                          "_Unwind_RaiseException", "pthread_", "gettext"})
        BOOST_TEST(all.find(s) == std::string::npos, s << " is linked in");
}

// The root complex (pcie::root_complex) with two root ports, each behind a link to a recording
// endpoint stub, host memory (host::host_memory) and the MSI controller on their sockets.
// Expectations come from the PCIe Base Spec 5.0 tables cited at each check, from the ECAM
// address layout (bus << 20 | device << 15 | function << 12 | register) and from hand
// arithmetic written beside them; none is read back from the model first.
#define BOOST_TEST_MODULE root_complex
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "contracts/host_irq_regs.h"
#include "model/host/host_memory.h"
#include "model/host/msi_controller.h"
#include "model/pcie/completer.h"
#include "model/pcie/link.h"
#include "model/pcie/root_complex.h"
#include "testbench/tests/tlm_test_util.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace {

using epvp::pcie::cpl_status;
using epvp::pcie::pcie_tlp;
using epvp::pcie::tlp_type;
namespace pcie = epvp::pcie;

constexpr std::uint64_t ram = 0x80000000, ram_bytes = 1 << 20;
constexpr std::uint64_t ecam = 0xE0000000;
constexpr std::uint64_t mmio32 = 0x10000000, mmio32_bytes = 0x10000000;
constexpr std::uint64_t msi = 0xFEE00000; // doorbell page, then the register page
constexpr std::uint64_t page = 0x1000;
constexpr std::uint32_t cfg_answer = 0xC0FFEE00; // what a stub answers a CfgRd with (+ bus)

std::uint64_t ecam_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return ecam + (std::uint64_t(bus) << 20) + (dev << 15) + (fn << 12) + reg;
}

// Records every TLP; answers configuration requests (CfgRd: cfg_answer + its bus number).
struct ep_stub : sc_core::sc_module {
    tlm_utils::simple_target_socket<ep_stub> rx;
    tlm_utils::simple_initiator_socket<ep_stub> tx;
    struct seen {
        tlp_type type;
        std::uint64_t addr;
        std::uint16_t target;
        cpl_status status;
    };
    std::vector<seen> tlps;
    unsigned crs_answers = 0; // configuration requests still to answer with CRS

    explicit ep_stub(sc_core::sc_module_name n)
        : sc_module(n)
        , rx("rx")
        , tx("tx") {
        rx.register_b_transport(this, &ep_stub::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        const pcie_tlp& t = pcie::tlp_of(gp);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        tlps.push_back({t.type, gp.get_address(), t.target_id, t.status});
        if (pcie::is_completion(t.type) || pcie::is_posted(t.type)) return;
        pcie::completer_params cp;
        cp.completer_id = t.target_id;
        if (crs_answers) {
            --crs_answers;
            pcie::send_completion(*tx.operator->(), cp, gp, t, cpl_status::crs, nullptr, delay);
            return;
        }
        const std::uint32_t v = cfg_answer + (t.target_id >> 8);
        const bool read = t.type == tlp_type::cfgrd0 || t.type == tlp_type::cfgrd1;
        pcie::send_completion(*tx.operator->(), cp, gp, t, cpl_status::sc,
                              read ? reinterpret_cast<const unsigned char*>(&v) : nullptr, delay);
    }
    // Sends a posted MWr upstream as requester `rid`.
    void mwr(std::uint64_t addr, std::uint32_t data, std::uint16_t rid) {
        send(tlp_type::mwr, addr, &data, rid, 0);
    }
    // Sends a 4-byte MRd upstream as requester `rid` (its completions arrive on rx).
    void mrd(std::uint64_t addr, std::uint16_t rid, std::uint16_t tag) {
        send(tlp_type::mrd, addr, nullptr, rid, tag);
    }

private:
    void send(tlp_type type, std::uint64_t addr, std::uint32_t* data, std::uint16_t rid,
              std::uint16_t tag) {
        pcie_tlp ext;
        ext.type = type;
        ext.requester_id = rid;
        ext.tag = tag;
        ext.addr64 = addr >> 32;
        tlm::tlm_generic_payload gp;
        gp.set_command(type == tlp_type::mrd ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(reinterpret_cast<unsigned char*>(data));
        gp.set_data_length(4);
        gp.set_streaming_width(4);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        gp.set_extension(&ext);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        tx->b_transport(gp, d);
        gp.clear_extension(&ext);
    }
};

pcie::root_complex_params params() {
    pcie::root_complex_params p;
    p.mem_base = ram;
    p.mem_size = ram_bytes;
    p.ecam_base = ecam;
    p.mmio32_base = mmio32;
    p.mmio32_size = mmio32_bytes;
    p.msi_base = msi;
    p.root_ports = 2;
    return p;
}

struct bench : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<bench> cpu;
    pcie::root_complex rc;
    epvp::host::host_memory mem;
    epvp::host::msi_controller msic;
    pcie::pcie_link l0, l1;
    ep_stub a, b;
    sc_core::sc_signal<bool> msi_irq, intx_irq;

    explicit bench(sc_core::sc_module_name n)
        : sc_module(n)
        , cpu("cpu")
        , rc("rc", params())
        , mem("mem", ram, ram_bytes)
        , msic("msic", msi)
        , l0("l0", pcie::link_params{})
        , l1("l1", pcie::link_params{})
        , a("a")
        , b("b") {
        cpu.bind(rc.host_in);
        rc.mem_out.bind(mem.in);
        rc.msi_out.bind(msic.in);
        msic.msi_irq.bind(msi_irq);
        msic.intx_irq.bind(intx_irq);
        rc.tx(0).bind(l0.up_in);
        l0.up_out.bind(rc.rx(0));
        rc.tx(1).bind(l1.up_in);
        l1.up_out.bind(rc.rx(1));
        l0.dn_out.bind(a.rx);
        a.tx.bind(l0.dn_in);
        l1.dn_out.bind(b.rx);
        b.tx.bind(l1.dn_in);
        l0.up_status.bind(rc.link_status(0));
        l1.up_status.bind(rc.link_status(1));
    }

    tlm::tlm_response_status access(bool write, std::uint64_t addr, void* data, unsigned len) {
        return tlm_test::access(cpu, write, addr, data, len);
    }
    std::uint32_t rd32(std::uint64_t addr) {
        std::uint32_t v = 0;
        access(false, addr, &v, 4);
        return v;
    }
    std::uint16_t rd16(std::uint64_t addr) {
        std::uint16_t v = 0;
        access(false, addr, &v, 2);
        return v;
    }
    void wr32(std::uint64_t addr, std::uint32_t v) { access(true, addr, &v, 4); }
    void wr16(std::uint64_t addr, std::uint16_t v) { access(true, addr, &v, 2); }
};

bench& tb() {
    static bench* b = [] {
        sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
        return new bench("tb");
    }();
    return *b;
}

// Runs f in a SystemC thread (requests to below wait for their completions) to its end.
void in_sim(std::function<void()> f) {
    bench& t = tb();
    bool done = false;
    sc_core::sc_spawn([&] {
        if (!t.l0.is_up()) t.l0.train(3, 4);
        if (!t.l1.is_up()) t.l1.train(3, 4);
        f();
        done = true;
    });
    sc_core::sc_start();
    BOOST_REQUIRE(done);
}

// Root port i's configuration space.
std::uint64_t rp(unsigned i, unsigned reg) {
    return ecam_addr(0, i, 0, reg);
}

// Bus numbers: RP0 secondary 1, subordinate 1; RP1 secondary 2, subordinate 3. Windows: RP0
// 0x1000_0000..0x100F_FFFF, RP1 0x1010_0000..0x101F_FFFF (Memory Base / Limit hold address bits
// 31:20 in bits 15:4 of each half: 0x1000 -> 0x1000_0000, limit 0x1000 -> 0x100F_FFFF).
void configure(bench& t) {
    t.wr32(rp(0, 0x18), 0x00010100);
    t.wr32(rp(1, 0x18), 0x00030200);
    t.wr32(rp(0, 0x20), 0x10001000);
    t.wr32(rp(1, 0x20), 0x10101010);
    t.wr16(rp(0, 0x04), 0x0006); // Memory Space Enable, Bus Master Enable
    t.wr16(rp(1, 0x04), 0x0006);
}

} // namespace

// Type 1 header of a root port: identity and the writable bits of the spec's tables.
BOOST_AUTO_TEST_CASE(type1_header) {
    in_sim([] {
        bench& t = tb();
        // Root port 0 shows the host bridge's IDs (params: 8086:2030).
        BOOST_TEST(t.rd32(rp(0, 0x00)) == 0x20308086u);
        BOOST_TEST(t.rd32(rp(1, 0x00)) == 0x20308086u);
        // Class code 06 04 00 (PCI-to-PCI bridge), Header Type 01h at byte 0x0E.
        BOOST_TEST((t.rd32(rp(0, 0x08)) >> 8) == 0x060400u);
        BOOST_TEST(((t.rd32(rp(0, 0x0C)) >> 16) & 0x7F) == 0x01u);
        // Command (section 7.5.1.1.3): writing all ones keeps I/O Space (0), Memory Space (1),
        // Bus Master (2), Parity Error Response (6), SERR# (8), Interrupt Disable (10):
        // 0x001 + 0x002 + 0x004 + 0x040 + 0x100 + 0x400 = 0x547. Status bit 4 (Capabilities
        // List) reads 1.
        t.wr16(rp(1, 0x04), 0xFFFF);
        BOOST_TEST(t.rd16(rp(1, 0x04)) == 0x0547u);
        BOOST_TEST((t.rd16(rp(1, 0x06)) & 0x0010) == 0x0010u);
        t.wr16(rp(1, 0x04), 0);
        // Bridge Control (section 7.5.1.3.13): bits 0-4 and 6 writable, Master Abort Mode (5)
        // and 7-15 hardwired 0: 0x1F + 0x40 = 0x5F. Interrupt Line (0x3C) is writable.
        t.wr16(rp(1, 0x3E), 0xFFBF); // all but Secondary Bus Reset (would reset the link)
        BOOST_TEST(t.rd16(rp(1, 0x3E)) == 0x001Fu);
        t.wr16(rp(1, 0x3E), 0);
        t.wr16(rp(1, 0x3C), 0x00AB);
        BOOST_TEST((t.rd16(rp(1, 0x3C)) & 0xFF) == 0xABu);
        // Bus numbers: the three bytes are writable.
        t.wr32(rp(1, 0x18), 0x00FFFFFF);
        BOOST_TEST(t.rd32(rp(1, 0x18)) == 0x00FFFFFFu);
        t.wr32(rp(1, 0x18), 0);
        // Capabilities Pointer -> PCI Express capability (ID 10h), Device/Port Type 4 (Root
        // Port of PCI Express Root Complex, section 7.5.3.2).
        const std::uint32_t cap = t.rd32(rp(0, 0x34)) & 0xFF;
        const std::uint32_t exp = t.rd32(rp(0, cap));
        BOOST_TEST((exp & 0xFF) == 0x10u);
        BOOST_TEST(((exp >> 20) & 0xF) == 0x4u);
        // Device Capabilities: Role-Based Error Reporting (bit 15) is set by every function of
        // PCIe 1.1 or later (section 7.5.3.3).
        BOOST_TEST((t.rd32(rp(0, cap + 0x04)) & (1u << 15)) != 0u);
        // AER at 0x100: extended capability ID 0001h.
        BOOST_TEST((t.rd32(rp(0, 0x100)) & 0xFFFF) == 0x0001u);
        // Uncorrectable Error Severity reset (section 7.8.4.4): Data Link Protocol (4), Surprise
        // Down (5), Flow Control Protocol (13), Receiver Overflow (17), Malformed TLP (18) and
        // Uncorrectable Internal Error (22) default to fatal.
        BOOST_TEST(t.rd32(rp(0, 0x100 + 0x0C)) ==
                   ((1u << 4) | (1u << 5) | (1u << 13) | (1u << 17) | (1u << 18) | (1u << 22)));
        // Absent functions and devices on bus 0 read all-ones.
        BOOST_TEST(t.rd32(ecam_addr(0, 2, 0, 0)) == 0xFFFFFFFFu);
        BOOST_TEST(t.rd32(ecam_addr(0, 0, 1, 0)) == 0xFFFFFFFFu);
    });
}

// Configuration requests below a root port: Type 0 on its secondary bus (device 0 only), Type
// 1 up to its subordinate, nothing outside every port's range.
BOOST_AUTO_TEST_CASE(config_cycles_by_bus_number) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        t.a.tlps.clear();
        t.b.tlps.clear();
        BOOST_TEST(t.rd32(ecam_addr(1, 0, 0, 0x10)) == cfg_answer + 1);
        BOOST_REQUIRE(t.a.tlps.size() == 1u);
        BOOST_TEST((t.a.tlps[0].type == tlp_type::cfgrd0));
        BOOST_TEST(t.a.tlps[0].target == pcie::make_bdf(1, 0, 0));
        BOOST_TEST(t.a.tlps[0].addr == 0x10u);
        // Secondary bus 2 of RP1: Type 0; bus 3 (subordinate, not secondary): Type 1.
        BOOST_TEST(t.rd32(ecam_addr(2, 0, 0, 0)) == cfg_answer + 2);
        BOOST_TEST(t.rd32(ecam_addr(3, 4, 1, 0x40)) == cfg_answer + 3);
        BOOST_REQUIRE(t.b.tlps.size() == 2u);
        BOOST_TEST((t.b.tlps[0].type == tlp_type::cfgrd0));
        BOOST_TEST((t.b.tlps[1].type == tlp_type::cfgrd1));
        BOOST_TEST(t.b.tlps[1].target == pcie::make_bdf(3, 4, 1));
        // Device 1 on a secondary bus (a link has device 0 only) and bus 4 (no port): all-ones,
        // no TLP.
        BOOST_TEST(t.rd32(ecam_addr(1, 1, 0, 0)) == 0xFFFFFFFFu);
        BOOST_TEST(t.rd32(ecam_addr(4, 0, 0, 0)) == 0xFFFFFFFFu);
        BOOST_TEST(t.a.tlps.size() == 1u);
        BOOST_TEST(t.b.tlps.size() == 2u);
        // A configuration write becomes CfgWr0.
        t.wr32(ecam_addr(1, 0, 0, 0x04), 0x6);
        BOOST_REQUIRE(t.a.tlps.size() == 2u);
        BOOST_TEST((t.a.tlps[1].type == tlp_type::cfgwr0));
    });
}

// MMIO through the memory windows (section 7.5.1.3.8): inclusive to the end of the limit's
// 1 MiB granule; Memory Space Enable gates the port.
BOOST_AUTO_TEST_CASE(type1_forwarding_windows) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        t.a.tlps.clear();
        t.b.tlps.clear();
        std::uint32_t v = 0x11223344;
        BOOST_TEST(t.access(true, 0x10000040, &v, 4) == tlm::TLM_OK_RESPONSE);
        BOOST_TEST(t.access(true, 0x100FFFFC, &v, 4) == tlm::TLM_OK_RESPONSE); // last dword
        BOOST_TEST(t.access(true, 0x10100000, &v, 4) == tlm::TLM_OK_RESPONSE); // RP1's first
        BOOST_REQUIRE(t.a.tlps.size() == 2u);
        BOOST_TEST((t.a.tlps[0].type == tlp_type::mwr));
        BOOST_TEST(t.a.tlps[0].addr == 0x10000040u);
        BOOST_TEST(t.a.tlps[1].addr == 0x100FFFFCu);
        BOOST_REQUIRE(t.b.tlps.size() == 1u);
        BOOST_TEST(t.b.tlps[0].addr == 0x10100000u);
        // Straddling RP0's limit (0x100FFFFC + 8 - 1 = 0x10100003), past RP1's limit
        // (0x1020_0000): master abort.
        std::uint64_t w = 0;
        BOOST_TEST(t.access(true, 0x100FFFFC, &w, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BOOST_TEST(t.access(true, 0x10200000, &v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        // Memory Space Enable clear on RP1: its window no longer forwards.
        t.wr16(rp(1, 0x04), 0x0004);
        BOOST_TEST(t.access(true, 0x10100000, &v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BOOST_TEST(t.b.tlps.size() == 1u);
    });
}

// An MSI is the MWr it is: one into the doorbell page reaches the MSI controller's FIFO with
// its address, data and requester ID (register layout: host_irq_regs.h).
BOOST_AUTO_TEST_CASE(msi_delivery) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        const std::uint64_t regs = msi + page;
        const std::uint32_t total = t.rd32(regs + host_irq::MSI_TOTAL);
        t.a.mwr(msi + 0x40, 0x2A, pcie::make_bdf(1, 0, 0));
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US)); // the message takes effect on arrival
        BOOST_TEST(t.rd32(regs + host_irq::MSI_TOTAL) == total + 1);
        BOOST_TEST(t.rd32(regs + host_irq::MSI_COUNT) == 1u);
        BOOST_TEST(t.msi_irq.read());
        BOOST_TEST(t.rd32(regs + host_irq::MSI_POP_DATA) == 0x2Au);
        BOOST_TEST(t.rd32(regs + host_irq::MSI_POP_ADDR_LO) == std::uint32_t(msi + 0x40));
        BOOST_TEST(t.rd32(regs + host_irq::MSI_POP_SOURCE) == pcie::make_bdf(1, 0, 0));
        BOOST_TEST(t.rd32(regs + host_irq::MSI_COUNT) == 0u);
        // The register page is 32-bit read-only: a write is an error.
        std::uint32_t v = 0;
        BOOST_TEST(t.access(true, regs, &v, 4) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    });
}

// Host memory is its own target: an inbound MWr with Bus Master Enable lands there (the CPU
// reads it back), without it the write is dropped.
BOOST_AUTO_TEST_CASE(inbound_write_to_host_memory) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        t.a.mwr(ram + 0x100, 0xCAFEF00D, pcie::make_bdf(1, 0, 0));
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        BOOST_TEST(t.rd32(ram + 0x100) == 0xCAFEF00Du);
        t.wr16(rp(0, 0x04), 0x0002); // Bus Master Enable clear
        t.a.mwr(ram + 0x100, 0x12345678, pcie::make_bdf(1, 0, 0));
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        BOOST_TEST(t.rd32(ram + 0x100) == 0xCAFEF00Du);
        t.wr16(rp(0, 0x04), 0x0006);
    });
}

// Register offsets and bits written from the PCIe Base Spec (not from the model's headers):
// Capabilities Pointer 0x34; PCI Express capability ID 0x10, Device Status at +0x0A (Correctable
// Error Detected 0, Non-Fatal 1, Fatal 2, Unsupported Request Detected 3), Root Control at +0x1C
// (CRS Software Visibility Enable 4); AER extended capability ID 0x0001 with Uncorrectable Error
// Status +0x04 (Unsupported Request 20), Correctable Error Status +0x10 (Bad TLP 6) and Mask +0x14.
unsigned pcie_cap(bench& t, unsigned port) {
    for (unsigned at = t.rd32(rp(port, 0x34)) & 0xFC; at; at = (t.rd32(rp(port, at)) >> 8) & 0xFC)
        if ((t.rd32(rp(port, at)) & 0xFF) == 0x10) return at;
    BOOST_FAIL("no PCI Express capability");
    return 0;
}
unsigned aer_cap(bench& t, unsigned port) {
    for (unsigned at = 0x100; at; at = (t.rd32(rp(port, at)) >> 20) & 0xFFC)
        if ((t.rd32(rp(port, at)) & 0xFFFF) == 0x0001) return at;
    BOOST_FAIL("no AER capability");
    return 0;
}
std::uint16_t device_status(bench& t, unsigned port) {
    return t.rd16(rp(port, pcie_cap(t, port) + 0x0A));
}
// Clears what a case logged (all RW1C), so the next case starts clean.
void clear_errors(bench& t, unsigned port) {
    t.wr16(rp(port, pcie_cap(t, port) + 0x0A), 0xFFFF);
    t.wr32(rp(port, aer_cap(t, port) + 0x04), 0xFFFFFFFF);
    t.wr32(rp(port, aer_cap(t, port) + 0x10), 0xFFFFFFFF);
}

// A memory request arriving at a root port with Bus Master Enable clear is an Unsupported
// Request there (Base Spec, Type 1 Command register: "Memory ... Requests received at a Root
// Port ... must be handled as Unsupported Requests"), an MSI too, which is a memory write: not
// delivered, logged in AER and Device Status.
BOOST_AUTO_TEST_CASE(an_msi_with_bus_master_enable_clear_is_ur_at_the_root_port) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        clear_errors(t, 0);
        const std::uint64_t regs = msi + page;
        const std::uint32_t total = t.rd32(regs + host_irq::MSI_TOTAL);
        t.wr16(rp(0, 0x04), 0x0002); // Memory Space Enable only
        t.a.mwr(msi + 0x40, 0x2A, pcie::make_bdf(1, 0, 0));
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        BOOST_TEST(t.rd32(regs + host_irq::MSI_TOTAL) == total);
        BOOST_TEST((t.rd32(rp(0, aer_cap(t, 0) + 0x04)) & (1u << 20)) != 0u);
        BOOST_TEST(device_status(t, 0) == ((1u << 1) | (1u << 3))); // Non-Fatal, UR Detected
        t.wr16(rp(0, 0x04), 0x0006);
        clear_errors(t, 0);
        t.a.mwr(msi + 0x40, 0x2B, pcie::make_bdf(1, 0, 0));
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        BOOST_TEST(t.rd32(regs + host_irq::MSI_TOTAL) == total + 1);
        BOOST_TEST(device_status(t, 0) == 0u);
        while (t.rd32(regs + host_irq::MSI_COUNT))
            t.rd32(regs + host_irq::MSI_POP_DATA);
    });
}

// A correctable error masked in AER still sets Correctable Error Detected in Device Status (Base
// Spec, Device Status: logged whatever the Correctable Error Mask); only the message is masked.
BOOST_AUTO_TEST_CASE(a_masked_correctable_error_still_sets_device_status) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        clear_errors(t, 0);
        t.wr32(rp(0, aer_cap(t, 0) + 0x14), 1u << 6); // mask Bad TLP
        t.rc.link_status(0)->link_dll_error(pcie::dll_error::bad_tlp, sc_core::SC_ZERO_TIME);
        BOOST_TEST(t.rd32(rp(0, aer_cap(t, 0) + 0x10)) == 1u << 6);
        BOOST_TEST(device_status(t, 0) == 1u); // Correctable Error Detected
        t.wr32(rp(0, aer_cap(t, 0) + 0x14), 0);
        clear_errors(t, 0);
    });
}

// CRS Software Visibility answers 0x0001 only to a read that covers both Vendor ID bytes (Base
// Spec 2.3.2); any other configuration read is re-issued until the function answers. Port 1's
// function on bus 2 answers cfg_answer + 2, so its byte 0 is 0x02 (0x01 would be the CRS value).
BOOST_AUTO_TEST_CASE(crs_visibility_answers_only_a_read_of_both_vendor_id_bytes) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        const unsigned rootctl = pcie_cap(t, 1) + 0x1C;
        t.wr32(rp(1, rootctl), t.rd32(rp(1, rootctl)) | (1u << 4));
        t.b.crs_answers = 1;
        BOOST_TEST(t.rd32(ecam_addr(2, 0, 0, 0)) == 0xFFFF0001u);
        t.b.crs_answers = 2;
        std::uint8_t low = 0, high = 0;
        BOOST_TEST(t.access(false, ecam_addr(2, 0, 0, 0), &low, 1) == tlm::TLM_OK_RESPONSE);
        BOOST_TEST(low == 0x02u);
        BOOST_TEST(t.b.crs_answers == 0u); // both retried
        t.b.crs_answers = 1;
        BOOST_TEST(t.access(false, ecam_addr(2, 0, 0, 1), &high, 1) == tlm::TLM_OK_RESPONSE);
        BOOST_TEST(high == std::uint8_t((cfg_answer + 2) >> 8));
        t.b.crs_answers = 0;
        t.wr32(rp(1, rootctl), t.rd32(rp(1, rootctl)) & ~(1u << 4));
    });
}

// A peer-to-peer read whose egress link is down is an Unsupported Request at the egress port,
// and its UR completion goes back to the requester the way the read came (the egress link could
// not carry it anyway), so the requester is answered rather than left to its completion timeout.
BOOST_AUTO_TEST_CASE(a_peer_read_into_a_down_link_is_answered_ur_by_the_way_it_came) {
    in_sim([] {
        bench& t = tb();
        configure(t);
        clear_errors(t, 1);
        t.l1.down();
        const std::size_t a_seen = t.a.tlps.size(), b_seen = t.b.tlps.size();
        t.a.mrd(0x10100000, pcie::make_bdf(1, 0, 0), 9);
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        BOOST_TEST(t.b.tlps.size() == b_seen);
        BOOST_REQUIRE(t.a.tlps.size() == a_seen + 1);
        BOOST_TEST((t.a.tlps.back().type == tlp_type::cpl));
        BOOST_TEST((t.a.tlps.back().status == cpl_status::ur));
        BOOST_TEST((t.rd32(rp(1, aer_cap(t, 1) + 0x04)) & (1u << 20)) != 0u);
        clear_errors(t, 1);
        t.l1.train(3, 4);
    });
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

// Tests of the transaction-layer requester (model/pcie/requester): a transfer split into
// requests that never cross a 4 KiB boundary and carry at most MRRS (reads) or MPS (writes)
// bytes, the Device Control decoding of MPS and MRRS, the completion data placed by byte count,
// and the completion timeout. Expected request lists are worked out by hand in the comments
// (PCIe Base Spec 5.0 section 2.2.7: a request must not cross a 4 KiB boundary; section
// 7.5.3.4: Max_Payload_Size / Max_Read_Request_Size = 128 bytes << code).
#define BOOST_TEST_MODULE requester
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/pcie/requester.h"
#include "model/pcie/tlp.h"

#include <cstdint>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

using namespace epvp::pcie;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// The far side of the link: records each request (address, bytes) and answers MRds with one
// CplD whose bytes are the low byte of their own address, unless told to stay silent.
struct completer_stub : tlm::tlm_fw_transport_if<> {
    tlp_requester* req = nullptr;
    bool answer = true;
    bool refuse_writes = false;
    sc_time wire = sc_time(10, SC_NS); // each TLP takes this long to leave
    std::vector<std::pair<std::uint64_t, std::uint32_t>> requests;
    std::vector<tlp_type> types;

    void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) override {
        pcie_tlp& t = tlp_of(gp);
        requests.emplace_back(gp.get_address(), gp.get_data_length());
        types.push_back(t.type);
        delay += wire;
        t.sent.departed = sc_core::sc_time_stamp() + delay;
        if (t.type == tlp_type::mwr && refuse_writes) {
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        if (t.type != tlp_type::mrd || !answer) return;
        std::vector<unsigned char> data(gp.get_data_length());
        for (std::uint32_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<unsigned char>(gp.get_address() + i);
        pcie_tlp c;
        c.type = tlp_type::cpld;
        c.requester_id = t.requester_id;
        c.tag = t.tag;
        c.status = cpl_status::sc;
        c.byte_count = static_cast<std::uint16_t>(data.size() % 4096); // 4096 encodes as 0
        tlm::tlm_generic_payload cpl;
        cpl.set_extension(&c);
        cpl.set_data_ptr(data.data());
        cpl.set_data_length(static_cast<unsigned>(data.size()));
        req->accept_completion(cpl, delay);
        cpl.clear_extension(&c);
    }
    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                       sc_time&) override {
        return tlm::TLM_COMPLETED;
    }
};

using request_list = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

struct fixture {
    tlp_requester req{"test", 0x0100, 32};
    completer_stub link;
    fixture() { link.req = &req; }
};

} // namespace

BOOST_AUTO_TEST_CASE(device_control_size_codes) {
    // Device Control: MPS in bits 7:5, MRRS in bits 14:12, 128 << code.
    BOOST_TEST(devctl_mps_bytes(0x0000) == 128u);
    BOOST_TEST(devctl_mps_bytes(1u << 5) == 256u);
    BOOST_TEST(devctl_mps_bytes(5u << 5) == 4096u);
    BOOST_TEST(devctl_mrrs_bytes(2u << 12) == 512u);
    BOOST_TEST(devctl_mrrs_bytes(5u << 12) == 4096u);
    // Both fields at once, and the bits around them ignored: 0x2830 = MRRS code 2 (512),
    // MPS code 1 (256), Extended Tag (bit 8) and Relaxed Ordering (bit 4) set.
    BOOST_TEST(devctl_mps_bytes(0x2930) == 256u);
    BOOST_TEST(devctl_mrrs_bytes(0x2930) == 512u);
}

BOOST_AUTO_TEST_CASE(request_bytes_stops_at_4k_and_the_limit) {
    BOOST_TEST(request_bytes(0x0, 10000, 512) == 512u);
    BOOST_TEST(request_bytes(0xF80, 10000, 512) == 0x80u); // 0x1000 - 0xF80 = 128
    BOOST_TEST(request_bytes(0x1000, 100, 512) == 100u);
    BOOST_TEST(request_bytes(0xFFF, 4, 4096) == 1u);
}

BOOST_AUTO_TEST_CASE(read_splits_at_4k_boundaries_and_mrrs) {
    fixture f;
    // A 10 000-byte read at 0xF80 with MRRS 512 ends at 0xF80 + 10000 = 0x3690.
    //   0xF80  .. 0x1000: 128 bytes (up to the first 4 KiB boundary)
    //   0x1000 .. 0x2000: 8 requests of 512 (4096 / 512)
    //   0x2000 .. 0x3000: 8 requests of 512
    //   0x3000 .. 0x3690: 0x690 = 1680 bytes = 3 x 512 + 144
    // 1 + 8 + 8 + 4 = 21 requests; 128 + 16 * 512 + 1680 = 10 000 bytes.
    request_list want{{0xF80, 128}};
    for (std::uint64_t a = 0x1000; a < 0x3000; a += 512)
        want.emplace_back(a, 512);
    for (std::uint64_t a = 0x3000; a < 0x3600; a += 512)
        want.emplace_back(a, 512);
    want.emplace_back(0x3600, 144);
    BOOST_TEST_REQUIRE(want.size() == 21u);

    std::vector<unsigned char> data(10000, 0xEE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    const transfer_result r = f.req.read(f.link, 0xF80, data.data(), 10000, 512, delay);
    BOOST_TEST(r.ok);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.tlps == 21u);
    BOOST_TEST(f.link.requests == want);
    for (tlp_type t : f.link.types)
        BOOST_TEST((t == tlp_type::mrd));
    // Each byte came back from its own address (the stub's pattern): byte i is (0xF80 + i).
    bool placed = true;
    for (std::uint32_t i = 0; i < data.size(); ++i)
        placed = placed && data[i] == static_cast<unsigned char>(0xF80 + i);
    BOOST_TEST(placed);
    // One request after the other: 21 x 10 ns on the stub's wire.
    BOOST_TEST(delay == sc_time(210, SC_NS));
}

BOOST_AUTO_TEST_CASE(read_of_a_full_4k_page_with_mrrs_4096_is_one_request) {
    fixture f;
    // 4096 bytes at 0x2000 with MRRS 4096: exactly one page, one request (byte count 0).
    std::vector<unsigned char> data(4096);
    sc_time delay = sc_core::SC_ZERO_TIME;
    const transfer_result r = f.req.read(f.link, 0x2000, data.data(), 4096, 4096, delay);
    BOOST_TEST(r.ok);
    BOOST_TEST(f.link.requests == (request_list{{0x2000, 4096}}));
    BOOST_TEST(data[4095] == static_cast<unsigned char>(0x2000 + 4095));
}

BOOST_AUTO_TEST_CASE(write_splits_at_4k_boundaries_and_mps) {
    fixture f;
    // 1000 bytes at 0x1F00 with MPS 256:
    //   0x1F00 .. 0x2000: 256 (exactly one MPS, ends on the boundary)
    //   0x2000 .. 0x22E8: 744 = 256 + 256 + 232
    // 4 requests: 256, 256, 256, 232.
    std::vector<unsigned char> data(1000, 0x5A);
    sc_time delay = sc_core::SC_ZERO_TIME;
    const transfer_result r = f.req.write(f.link, 0x1F00, data.data(), 1000, 256, delay);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.tlps == 4u);
    BOOST_TEST(f.link.requests ==
               (request_list{{0x1F00, 256}, {0x2000, 256}, {0x2100, 256}, {0x2200, 232}}));
    // 300 bytes at 0xFC0 with MPS 128: 64 to the boundary, then 128, 108 (64 + 128 + 108 = 300).
    completer_stub other;
    other.req = &f.req;
    sc_time d2 = sc_core::SC_ZERO_TIME;
    BOOST_TEST(f.req.write(other, 0xFC0, data.data(), 300, 128, d2).ok);
    BOOST_TEST(other.requests == (request_list{{0xFC0, 64}, {0x1000, 128}, {0x1080, 108}}));
    // The write is done once its last request has left: 3 x 10 ns.
    BOOST_TEST(d2 == sc_time(30, SC_NS));
}

BOOST_AUTO_TEST_CASE(refused_write_stops_at_the_first_request) {
    fixture f;
    f.link.refuse_writes = true;
    std::vector<unsigned char> data(512);
    sc_time delay = sc_core::SC_ZERO_TIME;
    const transfer_result r = f.req.write(f.link, 0x100, data.data(), 512, 128, delay);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.not_sent);
    BOOST_TEST(r.tlps == 1u);
    BOOST_TEST(r.failed_addr == 0x100u);
}

BOOST_AUTO_TEST_CASE(completion_timeout_ends_the_read_and_calls_the_hook_once) {
    fixture f;
    const sc_time timeout(50, sc_core::SC_US);
    unsigned hooks = 0;
    sc_time hook_at;
    f.req.set_completion_timeout(timeout, [&](sc_time& d) {
        ++hooks;
        hook_at = d;
    });
    f.link.answer = false;
    // 1024 bytes at 0x400 with MRRS 256 would be 4 requests; the first one is never answered,
    // so the transfer stops there: 1 request, timed out.
    std::vector<unsigned char> data(1024);
    const sc_time issued(100, SC_NS);
    sc_time delay = issued;
    const transfer_result r = f.req.read(f.link, 0x400, data.data(), 1024, 256, delay);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.timed_out);
    BOOST_TEST(r.tlps == 1u);
    BOOST_TEST(r.failed_addr == 0x400u);
    BOOST_TEST(f.link.requests == (request_list{{0x400, 256}}));
    // The read ends when the timer expires: issue time + timeout = 100 ns + 50 us.
    BOOST_TEST(delay == sc_time(50100, SC_NS));
    BOOST_TEST(hooks == 1u);
    BOOST_TEST(hook_at == sc_time(50100, SC_NS));
    // The tag was released: a later answered read goes through.
    f.link.answer = true;
    sc_time d2 = sc_core::SC_ZERO_TIME;
    BOOST_TEST(f.req.read(f.link, 0x400, data.data(), 256, 256, d2).ok);
}

BOOST_AUTO_TEST_CASE(completer_status_stops_without_timeout) {
    // A UR completion is an answer: no timeout, the transfer fails at that request.
    struct ur_stub : completer_stub {
        void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) override {
            pcie_tlp& t = tlp_of(gp);
            requests.emplace_back(gp.get_address(), gp.get_data_length());
            gp.set_response_status(tlm::TLM_OK_RESPONSE);
            pcie_tlp c;
            c.type = tlp_type::cpl;
            c.requester_id = t.requester_id;
            c.tag = t.tag;
            c.status = cpl_status::ur;
            tlm::tlm_generic_payload cpl;
            cpl.set_extension(&c);
            req->accept_completion(cpl, delay);
            cpl.clear_extension(&c);
        }
    };
    tlp_requester req("test", 0x0100, 32);
    unsigned hooks = 0;
    req.set_completion_timeout(sc_time(1, sc_core::SC_MS), [&](sc_time&) { ++hooks; });
    ur_stub link;
    link.req = &req;
    std::vector<unsigned char> data(512);
    sc_time delay = sc_core::SC_ZERO_TIME;
    const transfer_result r = req.read(link, 0x0, data.data(), 512, 128, delay);
    BOOST_TEST(!r.ok);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(hooks == 0u);
    BOOST_TEST(r.tlps == 1u);
    BOOST_TEST((r.last.status == cpl_status::ur));
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

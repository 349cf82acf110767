// End-to-end tests of workload p2p and the `topology` configuration: each runs build/epsim as a
// user would (one simulation per process) and checks the exit status, the output and the JSON
// report: the default p2p topology keeps every byte off the root complex, ACS redirect sends the
// same transfer through it, endpoints on different root ports with and without p2p support,
// route-to-self, two switch levels, determinism and the topology validator's errors.
#define BOOST_TEST_MODULE p2p_workload
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using json = nlohmann::json;

constexpr int exit_pass = 0, exit_fail = 1, exit_usage = 2;
constexpr std::uint64_t job_bytes = 65536; // workload.p2p.bytes default
constexpr std::uint64_t mps_bytes = 256;   // link.mps default: MWr TLPs of a write
constexpr std::uint64_t write_tlps = job_bytes / mps_bytes;
constexpr int eremoteio = 121, eio = 5;

using cli_test::run_result;

run_result epsim(const std::string& args, bool want_report = true) {
    return cli_test::run_epsim(args, want_report);
}

std::string topology(const std::string& file) {
    return std::string(TOPOLOGY_DIR) + "/" + file;
}

const json& port(const json& rows, const std::string& name) {
    for (const auto& r : rows)
        if (r.at("port") == name) return r;
    BOOST_FAIL("no port " + name);
    static json none;
    return none;
}

const json& pair(const json& p2p, const std::string& provider, const std::string& client) {
    for (const auto& r : p2p.at("pairs"))
        if (r.at("provider") == provider && r.at("client") == client) return r;
    BOOST_FAIL("no pair " + provider + " -> " + client);
    static json none;
    return none;
}

bool has_error(const json& p2p, const std::string& text) {
    for (const auto& e : p2p.at("errors"))
        if (e.get<std::string>().find(text) != std::string::npos) return true;
    return false;
}

std::uint64_t u(const json& row, const char* key) {
    return row.at(key).get<std::uint64_t>();
}

// The data went through: both directions OK, the same CRC each way and in the target's memory.
void check_data(const json& p2p) {
    BOOST_TEST(p2p.at("write").at("status") == 0);
    BOOST_TEST(p2p.at("read").at("status") == 0);
    BOOST_TEST(u(p2p.at("write"), "bytes") == job_bytes);
    BOOST_TEST(p2p.at("write").at("crc") == p2p.at("read").at("crc"));
    BOOST_TEST(p2p.at("shadow_checked") == true);
    BOOST_TEST(p2p.at("shadow_crc") == p2p.at("write").at("crc"));
}

} // namespace

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

BOOST_AUTO_TEST_SUITE(p2p_workload)

// Two endpoints under one switch: bus address, distance 4, and during both transfers the root
// port saw nothing while the two downstream ports carried every byte.
BOOST_AUTO_TEST_CASE(default_topology_stays_below_the_switch) {
    const run_result r = epsim("run --workload p2p");
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    BOOST_TEST(r.report.at("status") == "PASS");
    const json& p = r.report.at("p2p");
    BOOST_TEST(p.at("status") == "PASS");
    BOOST_TEST(p.at("provider") == "03:00.0");
    BOOST_TEST(p.at("client") == "04:00.0");
    BOOST_TEST(p.at("map_type") == "bus address");
    BOOST_TEST(pair(p, "03:00.0", "04:00.0").at("distance") == 4);
    BOOST_TEST(pair(p, "03:00.0", "03:00.0").at("distance") == 0);
    BOOST_TEST(p.at("tree").size() == 6u);
    check_data(p);
    for (const char* phase : {"write_ports", "read_ports"}) {
        const json& rp = port(p.at(phase), "root port 0");
        BOOST_TEST(u(rp, "tlps_in") + u(rp, "tlps_out") == 0u);
        BOOST_TEST(u(rp, "bytes_in") + u(rp, "bytes_out") == 0u);
        const json& usp = port(p.at(phase), "sw0 upstream");
        BOOST_TEST(u(usp, "tlps_in") + u(usp, "tlps_out") == 0u);
    }
    BOOST_TEST(u(port(p.at("write_ports"), "sw0 port 1"), "bytes_in") == job_bytes);
    BOOST_TEST(u(port(p.at("write_ports"), "sw0 port 0"), "bytes_out") == job_bytes);
    BOOST_TEST(u(port(p.at("write_ports"), "sw0 port 0"), "tlps_out") == write_tlps);
    BOOST_TEST(u(port(p.at("read_ports"), "sw0 port 0"), "bytes_in") == job_bytes); // CplD
    BOOST_TEST(p.at("errors").empty());
    BOOST_TEST(r.out.find("root complex: 0 TLPs, 0 bytes (nothing crossed it)") !=
               std::string::npos);
}

// A --set reaches into the topology the p2p workload brings by default (the README's command,
// without --config): --set is applied after the workload's defaults. The client's link at Gen2
// moves the same data more slowly than at the default Gen3 (half the raw rate per lane, and 8b/10b
// instead of 128b/130b coding), so the write takes longer.
BOOST_AUTO_TEST_CASE(set_reaches_into_the_default_topology) {
    const run_result base = epsim("run --workload p2p");
    const run_result r = epsim("run --workload p2p --set topology.endpoints[1].link.gen=2");
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    BOOST_TEST(r.report.at("config").at("topology").at("endpoints").at(1).at("link").at("gen") ==
               2);
    BOOST_TEST(u(r.report.at("p2p").at("write"), "time_ns") >
               u(base.report.at("p2p").at("write"), "time_ns"));
}

// ACS P2P Request and Completion Redirect on the DSPs: the orchestrator says through the host
// bridge; the same transfer goes up to the root port and is reflected back down.
BOOST_AUTO_TEST_CASE(acs_redirect_goes_through_the_root_complex) {
    const run_result r = epsim("run --workload p2p --set workload.p2p.acs_redirect=true");
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    const json& p = r.report.at("p2p");
    BOOST_TEST(p.at("map_type") == "through host bridge");
    BOOST_TEST(pair(p, "03:00.0", "04:00.0").at("acs_redirects") != "");
    check_data(p);
    const json& w = p.at("write_ports");
    BOOST_TEST(u(port(w, "root port 0"), "bytes_in") == job_bytes);
    BOOST_TEST(u(port(w, "root port 0"), "bytes_out") == job_bytes);
    BOOST_TEST(u(port(w, "root port 0"), "p2p_via_root_complex") == write_tlps);
    BOOST_TEST(u(port(w, "sw0 port 1"), "acs_redirects") == write_tlps);
    BOOST_TEST(u(port(p.at("read_ports"), "root port 0"), "bytes_in") == job_bytes);
}

// Redirected, but the root complex does not reflect: a route-to-self UR at the root port; the
// simulation finishes and reports it.
BOOST_AUTO_TEST_CASE(acs_redirect_without_reflection_is_ur_at_the_root_port) {
    const run_result r = epsim(
        "run --workload p2p --set workload.p2p.acs_redirect=true --set host.p2p_reflect=false");
    BOOST_TEST_REQUIRE(r.status == exit_fail, r.out);
    const json& p = r.report.at("p2p");
    BOOST_TEST(p.at("status") == "FAIL");
    BOOST_TEST(p.at("read").at("status") == -eio);
    BOOST_TEST(u(port(p.at("write_ports"), "root port 0"), "route_to_self") == write_tlps);
    BOOST_TEST(u(port(p.at("write_ports"), "sw0 port 0"), "bytes_out") == 0u);
    BOOST_TEST(has_error(p, "00:00.0 (root port), AER: Unsupported Request"));
}

BOOST_AUTO_TEST_CASE(different_root_ports_with_support_route_through_the_host_bridge) {
    const run_result r = epsim("run --workload p2p --config " + topology("two_root_ports.json"));
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    const json& p = r.report.at("p2p");
    BOOST_TEST(p.at("map_type") == "through host bridge");
    BOOST_TEST(pair(p, "01:00.0", "02:00.0").at("distance") == 4);
    check_data(p);
    BOOST_TEST(u(port(p.at("write_ports"), "root port 1"), "p2p_via_root_complex") == write_tlps);
    BOOST_TEST(u(port(p.at("write_ports"), "root port 0"), "bytes_out") == job_bytes);
}

// Without p2p between root ports (and a host bridge off the whitelist) the orchestrator says
// "not supported" and no DMA is issued; forced, the transfer meets a UR at the root complex.
BOOST_AUTO_TEST_CASE(different_root_ports_without_support) {
    const run_result r =
        epsim("run --workload p2p --config " + topology("two_root_ports_isolated.json"));
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    const json& p = r.report.at("p2p");
    BOOST_TEST(p.at("map_status") == -eremoteio);
    BOOST_TEST(pair(p, "01:00.0", "02:00.0").at("map_type") == "not supported");
    BOOST_TEST(p.at("dma_issued") == false);
    BOOST_TEST(p.at("write").at("ran") == false);
    BOOST_TEST(r.out.find("EREMOTEIO: not supported, no DMA issued") != std::string::npos);

    const run_result f =
        epsim("run --workload p2p --config " + topology("two_root_ports_isolated.json") +
              " --set workload.p2p.force=true");
    BOOST_TEST_REQUIRE(f.status == exit_fail, f.out);
    const json& q = f.report.at("p2p");
    BOOST_TEST(q.at("forced") == true);
    BOOST_TEST(q.at("dma_issued") == true);
    BOOST_TEST(u(port(q.at("write_ports"), "root port 1"), "unsupported") == write_tlps);
    BOOST_TEST(u(port(q.at("write_ports"), "root port 0"), "bytes_out") == 0u);
    BOOST_TEST(q.at("read").at("status") == -eio);
    BOOST_TEST(q.at("shadow_crc") != q.at("write").at("crc")); // nothing landed
    BOOST_TEST(has_error(q, "00:01.0 (root port), AER: Unsupported Request"));
}

// The client's DMA aimed at its own BAR: the switch port rejects it (route-to-self, UR),
// records it in AER, delivers nothing, and the run goes on to its report.
BOOST_AUTO_TEST_CASE(route_to_self_is_rejected_and_recorded) {
    const run_result r = epsim("run --workload p2p --set workload.p2p.target=self");
    BOOST_TEST_REQUIRE(r.status == exit_fail, r.out);
    BOOST_TEST(r.report.at("status") == "FAIL");
    const json& p = r.report.at("p2p");
    BOOST_TEST(p.at("route_to_self_target") == true);
    const json& dsp = port(p.at("write_ports"), "sw0 port 1");
    BOOST_TEST(u(dsp, "route_to_self") == write_tlps);
    BOOST_TEST(u(dsp, "unsupported") == write_tlps);
    BOOST_TEST(u(dsp, "tlps_out") == 0u);
    BOOST_TEST(u(port(p.at("write_ports"), "root port 0"), "tlps_in") == 0u);
    BOOST_TEST(p.at("read").at("status") == -eio);
    BOOST_TEST(has_error(p, "02:01.0 (switch downstream port), AER: Unsupported Request"));
    BOOST_TEST(r.out.find("did not finish") == std::string::npos);
}

// Two switch levels: distance 8, bus address, still nothing through the root complex. The
// endpoints' overrides (link.gen, dwc.edma.read_channels) build them differently.
BOOST_AUTO_TEST_CASE(two_switch_levels) {
    const run_result r = epsim("run --workload p2p --config " + topology("two_switch_levels.json"));
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    const json& p = r.report.at("p2p");
    BOOST_TEST(pair(p, p.at("provider"), p.at("client")).at("distance") == 8);
    BOOST_TEST(p.at("map_type") == "bus address");
    check_data(p);
    const json& rp = port(p.at("write_ports"), "root port 0");
    BOOST_TEST(u(rp, "tlps_in") + u(rp, "tlps_out") == 0u);
    BOOST_TEST(u(port(p.at("write_ports"), "top port 1"), "bytes_in") == job_bytes);
}

BOOST_AUTO_TEST_CASE(same_config_gives_the_same_report) {
    const run_result a = epsim("run --workload p2p --set workload.p2p.acs_redirect=true");
    const run_result b = epsim("run --workload p2p --set workload.p2p.acs_redirect=true");
    BOOST_TEST_REQUIRE(a.status == exit_pass);
    BOOST_TEST(a.report.dump() == b.report.dump());
}

// A single-endpoint workload on a topology runs on the first endpoint; the others boot the test
// function.
BOOST_AUTO_TEST_CASE(pcitest_runs_on_a_topology) {
    const run_result r = epsim("run --workload pcitest --set host.pcitest_msix_sample=true "
                               "--config " +
                               topology("two_root_ports.json"));
    BOOST_TEST(r.status == exit_pass, r.out);
    BOOST_TEST(r.report.at("status") == "PASS");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(topology_validation)

// Each bad topology: exit status 2 and one line naming the key.
BOOST_AUTO_TEST_CASE(bad_topologies_are_rejected_with_the_key) {
    const std::string sw = "--set topology.switches[0].name=sw0 ";
    const struct {
        std::string args, message;
    } cases[] = {
        {"--set topology.endpoints[0].parent=nope",
         "topology.endpoints[0].parent = \"nope\": unknown parent (known: root"},
        {sw + "--set topology.endpoints[0].parent=sw0 --set topology.endpoints[0].port=2",
         "topology.endpoints[0].port = 2: switch sw0 has 2 downstream ports (0..1)"},
        {"--set topology.endpoints[0].port=1",
         "topology.endpoints[0].port = 1: the root complex has 1 root ports (0..0)"},
        {"--set topology.endpoints[0].name=a --set topology.endpoints[1].name=b",
         "topology.endpoints[1].port = 0: root port 0 is already used by topology.endpoints[0]"},
        {"--set topology.root_ports=2 --set topology.endpoints[0].name=a "
         "--set topology.endpoints[1].name=a --set topology.endpoints[1].port=1",
         "topology.endpoints[1].name = \"a\": duplicate name"},
        {"--set topology.root_ports=2 --set topology.endpoints[0].name=a",
         "topology.root_ports = 2: root port 1 has nothing attached"},
        {"--set topology.endpoints[0].dwc.bogus=1", "topology.endpoints[0].dwc.bogus: unknown key "
                                                    "(known keys under topology.endpoints[0].dwc"},
        {"--set topology.endpoints[0].dwc.edma.read_channels=9",
         "topology.endpoints[0] (ep0): dwc.edma.read_channels = 9: must be in [0, 8]"},
        {"--set topology.endpoints[0].colour=red",
         "topology.endpoints[0].colour: unknown key (known keys under topology.endpoints[0]"},
        {"--set topology.endpoints[2].name=x", "topology.endpoints[2]: index out of range "
                                               "(topology.endpoints has 0 entries; [0] appends)"},
        {"--set topology.root_ports=9", "topology.root_ports = 9: must be in [1, 8]"},
        {sw, "topology.endpoints: empty, but topology.switches is given"},
        {"--set topology.endpoints[0].name=a.b",
         "topology.endpoints[0].name = \"a.b\": only letters, digits and _"},
    };
    for (const auto& c : cases) {
        const run_result r = epsim("config --dump " + c.args, false);
        BOOST_TEST(r.status == exit_usage, c.args);
        BOOST_TEST(r.out.find(c.message) != std::string::npos, c.args << " said: " << r.out);
        BOOST_TEST(std::count(r.out.begin(), r.out.end(), '\n') == 1, c.args);
    }
}

BOOST_AUTO_TEST_CASE(a_good_topology_dumps_and_overrides_stay_per_endpoint) {
    const run_result r =
        epsim("config --dump --config " + topology("two_switch_levels.json"), false);
    BOOST_TEST_REQUIRE(r.status == exit_pass, r.out);
    const json doc = json::parse(r.out, nullptr, false);
    BOOST_TEST(doc.at("topology").at("switches").size() == 3u);
    BOOST_TEST(doc.at("topology").at("endpoints").at(0).at("link").at("gen") == 4);
    BOOST_TEST(doc.at("link").at("gen") == 3); // the default stays for everything else
    // Without a topology the dump is exactly the single-endpoint defaults.
    const run_result d = epsim("config --dump", false);
    BOOST_TEST(json::parse(d.out, nullptr, false).contains("topology") == false);
}

BOOST_AUTO_TEST_SUITE_END()

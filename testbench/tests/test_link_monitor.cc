// A pass-through TLM monitor on every link must not change any result: the platform is built
// twice per workload, plain and with a pcie::tlm_monitor on each of the four socket bindings of
// every link (platform_options::monitor_links), and the two reports must be byte-identical.
// The monitors must also have seen the traffic (a monitor left out of the path would pass the
// comparison trivially): what a pass-through forwards is what entered it, so on each link the
// TLPs into the link's upstream end, out of its downstream end and the link's own downstream
// TLP count agree (likewise upstream), and they are not zero.
// Each run is a child process (a SystemC simulation elaborates once per process).
#define BOOST_TEST_MODULE link_monitor
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "config/config.h"
#include "platform.h"
#include "report.h"
#include "workload.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using json = nlohmann::json;

struct run_output {
    std::string report;
    json monitors; // name -> b_transport calls
    json links;    // name -> {down, up}: the link's own TLP counts
};

// Runs `workload` with the `sets` in a child process; the child writes its report and counts
// to a file the parent reads.
run_output run(const std::string& workload, const std::vector<std::string>& sets, bool monitor) {
    char path[] = "/tmp/test_link_monitor_XXXXXX";
    const int fd = mkstemp(path);
    BOOST_REQUIRE(fd >= 0);
    close(fd);
    std::fflush(nullptr);
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        int status = 1;
        try {
            std::freopen("/dev/null", "w", stdout);
            namespace cfg = epvp::cfg;
            cfg::json doc = cfg::defaults();
            const epvp::tb::workload_info* info = epvp::tb::find_workload(workload);
            if (!info) throw std::runtime_error("unknown workload " + workload);
            if (info->defaults) info->defaults(doc);
            for (const auto& s : sets)
                cfg::apply_set(doc, s);
            const cfg::platform_config pc = cfg::parse(doc);
            sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
            sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
            epvp::tb::platform_options o;
            o.monitor_links = monitor;
            epvp::tb::platform p("platform", pc, o);
            const std::unique_ptr<epvp::tb::workload> w = info->make();
            epvp::tb::workload_result result;
            w->load(p, result);
            epvp::tb::load_idle_endpoints(p);
            result.host_finished = p.run();
            w->finish(p, result);
            json out;
            out["report"] = epvp::tb::make_report(info->name, *w, doc, p, result).dump(2);
            out["monitors"] = json::object();
            for (const auto& m : p.link_monitors())
                out["monitors"][m->basename()] = m->stats().b_transport;
            out["links"] = json::object();
            const unsigned n = p.endpoint_count() + p.switch_count();
            for (unsigned i = 0; i < n; ++i) {
                auto& l = i < p.endpoint_count() ? p.endpoint_link(i)
                                                 : p.switch_link(i - p.endpoint_count());
                out["links"][l.basename()] = {
                    {"down", l.stats(epvp::pcie::pcie_link::downstream).tlps},
                    {"up", l.stats(epvp::pcie::pcie_link::upstream).tlps}};
            }
            std::ofstream(path) << out.dump();
            status = result.host_finished ? 0 : 3;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
        }
        std::fflush(nullptr);
        _exit(status);
    }
    int st = 0;
    BOOST_REQUIRE(waitpid(pid, &st, 0) == pid);
    BOOST_REQUIRE_MESSAGE(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                          workload << (monitor ? " (monitored)" : "") << ": run failed");
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::remove(path);
    const json j = json::parse(ss.str());
    return {j.at("report").get<std::string>(), j.at("monitors"), j.at("links")};
}

void check(const std::string& workload, const std::vector<std::string>& sets) {
    const run_output plain = run(workload, sets, false);
    const run_output mon = run(workload, sets, true);
    BOOST_TEST(plain.monitors.empty());
    BOOST_TEST(mon.report == plain.report, workload << ": report differs with monitors");
    BOOST_REQUIRE(!mon.links.empty());
    BOOST_TEST(mon.monitors.size() == 4 * mon.links.size()); // four bindings per link
    for (const auto& [name, l] : mon.links.items()) {
        const auto down = l.at("down").get<std::uint64_t>();
        const auto up = l.at("up").get<std::uint64_t>();
        BOOST_TEST_CONTEXT(workload << " link " << name) {
            BOOST_TEST(down > 0u);
            BOOST_TEST(up > 0u);
            BOOST_TEST(mon.monitors.at(name + "_mon_up_in").get<std::uint64_t>() == down);
            BOOST_TEST(mon.monitors.at(name + "_mon_dn_out").get<std::uint64_t>() == down);
            BOOST_TEST(mon.monitors.at(name + "_mon_dn_in").get<std::uint64_t>() == up);
            BOOST_TEST(mon.monitors.at(name + "_mon_up_out").get<std::uint64_t>() == up);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(pcitest_unchanged_by_monitors) {
    check("pcitest", {});
}

// dma-sweep up to 1 MiB: the 4 and 16 MiB rows repeat its steady state.
BOOST_AUTO_TEST_CASE(dma_sweep_unchanged_by_monitors) {
    check("dma-sweep", {"workload.dma_sweep.max_bytes=1048576"});
}

// p2p under a switch: monitors on the root port's link and on both switch downstream links.
BOOST_AUTO_TEST_CASE(p2p_unchanged_by_monitors) {
    check("p2p", {});
}

// libsystemc's own main() needs the symbol; Boost.Test provides the main this program runs.
int sc_main(int, char*[]) {
    return 0;
}

// The report's counter sections come from the modules' statistics declarations
// (model/core/stats.h): each declaration names what its header documents, and each report
// section holds exactly the counters its module declares, plus the few fields the report adds
// that are not counters of that struct (state, a register read, another block's count).
// Expected names: written here from the members' documented meaning (the comments beside each
// statistics struct), not taken from a report.
#define BOOST_TEST_MODULE report
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "model/core/stats.h"
#include "model/dwc/dw_pcie_ep.h"
#include "model/dwc/iatu_unit.h"
#include "testbench/tests/cli_test_util.h"
#ifdef EPVP_RTL_COSIM
#include "rtl-bridge/rtl_iatu_unit.h"
#endif
#include "model/pcie/link.h"
#include "model/pcie/root_complex.h"
#include "model/soc/memory_controller.h"
#include "model/soc/smmu.h"

#include <set>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;
using names = std::vector<std::string>;
using cli_test::run_epsim;

// ---- What each declaration must name, in report order ---------------------------------------
// Link, per direction: traffic (TLPs, wire and payload bytes, busy time).
const names link_traffic = {"tlps", "wire_bytes", "payload_bytes", "busy_ns"};
// Link, per direction: Data Link Layer retry (PCIe Base Spec 5.0 section 3.6.2: LCRC failures,
// NAKs, REPLAY_TIMER expiry, REPLAY_NUM rollover and the retrain it brings) and its cost.
const names link_replay = {"lcrc_errors",  "naks",
                           "replays",      "replay_timer_timeouts",
                           "bad_dllps",    "replay_num_rollovers",
                           "retrains",     "bytes_replayed",
                           "time_lost_ns", "replay_buffer_stall_ns"};
// Link, fault injection: TLPs sent with the EP bit set.
const names link_injected = {"poisoned_tlps_injected"};
// Controller: requests it completed, the outbound path, INTx, AER's counts, resets, poisoned.
const names controller = {
    "cfg_requests",         "crs_completions",          "mem_reads",
    "mem_writes",           "unsupported_requests",     "completer_aborts",
    "iatu_misses",          "outbound_reads",           "outbound_writes",
    "outbound_tlps",        "outbound_errors",          "outbound_misses",
    "intx_messages",        "iatu_reprogram_in_flight", "completion_timeouts",
    "error_messages_sent",  "correctable_errors",       "link_down_resets",
    "hot_resets",           "function_level_resets",    "poisoned_tlps_received",
    "err_cor_messages_sent"};
// Root complex: configuration requests and CRS, completion statuses, inbound traffic,
// messages by kind, fault injection, the root ports' own errors and resets.
const names root_complex = {"cfg_requests",           "crs_retries",      "crs_visible",
                            "master_aborts",          "unsupported",      "completer_aborts",
                            "inbound_reads",          "inbound_writes",   "msi_messages",
                            "intx_messages",          "err_cor_messages", "err_nonfatal_messages",
                            "err_fatal_messages",     "injected_faults",  "correctable_errors",
                            "poisoned_tlps_received", "hot_resets"};
// SMMU: translation outcomes, walk time, faults, the event and command queues.
const names smmu = {"translations", "bypassed",       "aborted",
                    "walk_time_ns", "faulting_reads", "faulting_writes_dropped",
                    "events",       "events_lost",    "commands",
                    "syncs",        "command_errors"};
// SMMU walker: TLB, walks and the walk cache, memory reads of tables and configuration.
const names smmu_walker = {"tlb_hits",        "tlb_misses",  "walks",
                           "walk_cache_hits", "table_reads", "config_reads"};
// DRAM, per master: accesses and bytes, mean latency and queueing, worst queueing, the share
// that went to the interrupt window.
const names dram_master = {"accesses",      "bytes",        "mean_latency_ns",
                           "mean_queue_ns", "max_queue_ns", "irq_window_accesses"};
// Every iATU: translations and misses per direction, register accesses.
const names iatu = {"outbound_translations", "inbound_translations", "outbound_misses",
                    "inbound_misses",        "register_reads",       "register_writes"};
#ifdef EPVP_RTL_COSIM
// The RTL iATU's own: cycles and coverage; lockstep: comparisons and their outcome.
const names rtl_iatu = {"rtl_cycles",          "requests_in_flight", "outbound_region_hits",
                        "inbound_region_hits", "type_mem",           "type_other"};
const names iatu_lockstep = {"compared", "mismatches", "first_mismatch", "inbound_bar_match",
                             "inbound_address_match"};
#endif

// ---- Fields a report section adds beside its module's counters ------------------------------
const names link_fields = {
    "up",         "gen",      "width", "link_down_faults", "tlps_failed_link_down", "hot_resets",
    "downstream", "upstream", "replay"};
const names replay_fields = {"ack_latency_ns", "replay_timer_ns", "upstream", "downstream"};
const names controller_fields = {"ltssm", "aer_uncorrectable_status", "aer_correctable_status"};
const names root_complex_fields = {"msi_dropped", "root_port_aer_uncorrectable_status",
                                   "root_port_aer_correctable_status"};
const names smmu_fields = {"enabled_by_firmware", "streams", "faults"};

std::set<std::string> keys_of(const json& section) {
    std::set<std::string> k;
    for (auto it = section.begin(); it != section.end(); ++it)
        k.insert(it.key());
    return k;
}
std::set<std::string> join(std::initializer_list<names> lists) {
    std::set<std::string> s;
    for (const auto& l : lists)
        s.insert(l.begin(), l.end());
    return s;
}
// Every declared name in the section, and nothing but those and the section's own fields.
void check_section(const std::string& path, const json& section,
                   std::initializer_list<names> declared, const names& fields) {
    BOOST_TEST_CONTEXT(path) {
        BOOST_REQUIRE(section.is_object());
        const std::set<std::string> want = join(declared), extra(fields.begin(), fields.end()),
                                    got = keys_of(section);
        for (const auto& n : want)
            BOOST_CHECK_MESSAGE(got.count(n), "declared counter " << n << " missing");
        for (const auto& n : got)
            BOOST_CHECK_MESSAGE(want.count(n) || extra.count(n),
                                n << " is in the report but not declared");
    }
}

} // namespace

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

// Each declaration visits the names its struct's documentation gives, in report order.
BOOST_AUTO_TEST_CASE(declarations_name_the_documented_counters) {
    using epvp::stat_names;
    const epvp::pcie::pcie_link::counters lc;
    BOOST_TEST(stat_names([&](auto&& v) { lc.for_each_traffic(v); }) == link_traffic,
               boost::test_tools::per_element());
    BOOST_TEST(stat_names([&](auto&& v) { lc.for_each_replay(v); }) == link_replay,
               boost::test_tools::per_element());
    BOOST_TEST(stat_names([&](auto&& v) { lc.for_each_injected(v); }) == link_injected,
               boost::test_tools::per_element());
    const epvp::dwc::dw_pcie_ep::counters ec;
    BOOST_TEST(stat_names([&](auto&& v) { ec.for_each(v); }) == controller,
               boost::test_tools::per_element());
    const epvp::pcie::root_complex::counters rc;
    BOOST_TEST(stat_names([&](auto&& v) { rc.for_each(v); }) == root_complex,
               boost::test_tools::per_element());
    const epvp::soc::smmu::counters sc;
    BOOST_TEST(stat_names([&](auto&& v) { sc.for_each(v); }) == smmu,
               boost::test_tools::per_element());
    const epvp::soc::smmuv3::walker_counters wc;
    BOOST_TEST(stat_names([&](auto&& v) { wc.for_each(v); }) == smmu_walker,
               boost::test_tools::per_element());
    const epvp::soc::memory_controller::master_stats mc;
    BOOST_TEST(stat_names([&](auto&& v) { mc.for_each(v); }) == dram_master,
               boost::test_tools::per_element());
    const epvp::dwc::iatu_unit_stats ic;
    BOOST_TEST(stat_names([&](auto&& v) { ic.for_each(v); }) == iatu,
               boost::test_tools::per_element());
#ifdef EPVP_RTL_COSIM
    const epvp::rtl::rtl_iatu_stats ri;
    BOOST_TEST(stat_names([&](auto&& v) { ri.for_each(v); }) == rtl_iatu,
               boost::test_tools::per_element());
    BOOST_TEST(stat_names([&](auto&& v) { ri.for_each_lockstep(v); }) == iatu_lockstep,
               boost::test_tools::per_element());
#endif
}

// A run with the SMMU on (workload iova) reports every module's declared counters under its
// module, and no counter that is not declared.
BOOST_AUTO_TEST_CASE(report_sections_hold_exactly_the_declared_counters) {
    auto r = run_epsim("run --workload iova --set function.iova.buffers=4");
    BOOST_REQUIRE_MESSAGE(r.status == 0, "exit " << r.status << "\n" << r.out);
    const json& j = r.report;
    BOOST_REQUIRE(j.is_object());
    check_section("link", j.at("link"), {link_injected}, link_fields);
    for (const char* dir : {"upstream", "downstream"}) {
        check_section(std::string("link.") + dir, j.at("link").at(dir), {link_traffic}, {});
        check_section(std::string("link.replay.") + dir, j.at("link").at("replay").at(dir),
                      {link_replay}, {});
        BOOST_CHECK(j.at("link").at("poisoned_tlps_injected").contains(dir));
    }
    check_section("link.replay", j.at("link").at("replay"), {}, replay_fields);
    check_section("controller", j.at("controller"), {controller}, controller_fields);
    check_section("root_complex", j.at("root_complex"), {root_complex}, root_complex_fields);
    check_section("smmu", j.at("smmu"), {smmu, smmu_walker}, smmu_fields);
    const json& masters = j.at("soc").at("dram_masters");
    BOOST_REQUIRE(masters.is_object());
    BOOST_CHECK(!masters.empty()); // the iova workload's DMA reaches DRAM
    for (auto it = masters.begin(); it != masters.end(); ++it)
        check_section("soc.dram_masters." + it.key(), it.value(), {dram_master}, {});
}

// Boost.Test provides main(); libsystemc still wants the symbol.
int sc_main(int, char*[]) {
    return 0;
}

// Fault injection end to end: Data Link Layer retry (LCRC errors, NAK, replay, REPLAY_NUM
// rollover, replay buffer), link down and back, and PCIe ordering under replays. Each test runs
// build/epsim as a user would and checks its exit status, its report and, where it matters, its
// TLP log; simulated times are compared with the cost formula the README states.
#define BOOST_TEST_MODULE faults
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using json = nlohmann::json;

using cli_test::run_result;

run_result epsim(const std::string& args) {
    return cli_test::run_epsim(args);
}

const json& row_of(const json& report, const std::string& direction) {
    for (const auto& row : report.at("dma_sweep"))
        if (row.at("direction") == direction) return row;
    BOOST_FAIL("no " + direction + " row");
    static json none;
    return none;
}

// Gen3 x4 by hand: 8 GT/s x 128/130 / 8 bits x 4 lanes, less SKP (4 symbols in 1538).
constexpr double gen3x4_Bps = 8e9 * 128.0 / 130.0 / 8.0 * 4.0 * 1534.0 / 1538.0;
double wire_ns(double bytes) {
    return bytes / gen3x4_Bps * 1e9;
}
constexpr double propagation_ns = 10;  // link.propagation_ns default
constexpr double ack_latency_ns = 200; // set below
constexpr double retrain_ns = 2000;    // link.retrain_ns default
constexpr double dllp_bytes = 8;
// A 256-byte posted write to a 64-bit address: 8 (framing, sequence, LCRC) + 16 + 256.
constexpr double mwr_bytes = 8 + 16 + 256;
// An ERR_COR message: 8 + 16, no data.
constexpr double msg_bytes = 8 + 16;
// The cost of one NAKed transmission: the NAK round trip plus the TLP again. The receiver
// schedules the NAK immediately (PCIe Base Spec, Data Link Layer TLP receive handling: "schedule
// a Nak DLLP for transmission immediately"; the AckNak latency limit is for Acks): the bad TLP's
// flight, the NAK's wire time and flight, then the TLP's wire time again.
double replay_cost_ns(double tlp_bytes) {
    return wire_ns(tlp_bytes) + 2 * propagation_ns + wire_ns(dllp_bytes);
}

const std::string sweep_16mib_write =
    "run --workload dma-sweep --set dram.ideal=true --set dwc.datapath_bits=512"
    " --set dwc.core_clock_mhz=4000 --set workload.dma_sweep.min_bytes=16777216"
    " --set workload.dma_sweep.max_bytes=16777216 --set workload.dma_sweep.read=false"
    " --set link.ack_latency_ns=200";

double write_time_ns(const std::string& extra, json* report = nullptr) {
    auto r = epsim(sweep_16mib_write + " " + extra);
    BOOST_REQUIRE_MESSAGE(r.status == 0, extra << ": exit " << r.status << "\n" << r.out);
    const json& w = row_of(r.report, "write");
    BOOST_CHECK_EQUAL(w.at("aborted"), false);
    BOOST_CHECK_EQUAL(w.at("firmware_status"), 0);
    if (report) *report = r.report;
    return w.at("time_ns").get<double>();
}

// The SMMU saw the controller under exactly one StreamID, sid, translated every access (nothing
// bypassed or aborted) and recorded no fault: with dwc.stream_id_mode = fixed (the default) the
// StreamID is the SoC integration's and neither a link down nor a hot reset changes it.
void check_one_fixed_stream(const json& report, std::uint32_t sid) {
    BOOST_REQUIRE(report.contains("smmu"));
    const json& s = report.at("smmu");
    BOOST_CHECK(s.at("enabled_by_firmware").get<bool>());
    BOOST_REQUIRE_EQUAL(s.at("streams").size(), 1u);
    BOOST_CHECK_EQUAL(s.at("streams")[0].at("stream_id").get<std::uint32_t>(), sid);
    BOOST_CHECK_GT(s.at("streams")[0].at("transactions").get<std::uint64_t>(), 0u);
    BOOST_CHECK_EQUAL(s.at("bypassed"), 0);
    BOOST_CHECK_EQUAL(s.at("aborted"), 0);
    BOOST_CHECK_EQUAL(s.at("faults").size(), 0u);
}
constexpr std::uint32_t default_stream_id = 0x5B; // dwc.stream_id default (TEGRA194_SID_PCIE5)

// The fault PRNG as the link documents it (one stream per direction from faults.seed):
// SplitMix64 (Steele, Lea, Flood, "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014),
// written here as a reference. A stream starts at mix(seed ^ salt); each draw adds the golden
// gamma and maps the mixed state's top 53 bits to [0, 1).
std::uint64_t splitmix_mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
double first_draw(std::uint64_t seed, std::uint64_t salt) {
    constexpr std::uint64_t golden_gamma = 0x9E3779B97F4A7C15ull;
    return static_cast<double>(splitmix_mix(splitmix_mix(seed ^ salt) + golden_gamma) >> 11) /
           9007199254740992.0; // 2^53
}
// The salt of the downstream stream (the first 64 bits of the fractional part of sqrt(2), as
// in SHA-512's initial hash value): an upstream TLP's NAK crosses the link downstream.
constexpr std::uint64_t downstream_salt = 0x6A09E667F3BCC908ull;
constexpr double dllp_error_rate = 0.5;

// With faults.lcrc.nth_tlp on the upstream direction and no rate-driven LCRC or poison faults,
// the one NAK's DLLP-error draw is the first draw of the downstream stream: it is lost when the
// draw is below faults.dllp_error_rate. The smallest seed from 1 that gives the asked outcome.
std::uint64_t seed_whose_first_draw(double rate, bool below) {
    for (std::uint64_t seed = 1;; ++seed)
        if ((first_draw(seed, downstream_salt) < rate) == below) return seed;
}

} // namespace

using cli_test::remove_work_dir;
BOOST_GLOBAL_FIXTURE(remove_work_dir);

BOOST_AUTO_TEST_CASE(lcrc_error_rate_pcitest_passes_with_replays) {
    // The acceptance: every test passes (the host checks every transfer's CRC) and the
    // report shows the replays and what they cost.
    auto r = epsim("run --set faults.lcrc_error_rate=1e-3");
    BOOST_CHECK_MESSAGE(r.status == 0, "exit " << r.status << "\n" << r.out);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
    BOOST_CHECK_GT(r.report.at("totals").at("pass").get<int>(), 40);
    const json& rp = r.report.at("link").at("replay");
    std::uint64_t replays = 0;
    for (const char* d : {"upstream", "downstream"}) {
        const json& x = rp.at(d);
        BOOST_CHECK_GT(x.at("replays").get<std::uint64_t>(), 0u);
        BOOST_CHECK_EQUAL(x.at("naks"), x.at("replays")); // no DLLP errors asked for
        BOOST_CHECK_GT(x.at("bytes_replayed").get<std::uint64_t>(), 0u);
        BOOST_CHECK_GT(x.at("time_lost_ns").get<double>(), 0.0);
        replays += x.at("replays").get<std::uint64_t>();
    }
    BOOST_CHECK_EQUAL(r.report.at("metrics").at("replays_count"), replays);
    // Bad TLPs the endpoint received were logged in its AER and announced with ERR_COR; the
    // root port logged those it received.
    const json& ctl = r.report.at("controller");
    BOOST_CHECK_EQUAL(ctl.at("correctable_errors"), rp.at("downstream").at("lcrc_errors"));
    BOOST_CHECK_EQUAL(ctl.at("err_cor_messages_sent"), ctl.at("correctable_errors"));
    BOOST_CHECK_EQUAL(r.report.at("root_complex").at("err_cor_messages"),
                      ctl.at("err_cor_messages_sent"));
    BOOST_CHECK_EQUAL(ctl.at("aer_correctable_status").get<std::uint32_t>() & (1u << 6), 1u << 6);
    BOOST_CHECK_EQUAL(r.report.at("root_complex").at("correctable_errors"),
                      rp.at("upstream").at("lcrc_errors"));
    BOOST_CHECK_EQUAL(
        r.report.at("root_complex").at("root_port_aer_correctable_status").get<std::uint32_t>() &
            (1u << 6),
        1u << 6);
    // A different fault seed gives a different error pattern.
    auto other = epsim("run --set faults.lcrc_error_rate=1e-3 --set faults.seed=7");
    BOOST_CHECK_EQUAL(other.status, 0);
    BOOST_CHECK_NE(other.report.at("metrics").at("replays_count"), replays);
}

BOOST_AUTO_TEST_CASE(replay_cost_follows_the_formula) {
    const double clean = write_time_ns("");
    // One NAKed MWr: the transfer ends exactly one replay cost later.
    json one;
    const double t1 = write_time_ns("--set faults.lcrc.nth_tlp=1000", &one);
    const json& up1 = one.at("link").at("replay").at("upstream");
    BOOST_CHECK_EQUAL(up1.at("replays"), 1);
    BOOST_CHECK_EQUAL(up1.at("naks"), 1);
    BOOST_CHECK_EQUAL(up1.at("bytes_replayed"), 280);
    BOOST_CHECK_CLOSE(t1 - clean, replay_cost_ns(mwr_bytes), 0.01);
    BOOST_CHECK_CLOSE(up1.at("time_lost_ns").get<double>(), replay_cost_ns(mwr_bytes), 0.01);
    // The root port received the bad TLP: Bad TLP in its AER.
    BOOST_CHECK_EQUAL(one.at("root_complex").at("root_port_aer_correctable_status"), 1u << 6);

    // Four NAKs of the same TLP: REPLAY_NUM rolls over, the link retrains, the endpoint (the
    // transmitter) logs Replay Num Rollover and sends one ERR_COR, which takes its wire time.
    json four;
    const double t4 =
        write_time_ns("--set faults.lcrc.nth_tlp=1000 --set faults.lcrc.count=4", &four);
    const json& up4 = four.at("link").at("replay").at("upstream");
    BOOST_CHECK_EQUAL(up4.at("replays"), 4);
    BOOST_CHECK_EQUAL(up4.at("replay_num_rollovers"), 1);
    BOOST_CHECK_EQUAL(up4.at("retrains"), 1);
    BOOST_CHECK_EQUAL(four.at("controller").at("aer_correctable_status"), 1u << 8);
    BOOST_CHECK_EQUAL(four.at("controller").at("err_cor_messages_sent"), 1);
    BOOST_CHECK_EQUAL(four.at("root_complex").at("err_cor_messages"), 1);
    BOOST_CHECK_CLOSE(t4 - clean, 4 * replay_cost_ns(mwr_bytes) + retrain_ns + wire_ns(msg_bytes),
                      0.01);

    // A rate: every replay costs the same, so the time lost is replays x cost.
    json rate;
    const double tr = write_time_ns("--set faults.lcrc_error_rate=1e-3", &rate);
    const json& upr = rate.at("link").at("replay").at("upstream");
    const double n = upr.at("replays").get<double>();
    BOOST_CHECK_GT(n, 10.0);
    BOOST_CHECK_EQUAL(upr.at("retrains"), 0);
    BOOST_CHECK_CLOSE(tr - clean, n * replay_cost_ns(mwr_bytes), 0.01);

    // A NAK lost to a DLLP error: the replay waits for the replay timer (3 x ACK latency from
    // the TLP's end) instead of the NAK round trip. Which of the two happens is the fault PRNG's
    // draw: both seeds are chosen by the reference below so each path is asserted, not guessed.
    const std::uint64_t lost_seed = seed_whose_first_draw(dllp_error_rate, true);
    const std::uint64_t kept_seed = seed_whose_first_draw(dllp_error_rate, false);
    const std::string lost_nak = "--set faults.lcrc.nth_tlp=1000 --set faults.dllp_error_rate=" +
                                 std::to_string(dllp_error_rate);
    json lost;
    const double tl =
        write_time_ns(lost_nak + " --set faults.seed=" + std::to_string(lost_seed), &lost);
    const json& upl = lost.at("link").at("replay").at("upstream");
    BOOST_CHECK_EQUAL(upl.at("replays"), 1);
    const double timer_ns = lost.at("link").at("replay").at("replay_timer_ns").get<double>();
    BOOST_CHECK_CLOSE(timer_ns, 3 * ack_latency_ns, 0.01);
    BOOST_CHECK_EQUAL(upl.at("replay_timer_timeouts"), 1);
    BOOST_CHECK_EQUAL(upl.at("naks"), 0);
    BOOST_CHECK_EQUAL(upl.at("bad_dllps"), 1);
    BOOST_CHECK_EQUAL(lost.at("controller").at("aer_correctable_status"), (1u << 7) | (1u << 12));
    // Two ERR_COR messages (Bad DLLP, Replay Timer Timeout) on the wire as well.
    BOOST_CHECK_CLOSE(tl - clean, timer_ns + wire_ns(mwr_bytes) + 2 * wire_ns(msg_bytes), 0.01);

    // The same error with the NAK delivered: the NAK round trip, as with no DLLP errors.
    json kept;
    const double tk =
        write_time_ns(lost_nak + " --set faults.seed=" + std::to_string(kept_seed), &kept);
    const json& upk = kept.at("link").at("replay").at("upstream");
    BOOST_CHECK_EQUAL(upk.at("replays"), 1);
    BOOST_CHECK_EQUAL(upk.at("naks"), 1);
    BOOST_CHECK_EQUAL(upk.at("replay_timer_timeouts"), 0);
    BOOST_CHECK_CLOSE(tk - clean, replay_cost_ns(mwr_bytes), 0.01);
}

BOOST_AUTO_TEST_CASE(small_replay_buffer_stalls_the_transmitter) {
    // 512 bytes hold one 280-byte TLP: each write waits for the previous one's ACK, so a TLP
    // goes out every wire time + ACK round trip (its flight, the ACK latency the receiver may
    // take, the ACK's wire time and flight).
    json r;
    const double t = write_time_ns("--set link.replay_buffer_bytes=512", &r);
    const double tlps = 16777216.0 / 256;
    const double ack_round_trip_ns =
        wire_ns(mwr_bytes) + 2 * propagation_ns + ack_latency_ns + wire_ns(dllp_bytes);
    BOOST_CHECK_CLOSE(t, tlps * ack_round_trip_ns, 0.01);
    BOOST_CHECK_GT(
        r.at("link").at("replay").at("upstream").at("replay_buffer_stall_ns").get<double>(), 0.0);
    BOOST_CHECK_EQUAL(r.at("link").at("replay").at("upstream").at("replays"), 0);
}

BOOST_AUTO_TEST_CASE(link_down_during_a_16mib_dma_fails_it_and_the_next_transfer_succeeds) {
    const std::string sweep = "run --workload dma-sweep --set workload.dma_sweep.min_bytes=16777216"
                              " --set workload.dma_sweep.max_bytes=16777216"
                              " --set dwc.completion_timeout_us=1000";
    struct scenario {
        const char* at_us;     // the link-down instant
        const char* failed;    // the transfer it falls into
        const char* following; // the one after it (the completion flag after the write)
    };
    // The 16 MiB read runs from about 1.9 ms to 6.5 ms, the write after it.
    for (const scenario& s : {scenario{"3000", "read", "write"}, scenario{"9000", "write", ""}}) {
        auto r = epsim(sweep + " --set faults.link_down.at_us=" + s.at_us);
        BOOST_CHECK_MESSAGE(r.status == 1, s.at_us << ": exit " << r.status << "\n" << r.out);
        BOOST_REQUIRE(r.report.is_object());
        BOOST_CHECK_EQUAL(r.report.at("status"), "FAIL");
        BOOST_CHECK_EQUAL(r.report.at("sweep_status"), -5); // EIO
        const json& bad = row_of(r.report, s.failed);
        BOOST_CHECK_EQUAL(bad.at("aborted"), true);
        BOOST_CHECK_EQUAL(bad.at("firmware_status"), -5);
        BOOST_CHECK_LT(bad.at("size_bytes").get<std::uint64_t>(), 16777216u);
        if (*s.following) {
            const json& next = row_of(r.report, s.following);
            BOOST_CHECK_EQUAL(next.at("aborted"), false);
            BOOST_CHECK_EQUAL(next.at("firmware_status"), 0);
            BOOST_CHECK_EQUAL(next.at("size_bytes"), 16777216u);
        }
        // The link went down once, TLPs after the instant failed, the controller reset its
        // non-sticky registers, trained again, and the host enumerated it again; the host saw
        // the completion flag (written by eDMA after the link came back).
        const json& link = r.report.at("link");
        BOOST_CHECK_EQUAL(link.at("link_down_faults"), 1);
        BOOST_CHECK_GT(link.at("tlps_failed_link_down").get<std::uint64_t>(), 0u);
        BOOST_CHECK_EQUAL(link.at("up"), true);
        BOOST_CHECK_EQUAL(r.report.at("controller").at("link_down_resets"), 1);
        BOOST_CHECK_EQUAL(r.report.at("controller").at("ltssm"), "L0");
        BOOST_CHECK_EQUAL(r.report.at("enumeration").at("reenumerations"), 1);
        BOOST_CHECK_EQUAL(r.report.at("enumeration").at("status"), 0);
        BOOST_CHECK(r.out.find("dma-sweep: ETIMEDOUT") == std::string::npos);
        BOOST_CHECK(r.out.find("link-down fault") != std::string::npos);
        // The transfer after the link came back was translated under the same StreamID.
        check_one_fixed_stream(r.report, default_stream_id);
    }
}

namespace {
// The time of the first log line of `out` that ends with `what` ("[421.531750 us] ltssm: ...:
// DETECT_ACT"), in us; -1 if none.
double first_line_us(const std::string& out, const std::string& what) {
    std::istringstream is(out);
    for (std::string line; std::getline(is, line);)
        if (line.size() > what.size() &&
            line.compare(line.size() - what.size(), what.size(), what) == 0 && line[0] == '[')
            return std::stod(line.substr(1));
    return -1;
}
} // namespace

// The partner lost while the link trains: training fails, the LTSSM goes back to Detect and
// trains again once the partner is back, so the link is up link.training_us (20 us) after the
// outage ends, not at the end of the training it was in (it came up with no partner, and the
// outage was lost). The instant: 5 us into the training a run without the fault shows.
BOOST_AUTO_TEST_CASE(a_partner_lost_during_training_holds_the_link_down_until_it_is_back) {
    const std::string run = "run --workload dma-sweep --set workload.dma_sweep.max_bytes=4096"
                            " --set workload.dma_sweep.repeat_bytes=0 --log ltssm";
    const auto clean = epsim(run);
    BOOST_REQUIRE_EQUAL(clean.status, 0);
    const double start_us = first_line_us(clean.out, "DETECT_ACT");
    const double up_us = first_line_us(clean.out, ": L0");
    BOOST_REQUIRE_GT(start_us, 0);
    BOOST_REQUIRE_EQUAL(up_us - start_us, 20.0); // link.training_us
    const long at_us = static_cast<long>(start_us) + 5;
    // 50 us outlasts the training; 8 us ends inside it (the training fails all the same).
    for (const long outage_us : {50L, 8L}) {
        const auto r = epsim(run + " --set faults.link_down.at_us=" + std::to_string(at_us) +
                             " --set faults.link_down.duration_us=" + std::to_string(outage_us));
        BOOST_TEST_INFO(r.out);
        BOOST_CHECK_EQUAL(r.status, 0);
        BOOST_CHECK_EQUAL(first_line_us(r.out, ": L0"), double(at_us + outage_us + 20));
        BOOST_CHECK_EQUAL(r.report.at("link").at("link_down_faults"), 1);
        BOOST_CHECK_EQUAL(r.report.at("link").at("up"), true);
        BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    }
}

BOOST_AUTO_TEST_CASE(msi_never_arrives_before_its_data_under_replays) {
    // pcitest's DMA READ tests: the endpoint writes the host buffer by eDMA, then raises an MSI.
    // With 1 % of the transmissions NAKed, every upstream TLP still arrives after the ones sent
    // before it, and every MSI after the data writes that preceded it.
    auto r = epsim("run --set host.pcitest_msix_sample=true --set faults.lcrc_error_rate=1e-2"
                   " --log tlp");
    BOOST_CHECK_MESSAGE(r.status == 0, "exit " << r.status);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_GT(r.report.at("link").at("replay").at("upstream").at("replays").get<int>(), 100);
    const std::uint64_t msi_base = 0xFEE00000, msi_end = msi_base + 0x1000;
    const std::uint64_t host_mem = 0x100000000;
    std::istringstream log(r.out);
    double last_arrival = -1;
    unsigned upstream = 0, out_of_order = 0, msis_after_data = 0, msi_before_data = 0;
    double data_latest = -1; // latest arrival of a data MWr since the last MSI
    for (std::string line; std::getline(log, line);) {
        if (line.find("tlp: up   ") == std::string::npos) continue;
        const auto a = line.find("arrive=");
        const auto addr = line.find("addr=");
        BOOST_REQUIRE(a != std::string::npos && addr != std::string::npos);
        const double arrival = std::stod(line.substr(a + 7));
        const std::uint64_t address = std::stoull(line.substr(addr + 5), nullptr, 16);
        ++upstream;
        if (arrival <= last_arrival) ++out_of_order;
        last_arrival = arrival;
        if (line.find(" MWr ") == std::string::npos) continue;
        if (address >= msi_base && address < msi_end) {
            if (data_latest >= 0) {
                ++msis_after_data;
                if (data_latest >= arrival) ++msi_before_data;
            }
            data_latest = -1;
        } else if (address >= host_mem) {
            data_latest = std::max(data_latest, arrival);
        }
    }
    BOOST_CHECK_GT(upstream, 10000u);
    BOOST_CHECK_EQUAL(out_of_order, 0u);
    BOOST_CHECK_GT(msis_after_data, 5u);
    BOOST_CHECK_EQUAL(msi_before_data, 0u);
}

BOOST_AUTO_TEST_CASE(bad_fault_settings_are_rejected) {
    auto r = epsim("run --set faults.lcrc_error_rate=2");
    BOOST_CHECK_EQUAL(r.status, 2);
    auto s = epsim("run --set faults.lcrc_error_rate=fast");
    BOOST_CHECK_EQUAL(s.status, 2);
    BOOST_CHECK(s.out.find("faults.lcrc_error_rate") != std::string::npos);
    auto t = epsim("run --set faults.lcrc.direction=sideways");
    BOOST_CHECK_EQUAL(t.status, 2);
    BOOST_CHECK(t.out.find("faults.lcrc.direction") != std::string::npos);
}

namespace {

// The pcitest rows of a report: the one failed row's index and reason, and whether every row
// after it passed (or was skipped as in a clean run).
struct failed_row {
    int index = -1;
    std::string name, reason;
    unsigned failures = 0;
    bool later_rows_pass = true;
};
failed_row find_failure(const json& report) {
    failed_row f;
    const json& tests = report.at("tests");
    for (std::size_t i = 0; i < tests.size(); ++i) {
        const std::string result = tests[i].at("result");
        if (result == "FAIL") {
            if (!f.failures++) {
                f.index = static_cast<int>(i);
                f.name = tests[i].at("name");
                f.reason = tests[i].at("reason");
            } else {
                f.later_rows_pass = false;
            }
        }
    }
    return f;
}

const std::string pcitest = "run --set host.pcitest_msix_sample=true";

} // namespace

BOOST_AUTO_TEST_CASE(poisoned_tlp_fails_exactly_the_test_that_hit_it_in_either_direction) {
    struct poison_case {
        const char* direction;
        const char* type;
        unsigned nth;
        const char* receiver; // report section that counts it
        const char* test;     // the row that must fail
        const char* evidence; // what the row says beyond the AER bit
    };
    const poison_case cases[] = {
        // The host's MMIO write into BAR1 is not written into endpoint memory.
        {"downstream", "mwr", 3, "controller", "pci_ep_bar.BAR1.BAR_TEST", "read 0x0"},
        // The endpoint CPU's load from host memory returns an error: its READ fails.
        {"downstream", "cpld", 100, "controller", "memcpy.WRITE_TEST", "READ_FAIL"},
        // The eDMA read channel aborts on the poisoned completion.
        {"downstream", "cpld", 520000, "controller", "dma.WRITE_TEST", "READ_FAIL"},
        // The endpoint's write into host memory is dropped by the root complex.
        {"upstream", "mwr", 100, "root_complex", "memcpy.READ_TEST", "CRC32"},
        // The host's read of BAR1 returns an error (all-ones, SLVERR).
        {"upstream", "cpld", 150, "root_complex", "pci_ep_bar.BAR1.BAR_TEST", "SLVERR"},
    };
    for (const auto& c : cases) {
        const std::string args = pcitest + " --set faults.poison.direction=" + c.direction +
                                 " --set faults.poison.type=" + c.type +
                                 " --set faults.poison.nth_tlp=" + std::to_string(c.nth);
        BOOST_TEST_CONTEXT(args) {
            auto r = epsim(args);
            BOOST_CHECK_EQUAL(r.status, 1);
            BOOST_REQUIRE(r.report.is_object());
            BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 1);
            const failed_row f = find_failure(r.report);
            BOOST_CHECK_EQUAL(f.failures, 1u);
            BOOST_CHECK(f.later_rows_pass);
            BOOST_CHECK_MESSAGE(f.name.find(c.test) != std::string::npos, f.name);
            BOOST_CHECK_MESSAGE(f.reason.find("Poisoned TLP") != std::string::npos, f.reason);
            BOOST_CHECK_MESSAGE(f.reason.find(c.evidence) != std::string::npos, f.reason);
            const json& injected = r.report.at("link").at("poisoned_tlps_injected");
            BOOST_CHECK_EQUAL(injected.at(c.direction), 1);
            BOOST_CHECK_EQUAL(r.report.at(c.receiver).at("poisoned_tlps_received"), 1);
            const bool at_endpoint = std::string(c.receiver) == "controller";
            // Non-fatal by default: the endpoint sends ERR_NONFATAL (the host enabled reporting);
            // the root port's own error raises no message.
            BOOST_CHECK_EQUAL(r.report.at("root_complex").at("err_nonfatal_messages"),
                              at_endpoint ? 1 : 0);
            BOOST_CHECK_EQUAL(r.report.at("root_complex").at("err_fatal_messages"), 0);
            BOOST_CHECK_EQUAL(r.report.at(at_endpoint ? "root_complex" : "controller")
                                  .at("poisoned_tlps_received"),
                              0);
            if (std::string(c.evidence) == "READ_FAIL" && c.nth == 520000)
                BOOST_CHECK(r.out.find("MRd completion poisoned") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(poison_rate_fails_tests_but_never_hangs) {
    const std::string args = pcitest + " --set faults.poison.rate=0.002";
    auto a = epsim(args);
    auto b = epsim(args);
    BOOST_CHECK_EQUAL(a.status, 1);
    BOOST_REQUIRE(a.report.is_object());
    BOOST_CHECK_EQUAL(a.report.at("status"), "FAIL");
    const auto injected = a.report.at("link").at("poisoned_tlps_injected").at("upstream");
    BOOST_CHECK_GT(injected.get<unsigned>(), 0u);
    BOOST_CHECK_EQUAL(a.report.at("root_complex").at("poisoned_tlps_received"), injected);
    // Same seed, same report.
    BOOST_CHECK_EQUAL(a.report.dump(), b.report.dump());
}

// With half the TLPs poisoned, enumeration's configuration reads come back bad and no endpoint is
// found: nothing was tested, which fails the run (it once passed with 0 tests run).
BOOST_AUTO_TEST_CASE(a_pcitest_run_that_finds_no_endpoint_fails) {
    auto r = epsim(pcitest + " --set faults.poison.rate=0.5");
    BOOST_CHECK_EQUAL(r.status, 1);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK(r.report.at("enumeration").at("devices").empty());
    BOOST_CHECK_EQUAL(r.report.at("status"), "FAIL");
    BOOST_CHECK(r.out.find("enumeration failed: ENODEV") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hot_reset_between_tests_then_the_suite_passes) {
    // Before test 19 (inside the memcpy READ_TEST rows, interrupts already set up).
    auto r = epsim(pcitest + " --set faults.hot_reset.before_test=19 --log ltssm host");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
    BOOST_CHECK_EQUAL(r.report.at("totals").at("pass"), 46);
    const json& resets = r.report.at("resets");
    BOOST_REQUIRE_EQUAL(resets.size(), 1u);
    BOOST_CHECK_EQUAL(resets[0].at("kind"), "hot reset");
    BOOST_CHECK_EQUAL(resets[0].at("before_test"), 19);
    BOOST_CHECK_EQUAL(resets[0].at("status"), 0);
    // Held for host.sbr_hold_us (2 ms), then the link trains and the tree is enumerated again.
    BOOST_CHECK_GT(resets[0].at("duration_ns").get<double>(), 2e6);
    BOOST_CHECK_EQUAL(r.report.at("root_complex").at("hot_resets"), 1);
    BOOST_CHECK_EQUAL(r.report.at("link").at("hot_resets"), 1);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("hot_resets"), 1);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("link_down_resets"), 1);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("function_level_resets"), 0);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("ltssm"), "L0");
    // The endpoint's LTSSM went through Hot Reset and the firmware re-initialised.
    BOOST_CHECK(r.out.find("dwc: HOT_RESET") != std::string::npos);
    BOOST_CHECK(r.out.find("Secondary Bus Reset released") != std::string::npos);
    BOOST_CHECK(r.out.find("hot reset before test 19: done") != std::string::npos);
    // The tests after the reset (eDMA and CPU transfers into local memory) were translated under
    // the StreamID the controller had before it.
    check_one_fixed_stream(r.report, default_stream_id);
}

BOOST_AUTO_TEST_CASE(flr_between_tests_then_the_suite_passes) {
    auto r = epsim(pcitest + " --set faults.flr.before_test=18 --set host.flr_wait_ms=50"
                             " --log dwc fw host");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("status"), "PASS");
    BOOST_CHECK_EQUAL(r.report.at("totals").at("pass"), 46);
    const json& resets = r.report.at("resets");
    BOOST_REQUIRE_EQUAL(resets.size(), 1u);
    BOOST_CHECK_EQUAL(resets[0].at("kind"), "FLR");
    BOOST_CHECK_EQUAL(resets[0].at("status"), 0);
    // The host waited host.flr_wait_ms before touching the function again.
    BOOST_CHECK_GE(resets[0].at("duration_ns").get<double>(), 50e6);
    BOOST_CHECK_LT(resets[0].at("duration_ns").get<double>(), 60e6);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("function_level_resets"), 1);
    // The link was not touched.
    BOOST_CHECK_EQUAL(r.report.at("controller").at("link_down_resets"), 0);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("hot_resets"), 0);
    BOOST_CHECK_EQUAL(r.report.at("link").at("link_down_faults"), 0);
    // The controller told the firmware (glue FLR interrupt) and waited for FLR_DONE.
    BOOST_CHECK(r.out.find("ep: FLR: re-initialising the function") != std::string::npos);
    BOOST_CHECK(r.out.find("FLR done (app_flr_pf_done)") != std::string::npos);
}

// A controller without an eDMA read channel: the test function drops every command while FLAGS
// has USE_DMA (Linux pci-epf-test's command handler: "Cannot transfer data using DMA", no status,
// no interrupt), so the kselftest's dma variants, which check no capability, time out on the host;
// the memcpy ones pass. The host writes FLAGS only for transfers (pci_endpoint_test_doorbell does
// not), so the DOORBELL_TEST after the last dma COPY_TEST is dropped too.
BOOST_AUTO_TEST_CASE(dma_tests_without_an_edma_read_channel_fail_not_skip) {
    auto r = epsim(pcitest + " --set dwc.edma.read_channels=0");
    BOOST_CHECK_EQUAL(r.status, 1);
    BOOST_REQUIRE(r.report.is_object());
    unsigned dma_rows = 0, memcpy_rows = 0;
    for (const auto& t : r.report.at("tests")) {
        const std::string name = t.at("name");
        if (name.rfind("pci_ep_data_transfer.dma.", 0) == 0) {
            ++dma_rows;
            BOOST_CHECK_MESSAGE(t.at("result") == "FAIL", name);
            BOOST_CHECK_MESSAGE(t.at("reason").get<std::string>().find("ETIMEDOUT") == 0, name);
        } else if (name.rfind("pci_ep_data_transfer.memcpy.", 0) == 0) {
            ++memcpy_rows;
            BOOST_CHECK_MESSAGE(t.at("result") == "PASS", name);
        }
    }
    BOOST_CHECK_EQUAL(dma_rows, 15u); // READ, WRITE, COPY x 1, 1024, 1025, 1024000, 1024001
    BOOST_CHECK_EQUAL(memcpy_rows, 15u);
    for (const auto& t : r.report.at("tests"))
        if (t.at("name") == "pcie_ep_doorbell.DOORBELL_TEST")
            BOOST_CHECK_EQUAL(t.at("result"), "FAIL");
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 16);
}

// Before test 1: right after the driver's probe, before BAR0's test.
BOOST_AUTO_TEST_CASE(flr_before_the_first_test) {
    auto r = epsim(pcitest + " --set faults.flr.before_test=1");
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_REQUIRE(r.report.is_object());
    BOOST_CHECK_EQUAL(r.report.at("totals").at("fail"), 0);
    const json& resets = r.report.at("resets");
    BOOST_REQUIRE_EQUAL(resets.size(), 1u);
    BOOST_CHECK_EQUAL(resets[0].at("before_test"), 1);
    BOOST_CHECK_EQUAL(resets[0].at("status"), 0);
    BOOST_CHECK_EQUAL(r.report.at("controller").at("function_level_resets"), 1);
}

BOOST_AUTO_TEST_CASE(bad_poison_and_reset_settings_are_rejected) {
    auto a = epsim("run --set faults.poison.type=mrd");
    BOOST_CHECK_EQUAL(a.status, 2);
    BOOST_CHECK(a.out.find("faults.poison.type") != std::string::npos);
    auto b = epsim("run --set faults.poison.rate=0.9");
    BOOST_CHECK_EQUAL(b.status, 2);
    BOOST_CHECK(b.out.find("faults.poison.rate") != std::string::npos);
    auto c = epsim("run --set faults.poison.direction=sideways");
    BOOST_CHECK_EQUAL(c.status, 2);
    BOOST_CHECK(c.out.find("faults.poison.direction") != std::string::npos);
    auto d = epsim("run --set host.flr_wait_ms=0");
    BOOST_CHECK_EQUAL(d.status, 2);
    BOOST_CHECK(d.out.find("host.flr_wait_ms") != std::string::npos);
    auto e = epsim("run --set faults.hot_reset.before_test=-1");
    BOOST_CHECK_EQUAL(e.status, 2);
    BOOST_CHECK(e.out.find("faults.hot_reset.before_test") != std::string::npos);
    // The kselftest list has 47 tests: 6 BAR_TEST, CONSECUTIVE_BAR_TEST, LEGACY_IRQ, MSI, MSI-X,
    // 2 x 3 transfer tests x 5 sizes, DOORBELL and 6 BAR_SUBRANGE_TEST. A reset before test 48
    // would never happen.
    for (const char* key : {"faults.hot_reset.before_test", "faults.flr.before_test"}) {
        auto f = epsim(std::string("run --set ") + key + "=48");
        BOOST_CHECK_EQUAL(f.status, 2);
        BOOST_CHECK_MESSAGE(f.out.find(std::string(key) + " = 48: pcitest runs 47 tests") !=
                                std::string::npos,
                            f.out);
        BOOST_CHECK_EQUAL(epsim(pcitest + " --set " + key + "=47").status, 0);
    }
}

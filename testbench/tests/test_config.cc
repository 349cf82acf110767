// Unit tests of the platform configuration: defaults, schema rules, cross-key rules, merging,
// files and --set overrides. Every failure case checks the exception type and that the one-line
// message names the key and the rule.
#define BOOST_TEST_MODULE config
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/config/config.h"
#include "testbench/config/keys.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace epvp::cfg;

namespace {

// BOOST_CHECK_EXCEPTION predicate: a one-line message containing every fragment.
struct says {
    std::vector<std::string> parts;
    says(std::initializer_list<std::string> p)
        : parts(p) {}
    bool operator()(const config_error& e) const {
        const std::string m = e.what();
        bool ok = m.find('\n') == std::string::npos;
        for (const auto& p : parts)
            if (m.find(p) == std::string::npos) ok = false;
        if (!ok) std::cerr << "unexpected config_error message: " << m << "\n";
        return ok;
    }
};

// BOOST_CHECK_EXCEPTION predicate: exactly this message.
struct says_exactly {
    std::string expected;
    bool operator()(const config_error& e) const {
        if (expected == e.what()) return true;
        std::cerr << "config_error message: " << e.what() << "\n  expected:            " << expected
                  << "\n";
        return false;
    }
};

// Defaults with some --set overrides applied.
json with(std::initializer_list<std::string> sets) {
    json cfg = defaults();
    for (const auto& s : sets)
        apply_set(cfg, s);
    return cfg;
}

std::string temp_file(const std::string& name, const std::string& text) {
    const std::string path = "/tmp/test_config_" + name;
    std::ofstream(path) << text;
    return path;
}

constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t GiB = 1024 * MiB;

} // namespace

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(defaults_document)

BOOST_AUTO_TEST_CASE(defaults_parse_with_documented_values) {
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(defaults()));
    BOOST_TEST(p.sim.seed == 1u);
    BOOST_TEST(p.sim.quantum_ns == 1000u);
    BOOST_TEST(p.sim.time_limit_us == 60000000u);
    BOOST_TEST(p.sim.wall_limit_s == 0u);
    BOOST_TEST(p.link.gen == 3u);
    BOOST_TEST(p.link.width == 4u);
    BOOST_TEST(p.link.mps == 256u);
    BOOST_TEST(p.link.mrrs == 512u);
    BOOST_TEST(p.link.training_us == 20u);
    BOOST_TEST(p.link.propagation_ns == 10u);
    BOOST_TEST((p.dwc.version == dwc_version::v5_40a));
    BOOST_TEST(p.dwc.version_number == 0x3534302au);
    BOOST_TEST(p.dwc.iatu.outbound_windows == 8u);
    BOOST_TEST(p.dwc.iatu.inbound_windows == 8u);
    BOOST_TEST(p.dwc.iatu.region_align == 4096u);
    BOOST_TEST(p.dwc.iatu.region_limit == 1024 * GiB);
    BOOST_TEST((p.dwc.iatu.miss == miss_policy::passthrough));
    // One StreamID set by the SoC integration: Tegra194's TEGRA194_SID_PCIE5 (Linux
    // include/dt-bindings/memory/tegra194-mc.h), the StreamID of its C5 endpoint controller.
    BOOST_TEST((p.dwc.stream_mode == stream_id_mode::fixed));
    BOOST_TEST(p.dwc.stream_id == 0x5Bu);
    for (const auto& bar : p.dwc.bars) {
        BOOST_TEST((bar.type == bar_type::programmable));
        BOOST_TEST(bar.fixed_size == 0u);
        BOOST_TEST(!bar.only_64bit);
    }
    // BAR0 is the test register BAR, sized by the function (0 here).
    const std::array<std::uint64_t, 6> sizes = {0, 131072, 131072, 131072, 131072, 1048576};
    BOOST_TEST(p.function.test.bar_sizes == sizes);
    BOOST_TEST(p.function.test.bar_sizes[5] == 1048576u);
    BOOST_TEST(p.function.test.msi_vectors == 32u);
    BOOST_TEST(p.function.test.msix_vectors == 2048u);
    BOOST_TEST(p.function.test.vendor_id == 0x16c3);
    BOOST_TEST(p.function.test.device_id == 0xedda);
    BOOST_TEST(p.function.test.poll_interval_us == 1000u);
    BOOST_TEST(p.smmu.enabled); // the SoC has its SMMU on the controller's path by default
    BOOST_TEST(p.smmu.tlb_entries == 64u);
    BOOST_TEST(p.smmu.walk_cache_entries == 16u);
    BOOST_TEST(p.board.smmu_base == 0x41100000u);
    BOOST_TEST(p.function.iova.buffers == 64u);
    BOOST_TEST(p.workload.iotlb_sweep.max_set_bytes == 64u * 1024 * 1024);
    BOOST_TEST(p.dram.base == 0x80000000u);
    BOOST_TEST(p.dram.size_bytes == 1 * GiB);
    BOOST_TEST(p.dram.latency_ns == 60u);
    BOOST_TEST(p.host.mem_base == 4 * GiB);
    BOOST_TEST(p.host.mem_size_bytes == 4 * GiB);
    BOOST_TEST(p.host.read_latency_ns == 500u);
    BOOST_TEST(p.host.test_timeout_us == 1000000u);
    BOOST_TEST(p.host.crs_retry_us == 100u);
    BOOST_TEST(p.host.ecam_base == 0x2000000000u);
    BOOST_TEST(p.host.mmio32_base == 0xC0000000u);
    BOOST_TEST(p.host.mmio32_size == 512 * MiB);
    BOOST_TEST(p.host.mmio64_base == 0x4000000000u);
    BOOST_TEST(p.host.mmio64_size == 256 * GiB);
    BOOST_TEST((p.host.pcitest_version == pcitest_kernel::next));
    BOOST_TEST(p.mc.irq_window_latency_ns == 60u);
    BOOST_TEST(p.board.dbi_base == 0x40000000u);
    BOOST_TEST(p.board.atu_size == 131072u);
    BOOST_TEST(p.board.app_base == 0x41000000u);
    BOOST_TEST(p.board.aperture.base == 0x60000000u);
    BOOST_TEST(p.board.aperture.size == 0x10000000u);
    BOOST_TEST(p.board.aperture.page_size == 4096u);
    BOOST_TEST(p.cpu.clock_mhz == 1000u);
}

BOOST_AUTO_TEST_CASE(defaults_document_order_and_shape) {
    const json d = defaults();
    std::vector<std::string> top;
    for (auto it = d.begin(); it != d.end(); ++it)
        top.push_back(it.key());
    const std::vector<std::string> expected = {"sim",      "link",   "dwc",  "function", "smmu",
                                               "dram",     "mc",     "host", "board",    "cpu",
                                               "workload", "faults", "soc"};
    BOOST_TEST(top == expected, boost::test_tools::per_element());
    std::vector<std::string> link;
    for (auto it = d["link"].begin(); it != d["link"].end(); ++it)
        link.push_back(it.key());
    const std::vector<std::string> link_expected = {"gen",
                                                    "width",
                                                    "mps",
                                                    "mrrs",
                                                    "training_us",
                                                    "propagation_ns",
                                                    "ecrc",
                                                    "rcb",
                                                    "tags",
                                                    "dllp",
                                                    "replay_buffer_bytes",
                                                    "ack_latency_ns",
                                                    "replay_timer_ns",
                                                    "retrain_ns",
                                                    "credits"};
    BOOST_TEST(link == link_expected, boost::test_tools::per_element());
    BOOST_TEST(d["host"].begin().key() == "mem_base");
    BOOST_TEST(std::next(d["host"].begin()).key() == "mem_size_bytes");
    BOOST_TEST(d["dwc"]["bars"].size() == 6u);
    BOOST_TEST(d["dwc"]["bars"][3].dump() ==
               R"({"type":"programmable","fixed_size":0,"only_64bit":false})");
    BOOST_TEST(d["function"]["test"]["bar_sizes"].dump() ==
               "[0,131072,131072,131072,131072,1048576]");
    BOOST_TEST(d["dwc"]["version"] == "5.40a");
    BOOST_TEST(d["smmu"]["enabled"] == true);
}

BOOST_AUTO_TEST_CASE(defaults_round_trip_through_text) {
    const json d = defaults();
    const json again = parse_text(d.dump(2), "dump");
    BOOST_TEST(again == d);
    BOOST_CHECK_NO_THROW(parse(again));
}

BOOST_AUTO_TEST_CASE(version_number_is_ascii_digits_and_star) {
    BOOST_TEST(parse(with({"dwc.version=4.70a"})).dwc.version_number == 0x3437302au);
    BOOST_TEST(parse(with({"dwc.version=4.90a"})).dwc.version_number == 0x3439302au);
    const auto old = parse(with({"dwc.version=3.65a", "dwc.iatu.region_limit=4294967296"}));
    BOOST_TEST(old.dwc.version_number == 0x3336352au);
}

BOOST_AUTO_TEST_CASE(missing_keys_take_defaults) {
    json partial = json::object();
    partial["link"] = {{"gen", 2}};
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(partial));
    BOOST_TEST(p.link.gen == 2u);
    BOOST_TEST(p.link.width == 4u);
    BOOST_TEST(p.cpu.clock_mhz == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(leaf_rules)

BOOST_AUTO_TEST_CASE(range) {
    json c = defaults();
    c["link"]["gen"] = 9;
    BOOST_CHECK_EXCEPTION(parse(c), config_error, says_exactly{"link.gen = 9: must be in [1, 6]"});
    c = defaults();
    c["sim"]["quantum_ns"] = 0;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"sim.quantum_ns = 0: must be in [10, 10000]"});
    c["sim"]["quantum_ns"] = 100000; // past what test_quantum holds the workloads to
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"sim.quantum_ns = 100000: must be in [10, 10000]"});
    c = defaults();
    c["function"]["test"]["vendor_id"] = 0x10000;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"function.test.vendor_id = 65536: must be in [0, 65535]"});
    c = defaults();
    c["link"]["gen"] = 6;
    BOOST_CHECK_NO_THROW(parse(c));
}

BOOST_AUTO_TEST_CASE(one_of) {
    json c = defaults();
    c["link"]["width"] = 3;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"link.width = 3: must be one of 1, 2, 4, 8, 16"});
    c = defaults();
    c["link"]["mps"] = 100;
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{"link.mps = 100: must be one of 128, 256, 512, 1024, 2048, 4096"});
}

BOOST_AUTO_TEST_CASE(power_of_two) {
    json c = defaults();
    c["dwc"]["iatu"]["region_align"] = 12288;
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{"dwc.iatu.region_align = 12288: must be a power of two in [4096, 65536]"});
    c = defaults();
    c["dram"]["size_bytes"] = std::uint64_t{1} << 37;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"dram.size_bytes = 137438953472",
                                "must be a power of two in [1048576, 68719476736]"}));
}

BOOST_AUTO_TEST_CASE(zero_or_power_of_two) {
    json c = defaults();
    c["function"]["test"]["bar_sizes"][2] = 1000;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"function.test.bar_sizes[2] = 1000: must be 0 (unused) or a "
                                       "power of two in [128, 1099511627776]"});
    c = defaults();
    c["function"]["test"]["bar_sizes"][0] = 64;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"function.test.bar_sizes[0] = 64", "[128, 1099511627776]"}));
    c = defaults();
    c["function"]["test"]["bar_sizes"][0] = 0;
    BOOST_CHECK_NO_THROW(parse(c));
}

BOOST_AUTO_TEST_CASE(multiple_of) {
    json c = defaults();
    c["dram"]["base"] = 0x80000800;
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{"dram.base = 2147485696: must be a multiple of 4096 in [0, 281474976710656]"});
    c = defaults();
    c["board"]["atu_size"] = 256;
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{"board.atu_size = 256: must be a multiple of 512 in [512, 524288]"});
    c = defaults();
    c["host"]["ecam_base"] = 0x2008000000;
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{"host.ecam_base = 137573171200: must be a multiple of 268435456"});
}

BOOST_AUTO_TEST_CASE(enum_strings) {
    json c = defaults();
    c["dwc"]["version"] = "9.99a";
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{R"(dwc.version = "9.99a": must be one of 3.65a, 4.60a, 4.70a, 4.80a, )"
                     R"(4.90a, 5.20a, 5.40a)"});
    c = defaults();
    c["dwc"]["iatu"]["miss_policy"] = "drop";
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{R"(dwc.iatu.miss_policy = "drop": must be one of passthrough, ur)"});
    c = defaults();
    c["host"]["pcitest"]["kernel"] = "6.17";
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{R"(host.pcitest.kernel = "6.17": must be one of 6.18, next)"});
    BOOST_TEST(
        (parse(with({"host.pcitest.kernel=6.18"})).host.pcitest_version == pcitest_kernel::v6_18));
    c = defaults();
    c["dwc"]["bars"][1]["type"] = "weird";
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{R"(dwc.bars[1].type = "weird": must be one of )"
                                       R"(programmable, fixed, resizable, reserved)"});
}

BOOST_AUTO_TEST_CASE(stream_id_keys) {
    json c = defaults();
    c["dwc"]["stream_id"] = 0x10000; // the SMMU's stream IDs have 16 bits (IDR1.SIDSIZE)
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"dwc.stream_id = 65536: must be in [0, 65535]"});
    c = defaults();
    c["dwc"]["stream_id_mode"] = "bus";
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{R"(dwc.stream_id_mode = "bus": must be one of fixed, requester_id)"});
    const platform_config p =
        parse(with({"dwc.stream_id_mode=requester_id", "dwc.stream_id=0xFFFF"}));
    BOOST_TEST((p.dwc.stream_mode == stream_id_mode::requester_id));
    BOOST_TEST(p.dwc.stream_id == 0xFFFFu);
}

BOOST_AUTO_TEST_CASE(stream_id_per_endpoint_in_a_topology) {
    json c = defaults();
    merge(c, json::parse(R"({"topology": {"root_ports": 3, "endpoints": [
        {"name": "a", "port": 0},
        {"name": "b", "port": 1, "dwc": {"stream_id": 119}},
        {"name": "c", "port": 2, "dwc": {"stream_id_mode": "requester_id"}}]}})"));
    const platform_config p = parse(c);
    BOOST_REQUIRE(p.endpoint_configs.size() == 3u);
    BOOST_TEST(p.endpoint_configs[0].dwc.stream_id == 0x5Bu);
    BOOST_TEST((p.endpoint_configs[0].dwc.stream_mode == stream_id_mode::fixed));
    BOOST_TEST(p.endpoint_configs[1].dwc.stream_id == 119u);
    BOOST_TEST((p.endpoint_configs[1].dwc.stream_mode == stream_id_mode::fixed));
    BOOST_TEST((p.endpoint_configs[2].dwc.stream_mode == stream_id_mode::requester_id));
    c["topology"]["endpoints"][1]["dwc"]["stream_id"] = 70000;
    BOOST_CHECK_EXCEPTION(parse(c), config_error, [](const config_error& e) {
        const std::string m = e.what();
        return m.find("topology.endpoints[1]") != std::string::npos &&
               m.find("dwc.stream_id = 70000") != std::string::npos;
    });
}

// A topology port beyond 32 bits is refused as it is written: it was cut to 32 bits, so 2^32
// attached to port 0 and 2^32 + 1 was reported as "port = 1".
BOOST_AUTO_TEST_CASE(topology_port_numbers_are_not_cut_to_32_bits) {
    for (const char* port : {"4294967296", "4294967297"}) {
        json c = defaults();
        const json t = json::parse(std::string(R"({"topology": {"root_ports": 2, "endpoints": [
            {"name": "a", "port": )") +
                                   port + "}]}}");
        BOOST_CHECK_EXCEPTION((merge(c, t), parse(c)), config_error, [port](const config_error& e) {
            const std::string m = e.what();
            BOOST_TEST_MESSAGE(m);
            return m.find(std::string("port = ") + port) != std::string::npos;
        });
    }
}

// The interrupt window must lie inside DRAM, also when its base plus its size wraps around 2^64.
BOOST_AUTO_TEST_CASE(irq_window_inside_dram_without_wrapping) {
    json c = defaults();
    c["mc"]["irq_window"]["base"] = "0xfffffffffffff000";
    BOOST_CHECK_EXCEPTION(parse(c), config_error, [](const config_error& e) {
        return std::string(e.what()).find("mc.irq_window.base = 0xfffffffffffff000") !=
               std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(wrong_types) {
    json c = defaults();
    c["link"]["gen"] = "x";
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{R"(link.gen: expected an unsigned integer, got string "x")"});
    c["link"]["gen"] = -1;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"link.gen: expected an unsigned integer, got number -1"});
    c["link"]["gen"] = 2.5;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"link.gen: expected an unsigned integer, got number 2.5"}));
    c["link"]["gen"] = 3.0; // integral, but a float: still not an unsigned integer
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"link.gen: expected an unsigned integer, got number 3.0"}));
    c["link"]["gen"] = true;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"link.gen: expected an unsigned integer, got boolean true"});
    c["link"]["gen"] = nullptr;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"link.gen: expected an unsigned integer, got null"});

    c = defaults();
    c["smmu"]["enabled"] = "yes";
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"smmu.enabled: expected a boolean", R"(got string "yes")"}));
    c = defaults();
    c["dwc"]["version"] = 4.7;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"dwc.version: expected a string", "got number 4.7"}));
    c = defaults();
    c["link"] = 5;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"link: expected an object, got number 5"});
    c = defaults();
    c["function"]["test"]["bar_sizes"] = 5;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"function.test.bar_sizes: expected an array of 6 unsigned "
                                "integers, got number 5"}));
    c = defaults();
    c["function"]["test"]["bar_sizes"][3] = "big";
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"function.test.bar_sizes[3]: expected an unsigned "
                                       "integer, got string \"big\""});
    c = defaults();
    c["dwc"]["bars"][2] = 7;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"dwc.bars[2]: expected an object, got number 7"});
    c = defaults();
    c["dwc"]["bars"][4]["only_64bit"] = 1;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"dwc.bars[4].only_64bit: expected a boolean", "got number 1"}));
    BOOST_CHECK_EXCEPTION(parse(json::array()), config_error,
                          says({"(top level): expected an object, got array"}));
}

BOOST_AUTO_TEST_CASE(hex_strings) {
    json c = defaults();
    c["link"]["gen"] = "0x4";
    c["function"]["test"]["bar_sizes"][1] = "0x10000";
    c["dram"]["base"] = "0X90000000";
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(c));
    BOOST_TEST(p.link.gen == 4u);
    BOOST_TEST(p.function.test.bar_sizes[1] == 0x10000u);
    BOOST_TEST(p.dram.base == 0x90000000u);

    c["link"]["gen"] = "0xzz";
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{R"(link.gen: expected an unsigned integer, got string "0xzz")"});
    c["link"]["gen"] = "0x10000000000000000"; // 2^64
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"link.gen: expected an unsigned integer", "0x10000000000000000"}));
    c["link"]["gen"] = "12"; // decimal strings are not numbers
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"link.gen: expected an unsigned integer", R"("12")"}));
    c["link"]["gen"] = "0x9";
    BOOST_CHECK_EXCEPTION(parse(c), config_error, says_exactly{"link.gen = 9: must be in [1, 6]"});
}

BOOST_AUTO_TEST_CASE(unknown_keys) {
    json c = defaults();
    c["foo"] = 1;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"foo: unknown key (known keys at the top level: sim, link, "
                                       "dwc, function, smmu, dram, mc, host, board, cpu, "
                                       "workload, faults, soc)"});
    c = defaults();
    c["link"]["foo"] = 1;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"link.foo: unknown key (known keys under link: gen, width, "
                                       "mps, mrrs, training_us, propagation_ns, ecrc, rcb, "
                                       "tags, dllp, replay_buffer_bytes, ack_latency_ns, "
                                       "replay_timer_ns, retrain_ns, credits)"});
    c = defaults();
    c["dwc"]["iatu"]["windows"] = 1;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says({"dwc.iatu.windows: unknown key (known keys under dwc.iatu: "
                                "outbound_windows, inbound_windows,"}));
    c = defaults();
    c["dwc"]["bars"][3]["size"] = 4096;
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"dwc.bars[3].size: unknown key (known keys under "
                                       "dwc.bars[3]: type, fixed_size, only_64bit)"});
}

BOOST_AUTO_TEST_CASE(arrays_of_wrong_length) {
    json c = defaults();
    c["function"]["test"]["bar_sizes"] = {128, 128, 128, 128, 128};
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"function.test.bar_sizes: expected an array of exactly 6 "
                                       "unsigned integers, got 5 entries"});
    c = defaults();
    c["dwc"]["bars"].push_back(c["dwc"]["bars"][0]);
    BOOST_CHECK_EXCEPTION(
        parse(c), config_error,
        says_exactly{"dwc.bars: expected an array of exactly 6 objects, got 7 entries"});
}

// soc.rtl_slaves: an array of 0..8 objects, empty by default; --set replaces it whole or sets an
// element's field, where the index one past the end appends an element of field defaults.
BOOST_AUTO_TEST_CASE(variable_length_object_array) {
    BOOST_TEST(defaults()["soc"]["rtl_slaves"].dump() == "[]");
    BOOST_TEST(parse(defaults()).soc.rtl_slaves.empty());
    const platform_config p =
        parse(with({R"(soc.rtl_slaves=[{"block":"ram","base":"0x90000000","size":4096}])",
                    "soc.rtl_slaves[1].block=regs", "soc.rtl_slaves[1].base=0x91000000"}));
    BOOST_REQUIRE(p.soc.rtl_slaves.size() == 2u);
    BOOST_TEST(p.soc.rtl_slaves[0].block == "ram");
    BOOST_TEST(p.soc.rtl_slaves[0].base == 0x90000000u);
    BOOST_TEST(p.soc.rtl_slaves[0].size == 4096u);
    BOOST_TEST(p.soc.rtl_slaves[0].clock_mhz == 500u); // the declared default
    BOOST_TEST(p.soc.rtl_slaves[1].block == "regs");
    BOOST_TEST(p.soc.rtl_slaves[1].base == 0x91000000u);
    BOOST_CHECK_EXCEPTION(with({"soc.rtl_slaves[1].block=x"}), config_error,
                          says_exactly{"--set 'soc.rtl_slaves[1].block=x': soc.rtl_slaves[1]: "
                                       "index out of range (soc.rtl_slaves has 0 entries; [0] "
                                       "appends)"});
    BOOST_CHECK_EXCEPTION(with({"soc.rtl_slaves[8].block=x"}), config_error,
                          (says{"soc.rtl_slaves[8]: index out of range", "at most 8"}));
    json c = defaults();
    c["soc"]["rtl_slaves"] = json::array();
    for (int i = 0; i < 9; ++i)
        c["soc"]["rtl_slaves"].push_back({{"block", "b"}});
    BOOST_CHECK_EXCEPTION(parse(c), config_error,
                          says_exactly{"soc.rtl_slaves: 9 entries, at most 8 are supported"});
    BOOST_CHECK_EXCEPTION(with({R"(soc.rtl_slaves=[{"size":0}])"}), config_error,
                          says{"soc.rtl_slaves[0].size = 0"});
    BOOST_CHECK_EXCEPTION(with({R"(soc.rtl_slaves=[{"speed":1}])"}), config_error,
                          says{"soc.rtl_slaves[0].speed: unknown key"});
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(cross_key_rules)

BOOST_AUTO_TEST_CASE(page_size_at_least_region_align) {
    BOOST_CHECK_EXCEPTION(
        parse(with({"dwc.iatu.region_align=65536", "board.aperture.page_size=4096"})), config_error,
        says_exactly{"board.aperture.page_size = 4096: must be >= dwc.iatu.region_align (65536)"});
    BOOST_CHECK_NO_THROW(
        parse(with({"dwc.iatu.region_align=65536", "board.aperture.page_size=65536"})));
    // 0 (the default) follows the region alignment.
    BOOST_TEST(parse(with({"dwc.iatu.region_align=65536"})).board.aperture.page_size == 65536u);
}

// The native CPU's cost keys mean nothing to the ISS (the firmware's own instructions take the
// time): a value other than the default is refused there, not ignored.
BOOST_AUTO_TEST_CASE(native_cpu_costs_are_refused_with_the_iss) {
    BOOST_CHECK_EXCEPTION(
        parse(with({"cpu.kind=iss", "cpu.mmio_access_bytes=1"})), config_error,
        says_exactly{"cpu.mmio_access_bytes = 1: applies to the native CPU only (cpu.kind = "
                     "native); with cpu.kind = iss the firmware's own instructions take the time "
                     "(cpu.iss_cpi)"});
    for (const char* set :
         {"cpu.irq_entry_cycles=7", "cpu.copy_cycles_per_byte=3", "cpu.crc_cycles_per_byte=9"})
        BOOST_CHECK_THROW(parse(with({"cpu.kind=iss", set})), config_error);
    BOOST_CHECK_NO_THROW(parse(with({"cpu.kind=native", "cpu.mmio_access_bytes=1"})));
    BOOST_CHECK_NO_THROW(parse(with({"cpu.kind=iss", "cpu.mmio_access_bytes=8"})));
}

BOOST_AUTO_TEST_CASE(aperture_base_multiple_of_page_size) {
    BOOST_CHECK_EXCEPTION(
        parse(with({"board.aperture.page_size=65536", "board.aperture.base=0x60001000"})),
        config_error,
        says_exactly{"board.aperture.base = 0x60001000: must be a multiple of "
                     "board.aperture.page_size (65536)"});
}

BOOST_AUTO_TEST_CASE(region_limit_before_4_60a) {
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.version=3.65a"})), config_error,
                          says({"dwc.iatu.region_limit = 1099511627776: dwc.version 3.65a has "
                                "no UPPER_LIMIT, so the limit is 4 GiB"}));
    BOOST_CHECK_NO_THROW(parse(with({"dwc.version=3.65a", "dwc.iatu.region_limit=0x100000000"})));
    BOOST_CHECK_NO_THROW(parse(with({"dwc.version=4.60a"})));
}

BOOST_AUTO_TEST_CASE(only_64bit_placement) {
    BOOST_CHECK_EXCEPTION(
        parse(with({"dwc.bars[1].only_64bit=true"})), config_error,
        says({"dwc.bars[1].only_64bit = true", "must be an even BAR (0, 2 or 4)", "odd BAR1"}));
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[5].only_64bit=true"})), config_error,
                          says({"dwc.bars[5].only_64bit = true", "BAR5"}));
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[2].only_64bit=true"})), config_error,
                          says_exactly{"dwc.bars[2].only_64bit = true: requires dwc.bars[3].type "
                                       "= \"reserved\" (the upper half of the 64-bit BAR), got "
                                       "\"programmable\""});
    platform_config p;
    BOOST_REQUIRE_NO_THROW(
        p = parse(with({"dwc.bars[2].only_64bit=true", "dwc.bars[3].type=reserved",
                        "function.test.bar_sizes[3]=0"})));
    BOOST_TEST(p.dwc.bars[2].only_64bit);
    BOOST_TEST((p.dwc.bars[3].type == bar_type::reserved));
}

BOOST_AUTO_TEST_CASE(fixed_size_rules) {
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[2].type=fixed"})), config_error,
                          says_exactly{"dwc.bars[2].fixed_size = 0: dwc.bars[2].type is "
                                       "\"fixed\", so it must be a power of two >= 128"});
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[2].type=fixed", "dwc.bars[2].fixed_size=100"})),
                          config_error,
                          says({"dwc.bars[2].fixed_size = 100", "power of two >= 128"}));
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[2].type=fixed", "dwc.bars[2].fixed_size=3000"})),
                          config_error,
                          says({"dwc.bars[2].fixed_size = 3000", "power of two >= 128"}));
    BOOST_CHECK_EXCEPTION(
        parse(with({"dwc.bars[4].fixed_size=4096"})), config_error,
        says({"dwc.bars[4].fixed_size = 4096: must be 0", "dwc.bars[4].type is \"programmable\""}));
}

// pci-epf-test sizes its register BAR (the first BAR not reserved) from the registers and the
// MSI-X table and never reads bar_size[] for it (Linux drivers/pci/endpoint/functions/
// pci-epf-test.c, pci_epf_test_alloc_space()): a size given for it is rejected, not ignored.
BOOST_AUTO_TEST_CASE(register_bar_size_is_rejected_not_ignored) {
    BOOST_CHECK_EXCEPTION(
        parse(with({"function.test.bar_sizes[0]=131072"})), config_error,
        says_exactly{"function.test.bar_sizes[0] = 131072: BAR0 is the test register BAR, which "
                     "the function sizes from its registers and the MSI-X table "
                     "(function.test.msix_vectors), so it must be 0"});
    // BAR0 reserved: BAR1 holds the registers.
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[0].type=reserved"})), config_error,
                          says({"function.test.bar_sizes[1] = 131072: BAR1 is the test register "
                                "BAR"}));
    BOOST_CHECK_NO_THROW(
        parse(with({"dwc.bars[0].type=reserved", "function.test.bar_sizes[1]=0"})));
}

BOOST_AUTO_TEST_CASE(bar_sizes_against_bar_types) {
    // fixed: 0 or <= fixed_size
    BOOST_CHECK_EXCEPTION(
        parse(with({"dwc.bars[2].type=fixed", "dwc.bars[2].fixed_size=65536"})), config_error,
        says_exactly{"function.test.bar_sizes[2] = 131072: dwc.bars[2].type is \"fixed\" with "
                     "fixed_size 65536, so it must be 0 or <= 65536"});
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(with({"dwc.bars[2].type=fixed", "dwc.bars[2].fixed_size=65536",
                                           "function.test.bar_sizes[2]=65536"})));
    BOOST_TEST((p.dwc.bars[2].type == bar_type::fixed));
    BOOST_TEST(p.dwc.bars[2].fixed_size == 65536u);
    // resizable: 0 or >= 1 MiB
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[3].type=resizable"})), config_error,
                          says({"function.test.bar_sizes[3] = 131072",
                                "dwc.bars[3].type is \"resizable\"", "0 or >= 1048576"}));
    BOOST_CHECK_NO_THROW(
        parse(with({"dwc.bars[3].type=resizable", "function.test.bar_sizes[3]=0x100000"})));
    BOOST_CHECK_NO_THROW(
        parse(with({"dwc.bars[3].type=resizable", "function.test.bar_sizes[3]=0"})));
    // reserved: 0
    BOOST_CHECK_EXCEPTION(parse(with({"dwc.bars[4].type=reserved"})), config_error,
                          says_exactly{"function.test.bar_sizes[4] = 131072: dwc.bars[4].type "
                                       "is \"reserved\", so it must be 0"});
    BOOST_CHECK_NO_THROW(
        parse(with({"dwc.bars[4].type=reserved", "function.test.bar_sizes[4]=0"})));
}

BOOST_AUTO_TEST_CASE(board_regions_disjoint) {
    BOOST_CHECK_EXCEPTION(parse(with({"dram.base=0x60000000"})), config_error,
                          says_exactly{"dram.base + dram.size_bytes = [0x60000000, 0xa0000000) "
                                       "overlaps board.aperture.base + board.aperture.size = "
                                       "[0x60000000, 0x70000000): the regions must be disjoint"});
    BOOST_CHECK_EXCEPTION(parse(with({"dram.base=0x40000000", "dram.size_bytes=0x1000000"})),
                          config_error,
                          says({"dram.base + dram.size_bytes = [0x40000000, 0x41000000)",
                                "overlaps board.dbi_base + 0x400000", "disjoint"}));
    BOOST_CHECK_EXCEPTION(
        parse(with({"dram.base=0x41000000", "dram.size_bytes=0x100000"})), config_error,
        says({"dram.base + dram.size_bytes", "overlaps board.app_base + 0x1000", "disjoint"}));
    BOOST_CHECK_EXCEPTION(
        parse(with({"board.aperture.base=0x40000000", "board.aperture.size=0x10000"})),
        config_error,
        says({"board.aperture.base + board.aperture.size", "overlaps board.dbi_base + 0x400000"}));
    BOOST_CHECK_EXCEPTION(parse(with({"board.app_base=0x40001000"})), config_error,
                          says({"board.dbi_base + 0x400000 = [0x40000000, 0x40400000)",
                                "overlaps board.app_base + 0x1000 = [0x40001000, 0x40002000)"}));
    // Half-open ranges: touching is fine.
    BOOST_CHECK_NO_THROW(parse(with({"dram.base=0x50000000", "dram.size_bytes=0x10000000"})));
    BOOST_CHECK_NO_THROW(parse(with({"board.app_base=0x40400000"})));
    // A region running off the end of the address space.
    BOOST_CHECK_EXCEPTION(
        parse(with({"board.aperture.base=0xfffffffffffff000"})), config_error,
        says({"board.aperture.base + board.aperture.size", "64-bit address space"}));
}

BOOST_AUTO_TEST_CASE(host_windows) {
    BOOST_CHECK_EXCEPTION(parse(with({"host.mmio32_base=0xF0000000"})), config_error,
                          says_exactly{"host.mmio32_base + host.mmio32_size = [0xf0000000, "
                                       "0x110000000): the 32-bit MMIO window must end at or "
                                       "below 4 GiB (0x100000000)"});
    BOOST_CHECK_NO_THROW(parse(with({"host.mmio32_base=0xE0000000", "host.msi_base=0xDFF00000"})));
    // The MSI doorbell and register pages must not sit inside a BAR window.
    BOOST_CHECK_EXCEPTION(
        parse(with({"host.mmio32_base=0xE0000000"})), config_error,
        says({"host.mmio32_base + host.mmio32_size", "host.msi_base + 0x2000", "disjoint"}));
    BOOST_CHECK_EXCEPTION(parse(with({"host.mem_base=0", "host.mem_size_bytes=0x100000000"})),
                          config_error,
                          says({"host.mmio32_base + host.mmio32_size",
                                "overlaps host.mem_base + host.mem_size_bytes", "disjoint"}));
    BOOST_CHECK_EXCEPTION(parse(with({"host.mem_base=0x4000000000"})), config_error,
                          says({"host.mmio64_base + host.mmio64_size",
                                "overlaps host.mem_base + host.mem_size_bytes"}));
    BOOST_CHECK_EXCEPTION(parse(with({"host.ecam_base=0x4010000000"})), config_error,
                          says({"host.mmio64_base + host.mmio64_size",
                                "overlaps host.ecam_base + 0x10000000 = [0x4010000000, "
                                "0x4020000000)"}));
    BOOST_CHECK_EXCEPTION(
        parse(with({"host.ecam_base=0xC0000000"})), config_error,
        says({"host.mmio32_base + host.mmio32_size", "overlaps host.ecam_base + 0x10000000"}));
    BOOST_CHECK_NO_THROW(parse(with({"host.mem_base=0", "host.mem_size_bytes=0x80000000"})));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(files_and_text)

BOOST_AUTO_TEST_CASE(malformed_json_names_source_line_and_column) {
    const std::string text = "{\n  \"link\": {\n    \"gen\": ,\n  }\n}\n";
    BOOST_CHECK_EXCEPTION(parse_text(text, "my.json"), config_error,
                          says({"config my.json: malformed JSON at line 3, column", "unexpected"}));
    const std::string path = temp_file("bad.json", text);
    BOOST_CHECK_EXCEPTION(load_file(path), config_error,
                          says({"config " + path + ": malformed JSON at line 3, column"}));
    std::remove(path.c_str());
    BOOST_CHECK_EXCEPTION(parse_text("", "empty.json"), config_error,
                          says({"config empty.json: malformed JSON at line 1, column 1:"}));
}

BOOST_AUTO_TEST_CASE(missing_file) {
    BOOST_CHECK_EXCEPTION(load_file("/nonexistent/dir/x.json"), config_error,
                          says_exactly{"config /nonexistent/dir/x.json: cannot open"});
    BOOST_CHECK_EXCEPTION(load_file("/tmp"), config_error,
                          says_exactly{"config /tmp: cannot open"});
}

// A document nested 100 000 levels deep used to crash the serializer that built the error
// message. The limit is 64 nested objects and arrays.
BOOST_AUTO_TEST_CASE(deep_nesting_is_one_line_with_its_position) {
    const std::size_t levels = 100000;
    // {"link": [[[...]]]}: the object is level 1, "{\"link\": " is 9 bytes, so the k-th '[' is
    // level k + 1 at column 9 + k. Level 65, the first too deep, is the 64th '[': column 73.
    const std::string deep =
        "{\"link\": " + std::string(levels, '[') + std::string(levels, ']') + "}";
    BOOST_CHECK_EXCEPTION(
        parse_text(deep, "deep.json"), config_error,
        says_exactly{"config deep.json: nested deeper than 64 levels at line 1, column 73"});
    const std::string path = temp_file("deep.json", deep);
    BOOST_CHECK_EXCEPTION(load_file(path), config_error,
                          says({"config " + path + ": nested deeper than 64 levels at line 1"}));
    std::remove(path.c_str());
    // 64 levels parse: the object and 63 arrays.
    BOOST_CHECK_NO_THROW(
        parse_text("{\"link\": " + std::string(63, '[') + std::string(63, ']') + "}", "ok.json"));
    // A --set value: the message quotes a short prefix of the assignment, not the value.
    json cfg = defaults();
    const std::string set = "link.gen=" + std::string(levels, '[') + std::string(levels, ']');
    try {
        apply_set(cfg, set);
        BOOST_ERROR("a 100000-level --set value was accepted");
    } catch (const config_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("nested deeper than 64 levels") != std::string::npos, m.substr(0, 300));
        BOOST_TEST(m.size() < 300u);
    }
}

BOOST_AUTO_TEST_CASE(endless_file_stops_at_the_size_cap) {
    BOOST_CHECK_EXCEPTION(
        load_file("/dev/zero"), config_error,
        says_exactly{"config /dev/zero: larger than 16 MiB, the limit for a configuration or "
                     "sweep file"});
}

// JSON leaves duplicate names to the parser (RFC 8259 section 4: names "SHOULD be unique");
// last-wins would silently drop a value the user wrote.
BOOST_AUTO_TEST_CASE(duplicate_keys_are_rejected_with_line_and_column) {
    // Line 3 is `    "gen": 4}`: the second "gen" starts at column 5.
    BOOST_CHECK_EXCEPTION(
        parse_text("{\n  \"link\": {\"gen\": 3,\n    \"gen\": 4}\n}\n", "dup.json"), config_error,
        says_exactly{"config dup.json: duplicate key \"gen\" at line 3, column 5 (a key may "
                     "appear once per object)"});
    // Escapes are compared decoded: "\u0067en" is "gen". `{"gen": 1, ` is 11 bytes: column 12.
    BOOST_CHECK_EXCEPTION(parse_text(R"({"gen": 1, "\u0067en": 2})", "esc.json"), config_error,
                          says({"config esc.json: duplicate key \"gen\" at line 1, column 12"}));
    // An escaped quote inside the key: `{"a\"b": 1, ` is 12 bytes: column 13.
    BOOST_CHECK_EXCEPTION(parse_text(R"({"a\"b": 1, "a\"b": 2})", "q.json"), config_error,
                          says({"duplicate key \"a\\\"b\" at line 1, column 13"}));
    // The same name in different objects is fine.
    BOOST_CHECK_NO_THROW(
        parse_text(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})", "ok.json"));
    const std::string path = temp_file("dup.json", R"({"link": {"gen": 3}, "link": {"gen": 4}})");
    BOOST_CHECK_EXCEPTION(
        load_file(path), config_error,
        says({"config " + path + ": duplicate key \"link\" at line 1, column 22"}));
    std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(file_merged_over_defaults) {
    const std::string path = temp_file(
        "good.json", R"({"link": {"gen": 4, "width": 8}, "dram": {"base": "0x90000000"}})");
    json cfg = defaults();
    BOOST_REQUIRE_NO_THROW(merge(cfg, load_file(path)));
    std::remove(path.c_str());
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST(p.link.gen == 4u);
    BOOST_TEST(p.link.width == 8u);
    BOOST_TEST(p.link.mps == 256u);
    BOOST_TEST(p.dram.base == 0x90000000u);
    BOOST_TEST(p.dram.size_bytes == 1 * GiB);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(merging)

BOOST_AUTO_TEST_CASE(partial_document_keeps_other_defaults) {
    json cfg = defaults();
    merge(cfg, json::parse(R"({"link": {"gen": 5}, "dwc": {"iatu": {"miss_policy": "ur"}},
                               "function": {"test": {"bar_sizes": [0, 0, 4096, 0, 0, 0]}}})"));
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST(p.link.gen == 5u);
    BOOST_TEST(p.link.width == 4u);
    BOOST_TEST((p.dwc.iatu.miss == miss_policy::ur));
    BOOST_TEST(p.dwc.iatu.region_align == 4096u);
    BOOST_TEST(p.dwc.iatu.outbound_windows == 8u);
    BOOST_TEST((p.dwc.version == dwc_version::v5_40a));
    const std::array<std::uint64_t, 6> sizes = {0, 0, 4096, 0, 0, 0}; // arrays replace
    BOOST_TEST(p.function.test.bar_sizes == sizes);
    BOOST_TEST(p.function.test.msix_vectors == 2048u);
    BOOST_TEST(p.cpu.clock_mhz == 1000u);
    // Key order of the base is kept.
    BOOST_TEST(cfg["link"].begin().key() == "gen");
}

BOOST_AUTO_TEST_CASE(merge_rejects_unknown_keys_with_their_path) {
    json cfg = defaults();
    BOOST_CHECK_EXCEPTION(merge(cfg, json::parse(R"({"bogus": 1})")), config_error,
                          says({"bogus: unknown key (known keys at the top level: sim, link"}));
    BOOST_CHECK_EXCEPTION(merge(cfg, json::parse(R"({"link": {"speed": 1}})")), config_error,
                          says({"link.speed: unknown key (known keys under link: gen, width"}));
    BOOST_CHECK_EXCEPTION(merge(cfg, json::parse(R"({"board": {"aperture": {"bse": 1}}})")),
                          config_error,
                          says({"board.aperture.bse: unknown key (known keys under "
                                "board.aperture: base, size, page_size)"}));
    BOOST_CHECK_EXCEPTION(merge(cfg, json::parse(R"({"link": 3})")), config_error,
                          says_exactly{"link: expected an object, got number 3"});
    BOOST_CHECK_EXCEPTION(merge(cfg, json::parse("[1]")), config_error,
                          says({"(top level): expected an object, got array"}));
    BOOST_TEST(cfg == defaults()); // nothing above was applied halfway
}

BOOST_AUTO_TEST_CASE(merged_array_of_wrong_length_fails_at_parse) {
    json cfg = defaults();
    BOOST_REQUIRE_NO_THROW(
        merge(cfg, json::parse(R"({"function": {"test": {"bar_sizes": [4096]}}})")));
    BOOST_CHECK_EXCEPTION(
        parse(cfg), config_error,
        says({"function.test.bar_sizes: expected an array of exactly 6", "got 1 entries"}));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(set_overrides)

BOOST_AUTO_TEST_CASE(missing_equals_or_empty_path) {
    json cfg = defaults();
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "link.gen"), config_error,
                          says_exactly{"--set 'link.gen': expected key=value"});
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "=5"), config_error,
                          says_exactly{"--set '=5': expected key=value"});
    BOOST_CHECK_EXCEPTION(apply_set(cfg, ""), config_error,
                          says_exactly{"--set '': expected key=value"});
}

BOOST_AUTO_TEST_CASE(unknown_paths) {
    json cfg = defaults();
    BOOST_CHECK_EXCEPTION(
        apply_set(cfg, "link.foo=1"), config_error,
        says_exactly{"--set 'link.foo=1': link.foo: unknown key (known keys under link: gen, "
                     "width, mps, mrrs, training_us, propagation_ns, ecrc, rcb, tags, dllp, "
                     "replay_buffer_bytes, ack_latency_ns, replay_timer_ns, retrain_ns, "
                     "credits)"});
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "nope=1"), config_error,
                          says({"--set 'nope=1': nope: unknown key"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "dwc.bars[2].colour=red"), config_error,
                          says({"dwc.bars[2].colour: unknown key (known keys under dwc.bars[2]: "
                                "type, fixed_size, only_64bit)"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "link.gen.x=1"), config_error,
                          says({"link.gen.x: unknown key"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "link.gen[0]=1"), config_error,
                          says({"link.gen: not an array"}));
    BOOST_CHECK_EXCEPTION(
        apply_set(cfg, "function.test.bar_sizes[6]=0"), config_error,
        says({"function.test.bar_sizes[6]: index out of range", "has 6 entries"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "dwc.bars.type=fixed"), config_error,
                          says({"dwc.bars: is an array of 6 objects", "dwc.bars[0].type"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "link..gen=1"), config_error,
                          says({"--set 'link..gen=1': malformed key path 'link..gen'"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "dwc.bars[x].type=1"), config_error,
                          says({"malformed key path 'dwc.bars[x].type'"}));
    BOOST_TEST(cfg == defaults());
}

BOOST_AUTO_TEST_CASE(array_index) {
    json cfg = defaults();
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "function.test.bar_sizes[2]=65536"));
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST(p.function.test.bar_sizes[2] == 65536u);
    BOOST_TEST(p.function.test.bar_sizes[1] == 131072u);
    BOOST_TEST(p.function.test.bar_sizes[5] == 1048576u);

    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "function.test.bar_sizes=[0,0,0,0,0,128]"));
    BOOST_TEST(parse(cfg).function.test.bar_sizes[5] == 128u);
    BOOST_TEST(parse(cfg).function.test.bar_sizes[2] == 0u);
}

BOOST_AUTO_TEST_CASE(hex_values) {
    json cfg = defaults();
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "dram.base=0x90000000"));
    BOOST_TEST(cfg["dram"]["base"] == 0x90000000u); // stored as a number
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "function.test.vendor_id=0x1AB4"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "function.test.bar_sizes[1]=0x1000"));
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST(p.dram.base == 0x90000000u);
    BOOST_TEST(p.function.test.vendor_id == 0x1ab4);
    BOOST_TEST(p.function.test.bar_sizes[1] == 0x1000u);
}

BOOST_AUTO_TEST_CASE(string_and_bool_values) {
    json cfg = defaults();
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "dwc.version=4.70a"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "dwc.iatu.miss_policy=ur"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "smmu.enabled=true"));
    BOOST_TEST(cfg["dwc"]["version"] == "4.70a");
    BOOST_TEST(cfg["smmu"]["enabled"].is_boolean());
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST((p.dwc.version == dwc_version::v4_70a));
    BOOST_TEST(p.dwc.version_number == 0x3437302au);
    BOOST_TEST((p.dwc.iatu.miss == miss_policy::ur));
    BOOST_TEST(p.smmu.enabled);

    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "dwc.version=\"4.80a\""));
    BOOST_TEST((parse(cfg).dwc.version == dwc_version::v4_80a));
    // A number-looking version is still taken as the string it is, and rejected by name.
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "dwc.version=4.70"), config_error,
                          says({"dwc.version = \"4.70\": must be one of 3.65a"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "smmu.enabled=yes"), config_error,
                          says({"smmu.enabled: expected a boolean", "got string \"yes\""}));
}

BOOST_AUTO_TEST_CASE(values_are_validated_by_key) {
    json cfg = defaults();
    BOOST_CHECK_EXCEPTION(
        apply_set(cfg, "link.width=3"), config_error,
        says_exactly{"--set 'link.width=3': link.width = 3: must be one of 1, 2, 4, 8, 16"});
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "link.gen=x"), config_error,
                          says({"link.gen: expected an unsigned integer, got string \"x\""}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "function.test.bar_sizes[2]=1000"), config_error,
                          says({"function.test.bar_sizes[2] = 1000: must be 0 (unused) or a "
                                "power of two in [128, 1099511627776]"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "function.test.bar_sizes=[1,2]"), config_error,
                          says({"function.test.bar_sizes: expected an array of exactly 6"}));
    BOOST_TEST(cfg == defaults()); // rejected assignments change nothing
}

BOOST_AUTO_TEST_CASE(objects_merge) {
    json cfg = defaults();
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, R"(link={"gen": 2})"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, R"(dwc.bars[1]={"type": "reserved"})"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "dwc.bars[0].only_64bit=true"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "function.test.bar_sizes[1]=0"));
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST(p.link.gen == 2u);
    BOOST_TEST(p.link.width == 4u);
    BOOST_TEST((p.dwc.bars[1].type == bar_type::reserved));
    BOOST_TEST(p.dwc.bars[0].only_64bit);
    BOOST_CHECK_EXCEPTION(apply_set(cfg, R"(link={"speed": 2})"), config_error,
                          says({"link.speed: unknown key"}));
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "link=5"), config_error,
                          says({"link: expected an object, got number 5"}));
}

BOOST_AUTO_TEST_CASE(set_on_an_empty_document) {
    json cfg = json::object();
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "dwc.bars[3].type=resizable"));
    BOOST_REQUIRE_NO_THROW(apply_set(cfg, "function.test.bar_sizes[3]=0x100000"));
    platform_config p;
    BOOST_REQUIRE_NO_THROW(p = parse(cfg));
    BOOST_TEST((p.dwc.bars[3].type == bar_type::resizable));
    BOOST_TEST((p.dwc.bars[2].type == bar_type::programmable));
    BOOST_TEST(p.function.test.bar_sizes[3] == 1048576u);
    BOOST_TEST(p.function.test.bar_sizes[0] == 0u); // the register BAR: sized by the function
    BOOST_TEST(p.function.test.bar_sizes[1] == 131072u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(fault_rates_are_numbers_in_range) {
    json cfg = defaults();
    apply_set(cfg, "faults.lcrc_error_rate=1e-3");
    BOOST_TEST(parse(cfg).faults.lcrc_error_rate == 1e-3);
    apply_set(cfg, "faults.dllp_error_rate=0");
    BOOST_TEST(parse(cfg).faults.dllp_error_rate == 0.0);
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "faults.lcrc_error_rate=0.6"), config_error,
                          says_exactly{"--set 'faults.lcrc_error_rate=0.6': "
                                       "faults.lcrc_error_rate = 0.6: must be in [0, 0.5]"});
    BOOST_CHECK_EXCEPTION(apply_set(cfg, "faults.lcrc_error_rate=often"), config_error,
                          says_exactly{"--set 'faults.lcrc_error_rate=often': "
                                       "faults.lcrc_error_rate: expected a number, got string "
                                       "\"often\""});
    json bad = defaults();
    bad["faults"]["lcrc_error_rate"] = -0.1;
    BOOST_CHECK_EXCEPTION(parse(bad), config_error,
                          says_exactly{"faults.lcrc_error_rate = -0.1: must be in [0, 0.5]"});
}

// ---------------------------------------------------------------------------------------------
// The key table: --describe is derived from the same rows as the defaults, choices are enums, and
// keys registered at run time are validated like built-in ones.
BOOST_AUTO_TEST_SUITE(key_table)

// The describe lines by key path: {type, unit, default, allowed, meaning}.
std::map<std::string, std::vector<std::string>> describe_rows(const std::string& prefix) {
    std::map<std::string, std::vector<std::string>> rows;
    std::istringstream in(describe_keys(prefix, describe_format::text));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::size_t start = 0;
        for (;;) {
            const auto bar = line.find(" | ", start);
            cells.push_back(line.substr(start, bar - start));
            if (bar == std::string::npos) break;
            start = bar + 3;
        }
        BOOST_REQUIRE_MESSAGE(cells.size() == 6, "not 6 cells: " + line);
        BOOST_CHECK_MESSAGE(rows.count(cells[0]) == 0, cells[0] + ": described twice");
        rows[cells[0]] = std::vector<std::string>(cells.begin() + 1, cells.end());
    }
    return rows;
}

// Every leaf of a document with its path ("a.b", "a.list[2]", "a.objs[1].c").
void leaves(const json& j, const std::string& path, std::map<std::string, json>& out) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            leaves(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            leaves(j[i], path + "[" + std::to_string(i) + "]", out);
    } else {
        out[path] = j;
    }
}

BOOST_AUTO_TEST_CASE(describe_lists_every_default_key_with_its_default) {
    const auto rows = describe_rows("");
    std::map<std::string, json> dumped;
    // A variable-length array is empty by default: its own row has the default [], and its
    // fields are seen through one element of field defaults.
    json doc = defaults();
    std::set<std::string> seen;
    for (const auto& k : epvp::cfg::key_table())
        if (k.kind == key_kind::object_array && k.variable) {
            const auto row = rows.find(k.path);
            BOOST_REQUIRE_MESSAGE(row != rows.end(), k.path + ": not described");
            BOOST_TEST(row->second[2] == "[]");
            seen.insert(k.path);
            json* node = &doc;
            for (std::size_t from = 0, dot;; from = dot + 1) {
                dot = k.path.find('.', from);
                node = &(*node)[k.path.substr(from, dot - from)];
                if (dot == std::string::npos) break;
            }
            node->push_back(element_default(k));
        }
    leaves(doc, "", dumped);
    BOOST_REQUIRE_GT(dumped.size(), 100u);
    for (const auto& [path, value] : dumped) {
        // An element of an array of numbers is described with its array ("function.test.
        // bar_sizes"); a field of an array of objects as "dwc.bars[i].type".
        std::string key = path;
        std::string element_of_default;
        const auto open = path.find('[');
        if (open != std::string::npos && path.back() == ']') {
            key = path.substr(0, open);
        } else if (open != std::string::npos) {
            key = path.substr(0, open) + "[i]" + path.substr(path.find(']') + 1);
        }
        const auto row = rows.find(key);
        BOOST_REQUIRE_MESSAGE(row != rows.end(), path + ": not described");
        seen.insert(key);
        const std::string& def = row->second[2];
        if (key != path && path.back() == ']') {
            // The array's default, element by element.
            const json array = json::parse(def);
            const auto index = std::stoul(path.substr(open + 1));
            BOOST_CHECK_MESSAGE(array.at(index) == value, path + ": describe says " + def);
        } else {
            BOOST_CHECK_MESSAGE(def == value.dump(), path + ": describe's default " + def +
                                                         ", the defaults say " + value.dump());
        }
        BOOST_CHECK_MESSAGE(!row->second[4].empty() && row->second[4].back() == '.',
                            key + ": the meaning is not a sentence");
    }
    BOOST_TEST(seen.size() == rows.size()); // and nothing described that is not a key
}

BOOST_AUTO_TEST_CASE(describe_shows_unit_and_allowed_values) {
    // link.width: PCIe Base Spec 5.0 section 4.2.4.1 widths x1..x16 as this model allows them.
    const auto rows = describe_rows("link.width");
    BOOST_REQUIRE_EQUAL(rows.size(), 1u);
    const auto& w = rows.at("link.width");
    BOOST_TEST(w[0] == "unsigned");
    BOOST_TEST(w[1] == "lanes");
    BOOST_TEST(w[2] == "4");
    BOOST_TEST(w[3] == "one of 1, 2, 4, 8, 16");
    const auto mover = describe_rows("function.cmd.mover").at("function.cmd.mover");
    BOOST_TEST(mover[0] == "choice");
    BOOST_TEST(mover[2] == "\"cpu\"");
    BOOST_TEST(mover[3] == "one of cpu, edma");
    BOOST_TEST(describe_rows("link.training_us").at("link.training_us")[1] == "us");
    // A prefix selects a subtree in table order, an object array's fields included.
    const auto bars = describe_rows("dwc.bars");
    BOOST_TEST(bars.size() == 3u);
    BOOST_TEST(bars.count("dwc.bars[i].only_64bit") == 1u);
    BOOST_TEST(describe_rows("dwc.bars[i]").size() == 3u);
    BOOST_TEST(describe_rows("dwc.iatu").size() == 7u);
    BOOST_CHECK_EXCEPTION(describe_keys("nosuch", describe_format::text), config_error,
                          says({"nosuch: no configuration key has this prefix", "link"}));
    // "dwc.i" is not a key or an object: no partial names.
    BOOST_CHECK_THROW(describe_keys("dwc.i", describe_format::text), config_error);
    const std::string md = describe_keys("link.gen", describe_format::markdown);
    BOOST_TEST(md.find("| Key | Type | Unit | Default | Allowed | Meaning |") != std::string::npos);
    BOOST_TEST(md.find("| `link.gen` | unsigned | generation | `3` | in [1, 6] |") !=
               std::string::npos);
}

// The two sides' credit keys fill their own side's fields (the defaults as declared: host 64 / 1024
// / 64 / 64 / 0 / 0, endpoint 32 / 512 / 32 / 32 / 0 / 0).
BOOST_AUTO_TEST_CASE(credit_keys_fill_their_side) {
    const platform_config d = parse(defaults());
    BOOST_TEST(d.link.host_credits.posted_header == 64u);
    BOOST_TEST(d.link.host_credits.posted_data == 1024u);
    BOOST_TEST(d.link.ep_credits.posted_header == 32u);
    BOOST_TEST(d.link.ep_credits.nonposted_data == 32u);
    const platform_config p = parse(
        with({"link.credits.host.completion_header=3", "link.credits.ep.completion_data=17"}));
    BOOST_TEST(p.link.host_credits.completion_header == 3u);
    BOOST_TEST(p.link.host_credits.completion_data == 0u);
    BOOST_TEST(p.link.ep_credits.completion_data == 17u);
    BOOST_TEST(p.link.ep_credits.completion_header == 0u);
}

// PCIe Base Spec table 2-45: data credits, unless infinite, hold one TLP of the largest payload
// (MPS 256 B: 16 credits; completions: min(MPS, MRRS 512) = 256 B, 16 credits).
BOOST_AUTO_TEST_CASE(data_credits_hold_one_tlp_of_the_largest_payload) {
    BOOST_CHECK_EXCEPTION(
        parse(with({"link.credits.host.posted_data=15"})), config_error,
        says_exactly{"link.credits.host.posted_data = 15: must be 0 (infinite) or at least "
                     "link.mps / 16 (16): room for one TLP of the largest payload"});
    BOOST_CHECK_EXCEPTION(parse(with({"link.credits.ep.completion_data=8"})), config_error,
                          says{"link.credits.ep.completion_data = 8: must be 0 (infinite) or at "
                               "least min(link.mps, link.mrrs) / 16 (16)"});
    BOOST_CHECK_NO_THROW(parse(with({"link.credits.host.posted_data=16"})));
    BOOST_CHECK_NO_THROW(parse(with({"link.credits.ep.completion_data=0"})));
    // MPS 512: 32 credits.
    BOOST_CHECK_THROW(parse(with({"link.mps=512", "link.credits.ep.posted_data=31"})),
                      config_error);
}

BOOST_AUTO_TEST_CASE(a_choice_is_an_enum_and_rejects_an_unknown_value) {
    BOOST_TEST((parse(with({"function.cmd.mover=edma"})).function.cmd.mover == cmd_mover::edma));
    BOOST_TEST((parse(with({"faults.poison.type=cpld"})).faults.poison_type == poison_tlp::cpld));
    BOOST_TEST((parse(with({"dwc.iatu.impl=lockstep"})).dwc.iatu.impl == iatu_impl::lockstep));
    BOOST_TEST((parse(with({"faults.lcrc.direction=downstream"})).faults.lcrc_direction ==
                link_direction::downstream));
    BOOST_CHECK_EXCEPTION(
        with({"function.cmd.mover=gpu"}), config_error,
        says_exactly{"--set 'function.cmd.mover=gpu': function.cmd.mover = \"gpu\": must be one "
                     "of cpu, edma"});
    json doc = defaults();
    doc["faults"]["poison"]["type"] = "MWr"; // spellings are exact
    BOOST_CHECK_EXCEPTION(
        parse(doc), config_error,
        says_exactly{"faults.poison.type = \"MWr\": must be one of any, mwr, cpld"});
    // The enum's spellings are the key's allowed values, in enum order.
    BOOST_TEST(choice_names<dwc_version>().front() == "3.65a");
    BOOST_TEST(choice_name(dwc_version::v5_40a) == "5.40a");
    dwc_version v{};
    BOOST_TEST(!choice_from_name("5.40", v));
}

// Keys registered at run time (as a plugin registers function.<name>.*). Registered last in this
// program: the built-in tables above see only built-in keys.
BOOST_AUTO_TEST_CASE(a_registered_key_is_validated_dumped_and_described) {
    register_key(uint_key("function.echo.bytes", 64, in_range(1, 4096),
                          "Bytes the echo function copies back."));
    register_key(choice_key("function.echo.irq", "msi", {"msi", "msix", "intx"},
                            "Interrupt the echo function raises."));
    register_key(bool_key("workload.echo.verify", true, "Check the echoed data."));

    // Defaults and dump carry them; parse returns their values by path.
    const json d = defaults();
    BOOST_TEST(d["function"]["echo"]["bytes"] == 64);
    BOOST_TEST(d["function"]["echo"]["irq"] == "msi");
    platform_config p = parse(with({"function.echo.bytes=0x100", "function.echo.irq=msix"}));
    BOOST_TEST(p.registered.at("function.echo.bytes") == 256);
    BOOST_TEST(p.registered.at("function.echo.irq") == "msix");
    BOOST_TEST(p.registered.at("workload.echo.verify") == true);

    // Bad type and range: one line naming the key, like a built-in key.
    BOOST_CHECK_EXCEPTION(with({"function.echo.bytes=5000"}), config_error,
                          says_exactly{"--set 'function.echo.bytes=5000': function.echo.bytes = "
                                       "5000: must be in [1, 4096]"});
    BOOST_CHECK_EXCEPTION(
        with({"function.echo.bytes=lots"}), config_error,
        says({"function.echo.bytes: expected an unsigned integer", "string \"lots\""}));
    BOOST_CHECK_EXCEPTION(with({"function.echo.irq=nmi"}), config_error,
                          says({"function.echo.irq = \"nmi\": must be one of msi, msix, intx"}));
    json doc = defaults();
    doc["workload"]["echo"]["verify"] = "yes";
    BOOST_CHECK_EXCEPTION(parse(doc), config_error,
                          says({"workload.echo.verify: expected a boolean", "string \"yes\""}));
    BOOST_CHECK_EXCEPTION(with({"function.echo.byte=1"}), config_error,
                          says({"function.echo.byte: unknown key", "bytes"}));

    // Described like a built-in key.
    const auto rows = describe_rows("function.echo");
    BOOST_REQUIRE_EQUAL(rows.size(), 2u);
    BOOST_TEST(rows.at("function.echo.bytes")[2] == "64");
    BOOST_TEST(rows.at("function.echo.bytes")[3] == "in [1, 4096]");
    BOOST_TEST(rows.at("function.echo.irq")[3] == "one of msi, msix, intx");

    // A path that is taken, inside a value, or above declared keys is refused.
    BOOST_CHECK_EXCEPTION(register_key(bool_key("function.echo.bytes", true, "Twice.")),
                          config_error, says({"function.echo.bytes: already declared"}));
    BOOST_CHECK_EXCEPTION(register_key(bool_key("link.gen.fast", true, "Inside.")), config_error,
                          says({"link.gen.fast: link.gen is a value, not an object"}));
    BOOST_CHECK_EXCEPTION(register_key(bool_key("link", true, "Above.")), config_error,
                          says({"link: is an object holding link.gen"}));
    BOOST_CHECK_EXCEPTION(register_key(bool_key("function..x", true, "Malformed.")), config_error,
                          says({"function..x: not a key path"}));
    BOOST_CHECK_EXCEPTION(register_key(bool_key("topology.x", true, "Topology.")), config_error,
                          says({"topology.x"}));
}

BOOST_AUTO_TEST_SUITE_END()

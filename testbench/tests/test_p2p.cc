// Peer-to-peer tests. Part 1: the host's p2pdma orchestrator (firmware/host/p2pdma.h) on
// topologies built as data; every expected distance and map type is worked out by hand in the
// comment above its check from Linux's p2pdma distance rules (drivers/pci/p2pdma.c) (walk: +1 per
// step up from the provider, +1 per step up from the client until the common device; no common
// device: both full path lengths; redirect = ACS Control has RR, CR or EC on a device the walk
// visits; whitelist 7.3).
// Part 2: SystemC topologies (root complex + switch + two endpoint stubs written here that
// answer memory reads and writes to their BAR and issue their own requests): the host
// enumerates the tree through ECAM, then peer-to-peer traffic, ACS, reflection at the root
// complex and route-to-self are checked through data, completion status, AER/Device Status
// registers and the per-port counters of the switch and the root complex.
#define BOOST_TEST_MODULE p2p
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "firmware/hal/board.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/hal.h"
#include "firmware/host/p2pdma.h"
#include "firmware/host/pci_host.h"
#include "model/core/log.h"
#include "model/core/reg_block.h"
#include "model/pcie/completer.h"
#include "model/pcie/link.h"
#include "model/pcie/pcie_switch.h"
#include "model/pcie/requester.h"
#include "model/pcie/root_complex.h"
#include "testbench/tests/tlm_test_util.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

using fw::host::p2p_host_bridge;
using fw::host::p2p_mapping;
using fw::host::p2p_topology;
using fw::host::p2pdma;
using fw::host::p2pdma_map_type;
using fw::host::p2pdma_params;
using fw::host::pci_dev;
using fw::host::pci_dev_type;
namespace acs = fw::host::acs;

namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr std::uint16_t INTEL = 0x8086;
constexpr std::uint16_t SKYLAKE_E_RP = 0x2030; // whitelisted, no flags
constexpr std::uint16_t XEON_E5_RP = 0x3c00;   // whitelisted, REQ_SAME_HOST_BRIDGE
constexpr std::uint16_t OTHER_VENDOR = 0x1234; // not listed
constexpr std::uint16_t OTHER_DEVICE = 0x5678;
constexpr std::uint16_t ACS_ALL_CAPS = 0x007F; // SV TB RR CR UF EC DT
constexpr std::uint64_t BAR_BASE = 0x40000000; // provider BAR 0 (CPU physical)
constexpr std::uint64_t BAR_SIZE = 1 * MiB;

// Builds a topology: functions with parents, host bridges with IDs and offsets.
struct builder {
    p2p_topology t;
    explicit builder(std::uint16_t vendor = INTEL, std::uint16_t device = SKYLAKE_E_RP) {
        host_bridge(vendor, device);
    }
    unsigned host_bridge(std::uint16_t vendor, std::uint16_t device, std::int64_t offset = 0) {
        p2p_host_bridge hb;
        hb.vendor = vendor;
        hb.device = device;
        hb.bus_offset = offset;
        t.host_bridges.push_back(hb);
        return static_cast<unsigned>(t.host_bridges.size() - 1);
    }
    int add(pci_dev_type type, unsigned bus, unsigned dev, unsigned fn, int parent,
            unsigned hb = 0) {
        pci_dev d;
        d.bus = bus;
        d.dev = dev;
        d.fn = fn;
        d.type = type;
        d.parent = parent;
        d.host_bridge = hb;
        d.header_type = type == pci_dev_type::endpoint ? 0 : 1;
        if (type == pci_dev_type::downstream_port || type == pci_dev_type::root_port) {
            d.acs_cap = 0x148;
            d.acs_cap_bits = ACS_ALL_CAPS;
        }
        if (type == pci_dev_type::endpoint) {
            d.bars[0].addr = BAR_BASE + static_cast<std::uint64_t>(t.devices.size()) * BAR_SIZE;
            d.bars[0].size = BAR_SIZE;
            d.bars[0].is64 = d.bars[0].prefetch = true;
            d.bars[2].size = 256; // an I/O BAR
            d.bars[2].io = true;
        }
        t.devices.push_back(d);
        return static_cast<int>(t.devices.size() - 1);
    }
    int rp(unsigned dev, unsigned hb = 0) {
        return add(pci_dev_type::root_port, 0, dev, 0, -1, hb);
    }
    // A switch below parent with its USP on bus `bus`, internal bus bus+1 and n DSPs.
    std::vector<int> sw(int parent, unsigned bus, unsigned n, unsigned hb = 0) {
        std::vector<int> dsps;
        const int usp = add(pci_dev_type::upstream_port, bus, 0, 0, parent, hb);
        for (unsigned i = 0; i < n; ++i)
            dsps.push_back(add(pci_dev_type::downstream_port, bus + 1, i, 0, usp, hb));
        return dsps;
    }
    int ep(int parent, unsigned bus, unsigned fn = 0, unsigned hb = 0) {
        return add(pci_dev_type::endpoint, bus, 0, fn, parent, hb);
    }
    int usp_of(int dsp) const { return t.devices[static_cast<unsigned>(dsp)].parent; }
};

struct result {
    int status;
    p2pdma_map_type type;
    int dist;
};
result calc(p2pdma& p, int provider, int client) {
    result r{};
    r.status = p.calc_map_type_and_dist(provider, client, r.type, r.dist, true);
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(p2pdma_distance)

// Provider == client: the outer walk's first a is the client itself: dist 0 + 0.
BOOST_AUTO_TEST_CASE(same_function_is_distance_0_bus_address) {
    builder b;
    const int rp = b.rp(0);
    const int a = b.ep(rp, 1);
    p2pdma p(b.t);
    const result r = calc(p, a, a);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.type == p2pdma_map_type::bus_addr);
    BOOST_CHECK_EQUAL(r.dist, 0);
}

// 01:00.0 and 01:00.1 under one root port: a=fn0 finds nothing on fn1's path (fn1, RP);
// a=RP (dist_a 1): fn1 (dist_b 0) no, RP (dist_b 1) yes: 1 + 1 = 2, no ACS redirect: bus address.
BOOST_AUTO_TEST_CASE(two_functions_of_one_device_are_distance_2) {
    builder b;
    const int rp = b.rp(0);
    const int f0 = b.ep(rp, 1, 0);
    const int f1 = b.ep(rp, 1, 1);
    p2pdma p(b.t);
    const result r = calc(p, f0, f1);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.type == p2pdma_map_type::bus_addr);
    BOOST_CHECK_EQUAL(r.dist, 2);
    // Symmetric.
    const result s = calc(p, f1, f0);
    BOOST_CHECK_EQUAL(s.dist, 2);
    BOOST_CHECK(s.type == p2pdma_map_type::bus_addr);
}

// A -> DSP0 -> USP <- DSP1 <- B: a=USP at dist_a 2, B's walk B(0) DSP1(1) USP(2): 4.
BOOST_AUTO_TEST_CASE(two_devices_under_one_switch_are_distance_4) {
    builder b;
    const int rp = b.rp(0);
    const auto dsp = b.sw(rp, 1, 2);
    const int a = b.ep(dsp[0], 3);
    const int c = b.ep(dsp[1], 4);
    p2pdma p(b.t);
    const result r = calc(p, a, c);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.type == p2pdma_map_type::bus_addr);
    BOOST_CHECK_EQUAL(r.dist, 4);
    BOOST_CHECK(p.acs_redirect_list().empty());
}

// Switch 2 hangs off switch 1's DSP0; A below switch 2, B below switch 1's DSP1.
// A's walk: A(0) DSP2a(1) USP2(2) DSP1a(3) USP1(4); B's: B(0) DSP1b(1) USP1(2): 4 + 2 = 6.
// Two switches side by side below switch 1: 4 + 4 = 8.
BOOST_AUTO_TEST_CASE(two_switch_levels_add_two_per_level) {
    builder b;
    const int rp = b.rp(0);
    const auto s1 = b.sw(rp, 1, 3);
    const auto s2 = b.sw(s1[0], 3, 1);
    const auto s3 = b.sw(s1[2], 6, 1);
    const int a = b.ep(s2[0], 5);
    const int c = b.ep(s1[1], 8);
    const int d = b.ep(s3[0], 9);
    p2pdma p(b.t);
    const result r = calc(p, a, c);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.type == p2pdma_map_type::bus_addr);
    BOOST_CHECK_EQUAL(r.dist, 6);
    const result r2 = calc(p, a, d);
    BOOST_CHECK(r2.type == p2pdma_map_type::bus_addr);
    BOOST_CHECK_EQUAL(r2.dist, 8);
}

// Different root ports of a whitelisted host bridge (8086:2030, no flags): no common device,
// dist = A's full path (A, RP0: 2) + B's (B, RP1: 2) = 4; through the host bridge. With a switch
// above A: (A, DSP, USP, RP0: 4) + 2 = 6.
BOOST_AUTO_TEST_CASE(different_root_ports_whitelisted_go_through_the_host_bridge) {
    builder b(INTEL, SKYLAKE_E_RP);
    const int rp0 = b.rp(0);
    const int rp1 = b.rp(1);
    const int a = b.ep(rp0, 1);
    const int c = b.ep(rp1, 2);
    const int rp2 = b.rp(2);
    const auto dsp = b.sw(rp2, 3, 1);
    const int e = b.ep(dsp[0], 5);
    p2pdma p(b.t);
    const result r = calc(p, a, c);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK_EQUAL(r.dist, 4);
    const result r2 = calc(p, e, c);
    BOOST_CHECK(r2.type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK_EQUAL(r2.dist, 6);
    BOOST_CHECK(p.messages().empty());
}

// The same tree behind a host bridge the whitelist does not list: not supported (the distance
// is still computed), and the warnings name the host bridge IDs.
BOOST_AUTO_TEST_CASE(different_root_ports_not_whitelisted_are_not_supported) {
    builder b(OTHER_VENDOR, OTHER_DEVICE);
    const int rp0 = b.rp(0);
    const int rp1 = b.rp(1);
    const int a = b.ep(rp0, 1);
    const int c = b.ep(rp1, 2);
    p2pdma p(b.t);
    const result r = calc(p, a, c);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.type == p2pdma_map_type::not_supported);
    BOOST_CHECK_EQUAL(r.dist, 4);
    bool named = false;
    for (const auto& m : p.messages())
        named |= m.find("Host bridge not in P2PDMA whitelist: 1234:5678") != std::string::npos;
    BOOST_CHECK(named);
    BOOST_CHECK_EQUAL(p.distance_many(a, {c}), -1);
    // A CPU that supports p2p (AMD Zen) accepts it without the whitelist.
    p2pdma_params zen;
    zen.cpu_supports_p2pdma = true;
    p2pdma pz(b.t, zen);
    const result rz = calc(pz, a, c);
    BOOST_CHECK(rz.type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK_EQUAL(rz.dist, 4);
}

// 7.3: "same host bridge only" entries (8086:3c00) accept two root ports of one host bridge but
// not a pair across host bridges; across host bridges both must be listed without the flag.
BOOST_AUTO_TEST_CASE(whitelist_same_host_bridge_flag_and_two_host_bridges) {
    builder b(INTEL, XEON_E5_RP);                                   // host bridge 0
    const unsigned hb1 = b.host_bridge(INTEL, XEON_E5_RP);          // 1
    const unsigned hb2 = b.host_bridge(INTEL, SKYLAKE_E_RP);        // 2
    const unsigned hb3 = b.host_bridge(INTEL, SKYLAKE_E_RP);        // 3
    const unsigned hb4 = b.host_bridge(OTHER_VENDOR, OTHER_DEVICE); // 4
    const int a = b.ep(b.rp(0), 1);
    const int same = b.ep(b.rp(1), 2);
    const int other = b.ep(b.add(pci_dev_type::root_port, 0, 0, 0, -1, hb1), 1, 0, hb1);
    const int s2 = b.ep(b.add(pci_dev_type::root_port, 0, 0, 0, -1, hb2), 1, 0, hb2);
    const int s3 = b.ep(b.add(pci_dev_type::root_port, 0, 0, 0, -1, hb3), 1, 0, hb3);
    const int s4 = b.ep(b.add(pci_dev_type::root_port, 0, 0, 0, -1, hb4), 1, 0, hb4);
    p2pdma p(b.t);
    BOOST_CHECK(calc(p, a, same).type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK(calc(p, a, other).type == p2pdma_map_type::not_supported);
    BOOST_CHECK(calc(p, s2, s3).type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK(calc(p, s2, s4).type == p2pdma_map_type::not_supported);
    BOOST_CHECK(calc(p, s2, a).type == p2pdma_map_type::not_supported); // a's bridge has the flag
    BOOST_CHECK_EQUAL(calc(p, s2, s3).dist, 4);
}

// ACS redirect on the client's downstream port of a same-switch pair: the common device is
// still found (dist 4) but the path counts one redirect -> through the host bridge, and the
// list names the port. On the provider's side likewise; Source Validation and Upstream
// Forwarding are not redirects; Egress Control is. Behind an unlisted host bridge the redirected
// pair becomes not supported.
BOOST_AUTO_TEST_CASE(acs_redirect_makes_a_same_switch_pair_go_through_the_host_bridge) {
    for (const bool listed : {true, false}) {
        builder b = listed ? builder(INTEL, SKYLAKE_E_RP) : builder(OTHER_VENDOR, OTHER_DEVICE);
        const int rp = b.rp(0);
        const auto dsp = b.sw(rp, 1, 2);
        const int a = b.ep(dsp[0], 3);
        const int c = b.ep(dsp[1], 4);
        p2pdma p(b.t);
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[1], acs::SV | acs::UF), 0);
        BOOST_CHECK(calc(p, a, c).type == p2pdma_map_type::bus_addr);
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[1], acs::SV | acs::RR | acs::CR | acs::UF), 0);
        const result r = calc(p, a, c);
        BOOST_CHECK_EQUAL(r.status, 0);
        BOOST_CHECK_EQUAL(r.dist, 4);
        BOOST_CHECK(r.type ==
                    (listed ? p2pdma_map_type::thru_host_bridge : p2pdma_map_type::not_supported));
        BOOST_CHECK_EQUAL(p.acs_redirect_list(), "02:01.0");
        // Provider side (the outer walk checks every a up to the common device).
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[1], 0), 0);
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[0], acs::EC), 0);
        const result r2 = calc(p, a, c);
        BOOST_CHECK_EQUAL(r2.dist, 4);
        BOOST_CHECK(r2.type != p2pdma_map_type::bus_addr);
        BOOST_CHECK_EQUAL(p.acs_redirect_list(), "02:00.0");
        // Both sides: two entries, provider side first.
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[1], acs::RR), 0);
        calc(p, a, c);
        BOOST_CHECK_EQUAL(p.acs_redirect_list(), "02:00.0;02:01.0");
        // The root port is above the common device: its ACS does not matter.
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[0], 0), 0);
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[1], 0), 0);
        BOOST_CHECK_EQUAL(p.set_acs_ctrl(rp, acs::RR | acs::CR), 0);
        BOOST_CHECK(calc(p, a, c).type == p2pdma_map_type::bus_addr);
    }
}

// Bad indices: -ENODEV and no distance; distance_many's -1 cases.
BOOST_AUTO_TEST_CASE(bad_input_is_an_error_not_a_crash) {
    builder b;
    const int rp = b.rp(0);
    const int a = b.ep(rp, 1);
    // A parent index outside the topology ends the walk instead of reading out of bounds.
    const int orphan = b.add(pci_dev_type::endpoint, 9, 0, 0, 1000);
    p2pdma p(b.t);
    p2pdma_map_type t;
    int d = 0;
    BOOST_CHECK_EQUAL(p.calc_map_type_and_dist(a, 99, t, d), -ENODEV);
    BOOST_CHECK(t == p2pdma_map_type::unknown);
    BOOST_CHECK_EQUAL(d, -1);
    BOOST_CHECK_EQUAL(p.calc_map_type_and_dist(-1, a, t, d), -ENODEV);
    BOOST_CHECK_EQUAL(p.calc_map_type_and_dist(orphan, a, t, d), 0);
    BOOST_CHECK(t == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK_EQUAL(d, 3); // orphan (1) + a, RP (2)
    BOOST_CHECK_EQUAL(p.distance_many(a, {}), -1);
    BOOST_CHECK_EQUAL(p.distance_many(a, {a, 42}), -1);
    BOOST_CHECK_EQUAL(p.set_acs_ctrl(77, acs::RR), -ENODEV);
    // Host bridge index out of range: not whitelisted.
    builder c;
    const int x = c.ep(c.rp(0), 1);
    const int y = c.ep(c.add(pci_dev_type::root_port, 0, 1, 0, -1, 5), 2, 0, 5);
    p2pdma q(c.t);
    BOOST_CHECK(calc(q, x, y).type == p2pdma_map_type::not_supported);
}

// distance_many sums: provider below DSP0, clients below DSP1 (4) and the provider itself (0)
// = 4; the nearest published provider wins; unpublished ones are ignored; none -> -ENODEV.
BOOST_AUTO_TEST_CASE(distance_many_and_find_many) {
    builder b;
    const int rp0 = b.rp(0);
    const auto dsp = b.sw(rp0, 1, 2);
    const int near = b.ep(dsp[0], 3);
    const int client = b.ep(dsp[1], 4);
    const int rp1 = b.rp(1);
    const int far = b.ep(rp1, 5);
    p2pdma p(b.t);
    BOOST_CHECK_EQUAL(p.distance_many(near, {client, near}), 4);
    // far: (far, RP1) 2 + (client, DSP1, USP, RP0) 4 = 6 through the host bridge.
    BOOST_CHECK_EQUAL(p.distance_many(far, {client}), 6);
    BOOST_CHECK_EQUAL(p.find_many({client}), -ENODEV);
    BOOST_CHECK_EQUAL(p.publish(far), -ENODEV); // nothing registered yet
    BOOST_CHECK_EQUAL(p.add_resource(far, 0, 0, 0), 0);
    BOOST_CHECK_EQUAL(p.publish(far), 0);
    BOOST_CHECK_EQUAL(p.find_many({client}), far);
    BOOST_CHECK_EQUAL(p.add_resource(near, 0, 512 * KiB, 0), 0);
    BOOST_CHECK_EQUAL(p.find_many({client}), far); // near is not published
    BOOST_CHECK_EQUAL(p.publish(near), 0);
    BOOST_CHECK(p.published(near));
    BOOST_CHECK_EQUAL(p.find_many({client}), near);
    BOOST_CHECK_EQUAL(p.publish(near, false), 0);
    BOOST_CHECK_EQUAL(p.find_many({client}), far);
    BOOST_CHECK_EQUAL(p.find_many({}), -ENODEV);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(p2pdma_memory)

// add_resource checks: not a memory BAR, beyond the BAR, not whole granules, overlap, bad index.
BOOST_AUTO_TEST_CASE(add_resource_rejects_bad_ranges) {
    builder b;
    const int a = b.ep(b.rp(0), 1);
    p2pdma p(b.t);
    BOOST_CHECK_EQUAL(p.add_resource(a, 2, 0, 0), -EINVAL);              // I/O BAR
    BOOST_CHECK_EQUAL(p.add_resource(a, 1, 0, 0), -EINVAL);              // BAR not implemented
    BOOST_CHECK_EQUAL(p.add_resource(a, 6, 0, 0), -EINVAL);              // no BAR 6
    BOOST_CHECK_EQUAL(p.add_resource(a, 0, BAR_SIZE, 4 * KiB), -EINVAL); // past the end
    BOOST_CHECK_EQUAL(p.add_resource(a, 0, 0, BAR_SIZE), -EINVAL);       // offset past the end
    BOOST_CHECK_EQUAL(p.add_resource(a, 0, 100, 0), -EINVAL);            // not whole pages
    BOOST_CHECK_EQUAL(p.add_resource(99, 0, 0, 0), -ENODEV);
    BOOST_CHECK_EQUAL(p.add_resource(a, 0, 256 * KiB, 256 * KiB), 0);
    BOOST_CHECK_EQUAL(p.add_resource(a, 0, 256 * KiB, 384 * KiB), -EINVAL); // overlaps
    BOOST_CHECK_EQUAL(p.add_resource(a, 0, 256 * KiB, 0), 0);
    BOOST_CHECK_EQUAL(p.available(a), 512 * KiB);
}

// Allocation: page granules, first fit, -ENOMEM when exhausted, free checks and coalescing.
BOOST_AUTO_TEST_CASE(alloc_and_free) {
    builder b;
    const int a = b.ep(b.rp(0), 1);
    const std::uint64_t bar = b.t.devices[static_cast<unsigned>(a)].bars[0].addr;
    p2pdma p(b.t);
    std::uint64_t x = 0, y = 0, z = 0;
    BOOST_CHECK_EQUAL(p.alloc(a, 4 * KiB, x), -ENODEV); // nothing registered
    BOOST_REQUIRE_EQUAL(p.add_resource(a, 0, 64 * KiB, 0), 0);
    BOOST_CHECK_EQUAL(p.alloc(a, 0, x), -EINVAL);
    BOOST_CHECK_EQUAL(p.alloc(a, 100, x), 0); // rounded up to one page
    BOOST_CHECK_EQUAL(x, bar);
    BOOST_CHECK_EQUAL(p.alloc(a, 8 * KiB, y), 0);
    BOOST_CHECK_EQUAL(y, bar + 4 * KiB);
    BOOST_CHECK_EQUAL(p.available(a), 52 * KiB);
    BOOST_CHECK_EQUAL(p.alloc(a, 64 * KiB, z), -ENOMEM);
    BOOST_CHECK_EQUAL(p.free(a, y, 8 * KiB), 0);
    BOOST_CHECK_EQUAL(p.free(a, y, 8 * KiB), -EINVAL);              // double free
    BOOST_CHECK_EQUAL(p.free(a, bar + 1, 4 * KiB), -EINVAL);        // not a granule boundary
    BOOST_CHECK_EQUAL(p.free(a, bar + 64 * KiB, 4 * KiB), -EINVAL); // outside the resource
    BOOST_CHECK_EQUAL(p.free(a, x, 100), 0);
    BOOST_CHECK_EQUAL(p.available(a), 64 * KiB);
    BOOST_CHECK_EQUAL(p.alloc(a, 64 * KiB, z), 0); // coalesced back into one range
    BOOST_CHECK_EQUAL(z, bar);
}

// map(): bus address = CPU physical + the provider host bridge's offset; through the host
// bridge = CPU physical as the client's host bridge sees it; not supported = -EREMOTEIO with
// no address; an address outside the provider's p2p memory = -EINVAL.
BOOST_AUTO_TEST_CASE(map_gives_the_right_address_or_an_error) {
    constexpr std::int64_t OFFSET = 0x100000000ll; // bus = CPU physical + 4 GiB
    builder b;
    b.t.host_bridges[0].bus_offset = OFFSET;
    const int rp0 = b.rp(0);
    const auto dsp = b.sw(rp0, 1, 2);
    const int prov = b.ep(dsp[0], 3);
    const int peer = b.ep(dsp[1], 4);
    const int rp1 = b.rp(1);
    const int remote = b.ep(rp1, 5);
    const unsigned hb1 = b.host_bridge(OTHER_VENDOR, OTHER_DEVICE, -0x1000);
    const int foreign = b.ep(b.add(pci_dev_type::root_port, 0, 0, 0, -1, hb1), 1, 0, hb1);
    p2pdma p(b.t);
    BOOST_REQUIRE_EQUAL(p.add_resource(prov, 0, 0, 0), 0);
    std::uint64_t cpu = 0;
    BOOST_REQUIRE_EQUAL(p.alloc(prov, 16 * KiB, cpu), 0);
    p2p_mapping m;
    BOOST_CHECK_EQUAL(p.map(prov, peer, cpu, 16 * KiB, m), 0);
    BOOST_CHECK(m.type == p2pdma_map_type::bus_addr);
    BOOST_CHECK(m.bus_address);
    BOOST_CHECK_EQUAL(m.dma_addr, cpu + OFFSET);
    BOOST_CHECK_EQUAL(p.map(prov, remote, cpu, 4 * KiB, m), 0);
    BOOST_CHECK(m.type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK(!m.bus_address);
    BOOST_CHECK_EQUAL(m.dma_addr, cpu + OFFSET);
    BOOST_CHECK_EQUAL(p.map(prov, foreign, cpu, 4 * KiB, m), -EREMOTEIO);
    BOOST_CHECK(m.type == p2pdma_map_type::not_supported);
    BOOST_CHECK_EQUAL(m.dma_addr, 0u);
    BOOST_CHECK_EQUAL(p.map(prov, peer, cpu + BAR_SIZE, 4 * KiB, m), -EINVAL);
    BOOST_CHECK_EQUAL(p.map(prov, peer, cpu + BAR_SIZE - 4 * KiB, 8 * KiB, m), -EINVAL);
    BOOST_CHECK_EQUAL(p.map(prov, peer, cpu, 0, m), -EINVAL);
    BOOST_CHECK_EQUAL(p.map(peer, prov, cpu, 4 * KiB, m), -EINVAL); // peer has no p2p memory
    BOOST_CHECK_EQUAL(p.map(prov, 1000, cpu, 4 * KiB, m), -ENODEV);
    // With ACS redirect on the client's port the same pair maps through the host bridge.
    BOOST_CHECK_EQUAL(p.set_acs_ctrl(dsp[1], acs::RR), 0);
    BOOST_CHECK_EQUAL(p.map(prov, peer, cpu, 4 * KiB, m), 0);
    BOOST_CHECK(m.type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK(!m.bus_address);
    (void)GiB;
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Part 2: SystemC topologies.
namespace {

using namespace epvp;
using pcie::cpl_status;
using pcie::np_result;
using pcie::pcie_tlp;
using pcie::tlp_type;
namespace pc = pcie::port_cfg;

constexpr std::uint64_t HOST_RAM = 0, HOST_RAM_BYTES = 1 * GiB;
constexpr std::uint64_t MMIO32 = 0xC0000000, MMIO32_BYTES = 256 * MiB;
constexpr std::uint64_t ECAM = 0xE0000000, ECAM_BYTES = 256 * MiB;
constexpr std::uint64_t MMIO64 = 0x4000000000ull, MMIO64_BYTES = 64 * GiB;
constexpr std::uint64_t EP_BAR0_BYTES = 1 * MiB;
constexpr std::uint32_t EP_BAR2_BYTES = 4 * KiB;
constexpr std::uint64_t TIMEOUT_NS = 1000000, RETRY_NS = 1000;
constexpr std::uint16_t STUB_VENDOR = 0x1234, STUB_DEVICE = 0x0001;
// Configuration offsets, spelled out from the PCI/PCIe specs (not taken from the model).
constexpr std::uint32_t CFG_COMMAND = 0x04, CFG_BAR0 = 0x10, CFG_BAR1 = 0x14, CFG_BAR2 = 0x18;
constexpr std::uint32_t CFG_BUS_NUMBERS = 0x18, CFG_MEM_BASE = 0x20, CFG_MEM_LIMIT = 0x22;
constexpr std::uint32_t CFG_PREF_BASE = 0x24, CFG_PREF_LIMIT = 0x26;
constexpr std::uint32_t CFG_PREF_BASE_UPPER = 0x28, CFG_PREF_LIMIT_UPPER = 0x2C;
constexpr std::uint32_t CMD_MEM = 0x2, CMD_BME = 0x4;
constexpr std::uint32_t BAR_MEM64_PREF = 0xC;
constexpr std::uint32_t EXP_CAP = 0x40, EXP_DEVSTA = EXP_CAP + 0x0A;
constexpr std::uint16_t DEVSTA_NFED = 0x2, DEVSTA_URD = 0x8;
constexpr std::uint32_t AER = 0x100, AER_UNCOR_STATUS = AER + 0x04, AER_CAP_CTRL = AER + 0x18;
constexpr std::uint32_t AER_HEADER_LOG = AER + 0x1C;
constexpr std::uint32_t UNC_UNEXPECTED_CPL = 1u << 16, UNC_UR = 1u << 20, UNC_ACSV = 1u << 21;
constexpr std::uint32_t ACS = 0x130, ACS_CAP_CTRL = ACS + 0x04, ACS_EGRESS = ACS + 0x08;
constexpr std::uint16_t ACS_EXT_CAP_ID = 0x000D;
constexpr std::uint16_t RR = 0x04, CR = 0x08, UF = 0x10, EC = 0x20, SV = 0x01;

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::uint8_t>(seed + 7 * i);
    return v;
}

// An endpoint written for these tests: one function, BAR0 a 64-bit prefetchable memory BAR
// backed by a byte array, an optional 32-bit BAR2 (decoded, not backed), Command with Memory
// Space Enable; it answers MRd/MWr to BAR0, captures its ID from Type 0 configuration requests
// and issues its own MRd/MWr (optionally with a forged requester ID).
class ep_stub : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<ep_stub> rx;
    tlm_utils::simple_initiator_socket<ep_stub> tx;
    std::vector<std::uint8_t> mem;
    unsigned writes_received = 0, reads_received = 0, rejected = 0;

    ep_stub(sc_core::sc_module_name n, std::uint32_t bar2_bytes)
        : sc_module(n)
        , rx("rx")
        , tx("tx")
        , mem(EP_BAR0_BYTES)
        , regs_(std::string(name()), table(bar2_bytes))
        , req_(name(), 0, 32) {
        rx.register_b_transport(this, &ep_stub::b_transport);
    }
    std::uint16_t id() const { return id_; }
    std::uint64_t bar0() const {
        return (std::uint64_t(regs_.read32(CFG_BAR1)) << 32) | (regs_.read32(CFG_BAR0) & ~0xFu);
    }
    void forge_requester(std::uint16_t rid) { forged_ = rid; }
    bool write(std::uint64_t addr, const std::vector<std::uint8_t>& data) {
        req_.set_requester_id(forged_ ? forged_ : id_);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        return req_.posted(*tx.operator->(), tlp_type::mwr, addr, data.data(),
                           static_cast<std::uint32_t>(data.size()), d);
    }
    // A message (no data) upstream, e.g. ERR_NONFATAL.
    bool message(pcie::msg_code code) {
        req_.set_requester_id(forged_ ? forged_ : id_);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        return req_.posted(*tx.operator->(), tlp_type::msg, 0, nullptr, 0, d, code);
    }
    np_result read(std::uint64_t addr, std::vector<std::uint8_t>& data) {
        req_.set_requester_id(forged_ ? forged_ : id_);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        return req_.request(*tx.operator->(), tlp_type::mrd, addr, data.data(),
                            static_cast<std::uint32_t>(data.size()), d);
    }

private:
    static std::vector<reg_def> table(std::uint32_t bar2_bytes) {
        return {
            {0x00, "ID", (std::uint32_t(STUB_DEVICE) << 16) | STUB_VENDOR, 0, 0, 0, true, {}},
            {CFG_COMMAND, "COMMAND", 0, CMD_MEM | CMD_BME, 0, 0, false, {}},
            {0x08, "CLASS", 0x05800000, 0, 0, 0, true, {}},
            {0x0C, "HDR", 0, 0, 0, 0, true, {}},
            {CFG_BAR0,
             "BAR0",
             BAR_MEM64_PREF,
             static_cast<std::uint32_t>(~(EP_BAR0_BYTES - 1)),
             0,
             0,
             false,
             {}},
            {CFG_BAR1, "BAR1", 0, 0xFFFFFFFFu, 0, 0, false, {}},
            {CFG_BAR2, "BAR2", 0, bar2_bytes ? ~(bar2_bytes - 1) & ~0xFu : 0, 0, 0, false, {}},
            {0x34, "CAP_PTR", 0, 0, 0, 0, true, {}},
        };
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        pcie_tlp& t = pcie::tlp_of(gp);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        pcie::completer_params cp;
        cp.completer_id = id_;
        auto& out = *tx.operator->();
        const std::uint64_t a = gp.get_address();
        const std::uint64_t len = gp.get_data_length();
        const bool hit = (regs_.read32(CFG_COMMAND) & CMD_MEM) && a >= bar0() &&
                         a + len <= bar0() + EP_BAR0_BYTES;
        switch (t.type) {
        case tlp_type::cfgrd0:
        case tlp_type::cfgwr0: {
            id_ = t.target_id;
            const std::uint32_t reg = static_cast<std::uint32_t>(a) & 0xFFC;
            if (t.type == tlp_type::cfgwr0) {
                std::uint32_t v = 0, mask = 0;
                std::memcpy(&v, gp.get_data_ptr(), 4);
                for (unsigned b = 0; b < 4; ++b)
                    if (t.first_be & (1u << b)) mask |= 0xFFu << (8 * b);
                regs_.write32(reg, v, mask, reg_writer::wire, false);
                pcie::send_completion(out, cp, gp, t, cpl_status::sc, nullptr, delay);
            } else {
                const std::uint32_t v = regs_.read32(reg);
                pcie::send_completion(out, cp, gp, t, cpl_status::sc,
                                      reinterpret_cast<const unsigned char*>(&v), delay);
            }
            return;
        }
        case tlp_type::mwr:
            ++writes_received;
            if (hit)
                std::memcpy(mem.data() + (a - bar0()), gp.get_data_ptr(), len);
            else
                ++rejected;
            return;
        case tlp_type::mrd:
            ++reads_received;
            if (!hit) ++rejected;
            pcie::send_completion(out, cp, gp, t, hit ? cpl_status::sc : cpl_status::ur,
                                  hit ? mem.data() + (a - bar0()) : nullptr, delay);
            return;
        case tlp_type::cpl:
        case tlp_type::cpld:
            req_.accept_completion(gp, delay);
            return;
        default:
            return;
        }
    }
    reg_block regs_;
    pcie::tlp_requester req_;
    std::uint16_t id_ = 0, forged_ = 0;
};

// The host CPU for pci_host: accesses go straight into the root complex; delays advance the
// simulation (the test body is outside any SystemC process).
class test_host : public sc_core::sc_module, public hal::platform {
public:
    tlm_utils::simple_initiator_socket<test_host> bus;
    std::vector<std::string> lines;
    explicit test_host(sc_core::sc_module_name n)
        : sc_module(n)
        , bus("bus") {}
    hal::status read(std::uint64_t addr, void* data, std::size_t len) override {
        return access(tlm::TLM_READ_COMMAND, addr, data, len);
    }
    hal::status write(std::uint64_t addr, const void* data, std::size_t len) override {
        return access(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len);
    }
    std::uint64_t now_ns() override {
        return static_cast<std::uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e9);
    }
    void delay_ns(std::uint64_t ns) override {
        sc_core::sc_start(sc_core::sc_time(static_cast<double>(ns), sc_core::SC_NS));
    }
    void charge_cycles(std::uint64_t) override {}
    void charge(work, std::uint64_t) override {}
    std::uint64_t cpu_clock_hz() const override { return 1000000000; }
    void set_irq_handler(unsigned, hal::irq_handler) override {}
    bool wait_for_interrupt(std::uint64_t) override { return false; }
    void log(hal::log_level, const std::string& category, const std::string& msg) override {
        lines.push_back(category + ": " + msg);
    }

private:
    hal::status access(tlm::tlm_command cmd, std::uint64_t addr, void* data, std::size_t len) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(static_cast<unsigned>(len));
        gp.set_streaming_width(static_cast<unsigned>(len));
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        bus->b_transport(gp, d);
        if (gp.get_response_status() == tlm::TLM_OK_RESPONSE) return hal::status::ok;
        return gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE
                   ? hal::status::decode_error
                   : hal::status::slave_error;
    }
};

pcie::root_complex_params rc_params(unsigned ports, bool between, bool reflect) {
    pcie::root_complex_params p;
    p.mem_base = HOST_RAM;
    p.mem_size = HOST_RAM_BYTES;
    p.ecam_base = ECAM;
    p.mmio32_base = MMIO32;
    p.mmio32_size = MMIO32_BYTES;
    p.mmio64_base = MMIO64;
    p.mmio64_size = MMIO64_BYTES;
    p.root_ports = ports;
    p.p2p_between_root_ports = between;
    p.p2p_reflect = reflect;
    return p;
}

hal::host_board board() {
    hal::host_board b;
    b.ram = {HOST_RAM, HOST_RAM_BYTES};
    b.ecam = {ECAM, ECAM_BYTES};
    b.mmio32 = {MMIO32, MMIO32_BYTES};
    b.mmio64 = {MMIO64, MMIO64_BYTES};
    b.first_bus = 1;
    return b;
}

void wire(pcie::pcie_link& l, ep_stub& e) {
    l.dn_out.bind(e.rx);
    e.tx.bind(l.dn_in);
}

// Host - root port 0 - link - switch (2 downstream ports) - links - endpoints A and B.
struct tree_topology {
    test_host host;
    pcie::root_complex rc;
    pcie::pcie_link up;
    pcie::pcie_switch sw;
    pcie::pcie_link la, lb;
    ep_stub a, b;
    fw::host::pci_host pci;
    std::vector<pci_dev> endpoints;
    int enumerate_status = 1;

    tree_topology(const std::string& n, bool reflect)
        : host((n + "_host").c_str())
        , rc((n + "_rc").c_str(), rc_params(1, true, reflect))
        , up((n + "_up").c_str(), pcie::link_params{})
        , sw((n + "_sw").c_str(), pcie::pcie_switch_params{})
        , la((n + "_la").c_str(), pcie::link_params{})
        , lb((n + "_lb").c_str(), pcie::link_params{})
        , a((n + "_a").c_str(), EP_BAR2_BYTES)
        , b((n + "_b").c_str(), 0)
        , pci(host, board(), TIMEOUT_NS, RETRY_NS) {
        host.bus.bind(rc.host_in);
        rc.pcie_tx.bind(up.up_in);
        up.up_out.bind(rc.pcie_rx);
        up.up_status.bind(rc.link_status(0));
        up.dn_out.bind(sw.up_rx);
        sw.up_tx.bind(up.dn_in);
        up.dn_status.bind(sw.up_link_status());
        sw.dn_tx(0).bind(la.up_in);
        la.up_out.bind(sw.dn_rx(0));
        la.up_status.bind(sw.dn_link_status(0));
        sw.dn_tx(1).bind(lb.up_in);
        lb.up_out.bind(sw.dn_rx(1));
        lb.up_status.bind(sw.dn_link_status(1));
        wire(la, a);
        wire(lb, b);
    }
    void train() {
        for (pcie::pcie_link* l : {&up, &la, &lb})
            l->train(3, 4);
    }
    // Enumerates once; every test needs the tree.
    int ready() {
        if (enumerate_status == 1) enumerate_status = pci.enumerate(endpoints);
        return enumerate_status;
    }
    int idx(unsigned bus, unsigned dev) const { return pci.find(bus, dev, 0); }
    std::uint32_t aer_status(unsigned bus, unsigned dev) {
        return pci.cfg_read32(bus, dev, 0, AER_UNCOR_STATUS);
    }
    void clear_errors(unsigned bus, unsigned dev) {
        pci.cfg_write32(bus, dev, 0, AER_UNCOR_STATUS, 0xFFFFFFFFu);
        pci.cfg_write16(bus, dev, 0, EXP_DEVSTA, 0xFFFF);
    }
};

// Two root ports, one endpoint below each.
struct two_rp_topology {
    test_host host;
    pcie::root_complex rc;
    pcie::pcie_link l0, l1;
    ep_stub a, b;
    fw::host::pci_host pci;
    std::vector<pci_dev> endpoints;
    int enumerate_status = 1;

    two_rp_topology(const std::string& n, bool between)
        : host((n + "_host").c_str())
        , rc((n + "_rc").c_str(), rc_params(2, between, true))
        , l0((n + "_l0").c_str(), pcie::link_params{})
        , l1((n + "_l1").c_str(), pcie::link_params{})
        , a((n + "_a").c_str(), 0)
        , b((n + "_b").c_str(), 0)
        , pci(host, board(), TIMEOUT_NS, RETRY_NS) {
        host.bus.bind(rc.host_in);
        rc.tx(0).bind(l0.up_in);
        l0.up_out.bind(rc.rx(0));
        l0.up_status.bind(rc.link_status(0));
        rc.tx(1).bind(l1.up_in);
        l1.up_out.bind(rc.rx(1));
        l1.up_status.bind(rc.link_status(1));
        wire(l0, a);
        wire(l1, b);
    }
    void train() {
        l0.train(3, 4);
        l1.train(3, 4);
    }
    int ready() {
        if (enumerate_status == 1) enumerate_status = pci.enumerate(endpoints);
        return enumerate_status;
    }
};

tree_topology* reflecting = nullptr; // root complex reflects redirected requests
tree_topology* strict = nullptr;     // it does not: route-to-self UR at the root port
two_rp_topology* routed = nullptr;   // p2p between root ports
two_rp_topology* isolated = nullptr; // no p2p between root ports

struct fixture {
    fixture() {
        logger::get().set_stream(&sink);
        reflecting = new tree_topology("refl", true);
        strict = new tree_topology("strict", false);
        routed = new two_rp_topology("routed", true);
        isolated = new two_rp_topology("isolated", false);
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
        reflecting->train();
        strict->train();
        routed->train();
        isolated->train();
    }
    std::ostringstream sink;
};
BOOST_TEST_GLOBAL_FIXTURE(fixture);

} // namespace

BOOST_AUTO_TEST_SUITE(systemc_topology)

// Bus numbers depth-first: root port 00:00.0 -> bus 1 (the switch's upstream port), internal
// bus 2 (DSP0 = 02:00.0, DSP1 = 02:01.0), DSP0 -> bus 3 (A), DSP1 -> bus 4 (B); subordinates
// 4, 4, 3, 4. Windows bottom-up (1 MiB granules): A's BAR0 (1 MiB, 64-bit pref) at MMIO64 and
// its BAR2 (4 KiB) at MMIO32; B's BAR0 at MMIO64 + 1 MiB. DSP0: mem [MMIO32, +1M), pref
// [MMIO64, +1M); DSP1: no mem window (base > limit), pref [MMIO64 + 1M, +1M); the upstream
// port and the root port: mem [MMIO32, +1M), pref [MMIO64, +2M).
BOOST_AUTO_TEST_CASE(enumeration_assigns_buses_and_windows) {
    tree_topology& t = *reflecting;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    BOOST_REQUIRE_EQUAL(t.endpoints.size(), 2u);
    BOOST_CHECK_EQUAL(t.endpoints[0].name(), "03:00.0");
    BOOST_CHECK_EQUAL(t.endpoints[1].name(), "04:00.0");
    BOOST_CHECK_EQUAL(t.endpoints[0].vendor, STUB_VENDOR);
    auto& pci = t.pci;
    BOOST_CHECK_EQUAL(pci.cfg_read32(0, 0, 0, CFG_BUS_NUMBERS) & 0xFFFFFF, 0x040100u);
    BOOST_CHECK_EQUAL(pci.cfg_read32(1, 0, 0, CFG_BUS_NUMBERS) & 0xFFFFFF, 0x040201u);
    BOOST_CHECK_EQUAL(pci.cfg_read32(2, 0, 0, CFG_BUS_NUMBERS) & 0xFFFFFF, 0x030302u);
    BOOST_CHECK_EQUAL(pci.cfg_read32(2, 1, 0, CFG_BUS_NUMBERS) & 0xFFFFFF, 0x040402u);
    // No device 2 on the internal bus, no device 1 below a downstream port.
    BOOST_CHECK_EQUAL(pci.cfg_read16(2, 2, 0, 0), 0xFFFF);
    BOOST_CHECK_EQUAL(pci.cfg_read16(3, 1, 0, 0), 0xFFFF);
    // The tree as the orchestrator sees it.
    const int rp = t.idx(0, 0), usp = t.idx(1, 0), d0 = t.idx(2, 0), d1 = t.idx(2, 1);
    const int ea = t.idx(3, 0), eb = t.idx(4, 0);
    BOOST_REQUIRE(rp >= 0 && usp >= 0 && d0 >= 0 && d1 >= 0 && ea >= 0 && eb >= 0);
    const auto& tree = pci.tree();
    BOOST_CHECK(tree[rp].type == pci_dev_type::root_port);
    BOOST_CHECK(tree[usp].type == pci_dev_type::upstream_port);
    BOOST_CHECK(tree[d0].type == pci_dev_type::downstream_port);
    BOOST_CHECK_EQUAL(tree[usp].parent, rp);
    BOOST_CHECK_EQUAL(tree[d1].parent, usp);
    BOOST_CHECK_EQUAL(tree[eb].parent, d1);
    BOOST_CHECK_EQUAL(tree[d0].secondary, 3u);
    BOOST_CHECK_EQUAL(tree[d1].subordinate, 4u);
    BOOST_CHECK_EQUAL(tree[d0].acs_cap, ACS);
    BOOST_CHECK_EQUAL(tree[d0].acs_cap_bits, 0x027Fu); // all 7 bits, vector size 2
    BOOST_CHECK_EQUAL(tree[usp].acs_cap, 0u);
    BOOST_CHECK_EQUAL(tree[d0].aer_cap, AER);
    // BARs.
    BOOST_CHECK_EQUAL(tree[ea].bars[0].addr, MMIO64);
    BOOST_CHECK_EQUAL(tree[ea].bars[0].size, EP_BAR0_BYTES);
    BOOST_CHECK_EQUAL(tree[ea].bars[2].addr, MMIO32);
    BOOST_CHECK_EQUAL(tree[eb].bars[0].addr, MMIO64 + 1 * MiB);
    BOOST_CHECK_EQUAL(t.a.bar0(), MMIO64);
    BOOST_CHECK_EQUAL(t.b.bar0(), MMIO64 + 1 * MiB);
    // Windows.
    auto mem = [&](unsigned bus, unsigned dev) {
        return std::make_pair(pci.cfg_read16(bus, dev, 0, CFG_MEM_BASE),
                              pci.cfg_read16(bus, dev, 0, CFG_MEM_LIMIT));
    };
    auto pref = [&](unsigned bus, unsigned dev) {
        const std::uint64_t base =
            (std::uint64_t(pci.cfg_read32(bus, dev, 0, CFG_PREF_BASE_UPPER)) << 32) |
            (std::uint64_t(pci.cfg_read16(bus, dev, 0, CFG_PREF_BASE) & 0xFFF0) << 16);
        const std::uint64_t limit =
            (std::uint64_t(pci.cfg_read32(bus, dev, 0, CFG_PREF_LIMIT_UPPER)) << 32) |
            (std::uint64_t(pci.cfg_read16(bus, dev, 0, CFG_PREF_LIMIT) & 0xFFF0) << 16) | 0xFFFFF;
        return std::make_pair(base, limit);
    };
    const auto m32 = std::make_pair(static_cast<std::uint16_t>(MMIO32 >> 16),
                                    static_cast<std::uint16_t>((MMIO32 + MiB - 1) >> 16 & 0xFFF0));
    BOOST_CHECK(mem(2, 0) == m32);
    BOOST_CHECK(mem(1, 0) == m32);
    BOOST_CHECK(mem(0, 0) == m32);
    BOOST_CHECK(mem(2, 1) == std::make_pair(std::uint16_t(0xFFF0), std::uint16_t(0)));
    BOOST_CHECK(pref(2, 0) == std::make_pair(MMIO64, MMIO64 + MiB - 1));
    BOOST_CHECK(pref(2, 1) == std::make_pair(MMIO64 + MiB, MMIO64 + 2 * MiB - 1));
    BOOST_CHECK(pref(1, 0) == std::make_pair(MMIO64, MMIO64 + 2 * MiB - 1));
    BOOST_CHECK(pref(0, 0) == std::make_pair(MMIO64, MMIO64 + 2 * MiB - 1));
    for (auto [bus, dev] : {std::make_pair(1u, 0u), std::make_pair(2u, 0u), std::make_pair(2u, 1u)})
        BOOST_CHECK_EQUAL(pci.cfg_read16(bus, dev, 0, CFG_COMMAND) & (CMD_MEM | CMD_BME),
                          CMD_MEM | CMD_BME);
    // ACS: capability ID, every control bit writable (and only those), the egress vector 2 bits.
    BOOST_CHECK_EQUAL(pci.cfg_read32(2, 0, 0, ACS) & 0xFFFF, ACS_EXT_CAP_ID);
    pci.cfg_write16(2, 0, 0, ACS_CAP_CTRL + 2, 0xFFFF);
    BOOST_CHECK_EQUAL(pci.cfg_read16(2, 0, 0, ACS_CAP_CTRL + 2), 0x007F);
    pci.cfg_write16(2, 0, 0, ACS_CAP_CTRL + 2, 0);
    pci.cfg_write32(2, 0, 0, ACS_EGRESS, 0xFFFFFFFFu);
    BOOST_CHECK_EQUAL(pci.cfg_read32(2, 0, 0, ACS_EGRESS), 0x3u);
    pci.cfg_write32(2, 0, 0, ACS_EGRESS, 0);
    // A host MMIO read of B's BAR goes down through the switch.
    std::uint32_t v = 0;
    t.b.mem[0x40] = 0x5A;
    BOOST_CHECK(t.host.read32(MMIO64 + MiB + 0x40, v) == hal::status::ok);
    BOOST_CHECK_EQUAL(v & 0xFF, 0x5Au);
}

// A writes and reads B's BAR across the switch: the data arrives, the completion is SC, the
// switch's DSP0 and DSP1 counters move and the root complex sees nothing.
BOOST_AUTO_TEST_CASE(p2p_across_the_switch_stays_off_the_root_complex) {
    tree_topology& t = *reflecting;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    // The orchestrator: distance 4, bus address; B's BAR published, allocated, mapped for A.
    p2pdma p(p2pdma::from_host(t.pci));
    const int ea = p.find(3, 0, 0), eb = p.find(4, 0, 0);
    p2pdma_map_type type;
    int dist = 0;
    BOOST_CHECK_EQUAL(p.calc_map_type_and_dist(eb, ea, type, dist), 0);
    BOOST_CHECK(type == p2pdma_map_type::bus_addr);
    BOOST_CHECK_EQUAL(dist, 4);
    BOOST_REQUIRE_EQUAL(p.add_resource(eb, 0, 0, 0), 0);
    BOOST_REQUIRE_EQUAL(p.publish(eb), 0);
    BOOST_CHECK_EQUAL(p.find_many({ea}), eb);
    std::uint64_t cpu = 0;
    BOOST_REQUIRE_EQUAL(p.alloc(eb, 8 * KiB, cpu), 0);
    p2p_mapping m;
    BOOST_REQUIRE_EQUAL(p.map(eb, ea, cpu, 8 * KiB, m), 0);
    BOOST_CHECK_EQUAL(m.dma_addr, MMIO64 + MiB);

    const auto rc0 = t.rc.port_stats(0);
    const auto d0 = t.sw.downstream_stats(0), d1 = t.sw.downstream_stats(1);
    const auto usp = t.sw.upstream_stats();
    const auto data = pattern(256, 3);
    BOOST_CHECK(t.a.write(m.dma_addr + 0x100, data));
    BOOST_CHECK(std::equal(data.begin(), data.end(), t.b.mem.begin() + 0x100));
    std::vector<std::uint8_t> back(256);
    const np_result r = t.a.read(m.dma_addr + 0x100, back);
    BOOST_CHECK(r.completed);
    BOOST_CHECK(r.status == cpl_status::sc);
    BOOST_CHECK(back == data);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).tlps_in - d0.tlps_in, 2u); // MWr, MRd
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).bytes_in - d0.bytes_in, 256u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(1).tlps_out - d1.tlps_out, 2u);
    // 256 bytes from a 256-byte aligned address: one CplD (MPS 256).
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(1).tlps_in - d1.tlps_in, 1u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).bytes_out - d0.bytes_out, 256u);
    BOOST_CHECK_EQUAL(t.sw.upstream_stats().tlps_out, usp.tlps_out);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).tlps_in, rc0.tlps_in);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).tlps_out, rc0.tlps_out);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).p2p_reflected, 0u);
}

// ACS P2P Request and Completion Redirect on both downstream ports: the orchestrator now says
// "through the host bridge" (8086:2030 is whitelisted); the MWr goes up to the root port and is
// reflected back down (B gets the data); the MRd is reflected and so is B's completion.
BOOST_AUTO_TEST_CASE(acs_redirect_goes_up_and_is_reflected) {
    tree_topology& t = *reflecting;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), RR | CR), 0);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 1), RR | CR), 0);
    BOOST_CHECK_EQUAL(t.pci.tree()[t.idx(2, 0)].acs_ctrl, RR | CR);
    p2pdma p(p2pdma::from_host(t.pci));
    p2pdma_map_type type;
    int dist = 0;
    BOOST_CHECK_EQUAL(p.calc_map_type_and_dist(p.find(4, 0, 0), p.find(3, 0, 0), type, dist), 0);
    BOOST_CHECK(type == p2pdma_map_type::thru_host_bridge);
    BOOST_CHECK_EQUAL(dist, 4);
    BOOST_CHECK_EQUAL(p.acs_redirect_list(), "02:01.0;02:00.0");

    const auto rc0 = t.rc.port_stats(0);
    const auto d0 = t.sw.downstream_stats(0);
    const std::uint64_t target = MMIO64 + MiB + 0x2000;
    const auto data = pattern(64, 11);
    BOOST_CHECK(t.a.write(target, data));
    BOOST_CHECK(std::equal(data.begin(), data.end(), t.b.mem.begin() + 0x2000));
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).p2p_reflected - rc0.p2p_reflected, 1u);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).tlps_in - rc0.tlps_in, 1u);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).bytes_out - rc0.bytes_out, 64u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).acs_redirects - d0.acs_redirects, 1u);
    std::vector<std::uint8_t> back(64);
    const np_result r = t.a.read(target, back);
    BOOST_CHECK(r.completed);
    BOOST_CHECK(r.status == cpl_status::sc);
    BOOST_CHECK(back == data);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).p2p_reflected - rc0.p2p_reflected, 3u); // +MRd +CplD
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).route_to_self, 0u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(1).acs_redirects, 1u); // the completion
    BOOST_CHECK_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), 0), 0);
    BOOST_CHECK_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 1), 0), 0);
}

// The same redirect where the root complex does not reflect: the MWr is dropped and the MRd
// answered UR by the root port, which logs Unsupported Request (AER + Device Status); B sees
// nothing. Clearing ACS makes the same transfer work again.
BOOST_AUTO_TEST_CASE(acs_redirect_without_reflect_is_ur_at_the_root_port) {
    tree_topology& t = *strict;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), RR), 0);
    const std::uint64_t target = MMIO64 + MiB + 0x3000;
    const unsigned before = t.b.writes_received + t.b.reads_received;
    BOOST_CHECK(t.a.write(target, pattern(32, 1)));
    std::vector<std::uint8_t> back(32);
    const np_result r = t.a.read(target, back);
    BOOST_CHECK(r.completed);
    BOOST_CHECK(r.status == cpl_status::ur);
    BOOST_CHECK_EQUAL(t.b.writes_received + t.b.reads_received, before);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).route_to_self, 2u);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).p2p_reflected, 0u);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).unsupported, 2u);
    BOOST_CHECK_EQUAL(t.aer_status(0, 0) & UNC_UR, UNC_UR);
    BOOST_CHECK_EQUAL(t.pci.cfg_read16(0, 0, 0, EXP_DEVSTA) & DEVSTA_URD, DEVSTA_URD);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(0, 0, 0, AER_CAP_CTRL) & 0x1F, 20u); // First Error Ptr
    // Header log of the first error: MWr, 4 DW header (64-bit address), 32 bytes = 8 DW.
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(0, 0, 0, AER_HEADER_LOG), 0x60000008u);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(0, 0, 0, AER_HEADER_LOG + 12),
                      static_cast<std::uint32_t>(target));
    t.clear_errors(0, 0);
    BOOST_CHECK_EQUAL(t.aer_status(0, 0), 0u);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), 0), 0);
    BOOST_CHECK(t.a.write(target, pattern(32, 2)));
    const np_result r2 = t.a.read(target, back);
    BOOST_CHECK(r2.status == cpl_status::sc);
    BOOST_CHECK(back == pattern(32, 2));
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).route_to_self, 2u);
}

// Route-to-self at the switch: A addresses its own BAR (inside DSP0's window). Without Upstream
// Forwarding DSP0 rejects it: UR in DSP0's AER and Device Status, a UR completion for the read,
// nothing delivered anywhere; later traffic still works. With Upstream Forwarding the write goes
// up, the root complex reflects it, and A receives it through the switch.
BOOST_AUTO_TEST_CASE(route_to_self_is_rejected_recorded_and_traffic_goes_on) {
    tree_topology& t = *strict;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    t.clear_errors(2, 0);
    const std::uint64_t own = MMIO64 + 0x500;
    const unsigned a_before = t.a.writes_received + t.a.reads_received;
    const auto rc0 = t.rc.port_stats(0);
    BOOST_CHECK(t.a.write(own, pattern(16, 5)));
    std::vector<std::uint8_t> back(16);
    const np_result r = t.a.read(own, back);
    BOOST_CHECK(r.completed);
    BOOST_CHECK(r.status == cpl_status::ur);
    BOOST_CHECK_EQUAL(t.a.writes_received + t.a.reads_received, a_before);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).route_to_self, 2u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).unsupported, 2u);
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).tlps_in, rc0.tlps_in);
    BOOST_CHECK_EQUAL(t.aer_status(2, 0) & UNC_UR, UNC_UR);
    BOOST_CHECK_EQUAL(t.pci.cfg_read16(2, 0, 0, EXP_DEVSTA) & (DEVSTA_URD | DEVSTA_NFED),
                      DEVSTA_URD | DEVSTA_NFED);
    BOOST_CHECK_NE(t.pci.take_aer_errors(t.pci.tree()[t.idx(2, 0)]).find("Unsupported Request"),
                   std::string::npos);
    BOOST_CHECK_EQUAL(t.aer_status(2, 0), 0u); // cleared by take_aer_errors
    // Traffic goes on: A -> B.
    BOOST_CHECK(t.a.write(MMIO64 + MiB + 0x600, pattern(16, 6)));
    BOOST_CHECK(
        std::equal(t.b.mem.begin() + 0x600, t.b.mem.begin() + 0x610, pattern(16, 6).begin()));
    // Upstream Forwarding at a reflecting root complex.
    tree_topology& u = *reflecting;
    BOOST_REQUIRE_EQUAL(u.ready(), 0);
    BOOST_REQUIRE_EQUAL(u.pci.set_acs_ctrl(u.idx(2, 0), UF), 0);
    const auto urc = u.rc.port_stats(0);
    const unsigned uw = u.a.writes_received;
    BOOST_CHECK(u.a.write(MMIO64 + 0x700, pattern(16, 7)));
    BOOST_CHECK_EQUAL(u.a.writes_received, uw + 1);
    BOOST_CHECK(
        std::equal(u.a.mem.begin() + 0x700, u.a.mem.begin() + 0x710, pattern(16, 7).begin()));
    BOOST_CHECK_EQUAL(u.sw.downstream_stats(0).upstream_forwarded, 1u);
    BOOST_CHECK_EQUAL(u.rc.port_stats(0).p2p_reflected - urc.p2p_reflected, 1u);
    BOOST_REQUIRE_EQUAL(u.pci.set_acs_ctrl(u.idx(2, 0), 0), 0);
}

// Source Validation: a request from below DSP0 whose requester bus is not 3 is an ACS
// Violation (MRd: UR completion). Egress Control with DSP1's bit set blocks A -> B; with
// Request Redirect as well it is redirected instead.
BOOST_AUTO_TEST_CASE(acs_source_validation_and_egress_control_block) {
    tree_topology& t = *strict;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    t.clear_errors(2, 0);
    const std::uint64_t target = MMIO64 + MiB + 0x800;
    const auto d0 = t.sw.downstream_stats(0);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), SV), 0);
    t.a.forge_requester(pcie::make_bdf(9, 0, 0));
    std::vector<std::uint8_t> back(16);
    const np_result r = t.a.read(target, back);
    t.a.forge_requester(0);
    BOOST_CHECK(r.completed);
    BOOST_CHECK(r.status == cpl_status::ur);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).acs_violations - d0.acs_violations, 1u);
    BOOST_CHECK_EQUAL(t.aer_status(2, 0) & UNC_ACSV, UNC_ACSV);
    // The real requester ID passes.
    const np_result ok = t.a.read(target, back);
    BOOST_CHECK(ok.status == cpl_status::sc);
    t.clear_errors(2, 0);
    // Egress Control: vector bit 1 = DSP1.
    t.pci.cfg_write32(2, 0, 0, ACS_EGRESS, 0x2);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), EC), 0);
    const unsigned bw = t.b.writes_received;
    BOOST_CHECK(t.a.write(target, pattern(16, 9)));
    BOOST_CHECK_EQUAL(t.b.writes_received, bw);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).acs_violations - d0.acs_violations, 2u);
    BOOST_CHECK_EQUAL(t.aer_status(2, 0) & UNC_ACSV, UNC_ACSV);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(2, 0, 0, AER_CAP_CTRL) & 0x1F, 21u);
    // Egress Control + Request Redirect: redirected up (and rejected by this root complex).
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), EC | RR), 0);
    const auto rc0 = t.rc.port_stats(0);
    BOOST_CHECK(t.a.write(target, pattern(16, 9)));
    BOOST_CHECK_EQUAL(t.rc.port_stats(0).route_to_self - rc0.route_to_self, 1u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).acs_violations - d0.acs_violations, 2u);
    t.pci.cfg_write32(2, 0, 0, ACS_EGRESS, 0);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), 0), 0);
    t.clear_errors(0, 0);
    t.clear_errors(2, 0);
}

// Error messages from below cross a bridge only with Bridge Control SERR# Enable (bit 1), the
// downstream port's and then the upstream port's (Linux pci_configure_serr: "A bridge will not
// forward ERR_ messages coming from an endpoint unless SERR# forwarding is enabled"); the host sets
// it on every bridge as Linux does. ACS Source Validation applies to messages as to every upstream
// request: a forged requester ID is an ACS violation, the message is not forwarded.
BOOST_AUTO_TEST_CASE(error_messages_need_serr_forwarding_and_pass_source_validation) {
    tree_topology& t = *strict;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    constexpr std::uint16_t bridge_ctl_serr = 0x2;
    // As enumeration left it: forwarded to the root complex.
    BOOST_REQUIRE(t.pci.cfg_read16(2, 0, 0, 0x3E) & bridge_ctl_serr);
    BOOST_REQUIRE(t.pci.cfg_read16(1, 0, 0, 0x3E) & bridge_ctl_serr);
    const auto nonfatal = [&] { return t.rc.stats().err_nonfatal_messages; };
    const auto before = nonfatal();
    BOOST_CHECK(t.a.message(pcie::msg_code::err_nonfatal));
    BOOST_CHECK_EQUAL(nonfatal(), before + 1);
    // SERR# forwarding off at the downstream port, then at the upstream port: blocked, counted.
    const auto blocked = t.sw.downstream_stats(0).error_messages_blocked;
    for (unsigned bus : {2u, 1u}) {
        const std::uint16_t ctl = t.pci.cfg_read16(bus, 0, 0, 0x3E);
        t.pci.cfg_write16(bus, 0, 0, 0x3E, ctl & ~bridge_ctl_serr);
        BOOST_CHECK(t.a.message(pcie::msg_code::err_nonfatal));
        t.pci.cfg_write16(bus, 0, 0, 0x3E, ctl);
    }
    BOOST_CHECK_EQUAL(nonfatal(), before + 1);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).error_messages_blocked, blocked + 2);
    // A forged requester ID under Source Validation.
    t.clear_errors(2, 0);
    const auto violations = t.sw.downstream_stats(0).acs_violations;
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), SV), 0);
    t.a.forge_requester(pcie::make_bdf(9, 0, 0));
    t.a.message(pcie::msg_code::err_fatal);
    t.a.forge_requester(0);
    BOOST_CHECK_EQUAL(t.rc.stats().err_fatal_messages, 0u);
    BOOST_CHECK_EQUAL(t.sw.downstream_stats(0).acs_violations, violations + 1);
    BOOST_CHECK_EQUAL(t.aer_status(2, 0) & UNC_ACSV, UNC_ACSV);
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), 0), 0);
    t.clear_errors(2, 0);
}

// Two root ports of a whitelisted host bridge: the orchestrator says through the host bridge,
// distance 4; the root complex routes A -> B between its root ports (counted) when allowed and
// answers UR (write dropped) when not.
BOOST_AUTO_TEST_CASE(p2p_between_root_ports) {
    for (two_rp_topology* t : {routed, isolated}) {
        const bool between = t == routed;
        BOOST_REQUIRE_EQUAL(t->ready(), 0);
        BOOST_REQUIRE_EQUAL(t->endpoints.size(), 2u);
        BOOST_CHECK_EQUAL(t->endpoints[0].name(), "01:00.0");
        BOOST_CHECK_EQUAL(t->endpoints[1].name(), "02:00.0");
        BOOST_CHECK_EQUAL(t->pci.cfg_read32(0, 1, 0, CFG_BUS_NUMBERS) & 0xFFFFFF, 0x020200u);
        p2pdma p(p2pdma::from_host(t->pci));
        p2pdma_map_type type;
        int dist = 0;
        BOOST_CHECK_EQUAL(p.calc_map_type_and_dist(p.find(2, 0, 0), p.find(1, 0, 0), type, dist),
                          0);
        BOOST_CHECK(type == p2pdma_map_type::thru_host_bridge);
        BOOST_CHECK_EQUAL(dist, 4);
        const std::uint64_t target = t->b.bar0() + 0x40;
        BOOST_CHECK_EQUAL(target, MMIO64 + MiB + 0x40);
        const auto rp1 = t->rc.port_stats(1);
        BOOST_CHECK(t->a.write(target, pattern(8, 4)));
        std::vector<std::uint8_t> back(8);
        const np_result r = t->a.read(target, back);
        BOOST_CHECK(r.completed);
        if (between) {
            BOOST_CHECK(r.status == cpl_status::sc);
            BOOST_CHECK(back == pattern(8, 4));
            BOOST_CHECK_EQUAL(t->rc.port_stats(0).p2p_forwarded, 2u);
            BOOST_CHECK_EQUAL(t->rc.port_stats(1).p2p_forwarded, 1u);           // the CplD back
            BOOST_CHECK_EQUAL(t->rc.port_stats(1).tlps_in - rp1.tlps_in, 1u);   // the CplD
            BOOST_CHECK_EQUAL(t->rc.port_stats(1).tlps_out - rp1.tlps_out, 2u); // MWr, MRd
            BOOST_CHECK_EQUAL(t->b.reads_received, 1u);
            BOOST_CHECK_EQUAL(t->b.writes_received, 1u);
        } else {
            BOOST_CHECK(r.status == cpl_status::ur);
            BOOST_CHECK_EQUAL(t->rc.port_stats(0).p2p_blocked, 2u);
            BOOST_CHECK_EQUAL(t->rc.port_stats(0).p2p_forwarded, 0u);
            BOOST_CHECK_EQUAL(t->b.writes_received + t->b.reads_received, 0u);
            BOOST_CHECK_EQUAL(t->pci.cfg_read32(0, 0, 0, AER_UNCOR_STATUS) & UNC_UR, UNC_UR);
        }
    }
    (void)UNC_UNEXPECTED_CPL;
}

// Sends one TLP from endpoint e's transmitter with every header field as given here.
void inject(ep_stub& e, pcie_tlp ext, std::uint64_t addr, unsigned len) {
    std::vector<std::uint8_t> data(len, 0x5A);
    tlm::tlm_generic_payload gp;
    tlm_test::set_access(gp, pcie::has_data(ext.type), addr, data.data(), len);
    gp.set_extension(&ext);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    e.tx->b_transport(gp, d);
    gp.clear_extension(&ext);
}

pcie_tlp request(tlp_type type, std::uint16_t tag, std::uint8_t last_be) {
    pcie_tlp t;
    t.type = type;
    t.requester_id = pcie::make_bdf(3, 0, 0); // A
    t.tag = tag;
    t.first_be = 0xF;
    t.last_be = last_be;
    t.addr64 = true; // MMIO64 addresses
    return t;
}

pcie_tlp completion(std::uint16_t requester, std::uint16_t tag, std::uint8_t lower_addr) {
    pcie_tlp t;
    t.type = tlp_type::cpld;
    t.completer_id = pcie::make_bdf(3, 0, 0); // A
    t.requester_id = requester;
    t.tag = tag;
    t.status = cpl_status::sc;
    t.byte_count = 4;
    t.lower_addr = lower_addr;
    return t;
}

// The AER Header Log of a switch downstream port and of the root port holds the first error's
// TLP header as the wire carries it (PCIe Base Spec 5.0 section 2.2, figures 2-5, 2-14, 2-27),
// each dword encoded by hand below (DW0 = Fmt[31:29] Type[28:24] TC[22:20] EP[14] Length[9:0];
// memory requests: DW1 = Requester ID[31:16] Tag[15:8] Last BE[7:4] First BE[3:0], DW2/DW3 the
// 64-bit address; completions: DW1 = Completer ID[31:16] Status[15:13] Byte Count[11:0],
// DW2 = Requester ID[31:16] Tag[15:8] Lower Address[6:0]). A = 03:00.0 below DSP0 (02:00.0)
// with BAR0 at 0x40_0000_0000; B's BAR0 at 0x40_0010_0000.
BOOST_AUTO_TEST_CASE(aer_header_log_of_switch_and_root_ports_holds_the_tlp_header) {
    tree_topology& t = *strict;
    BOOST_REQUIRE_EQUAL(t.ready(), 0);
    auto header = [&](unsigned bus, unsigned dev) {
        std::vector<std::uint32_t> v;
        for (unsigned i = 0; i < 4; ++i)
            v.push_back(t.pci.cfg_read32(bus, dev, 0, AER_HEADER_LOG + 4 * i));
        return v;
    };
    using dws = std::vector<std::uint32_t>;
    // --- DSP0: route-to-self (A addresses its own BAR, no Upstream Forwarding).
    t.clear_errors(2, 0);
    inject(t.a, request(tlp_type::mwr, 0x11, 0xF), MMIO64 + 0x500, 8);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(2, 0, 0, AER_CAP_CTRL) & 0x1F, 20u); // UR
    BOOST_CHECK(header(2, 0) == (dws{
                                    0x60000002, // Fmt 011 (4 DW, data) Type 00000, Length 2
                                    0x030011FF, // Requester 03:00.0, Tag 0x11, BEs F/F
                                    0x00000040, // Address [63:32]
                                    0x00000500, // Address [31:2]
                                }));
    t.clear_errors(2, 0);
    inject(t.a, request(tlp_type::mrd, 0x12, 0x0), MMIO64 + 0x600, 4);
    BOOST_CHECK(header(2, 0) == (dws{
                                    0x20000001, // Fmt 001 (4 DW, no data) Type 00000, Length 1
                                    0x0300120F, // Requester 03:00.0, Tag 0x12, Last BE 0 (1 DW)
                                    0x00000040,
                                    0x00000600,
                                }));
    t.clear_errors(2, 0);
    // A completion for a requester below the port it came in by: Unexpected Completion.
    inject(t.a, completion(pcie::make_bdf(3, 0, 0), 0x13, 0x10), MMIO64 + 0x10, 4);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(2, 0, 0, AER_CAP_CTRL) & 0x1F, 16u);
    BOOST_CHECK(header(2, 0) == (dws{
                                    0x4A000001, // Fmt 010 (3 DW, data) Type 01010, Length 1
                                    0x03000004, // Completer 03:00.0, Status SC, Byte Count 4
                                    0x03001310, // Requester 03:00.0, Tag 0x13, Lower Addr 0x10
                                    0x00000000, // (3 DW header)
                                }));
    t.clear_errors(2, 0);
    // --- Root port 00:00.0: A -> B redirected up by ACS RR; this root complex does not
    // reflect: UR at the root port.
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), RR), 0);
    t.clear_errors(0, 0);
    inject(t.a, request(tlp_type::mwr, 0x21, 0xF), MMIO64 + MiB + 0x3000, 16);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(0, 0, 0, AER_CAP_CTRL) & 0x1F, 20u);
    BOOST_CHECK(header(0, 0) == (dws{
                                    0x60000004, // MWr, 4 DW header, Length 4
                                    0x030021FF, // Requester 03:00.0, Tag 0x21, BEs F/F
                                    0x00000040,
                                    0x00103000,
                                }));
    t.clear_errors(0, 0);
    inject(t.a, request(tlp_type::mrd, 0x22, 0xF), MMIO64 + MiB + 0x3000, 8);
    BOOST_CHECK(header(0, 0) == (dws{
                                    0x20000002, // MRd, 4 DW header, Length 2
                                    0x030022FF, // Requester 03:00.0, Tag 0x22, BEs F/F
                                    0x00000040,
                                    0x00103000,
                                }));
    BOOST_REQUIRE_EQUAL(t.pci.set_acs_ctrl(t.idx(2, 0), 0), 0);
    t.clear_errors(0, 0);
    // A completion for requester 09:00.0, which no root port routes: Unexpected Completion.
    inject(t.a, completion(pcie::make_bdf(9, 0, 0), 0x23, 0x08), MMIO64 + 0x8, 4);
    BOOST_CHECK_EQUAL(t.pci.cfg_read32(0, 0, 0, AER_CAP_CTRL) & 0x1F, 16u);
    BOOST_CHECK(header(0, 0) == (dws{
                                    0x4A000001, // CplD, Length 1
                                    0x03000004, // Completer 03:00.0, Status SC, Byte Count 4
                                    0x09002308, // Requester 09:00.0, Tag 0x23, Lower Addr 0x08
                                    0x00000000,
                                }));
    t.clear_errors(0, 0);
    t.clear_errors(2, 0);
}

BOOST_AUTO_TEST_SUITE_END()

int sc_main(int, char*[]) {
    return 0;
}

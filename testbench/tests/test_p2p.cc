// Peer-to-peer tests. Part 1: the host's p2pdma orchestrator (firmware/host/p2pdma.h) on
// topologies built as data; every expected distance and map type is worked out by hand in the
// comment above its check from /work/shared/spec/dw-ep-reference.md section 7 (walk: +1 per
// step up from the provider, +1 per step up from the client until the common device; no common
// device: both full path lengths; redirect = ACS Control has RR, CR or EC on a device the walk
// visits; whitelist 7.3).
#define BOOST_TEST_MODULE p2p
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "hal/errno.h"
#include "host/p2pdma.h"
#include "host/pci_host.h"

#include <cstdint>
#include <string>
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

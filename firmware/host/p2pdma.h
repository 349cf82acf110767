// The host's peer-to-peer DMA orchestrator (the part of Linux's drivers/pci/p2pdma.c a driver
// stack needs): providers register BAR ranges as p2p memory and publish them; for a provider
// and a set of clients the orchestrator computes the distance and the map type, finds the
// nearest published provider, allocates p2p memory from it and maps it for a client.
//
// Distance (shared/spec/dw-ep-reference.md section 7.1): walk a = provider and its upstream
// bridges (+1 per step); for each a, walk b = client and its upstream bridges (+1 per step)
// until b == a: that a is the common upstream device and dist = dist_a + dist_b (same function
// 0, two functions of one device 2, two devices under one switch 4, +2 per further switch
// level). Every device the provider walk visits up to and including the common device, and
// every device the client walk visits below it, that has an ACS capability whose control has
// P2P Request Redirect, P2P Completion Redirect or P2P Egress Control set counts as a redirect.
// With no common device (different root ports or host bridges) dist is the length of both
// full paths. Map type (section 7.2): common device and no redirect -> bus address; otherwise
// through the host bridge if the CPU supports p2p (params) or the host-bridge whitelist
// (section 7.3: same host bridge: it must be listed; different host bridges: both must be
// listed without "same host bridge only"), else not supported. Addresses: a bus-address
// mapping is the CPU physical address plus the provider's host bridge offset (bus - CPU); a
// mapping through the host bridge is the CPU physical address as the client's host bridge
// sees it (plus that bridge's offset); a not-supported pair gets -EREMOTEIO and no address.
// Does not model: the per-provider map-type cache (computed every time, so ACS changes take
// effect at once), IOMMU mappings, struct page / scatterlists, the newer whitelist entries the
// reference marks unverified, the random choice among equally near providers (ties go to the
// lowest index, which keeps runs repeatable).
#pragma once

#include "firmware/hal/hal.h"
#include "firmware/host/pci_host.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fw::host {

// Linux's enum pci_p2pdma_map_type (the 2025 numbering, reference section 7.4).
enum class p2pdma_map_type : std::uint8_t {
    unknown = 0,
    none = 1, // not a p2p page
    not_supported = 2,
    bus_addr = 3,
    thru_host_bridge = 4,
};
const char* to_string(p2pdma_map_type t);

// A host bridge as the whitelist sees it: the IDs of the first function on its root bus
// (device 00.0 or a Root Port), and the offset its address translation adds going from CPU
// physical to PCI bus addresses (0 when they are the same).
struct p2p_host_bridge {
    std::uint16_t vendor = 0, device = 0;
    std::int64_t bus_offset = 0;
};

// The tree the orchestrator reasons about: functions with parent indices (pci_host::tree() or
// built by hand) and the host bridges their host_bridge field indexes.
struct p2p_topology {
    std::vector<pci_dev> devices;
    std::vector<p2p_host_bridge> host_bridges;
};

// Host-bridge whitelist entry (reference section 7.3, Linux about 6.2).
struct p2p_whitelist_entry {
    std::uint16_t vendor, device;
    bool req_same_host_bridge;
};
const std::vector<p2p_whitelist_entry>& default_p2p_whitelist();

struct p2pdma_params {
    // cpu_supports_p2pdma(): true on AMD Zen and later; the simulated host CPU is not.
    bool cpu_supports_p2pdma = false;
    // Allocation granule of p2p memory (the kernel's gen_pool uses PAGE_SIZE).
    std::uint64_t alloc_granule_bytes = 4096;
};

// One mapping for a client.
struct p2p_mapping {
    p2pdma_map_type type = p2pdma_map_type::unknown;
    std::uint64_t dma_addr = 0; // what the client's DMA engine is programmed with
    bool bus_address = false;   // the segment is a PCI bus address (no IOMMU mapping)
};

class p2pdma {
public:
    // log may be null (no console); messages() keeps every warning either way.
    explicit p2pdma(p2p_topology topo, const p2pdma_params& p = {}, hal::platform* log = nullptr);

    const p2p_topology& topology() const { return topo_; }
    // A host's enumerated tree with its (single) host bridge: the IDs of 00:00.0.
    static p2p_topology from_host(const pci_host& host, std::int64_t bus_offset = 0);
    // Index of bus:dev.fn on a host bridge, or -1.
    int find(unsigned bus, unsigned dev, unsigned fn, unsigned host_bridge = 0) const;
    // Updates the ACS Control register copy of a function (after software changed it).
    int set_acs_ctrl(int index, std::uint16_t ctrl);

    // calc_map_type_and_dist: the map type and distance of a provider/client pair; 0 or
    // -ENODEV (an index is not a function of the topology). verbose: warnings are logged.
    int calc_map_type_and_dist(int provider, int client, p2pdma_map_type& type, int& dist,
                               bool verbose = false);
    // The devices counted as ACS redirects on the last calculated path ("bb:dd.f;...").
    const std::string& acs_redirect_list() const { return acs_list_; }
    // pci_p2pdma_distance_many: the sum of distances, or -1 (no clients, a client not in the
    // topology, or a client that cannot reach the provider).
    int distance_many(int provider, const std::vector<int>& clients, bool verbose = false);

    // pci_p2pdma_add_resource: registers size bytes of BAR bar at offset as p2p memory
    // (size 0 = the rest of the BAR). 0, -ENODEV, -EINVAL (not a memory BAR, out of the BAR,
    // overlapping a registered range, size not a multiple of the granule).
    int add_resource(int provider, unsigned bar, std::uint64_t size, std::uint64_t offset);
    // pci_p2pmem_publish. 0, -ENODEV (no p2p memory registered there).
    int publish(int provider, bool publish = true);
    bool published(int provider) const;
    // pci_p2pmem_find_many: the published provider nearest to every client, or -ENODEV.
    int find_many(const std::vector<int>& clients);
    // pci_alloc_p2pmem / pci_free_p2pmem: CPU physical addresses. 0, -ENODEV, -EINVAL (size 0),
    // -ENOMEM; free: -EINVAL when [cpu_addr, +size) is not an allocation of that provider.
    int alloc(int provider, std::uint64_t size, std::uint64_t& cpu_addr);
    int free(int provider, std::uint64_t cpu_addr, std::uint64_t size);
    std::uint64_t available(int provider) const;
    // pci_p2pdma_map_segment: the address client uses for len bytes at cpu_addr of provider's
    // p2p memory. 0; -ENODEV; -EINVAL (range not inside that provider's p2p memory, len 0);
    // -EREMOTEIO (the pair is not supported: no address is given).
    int map(int provider, int client, std::uint64_t cpu_addr, std::uint64_t len, p2p_mapping& out);

    const std::vector<std::string>& messages() const { return messages_; }

private:
    struct range {
        std::uint64_t base, size;
    };
    struct provider_state {
        std::vector<range> regions;   // registered BAR ranges (CPU physical)
        std::vector<range> free_list; // sorted by base, coalesced
        std::uint64_t total = 0;
        bool published = false;
    };
    bool valid(int index) const;
    bool has_acs_redir(int index) const;
    bool whitelisted(unsigned host_bridge, bool same_host_bridge, bool warn);
    bool host_bridge_whitelist(int provider, int client, bool warn);
    provider_state* state_of(int provider);
    const provider_state* state_of(int provider) const;
    void warn(const std::string& msg);

    p2p_topology topo_;
    p2pdma_params p_;
    hal::platform* log_;
    std::vector<provider_state> providers_; // indexed like topo_.devices
    std::string acs_list_;
    std::vector<std::string> messages_;
};

} // namespace fw::host

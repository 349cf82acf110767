#include "firmware/host/p2pdma.h"

#include "firmware/hal/errno.h"

#include <algorithm>
#include <cstdio>

namespace fw::host {

namespace {
constexpr std::uint16_t vendor_intel = 0x8086;
constexpr std::uint16_t acs_redirect_bits = acs::RR | acs::CR | acs::EC;
constexpr int no_distance = -1;

std::string bdf(const pci_dev& d) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", d.host_bridge, d.bus, d.dev, d.fn);
    return buf;
}
} // namespace

const char* to_string(p2pdma_map_type t) {
    switch (t) {
    case p2pdma_map_type::unknown:
        return "unknown";
    case p2pdma_map_type::none:
        return "none";
    case p2pdma_map_type::not_supported:
        return "not supported";
    case p2pdma_map_type::bus_addr:
        return "bus address";
    case p2pdma_map_type::thru_host_bridge:
        return "through host bridge";
    }
    return "?";
}

const std::vector<p2p_whitelist_entry>& default_p2p_whitelist() {
    static const std::vector<p2p_whitelist_entry> list = {
        {vendor_intel, 0x3c00, true},  {vendor_intel, 0x3c01, true},  {vendor_intel, 0x2f00, true},
        {vendor_intel, 0x2f01, true},  {vendor_intel, 0x2030, false}, {vendor_intel, 0x2031, false},
        {vendor_intel, 0x2032, false}, {vendor_intel, 0x2033, false}, {vendor_intel, 0x2020, false},
        {vendor_intel, 0x09a2, false},
    };
    return list;
}

p2pdma::p2pdma(p2p_topology topo, const p2pdma_params& p, hal::platform* log)
    : topo_(std::move(topo))
    , p_(p)
    , log_(log)
    , providers_(topo_.devices.size()) {
    if (!p_.alloc_granule_bytes) p_.alloc_granule_bytes = 1;
}

p2p_topology p2pdma::from_host(const pci_host& host, std::int64_t bus_offset) {
    p2p_topology t;
    t.devices = host.tree();
    p2p_host_bridge hb;
    hb.bus_offset = bus_offset;
    const int root = host.find(0, 0, 0);
    if (root >= 0) {
        hb.vendor = host.tree()[static_cast<unsigned>(root)].vendor;
        hb.device = host.tree()[static_cast<unsigned>(root)].device;
    }
    t.host_bridges.push_back(hb);
    return t;
}

int p2pdma::find(unsigned bus, unsigned dev, unsigned fn, unsigned host_bridge) const {
    for (std::size_t i = 0; i < topo_.devices.size(); ++i) {
        const pci_dev& d = topo_.devices[i];
        if (d.bus == bus && d.dev == dev && d.fn == fn && d.host_bridge == host_bridge)
            return static_cast<int>(i);
    }
    return -1;
}

bool p2pdma::valid(int index) const {
    return index >= 0 && static_cast<std::size_t>(index) < topo_.devices.size();
}

int p2pdma::set_acs_ctrl(int index, std::uint16_t ctrl) {
    if (!valid(index)) return -ENODEV;
    topo_.devices[static_cast<unsigned>(index)].acs_ctrl = ctrl;
    return 0;
}

void p2pdma::warn(const std::string& msg) {
    messages_.push_back(msg);
    if (log_) log_->log(hal::log_level::warning, "p2pdma", msg);
}

bool p2pdma::has_acs_redir(int index) const {
    const pci_dev& d = topo_.devices[static_cast<unsigned>(index)];
    return d.acs_cap && (d.acs_ctrl & acs_redirect_bits);
}

bool p2pdma::whitelisted(unsigned host_bridge, bool same_host_bridge, bool warn_it) {
    if (host_bridge >= topo_.host_bridges.size()) return false;
    const p2p_host_bridge& hb = topo_.host_bridges[host_bridge];
    for (const auto& e : default_p2p_whitelist()) {
        if (e.vendor != hb.vendor || e.device != hb.device) continue;
        // Listed "same host bridge only": a pair across host bridges is not accepted.
        return !(e.req_same_host_bridge && !same_host_bridge);
    }
    if (warn_it) {
        char buf[80];
        std::snprintf(buf, sizeof buf, "Host bridge not in P2PDMA whitelist: %04x:%04x", hb.vendor,
                      hb.device);
        warn(buf);
    }
    return false;
}

bool p2pdma::host_bridge_whitelist(int provider, int client, bool warn_it) {
    const unsigned ha = topo_.devices[static_cast<unsigned>(provider)].host_bridge;
    const unsigned hb = topo_.devices[static_cast<unsigned>(client)].host_bridge;
    if (ha >= topo_.host_bridges.size() || hb >= topo_.host_bridges.size()) return false;
    if (ha == hb) return whitelisted(ha, true, warn_it);
    return whitelisted(ha, false, warn_it) && whitelisted(hb, false, warn_it);
}

int p2pdma::calc_map_type_and_dist(int provider, int client, p2pdma_map_type& type, int& dist,
                                   bool verbose) {
    type = p2pdma_map_type::unknown;
    dist = no_distance;
    if (!valid(provider) || !valid(client)) return -ENODEV;
    acs_list_.clear();
    unsigned redirects = 0;
    auto note = [&](int index) {
        if (!has_acs_redir(index)) return;
        const pci_dev& d = topo_.devices[static_cast<unsigned>(index)];
        char buf[16];
        std::snprintf(buf, sizeof buf, "%02x:%02x.%x", d.bus, d.dev, d.fn);
        if (!acs_list_.empty()) acs_list_ += ';';
        acs_list_ += buf;
        ++redirects;
    };
    auto up = [this](int index) { return topo_.devices[static_cast<unsigned>(index)].parent; };
    // A parent index outside the topology ends a walk (and the path count bounds a loop).
    const int max_steps = static_cast<int>(topo_.devices.size());

    int dist_a = 0, dist_b = 0, common = -1;
    for (int a = provider; valid(a) && dist_a <= max_steps; a = up(a), ++dist_a) {
        note(a);
        dist_b = 0;
        for (int b = client; valid(b) && dist_b <= max_steps; b = up(b), ++dist_b) {
            if (b == a) {
                common = a;
                break;
            }
        }
        if (common >= 0) break;
    }
    dist = dist_a + dist_b;
    if (common >= 0) {
        for (int b = client; valid(b) && b != common; b = up(b))
            note(b);
        if (!redirects) {
            type = p2pdma_map_type::bus_addr;
            return 0;
        }
        if (verbose) {
            warn(topo_.devices[static_cast<unsigned>(client)].name() +
                 ": ACS redirect is set between the client and provider (" +
                 topo_.devices[static_cast<unsigned>(provider)].name() + ")");
            warn("to disable ACS redirect for this path, add the kernel parameter: "
                 "pci=disable_acs_redir=" +
                 acs_list_);
        }
    }
    type = p2pdma_map_type::thru_host_bridge;
    if (!p_.cpu_supports_p2pdma && !host_bridge_whitelist(provider, client, verbose)) {
        if (verbose)
            warn(topo_.devices[static_cast<unsigned>(client)].name() +
                 ": cannot be used for peer-to-peer DMA as the client and provider (" +
                 topo_.devices[static_cast<unsigned>(provider)].name() +
                 ") do not share an upstream bridge or whitelisted host bridge");
        type = p2pdma_map_type::not_supported;
    }
    return 0;
}

int p2pdma::distance_many(int provider, const std::vector<int>& clients, bool verbose) {
    if (clients.empty() || !valid(provider)) return no_distance;
    int total = 0;
    bool not_supported = false;
    for (int c : clients) {
        if (!valid(c)) {
            warn("client index " + std::to_string(c) + ": not a PCI device");
            return no_distance;
        }
        p2pdma_map_type t;
        int d = 0;
        calc_map_type_and_dist(provider, c, t, d, verbose);
        if (t == p2pdma_map_type::not_supported) not_supported = true;
        total += d;
    }
    return not_supported ? no_distance : total;
}

p2pdma::provider_state* p2pdma::state_of(int provider) {
    return valid(provider) ? &providers_[static_cast<unsigned>(provider)] : nullptr;
}
const p2pdma::provider_state* p2pdma::state_of(int provider) const {
    return valid(provider) ? &providers_[static_cast<unsigned>(provider)] : nullptr;
}

int p2pdma::add_resource(int provider, unsigned bar, std::uint64_t size, std::uint64_t offset) {
    provider_state* s = state_of(provider);
    if (!s) return -ENODEV;
    const pci_dev& d = topo_.devices[static_cast<unsigned>(provider)];
    if (bar >= d.bars.size()) {
        warn(d.name() + ": BAR " + std::to_string(bar) + " does not exist");
        return -EINVAL;
    }
    const pci_bar& b = d.bars[bar];
    if (!b.size || b.io) {
        warn(d.name() + ": BAR " + std::to_string(bar) + " is not a memory BAR");
        return -EINVAL;
    }
    if (offset >= b.size) {
        warn(d.name() + ": offset beyond BAR " + std::to_string(bar));
        return -EINVAL;
    }
    if (!size) size = b.size - offset;
    if (size > b.size - offset || size % p_.alloc_granule_bytes) {
        warn(d.name() + ": p2p range of " + std::to_string(size) + " bytes does not fit BAR " +
             std::to_string(bar) + " in whole granules");
        return -EINVAL;
    }
    const range r{b.addr + offset, size};
    for (const range& o : s->regions)
        if (r.base < o.base + o.size && o.base < r.base + r.size) {
            warn(d.name() + ": p2p range overlaps one already registered");
            return -EINVAL;
        }
    s->regions.push_back(r);
    s->free_list.push_back(r);
    std::sort(s->free_list.begin(), s->free_list.end(),
              [](const range& x, const range& y) { return x.base < y.base; });
    s->total += size;
    return 0;
}

int p2pdma::publish(int provider, bool publish) {
    provider_state* s = state_of(provider);
    if (!s || s->regions.empty()) return -ENODEV;
    s->published = publish;
    return 0;
}

bool p2pdma::published(int provider) const {
    const provider_state* s = state_of(provider);
    return s && s->published;
}

int p2pdma::find_many(const std::vector<int>& clients) {
    int best = -ENODEV, best_dist = 0;
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        if (!providers_[i].published) continue;
        const int d = distance_many(static_cast<int>(i), clients, false);
        if (d < 0) continue;
        if (best < 0 || d < best_dist) {
            best = static_cast<int>(i);
            best_dist = d;
        }
    }
    return best;
}

int p2pdma::alloc(int provider, std::uint64_t size, std::uint64_t& cpu_addr) {
    provider_state* s = state_of(provider);
    if (!s || s->regions.empty()) return -ENODEV;
    if (!size) return -EINVAL;
    const std::uint64_t g = p_.alloc_granule_bytes;
    if (size > UINT64_MAX - g) return -ENOMEM;
    const std::uint64_t need = (size + g - 1) / g * g;
    for (auto it = s->free_list.begin(); it != s->free_list.end(); ++it) {
        if (it->size < need) continue;
        cpu_addr = it->base;
        it->base += need;
        it->size -= need;
        if (!it->size) s->free_list.erase(it);
        return 0;
    }
    return -ENOMEM;
}

int p2pdma::free(int provider, std::uint64_t cpu_addr, std::uint64_t size) {
    provider_state* s = state_of(provider);
    if (!s || s->regions.empty()) return -ENODEV;
    const std::uint64_t g = p_.alloc_granule_bytes;
    if (!size || size > UINT64_MAX - g || cpu_addr % g) return -EINVAL;
    const std::uint64_t len = (size + g - 1) / g * g;
    // Inside one registered region and not overlapping anything free.
    bool inside = false;
    for (const range& r : s->regions)
        inside |= cpu_addr >= r.base && len <= r.size && cpu_addr - r.base <= r.size - len;
    if (!inside) return -EINVAL;
    for (const range& f : s->free_list)
        if (cpu_addr < f.base + f.size && f.base < cpu_addr + len) return -EINVAL;
    s->free_list.push_back(range{cpu_addr, len});
    std::sort(s->free_list.begin(), s->free_list.end(),
              [](const range& x, const range& y) { return x.base < y.base; });
    std::vector<range> merged;
    for (const range& f : s->free_list) {
        if (!merged.empty() && merged.back().base + merged.back().size == f.base)
            merged.back().size += f.size;
        else
            merged.push_back(f);
    }
    s->free_list.swap(merged);
    return 0;
}

std::uint64_t p2pdma::available(int provider) const {
    const provider_state* s = state_of(provider);
    if (!s) return 0;
    std::uint64_t n = 0;
    for (const range& f : s->free_list)
        n += f.size;
    return n;
}

int p2pdma::map(int provider, int client, std::uint64_t cpu_addr, std::uint64_t len,
                p2p_mapping& out) {
    out = p2p_mapping{};
    provider_state* s = state_of(provider);
    if (!s || !valid(client)) return -ENODEV;
    if (!len) return -EINVAL;
    bool inside = false;
    for (const range& r : s->regions)
        inside |= cpu_addr >= r.base && len <= r.size && cpu_addr - r.base <= r.size - len;
    if (!inside) {
        warn(topo_.devices[static_cast<unsigned>(provider)].name() + ": address " +
             std::to_string(cpu_addr) + " is not p2p memory of this provider");
        return -EINVAL;
    }
    int dist = 0;
    calc_map_type_and_dist(provider, client, out.type, dist, true);
    switch (out.type) {
    case p2pdma_map_type::bus_addr: {
        const unsigned hb = topo_.devices[static_cast<unsigned>(provider)].host_bridge;
        const std::int64_t off =
            hb < topo_.host_bridges.size() ? topo_.host_bridges[hb].bus_offset : 0;
        out.dma_addr = cpu_addr + static_cast<std::uint64_t>(off);
        out.bus_address = true;
        return 0;
    }
    case p2pdma_map_type::thru_host_bridge: {
        const unsigned hb = topo_.devices[static_cast<unsigned>(client)].host_bridge;
        const std::int64_t off =
            hb < topo_.host_bridges.size() ? topo_.host_bridges[hb].bus_offset : 0;
        out.dma_addr = cpu_addr + static_cast<std::uint64_t>(off);
        return 0;
    }
    default:
        warn(topo_.devices[static_cast<unsigned>(client)].name() + " -> " +
             topo_.devices[static_cast<unsigned>(provider)].name() + ": p2p not supported (" +
             bdf(topo_.devices[static_cast<unsigned>(provider)]) + ")");
        return -EREMOTEIO;
    }
}

} // namespace fw::host

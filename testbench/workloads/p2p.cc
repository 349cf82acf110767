// Workload p2p: peer-to-peer. The host enumerates the tree and computes p2pdma distances and
// map types; a provider publishes BAR memory and a client's eDMA writes and reads it by bus
// address, CRC checked, with every port's counters during each direction. Without a topology
// in the configuration it brings its own: two endpoints under a switch.
#include "contracts/p2p_regs.h"
#include "firmware/functions/p2p_dma.h"
#include "firmware/hal/crc32.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"
#include "firmware/host/p2pdma.h"
#include "model/core/log.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"

#include <algorithm>
#include <cstdio>

namespace epvp::tb::builtin {

namespace {

// Workload p2p: one port's traffic over a phase (a switch port or a root port), both directions
// as the port sees them: in = received from its link, out = sent on it (payload bytes).
struct p2p_port_traffic {
    std::string port; // "root port 0", "sw0 upstream", "sw0 port 1"
    std::uint64_t tlps_in = 0, tlps_out = 0, bytes_in = 0, bytes_out = 0;
    // Routing events in the phase: root ports: forwarded + reflected + blocked; switch ports:
    // ACS redirects; both: route-to-self and UR.
    std::uint64_t p2p_via_root = 0, acs_redirects = 0, route_to_self = 0, unsupported = 0;
    bool root_port = false;
};
struct p2p_pair_row {
    std::string provider, client; // "03:00.0"
    fw::host::p2pdma_map_type type = fw::host::p2pdma_map_type::unknown;
    int distance = 0;
    std::string acs_redirects; // devices counted as ACS redirects on the path
};
struct p2p_result {
    bool ran = false;
    int status = 0;                  // setup: 0 or a negative errno (no such endpoint, ...)
    int enumerate_status = 0;        // the enumeration's own (setup can fail after it succeeded)
    std::vector<std::string> tree;   // the enumerated tree, one function a line
    std::vector<p2p_pair_row> pairs; // every ordered pair of endpoints
    std::string provider, client;
    fw::host::p2p_mapping mapping;
    int map_status = 0; // 0 or -EREMOTEIO (not supported)
    bool forced = false, self = false;
    bool dma_issued = false;
    std::uint64_t peer_addr = 0;
    fw::functions::p2p_client_report client_fw; // what the client's firmware saw
    int host_status = 0;                        // waiting for the client / reading results
    std::vector<p2p_port_traffic> write_ports, read_ports; // per direction, during the DMA
    std::vector<std::string> errors; // AER and Device Status findings after the transfers
    // Shadow check: the CRC of the provider's memory the testbench reads after the run.
    bool shadow_checked = false;
    std::uint32_t shadow_crc = 0;
    std::vector<std::uint64_t> bar_phys;   // per endpoint SoC: local address behind the p2p BAR
    std::uint64_t provider_bar_offset = 0; // peer address - the provider's BAR address
    bool ok() const;
};

bool p2p_result::ok() const {
    if (!ran || status || host_status) return false;
    if (!dma_issued) return map_status != 0; // refused before any DMA: the right answer
    if (forced || self || client_fw.status) return false;
    return client_fw.data_ok() && (!shadow_checked || shadow_crc == client_fw.write.crc);
}

// ---- p2p ----------------------------------------------------------------------------------
// Where the client signals completion: a host memory word the host software leaves alone.
constexpr std::uint64_t p2p_flag_offset = 80ull << 20;
constexpr std::uint64_t p2p_poll_ns = 10'000;
constexpr unsigned bits_per_word = 32;

// Every root port's and switch port's counters now.
std::vector<p2p_port_traffic> port_traffic(platform& p) {
    std::vector<p2p_port_traffic> rows;
    for (unsigned i = 0; i < p.rc.root_ports(); ++i) {
        const auto& s = p.rc.port_stats(i);
        p2p_port_traffic t;
        t.port = "root port " + std::to_string(i);
        t.root_port = true;
        t.tlps_in = s.tlps_in;
        t.tlps_out = s.tlps_out;
        t.bytes_in = s.bytes_in;
        t.bytes_out = s.bytes_out;
        t.p2p_via_root = s.p2p_forwarded + s.p2p_reflected + s.p2p_blocked;
        t.route_to_self = s.route_to_self;
        t.unsupported = s.unsupported;
        rows.push_back(t);
    }
    for (unsigned k = 0; k < p.switch_count(); ++k) {
        pcie::pcie_switch& sw = p.switch_at(k);
        const std::string name = p.config().topology.switches[k].name;
        for (unsigned i = 0; i <= sw.downstream_ports(); ++i) {
            const bool up = i == 0;
            const auto& s = up ? sw.upstream_stats() : sw.downstream_stats(i - 1);
            p2p_port_traffic t;
            t.port = name + (up ? " upstream" : " port " + std::to_string(i - 1));
            t.tlps_in = s.tlps_in;
            t.tlps_out = s.tlps_out;
            t.bytes_in = s.bytes_in;
            t.bytes_out = s.bytes_out;
            t.acs_redirects = s.acs_redirects;
            t.route_to_self = s.route_to_self;
            t.unsupported = s.unsupported;
            rows.push_back(t);
        }
    }
    return rows;
}

std::vector<p2p_port_traffic> traffic_since(platform& p, const std::vector<p2p_port_traffic>& a) {
    std::vector<p2p_port_traffic> b = port_traffic(p);
    for (std::size_t i = 0; i < b.size() && i < a.size(); ++i) {
        b[i].tlps_in -= a[i].tlps_in;
        b[i].tlps_out -= a[i].tlps_out;
        b[i].bytes_in -= a[i].bytes_in;
        b[i].bytes_out -= a[i].bytes_out;
        b[i].p2p_via_root -= a[i].p2p_via_root;
        b[i].acs_redirects -= a[i].acs_redirects;
        b[i].route_to_self -= a[i].route_to_self;
        b[i].unsupported -= a[i].unsupported;
    }
    return b;
}

std::string tree_line(const fw::host::pci_host& host, const fw::host::pci_dev& d) {
    unsigned depth = 0;
    for (int up = d.parent; up >= 0; up = host.tree()[static_cast<std::size_t>(up)].parent)
        ++depth;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%*s%s [%04x:%04x] %s", static_cast<int>(2 * depth), "",
                  d.name().c_str(), d.vendor, d.device, fw::host::to_string(d.type));
    std::string line = buf;
    if (d.is_bridge()) {
        std::snprintf(buf, sizeof buf, ", buses %02x-%02x", d.secondary, d.subordinate);
        line += buf;
    }
    if (d.acs_cap) {
        std::snprintf(buf, sizeof buf, ", ACS ctrl %04x", d.acs_ctrl);
        line += buf;
    }
    for (unsigned b = 0; b < d.bars.size(); ++b)
        if (d.bars[b].size && !d.bars[b].io) {
            std::snprintf(buf, sizeof buf, ", BAR%u %s+%s", b, fw::hex(d.bars[b].addr).c_str(),
                          fw::hex(d.bars[b].size).c_str());
            line += buf;
        }
    return line;
}

// The host's side of workload p2p: enumerate, orchestrate, hand the client its job, wait for
// the done flag in host memory, collect results and every bridge's AER findings.
void p2p_host(hal::platform& io, const hal::host_board& hb, const cfg::platform_config& c,
              p2p_result& r) {
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const auto& w = c.workload.p2p;
    fw::host::pci_host host(io, hb, timeout_ns, c.host.crs_retry_us * ns_per_us);
    std::vector<fw::host::pci_dev> eps;
    if ((r.status = r.enumerate_status = host.enumerate(eps))) return;
    if (w.acs_redirect) // what Linux's pci_enable_acs() does on an IOMMU system, minus SV/UF
        for (std::size_t i = 0; i < host.tree().size(); ++i)
            if (host.tree()[i].type == fw::host::pci_dev_type::downstream_port &&
                host.tree()[i].acs_cap)
                host.set_acs_ctrl(static_cast<int>(i), fw::host::acs::RR | fw::host::acs::CR);
    for (const auto& d : host.tree())
        r.tree.push_back(tree_line(host, d));

    fw::host::p2pdma orch(fw::host::p2pdma::from_host(host));
    auto idx = [&](const fw::host::pci_dev& d) { return orch.find(d.bus, d.dev, d.fn); };
    for (const auto& a : eps)
        for (const auto& b : eps) {
            p2p_pair_row row;
            row.provider = a.name();
            row.client = b.name();
            orch.calc_map_type_and_dist(idx(a), idx(b), row.type, row.distance);
            row.acs_redirects = orch.acs_redirect_list();
            r.pairs.push_back(row);
        }
    if (w.provider >= eps.size() || w.client >= eps.size()) {
        r.status = -ENODEV;
        r.errors.push_back("workload.p2p.provider/client: " + std::to_string(eps.size()) +
                           " endpoints were found");
        return;
    }
    const fw::host::pci_dev& prov = eps[w.provider];
    const fw::host::pci_dev& cli = eps[w.client];
    r.provider = prov.name();
    r.client = cli.name();
    const int pi = idx(prov), ci = idx(cli);
    std::uint64_t cpu_addr = 0;
    if ((r.status = orch.add_resource(pi, w.bar, w.bytes, w.offset_bytes)) ||
        (r.status = orch.publish(pi)))
        return;
    const int found = orch.find_many({ci});
    r.map_status = -ENODEV;
    if (found == pi && !(r.status = orch.alloc(pi, w.bytes, cpu_addr)))
        r.map_status = orch.map(pi, ci, cpu_addr, w.bytes, r.mapping);
    else if (found < 0) // no published provider the client can reach: what map says
        r.map_status = orch.map(pi, ci, prov.bars[w.bar].addr + w.offset_bytes, w.bytes, r.mapping);
    if (r.status) return;
    r.forced = r.map_status != 0 && w.force;
    r.self = w.target == cfg::p2p_target::self;
    if (r.self)
        r.peer_addr = cli.bars[w.bar].addr + w.offset_bytes;
    else if (r.map_status == 0)
        r.peer_addr = r.mapping.dma_addr;
    else if (r.forced) // the provider's BAR as the CPU sees it
        r.peer_addr = prov.bars[w.bar].addr + w.offset_bytes;
    else
        return; // "not supported": no DMA
    r.provider_bar_offset = r.peer_addr - (r.self ? cli : prov).bars[w.bar].addr;

    // The client's mailbox, then the job.
    const std::uint64_t mb = cli.bars[p2p_job::MAILBOX_BAR].addr;
    const std::uint64_t start = io.now_ns();
    while (io.rd32(mb + p2p_job::MAGIC) != p2p_job::MAGIC_VALUE ||
           io.rd32(mb + p2p_job::STATE) != p2p_job::STATE_READY) {
        if (io.now_ns() - start >= timeout_ns) {
            r.host_status = -ETIMEDOUT;
            r.errors.push_back(cli.name() + ": the p2p mailbox never became ready");
            return;
        }
        io.delay_ns(p2p_poll_ns);
    }
    const std::uint64_t flag = c.host.mem_base + p2p_flag_offset;
    io.wr32(flag, 0);
    io.wr32(mb + p2p_job::PEER_LO, static_cast<std::uint32_t>(r.peer_addr));
    io.wr32(mb + p2p_job::PEER_HI, static_cast<std::uint32_t>(r.peer_addr >> bits_per_word));
    io.wr32(mb + p2p_job::BYTES, static_cast<std::uint32_t>(w.bytes));
    io.wr32(mb + p2p_job::FLAGS, p2p_job::FLAG_WRITE | p2p_job::FLAG_READ);
    io.wr32(mb + p2p_job::HOST_FLAG_LO, static_cast<std::uint32_t>(flag));
    io.wr32(mb + p2p_job::HOST_FLAG_HI, static_cast<std::uint32_t>(flag >> bits_per_word));
    io.wr32(mb + p2p_job::SEED_LO, static_cast<std::uint32_t>(c.sim.seed));
    io.wr32(mb + p2p_job::SEED_HI, static_cast<std::uint32_t>(c.sim.seed >> bits_per_word));
    io.wr32(mb + p2p_job::STATE, p2p_job::STATE_GO);
    r.dma_issued = true;
    // Waiting on host memory keeps the root ports quiet while the client works.
    const std::uint64_t go = io.now_ns();
    while (io.rd32(flag) != p2p_job::DONE_VALUE) {
        if (io.now_ns() - go >= timeout_ns) {
            r.host_status = -ETIMEDOUT;
            r.errors.push_back(cli.name() + ": no done flag from the client");
            break;
        }
        io.delay_ns(p2p_poll_ns);
    }
    if (io.rd32(mb + p2p_job::STATE) != p2p_job::STATE_DONE && !r.host_status) r.host_status = -EIO;
    // What the fabric recorded: every bridge's AER (read and cleared).
    for (const auto& d : host.tree()) {
        if (!d.is_bridge()) continue;
        const std::string aer = host.take_aer_errors(d);
        if (!aer.empty())
            r.errors.push_back(d.name() + " (" + fw::host::to_string(d.type) + ")" + aer);
    }
}

void p2p_load(platform& p, workload_result& out, p2p_result& r) {
    const auto& c = p.config();
    const auto& w = c.workload.p2p;
    const unsigned needed = std::max(w.provider, w.client) + 1;
    if (needed > p.endpoint_count())
        throw cfg::config_error(
            "workload p2p: workload.p2p.provider = " + std::to_string(w.provider) +
            " and workload.p2p.client = " + std::to_string(w.client) + " need " +
            std::to_string(needed) + " endpoints, the topology has " +
            std::to_string(p.endpoint_count()) +
            " (add a second endpoint to topology.endpoints, or run without a topology for the "
            "default provider and client under a switch)");
    r.ran = true;
    r.bar_phys.assign(p.endpoint_count(), 0);
    fw::functions::p2p_client_params cp;
    cp.timeout_ns = c.host.test_timeout_us * ns_per_us;
    for (unsigned i = 0; i < p.endpoint_count(); ++i) {
        endpoint_soc& soc = p.endpoint(i);
        auto ep_params = epf_params(soc.config());
        ep_params.claim_dma = false; // a client's job uses the channels
        const unsigned bar = c.workload.p2p.bar;
        // Every endpoint publishes a mailbox; the one the host picks as client gets the job.
        load_test_endpoint(soc, ep_params,
                           [cp, bar, i, &p, &r](fw::functions::endpoint_services& s) {
                               r.bar_phys[i] = s.function.bar(bar).phys_addr;
                               fw::functions::p2p_client client(s, cp);
                               if (client.wait_job() == 0) {
                                   // The fabric's counters around each direction (the host is
                                   // waiting on its own memory, so the DMA is all that moves).
                                   auto before = port_traffic(p);
                                   client.write_to_peer();
                                   r.write_ports = traffic_since(p, before);
                                   before = port_traffic(p);
                                   client.read_from_peer();
                                   r.read_ports = traffic_since(p, before);
                               }
                               if (client.report().job.bytes) r.client_fw = client.report();
                               client.finish();
                           });
    }
    const hal::host_board& hb = p.host_board();
    p.load_host([&out, &hb, &c, &r](hal::platform& io) {
        p2p_host(io, hb, c, r);
        out.enumerate_status = r.enumerate_status;
        out.host_finished = true;
    });
}

// Shadow check: the provider's memory (or the client's own, for a route-to-self run) holds what
// the client says it wrote.
void p2p_shadow_check(platform& p, p2p_result& r) {
    if (!r.dma_issued || r.client_fw.job.bytes == 0) return;
    const std::string& target = r.self ? r.client : r.provider;
    for (unsigned i = 0; i < p.endpoint_count(); ++i) {
        endpoint_soc& soc = p.endpoint(i);
        char bdf[16];
        const std::uint16_t id = soc.ep.requester_id();
        constexpr unsigned bus_shift = 8, dev_shift = 3, dev_mask = 0x1F, fn_mask = 0x7;
        std::snprintf(bdf, sizeof bdf, "%02x:%02x.%x", id >> bus_shift,
                      (id >> dev_shift) & dev_mask, id & fn_mask);
        if (target != bdf || !r.bar_phys[i]) continue;
        std::vector<std::uint8_t> data(r.client_fw.job.bytes);
        soc.dram.storage().read(r.bar_phys[i] + r.provider_bar_offset - soc.config().dram.base,
                                data.data(), data.size());
        r.shadow_crc = fw::crc32_le(~0u, data.data(), data.size());
        r.shadow_checked = true;
    }
}

cfg::json p2p_report(const p2p_result& r) {
    cfg::json pairs = cfg::json::array();
    for (const auto& row : r.pairs)
        pairs.push_back({{"provider", row.provider},
                         {"client", row.client},
                         {"distance", row.distance},
                         {"map_type", fw::host::to_string(row.type)},
                         {"acs_redirects", row.acs_redirects}});
    auto ports = [](const std::vector<p2p_port_traffic>& rows) {
        cfg::json a = cfg::json::array();
        for (const auto& t : rows)
            a.push_back({{"port", t.port},
                         {"tlps_in", t.tlps_in},
                         {"bytes_in", t.bytes_in},
                         {"tlps_out", t.tlps_out},
                         {"bytes_out", t.bytes_out},
                         {"p2p_via_root_complex", t.p2p_via_root},
                         {"acs_redirects", t.acs_redirects},
                         {"route_to_self", t.route_to_self},
                         {"unsupported", t.unsupported}});
        return a;
    };
    auto dir = [](const fw::functions::p2p_transfer& t) {
        return cfg::json{{"ran", t.ran},
                         {"status", t.status},
                         {"bytes", t.bytes},
                         {"time_ns", t.ns},
                         {"crc", t.crc}};
    };
    return {{"status", r.ok() ? "PASS" : "FAIL"},
            {"setup_status", r.status},
            {"tree", r.tree},
            {"pairs", pairs},
            {"provider", r.provider},
            {"client", r.client},
            {"map_status", r.map_status},
            {"map_type", fw::host::to_string(r.mapping.type)},
            {"bus_address", r.mapping.dma_addr},
            {"dma_issued", r.dma_issued},
            {"forced", r.forced},
            {"route_to_self_target", r.self},
            {"peer_address", r.peer_addr},
            {"client_status", r.client_fw.status},
            {"write", dir(r.client_fw.write)},
            {"read", dir(r.client_fw.read)},
            {"shadow_checked", r.shadow_checked},
            {"shadow_crc", r.shadow_crc},
            {"write_ports", ports(r.write_ports)},
            {"read_ports", ports(r.read_ports)},
            {"errors", r.errors}};
}

std::string format_p2p(const p2p_result& r) {
    std::string s;
    char buf[256];
    s += "tree:\n";
    for (const auto& line : r.tree)
        s += "  " + line + "\n";
    s += "p2pdma (provider -> client: distance, map type):\n";
    for (const auto& row : r.pairs) {
        std::snprintf(buf, sizeof buf, "  %s -> %s: %d, %s%s%s\n", row.provider.c_str(),
                      row.client.c_str(), row.distance, fw::host::to_string(row.type),
                      row.acs_redirects.empty() ? "" : ", ACS redirect at ",
                      row.acs_redirects.c_str());
        s += buf;
    }
    if (!r.provider.empty()) {
        std::snprintf(
            buf, sizeof buf, "provider %s, client %s: map %s", r.provider.c_str(), r.client.c_str(),
            r.map_status ? fw::err_name(r.map_status) : fw::host::to_string(r.mapping.type));
        s += buf;
        if (!r.map_status) s += ", bus address " + fw::hex(r.mapping.dma_addr);
        if (r.map_status && !r.dma_issued) s += ": not supported, no DMA issued";
        if (r.forced) s += ": forced, DMA to " + fw::hex(r.peer_addr);
        if (r.self)
            s += "; target: the client's own BAR " + fw::hex(r.peer_addr) + " (route-to-self)";
        s += "\n";
    }
    auto dir = [&](const char* name, const fw::functions::p2p_transfer& t) {
        if (!t.ran) return;
        const double mbps = t.status ? 0
                            : t.ns ? static_cast<double>(t.bytes) * 1e3 / static_cast<double>(t.ns)
                                   : 0;
        std::snprintf(buf, sizeof buf, "%s: %llu bytes, %s, %.3f us, %.1f MB/s, crc %08x\n", name,
                      static_cast<unsigned long long>(t.bytes),
                      t.status ? fw::err_name(t.status) : "OK", static_cast<double>(t.ns) / 1e3,
                      mbps, t.crc);
        s += buf;
    };
    dir(r.self ? "client -> own BAR (eDMA write)" : "client -> provider (eDMA write)",
        r.client_fw.write);
    dir(r.self ? "own BAR -> client (eDMA read) " : "provider -> client (eDMA read) ",
        r.client_fw.read);
    if (r.shadow_checked) {
        std::snprintf(buf, sizeof buf, "target memory crc %08x (%s the data sent)\n", r.shadow_crc,
                      r.shadow_crc == r.client_fw.write.crc ? "equals" : "DIFFERS from");
        s += buf;
    }
    auto ports = [&](const char* name, const std::vector<p2p_port_traffic>& rows) {
        if (rows.empty()) return;
        s += std::string("port counters during the ") + name + " (TLPs / payload bytes):\n";
        std::snprintf(buf, sizeof buf, "  %-16s %8s %12s %8s %12s %8s %6s %6s %6s\n", "port",
                      "TLPs in", "bytes in", "TLPs out", "bytes out", "via-RC", "ACS", "self",
                      "UR");
        s += buf;
        for (const auto& t : rows) {
            std::snprintf(buf, sizeof buf,
                          "  %-16s %8llu %12llu %8llu %12llu %8llu %6llu %6llu %6llu\n",
                          t.port.c_str(), static_cast<unsigned long long>(t.tlps_in),
                          static_cast<unsigned long long>(t.bytes_in),
                          static_cast<unsigned long long>(t.tlps_out),
                          static_cast<unsigned long long>(t.bytes_out),
                          static_cast<unsigned long long>(t.p2p_via_root),
                          static_cast<unsigned long long>(t.acs_redirects),
                          static_cast<unsigned long long>(t.route_to_self),
                          static_cast<unsigned long long>(t.unsupported));
            s += buf;
        }
        std::uint64_t rc_bytes = 0, rc_tlps = 0;
        for (const auto& t : rows)
            if (t.root_port) {
                rc_bytes += t.bytes_in + t.bytes_out;
                rc_tlps += t.tlps_in + t.tlps_out;
            }
        std::snprintf(buf, sizeof buf, "  root complex: %llu TLPs, %llu bytes%s\n",
                      static_cast<unsigned long long>(rc_tlps),
                      static_cast<unsigned long long>(rc_bytes),
                      rc_tlps ? "" : " (nothing crossed it)");
        s += buf;
    };
    ports("write", r.write_ports);
    ports("read", r.read_ports);
    for (const auto& e : r.errors)
        s += "recorded: " + e + "\n";
    std::snprintf(buf, sizeof buf, "p2p: %s\n", r.ok() ? "PASS" : "FAIL");
    s += buf;
    return s;
}

class p2p final : public workload {
public:
    void load(platform& p, workload_result& out) override { p2p_load(p, out, r_); }
    void finish(platform& p, workload_result&) override { p2p_shadow_check(p, r_); }
    void print_results(platform&, const workload_result&, std::ostream& out) const override {
        out << format_p2p(r_);
    }
    void print_summary(platform&, const workload_result&, std::ostream&) const override {
        // format_p2p has said it all.
    }
    void report_after_counters(platform&, const workload_result&, cfg::json& j) const override {
        j["p2p"] = p2p_report(r_);
    }
    bool failed(const workload_result&) const override { return !r_.ok(); }
    std::string failure_reason(const workload_result&) const override {
        if (r_.ok()) return "";
        return "p2p: " +
               (r_.errors.empty() ? std::string(fw::err_name(r_.status)) : r_.errors.front());
    }

private:
    p2p_result r_;
};

} // namespace

void register_p2p(workload_registry& r) {
    r.add({"p2p",
           "peer-to-peer: enumerate the tree, p2pdma distances and map types, a provider publishes "
           "BAR memory and a client's eDMA writes and reads it by bus address, CRC checked, "
           "per-port counters (workload.p2p.*, topology; without one: two endpoints under a "
           "switch)",
           {"workload.p2p.", "topology", "function.test."},
           // Without a topology, the default one: provider and client under a switch.
           [](cfg::json& doc) {
               if (!doc.contains("topology"))
                   cfg::merge(doc, cfg::json{{"topology", cfg::default_p2p_topology()}});
           },
           [] { return std::make_unique<p2p>(); }});
}

} // namespace epvp::tb::builtin

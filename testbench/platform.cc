#include "testbench/platform.h"

#include "model/core/log.h"
#include "model/dwc/app_regs.h"
#include "model/soc/smmu_regs.h"

#include <memory>

namespace epvp::tb {

using sc_core::sc_time;

namespace {
constexpr std::uint64_t ecam_bytes = 256ull << 20;
constexpr std::uint64_t msi_page_bytes = 0x1000;
constexpr unsigned bits_per_byte = 8;
} // namespace

pcie::root_complex_params platform::rc_params(const cfg::platform_config& c) {
    pcie::root_complex_params p;
    p.mem_base = c.host.mem_base;
    p.mem_size = c.host.mem_size_bytes;
    p.msi_base = c.host.msi_base;
    p.ecam_base = c.host.ecam_base;
    p.mmio32_base = c.host.mmio32_base;
    p.mmio32_size = c.host.mmio32_size;
    p.mmio64_base = c.host.mmio64_base;
    p.mmio64_size = c.host.mmio64_size;
    p.read_latency = sc_time(static_cast<double>(c.host.read_latency_ns), sc_core::SC_NS);
    p.crs_retry = sc_time(static_cast<double>(c.host.crs_retry_us), sc_core::SC_US);
    p.crs_timeout = sc_time(static_cast<double>(c.host.test_timeout_us), sc_core::SC_US);
    p.max_gen = c.link.gen;
    p.max_width = c.link.width;
    p.mps_supported = c.link.mps;
    p.rcb_bytes = c.link.rcb;
    p.drop_completion_nth_read = c.faults.completion_timeout_nth_read;
    p.ur_nth_read = c.faults.ur_nth_read;
    p.ca_nth_read = c.faults.ca_nth_read;
    p.max_tags = c.link.tags;
    p.vendor_id = c.host.bridge_vendor_id;
    p.device_id = c.host.bridge_device_id;
    p.root_ports = c.topology.endpoints.empty() ? 1 : c.topology.root_ports;
    p.p2p_between_root_ports = c.host.p2p_between_root_ports;
    p.p2p_reflect = c.host.p2p_reflect;
    p.p2p_forward_latency =
        sc_time(static_cast<double>(c.host.p2p_forward_latency_ns), sc_core::SC_NS);
    return p;
}

static pcie::rx_credits rx_credits(const cfg::credit_config& c) {
    pcie::rx_credits r;
    r.posted_header = c.posted_header;
    r.posted_data = c.posted_data;
    r.nonposted_header = c.nonposted_header;
    r.nonposted_data = c.nonposted_data;
    r.completion_header = c.completion_header;
    r.completion_data = c.completion_data;
    return r;
}

static pcie::link_params link_params(const cfg::platform_config& c) {
    pcie::link_params p;
    p.max_gen = c.link.gen;
    p.max_width = c.link.width;
    p.propagation = sc_time(static_cast<double>(c.link.propagation_ns), sc_core::SC_NS);
    p.ecrc = c.link.ecrc;
    p.dllp = c.link.dllp;
    p.mps_bytes = c.link.mps;
    p.host_rx = rx_credits(c.link.host_credits);
    p.host_rx.posted_drain = sc_time(static_cast<double>(c.host.write_absorb_ns), sc_core::SC_NS);
    p.ep_rx = rx_credits(c.link.ep_credits);
    p.datapath_bytes = c.dwc.datapath_bits / bits_per_byte;
    p.core_period = sc_time(1e6 / static_cast<double>(c.dwc.core_clock_mhz), sc_core::SC_PS);
    p.retry.replay_buffer_bytes = c.link.replay_buffer_bytes;
    p.retry.ack_latency = sc_time(static_cast<double>(c.link.ack_latency_ns), sc_core::SC_NS);
    p.retry.replay_timer = sc_time(static_cast<double>(c.link.replay_timer_ns), sc_core::SC_NS);
    p.retry.retrain_time = sc_time(static_cast<double>(c.link.retrain_ns), sc_core::SC_NS);
    p.retry.lcrc_error_rate = c.faults.lcrc_error_rate;
    p.retry.dllp_error_rate = c.faults.dllp_error_rate;
    p.retry.seed = c.faults.seed;
    p.retry.lcrc_nth_tlp = c.faults.lcrc_nth_tlp;
    p.retry.lcrc_direction = c.faults.lcrc_direction == cfg::link_direction::downstream
                                 ? pcie::pcie_link::downstream
                                 : pcie::pcie_link::upstream;
    p.retry.lcrc_count = c.faults.lcrc_count;
    p.down_at = sc_time(static_cast<double>(c.faults.link_down_at_us), sc_core::SC_US);
    p.down_duration = sc_time(static_cast<double>(c.faults.link_down_duration_us), sc_core::SC_US);
    using filter = pcie::link_params::poison_params::filter;
    p.poison.nth_tlp = c.faults.poison_nth_tlp;
    p.poison.rate = c.faults.poison_rate;
    p.poison.direction = c.faults.poison_direction == cfg::link_direction::downstream
                             ? pcie::pcie_link::downstream
                             : pcie::pcie_link::upstream;
    p.poison.type = c.faults.poison_type == cfg::poison_tlp::mwr    ? filter::mwr
                    : c.faults.poison_type == cfg::poison_tlp::cpld ? filter::cpld
                                                                    : filter::any;
    return p;
}

static cpu_params host_cpu_params(const cfg::platform_config& c) {
    cpu_params p;
    p.max_beat_bytes = c.host.mmio_access_bytes;
    p.log_category = "host";
    return p;
}

namespace {
// The link above each endpoint (its own configuration's link), then above each switch (the
// document's): one named "link" without a topology.
std::vector<std::unique_ptr<pcie::pcie_link>> make_links(const cfg::platform_config& c) {
    std::vector<std::unique_ptr<pcie::pcie_link>> links;
    if (c.topology.endpoints.empty()) {
        links.push_back(std::make_unique<pcie::pcie_link>("link", link_params(c)));
        return links;
    }
    for (std::size_t i = 0; i < c.topology.endpoints.size(); ++i)
        links.push_back(std::make_unique<pcie::pcie_link>(
            (c.topology.endpoints[i].name + "_link").c_str(), link_params(c.endpoint_configs[i])));
    for (const auto& s : c.topology.switches)
        links.push_back(
            std::make_unique<pcie::pcie_link>((s.name + "_link").c_str(), link_params(c)));
    return links;
}

std::vector<std::unique_ptr<endpoint_soc>> make_socs(const cfg::platform_config& c) {
    std::vector<std::unique_ptr<endpoint_soc>> socs;
    if (c.topology.endpoints.empty()) {
        socs.push_back(std::make_unique<endpoint_soc>("ep", c));
        return socs;
    }
    for (std::size_t i = 0; i < c.topology.endpoints.size(); ++i)
        socs.push_back(std::make_unique<endpoint_soc>(c.topology.endpoints[i].name.c_str(),
                                                      c.endpoint_configs[i]));
    return socs;
}
} // namespace

platform::~platform() = default;

platform::platform(sc_core::sc_module_name name, const cfg::platform_config& c,
                   const platform_options& o)
    : sc_module(name)
    , msi("msi", c.host.msi_base)
    , host_irqc("host_irqc", hal::host_irq_lines)
    , rc("rc", rc_params(c))
    , host_mem("host_mem", c.host.mem_base, c.host.mem_size_bytes)
    , links_(make_links(c))
    , socs_(make_socs(c))
    , link(*links_.front())
    , ep(socs_.front()->ep)
    , noc(socs_.front()->noc)
    , dram(socs_.front()->dram)
    , smmu(socs_.front()->smmu)
    , irqc(socs_.front()->irqc)
    , ep_cpu(socs_.front()->ep_cpu)
    , host_cpu("host_cpu", host_cpu_params(c), &host_irqc)
    , cfg_(c)
    , opt_(o) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(
        sc_time(static_cast<double>(c.sim.quantum_ns), sc_core::SC_NS));

    // Host side.
    host_cpu.bus.bind(rc.host_in);
    rc.msi_out.bind(msi.in);
    rc.mem_out.bind(host_mem.in);
    msi.msi_irq.bind(host_msi_irq_);
    msi.intx_irq.bind(host_intx_irq_);
    host_irqc.lines[hal::host_irq_msi].bind(host_msi_irq_);
    host_irqc.lines[hal::host_irq_intx].bind(host_intx_irq_);
    if (c.topology.endpoints.empty()) {
        connect_up(link, rc.pcie_tx, rc.pcie_rx);
        link.up_status.bind(rc.link_status(0));
        rc.link_control(0).bind(link.up_control);
        connect_down(link, socs_.front()->ep.pcie_tx, socs_.front()->ep.pcie_rx);
        link.dn_status.bind(socs_.front()->ep.link_status);
        socs_.front()->ep.link_control.bind(link.dn_control);
    } else {
        build_topology();
    }
    for (auto& s : socs_)
        s->wire();

    // Board description.
    host_board_.ram = {c.host.mem_base, c.host.mem_size_bytes};
    host_board_.ecam = {c.host.ecam_base, ecam_bytes};
    host_board_.mmio32 = {c.host.mmio32_base, c.host.mmio32_size};
    host_board_.mmio64 = {c.host.mmio64_base, c.host.mmio64_size};
    host_board_.mrrs_bytes = c.link.mrrs;
    host_board_.msi_doorbell = {c.host.msi_base, msi_page_bytes};
    host_board_.msi_regs = {c.host.msi_base + msi_page_bytes, msi_page_bytes};

    install_iatu(c);
    SC_THREAD(power_on);
    logger::get().set_time_source(
        []() { return static_cast<std::uint64_t>(sc_core::sc_time_stamp().value()); });
}

void platform::load_host(program p) {
    host_cpu.load(std::move(p), []() { sc_core::sc_stop(); });
}

void platform::build_topology() {
    const auto& topo = cfg_.topology;
    for (std::size_t i = 0; i < topo.switches.size(); ++i) {
        const auto& s = topo.switches[i];
        pcie::pcie_switch_params sp;
        sp.downstream_ports = s.downstream_ports;
        sp.forward_latency = sc_time(static_cast<double>(s.forward_latency_ns), sc_core::SC_NS);
        sp.max_gen = cfg_.link.gen;
        sp.max_width = cfg_.link.width;
        sp.mps_supported = cfg_.link.mps;
        switches_.push_back(std::make_unique<pcie::pcie_switch>(s.name.c_str(), sp));
    }
    // Connects the upstream end of `l` to what `parent`/`port` names.
    auto attach_above = [this](pcie::pcie_link& l, const std::string& parent, unsigned port) {
        if (parent == "root") {
            connect_up(l, rc.tx(port), rc.rx(port));
            l.up_status.bind(rc.link_status(port));
            rc.link_control(port).bind(l.up_control);
            return;
        }
        for (std::size_t k = 0; k < cfg_.topology.switches.size(); ++k) {
            if (cfg_.topology.switches[k].name != parent) continue;
            pcie::pcie_switch& sw = *switches_[k];
            connect_up(l, sw.dn_tx(port), sw.dn_rx(port));
            l.up_status.bind(sw.dn_link_status(port));
        }
    };
    for (std::size_t i = 0; i < topo.switches.size(); ++i) {
        pcie::pcie_link& l = switch_link(static_cast<unsigned>(i));
        attach_above(l, topo.switches[i].parent, topo.switches[i].port);
        connect_down(l, switches_[i]->up_tx, switches_[i]->up_rx);
        l.dn_status.bind(switches_[i]->up_link_status());
    }
    for (std::size_t i = 0; i < topo.endpoints.size(); ++i) {
        pcie::pcie_link& l = endpoint_link(static_cast<unsigned>(i));
        attach_above(l, topo.endpoints[i].parent, topo.endpoints[i].port);
        connect_down(l, socs_[i]->ep.pcie_tx, socs_[i]->ep.pcie_rx);
        l.dn_status.bind(socs_[i]->ep.link_status);
        socs_[i]->ep.link_control.bind(l.dn_control);
    }
}

void platform::connect(tlm::tlm_initiator_socket<>& from, tlm::tlm_target_socket<>& to,
                       const std::string& monitor_name) {
    if (!opt_.monitor_links) {
        from.bind(to);
        return;
    }
    monitors_.push_back(std::make_unique<pcie::tlm_monitor>(monitor_name.c_str()));
    from.bind(monitors_.back()->in);
    monitors_.back()->out.bind(to);
}

void platform::connect_up(pcie::pcie_link& l, tlm::tlm_initiator_socket<>& tx,
                          tlm::tlm_target_socket<>& rx) {
    connect(tx, l.up_in, std::string(l.basename()) + "_mon_up_in");
    connect(l.up_out, rx, std::string(l.basename()) + "_mon_up_out");
}

void platform::connect_down(pcie::pcie_link& l, tlm::tlm_initiator_socket<>& tx,
                            tlm::tlm_target_socket<>& rx) {
    connect(l.dn_out, rx, std::string(l.basename()) + "_mon_dn_out");
    connect(tx, l.dn_in, std::string(l.basename()) + "_mon_dn_in");
}

std::string platform::endpoint_parent(unsigned i) const {
    const auto& e = cfg_.topology.endpoints.at(i);
    return (e.parent == "root" ? std::string("root port") : e.parent + " port") + " " +
           std::to_string(e.port);
}

std::string platform::switch_parent(unsigned i) const {
    const auto& s = cfg_.topology.switches.at(i);
    return (s.parent == "root" ? std::string("root port") : s.parent + " port") + " " +
           std::to_string(s.port);
}

void platform::power_on() {
    for (auto& s : socs_)
        s->ep.set_perst(false); // the host deasserts PERST# at power-up
    if (switches_.empty()) return;
    // A switch has no firmware: its upstream link trains once the switch is out of reset.
    wait(sc_time(static_cast<double>(cfg_.link.training_us), sc_core::SC_US));
    for (std::size_t i = 0; i < switches_.size(); ++i)
        switch_link(static_cast<unsigned>(i)).train(cfg_.link.gen, cfg_.link.width);
}

bool platform::run() {
    sc_core::sc_start(sc_time(static_cast<double>(cfg_.sim.time_limit_us), sc_core::SC_US));
    return host_cpu.finished();
}

bool platform::run(const sc_time& slice, const std::function<void()>& between) {
    const sc_time limit(static_cast<double>(cfg_.sim.time_limit_us), sc_core::SC_US);
    while (!host_cpu.finished() && sc_core::sc_get_status() != sc_core::SC_STOPPED &&
           sc_core::sc_time_stamp() < limit) {
        sc_core::sc_start(std::min(slice, limit - sc_core::sc_time_stamp()));
        between();
    }
    return host_cpu.finished();
}

std::string platform::firmware_failure() const {
    for (std::size_t i = 0; i < socs_.size(); ++i)
        if (socs_[i]->iss && !socs_[i]->iss->failure().empty())
            return (socs_.size() > 1 ? "endpoint " + std::to_string(i) + ": " : std::string()) +
                   socs_[i]->iss->failure();
    return "";
}

} // namespace epvp::tb

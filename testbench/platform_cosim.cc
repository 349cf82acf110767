// The platform's optional instruments: the RTL iATU in place of the TLM one (dwc.iatu.impl),
// waves of the RTL island and of the model's signals (--waves), the link's TLPs in the
// transaction trace (--trace). Nothing here runs unless asked for.
#include "testbench/platform.h"

#include "model/core/instance_name.h"
#include "model/core/log.h"
#include "model/core/trace_events.h"
#include "model/pcie/tlp.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#ifdef EPVP_RTL_COSIM
#include "rtl-bridge/rtl_axi_slave.h"
#include "rtl-bridge/rtl_iatu_unit.h"
#endif

namespace epvp::tb {

using sc_core::sc_time;

namespace {

std::uint64_t to_ps(const sc_time& t) {
    return static_cast<std::uint64_t>(t / sc_time(1, sc_core::SC_PS));
}

const char* direction_name(pcie::pcie_link::direction d) {
    return d == pcie::pcie_link::downstream ? "downstream" : "upstream";
}

// The model's signals in an sc_trace VCD file: the interrupt lines (bound by the caller), the
// LTSSM state and, per link direction, a busy level that is high while a TLP occupies it.
class model_waves : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(model_waves);
    model_waves(sc_core::sc_module_name name, const std::string& file_base)
        : sc_module(name)
        , tf_(sc_core::sc_create_vcd_trace_file(file_base.c_str())) {
        tf_->set_time_unit(1, sc_core::SC_PS);
        sc_core::sc_trace(tf_, ltssm_, "ltssm_state");
        sc_core::sc_trace(tf_, busy_[pcie::pcie_link::downstream], "link_downstream_busy");
        sc_core::sc_trace(tf_, busy_[pcie::pcie_link::upstream], "link_upstream_busy");
        SC_METHOD(apply);
        sensitive << next_;
        dont_initialize();
    }
    ~model_waves() override { close(); }
    // Writes the file's end; later changes are not traced.
    void close() {
        if (tf_) sc_core::sc_close_vcd_trace_file(tf_);
        tf_ = nullptr;
    }

    sc_core::sc_trace_file* file() { return tf_; }
    void ltssm(unsigned state) {
        pending_ltssm_ = state;
        ltssm_changed_ = true;
        schedule(sc_core::sc_time_stamp());
    }
    void tlp(pcie::pcie_link::direction d, sc_time start, sc_time end) {
        changes_.emplace(start, std::make_pair(d, +1));
        changes_.emplace(end, std::make_pair(d, -1));
        schedule(start);
    }

private:
    void schedule(sc_time at) {
        const sc_time now = sc_core::sc_time_stamp();
        next_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
    }
    void apply() {
        const sc_time now = sc_core::sc_time_stamp();
        if (ltssm_changed_) {
            ltssm_.write(pending_ltssm_);
            ltssm_changed_ = false;
        }
        while (!changes_.empty() && changes_.begin()->first <= now) {
            const auto [d, step] = changes_.begin()->second;
            level_[d] += step;
            changes_.erase(changes_.begin());
        }
        for (unsigned d = 0; d < 2; ++d)
            busy_[d].write(level_[d] > 0);
        if (!changes_.empty()) next_.notify(changes_.begin()->first - now);
    }

    sc_core::sc_trace_file* tf_;
    sc_core::sc_signal<unsigned> ltssm_{"ltssm"};
    sc_core::sc_signal<bool> busy_[2];
    sc_core::sc_event next_;
    std::multimap<sc_time, std::pair<unsigned, int>> changes_;
    int level_[2] = {0, 0};
    unsigned pending_ltssm_ = 0;
    bool ltssm_changed_ = false;
};

} // namespace

bool platform::rtl_cosim_built() {
#ifdef EPVP_RTL_COSIM
    return true;
#else
    return false;
#endif
}

void platform::install_iatu(const cfg::platform_config& c) {
    const std::string impl = cfg::choice_name(c.dwc.iatu.impl);
    if (c.dwc.iatu.impl == cfg::iatu_impl::tlm) return;
#ifdef EPVP_RTL_COSIM
    rtl::rtl_iatu_unit_params p;
    p.model = endpoint_soc::ep_params(c).iatu;
    p.lockstep = c.dwc.iatu.impl == cfg::iatu_impl::lockstep;
    p.clock_period = sc_time(static_cast<double>(c.dwc.iatu.rtl_clock_period_ps), sc_core::SC_PS);
    const bool miss_ur = c.dwc.iatu.miss == cfg::miss_policy::ur;
    try {
        rtl::rtl_geometry_for(p.model, miss_ur); // before any module is built
    } catch (const std::invalid_argument& e) {
        throw cfg::config_error("dwc.iatu.impl = " + impl + ": " + e.what());
    }
    auto unit = std::make_unique<rtl::rtl_iatu_unit>("iatu_rtl", p, miss_ur);
    iatu_unit_ = unit.get();
    ep.use_iatu(unit.get());
    iatu_module_ = std::move(unit);
#else
    throw cfg::config_error("dwc.iatu.impl = " + impl +
                            ": this build has no RTL co-simulation (Verilator was not found at "
                            "configure time); available: tlm");
#endif
}

std::vector<std::string> platform::open_waves(const std::string& file) {
    std::vector<std::string> written;
    const auto dot = file.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : file.substr(dot);
    if (ext != ".fst" && ext != ".vcd")
        throw cfg::config_error("--waves " + file + ": the file must end in .fst or .vcd");
#ifdef EPVP_RTL_COSIM
    if (iatu_module_) {
        // The iATU was made before the wave format was known; it has not run yet, so it is
        // re-made in the trace flavour (FST or VCD build) the file needs.
        auto* u = static_cast<rtl::rtl_iatu_unit*>(iatu_module_.get());
        try {
            u->open_waves(file);
        } catch (const std::exception& e) {
            throw cfg::config_error("--waves " + file + ": " + e.what());
        }
        written.push_back(file);
    }
    // Each placed RTL block (soc.rtl_slaves): FILE with ".<endpoint>.<rtlN>" before the extension.
    for (unsigned e = 0; e < endpoint_count(); ++e)
        for (rtl::rtl_axi_slave* s : endpoint(e).rtl_slaves()) {
            const std::string f = file.substr(0, file.rfind('.')) + "." + endpoint(e).basename() +
                                  "." + s->basename() + ext;
            try {
                s->open_waves(f);
            } catch (const std::exception& ex) {
                throw cfg::config_error("--waves " + file + ": " + ex.what());
            }
            written.push_back(f);
        }
#endif
    const std::string vcd = model_waves_file(file);
    const std::string base = vcd.substr(0, vcd.size() - std::string(".vcd").size());
    auto w = std::make_unique<model_waves>("model_waves", base); // sc_trace adds ".vcd"
    endpoint(0).trace_irq_lines(w->file(), "ep_");
    sc_core::sc_trace(w->file(), host_msi_irq_, "host_msi_irq");
    sc_core::sc_trace(w->file(), host_intx_irq_, "host_intx_irq");
    model_waves* raw = w.get();
    ep.on_ltssm_change([raw](dwc::ltssm s) { raw->ltssm(static_cast<unsigned>(s)); });
    link.on_tlp([raw](pcie::pcie_link::direction d, const tlm::tlm_generic_payload&, sc_time start,
                      sc_time end) { raw->tlp(d, start, end); });
    model_waves_ = std::move(w);
    written.push_back(vcd);
    waves_written_ = written;
    model_waves_path_ = vcd;
    return written;
}

namespace {
// Why a wave file just closed is not what was written, or "" when it is. The RTL writers leave an
// empty file when a write failed; SystemC's VCD writer ends a complete file with the line
// "#<end time>", so a model VCD cut short by a failed write lacks it.
std::string wave_file_problem(const std::string& file, bool systemc_vcd) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return "not a regular file (the waves were not kept)";
    const std::uintmax_t bytes = fs::file_size(file, ec);
    if (ec || bytes == 0) return "empty: writing it failed (a full disk?)";
    if (systemc_vcd) {
        std::ifstream in(file, std::ios::binary);
        const std::uintmax_t tail = std::min<std::uintmax_t>(bytes, 64);
        in.seekg(-static_cast<std::streamoff>(tail), std::ios::end);
        std::string end(static_cast<std::size_t>(tail), '\0');
        in.read(end.data(), static_cast<std::streamsize>(tail));
        const auto nl = end.find_last_of('\n', end.size() >= 2 ? end.size() - 2 : 0);
        const std::string last = nl == std::string::npos ? end : end.substr(nl + 1);
        if (!in || end.back() != '\n' || last.size() < 3 || last[0] != '#' ||
            last.find_first_not_of("0123456789", 1) != last.size() - 1)
            return "cut short: writing it failed (a full disk?)";
    }
    return "";
}

// SystemC stamps its VCD with the wall-clock date, so two runs of one configuration would
// differ: the date's characters are overwritten with spaces in place (the same length, so
// nothing moves). "" or what went wrong.
std::string blank_vcd_date(const std::string& file) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    if (!f.is_open()) return "cannot open it again to rewrite its $date header";
    std::string head(256, '\0');
    f.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(f.gcount()));
    const auto date = head.find("$date");
    const auto end = date == std::string::npos ? date : head.find("$end", date);
    if (end == std::string::npos) return "no $date header: not a SystemC VCD";
    for (auto i = date + 5; i < end; ++i)
        if (head[i] != '\n') head[i] = ' ';
    f.clear();
    f.seekp(0);
    f.write(head.data(), static_cast<std::streamsize>(end));
    f.flush();
    return f ? "" : "cannot rewrite its $date header";
}
} // namespace

std::vector<std::string> platform::close_waves() {
#ifdef EPVP_RTL_COSIM
    if (iatu_module_) static_cast<rtl::rtl_iatu_unit*>(iatu_module_.get())->close_waves();
    for (unsigned e = 0; e < endpoint_count(); ++e)
        for (rtl::rtl_axi_slave* s : endpoint(e).rtl_slaves())
            s->close_waves();
#endif
    if (model_waves_) static_cast<model_waves*>(model_waves_.get())->close();
    std::vector<std::string> errors;
    for (const auto& f : waves_written_) {
        std::string why = wave_file_problem(f, f == model_waves_path_);
        if (why.empty() && f == model_waves_path_) why = blank_vcd_date(f);
        if (!why.empty()) errors.push_back("--waves " + f + ": " + why);
    }
    waves_written_.clear();
    return errors;
}

std::string platform::model_waves_file(const std::string& file) {
    return file.substr(0, file.rfind('.')) + ".model.vcd";
}

void platform::trace_links() {
    for (auto& l : links_) {
        const std::string owner = instance_name(*l);
        l->on_tlp([owner](pcie::pcie_link::direction d, const tlm::tlm_generic_payload& gp,
                          sc_time start, sc_time end) {
            trace::recorder* r = trace::recorder::active();
            if (!r) return;
            auto& g = const_cast<tlm::tlm_generic_payload&>(gp);
            const pcie::pcie_tlp& t = pcie::tlp_of(g);
            const int track = r->track("PCIe link", owner + " " + direction_name(d));
            r->complete(track, pcie::to_string(t.type), to_ps(start), to_ps(end - start),
                        {{"addr", hex(gp.get_address())},
                         {"len", std::to_string(gp.get_data_length())},
                         {"tag", std::to_string(t.tag)}});
        });
    }
}

} // namespace epvp::tb

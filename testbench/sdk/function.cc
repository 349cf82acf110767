#include "testbench/sdk/function.h"

#include "firmware/epf/runner.h"
#include "firmware/hal/errno.h"
#include "model/core/log.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"

#include <exception>
#include <systemc>

namespace epvp::sdk {

namespace {

constexpr const char* bus_master_poll_key = "bus_master_poll_us";
constexpr std::uint64_t bus_master_poll_default_us = 10;

class function_workload final : public tb::workload {
public:
    explicit function_workload(std::shared_ptr<const function_desc> d)
        : d_(std::move(d)) {}

    void load(tb::platform& p, tb::workload_result& out) override {
        keys_ = std::make_unique<function_keys>(p.config(), d_->name);
        try {
            fn_ = d_->make_function(*keys_);
        } catch (const std::exception& e) {
            throw cfg::config_error(d_->name + ": creating the function threw: " + e.what());
        } catch (...) {
            throw cfg::config_error(d_->name +
                                    ": creating the function threw a non-standard exception");
        }
        if (!fn_) throw cfg::config_error(d_->name + ": the plugin made no function");
        fw::epf::runner_options o;
        o.name = d_->name;
        o.bus_master_poll_ns = keys_->uint(bus_master_poll_key) * tb::builtin::ns_per_us;
        const hal::ep_board& eb = p.ep_board();
        boot_iss(p, o);
        p.load_ep([this, o, &eb, &out](hal::platform& io) {
            std::string failed;
            int err = 0;
            try {
                err = fw::epf::run_function(io, eb, *fn_, o, failed);
            } catch (const std::exception& e) {
                out.fatal = d_->name + ": the endpoint function threw: " + e.what();
            } catch (...) {
                out.fatal = d_->name + ": the endpoint function threw a non-standard exception";
            }
            if (out.fatal.empty())
                out.fatal = d_->name + ": " + failed + " failed: " + fw::err_name(err);
            sc_core::sc_stop();
        });
        out.tests_planned = d_->tests;
        const hal::host_board& hb = p.host_board();
        const std::uint64_t timeout_ns = p.config().host.test_timeout_us * tb::builtin::ns_per_us;
        const std::uint64_t retry_ns = p.config().host.crs_retry_us * tb::builtin::ns_per_us;
        p.load_host([this, &out, &hb, timeout_ns, retry_ns](hal::platform& io) {
            fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
            out.enumerate_status = host.enumerate(out.devices);
            out.crs_retries = host.crs_retries();
            if (out.enumerate_status == 0 && !out.devices.empty()) {
                fw::host::host_mem mem(io, hb.ram);
                host_context ctx{io,       hb, host,    out.devices.front(), mem, *keys_,
                                 section_, {}, d_->name};
                ctx.emit = [&out](const fw::host::test_result& t) {
                    out.tests.push_back(t);
                    if (out.on_test) out.on_test(static_cast<unsigned>(out.tests.size()), t);
                };
                try {
                    host_status_ = d_->host(ctx);
                } catch (const std::exception& e) {
                    out.fatal = d_->name + ": the host side threw: " + e.what();
                    sc_core::sc_stop();
                    return;
                } catch (...) {
                    out.fatal = d_->name + ": the host side threw a non-standard exception";
                    sc_core::sc_stop();
                    return;
                }
                ran_ = true;
            }
            out.host_finished = true;
        });
    }

    void report_after_counters(tb::platform&, const tb::workload_result&,
                               cfg::json& j) const override {
        if (!ran_) return;
        cfg::json s = section_;
        s["host_status"] = host_status_;
        j[d_->name] = s;
    }
    bool failed(const tb::workload_result& r) const override {
        return !ran_ || host_status_ != 0 || r.tests.size() != d_->tests;
    }
    std::string failure_reason(const tb::workload_result& r) const override {
        if (ran_ && host_status_)
            return d_->name + ": the host side returned " + fw::err_name(host_status_);
        if (ran_ && r.tests.size() != d_->tests)
            return d_->name + ": " + std::to_string(r.tests.size()) + " of " +
                   std::to_string(d_->tests) + " planned tests ran";
        return "";
    }

private:
    // cpu.kind = iss: the same function in the firmware ELF (cpu.elf, built by
    // epvp_add_function(... ISS)), which the guest main finds by name (guest/functions.h) and
    // makes from these values of its number and boolean keys.
    void boot_iss(tb::platform& p, const fw::epf::runner_options& o) const {
        fw::guest::boot_params boot;
        boot.image = fw::guest::boot_image::function;
        boot.cpu_clock_hz = p.config().cpu.clock_mhz * 1'000'000;
        boot.board = p.ep_board();
        boot.function.bus_master_poll_ns = o.bus_master_poll_ns;
        bool fits = fw::guest::set_name(boot.function, d_->name);
        for (const auto& k : d_->keys) {
            const cfg::json& v = keys_->value(k.path);
            if (v.is_boolean() || v.is_number_unsigned())
                fits = fits && fw::guest::add_value(boot.function, k.path,
                                                    v.is_boolean() ? v.get<bool>()
                                                                   : v.get<std::uint64_t>());
        }
        if (!fits && p.config().cpu.kind == cfg::cpu_kind::iss)
            throw cfg::config_error(d_->name + ": cpu.kind = iss passes the firmware ELF at most " +
                                    std::to_string(fw::guest::max_function_values) +
                                    " key values, names of up to 39 characters");
        p.endpoint(0).boot_iss(boot);
    }

    std::shared_ptr<const function_desc> d_;
    std::unique_ptr<function_keys> keys_;
    std::unique_ptr<fw::epf::function> fn_;
    cfg::json section_ = cfg::json::object();
    int host_status_ = 0;
    bool ran_ = false;
};

} // namespace

function_keys::function_keys(const cfg::platform_config& c, std::string name)
    : c_(c)
    , prefix_("function." + std::move(name) + ".") {}

const cfg::json& function_keys::value(const std::string& leaf) const {
    const auto it = c_.registered.find(prefix_ + leaf);
    if (it == c_.registered.end())
        throw std::logic_error("function keys: " + prefix_ + leaf + " was not registered");
    return it->second;
}

void host_context::test(const std::string& name, bool pass, const std::string& reason) {
    fw::host::test_result t;
    t.name = name;
    t.result = pass ? fw::host::verdict::pass : fw::host::verdict::fail;
    t.reason = pass ? "" : reason;
    emit(t);
}

void host_context::skip(const std::string& name, const std::string& reason) {
    emit({name, fw::host::verdict::skip, reason});
}

void host_context::info(const std::string& msg) {
    io.log(hal::log_level::info, category, msg);
}

void add_function(tb::workload_registry& r, function_desc d) {
    if (d.name.empty() || d.name.find_first_of(". ") != std::string::npos || !d.make_function ||
        !d.host)
        throw std::logic_error("add_function: a function needs a name without dots or spaces, "
                               "make_function and host");
    if (r.find(d.name)) throw std::logic_error("add_function: " + d.name + " registered twice");
    const std::string prefix = "function." + d.name + ".";
    // Another function's keys (a built-in's: function.test, function.cmd, ...) are not this one's.
    for (const auto& k : cfg::key_table())
        if (k.path.compare(0, prefix.size(), prefix) == 0)
            throw std::logic_error("add_function: " + d.name + ": function." + d.name +
                                   " is taken (" + k.path + " exists)");
    d.keys.push_back(cfg::uint_key(bus_master_poll_key, bus_master_poll_default_us,
                                   cfg::in_range(1, 1'000'000),
                                   "how often the function runner reads Bus Master Enable while "
                                   "it waits for the host to set it"));
    for (cfg::key_def k : d.keys) {
        k.path = prefix + k.path;
        k.bind = nullptr; // the value goes to platform_config::registered
        cfg::register_key(std::move(k));
    }
    auto shared = std::make_shared<const function_desc>(std::move(d));
    tb::workload_info w;
    w.name = shared->name;
    w.description = shared->description;
    w.keys = {prefix};
    w.log_categories = {shared->name};
    w.make = [shared] { return std::make_unique<function_workload>(shared); };
    r.add(std::move(w));
}

} // namespace epvp::sdk

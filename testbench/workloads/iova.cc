// Workload iova: explicit IOVA management. The function maps BAR0 onto a reserved IOVA range of
// scattered DRAM buffers and the interrupt window; the host rings, checks, and reads a page the
// function unmapped, which must fault. The testbench then checks DRAM itself.
#include "contracts/iova_test_regs.h"
#include "firmware/functions/iova_test.h"
#include "firmware/hal/errno.h"
#include "firmware/host/iova_host.h"
#include "model/core/log.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "testbench/workloads/common.h"

#include <cstdio>

namespace epvp::tb::builtin {

namespace {

class iova final : public workload {
public:
    void load(platform& p, workload_result& out) override;
    void finish(platform& p, workload_result& out) override;
    void print_results(platform&, const workload_result&, std::ostream& out) const override {
        for (const auto& line : fw_.steps)
            out << "endpoint: " << line << "\n";
        for (const auto& line : host_.steps)
            out << "host:     " << line << "\n";
    }
    void print_summary(platform&, const workload_result&, std::ostream& out) const override;
    void report_after_counters(platform& p, const workload_result& r, cfg::json& j) const override;
    bool failed(const workload_result&) const override { return !ok(); }
    std::string failure_reason(const workload_result&) const override;

private:
    bool ok() const {
        return ran_ && fw_.status == 0 && host_.status == 0 && poison_words_ == 0 &&
               shadow_mismatches_ == 0;
    }

    // Both sides' accounts and the testbench's shadow check of DRAM.
    bool ran_ = false;
    fw::functions::builtin_args args_{"iova"};
    std::unique_ptr<fw::functions::builtin_results> res_ =
        std::make_unique<fw::functions::builtin_results>();
    fw::functions::iova_test_report fw_; // from res_ after the run
    fw::host::iova_host_result host_;
    std::size_t poison_words_ = 0;   // POISON words found anywhere in DRAM (must be 0)
    unsigned shadow_mismatches_ = 0; // buffer pages whose DRAM contents are not the pattern
};

void iova::load(platform& p, workload_result& out) {
    const auto& c = p.config();
    if (!c.smmu.enabled)
        throw cfg::config_error("workload iova: needs the SMMU (smmu.enabled = true)");
    auto ep_params = epf_params(c);
    fw::functions::iova_test_params& ip = args_.iova;
    ip.buffers = c.function.iova.buffers;
    ip.seed = c.sim.seed;
    ip.timeout_ns = c.host.test_timeout_us * ns_per_us;
    ep_params.min_reg_bar_bytes = fw::functions::iova_test_bar_bytes(ip.buffers); // BAR0
    load_builtin_job(p, ep_params, args_, *res_);
    const hal::host_board& hb = p.host_board();
    const std::uint64_t timeout_ns = c.host.test_timeout_us * ns_per_us;
    const std::uint64_t retry_ns = c.host.crs_retry_us * ns_per_us;
    fw::host::iova_host_params hp;
    hp.seed = c.sim.seed;
    hp.timeout_ns = timeout_ns;
    p.load_host([this, &out, &hb, timeout_ns, retry_ns, hp](hal::platform& io) {
        fw::host::pci_host host(io, hb, timeout_ns, retry_ns);
        out.enumerate_status = host.enumerate(out.devices);
        out.crs_retries = host.crs_retries();
        if (!out.enumerate_status && !out.devices.empty())
            fw::host::run_iova_host(host, out.devices.front(), hp, host_);
        else
            host_.status = out.enumerate_status ? out.enumerate_status : -ENODEV;
        out.host_finished = true;
    });
}

// Shadow check: the buffers hold exactly the host's pattern in DRAM, and the POISON the host
// wrote through the unmapped IOVA appears nowhere in DRAM.
void iova::finish(platform& p, workload_result&) {
    fetch_builtin_results(p, *res_);
    ran_ = res_->ran();
    fw_ = res_->iova_report();
    const auto& mem = p.dram.storage();
    poison_words_ = mem.find_word(iova_test::POISON).size();
    constexpr unsigned words = iova_test::PAGE_BYTES / sizeof(std::uint32_t);
    std::vector<std::uint32_t> page(words);
    for (std::size_t i = 0; i < fw_.buffer_phys.size(); ++i) {
        mem.read(fw_.buffer_phys[i] - p.config().dram.base, page.data(), iova_test::PAGE_BYTES);
        for (unsigned w = 0; w < words; ++w)
            if (page[w] !=
                iova_test::pattern(p.config().sim.seed, static_cast<std::uint32_t>(i + 1), w)) {
                ++shadow_mismatches_;
                break;
            }
    }
}

void iova::print_summary(platform&, const workload_result&, std::ostream& out) const {
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "iova: %s: %u buffers, unmapped page %u read %s, %u SMMU fault records, "
                  "%zu POISON words in DRAM, %u buffers differing from the pattern\n",
                  ok() ? "PASS" : "FAIL", fw_.buffers, fw_.unmapped_index,
                  hal::to_string(host_.unmapped_read), fw_.smmu_faults, poison_words_,
                  shadow_mismatches_);
    out << buf;
}

void iova::report_after_counters(platform&, const workload_result&, cfg::json& j) const {
    if (!ran_) return;
    j["iova"] = {{"passed", ok()},
                 {"firmware_status", fw_.status},
                 {"host_status", host_.status},
                 {"buffers", fw_.buffers},
                 {"iova_base", hex(fw_.iova_base)},
                 {"bad_buffers_first_check", fw_.bad_first},
                 {"bad_buffers_second_check", fw_.bad_second},
                 {"host_read_back_mismatches", host_.host_bad_buffers},
                 {"unmapped_page", fw_.unmapped_index},
                 {"unmapped_read", hal::to_string(host_.unmapped_read)},
                 {"smmu_fault_records_at_unmapped_page", fw_.smmu_faults},
                 {"poison_words_in_dram", poison_words_},
                 {"shadow_mismatches", shadow_mismatches_},
                 {"map_ns", fw_.map_ns},
                 {"unmap_ns", fw_.unmap_ns}};
}

std::string iova::failure_reason(const workload_result& r) const {
    if (ok() || r.enumerate_status) return ""; // the enumeration's failure says it
    if (!ran_) return "iova: the function never ran" + first_problem_suffix();
    if (fw_.status || host_.status)
        return std::string("iova: ") + fw::err_name(fw_.status ? fw_.status : host_.status) +
               first_problem_suffix();
    return "iova: " + std::to_string(poison_words_) + " POISON words in DRAM, " +
           std::to_string(shadow_mismatches_) + " buffers differing from the pattern";
}

} // namespace

void register_iova(workload_registry& r) {
    r.add({"iova",
           "explicit IOVA management: BAR0 onto a reserved IOVA range of scattered DRAM buffers "
           "and the interrupt window (function.iova.buffers), doorbell, checks, a partial unmap "
           "that must fault",
           {"function.iova.", "function.test.", "smmu.enabled"},
           nullptr,
           [] { return std::make_unique<iova>(); }});
}

} // namespace epvp::tb::builtin

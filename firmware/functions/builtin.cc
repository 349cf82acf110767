#include "firmware/functions/builtin.h"

#include "firmware/hal/errno.h"

#include <algorithm>
#include <cstring>

namespace fw::functions {

namespace {

// Tells the host the job is done: the flag word in its memory, by eDMA (or not at all).
void signal_host_done(endpoint_services& s, std::uint64_t flag, std::uint64_t timeout_ns) {
    if (!s.edma) return;
    epc::pool_buffer word(s.pool, sizeof(std::uint32_t), sizeof(std::uint32_t));
    if (!word.ok()) return;
    s.io.wr32(word.addr(), host_done_flag_value);
    word.keep_if_timed_out(
        s.edma->xfer(dwc::edma_dir::write, word.addr(), flag, sizeof(std::uint32_t), timeout_ns));
}

void store_iova(const iova_test_report& rep, builtin_results& r) {
    r.status = rep.status;
    auto& o = r.iova;
    o.buffers = rep.buffers;
    o.bad_first = rep.bad_first;
    o.bad_second = rep.bad_second;
    o.unmapped_index = rep.unmapped_index;
    o.smmu_faults = rep.smmu_faults;
    o.iova_base = rep.iova_base;
    o.bar_bytes = rep.bar_bytes;
    o.map_ns = rep.map_ns;
    o.unmap_ns = rep.unmap_ns;
    const std::size_t n = std::min<std::size_t>(rep.buffer_phys.size(), builtin_max_iova_buffers);
    std::copy_n(rep.buffer_phys.begin(), n, o.buffer_phys);
    std::size_t at = 0;
    for (const auto& line : rep.steps)
        for (std::size_t i = 0; i <= line.size() && at + 1 < builtin_steps_bytes; ++i)
            r.steps[at++] = i < line.size() ? line[i] : '\n';
    r.steps[at] = 0;
}

void run_iova(endpoint_services& s, const builtin_args& a, builtin_results& r) {
    iova_test_report rep;
    // The host finishes at the last state it sees: the results are out before each.
    rep.publish = [&r](const iova_test_report& now) { store_iova(now, r); };
    rep.status = run_iova_test(s, a.iova, rep);
    store_iova(rep, r);
}

void run_sweep(endpoint_services& s, const builtin_args& a, builtin_results& r) {
    const auto& w = a.sweep;
    if (!s.edma) {
        r.status = -EOPNOTSUPP;
        s.io.log(hal::log_level::error, "sweep", "no eDMA: nothing to sweep");
    } else {
        dma_sweep_params p;
        p.host_buffer = w.host_buffer;
        p.max_bytes = w.max_bytes;
        for (std::uint64_t n = w.min_bytes; n <= w.max_bytes && w.factor > 1; n *= w.factor)
            p.sizes.push_back(n);
        p.reads = w.reads != 0;
        p.writes = w.writes != 0;
        p.repeat_bytes = w.repeat_bytes;
        p.max_repeats = w.max_repeats;
        p.element_bytes = w.element_bytes;
        p.timeout_ns = w.timeout_ns;
        p.link_ready = s.link_ready;
        std::vector<dma_sweep_row> rows;
        r.status = run_dma_sweep(s.io, *s.edma, s.pool, p, rows);
        r.sweep_rows =
            static_cast<std::uint32_t>(std::min<std::size_t>(rows.size(), builtin_max_sweep_rows));
        std::copy_n(rows.begin(), r.sweep_rows, r.sweep);
    }
    signal_host_done(s, w.flag, w.timeout_ns);
}

void run_mix(endpoint_services& s, const builtin_args& a, builtin_results& r) {
    if (!s.edma) {
        r.status = -EOPNOTSUPP;
        s.io.log(hal::log_level::error, "dma-mix", "no eDMA: nothing to run");
    } else {
        std::vector<dma_mix_row> rows;
        r.status = run_dma_mix(s.io, *s.edma, s.pool, a.mix, rows);
        r.mix_rows =
            static_cast<std::uint32_t>(std::min<std::size_t>(rows.size(), builtin_max_mix_rows));
        std::copy_n(rows.begin(), r.mix_rows, r.mix);
    }
    signal_host_done(s, a.mix_flag, a.mix.timeout_ns);
}

void run_cmd(endpoint_services& s, const builtin_args& a, builtin_results& r) {
    r.status = serve_cmd_stream(s, a.cmd, r.cmd);
}

struct entry {
    const char* name;
    void (*run)(endpoint_services&, const builtin_args&, builtin_results&);
};
// The table.
constexpr entry jobs[] = {
    {"iova", run_iova}, {"dma-sweep", run_sweep}, {"dma-mix", run_mix}, {"cmd-stream", run_cmd}};

const entry* find(const char* name) {
    for (const entry& e : jobs)
        if (std::strncmp(e.name, name, builtin_name_bytes) == 0) return &e;
    return nullptr;
}

} // namespace

iova_test_report builtin_results::iova_report() const {
    iova_test_report rep;
    rep.status = status;
    rep.buffers = iova.buffers;
    rep.bad_first = iova.bad_first;
    rep.bad_second = iova.bad_second;
    rep.unmapped_index = iova.unmapped_index;
    rep.smmu_faults = iova.smmu_faults;
    rep.iova_base = iova.iova_base;
    rep.bar_bytes = iova.bar_bytes;
    rep.map_ns = iova.map_ns;
    rep.unmap_ns = iova.unmap_ns;
    const unsigned n = std::min(iova.buffers, builtin_max_iova_buffers);
    rep.buffer_phys.assign(iova.buffer_phys, iova.buffer_phys + n);
    rep.steps = step_lines();
    return rep;
}

std::vector<std::string> builtin_results::step_lines() const {
    std::vector<std::string> out;
    std::string line;
    for (std::size_t i = 0; i < builtin_steps_bytes && steps[i]; ++i) {
        if (steps[i] != '\n') {
            line += steps[i];
            continue;
        }
        out.push_back(line);
        line.clear();
    }
    if (!line.empty()) out.push_back(line);
    return out;
}

bool is_builtin_job(const char* name) {
    return find(name) != nullptr;
}

endpoint_job builtin_job(const builtin_args& a, builtin_results& r) {
    const entry* e = find(a.name);
    if (!e) return {};
    return [e, &a, &r](endpoint_services& s) {
        r.magic = builtin_magic;
        e->run(s, a, r);
    };
}

} // namespace fw::functions

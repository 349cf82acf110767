#include "firmware/functions/dma_sweep.h"

#include "firmware/hal/errno.h"

#include <algorithm>
#include <array>
#include <string>

namespace fw::functions {

namespace {
constexpr const char* sweep_log_cat = "dma-sweep";
constexpr std::uint64_t sweep_buffer_align = 4096;
constexpr std::size_t num_dirs = 2;
constexpr std::array<dwc::edma_dir, num_dirs> sweep_order{dwc::edma_dir::read,
                                                          dwc::edma_dir::write};
} // namespace

std::uint32_t dma_sweep_repeats(const dma_sweep_params& p, std::uint64_t bytes) {
    if (!bytes || p.repeat_bytes <= bytes || p.max_repeats <= 1) return 1;
    const std::uint64_t n = (p.repeat_bytes + bytes - 1) / bytes;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, p.max_repeats));
}

int run_dma_sweep(hal::platform& io, dwc::dw_edma& edma, epc::coherent_pool& pool,
                  const dma_sweep_params& p, std::vector<dma_sweep_row>& out) {
    if (!edma.probed()) return -EOPNOTSUPP;
    std::uint64_t local_bytes = 0;
    for (std::uint64_t s : p.sizes)
        if (s && s <= p.max_bytes) local_bytes = std::max(local_bytes, s);
    if (!local_bytes || (!p.reads && !p.writes)) {
        io.log(hal::log_level::error, sweep_log_cat,
               "nothing to run (no size fits the host buffer)");
        return -EINVAL;
    }

    const std::uint64_t driver_element_bytes = edma.element_bytes();
    if (p.element_bytes) {
        const int err = edma.set_list_limits(edma.ll_max(), p.element_bytes);
        if (err) {
            io.log(hal::log_level::error, sweep_log_cat,
                   "linked-list elements of " + std::to_string(p.element_bytes) +
                       " bytes: " + err_name(err));
            return err;
        }
    }
    struct restore_limits {
        dwc::dw_edma& edma;
        std::uint64_t element_bytes;
        ~restore_limits() { edma.set_list_limits(edma.ll_max(), element_bytes); }
    } restore{edma, driver_element_bytes};
    epc::pool_buffer buf(pool, local_bytes, sweep_buffer_align);
    if (!buf.ok()) {
        io.log(hal::log_level::error, sweep_log_cat,
               "no memory for a " + std::to_string(local_bytes) + "-byte local buffer");
        return -ENOMEM;
    }
    const std::uint64_t local = buf.addr();
    int r = 0;
    const auto enabled = [&p](dwc::edma_dir d) {
        return d == dwc::edma_dir::read ? p.reads : p.writes;
    };
    std::array<int, num_dirs> ch{-1, -1};
    for (std::size_t i = 0; i < num_dirs && !r; ++i) {
        if (!enabled(sweep_order[i])) continue;
        ch[i] = edma.request_channel(sweep_order[i]);
        if (ch[i] < 0) r = ch[i];
    }

    int first_err = r;
    for (std::uint64_t size : p.sizes) {
        if (r) break;
        for (std::size_t i = 0; i < num_dirs; ++i) {
            const dwc::edma_dir d = sweep_order[i];
            if (!enabled(d)) continue;
            dma_sweep_row row;
            row.read = d == dwc::edma_dir::read;
            row.bytes = size;
            row.start_ns = io.now_ns();
            row.end_ns = row.start_ns;
            if (!size || size > p.max_bytes) row.status = -EINVAL;
            const std::uint32_t repeats = dma_sweep_repeats(p, size);
            const std::uint64_t doorbells_before = edma.stats(d).doorbells;
            for (std::uint32_t k = 0; k < repeats && !row.status; ++k) {
                const std::uint64_t now = io.now_ns();
                dwc::edma_xfer_times t{now, now};
                row.status = buf.keep_if_timed_out(edma.xfer_channel(
                    d, static_cast<unsigned>(ch[i]), local, p.host_buffer, size, p.timeout_ns, &t));
                if (!k) row.start_ns = t.doorbell_ns;
                row.end_ns = t.done_ns;
                ++row.transfers;
            }
            row.doorbells = static_cast<std::uint32_t>(edma.stats(d).doorbells - doorbells_before);
            if (row.status && !first_err) first_err = row.status;
            if (row.status)
                io.log(hal::log_level::warning, sweep_log_cat,
                       std::string(dwc::to_string(d)) + " of " + std::to_string(size) +
                           " bytes: " + err_name(row.status));
            out.push_back(row);
            if (row.status && row.status != -EINVAL && p.link_ready) {
                // Recovery: wait for the link and the host's re-enumeration, then go on.
                const std::uint64_t since = io.now_ns();
                while (!p.link_ready() && io.now_ns() - since < p.timeout_ns)
                    io.wait_for_interrupt(p.recover_poll_ns);
                io.log(hal::log_level::info, sweep_log_cat,
                       p.link_ready() ? "link and bus mastering back: continuing"
                                      : "link not back: continuing anyway");
            }
        }
    }

    for (std::size_t i = 0; i < num_dirs; ++i)
        if (ch[i] >= 0) edma.release_channel(sweep_order[i], static_cast<unsigned>(ch[i]));
    return first_err;
}

} // namespace fw::functions

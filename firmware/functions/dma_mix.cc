#include "firmware/functions/dma_mix.h"

#include "firmware/hal/errno.h"

#include <memory>
#include <string>

namespace fw::functions {

namespace {
constexpr const char* mix_log_cat = "dma-mix";
constexpr std::uint64_t mix_buffer_align = 4096;
constexpr unsigned weight_bits = dwc::edma_regs::arb_weight_bits;
constexpr std::uint64_t weight_mask = dwc::edma_regs::arb_weight_mask;

struct lane {
    dwc::edma_dir dir;
    int ch = -1;
    std::unique_ptr<epc::pool_buffer> buf; // kept allocated if any channel timed out
    std::uint64_t local = 0, remote = 0;
    dma_mix_row row;
    bool tried = false, started = false;
};
} // namespace

int run_dma_mix(hal::platform& io, dwc::dw_edma& edma, epc::coherent_pool& pool,
                const dma_mix_params& p, std::vector<dma_mix_row>& out) {
    if (!edma.probed()) return -EOPNOTSUPP;
    const unsigned lanes_n = p.write_channels + p.read_channels;
    if (!lanes_n || !p.size_bytes || p.size_bytes > p.host_bytes / lanes_n ||
        p.write_channels > edma.num_channels(dwc::edma_dir::write) ||
        p.read_channels > edma.num_channels(dwc::edma_dir::read)) {
        io.log(hal::log_level::error, mix_log_cat,
               "cannot run " + std::to_string(p.write_channels) + " write and " +
                   std::to_string(p.read_channels) + " read channels of " +
                   std::to_string(p.size_bytes) + " bytes (host buffer " +
                   std::to_string(p.host_bytes) + " bytes)");
        return -EINVAL;
    }
    std::vector<lane> lanes(lanes_n);
    int r = 0;
    for (unsigned i = 0; i < lanes_n && !r; ++i) {
        lane& l = lanes[i];
        l.dir = i < p.write_channels ? dwc::edma_dir::write : dwc::edma_dir::read;
        l.remote = p.host_buffer + i * p.size_bytes;
        l.buf = std::make_unique<epc::pool_buffer>(pool, p.size_bytes, mix_buffer_align);
        l.local = l.buf->ok() ? l.buf->addr() : 0;
        if (!l.buf->ok()) {
            r = -ENOMEM;
            io.log(hal::log_level::error, mix_log_cat, "no memory for the local buffers");
            break;
        }
        l.ch = edma.request_channel(l.dir);
        if (l.ch < 0) r = l.ch;
        const unsigned n = static_cast<unsigned>(l.ch);
        if (!r) {
            const std::uint64_t w =
                l.dir == dwc::edma_dir::write ? p.write_weights : p.read_weights;
            r = edma.set_arb_weight(l.dir, n,
                                    static_cast<unsigned>((w >> (weight_bits * n)) & weight_mask));
        }
    }
    const std::uint64_t t0 = io.now_ns();
    const std::uint64_t deadline = t0 + p.timeout_ns;
    // Every channel rung first, then waited for: they run at the same time.
    for (lane& l : lanes) {
        if (r) break;
        l.row.read = l.dir == dwc::edma_dir::read;
        l.row.channel = static_cast<unsigned>(l.ch);
        l.row.bytes = p.size_bytes;
        dwc::edma_xfer_times t;
        l.tried = true;
        l.row.status = edma.xfer_start(l.dir, l.row.channel, l.local, l.remote, p.size_bytes, &t);
        l.row.start_ns = t.doorbell_ns;
        l.started = l.row.status == 0;
        if (l.row.status) r = l.row.status;
    }
    bool timed_out = false;
    for (lane& l : lanes) {
        if (!l.tried) continue;
        if (l.started) {
            dwc::edma_xfer_times t;
            l.row.status = edma.xfer_wait(l.dir, l.row.channel, p.size_bytes, deadline, &t);
            l.row.end_ns = t.done_ns;
        }
        timed_out |= l.row.status == -ETIMEDOUT;
        if (l.row.status && !r) r = l.row.status;
        out.push_back(l.row);
    }
    for (lane& l : lanes) {
        if (l.ch >= 0) edma.release_channel(l.dir, static_cast<unsigned>(l.ch));
        // A channel that timed out may still be using its buffer: leave them allocated.
        if (timed_out && l.buf) l.buf->keep();
    }
    if (r) io.log(hal::log_level::warning, mix_log_cat, std::string("dma-mix: ") + err_name(r));
    return r;
}

} // namespace fw::functions

// Concurrent eDMA channels: N write channels (local -> host) and M read channels (host ->
// local) started together, each with its own linked list in its own LL page and its own
// buffers, then waited for; with the arbitration weights programmed first. Each channel's row
// is the firmware's view (doorbell write to its done interrupt); the engine's own per-channel
// times and waits come from the model.
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/epc/epc.h"
#include "firmware/hal/hal.h"

#include <cstdint>
#include <vector>

namespace fw::functions {

struct dma_mix_params {
    std::uint64_t host_buffer = 0; // PCI address of a host buffer the workload provides
    std::uint64_t host_bytes = 0;  // its size: (write_channels + read_channels) x size_bytes
    unsigned write_channels = 1, read_channels = 1;
    std::uint64_t size_bytes = 0; // per channel
    // Channel n's weight at bits [5n+4:5n] (0..31 each: weight + 1 TLPs per turn).
    std::uint64_t write_weights = 0, read_weights = 0;
    std::uint64_t timeout_ns = 1'000'000'000;
};

struct dma_mix_row {
    bool read = false;
    unsigned channel = 0;
    std::uint64_t bytes = 0;
    int status = 0; // 0 or the negative errno of xfer_start / xfer_wait
    std::uint64_t start_ns = 0, end_ns = 0;
};

// Write channel i moves local buffer i to host_buffer + i x size_bytes; read channel j moves
// host_buffer + (write_channels + j) x size_bytes to its own local buffer. Returns 0 or the
// first error (-EINVAL: a bad count, size or too small a host buffer; -ENOMEM; -EBUSY: not
// enough free channels; or a transfer's error). One row per channel started.
int run_dma_mix(hal::platform& io, dwc::dw_edma& edma, epc::coherent_pool& pool,
                const dma_mix_params& p, std::vector<dma_mix_row>& out);

} // namespace fw::functions

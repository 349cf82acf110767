// eDMA transfer-size sweep: for each size, read-channel transfers (host buffer -> local) and
// write-channel transfers (local -> host buffer) through dw_edma, recording the firmware's view
// of each row: the time just before the first doorbell write and the time the last completion
// interrupt handler ran. A size smaller than repeat_bytes is transferred again (back to back, at
// most max_repeats times) until the row has moved repeat_bytes: one transfer's time depends on
// where it falls in the DRAM refresh schedule (a page-table walk that meets a refresh waits up to
// tRFC), and a mean over several transfers is what a throughput figure means. The engine's own
// doorbell-to-done times come from the model; these include the interrupt path and the firmware's
// reaction.
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/epc/epc.h"
#include "firmware/hal/hal.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace fw::functions {

struct dma_sweep_params {
    std::uint64_t host_buffer = 0;    // PCI address of a host buffer the workload provides
    std::uint64_t max_bytes = 0;      // its size; larger sizes are recorded as -EINVAL, not run
    std::vector<std::uint64_t> sizes; // e.g. 64 B .. 16 MiB, powers of 4
    bool reads = true;
    bool writes = true;
    std::uint64_t repeat_bytes = 0; // a row moves at least this much (0: one transfer per row)
    std::uint32_t max_repeats = 1;  // transfers per row at most
    // Bytes per linked-list data element (dw_edma::set_list_limits; 0: the driver's own, as
    // large as it allows): a scatter-gather list of pages is a list of page-sized elements.
    std::uint64_t element_bytes = 0;
    std::uint64_t timeout_ns = 1'000'000'000; // per transfer
    // After a failed transfer: polled (every recover_poll_ns, up to timeout_ns) until it
    // returns true (the link is back and bus mastering enabled) before the next transfer.
    std::function<bool()> link_ready;
    std::uint64_t recover_poll_ns = 10'000;
};

struct dma_sweep_row {
    bool read = false; // read channel (host -> local) or write channel (local -> host)
    std::uint64_t bytes = 0;
    int status = 0;              // 0 or the first negative errno of dw_edma::xfer_channel
    std::uint32_t transfers = 0; // transfers made for this row (a failed transfer ends the row)
    std::uint32_t doorbells = 0; // doorbells rung for them: one per chunk of a long list
    std::uint64_t start_ns = 0;  // io.now_ns() just before the first doorbell write
    std::uint64_t end_ns = 0;    // when the last done/abort interrupt was handled
};

// Transfers of `bytes` a row makes: enough to move p.repeat_bytes, at least 1, at most
// p.max_repeats.
std::uint32_t dma_sweep_repeats(const dma_sweep_params& p, std::uint64_t bytes);

// Runs the sweep, appending one row per size and direction (per size: read, then write; a row's
// repeats run back to back on one channel). The
// local buffer (max of the runnable sizes) comes from pool; one channel per direction is held
// for the whole sweep. Returns 0 if every transfer succeeded, else the first error (-EINVAL for
// an empty host buffer or nothing to run, -ENOMEM, -EBUSY, or a transfer's error).
int run_dma_sweep(hal::platform& io, dwc::dw_edma& edma, epc::coherent_pool& pool,
                  const dma_sweep_params& p, std::vector<dma_sweep_row>& out);

} // namespace fw::functions

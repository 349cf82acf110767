// The endpoint test function (the counterpart of Linux's pci-epf-test.c): a register block at
// the start of the test register BAR that the host test driver commands, BAR spaces of the
// configured sizes, MSI/MSI-X capability set-up, and a command loop polled every
// poll_interval.
//
// Commands (dispatched on the exact COMMAND value, as newer Linux does): RAISE_{INTX,MSI,MSIX}
// _IRQ, READ/WRITE/COPY by CPU copies through the outbound aperture (mem_map pieces, a local
// buffer from the coherent pool), BAR_SUBRANGE_{SETUP,CLEAR}.
// With FLAGS.USE_DMA the transfers go through the controller's eDMA (set_dma): a read channel
// (DEV_TO_MEM) and a write channel (MEM_TO_DEV) held for the function's lifetime, as Linux's
// "private" channels; the eDMA addresses the host directly, so no outbound window is mapped,
// and the CPU only fills / checksums the local buffer. As in Linux, a command with USE_DMA and
// no usable eDMA channel, or with an IRQ_TYPE above MSI-X, is dropped before it runs (no status,
// no interrupt: "Cannot transfer data using DMA", "Failed to detect IRQ type"). COPY with
// USE_DMA: as Linux 6.18's pci-epf-test (dma_copy_bounce false), it needs a memcpy-capable
// channel, which the DW eDMA does not have, and reports COPY_FAIL with the completion interrupt;
// this firmware's extension (dma_copy_bounce true) reads the source into a local bounce buffer
// with the read channel and writes it out with the write channel.
// ENABLE/DISABLE_DOORBELL remap the next free BAR onto the memory controller's
// interrupt-generation window (doorbell_window) and back.
// This firmware's extension: after each DMA transfer the held channel is traded for the next
// free one of its direction (Linux keeps one), so that a test run uses every channel.
#pragma once

#include "firmware/dwc/dw_edma.h"
#include "firmware/epc/epc.h"
#include "firmware/hal/hal.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fw::functions {

struct epf_test_params {
    std::array<std::uint64_t, 6> bar_sizes{}; // 0 = BAR not used
    unsigned msi_vectors = 32;
    unsigned msix_vectors = 2048;
    std::uint16_t vendor_id = 0;
    std::uint16_t device_id = 0;
    std::uint64_t poll_interval_ns = 1'000'000;
    // Work the firmware does after link-up before it lets the controller answer configuration
    // requests (until then the host sees Configuration Request Retry Status).
    std::uint64_t init_delay_ns = 0;
    // Fault injection for bring-up studies: this BAR is enabled without its inbound window
    // (-1: none), the classic firmware bug the iATU miss policy makes visible.
    int unmapped_bar = -1;
    // The test-register BAR is at least this large (a job that re-points it needs the room).
    std::uint64_t min_reg_bar_bytes = 0;
    // Whether the function takes an eDMA read and write channel for USE_DMA transfers (a
    // firmware image whose job uses the channels itself says no).
    bool claim_dma = true;
    // The interrupt-generation window (local address; 0 = none): the doorbell's target.
    std::uint64_t doorbell_window = 0;
    // Seed of the generator that fills WRITE buffers (Linux uses get_random_bytes); the same
    // seed gives the same data, so runs are reproducible.
    std::uint64_t seed = 1;
    // Bound on one DMA transfer (Linux waits without a timeout; firmware must not hang).
    std::uint64_t dma_timeout_ns = 1'000'000'000;
    // COPY with USE_DMA through a local bounce buffer (this firmware's extension); false: as
    // Linux 6.18, only with a memcpy-capable DMA channel, else COPY_FAIL.
    bool dma_copy_bounce = true;
};

// The commands the function counts, one per COMMAND value it knows, plus everything else.
enum class epf_test_cmd : unsigned {
    raise_intx_irq,
    raise_msi_irq,
    raise_msix_irq,
    read,
    write,
    copy,
    bar_subrange_setup,
    bar_subrange_clear,
    unknown,
    count_
};
constexpr std::size_t epf_test_cmd_count = static_cast<std::size_t>(epf_test_cmd::count_);
const char* to_string(epf_test_cmd c);

// Per command type: how many the host issued and how many did not complete (a *_FAIL status,
// no success bit, or the completion interrupt could not be raised).
struct epf_test_cmd_stats {
    std::uint64_t issued = 0;
    std::uint64_t failed = 0;
};

class pci_epf_test {
public:
    pci_epf_test(hal::platform& io, epc::epc& epc, epc::coherent_pool& pool,
                 const epf_test_params& p);
    ~pci_epf_test();
    pci_epf_test(const pci_epf_test&) = delete;
    pci_epf_test& operator=(const pci_epf_test&) = delete;

    // pci_epf_test_init_dma_chan: takes one read and one write channel of a probed eDMA
    // (nullptr or an unprobed eDMA: no DMA). The eDMA must outlive the function.
    void set_dma(dwc::dw_edma* edma);
    bool dma_available() const { return edma_ && dma_rx_ >= 0 && dma_tx_ >= 0; }
    // Whether the held channels can copy memory to memory (dma_has_cap(DMA_MEMCPY)): the DW
    // eDMA's channels are slave channels only (Linux drivers/dma/dw-edma/dw-edma-core.c sets
    // DMA_SLAVE, DMA_CYCLIC, DMA_PRIVATE and DMA_INTERLEAVE, not DMA_MEMCPY).
    bool dma_memcpy_capable() const { return false; }

    int bind();     // allocate BAR spaces
    int epc_init(); // header, BARs, MSI/MSI-X, CAPS
    void link_up();
    void link_down();
    void cmd_handler(); // one poll of COMMAND
    // A value the host wrote to the interrupt-generation window (drained by the caller).
    void doorbell(std::uint32_t value);

    bool running() const { return running_; }
    int test_reg_bar() const { return test_reg_bar_; }
    const epc::epf_bar& bar(unsigned i) const { return bar_[i]; }
    std::uint64_t poll_interval_ns() const { return p_.poll_interval_ns; }
    std::uint64_t init_delay_ns() const { return p_.init_delay_ns; }
    std::uint64_t commands_seen() const { return commands_; }

    // The per-command record.
    const epf_test_cmd_stats& stats(epf_test_cmd c) const {
        return stats_[static_cast<std::size_t>(c)];
    }
    std::uint64_t commands_failed() const;
    std::uint32_t last_command() const { return last_command_; } // raw COMMAND value
    std::uint32_t last_status() const { return status_; }        // STATUS as last written
    std::uint64_t irqs_raised() const { return irqs_raised_; }

private:
    // Outcome of moving data through the outbound aperture.
    enum class xfer_result { ok, src_map_failed, dst_map_failed, bus_error };
    enum class xfer_dir { from_host, to_host };

    std::uint64_t reg(std::uint32_t off) const { return bar_[test_reg_bar_].phys_addr + off; }
    std::uint64_t reg64(std::uint32_t lower, std::uint32_t upper) const;
    std::uint64_t test_reg_bar_size() const;
    std::uint32_t caps() const;

    // Command loop: each returns whether the command completed (see epf_test_cmd_stats).
    static epf_test_cmd kind_of(std::uint32_t command); // which counters a command goes to
    bool dispatch(std::uint32_t command);
    bool run_transfer(bool (pci_epf_test::*op)());
    bool complete(bool ok);
    void set_status(std::uint32_t bits);

    // raise_irq: STATUS |= IRQ_RAISED, then the interrupt IRQ_TYPE / IRQ_NUMBER asks for.
    bool raise_irq();
    bool raise_msi_irq(epc::irq_type type, std::uint32_t irq_number);
    bool deliver_irq(epc::irq_type type, unsigned num);

    // Local buffer work by the CPU (loads, stores, compute charged per byte).
    bool buffer_ok(bool allocated, std::uint64_t len);
    bool local_ok(hal::status s);
    hal::status move(std::uint64_t dst, std::uint64_t src, std::uint64_t len);
    hal::status checksum(std::uint64_t local, std::uint64_t len, std::uint32_t& crc);
    hal::status fill_random(std::uint64_t local, std::uint64_t len);
    hal::status fill_local(std::uint64_t local, std::uint64_t len, std::uint8_t byte);

    // READ / WRITE / COPY.
    bool cmd_read();
    bool cmd_write();
    bool cmd_copy();
    bool read_from_host(std::uint64_t local, std::uint64_t len);
    bool write_to_host(std::uint64_t local, std::uint64_t len);
    bool copy_on_host(std::uint64_t bounce, std::uint64_t len);
    xfer_result xfer(xfer_dir dir, std::uint64_t pci_addr, std::uint64_t local, std::uint64_t len);
    xfer_result copy_pieces(std::uint64_t src, std::uint64_t dst, std::uint64_t bounce,
                            std::uint64_t len);
    bool xfer_done(xfer_result r);
    void print_rate(const char* op, std::uint64_t len, std::uint64_t start_ns);

    // The DMA path: one eDMA transfer on the held channel of that direction.
    bool dma_xfer(dwc::edma_dir d, std::uint64_t local, std::uint64_t pci_addr, std::uint64_t len);
    void release_dma();

    // BAR_SUBRANGE_SETUP / CLEAR.
    bool cmd_bar_subrange_setup();
    bool cmd_bar_subrange_clear();
    bool cmd_enable_doorbell();
    bool cmd_disable_doorbell();
    bool subrange_bar_usable(std::uint32_t barno);
    hal::status fill_subrange_signatures(const epc::epf_bar& b);
    bool map_subranges(const epc::epf_bar& b);
    bool restore_bar(std::uint32_t barno);

    hal::platform& io_;
    epc::epc& epc_;
    epc::coherent_pool& pool_;
    epf_test_params p_;
    epc::features features_;
    int test_reg_bar_ = epc::NO_BAR;
    std::array<epc::epf_bar, 6> bar_{};
    std::array<bool, 6> subrange_active_{};
    bool running_ = false;
    std::uint64_t commands_ = 0;
    std::array<epf_test_cmd_stats, epf_test_cmd_count> stats_{};
    std::uint32_t last_command_ = 0;
    std::uint32_t status_ = 0;
    int db_bar_ = -1;           // the BAR remapped onto the interrupt window, -1 when off
    std::uint32_t db_data_ = 0; // the value the host is told to write
    std::uint64_t irqs_raised_ = 0;
    std::uint64_t prng_seed_;
    std::vector<std::uint8_t> staging_; // the CPU's side of a copy (its loads and stores)
    dwc::dw_edma* edma_ = nullptr;
    int dma_rx_ = -1, dma_tx_ = -1; // held read / write channels
    bool use_dma_ = false;          // FLAGS.USE_DMA of the command being run
    bool dma_timed_out_ = false;    // the engine may still use the command's local buffer
};

} // namespace fw::functions

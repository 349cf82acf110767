// Host test driver for the endpoint test function (the counterpart of Linux's
// drivers/misc/pci_endpoint_test.c) and the kselftest-style runner that judges its results
// (tools/testing/selftests/pci_endpoint/pci_endpoint_test.c).
//
// Models: probe (CAPS read, alignment), PCITEST_SET_IRQTYPE as pci_alloc_irq_vectors() +
// request_irq() (the MSI or MSI-X capability and table programmed with the host MSI
// controller's doorbell, INTx through COMMAND.INTX_DISABLE; one type enabled at a time), the
// interrupt handler (completes only when STATUS has IRQ_RAISED; for INTx also only after the
// endpoint's INTx was seen asserted), every ioctl test, and the kselftest table.
// Differs from Linux: handlers run only while the driver waits (wait_for_interrupt); messages
// left in the MSI FIFO when an ioctl starts are dropped, as Linux's handler would already have
// consumed them; transfers wait at most a bounded time (Linux waits forever) and a buffer of a
// timed-out transfer is never freed (the endpoint may still write it).
#pragma once

#include "firmware/hal/board.h"
#include "firmware/hal/random.h"
#include "firmware/host/host_mem.h"
#include "firmware/host/pci_host.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fw::host {

enum class verdict { pass, fail, skip };
const char* to_string(verdict v);

struct test_result {
    std::string name;
    verdict result = verdict::pass;
    std::string reason; // why it failed or was skipped
};

// PCITEST_SET_IRQTYPE / PCITEST_GET_IRQTYPE values (include/uapi/linux/pcitest.h).
enum pcitest_irq_type : int {
    PCITEST_IRQ_TYPE_UNDEFINED = -1,
    PCITEST_IRQ_TYPE_INTX = 0,
    PCITEST_IRQ_TYPE_MSI = 1,
    PCITEST_IRQ_TYPE_MSIX = 2,
    PCITEST_IRQ_TYPE_AUTO = 3,
};

// Which Linux the host runs (drivers/misc/pci_endpoint_test.c and the kselftest): 6.18 (no
// BAR_SUBRANGE, the doorbell without a capability check or skip) or next (the newest:
// BAR_SUBRANGE_TEST, DOORBELL skipped without CAP_DYNAMIC_INBOUND_MAPPING).
enum class pcitest_kernel { v6_18, next };

// Per-device driver data (struct pci_endpoint_test_data) and this driver's run-time knobs.
struct pci_endpoint_test_params {
    int test_reg_bar = 0;                          // default_data: BAR_0
    std::uint64_t alignment = 4096;                // default_data: SZ_4K; 0 if CAP_UNALIGNED
    std::uint64_t irq_timeout_ns = 1'000'000'000;  // msecs_to_jiffies(1000)
    std::uint64_t xfer_timeout_ns = 1'000'000'000; // Linux: wait_for_completion() (forever)
    std::uint64_t seed = 0x9E3779B97F4A7C15ull;    // xorshift seed for the transfer data
    pcitest_kernel kernel = pcitest_kernel::next;
};

class pci_endpoint_test {
public:
    // BAR tests only: no MSI controller and no host memory (the original two-argument driver).
    pci_endpoint_test(pci_host& host, const pci_dev& dev);
    // The full driver: probe reads CAPS; installs its handlers on host_irq_msi/host_irq_intx.
    pci_endpoint_test(pci_host& host, const hal::host_board& board, const pci_dev& dev,
                      host_mem& mem, const pci_endpoint_test_params& params = {});
    ~pci_endpoint_test();
    pci_endpoint_test(const pci_endpoint_test&) = delete;
    pci_endpoint_test& operator=(const pci_endpoint_test&) = delete;

    int test_reg_bar() const { return test_reg_bar_; }
    std::uint32_t ep_caps() const { return ep_caps_; }
    std::uint64_t alignment() const { return alignment_; }

    // PCITEST_BAR: 0, -ENODATA (BAR disabled) or -EIO with a detail.
    int bar_test(unsigned bar, std::string& detail);
    // PCITEST_BARS: every BAR written in order, then read back in order.
    int bars_test(std::string& detail);

    // PCITEST_SET_IRQTYPE (PCITEST_IRQ_TYPE_AUTO picks MSI, MSI-X, INTx by CAPS).
    int set_irq(int req_irq_type, std::string& detail);
    // PCITEST_GET_IRQTYPE.
    int get_irq_type() const { return irq_type_; }
    // PCITEST_CLEAR_IRQ: release the vectors and disable MSI/MSI-X.
    int clear_irq();
    // Vectors granted by the last set_irq (pci_alloc_irq_vectors' return value).
    int num_irqs() const { return num_irqs_; }
    // pci_irq_vector(): the interrupt id of vector nr (its message data for MSI/MSI-X), or
    // -EINVAL when nr was not allocated.
    int pci_irq_vector(unsigned nr) const;
    // The reverse: the vector index an interrupt id (message data) belongs to, or -EINVAL.
    int irq_to_vector(int irq) const;
    // The interrupt id the handler last completed on, -ENODATA if none in this ioctl.
    int last_irq() const { return last_irq_; }

    // PCITEST_INTX_IRQ, PCITEST_MSI, PCITEST_MSIX (msi_num is 1-based).
    int intx_irq_test(std::string& detail);
    int msi_irq_test(unsigned msi_num, std::string& detail);
    int msix_irq_test(unsigned msi_num, std::string& detail);
    // PCITEST_WRITE (endpoint COMMAND_READ), PCITEST_READ (endpoint COMMAND_WRITE), PCITEST_COPY.
    int write_test(std::uint64_t size, bool use_dma, std::string& detail);
    int read_test(std::uint64_t size, bool use_dma, std::string& detail);
    int copy_test(std::uint64_t size, bool use_dma, std::string& detail);
    // PCITEST_DOORBELL (next: -EOPNOTSUPP without CAP_DYNAMIC_INBOUND_MAPPING; 6.18 asks
    // whatever the capabilities say).
    int doorbell_test(std::string& detail);
    // PCITEST_BAR_SUBRANGE: -EOPNOTSUPP without CAP_SUBRANGE_MAPPING, -EBUSY for the test
    // register BAR, -ENODATA for a disabled BAR.
    int bar_subrange_test(unsigned bar, std::string& detail);

    // After a reset of the function (pci_error_handlers.reset_done): the device may have moved
    // (a re-enumeration) and its interrupt configuration is gone: probe again and set up the
    // interrupt type that was in use. Returns 0 or the error of the probe / the set-up.
    int reset_done(const pci_dev& dev);

    // Interrupt accounting since construction.
    std::uint64_t msi_messages() const { return msi_messages_; }
    std::uint64_t spurious_messages() const { return spurious_messages_; }
    std::uint64_t stale_messages() const { return stale_messages_; }

private:
    std::uint64_t bar_len(unsigned bar) const;
    bool has_board() const { return board_ != nullptr; }
    int check_driver(std::string& detail) const;
    // The probe's outcome alone (the BAR tests need no host board): 0 or its error.
    int check_probe(std::string& detail) const;
    void probe();
    // Register block of the test register BAR.
    std::uint32_t readl(std::uint32_t off);
    void writel(std::uint32_t off, std::uint32_t v);
    std::uint32_t irq_regs_read(std::uint32_t off);

    // pci_alloc_irq_vectors / pci_free_irq_vectors.
    int alloc_irq_vectors(int type, std::string& detail);
    void free_irq_vectors();
    int msi_setup(std::string& detail);
    int msix_setup(std::string& detail);
    int intx_setup(std::string& detail);
    void msi_disable();
    void msix_disable();
    void set_intx_disable(bool disable);

    // Interrupts and the irq_raised completion.
    void msi_handler();
    void intx_handler();
    void irqhandler(int irq);
    void reinit_completion();
    bool wait_for_completion_timeout(std::uint64_t timeout_ns);
    std::string irq_wait_detail(std::uint32_t status) const;

    int msi_irq(unsigned msi_num, bool msix, std::string& detail);
    int validate_xfer(std::uint64_t size, std::string& detail) const;
    std::uint64_t xfer_misalign(bool second) const;
    int fill_random(std::uint64_t addr, std::uint64_t len, std::vector<unsigned char>& buf,
                    std::string& detail);
    int bar_subrange_cmd(unsigned bar, std::uint32_t command, std::uint32_t ok_bit,
                         std::uint32_t fail_bit, std::string& detail);

    pci_host& host_;
    pci_dev dev_;
    const hal::host_board* board_ = nullptr;
    host_mem* mem_ = nullptr;
    pci_endpoint_test_params params_;
    int test_reg_bar_ = 0;
    std::uint32_t ep_caps_ = 0;
    std::uint64_t alignment_ = 0;
    int probe_error_ = 0;
    fw::xorshift64star rng_{0};

    int irq_type_ = PCITEST_IRQ_TYPE_UNDEFINED;
    int num_irqs_ = 0;
    // irq_raised completion (a counter, as struct completion) and last_irq.
    unsigned done_ = 0;
    int last_irq_ = 0;
    // INTx: the pin's bit in INTX_STATE, and what was seen since the last completion.
    std::uint32_t intx_pin_bit_ = 0;
    bool intx_level_ = false, intx_level_at_arm_ = false;
    std::uint32_t intx_asserts_at_arm_ = 0;
    bool intx_seen_ = false;
    std::uint64_t msi_messages_ = 0, spurious_messages_ = 0, stale_messages_ = 0;
};

// A reset the runner performed between two tests.
struct pcitest_reset {
    std::string kind; // "hot reset" (Secondary Bus Reset) or "FLR"
    unsigned before_test = 0;
    int status = 0; // 0 or a negative errno
    std::uint64_t at_ns = 0, duration_ns = 0;
};

// The kselftest run (tools/testing/selftests/pci_endpoint) with this harness's knobs.
// What a run of the table has done so far, kept up to date while it runs (a caller that stops
// the run early still has it): the completed tests and the one in progress ("" between tests).
struct pcitest_progress {
    std::vector<test_result> done;
    std::string running; // e.g. "pci_ep_basic.MSIX_TEST (MSI-X vector 1024)"
};

struct pcitest_options {
    // Resets before the Nth test (1-based; 0 = none): Secondary Bus Reset on the root port
    // followed by a new enumeration, or a Function-Level Reset of the endpoint (its state
    // saved and restored); then the driver's reset_done(). Held / waited for sbr_hold_ns and
    // flr_wait_ns. Each reset is recorded in *resets when given.
    std::uint64_t hot_reset_before_test = 0, flr_before_test = 0;
    std::uint64_t sbr_hold_ns = 2'000'000, flr_wait_ns = 100'000'000;
    std::vector<pcitest_reset>* resets = nullptr;
    pcitest_progress* progress = nullptr; // kept up to date when given
    std::vector<unsigned> msix_vectors;   // MSI-X vectors to test; empty = all, 1..2048
    bool doorbell = false; // run DOORBELL_TEST when the endpoint has the capability (next)
    std::uint64_t irq_timeout_ns = 1'000'000'000;
    std::uint64_t xfer_timeout_ns = 1'000'000'000;
    std::uint64_t seed = 0x9E3779B97F4A7C15ull;
    int test_reg_bar = 0;           // pci_endpoint_test_data.test_reg_bar
    std::uint64_t alignment = 4096; // pci_endpoint_test_data.alignment
    pcitest_kernel kernel = pcitest_kernel::next;
    // Called with each row as its test completes (row number from 1, the row).
    std::function<void(unsigned, const test_result&)> on_result;
};

// How many rows run_pcitest returns (the same for any endpoint: unsupported tests are skipped).
unsigned pcitest_rows(pcitest_kernel kernel);

// The whole table, in the kselftest harness's order (fixture, variant, test): per BAR, BAR_TEST
// and (next only) BAR_SUBRANGE_TEST; CONSECUTIVE_BAR_TEST, LEGACY_IRQ_TEST, MSI_TEST,
// MSIX_TEST, READ/WRITE/COPY_TEST (memcpy, then dma) per size, DOORBELL_TEST. With 6.18,
// DOORBELL_TEST is never skipped: it passes or fails. Host buffers come from board.ram. A failed
// test's reason ends with the AER errors the endpoint and the root port logged during it.
std::vector<test_result> run_pcitest(pci_host& host, const hal::host_board& board,
                                     const pci_dev& dev, const pcitest_options& options = {});

// "ok 1 pci_ep_bar.BAR0.BAR_TEST", a line per test, then totals.
std::string format_results(const std::vector<test_result>& results);
// Its parts, for printing each line as its test completes: "TAP version 13" and the plan; one
// line (with its newline) for row n (from 1); the totals line.
std::string format_plan(unsigned rows);
std::string format_result_line(unsigned n, const test_result& r);
std::string format_totals(const std::vector<test_result>& results);

} // namespace fw::host

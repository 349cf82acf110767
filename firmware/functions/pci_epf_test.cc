#include "firmware/functions/pci_epf_test.h"

#include "contracts/pci_epf_test_regs.h"
#include "firmware/hal/crc32.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/pci_regs.h"
#include "firmware/hal/random.h"

#include <algorithm>
#include <string>

namespace fw::functions {

namespace {
constexpr std::uint64_t pba_align = 8;
constexpr std::uint8_t interrupt_pin_inta = 1;
constexpr unsigned func_no = 0;
constexpr const char* log_cat = "epf-test";

using epf_test::STATUS_BAR_SUBRANGE_CLEAR_FAIL;
using epf_test::STATUS_BAR_SUBRANGE_CLEAR_SUCCESS;
using epf_test::STATUS_BAR_SUBRANGE_SETUP_FAIL;
using epf_test::STATUS_BAR_SUBRANGE_SETUP_SUCCESS;
using epf_test::subrange_signature;

// BAR subrange test: the BAR is split into this many equal sub-ranges, swapped in pairs.
constexpr unsigned bar_subrange_count = 2;
static_assert(bar_subrange_count % 2 == 0, "sub-ranges are swapped in pairs (i ^ 1)");

// Local transfer buffers: kmalloc-like alignment.
constexpr std::uint64_t buffer_align = 64;
// Linux sleeps 1-2 ms after a WRITE ("L3 error on the host otherwise").
constexpr std::uint64_t write_settle_ns = 1'000'000;
constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr std::uint64_t bytes_per_kb = 1000;
constexpr unsigned bits_per_byte = 8;
constexpr unsigned addr_upper_shift = 32;
constexpr unsigned ns_fraction_digits = 9;
// The CPU works on local buffers in chunks of this size (bounds the simulator's staging copy).
constexpr std::uint64_t cpu_chunk_bytes = 64 * 1024;

// The WRITE data generator: splitmix64 turns the running seed into a per-command seed,
// xorshift64* (hal/random.h) produces the bytes.
std::uint64_t splitmix64_next(std::uint64_t& x) {
    constexpr std::uint64_t golden = 0x9E3779B97F4A7C15ull;
    constexpr std::uint64_t mul1 = 0xBF58476D1CE4E5B9ull;
    constexpr std::uint64_t mul2 = 0x94D049BB133111EBull;
    constexpr unsigned s1 = 30, s2 = 27, s3 = 31;
    std::uint64_t z = (x += golden);
    z = (z ^ (z >> s1)) * mul1;
    z = (z ^ (z >> s2)) * mul2;
    return z ^ (z >> s3);
}

std::string to_hex(std::uint32_t v) {
    constexpr unsigned nibble_bits = 4;
    constexpr std::uint32_t nibble_mask = 0xF;
    constexpr const char* digits = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & nibble_mask]);
        v >>= nibble_bits;
    } while (v);
    return s;
}

// An outbound mapping (pci_epc_mem_map) for the scope of one piece of a transfer.
class mapping {
public:
    mapping(epc::epc& epc, std::uint64_t pci_addr, std::uint64_t len)
        : epc_(epc) {
        mapped_ = epc_.mem_map(func_no, pci_addr, len, m_) == 0;
    }
    ~mapping() {
        if (mapped_) epc_.mem_unmap(func_no, m_);
    }
    mapping(const mapping&) = delete;
    mapping& operator=(const mapping&) = delete;
    bool ok() const { return mapped_ && m_.pci_size > 0; } // a piece that makes progress
    std::uint64_t phys() const { return m_.phys_addr; }
    std::uint64_t size() const { return m_.pci_size; }

private:
    epc::epc& epc_;
    epc::map m_;
    bool mapped_ = false;
};
} // namespace

const char* to_string(epf_test_cmd c) {
    switch (c) {
    case epf_test_cmd::raise_intx_irq:
        return "RAISE_INTX_IRQ";
    case epf_test_cmd::raise_msi_irq:
        return "RAISE_MSI_IRQ";
    case epf_test_cmd::raise_msix_irq:
        return "RAISE_MSIX_IRQ";
    case epf_test_cmd::read:
        return "READ";
    case epf_test_cmd::write:
        return "WRITE";
    case epf_test_cmd::copy:
        return "COPY";
    case epf_test_cmd::bar_subrange_setup:
        return "BAR_SUBRANGE_SETUP";
    case epf_test_cmd::bar_subrange_clear:
        return "BAR_SUBRANGE_CLEAR";
    case epf_test_cmd::unknown:
    case epf_test_cmd::count_:
        break;
    }
    return "unknown";
}

pci_epf_test::pci_epf_test(hal::platform& io, epc::epc& epc, epc::coherent_pool& pool,
                           const epf_test_params& p)
    : io_(io)
    , epc_(epc)
    , pool_(pool)
    , p_(p)
    , features_(epc.get_features(func_no))
    , prng_seed_(p.seed) {}

pci_epf_test::~pci_epf_test() {
    release_dma();
}

void pci_epf_test::release_dma() {
    if (edma_ && dma_rx_ >= 0) edma_->release_channel(dwc::edma_dir::read, unsigned(dma_rx_));
    if (edma_ && dma_tx_ >= 0) edma_->release_channel(dwc::edma_dir::write, unsigned(dma_tx_));
    edma_ = nullptr;
    dma_rx_ = dma_tx_ = -1;
}

void pci_epf_test::set_dma(dwc::dw_edma* edma) {
    release_dma();
    if (!edma || !edma->probed()) return;
    // Linux first asks for "private" slave channels of the EPC's parent device: the DW eDMA.
    const int rx = edma->request_channel(dwc::edma_dir::read);
    const int tx = edma->request_channel(dwc::edma_dir::write);
    if (rx < 0 || tx < 0) {
        io_.log(hal::log_level::error, log_cat,
                std::string("Failed to get private DMA ") + (rx < 0 ? "rx" : "tx") + " channel");
        if (rx >= 0) edma->release_channel(dwc::edma_dir::read, unsigned(rx));
        if (tx >= 0) edma->release_channel(dwc::edma_dir::write, unsigned(tx));
        return;
    }
    edma_ = edma;
    dma_rx_ = rx;
    dma_tx_ = tx;
}

std::uint64_t pci_epf_test::test_reg_bar_size() const {
    std::uint64_t size = epf_test::REG_BAR_SIZE;
    if (features_.msix_capable) {
        std::uint64_t table = std::uint64_t(pci::MSIX_ENTRY_SIZE) * p_.msix_vectors;
        std::uint64_t pba = ((p_.msix_vectors + 7) / 8 + pba_align - 1) / pba_align * pba_align;
        size += table + pba;
    }
    return std::max(size, p_.min_reg_bar_bytes);
}

int pci_epf_test::bind() {
    test_reg_bar_ = epc::epc::get_first_free_bar(features_);
    if (test_reg_bar_ == epc::NO_BAR) {
        io_.log(hal::log_level::error, log_cat, "no free BAR for the test registers");
        return -EINVAL;
    }
    for (int b = 0; b < static_cast<int>(pci::STD_NUM_BARS); ++b) {
        if (epc::epc::get_next_free_bar(features_, b) != b) continue;
        std::uint64_t size = b == test_reg_bar_ ? test_reg_bar_size() : p_.bar_sizes[b];
        if (!size) continue;
        int r = epc::alloc_space(pool_, features_, b, size, bar_[b]);
        if (r) {
            io_.log(hal::log_level::error, log_cat,
                    "failed to allocate space for BAR" + std::to_string(b) + ": " + err_name(r));
            if (b == test_reg_bar_) return r;
            bar_[b] = epc::epf_bar{};
            continue;
        }
        if (bar_[b].flags & pci::BASE_ADDRESS_MEM_TYPE_64) ++b; // the next BAR is the upper half
    }
    return 0;
}

std::uint32_t pci_epf_test::caps() const {
    std::uint32_t caps = epf_test::CAP_UNALIGNED_ACCESS; // the DWC EPC has align_addr
    if (features_.msi_capable) caps |= epf_test::CAP_MSI;
    if (features_.msix_capable) caps |= epf_test::CAP_MSIX;
    if (features_.intx_capable) caps |= epf_test::CAP_INTX;
    if (features_.dynamic_inbound_mapping && features_.subrange_mapping)
        caps |= epf_test::CAP_SUBRANGE_MAPPING;
    if (features_.dynamic_inbound_mapping) caps |= epf_test::CAP_DYNAMIC_INBOUND_MAPPING;
    return caps;
}

int pci_epf_test::epc_init() {
    epc::header h;
    h.vendorid = p_.vendor_id;
    h.deviceid = p_.device_id;
    h.baseclass_code = static_cast<std::uint8_t>(pci::CLASS_OTHERS);
    h.interrupt_pin = interrupt_pin_inta;
    int r = epc_.write_header(func_no, h);
    if (r) return r;
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b) {
        if (!bar_[b].size) continue;
        r = epc_.set_bar(func_no, bar_[b]);
        if (r) {
            io_.log(hal::log_level::error, log_cat,
                    "failed to set BAR" + std::to_string(b) + ": " + err_name(r));
            if (static_cast<int>(b) == test_reg_bar_) return r;
            pool_.free(bar_[b].phys_addr);
            bar_[b] = epc::epf_bar{};
        }
    }
    if (features_.msi_capable && (r = epc_.set_msi(func_no, p_.msi_vectors))) return r;
    if (features_.msix_capable &&
        (r = epc_.set_msix(func_no, p_.msix_vectors, static_cast<unsigned>(test_reg_bar_),
                           epf_test::REG_BAR_SIZE)))
        return r;
    // The register block starts zeroed (the buffer is freshly allocated).
    for (std::uint32_t off = 0; off < epf_test::REG_BYTES; off += 4)
        io_.wr32(reg(off), 0);
    io_.wr32(reg(epf_test::CAPS), caps());
    return 0;
}

void pci_epf_test::link_up() {
    running_ = true;
}
void pci_epf_test::link_down() {
    running_ = false;
}

std::uint64_t pci_epf_test::commands_failed() const {
    std::uint64_t n = 0;
    for (const epf_test_cmd_stats& s : stats_)
        n += s.failed;
    return n;
}

// ---- command loop ----------------------------------------------------------------------------

void pci_epf_test::cmd_handler() {
    if (!running_) return;
    const std::uint32_t command = io_.rd32(reg(epf_test::COMMAND));
    if (!command) return;
    ++commands_;
    last_command_ = command;
    io_.wr32(reg(epf_test::COMMAND), 0);
    status_ = 0;
    io_.wr32(reg(epf_test::STATUS), status_);
    epf_test_cmd_stats& s = stats_[static_cast<std::size_t>(kind_of(command))];
    ++s.issued;
    // Refused before any command runs, as Linux's pci_epf_test_cmd_handler does (nothing done,
    // no status bit, no interrupt: the host's wait times out): DMA asked for without a usable
    // channel, an IRQ type the function does not know.
    if ((io_.rd32(reg(epf_test::FLAGS)) & epf_test::FLAG_USE_DMA) && !dma_available()) {
        io_.log(hal::log_level::error, log_cat, "Cannot transfer data using DMA");
        ++s.failed;
        return;
    }
    if (io_.rd32(reg(epf_test::IRQ_TYPE)) > epf_test::IRQ_TYPE_MSIX) {
        io_.log(hal::log_level::error, log_cat, "Failed to detect IRQ type");
        ++s.failed;
        return;
    }
    if (!dispatch(command)) ++s.failed;
}

epf_test_cmd pci_epf_test::kind_of(std::uint32_t command) {
    switch (command) {
    case epf_test::COMMAND_RAISE_INTX_IRQ:
        return epf_test_cmd::raise_intx_irq;
    case epf_test::COMMAND_RAISE_MSI_IRQ:
        return epf_test_cmd::raise_msi_irq;
    case epf_test::COMMAND_RAISE_MSIX_IRQ:
        return epf_test_cmd::raise_msix_irq;
    case epf_test::COMMAND_READ:
        return epf_test_cmd::read;
    case epf_test::COMMAND_WRITE:
        return epf_test_cmd::write;
    case epf_test::COMMAND_COPY:
        return epf_test_cmd::copy;
    case epf_test::COMMAND_BAR_SUBRANGE_SETUP:
        return epf_test_cmd::bar_subrange_setup;
    case epf_test::COMMAND_BAR_SUBRANGE_CLEAR:
        return epf_test_cmd::bar_subrange_clear;
    default:
        return epf_test_cmd::unknown; // the doorbell commands, and unknown ones
    }
}

bool pci_epf_test::dispatch(std::uint32_t command) {
    switch (command) {
    case epf_test::COMMAND_RAISE_INTX_IRQ:
    case epf_test::COMMAND_RAISE_MSI_IRQ:
    case epf_test::COMMAND_RAISE_MSIX_IRQ:
        return raise_irq();
    case epf_test::COMMAND_READ:
        return run_transfer(&pci_epf_test::cmd_read);
    case epf_test::COMMAND_WRITE:
        return run_transfer(&pci_epf_test::cmd_write);
    case epf_test::COMMAND_COPY:
        return run_transfer(&pci_epf_test::cmd_copy);
    case epf_test::COMMAND_ENABLE_DOORBELL:
        return complete(cmd_enable_doorbell());
    case epf_test::COMMAND_DISABLE_DOORBELL:
        return complete(cmd_disable_doorbell());
    case epf_test::COMMAND_BAR_SUBRANGE_SETUP:
        return complete(cmd_bar_subrange_setup());
    case epf_test::COMMAND_BAR_SUBRANGE_CLEAR:
        return complete(cmd_bar_subrange_clear());
    default:
        io_.log(hal::log_level::warning, log_cat,
                "Invalid command 0x" + to_hex(command) + " (not supported by this firmware)");
        return false;
    }
}

// ENABLE_DOORBELL (pci-epf-test, v6.17+): the next free BAR after the register BAR is remapped
// onto the interrupt-generation window (dynamic inbound mapping); the host is told which BAR,
// the offset and the value to write.
bool pci_epf_test::cmd_enable_doorbell() {
    const int bar = epc::epc::get_next_free_bar(features_, test_reg_bar_ + 1);
    if (!p_.doorbell_window || bar == epc::NO_BAR || !bar_[bar].size || db_bar_ >= 0) {
        set_status(epf_test::STATUS_DOORBELL_ENABLE_FAIL);
        return false;
    }
    constexpr std::uint64_t min_align = 128; // pci_epf_align_inbound_addr without an EPC align
    // BAR-match windows need the target naturally aligned to the BAR size (DWC), so the BAR is
    // placed on the size-aligned block holding the window and the host writes at an offset.
    const std::uint64_t align =
        std::max(features_.align ? features_.align : min_align, bar_[bar].size);
    const std::uint64_t base = p_.doorbell_window & ~(align - 1);
    const std::uint64_t offset = p_.doorbell_window - base;
    if (offset + sizeof(std::uint32_t) > bar_[bar].size) {
        set_status(epf_test::STATUS_DOORBELL_ENABLE_FAIL);
        return false;
    }
    epc::epf_bar remapped = bar_[bar];
    remapped.phys_addr = base;
    if (epc_.set_bar(func_no, remapped)) {
        set_status(epf_test::STATUS_DOORBELL_ENABLE_FAIL);
        return false;
    }
    constexpr std::uint32_t doorbell_data_base = 0xDB000000;
    db_bar_ = bar;
    db_data_ = doorbell_data_base | static_cast<std::uint32_t>(commands_ & 0xFFFF);
    io_.wr32(reg(epf_test::DB_BAR), static_cast<std::uint32_t>(bar));
    io_.wr32(reg(epf_test::DB_OFFSET), static_cast<std::uint32_t>(offset));
    io_.wr32(reg(epf_test::DB_DATA), db_data_);
    set_status(epf_test::STATUS_DOORBELL_ENABLE_SUCCESS);
    return true;
}

bool pci_epf_test::cmd_disable_doorbell() {
    if (db_bar_ < 0 || epc_.set_bar(func_no, bar_[db_bar_])) {
        set_status(epf_test::STATUS_DOORBELL_DISABLE_FAIL);
        return false;
    }
    db_bar_ = -1;
    set_status(epf_test::STATUS_DOORBELL_DISABLE_SUCCESS);
    return true;
}

void pci_epf_test::doorbell(std::uint32_t v) {
    // The doorbell value completes the doorbell test.
    if (db_bar_ >= 0 && v == db_data_) {
        set_status(epf_test::STATUS_DOORBELL_SUCCESS);
        raise_irq();
    } else {
        io_.log(hal::log_level::warning, log_cat,
                "interrupt window: unexpected value 0x" + to_hex(v));
    }
}

bool pci_epf_test::run_transfer(bool (pci_epf_test::*op)()) {
    // cmd_handler has refused DMA without a usable channel.
    use_dma_ = (io_.rd32(reg(epf_test::FLAGS)) & epf_test::FLAG_USE_DMA) != 0;
    dma_timed_out_ = false;
    return complete((this->*op)());
}

bool pci_epf_test::complete(bool ok) {
    const bool raised = raise_irq();
    return ok && raised;
}

void pci_epf_test::set_status(std::uint32_t bits) {
    status_ |= bits;
    io_.wr32(reg(epf_test::STATUS), status_);
}

std::uint64_t pci_epf_test::reg64(std::uint32_t lower, std::uint32_t upper) const {
    return std::uint64_t(io_.rd32(reg(lower))) |
           (std::uint64_t(io_.rd32(reg(upper))) << addr_upper_shift);
}

// ---- interrupts ------------------------------------------------------------------------------

bool pci_epf_test::raise_irq() {
    const std::uint32_t type = io_.rd32(reg(epf_test::IRQ_TYPE));
    const std::uint32_t number = io_.rd32(reg(epf_test::IRQ_NUMBER));
    if (type > epf_test::IRQ_TYPE_MSIX) {
        io_.log(hal::log_level::error, log_cat, "Failed to detect IRQ type");
        return false;
    }
    // The host's handler completes only when it sees IRQ_RAISED: set it before the interrupt.
    set_status(epf_test::STATUS_IRQ_RAISED);
    if (type == epf_test::IRQ_TYPE_MSI) return raise_msi_irq(epc::irq_type::msi, number);
    if (type == epf_test::IRQ_TYPE_MSIX) return raise_msi_irq(epc::irq_type::msix, number);
    return deliver_irq(epc::irq_type::intx, 0);
}

bool pci_epf_test::raise_msi_irq(epc::irq_type type, std::uint32_t irq_number) {
    const bool msix = type == epc::irq_type::msix;
    const int count = msix ? epc_.get_msix(func_no) : epc_.get_msi(func_no);
    if (count <= 0 || irq_number < 1 || irq_number > static_cast<std::uint32_t>(count)) {
        io_.log(hal::log_level::error, log_cat,
                "Invalid MSI IRQ number " + std::to_string(irq_number) + " / " +
                    std::to_string(count) + (msix ? " (MSI-X)" : ""));
        return false;
    }
    return deliver_irq(type, irq_number);
}

bool pci_epf_test::deliver_irq(epc::irq_type type, unsigned num) {
    const int r = epc_.raise_irq(func_no, type, num);
    if (r) {
        io_.log(hal::log_level::error, log_cat, std::string("Failed to raise IRQ: ") + err_name(r));
        return false;
    }
    ++irqs_raised_;
    return true;
}

// ---- local buffers ---------------------------------------------------------------------------

bool pci_epf_test::buffer_ok(bool allocated, std::uint64_t len) {
    if (!len)
        io_.log(hal::log_level::error, log_cat, "transfer size 0");
    else if (!allocated)
        io_.log(hal::log_level::error, log_cat,
                "no memory for a " + std::to_string(len) + "-byte buffer");
    return len && allocated;
}

bool pci_epf_test::local_ok(hal::status s) {
    if (s != hal::status::ok)
        io_.log(hal::log_level::error, log_cat,
                std::string("local buffer access failed: ") + hal::to_string(s));
    return s == hal::status::ok;
}

// memcpy_fromio / memcpy_toio / memcpy: CPU loads from src and stores to dst.
hal::status pci_epf_test::move(std::uint64_t dst, std::uint64_t src, std::uint64_t len) {
    for (std::uint64_t off = 0; off < len; off += cpu_chunk_bytes) {
        const std::size_t n = static_cast<std::size_t>(std::min(cpu_chunk_bytes, len - off));
        staging_.resize(n);
        hal::status s = io_.read(src + off, staging_.data(), n);
        if (s == hal::status::ok) s = io_.write(dst + off, staging_.data(), n);
        io_.charge(hal::platform::work::copy, n);
        if (s != hal::status::ok) return s;
    }
    return hal::status::ok;
}

hal::status pci_epf_test::checksum(std::uint64_t local, std::uint64_t len, std::uint32_t& crc) {
    crc = ~0u;
    for (std::uint64_t off = 0; off < len; off += cpu_chunk_bytes) {
        const std::size_t n = static_cast<std::size_t>(std::min(cpu_chunk_bytes, len - off));
        staging_.resize(n);
        const hal::status s = io_.read(local + off, staging_.data(), n);
        if (s != hal::status::ok) return s;
        crc = fw::crc32_le(crc, staging_.data(), n);
        io_.charge(hal::platform::work::crc, n);
    }
    return hal::status::ok;
}

// get_random_bytes: a generator seeded afresh for every command.
hal::status pci_epf_test::fill_random(std::uint64_t local, std::uint64_t len) {
    xorshift64star gen(splitmix64_next(prng_seed_));
    for (std::uint64_t off = 0; off < len; off += cpu_chunk_bytes) {
        const std::size_t n = static_cast<std::size_t>(std::min(cpu_chunk_bytes, len - off));
        staging_.resize(n);
        gen.fill(staging_.data(), n);
        io_.charge(hal::platform::work::copy, n);
        const hal::status s = io_.write(local + off, staging_.data(), n);
        if (s != hal::status::ok) return s;
    }
    return hal::status::ok;
}

hal::status pci_epf_test::fill_local(std::uint64_t local, std::uint64_t len, std::uint8_t byte) {
    for (std::uint64_t off = 0; off < len; off += cpu_chunk_bytes) {
        const std::size_t n = static_cast<std::size_t>(std::min(cpu_chunk_bytes, len - off));
        staging_.assign(n, byte);
        io_.charge(hal::platform::work::copy, n);
        const hal::status s = io_.write(local + off, staging_.data(), n);
        if (s != hal::status::ok) return s;
    }
    return hal::status::ok;
}

// ---- READ / WRITE / COPY ---------------------------------------------------------------------

pci_epf_test::xfer_result pci_epf_test::xfer(xfer_dir dir, std::uint64_t pci_addr,
                                             std::uint64_t local, std::uint64_t len) {
    const bool from_host = dir == xfer_dir::from_host;
    while (len) {
        mapping m(epc_, pci_addr, len);
        if (!m.ok()) return from_host ? xfer_result::src_map_failed : xfer_result::dst_map_failed;
        const std::uint64_t n = m.size();
        const hal::status s = from_host ? move(local, m.phys(), n) : move(m.phys(), local, n);
        if (s != hal::status::ok) return xfer_result::bus_error;
        pci_addr += n;
        local += n;
        len -= n;
    }
    return xfer_result::ok;
}

pci_epf_test::xfer_result pci_epf_test::copy_pieces(std::uint64_t src, std::uint64_t dst,
                                                    std::uint64_t bounce, std::uint64_t len) {
    while (len) {
        mapping s(epc_, src, len);
        if (!s.ok()) return xfer_result::src_map_failed;
        mapping d(epc_, dst, len);
        if (!d.ok()) return xfer_result::dst_map_failed;
        const std::uint64_t n = std::min(s.size(), d.size());
        if (move(bounce, s.phys(), n) != hal::status::ok ||
            move(d.phys(), bounce, n) != hal::status::ok)
            return xfer_result::bus_error;
        src += n;
        dst += n;
        len -= n;
    }
    return xfer_result::ok;
}

bool pci_epf_test::xfer_done(xfer_result r) {
    switch (r) {
    case xfer_result::ok:
        return true;
    case xfer_result::src_map_failed:
        io_.log(hal::log_level::error, log_cat, "Failed to map source address");
        set_status(epf_test::STATUS_SRC_ADDR_INVALID);
        return false;
    case xfer_result::dst_map_failed:
        io_.log(hal::log_level::error, log_cat, "Failed to map destination address");
        set_status(epf_test::STATUS_DST_ADDR_INVALID);
        return false;
    case xfer_result::bus_error:
        io_.log(hal::log_level::error, log_cat, "bus error during the transfer");
        return false;
    }
    return false;
}

// pci_epf_test_data_transfer with a private channel: dmaengine_slave_config with the remote
// address, prep_slave_single on the local buffer, wait for the completion (here bounded).
bool pci_epf_test::dma_xfer(dwc::edma_dir d, std::uint64_t local, std::uint64_t pci_addr,
                            std::uint64_t len) {
    const bool rx = d == dwc::edma_dir::read;
    int& ch = rx ? dma_rx_ : dma_tx_;
    const int r = edma_->xfer_channel(d, unsigned(ch), local, pci_addr, len, p_.dma_timeout_ns);
    if (!r) {
        // This firmware's extension: the next transfer of this direction takes the next free
        // channel (Linux keeps one private channel), so every channel gets used.
        const int next = edma_->rotate_channel(d, unsigned(ch));
        if (next >= 0) ch = next;
        return true;
    }
    io_.log(hal::log_level::error, log_cat, std::string("DMA transfer failed: ") + err_name(r));
    if (r == -ETIMEDOUT) {
        // The channel may still be running and using the buffer: keep the buffer, give the
        // channel back and take another (the driver hands out no channel whose CH_STATUS is
        // still "running").
        dma_timed_out_ = true;
        edma_->release_channel(d, unsigned(ch));
        const int fresh = edma_->request_channel(d);
        if (fresh < 0)
            io_.log(hal::log_level::error, log_cat,
                    std::string("no spare DMA ") + (rx ? "rx" : "tx") +
                        " channel: DMA unavailable from now on");
        ch = fresh < 0 ? -1 : fresh;
    }
    return false;
}

void pci_epf_test::print_rate(const char* op, std::uint64_t len, std::uint64_t start_ns) {
    const std::uint64_t ns = std::max<std::uint64_t>(io_.now_ns() - start_ns, 1);
    const std::uint64_t rate = len * ns_per_s / ns / bytes_per_kb;
    std::string frac = std::to_string(ns % ns_per_s);
    frac.insert(0, ns_fraction_digits - frac.size(), '0');
    io_.log(hal::log_level::info, log_cat,
            std::string(op) + " => Size: " + std::to_string(len) + " B, DMA: " +
                (use_dma_ ? "YES" : "NO") + ", Time: " + std::to_string(ns / ns_per_s) + "." +
                frac + " s, Rate: " + std::to_string(rate) + " KB/s");
}

bool pci_epf_test::cmd_read() {
    const std::uint64_t len = io_.rd32(reg(epf_test::SIZE));
    epc::pool_buffer buf(pool_, len, buffer_align);
    const bool ok = buffer_ok(buf.ok(), len) && read_from_host(buf.addr(), len);
    if (dma_timed_out_) buf.keep();
    set_status(ok ? epf_test::STATUS_READ_SUCCESS : epf_test::STATUS_READ_FAIL);
    return ok;
}

bool pci_epf_test::read_from_host(std::uint64_t local, std::uint64_t len) {
    const std::uint64_t src = reg64(epf_test::SRC_ADDR_LOWER, epf_test::SRC_ADDR_UPPER);
    const std::uint64_t start = io_.now_ns();
    if (use_dma_) {
        // The read channel fetches host SRC into the local buffer (MRd TLPs).
        if (!dma_xfer(dwc::edma_dir::read, local, src, len)) return false;
    } else if (!xfer_done(xfer(xfer_dir::from_host, src, local, len))) {
        return false;
    }
    print_rate("READ", len, start);
    std::uint32_t crc = 0;
    if (!local_ok(checksum(local, len, crc))) return false;
    return crc == io_.rd32(reg(epf_test::CHECKSUM));
}

bool pci_epf_test::cmd_write() {
    const std::uint64_t len = io_.rd32(reg(epf_test::SIZE));
    epc::pool_buffer buf(pool_, len, buffer_align);
    const bool ok = buffer_ok(buf.ok(), len) && write_to_host(buf.addr(), len);
    if (dma_timed_out_) buf.keep();
    if (ok) io_.delay_ns(write_settle_ns);
    set_status(ok ? epf_test::STATUS_WRITE_SUCCESS : epf_test::STATUS_WRITE_FAIL);
    return ok;
}

bool pci_epf_test::write_to_host(std::uint64_t local, std::uint64_t len) {
    std::uint32_t crc = 0;
    if (!local_ok(fill_random(local, len)) || !local_ok(checksum(local, len, crc))) return false;
    io_.wr32(reg(epf_test::CHECKSUM), crc);
    const std::uint64_t dst = reg64(epf_test::DST_ADDR_LOWER, epf_test::DST_ADDR_UPPER);
    const std::uint64_t start = io_.now_ns();
    if (use_dma_) {
        // The write channel stores the local buffer at host DST (MWr TLPs).
        if (!dma_xfer(dwc::edma_dir::write, local, dst, len)) return false;
    } else if (!xfer_done(xfer(xfer_dir::to_host, dst, local, len))) {
        return false;
    }
    print_rate("WRITE", len, start);
    return true;
}

bool pci_epf_test::cmd_copy() {
    if (use_dma_ && !p_.dma_copy_bounce && !dma_memcpy_capable()) {
        // Linux 6.18 pci_epf_test_copy(): a PCI-to-PCI copy by DMA needs DMA_MEMCPY on the
        // channel; the status is COPY_FAIL and the completion interrupt is still raised.
        io_.log(hal::log_level::error, log_cat, "DMA controller doesn't support MEMCPY");
        set_status(epf_test::STATUS_COPY_FAIL);
        return false;
    }
    const std::uint64_t len = io_.rd32(reg(epf_test::SIZE));
    epc::pool_buffer bounce(pool_, len, buffer_align);
    const bool ok = buffer_ok(bounce.ok(), len) && copy_on_host(bounce.addr(), len);
    if (dma_timed_out_) bounce.keep();
    set_status(ok ? epf_test::STATUS_COPY_SUCCESS : epf_test::STATUS_COPY_FAIL);
    return ok;
}

bool pci_epf_test::copy_on_host(std::uint64_t bounce, std::uint64_t len) {
    const std::uint64_t src = reg64(epf_test::SRC_ADDR_LOWER, epf_test::SRC_ADDR_UPPER);
    const std::uint64_t dst = reg64(epf_test::DST_ADDR_LOWER, epf_test::DST_ADDR_UPPER);
    const std::uint64_t start = io_.now_ns();
    if (use_dma_) {
        // This firmware's extension: the eDMA cannot copy PCI to PCI, so read into the local
        // bounce buffer with the read channel, then write it out with the write channel.
        if (!dma_xfer(dwc::edma_dir::read, bounce, src, len) ||
            !dma_xfer(dwc::edma_dir::write, bounce, dst, len))
            return false;
    } else if (!xfer_done(copy_pieces(src, dst, bounce, len))) {
        return false;
    }
    print_rate("COPY", len, start);
    return true;
}

// ---- BAR_SUBRANGE_SETUP / CLEAR --------------------------------------------------------------

bool pci_epf_test::subrange_bar_usable(std::uint32_t barno) {
    const std::string bar = "BAR" + std::to_string(barno);
    if (barno >= pci::STD_NUM_BARS || static_cast<int>(barno) == test_reg_bar_) {
        io_.log(hal::log_level::error, log_cat, bar + " cannot be used for the subrange test");
        return false;
    }
    if (!bar_[barno].size) {
        io_.log(hal::log_level::error, log_cat, bar + " is not set");
        return false;
    }
    if (!features_.dynamic_inbound_mapping || !features_.subrange_mapping) {
        io_.log(hal::log_level::error, log_cat, "EPC cannot map BAR sub-ranges");
        return false;
    }
    return true;
}

hal::status pci_epf_test::fill_subrange_signatures(const epc::epf_bar& b) {
    const std::uint64_t piece = b.size / bar_subrange_count;
    const unsigned barno = static_cast<unsigned>(b.barno);
    // Sub-range i will show physical piece i ^ 1, which carries sub-range i's signature: the
    // host finds signature(i) in the half it sees as i only if the swap took effect.
    for (unsigned i = 0; i < bar_subrange_count; ++i) {
        const hal::status s =
            fill_local(b.phys_addr + (i ^ 1u) * piece, piece, subrange_signature(barno, i));
        if (s != hal::status::ok) return s;
    }
    return hal::status::ok;
}

bool pci_epf_test::map_subranges(const epc::epf_bar& b) {
    if (!local_ok(fill_subrange_signatures(b))) return false;
    const std::uint64_t piece = b.size / bar_subrange_count;
    epc::epf_bar sub = b;
    for (unsigned i = 0; i < bar_subrange_count; ++i) // swapped: sub-range i shows piece i ^ 1
        sub.submap.push_back(epc::epf_bar_submap{b.phys_addr + (i ^ 1u) * piece, piece});
    const int r = epc_.set_bar(func_no, sub);
    if (r) {
        io_.log(hal::log_level::error, log_cat,
                "failed to map BAR" + std::to_string(b.barno) + " sub-ranges: " + err_name(r));
        return false;
    }
    subrange_active_[static_cast<std::size_t>(b.barno)] = true;
    return true;
}

bool pci_epf_test::cmd_bar_subrange_setup() {
    const std::uint32_t barno = io_.rd32(reg(epf_test::SIZE));
    const bool ok = subrange_bar_usable(barno) && map_subranges(bar_[barno]);
    set_status(ok ? STATUS_BAR_SUBRANGE_SETUP_SUCCESS : STATUS_BAR_SUBRANGE_SETUP_FAIL);
    return ok;
}

bool pci_epf_test::restore_bar(std::uint32_t barno) {
    if (barno >= pci::STD_NUM_BARS || !subrange_active_[barno]) {
        io_.log(hal::log_level::error, log_cat,
                "BAR" + std::to_string(barno) + " has no sub-range mapping");
        return false;
    }
    // Dynamic re-set with the plain mapping: the host-assigned BAR address stays.
    const int r = epc_.set_bar(func_no, bar_[barno]);
    if (r) {
        io_.log(hal::log_level::error, log_cat,
                "failed to restore BAR" + std::to_string(barno) + ": " + err_name(r));
        return false;
    }
    subrange_active_[barno] = false;
    return true;
}

bool pci_epf_test::cmd_bar_subrange_clear() {
    const bool ok = restore_bar(io_.rd32(reg(epf_test::SIZE)));
    set_status(ok ? STATUS_BAR_SUBRANGE_CLEAR_SUCCESS : STATUS_BAR_SUBRANGE_CLEAR_FAIL);
    return ok;
}

} // namespace fw::functions

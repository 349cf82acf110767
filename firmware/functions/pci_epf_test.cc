#include "functions/pci_epf_test.h"

#include "hal/errno.h"
#include "hal/pci_epf_test_regs.h"
#include "hal/pci_regs.h"

namespace fw::functions {

namespace {
constexpr std::uint64_t pba_align = 8;
constexpr std::uint8_t interrupt_pin_inta = 1;
} // namespace

pci_epf_test::pci_epf_test(hal::platform& io, epc::epc& epc, epc::coherent_pool& pool,
                           const epf_test_params& p)
    : io_(io), epc_(epc), pool_(pool), p_(p), features_(epc.get_features(0)) {}

std::uint64_t pci_epf_test::test_reg_bar_size() const {
    std::uint64_t size = epf_test::REG_BAR_SIZE;
    if (features_.msix_capable) {
        std::uint64_t table = std::uint64_t(pci::MSIX_ENTRY_SIZE) * p_.msix_vectors;
        std::uint64_t pba = ((p_.msix_vectors + 7) / 8 + pba_align - 1) / pba_align * pba_align;
        size += table + pba;
    }
    return size;
}

int pci_epf_test::bind() {
    test_reg_bar_ = epc::epc::get_first_free_bar(features_);
    if (test_reg_bar_ == epc::NO_BAR) {
        io_.log(hal::log_level::error, "epf-test", "no free BAR for the test registers");
        return -EINVAL;
    }
    for (int b = 0; b < static_cast<int>(pci::STD_NUM_BARS); ++b) {
        if (epc::epc::get_next_free_bar(features_, b) != b)
            continue;
        std::uint64_t size = b == test_reg_bar_ ? test_reg_bar_size() : p_.bar_sizes[b];
        if (!size)
            continue;
        int r = epc::alloc_space(pool_, features_, b, size, bar_[b]);
        if (r) {
            io_.log(hal::log_level::error, "epf-test",
                    "failed to allocate space for BAR" + std::to_string(b) + ": " + err_name(r));
            if (b == test_reg_bar_)
                return r;
            bar_[b] = epc::epf_bar{};
            continue;
        }
        if (bar_[b].flags & pci::BASE_ADDRESS_MEM_TYPE_64)
            ++b; // the next BAR is the upper half
    }
    return 0;
}

int pci_epf_test::epc_init() {
    epc::header h;
    h.vendorid = p_.vendor_id;
    h.deviceid = p_.device_id;
    h.baseclass_code = static_cast<std::uint8_t>(pci::CLASS_OTHERS);
    h.interrupt_pin = interrupt_pin_inta;
    int r = epc_.write_header(0, h);
    if (r)
        return r;
    for (unsigned b = 0; b < pci::STD_NUM_BARS; ++b) {
        if (!bar_[b].size)
            continue;
        r = epc_.set_bar(0, bar_[b]);
        if (r) {
            io_.log(hal::log_level::error, "epf-test",
                    "failed to set BAR" + std::to_string(b) + ": " + err_name(r));
            if (static_cast<int>(b) == test_reg_bar_)
                return r;
            pool_.free(bar_[b].phys_addr);
            bar_[b] = epc::epf_bar{};
        }
    }
    if (features_.msi_capable && (r = epc_.set_msi(0, p_.msi_vectors)))
        return r;
    if (features_.msix_capable &&
        (r = epc_.set_msix(0, p_.msix_vectors, static_cast<unsigned>(test_reg_bar_),
                           epf_test::REG_BAR_SIZE)))
        return r;
    std::uint32_t caps = epf_test::CAP_UNALIGNED_ACCESS;
    if (features_.msi_capable)
        caps |= epf_test::CAP_MSI;
    if (features_.msix_capable)
        caps |= epf_test::CAP_MSIX;
    if (features_.intx_capable)
        caps |= epf_test::CAP_INTX;
    if (features_.dynamic_inbound_mapping)
        caps |= epf_test::CAP_DYNAMIC_INBOUND_MAPPING;
    // The register block starts zeroed (the buffer is freshly allocated).
    for (std::uint32_t off = 0; off < epf_test::REG_BYTES; off += 4)
        io_.wr32(reg(off), 0);
    io_.wr32(reg(epf_test::CAPS), caps);
    return 0;
}

void pci_epf_test::link_up() { running_ = true; }
void pci_epf_test::link_down() { running_ = false; }

void pci_epf_test::cmd_handler() {
    if (!running_)
        return;
    std::uint32_t command = io_.rd32(reg(epf_test::COMMAND));
    if (!command)
        return;
    ++commands_;
    io_.wr32(reg(epf_test::COMMAND), 0);
    io_.wr32(reg(epf_test::STATUS), 0);
    io_.log(hal::log_level::warning, "epf-test",
            "command " + std::to_string(command) + " is not supported by this firmware build");
}

} // namespace fw::functions

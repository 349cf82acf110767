// The ring endpoint function: the host describes a ring of slots in its memory (a source and a
// destination buffer), submits slots by advancing HEAD and ringing a doorbell (a BAR mapped onto
// the interrupt-generation window); for each submitted slot the function reads the source slot
// into local memory with the eDMA, writes it to the destination slot with the eDMA, advances
// TAIL and raises MSI-X vector (slot % vectors) + 1.
#pragma once

#include "firmware/epf/function.h"

#include <cstdint>

namespace ring {

// BAR0 register block (byte offsets); the MSI-X table follows at MSIX_TABLE.
constexpr std::uint32_t REG_MAGIC = 0x00;
constexpr std::uint32_t REG_SLOT_BYTES = 0x04; // host
constexpr std::uint32_t REG_SRC_LO = 0x08;     // host: bus address of the source slots
constexpr std::uint32_t REG_SRC_HI = 0x0C;
constexpr std::uint32_t REG_DST_LO = 0x10; // host: bus address of the destination slots
constexpr std::uint32_t REG_DST_HI = 0x14;
constexpr std::uint32_t REG_HEAD = 0x18;      // host: slots submitted
constexpr std::uint32_t REG_TAIL = 0x1C;      // function: slots done
constexpr std::uint32_t REG_DB_BAR = 0x20;    // function: the doorbell BAR
constexpr std::uint32_t REG_DB_OFFSET = 0x24; // function: where in it to write
constexpr std::uint32_t REG_STATUS = 0x28;    // function: 0 or the last error (negated errno)
constexpr std::uint32_t MSIX_TABLE = 0x800;
constexpr std::uint32_t MAGIC = 0x0121A6E5;
constexpr std::uint64_t BAR_BYTES = 4096;
constexpr int REG_BAR = 0, DOORBELL_BAR = 1;
constexpr std::uint16_t VENDOR_ID = 0x1234, DEVICE_ID = 0x0121;

class ring_function final : public fw::epf::function {
public:
    ring_function(std::uint64_t max_slot_bytes, unsigned msix_vectors, std::uint64_t dma_timeout_ns)
        : max_slot_bytes_(max_slot_bytes)
        , vectors_(msix_vectors)
        , dma_timeout_ns_(dma_timeout_ns) {}
    int bind(fw::epf::context& ctx) override;
    void unbind() override;
    int epc_init() override;
    void doorbell(std::uint32_t value, std::uint64_t window_offset) override;

private:
    int move_slot(std::uint32_t slot);
    std::uint32_t rd(std::uint32_t reg) { return ctx_->io.rd32(regs_.phys_addr + reg); }
    void wr(std::uint32_t reg, std::uint32_t v) { ctx_->io.wr32(regs_.phys_addr + reg, v); }

    std::uint64_t max_slot_bytes_;
    unsigned vectors_;
    std::uint64_t dma_timeout_ns_;
    fw::epf::context* ctx_ = nullptr;
    fw::epc::epf_bar regs_, doorbell_;
    std::uint64_t staging_ = 0; // local buffer a slot passes through
};

} // namespace ring

// The echo endpoint function: BAR0 holds a small register block; when the host writes a new
// sequence number, the function copies DATA to ECHO, writes the sequence number to DONE and
// raises MSI vector 1. It polls the block with delayed work (function.echo.poll_us).
#pragma once

#include "firmware/epf/function.h"
#include "firmware/epf/workqueue.h"

#include <cstdint>

namespace echo {

// BAR0 register block (byte offsets).
constexpr std::uint32_t REG_MAGIC = 0x00; // reads MAGIC once the function is initialised
constexpr std::uint32_t REG_DATA = 0x04;  // host: the value to echo
constexpr std::uint32_t REG_SEQ = 0x08;   // host: a new number requests an echo
constexpr std::uint32_t REG_ECHO = 0x0C;  // function: DATA as it was read
constexpr std::uint32_t REG_DONE = 0x10;  // function: the SEQ it answered
constexpr std::uint32_t MAGIC = 0xEC40F00D;
constexpr std::uint64_t BAR_BYTES = 4096;
constexpr std::uint16_t VENDOR_ID = 0x1234, DEVICE_ID = 0xEC40;

class echo_function final : public fw::epf::function {
public:
    explicit echo_function(std::uint64_t poll_ns)
        : poll_ns_(poll_ns) {}
    int bind(fw::epf::context& ctx) override;
    void unbind() override;
    int epc_init() override;
    int link_up() override;
    int link_down() override;
    int bus_master_enable() override;
    std::uint64_t echoes() const { return echoes_; }

private:
    void poll();
    std::uint32_t rd(std::uint32_t reg) { return ctx_->io.rd32(bar_.phys_addr + reg); }
    void wr(std::uint32_t reg, std::uint32_t v) { ctx_->io.wr32(bar_.phys_addr + reg, v); }

    std::uint64_t poll_ns_;
    fw::epf::context* ctx_ = nullptr;
    fw::epc::epf_bar bar_;
    fw::epf::delayed_work work_{[this] { poll(); }};
    std::uint32_t last_seq_ = 0;
    std::uint64_t echoes_ = 0;
};

} // namespace echo

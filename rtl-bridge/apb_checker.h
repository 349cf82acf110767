// APB4 protocol checker: watches one APB port once per cycle (as an island agent), of any width the
// view allows (8/16/32 data bits, up to 32 address bits; checked at construction).
//
// Models these rules (names as they appear in messages):
//   setup-first     PENABLE rises only after a setup cycle (PSEL high, PENABLE low)
//   psel-held       PSEL stays high from setup until the access phase ends with PREADY
//   payload-stable  PADDR, PWRITE, PWDATA and PSTRB do not change from setup to PREADY
//   penable-low     PENABLE falls after the access phase that ended with PREADY
// Violations go to the handler as for axi_checker (default: throw protocol_error).
// Does not model: PPROT, wake-up (APB5), X checks.
#pragma once

#include "rtl-bridge/axi_checker.h"
#include "rtl-bridge/axi_pins.h"

namespace epvp::rtl {

class apb_checker : public cycle_agent {
public:
    // The view is kept by reference (it must outlive this), so that a block re-made in its
    // other trace flavour before it runs is followed (rtl_models.h).
    explicit apb_checker(const apb_port& port, violation_handler on_violation = nullptr);
    void sample(std::uint64_t cycle) override;
    bool watcher() const override { return true; }
    const std::vector<protocol_violation>& violations() const { return violations_; }
    std::uint64_t transfers() const { return transfers_; }

private:
    void fail(const char* rule, std::uint64_t cycle, const std::string& detail);
    const apb_port& p_; // the block's view: follows the instance when it is re-made
    violation_handler handler_;
    std::vector<protocol_violation> violations_;
    enum class phase { idle, setup, access } phase_ = phase::idle;
    bool finished_ = false; // the previous cycle ended an access phase
    std::uint32_t addr_ = 0, wdata_ = 0;
    std::uint8_t write_ = 0, strb_ = 0;
    std::uint64_t transfers_ = 0;
};

} // namespace epvp::rtl

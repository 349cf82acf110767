// The echo function's host side (its driver and test program) and the plugin's entry point.
#include "echo_function.h"

#include "firmware/hal/errno.h"
#include "firmware/host/msi_irq.h"
#include "testbench/config/keys.h"
#include "testbench/sdk/plugin.h"

#include <memory>
#include <string>

namespace {

constexpr unsigned rounds = 4;
// Values echoed: a different bit pattern per round.
constexpr std::uint32_t patterns[rounds] = {0x00000000, 0xFFFFFFFF, 0xA5A5A5A5, 0x12345678};

int echo_host(epvp::sdk::host_context& h) {
    const auto& bar0 = h.dev.bars[0];
    h.test("BAR0 assigned", bar0.addr != 0 && bar0.size >= echo::BAR_BYTES);
    if (!bar0.addr) return -ENODEV;
    fw::host::msi_irq irq(h.host, h.board, h.dev);
    const int granted = irq.enable(1);
    h.test("MSI enabled", granted == 1, "pci_alloc_irq_vectors: " + std::to_string(granted));
    const std::uint64_t timeout_ns = h.keys.uint("timeout_us") * 1000;
    std::uint64_t total_ns = 0;
    unsigned passed = 0;
    for (unsigned i = 0; i < rounds; ++i) {
        const std::uint32_t seq = i + 1;
        const std::uint64_t start = h.io.now_ns();
        h.io.wr32(bar0.addr + echo::REG_DATA, patterns[i]);
        h.io.wr32(bar0.addr + echo::REG_SEQ, seq);
        const int vector = irq.wait(timeout_ns);
        const std::uint32_t echoed = h.io.rd32(bar0.addr + echo::REG_ECHO);
        const std::uint32_t done = h.io.rd32(bar0.addr + echo::REG_DONE);
        total_ns += h.io.now_ns() - start;
        const bool ok = vector == 0 && echoed == patterns[i] && done == seq;
        passed += ok;
        h.info("round " + std::to_string(seq) + ": vector " + std::to_string(vector) + ", echoed " +
               std::to_string(echoed));
        h.test("echo round " + std::to_string(seq), ok,
               vector < 0 ? std::string("no MSI: ") + fw::err_name(vector)
                          : "echoed " + std::to_string(echoed) + ", done " + std::to_string(done));
    }
    h.report["rounds"] = rounds;
    h.report["rounds_passed"] = passed;
    h.report["mean_round_trip_ns"] = total_ns / rounds;
    return 0;
}

void register_echo(epvp::tb::workload_registry& r) {
    epvp::sdk::function_desc d;
    d.name = "echo";
    d.description = "echo function: the host writes a value to BAR0, the function echoes it and "
                    "raises an MSI";
    d.keys = {epvp::cfg::uint_key("poll_us", 100, epvp::cfg::in_range(1, 1'000'000),
                                  "how often the function polls its BAR0 register block"),
              epvp::cfg::uint_key("timeout_us", 10'000, epvp::cfg::in_range(1, 100'000'000),
                                  "how long the host waits for each echo's MSI")};
    d.tests = 2 + rounds;
    d.make_function = [](const epvp::sdk::function_keys& k) {
        return std::make_unique<echo::echo_function>(k.uint("poll_us") * 1000);
    };
    d.host = echo_host;
    epvp::sdk::add_function(r, std::move(d));
}

} // namespace

EPVP_PLUGIN(register_echo)

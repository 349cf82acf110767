// The ring function's host side and the plugin's entry point.
#include "ring_function.h"

#include "firmware/hal/errno.h"
#include "firmware/host/msi_irq.h"
#include "testbench/config/keys.h"
#include "testbench/sdk/plugin.h"

#include <memory>
#include <string>
#include <vector>

namespace {

constexpr unsigned slots = 4;

// The byte the host puts at offset j of source slot i (the expected destination byte).
std::uint8_t pattern(unsigned slot, std::uint64_t j) {
    return static_cast<std::uint8_t>(slot * 31 + j * 7 + 1);
}

int ring_host(epvp::sdk::host_context& h) {
    const auto& regs = h.dev.bars[ring::REG_BAR];
    const std::uint64_t slot_bytes = h.keys.uint("slot_bytes");
    const std::uint64_t timeout_ns = h.keys.uint("timeout_us") * 1000;
    fw::host::msi_irq irq(h.host, h.board, h.dev);
    const int granted = irq.enable_msix(static_cast<unsigned>(h.keys.uint("msix_vectors")));
    h.test("MSI-X enabled", granted > 0 && h.io.rd32(regs.addr + ring::REG_MAGIC) == ring::MAGIC,
           "pci_alloc_irq_vectors: " + std::to_string(granted));
    if (granted <= 0) return granted;
    std::uint64_t src = 0, dst = 0;
    int r = h.mem.kzalloc(slots * slot_bytes, 4096, src);
    if (!r) r = h.mem.kzalloc(slots * slot_bytes, 4096, dst);
    if (r) return r;
    std::vector<std::uint8_t> buf(slot_bytes);
    for (unsigned i = 0; i < slots; ++i) {
        for (std::uint64_t j = 0; j < slot_bytes; ++j)
            buf[j] = pattern(i, j);
        h.io.write(src + i * slot_bytes, buf.data(), slot_bytes);
    }
    h.io.wr32(regs.addr + ring::REG_SLOT_BYTES, static_cast<std::uint32_t>(slot_bytes));
    h.io.wr32(regs.addr + ring::REG_SRC_LO, static_cast<std::uint32_t>(src));
    h.io.wr32(regs.addr + ring::REG_SRC_HI, static_cast<std::uint32_t>(src >> 32));
    h.io.wr32(regs.addr + ring::REG_DST_LO, static_cast<std::uint32_t>(dst));
    h.io.wr32(regs.addr + ring::REG_DST_HI, static_cast<std::uint32_t>(dst >> 32));
    const std::uint32_t db_bar = h.io.rd32(regs.addr + ring::REG_DB_BAR);
    const std::uint64_t doorbell =
        h.dev.bars[db_bar % 6].addr + h.io.rd32(regs.addr + ring::REG_DB_OFFSET);
    unsigned verified = 0;
    std::uint64_t total_ns = 0;
    for (unsigned i = 0; i < slots; ++i) {
        const std::uint64_t start = h.io.now_ns();
        h.io.wr32(regs.addr + ring::REG_HEAD, i + 1);
        h.io.wr32(doorbell, i + 1);
        const int vector = irq.wait(timeout_ns);
        total_ns += h.io.now_ns() - start;
        h.io.read(dst + i * slot_bytes, buf.data(), slot_bytes);
        std::uint64_t bad = 0;
        for (std::uint64_t j = 0; j < slot_bytes; ++j)
            bad += buf[j] != pattern(i, j);
        const bool ok = vector == static_cast<int>(i % static_cast<unsigned>(granted)) && bad == 0;
        verified += bad == 0;
        h.test("slot " + std::to_string(i) + " moved by the eDMA", ok,
               "vector " + std::to_string(vector) + ", " + std::to_string(bad) +
                   " bytes differ, status " +
                   std::to_string(static_cast<int>(h.io.rd32(regs.addr + ring::REG_STATUS))));
    }
    h.mem.kfree(dst);
    h.mem.kfree(src);
    h.report["slots"] = slots;
    h.report["slot_bytes"] = slot_bytes;
    h.report["slots_verified"] = verified;
    h.report["mean_slot_ns"] = total_ns / slots;
    return 0;
}

void register_ring(epvp::tb::workload_registry& r) {
    using namespace epvp::cfg;
    epvp::sdk::function_desc d;
    d.name = "ring";
    d.description = "ring function: host slots moved by the endpoint's eDMA on a doorbell, each "
                    "completion an MSI-X";
    d.keys = {uint_key("slot_bytes", 4096, multiple_of(4, 4, 1 << 20), "bytes per ring slot"),
              uint_key("msix_vectors", 4, in_range(1, 32), "MSI-X vectors the function offers"),
              uint_key("timeout_us", 10'000, in_range(1, 100'000'000),
                       "how long each side waits for an eDMA transfer or an interrupt")};
    d.tests = 1 + slots;
    d.make_function = [](const epvp::sdk::function_keys& k) {
        return std::make_unique<ring::ring_function>(k.uint("slot_bytes"),
                                                     static_cast<unsigned>(k.uint("msix_vectors")),
                                                     k.uint("timeout_us") * 1000);
    };
    d.host = ring_host;
    epvp::sdk::add_function(r, std::move(d));
}

} // namespace

EPVP_PLUGIN(register_ring)

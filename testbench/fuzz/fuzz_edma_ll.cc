// libFuzzer harness: model/dwc/edma_ll (the eDMA linked-list format). The fuzzer writes the
// local memory a list lives in (any bytes: elements, link elements, garbage) and picks the
// starting LLP and cycle state; the harness walks the list as the engine does, slot by slot, with
// a budget. Invariants, checked against the format written out here from the databook layout
// (control at +0, size at +4, SAR at +8, DAR at +16, link pointer at +8; CB bit 0, TCB bit 1,
// LLP bit 2):
//   - a slot whose CB differs from CCS stops the list and leaves LLP and CCS unchanged;
//   - a link slot moves LLP to its pointer, toggles CCS exactly when TCB is set, reports no data;
//   - a data slot reports exactly the slot's fields, LLP moves by one slot, CCS stays;
//   - the walk ends (stop, or the budget) and never reads outside the slots it visits.
#include "fuzz_check.h"

#include "dwc/edma_ll.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cinttypes>
#include <cstring>
#include <map>

using namespace epvp::dwc;

namespace {
constexpr std::uint64_t region_base = 0x9000'0000;
constexpr unsigned region_slots = 64;
constexpr unsigned budget = 256; // slots per walk (the engine's max_ll_elements, scaled down)
constexpr unsigned slot_bytes = edma_reg::ll_element_bytes;

std::uint32_t rd32(const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v); // the harness runs on a little-endian host, like the model
    return v;
}
std::uint64_t rd64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    std::uint64_t llp =
        region_base + in.ConsumeIntegralInRange<unsigned>(0, region_slots - 1) * slot_bytes;
    bool ccs = in.ConsumeBool();
    // Memory: slots of the region, each either fuzzed bytes or a plausible element pointing back
    // into the region (so lists loop, jump and toggle).
    std::map<std::uint64_t, std::array<unsigned char, slot_bytes>> mem;
    for (unsigned i = 0; i < region_slots && in.remaining_bytes(); ++i) {
        std::array<unsigned char, slot_bytes> raw{};
        const auto bytes = in.ConsumeBytes<unsigned char>(slot_bytes);
        std::memcpy(raw.data(), bytes.data(), bytes.size());
        if (in.ConsumeBool()) { // a link element back into the region
            const std::uint64_t target =
                region_base + in.ConsumeIntegralInRange<unsigned>(0, region_slots - 1) * slot_bytes;
            std::memcpy(raw.data() + edma_reg::ll_link_ptr, &target, sizeof target);
            raw[0] = static_cast<unsigned char>((raw[0] & ~0x7u) | edma_reg::llp |
                                                (in.ConsumeBool() ? edma_reg::tcb : 0) |
                                                (in.ConsumeBool() ? edma_reg::cb : 0));
        }
        mem[region_base + i * slot_bytes] = raw;
    }
    unsigned data_elements = 0;
    for (unsigned step = 0; step < budget; ++step) {
        auto it = mem.find(llp);
        if (it == mem.end()) break; // the engine would take an AXI error: a fetch fault
        const unsigned char(&raw)[slot_bytes] =
            *reinterpret_cast<const unsigned char(*)[slot_bytes]>(it->second.data());
        const edma_ll::slot s = edma_ll::decode(raw, llp, ccs);
        const std::uint32_t control = rd32(raw);
        const bool cb = control & 1u, tcb = control & 2u, link = control & 4u;
        FUZZ_CHECK(s.control == control, "control 0x%x decoded as 0x%x", control, s.control);
        if (cb != ccs) {
            FUZZ_CHECK(s.k == edma_ll::slot::kind::stop, "CB != CCS must stop");
            FUZZ_CHECK(s.next_llp == llp && s.next_ccs == ccs, "a stop moved LLP or CCS");
            break;
        }
        if (link) {
            FUZZ_CHECK(s.k == edma_ll::slot::kind::link, "LLP bit set but kind %d",
                       static_cast<int>(s.k));
            FUZZ_CHECK(s.next_llp == rd64(raw + 8), "link to 0x%" PRIx64 " went to 0x%" PRIx64,
                       rd64(raw + 8), s.next_llp);
            FUZZ_CHECK(s.next_ccs == (tcb ? !ccs : ccs), "TCB %d: CCS %d -> %d", tcb, ccs,
                       s.next_ccs);
            FUZZ_CHECK(s.size == 0 && s.sar == 0 && s.dar == 0, "a link element carried data");
        } else {
            FUZZ_CHECK(s.k == edma_ll::slot::kind::data, "data slot decoded as kind %d",
                       static_cast<int>(s.k));
            FUZZ_CHECK(s.size == rd32(raw + 4) && s.sar == rd64(raw + 8) && s.dar == rd64(raw + 16),
                       "data element fields");
            FUZZ_CHECK(s.next_llp == llp + slot_bytes && s.next_ccs == ccs,
                       "a data element moved LLP to 0x%" PRIx64, s.next_llp);
            ++data_elements;
        }
        llp = s.next_llp;
        ccs = s.next_ccs;
    }
    FUZZ_CHECK(data_elements <= budget, "more data elements than slots visited");
    return 0;
}

// edma.h (the register table) comes with SystemC's headers; libsystemc wants the symbol.
int sc_main(int, char*[]) {
    return 0;
}

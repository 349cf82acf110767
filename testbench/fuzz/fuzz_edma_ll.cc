// libFuzzer harness: model/dwc/edma_ll (the eDMA linked-list format). The fuzzer writes the
// local memory a list lives in (any bytes: elements, link elements, garbage) and picks the
// starting LLP and cycle state; the harness walks the list as the engine does, slot by slot, with
// a budget. Invariants, checked against the format written out here from the databook layout
// (control at +0, size at +4, SAR at +8, DAR at +16, link pointer at +8; CB bit 0, TCB bit 1,
// LLP bit 2):
//   - a link slot (LLP bit), whatever its CB (the generated links carry either CB), moves LLP to
//     its pointer, toggles CCS exactly when TCB is set, reports no data;
//   - a data slot whose CB differs from CCS stops the list and leaves LLP and CCS unchanged;
//   - any other data slot reports exactly the slot's fields, LLP moves by one slot, CCS stays;
//   - the walk ends (stop, or the budget) and never reads outside the slots it visits.
// Then Linux's chunk scheme (dw_edma_v0_core_write_chunk / dw_edma_v0_core_start), with a fuzzed
// ll_max, chunk count and last-chunk length: each chunk rewrites the LL page from slot 0 with
// data elements of CB = chunk cb and a link element LLP | TCB with CB = !chunk cb back to slot 0;
// cb alternates; CCS = 1 and LLP = page start are programmed for the first chunk only. Each
// chunk's walk, resumed where the previous one stopped, must consume exactly that chunk's data
// elements, follow its link and stop at slot 0 with CCS = !chunk cb.
#include "testbench/fuzz/fuzz_check.h"

#include "model/dwc/edma_ll.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cinttypes>
#include <cstring>
#include <map>
#include <vector>

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
void put32(unsigned char* p, std::uint32_t v) {
    std::memcpy(p, &v, sizeof v);
}
void put64(unsigned char* p, std::uint64_t v) {
    std::memcpy(p, &v, sizeof v);
}

void linux_chunks(FuzzedDataProvider& in) {
    constexpr std::uint32_t cb_bit = 1u << 0, tcb_bit = 1u << 1, llp_bit = 1u << 2;
    const unsigned ll_max = in.ConsumeIntegralInRange<unsigned>(1, region_slots - 1);
    const unsigned chunks = in.ConsumeIntegralInRange<unsigned>(1, 6);
    const unsigned last = in.ConsumeIntegralInRange<unsigned>(1, ll_max);
    std::vector<unsigned char> page((ll_max + 1) * slot_bytes, 0xA5); // stale bytes
    bool cb = true;                                                   // the first chunk's cb
    std::uint64_t llp = region_base;                                  // programmed once
    bool ccs = true;                                                  // CCS written once
    for (unsigned c = 0; c < chunks; ++c) {
        const unsigned n = c + 1 == chunks ? last : ll_max;
        for (unsigned i = 0; i < n; ++i) {
            unsigned char* e = &page[i * slot_bytes];
            put32(e, cb ? cb_bit : 0);
            put32(e + 4, c * 1000 + i + 1); // transfer size tells the element apart
            put64(e + 8, 0x1000u * c);
            put64(e + 16, 0x2000u * i);
        }
        unsigned char* link = &page[n * slot_bytes];
        put32(link, llp_bit | tcb_bit | (cb ? 0 : cb_bit));
        put32(link + 4, 0);
        put64(link + 8, region_base);
        unsigned seen = 0;
        for (unsigned step = 0; step <= ll_max + 2; ++step) {
            const std::uint64_t at = llp - region_base;
            FUZZ_CHECK(at % slot_bytes == 0 && at + slot_bytes <= page.size(),
                       "chunk %u: LLP 0x%" PRIx64 " left the page", c, llp);
            const unsigned char(&raw)[slot_bytes] =
                *reinterpret_cast<const unsigned char(*)[slot_bytes]>(&page[at]);
            const edma_ll::slot s = edma_ll::decode(raw, llp, ccs);
            if (s.k == edma_ll::slot::kind::stop) break;
            if (s.k == edma_ll::slot::kind::data) {
                FUZZ_CHECK(s.size == c * 1000 + seen + 1, "chunk %u: element %u has size %u", c,
                           seen, s.size);
                ++seen;
            }
            llp = s.next_llp;
            ccs = s.next_ccs;
        }
        FUZZ_CHECK(seen == n, "chunk %u of %u: %u of %u data elements (ll_max %u)", c + 1, chunks,
                   seen, n, ll_max);
        FUZZ_CHECK(llp == region_base && ccs == !cb, "chunk %u stopped at 0x%" PRIx64 " CCS %d",
                   c + 1, llp, ccs);
        cb = !cb;
    }
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
    unsigned data_elements = 0, links_matching = 0, links_other_cb = 0;
    for (unsigned step = 0; step < budget; ++step) {
        auto it = mem.find(llp);
        if (it == mem.end()) break; // the engine would take an AXI error: a fetch fault
        const unsigned char(&raw)[slot_bytes] =
            *reinterpret_cast<const unsigned char(*)[slot_bytes]>(it->second.data());
        const edma_ll::slot s = edma_ll::decode(raw, llp, ccs);
        const std::uint32_t control = rd32(raw);
        const bool cb = control & 1u, tcb = control & 2u, link = control & 4u;
        FUZZ_CHECK(s.control == control, "control 0x%x decoded as 0x%x", control, s.control);
        if (!link && cb != ccs) {
            FUZZ_CHECK(s.k == edma_ll::slot::kind::stop, "data CB != CCS must stop");
            FUZZ_CHECK(s.next_llp == llp && s.next_ccs == ccs, "a stop moved LLP or CCS");
            break;
        }
        if (link) {
            // Followed with CB == CCS and with CB != CCS alike (Linux's chunk links carry !CCS).
            ++(cb == ccs ? links_matching : links_other_cb);
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
    FUZZ_CHECK(data_elements + links_matching + links_other_cb <= budget,
               "more elements than slots visited");
    linux_chunks(in);
    return 0;
}

// edma.h (the register table) comes with SystemC's headers; libsystemc wants the symbol.
int sc_main(int, char*[]) {
    return 0;
}

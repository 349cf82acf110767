// libFuzzer harness: testbench/config (parse_text, merge, apply_set, parse) on fuzzed text, as
// epsim sees it: a --config file and --set assignments. Input: NUL-separated chunks; the first
// is the JSON document (skipped when empty), every later one a --set KEY=VALUE string.
// Invariants (the shadow is defaults(), the schema's own view of which keys exist):
//   - config_error is the only exception that may leave parse_text, merge, apply_set and parse,
//     and its message is not empty;
//   - a merge that succeeds accepted only keys defaults() has, and the merged document holds
//     the overlay's leaves;
//   - a rejected --set leaves the document unchanged (all or nothing); an accepted one names a
//     key path that exists in defaults();
//   - parse() of a document is deterministic, and a document that parses keeps parsing after a
//     dump and parse_text round trip, to the same typed values; the typed values respect the
//     schema's ranges that the platform code relies on.
#include "testbench/fuzz/fuzz_check.h"

#include "testbench/config/config.h"

#include <cstdint>
#include <cstdlib>
#include <cxxabi.h>
#include <exception>
#include <string>
#include <typeinfo>
#include <vector>

using namespace epvp::cfg;

namespace {

const json& schema_defaults() {
    static const json d = defaults();
    return d;
}

// Every object key of `doc` exists in `schema` (recursively, where the schema has an object), and
// every leaf `doc` has is in `merged`.
void check_known_and_merged(const json& doc, const json& schema, const json& merged,
                            const std::string& path) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const std::string here = path.empty() ? it.key() : path + "." + it.key();
        FUZZ_CHECK(schema.contains(it.key()), "merge accepted unknown key '%s'", here.c_str());
        FUZZ_CHECK(merged.is_object() && merged.contains(it.key()), "merged document lacks '%s'",
                   here.c_str());
        const json& s = schema.at(it.key());
        if (s.is_object() && it.value().is_object())
            check_known_and_merged(it.value(), s, merged.at(it.key()), here);
        else if (!s.is_object())
            FUZZ_CHECK(merged.at(it.key()) == it.value(), "merged '%s' differs from the overlay",
                       here.c_str());
    }
}

// The key part of a --set names a path in defaults() (array indices included).
bool key_in_defaults(const std::string& key) {
    const json* node = &schema_defaults();
    std::size_t pos = 0;
    while (pos <= key.size()) {
        std::size_t end = key.find_first_of(".[", pos);
        const std::string name =
            key.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (!node->is_object() || !node->contains(name)) return false;
        node = &node->at(name);
        if (end == std::string::npos) return true;
        if (key[end] == '[') {
            const std::size_t close = key.find(']', end);
            if (close == std::string::npos) return false;
            const std::size_t index = std::stoul(key.substr(end + 1, close - end - 1));
            if (!node->is_array() || index >= node->size()) return false;
            node = &node->at(index);
            end = close + 1;
            if (end == key.size()) return true;
        }
        pos = end + 1;
    }
    return false;
}

void check_typed(const platform_config& p) {
    FUZZ_CHECK(p.link.gen >= 1 && p.link.gen <= 6, "link.gen %u", p.link.gen);
    FUZZ_CHECK(p.link.width == 1 || p.link.width == 2 || p.link.width == 4 || p.link.width == 8 ||
                   p.link.width == 16,
               "link.width %u", p.link.width);
    for (unsigned v : {p.link.mps, p.link.mrrs})
        FUZZ_CHECK(v >= 128 && v <= 4096 && (v & (v - 1)) == 0, "mps/mrrs %u", v);
    FUZZ_CHECK(p.link.rcb == 64 || p.link.rcb == 128, "link.rcb %u", p.link.rcb);
    FUZZ_CHECK(p.dwc.iatu.outbound_windows >= 1 && p.dwc.iatu.inbound_windows >= 1, "windows");
    FUZZ_CHECK((p.dwc.iatu.region_align & (p.dwc.iatu.region_align - 1)) == 0 &&
                   p.dwc.iatu.region_align >= 4096,
               "region_align");
    FUZZ_CHECK(p.board.aperture.page_size >= p.dwc.iatu.region_align &&
                   p.board.aperture.base % p.board.aperture.page_size == 0,
               "aperture page size / base");
    FUZZ_CHECK(p.dwc.edma_write_channels <= 8 && p.dwc.edma_read_channels <= 8, "edma channels");
    FUZZ_CHECK(p.function.test.unmapped_bar >= -1 && p.function.test.unmapped_bar <= 5,
               "unmapped_bar %d", p.function.test.unmapped_bar);
    for (std::size_t i = 0; i < p.dwc.bars.size(); ++i) {
        const auto& b = p.dwc.bars[i];
        if (b.type == bar_type::fixed)
            FUZZ_CHECK(b.fixed_size >= 128 && (b.fixed_size & (b.fixed_size - 1)) == 0,
                       "fixed BAR%zu size", i);
        else
            FUZZ_CHECK(b.fixed_size == 0, "non-fixed BAR%zu with a fixed_size", i);
        if (b.only_64bit)
            FUZZ_CHECK(i % 2 == 0 && p.dwc.bars[i + 1].type == bar_type::reserved, "64-bit BAR%zu",
                       i);
    }
    FUZZ_CHECK(p.workload.dma_sweep.min_bytes <= p.workload.dma_sweep.max_bytes, "dma_sweep");
    FUZZ_CHECK(p.host.mmio32_base + p.host.mmio32_size <= (std::uint64_t{1} << 32), "mmio32");
}

bool same(const platform_config& a, const platform_config& b) {
    // The fields the platform reads most; a difference in any is a round-trip bug.
    return a.sim.seed == b.sim.seed && a.link.gen == b.link.gen && a.link.width == b.link.width &&
           a.link.mps == b.link.mps && a.link.mrrs == b.link.mrrs && a.link.rcb == b.link.rcb &&
           a.dwc.version == b.dwc.version && a.dwc.version_number == b.dwc.version_number &&
           a.dwc.iatu.outbound_windows == b.dwc.iatu.outbound_windows &&
           a.dwc.iatu.region_limit == b.dwc.iatu.region_limit &&
           a.function.test.bar_sizes == b.function.test.bar_sizes &&
           a.host.mem_base == b.host.mem_base && a.board.aperture.base == b.board.aperture.base &&
           a.board.aperture.page_size == b.board.aperture.page_size && a.dram.base == b.dram.base &&
           a.dram.size_bytes == b.dram.size_bytes;
}

std::string type_name(const std::exception& e) {
    int status = 0;
    char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : typeid(e).name();
    std::free(name);
    return out;
}

// Runs f; config_error is an accepted outcome (returns false), any other exception is a finding.
template <class F>
bool guarded(const char* what, const std::string& input, F&& f) {
    try {
        f();
        return true;
    } catch (const config_error& e) {
        FUZZ_CHECK(e.what()[0] != '\0', "%s: config_error with an empty message", what);
        return false;
    } catch (const std::exception& e) {
        FUZZ_CHECK(false, "%s threw %s (not config_error): %s\n  input: '%s'", what,
                   type_name(e).c_str(), e.what(), input.c_str());
    } catch (...) {
        FUZZ_CHECK(false, "%s threw a non-std exception\n  input: '%s'", what, input.c_str());
    }
    return false;
}

void check_parse(const json& doc, const char* what) {
    platform_config p{};
    const std::string text = [&] {
        std::string t;
        guarded("dump", "", [&] { t = doc.dump(); });
        return t;
    }();
    if (!guarded(what, text, [&] { p = parse(doc); })) return;
    check_typed(p);
    platform_config again{};
    FUZZ_CHECK(guarded("parse (again)", text, [&] { again = parse(doc); }) && same(p, again),
               "%s: parse is not deterministic", what);
    json reread;
    FUZZ_CHECK(guarded("parse_text (round trip)", text, [&] { reread = parse_text(text, "dump"); }),
               "%s: the dump of a valid document does not parse", what);
    platform_config rt{};
    FUZZ_CHECK(guarded("parse (round trip)", text, [&] { rt = parse(reread); }) && same(p, rt),
               "%s: dump + parse_text changes the configuration", what);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> chunks(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0)
            chunks.emplace_back();
        else
            chunks.back() += static_cast<char>(data[i]);
    }
    if (chunks.size() > 17) // at most 16 --set assignments
        chunks.resize(17);

    json cfg = schema_defaults();
    if (!chunks[0].empty()) {
        json user;
        if (guarded("parse_text", chunks[0], [&] { user = parse_text(chunks[0], "fuzz.json"); })) {
            check_parse(user, "parse(document)"); // a document on its own, defaults filling in
            json merged = cfg;
            if (guarded("merge", chunks[0], [&] { merge(merged, user); })) {
                FUZZ_CHECK(user.is_object(), "merge accepted a non-object document");
                check_known_and_merged(user, schema_defaults(), merged, "");
                cfg = std::move(merged);
            }
        }
    }
    for (std::size_t i = 1; i < chunks.size(); ++i) {
        const std::string& s = chunks[i];
        const json before = cfg;
        if (guarded("apply_set", s, [&] { apply_set(cfg, s); })) {
            const auto eq = s.find('=');
            FUZZ_CHECK(eq != std::string::npos && eq > 0, "apply_set accepted '%s'", s.c_str());
            FUZZ_CHECK(key_in_defaults(s.substr(0, eq)), "apply_set accepted unknown key in '%s'",
                       s.c_str());
        } else {
            FUZZ_CHECK(cfg == before, "a rejected --set '%s' changed the document", s.c_str());
        }
    }
    check_parse(cfg, "parse(merged)");
    return 0;
}

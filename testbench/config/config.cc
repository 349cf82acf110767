// Platform configuration: the schema table, defaults, parsing, merging, --set and validation.
//
// Everything the configuration knows is in ONE table (schema()): one row per leaf key with its
// JSON path, kind, default and rule. defaults() is generated from it, and validation, merging and
// --set all walk the object structure the paths imply, so adding a key is adding a row (plus the
// line that copies it into the typed platform_config, and any cross-key rule).
#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <system_error>
#include <unordered_set>
#include <utility>

namespace epvp::cfg {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
constexpr std::uint64_t GiB = 1024 * MiB;
constexpr std::uint64_t TiB = 1024 * GiB;
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

constexpr std::uint64_t pow2(unsigned n) {
    return std::uint64_t{1} << n;
}
constexpr bool is_pow2(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

// Fixed-size regions the cross-key rules need.
constexpr std::uint64_t msi_region_size = 0x2000; // doorbell page + register page
constexpr std::uint64_t dbi_region_size = 0x400000;
constexpr std::uint64_t app_region_size = 0x1000;
constexpr std::uint64_t smmu_region_size = 0x20000; // two 64 KiB register pages
constexpr std::uint64_t ecam_region_size = 256 * MiB;
constexpr std::uint64_t resizable_bar_min = 1 * MiB;
constexpr std::uint64_t fixed_bar_min = 128;

// Input limits. A configuration is a few levels deep and a few KiB; these bound what a file or a
// --set value can make the parser and every later walk over the document do.
constexpr std::size_t max_json_depth = 64;             // nested objects and arrays
constexpr std::size_t max_file_bytes = 16 * MiB;       // a configuration or sweep spec file
constexpr std::size_t max_file_block_bytes = 64 * KiB; // read at a time

[[noreturn]] void fail(const std::string& message) {
    throw config_error(message);
}

std::string dec(std::uint64_t v) {
    return std::to_string(v);
}

std::string hex(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

std::string join_path(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "." + name;
}

std::string indexed(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

// "string \"x\"", "number -5", "boolean true", "null", "array [1,2]", "object {...}".
// Text of a user value; invalid UTF-8 in it is replaced, not thrown about.
std::string safe_dump(const json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// At most a short prefix of user text in a message: a message is one line, not the input.
std::string shortened(std::string s) {
    constexpr std::size_t limit = 48;
    if (s.size() > limit) s = s.substr(0, limit) + "...";
    return s;
}

// An assignment as its --set error quotes it: a long one (a value pasted from a file) shortened.
std::string shortened_assignment(const std::string& a) {
    constexpr std::size_t limit = 120;
    return a.size() > limit ? a.substr(0, limit) + "..." : a;
}

std::string describe_value(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::string:
        return "string " + shortened(safe_dump(v));
    case json::value_t::boolean:
        return "boolean " + safe_dump(v);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "number " + safe_dump(v);
    case json::value_t::array:
        return "array " + shortened(safe_dump(v));
    case json::value_t::object:
        return "object " + shortened(safe_dump(v));
    default:
        return shortened(safe_dump(v));
    }
}

// "line 3, column 7" of the byte at `offset` (0-based) in `text`.
std::string line_column(const std::string& text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i)
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    return "line " + dec(line) + ", column " + dec(offset - line_start + 1);
}

// The offset of the opening quote of the JSON string whose closing quote is at `close`: the
// nearest quote before it that is not escaped (an even number of backslashes before it).
std::size_t string_start(const std::string& text, std::size_t close) {
    for (std::size_t i = std::min(close, text.size()); i-- > 0;) {
        if (text[i] != '"') continue;
        std::size_t backslashes = 0;
        while (backslashes < i && text[i - 1 - backslashes] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0) return i;
    }
    return close;
}

// An input iterator over text that keeps *cursor just past the last character the JSON parser
// has read, so a parser callback can say where in the text it is.
struct tracking_iterator {
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    const char* at;
    const char** cursor;

    reference operator*() const { return *at; }
    tracking_iterator& operator++() {
        *cursor = ++at;
        return *this;
    }
    tracking_iterator operator++(int) {
        tracking_iterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const tracking_iterator& o) const { return at == o.at; }
    bool operator!=(const tracking_iterator& o) const { return at != o.at; }
};

// ---------------------------------------------------------------------------------------------
// Schema

enum class kind { uint, boolean, enumeration, uint_array, object_array, real };

struct rule {
    enum class type { range, one_of, power_of_two, zero_or_power_of_two, multiple_of };
    type t = type::range;
    std::uint64_t min = 0;
    std::uint64_t max = u64_max;
    std::uint64_t step = 1;
    std::vector<std::uint64_t> set;

    bool holds(std::uint64_t v) const {
        const bool in_range = v >= min && v <= max;
        switch (t) {
        case type::range:
            return in_range;
        case type::one_of:
            return std::find(set.begin(), set.end(), v) != set.end();
        case type::power_of_two:
            return is_pow2(v) && in_range;
        case type::zero_or_power_of_two:
            return v == 0 || (is_pow2(v) && in_range);
        case type::multiple_of:
            return v % step == 0 && in_range;
        }
        return false;
    }

    std::string describe() const {
        const std::string bounds = "[" + dec(min) + ", " + dec(max) + "]";
        switch (t) {
        case type::range:
            return "must be in " + bounds;
        case type::one_of: {
            std::vector<std::string> items;
            for (auto v : set)
                items.push_back(dec(v));
            return "must be one of " + join_list(items);
        }
        case type::power_of_two:
            return "must be a power of two in " + bounds;
        case type::zero_or_power_of_two:
            return "must be 0 (unused) or a power of two in " + bounds;
        case type::multiple_of:
            if (min == 0 && max == u64_max) return "must be a multiple of " + dec(step);
            return "must be a multiple of " + dec(step) + " in " + bounds;
        }
        return "";
    }
};

rule in_range(std::uint64_t min, std::uint64_t max) {
    return {rule::type::range, min, max, 1, {}};
}
rule any_value() {
    return in_range(0, u64_max);
}
rule one_of(std::vector<std::uint64_t> set) {
    return {rule::type::one_of, 0, u64_max, 1, std::move(set)};
}
rule power_of_two(std::uint64_t min, std::uint64_t max) {
    return {rule::type::power_of_two, min, max, 1, {}};
}
rule zero_or_power_of_two(std::uint64_t min, std::uint64_t max) {
    return {rule::type::zero_or_power_of_two, min, max, 1, {}};
}
rule multiple_of(std::uint64_t step, std::uint64_t min = 0, std::uint64_t max = u64_max) {
    return {rule::type::multiple_of, min, max, step, {}};
}

// One row of the schema: a leaf key. For object_array, `fields` is a nested table whose paths are
// relative to one element.
struct entry {
    std::string path;
    kind k;
    json def;
    rule r;                            // uint and uint_array elements
    std::vector<std::string> names;    // enumeration
    std::size_t count = 0;             // uint_array, object_array
    std::vector<entry> fields;         // object_array
    double real_min = 0, real_max = 0; // real
};

void set_path(json& root, const std::string& dotted, const json& value) {
    json* node = &root;
    std::size_t start = 0;
    for (;;) {
        const auto dot = dotted.find('.', start);
        if (dot == std::string::npos) break;
        node = &(*node)[dotted.substr(start, dot - start)];
        start = dot + 1;
    }
    (*node)[dotted.substr(start)] = value;
}

entry uint_key(std::string path, std::uint64_t def, rule r) {
    return {std::move(path), kind::uint, json(def), std::move(r), {}, 0, {}};
}
// A number (integer or decimal, e.g. 1e-3) in [min, max].
entry real_key(std::string path, double def, double min, double max) {
    entry e{std::move(path), kind::real, json(def), any_value(), {}, 0, {}};
    e.real_min = min;
    e.real_max = max;
    return e;
}
entry bool_key(std::string path, bool def) {
    return {std::move(path), kind::boolean, json(def), any_value(), {}, 0, {}};
}
entry enum_key(std::string path, std::string def, std::vector<std::string> names) {
    return {std::move(path),
            kind::enumeration,
            json(std::move(def)),
            any_value(),
            std::move(names),
            0,
            {}};
}
entry uint_array_key(std::string path, std::vector<std::uint64_t> def, rule r) {
    json d = json::array();
    for (auto v : def)
        d.push_back(v);
    return {std::move(path), kind::uint_array, std::move(d), std::move(r), {}, def.size(), {}};
}
entry object_array_key(std::string path, std::size_t count, std::vector<entry> fields) {
    json element = json::object();
    for (const auto& f : fields)
        set_path(element, f.path, f.def);
    json d = json::array();
    for (std::size_t i = 0; i < count; ++i)
        d.push_back(element);
    return {std::move(path), kind::object_array, std::move(d), any_value(), {},
            count,           std::move(fields)};
}

const std::vector<std::string>& dwc_versions() {
    static const std::vector<std::string> v = {"3.65a", "4.60a", "4.70a", "4.80a",
                                               "4.90a", "5.20a", "5.40a"};
    return v;
}
const std::vector<std::string>& bar_type_names() {
    static const std::vector<std::string> v = {"programmable", "fixed", "resizable", "reserved"};
    return v;
}
const std::vector<std::string>& miss_policy_names() {
    static const std::vector<std::string> v = {"passthrough", "ur"};
    return v;
}

const std::vector<std::string>& stream_id_mode_names() {
    static const std::vector<std::string> v = {"fixed", "requester_id"};
    return v;
}

const std::vector<std::string>& cmd_mover_names() {
    static const std::vector<std::string> v = {"cpu", "edma"};
    return v;
}

const std::vector<std::string>& p2p_target_names() {
    static const std::vector<std::string> v = {"peer", "self"};
    return v;
}

const std::vector<std::string>& unmapped_bar_names() {
    static const std::vector<std::string> v = {"none", "0", "1", "2", "3", "4", "5"};
    return v;
}

const std::vector<entry>& schema() {
    static const std::vector<entry> table = {
        uint_key("sim.seed", 1, in_range(0, pow2(63))),
        uint_key("sim.quantum_ns", 1000, in_range(1, 1000000)),
        uint_key("sim.time_limit_us", 60000000, in_range(1, 3600000000)),
        // Wall-clock seconds after which a run is stopped as hung (0: no limit); up to a week.
        uint_key("sim.wall_limit_s", 0, in_range(0, 604800)),

        uint_key("link.gen", 3, in_range(1, 6)),
        uint_key("link.width", 4, one_of({1, 2, 4, 8, 16})),
        uint_key("link.mps", 256, one_of({128, 256, 512, 1024, 2048, 4096})),
        uint_key("link.mrrs", 512, one_of({128, 256, 512, 1024, 2048, 4096})),
        uint_key("link.training_us", 20, in_range(0, 1000000)),
        uint_key("link.propagation_ns", 10, in_range(0, 1000000)),
        bool_key("link.ecrc", false),
        uint_key("link.rcb", 64, one_of({64, 128})),
        uint_key("link.tags", 32, in_range(1, 768)),
        bool_key("link.dllp", true),
        // Data Link Layer retry: replay buffer (wire bytes held until ACKed), ACK latency
        // (0 = Base Spec tables 3-7..3-9 for the rate, width and MPS), replay timer (0 = 3 x ACK
        // latency), and the time a retrain (Recovery after a REPLAY_NUM rollover) blocks the link.
        uint_key("link.replay_buffer_bytes", 32768, in_range(256, 16 * MiB)),
        uint_key("link.ack_latency_ns", 0, in_range(0, 1000000)),
        uint_key("link.replay_timer_ns", 0, in_range(0, 10000000)),
        uint_key("link.retrain_ns", 2000, in_range(0, 100000000)),
        // Receive-buffer flow-control credits advertised by each side (header credits, data
        // credits in 16-byte units); 0 = infinite.
        uint_key("link.credits.host.posted_header", 64, in_range(0, 255)),
        uint_key("link.credits.host.posted_data", 1024, in_range(0, 4095)),
        uint_key("link.credits.host.nonposted_header", 64, in_range(0, 255)),
        uint_key("link.credits.host.nonposted_data", 64, in_range(0, 4095)),
        uint_key("link.credits.host.completion_header", 0, in_range(0, 255)),
        uint_key("link.credits.host.completion_data", 0, in_range(0, 4095)),
        uint_key("link.credits.ep.posted_header", 32, in_range(0, 255)),
        uint_key("link.credits.ep.posted_data", 512, in_range(0, 4095)),
        uint_key("link.credits.ep.nonposted_header", 32, in_range(0, 255)),
        uint_key("link.credits.ep.nonposted_data", 32, in_range(0, 4095)),
        uint_key("link.credits.ep.completion_header", 0, in_range(0, 255)),
        uint_key("link.credits.ep.completion_data", 0, in_range(0, 4095)),

        enum_key("dwc.version", "5.40a", dwc_versions()),
        uint_key("dwc.dbi_access_ns", 40, in_range(0, 100000)),
        uint_key("dwc.datapath_bits", 256, one_of({64, 128, 256, 512})),
        uint_key("dwc.core_clock_mhz", 500, in_range(62, 4000)),
        // The endpoint's completion timeout for its own reads.
        uint_key("dwc.completion_timeout_us", 10000, in_range(1, 10000000)),
        // The SMMU StreamID on the controller's AXI master requests (inbound and eDMA). fixed:
        // dwc.stream_id, set by the SoC integration (default 0x5b, Tegra194's TEGRA194_SID_PCIE5
        // for its C5 endpoint controller); requester_id: the function's requester ID, which
        // changes when the host renumbers it and is 0 before enumeration. 0..0xFFFF: the SMMU's
        // IDR1.SIDSIZE is 16.
        enum_key("dwc.stream_id_mode", "fixed", stream_id_mode_names()),
        uint_key("dwc.stream_id", 0x5b, in_range(0, 0xFFFF)),
        uint_key("dwc.edma.write_channels", 4, in_range(0, 8)),
        uint_key("dwc.edma.read_channels", 4, in_range(0, 8)),
        // Per eDMA write channel (model/dwc/edma.md): bytes of one local AXI read burst (never
        // across 4 KiB), AXI reads in flight, and the staging buffer between the bursts and the
        // MWr TLPs (>= one burst + 4096, the largest MPS: a cross-key rule in parse()).
        uint_key("dwc.edma.axi_burst_bytes", 4096, power_of_two(1, 4096)),
        uint_key("dwc.edma.axi_outstanding_reads", 4, in_range(1, 65536)),
        uint_key("dwc.edma.staging_buffer_bytes", 16384, in_range(4097, 1ull << 30)),
        // Per eDMA read channel: MRds in flight (0: only the controller's tags, shared by all
        // read channels, bound them).
        uint_key("dwc.edma.rd_outstanding_mrd", 0, in_range(0, 1024)),
        uint_key("dwc.iatu.outbound_windows", 8, in_range(1, 256)),
        uint_key("dwc.iatu.inbound_windows", 8, in_range(1, 256)),
        uint_key("dwc.iatu.region_align", 4096, power_of_two(4096, 65536)),
        uint_key("dwc.iatu.region_limit", TiB, power_of_two(4 * GiB, pow2(63))),
        enum_key("dwc.iatu.miss_policy", "passthrough", miss_policy_names()),
        enum_key("dwc.iatu.impl", "tlm", {"tlm", "rtl", "lockstep"}),
        uint_key("dwc.iatu.rtl_clock_period_ps", 1000, in_range(100, 1000000)),
        object_array_key("dwc.bars", 6,
                         {
                             enum_key("type", "programmable", bar_type_names()),
                             uint_key("fixed_size", 0, in_range(0, pow2(63))),
                             bool_key("only_64bit", false),
                         }),

        // The test register BAR (the first BAR not reserved) is sized by the function: 0.
        uint_array_key("function.test.bar_sizes",
                       {0, 128 * KiB, 128 * KiB, 128 * KiB, 128 * KiB, 1 * MiB},
                       zero_or_power_of_two(128, pow2(40))),
        uint_key("function.test.msi_vectors", 32, in_range(1, 32)),
        uint_key("function.test.msix_vectors", 2048, in_range(1, 2048)),
        uint_key("function.test.vendor_id", 0x16c3, in_range(0, 0xffff)),
        uint_key("function.test.device_id", 0xedda, in_range(0, 0xffff)),
        uint_key("function.test.poll_interval_us", 1000, in_range(1, 1000000)),
        uint_key("function.test.init_delay_us", 200, in_range(0, 10000000)),
        // Firmware bring-up fault: enable this BAR without its inbound window.
        enum_key("function.test.unmapped_bar", "none", unmapped_bar_names()),
        // Workload iova: scattered 4 KiB DRAM buffers the function maps behind BAR0.
        uint_key("function.iova.buffers", 64, in_range(1, 4096)),
        uint_key("function.max_map_bytes", 1 * MiB, power_of_two(4096, pow2(30))),
        // Workload cmd-stream: the NVMe-like function and the host's command mix.
        uint_key("function.cmd.concurrency", 4, in_range(1, 64)),
        enum_key("function.cmd.mover", "cpu", cmd_mover_names()),
        uint_key("function.cmd.pages_per_command", 8, in_range(1, 64)),
        uint_key("function.cmd.page_bytes", 4096, power_of_two(512, 65536)),
        uint_key("function.cmd.commands", 256, in_range(1, 1000000)),
        uint_key("function.cmd.queue_depth", 32, in_range(1, 256)),
        uint_key("function.cmd.write_percent", 50, in_range(0, 100)),
        uint_key("function.cmd.poll_ns", 500, in_range(1, 1000000)),

        // The SMMU between the controller's AXI master and DRAM (false: no SMMU on the path).
        bool_key("smmu.enabled", true),
        uint_key("smmu.tlb_entries", 64, in_range(1, 65536)),
        uint_key("smmu.walk_cache_entries", 16, in_range(0, 65536)),
        uint_key("smmu.tlb_hit_ns", 2, in_range(0, 10000)),
        // Walker work per level on top of the descriptor read through the memory controller.
        uint_key("smmu.walk_step_ns", 4, in_range(0, 10000)),
        uint_key("smmu.command_ns", 20, in_range(0, 100000)),
        uint_key("smmu.sync_ns", 200, in_range(0, 1000000)),
        uint_key("smmu.cmdq_max_log2", 8, in_range(1, 19)),
        uint_key("smmu.evtq_max_log2", 7, in_range(1, 19)),

        uint_key("dram.base", 0x80000000, multiple_of(4096, 0, pow2(48))),
        uint_key("dram.size_bytes", 1 * GiB, power_of_two(1 * MiB, pow2(36))),
        // Front-end latency (interconnect and controller) before the DRAM timing below.
        uint_key("dram.latency_ns", 60, in_range(0, 100000)),
        uint_key("dram.channels", 2, in_range(1, 8)),
        uint_key("dram.banks", 16, one_of({4, 8, 16, 32})),
        uint_key("dram.row_bytes", 2048, power_of_two(512, 16384)),
        uint_key("dram.interleave_bytes", 256, power_of_two(64, 65536)),
        // Per channel; LPDDR5-6400 x16 carries 12.8 GB/s.
        uint_key("dram.channel_bandwidth_MBps", 12800, in_range(100, 1000000)),
        uint_key("dram.trcd_ps", 18000, in_range(0, 1000000)),
        uint_key("dram.trp_ps", 18000, in_range(0, 1000000)),
        uint_key("dram.tcl_ps", 21250, in_range(0, 1000000)),
        uint_key("dram.tras_ps", 42000, in_range(0, 1000000)),
        uint_key("dram.trfc_ps", 210000, in_range(0, 10000000)),
        uint_key("dram.trefi_ps", 3900000, in_range(1000, 100000000)),
        bool_key("dram.ideal", false),
        // Interrupt-generation window: DRAM addresses the memory controller turns into EP CPU
        // interrupts (base inside dram; nothing is stored).
        // 0: the last size_bytes of DRAM.
        uint_key("mc.irq_window.base", 0, multiple_of(4096)),
        uint_key("mc.irq_window.size_bytes", 4096, power_of_two(4096, 1 * MiB)),
        uint_key("mc.irq_window.fifo_depth", 64, in_range(1, 65536)),
        // What one access to the window costs (the controller's front end, as dram.latency_ns;
        // no DRAM access), whatever its width.
        uint_key("mc.irq_window.latency_ns", 60, in_range(0, 100000)),

        uint_key("host.mem_base", 4 * GiB, multiple_of(1 * MiB)),
        uint_key("host.mem_size_bytes", 4 * GiB, power_of_two(16 * MiB, pow2(40))),
        uint_key("host.read_latency_ns", 500, in_range(0, 1000000)),
        // Time the root complex needs to absorb a posted write before it returns its credits.
        uint_key("host.write_absorb_ns", 100, in_range(0, 1000000)),
        uint_key("host.test_timeout_us", 1000000, in_range(1, 3600000000)),
        uint_key("host.crs_retry_us", 100, in_range(1, 1000000)),
        uint_key("host.sbr_hold_us", 2000, in_range(1, 1000000)),
        uint_key("host.flr_wait_ms", 100, in_range(1, 10000)),
        uint_key("host.ecam_base", 0x2000000000, multiple_of(ecam_region_size)),
        uint_key("host.mmio32_base", 0xC0000000, multiple_of(1 * MiB)),
        uint_key("host.mmio32_size", 512 * MiB, multiple_of(1 * MiB, 1 * MiB, 4 * GiB)),
        uint_key("host.mmio64_base", 0x4000000000, multiple_of(1 * MiB)),
        uint_key("host.mmio64_size", 256 * GiB, multiple_of(1 * MiB)),
        // MSI target: the doorbell page the root complex decodes, then its registers.
        uint_key("host.msi_base", 0xFEE00000, multiple_of(8192)),

        uint_key("board.dbi_base", 0x40000000, multiple_of(4 * MiB)),
        uint_key("board.atu_size", 128 * KiB, multiple_of(512, 512, 0x80000)),
        uint_key("board.app_base", 0x41000000, multiple_of(4096)),
        uint_key("board.smmu_base", 0x41100000, multiple_of(64 * KiB)),
        // Must be a multiple of board.aperture.page_size: a cross-key rule in parse().
        uint_key("board.aperture.base", 0x60000000, any_value()),
        uint_key("board.aperture.size", 0x10000000, power_of_two(65536, pow2(40))),
        // 0: the controller's region alignment (what a board designer would pick).
        uint_key("board.aperture.page_size", 0, zero_or_power_of_two(4096, 1 * MiB)),

        uint_key("cpu.clock_mhz", 1000, in_range(1, 10000)),
        // Workload dma-sweep: eDMA transfers of min_bytes, min_bytes * factor, ... max_bytes.
        // Workload iotlb-sweep: host random reads over a growing working set behind the SMMU.
        uint_key("workload.iotlb_sweep.min_set_bytes", 64 * KiB, power_of_two(4 * KiB, 1 * GiB)),
        uint_key("workload.iotlb_sweep.max_set_bytes", 64 * MiB, power_of_two(4 * KiB, 1 * GiB)),
        uint_key("workload.iotlb_sweep.reads", 2000, in_range(1, 10000000)),
        uint_key("workload.iotlb_sweep.read_bytes", 8, one_of({1, 2, 4, 8, 16, 32, 64, 128})),
        uint_key("workload.dma_sweep.min_bytes", 64, in_range(4, 1ull << 30)),
        uint_key("workload.dma_sweep.max_bytes", 16 * MiB, in_range(4, 1ull << 30)),
        uint_key("workload.dma_sweep.factor", 4, in_range(2, 1024)),
        bool_key("workload.dma_sweep.read", true),
        bool_key("workload.dma_sweep.write", true),
        // Offset of the host buffer from a 4 KiB boundary (an RCB-unaligned buffer).
        uint_key("workload.dma_sweep.offset_bytes", 0, in_range(0, 4095)),
        // dma-mix: channels run at once, bytes per channel, arbitration weights (channel n at
        // bits [5n+4:5n], 0..31 each: weight + 1 TLPs per turn).
        uint_key("workload.dma_mix.write_channels", 2, in_range(0, 8)),
        uint_key("workload.dma_mix.read_channels", 2, in_range(0, 8)),
        uint_key("workload.dma_mix.size_bytes", 1 * MiB, in_range(4, 16 * MiB)),
        uint_key("workload.dma_mix.write_weights", 0, in_range(0, (1ull << 40) - 1)),
        uint_key("workload.dma_mix.read_weights", 0, in_range(0, (1ull << 40) - 1)),
        // Fault injection (0 = off): the Nth MRd the host receives gets no completion / UR / CA.
        uint_key("faults.seed", 1, in_range(0, 1ull << 62)),
        uint_key("faults.completion_timeout.nth_read", 0, in_range(0, 1ull << 40)),
        uint_key("faults.ur_at_completer.nth_read", 0, in_range(0, 1ull << 40)),
        uint_key("faults.ca_at_completer.nth_read", 0, in_range(0, 1ull << 40)),
        // Data Link Layer faults: LCRC errors per TLP transmission and lost NAK DLLPs (rates
        // drawn from the faults.seed PRNG), and an exact trigger: the Nth TLP of a direction
        // fails `count` transmissions in a row (4 = REPLAY_NUM rollover and a retrain).
        real_key("faults.lcrc_error_rate", 0, 0, 0.5),
        real_key("faults.dllp_error_rate", 0, 0, 0.5),
        uint_key("faults.lcrc.nth_tlp", 0, in_range(0, 1ull << 40)),
        enum_key("faults.lcrc.direction", "upstream", {"upstream", "downstream"}),
        uint_key("faults.lcrc.count", 1, in_range(1, 16)),
        // Link down at a simulated time (0 = never) and back after duration_us.
        uint_key("faults.link_down.at_us", 0, in_range(0, 3600000000)),
        uint_key("faults.link_down.duration_us", 100, in_range(1, 60000000)),
        // Poisoned TLPs (EP bit) among the TLPs with data (MWr, CplD) of one direction: the Nth
        // of a type (any = either), or a rate drawn from the faults.seed PRNG.
        uint_key("faults.poison.nth_tlp", 0, in_range(0, 1ull << 40)),
        enum_key("faults.poison.direction", "upstream", {"upstream", "downstream"}),
        enum_key("faults.poison.type", "any", {"any", "mwr", "cpld"}),
        real_key("faults.poison.rate", 0, 0, 0.5),
        // Host-initiated resets before the Nth pcitest test (1-based; 0 = off): Secondary Bus
        // Reset on the root port (hot reset), Function-Level Reset of the endpoint.
        uint_key("faults.hot_reset.before_test", 0, in_range(0, 100000)),
        uint_key("faults.flr.before_test", 0, in_range(0, 100000)),
        uint_key("cpu.mmio_access_bytes", 8, one_of({1, 2, 4, 8})),
        uint_key("cpu.irq_entry_cycles", 100, in_range(0, 100000)),
        uint_key("cpu.copy_cycles_per_byte", 1, in_range(0, 1000)),
        uint_key("cpu.crc_cycles_per_byte", 2, in_range(0, 1000)),
        uint_key("host.mmio_access_bytes", 8, one_of({1, 2, 4, 8})),
        // pcitest: run MSI-X vectors 1, 2, 31..33, 1024, 2047, 2048 instead of all of them.
        bool_key("host.pcitest_msix_sample", false),
        // pcitest as in Linux 6.18 (its kselftest list: no BAR_SUBRANGE_TEST, DOORBELL_TEST
        // without a skip; its pci-epf-test: COPY with DMA fails without a memcpy channel) or
        // next (the newest list; this firmware's bounce-buffer DMA COPY).
        enum_key("host.pcitest.kernel", "next", {"6.18", "next"}),
        // Peer-to-peer at the root complex: between root ports, and back down the ingress root
        // port for an ACS-redirected request (false: route-to-self UR).
        bool_key("host.p2p_between_root_ports", true),
        bool_key("host.p2p_reflect", true),
        uint_key("host.p2p_forward_latency_ns", 100, in_range(0, 1000000)),
        // The host bridge's IDs (00:00.0); 8086:2030 is on the p2pdma host-bridge whitelist.
        uint_key("host.bridge.vendor_id", 0x8086, in_range(0, 0xffff)),
        uint_key("host.bridge.device_id", 0x2030, in_range(0, 0xffff)),
        // Workload p2p: provider and client are indices among the enumerated endpoints (bus
        // order); the provider publishes [offset_bytes, offset_bytes + bytes) of its BAR `bar`.
        uint_key("workload.p2p.provider", 0, in_range(0, 15)),
        uint_key("workload.p2p.client", 1, in_range(0, 15)),
        uint_key("workload.p2p.bar", 4, in_range(0, 5)),
        uint_key("workload.p2p.offset_bytes", 0, multiple_of(4096)),
        uint_key("workload.p2p.bytes", 64 * KiB, multiple_of(4096, 4096, 1 * GiB)),
        bool_key("workload.p2p.acs_redirect", false),
        // DMA even when the orchestrator says "not supported" (the fabric's answer is a UR).
        bool_key("workload.p2p.force", false),
        // self: the client's DMA targets its own BAR (a route-to-self at its port).
        enum_key("workload.p2p.target", "peer", p2p_target_names()),
    };
    return table;
}

// The object structure the dotted paths of a table imply: the children of the object at `sub`
// (a path relative to the table, "" for its root), in table order. `leaf` is null for objects.
struct child {
    std::string name;
    const entry* leaf;
};

std::vector<child> children_of(const std::vector<entry>& table, const std::string& sub) {
    const std::string prefix = sub.empty() ? "" : sub + ".";
    std::vector<child> out;
    for (const auto& e : table) {
        if (e.path.size() <= prefix.size() || e.path.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string rest = e.path.substr(prefix.size());
        const auto dot = rest.find('.');
        const std::string name = rest.substr(0, dot);
        const bool seen =
            std::any_of(out.begin(), out.end(), [&](const child& c) { return c.name == name; });
        if (!seen) out.push_back({name, dot == std::string::npos ? &e : nullptr});
    }
    return out;
}

const child* find_child(const std::vector<child>& kids, const std::string& name) {
    for (const auto& c : kids)
        if (c.name == name) return &c;
    return nullptr;
}

[[noreturn]] void unknown_key(const std::string& parent, const std::string& name,
                              const std::vector<child>& kids) {
    std::vector<std::string> names;
    for (const auto& c : kids)
        names.push_back(c.name);
    fail(join_path(parent, name) + ": unknown key (known keys " +
         (parent.empty() ? std::string("at the top level") : "under " + parent) + ": " +
         join_list(names) + ")");
}

std::string where(const std::string& path) {
    return path.empty() ? "(top level)" : path;
}

// ---------------------------------------------------------------------------------------------
// Validation

bool parse_hex(const std::string& s, std::uint64_t& out) {
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
        const char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return false;
        if (v > (u64_max >> 4)) return false; // does not fit in 64 bits
        v = (v << 4) | d;
    }
    out = v;
    return true;
}

// An unsigned integer: a non-negative JSON integer or a "0x..." string.
std::uint64_t as_uint(const json& v, const std::string& path) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
        return static_cast<std::uint64_t>(v.get<std::int64_t>());
    std::uint64_t n = 0;
    if (v.is_string() && parse_hex(v.get<std::string>(), n)) return n;
    fail(path + ": expected an unsigned integer, got " + describe_value(v));
}

void check_rule(const rule& r, std::uint64_t v, const std::string& path) {
    if (!r.holds(v)) fail(path + " = " + dec(v) + ": " + r.describe());
}

// The validated leaf values by full display path ("dwc.bars[2].type"), for the typed view.
class values {
public:
    void put(const std::string& path, json v) { map_[path] = std::move(v); }
    std::uint64_t u(const std::string& path) const { return at(path).get<std::uint64_t>(); }
    bool b(const std::string& path) const { return at(path).get<bool>(); }
    std::string s(const std::string& path) const { return at(path).get<std::string>(); }
    double r(const std::string& path) const { return at(path).get<double>(); }

private:
    const json& at(const std::string& path) const {
        const auto it = map_.find(path);
        if (it == map_.end()) throw std::logic_error("config: no validated value for " + path);
        return it->second;
    }
    std::map<std::string, json> map_;
};

void walk_object(const json* obj, const std::vector<entry>& table, const std::string& sub,
                 const std::string& path, values& out);

// The optional top-level `topology` (see the Topology section): not a schema row, so that a
// document without it, and the defaults, stay exactly the single-endpoint platform.
constexpr const char* topology_key = "topology";
bool is_topology(const std::vector<entry>& table, const std::string& sub, const std::string& name) {
    return &table == &schema() && sub.empty() && name == topology_key;
}
// complete: also require every root port and downstream port to carry a child (a finished
// document; --set may build one step by step).
topology_config check_topology(const json& t, const std::string& path, bool complete);
void merge_topology(json& base, const json& overlay);

void walk_leaf(const json& v, const entry& e, const std::string& path, values& out) {
    switch (e.k) {
    case kind::uint: {
        const auto n = as_uint(v, path);
        check_rule(e.r, n, path);
        out.put(path, n);
        return;
    }
    case kind::real: {
        if (!v.is_number()) fail(path + ": expected a number, got " + describe_value(v));
        const double x = v.get<double>();
        if (!(x >= e.real_min && x <= e.real_max)) {
            std::ostringstream range;
            range << "[" << e.real_min << ", " << e.real_max << "]";
            fail(path + " = " + safe_dump(v) + ": must be in " + range.str());
        }
        out.put(path, x);
        return;
    }
    case kind::boolean:
        if (!v.is_boolean())
            fail(path + ": expected a boolean (true or false), got " + describe_value(v));
        out.put(path, v);
        return;
    case kind::enumeration:
        if (!v.is_string())
            fail(path + ": expected a string (one of " + join_list(e.names) + "), got " +
                 describe_value(v));
        if (std::find(e.names.begin(), e.names.end(), v.get<std::string>()) == e.names.end())
            fail(path + " = " + shortened(safe_dump(v)) + ": must be one of " + join_list(e.names));
        out.put(path, v);
        return;
    case kind::uint_array:
    case kind::object_array: {
        const bool objects = e.k == kind::object_array;
        const std::string what = objects ? "objects" : "unsigned integers";
        if (!v.is_array())
            fail(path + ": expected an array of " + dec(e.count) + " " + what + ", got " +
                 describe_value(v));
        if (v.size() != e.count)
            fail(path + ": expected an array of exactly " + dec(e.count) + " " + what + ", got " +
                 dec(v.size()) + " entries");
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string element = indexed(path, i);
            if (objects) {
                walk_object(&v[i], e.fields, "", element, out);
            } else {
                const auto n = as_uint(v[i], element);
                check_rule(e.r, n, element);
                out.put(element, n);
            }
        }
        return;
    }
    }
}

// Validates the object at `path` (table-relative `sub`). A missing object or leaf (obj == null,
// or a key absent from it) takes the schema default.
void walk_object(const json* obj, const std::vector<entry>& table, const std::string& sub,
                 const std::string& path, values& out) {
    const auto kids = children_of(table, sub);
    if (obj != nullptr) {
        if (!obj->is_object())
            fail(where(path) + ": expected an object, got " + describe_value(*obj));
        for (auto it = obj->begin(); it != obj->end(); ++it)
            if (find_child(kids, it.key()) == nullptr && !is_topology(table, sub, it.key()))
                unknown_key(path, it.key(), kids);
    }
    for (const auto& c : kids) {
        const json* value = nullptr;
        if (obj != nullptr) {
            const auto it = obj->find(c.name);
            if (it != obj->end()) value = &*it;
        }
        const std::string child_path = join_path(path, c.name);
        if (c.leaf == nullptr)
            walk_object(value, table, join_path(sub, c.name), child_path, out);
        else
            walk_leaf(value != nullptr ? *value : c.leaf->def, *c.leaf, child_path, out);
    }
}

void merge_object(json& base, const json& overlay, const std::vector<entry>& table,
                  const std::string& sub, const std::string& path) {
    if (!overlay.is_object())
        fail(where(path) + ": expected an object, got " + describe_value(overlay));
    if (!base.is_object()) base = json::object();
    const auto kids = children_of(table, sub);
    for (auto it = overlay.begin(); it != overlay.end(); ++it) {
        if (is_topology(table, sub, it.key())) {
            merge_topology(base[it.key()], it.value());
            continue;
        }
        const child* c = find_child(kids, it.key());
        if (c == nullptr) unknown_key(path, it.key(), kids);
        if (c->leaf == nullptr)
            merge_object(base[it.key()], it.value(), table, join_path(sub, it.key()),
                         join_path(path, it.key()));
        else
            base[it.key()] = it.value();
    }
}

// ---------------------------------------------------------------------------------------------
// --set

[[noreturn]] void not_an_object(const std::string& leaf, const std::string& name) {
    fail(join_path(leaf, name) + ": unknown key (" + leaf + " is a value, not an object)");
}

struct segment {
    std::string name;
    bool has_index = false;
    std::size_t index = 0;
};

bool split_key(const std::string& key, std::vector<segment>& out) {
    std::size_t pos = 0;
    for (;;) {
        segment s;
        while (pos < key.size() && key[pos] != '.' && key[pos] != '[' && key[pos] != ']')
            s.name += key[pos++];
        if (s.name.empty()) return false;
        if (pos < key.size() && key[pos] == '[') {
            ++pos;
            std::string digits;
            while (pos < key.size() && key[pos] >= '0' && key[pos] <= '9')
                digits += key[pos++];
            if (digits.empty() || digits.size() > 9 || pos >= key.size() || key[pos] != ']')
                return false;
            ++pos;
            s.has_index = true;
            s.index = static_cast<std::size_t>(std::stoul(digits));
        }
        out.push_back(std::move(s));
        if (pos == key.size()) return true;
        if (key[pos] != '.') return false;
        ++pos;
    }
}

// The JSON value of a --set VALUE: JSON when it parses as JSON, otherwise the plain string. For
// string-enum keys anything but a quoted JSON string is taken literally ("4.70" stays a string).
json set_value(const std::string& text, bool want_string) {
    if (!json::accept(text)) return json(text);
    json v = parse_json(text, "value"); // JSON, but too deep or with a duplicate key: an error
    if (want_string && !v.is_string()) return json(text);
    return v;
}

// Replaces or merges `value` into the object `slot` (an object node or an element of an object
// array) and validates the result.
void set_object(json& slot, const json& value, const std::vector<entry>& table,
                const std::string& sub, const std::string& path) {
    merge_object(slot, value, table, sub, path);
    values scratch;
    walk_object(&slot, table, sub, path, scratch);
}

// ---------------------------------------------------------------------------------------------
// Topology
//
// "topology": {"root_ports": N,
//              "switches": [{"name", "parent", "port", "downstream_ports", "forward_latency_ns"}],
//              "endpoints": [{"name", "parent", "port", "link", "dwc", "smmu", "dram",
//                             "function"}]}
// A parent is "root" (port: a root port) or an earlier switch's name (port: one of its downstream
// ports). An endpoint's link/dwc/smmu/dram/function objects override the document's for it.

constexpr unsigned max_root_ports = 8;
constexpr unsigned max_downstream_ports = 16;
constexpr unsigned max_topology_switches = 16;
constexpr unsigned max_topology_endpoints = 16;
constexpr std::uint64_t default_switch_forward_ns = 150;
constexpr std::uint64_t max_switch_forward_ns = 1000000;
constexpr const char* root_parent = "root";

const std::vector<std::string>& endpoint_override_keys() {
    static const std::vector<std::string> v = {"link", "dwc", "smmu", "dram", "function"};
    return v;
}

void check_known(const json& obj, const std::string& path, const std::vector<std::string>& known) {
    if (!obj.is_object()) fail(path + ": expected an object, got " + describe_value(obj));
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            fail(join_path(path, it.key()) + ": unknown key (known keys under " + path + ": " +
                 join_list(known) + ")");
}

std::string topo_string(const json& obj, const std::string& key, const std::string& path,
                        const std::string& def) {
    const auto it = obj.find(key);
    if (it == obj.end()) return def;
    const std::string here = join_path(path, key);
    if (!it->is_string()) fail(here + ": expected a string, got " + describe_value(*it));
    if (it->get<std::string>().empty()) fail(here + ": must not be empty");
    return it->get<std::string>();
}

std::uint64_t topo_uint(const json& obj, const std::string& key, const std::string& path,
                        std::uint64_t def, const rule& r) {
    const auto it = obj.find(key);
    if (it == obj.end()) return def;
    const std::string here = join_path(path, key);
    const std::uint64_t v = as_uint(*it, here);
    check_rule(r, v, here);
    return v;
}

const json& topo_array(const json& t, const std::string& key, const std::string& path,
                       unsigned max) {
    static const json empty = json::array();
    const auto it = t.find(key);
    if (it == t.end()) return empty;
    const std::string here = join_path(path, key);
    if (!it->is_array()) fail(here + ": expected an array of objects, got " + describe_value(*it));
    if (it->size() > max)
        fail(here + ": " + dec(it->size()) + " entries, at most " + dec(max) + " are supported");
    return *it;
}

topology_config check_topology(const json& t, const std::string& path, bool complete) {
    check_known(t, path, {"root_ports", "switches", "endpoints"});
    topology_config topo;
    topo.root_ports =
        static_cast<unsigned>(topo_uint(t, "root_ports", path, 1, in_range(1, max_root_ports)));
    // Who holds each (parent, port): "topology.switches[0]" etc.
    std::map<std::pair<std::string, unsigned>, std::string> taken;
    std::vector<std::string> known_parents = {root_parent};
    auto attach = [&](const std::string& at, const std::string& parent, unsigned port,
                      const std::vector<topology_switch_config>& upstream) {
        const std::string port_key = join_path(at, "port");
        unsigned ports = topo.root_ports;
        std::string holder = "the root complex";
        if (parent != root_parent) {
            const auto sw = std::find_if(upstream.begin(), upstream.end(),
                                         [&](const auto& s) { return s.name == parent; });
            if (sw == upstream.end())
                fail(join_path(at, "parent") + " = \"" + parent + "\": unknown parent (known: " +
                     join_list(known_parents) + "; a switch must be listed before its children)");
            ports = sw->downstream_ports;
            holder = "switch " + parent;
        }
        if (port >= ports)
            fail(port_key + " = " + dec(port) + ": " + holder + " has " + dec(ports) +
                 (parent == root_parent ? " root ports" : " downstream ports") + " (0.." +
                 dec(ports - 1) + ")");
        const auto slot = std::make_pair(parent, port);
        const auto prev = taken.find(slot);
        if (prev != taken.end())
            fail(port_key + " = " + dec(port) + ": " + parent + " port " + dec(port) +
                 " is already used by " + prev->second);
        taken[slot] = at;
    };
    std::vector<std::string> names;
    auto unique_name = [&](const std::string& at, const std::string& name) {
        if (name == root_parent) fail(join_path(at, "name") + " = \"root\": reserved");
        for (char ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
                fail(join_path(at, "name") + " = \"" + name +
                     "\": only letters, digits and _ (it names the modules)");
        if (std::find(names.begin(), names.end(), name) != names.end())
            fail(join_path(at, "name") + " = \"" + name + "\": duplicate name");
        names.push_back(name);
    };

    const std::string sw_path = join_path(path, "switches");
    const json& switches = topo_array(t, "switches", path, max_topology_switches);
    for (std::size_t i = 0; i < switches.size(); ++i) {
        const std::string at = indexed(sw_path, i);
        const json& s = switches[i];
        check_known(s, at, {"name", "parent", "port", "downstream_ports", "forward_latency_ns"});
        topology_switch_config sc;
        if (s.find("name") == s.end()) fail(at + ": missing key name (children name their parent)");
        sc.name = topo_string(s, "name", at, "");
        unique_name(at, sc.name);
        sc.parent = topo_string(s, "parent", at, root_parent);
        sc.port = static_cast<unsigned>(topo_uint(s, "port", at, 0, any_value()));
        sc.downstream_ports = static_cast<unsigned>(
            topo_uint(s, "downstream_ports", at, 2, in_range(1, max_downstream_ports)));
        sc.forward_latency_ns = topo_uint(s, "forward_latency_ns", at, default_switch_forward_ns,
                                          in_range(0, max_switch_forward_ns));
        attach(at, sc.parent, sc.port, topo.switches);
        topo.switches.push_back(sc);
        known_parents.push_back(sc.name);
    }

    const std::string ep_path = join_path(path, "endpoints");
    const json& endpoints = topo_array(t, "endpoints", path, max_topology_endpoints);
    if (complete && endpoints.empty() && !switches.empty())
        fail(ep_path + ": empty, but " + sw_path + " is given (a topology needs an endpoint)");
    std::vector<std::string> ep_keys = {"name", "parent", "port"};
    for (const auto& k : endpoint_override_keys())
        ep_keys.push_back(k);
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const std::string at = indexed(ep_path, i);
        const json& e = endpoints[i];
        check_known(e, at, ep_keys);
        topology_endpoint_config ec;
        ec.name = topo_string(e, "name", at, "ep" + dec(i));
        unique_name(at, ec.name);
        ec.parent = topo_string(e, "parent", at, root_parent);
        ec.port = static_cast<unsigned>(topo_uint(e, "port", at, 0, any_value()));
        attach(at, ec.parent, ec.port, topo.switches);
        // Override keys must exist in the schema (values are checked when the endpoint's
        // configuration is parsed).
        json scratch = json::object();
        for (const auto& k : endpoint_override_keys())
            if (e.contains(k)) merge_object(scratch, json{{k, e.at(k)}}, schema(), "", at);
        topo.endpoints.push_back(ec);
    }
    // The model has no empty slots: every root port and downstream port carries a link.
    if (complete && !endpoints.empty()) {
        for (unsigned r = 0; r < topo.root_ports; ++r)
            if (!taken.count({root_parent, r}))
                fail(join_path(path, "root_ports") + " = " + dec(topo.root_ports) + ": root port " +
                     dec(r) + " has nothing attached (give it a switch or an endpoint)");
        for (std::size_t i = 0; i < topo.switches.size(); ++i)
            for (unsigned d = 0; d < topo.switches[i].downstream_ports; ++d)
                if (!taken.count({topo.switches[i].name, d}))
                    fail(join_path(indexed(sw_path, i), "downstream_ports") + " = " +
                         dec(topo.switches[i].downstream_ports) + ": downstream port " + dec(d) +
                         " of " + topo.switches[i].name + " has nothing attached");
    }
    return topo;
}

// Objects merge key by key down to the switch and endpoint lists, which replace.
void merge_topology(json& base, const json& overlay) {
    if (!overlay.is_object())
        fail(std::string(topology_key) + ": expected an object, got " + describe_value(overlay));
    if (!base.is_object()) base = json::object();
    for (auto it = overlay.begin(); it != overlay.end(); ++it)
        base[it.key()] = it.value();
    check_topology(base, topology_key, false);
}

// --set topology.a[i].b=VALUE: any path inside the topology; an index one past the end appends.
void set_topology(json& cfg, const std::vector<segment>& segs, const std::string& text) {
    json work = cfg.contains(topology_key) ? cfg[topology_key] : json::object();
    json* node = &work;
    std::string path = topology_key;
    if (segs.front().has_index) fail(path + ": not an array, cannot take an index");
    for (std::size_t i = 1; i < segs.size(); ++i) {
        const segment& s = segs[i];
        if (!node->is_object()) {
            if (!node->is_null()) not_an_object(path, s.name);
            *node = json::object();
        }
        node = &(*node)[s.name];
        path = join_path(path, s.name);
        if (!s.has_index) continue;
        if (node->is_null()) *node = json::array();
        if (!node->is_array())
            fail(path + ": not an array, cannot take index [" + dec(s.index) + "]");
        if (s.index > node->size())
            fail(indexed(path, s.index) + ": index out of range (" + path + " has " +
                 dec(node->size()) + " entries; [" + dec(node->size()) + "] appends)");
        if (s.index == node->size()) node->push_back(json::object());
        node = &(*node)[s.index];
        path = indexed(path, s.index);
    }
    *node = set_value(text, false);
    if (node->is_string()) { // "0x10" is a number here as everywhere else
        std::uint64_t n = 0;
        if (parse_hex(node->get<std::string>(), n)) *node = n;
    }
    check_topology(work, topology_key, false);
    cfg[topology_key] = std::move(work);
}

void apply_set_to(json& cfg, const std::string& key, const std::string& text) {
    std::vector<segment> segs;
    if (!split_key(key, segs)) fail("malformed key path '" + key + "' (expected e.g. a.b[2].c)");
    if (!cfg.is_object()) cfg = json::object();

    const std::vector<entry>* table = &schema();
    std::string sub;  // path relative to *table
    std::string path; // full display path
    json* node = &cfg;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const segment& s = segs[i];
        const bool last = i + 1 == segs.size();
        const auto kids = children_of(*table, sub);
        if (is_topology(*table, sub, s.name)) return set_topology(cfg, segs, text);
        const child* c = find_child(kids, s.name);
        if (c == nullptr) unknown_key(path, s.name, kids);
        const std::string here = join_path(path, s.name);

        if (c->leaf == nullptr) { // an object
            if (s.has_index)
                fail(here + ": not an array, cannot take index [" + dec(s.index) + "]");
            json& slot = (*node)[s.name];
            sub = join_path(sub, s.name);
            path = here;
            if (last) return set_object(slot, set_value(text, false), *table, sub, path);
            if (!slot.is_object()) slot = json::object();
            node = &slot;
            continue;
        }

        const entry& e = *c->leaf;
        const bool is_array = e.k == kind::uint_array || e.k == kind::object_array;
        if (!s.has_index) {
            if (!last) {
                if (e.k == kind::object_array)
                    fail(here + ": is an array of " + dec(e.count) +
                         " objects; use an index, e.g. " + here + "[0]." + segs[i + 1].name);
                not_an_object(here, segs[i + 1].name);
            }
            json v = set_value(text, e.k == kind::enumeration);
            values scratch;
            walk_leaf(v, e, here, scratch);
            if (e.k == kind::uint) v = as_uint(v, here); // store "0x.." as a number
            (*node)[s.name] = std::move(v);
            return;
        }

        if (!is_array) fail(here + ": not an array, cannot take index [" + dec(s.index) + "]");
        const std::string element = indexed(here, s.index);
        if (s.index >= e.count)
            fail(element + ": index out of range (" + here + " has " + dec(e.count) + " entries)");
        json& array = (*node)[s.name];
        if (!array.is_array()) array = e.def;
        while (array.size() <= s.index)
            array.push_back(e.def[array.size()]);
        json& slot = array[s.index];

        if (e.k == kind::object_array) {
            table = &e.fields;
            sub.clear();
            path = element;
            if (last) return set_object(slot, set_value(text, false), *table, sub, path);
            if (!slot.is_object()) slot = json::object();
            node = &slot;
            continue;
        }
        // An element of an array of unsigned integers.
        if (!last) not_an_object(element, segs[i + 1].name);
        const auto n = as_uint(set_value(text, false), element);
        check_rule(e.r, n, element);
        slot = n;
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-key rules

struct region {
    std::string what; // "dram.base + dram.size_bytes"
    std::uint64_t base;
    std::uint64_t size;
    std::uint64_t end() const { return base + size; }
};

std::string span(const region& r) {
    return "[" + hex(r.base) + ", " + hex(r.end()) + ")";
}

region make_region(std::string what, std::uint64_t base, std::uint64_t size) {
    if (size > u64_max - base)
        fail(what + " = " + hex(base) + " + " + hex(size) +
             ": the region must end within the 64-bit address space");
    return {std::move(what), base, size};
}

void check_disjoint(const std::vector<region>& regions) {
    for (std::size_t i = 0; i < regions.size(); ++i) {
        for (std::size_t j = i + 1; j < regions.size(); ++j) {
            const region& a = regions[i];
            const region& b = regions[j];
            if (a.size == 0 || b.size == 0) continue;
            if (a.base < b.end() && b.base < a.end())
                fail(a.what + " = " + span(a) + " overlaps " + b.what + " = " + span(b) +
                     ": the regions must be disjoint");
        }
    }
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

// "4.70a" -> '4' '7' '0' '*' = 0x3437302a (the PCIE_VERSION_NUMBER register value).
std::uint32_t version_number(const std::string& version) {
    std::uint32_t n = 0;
    for (char c : version)
        if (c >= '0' && c <= '9') n = (n << 8) | static_cast<std::uint8_t>(c);
    return (n << 8) | static_cast<std::uint8_t>('*');
}

void check_cross_rules(const platform_config& p) {
    const auto& iatu = p.dwc.iatu;
    const auto& ap = p.board.aperture;

    if (ap.page_size < iatu.region_align)
        fail("board.aperture.page_size = " + dec(ap.page_size) +
             ": must be >= dwc.iatu.region_align (" + dec(iatu.region_align) + ")");
    if (ap.base % ap.page_size != 0)
        fail("board.aperture.base = " + hex(ap.base) +
             ": must be a multiple of board.aperture.page_size (" + dec(ap.page_size) + ")");

    if (iatu.impl != "tlm" &&
        index_of(dwc_versions(), p.dwc.version) < index_of(dwc_versions(), "4.80a"))
        fail("dwc.iatu.impl = " + iatu.impl +
             ": the RTL iATU has the unrolled layout only; dwc.version " + p.dwc.version +
             " uses the viewport (need >= 4.80a)");

    if (index_of(dwc_versions(), p.dwc.version) < index_of(dwc_versions(), "4.60a") &&
        iatu.region_limit != 4 * GiB)
        fail("dwc.iatu.region_limit = " + dec(iatu.region_limit) + ": dwc.version " +
             p.dwc.version + " has no UPPER_LIMIT, so the limit is 4 GiB (4294967296)");

    constexpr std::uint64_t largest_mps_bytes = 4096;
    if (p.dwc.edma_staging_buffer_bytes < p.dwc.edma_axi_burst_bytes + largest_mps_bytes)
        fail("dwc.edma.staging_buffer_bytes = " + dec(p.dwc.edma_staging_buffer_bytes) +
             ": must be >= dwc.edma.axi_burst_bytes + 4096 (" +
             dec(p.dwc.edma_axi_burst_bytes + largest_mps_bytes) + ")");

    const auto& bars = p.dwc.bars;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const std::string bar = indexed("dwc.bars", i);
        const std::string type = bar_type_names()[static_cast<std::size_t>(bars[i].type)];
        if (bars[i].type == bar_type::fixed) {
            if (!is_pow2(bars[i].fixed_size) || bars[i].fixed_size < fixed_bar_min)
                fail(bar + ".fixed_size = " + dec(bars[i].fixed_size) + ": " + bar +
                     ".type is \"fixed\", so it must be a power of two >= " + dec(fixed_bar_min));
        } else if (bars[i].fixed_size != 0) {
            fail(bar + ".fixed_size = " + dec(bars[i].fixed_size) + ": must be 0 because " + bar +
                 ".type is \"" + type + "\" (only fixed BARs have a fixed_size)");
        }
        if (bars[i].only_64bit) {
            if (i % 2 != 0)
                fail(bar +
                     ".only_64bit = true: a 64-bit BAR must be an even BAR (0, 2 or 4), not " +
                     (i + 1 == bars.size() ? "BAR5, the last one" : "the odd BAR" + dec(i)));
            const auto& upper = bars[i + 1];
            if (upper.type != bar_type::reserved)
                fail(bar + ".only_64bit = true: requires " + indexed("dwc.bars", i + 1) +
                     ".type = \"reserved\" (the upper half of the 64-bit BAR), got \"" +
                     bar_type_names()[static_cast<std::size_t>(upper.type)] + "\"");
        }
    }

    const auto& sizes = p.function.test.bar_sizes;
    // pci-epf-test puts its registers, the MSI-X table and the PBA in the first free BAR and
    // sizes it from them, never from bar_size[] (Linux drivers/pci/endpoint/functions/
    // pci-epf-test.c, pci_epf_test_alloc_space()); a fixed BAR keeps its fixed size.
    std::size_t reg_bar = 0;
    while (reg_bar + 1 < bars.size() && bars[reg_bar].type == bar_type::reserved)
        ++reg_bar;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] == 0) continue;
        const std::string key = indexed("function.test.bar_sizes", i) + " = " + dec(sizes[i]);
        const std::string bar = indexed("dwc.bars", i);
        if (i == reg_bar)
            fail(key + ": BAR" + dec(i) +
                 " is the test register BAR, which the function sizes from its registers and the "
                 "MSI-X table (function.test.msix_vectors), so it must be 0");
        switch (bars[i].type) {
        case bar_type::programmable:
            break;
        case bar_type::fixed:
            if (sizes[i] > bars[i].fixed_size)
                fail(key + ": " + bar + ".type is \"fixed\" with fixed_size " +
                     dec(bars[i].fixed_size) +
                     ", so it must be 0 or <= " + dec(bars[i].fixed_size));
            break;
        case bar_type::resizable:
            if (sizes[i] < resizable_bar_min)
                fail(key + ": " + bar + ".type is \"resizable\", so it must be 0 or >= " +
                     dec(resizable_bar_min) + " (1 MiB)");
            break;
        case bar_type::reserved:
            fail(key + ": " + bar + ".type is \"reserved\", so it must be 0");
        }
    }

    check_disjoint({
        make_region("dram.base + dram.size_bytes", p.dram.base, p.dram.size_bytes),
        make_region("board.aperture.base + board.aperture.size", ap.base, ap.size),
        make_region("board.dbi_base + " + hex(dbi_region_size), p.board.dbi_base, dbi_region_size),
        make_region("board.app_base + " + hex(app_region_size), p.board.app_base, app_region_size),
        make_region("board.smmu_base + " + hex(smmu_region_size), p.board.smmu_base,
                    smmu_region_size),
    });

    const auto& h = p.host;
    const region mmio32 =
        make_region("host.mmio32_base + host.mmio32_size", h.mmio32_base, h.mmio32_size);
    if (mmio32.end() > 4 * GiB)
        fail(mmio32.what + " = " + span(mmio32) +
             ": the 32-bit MMIO window must end at or below 4 GiB (0x100000000)");
    check_disjoint({
        mmio32,
        make_region("host.mmio64_base + host.mmio64_size", h.mmio64_base, h.mmio64_size),
        make_region("host.ecam_base + " + hex(ecam_region_size), h.ecam_base, ecam_region_size),
        make_region("host.mem_base + host.mem_size_bytes", h.mem_base, h.mem_size_bytes),
        make_region("host.msi_base + " + hex(msi_region_size), h.msi_base, msi_region_size),
    });
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Public interface

json defaults() {
    json d = json::object();
    for (const auto& e : schema())
        set_path(d, e.path, e.def);
    return d;
}

json parse_text(const std::string& text, const std::string& source_name) {
    return parse_json(text, "config " + source_name);
}

json parse_json(const std::string& text, const std::string& source) {
    // The parser reads through a tracking_iterator, so the callback knows where it is.
    const char* cursor = text.data();
    std::vector<std::unordered_set<std::string>> open_keys; // per open object or array
    const auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        const auto read = static_cast<std::size_t>(cursor - text.data());
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            // `read` is just past the '{' or '['.
            if (static_cast<std::size_t>(depth) >= max_json_depth)
                fail(source + ": nested deeper than " + dec(max_json_depth) + " levels at " +
                     line_column(text, read - 1));
            open_keys.emplace_back();
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            open_keys.pop_back();
            break;
        case json::parse_event_t::key:
            // `read` is just past the key's closing quote; an object is the innermost container.
            if (!open_keys.back().insert(parsed.get<std::string>()).second)
                fail(source + ": duplicate key " + shortened(safe_dump(parsed)) + " at " +
                     line_column(text, string_start(text, read - 1)) +
                     " (a key may appear once per object)");
            break;
        case json::parse_event_t::value:
            break;
        }
        return true;
    };
    try {
        return json::parse(tracking_iterator{text.data(), &cursor},
                           tracking_iterator{text.data() + text.size(), &cursor}, callback);
    } catch (const json::out_of_range& e) {
        // e.g. a number too large for any JSON number type
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        throw config_error(source + ": malformed JSON: " + what);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        std::string where;
        std::string message;
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3,
        // column 7: syntax error while parsing value - unexpected '}'; expected ..."
        const auto at = what.find("at line ");
        const auto col = what.find(", column ", at == std::string::npos ? 0 : at);
        const auto colon = what.find(": ", col == std::string::npos ? 0 : col);
        if (at != std::string::npos && col != std::string::npos && colon != std::string::npos) {
            where = what.substr(at, colon - at);
            message = what.substr(colon + 2);
        } else {
            // No position in the message: derive it from the byte offset (1-based: the last
            // byte read).
            const std::size_t end = std::min<std::size_t>(e.byte, text.size());
            where = "at " + line_column(text, end == 0 ? 0 : end - 1);
            const auto sep = what.find(": ");
            message = sep == std::string::npos ? what : what.substr(sep + 2);
        }
        throw config_error(source + ": malformed JSON " + where + ": " + message);
    }
}

std::string read_file(const std::string& path, const std::string& source) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(source + ": cannot open");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(source + ": cannot open");
    // Read in blocks up to the cap: /dev/zero or an endless pipe ends here, not in swap.
    std::string text;
    std::vector<char> block(max_file_block_bytes);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        text.append(block.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_file_bytes)
            fail(source + ": larger than " + dec(max_file_bytes / MiB) +
                 " MiB, the limit for a configuration or sweep file");
    }
    if (in.bad()) fail(source + ": read error");
    return text;
}

json load_file(const std::string& path) {
    return parse_text(read_file(path, "config " + path), path);
}

void merge(json& base, const json& overlay) {
    merge_object(base, overlay, schema(), "", "");
}

void apply_set(json& cfg, const std::string& assignment) {
    const auto eq = assignment.find('=');
    const std::string quoted = "--set '" + shortened_assignment(assignment) + "'";
    if (eq == std::string::npos || eq == 0) fail(quoted + ": expected key=value");
    json work = cfg; // all or nothing: cfg is unchanged when the assignment is rejected
    try {
        apply_set_to(work, assignment.substr(0, eq), assignment.substr(eq + 1));
    } catch (const config_error& e) {
        fail(quoted + ": " + e.what());
    }
    cfg = std::move(work);
}

platform_config parse(const json& cfg) {
    values v;
    walk_object(&cfg, schema(), "", "", v);

    platform_config p{};
    p.sim.seed = v.u("sim.seed");
    p.sim.quantum_ns = v.u("sim.quantum_ns");
    p.sim.time_limit_us = v.u("sim.time_limit_us");
    p.sim.wall_limit_s = v.u("sim.wall_limit_s");

    p.link.gen = static_cast<unsigned>(v.u("link.gen"));
    p.link.width = static_cast<unsigned>(v.u("link.width"));
    p.link.mps = static_cast<unsigned>(v.u("link.mps"));
    p.link.mrrs = static_cast<unsigned>(v.u("link.mrrs"));
    p.link.training_us = v.u("link.training_us");
    p.link.propagation_ns = v.u("link.propagation_ns");
    p.link.ecrc = v.b("link.ecrc");
    p.link.rcb = static_cast<unsigned>(v.u("link.rcb"));
    p.link.tags = static_cast<unsigned>(v.u("link.tags"));
    p.link.dllp = v.b("link.dllp");
    p.link.replay_buffer_bytes = v.u("link.replay_buffer_bytes");
    p.link.ack_latency_ns = v.u("link.ack_latency_ns");
    p.link.replay_timer_ns = v.u("link.replay_timer_ns");
    p.link.retrain_ns = v.u("link.retrain_ns");
    for (auto* side : {&p.link.host_credits, &p.link.ep_credits}) {
        const std::string base =
            std::string("link.credits.") + (side == &p.link.host_credits ? "host." : "ep.");
        side->posted_header = static_cast<unsigned>(v.u(base + "posted_header"));
        side->posted_data = static_cast<unsigned>(v.u(base + "posted_data"));
        side->nonposted_header = static_cast<unsigned>(v.u(base + "nonposted_header"));
        side->nonposted_data = static_cast<unsigned>(v.u(base + "nonposted_data"));
        side->completion_header = static_cast<unsigned>(v.u(base + "completion_header"));
        side->completion_data = static_cast<unsigned>(v.u(base + "completion_data"));
    }
    p.dwc.datapath_bits = static_cast<unsigned>(v.u("dwc.datapath_bits"));
    p.dwc.core_clock_mhz = v.u("dwc.core_clock_mhz");
    p.dwc.edma_write_channels = static_cast<unsigned>(v.u("dwc.edma.write_channels"));
    p.dwc.edma_read_channels = static_cast<unsigned>(v.u("dwc.edma.read_channels"));
    p.dwc.edma_axi_burst_bytes = static_cast<unsigned>(v.u("dwc.edma.axi_burst_bytes"));
    p.dwc.edma_axi_outstanding_reads = static_cast<unsigned>(v.u("dwc.edma.axi_outstanding_reads"));
    p.dwc.edma_staging_buffer_bytes = static_cast<unsigned>(v.u("dwc.edma.staging_buffer_bytes"));
    p.dwc.edma_rd_outstanding_mrd = static_cast<unsigned>(v.u("dwc.edma.rd_outstanding_mrd"));
    p.host.write_absorb_ns = v.u("host.write_absorb_ns");
    p.dram.ideal = v.b("dram.ideal");
    p.mc.irq_window_base = v.u("mc.irq_window.base");
    p.mc.irq_window_bytes = v.u("mc.irq_window.size_bytes");
    p.mc.irq_window_fifo_depth = static_cast<unsigned>(v.u("mc.irq_window.fifo_depth"));
    p.mc.irq_window_latency_ns = v.u("mc.irq_window.latency_ns");
    p.dram.channels = static_cast<unsigned>(v.u("dram.channels"));
    p.dram.banks = static_cast<unsigned>(v.u("dram.banks"));
    p.dram.row_bytes = v.u("dram.row_bytes");
    p.dram.interleave_bytes = v.u("dram.interleave_bytes");
    p.dram.channel_bandwidth_MBps = v.u("dram.channel_bandwidth_MBps");
    p.dram.trcd_ps = v.u("dram.trcd_ps");
    p.dram.trp_ps = v.u("dram.trp_ps");
    p.dram.tcl_ps = v.u("dram.tcl_ps");
    p.dram.tras_ps = v.u("dram.tras_ps");
    p.dram.trfc_ps = v.u("dram.trfc_ps");
    p.dram.trefi_ps = v.u("dram.trefi_ps");
    if (p.dram.trfc_ps >= p.dram.trefi_ps)
        throw config_error("dram.trfc_ps = " + std::to_string(p.dram.trfc_ps) +
                           ": must be below dram.trefi_ps (" + std::to_string(p.dram.trefi_ps) +
                           ")");

    p.dwc.version = v.s("dwc.version");
    p.dwc.version_number = version_number(p.dwc.version);
    p.dwc.iatu.outbound_windows = static_cast<unsigned>(v.u("dwc.iatu.outbound_windows"));
    p.dwc.iatu.inbound_windows = static_cast<unsigned>(v.u("dwc.iatu.inbound_windows"));
    p.dwc.iatu.region_align = v.u("dwc.iatu.region_align");
    p.dwc.iatu.region_limit = v.u("dwc.iatu.region_limit");
    p.dwc.iatu.miss =
        static_cast<miss_policy>(index_of(miss_policy_names(), v.s("dwc.iatu.miss_policy")));
    p.dwc.iatu.impl = v.s("dwc.iatu.impl");
    p.dwc.iatu.rtl_clock_period_ps = v.u("dwc.iatu.rtl_clock_period_ps");
    for (std::size_t i = 0; i < p.dwc.bars.size(); ++i) {
        const std::string bar = indexed("dwc.bars", i);
        p.dwc.bars[i].type = static_cast<bar_type>(index_of(bar_type_names(), v.s(bar + ".type")));
        p.dwc.bars[i].fixed_size = v.u(bar + ".fixed_size");
        p.dwc.bars[i].only_64bit = v.b(bar + ".only_64bit");
    }

    auto& test = p.function.test;
    for (std::size_t i = 0; i < test.bar_sizes.size(); ++i)
        test.bar_sizes[i] = v.u(indexed("function.test.bar_sizes", i));
    test.msi_vectors = static_cast<unsigned>(v.u("function.test.msi_vectors"));
    test.msix_vectors = static_cast<unsigned>(v.u("function.test.msix_vectors"));
    test.vendor_id = static_cast<std::uint16_t>(v.u("function.test.vendor_id"));
    test.device_id = static_cast<std::uint16_t>(v.u("function.test.device_id"));
    test.poll_interval_us = v.u("function.test.poll_interval_us");

    p.function.iova.buffers = static_cast<unsigned>(v.u("function.iova.buffers"));
    auto& it = p.workload.iotlb_sweep;
    it.min_set_bytes = v.u("workload.iotlb_sweep.min_set_bytes");
    it.max_set_bytes = v.u("workload.iotlb_sweep.max_set_bytes");
    it.reads = static_cast<unsigned>(v.u("workload.iotlb_sweep.reads"));
    it.read_bytes = static_cast<unsigned>(v.u("workload.iotlb_sweep.read_bytes"));
    if (it.min_set_bytes > it.max_set_bytes)
        fail("workload.iotlb_sweep.min_set_bytes = " + dec(it.min_set_bytes) +
             ": must not exceed workload.iotlb_sweep.max_set_bytes (" + dec(it.max_set_bytes) +
             ")");

    p.smmu.enabled = v.b("smmu.enabled");
    p.smmu.tlb_entries = static_cast<unsigned>(v.u("smmu.tlb_entries"));
    p.smmu.walk_cache_entries = static_cast<unsigned>(v.u("smmu.walk_cache_entries"));
    p.smmu.tlb_hit_ns = v.u("smmu.tlb_hit_ns");
    p.smmu.walk_step_ns = v.u("smmu.walk_step_ns");
    p.smmu.command_ns = v.u("smmu.command_ns");
    p.smmu.sync_ns = v.u("smmu.sync_ns");
    p.smmu.cmdq_max_log2 = static_cast<unsigned>(v.u("smmu.cmdq_max_log2"));
    p.smmu.evtq_max_log2 = static_cast<unsigned>(v.u("smmu.evtq_max_log2"));

    p.dram.base = v.u("dram.base");
    p.dram.size_bytes = v.u("dram.size_bytes");
    p.dram.latency_ns = v.u("dram.latency_ns");

    p.host.mem_base = v.u("host.mem_base");
    p.host.mem_size_bytes = v.u("host.mem_size_bytes");
    p.host.read_latency_ns = v.u("host.read_latency_ns");
    p.host.test_timeout_us = v.u("host.test_timeout_us");
    p.host.crs_retry_us = v.u("host.crs_retry_us");
    p.host.sbr_hold_us = v.u("host.sbr_hold_us");
    p.host.flr_wait_ms = v.u("host.flr_wait_ms");
    p.host.ecam_base = v.u("host.ecam_base");
    p.host.mmio32_base = v.u("host.mmio32_base");
    p.host.mmio32_size = v.u("host.mmio32_size");
    p.host.mmio64_base = v.u("host.mmio64_base");
    p.host.mmio64_size = v.u("host.mmio64_size");

    p.board.dbi_base = v.u("board.dbi_base");
    p.board.atu_size = v.u("board.atu_size");
    p.board.app_base = v.u("board.app_base");
    p.board.smmu_base = v.u("board.smmu_base");
    p.board.aperture.base = v.u("board.aperture.base");
    p.board.aperture.size = v.u("board.aperture.size");
    p.board.aperture.page_size = v.u("board.aperture.page_size");
    if (p.board.aperture.page_size == 0) p.board.aperture.page_size = p.dwc.iatu.region_align;

    p.function.test.init_delay_us = v.u("function.test.init_delay_us");
    {
        const std::string ub = v.s("function.test.unmapped_bar");
        p.function.test.unmapped_bar = ub == "none" ? -1 : std::stoi(ub);
    }
    p.function.max_map_bytes = v.u("function.max_map_bytes");
    p.function.cmd.concurrency = static_cast<unsigned>(v.u("function.cmd.concurrency"));
    p.function.cmd.use_dma = v.s("function.cmd.mover") == "edma";
    p.function.cmd.pages_per_command = static_cast<unsigned>(v.u("function.cmd.pages_per_command"));
    p.function.cmd.page_bytes = static_cast<unsigned>(v.u("function.cmd.page_bytes"));
    p.function.cmd.commands = static_cast<unsigned>(v.u("function.cmd.commands"));
    p.function.cmd.queue_depth = static_cast<unsigned>(v.u("function.cmd.queue_depth"));
    p.function.cmd.write_percent = static_cast<unsigned>(v.u("function.cmd.write_percent"));
    p.function.cmd.poll_ns = v.u("function.cmd.poll_ns");
    p.dwc.completion_timeout_us = v.u("dwc.completion_timeout_us");
    p.dwc.stream_mode =
        static_cast<stream_id_mode>(index_of(stream_id_mode_names(), v.s("dwc.stream_id_mode")));
    p.dwc.stream_id = static_cast<std::uint32_t>(v.u("dwc.stream_id"));
    p.faults.seed = v.u("faults.seed");
    p.faults.completion_timeout_nth_read = v.u("faults.completion_timeout.nth_read");
    p.faults.ur_nth_read = v.u("faults.ur_at_completer.nth_read");
    p.faults.ca_nth_read = v.u("faults.ca_at_completer.nth_read");
    p.faults.lcrc_error_rate = v.r("faults.lcrc_error_rate");
    p.faults.dllp_error_rate = v.r("faults.dllp_error_rate");
    p.faults.lcrc_nth_tlp = v.u("faults.lcrc.nth_tlp");
    p.faults.lcrc_downstream = v.s("faults.lcrc.direction") == "downstream";
    p.faults.lcrc_count = static_cast<unsigned>(v.u("faults.lcrc.count"));
    p.faults.link_down_at_us = v.u("faults.link_down.at_us");
    p.faults.link_down_duration_us = v.u("faults.link_down.duration_us");
    p.faults.poison_nth_tlp = v.u("faults.poison.nth_tlp");
    p.faults.poison_rate = v.r("faults.poison.rate");
    p.faults.poison_downstream = v.s("faults.poison.direction") == "downstream";
    p.faults.poison_type = v.s("faults.poison.type");
    p.faults.hot_reset_before_test = v.u("faults.hot_reset.before_test");
    p.faults.flr_before_test = v.u("faults.flr.before_test");
    p.host.msi_base = v.u("host.msi_base");
    p.cpu.copy_cycles_per_byte = v.u("cpu.copy_cycles_per_byte");
    p.cpu.crc_cycles_per_byte = v.u("cpu.crc_cycles_per_byte");
    p.cpu.clock_mhz = v.u("cpu.clock_mhz");
    p.workload.dma_sweep.min_bytes = v.u("workload.dma_sweep.min_bytes");
    p.workload.dma_sweep.max_bytes = v.u("workload.dma_sweep.max_bytes");
    p.workload.dma_sweep.factor = v.u("workload.dma_sweep.factor");
    p.workload.dma_sweep.read = v.b("workload.dma_sweep.read");
    p.workload.dma_sweep.write = v.b("workload.dma_sweep.write");
    p.workload.dma_sweep.offset_bytes = v.u("workload.dma_sweep.offset_bytes");
    p.workload.dma_mix.write_channels =
        static_cast<unsigned>(v.u("workload.dma_mix.write_channels"));
    p.workload.dma_mix.read_channels = static_cast<unsigned>(v.u("workload.dma_mix.read_channels"));
    p.workload.dma_mix.size_bytes = v.u("workload.dma_mix.size_bytes");
    p.workload.dma_mix.write_weights = v.u("workload.dma_mix.write_weights");
    p.workload.dma_mix.read_weights = v.u("workload.dma_mix.read_weights");
    if (p.workload.dma_sweep.min_bytes > p.workload.dma_sweep.max_bytes)
        throw config_error(
            "workload.dma_sweep.min_bytes = " + std::to_string(p.workload.dma_sweep.min_bytes) +
            ": must be <= workload.dma_sweep.max_bytes (" +
            std::to_string(p.workload.dma_sweep.max_bytes) + ")");
    p.cpu.mmio_access_bytes = static_cast<unsigned>(v.u("cpu.mmio_access_bytes"));
    p.cpu.irq_entry_cycles = v.u("cpu.irq_entry_cycles");
    p.host.mmio_access_bytes = static_cast<unsigned>(v.u("host.mmio_access_bytes"));
    p.host.pcitest_msix_sample = v.b("host.pcitest_msix_sample");
    p.host.pcitest_kernel = v.s("host.pcitest.kernel");
    p.dwc.dbi_access_ns = v.u("dwc.dbi_access_ns");

    if (p.mc.irq_window_base == 0)
        p.mc.irq_window_base = p.dram.base + p.dram.size_bytes - p.mc.irq_window_bytes;
    else if (p.mc.irq_window_base < p.dram.base ||
             p.mc.irq_window_base + p.mc.irq_window_bytes > p.dram.base + p.dram.size_bytes)
        throw config_error("mc.irq_window.base = " + hex(p.mc.irq_window_base) +
                           ": the window must lie inside [dram.base, dram.base + dram.size_bytes)");
    p.host.p2p_between_root_ports = v.b("host.p2p_between_root_ports");
    p.host.p2p_reflect = v.b("host.p2p_reflect");
    p.host.p2p_forward_latency_ns = v.u("host.p2p_forward_latency_ns");
    p.host.bridge_vendor_id = static_cast<std::uint16_t>(v.u("host.bridge.vendor_id"));
    p.host.bridge_device_id = static_cast<std::uint16_t>(v.u("host.bridge.device_id"));
    auto& pw = p.workload.p2p;
    pw.provider = static_cast<unsigned>(v.u("workload.p2p.provider"));
    pw.client = static_cast<unsigned>(v.u("workload.p2p.client"));
    pw.bar = static_cast<unsigned>(v.u("workload.p2p.bar"));
    pw.offset_bytes = v.u("workload.p2p.offset_bytes");
    pw.bytes = v.u("workload.p2p.bytes");
    pw.acs_redirect = v.b("workload.p2p.acs_redirect");
    pw.force = v.b("workload.p2p.force");
    pw.target = static_cast<p2p_target>(index_of(p2p_target_names(), v.s("workload.p2p.target")));
    check_cross_rules(p);

    if (cfg.is_object() && cfg.contains(topology_key)) {
        p.topology = check_topology(cfg.at(topology_key), topology_key, true);
        // Each endpoint: this document without the topology, its overrides merged over it.
        json base = cfg;
        base.erase(topology_key);
        const json& eps = cfg.at(topology_key).contains("endpoints")
                              ? cfg.at(topology_key).at("endpoints")
                              : json::array();
        for (std::size_t i = 0; i < eps.size(); ++i) {
            const std::string at = indexed(std::string(topology_key) + ".endpoints", i);
            json doc = base;
            for (const auto& k : endpoint_override_keys())
                if (eps[i].contains(k))
                    merge_object(doc, json{{k, eps[i].at(k)}}, schema(), "", at);
            try {
                p.endpoint_configs.push_back(parse(doc));
            } catch (const config_error& e) {
                fail(at + " (" + p.topology.endpoints[i].name + "): " + e.what());
            }
        }
    }
    return p;
}

json default_p2p_topology() {
    constexpr std::uint64_t provider_bar4_bytes = 4 * MiB;
    constexpr unsigned provider_bar = 4;
    json provider_bars = defaults()["function"]["test"]["bar_sizes"];
    provider_bars[provider_bar] = provider_bar4_bytes;
    return json{
        {"root_ports", 1},
        {"switches",
         json::array(
             {{{"name", "sw0"}, {"parent", root_parent}, {"port", 0}, {"downstream_ports", 2}}})},
        {"endpoints", json::array({{{"name", "provider"},
                                    {"parent", "sw0"},
                                    {"port", 0},
                                    {"function", {{"test", {{"bar_sizes", provider_bars}}}}}},
                                   {{"name", "client"}, {"parent", "sw0"}, {"port", 1}}})},
    };
}

} // namespace epvp::cfg

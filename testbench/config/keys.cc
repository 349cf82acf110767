// The configuration key table: rules, key builders, the table (built-in keys, then keys
// registered at run time) and `epsim config --describe`.
#include "testbench/config/keys.h"

#include "testbench/config/config_util.h"
#include "testbench/config/declarations.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <utility>

namespace epvp::cfg {
using namespace util;

std::string util::describe_value(const json& v) {
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

// ---------------------------------------------------------------------------------------------
// Rules

bool rule::holds(std::uint64_t v) const {
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

std::string rule::describe() const {
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
rule multiple_of(std::uint64_t step, std::uint64_t min, std::uint64_t max) {
    return {rule::type::multiple_of, min, max, step, {}};
}

// ---------------------------------------------------------------------------------------------
// Key builders

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The unit a key's name carries: "link.training_us" -> "us".
std::string unit_of_name(const std::string& path) {
    static const std::pair<const char*, const char*> suffixes[] = {
        {"_ps", "ps"},       {"_ns", "ns"},     {"_us", "us"},   {"_ms", "ms"},         {"_s", "s"},
        {"_bytes", "bytes"}, {"_MBps", "MB/s"}, {"_mhz", "MHz"}, {"_cycles", "cycles"},
    };
    for (const auto& [suffix, unit] : suffixes)
        if (ends_with(path, suffix)) return unit;
    return "";
}

key_def make_key(std::string path, key_kind kind, json def, std::string meaning, std::string unit) {
    key_def k;
    k.kind = kind;
    k.def = std::move(def);
    k.r = any_value();
    k.unit = unit.empty() ? unit_of_name(path) : std::move(unit);
    k.path = std::move(path);
    k.meaning = std::move(meaning);
    return k;
}

} // namespace

key_def uint_key(std::string path, std::uint64_t def, rule r, std::string meaning,
                 std::string unit) {
    key_def k =
        make_key(std::move(path), key_kind::uint, json(def), std::move(meaning), std::move(unit));
    k.r = std::move(r);
    return k;
}

key_def bool_key(std::string path, bool def, std::string meaning) {
    return make_key(std::move(path), key_kind::boolean, json(def), std::move(meaning), "");
}

// A number (integer or decimal, e.g. 1e-3) in [min, max].
key_def real_key(std::string path, double def, double min, double max, std::string meaning,
                 std::string unit) {
    key_def k =
        make_key(std::move(path), key_kind::real, json(def), std::move(meaning), std::move(unit));
    k.real_min = min;
    k.real_max = max;
    return k;
}

key_def choice_key(std::string path, std::string def, std::vector<std::string> names,
                   std::string meaning) {
    key_def k =
        make_key(std::move(path), key_kind::choice, json(std::move(def)), std::move(meaning), "");
    k.names = std::move(names);
    if (std::find(k.names.begin(), k.names.end(), k.def.get<std::string>()) == k.names.end())
        throw std::logic_error("config: " + k.path + ": the default is not an allowed value");
    return k;
}

key_def text_key(std::string path, std::string def, std::string meaning) {
    return make_key(std::move(path), key_kind::text, json(std::move(def)), std::move(meaning), "");
}

key_def uint_array_key(std::string path, std::vector<std::uint64_t> def, rule r,
                       std::string meaning, std::string unit) {
    json d = json::array();
    for (auto v : def)
        d.push_back(v);
    key_def k = make_key(std::move(path), key_kind::uint_array, std::move(d), std::move(meaning),
                         std::move(unit));
    k.r = std::move(r);
    k.count = def.size();
    return k;
}

void util::set_path(json& root, const std::string& dotted, const json& value) {
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

json element_default(const key_def& object_array) {
    json element = json::object();
    for (const auto& f : object_array.fields)
        set_path(element, f.path, f.def);
    return element;
}

key_def object_array_key(std::string path, std::size_t count, std::vector<key_def> fields,
                         std::string meaning) {
    key_def shape;
    shape.fields = fields;
    const json element = element_default(shape);
    json d = json::array();
    for (std::size_t i = 0; i < count; ++i)
        d.push_back(element);
    key_def k =
        make_key(std::move(path), key_kind::object_array, std::move(d), std::move(meaning), "");
    k.count = count;
    k.fields = std::move(fields);
    return k;
}

void detail::check_fits(const key_def& k, std::uint64_t field_max) {
    if (k.kind != key_kind::uint && k.kind != key_kind::uint_array) return;
    const std::uint64_t largest =
        k.r.t == rule::type::one_of ? *std::max_element(k.r.set.begin(), k.r.set.end()) : k.r.max;
    if (largest > field_max)
        throw std::logic_error("config: " + k.path + ": its rule allows " + dec(largest) +
                               ", more than its field holds (" + dec(field_max) + ")");
}

// ---------------------------------------------------------------------------------------------
// The table

namespace {

std::vector<key_def>& table_storage() {
    static std::vector<key_def> table = builtin_keys();
    return table;
}

bool valid_path(const std::string& path) {
    if (path.empty() || path.front() == '.' || path.back() == '.') return false;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char ch = path[i];
        if (ch == '.' && path[i - 1] == '.') return false;
        if (ch != '.' && ch != '_' && ch != '-' && !std::isalnum(static_cast<unsigned char>(ch)))
            return false;
    }
    return true;
}

// `a` is `b` or an object above it ("link" and "link.gen").
bool is_prefix_path(const std::string& a, const std::string& b) {
    return b.compare(0, a.size(), a) == 0 && (b.size() == a.size() || b[a.size()] == '.');
}

} // namespace

const std::vector<key_def>& key_table() {
    return table_storage();
}

void register_key(key_def key) {
    const std::string& path = key.path;
    if (!valid_path(path))
        fail(path + ": not a key path (names of letters, digits, _ and -, joined by dots)");
    if (key.kind == key_kind::object_array)
        fail(path + ": arrays of objects cannot be registered at run time");
    if (is_prefix_path("topology", path)) fail(path + ": the topology has no registrable keys");
    // The default obeys the key's own rule (else every run would fail on a value nobody set).
    auto bad_default = [&](const std::string& rule_text) {
        fail(path + ": the default " + key.def.dump() + " breaks the key's own rule (" + rule_text +
             ")");
    };
    if (key.kind == key_kind::uint && !key.r.holds(key.def.get<std::uint64_t>()))
        bad_default(key.r.describe());
    if (key.kind == key_kind::uint_array)
        for (const auto& v : key.def)
            if (!key.r.holds(v.get<std::uint64_t>())) bad_default(key.r.describe());
    if (key.kind == key_kind::real &&
        (key.def.get<double>() < key.real_min || key.def.get<double>() > key.real_max))
        bad_default("in [" + json(key.real_min).dump() + ", " + json(key.real_max).dump() + "]");
    for (const auto& k : table_storage()) {
        if (k.path == path) fail(path + ": already declared");
        if (is_prefix_path(k.path, path)) fail(path + ": " + k.path + " is a value, not an object");
        if (is_prefix_path(path, k.path))
            fail(path + ": is an object holding " + k.path + ", not a value");
    }
    table_storage().push_back(std::move(key));
}

// ---------------------------------------------------------------------------------------------
// --describe

namespace {

struct described {
    std::string path, type, unit, def, allowed, meaning;
};

std::string allowed_text(const key_def& k) {
    switch (k.kind) {
    case key_kind::uint:
    case key_kind::uint_array: {
        std::string r = k.r.describe();
        r = r.substr(std::string("must be ").size());
        return k.kind == key_kind::uint_array ? "each " + r : r;
    }
    case key_kind::boolean:
        return "true, false";
    case key_kind::choice:
        return "one of " + join_list(k.names);
    case key_kind::text:
        return "printable text, at most " + dec(max_text_chars) + " characters";
    case key_kind::real: {
        std::ostringstream range;
        range << "in [" << k.real_min << ", " << k.real_max << "]";
        return range.str();
    }
    case key_kind::object_array:
        return "";
    }
    return "";
}

std::string type_text(const key_def& k) {
    switch (k.kind) {
    case key_kind::uint:
        return "unsigned";
    case key_kind::boolean:
        return "boolean";
    case key_kind::choice:
        return "choice";
    case key_kind::text:
        return "string";
    case key_kind::real:
        return "number";
    case key_kind::uint_array:
        return "array of " + dec(k.count) + " unsigned";
    case key_kind::object_array:
        return "";
    }
    return "";
}

void add_rows(const key_def& k, const std::string& path, std::vector<described>& out) {
    if (k.kind == key_kind::object_array) {
        // A variable-length array: a row for the array itself, then one per field.
        if (k.variable)
            out.push_back({path, "array of 0.." + dec(k.count) + " objects", "-", "[]",
                           "each element: the keys " + path + "[i].*", k.meaning});
        // One row per field of the elements: "dwc.bars[i].type".
        for (const auto& f : k.fields)
            add_rows(f, path + "[i]." + f.path, out);
        return;
    }
    out.push_back({path, type_text(k), k.unit.empty() ? "-" : k.unit, safe_dump(k.def),
                   allowed_text(k), k.meaning});
}

std::string md_cell(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|') out += '\\';
        out += ch;
    }
    return out;
}

} // namespace

std::string describe_keys(const std::string& prefix, describe_format format) {
    std::vector<described> rows;
    for (const auto& k : key_table())
        add_rows(k, k.path, rows);
    // PREFIX itself and what lies under it: "dwc.iatu", "dwc.bars" or "dwc.bars[i]".
    const auto under = [&](const described& d) {
        return prefix.empty() || (d.path.compare(0, prefix.size(), prefix) == 0 &&
                                  (d.path.size() == prefix.size() || d.path[prefix.size()] == '.' ||
                                   d.path[prefix.size()] == '['));
    };
    rows.erase(
        std::remove_if(rows.begin(), rows.end(), [&](const described& d) { return !under(d); }),
        rows.end());
    if (rows.empty()) {
        std::vector<std::string> top;
        for (const auto& k : key_table()) {
            const std::string area = k.path.substr(0, k.path.find('.'));
            if (std::find(top.begin(), top.end(), area) == top.end()) top.push_back(area);
        }
        fail(prefix + ": no configuration key has this prefix (areas: " + join_list(top) + ")");
    }
    std::string out;
    if (format == describe_format::text) {
        for (const auto& d : rows)
            out += d.path + " | " + d.type + " | " + d.unit + " | " + d.def + " | " + d.allowed +
                   " | " + d.meaning + "\n";
        return out;
    }
    out += "# Configuration reference\n\nGenerated by `epsim config --describe --format md`. Set a "
           "key with `--set KEY=VALUE` or in a `--config` JSON file.\n";
    std::string area;
    for (const auto& d : rows) {
        const std::string here = d.path.substr(0, d.path.find_first_of(".["));
        if (here != area) {
            area = here;
            out += "\n## " + area +
                   "\n\n| Key | Type | Unit | Default | Allowed | Meaning |\n"
                   "|---|---|---|---|---|---|\n";
        }
        out += "| `" + md_cell(d.path) + "` | " + md_cell(d.type) + " | " + md_cell(d.unit) +
               " | `" + md_cell(d.def) + "` | " + md_cell(d.allowed) + " | " + md_cell(d.meaning) +
               " |\n";
    }
    return out;
}

} // namespace epvp::cfg

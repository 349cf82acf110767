// The configuration key table: every key is declared once, as one key_def (path, type, unit,
// default, rule or allowed values, one-sentence meaning, and the platform_config field it fills).
// Validation, defaults(), `epsim config --dump`, `epsim config --describe` and the typed view that
// parse() returns are all derived from it.
//
// The built-in keys are declared per area in config/declarations.cc. Keys can also be added at run
// time (register_key: a plugin's function.<name>.*, a workload's workload.<name>.*); they are
// validated, merged, --set, dumped and described exactly like built-in keys, and parse() puts
// their validated values in platform_config::registered. SystemC-free.
#pragma once

#include "testbench/config/config.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace epvp::cfg {

// What an unsigned value must satisfy ("must be one of 1, 2, 4" in an error message).
struct rule {
    enum class type { range, one_of, power_of_two, zero_or_power_of_two, multiple_of };
    type t = type::range;
    std::uint64_t min = 0;
    std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t step = 1;
    std::vector<std::uint64_t> set;

    bool holds(std::uint64_t v) const;
    std::string describe() const; // "must be in [1, 6]"
};
rule in_range(std::uint64_t min, std::uint64_t max);
rule any_value();
rule one_of(std::vector<std::uint64_t> set);
rule power_of_two(std::uint64_t min, std::uint64_t max);
rule zero_or_power_of_two(std::uint64_t min, std::uint64_t max);
rule multiple_of(std::uint64_t step, std::uint64_t min = 0,
                 std::uint64_t max = std::numeric_limits<std::uint64_t>::max());

enum class key_kind { uint, boolean, choice, uint_array, object_array, real, text };

// Writes a validated value into the typed view. `element` is the array index for the fields of
// an object array (dwc.bars[i].type), 0 otherwise.
using key_binder =
    std::function<void(platform_config&, const nlohmann::ordered_json&, std::size_t element)>;

// One key. For object_array, `fields` are keys whose paths are relative to one element.
struct key_def {
    std::string path;
    key_kind kind = key_kind::uint;
    nlohmann::ordered_json def;
    rule r;                         // uint and uint_array elements
    std::vector<std::string> names; // choice
    std::size_t count = 0;          // uint_array, object_array (the maximum when variable)
    std::vector<key_def> fields;    // object_array
    // object_array of 0..count elements (default empty); resize sizes the typed view's vector
    // before the elements' fields are bound.
    bool variable = false;
    std::function<void(platform_config&, std::size_t)> resize;
    double real_min = 0, real_max = 0; // real
    std::string unit;                  // "ns", "bytes", ...; "" when the value has none
    std::string meaning;               // one sentence
    key_binder bind;                   // null: the value goes to platform_config::registered
};

// Key builders. An empty unit is taken from the name's suffix (_ns, _us, _bytes, _MBps, ...).
key_def uint_key(std::string path, std::uint64_t def, rule r, std::string meaning,
                 std::string unit = "");
key_def bool_key(std::string path, bool def, std::string meaning);
key_def real_key(std::string path, double def, double min, double max, std::string meaning,
                 std::string unit = "");
key_def choice_key(std::string path, std::string def, std::vector<std::string> names,
                   std::string meaning);
// A string (a file path, a name): printable characters only, at most max_text_chars of them.
key_def text_key(std::string path, std::string def, std::string meaning);
inline constexpr std::size_t max_text_chars = 4096;
key_def uint_array_key(std::string path, std::vector<std::uint64_t> def, rule r,
                       std::string meaning, std::string unit = "");
key_def object_array_key(std::string path, std::size_t count, std::vector<key_def> fields,
                         std::string meaning);
// An array of 0..max_count objects, empty by default. `list(p)` is the std::vector of the typed
// view the elements fill (fields bound with EPVP_CFG_FIELD(x[i].y)).
template <class List>
key_def object_list_key(std::string path, std::size_t max_count, std::vector<key_def> fields,
                        std::string meaning, List list) {
    key_def k = object_array_key(std::move(path), 0, std::move(fields), std::move(meaning));
    k.count = max_count;
    k.variable = true;
    k.resize = [list](platform_config& p, std::size_t n) { list(p).resize(n); };
    return k;
}
// The default of one element of an object array (each field's default).
nlohmann::ordered_json element_default(const key_def& object_array);

// Adds a key to the table at run time. Throws config_error (one line naming the path) when the
// path is malformed, already declared, lies inside or above a declared key, is `topology`, or is
// an object array (not supported at run time).
void register_key(key_def key);

// The table: the built-in keys in declaration order, then the registered ones.
const std::vector<key_def>& key_table();

// `epsim config --describe [PREFIX]`: one line per key whose path is PREFIX or lies under it
// (all keys for ""), in table order: "path | type | unit | default | allowed | meaning" ("-" for
// no unit). markdown: a generated reference, a table per top-level area. A prefix that matches no
// key is a config_error.
enum class describe_format { text, markdown };
std::string describe_keys(const std::string& prefix, describe_format format);

namespace detail {
template <class T>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};

template <class T>
void assign(T& field, const nlohmann::ordered_json& v) {
    if constexpr (std::is_same_v<T, bool>) {
        field = v.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
        field = v.get<std::string>();
    } else if constexpr (std::is_floating_point_v<T>) {
        field = v.get<double>();
    } else if constexpr (std::is_enum_v<T>) {
        if (!choice_from_name(v.get<std::string>(), field))
            throw std::logic_error("config: no enum value for " + v.dump());
    } else if constexpr (std::is_integral_v<T>) {
        field = static_cast<T>(v.get<std::uint64_t>());
    } else {
        static_assert(is_std_array<T>::value,
                      "a key binds to a bool, number, string, enum or array");
        for (std::size_t i = 0; i < field.size(); ++i)
            assign(field[i], v.at(i));
    }
}

template <class T>
struct element_of {
    using type = T;
};
template <class T, std::size_t N>
struct element_of<std::array<T, N>> {
    using type = T;
};

// A uint rule's maximum must fit the field it is bound to (checked when the table is built).
void check_fits(const key_def& k, std::uint64_t field_max);
} // namespace detail

// Binds `key` to the platform_config field `field(p, element)` returns (see EPVP_CFG_FIELD).
template <class Field>
key_def bound(key_def key, Field field) {
    using F = std::remove_reference_t<std::invoke_result_t<Field, platform_config&, std::size_t>>;
    using E = typename detail::element_of<F>::type;
    if constexpr (std::is_integral_v<E> && !std::is_same_v<E, bool>)
        detail::check_fits(key, static_cast<std::uint64_t>(std::numeric_limits<E>::max()));
    if constexpr (std::is_enum_v<F>) {
        if (key.names != choice_names<F>())
            throw std::logic_error("config: " + key.path + ": allowed values differ from its enum");
    }
    key.bind = [field](platform_config& p, const nlohmann::ordered_json& v, std::size_t i) {
        detail::assign(field(p, i), v);
    };
    return key;
}

// A choice key whose allowed values are the spellings of enum E.
template <class E>
key_def choice_key(std::string path, E def, std::string meaning) {
    return choice_key(std::move(path), choice_name(def), choice_names<E>(), std::move(meaning));
}

} // namespace epvp::cfg

// The platform_config member `expr` names, as a field accessor for bound(); `i` is the element
// index inside an object array: EPVP_CFG_FIELD(dwc.bars[i].type).
#define EPVP_CFG_FIELD(expr)                                                                       \
    [](::epvp::cfg::platform_config & p, std::size_t i) -> auto& {                                 \
        (void)i;                                                                                   \
        return p.expr;                                                                             \
    }

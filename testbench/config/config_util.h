// Small helpers the configuration units share: errors and the text of messages. Internal to
// config/.
#pragma once

#include "testbench/config/config.h"

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace epvp::cfg::util {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
constexpr std::uint64_t GiB = 1024 * MiB;
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

constexpr bool is_pow2(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

[[noreturn]] inline void fail(const std::string& message) {
    throw config_error(message);
}

inline std::string dec(std::uint64_t v) {
    return std::to_string(v);
}

inline std::string hex(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

inline std::string join_path(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "." + name;
}

inline std::string indexed(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

inline std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

// Text of a user value; invalid UTF-8 in it is replaced, not thrown about.
inline std::string safe_dump(const json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// At most a short prefix of user text in a message: a message is one line, not the input.
inline std::string shortened(std::string s) {
    constexpr std::size_t limit = 48;
    if (s.size() > limit) s = s.substr(0, limit) + "...";
    return s;
}

// Sets the value at a dotted path ("a.b.c"), creating the objects on the way.
void set_path(json& root, const std::string& dotted, const json& value);

// "string \"x\"", "number -5", "boolean true", "null", "array [1,2]", "object {...}".
std::string describe_value(const json& v);

} // namespace epvp::cfg::util

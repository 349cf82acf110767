// Text helpers firmware shares for its log lines.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace fw {

// "0x1f": an address or register value as firmware logs print it.
inline std::string hex(std::uint64_t v) {
    char buf[2 + 16 + 1];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace fw

#include "firmware/hal/crc32.h"

#include <array>

namespace fw {

namespace {
constexpr std::uint32_t crc32_poly_le = 0xEDB88320u;

std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ crc32_poly_le : c >> 1;
        t[i] = c;
    }
    return t;
}
} // namespace

std::uint32_t crc32_le(std::uint32_t crc, const void* data, std::size_t len) {
    static const std::array<std::uint32_t, 256> table = make_table();
    const auto* p = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < len; ++i)
        crc = (crc >> 8) ^ table[(crc ^ p[i]) & 0xFF];
    return crc;
}

} // namespace fw

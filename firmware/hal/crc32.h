// CRC32 as Linux's crc32_le (reflected polynomial 0xEDB88320), the checksum the endpoint test
// protocol uses: crc32_le(~0, buf, len). Shared by endpoint firmware and host software.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

std::uint32_t crc32_le(std::uint32_t crc, const void* data, std::size_t len);

} // namespace fw

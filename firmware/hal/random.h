// The deterministic pseudo-random generator firmware and host software use where Linux calls
// get_random_bytes(): xorshift64* (Marsaglia, Vigna), seeded from the configuration's seed so
// runs repeat byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

class xorshift64star {
public:
    explicit xorshift64star(std::uint64_t seed)
        : s_(seed ? seed : nonzero_state) {}
    std::uint64_t next() {
        s_ ^= s_ >> shift_a;
        s_ ^= s_ << shift_b;
        s_ ^= s_ >> shift_c;
        return s_ * multiplier;
    }
    // Fills len bytes, 8 bytes per draw, little-endian.
    void fill(std::uint8_t* out, std::size_t len) {
        constexpr unsigned bits_per_byte = 8;
        std::uint64_t word = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const unsigned byte = static_cast<unsigned>(i % sizeof(word));
            if (!byte) word = next();
            out[i] = static_cast<std::uint8_t>(word >> (byte * bits_per_byte));
        }
    }

private:
    static constexpr std::uint64_t multiplier = 0x2545F4914F6CDD1Dull;
    static constexpr std::uint64_t nonzero_state = 0x9E3779B97F4A7C15ull; // the state is never 0
    static constexpr unsigned shift_a = 12, shift_b = 25, shift_c = 27;
    std::uint64_t s_;
};

} // namespace fw

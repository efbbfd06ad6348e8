// SPDX-License-Identifier: Apache-2.0
#include "core/checksum.hpp"

#include <array>

namespace pdm {
namespace {

constexpr std::uint32_t castagnoli_reversed = 0x82F63B78u;

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t byte = 0; byte < 256; ++byte) {
        std::uint32_t value = byte;
        for (int bit = 0; bit < 8; ++bit) value = (value >> 1) ^ ((value & 1u) ? castagnoli_reversed : 0u);
        table[byte] = value;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> table = make_table();

}  // namespace

std::uint32_t crc32c(std::string_view bytes) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char c : bytes) crc = (crc >> 8) ^ table[(crc ^ static_cast<unsigned char>(c)) & 0xFFu];
    return crc ^ 0xFFFFFFFFu;
}

}  // namespace pdm

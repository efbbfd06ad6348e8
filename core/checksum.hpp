// SPDX-License-Identifier: Apache-2.0
#pragma once
// CRC-32C (Castagnoli), the checksum of each record in the lock journal: it
// tells a record torn by a crash, or damaged on disk, from a whole one.

#include <cstdint>
#include <string_view>

namespace pdm {

std::uint32_t crc32c(std::string_view bytes);

}  // namespace pdm

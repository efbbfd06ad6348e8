// SPDX-License-Identifier: Apache-2.0
#pragma once
// Strings kept for as long as their arena, packed end to end in large
// blocks: a 20-byte path costs 20 bytes, where a std::string of it costs a
// 32-byte object and a 32-byte heap chunk. Nothing is freed before the arena.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace pdm {

class TextArena {
public:
    // A copy of `text` that stays valid, at the same address, until the arena goes.
    std::string_view store(std::string_view text);

    std::size_t bytes_reserved() const { return reserved_; }

private:
    static constexpr std::size_t block_bytes = 64 * 1024;

    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t free_in_last_ = 0;
    std::size_t reserved_ = 0;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/text_arena.hpp"

#include <cstring>

namespace pdm {

std::string_view TextArena::store(std::string_view text) {
    if (text.empty()) return {};
    if (text.size() > free_in_last_) {
        // A text longer than a block gets a block of its own, and the last
        // block keeps its room for the texts after it.
        if (text.size() > block_bytes / 4) {
            auto own = std::make_unique<char[]>(text.size());
            std::memcpy(own.get(), text.data(), text.size());
            reserved_ += text.size();
            const std::string_view stored(own.get(), text.size());
            blocks_.insert(blocks_.empty() ? blocks_.end() : blocks_.end() - 1, std::move(own));
            return stored;
        }
        blocks_.push_back(std::make_unique<char[]>(block_bytes));
        free_in_last_ = block_bytes;
        reserved_ += block_bytes;
    }
    char* at = blocks_.back().get() + (block_bytes - free_in_last_);
    std::memcpy(at, text.data(), text.size());
    free_in_last_ -= text.size();
    return {at, text.size()};
}

}  // namespace pdm

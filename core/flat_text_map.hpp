// SPDX-License-Identifier: Apache-2.0
#pragma once
// A hash map from texts kept elsewhere (an arena) to small values, in one
// table: open addressing with linear probing, and deletion by shifting the
// entries after a hole back into it, so no tombstones pile up. Where
// std::unordered_map allocates a node per entry (48 bytes with its key's view,
// a cached hash and a link, plus 8 of bucket), an entry here is 24 bytes
// with its hash, in a table kept between half and three quarters full; and
// a hundred thousand entries made while other work allocates leave no small
// chunks scattered through the heap to keep its pages from being given back.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace pdm {

// `Value` is default-constructible and cheap to copy. A key's text must stay
// valid, at the same address, for as long as it is in the map.
template <typename Value>
class FlatTextMap {
public:
    // The value for `key`, or nullptr.
    Value* find(std::string_view key) {
        const std::size_t at = slot_of(key);
        return at == absent ? nullptr : &entries_[at].value;
    }
    const Value* find(std::string_view key) const {
        const std::size_t at = slot_of(key);
        return at == absent ? nullptr : &entries_[at].value;
    }

    // The value for `key`, added (default) when absent; `key` is what the
    // map keeps then, so it must outlive the entry.
    Value& find_or_add(std::string_view key) {
        if (const std::size_t at = slot_of(key); at != absent) return entries_[at].value;
        if ((size_ + 1) * 4 > entries_.size() * 3) grow();
        ++size_;
        return place(key, hash_of(key)).value;
    }

    // Removes `key`'s entry, if it has one.
    void erase(std::string_view key) {
        std::size_t hole = slot_of(key);
        if (hole == absent) return;
        entries_[hole] = Entry{};
        --size_;
        // Each later entry of the run moves back into the hole, unless its
        // home lies after the hole: it would then be looked for past it.
        for (std::size_t at = next(hole); entries_[at].used(); at = next(at)) {
            const std::size_t home = home_of(entries_[at].hash);
            const bool home_after_hole = hole <= at ? (hole < home && home <= at) : (hole < home || home <= at);
            if (home_after_hole) continue;
            entries_[hole] = entries_[at];
            entries_[at] = Entry{};
            hole = at;
        }
    }

    std::size_t size() const { return size_; }

private:
    static constexpr std::size_t absent = static_cast<std::size_t>(-1);

    struct Entry {
        const char* text = nullptr;  // null: a free slot
        std::uint32_t length = 0;
        std::uint32_t hash = 0;
        Value value{};
        bool used() const { return text != nullptr; }
        std::string_view key() const { return {text, length}; }
    };

    static std::uint32_t hash_of(std::string_view key) {
        const std::uint64_t hash = std::hash<std::string_view>{}(key);
        return static_cast<std::uint32_t>(hash ^ (hash >> 32));
    }
    // Any table size, not only powers of two: the hash spread over [0, size).
    std::size_t home_of(std::uint32_t hash) const {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(hash) * entries_.size()) >> 32);
    }
    std::size_t next(std::size_t at) const { return at + 1 == entries_.size() ? 0 : at + 1; }

    std::size_t slot_of(std::string_view key) const {
        if (entries_.empty()) return absent;
        const std::uint32_t hash = hash_of(key);
        for (std::size_t at = home_of(hash);; at = next(at)) {
            const Entry& entry = entries_[at];
            if (!entry.used()) return absent;
            if (entry.hash == hash && entry.key() == key) return at;
        }
    }

    Entry& place(std::string_view key, std::uint32_t hash) {
        std::size_t at = home_of(hash);
        while (entries_[at].used()) at = next(at);
        Entry& entry = entries_[at];
        entry.text = key.data() ? key.data() : "";  // an empty view may have no address
        entry.length = static_cast<std::uint32_t>(key.size());
        entry.hash = hash;
        entry.value = Value{};
        return entry;
    }

    void grow() {
        std::vector<Entry> old(std::max<std::size_t>(16, entries_.size() + entries_.size() / 2));
        old.swap(entries_);
        for (const Entry& entry : old) {
            if (entry.used()) place(entry.key(), entry.hash).value = entry.value;
        }
    }

    std::vector<Entry> entries_;
    std::size_t size_ = 0;
};

}  // namespace pdm

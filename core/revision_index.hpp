// SPDX-License-Identifier: Apache-2.0
#pragma once
// Every path's revisions, oldest first, held compactly: the revisions of all
// paths in one table in the order they were added, each linked to the one
// before it of the same path, each path's text once, in an arena, and found
// through a flat hash table. At 100,000 files a map from each path to a
// vector of its revisions cost about 176 bytes a file; this costs about 100.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "core/flat_text_map.hpp"
#include "core/text_arena.hpp"

namespace pdm {

template <typename Revision>
class RevisionIndex {
public:
    void append(std::string_view path, const Revision& revision) {
        Chain* chain = chains_.find(path);
        if (!chain) chain = &chains_.find_or_add(paths_.store(path));
        previous_.push_back(chain->newest);
        revisions_.push_back(revision);
        chain->newest = static_cast<std::uint32_t>(revisions_.size() - 1);
        ++chain->count;
    }

    // Takes back the newest revision of `path`, which must have one.
    void remove_newest(std::string_view path) {
        Chain& chain = *chains_.find(path);
        const std::uint32_t newest = chain.newest;
        chain.newest = previous_[newest];
        if (--chain.count == 0) chains_.erase(path);  // its text stays in the arena
        // Taken back newest first, as they were appended, the revisions are
        // the table's last; one that is not stays, unreachable.
        if (newest + 1 == revisions_.size()) {
            revisions_.pop_back();
            previous_.pop_back();
        }
    }

    std::size_t count(std::string_view path) const {
        const Chain* chain = chains_.find(path);
        return chain ? chain->count : 0;
    }

    // `path`'s newest revision, or nullptr: without walking its older ones.
    const Revision* newest(std::string_view path) const {
        const Chain* chain = chains_.find(path);
        return chain ? &revisions_[chain->newest] : nullptr;
    }

    // `path`'s revisions from the newest back, at most `limit` (0: all), each
    // with its position counted from the oldest (0); a walk of those returned only.
    template <typename Visit>
    void newest_first(std::string_view path, std::size_t limit, Visit visit) const {
        const Chain* chain = chains_.find(path);
        if (!chain) return;
        std::uint32_t at = chain->newest;
        for (std::size_t position = chain->count; position > 0 && (limit == 0 || chain->count - position < limit);
             --position, at = previous_[at])
            visit(revisions_[at], position - 1);
    }

    // `path`'s revisions, oldest first; none when it has none.
    std::vector<Revision> of(std::string_view path) const {
        const Chain* chain = chains_.find(path);
        if (!chain) return {};
        std::vector<Revision> result(chain->count);
        std::uint32_t at = chain->newest;
        for (std::size_t i = result.size(); i > 0; --i, at = previous_[at]) result[i - 1] = revisions_[at];
        return result;
    }

    // After a bulk load: gives back the room the table grew into.
    void shrink_to_fit() {
        revisions_.shrink_to_fit();
        previous_.shrink_to_fit();
    }

private:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    struct Chain {
        std::uint32_t newest = none;  // in revisions_
        std::uint32_t count = 0;
    };

    TextArena paths_;
    FlatTextMap<Chain> chains_;  // keys point into paths_
    std::vector<Revision> revisions_;
    std::vector<std::uint32_t> previous_;  // revisions_[i]'s predecessor of the same path, or none
};

}  // namespace pdm

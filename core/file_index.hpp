// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tracked files as last seen: built by one scan at start, then kept
// current path by path from the folder watcher's notices, so `list` needs no
// scan. Each refresh says what changed, which becomes an event.
//
// Not thread-safe: used on the event loop's thread.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/repository.hpp"

namespace pdm {

struct FileChange {
    enum class Kind { added, removed, modified };
    Kind kind;
    FileStat file;  // for removed: as last seen
};

// Files ordered by path, found by a path alone: each path is held once, in
// its FileStat (a map from path to FileStat held it twice, about 70 bytes a
// file).
struct ByPath {
    using is_transparent = void;
    bool operator()(const FileStat& a, const FileStat& b) const { return a.path < b.path; }
    bool operator()(const FileStat& a, std::string_view b) const { return a.path < b; }
    bool operator()(std::string_view a, const FileStat& b) const { return a < b.path; }
};
using IndexedFiles = std::set<FileStat, ByPath>;

class FileIndex {
public:
    explicit FileIndex(const Repository& repository) : repository_(repository) {}

    // Scans the whole repository and returns how it differs from the index
    // (everything is "added" the first time). Used at start and after the
    // watcher lost events.
    std::vector<FileChange> reconcile();
    // Re-reads one path (a file, or a folder and everything below it).
    // `replaced`: a new file took that name since it was last read (a save
    // that renamed or wrote a new file), which is a modification even when
    // its size and time happen to be the same.
    std::vector<FileChange> refresh(const std::string& path, bool replaced = false);

    const IndexedFiles& files() const { return files_; }

private:
    std::vector<FileChange> merge(const std::string& prefix, std::vector<FileStat> seen, bool replaced = false);

    const Repository& repository_;
    IndexedFiles files_;
};

}  // namespace pdm

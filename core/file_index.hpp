// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tracked files as last seen: built by one scan at start, then kept
// current path by path from the folder watcher's notices, so `list` needs no
// scan. Each refresh says what changed, which becomes an event.
//
// Not thread-safe: used on the event loop's thread.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/repository.hpp"

namespace pdm {

struct FileChange {
    enum class Kind { added, removed, modified };
    Kind kind;
    FileStat file;  // for removed: as last seen
};

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

    const std::map<std::string, FileStat>& files() const { return files_; }

private:
    std::vector<FileChange> merge(const std::string& prefix, std::vector<FileStat> seen, bool replaced = false);

    const Repository& repository_;
    std::map<std::string, FileStat> files_;
};

}  // namespace pdm

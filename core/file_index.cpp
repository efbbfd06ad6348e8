// SPDX-License-Identifier: Apache-2.0
#include "core/file_index.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "core/utf8_path.hpp"

namespace pdm {

std::vector<FileChange> FileIndex::reconcile() { return merge("", repository_.scan()); }

std::vector<FileChange> FileIndex::refresh(const std::string& path, bool replaced) {
    std::vector<FileStat> seen;
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(repository_.root() / path_from_utf8(path), ec);
    if (!ec && status.type() == std::filesystem::file_type::directory) {
        try {
            seen = repository_.scan_below(path);
        } catch (const PdmError&) {
            return {};  // the folder is changing under us; its next notice refreshes it
        }
        replaced = false;  // a folder's files each have notices of their own
    } else {
        try {
            if (auto file = repository_.stat(path)) seen.push_back(std::move(*file));
        } catch (const PdmError&) {
            // A link, a hidden or untracked name, a folder that vanished: not a tracked file.
        }
    }
    return merge(path, std::move(seen), replaced);
}

std::vector<FileChange> FileIndex::merge(const std::string& prefix, std::vector<FileStat> seen, bool replaced) {
    std::vector<FileChange> changes;
    IndexedFiles fresh;
    for (FileStat& file : seen) {
        // Kept as long as the file exists: at its length, without the room
        // the scan's appends left (10 bytes a path, 1.6 MB at 100,000 files).
        file.path.shrink_to_fit();
        fresh.insert(std::move(file));
    }

    // What is gone: the path itself, and everything below it as a folder.
    // Not one run from lower_bound(prefix): "parts-old" and "parts.mcam"
    // sort between "parts" and "parts/".
    const auto drop_unseen = [&](IndexedFiles::iterator it) {
        if (fresh.contains(it->path)) return std::next(it);
        changes.push_back({FileChange::Kind::removed, *it});
        return files_.erase(it);
    };
    if (prefix.empty()) {
        for (auto it = files_.begin(); it != files_.end();) it = drop_unseen(it);
    } else {
        if (const auto exact = files_.find(prefix); exact != files_.end()) drop_unseen(exact);
        const std::string folder = prefix + "/";
        for (auto it = files_.lower_bound(folder); it != files_.end() && it->path.starts_with(folder);)
            it = drop_unseen(it);
    }
    while (!fresh.empty()) {
        auto file = fresh.extract(fresh.begin());
        const auto known = files_.find(file.value().path);
        if (known == files_.end()) {
            changes.push_back({FileChange::Kind::added, file.value()});
            files_.insert(std::move(file));
        } else if (replaced || known->size != file.value().size || known->mtime != file.value().mtime) {
            changes.push_back({FileChange::Kind::modified, file.value()});
            // The same path: the new entry takes the old one's place in the order.
            files_.insert(files_.erase(known), std::move(file));
        }
    }
    return changes;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// The folder of part files: which of its files are tracked, and where a
// client's path really leads. Reads the file system; never writes to it.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/glob.hpp"

namespace pdm {

struct FileStat {
    std::string path;  // normalised, relative to the repository root
    std::uint64_t size = 0;
    TimePoint mtime;
    std::uint64_t links = 1;  // names the file has (hard links); pdmd guards files with one
};

class Repository {
public:
    // `root` must be an existing folder. `excluded_dir` (the state dir when it
    // lies inside the repository) is never tracked. An empty `include` list
    // tracks every regular file that is not hidden; a file matching an
    // `ignore` pattern (the temp and backup files programs write while they
    // save) is never tracked.
    Repository(const std::filesystem::path& root, const std::filesystem::path& excluded_dir,
               std::vector<Glob> include, std::vector<Glob> ignore = {});

    // The temp and backup names of common programs: what `ignore` holds
    // unless configured otherwise.
    static std::vector<std::string> default_ignore_patterns();

    const std::filesystem::path& root() const { return root_; }
    // Replaces the include and ignore patterns (config reload).
    void set_patterns(std::vector<Glob> include, std::vector<Glob> ignore) {
        include_ = std::move(include);
        ignore_ = std::move(ignore);
    }

    // True when a normalised path is one the repository tracks by name: not
    // hidden, not in the excluded folder, matching an include pattern and no
    // ignore pattern.
    bool is_tracked_name(const std::string& normalized) const;

    // Stats the tracked regular file at a normalised path. Returns nothing when
    // no such file exists. Throws PdmError(invalid_path) when the path leads
    // through a symbolic link (out of the repository or not), and
    // PdmError(not_found) when it names a folder or an untracked file.
    std::optional<FileStat> stat(const std::string& normalized) const;

    // Every tracked regular file, sorted by path. Symbolic links are not
    // followed; files whose names cannot be written in the protocol are skipped.
    std::vector<FileStat> scan() const;
    // The same for the files below one folder (a normalised path).
    std::vector<FileStat> scan_below(const std::string& folder) const;

    // Every folder the repository does not skip, "" (the root) first; links
    // are not followed.
    std::vector<std::string> folders() const;

    // True when the watcher should not look into this folder (hidden, or the
    // excluded state dir). `relative` is normalised; "" is the root.
    bool skips_folder(const std::string& relative) const;

private:
    std::vector<FileStat> scan_from(const std::filesystem::path& start) const;
    // For a path with a symbolic link in it: throws invalid_path saying where
    // it leads; false when it leads nowhere (a loop), true when it resolves
    // to itself (a link to nothing).
    bool refuse_link(const std::string& normalized, const std::filesystem::path& lexical) const;

    std::filesystem::path root_;
    std::filesystem::path excluded_dir_;
    std::vector<Glob> include_;
    std::vector<Glob> ignore_;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Putting new content in a user's working file (restore, undo check-out) so
// that a crash, a full disk or a program writing it can never leave a part
// file half old and half new. One implementation per platform
// (working_file_posix.cpp).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/open_beneath.hpp"

namespace pdm {

using WriteBytes = std::function<void(const char* data, std::size_t length)>;

// Replaces the regular file at normalised `path` below `root`: `fill(write)`
// produces the new content through `write`, into a hidden temp file beside
// it that gets the old file's owner, group, mode and ACL; it is flushed and
// renamed over the file, and the folder is flushed. Until the rename nothing
// of the old file has changed; after it, all of the new one is on disk. A
// file that is missing is created (mode 0644, less the daemon's umask).
//
// Refuses, before writing anything: a file some program has open for writing
// (PdmError conflict, reason open_for_writing, "... then `then_what`"), and
// for the rest of the write nobody can open it for writing (where no lease
// can be taken, `seen_open` from the watcher decides); a file with more
// than one name (PdmError invalid_path). Links in the path are never
// followed. Throws std::system_error for I/O failures (the temp file is
// removed again).
void replace_working_file(const RepositoryRoot& root, const std::string& path, const std::string& then_what,
                          bool seen_open, const std::function<void(const WriteBytes& write)>& fill);

// The same for several files, all or nothing: every new file is written and
// flushed beside its old one before the first is renamed into place, so a
// refusal or an I/O failure while writing leaves every file as it was.
struct WorkingFileReplacement {
    std::string path;
    bool seen_open = false;
    std::function<void(const WriteBytes& write)> fill;
};
void replace_working_files(const RepositoryRoot& root, const std::vector<WorkingFileReplacement>& files,
                           const std::string& then_what);

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Opening a repository file without ever following a symbolic link: from the
// repository root one folder at a time. A link planted anywhere on the path,
// or in place of the file, is refused, so the daemon's privileges can never
// be turned on a file outside the repository. One implementation per
// platform (open_beneath_posix.cpp: openat2 with RESOLVE_BENEATH and
// RESOLVE_NO_SYMLINKS beneath an O_PATH root, or openat with O_NOFOLLOW one
// folder at a time where openat2 is missing; a Windows twin checks each
// component for reparse points).

#include <filesystem>
#include <string>

#include "core/file_handle.hpp"

namespace pdm {

// The repository's root folder, opened once at start: every file is then
// reached beneath this handle, so renaming the folder or putting a link in
// its place later cannot send the daemon's writes elsewhere.
class RepositoryRoot {
public:
    enum class Resolution {
        fastest,                // in one call where the kernel can
        one_folder_at_a_time,   // the way every system can (tests hold both to the same answers)
    };
    // Throws std::system_error when `path` is not an openable folder.
    explicit RepositoryRoot(std::filesystem::path path, Resolution resolution = Resolution::fastest);
    const FileHandle& handle() const { return handle_; }
    // For messages and for reading the tree; never to reach a file the daemon changes.
    const std::filesystem::path& path() const { return path_; }
    // Linux 5.6 and later: the kernel resolves a whole path beneath the root
    // and refuses every link on it in one call (openat2). False where it
    // cannot (older kernels, seccomp filters, other systems): one open per folder.
    bool resolves_in_one_call() const { return resolves_in_one_call_; }

private:
    std::filesystem::path path_;
    FileHandle handle_;
    bool resolves_in_one_call_ = false;
};

// What an open is for.
enum class FileAccess {
    inspect,  // its permissions and identity only; needs no right to read it (O_PATH)
    read,
    write,
};

struct OpenedFile {
    FileHandle handle;
    FileInfo info;  // of the opened file
};

// Opens the regular file at normalised `path` below `root`. Throws
// std::system_error: no_such_file_or_directory when it is not there,
// too_many_symbolic_link_levels when a link is in the way, invalid_argument
// when it is not a regular file.
OpenedFile open_beneath(const RepositoryRoot& root, const std::string& path, FileAccess access);

// The folder holding normalised `path` below `root`, reached the same way and
// opened for reading (to create and rename files in it, and to flush it),
// with the file's name in it. Throws std::system_error.
struct OpenedFolder {
    FileHandle handle;
    std::string name;
};
OpenedFolder open_parent_beneath(const RepositoryRoot& root, const std::string& path);

// The folder at normalised `folder` below `root` ("" is `root` itself), for
// its permissions only, reached the same way. Throws std::system_error.
FileHandle open_folder_beneath(const RepositoryRoot& root, const std::string& folder);

// Throws PdmError(invalid_path) when the opened file has more than one name
// (a hard link): another name may lie outside the repository, or be checked
// out by someone else, so the daemon neither guards, records nor writes it.
void require_single_name(const OpenedFile& file, const std::string& path);

}  // namespace pdm

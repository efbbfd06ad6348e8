// SPDX-License-Identifier: Apache-2.0
#pragma once
// Opening a repository file without ever following a symbolic link: from the
// repository root one folder at a time. A link planted anywhere on the path,
// or in place of the file, is refused, so the daemon's privileges can never
// be turned on a file outside the repository. POSIX; Windows follows.

#include <filesystem>
#include <string>
#include <utility>

#include <sys/stat.h>

namespace pdm {

// Owns one open file descriptor.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd = -1) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();
    int get() const { return fd_; }

private:
    int fd_;
};

// The repository's root folder, opened once at start (O_PATH): every file is
// then reached beneath this handle, so renaming the folder or putting a link
// in its place later cannot send the daemon's writes elsewhere.
class RepositoryRoot {
public:
    // Throws std::system_error when `path` is not an openable folder.
    explicit RepositoryRoot(std::filesystem::path path);
    const FileDescriptor& handle() const { return handle_; }
    // For messages and for reading the tree; never to reach a file the daemon changes.
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    FileDescriptor handle_;
};

struct OpenedFile {
    FileDescriptor fd;
    struct stat status;  // of the opened file
};

// Opens the regular file at normalised `path` below `root` with `flags`
// (O_PATH, O_RDONLY, O_WRONLY...; O_NOFOLLOW and O_CLOEXEC are added).
// Throws std::system_error: ENOENT when it is not there, ELOOP when a link
// is in the way, EINVAL when it is not a regular file.
OpenedFile open_beneath(const RepositoryRoot& root, const std::string& path, int flags);

// The folder holding normalised `path` below `root`, reached the same way and
// opened for reading (for *at calls and for flushing it), with the file's
// name in it. Throws std::system_error.
struct OpenedFolder {
    FileDescriptor fd;
    std::string name;
};
OpenedFolder open_parent_beneath(const RepositoryRoot& root, const std::string& path);

// The folder at normalised `folder` below `root` ("" is `root` itself), as
// an O_PATH handle, reached the same way. Throws std::system_error.
FileDescriptor open_folder_beneath(const RepositoryRoot& root, const std::string& folder);

// Throws PdmError(invalid_path) when the opened file has more than one name
// (a hard link): another name may lie outside the repository, or be checked
// out by someone else, so the daemon neither guards, records nor writes it.
void require_single_name(const OpenedFile& file, const std::string& path);

}  // namespace pdm

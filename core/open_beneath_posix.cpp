// SPDX-License-Identifier: Apache-2.0
#include "core/open_beneath.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>


namespace pdm {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

int fd_of(const FileHandle& file) { return static_cast<int>(file.native()); }

}  // namespace

RepositoryRoot::RepositoryRoot(std::filesystem::path path)
    : path_(std::move(path)), handle_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    if (!handle_.valid()) fail("cannot open the repository " + path_.string());
}

namespace {

// Walks from `root` to the folder holding `path`, one folder at a time,
// never following a link; the last folder is opened with `last_flags`.
FileHandle walk_to_parent(const RepositoryRoot& root, const std::string& path, int last_flags) {
    const std::string where = "'" + path + "'";
    const std::size_t last_slash = path.rfind('/');
    // The root itself, again, through its handle: never looked up by path.
    FileHandle folder(::openat(static_cast<int>(root.handle().native()), ".",
                                   (last_slash == std::string::npos ? last_flags : O_PATH) | O_DIRECTORY | O_CLOEXEC));
    if (!folder.valid()) fail("cannot open the repository " + root.path().string());
    std::size_t start = 0;
    for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        const std::string name = path.substr(start, slash - start);
        const int flags = slash == last_slash ? last_flags : O_PATH;
        FileHandle next(::openat(fd_of(folder), name.c_str(), flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) fail("cannot open the folder of " + where);
        folder = std::move(next);
    }
    return folder;
}

std::string leaf_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

OpenedFile open_beneath(const RepositoryRoot& root, const std::string& path, FileAccess access) {
    const std::string where = "'" + path + "'";
    const FileHandle folder = walk_to_parent(root, path, O_PATH);
    const std::string name = leaf_of(path);
    const int flags = access == FileAccess::inspect ? O_PATH : access == FileAccess::read ? O_RDONLY : O_WRONLY;
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the open.
    FileHandle handle(::openat(fd_of(folder), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!handle.valid()) fail("cannot open " + where);
    OpenedFile file{std::move(handle), {}};
    file.info = info_of(file.handle);
    if (!file.info.regular) {
        errno = S_ISLNK(file.info.mode) ? ELOOP : EINVAL;
        fail(where + " is not a regular file");
    }
    if (access != FileAccess::inspect && ::fcntl(fd_of(file.handle), F_SETFL, 0) != 0) fail("cannot set up " + where);
    return file;
}

OpenedFolder open_parent_beneath(const RepositoryRoot& root, const std::string& path) {
    return {walk_to_parent(root, path, O_RDONLY), leaf_of(path)};
}

FileHandle open_folder_beneath(const RepositoryRoot& root, const std::string& folder) {
    // The folder is the parent of a name inside it ("" : the root's).
    return walk_to_parent(root, folder.empty() ? std::string("-") : folder + "/-", O_PATH);
}

}  // namespace pdm

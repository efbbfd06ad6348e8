// SPDX-License-Identifier: Apache-2.0
#include "core/open_beneath.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "core/error.hpp"

namespace pdm {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

RepositoryRoot::RepositoryRoot(std::filesystem::path path)
    : path_(std::move(path)), handle_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    if (handle_.get() < 0) fail("cannot open the repository " + path_.string());
}

namespace {

// Walks from `root` to the folder holding `path`, one folder at a time,
// never following a link; the last folder is opened with `last_flags`.
FileDescriptor walk_to_parent(const RepositoryRoot& root, const std::string& path, int last_flags) {
    const std::string where = "'" + path + "'";
    const std::size_t last_slash = path.rfind('/');
    // The root itself, again, through its handle: never looked up by path.
    FileDescriptor folder(::openat(root.handle().get(), ".",
                                   (last_slash == std::string::npos ? last_flags : O_PATH) | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0) fail("cannot open the repository " + root.path().string());
    std::size_t start = 0;
    for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        const std::string name = path.substr(start, slash - start);
        const int flags = slash == last_slash ? last_flags : O_PATH;
        FileDescriptor next(::openat(folder.get(), name.c_str(), flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (next.get() < 0) fail("cannot open the folder of " + where);
        folder = std::move(next);
    }
    return folder;
}

std::string leaf_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

OpenedFile open_beneath(const RepositoryRoot& root, const std::string& path, int flags) {
    const std::string where = "'" + path + "'";
    const FileDescriptor folder = walk_to_parent(root, path, O_PATH);
    const std::string name = leaf_of(path);
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the open.
    OpenedFile file{FileDescriptor(::openat(folder.get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)), {}};
    if (file.fd.get() < 0) fail("cannot open " + where);
    if (::fstat(file.fd.get(), &file.status) != 0) fail("cannot stat " + where);
    if (!S_ISREG(file.status.st_mode)) {
        errno = S_ISLNK(file.status.st_mode) ? ELOOP : EINVAL;
        fail(where + " is not a regular file");
    }
    if ((flags & O_PATH) == 0 && ::fcntl(file.fd.get(), F_SETFL, flags & O_APPEND) != 0) {
        fail("cannot set up " + where);
    }
    return file;
}

OpenedFolder open_parent_beneath(const RepositoryRoot& root, const std::string& path) {
    return {walk_to_parent(root, path, O_RDONLY), leaf_of(path)};
}

FileDescriptor open_folder_beneath(const RepositoryRoot& root, const std::string& folder) {
    // The folder is the parent of a name inside it ("" : the root's).
    return walk_to_parent(root, folder.empty() ? std::string("-") : folder + "/-", O_PATH);
}

void require_single_name(const OpenedFile& file, const std::string& path) {
    if (file.status.st_nlink <= 1) return;
    throw PdmError(ErrorCode::invalid_path,
                   "'" + path + "' has " + std::to_string(file.status.st_nlink) +
                       " names (hard links); pdmd guards files that have one name only, since another name may "
                       "lie outside the repository or be checked out by someone else",
                   {{"path", path}, {"links", file.status.st_nlink}});
}

}  // namespace pdm

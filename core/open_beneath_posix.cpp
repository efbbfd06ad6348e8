// SPDX-License-Identifier: Apache-2.0
#include "core/open_beneath.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#define PDM_HAVE_OPENAT2 1
#endif

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace pdm {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

int fd_of(const FileHandle& file) { return static_cast<int>(file.native()); }

// openat2 beneath `folder`, refusing any link on the way and any ".." out;
// -1 with errno set otherwise. glibc 2.36 has no wrapper for it.
int open_resolved_beneath(int folder, const char* path, int flags) {
#if defined(PDM_HAVE_OPENAT2) && defined(SYS_openat2)
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, folder, path, &how, sizeof how));
#else
    (void)folder, (void)path, (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

RepositoryRoot::RepositoryRoot(std::filesystem::path path, Resolution resolution)
    : path_(std::move(path)), handle_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    if (!handle_.valid()) fail("cannot open the repository " + path_.string());
    if (resolution == Resolution::one_folder_at_a_time) return;
    // Asked once: a kernel without it says ENOSYS, a container's seccomp filter EPERM.
    const FileHandle probe(open_resolved_beneath(fd_of(handle_), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    resolves_in_one_call_ = probe.valid();
}

namespace {

// Opens the folder holding `path` with `last_flags`, never following a link:
// in one call where the kernel can, else from `root` one folder at a time.
FileHandle walk_to_parent(const RepositoryRoot& root, const std::string& path, int last_flags) {
    const std::string where = "'" + path + "'";
    const std::size_t last_slash = path.rfind('/');
    if (root.resolves_in_one_call()) {
        const std::string parent = last_slash == std::string::npos ? "." : path.substr(0, last_slash);
        FileHandle folder(open_resolved_beneath(fd_of(root.handle()), parent.c_str(), last_flags | O_DIRECTORY | O_CLOEXEC));
        if (!folder.valid()) fail("cannot open the folder of " + where);
        return folder;
    }
    // The root itself, again, through its handle: never looked up by path.
    FileHandle folder(::openat(static_cast<int>(root.handle().native()), ".",
                                   (last_slash == std::string::npos ? last_flags : O_PATH) | O_DIRECTORY | O_CLOEXEC));
    if (!folder.valid()) fail("cannot open the repository " + root.path().string());
    std::size_t start = 0;
    for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        const std::string name = path.substr(start, slash - start);
        const int flags = slash == last_slash ? last_flags : O_PATH;
        FileHandle next(::openat(fd_of(folder), name.c_str(), flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) {
            // A link there says ENOTDIR, as a file would: told apart, as openat2 does.
            struct stat status{};
            const int open_error = errno;
            errno = open_error == ENOTDIR && ::fstatat(fd_of(folder), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISLNK(status.st_mode)
                        ? ELOOP
                        : open_error;
            fail("cannot open the folder of " + where);
        }
        folder = std::move(next);
    }
    return folder;
}

std::string leaf_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

FileHandle open_file_beneath(const RepositoryRoot& root, const std::string& path, int flags) {
    if (root.resolves_in_one_call()) return FileHandle(open_resolved_beneath(fd_of(root.handle()), path.c_str(), flags));
    const FileHandle folder = walk_to_parent(root, path, O_PATH);
    return FileHandle(::openat(fd_of(folder), leaf_of(path).c_str(), flags));
}

}  // namespace

OpenedFile open_beneath(const RepositoryRoot& root, const std::string& path, FileAccess access) {
    const std::string where = "'" + path + "'";
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the open.
    // O_PATH opens nothing that could hang, and openat2 refuses it with O_NONBLOCK.
    const int flags = access == FileAccess::inspect ? O_PATH : (access == FileAccess::read ? O_RDONLY : O_WRONLY) | O_NONBLOCK;
    FileHandle handle = open_file_beneath(root, path, flags | O_NOFOLLOW | O_CLOEXEC);
    if (!handle.valid()) fail("cannot open " + where);
    OpenedFile file{std::move(handle), {}};
    file.info = info_of(file.handle);
    if (!file.info.regular) {
        errno = S_ISLNK(file.info.mode) ? ELOOP : EINVAL;
        fail(where + " is not a regular file");
    }
    // A network or FUSE file system may honour O_NONBLOCK on a regular file.
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

// SPDX-License-Identifier: Apache-2.0
#include "core/file_handle.hpp"

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

FileHandle::~FileHandle() {
    if (valid()) ::close(static_cast<int>(native_));
}

FileInfo info_of(const FileHandle& file) {
    struct stat status {};
    if (::fstat(fd_of(file), &status) != 0) fail("cannot inspect an open file");
    FileInfo info;
    info.size = static_cast<std::uint64_t>(status.st_size);
    info.links = static_cast<std::uint64_t>(status.st_nlink);
    info.device = static_cast<std::uint64_t>(status.st_dev);
    info.id = static_cast<std::uint64_t>(status.st_ino);
    info.owner = status.st_uid;
    info.group = status.st_gid;
    info.mode = status.st_mode;
    info.regular = S_ISREG(status.st_mode);
    info.folder = S_ISDIR(status.st_mode);
    return info;
}

std::size_t read_at(const FileHandle& file, std::uint64_t offset, char* out, std::size_t length) {
    for (;;) {
        const ssize_t got = ::pread(fd_of(file), out, length, static_cast<off_t>(offset));
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno != EINTR) fail("cannot read a file");
    }
}

void flush(const FileHandle& file) {
    if (::fsync(fd_of(file)) != 0) fail("cannot flush a file to disk");
}

void flush_written(const std::filesystem::path& folder, const std::vector<std::string>&) {
    const FileHandle handle(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!handle.valid() || ::syncfs(fd_of(handle)) != 0) fail("cannot flush " + folder.string());
}

}  // namespace pdm

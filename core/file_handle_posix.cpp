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

NameStatus status_of_name(const std::filesystem::path& path) {
    struct stat status {};
    NameStatus result;
    if (::lstat(path.c_str(), &status) != 0) return result;
    if (S_ISREG(status.st_mode)) {
        result.kind = NameStatus::Kind::regular;
    } else if (S_ISDIR(status.st_mode)) {
        result.kind = NameStatus::Kind::folder;
    } else if (S_ISLNK(status.st_mode)) {
        result.kind = NameStatus::Kind::link;
    } else {
        result.kind = NameStatus::Kind::other;
    }
    result.size = static_cast<std::uint64_t>(status.st_size);
    result.links = static_cast<std::uint64_t>(status.st_nlink);
    // To the nanosecond, as std::filesystem::last_write_time reads it: the
    // folder scan's times and this one's are compared for equality.
    result.mtime = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
        std::chrono::seconds(status.st_mtim.tv_sec) + std::chrono::nanoseconds(status.st_mtim.tv_nsec)));
    return result;
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

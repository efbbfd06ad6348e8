// SPDX-License-Identifier: Apache-2.0
#pragma once
// An open file or folder, and what the daemon needs to know of it, in types
// of our own: a descriptor on POSIX, a HANDLE on Windows (file_handle_posix.cpp,
// file_handle_win.cpp). Code above the platform files never sees either.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace pdm {

// Owns one open file or folder; closed when destroyed.
class FileHandle {
public:
    using Native = std::intptr_t;  // an int descriptor, or a HANDLE's bits
    static constexpr Native invalid = -1;

    FileHandle() = default;
    explicit FileHandle(Native native) : native_(native) {}
    FileHandle(FileHandle&& other) noexcept : native_(std::exchange(other.native_, invalid)) {}
    FileHandle& operator=(FileHandle&& other) noexcept {
        std::swap(native_, other.native_);
        return *this;
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    ~FileHandle();

    bool valid() const { return native_ != invalid; }
    Native native() const { return native_; }

private:
    Native native_ = invalid;
};

// What the daemon needs to know of an open file.
struct FileInfo {
    std::uint64_t size = 0;
    std::uint64_t links = 1;    // names the file has (hard links)
    std::uint64_t device = 0;   // with `id`, tells two opens of one file apart from two files
    std::uint64_t id = 0;
    std::uint32_t owner = 0;    // POSIX: uid (Windows: not used)
    std::uint32_t group = 0;    // POSIX: gid
    std::uint32_t mode = 0;     // POSIX: permission bits and file type
    bool regular = false;       // a regular file (not a folder, link, device, pipe)
    bool folder = false;
};

// Throws std::system_error.
FileInfo info_of(const FileHandle& file);

// What a name is, looked at without following a link: one lstat on POSIX.
struct NameStatus {
    enum class Kind { missing, regular, folder, link, other };
    Kind kind = Kind::missing;  // also when it cannot be looked at
    std::uint64_t size = 0;     // these three for a regular file
    std::uint64_t links = 1;
    TimePoint mtime;
};
NameStatus status_of_name(const std::filesystem::path& path);

// Up to `length` bytes from `offset` into `out`; 0 at the end of the file.
// Throws std::system_error.
std::size_t read_at(const FileHandle& file, std::uint64_t offset, char* out, std::size_t length);

// The file's content on disk before it returns (fsync, FlushFileBuffers).
// Throws std::system_error.
void flush(const FileHandle& file);

// Makes the files of `folder` written without a flush durable at once:
// Linux flushes the whole file system (syncfs), Windows each file listed
// (`names` relative to `folder`, '/' between parts; one listed that is not
// there is passed over). Throws std::system_error.
void flush_written(const std::filesystem::path& folder, const std::vector<std::string>& names);

}  // namespace pdm

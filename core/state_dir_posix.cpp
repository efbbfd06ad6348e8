// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/state_dir.hpp"

namespace fs = std::filesystem;

namespace pdm {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

std::string errno_text() { return std::generic_category().message(errno); }

void write_all(int fd, std::string_view bytes, const std::string& what) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw_errno(what);
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

int raw(const FileHandle& handle) { return static_cast<int>(handle.native()); }

std::string read_holder(int fd) {
    char buffer[32] = {};
    const ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
    std::string pid = got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "unknown pid" : "pid " + pid;
}

}  // namespace

StateDir::StateDir(const fs::path& path) : path_(fs::absolute(path).lexically_normal()) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path_, ec))) {
        fs::create_directories(path_.parent_path(), ec);
        if (::mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot create the state dir " + path_.string() + ": " + errno_text());
    }
    folder_ = FileHandle(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    const int fd = raw(folder_);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            throw std::runtime_error("the state dir " + path_.string() + " is a symbolic link or not a folder");
        throw std::runtime_error("cannot open the state dir " + path_.string() + ": " + errno_text());
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const std::string reason = errno_text();
        throw std::runtime_error("cannot inspect " + path_.string() + ": " + reason);
    }
    if (info.st_uid != ::geteuid()) {
        throw std::runtime_error("the state dir " + path_.string() + " belongs to uid " + std::to_string(info.st_uid) +
                                 ", not to the daemon's user (uid " + std::to_string(::geteuid()) +
                                 "); another user could forge or replace its files");
    }
    if (info.st_mode & (S_IWGRP | S_IWOTH)) {
        throw std::runtime_error("the state dir " + path_.string() +
                                 " is writable by other users; run: chmod go-w " + path_.string());
    }
    // Whoever may write the folder holding the state dir may rename it away
    // and put a forged one in its place, unless the sticky bit keeps them to
    // their own entries there.
    struct stat parent {};
    if (::fstatat(fd, "..", &parent, 0) != 0) {
        const std::string reason = errno_text();
        throw std::runtime_error("cannot inspect the folder holding " + path_.string() + ": " + reason);
    }
    if ((parent.st_mode & (S_IWGRP | S_IWOTH)) && !(parent.st_mode & S_ISVTX)) {
        const std::string holder = path_.parent_path().string();
        throw std::runtime_error("other users may write " + holder + ", which holds the state dir, so they could "
                                 "rename the state dir away and put a forged one in its place; run: chmod +t " +
                                 holder + " (or choose a --state-dir outside it, such as /var/lib/pdmd)");
    }
}

std::filesystem::path StateDir::handle_path(const std::string& name) const {
    return "/proc/self/fd/" + std::to_string(folder_.native()) + "/" + name;
}

StateDir::~StateDir() = default;

void StateDir::lock_for_this_process(const std::string& name) {
    FileHandle file(::openat(raw(folder_), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!file.valid()) throw std::runtime_error("cannot open " + (path_ / name).string() + ": " + errno_text());
    if (::flock(raw(file), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            throw std::runtime_error("another pdmd (" + read_holder(raw(file)) + ") is already running on state dir " +
                                     path_.string());
        }
        throw std::runtime_error("cannot lock " + (path_ / name).string() + ": " + errno_text());
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(raw(file), 0) != 0 ||
        ::pwrite(raw(file), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        throw std::runtime_error("cannot write " + (path_ / name).string() + ": " + errno_text());
    }
    lock_ = std::move(file);
}

void StateDir::replace_file(const std::string& name, std::string_view contents) const {
    const std::string temp = name + ".tmp";
    const std::string shown = (path_ / temp).string();
    {
        const FileHandle file(::openat(raw(folder_), temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!file.valid()) throw_errno("cannot create " + shown);
        write_all(raw(file), contents, "cannot write " + shown);
        flush(file);
    }
    if (::renameat(raw(folder_), temp.c_str(), raw(folder_), name.c_str()) != 0) throw_errno("cannot replace " + (path_ / name).string());
    if (::fsync(raw(folder_)) != 0) {
        throw RenamedButNotFlushed(errno, std::generic_category(), "cannot flush the folder " + path_.string());
    }
}

std::string StateDir::read_file(const std::string& name) const {
    const std::string shown = (path_ / name).string();
    const FileHandle file(::openat(raw(folder_), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!file.valid()) throw_errno("cannot open " + shown);
    std::string contents;
    char buffer[65536];
    for (;;) {
        const ssize_t got = ::read(raw(file), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot read " + shown);
        }
        if (got == 0) break;
        contents.append(buffer, static_cast<std::size_t>(got));
    }
    return contents;
}

void StateDir::rename(const std::string& from, const std::string& to) const {
    if (::renameat(raw(folder_), from.c_str(), raw(folder_), to.c_str()) != 0) throw_errno("cannot rename " + (path_ / from).string());
    if (::fsync(raw(folder_)) != 0) throw_errno("cannot flush the folder " + path_.string());
}

void StateDir::remove(const std::string& name) const {
    if (::unlinkat(raw(folder_), name.c_str(), 0) != 0) {
        if (errno == ENOENT) return;
        throw_errno("cannot remove " + (path_ / name).string());
    }
    if (::fsync(raw(folder_)) != 0) throw_errno("cannot flush the folder " + path_.string());
}

FileHandle StateDir::open_for_append(const std::string& name) const {
    FileHandle file(::openat(raw(folder_), name.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!file.valid()) throw_errno("cannot open " + (path_ / name).string());
    if (::fsync(raw(folder_)) != 0) throw_errno("cannot flush the folder " + path_.string());
    return file;
}

void DurableAppendFile::write(std::string_view bytes) {
    require_whole();
    const int fd = raw(file_);
    const std::uint64_t before = size_;
    try {
        write_all(fd, bytes, "cannot append to " + path_.string());
    } catch (const std::system_error&) {
        // Cut off a partial append so the next one does not continue a torn line.
        if (::ftruncate(fd, static_cast<off_t>(before)) != 0) broken_ = true;
        throw;
    }
    size_ = before + bytes.size();
}

void DurableAppendFile::flush() {
    if (::fdatasync(raw(file_)) != 0) throw_errno("cannot flush " + path_.string());
}

void DurableAppendFile::truncate(std::uint64_t size) {
    if (::ftruncate(raw(file_), static_cast<off_t>(size)) != 0) throw_errno("cannot truncate " + path_.string());
    size_ = size;
    flush();
    broken_ = false;  // whatever was torn is gone
}

}  // namespace pdm

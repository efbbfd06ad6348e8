// SPDX-License-Identifier: Apache-2.0
#pragma once
// The daemon's state folder and every write into it. One implementation per
// platform (state_dir_posix.cpp, state_dir_win.cpp); state_dir.cpp holds
// what both share.
//
// The folder is opened once and used by handle from then on: renaming it, or
// putting a link where a state file should be, cannot redirect the daemon's
// writes. It must belong to the daemon's user and be writable by nobody else,
// since a default state dir lies inside the shared repository.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "core/file_handle.hpp"

namespace pdm {

// replace_file() got as far as the rename, so the new contents are in place,
// but flushing the folder failed: whether the rename survives a power cut is
// unknown. Callers must treat the new contents as current.
class RenamedButNotFlushed : public std::system_error {
public:
    using std::system_error::system_error;
};

class StateDir {
public:
    // Creates the folder (owner-only) if missing, then opens and checks it.
    // Throws std::runtime_error with a sentence a person can act on: the path
    // is a link or not a folder, belongs to another user, others may write it,
    // or others may write the folder holding it and it is not sticky.
    explicit StateDir(const std::filesystem::path& path);
    ~StateDir();
    StateDir(const StateDir&) = delete;
    StateDir& operator=(const StateDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // A path that reaches `name` in this folder through the handle held since
    // start, for libraries that open files by path (libgit2): a folder
    // renamed or swapped since is not followed (Windows: the folder is held
    // open, so it cannot be renamed or swapped).
    std::filesystem::path handle_path(const std::string& name) const;

    // Takes the folder for this process until it ends (the OS releases it even
    // after kill -9), writing the pid to `name`. Throws std::runtime_error
    // naming the holder's pid when another process has it.
    void lock_for_this_process(const std::string& name);

    // Replaces file `name` with `contents` so that after a crash it holds either
    // the old or the new contents, never a mix: write a sibling temp file, flush
    // it, rename it over, flush the folder. Throws std::system_error.
    void replace_file(const std::string& name, std::string_view contents) const;

    // A whole file. Throws std::system_error; a missing file is
    // std::errc::no_such_file_or_directory, so callers can tell it from a broken one.
    std::string read_file(const std::string& name) const;

    // Renames within the folder, durably. Throws std::system_error.
    void rename(const std::string& from, const std::string& to) const;
    // Removes a file, durably; a missing file is fine. Throws std::system_error.
    void remove(const std::string& name) const;

    // Opens `name` for appending (and reading), creating it.
    FileHandle open_for_append(const std::string& name) const;

private:
    std::filesystem::path path_;
    FileHandle folder_;
    FileHandle lock_;
};

// An append-only file whose every append is on disk before append() returns,
// and which can be read back while appends go on.
class DurableAppendFile {
public:
    enum class TornLine { close, keep };
    // Opens or creates `name` in `dir`. A last line left unfinished by a crash
    // is closed with a newline so the next record starts on a line of its
    // own, unless `torn` says to keep it for the caller to judge.
    DurableAppendFile(const StateDir& dir, const std::string& name, TornLine torn = TornLine::close);
    ~DurableAppendFile();
    DurableAppendFile(const DurableAppendFile&) = delete;
    DurableAppendFile& operator=(const DurableAppendFile&) = delete;

    // All or nothing: a failed append is cut off again. Throws std::system_error.
    void append(std::string_view bytes);
    // Appends without waiting for the disk: all or nothing as far as the
    // file's readers see, durable only after a later flush(). Throws std::system_error.
    void write(std::string_view bytes);
    // Everything written so far is on disk before it returns. Throws std::system_error.
    void flush();
    // Cuts the file to `size` bytes, durably. Throws std::system_error.
    void truncate(std::uint64_t size);
    std::uint64_t size() const;
    // Up to `length` bytes from `offset`. Safe on another thread than append().
    std::string read_at(std::uint64_t offset, std::size_t length) const;
    const std::filesystem::path& path() const { return path_; }

private:
    // A failed write could not be cut off again: what follows would join a
    // torn record, so every later write is refused.
    void require_whole() const;

    std::filesystem::path path_;
    FileHandle file_;
    // Kept, not asked of the file system at every append: pdmd is the only
    // writer (its state dir is private, a second daemon on it is refused).
    // Atomic: read_at and size may be called on another thread.
    std::atomic<std::uint64_t> size_ = 0;
    bool broken_ = false;
};

}  // namespace pdm

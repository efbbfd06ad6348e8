#pragma once
// Writes that survive a crash at any instant. One implementation per platform
// (durable_file_posix.cpp; Windows follows). Errors are std::system_error.

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace pdm {

// replace_file_durably() got as far as the rename, so the new contents are in
// place, but flushing the folder failed: whether the rename survives a power
// cut is unknown. Callers must treat the new contents as current.
class RenamedButNotFlushed : public std::system_error {
public:
    using std::system_error::system_error;
};

// Replaces `target` with `contents` so that after a crash the file holds either
// the old or the new contents, never a mix: write a sibling temp file, flush it
// to disk, rename it over the target, then flush the folder so the rename lasts.
void replace_file_durably(const std::filesystem::path& target, std::string_view contents);

// Reads a whole file. Throws std::system_error; a missing file is
// std::errc::no_such_file_or_directory so callers can tell it from a broken one.
std::string read_file(const std::filesystem::path& path);

// An append-only file whose every append is on disk before append() returns.
class DurableAppendFile {
public:
    // Opens or creates the file. A last line left unfinished by a crash is
    // closed with a newline so the next record starts on a line of its own.
    explicit DurableAppendFile(const std::filesystem::path& path);
    ~DurableAppendFile();
    DurableAppendFile(const DurableAppendFile&) = delete;
    DurableAppendFile& operator=(const DurableAppendFile&) = delete;

    void append(std::string_view bytes);
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

// Creates the folder (and its parents) if missing, and makes sure its entry is
// on disk.
void create_directories_durably(const std::filesystem::path& folder);

}  // namespace pdm

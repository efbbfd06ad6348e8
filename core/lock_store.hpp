// SPDX-License-Identifier: Apache-2.0
#pragma once
// locks.json on disk: loading it at start, and making every change durable.

#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/lock_table.hpp"
#include "core/state_dir.hpp"

namespace pdm {

// locks.json exists but cannot be read or is not a valid lock table. The
// daemon refuses to start on it: an empty table in its place would silently
// release every lock.
class LockFileError : public std::runtime_error {
public:
    LockFileError(const std::filesystem::path& file, const std::string& reason, std::size_t line,
                  std::size_t column);
    const std::filesystem::path& file() const { return file_; }
    std::size_t line() const { return line_; }
    std::size_t column() const { return column_; }

private:
    std::filesystem::path file_;
    std::size_t line_;
    std::size_t column_;
};

// A UTC time (format_utc) as part of a file name: valid on every file system.
std::string file_stamp(std::string utc_time);

class LockStore {
public:
    LockStore(const StateDir& dir, std::string name = "locks.json")
        : dir_(dir), name_(std::move(name)), file_(dir.path() / name_) {}

    const std::filesystem::path& file() const { return file_; }

    // The table on disk: empty when the file does not exist yet. Throws
    // LockFileError when it exists but is unreadable or invalid. With
    // `unusable`, a lock on a path no client could name does not stop the
    // load: it goes there instead (see LockTable::from_json_text).
    LockTable load(nlohmann::json* unusable = nullptr) const;

    // Keeps locks the load could not use in "locks.json.unusable-<UTC time>"
    // (durably) and returns that file's path: nothing is dropped silently.
    std::filesystem::path set_aside(const nlohmann::json& unusable, const std::string& utc_time) const;

    // Moves a bad locks.json aside to "locks.json.broken-<UTC time>" and returns
    // the new name. The caller then starts from an empty table.
    std::filesystem::path move_aside(const std::string& utc_time) const;

    // Durable before it returns (see StateDir::replace_file). Throws std::system_error.
    void save(const LockTable& table) const;
    // The same for text already produced by LockTable::to_json_text().
    void save_text(const std::string& text) const;

private:
    const StateDir& dir_;
    std::string name_;
    std::filesystem::path file_;
};

}  // namespace pdm

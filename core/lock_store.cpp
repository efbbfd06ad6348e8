// SPDX-License-Identifier: Apache-2.0
#include "core/lock_store.hpp"

#include <system_error>


namespace fs = std::filesystem;

namespace pdm {
namespace {

std::string describe(const fs::path& file, const std::string& reason, std::size_t line,
                     std::size_t column) {
    std::string text = file.string();
    if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
    return text + ": " + reason;
}

}  // namespace

LockFileError::LockFileError(const fs::path& file, const std::string& reason, std::size_t line,
                             std::size_t column)
    : std::runtime_error(describe(file, reason, line, column)),
      file_(file),
      line_(line),
      column_(column) {}

LockTable LockStore::load(nlohmann::json* unusable) const {
    std::string text;
    try {
        text = dir_.read_file(name_);
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::no_such_file_or_directory) return {};
        throw LockFileError(file_, error.code().message(), 0, 0);
    }
    try {
        return LockTable::from_json_text(text, unusable);
    } catch (const LockFileFormatError& error) {
        throw LockFileError(file_, error.what(), error.line(), error.column());
    }
}

std::string file_stamp(std::string utc_time) {
    for (char& c : utc_time) {
        if (c == ':') c = '-';  // keep the name valid on every file system
    }
    return utc_time;
}

fs::path LockStore::set_aside(const nlohmann::json& unusable, const std::string& utc_time) const {
    const std::string aside = name_ + ".unusable-" + file_stamp(utc_time);
    dir_.replace_file(aside, unusable.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return dir_.path() / aside;
}

fs::path LockStore::move_aside(const std::string& utc_time) const {
    const std::string aside = name_ + ".broken-" + file_stamp(utc_time);
    dir_.rename(name_, aside);
    return dir_.path() / aside;
}

void LockStore::save(const LockTable& table) const { save_text(table.to_json_text()); }

void LockStore::save_text(const std::string& text) const { dir_.replace_file(name_, text); }

}  // namespace pdm

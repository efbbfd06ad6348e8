// SPDX-License-Identifier: Apache-2.0
#include "daemon/file_list_json.hpp"

#include <charconv>

#include "core/time_format.hpp"
#include "daemon/op_json.hpp"

namespace pdm::daemon {

namespace {

constexpr auto replace_invalid = nlohmann::json::error_handler_t::replace;

// A string as the JSON library writes it. Repository paths and timestamps
// almost never need escaping, so they are copied as they are; anything else
// goes through the library, which knows every rule.
void append_string(std::string& out, const std::string& text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\') {
            out += nlohmann::json(text).dump(-1, ' ', false, replace_invalid);
            return;
        }
    }
    out += '"';
    out += text;
    out += '"';
}

void append_number(std::string& out, std::uint64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end);
}

}  // namespace

FileListJson::FileListJson(std::size_t files_expected) {
    // Room for the reply's envelope too, which is put around it in place.
    text_.reserve(64 + files_expected * 112);
    text_ += "{\"files\":[";
}

// Keys in the order the library writes an object's: sorted.
void FileListJson::add(const FileStat& file, const Lock* lock, bool missing) {
    if (!first_) text_ += ',';
    first_ = false;
    text_ += "{\"lock\":";
    if (lock) {
        text_ += lock_json(*lock).dump(-1, ' ', false, replace_invalid);
    } else {
        text_ += "null";
    }
    text_ += ",\"mtime\":";
    if (missing) {
        text_ += "null";
    } else {
        append_string(text_, format_utc(file.mtime));
    }
    text_ += ",\"path\":";
    append_string(text_, file.path);
    text_ += ",\"size\":";
    if (missing) {
        text_ += "null";
    } else {
        append_number(text_, file.size);
    }
    text_ += ",\"status\":";
    text_ += missing ? "\"missing\"" : lock ? "\"checked_out\"" : "\"available\"";
    text_ += '}';
}

std::string FileListJson::finish() && {
    text_ += "]}";
    return std::move(text_);
}

std::string file_list_json(const std::vector<FileEntry>& entries) {
    FileListJson list(entries.size());
    for (const FileEntry& entry : entries) list.add(entry.file, entry.lock ? &*entry.lock : nullptr, entry.missing);
    return std::move(list).finish();
}

}  // namespace pdm::daemon

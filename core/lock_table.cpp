// SPDX-License-Identifier: Apache-2.0
#include "core/lock_table.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/repo_path.hpp"

namespace pdm {
namespace {

// nlohmann reports a byte offset; people want a line and a column.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

std::string string_field(const nlohmann::json& entry, const std::string& path, const char* name) {
    const auto it = entry.find(name);
    if (it == entry.end() || !it->is_string()) {
        throw LockFileFormatError("the lock on '" + path + "' has no string field \"" + name + "\"",
                                  0, 0);
    }
    return it->get<std::string>();
}

}  // namespace

const Lock* LockTable::find(const std::string& path) const {
    const auto it = locks_.find(path);
    return it == locks_.end() ? nullptr : &it->second.lock;
}

void LockTable::insert(const std::string& path, Lock lock) {
    const auto quoted = [](const std::string& text) {
        return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    std::string head = "  " + quoted(path) + ": {\"user\": " + quoted(lock.user) + ", \"timestamp\": " +
                       quoted(lock.timestamp) + ", \"message\": ";
    if (!lock.message.shares_with(last_message_)) {
        last_message_ = lock.message;
        last_message_json_ = SharedText(quoted(lock.message) + "}");
    }
    locks_[path] = {std::move(lock), std::move(head), last_message_json_};
}

void LockTable::erase(const std::string& path) { locks_.erase(path); }

std::vector<LockRecord> LockTable::records(const std::optional<std::string>& user) const {
    std::vector<LockRecord> result;
    for (const auto& [path, entry] : locks_) {
        if (!user || entry.lock.user == *user) result.push_back({path, entry.lock});
    }
    return result;
}

std::vector<LockRecord> LockTable::records_below(const std::string& folder) const {
    const std::string prefix = folder + "/";
    std::vector<LockRecord> result;
    for (auto it = locks_.lower_bound(prefix); it != locks_.end() && it->first.starts_with(prefix); ++it)
        result.push_back({it->first, it->second.lock});
    return result;
}

std::string LockTable::to_json_text() const {
    if (locks_.empty()) return "{}\n";
    std::size_t size = 4;
    for (const auto& [path, entry] : locks_) size += entry.head.size() + entry.message_json.str().size() + 2;
    std::string text;
    text.reserve(size);
    text += "{\n";
    for (const auto& [path, entry] : locks_) {
        if (text.size() > 2) text += ",\n";
        text += entry.head;
        text += entry.message_json.str();
    }
    text += "\n}\n";
    return text;
}

LockTable LockTable::from_json_text(const std::string& text, nlohmann::json* unusable) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        const auto [line, column] = line_and_column(text, error.byte == 0 ? 0 : error.byte - 1);
        std::string reason = error.what();
        // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ".
        if (const auto colon = reason.find(": "); colon != std::string::npos) reason.erase(0, colon + 2);
        throw LockFileFormatError(reason, line, column);
    } catch (const nlohmann::json::exception& error) {
        // A number too large for a double: found by fuzzing.
        std::string reason = error.what();
        if (const auto bracket = reason.find("] "); bracket != std::string::npos) reason.erase(0, bracket + 2);
        throw LockFileFormatError(reason, 0, 0);
    }
    if (!document.is_object()) throw LockFileFormatError("the top level is not a JSON object", 1, 1);

    LockTable table;
    for (const auto& [path, entry] : document.items()) {
        if (!entry.is_object()) {
            throw LockFileFormatError("the lock on '" + path + "' is not a JSON object", 0, 0);
        }
        Lock lock{string_field(entry, path, "user"), string_field(entry, path, "timestamp"),
                  string_field(entry, path, "message")};
        if (!is_addressable(path)) {
            // Named as JSON writes it: a control character must not reach a terminal raw.
            const std::string shown = nlohmann::json(path).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
            if (!unusable) throw LockFileFormatError(shown + " is not a valid repository path", 0, 0);
            (*unusable)[path] = entry;
            continue;
        }
        table.insert(path, std::move(lock));
    }
    return table;
}

}  // namespace pdm

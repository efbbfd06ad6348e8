// SPDX-License-Identifier: Apache-2.0
#pragma once
// How locks and released locks look in replies; shared by the ops.

#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_service.hpp"
#include "core/time_format.hpp"

namespace pdm::daemon {

inline nlohmann::json lock_json(const Lock& lock) {
    return {{"user", lock.user}, {"timestamp", lock.timestamp}, {"message", lock.message.str()}};
}

inline nlohmann::json file_json(const FileEntry& entry) {
    if (entry.missing) {
        return {{"path", entry.file.path}, {"size", nullptr}, {"mtime", nullptr}, {"status", "missing"},
                {"lock", lock_json(*entry.lock)}};
    }
    return {{"path", entry.file.path},
            {"size", entry.file.size},
            {"mtime", format_utc(entry.file.mtime)},
            {"status", entry.lock ? "checked_out" : "available"},
            {"lock", entry.lock ? lock_json(*entry.lock) : nlohmann::json(nullptr)}};
}

inline nlohmann::json record_json(const LockRecord& record) {
    nlohmann::json result = lock_json(record.lock);
    result["path"] = record.path;
    return result;
}

inline nlohmann::json released_json(const std::vector<ReleasedLock>& released) {
    nlohmann::json items = nlohmann::json::array();
    for (const ReleasedLock& item : released) {
        nlohmann::json entry = record_json(item.record);
        entry["broken"] = item.broken;
        items.push_back(std::move(entry));
    }
    return {{"released", std::move(items)}};
}

}  // namespace pdm::daemon

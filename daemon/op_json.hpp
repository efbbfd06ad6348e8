// SPDX-License-Identifier: Apache-2.0
#pragma once
// How locks and released locks look in replies; shared by the ops.

#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_service.hpp"

namespace pdm::daemon {

inline nlohmann::json lock_json(const Lock& lock) {
    return {{"user", lock.user}, {"timestamp", lock.timestamp}, {"message", lock.message.str()}};
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

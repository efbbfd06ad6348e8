#include "daemon/read_only_enforcer.hpp"

#include <system_error>

#include <spdlog/spdlog.h>

namespace pdm::daemon {

void ReadOnlyEnforcer::reconcile(const std::vector<std::string>& paths) const {
    for (const std::string& path : paths) match_lock(path);
}

void ReadOnlyEnforcer::observe(const Event& event) const {
    if (event.kind == "checked_out" || event.kind == "lock_moved" || event.kind == "file_added" ||
        event.kind == "file_modified" || event.kind == "unlocked_write") {
        match_lock(event.path);
    } else if (event.kind == "checked_in" || event.kind == "unlocked") {
        match_lock(event.path, event.user);
    } else if (event.kind == "lock_broken") {
        match_lock(event.path, event.extra.value("owner", ""));
    }
}

void ReadOnlyEnforcer::match_lock(const std::string& path, const std::string& previous_owner) const {
    const Lock* lock = service_.find_lock(path);
    try {
        if (lock) {
            permissions_.make_writable_for(path, lock->user);
        } else {
            permissions_.make_read_only(path, previous_owner);
        }
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::no_such_file_or_directory) return;  // gone meanwhile: nothing to protect
        spdlog::warn("read-only enforcement: {}: {}", path, error.what());
    }
}

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#include "daemon/read_only_enforcer.hpp"

#include <filesystem>
#include <system_error>

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/utf8_path.hpp"

namespace pdm::daemon {

void ReadOnlyEnforcer::reconcile(const std::vector<std::string>& folders, const std::vector<std::string>& files) const {
    std::size_t sticky = 0;
    for (const std::string& folder : folders) {
        try {
            sticky += permissions_.make_folder_sticky(folder) ? 1 : 0;
        } catch (const std::system_error& error) {
            spdlog::warn("read-only enforcement: {}", error.what());
        }
    }
    if (sticky > 0) {
        spdlog::info("read-only enforcement: set the sticky bit on {} folder(s) others may write, so nobody can "
                     "delete or rename a file there that is not theirs",
                     sticky);
    }
    std::size_t changed = 0;
    for (const std::string& path : files) changed += match_lock(path).empty() ? 0 : 1;
    if (changed > 0) spdlog::info("read-only enforcement: set the permissions of {} file(s) from their locks", changed);
}

void ReadOnlyEnforcer::observe(const Event& event) const {
    switch (event.kind) {
        case EventKind::checked_out:
        case EventKind::lock_moved:
        case EventKind::file_added:
        case EventKind::file_modified:
        case EventKind::unlocked_write:
            match_lock(event.path);
            break;
        case EventKind::checked_in:
        case EventKind::unlocked:
            match_lock(event.path, event.user);
            break;
        case EventKind::lock_broken:
            match_lock(event.path, event.extra.value("owner", ""));
            break;
        case EventKind::waiting:
        case EventKind::your_turn:
        case EventKind::file_removed:
        case EventKind::permissions_reverted:
            break;  // nothing on disk to set
    }
}

bool ReadOnlyEnforcer::repair(const std::string& path) const {
    // Most reports are of the daemon's own change a moment ago.
    if (permissions_.is_as_left(path)) return false;
    std::error_code ec;
    if (std::filesystem::symlink_status(permissions_.root().path() / path_from_utf8(path), ec).type() == std::filesystem::file_type::directory) {
        try {
            if (permissions_.make_folder_sticky(path))
                spdlog::info("read-only enforcement: set the sticky bit on the new folder '{}'", path);
        } catch (const std::system_error& error) {
            spdlog::warn("read-only enforcement: {}", error.what());
        }
        return false;
    }
    const PermissionChanges changes = match_lock(path);
    if (changes.empty()) return false;
    spdlog::warn("read-only enforcement: '{}' was changed behind pdmd's back; set back: {}", path,
                 fmt::join(changes, ", "));
    service_.record_permissions_reverted(path, changes);
    return true;
}

PermissionChanges ReadOnlyEnforcer::match_lock(const std::string& path, const std::string& previous_owner) const {
    const std::optional<Lock> lock = service_.durable_lock(path);
    try {
        if (lock) return permissions_.make_writable_for(path, lock->user);
        return permissions_.make_read_only(path, previous_owner);
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::no_such_file_or_directory) return {};  // gone meanwhile: nothing to protect
        spdlog::warn("read-only enforcement: {}: {}", path, error.what());
        return {};
    }
}

}  // namespace pdm::daemon

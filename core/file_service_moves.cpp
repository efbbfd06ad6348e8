// SPDX-License-Identifier: Apache-2.0
// FileService: what the watcher tells about files, and what renames on disk
// do to locks. A folder's locks follow it at
// once; a checked-out file's lock waits out the settle time, so that the way
// programs save (rename the file away, put a new one in its place) keeps the
// lock on the name its owner and everyone else see.

#include "core/file_service.hpp"

#include "core/repo_path.hpp"

namespace pdm {

std::vector<MovedLock> FileService::note_move(const std::string& from, const std::string& to, SteadyTime due) {
    // A file already waiting to be decided was renamed on (or its folder was).
    pending_moves_.renamed(from, to);
    if (table_.find(from)) {
        pending_moves_.add(from, to, due);
        return {};
    }
    return follow_move(from, to);
}

std::vector<MovedLock> FileService::settle_moves(SteadyTime now) {
    std::vector<MovedLock> moved;
    for (const PendingMove& move : pending_moves_.take_due(now)) {
        if (!table_.find(move.from)) continue;  // released meanwhile
        if (file_present(move.from)) continue;   // a save: a new file took the name, the lock stays on it
        if (!file_present(move.to)) continue;    // deleted, moved out, or untracked: the lock stays, missing
        for (MovedLock& lock : follow_move(move.from, move.to)) moved.push_back(std::move(lock));
    }
    return moved;
}

std::vector<MovedLock> FileService::follow_move(const std::string& from, const std::string& to) {
    std::vector<std::pair<std::string, std::string>> renames;  // old name, new name
    if (table_.find(from)) renames.emplace_back(from, to);
    for (const LockRecord& record : table_.records_below(from))
        renames.emplace_back(record.path, to + record.path.substr(from.size()));
    std::vector<MovedLock> moved;
    for (const auto& [old_path, new_path] : renames) {
        // A lock only ever goes to a name a client can give back to release it.
        if (!is_addressable(new_path) || !repository_.is_tracked_name(new_path) || table_.find(new_path)) continue;
        const Lock lock = *table_.find(old_path);
        undo_.push_back({old_path, lock});
        table_.erase(old_path);
        undo_.push_back({new_path, std::nullopt});
        table_.insert(new_path, lock);
        waiting_.rename(old_path, new_path);
        // The watcher cannot tell who renamed the file: the audit names the owner.
        record(Identity{"", false}, AuditOp::move, {old_path, new_path}, "", "ok",
               {{"from", old_path}, {"to", new_path}, {"owner", lock.user}});
        pending_events_.push_back(
            {EventKind::lock_moved, new_path, "", clock_.now(), {{"from", old_path}, {"owner", lock.user}}});
        moved.push_back({old_path, {new_path, lock}});
    }
    return moved;
}

void FileService::note_writing(const std::string& path, bool open) {
    if (open) {
        being_written_.insert(path);
    } else {
        being_written_.erase(path);
    }
}

void FileService::note_renamed_while_writing(const std::string& from, const std::string& to) {
    std::vector<std::string> renamed;
    for (auto it = being_written_.begin(); it != being_written_.end();) {
        if (const auto name = rename_within(*it, from, to)) {
            renamed.push_back(*name);
            it = being_written_.erase(it);
        } else {
            ++it;
        }
    }
    being_written_.insert(renamed.begin(), renamed.end());
}

bool FileService::file_present(const std::string& path) const {
    try {
        return repository_.stat(path).has_value();
    } catch (const PdmError&) {
        return false;  // a folder, a link, an untracked name: not a tracked file
    }
}

void FileService::check_not_arriving(const std::string& path) const {
    const PendingMove* move = pending_moves_.heading_to(path);
    const Lock* lock = move ? table_.find(move->from) : nullptr;
    if (!lock) return;
    throw PdmError(ErrorCode::conflict,
                   "'" + path + "' was renamed from '" + move->from + "' a moment ago, which " + lock->user +
                       " has checked out; its lock follows it once the rename settles",
                   {{"path", path}, {"from", move->from}, {"locked_by", lock->user}, {"reason", "rename_settling"}});
}

void FileService::check_not_leaving(const std::string& path) const {
    if (!pending_moves_.leaving(path) || file_present(path)) return;
    throw PdmError(ErrorCode::conflict,
                   "'" + path + "' was renamed a moment ago and pdmd is still waiting to see whether it was a "
                   "save; try again in a second",
                   {{"path", path}, {"reason", "rename_settling"}});
}

}  // namespace pdm

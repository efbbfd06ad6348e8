// SPDX-License-Identifier: Apache-2.0
// FileService: the rules for writing a user's working file (restore, undo
// check-out), which happens on the history thread while the lock table goes
// on changing on the event loop.

#include "core/file_service.hpp"

namespace pdm {

FileService::WorkingWrite FileService::begin_working_write(const Identity& who, AuditOp op,
                                                           const std::vector<std::string>& paths) {
    std::vector<std::string> normalized;
    try {
        normalized = normalize_all(paths);
        const std::string verb = op == AuditOp::restore ? "restore it" : "undo it";
        for (const std::string& path : normalized) {
            const Lock* lock = table_.find(path);
            if (!lock) {
                throw PdmError(ErrorCode::conflict,
                               "'" + path + "' is not checked out; check it out first, then " +
                                   (op == AuditOp::restore ? "restore" : "change it"),
                               {{"path", path}});
            }
            if (lock->user != who.user) {
                throw PdmError(ErrorCode::forbidden,
                               "'" + path + "' is checked out by " + lock->user + "; only they can " + verb,
                               {{"path", path}, {"locked_by", lock->user}});
            }
            check_not_being_restored(path);
        }
    } catch (const PdmError& error) {
        record_refusal(who, op, normalized.empty() ? paths : normalized, "", error);
        throw;
    }
    being_restored_.insert(normalized.begin(), normalized.end());
    std::shared_ptr<void> reservation(nullptr, [this, reserved = normalized](void*) {
        for (const std::string& path : reserved) {
            if (const auto found = being_restored_.find(path); found != being_restored_.end())
                being_restored_.erase(found);
        }
    });
    return {std::move(normalized), std::move(reservation)};
}

void FileService::check_not_being_restored(const std::string& path) const {
    if (!being_restored_.contains(path)) return;
    throw PdmError(ErrorCode::conflict,
                   "'" + path + "' is being restored from its history right now; try again when that is done",
                   {{"path", path}, {"reason", "being_restored"}});
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/file_service.hpp"

#include <algorithm>
#include <set>
#include <system_error>

#include "core/error.hpp"
#include "core/name_rules.hpp"
#include "core/repo_path.hpp"
#include "core/time_format.hpp"

namespace pdm {
namespace {

const std::string& path_of(const FileStat& file) { return file.path; }
const std::string& path_of(const std::string& path) { return path; }

nlohmann::json lock_details(const std::string& path, const Lock& lock) {
    return {{"path", path}, {"locked_by", lock.user}, {"since", lock.timestamp}};
}

}  // namespace

FileService::FileService(Repository& repository, CommitFiles files, LockTable table, const Clock& clock)
    : repository_(repository),
      files_(files),
      table_(std::move(table)),
      audit_(files.audit),
      clock_(clock),
      durable_audit_bytes_(files.audit.size()),
      journal_dirty_(!files.journal.empty()) {}

std::size_t FileService::indexed_file_count() const { return index_ ? index_->files().size() : 0; }

std::vector<FileEntry> FileService::list(const ListFilter& filter) const {
    std::vector<FileEntry> entries;
    for_each_listed(filter, [&](const FileStat& file, const Lock* lock, bool missing) {
        entries.push_back({file, lock ? std::optional<Lock>(*lock) : std::nullopt, missing});
    });
    return entries;
}

void FileService::for_each_listed(const ListFilter& filter, const ListVisitor& visit) const {
    const std::optional<Glob> glob = filter.match ? std::optional<Glob>(Glob(*filter.match)) : std::nullopt;
    std::vector<FileStat> scanned;
    if (!index_) scanned = repository_.scan();
    const auto on_disk = [&](const std::string& path) {
        if (index_) return !is_missing(path);
        return std::binary_search(scanned.begin(), scanned.end(), path,
                                  [](const auto& a, const auto& b) { return path_of(a) < path_of(b); });
    };
    // Checked-out files that are gone from disk are listed too, as missing,
    // each in its place among the others.
    std::vector<LockRecord> gone;
    if (filter.status != LockStatus::available) {
        for (LockRecord& record : table_.records(filter.user)) {
            if (on_disk(record.path) || (glob && !glob->matches(record.path))) continue;
            gone.push_back(std::move(record));
        }
        std::sort(gone.begin(), gone.end(), [](const LockRecord& a, const LockRecord& b) { return a.path < b.path; });
    }
    auto next_gone = gone.begin();
    FileStat gone_file;
    const auto visit_gone_before = [&](const std::string* path) {
        for (; next_gone != gone.end() && (!path || next_gone->path < *path); ++next_gone) {
            gone_file.path = next_gone->path;
            visit(gone_file, &next_gone->lock, true);
        }
    };
    const auto consider = [&](const FileStat& file) {
        if (filter.status == LockStatus::missing) return;
        const Lock* lock = table_.find(file.path);
        if (filter.status == LockStatus::available && lock) return;
        if (filter.status == LockStatus::checked_out && !lock) return;
        if (filter.user && (!lock || lock->user != *filter.user)) return;
        if (glob && !glob->matches(file.path)) return;
        visit_gone_before(&file.path);
        visit(file, lock, false);
    };
    if (index_) {
        for (const FileStat& file : index_->files()) consider(file);
    } else {
        for (const FileStat& file : scanned) consider(file);
    }
    visit_gone_before(nullptr);
}

bool FileService::is_missing(const std::string& path) const {
    // The index lags the disk by the settle time; a file it lacks is looked
    // at, since a lock may have just followed its file to a name not yet indexed.
    if (index_ && index_->files().contains(path)) return false;
    try {
        return !repository_.stat(path);
    } catch (const PdmError&) {
        return true;  // the name now leads through a link or to a folder: the file is not there
    }
}

std::uint64_t FileService::indexed_bytes(const std::vector<std::string>& paths) const {
    std::uint64_t bytes = 0;
    if (!index_) return bytes;
    for (const std::string& path : paths) {
        const auto found = index_->files().find(path);
        if (found != index_->files().end()) bytes += found->size;
    }
    return bytes;
}

FileEntry FileService::info(const std::string& path) const {
    const std::string normalized = normalize(path);
    std::optional<FileStat> file = repository_.stat(normalized);
    const Lock* lock = table_.find(normalized);
    if (!file && lock) return {{normalized, 0, {}}, *lock, true};
    if (!file) {
        throw PdmError(ErrorCode::not_found, "no file '" + normalized + "' in the repository",
                       {{"path", normalized}});
    }
    return {std::move(*file), lock ? std::optional<Lock>(*lock) : std::nullopt};
}

std::vector<LockRecord> FileService::locks(const std::optional<std::string>& user) const {
    return table_.records(user);
}

FileService::PreparedAudit FileService::prepare_audit(const AuditQuery& query) const {
    // Entries not yet on disk are the newest: they come first.
    PreparedAudit prepared;
    for (const std::vector<std::string>* lines : {&pending_audit_, &committing_audit_}) {
        for (auto it = lines->rbegin(); it != lines->rend() && prepared.newest.size() < query.limit; ++it) {
            nlohmann::json entry = nlohmann::json::parse(*it, nullptr, false);
            if (audit_entry_matches(entry, query)) prepared.newest.push_back(std::move(entry));
        }
    }
    prepared.rest = query;
    prepared.rest.limit -= prepared.newest.size();
    // Only up to what finished commits wrote: lines of the commit being
    // written are counted above already.
    prepared.files = audit_.snapshot(durable_audit_bytes_);
    return prepared;
}

std::vector<nlohmann::json> FileService::PreparedAudit::complete() const {
    std::vector<nlohmann::json> entries = newest;
    if (rest.limit == 0) return entries;
    try {
        for (nlohmann::json& entry : files.query(rest)) entries.push_back(std::move(entry));
    } catch (const std::system_error& error) {
        throw PdmError(ErrorCode::internal, std::string("cannot read the audit log: ") + error.what());
    }
    return entries;
}

std::string FileService::normalize(const std::string& path) const {
    // Where case does not tell files apart, the lock is keyed by the name on disk.
    return spelled_on_disk(repository_.root(), normalize_repo_path(path));
}

std::vector<std::string> FileService::normalize_all(const std::vector<std::string>& paths) const {
    if (paths.empty()) throw PdmError(ErrorCode::bad_request, "no path given");
    std::vector<std::string> normalized;
    std::set<std::string> seen;
    for (const std::string& path : paths) {
        normalized.push_back(normalize(path));
        if (!seen.insert(normalized.back()).second) {
            throw PdmError(ErrorCode::bad_request, "'" + normalized.back() + "' is named twice",
                           {{"path", normalized.back()}});
        }
    }
    return normalized;
}

std::vector<LockRecord> FileService::checkout(const Identity& who, const std::vector<std::string>& paths,
                                              const std::string& message) {
    std::vector<std::string> normalized;
    try {
        normalized = normalize_all(paths);
        for (const std::string& path : normalized) {
            const std::optional<FileStat> file = repository_.stat(path);
            if (!file) {
                throw PdmError(ErrorCode::not_found, "no file '" + path + "' in the repository",
                               {{"path", path}});
            }
            if (file->links > 1) {
                throw PdmError(ErrorCode::invalid_path,
                               "'" + path + "' has " + std::to_string(file->links) +
                                   " names (hard links); pdmd guards files that have one name only, since another "
                                   "name may lie outside the repository or be checked out by someone else",
                               {{"path", path}, {"links", file->links}});
            }
            check_not_arriving(path);
            if (const Lock* lock = table_.find(path)) {
                const std::string holder = lock->user == who.user ? "you" : lock->user;
                throw PdmError(ErrorCode::conflict,
                               "'" + path + "' is already checked out by " + holder + " since " +
                                   lock->timestamp,
                               lock_details(path, *lock));
            }
        }
        const std::string now = format_utc(clock_.now());
        const SharedText shared_message(message);  // one copy for all the request's locks
        std::vector<LockRecord> taken;
        for (const std::string& path : normalized) {
            taken.push_back({path, {who.user, now, shared_message}});
            undo_.push_back({path, std::nullopt});
            table_.insert(path, taken.back().lock);
            pending_events_.push_back({EventKind::checked_out, path, who.user, clock_.now(), {{"message", message}}});
        }
        record(who, AuditOp::checkout, normalized, message, "ok", nullptr);
        return taken;
    } catch (const PdmError& error) {
        record_refusal(who, AuditOp::checkout, normalized.empty() ? paths : normalized, message, error);
        throw;
    }
}

std::vector<ReleasedLock> FileService::checkin(const Identity& who, const std::vector<std::string>& paths,
                                               const std::string& message, const nlohmann::json& revisions) {
    return release(who, AuditOp::checkin, paths, message, false, revisions, false);
}

std::vector<ReleasedLock> FileService::unlock(const Identity& who, const std::vector<std::string>& paths,
                                              bool force, const nlohmann::json& revisions, bool discarded) {
    return release(who, AuditOp::unlock, paths, "", force, revisions, discarded);
}

std::vector<ReleasedLock> FileService::check_release(const Identity& who, AuditOp op,
                                                     const std::vector<std::string>& normalized,
                                                     bool force) const {
    std::vector<ReleasedLock> released;
    for (const std::string& path : normalized) {
        const Lock* lock = table_.find(path);
        if (!lock) {
            throw PdmError(ErrorCode::conflict, "'" + path + "' is not checked out", {{"path", path}});
        }
        check_not_leaving(path);
        check_not_being_restored(path);
        const bool owner = lock->user == who.user;
        if (!owner && op == AuditOp::checkin) {
            throw PdmError(ErrorCode::forbidden,
                           "'" + path + "' is checked out by " + lock->user + "; only they can check it in",
                           lock_details(path, *lock));
        }
        if (!owner && !force) {
            throw PdmError(ErrorCode::forbidden,
                           "'" + path + "' is checked out by " + lock->user +
                               (who.admin ? "; add force to break their lock" : "; only they or an admin can unlock it"),
                           lock_details(path, *lock));
        }
        if (!owner && !who.admin) {
            throw PdmError(ErrorCode::forbidden, "only an admin can break " + lock->user + "'s lock on '" + path + "'",
                           lock_details(path, *lock));
        }
        released.push_back({{path, *lock}, !owner});
    }
    return released;
}

std::vector<ReleasedLock> FileService::preview_release(const Identity& who, AuditOp op,
                                                       const std::vector<std::string>& paths,
                                                       const std::string& message, bool force) {
    std::vector<std::string> normalized;
    try {
        normalized = normalize_all(paths);
        return check_release(who, op, normalized, force);
    } catch (const PdmError& error) {
        record_refusal(who, op, normalized.empty() ? paths : normalized, message, error);
        throw;
    }
}

void FileService::record_action(const Identity& who, AuditOp op, const std::string& path,
                                nlohmann::json extra) {
    record(who, op, {path}, "", "ok", std::move(extra));
}

std::vector<ReleasedLock> FileService::release(const Identity& who, AuditOp op,
                                               const std::vector<std::string>& paths,
                                               const std::string& message, bool force,
                                               const nlohmann::json& revisions, bool discarded) {
    std::vector<std::string> normalized;
    try {
        normalized = normalize_all(paths);
        std::vector<ReleasedLock> released = check_release(who, op, normalized, force);
        for (const ReleasedLock& item : released) {
            undo_.push_back({item.record.path, item.record.lock});
            table_.erase(item.record.path);
            Event event{op == AuditOp::checkin ? EventKind::checked_in : EventKind::unlocked, item.record.path, who.user,
                        clock_.now(), {}};
            if (op == AuditOp::checkin) event.extra["message"] = message;
            if (item.broken) {
                event.kind = EventKind::lock_broken;
                event.extra["owner"] = item.record.lock.user;
            }
            if (revisions.is_object() && revisions.contains(item.record.path))
                event.extra["revision"] = revisions[item.record.path];
            pending_events_.push_back(std::move(event));
        }

        nlohmann::json extra = nlohmann::json::object();
        if (force) {
            extra["force"] = true;
            extra["broken_locks"] = nlohmann::json::array();
            for (const ReleasedLock& item : released) {
                if (item.broken)
                    extra["broken_locks"].push_back({{"path", item.record.path}, {"owner", item.record.lock.user}});
            }
        }
        if (!revisions.is_null()) extra["revisions"] = revisions;
        if (discarded) extra["discarded"] = true;
        record(who, op, normalized, message, "ok", extra.empty() ? nlohmann::json(nullptr) : std::move(extra));
        for (const ReleasedLock& item : released) hand_over(item.record.path);
        return released;
    } catch (const PdmError& error) {
        record_refusal(who, op, normalized.empty() ? paths : normalized, message, error);
        throw;
    }
}

CommitBatch FileService::begin_commit() {
    CommitBatch batch;
    // Each path once, with its lock as the batch leaves it.
    std::set<std::string_view> seen;
    for (const Undo& change : undo_) {
        if (!seen.insert(change.path).second) continue;
        const Lock* now = table_.find(change.path);
        batch.record.locks.emplace_back(change.path, now ? std::optional<Lock>(*now) : std::nullopt);
    }
    for (const std::string& line : pending_audit_) batch.record.audit_lines += line;
    committing_record_ = !batch.record.empty();
    if (checkpoint_requested_ && (journal_dirty_ || committing_record_)) batch.checkpoint_text = table_.to_json_text();
    checkpoint_requested_ = false;
    committing_undo_ = std::move(undo_);
    committing_audit_ = std::move(pending_audit_);
    committing_events_ = std::move(pending_events_);
    undo_.clear();
    pending_audit_.clear();
    pending_events_.clear();
    committing_ = true;
    return batch;
}

void FileService::finish_commit(const CommitResult& result) {
    committing_ = false;
    durable_audit_bytes_ = result.audit_end;
    if (!result.failure && committing_record_) journal_dirty_ = true;
    if (result.checkpointed) journal_dirty_ = false;
    committing_record_ = false;
    if (result.failure) {
        // Newest first: the changes made since, then the failed commit's own.
        for (const std::vector<Undo>* changes : {&undo_, &committing_undo_}) {
            for (auto it = changes->rbegin(); it != changes->rend(); ++it) {
                if (it->before) {
                    table_.insert(it->path, *it->before);
                } else {
                    table_.erase(it->path);
                }
            }
        }
        undo_.clear();
        pending_audit_.clear();
        pending_events_.clear();
        committing_events_.clear();  // those changes never happened
    }
    committing_undo_.clear();
    committing_audit_.clear();
    // Between commits, with the journal empty (no record points into the
    // file): the one moment the log's file may change under it.
    try {
        if (result.checkpointed && audit_.rotate_if_needed()) durable_audit_bytes_ = 0;
        if (result.checkpointed) rotation_failed_ = false;
    } catch (const std::system_error&) {
        // Not rotated this time: the log goes on growing, and the next timed checkpoint tries again.
        rotation_failed_ = true;
    }
    std::vector<Event> durable;
    durable.swap(committing_events_);
    if (event_sink_) {
        for (const Event& event : durable) event_sink_(event);
    }
}

FileService::WaitResult FileService::checkout_or_wait(const Identity& who, const std::string& path,
                                                    const std::string& message) {
    const std::string normalized = normalize(path);
    const Lock* lock = table_.find(normalized);
    if (!lock || lock->user == who.user) return {checkout(who, {normalized}, message).at(0), 0};
    const std::string owner = lock->user;
    const std::size_t position = waiting_.enqueue(normalized, {who.user, who.connection, message});
    record(who, AuditOp::checkout, {normalized}, message, "queued", {{"position", position}, {"locked_by", owner}});
    pending_events_.push_back({EventKind::waiting, normalized, who.user, clock_.now(), {{"owner", owner}, {"position", position}}});
    return {std::nullopt, position};
}

bool FileService::unwait(const Identity& who, const std::string& path) {
    return waiting_.remove(normalize(path), who.connection);
}

// The lock on `path` was just released: the first waiter gets it, in the same commit.
void FileService::hand_over(const std::string& path) {
    std::optional<Waiter> next = waiting_.pop(path);
    // A waiter whose client hung up is skipped, even before the daemon has
    // read that connection's end.
    while (next && waiter_alive_ && !waiter_alive_(next->connection)) next = waiting_.pop(path);
    if (!next) return;
    const Lock lock{next->user, format_utc(clock_.now()), next->message};
    undo_.push_back({path, std::nullopt});
    table_.insert(path, lock);
    const Identity waiter{next->user, false, next->connection};
    record(waiter, AuditOp::checkout, {path}, next->message, "ok", {{"handed_over", true}});
    pending_events_.push_back({EventKind::checked_out, path, next->user, clock_.now(), {{"message", next->message}}});
    pending_events_.push_back({EventKind::your_turn, path, next->user, clock_.now(), {{"connection", next->connection}}});
}

std::optional<std::string> FileService::commit() {
    request_checkpoint();
    CommitBatch batch = begin_commit();
    const CommitResult result = write_commit(batch, files_);
    finish_commit(result);
    if (!result.failure && result.checkpoint_failure) return "the checkpoint failed: " + *result.checkpoint_failure;
    return result.failure;
}

void FileService::record_unlocked_write(const std::string& path, nlohmann::json extra) {
    const Identity nobody{"", false};
    record(nobody, AuditOp::unlocked_write, {path}, "", "ok", extra);
    pending_events_.push_back(
        {EventKind::unlocked_write, path, "", clock_.now(), extra.is_object() ? extra : nlohmann::json::object()});
}

void FileService::record_permissions_reverted(const std::string& path, const std::vector<std::string>& changes) {
    const Identity nobody{"", false};
    record(nobody, AuditOp::permissions_reverted, {path}, "", "ok", {{"changes", changes}});
    pending_events_.push_back({EventKind::permissions_reverted, path, "", clock_.now(), {{"changes", changes}}});
}

std::optional<Lock> FileService::durable_lock(const std::string& path) const {
    // The oldest change not yet durable knows what the path had before it.
    for (const std::vector<Undo>* changes : {&committing_undo_, &undo_}) {
        for (const Undo& change : *changes) {
            if (change.path == path) return change.before;
        }
    }
    const Lock* lock = table_.find(path);
    return lock ? std::optional<Lock>(*lock) : std::nullopt;
}

void FileService::record_refusal(const Identity& who, AuditOp op,
                                 const std::vector<std::string>& paths, const std::string& message,
                                 const PdmError& error) {
    std::uint64_t suppressed = 0;
    if (!refusals_.admit(who.user, clock_.now(), suppressed)) return;
    nlohmann::json extra = {{"error", error.what()}};
    if (suppressed > 0) extra["refusals_not_audited_before"] = suppressed;
    record(who, op, paths, message, error_code_name(error.code()), std::move(extra));
}

void FileService::record(const Identity& who, AuditOp op,
                         const std::vector<std::string>& paths, const std::string& message,
                         const std::string& outcome, nlohmann::json extra) {
    nlohmann::json entry = {{"time", format_utc(clock_.now())},
                            {"user", who.user},
                            {"op", audit_op_name(op)},
                            {"paths", paths},
                            {"message", message},
                            {"outcome", outcome}};
    if (extra.is_object()) entry.update(extra);
    pending_audit_.push_back(entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace pdm

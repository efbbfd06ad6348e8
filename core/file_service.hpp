// SPDX-License-Identifier: Apache-2.0
#pragma once
// What check-out, check-in and unlock mean. The one owner of the lock table.
//
// Mutations are validated as a whole and applied in memory, with their audit
// entries queued. A commit then makes everything since the last one durable at
// once: begin_commit() takes the record to write, write_commit() writes it
// (on any thread; commit_batch.hpp), finish_commit() settles the outcome. A caller must not
// acknowledge a mutation, or anything that observed it, before the commit
// after it has succeeded. Batching many requests into one commit is what lets
// the daemon do one fsync for many clients; writing on another thread lets
// the next batch gather while the disk works.
//
// Not thread-safe: the daemon calls it from its single event-loop thread.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/audit_log.hpp"
#include "core/clock.hpp"
#include "core/commit_batch.hpp"
#include "core/event.hpp"
#include "core/file_index.hpp"
#include "core/waiting_list.hpp"
#include "core/error.hpp"
#include "core/identity.hpp"
#include "core/lock_store.hpp"
#include "core/lock_table.hpp"
#include "core/pending_moves.hpp"
#include "core/refusal_limiter.hpp"
#include "core/repository.hpp"

namespace pdm {

struct FileEntry {
    FileStat file;  // only the path when missing
    std::optional<Lock> lock;
    // Checked out, but no longer on disk (deleted, or moved out of the
    // repository): the lock stays until its owner checks in or unlocks.
    bool missing = false;
};

enum class LockStatus { available, checked_out, missing };

struct ListFilter {
    std::optional<LockStatus> status;
    std::optional<std::string> user;   // only files locked by this user
    // checked_out includes missing files: they are checked out too.
    std::optional<std::string> match;  // a Glob pattern
};

// A lock that followed its file to a new name.
struct MovedLock {
    std::string from;
    LockRecord record;  // under the new name
};

// A lock released by checkin or unlock, and whether an admin broke it.
struct ReleasedLock {
    LockRecord record;
    bool broken = false;  // released by someone other than its owner
};

class FileService {
public:
    FileService(Repository& repository, CommitFiles files, LockTable table, const Clock& clock);

    std::vector<FileEntry> list(const ListFilter& filter) const;
    // The same files, in the same (path) order, one at a time, without copying
    // them out of the index: for a reply about a large repository. `lock` is
    // null for a file nobody holds; a missing file has only its path.
    using ListVisitor = std::function<void(const FileStat& file, const Lock* lock, bool missing)>;
    void for_each_listed(const ListFilter& filter, const ListVisitor& visit) const;
    FileEntry info(const std::string& path) const;
    std::vector<LockRecord> locks(const std::optional<std::string>& user) const;
    // An audit query in two parts: the entries not yet on disk (the newest),
    // taken on the event loop by prepare_audit(), and the files, read by
    // complete() on any thread, so that a query that matches nothing, and so
    // reads the whole log, never stalls the event loop.
    struct PreparedAudit {
        std::vector<nlohmann::json> newest;
        AuditQuery rest;
        AuditSnapshot files;
        // Throws PdmError(internal) when the log cannot be read.
        std::vector<nlohmann::json> complete() const;
    };
    PreparedAudit prepare_audit(const AuditQuery& query) const;
    std::vector<nlohmann::json> audit(const AuditQuery& query) const { return prepare_audit(query).complete(); }

    // At most `per_minute` refused requests of one user are audited per
    // minute (RefusalLimiter); default 60.
    void set_refusal_audit_limit(std::size_t per_minute) { refusals_.set_per_minute(per_minute); }

    // All-or-nothing: either every path is locked for the caller, or none is
    // and PdmError says why (invalid_path, not_found, conflict).
    std::vector<LockRecord> checkout(const Identity& who, const std::vector<std::string>& paths,
                                     const std::string& message);

    // Checks one file out, or, when someone else holds it, puts the caller's
    // connection in its queue: the file is checked out to it when released
    // (see your_turn). Returns the lock, or the queue position.
    struct WaitResult {
        std::optional<LockRecord> lock;
        std::size_t position = 0;
    };
    WaitResult checkout_or_wait(const Identity& who, const std::string& path, const std::string& message);
    // `paths` as locks are keyed: normalised, and where case does not tell
    // files apart spelled as on disk. Throws the PdmError an op would give.
    std::vector<std::string> normalize_all(const std::vector<std::string>& paths) const;
    // Leaves the queue of one file; false when not in it.
    bool unwait(const Identity& who, const std::string& path);
    // Tells whether a waiting connection can still take a file (set by the
    // daemon; without it every waiter counts as present).
    void set_waiter_check(std::function<bool(std::uint64_t connection)> alive) { waiter_alive_ = std::move(alive); }
    // A connection closed: its places in queues are given up.
    void forget_connection(std::uint64_t connection) { waiting_.remove_connection(connection); }

    // Releases the caller's own locks, all or none: conflict when a path is not
    // checked out, forbidden when someone else holds it. `revisions` (an
    // object: path -> what the history recorded) goes into the audit entry
    // and the checked_in events.
    std::vector<ReleasedLock> checkin(const Identity& who, const std::vector<std::string>& paths,
                                      const std::string& message,
                                      const nlohmann::json& revisions = nullptr);

    // Like checkin but records no check-in; with `force`, an admin may release
    // anyone's lock. `revisions` holds the snapshots taken of broken locks;
    // `discarded`: the owner's working files went back to their last revision.
    std::vector<ReleasedLock> unlock(const Identity& who, const std::vector<std::string>& paths,
                                     bool force, const nlohmann::json& revisions = nullptr,
                                     bool discarded = false);

    // What checkin (AuditOp::checkin) or unlock (AuditOp::unlock) would release, changing
    // nothing: lets the daemon save the files' content before the locks go.
    // A refusal is audited and thrown just as the release itself would.
    std::vector<ReleasedLock> preview_release(const Identity& who, AuditOp op,
                                              const std::vector<std::string>& paths,
                                              const std::string& message, bool force);

    // Restore and undo check-out write the caller's working files, later, on
    // the history thread. Checks now that `who` holds every path's lock (a
    // refusal is audited under `op`: restore, or unlock for a discard)
    // and reserves the paths until end_working_write: meanwhile nobody can
    // release or break their locks (conflict, reason "being_restored"), so
    // the write can never land in a file that has passed to someone else.
    // The reservation ends when the last copy of the returned handle is
    // dropped (on the event loop's thread: never hand it to another thread).
    struct WorkingWrite {
        std::vector<std::string> paths;  // normalised
        std::shared_ptr<void> reservation;
    };
    WorkingWrite begin_working_write(const Identity& who, AuditOp op, const std::vector<std::string>& paths);

    // Audits an action on a file that changes no lock (a restore).
    void record_action(const Identity& who, AuditOp op, const std::string& path,
                       nlohmann::json extra);

    // Audits a mutating request refused before it reached the methods above
    // (a malformed request); the methods audit their own outcomes.
    void record_refusal(const Identity& who, AuditOp op,
                        const std::vector<std::string>& paths, const std::string& message,
                        const PdmError& error);

    std::size_t lock_count() const { return table_.size(); }
    // Files in the index; 0 without one (not known without a scan).
    std::size_t indexed_file_count() const;
    bool is_locked(const std::string& path) const { return table_.find(path) != nullptr; }
    // The lock on a normalised path; nullptr when it has none.
    const Lock* find_lock(const std::string& path) const { return table_.find(path); }
    // The lock as the last durable commit left it: what the permissions on
    // disk follow, so that a change whose commit may still fail never opens
    // or closes a file.
    std::optional<Lock> durable_lock(const std::string& path) const;
    // True when no tracked file is on disk at a normalised path.
    bool is_missing(const std::string& path) const;

    // A file or folder was renamed on disk from `from` to `to` (normalised
    // paths). The locks below a folder follow it at once (follow_move). A
    // checked-out file's lock waits until `due` (the settle time later): if a
    // file has taken the old name by then, the rename was how a program saved
    // it (NAME -> NAME.bak, then NAME.tmp -> NAME) and the lock stays on the
    // name; otherwise it follows the file (settle_moves). Returns the locks
    // that moved now.
    std::vector<MovedLock> note_move(const std::string& from, const std::string& to, SteadyTime due);
    // Decides the renames due at `now`; returns the locks that moved.
    std::vector<MovedLock> settle_moves(SteadyTime now);
    // When the next noted rename is due; nothing when none waits.
    std::optional<SteadyTime> next_move_due() const { return pending_moves_.next_due(); }

    // The locks on `from`, or below it, follow it to `to`, with their queues.
    // A lock stays where it was (and shows as missing) when its new name is
    // not one the daemon tracks or names (hidden, ignored, not included, a
    // control character) or is checked out already. Audited; announced as
    // lock_moved once durable.
    std::vector<MovedLock> follow_move(const std::string& from, const std::string& to);

    // What the watcher saw: a file written to and not closed since is open
    // for writing. Where the daemon cannot take a ReadLease (a per-user
    // daemon reading others' files) this is how a check-in, restore or undo
    // of a file still being saved is refused.
    void note_writing(const std::string& path, bool open);
    void note_renamed_while_writing(const std::string& from, const std::string& to);
    void forget_writing() { being_written_.clear(); }
    bool is_being_written(const std::string& path) const { return being_written_.contains(path); }

    // Serve `list` from this index instead of scanning (nullptr: scan).
    void use_index(const FileIndex* index) { index_ = index; }
    // The bytes the index last saw in `paths` (0 for what it does not
    // know, and without an index): what recording them will read.
    std::uint64_t indexed_bytes(const std::vector<std::string>& paths) const;

    // A tracked file was written while nobody held its lock: audited, and
    // announced as unlocked_write once the audit line is durable. `extra`
    // says more (while the daemon was stopped).
    void record_unlocked_write(const std::string& path, nlohmann::json extra = nullptr);
    // Someone changed a tracked file's owner, mode or ACL behind the daemon's
    // back and the daemon set it back: audited, and announced as
    // permissions_reverted.
    void record_permissions_reverted(const std::string& path, const std::vector<std::string>& changes);

    // True when changes or audit entries are not yet durable (queued, or in a
    // commit being written).
    bool has_uncommitted() const {
        return !undo_.empty() || !pending_audit_.empty() || committing_;
    }

    // Takes what changed since the last commit, and the whole table when a
    // checkpoint is due. At most one commit at a time.
    CommitBatch begin_commit();
    // Settles the commit begun last. When it failed, every change not yet
    // durable (that commit's and any made since) is rolled back in memory, as
    // if never made, and its audit entries dropped.
    void finish_commit(const CommitResult& result);

    // The next commit also writes locks.json and empties the journal.
    void request_checkpoint() { checkpoint_requested_ = true; }
    // The journal holds changes locks.json does not have yet.
    bool needs_checkpoint() const { return journal_dirty_; }
    // ...and the audit log waits for a checkpoint to rotate: one is due now.
    // (Not while rotating fails: timed checkpoints retry it, once a second.)
    bool checkpoint_urgent() const { return journal_dirty_ && !rotation_failed_ && audit_.wants_rotation(); }

    // Receives the events of each commit once it is durable (lock taken,
    // released, broken), in the order the changes were made.
    void set_event_sink(std::function<void(const Event&)> sink) { event_sink_ = std::move(sink); }

    // begin_commit, write_commit and finish_commit in one call, on this
    // thread, with a checkpoint (a clean stop). The failure, if any.
    std::optional<std::string> commit();

private:
    // How to undo one applied change: the lock a path had before (none: it had none).
    struct Undo {
        std::string path;
        std::optional<Lock> before;
    };

    // A client's path, normalised and spelled as on disk (name_rules.hpp).
    std::string normalize(const std::string& path) const;
    void hand_over(const std::string& path);
    std::vector<ReleasedLock> release(const Identity& who, AuditOp op,
                                      const std::vector<std::string>& paths,
                                      const std::string& message, bool force,
                                      const nlohmann::json& revisions, bool discarded);
    // The locks a release would take, checked; throws PdmError.
    std::vector<ReleasedLock> check_release(const Identity& who, AuditOp op,
                                            const std::vector<std::string>& normalized, bool force) const;
    void record(const Identity& who, AuditOp op, const std::vector<std::string>& paths,
                const std::string& message, const std::string& outcome, nlohmann::json extra);
    // True when a tracked regular file is on disk at a normalised path.
    bool file_present(const std::string& path) const;
    // Refuses (conflict) taking a name that a checked-out file was renamed to
    // a moment ago: its lock may be about to follow it there.
    void check_not_arriving(const std::string& path) const;
    // Refuses (conflict) releasing a lock whose file was renamed away a moment
    // ago and has not come back: a save in progress, or a rename to settle.
    void check_not_leaving(const std::string& path) const;
    // Refuses (conflict) releasing a lock whose working file is being restored.
    void check_not_being_restored(const std::string& path) const;

    Repository& repository_;
    CommitFiles files_;
    LockTable table_;
    AuditLog& audit_;
    const Clock& clock_;
    const FileIndex* index_ = nullptr;
    WaitingList waiting_;
    PendingMoves pending_moves_;
    RefusalLimiter refusals_;
    std::set<std::string> being_written_;  // per the watcher: written, not closed since
    std::multiset<std::string> being_restored_;  // reserved by begin_working_write
    std::function<bool(std::uint64_t)> waiter_alive_;
    std::vector<Undo> undo_;                        // changes not yet in a commit, oldest first
    std::vector<Undo> committing_undo_;             // changes in the commit being written
    std::vector<std::string> pending_audit_;        // audit lines not yet in a commit
    std::vector<std::string> committing_audit_;     // audit lines in the commit being written
    std::uint64_t durable_audit_bytes_;             // audit.jsonl up to here holds committed lines only
    bool committing_ = false;
    bool committing_record_ = false;                // the commit being written appends to the journal
    bool checkpoint_requested_ = false;
    bool journal_dirty_;                            // locks.journal holds records locks.json lacks
    bool rotation_failed_ = false;                  // the audit log's last rotation failed
    std::vector<Event> pending_events_;     // announced when their commit is durable
    std::vector<Event> committing_events_;
    std::function<void(const Event&)> event_sink_;
};

}  // namespace pdm

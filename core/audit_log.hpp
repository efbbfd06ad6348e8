// SPDX-License-Identifier: Apache-2.0
#pragma once
// audit.jsonl: one JSON object per line for every mutating request, granted or
// refused. Appends are durable before they return; queries read the file from
// its end, so the newest entries cost the least. The log is rotated by size
// (audit.jsonl.1, .2, ... newest first) and queries read the rotated files
// too, so disk use is bounded and nothing a query could find goes missing
// until it is rotated out.

#include <filesystem>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/state_dir.hpp"

namespace pdm {

// What an audit entry records ("op"): a request, or what the daemon saw.
enum class AuditOp {
    checkout,
    checkin,
    unlock,
    restore,
    move,                  // a lock followed its renamed file
    unlocked_write,        // a tracked file was written while nobody held its lock
    permissions_reverted,  // a change of owner, mode or ACL the daemon set back
};

// The name in audit.jsonl ("checkout"): the one place ops get names.
std::string_view audit_op_name(AuditOp op);

struct AuditQuery {
    std::optional<std::string> path;  // entries naming this path
    std::optional<std::string> user;  // entries by this user
    std::size_t limit = 100;
};

// True when an entry passes the query's path and user filters.
bool audit_entry_matches(const nlohmann::json& entry, const AuditQuery& query);

struct AuditRotation {
    std::uint64_t max_bytes = std::uint64_t{64} << 20;  // rotate once the file has grown past this
    std::size_t keep = 8;                               // rotated files kept; older ones are deleted
};

// The files of the log as they were when it was taken, for a query on any
// thread: rotation goes on meanwhile without disturbing it.
class AuditSnapshot {
public:
    // Matching entries, newest first, at most query.limit of them. Lines that
    // do not parse (a torn write after a crash) are skipped. Throws std::system_error.
    std::vector<nlohmann::json> query(const AuditQuery& query) const;

private:
    friend class AuditLog;
    std::shared_ptr<const DurableAppendFile> current_;
    std::uint64_t current_end_ = 0;  // only committed lines
    std::vector<std::shared_ptr<const DurableAppendFile>> rotated_;  // newest first
};

class AuditLog {
public:
    AuditLog(const StateDir& dir, const std::string& name = "audit.jsonl", AuditRotation rotation = {});

    // Appends one entry (an object with at least "time", "user", "op",
    // "outcome"). Throws std::system_error.
    void append(const nlohmann::json& entry);
    // The commit writer's calls: they may run on another thread than the
    // rest, never during rotate_if_needed(). Throw std::system_error.
    //
    // Appends complete lines ('\n'-terminated JSON objects) without waiting
    // for the disk: the lock journal holds them until flush(). Lines a
    // failed write left out are kept and go first next time, so the file
    // keeps the journal's order.
    void write_lines(std::string_view lines);
    // Writes what is kept, then makes the file durable. A failed flush is
    // remembered: the pages it could not write may be gone without a trace
    // (Linux marks them clean), so a later flush proves nothing until the
    // lines are written again (rewrite_from).
    void flush();
    bool flush_failed() const { return flush_failed_; }
    std::uint64_t size() const;
    // Where the next lines will begin: the file's size plus what is kept.
    std::uint64_t next_line_at() const { return size() + unwritten_.size(); }
    // Replaces everything from byte `at` (or from the end, when the file is
    // shorter) with `lines`: the journal's copy of what was written since
    // the last flush that worked. Flushed by the caller.
    void rewrite_from(std::uint64_t at, std::string_view lines);

    // Rotates when the file has grown past the limit: audit.jsonl becomes
    // audit.jsonl.1 (the older ones move up, the oldest beyond `keep` goes),
    // and a new audit.jsonl starts. Durable. Call between commits, on the
    // thread that owns the log. True when it rotated. Throws std::system_error.
    bool rotate_if_needed();

    // The current file has grown past the limit: the next rotate_if_needed() rotates it.
    bool wants_rotation() const { return file_->size() >= rotation_.max_bytes; }

    // What a query reads: the current file up to `end` bytes, then every
    // rotated file.
    AuditSnapshot snapshot(std::uint64_t end) const;

    // Matching entries among the first `end` bytes of the current file and
    // all rotated ones (see AuditSnapshot::query).
    std::vector<nlohmann::json> query(const AuditQuery& query, std::uint64_t end = UINT64_MAX) const {
        return snapshot(end).query(query);
    }

private:
    std::string rotated_name(std::size_t generation) const { return name_ + "." + std::to_string(generation); }
    // The rotated files from generation `first` on, newest first, skipping
    // any missing (an earlier rotation cut short).
    std::vector<std::shared_ptr<const DurableAppendFile>> open_rotated(std::size_t first) const;

    const StateDir& dir_;
    std::string name_;
    AuditRotation rotation_;
    std::shared_ptr<DurableAppendFile> file_;
    std::vector<std::shared_ptr<const DurableAppendFile>> rotated_;  // newest first
    std::string unwritten_;  // lines whose write failed, written before any later ones
    bool flush_failed_ = false;
};

}  // namespace pdm

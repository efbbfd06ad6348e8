// SPDX-License-Identifier: Apache-2.0
#pragma once
// The bytes one commit writes, taken from FileService on the event-loop
// thread and written by write_commit() on any thread: it touches only the
// files, never the in-memory state.

#include <optional>
#include <string>

#include "core/audit_log.hpp"
#include "core/lock_store.hpp"

namespace pdm {

struct CommitBatch {
    std::optional<std::string> locks_text;  // the whole new locks.json; nothing when unchanged
    std::string audit_lines;                // '\n'-terminated JSON objects
};

struct CommitFailure {
    std::string message;
    // The new locks.json is in place (its flush, or the audit append, failed):
    // the in-memory changes stand. Otherwise nothing of the batch was written.
    bool changes_kept = false;
    bool audit_appended = false;
};

// locks.json first (atomically replaced, flushed), then the audit lines
// (appended, flushed). Nothing on success. Never throws: every failure is a
// CommitFailure, since a commit that threw would leave the daemon's commit
// gate waiting forever (noexcept makes the compiler hold it to that).
std::optional<CommitFailure> write_commit(const CommitBatch& batch, const LockStore& store, AuditLog& audit) noexcept;

}  // namespace pdm

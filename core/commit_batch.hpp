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
    bool changes_kept = false;  // true: the locks were saved but the audit lines were not
};

// locks.json first (atomically replaced, flushed), then the audit lines
// (appended, flushed). Nothing on success.
std::optional<CommitFailure> write_commit(const CommitBatch& batch, const LockStore& store, AuditLog& audit);

}  // namespace pdm

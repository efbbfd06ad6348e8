// SPDX-License-Identifier: Apache-2.0
#pragma once
// What one commit writes, taken from FileService on the event-loop thread and
// written by write_commit() on any thread: it touches only the files, never
// the in-memory state.
//
// A commit costs one flush, whatever the size of the lock table: its record
// is appended to locks.journal and flushed (once that returns the batch is
// durable), then its audit lines are written to audit.jsonl, not flushed:
// the journal holds them, so a crash in between loses nothing, and no audit
// line ever describes a change that was not made. Now and then a commit also
// carries a checkpoint: the whole lock table, written to locks.json after
// the batch, when the journal is emptied.

#include <cstdint>
#include <optional>
#include <string>

#include "core/audit_log.hpp"
#include "core/lock_journal.hpp"
#include "core/lock_store.hpp"

namespace pdm {

// The files a commit writes. One writer at a time.
struct CommitFiles {
    LockJournal& journal;
    const LockStore& store;
    AuditLog& audit;
};

struct CommitBatch {
    JournalRecord record;  // its audit_at is set when it is written
    // The whole locks.json as of this batch, when a checkpoint is due.
    std::optional<std::string> checkpoint_text;
};

struct CommitResult {
    // Nothing of the batch is durable; the message says why. None: durable.
    std::optional<std::string> failure;
    std::uint64_t audit_end = 0;  // audit.jsonl up to here holds committed lines only
    // locks.json holds every change and the journal is empty: the moment the
    // audit log may rotate.
    bool checkpointed = false;
    std::optional<std::string> checkpoint_failure;  // the checkpoint failed; the journal keeps everything
    // The audit lines could not be written yet; the journal holds them and
    // the next write or checkpoint tries again. The batch is durable.
    std::optional<std::string> audit_failure;
};

// Writes the batch (see above), then the checkpoint if it carries one. Never
// throws: a commit that threw would leave the daemon's commit gate waiting
// forever (noexcept makes the compiler hold it to that).
CommitResult write_commit(CommitBatch& batch, CommitFiles files) noexcept;

// Makes everything durable in locks.json and empties the journal: audit.jsonl
// flushed (its lines written again from the journal first if a flush
// failed before), locks.json replaced by `locks_text`, the journal cleared,
// in that order (a crash between steps leaves the journal to replay;
// replaying a record twice changes nothing). Throws std::system_error.
void write_checkpoint(const std::string& locks_text, CommitFiles files);

struct JournalReplay {
    std::size_t records = 0;       // records replayed
    std::uint64_t torn_bytes = 0;  // a torn last record cut off (never acknowledged)
};

// At start, over the table loaded from locks.json: applies the journal's
// records, writes their audit lines again from where the first began, and
// checkpoints when there was anything, so the daemon serves from an
// empty journal. Throws std::system_error.
JournalReplay replay_journal(LockTable& table, CommitFiles files);

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// locks.journal: the write-ahead log of lock changes. A commit appends one
// record (what the batch did to the lock table, and its audit lines) and
// flushes once; that flush is what a reply waits for. locks.json is
// rewritten from memory at a checkpoint (at most a second later, and at a
// clean stop), after which the journal starts empty again. At start the
// daemon loads locks.json and replays the journal over it.
//
// One record per line: eight hex digits of CRC-32C, a space, a JSON object,
// a newline. A crash mid-append leaves a torn last record, never
// acknowledged: it is cut off. A damaged record followed by whole ones is
// damage on disk, not a crash: the journal then refuses to open.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lock_table.hpp"
#include "core/state_dir.hpp"

namespace pdm {

struct JournalRecord {
    // Each path the batch changed, with its lock after the batch (none: released).
    std::vector<std::pair<std::string, std::optional<Lock>>> locks;
    std::uint64_t audit_at = 0;  // where audit_lines begin in audit.jsonl
    std::string audit_lines;     // '\n'-terminated JSON objects

    bool empty() const { return locks.empty() && audit_lines.empty(); }
    bool operator==(const JournalRecord&) const = default;

    // Sets and erases this record's locks in `table`.
    void apply_to(LockTable& table) const;
};

// One line, newline included.
std::string encode_journal_record(const JournalRecord& record);
// The record of one line (without its newline); nothing when the line is not
// a whole, valid record.
std::optional<JournalRecord> decode_journal_record(std::string_view line);

class LockJournal {
public:
    // A journal that has grown this large means checkpoints keep failing (see
    // the log); changes are refused from then on rather than let it grow
    // without bound.
    static constexpr std::uint64_t default_max_bytes = std::uint64_t{64} << 20;

    // Opens (creating) `name` in `dir` and reads its records, cutting off a
    // torn tail (bytes after the last whole record with no newline among
    // them: one record a crash cut short). Anything else after the whole
    // records is damage on disk: throws LockFileError, leaving the file
    // untouched, unless `aside` names where to move it; then the whole
    // records before the damage are kept to replay and a new journal starts.
    // Throws std::system_error for I/O.
    explicit LockJournal(const StateDir& dir, std::string name = "locks.journal",
                         const std::optional<std::string>& aside = std::nullopt,
                         std::uint64_t max_bytes = default_max_bytes);

    const std::filesystem::path& file() const { return file_->path(); }
    // The records found when it was opened, oldest first.
    const std::vector<JournalRecord>& recovered() const { return recovered_; }
    // Bytes of a torn last record cut off when it was opened.
    std::uint64_t torn_bytes() const { return torn_bytes_; }
    // Where the damaged journal went (when it was opened with `aside`).
    const std::optional<std::filesystem::path>& moved_aside() const { return moved_aside_; }
    bool empty() const { return file_->size() == 0; }

    // Durable before it returns; all or nothing. Throws std::system_error.
    void append(const JournalRecord& record);
    // Every record in the file now, oldest first. Throws std::system_error.
    std::vector<JournalRecord> read_records() const;
    // Empties the journal, durably (after a checkpoint). Throws std::system_error.
    void clear();

private:
    std::unique_ptr<DurableAppendFile> file_;
    std::uint64_t max_bytes_;
    std::vector<JournalRecord> recovered_;
    std::uint64_t torn_bytes_ = 0;
    std::optional<std::filesystem::path> moved_aside_;
};

}  // namespace pdm

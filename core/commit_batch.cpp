// SPDX-License-Identifier: Apache-2.0
#include "core/commit_batch.hpp"

#include <exception>

namespace pdm {

namespace {

// Puts the audit lines of `records` back in audit.jsonl where the first of
// them began: written since the last flush that worked, they may be missing
// or torn there, or only in pages a failed flush dropped.
void rewrite_audit_lines(const std::vector<JournalRecord>& records, AuditLog& audit) {
    std::optional<std::uint64_t> at;
    std::string lines;
    for (const JournalRecord& record : records) {
        if (record.audit_lines.empty()) continue;
        if (!at) at = record.audit_at;
        lines += record.audit_lines;
    }
    if (at) audit.rewrite_from(*at, lines);
}

}  // namespace

void write_checkpoint(const std::string& locks_text, CommitFiles files) {
    if (files.audit.flush_failed()) rewrite_audit_lines(files.journal.read_records(), files.audit);
    files.audit.flush();
    files.store.save_text(locks_text);
    files.journal.clear();
}

CommitResult write_commit(CommitBatch& batch, CommitFiles files) noexcept {
    CommitResult result;
    try {
        result.audit_end = files.audit.size();
        if (batch.record.empty()) {
            // Nothing to append: only a checkpoint, below.
        } else {
            batch.record.audit_at = files.audit.next_line_at();
            files.journal.append(batch.record);
        }
    } catch (const std::exception& error) {
        result.failure = std::string("cannot save the change; nothing was changed: ") + error.what();
        return result;
    }
    if (!batch.record.audit_lines.empty()) {
        try {
            files.audit.write_lines(batch.record.audit_lines);
        } catch (const std::exception& error) {
            result.audit_failure = error.what();
        }
        try {
            result.audit_end = files.audit.size();
        } catch (const std::exception&) {
            // Queries keep reading up to where they did.
        }
    }
    if (batch.checkpoint_text) {
        try {
            write_checkpoint(*batch.checkpoint_text, files);
            result.checkpointed = true;
        } catch (const std::exception& error) {
            result.checkpoint_failure = error.what();
        }
        try {
            result.audit_end = files.audit.size();  // the checkpoint wrote any lines kept back
        } catch (const std::exception&) {
            // Queries keep reading up to where they did.
        }
    }
    return result;
}

JournalReplay replay_journal(LockTable& table, CommitFiles files) {
    JournalReplay replay{files.journal.recovered().size(), files.journal.torn_bytes()};
    for (const JournalRecord& record : files.journal.recovered()) record.apply_to(table);
    rewrite_audit_lines(files.journal.recovered(), files.audit);
    if (replay.records > 0) write_checkpoint(table.to_json_text(), files);
    return replay;
}

}  // namespace pdm

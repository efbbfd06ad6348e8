// SPDX-License-Identifier: Apache-2.0
#include "core/commit_batch.hpp"

#include <exception>

namespace pdm {

void write_checkpoint(const std::string& locks_text, CommitFiles files) {
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
    }
    return result;
}

JournalReplay replay_journal(LockTable& table, CommitFiles files) {
    JournalReplay replay{files.journal.recovered().size(), files.journal.torn_bytes()};
    for (const JournalRecord& record : files.journal.recovered()) {
        record.apply_to(table);
        if (!record.audit_lines.empty()) files.audit.restore_lines(record.audit_at, record.audit_lines);
    }
    if (replay.records > 0) write_checkpoint(table.to_json_text(), files);
    return replay;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/commit_batch.hpp"

#include <exception>

#include "core/state_dir.hpp"

namespace pdm {

std::optional<CommitFailure> write_commit(const CommitBatch& batch, const LockStore& store, AuditLog& audit) noexcept {
    std::optional<CommitFailure> failure;
    if (batch.locks_text) {
        try {
            store.save_text(*batch.locks_text);
        } catch (const RenamedButNotFlushed& error) {
            failure = CommitFailure{std::string("the lock table was replaced but could not be flushed to disk: ") +
                                        error.what(),
                                    true, false};
        } catch (const std::exception& error) {
            return CommitFailure{std::string("could not save the lock table; nothing was changed: ") + error.what(),
                                 false, false};
        } catch (...) {
            return CommitFailure{"could not save the lock table; nothing was changed", false, false};
        }
    }
    if (!batch.audit_lines.empty()) {
        try {
            audit.append_lines(batch.audit_lines);
            if (failure) failure->audit_appended = true;
        } catch (const std::exception& error) {
            if (!failure) {
                failure = CommitFailure{
                    "the change was made and saved, but could not be written to the audit log: " +
                        std::string(error.what()),
                    true, false};
            }
        } catch (...) {
            if (!failure) failure = CommitFailure{"the change was made and saved, but not audited", true, false};
        }
    }
    return failure;
}

}  // namespace pdm

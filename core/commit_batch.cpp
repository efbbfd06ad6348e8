#include "core/commit_batch.hpp"

#include <system_error>

namespace pdm {

std::optional<CommitFailure> write_commit(const CommitBatch& batch, const LockStore& store, AuditLog& audit) {
    if (batch.locks_text) {
        try {
            store.save_text(*batch.locks_text);
        } catch (const std::system_error& error) {
            return CommitFailure{std::string("could not save the lock table; nothing was changed: ") + error.what(),
                                 false};
        }
    }
    if (!batch.audit_lines.empty()) {
        try {
            audit.append_lines(batch.audit_lines);
        } catch (const std::system_error& error) {
            return CommitFailure{
                "the change was made and saved, but could not be written to the audit log: " + std::string(error.what()),
                true};
        }
    }
    return std::nullopt;
}

}  // namespace pdm

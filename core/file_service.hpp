#pragma once
// What check-out, check-in and unlock mean. The one owner of the lock table:
// every mutation is validated as a whole, applied, made durable in locks.json
// and recorded in the audit log before the call returns, so a caller that
// replies after it returns never acknowledges a change a crash could lose.
//
// Not thread-safe: the daemon calls it from its single event-loop thread.

#include <optional>
#include <string>
#include <vector>

#include "core/audit_log.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/identity.hpp"
#include "core/lock_store.hpp"
#include "core/lock_table.hpp"
#include "core/repository.hpp"

namespace pdm {

struct FileEntry {
    FileStat file;
    std::optional<Lock> lock;
};

enum class LockStatus { available, checked_out };

struct ListFilter {
    std::optional<LockStatus> status;
    std::optional<std::string> user;   // only files locked by this user
    std::optional<std::string> match;  // a Glob pattern
};

// A lock released by checkin or unlock, and whether an admin broke it.
struct ReleasedLock {
    LockRecord record;
    bool broken = false;  // released by someone other than its owner
};

class FileService {
public:
    FileService(Repository& repository, LockStore& store, LockTable table, AuditLog& audit,
                const Clock& clock);

    std::vector<FileEntry> list(const ListFilter& filter) const;
    FileEntry info(const std::string& path) const;
    std::vector<LockRecord> locks(const std::optional<std::string>& user) const;
    std::vector<nlohmann::json> audit(const AuditQuery& query) const;

    // All-or-nothing: either every path is locked for the caller, or none is
    // and PdmError says why (invalid_path, not_found, conflict).
    std::vector<LockRecord> checkout(const Identity& who, const std::vector<std::string>& paths,
                                     const std::string& message);

    // Releases the caller's own locks, all or none: conflict when a path is not
    // checked out, forbidden when someone else holds it.
    std::vector<ReleasedLock> checkin(const Identity& who, const std::vector<std::string>& paths,
                                      const std::string& message);

    // Like checkin but records no check-in; with `force`, an admin may release
    // anyone's lock.
    std::vector<ReleasedLock> unlock(const Identity& who, const std::vector<std::string>& paths,
                                     bool force);

    // Audits a mutating request refused before it reached the methods above
    // (a malformed request); the methods audit their own outcomes.
    void record_refusal(const Identity& who, const std::string& op,
                        const std::vector<std::string>& paths, const std::string& message,
                        const PdmError& error);

    std::size_t lock_count() const { return table_.size(); }

private:
    std::vector<std::string> normalize_all(const std::vector<std::string>& paths) const;
    std::vector<ReleasedLock> release(const Identity& who, const std::string& op,
                                      const std::vector<std::string>& paths,
                                      const std::string& message, bool force);
    void persist_or_roll_back(const std::vector<LockRecord>& before,
                              const std::vector<std::string>& added);
    void record(const Identity& who, const std::string& op, const std::vector<std::string>& paths,
                const std::string& message, const std::string& outcome, nlohmann::json extra);

    Repository& repository_;
    LockStore& store_;
    LockTable table_;
    AuditLog& audit_;
    const Clock& clock_;
};

}  // namespace pdm

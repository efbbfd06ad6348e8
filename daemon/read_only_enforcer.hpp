#pragma once
// Keeps the write permissions of tracked files in step with their locks
// (--enforce-readonly): a file nobody has checked out is read-only; a
// checked-out one is writable by its lock's owner only. It acts on durable
// events, before the replies that report them are sent, so a client told
// "checked out" can open the file for writing at once, and a lock whose
// commit failed never opened a file.
//
// Failures (a file the daemon may not change, an owner with no account) are
// logged, never fatal: the lock still stands, and `info` shows that the disk
// does not match it.

#include <string>

#include "core/event.hpp"
#include "core/file_permissions.hpp"
#include "core/file_service.hpp"

namespace pdm::daemon {

class ReadOnlyEnforcer {
public:
    ReadOnlyEnforcer(const FilePermissions& permissions, const FileService& service)
        : permissions_(permissions), service_(service) {}

    // Sets every tracked file's permissions from its lock (at start).
    void reconcile(const std::vector<std::string>& paths) const;
    // Follows one event: a lock taken, released or moved, a file that appeared
    // or was written while nobody held it.
    void observe(const Event& event) const;
    // Sets one file's permissions from its lock again: a new file took its
    // name, or its permissions were changed behind the daemon's back.
    void repair(const std::string& path) const { match_lock(path); }

private:
    void match_lock(const std::string& path, const std::string& previous_owner = "") const;

    const FilePermissions& permissions_;
    const FileService& service_;
};

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Keeps the owners and write permissions of tracked files in step with their
// locks (--enforce): a file nobody has checked out is read-only (and, with
// ownership enforcement, the daemon's); a checked-out one is writable by its
// lock's owner only. It acts on durable events, before the replies that
// report them are sent, so a client told "checked out" can open the file for
// writing at once, and a lock whose commit failed never opened a file. A
// change someone else made to a file's owner, mode or ACL is set back as soon
// as the watcher reports it, and audited.
//
// Failures (a file the daemon may not change, an owner with no account) are
// logged, never fatal: the lock still stands, and `info` shows that the disk
// does not match it.

#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/file_permissions.hpp"
#include "core/file_service.hpp"

namespace pdm::daemon {

class ReadOnlyEnforcer {
public:
    ReadOnlyEnforcer(const FilePermissions& permissions, FileService& service)
        : permissions_(permissions), service_(service) {}

    // At start: every folder others may write becomes sticky, and every
    // tracked file's permissions are set from its lock.
    void reconcile(const std::vector<std::string>& folders, const std::vector<std::string>& files) const;
    // Follows one event: a lock taken, released or moved, a file that appeared
    // or was written while nobody held it.
    void observe(const Event& event) const;
    // A file took a new identity at a guarded name, its owner, mode or ACL
    // changed, or a folder appeared: set it from its lock again. A change
    // that had to be undone is audited; returns true when it was (the caller
    // commits).
    bool repair(const std::string& path) const;

private:
    PermissionChanges match_lock(const std::string& path, const std::string& previous_owner = "") const;

    const FilePermissions& permissions_;
    FileService& service_;
};

}  // namespace pdm::daemon

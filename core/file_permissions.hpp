// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who may write a tracked file on disk. Read-only enforcement keeps every file
// that is not checked out unwritable, and lets only its lock's owner write a
// checked-out one. Two strengths:
//
//   ownership  The daemon owns every file nobody has checked out (mode
//              read-only) and hands the file to the lock holder at check-out,
//              so nobody but root can make an available file writable again:
//              only a file's owner may change its mode. Needs CAP_CHOWN.
//   mode       Only the write bits and ACL entries change; the owner of a file
//              can chmod it back (for a per-user daemon that cannot chown).
//
// One implementation per platform: file_permissions_posix.cpp (owners, mode
// bits and POSIX ACLs); a Windows twin uses the file's owner and DACL.

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "core/account_cache.hpp"
#include "core/open_beneath.hpp"

namespace pdm {

enum class Enforcement { off, mode, ownership };

// "off", "mode", "ownership".
std::string_view enforcement_name(Enforcement enforcement);

// What the permissions of a file allow, as far as the daemon can tell.
struct WriteAccess {
    bool anyone = false;  // some write permission is granted (any write bit, any ACL write)
    bool user = false;    // the named user may write
    std::string owner;    // the file's owner (account name, or the number when it has none)
};

// What a call changed on disk ("owner alice -> pdmd", "mode 0664 -> 0444",
// "ACL"); empty when the file already matched.
using PermissionChanges = std::vector<std::string>;

class FilePermissions {
public:
    // `enforcement` is mode or ownership (off: nothing constructs one). Opens
    // the repository root once (RepositoryRoot); throws std::system_error.
    FilePermissions(std::filesystem::path root, Enforcement enforcement);

    // Whether this process may give files away (root, or CAP_CHOWN), and
    // why, in words for the log and `hello`.
    struct OwnershipAbility {
        bool able = false;
        std::string why;
    };
    static OwnershipAbility can_change_owners();

    // Nobody may write: every write bit and every ACL entry's write goes, and
    // `previous_owner`'s own ACL entry when it has one. With ownership, the
    // daemon's user becomes the file's owner.
    PermissionChanges make_read_only(const std::string& path, const std::string& previous_owner = "") const;

    // `user` may write, nobody else. With ownership, `user` becomes the file's
    // owner (owner write bit); with mode, the owner write bit when `user`
    // owns the file, otherwise an ACL entry for `user` (and a mask that lets
    // it through).
    PermissionChanges make_writable_for(const std::string& path, const std::string& user) const;

    WriteAccess inspect(const std::string& path, const std::string& user) const;

    // All of the above take a normalised repository path, never follow a
    // symbolic link (in the path or at its end), act only on regular files
    // with a single name, and throw std::system_error when the file cannot
    // be opened or changed.

    // A folder others may write gets the sticky bit, so that nobody can
    // delete or rename a file in it that they do not own (creating files stays
    // allowed). "" is the repository root. True when it was set now.
    bool make_folder_sticky(const std::string& folder) const;

    // True when the file at `path` is still exactly as the last
    // make_read_only or make_writable_for that changed its mode left it: the
    // same file, owner and mode bits, and so no ACL entry that lets anyone
    // write (POSIX: one stat, no open; Windows: always false). The watcher
    // reports each of the daemon's own changes back to it: this tells that
    // report apart from someone else's change without redoing the whole
    // comparison. Asking forgets what was left, so one report is taken for
    // it at most. make_read_only, make_writable_for and this are called from
    // one thread (the event loop): a change and what it left are one step.
    bool is_as_left(const std::string& path) const;

    Enforcement enforcement() const { return enforcement_; }
    const RepositoryRoot& root() const { return root_; }

private:
    // `left`: the file as a change left it (FileInfo with the new mode).
    void remember_left(const std::string& path, const std::optional<FileInfo>& left) const;

    RepositoryRoot root_;
    Enforcement enforcement_;
    mutable AccountCache accounts_;
    mutable std::mutex left_mutex_;
    mutable std::unordered_map<std::string, FileInfo> left_;
};

}  // namespace pdm

#pragma once
// Who may write a tracked file on disk. Read-only enforcement keeps every file
// that is not checked out unwritable, and lets only its lock's owner write a
// checked-out one, so a user who forgot to check out finds out before saving,
// not after overwriting a colleague's work.
//
// One implementation per platform: file_permissions_posix.cpp (mode bits and
// POSIX ACLs); a Windows twin would use the file's DACL.

#include <filesystem>
#include <string>

namespace pdm {

// What the permissions of a file allow, as far as the daemon can tell.
struct WriteAccess {
    bool anyone = false;  // some write permission is granted (any write bit, any ACL write)
    bool user = false;    // the named user may write
};

class FilePermissions {
public:
    explicit FilePermissions(std::filesystem::path root) : root_(std::move(root)) {}

    // Every write permission goes: the write bits of owner, group and others
    // (with an ACL, the group bits are its mask, so named users and groups
    // lose write too), and `previous_owner`'s own ACL entry when it has one.
    void make_read_only(const std::string& path, const std::string& previous_owner = "") const;

    // `user` may write: the owner write bit when `user` owns the file,
    // otherwise an ACL entry for `user` (and a mask that lets it through).
    void make_writable_for(const std::string& path, const std::string& user) const;

    WriteAccess inspect(const std::string& path, const std::string& user) const;

    // All three take a normalised repository path, never follow a symbolic
    // link (in the path or at its end), act only on regular files, and throw
    // std::system_error when the file cannot be opened or changed.

private:
    std::filesystem::path root_;
};

}  // namespace pdm

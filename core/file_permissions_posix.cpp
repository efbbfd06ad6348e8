// SPDX-License-Identifier: Apache-2.0
#include "core/file_permissions.hpp"

#include "core/open_beneath.hpp"

#include <acl/libacl.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace pdm {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

class Acl {
public:
    explicit Acl(acl_t acl) : acl_(acl) {}
    Acl(const Acl&) = delete;
    Acl& operator=(const Acl&) = delete;
    ~Acl() {
        if (acl_) acl_free(acl_);
    }
    acl_t& get() { return acl_; }

private:
    acl_t acl_;
};

// The file itself (O_PATH needs no read permission on it: the daemon changes
// modes it could not read), and a path naming the opened inode for calls
// that take a path.
struct TargetFile {
    OpenedFile opened;
    std::string proc_path;
};

TargetFile open_regular_file(const RepositoryRoot& root, const std::string& path) {
    TargetFile file{open_beneath(root, path, FileAccess::inspect), {}};
    // Another name of the file may lie outside the repository: its
    // permissions are not the daemon's to change.
    if (file.opened.info.links > 1) {
        errno = EMLINK;
        fail("'" + path + "' has " + std::to_string(file.opened.info.links) +
             " names (hard links); its permissions are left alone");
    }
    file.proc_path = "/proc/self/fd/" + std::to_string(file.opened.handle.native());
    return file;
}

uid_t uid_of(const std::string& user, AccountCache& accounts) {
    const auto now = AccountCache::Clock::now();
    if (const std::optional<std::uint32_t> known = accounts.id_of(user, now)) return *known;
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    const int error = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (error != 0 || !found) {
        errno = error != 0 ? error : ENOENT;
        fail("no account named '" + user + "'");
    }
    // Kept under the database's own spelling: a lookup that also accepts
    // another (an alias, another letter case) must not rename the account.
    accounts.remember(found->pw_name, found->pw_uid, now);
    return found->pw_uid;
}

std::string name_of(uid_t uid, AccountCache& accounts) {
    const auto now = AccountCache::Clock::now();
    if (std::optional<std::string> known = accounts.name_of(uid, now)) return std::move(*known);
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return std::to_string(uid);
    accounts.remember(found->pw_name, uid, now);
    return found->pw_name;
}

std::string octal(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// The file's access ACL, or none when it has only mode bits. Most files have
// none: one getxattr that finds nothing is cheaper than libacl's read of it.
acl_t access_acl_of(const std::string& proc_path) {
    if (::getxattr(proc_path.c_str(), "system.posix_acl_access", nullptr, 0) < 0 && errno == ENODATA) return nullptr;
    return acl_get_file(proc_path.c_str(), ACL_TYPE_ACCESS);
}

bool has_write(acl_entry_t entry) {
    acl_permset_t permissions;
    return acl_get_permset(entry, &permissions) == 0 && acl_get_perm(permissions, ACL_WRITE) == 1;
}

std::optional<uid_t> named_user(acl_entry_t entry) {
    acl_tag_t tag;
    if (acl_get_tag_type(entry, &tag) != 0 || tag != ACL_USER) return std::nullopt;
    void* qualifier = acl_get_qualifier(entry);
    if (!qualifier) return std::nullopt;
    const uid_t uid = *static_cast<uid_t*>(qualifier);
    acl_free(qualifier);
    return uid;
}

// What a file's access should become.
struct Wanted {
    std::optional<uid_t> owner;   // give the file to this user (ownership enforcement)
    std::optional<uid_t> writer;  // the one user who may write; nobody when empty
    std::optional<uid_t> forget;  // drop this user's named ACL entry
};

// Gives the file its owner, then rewrites who may write: only `writer`, and
// nobody else. Read and execute permissions are kept. `left` is what a change
// of plain mode bits left on disk, for the watcher's report of it.
PermissionChanges set_access(const RepositoryRoot& root, const std::string& path, const Wanted& wanted,
                             AccountCache& accounts, std::optional<FileInfo>& left) {
    left.reset();
    const TargetFile file = open_regular_file(root, path);
    const std::string where = "'" + path + "'";
    PermissionChanges changes;
    FileInfo status = file.opened.info;
    if (wanted.owner && *wanted.owner != status.owner) {
        if (::chown(file.proc_path.c_str(), *wanted.owner, static_cast<gid_t>(-1)) != 0)
            fail("cannot give " + where + " to " + name_of(*wanted.owner, accounts));
        changes.push_back("owner " + name_of(status.owner, accounts) + " -> " + name_of(*wanted.owner, accounts));
        // A change of owner clears set-user-ID bits: read the mode again.
        status = info_of(file.opened.handle);
    }
    const bool owner_writes = wanted.writer && *wanted.writer == status.owner;
    Acl acl(access_acl_of(file.proc_path));
    const bool extended = acl.get() && acl_equiv_mode(acl.get(), nullptr) != 0;
    const bool needs_entry = wanted.writer && !owner_writes;
    if (!extended && !needs_entry) {
        // Plain mode bits: the common case, one chmod.
        const mode_t mode = (status.mode & 07777 & ~mode_t{0222}) | (owner_writes ? S_IWUSR : 0);
        if (mode != (status.mode & 07777)) {
            if (::chmod(file.proc_path.c_str(), mode) != 0) fail("cannot change the mode of " + where);
            changes.push_back("mode " + octal(status.mode) + " -> " + octal(mode));
        }
        if (!changes.empty()) {
            left = status;
            left->mode = (status.mode & ~mode_t{07777}) | mode;
        }
        return changes;
    }
    // No ACL yet: libacl makes one of the mode bits, for the writer's entry.
    if (!acl.get()) acl.get() = acl_get_file(file.proc_path.c_str(), ACL_TYPE_ACCESS);
    if (!acl.get()) fail("cannot read the ACL of " + where);
    Acl before(acl_dup(acl.get()));
    std::vector<acl_entry_t> dropped;
    bool writer_has_entry = false;
    acl_entry_t entry;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag;
        if (acl_get_tag_type(entry, &tag) != 0) fail("cannot read the ACL of " + where);
        acl_permset_t permissions;
        if (acl_get_permset(entry, &permissions) != 0) fail("cannot read the ACL of " + where);
        const std::optional<uid_t> uid = named_user(entry);
        if (uid && wanted.forget && *uid == *wanted.forget && !(wanted.writer && *uid == *wanted.writer)) {
            dropped.push_back(entry);
            continue;
        }
        const bool writes =
            (tag == ACL_USER_OBJ && owner_writes) || (needs_entry && uid && *uid == *wanted.writer);
        if (needs_entry && uid && *uid == *wanted.writer) writer_has_entry = true;
        if (tag == ACL_MASK) continue;  // recalculated below
        if (writes) {
            acl_add_perm(permissions, ACL_READ);
            acl_add_perm(permissions, ACL_WRITE);
        } else {
            acl_delete_perm(permissions, ACL_WRITE);
        }
        if (acl_set_permset(entry, permissions) != 0) fail("cannot change the ACL of " + where);
    }
    for (acl_entry_t gone : dropped) {
        if (acl_delete_entry(acl.get(), gone) != 0) fail("cannot change the ACL of " + where);
    }
    if (needs_entry && !writer_has_entry) {
        acl_entry_t added;
        acl_permset_t permissions;
        if (acl_create_entry(&acl.get(), &added) != 0 || acl_set_tag_type(added, ACL_USER) != 0 ||
            acl_set_qualifier(added, &*wanted.writer) != 0 || acl_get_permset(added, &permissions) != 0 ||
            acl_clear_perms(permissions) != 0 || acl_add_perm(permissions, ACL_READ) != 0 ||
            acl_add_perm(permissions, ACL_WRITE) != 0 || acl_set_permset(added, permissions) != 0)
            fail("cannot add an ACL entry to " + where);
    }
    if (acl_calc_mask(&acl.get()) != 0) fail("cannot change the ACL of " + where);
    if (before.get() && acl_cmp(before.get(), acl.get()) == 0) return changes;
    if (acl_set_file(file.proc_path.c_str(), ACL_TYPE_ACCESS, acl.get()) != 0)
        fail("cannot change the ACL of " + where);
    changes.push_back("ACL");
    return changes;
}

std::optional<uid_t> uid_if_known(const std::string& user, AccountCache& accounts) {
    if (user.empty()) return std::nullopt;
    try {
        return uid_of(user, accounts);
    } catch (const std::system_error&) {
        return std::nullopt;  // the account is gone: it has no entry worth removing by name
    }
}

}  // namespace

void FilePermissions::remember_left(const std::string& path, const std::optional<FileInfo>& left) const {
    const std::lock_guard lock(left_mutex_);
    if (!left) {
        left_.erase(path);
        return;
    }
    if (left_.size() >= 4096) left_.clear();  // e.g. the first start made thousands of files read-only
    left_.insert_or_assign(path, *left);
}

bool FilePermissions::is_as_left(const std::string& path) const {
    std::optional<FileInfo> left;
    {
        const std::lock_guard lock(left_mutex_);
        const auto found = left_.find(path);
        if (found == left_.end()) return false;
        left = found->second;
        left_.erase(found);
    }
    struct stat status {};
    if (::fstatat(static_cast<int>(root_.handle().native()), path.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    // An ACL entry that lets anyone write needs a mask with the write bit,
    // and the mask shows as the group bits of the mode: with the mode as
    // left, nobody was given a write.
    return S_ISREG(status.st_mode) && status.st_nlink == 1 && status.st_dev == left->device &&
           status.st_ino == left->id && (status.st_mode & 07777) == (left->mode & 07777) && status.st_uid == left->owner;
}

FilePermissions::FilePermissions(std::filesystem::path root, Enforcement enforcement)
    : root_(std::move(root)), enforcement_(enforcement) {}

FilePermissions::OwnershipAbility FilePermissions::can_change_owners() {
    if (::geteuid() == 0) return {true, "pdmd runs as root"};
    // CapEff: the effective capabilities in hex; CAP_CHOWN is bit 0.
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (!line.starts_with("CapEff:")) continue;
        const unsigned long long capabilities = std::stoull(line.substr(7), nullptr, 16);
        if (capabilities & 1) return {true, "pdmd has CAP_CHOWN"};
    }
    AccountCache asked_once;
    return {false, "pdmd runs as " + name_of(::geteuid(), asked_once) + " without CAP_CHOWN, so it cannot give files away"};
}

PermissionChanges FilePermissions::make_read_only(const std::string& path, const std::string& previous_owner) const {
    // What was remembered of the file is forgotten first: what set_access
    // finds already right, or fails on, is not known to be what it left.
    remember_left(path, std::nullopt);
    Wanted wanted;
    if (enforcement_ == Enforcement::ownership) wanted.owner = ::geteuid();
    wanted.forget = uid_if_known(previous_owner, accounts_);
    std::optional<FileInfo> left;
    PermissionChanges changes = set_access(root_, path, wanted, accounts_, left);
    remember_left(path, left);
    return changes;
}

PermissionChanges FilePermissions::make_writable_for(const std::string& path, const std::string& user) const {
    remember_left(path, std::nullopt);  // as in make_read_only, before anything can throw
    Wanted wanted;
    wanted.writer = uid_of(user, accounts_);
    if (enforcement_ == Enforcement::ownership) wanted.owner = wanted.writer;
    std::optional<FileInfo> left;
    PermissionChanges changes = set_access(root_, path, wanted, accounts_, left);
    remember_left(path, left);
    return changes;
}

WriteAccess FilePermissions::inspect(const std::string& path, const std::string& user) const {
    const TargetFile file = open_regular_file(root_, path);
    std::optional<uid_t> uid;
    if (!user.empty()) uid = uid_of(user, accounts_);
    const std::string owner = name_of(file.opened.info.owner, accounts_);
    const mode_t mode = file.opened.info.mode;
    const auto from_mode = [&]() -> WriteAccess {
        return {(mode & 0222) != 0, uid && *uid == file.opened.info.owner && (mode & S_IWUSR) != 0, owner};
    };
    // With an ACL, the mode's group bits are its mask: without write there, no
    // named entry can write, and the mode alone answers (no getxattr).
    if ((mode & S_IWGRP) == 0) return from_mode();
    Acl acl(access_acl_of(file.proc_path));
    if (!acl.get() || acl_equiv_mode(acl.get(), nullptr) == 0) return from_mode();
    // With an ACL, the mask limits every entry of the group class.
    bool mask_writes = true;
    acl_entry_t entry;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag;
        if (acl_get_tag_type(entry, &tag) == 0 && tag == ACL_MASK) mask_writes = has_write(entry);
    }
    WriteAccess access;
    access.owner = owner;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag;
        if (acl_get_tag_type(entry, &tag) != 0 || tag == ACL_MASK) continue;
        const bool group_class = tag != ACL_USER_OBJ && tag != ACL_OTHER;
        const bool writes = has_write(entry) && (!group_class || mask_writes);
        if (!writes) continue;
        access.anyone = true;
        if (tag == ACL_USER_OBJ && uid && *uid == file.opened.info.owner) access.user = true;
        if (tag == ACL_USER && uid && named_user(entry) == uid) access.user = true;
    }
    return access;
}

bool FilePermissions::make_folder_sticky(const std::string& folder) const {
    const FileHandle handle = open_folder_beneath(root_, folder);
    const FileInfo status = info_of(handle);
    if (!status.folder || (status.mode & 0022) == 0 || (status.mode & S_ISVTX)) return false;
    const std::string proc_path = "/proc/self/fd/" + std::to_string(handle.native());
    if (::chmod(proc_path.c_str(), (status.mode & 07777) | S_ISVTX) != 0)
        fail("cannot set the sticky bit of the folder '" + folder + "'");
    return true;
}

}  // namespace pdm

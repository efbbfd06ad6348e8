#include "core/file_permissions.hpp"

#include "core/open_beneath.hpp"

#include <acl/libacl.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

TargetFile open_regular_file(const std::filesystem::path& root, const std::string& path) {
    TargetFile file{open_beneath(root, path, O_PATH), {}};
    // Another name of the file may lie outside the repository: its
    // permissions are not the daemon's to change.
    if (file.opened.status.st_nlink > 1) {
        errno = EMLINK;
        fail("'" + path + "' has " + std::to_string(file.opened.status.st_nlink) +
             " names (hard links); its permissions are left alone");
    }
    file.proc_path = "/proc/self/fd/" + std::to_string(file.opened.fd.get());
    return file;
}

uid_t uid_of(const std::string& user) {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    const int error = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (error != 0 || !found) {
        errno = error != 0 ? error : ENOENT;
        fail("no account named '" + user + "'");
    }
    return found->pw_uid;
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

// Rewrites who may write: only `writer` (when given), and nobody else; the
// named entry of `forget` is dropped. Read and execute permissions are kept.
void set_writer(const std::filesystem::path& root, const std::string& path, std::optional<uid_t> writer,
                std::optional<uid_t> forget) {
    const TargetFile file = open_regular_file(root, path);
    const std::string where = "'" + path + "'";
    const bool owner_writes = writer && *writer == file.opened.status.st_uid;
    Acl acl(acl_get_file(file.proc_path.c_str(), ACL_TYPE_ACCESS));
    const bool extended = acl.get() && acl_equiv_mode(acl.get(), nullptr) != 0;
    const bool needs_entry = writer && !owner_writes;
    if (!extended && !needs_entry) {
        // Plain mode bits: the common case, one chmod.
        const mode_t mode = (file.opened.status.st_mode & 07777 & ~mode_t{0222}) | (owner_writes ? S_IWUSR : 0);
        if (mode != (file.opened.status.st_mode & 07777) && ::chmod(file.proc_path.c_str(), mode) != 0)
            fail("cannot change the mode of " + where);
        return;
    }
    if (!acl.get()) fail("cannot read the ACL of " + where);
    std::vector<acl_entry_t> dropped;
    bool writer_has_entry = false;
    acl_entry_t entry;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag;
        if (acl_get_tag_type(entry, &tag) != 0) fail("cannot read the ACL of " + where);
        acl_permset_t permissions;
        if (acl_get_permset(entry, &permissions) != 0) fail("cannot read the ACL of " + where);
        const std::optional<uid_t> uid = named_user(entry);
        if (uid && forget && *uid == *forget && !(writer && *uid == *writer)) {
            dropped.push_back(entry);
            continue;
        }
        const bool writes = (tag == ACL_USER_OBJ && owner_writes) || (needs_entry && uid && *uid == *writer);
        if (needs_entry && uid && *uid == *writer) writer_has_entry = true;
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
            acl_set_qualifier(added, &*writer) != 0 || acl_get_permset(added, &permissions) != 0 ||
            acl_clear_perms(permissions) != 0 || acl_add_perm(permissions, ACL_READ) != 0 ||
            acl_add_perm(permissions, ACL_WRITE) != 0 || acl_set_permset(added, permissions) != 0)
            fail("cannot add an ACL entry to " + where);
    }
    if (acl_calc_mask(&acl.get()) != 0) fail("cannot change the ACL of " + where);
    if (acl_set_file(file.proc_path.c_str(), ACL_TYPE_ACCESS, acl.get()) != 0)
        fail("cannot change the ACL of " + where);
}

}  // namespace

void FilePermissions::make_read_only(const std::string& path, const std::string& previous_owner) const {
    std::optional<uid_t> forget;
    if (!previous_owner.empty()) {
        try {
            forget = uid_of(previous_owner);
        } catch (const std::system_error&) {
            // The account is gone: it has no entry worth removing by name.
        }
    }
    set_writer(root_, path, std::nullopt, forget);
}

void FilePermissions::make_writable_for(const std::string& path, const std::string& user) const {
    set_writer(root_, path, uid_of(user), std::nullopt);
}

WriteAccess FilePermissions::inspect(const std::string& path, const std::string& user) const {
    const TargetFile file = open_regular_file(root_, path);
    std::optional<uid_t> uid;
    if (!user.empty()) uid = uid_of(user);
    Acl acl(acl_get_file(file.proc_path.c_str(), ACL_TYPE_ACCESS));
    if (!acl.get() || acl_equiv_mode(acl.get(), nullptr) == 0) {
        const mode_t mode = file.opened.status.st_mode;
        return {(mode & 0222) != 0, uid && *uid == file.opened.status.st_uid && (mode & S_IWUSR) != 0};
    }
    // With an ACL, the mask limits every entry of the group class.
    bool mask_writes = true;
    acl_entry_t entry;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag;
        if (acl_get_tag_type(entry, &tag) == 0 && tag == ACL_MASK) mask_writes = has_write(entry);
    }
    WriteAccess access;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag;
        if (acl_get_tag_type(entry, &tag) != 0 || tag == ACL_MASK) continue;
        const bool group_class = tag != ACL_USER_OBJ && tag != ACL_OTHER;
        const bool writes = has_write(entry) && (!group_class || mask_writes);
        if (!writes) continue;
        access.anyone = true;
        if (tag == ACL_USER_OBJ && uid && *uid == file.opened.status.st_uid) access.user = true;
        if (tag == ACL_USER && uid && named_user(entry) == uid) access.user = true;
    }
    return access;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
// Read-only enforcement on Windows: a file nobody has checked out carries the
// read-only attribute, which every program honours; at check-out the
// attribute goes and the lock owner gets an explicit ACL entry allowing
// writes; at check-in the attribute returns and that entry goes. Like the
// POSIX `mode` strength, anyone who may change the file's attributes can
// lift the attribute again; the watcher reports it and pdmd puts it back
// (permissions_reverted). Windows has no sticky bit: who may delete entries
// of a folder is its DACL's business, left to the administrator.
#include <windows.h>
#include <aclapi.h>

#include <cerrno>
#include <memory>
#include <system_error>

#include "core/file_handle_win.hpp"
#include "core/file_permissions.hpp"
#include "core/win_security.hpp"
#include "core/win_text.hpp"

namespace pdm {
namespace {

constexpr DWORD write_rights = FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL;
// What the lock owner's entry allows: write and delete the file (a save that
// renames it away needs DELETE).
constexpr DWORD owner_entry_rights = FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE;

// The file, checked as every repository file is (no links, a regular file,
// one name), opened again with the rights to change its attributes and DACL.
FileHandle open_for_permissions(const RepositoryRoot& root, const std::string& path) {
    const OpenedFile file = open_beneath(root, path, FileAccess::inspect);
    // Another name of the file may lie outside the repository: its
    // permissions are not the daemon's to change.
    if (file.info.links > 1)
        throw std::system_error(EMLINK, std::generic_category(),
                                "'" + path + "' has " + std::to_string(file.info.links) +
                                    " names (hard links); its permissions are left alone");
    const HANDLE again = ReOpenFile(win::raw(file.handle),
                                    FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | READ_CONTROL | WRITE_DAC,
                                    win::share_all, FILE_FLAG_OPEN_REPARSE_POINT);
    if (again == INVALID_HANDLE_VALUE) win::throw_last_error("cannot open '" + path + "' to change who may write it");
    return FileHandle(reinterpret_cast<FileHandle::Native>(again));
}

DWORD attributes_of(const FileHandle& file) {
    FILE_BASIC_INFO basic{};
    if (!GetFileInformationByHandleEx(win::raw(file), FileBasicInfo, &basic, sizeof basic))
        win::throw_last_error("cannot read a file's attributes");
    return basic.FileAttributes;
}

// Returns true when the attribute changed.
bool set_read_only(const FileHandle& file, bool read_only, const std::string& path) {
    FILE_BASIC_INFO basic{};
    if (!GetFileInformationByHandleEx(win::raw(file), FileBasicInfo, &basic, sizeof basic))
        win::throw_last_error("cannot read the attributes of '" + path + "'");
    const DWORD wanted = read_only ? (basic.FileAttributes | FILE_ATTRIBUTE_READONLY)
                                   : (basic.FileAttributes & ~static_cast<DWORD>(FILE_ATTRIBUTE_READONLY));
    if (wanted == basic.FileAttributes) return false;
    basic.FileAttributes = wanted == 0 ? FILE_ATTRIBUTE_NORMAL : wanted;
    // Zero times mean "leave as they are".
    basic.CreationTime.QuadPart = basic.LastAccessTime.QuadPart = basic.LastWriteTime.QuadPart =
        basic.ChangeTime.QuadPart = 0;
    if (!SetFileInformationByHandle(win::raw(file), FileBasicInfo, &basic, sizeof basic))
        win::throw_last_error("cannot change the attributes of '" + path + "'");
    return true;
}

struct Dacl {
    PACL acl = nullptr;
    std::unique_ptr<void, win::LocalFreeDeleter> descriptor;
};

Dacl dacl_of(const FileHandle& file, const std::string& path) {
    PACL acl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    const DWORD result = GetSecurityInfo(win::raw(file), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                         &acl, nullptr, &descriptor);
    if (result != ERROR_SUCCESS) throw win::error(result, "cannot read who may use '" + path + "'");
    return {acl, std::unique_ptr<void, win::LocalFreeDeleter>(descriptor)};
}

// Rebuilds the DACL's explicit entries for `user`: none when `rights` is 0,
// else one allowing `rights`. Inherited entries stay. Returns true when it changed.
bool set_user_entry(const FileHandle& file, PSID user, DWORD rights, const std::string& path) {
    const Dacl current = dacl_of(file, path);
    bool present = false;
    bool exact = false;
    for (const win::AllowedEntry& entry : win::allowed_entries(current.acl)) {
        if ((entry.flags & INHERITED_ACE) || !EqualSid(entry.sid, user)) continue;
        exact = !present && entry.rights == rights;
        present = true;
    }
    if ((rights == 0 && !present) || (rights != 0 && exact)) return false;
    EXPLICIT_ACCESSW access{};
    access.grfAccessPermissions = rights;
    access.grfAccessMode = rights == 0 ? REVOKE_ACCESS : SET_ACCESS;
    access.grfInheritance = NO_INHERITANCE;
    access.Trustee.TrusteeForm = TRUSTEE_IS_SID;
    access.Trustee.TrusteeType = TRUSTEE_IS_USER;
    access.Trustee.ptstrName = static_cast<LPWSTR>(user);
    PACL updated = nullptr;
    DWORD result = SetEntriesInAclW(1, &access, current.acl, &updated);
    if (result != ERROR_SUCCESS) throw win::error(result, "cannot change who may write '" + path + "'");
    const std::unique_ptr<void, win::LocalFreeDeleter> owned(updated);
    result = SetSecurityInfo(win::raw(file), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, updated,
                             nullptr);
    if (result != ERROR_SUCCESS) throw win::error(result, "cannot change who may write '" + path + "'");
    return true;
}

win::Sid required_sid(const std::string& user) {
    std::optional<win::Sid> sid = win::sid_of(user);
    if (!sid) throw std::system_error(EINVAL, std::generic_category(), "no account is named '" + user + "'");
    return *sid;
}

}  // namespace

FilePermissions::FilePermissions(std::filesystem::path root, Enforcement enforcement)
    : root_(std::move(root)), enforcement_(enforcement) {}

FilePermissions::OwnershipAbility FilePermissions::can_change_owners() {
    return {false, "on Windows pdmd keeps files read-only with their attribute and ACL entries; it does not "
                   "take files over"};
}

PermissionChanges FilePermissions::make_read_only(const std::string& path, const std::string& previous_owner) const {
    const FileHandle file = open_for_permissions(root_, path);
    PermissionChanges changes;
    if (!previous_owner.empty()) {
        if (const std::optional<win::Sid> sid = win::sid_of(previous_owner);
            sid && set_user_entry(file, win::sid_pointer(*sid), 0, path))
            changes.push_back("ACL");
    }
    if (set_read_only(file, true, path)) changes.push_back("attribute read-only");
    return changes;
}

PermissionChanges FilePermissions::make_writable_for(const std::string& path, const std::string& user) const {
    const FileHandle file = open_for_permissions(root_, path);
    const win::Sid sid = required_sid(user);
    PermissionChanges changes;
    if (set_read_only(file, false, path)) changes.push_back("attribute writable");
    if (set_user_entry(file, win::sid_pointer(sid), owner_entry_rights, path)) changes.push_back("ACL");
    return changes;
}

WriteAccess FilePermissions::inspect(const std::string& path, const std::string& user) const {
    const FileHandle file = open_for_permissions(root_, path);
    WriteAccess access;
    PSID owner = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (GetSecurityInfo(win::raw(file), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner, nullptr, nullptr, nullptr,
                        &descriptor) == ERROR_SUCCESS) {
        access.owner = owner ? win::account_of(owner) : "";
        LocalFree(descriptor);
    }
    // The read-only attribute stops every writer, whatever the DACL allows.
    if (attributes_of(file) & FILE_ATTRIBUTE_READONLY) return access;
    const Dacl dacl = dacl_of(file, path);
    const std::optional<win::Sid> user_sid = user.empty() ? std::nullopt : win::sid_of(user);
    if (!dacl.acl) {  // no DACL: everyone may do anything
        access.anyone = true;
        access.user = user_sid.has_value();
        return access;
    }
    for (const win::AllowedEntry& entry : win::allowed_entries(dacl.acl)) {
        if ((entry.flags & INHERIT_ONLY_ACE) || (entry.rights & write_rights) == 0) continue;
        access.anyone = true;
        if (user_sid && EqualSid(entry.sid, win::sid_pointer(*user_sid))) access.user = true;
    }
    return access;
}

bool FilePermissions::make_folder_sticky(const std::string&) const { return false; }

// A DACL has no short summary like POSIX mode bits: every report is compared in full.
bool FilePermissions::is_as_left(const std::string&) const { return false; }

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
// The state folder on Windows: held open for the daemon's life, denying
// renames and deletion, so its path always reaches the same folder; files in
// it are replaced with MoveFileExW(MOVEFILE_WRITE_THROUGH) after a
// FlushFileBuffers; the one-daemon lock is LockFileEx, which Windows releases
// when the process ends however it ends. Who may write it is read from its
// DACL, as the POSIX twin reads the mode bits.
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

#include "core/file_handle_win.hpp"
#include "core/state_dir.hpp"
#include "core/win_retry.hpp"
#include "core/win_security.hpp"
#include "core/win_text.hpp"

namespace fs = std::filesystem;

namespace pdm {
namespace {

// Rights that let their holder change what a folder holds, or who may.
constexpr DWORD folder_write_rights = FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY | FILE_DELETE_CHILD | DELETE | WRITE_DAC |
                                      WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL;

bool is_well_known(PSID sid, WELL_KNOWN_SID_TYPE type) { return IsWellKnownSid(sid, type) != FALSE; }

// SYSTEM, Administrators, and the daemon's own user may own and write the
// state dir; so may CREATOR OWNER entries (they stand for the creator).
bool trusted(PSID sid, PSID self) {
    return EqualSid(sid, self) || is_well_known(sid, WinLocalSystemSid) || is_well_known(sid, WinBuiltinAdministratorsSid) ||
           is_well_known(sid, WinCreatorOwnerSid) || is_well_known(sid, WinCreatorOwnerRightsSid);
}

// The first account other than the trusted ones that `rights` of the DACL
// of `folder` let through; "" when there is none. A missing DACL lets everyone.
std::string untrusted_writer(const FileHandle& folder, DWORD rights, PSID self) {
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    const DWORD result = GetSecurityInfo(win::raw(folder), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                         nullptr, &dacl, nullptr, &descriptor);
    if (result != ERROR_SUCCESS) throw win::error(result, "cannot read who may write the folder");
    const std::unique_ptr<void, win::LocalFreeDeleter> owned(descriptor);
    if (!dacl) return "Everyone (the folder has no access control list)";
    for (const win::AllowedEntry& entry : win::allowed_entries(dacl)) {
        if (!(entry.flags & INHERIT_ONLY_ACE) && (entry.rights & rights) != 0 && !trusted(entry.sid, self))
            return win::account_of(entry.sid);
    }
    return "";
}

// Owner-only folder: the daemon's user, SYSTEM and Administrators, nothing inherited.
std::unique_ptr<void, win::LocalFreeDeleter> private_folder_descriptor(PSID self) {
    wchar_t* self_text = nullptr;
    if (!ConvertSidToStringSidW(self, &self_text)) win::throw_last_error("cannot describe this process' user");
    const std::wstring sddl = L"D:P(A;OICI;FA;;;" + std::wstring(self_text) + L")(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
    LocalFree(self_text);
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr))
        win::throw_last_error("cannot describe a private folder");
    return std::unique_ptr<void, win::LocalFreeDeleter>(descriptor);
}

void write_all(const FileHandle& file, std::string_view bytes, std::uint64_t offset, const std::string& what) {
    while (!bytes.empty()) {
        OVERLAPPED at{};
        at.Offset = static_cast<DWORD>(offset);
        at.OffsetHigh = static_cast<DWORD>(offset >> 32);
        DWORD written = 0;
        const DWORD piece = static_cast<DWORD>(bytes.size() < (1u << 30) ? bytes.size() : (1u << 30));
        if (!WriteFile(win::raw(file), bytes.data(), piece, &written, &at)) win::throw_last_error(what);
        bytes.remove_prefix(written);
        offset += written;
    }
}

bool truncate(const FileHandle& file, std::uint64_t size) {
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    return SetFileInformationByHandle(win::raw(file), FileEndOfFileInfo, &end, sizeof end);
}

// Renames or deletes with POSIX semantics (Windows 10 1607 and later): the
// name changes at once even while the file is open elsewhere (with
// FILE_SHARE_DELETE), as a rotated audit log is by the queries reading it.
// False when the file system does not offer them; GetLastError() tells.
// Their classes, as Windows numbers them (mingw's headers name them only
// for a _WIN32_WINNT above any real version).
constexpr auto file_disposition_info_ex = static_cast<FILE_INFO_BY_HANDLE_CLASS>(21);
constexpr auto file_rename_info_ex = static_cast<FILE_INFO_BY_HANDLE_CLASS>(22);

bool rename_open_file(const std::wstring& from, const std::wstring& to) {
    const FileHandle file = win::open_path(from, DELETE | SYNCHRONIZE, win::share_all, OPEN_EXISTING, win::no_follow);
    if (!file.valid()) return false;
    std::vector<unsigned char> buffer(sizeof(FILE_RENAME_INFO) + to.size() * sizeof(wchar_t));
    auto* rename = reinterpret_cast<FILE_RENAME_INFO*>(buffer.data());
    rename->Flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS;
    rename->RootDirectory = nullptr;
    rename->FileNameLength = static_cast<DWORD>(to.size() * sizeof(wchar_t));
    std::copy(to.begin(), to.end(), rename->FileName);
    return SetFileInformationByHandle(win::raw(file), file_rename_info_ex, rename, static_cast<DWORD>(buffer.size()));
}

bool delete_open_file(const std::wstring& path) {
    const FileHandle file = win::open_path(path, DELETE | SYNCHRONIZE, win::share_all, OPEN_EXISTING, win::no_follow);
    if (!file.valid()) return false;
    FILE_DISPOSITION_INFO_EX disposition{FILE_DISPOSITION_FLAG_DELETE | FILE_DISPOSITION_FLAG_POSIX_SEMANTICS};
    return SetFileInformationByHandle(win::raw(file), file_disposition_info_ex, &disposition, sizeof disposition);
}

}  // namespace

StateDir::StateDir(const fs::path& path) : path_(fs::absolute(path).lexically_normal()) {
    const win::Sid self_sid = win::process_user_sid();
    const PSID self = win::sid_pointer(self_sid);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path_, ec))) {
        fs::create_directories(path_.parent_path(), ec);
        const auto descriptor = private_folder_descriptor(self);
        SECURITY_ATTRIBUTES attributes{sizeof attributes, descriptor.get(), FALSE};
        if (!CreateDirectoryW(path_.c_str(), &attributes) && GetLastError() != ERROR_ALREADY_EXISTS) {
            throw std::runtime_error("cannot create the state dir " + path_.string() + ": " +
                                     win::error(GetLastError(), "").code().message());
        }
    }
    folder_ = win::open_path(path_.native(), FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | READ_CONTROL, win::pinned,
                             OPEN_EXISTING, win::no_follow);
    if (!folder_.valid()) {
        const DWORD error = GetLastError();
        if (error == ERROR_SHARING_VIOLATION)
            throw std::runtime_error("the state dir " + path_.string() + " is in use by another program");
        throw std::runtime_error("cannot open the state dir " + path_.string() + ": " + win::error(error, "").code().message());
    }
    FILE_ATTRIBUTE_TAG_INFO tag{};
    if (!GetFileInformationByHandleEx(win::raw(folder_), FileAttributeTagInfo, &tag, sizeof tag) ||
        (tag.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) || !(tag.FileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        throw std::runtime_error("the state dir " + path_.string() + " is a symbolic link or not a folder");

    PSID owner = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    const DWORD result = GetSecurityInfo(win::raw(folder_), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner,
                                         nullptr, nullptr, nullptr, &descriptor);
    if (result != ERROR_SUCCESS)
        throw std::runtime_error("cannot inspect " + path_.string() + ": " + win::error(result, "").code().message());
    const std::unique_ptr<void, win::LocalFreeDeleter> owned(descriptor);
    if (owner && !trusted(owner, self)) {
        throw std::runtime_error("the state dir " + path_.string() + " belongs to " + win::account_of(owner) +
                                 ", not to the daemon's user (" + win::account_of(self) +
                                 "); another user could forge or replace its files");
    }
    const std::string writer = untrusted_writer(folder_, folder_write_rights, self);
    if (!writer.empty()) {
        throw std::runtime_error("the state dir " + path_.string() + " is writable by " + writer +
                                 "; run: icacls \"" + path_.string() + "\" /inheritance:r /grant:r \"" +
                                 win::account_of(self) + ":(OI)(CI)F\" SYSTEM:(OI)(CI)F Administrators:(OI)(CI)F");
    }
    // Whoever may delete entries of the folder holding the state dir may
    // rename it away (between two runs) and put a forged one in its place.
    const FileHandle parent = win::open_path(path_.parent_path().native(), READ_CONTROL, win::share_all, OPEN_EXISTING,
                                             FILE_FLAG_BACKUP_SEMANTICS);
    if (parent.valid()) {
        const std::string renamer = untrusted_writer(parent, FILE_DELETE_CHILD | GENERIC_ALL, self);
        if (!renamer.empty()) {
            throw std::runtime_error(renamer + " may delete and rename entries of " + path_.parent_path().string() +
                                     ", which holds the state dir, so they could put a forged one in its place; "
                                     "choose a --state-dir outside it, such as %ProgramData%\\pdmd");
        }
    }
}

StateDir::~StateDir() = default;

std::filesystem::path StateDir::handle_path(const std::string& name) const {
    // The folder is held open denying renames: its path reaches it.
    return path_.native() + L"\\" + win::wide(name);
}

void StateDir::lock_for_this_process(const std::string& name) {
    const std::wstring full = path_.native() + L"\\" + win::wide(name);
    FileHandle file = win::open_path(full, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                     OPEN_ALWAYS, FILE_FLAG_OPEN_REPARSE_POINT);
    if (!file.valid()) throw std::runtime_error("cannot open " + (path_ / name).string() + ": " +
                                                win::error(GetLastError(), "").code().message());
    // The lock covers one byte far past the pid, so others can still read it.
    OVERLAPPED beyond{};
    beyond.OffsetHigh = 0x100;
    if (!LockFileEx(win::raw(file), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &beyond)) {
        if (GetLastError() == ERROR_LOCK_VIOLATION) {
            char buffer[32] = {};
            const std::size_t got = pdm::read_at(file, 0, buffer, sizeof buffer - 1);
            std::string pid(buffer, got);
            while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ' || pid.back() == '\r')) pid.pop_back();
            throw std::runtime_error("another pdmd (" + (pid.empty() ? "unknown pid" : "pid " + pid) +
                                     ") is already running on state dir " + path_.string());
        }
        throw std::runtime_error("cannot lock " + (path_ / name).string() + ": " +
                                 win::error(GetLastError(), "").code().message());
    }
    const std::string pid = std::to_string(GetCurrentProcessId()) + "\n";
    truncate(file, 0);
    write_all(file, pid, 0, "cannot write " + (path_ / name).string());
    lock_ = std::move(file);
}

void StateDir::replace_file(const std::string& name, std::string_view contents) const {
    const std::wstring temp = path_.native() + L"\\" + win::wide(name + ".tmp");
    const std::wstring target = path_.native() + L"\\" + win::wide(name);
    const std::string shown = (path_ / (name + ".tmp")).string();
    DeleteFileW(temp.c_str());  // a leftover, or a link planted there: deleting removes the link itself
    {
        const FileHandle file = win::open_path(temp, GENERIC_WRITE, 0, CREATE_NEW, FILE_ATTRIBUTE_NORMAL);
        if (!file.valid()) win::throw_last_error("cannot create " + shown);
        write_all(file, contents, 0, "cannot write " + shown);
        flush(file);
    }
    const bool replaced = win::retry_while_in_use(
        [&] { return MoveFileExW(temp.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH); });
    if (!replaced) win::throw_last_error("cannot replace " + (path_ / name).string());
}

std::string StateDir::read_file(const std::string& name) const {
    const std::string shown = (path_ / name).string();
    const FileHandle file = win::open_path(path_.native() + L"\\" + win::wide(name), GENERIC_READ, win::share_all,
                                           OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT);
    if (!file.valid()) win::throw_last_error("cannot open " + shown);
    if (!info_of(file).regular) throw std::system_error(ELOOP, std::generic_category(), shown + " is not a regular file");
    std::string contents;
    char buffer[65536];
    for (std::uint64_t offset = 0;;) {
        const std::size_t got = pdm::read_at(file, offset, buffer, sizeof buffer);
        if (got == 0) break;
        contents.append(buffer, got);
        offset += got;
    }
    return contents;
}

void StateDir::rename(const std::string& from, const std::string& to) const {
    const std::wstring source = path_.native() + L"\\" + win::wide(from);
    const std::wstring target = path_.native() + L"\\" + win::wide(to);
    if (MoveFileExW(source.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return;
    // The target is open somewhere (a query reading an older audit file).
    const DWORD error = GetLastError();
    if (error != ERROR_ACCESS_DENIED || !rename_open_file(source, target))
        throw win::error(error, "cannot rename " + (path_ / from).string());
}

void StateDir::remove(const std::string& name) const {
    const std::wstring full = path_.native() + L"\\" + win::wide(name);
    // With POSIX semantics the name goes at once, even while the file is open.
    if (delete_open_file(full)) return;
    if (!DeleteFileW(full.c_str()) && GetLastError() != ERROR_FILE_NOT_FOUND)
        win::throw_last_error("cannot remove " + (path_ / name).string());
}

FileHandle StateDir::open_for_append(const std::string& name) const {
    // Shared in every way: the audit log is renamed while open (rotation),
    // and opened again while a query holds it. Who may open it at all is the
    // private folder's DACL's business.
    FileHandle file = win::open_path(path_.native() + L"\\" + win::wide(name), GENERIC_READ | GENERIC_WRITE,
                                     win::share_all, OPEN_ALWAYS, FILE_FLAG_OPEN_REPARSE_POINT);
    if (!file.valid()) win::throw_last_error("cannot open " + (path_ / name).string());
    if (!info_of(file).regular)
        throw std::system_error(ELOOP, std::generic_category(), (path_ / name).string() + " is not a regular file");
    return file;
}

void DurableAppendFile::write(std::string_view bytes) {
    require_whole();
    const std::uint64_t before = size_;
    try {
        // One writer: appending is writing at the end it knows.
        write_all(file_, bytes, before, "cannot append to " + path_.string());
    } catch (const std::system_error&) {
        // Cut off a partial append so the next one does not continue a torn line.
        if (!pdm::truncate(file_, before)) broken_ = true;
        throw;
    }
    size_ = before + bytes.size();
}

void DurableAppendFile::flush() { pdm::flush(file_); }

void DurableAppendFile::truncate(std::uint64_t size) {
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    if (!SetFileInformationByHandle(win::raw(file_), FileEndOfFileInfo, &end, sizeof end))
        win::throw_last_error("cannot truncate " + path_.string());
    size_ = size;
    flush();
    broken_ = false;  // whatever was torn is gone
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
// Windows has no openat: each folder on the way is opened by its full path,
// without following a reparse point (symbolic link, junction, mount point),
// and held open, denying others to rename or delete it, until the next one
// is open. A folder held so cannot be renamed, nor any folder above it, so
// the next path reaches beneath the very folder just checked.
#include <windows.h>

#include <cerrno>
#include <system_error>

#include "core/file_handle_win.hpp"
#include "core/open_beneath.hpp"
#include "core/win_text.hpp"

namespace pdm {
namespace {

// How folders on the way are held: enough to list and pass through them.
constexpr DWORD folder_access = FILE_LIST_DIRECTORY | FILE_TRAVERSE | FILE_READ_ATTRIBUTES;

[[noreturn]] void fail(int code, const std::string& what) { throw std::system_error(code, std::generic_category(), what); }

// Opens `path` (full) without following a link there: a name surrogate
// (symbolic link, junction, mount point) is refused as ELOOP, after `what`.
// A file stored elsewhere by a filter driver (deduplicated, a cloud
// placeholder) is opened again through the filter, which serves its
// contents: opened as the reparse point itself, it reads as the bytes the
// filter left on disk, not the file.
FileHandle open_no_follow(const std::wstring& path, DWORD access, DWORD share, const std::string& what) {
    FileHandle handle = win::open_path(path, access, share, OPEN_EXISTING, win::no_follow);
    if (!handle.valid()) win::throw_last_error(what);
    switch (win::reparse_kind_of(handle)) {
    case win::ReparseKind::none:
        return handle;
    case win::ReparseKind::name_surrogate:
        fail(ELOOP, what + ": a symbolic link or junction is in the way");
    case win::ReparseKind::stored_elsewhere:
        break;
    }
    // Closed first, since its share mode may deny a second opening; the name
    // may then be taken by another file, so it must still be the same one.
    const FileInfo first = info_of(handle);
    handle = FileHandle();
    FileHandle through = win::open_path(path, access, share, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS);
    if (!through.valid()) win::throw_last_error(what);
    const FileInfo again = info_of(through);
    if (again.device != first.device || again.id != first.id ||
        win::reparse_kind_of(through) == win::ReparseKind::name_surrogate)
        fail(ELOOP, what + ": it was replaced while it was opened");
    return through;
}

std::wstring native_of(const std::string& path) {
    std::wstring native = win::wide(path);
    for (wchar_t& c : native) {
        if (c == L'/') c = L'\\';
    }
    return native;
}

// Walks from `root` to the folder holding `path`, one folder at a time,
// holding each; the last folder is opened with `last_access`. Returns it and
// its full path.
struct HeldFolder {
    FileHandle handle;
    std::wstring path;
};
HeldFolder walk_to_parent(const RepositoryRoot& root, const std::string& path, DWORD last_access) {
    const std::string where = "'" + path + "'";
    const std::size_t last_slash = path.rfind('/');
    HeldFolder folder{{}, root.path().native()};
    while (!folder.path.empty() && (folder.path.back() == L'\\' || folder.path.back() == L'/')) folder.path.pop_back();
    folder.handle = open_no_follow(folder.path, last_slash == std::string::npos ? last_access : folder_access,
                                   win::pinned, "cannot open the repository " + root.path().string());
    std::size_t start = 0;
    for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        const std::wstring next_path = folder.path + L"\\" + native_of(path.substr(start, slash - start));
        FileHandle next = open_no_follow(next_path, slash == last_slash ? last_access : folder_access,
                                         win::pinned, "cannot open the folder of " + where);
        if (!info_of(next).folder) fail(ENOTDIR, "cannot open the folder of " + where + ": not a folder");
        folder = {std::move(next), next_path};
    }
    return folder;
}

std::string leaf_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

// One folder at a time, whatever is asked: Windows has no call that resolves a path and refuses reparse points.
RepositoryRoot::RepositoryRoot(std::filesystem::path path, Resolution) : path_(std::move(path)) {
    // Held for the daemon's life, denying renames: the repository stays where it was found.
    handle_ = win::open_path(path_.native(), folder_access, win::pinned, OPEN_EXISTING, win::no_follow);
    if (!handle_.valid()) win::throw_last_error("cannot open the repository " + path_.string());
    if (!info_of(handle_).folder) fail(ENOTDIR, "the repository " + path_.string() + " is not a folder");
}

OpenedFile open_beneath(const RepositoryRoot& root, const std::string& path, FileAccess access) {
    const std::string where = "'" + path + "'";
    const HeldFolder folder = walk_to_parent(root, path, folder_access);
    const DWORD rights = access == FileAccess::inspect ? FILE_READ_ATTRIBUTES | READ_CONTROL
                         : access == FileAccess::read  ? GENERIC_READ
                                                       : GENERIC_WRITE;
    // Sharing everything: the daemon looking at a file must not make a
    // user's save fail. ReadLease asks for more when it must.
    OpenedFile file{open_no_follow(folder.path + L"\\" + native_of(leaf_of(path)), rights, win::share_all,
                                   "cannot open " + where),
                    {}};
    file.info = info_of(file.handle);
    if (!file.info.regular) fail(EINVAL, where + " is not a regular file");
    return file;
}

OpenedFolder open_parent_beneath(const RepositoryRoot& root, const std::string& path) {
    return {walk_to_parent(root, path, folder_access).handle,
            leaf_of(path)};
}

FileHandle open_folder_beneath(const RepositoryRoot& root, const std::string& folder) {
    return walk_to_parent(root, folder.empty() ? std::string("-") : folder + "/-", folder_access | READ_CONTROL)
        .handle;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the Windows platform files share about handles (Windows only).

#include <windows.h>

#include <string>

#include "core/file_handle.hpp"

namespace pdm::win {

inline HANDLE raw(const FileHandle& file) { return reinterpret_cast<HANDLE>(file.native()); }

// CreateFileW, as a FileHandle (invalid on failure; GetLastError() tells why).
FileHandle open_path(const std::wstring& path, DWORD access, DWORD share, DWORD disposition, DWORD flags);

// Never follows a link at the end of the path (it opens the link itself),
// and opens folders too.
constexpr DWORD no_follow = FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS;
// Others may read and write, but not rename or delete it while it is open:
// what keeps a folder in place while the daemon works beneath it.
constexpr DWORD pinned = FILE_SHARE_READ | FILE_SHARE_WRITE;
constexpr DWORD share_all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Reparse points come in two kinds. A name surrogate (a symbolic link, a
// junction, a mount point: IsReparseTagNameSurrogate) names another file,
// and a path through one could lead out of the repository: refused, as
// symbolic links are on Linux. Any other reparse point is the file itself,
// stored another way by a filter driver (a file of Windows Server's Data
// Deduplication, a OneDrive or SharePoint placeholder, a WOF-compressed
// file): read through the filter, as any program does.
enum class ReparseKind { none, name_surrogate, stored_elsewhere };
ReparseKind reparse_kind(DWORD attributes, DWORD tag);
// The kind of the open file (throws std::system_error).
ReparseKind reparse_kind_of(const FileHandle& file);

// The path an open file or folder has now (without the \\?\ prefix when
// it is a plain drive path). Throws std::system_error.
std::wstring path_of(const FileHandle& file);

}  // namespace pdm::win

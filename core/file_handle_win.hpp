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

// The path an open file or folder has now (without the \\?\ prefix when
// it is a plain drive path). Throws std::system_error.
std::wstring path_of(const FileHandle& file);

}  // namespace pdm::win

// SPDX-License-Identifier: Apache-2.0
#include <windows.h>

#include "core/file_handle.hpp"
#include "core/file_handle_win.hpp"
#include "core/utf8_path.hpp"
#include "core/win_text.hpp"

namespace pdm {
namespace {

HANDLE handle_of(const FileHandle& file) { return win::raw(file); }

}  // namespace

FileHandle::~FileHandle() {
    if (valid()) CloseHandle(reinterpret_cast<HANDLE>(native_));
}

FileInfo info_of(const FileHandle& file) {
    BY_HANDLE_FILE_INFORMATION status{};
    if (!GetFileInformationByHandle(handle_of(file), &status)) win::throw_last_error("cannot inspect an open file");
    FileInfo info;
    info.size = (static_cast<std::uint64_t>(status.nFileSizeHigh) << 32) | status.nFileSizeLow;
    info.links = status.nNumberOfLinks;
    info.device = status.dwVolumeSerialNumber;
    info.id = (static_cast<std::uint64_t>(status.nFileIndexHigh) << 32) | status.nFileIndexLow;
    const DWORD attributes = status.dwFileAttributes;
    info.folder = (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    // The reparse tag is asked for only when there is one: most files have none.
    const bool link = (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 &&
                      win::reparse_kind_of(file) == win::ReparseKind::name_surrogate;
    info.regular = !info.folder && !link && GetFileType(handle_of(file)) == FILE_TYPE_DISK;
    // Windows has no mode bits; the read-only attribute is the nearest thing.
    info.mode = (attributes & FILE_ATTRIBUTE_READONLY) ? 0444 : 0666;
    return info;
}

NameStatus status_of_name(const std::filesystem::path& path) {
    // std::filesystem's own answers, which the folder scan reads too: one
    // call each (Windows has no single call that tells all four without
    // opening the file).
    namespace fs = std::filesystem;
    std::error_code ec;
    NameStatus result;
    const fs::file_status status = fs::symlink_status(path, ec);
    if (ec) return result;
    switch (status.type()) {
        case fs::file_type::not_found: return result;
        case fs::file_type::regular: result.kind = NameStatus::Kind::regular; break;
        case fs::file_type::directory: result.kind = NameStatus::Kind::folder; break;
        case fs::file_type::symlink: result.kind = NameStatus::Kind::link; return result;
        default: result.kind = NameStatus::Kind::other; return result;
    }
    if (result.kind != NameStatus::Kind::regular) return result;
    result.size = fs::file_size(path, ec);
    if (!ec) result.links = fs::hard_link_count(path, ec);
    const auto mtime = fs::last_write_time(path, ec);
    if (ec) return {};  // gone meanwhile
    result.mtime = std::chrono::time_point_cast<TimePoint::duration>(std::chrono::file_clock::to_sys(mtime));
    return result;
}

std::size_t read_at(const FileHandle& file, std::uint64_t offset, char* out, std::size_t length) {
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(offset);
    at.OffsetHigh = static_cast<DWORD>(offset >> 32);
    DWORD got = 0;
    const DWORD wanted = static_cast<DWORD>(length < (1u << 30) ? length : (1u << 30));
    if (!ReadFile(handle_of(file), out, wanted, &got, &at)) {
        if (GetLastError() == ERROR_HANDLE_EOF) return 0;
        win::throw_last_error("cannot read a file");
    }
    return got;
}

void flush(const FileHandle& file) {
    if (!FlushFileBuffers(handle_of(file))) win::throw_last_error("cannot flush a file to disk");
}

void flush_written(const std::filesystem::path& folder, const std::vector<std::string>& names) {
    // Windows cannot flush a whole volume without administrator rights: each
    // file written is opened again and flushed. Flushing takes write access,
    // which a read-only file (git's objects are) refuses until the attribute
    // is lifted for the moment.
    for (const std::string& name : names) {
        const std::filesystem::path path = folder / path_from_utf8(name);
        const DWORD attributes = GetFileAttributesW(path.c_str());
        if (attributes == INVALID_FILE_ATTRIBUTES) {
            // Named but not there: an object git keeps in a pack (after a
            // `git gc`), durable since it was packed.
            const DWORD error = GetLastError();
            if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) continue;
            throw win::error(error, "cannot inspect " + path.string());
        }
        const bool read_only = (attributes & FILE_ATTRIBUTE_READONLY) != 0;
        if (read_only && !SetFileAttributesW(path.c_str(), attributes & ~FILE_ATTRIBUTE_READONLY))
            win::throw_last_error("cannot open " + path.string() + " to flush it");
        const FileHandle file = win::open_path(path.native(), GENERIC_WRITE, win::share_all, OPEN_EXISTING, 0);
        const DWORD open_error = GetLastError();
        if (read_only) SetFileAttributesW(path.c_str(), attributes);
        if (!file.valid()) throw win::error(open_error, "cannot open " + path.string() + " to flush it");
        flush(file);
    }
}

}  // namespace pdm

namespace pdm::win {

FileHandle open_path(const std::wstring& path, DWORD access, DWORD share, DWORD disposition, DWORD flags) {
    const HANDLE handle = CreateFileW(path.c_str(), access, share, nullptr, disposition, flags, nullptr);
    return FileHandle(handle == INVALID_HANDLE_VALUE ? FileHandle::invalid : reinterpret_cast<FileHandle::Native>(handle));
}

ReparseKind reparse_kind(DWORD attributes, DWORD tag) {
    if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0) return ReparseKind::none;
    return IsReparseTagNameSurrogate(tag) ? ReparseKind::name_surrogate : ReparseKind::stored_elsewhere;
}

ReparseKind reparse_kind_of(const FileHandle& file) {
    FILE_ATTRIBUTE_TAG_INFO tag{};
    if (!GetFileInformationByHandleEx(raw(file), FileAttributeTagInfo, &tag, sizeof tag))
        throw_last_error("cannot inspect an open file");
    return reparse_kind(tag.FileAttributes, tag.ReparseTag);
}

std::wstring path_of(const FileHandle& file) {
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        const DWORD length = GetFinalPathNameByHandleW(raw(file), path.data(), static_cast<DWORD>(path.size()),
                                                       FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
        if (length == 0) throw_last_error("cannot tell where an open file is");
        if (length < path.size()) {
            path.resize(length);
            break;
        }
        path.resize(length + 1);
    }
    // \\?\C:\... is C:\...; \\?\UNC\server\share is \\server\share.
    if (path.rfind(L"\\\\?\\UNC\\", 0) == 0) return L"\\\\" + path.substr(8);
    if (path.rfind(L"\\\\?\\", 0) == 0 && path.size() > 6 && path[5] == L':') return path.substr(4);
    return path;
}

}  // namespace pdm::win

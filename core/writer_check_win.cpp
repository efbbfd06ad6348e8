// SPDX-License-Identifier: Apache-2.0
// Windows has no leases, but has share modes: the file opened again with
// FILE_SHARE_READ only cannot be opened while anyone has it open for writing
// (ERROR_SHARING_VIOLATION), and while that handle is open nobody can open
// it for writing. A program that tries to save then gets "file in use" for
// the moment the daemon reads, instead of waiting as on Linux. Who has it
// open comes from the Restart Manager, Windows' own answer to that question.
#include <windows.h>
#include <restartmanager.h>

#include <vector>

#include "core/file_handle_win.hpp"
#include "core/win_text.hpp"
#include "core/writer_check.hpp"

namespace pdm {

ReadLease::ReadLease(const OpenedFile& file) : file_(file), outcome_(Outcome::held) {
    // Others may still read, rename or delete it: only writing waits.
    const HANDLE again = ReOpenFile(win::raw(file_.handle), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, 0);
    if (again != INVALID_HANDLE_VALUE) {
        hold_ = FileHandle(reinterpret_cast<FileHandle::Native>(again));
        return;
    }
    outcome_ = GetLastError() == ERROR_SHARING_VIOLATION ? Outcome::writer_present : Outcome::unsupported;
}

ReadLease::~ReadLease() = default;  // closing hold_ lets writers in again

bool ReadLease::still_held() const { return outcome_ == Outcome::held && hold_.valid(); }

std::vector<FileWriter> writers_of(const OpenedFile& file) {
    std::vector<FileWriter> writers;
    DWORD session = 0;
    WCHAR key[CCH_RM_SESSION_KEY + 1] = {};
    if (RmStartSession(&session, 0, key) != ERROR_SUCCESS) return writers;
    try {
        const std::wstring path = win::path_of(file.handle);
        LPCWSTR files[] = {path.c_str()};
        UINT needed = 0;
        UINT count = 0;
        DWORD reasons = 0;
        std::vector<RM_PROCESS_INFO> processes;
        if (RmRegisterResources(session, 1, files, 0, nullptr, 0, nullptr) == ERROR_SUCCESS) {
            DWORD result = RmGetList(session, &needed, &count, nullptr, &reasons);
            if (result == ERROR_MORE_DATA) {
                processes.resize(needed);
                count = needed;
                result = RmGetList(session, &needed, &count, processes.data(), &reasons);
            }
            if (result != ERROR_SUCCESS) count = 0;
        }
        // The Restart Manager tells who has the file open, not how: report
        // them all as possible writers (the share-mode check decided there is one).
        for (UINT i = 0; i < count && i < processes.size(); ++i) {
            const DWORD pid = processes[i].Process.dwProcessId;
            if (pid == GetCurrentProcessId()) continue;
            writers.push_back({static_cast<std::int64_t>(pid), win::utf8(processes[i].strAppName)});
        }
    } catch (const std::system_error&) {
        // Best effort: an empty list does not prove there is none.
    }
    RmEndSession(session);
    return writers;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Any program may open a file without sharing its deletion, and antivirus
// scanners, the search indexer, backup agents and Explorer's previews do so
// for a moment right after a file is written. Replacing such a file then
// fails with ERROR_ACCESS_DENIED or ERROR_SHARING_VIOLATION, though a moment
// later it would succeed. The Windows platform files try such a step again
// for a little over a second before its error stands (SQLite's Windows VFS
// and Git for Windows do the same).

#include <windows.h>

namespace pdm::win {

// Calls `attempt` (true on success, else GetLastError() says why) until it
// succeeds, fails for a reason other than a file in use, or 10 more tries
// 25, 50, ... 250 ms apart (1.4 s) have failed. GetLastError() is then the
// last attempt's.
template <class Attempt>
bool retry_while_in_use(Attempt&& attempt) {
    constexpr int retries = 10;
    for (int retry = 1;; ++retry) {
        if (attempt()) return true;
        const DWORD error = GetLastError();
        const bool in_use =
            error == ERROR_ACCESS_DENIED || error == ERROR_SHARING_VIOLATION || error == ERROR_LOCK_VIOLATION;
        if (!in_use || retry > retries) {
            SetLastError(error);
            return false;
        }
        Sleep(static_cast<DWORD>(25 * retry));
    }
}

}  // namespace pdm::win

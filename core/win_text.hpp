// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the Windows platform files share: UTF-8 (ours) to UTF-16 (Windows')
// and back, and Win32 errors as the std::system_error the POSIX twins throw
// (generic errno codes, so callers test std::errc the same on both).

#include <string>
#include <string_view>
#include <system_error>

namespace pdm::win {

std::wstring wide(std::string_view utf8);
std::string utf8(std::wstring_view wide);

// One argument of a command line, as CommandLineToArgvW (and the C runtime)
// read it back: quoted when it holds a space, a tab or a quote, with the
// backslashes before a quote doubled.
std::wstring command_line_argument(const std::wstring& argument);

// The errno value closest to a Win32 error code (EIO when none is).
int errno_of(unsigned long win32_error);

// Windows' own words for a Win32 error code ("Access is denied").
std::string words_for(unsigned long win32_error);

// A std::system_error in the generic category for `win32_error`, with
// Windows' own words for it after `what`.
std::system_error error(unsigned long win32_error, const std::string& what);
// The same for GetLastError().
[[noreturn]] void throw_last_error(const std::string& what);

}  // namespace pdm::win

// SPDX-License-Identifier: Apache-2.0
// pdm-tray for Windows: shows your check-outs in the notification area and
// tells you what happens to your files. One instance per user session.

#include <windows.h>
// After windows.h, which they need.
#include <objbase.h>
#include <shellapi.h>

#include <exception>
#include <string>
#include <vector>

#include "core/win_text.hpp"
#include "tray/win/icon_art_win.hpp"
#include "tray/win/tray_window_win.hpp"

namespace {

constexpr const char* usage =
    "usage: pdm-tray [--pipe NAME] [--show-menu] [--version]\n"
    "  --pipe       pdmd's named pipe (default: %PDMD_PIPE%, else \\\\.\\pipe\\pdmd)\n"
    "  --show-menu  open the menu at start (screenshots, keyboard users)\n"
    "  --version    print pdm-tray's version\n";

// A program without a console: text goes to the standard error a caller
// redirected (a script, a test), else into a message box.
void tell(const std::string& text, UINT icon) {
    const HANDLE error = GetStdHandle(STD_ERROR_HANDLE);
    DWORD written = 0;
    if (error && error != INVALID_HANDLE_VALUE &&
        WriteFile(error, text.data(), static_cast<DWORD>(text.size()), &written, nullptr))
        return;
    MessageBoxW(nullptr, pdm::win::wide(text).c_str(), L"pdm-tray", MB_OK | icon);
}

std::vector<std::string> arguments() {
    int count = 0;
    LPWSTR* given = CommandLineToArgvW(GetCommandLineW(), &count);
    std::vector<std::string> all;
    for (int i = 1; given && i < count; ++i) all.push_back(pdm::win::utf8(given[i]));
    LocalFree(given);
    return all;
}

}  // namespace

int WINAPI WinMain(HINSTANCE instance, HINSTANCE, LPSTR, int) {
    std::string pipe;  // empty: DaemonLink looks pdmd up (ipc::locate_daemon)
    bool show_menu = false;
    const std::vector<std::string> given = arguments();
    for (std::size_t i = 0; i < given.size(); ++i) {
        if (given[i] == "--pipe") {
            if (i + 1 == given.size()) {
                tell("pdm-tray: --pipe needs the pipe's name, such as \\\\.\\pipe\\pdmd\n", MB_ICONERROR);
                return 2;
            }
            pipe = given[++i];
        } else if (given[i] == "--version") {
            tell("pdm-tray " PDM_VERSION "\n", MB_ICONINFORMATION);
            return 0;
        } else if (given[i] == "--show-menu") {
            show_menu = true;
        } else if (given[i] == "--help") {
            tell(usage, MB_ICONINFORMATION);
            return 0;
        } else {
            tell("pdm-tray: unknown argument '" + given[i] + "'\n" + usage, MB_ICONERROR);
            return 2;
        }
    }

    // One tray per user session: a second start leaves the first in charge.
    // (Refused access also means it exists: made by another account's tray.)
    const HANDLE instance_mutex = CreateMutexW(nullptr, FALSE, L"Local\\pdm-tray");
    const DWORD created = GetLastError();
    if (created == ERROR_ALREADY_EXISTS || (!instance_mutex && created == ERROR_ACCESS_DENIED)) {
        if (instance_mutex) CloseHandle(instance_mutex);
        return 0;
    }
    // The shell's functions (ShellExecuteExW) want COM on the thread that calls them.
    const HRESULT com = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE);

    int status = 1;
    try {
        const pdm::tray::GdiplusSession gdiplus;
        pdm::tray::TrayWindow tray(instance, pipe);
        tray.start();
        if (show_menu) tray.popup_menu();
        MSG message;
        BOOL got = 0;
        while ((got = GetMessageW(&message, nullptr, 0, 0)) > 0) {
            TranslateMessage(&message);
            DispatchMessageW(&message);
        }
        status = got == 0 ? static_cast<int>(message.wParam) : 1;
    } catch (const std::exception& error) {
        tell(std::string("pdm-tray: ") + error.what() + "\n", MB_ICONERROR);
    }
    if (SUCCEEDED(com)) CoUninitialize();
    if (instance_mutex) CloseHandle(instance_mutex);
    return status;
}

// SPDX-License-Identifier: Apache-2.0
#include "tray/win/check_in_dialog_win.hpp"

#include "core/win_text.hpp"
#include "tray/win/resource_ids.h"

namespace pdm::tray {
namespace {

struct Exchange {
    std::wstring title;
    std::wstring message;
};

INT_PTR CALLBACK dialog_procedure(HWND dialog, UINT message, WPARAM wparam, LPARAM lparam) {
    switch (message) {
    case WM_INITDIALOG: {
        auto* exchange = reinterpret_cast<Exchange*>(lparam);
        SetWindowLongPtrW(dialog, DWLP_USER, lparam);
        SetWindowTextW(dialog, exchange->title.c_str());
        // Opened from the tray, the dialog would otherwise come up behind
        // the window the person was working in.
        SetForegroundWindow(dialog);
        return TRUE;  // the focus goes to the first control that takes it: the message
    }
    case WM_COMMAND:
        switch (LOWORD(wparam)) {
        case IDOK: {
            auto* exchange = reinterpret_cast<Exchange*>(GetWindowLongPtrW(dialog, DWLP_USER));
            const HWND edit = GetDlgItem(dialog, PDM_IDC_MESSAGE);
            exchange->message.resize(static_cast<std::size_t>(GetWindowTextLengthW(edit)) + 1);
            const int copied = GetWindowTextW(edit, exchange->message.data(), static_cast<int>(exchange->message.size()));
            exchange->message.resize(static_cast<std::size_t>(copied));
            EndDialog(dialog, IDOK);
            return TRUE;
        }
        case IDCANCEL:
            EndDialog(dialog, IDCANCEL);
            return TRUE;
        default:
            return FALSE;
        }
    default:
        return FALSE;
    }
}

}  // namespace

std::optional<std::string> ask_check_in_message(HINSTANCE instance, const std::string& path) {
    Exchange exchange{win::wide("Check in " + path), {}};
    // No owner: the tray's window is hidden, and an owned dialog would get no
    // taskbar button to find it by.
    const INT_PTR answer = DialogBoxParamW(instance, MAKEINTRESOURCEW(PDM_IDD_CHECK_IN), nullptr, dialog_procedure,
                                           reinterpret_cast<LPARAM>(&exchange));
    if (answer == -1) win::throw_last_error("cannot open the check-in dialog");
    if (answer != IDOK) return std::nullopt;
    return win::utf8(exchange.message);
}

}  // namespace pdm::tray

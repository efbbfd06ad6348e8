// SPDX-License-Identifier: Apache-2.0
#include "tray/win/tray_window_win.hpp"

// After windows.h (through the header), which it needs.
#include <windowsx.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "core/win_text.hpp"
#include "tray/link/model_handlers.hpp"
#include "tray/win/check_in_dialog_win.hpp"
#include "tray/win/icon_art_win.hpp"
#include "tray/win/stored_settings_win.hpp"

namespace pdm::tray {
namespace {

constexpr UINT icon_message = WM_APP + 1;        // the notification area calls back with this
constexpr UINT run_posted_message = WM_APP + 2;  // DaemonLink handed work to this thread
constexpr UINT icon_id = 1;
constexpr UINT_PTR grouping_timer = 1;
constexpr UINT grouping_tick_ms = 250;
constexpr const wchar_t* window_class = L"pdm-tray";

// Copies `text` into one of NOTIFYICONDATAW's fixed fields, cut with an
// ellipsis when it does not fit (never between the halves of a surrogate pair).
template <std::size_t N>
void copy_into(wchar_t (&field)[N], const std::string& text) {
    std::wstring wide = win::wide(text);
    if (wide.size() >= N) {
        std::size_t keep = N - 2;
        if (keep > 0 && wide[keep - 1] >= 0xD800 && wide[keep - 1] <= 0xDBFF) --keep;
        wide.resize(keep);
        wide += L'\u2026';
    }
    wide.copy(field, wide.size());
    field[wide.size()] = L'\0';
}

// Menu text is shown as typed: '&' would otherwise underline the next letter.
std::wstring menu_text(const std::string& text) {
    std::wstring shown;
    for (const wchar_t c : win::wide(text)) {
        if (c == L'&') shown += L'&';
        shown += c;
    }
    return shown;
}

// Where a file of the repo is, as Windows writes it.
std::wstring windows_path(const std::string& repo, const std::string& path) {
    std::wstring joined = win::wide(repo);
    if (!path.empty()) joined += L"\\" + win::wide(path);
    for (wchar_t& c : joined)
        if (c == L'/') c = L'\\';
    return joined;
}

// The popup menu and what each of its commands does (command ID = index + 1).
class MenuBuilder {
public:
    MenuBuilder() : root_(CreatePopupMenu()) {}
    ~MenuBuilder() { DestroyMenu(root_); }  // its submenus go with it
    MenuBuilder(const MenuBuilder&) = delete;
    MenuBuilder& operator=(const MenuBuilder&) = delete;

    HMENU root() const { return root_; }
    HMENU submenu(HMENU parent, const std::string& text) {
        const HMENU child = CreatePopupMenu();
        AppendMenuW(parent, MF_POPUP | MF_STRING, reinterpret_cast<UINT_PTR>(child), menu_text(text).c_str());
        return child;
    }
    void item(HMENU menu, const std::string& text, std::function<void()> action, UINT flags = 0) {
        actions_.push_back(std::move(action));
        AppendMenuW(menu, MF_STRING | flags, actions_.size(), menu_text(text).c_str());
    }
    void label(HMENU menu, const std::string& text) { AppendMenuW(menu, MF_STRING | MF_GRAYED, 0, menu_text(text).c_str()); }
    void separator(HMENU menu) { AppendMenuW(menu, MF_SEPARATOR, 0, nullptr); }
    // A copy: the action may open another menu, which builds anew.
    std::function<void()> action(UINT command) const {
        return command >= 1 && command <= actions_.size() ? actions_[command - 1] : std::function<void()>();
    }

private:
    HMENU root_;
    std::vector<std::function<void()>> actions_;
};

// Opens `file` (a folder, or a program given `parameters`) as Explorer
// would; false with GetLastError() set when Windows cannot.
bool shell_open(const wchar_t* file, const wchar_t* parameters) {
    SHELLEXECUTEINFOW open{};
    open.cbSize = sizeof open;
    open.fMask = SEE_MASK_FLAG_NO_UI;  // the caller says what went wrong, in its words
    open.lpVerb = L"open";
    open.lpFile = file;
    open.lpParameters = parameters;
    open.nShow = SW_SHOWNORMAL;
    return ShellExecuteExW(&open) != FALSE;
}

}  // namespace

TrayWindow::TrayWindow(HINSTANCE instance, std::string pipe)
    : instance_(instance), taskbar_created_(RegisterWindowMessageW(L"TaskbarCreated")), settings_(load_settings()) {
    WNDCLASSEXW window_type{};
    window_type.cbSize = sizeof window_type;
    window_type.lpfnWndProc = &TrayWindow::window_procedure;
    window_type.hInstance = instance_;
    window_type.lpszClassName = window_class;
    if (!RegisterClassExW(&window_type)) win::throw_last_error("cannot register pdm-tray's window class");
    // A top-level window that is never shown (not a message-only one: those
    // miss the TaskbarCreated broadcast).
    window_ = CreateWindowExW(0, window_class, L"pdm-tray", WS_OVERLAPPED, 0, 0, 0, 0, nullptr, nullptr, instance_, this);
    if (!window_) win::throw_last_error("cannot create pdm-tray's window");
    // Started elevated (by an installer), the window would not hear
    // TaskbarCreated from Explorer, which runs with less.
    ChangeWindowMessageFilterEx(window_, taskbar_created_, MSGFLT_ALLOW, nullptr);

    auto notify = [this](const Notification& notification) {
        grouper_.add(notification, NotificationGrouper::Clock::now());
        // Ticks only while a burst is open: an idle tray wakes nobody.
        if (!grouping_) grouping_ = SetTimer(window_, grouping_timer, grouping_tick_ms, nullptr) != 0;
    };
    DaemonLink::Handlers handlers = model_handlers(state_, settings_, [this] { render(); }, std::move(notify));
    link_ = std::make_unique<DaemonLink>(std::move(pipe), [this](std::function<void()> work) { post(std::move(work)); },
                                         std::move(handlers));
}

TrayWindow::~TrayWindow() {
    link_.reset();  // joins its threads; what they posted is dropped with posted_
    NOTIFYICONDATAW data = icon_data();
    Shell_NotifyIconW(NIM_DELETE, &data);
    if (icon_) DestroyIcon(icon_);
    DestroyWindow(window_);
    UnregisterClassW(window_class, instance_);
}

LRESULT CALLBACK TrayWindow::window_procedure(HWND window, UINT message, WPARAM wparam, LPARAM lparam) {
    if (message == WM_NCCREATE) {
        const auto* creation = reinterpret_cast<const CREATESTRUCTW*>(lparam);
        SetWindowLongPtrW(window, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(creation->lpCreateParams));
    }
    auto* tray = reinterpret_cast<TrayWindow*>(GetWindowLongPtrW(window, GWLP_USERDATA));
    if (!tray || !tray->window_) return DefWindowProcW(window, message, wparam, lparam);
    // No exception may cross into Windows' code: say what failed and go on.
    try {
        return tray->handle(message, wparam, lparam);
    } catch (const std::exception& error) {
        tray->warn(error.what());
        return 0;
    }
}

LRESULT TrayWindow::handle(UINT message, WPARAM wparam, LPARAM lparam) {
    if (message == taskbar_created_) {
        add_icon();
        return 0;
    }
    switch (message) {
    case icon_message:
        // Version 4 names the event in the low word (NIN_SELECT for a click,
        // WM_CONTEXTMENU for a right click or Shift+F10); older shells send
        // the mouse message itself.
        switch (LOWORD(lparam)) {
        case NIN_SELECT:
        case NIN_KEYSELECT:
        case WM_CONTEXTMENU:
            // The anchor: where the click was, or the icon when the keyboard chose it.
            if (version4_) popup_menu(POINT{GET_X_LPARAM(wparam), GET_Y_LPARAM(wparam)});
            return 0;
        case WM_LBUTTONUP:
        case WM_RBUTTONUP:
            if (!version4_) popup_menu();
            return 0;
        default:
            return 0;
        }
    case run_posted_message:
        run_posted();
        return 0;
    case WM_TIMER:
        if (wparam == grouping_timer) deliver_due();
        return 0;
    case WM_ENDSESSION:
        if (wparam) PostQuitMessage(0);
        return 0;
    case WM_CLOSE:
        PostQuitMessage(0);
        return 0;
    default:
        return DefWindowProcW(window_, message, wparam, lparam);
    }
}

void TrayWindow::post(std::function<void()> work) {
    {
        const std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(work));
    }
    // One wake-up may carry many posts: run_posted empties the queue.
    PostMessageW(window_, run_posted_message, 0, 0);
}

void TrayWindow::run_posted() {
    // One at a time, in order: work that opens a message box runs a message
    // loop of its own, which comes back here and must find the rest next.
    for (;;) {
        std::function<void()> work;
        {
            const std::lock_guard lock(posted_mutex_);
            if (posted_.empty()) return;
            work = std::move(posted_.front());
            posted_.pop_front();
        }
        work();
    }
}

NOTIFYICONDATAW TrayWindow::icon_data() const {
    NOTIFYICONDATAW data{};
    data.cbSize = sizeof data;
    data.hWnd = window_;
    data.uID = icon_id;
    return data;
}

int TrayWindow::icon_size() const {
    // Windows sends TaskbarCreated after the screen's scale changes too: the
    // icon is drawn again at the size of the screen the window is on.
    return GetSystemMetricsForDpi(SM_CXSMICON, GetDpiForWindow(window_));
}

void TrayWindow::add_icon() {
    const HICON previous = icon_;
    icon_ = icon_for(state_.icon(), icon_size());
    if (previous) DestroyIcon(previous);
    NOTIFYICONDATAW data = icon_data();
    data.uFlags = NIF_MESSAGE | NIF_ICON | NIF_TIP | NIF_SHOWTIP;
    data.uCallbackMessage = icon_message;
    data.hIcon = icon_;
    copy_into(data.szTip, state_.tooltip());
    // Fails while Explorer is not up yet (early at logon): TaskbarCreated comes then.
    if (!Shell_NotifyIconW(NIM_ADD, &data)) return;
    data.uVersion = NOTIFYICON_VERSION_4;
    version4_ = Shell_NotifyIconW(NIM_SETVERSION, &data) != FALSE;
}

void TrayWindow::start() {
    add_icon();
    link_->start();
}

void TrayWindow::render() {
    const HICON previous = icon_;
    icon_ = icon_for(state_.icon(), icon_size());
    NOTIFYICONDATAW data = icon_data();
    data.uFlags = NIF_ICON | NIF_TIP | NIF_SHOWTIP;
    data.hIcon = icon_;
    copy_into(data.szTip, state_.tooltip());
    Shell_NotifyIconW(NIM_MODIFY, &data);
    if (previous) DestroyIcon(previous);
}

void TrayWindow::show_balloon(const Notification& notification) {
    NOTIFYICONDATAW data = icon_data();
    data.uFlags = NIF_INFO;
    copy_into(data.szInfoTitle, notification.summary);
    copy_into(data.szInfo, notification.body.empty() ? notification.summary : notification.body);
    data.dwInfoFlags = notification.urgency == Urgency::critical ? NIIF_WARNING : NIIF_INFO;
    Shell_NotifyIconW(NIM_MODIFY, &data);
}

void TrayWindow::deliver_due() {
    for (const Notification& notification : grouper_.due(NotificationGrouper::Clock::now())) show_balloon(notification);
    if (grouper_.empty() && grouping_) {
        KillTimer(window_, grouping_timer);
        grouping_ = false;
    }
}

void TrayWindow::popup_menu() {
    POINT at{};
    GetCursorPos(&at);
    popup_menu(at);
}

void TrayWindow::popup_menu(POINT at) {
    const MenuModel model = state_.menu(settings_);
    MenuBuilder menu;
    const HMENU root = menu.root();
    menu.label(root, model.status);
    menu.separator(root);
    if (model.connected && model.my_files.empty()) menu.label(root, "No files checked out by you");
    for (const std::string& path : model.my_files) {
        const HMENU file = menu.submenu(root, path);
        menu.item(file, "Check in...", [this, path] { check_in(path); });
        menu.item(file, "Undo check-out", [this, path] { undo_check_out(path); });
        menu.item(file, "Show in folder", [this, path] { show_in_folder(path); });
    }
    menu.separator(root);
    const HMENU recent = menu.submenu(root, "Recent activity");
    if (model.recent.empty()) menu.label(recent, "Nothing yet");
    for (const std::string& line : model.recent) menu.label(recent, line);
    menu.item(root, "Open repo folder", [this] { open_repo_folder(); }, model.connected ? 0 : MF_GRAYED);
    menu.separator(root);
    menu.item(root, "Pause notifications", [this] { toggle(&NotificationSettings::paused); },
              model.paused ? MF_CHECKED : 0);
    menu.item(root, "Notify others' check-outs and check-ins", [this] { toggle(&NotificationSettings::others_routine); },
              model.others_routine ? MF_CHECKED : 0);
    menu.separator(root);
    menu.item(root, "Quit", [] { PostQuitMessage(0); });

    // Without the foreground, the menu would not close when the person
    // clicks elsewhere; the WM_NULL after it is the documented other half.
    SetForegroundWindow(window_);
    const UINT alignment = GetSystemMetrics(SM_MENUDROPALIGNMENT) ? TPM_RIGHTALIGN : TPM_LEFTALIGN;
    const auto command = static_cast<UINT>(
        TrackPopupMenuEx(root, TPM_RETURNCMD | TPM_NONOTIFY | TPM_RIGHTBUTTON | alignment, at.x, at.y, window_, nullptr));
    PostMessageW(window_, WM_NULL, 0, 0);
    if (const std::function<void()> action = menu.action(command)) action();
}

void TrayWindow::check_in(const std::string& path) {
    const std::optional<std::string> message = ask_check_in_message(instance_, path);
    if (!message) return;
    link_->request("checkin", {{"path", path}, {"message", *message}},
                   [this, path](const nlohmann::json& reply) { report_failure("Could not check in " + path, reply); });
}

void TrayWindow::undo_check_out(const std::string& path) {
    const std::wstring question = win::wide("Put " + path +
                                            " back to its last checked-in revision and release it?\n"
                                            "Your changes to it will be lost.");
    if (MessageBoxW(nullptr, question.c_str(), L"Undo check-out", MB_YESNO | MB_ICONQUESTION | MB_DEFBUTTON2 | MB_SETFOREGROUND) != IDYES)
        return;
    link_->request("unlock", {{"path", path}, {"discard", true}}, [this, path](const nlohmann::json& reply) {
        report_failure("Could not undo the check-out of " + path, reply);
    });
}

void TrayWindow::show_in_folder(const std::string& path) const {
    // Explorer opens the folder with the file selected.
    const std::wstring select = L"/select," + win::command_line_argument(windows_path(state_.repo(), path));
    if (!shell_open(L"explorer.exe", select.c_str())) {
        const DWORD error = GetLastError();
        warn("Could not show " + path + " in its folder: " + win::words_for(error));
    }
}

void TrayWindow::open_repo_folder() const {
    if (!shell_open(windows_path(state_.repo(), "").c_str(), nullptr)) {
        const DWORD error = GetLastError();
        warn("Could not open " + state_.repo() + ": " + win::words_for(error));
    }
}

void TrayWindow::toggle(bool NotificationSettings::*setting) {
    settings_.*setting = !(settings_.*setting);
    try {
        save_settings(settings_);
    } catch (const std::exception& error) {
        warn(std::string(error.what()) + "\nThe setting holds until pdm-tray ends.");
    }
}

void TrayWindow::report_failure(const std::string& what, const nlohmann::json& reply) const {
    if (reply.value("ok", false)) return;
    const nlohmann::json error = reply.value("error", nlohmann::json::object());
    warn(what + ":\n" + error.value("message", std::string("no reason given")));
}

void TrayWindow::warn(const std::string& text) const {
    std::wstring shown;
    try {
        shown = win::wide(text);
    } catch (const std::exception&) {
        shown = L"pdm-tray: something failed, and its description is not valid text.";
    }
    MessageBoxW(nullptr, shown.c_str(), L"pdm-tray", MB_OK | MB_ICONWARNING | MB_SETFOREGROUND);
}

}  // namespace pdm::tray

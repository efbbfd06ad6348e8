// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Windows side of pdm-tray: a hidden window that owns the icon in the
// notification area, draws TrayState as that icon, its tooltip and a popup
// menu, shows the notifications the model chose as balloons (toasts on
// Windows 10 and 11), and turns menu choices into requests. It decides
// nothing itself: tray/model does, as for the Qt front end.

#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "tray/link/daemon_link.hpp"
#include "tray/model/notification_grouper.hpp"
#include "tray/model/tray_state.hpp"

namespace pdm::tray {

class TrayWindow {
public:
    // `pipe`: --pipe; empty: $PDMD_PIPE, else pdmd's default pipe.
    TrayWindow(HINSTANCE instance, std::string pipe);
    ~TrayWindow();
    TrayWindow(const TrayWindow&) = delete;
    TrayWindow& operator=(const TrayWindow&) = delete;

    // Puts the icon in the notification area and connects to pdmd.
    void start();
    // Opens the menu at the mouse pointer and acts on the choice (also for
    // screenshots and keyboard users: --show-menu).
    void popup_menu();
    // The same, anchored at `at` (screen coordinates).
    void popup_menu(POINT at);

private:
    static LRESULT CALLBACK window_procedure(HWND window, UINT message, WPARAM wparam, LPARAM lparam);
    LRESULT handle(UINT message, WPARAM wparam, LPARAM lparam);

    // From any thread: runs `work` on the window's thread (DaemonLink::Post).
    void post(std::function<void()> work);
    void run_posted();

    NOTIFYICONDATAW icon_data() const;
    int icon_size() const;
    void add_icon();
    void render();
    void show_balloon(const Notification& notification);
    void deliver_due();

    void check_in(const std::string& path);
    void undo_check_out(const std::string& path);
    void show_in_folder(const std::string& path) const;
    void open_repo_folder() const;
    void toggle(bool NotificationSettings::*setting);
    void report_failure(const std::string& what, const nlohmann::json& reply) const;
    void warn(const std::string& text) const;

    HINSTANCE instance_;
    const UINT taskbar_created_;  // Explorer restarted: the icon must be added again
    HWND window_ = nullptr;
    HICON icon_ = nullptr;
    bool version4_ = false;  // the shell speaks NOTIFYICON_VERSION_4 to us
    bool grouping_ = false;  // the grouping timer runs

    std::mutex posted_mutex_;
    std::deque<std::function<void()>> posted_;  // guarded by posted_mutex_

    TrayState state_;
    NotificationSettings settings_;
    NotificationGrouper grouper_;
    // Last, so it goes first: its threads end before what they post to does.
    std::unique_ptr<DaemonLink> link_;
};

}  // namespace pdm::tray

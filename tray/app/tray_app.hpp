// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Qt side of pdm-tray: draws TrayState as an icon, a tooltip and a menu,
// shows the notifications the model chose, and turns clicks into requests.
// It decides nothing itself.

#include <memory>
#include <string>

#include <QMenu>
#include <QObject>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTimer>

#include "tray/link/daemon_link.hpp"
#include "tray/app/desktop_notifier.hpp"
#include "tray/model/notification_grouper.hpp"
#include "tray/model/tray_state.hpp"

namespace pdm::tray {

class TrayApp {
public:
    explicit TrayApp(const std::string& socket_path);
    void start();
    // Opens the menu where the icon is (for screenshots and keyboard users).
    void popup_menu();

private:
    void render();
    void deliver_due();
    void check_in(const std::string& path);
    void undo_check_out(const std::string& path);
    void show_in_folder(const std::string& path) const;
    void report_failure(const std::string& what, const nlohmann::json& reply) const;
    // A ticked menu entry that sets one notification setting and saves it.
    void add_switch(const QString& text, bool checked, bool NotificationSettings::*setting);
    void save_settings();

    QObject context_;  // lives on the GUI thread: replies and events are delivered to it
    QSystemTrayIcon icon_;
    QMenu menu_;
    QTimer grouping_timer_;
    QSettings stored_settings_{"pdmd", "pdm-tray"};
    TrayState state_;
    NotificationSettings settings_;
    NotificationGrouper grouper_;
    DesktopNotifier notifier_{icon_};
    std::unique_ptr<DaemonLink> link_;
};

}  // namespace pdm::tray

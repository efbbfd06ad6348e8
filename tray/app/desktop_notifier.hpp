// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shows a notification through the desktop's notification service
// (org.freedesktop.Notifications on the session bus), or, with none, as a
// balloon from the tray icon.

#include <QSystemTrayIcon>

#include "tray/model/notification_policy.hpp"

namespace pdm::tray {

class DesktopNotifier {
public:
    explicit DesktopNotifier(QSystemTrayIcon& fallback) : fallback_(fallback) {}
    void show(const Notification& notification);

private:
    QSystemTrayIcon& fallback_;
};

}  // namespace pdm::tray

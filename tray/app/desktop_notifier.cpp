// SPDX-License-Identifier: Apache-2.0
#include "tray/app/desktop_notifier.hpp"

#include <QDBusConnection>
#include <QDBusInterface>
#include <QDBusReply>
#include <QVariantMap>

namespace pdm::tray {

void DesktopNotifier::show(const Notification& notification) {
    const QString summary = QString::fromStdString(notification.summary);
    const QString body = QString::fromStdString(notification.body);
    QDBusInterface service("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                           "org.freedesktop.Notifications", QDBusConnection::sessionBus());
    if (service.isValid()) {
        QVariantMap hints;
        // The spec's urgency levels: 1 normal, 2 critical (stays until dismissed).
        hints["urgency"] = QVariant::fromValue(static_cast<uchar>(notification.urgency == Urgency::critical ? 2 : 1));
        const QDBusReply<uint> reply = service.call("Notify", QString("pdm-tray"), 0u, QString("document-save"), summary,
                                                    body, QStringList(), hints, -1);
        if (reply.isValid()) return;
    }
    fallback_.showMessage(summary, body,
                          notification.urgency == Urgency::critical ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
}

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#include "tray/app/tray_icon_art.hpp"

#include <QPainter>
#include <QPixmap>

namespace pdm::tray {

QIcon icon_for(const IconLook& look) {
    constexpr int size = 64;
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QColor fill("#9e9e9e");
    if (look.link == Link::connected) fill = look.checked_out == 0 ? QColor("#2e7d32") : QColor("#1565c0");
    painter.setBrush(fill);
    painter.setPen(QPen(QColor("#ffffff"), 3));
    painter.drawEllipse(4, 4, size - 8, size - 8);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(look.checked_out > 99 ? 22 : 32);
    painter.setFont(font);
    painter.setPen(QColor("#ffffff"));
    QString label = "P";
    if (look.link == Link::unreachable) label = "!";
    if (look.link == Link::connected && look.checked_out > 0)
        label = look.checked_out > 999 ? QString("999+") : QString::number(static_cast<qulonglong>(look.checked_out));
    painter.drawText(pixmap.rect(), Qt::AlignCenter, label);
    painter.end();
    return QIcon(pixmap);
}

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
// pdm-tray: shows your check-outs in the system tray and tells you what
// happens to your files. One instance per user.

#include <iostream>

#include <QApplication>
#include <QDir>
#include <QLockFile>
#include <QStandardPaths>
#include <QStringList>

#include "ipc/client.hpp"
#include "tray/app/tray_app.hpp"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("pdm-tray");
    QApplication::setQuitOnLastWindowClosed(false);  // dialogs close; the tray stays

    std::string socket_path;  // empty: DaemonLink looks pdmd up (ipc::locate_daemon)
    const QStringList arguments = QApplication::arguments();
    bool show_menu = false;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == "--socket" && i + 1 < arguments.size()) {
            socket_path = arguments[++i].toStdString();
        } else if (arguments[i] == "--show-menu") {
            show_menu = true;
        } else if (arguments[i] == "--version") {
            std::cout << "pdm-tray " PDM_VERSION "\n";
            return 0;
        } else {
            std::cerr << "usage: pdm-tray [--socket PATH] [--show-menu] [--version]\n"
                         "  --socket     pdmd's socket (default: $PDMD_SOCKET, else your own daemon's if one\n"
                         "               runs, else the system daemon's /run/pdmd/pdmd.sock)\n"
                         "  --show-menu  open the menu at start (screenshots, keyboard users)\n"
                         "  --version    print pdm-tray's version\n";
            return arguments[i] == "--help" ? 0 : 2;
        }
    }

    QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtime.isEmpty()) runtime = QDir::tempPath();
    QLockFile instance(QDir(runtime).filePath("pdm-tray.lock"));
    if (!instance.tryLock(0)) {
        std::cerr << "pdm-tray is already running for this user\n";
        return 0;
    }

    pdm::tray::TrayApp tray(socket_path);
    tray.start();
    if (show_menu) tray.popup_menu();
    return QApplication::exec();
}

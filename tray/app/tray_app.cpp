// SPDX-License-Identifier: Apache-2.0
#include "tray/app/tray_app.hpp"

#include <QApplication>
#include <QCursor>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QMetaObject>
#include <QMessageBox>
#include <QUrl>

#include "tray/app/tray_icon_art.hpp"
#include "tray/link/model_handlers.hpp"

namespace pdm::tray {
namespace {

QString q(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

TrayApp::TrayApp(const std::string& socket_path) {
    settings_.paused = stored_settings_.value("paused", false).toBool();
    settings_.others_routine = stored_settings_.value("others_routine", false).toBool();
    auto notify = [this](const Notification& notification) { grouper_.add(notification, NotificationGrouper::Clock::now()); };
    DaemonLink::Handlers handlers = model_handlers(state_, settings_, [this] { render(); }, std::move(notify));
    auto post = [this](std::function<void()> work) {
        QMetaObject::invokeMethod(&context_, std::move(work), Qt::QueuedConnection);
    };
    link_ = std::make_unique<DaemonLink>(socket_path, std::move(post), std::move(handlers));
    icon_.setContextMenu(&menu_);
    QObject::connect(&icon_, &QSystemTrayIcon::activated, &context_, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) popup_menu();
    });
    grouping_timer_.setInterval(250);
    QObject::connect(&grouping_timer_, &QTimer::timeout, &context_, [this] { deliver_due(); });
}

void TrayApp::start() {
    render();
    icon_.show();
    grouping_timer_.start();
    link_->start();
}

void TrayApp::popup_menu() { menu_.popup(icon_.geometry().isValid() ? icon_.geometry().bottomLeft() : QCursor::pos()); }

void TrayApp::deliver_due() {
    for (const Notification& notification : grouper_.due(NotificationGrouper::Clock::now())) notifier_.show(notification);
}

void TrayApp::render() {
    icon_.setIcon(icon_for(state_.icon()));
    icon_.setToolTip(q(state_.tooltip()));
    const MenuModel model = state_.menu(settings_);
    menu_.clear();
    menu_.addAction(q(model.status))->setEnabled(false);
    menu_.addSeparator();
    if (model.connected && model.my_files.empty()) menu_.addAction("No files checked out by you")->setEnabled(false);
    for (const std::string& path : model.my_files) {
        QMenu* file = menu_.addMenu(q(path));
        QObject::connect(file->addAction("Check in..."), &QAction::triggered, &context_, [this, path] { check_in(path); });
        QObject::connect(file->addAction("Undo check-out"), &QAction::triggered, &context_,
                         [this, path] { undo_check_out(path); });
        QObject::connect(file->addAction("Show in folder"), &QAction::triggered, &context_,
                         [this, path] { show_in_folder(path); });
    }
    menu_.addSeparator();
    QMenu* recent = menu_.addMenu("Recent activity");
    if (model.recent.empty()) recent->addAction("Nothing yet")->setEnabled(false);
    for (const std::string& line : model.recent) recent->addAction(q(line))->setEnabled(false);
    QAction* open = menu_.addAction("Open repo folder");
    open->setEnabled(model.connected);
    QObject::connect(open, &QAction::triggered, &context_,
                     [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(q(state_.repo()))); });
    menu_.addSeparator();
    add_switch("Pause notifications", model.paused, &NotificationSettings::paused);
    add_switch("Notify others' check-outs and check-ins", model.others_routine, &NotificationSettings::others_routine);
    menu_.addSeparator();
    QObject::connect(menu_.addAction("Quit"), &QAction::triggered, &context_, [] { QApplication::quit(); });
}

void TrayApp::add_switch(const QString& text, bool checked, bool NotificationSettings::*setting) {
    QAction* action = menu_.addAction(text);
    action->setCheckable(true);
    action->setChecked(checked);
    QObject::connect(action, &QAction::toggled, &context_, [this, setting](bool on) {
        settings_.*setting = on;
        save_settings();
    });
}

void TrayApp::save_settings() {
    stored_settings_.setValue("paused", settings_.paused);
    stored_settings_.setValue("others_routine", settings_.others_routine);
}

void TrayApp::check_in(const std::string& path) {
    bool given = false;
    const QString message = QInputDialog::getText(nullptr, "Check in " + q(path), "What did you change?",
                                                  QLineEdit::Normal, QString(), &given);
    if (!given) return;
    link_->request("checkin", {{"path", path}, {"message", message.toStdString()}},
                   [this, path](const nlohmann::json& reply) { report_failure("Could not check in " + path, reply); });
}

void TrayApp::undo_check_out(const std::string& path) {
    const auto answer = QMessageBox::question(
        nullptr, "Undo check-out", "Put " + q(path) + " back to its last checked-in revision and release it?\n"
                                                    "Your changes to it will be lost.");
    if (answer != QMessageBox::Yes) return;
    link_->request("unlock", {{"path", path}, {"discard", true}},
                   [this, path](const nlohmann::json& reply) { report_failure("Could not undo the check-out of " + path, reply); });
}

void TrayApp::show_in_folder(const std::string& path) const {
    const QFileInfo file(QDir(q(state_.repo())).filePath(q(path)));
    QDesktopServices::openUrl(QUrl::fromLocalFile(file.absolutePath()));
}

void TrayApp::report_failure(const std::string& what, const nlohmann::json& reply) const {
    if (reply.value("ok", false)) return;
    const nlohmann::json error = reply.value("error", nlohmann::json::object());
    QMessageBox::warning(nullptr, "pdm-tray", q(what + ":\n" + error.value("message", std::string("no reason given"))));
}

}  // namespace pdm::tray

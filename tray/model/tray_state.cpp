// SPDX-License-Identifier: Apache-2.0
#include "tray/model/tray_state.hpp"

#include <algorithm>

namespace pdm::tray {
namespace {

std::string plural_files(std::size_t count) { return std::to_string(count) + (count == 1 ? " file" : " files"); }

// One line of "Recent activity": "09:12 bob checked in parts/a.mcam".
std::string activity_line(const TrayEvent& event) {
    const std::string when = event.time.size() >= 16 ? event.time.substr(11, 5) + " " : "";
    const std::string who = event.user.empty() ? "on disk:" : event.user;
    std::string what = event.kind;
    if (event.kind == "checked_out") what = "checked out";
    if (event.kind == "checked_in") what = "checked in";
    if (event.kind == "lock_broken") what = "broke " + event.owner + "'s lock on";
    if (event.kind == "your_turn") what = "got from the waiting list";
    if (event.kind == "waiting") what = "waits for";
    if (event.kind == "lock_moved") return when + who + " " + event.from + " moved to " + event.path;
    if (event.kind == "file_added") what = "added";
    if (event.kind == "file_removed") what = "removed";
    if (event.kind == "file_modified") what = "modified";
    if (event.kind == "unlocked_write") what = "written without a lock:";
    return when + who + " " + what + " " + event.path;
}

}  // namespace

void TrayState::connected(std::string me, std::string repo, std::vector<std::string> my_locks) {
    link_ = Link::connected;
    me_ = std::move(me);
    repo_ = std::move(repo);
    reason_.clear();
    mine_ = std::set<std::string>(my_locks.begin(), my_locks.end());
}

void TrayState::unreachable(std::string reason, std::chrono::seconds retry_in) {
    link_ = Link::unreachable;
    reason_ = std::move(reason);
    retry_in_ = retry_in;
}

std::optional<Notification> TrayState::apply(const TrayEvent& event, const NotificationSettings& settings) {
    const bool i_held_it = mine_.contains(event.path);
    std::optional<Notification> notification = notification_for(event, me_, i_held_it, settings);
    if ((event.kind == "checked_out" && event.user == me_) || (event.kind == "your_turn" && event.user == me_)) {
        mine_.insert(event.path);
    } else if (event.kind == "checked_in" || event.kind == "unlocked" || event.kind == "lock_broken") {
        mine_.erase(event.path);
    } else if (event.kind == "lock_moved" && event.owner == me_) {
        mine_.erase(event.from);
        mine_.insert(event.path);
    }
    if (event.kind != "overflow") remember(event);
    return notification;
}

void TrayState::remember(const TrayEvent& event) {
    recent_.push_front(activity_line(event));
    if (recent_.size() > recent_limit) recent_.pop_back();
}

std::string TrayState::tooltip() const {
    switch (link_) {
        case Link::connecting:
            return "pdm-tray: connecting to pdmd...";
        case Link::unreachable:
            return "pdmd is unreachable: " + reason_ + " (retrying in " + std::to_string(retry_in_.count()) + " s)";
        case Link::connected:
            break;
    }
    if (mine_.empty()) return "pdmd: no files checked out by you";
    return "pdmd: " + plural_files(mine_.size()) + " checked out by you";
}

MenuModel TrayState::menu(const NotificationSettings& settings) const {
    MenuModel model;
    model.connected = link_ == Link::connected;
    model.status = model.connected ? me_ + " on " + repo_ : tooltip();
    if (model.connected) model.my_files.assign(mine_.begin(), mine_.end());
    model.recent.assign(recent_.begin(), recent_.end());
    model.paused = settings.paused;
    model.others_routine = settings.others_routine;
    return model;
}

std::chrono::seconds ReconnectBackoff::next() {
    static constexpr std::chrono::seconds steps[] = {std::chrono::seconds(1), std::chrono::seconds(2),
                                                     std::chrono::seconds(4), std::chrono::seconds(8),
                                                     std::chrono::seconds(16), std::chrono::seconds(30)};
    const auto step = steps[std::min<std::size_t>(static_cast<std::size_t>(attempt_), std::size(steps) - 1)];
    ++attempt_;
    return step;
}

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the tray shows: whether pdmd is reachable, the files you have checked
// out, the recent activity, and from these the icon, the tooltip and the
// menu. Fed the daemon's replies and events; the Qt layer only draws it.

#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tray/model/notification_policy.hpp"
#include "tray/model/tray_event.hpp"

namespace pdm::tray {

enum class Link { connecting, connected, unreachable };

struct IconLook {
    Link link = Link::connecting;
    std::size_t checked_out = 0;  // the badge
};

// Plain data the Qt layer renders; every action names the file it acts on.
struct MenuModel {
    std::string status;                  // first, disabled line: who and where, or why not
    std::vector<std::string> my_files;   // each gets Check in..., Undo check-out, Show in folder
    std::vector<std::string> recent;     // newest first, at most 10
    bool connected = false;              // file actions are offered only then
    bool paused = false;
    bool others_routine = false;
};

class TrayState {
public:
    static constexpr std::size_t recent_limit = 10;

    void connected(std::string me, std::string repo, std::vector<std::string> my_locks);
    void unreachable(std::string reason, std::chrono::seconds retry_in);

    // Keeps the check-outs and the activity current; returns the notification
    // the event deserves, if any.
    std::optional<Notification> apply(const TrayEvent& event, const NotificationSettings& settings);

    IconLook icon() const { return {link_, mine_.size()}; }
    std::string tooltip() const;
    MenuModel menu(const NotificationSettings& settings) const;

    const std::string& me() const { return me_; }
    const std::string& repo() const { return repo_; }
    const std::set<std::string>& my_files() const { return mine_; }

private:
    void remember(const TrayEvent& event);

    Link link_ = Link::connecting;
    std::string me_;
    std::string repo_;
    std::string reason_;
    std::chrono::seconds retry_in_{0};
    std::set<std::string> mine_;
    std::deque<std::string> recent_;  // newest first
};

// Waits between reconnection attempts: 1, 2, 4, 8, 16, then 30 s; back to 1
// once a connection works.
class ReconnectBackoff {
public:
    std::chrono::seconds next();
    void reset() { attempt_ = 0; }

private:
    int attempt_ = 0;
};

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#include "tray/model/notification_policy.hpp"

namespace pdm::tray {
namespace {

Notification make(const TrayEvent& event, std::string actor, std::string summary, std::string body,
                  Urgency urgency = Urgency::normal) {
    return {event.kind, std::move(actor), std::move(summary), std::move(body), urgency, {event.path}};
}

// "2026-11-25T09:12:00Z" -> "09:12 UTC"
std::string clock_time(const std::string& time) {
    return time.size() >= 16 ? time.substr(11, 5) + " UTC" : time;
}

std::optional<Notification> routine(const TrayEvent& event) {
    if (event.kind == "checked_out") return make(event, event.user, event.user + " checked out " + event.path, event.message);
    if (event.kind == "checked_in") {
        std::string body = event.message;
        if (event.revision) body = "Revision " + std::to_string(*event.revision) + (body.empty() ? "" : ": " + body);
        return make(event, event.user, event.user + " checked in " + event.path, body);
    }
    if (event.kind == "unlocked") return make(event, event.user, event.user + " unlocked " + event.path, "");
    return std::nullopt;
}

}  // namespace

std::optional<Notification> notification_for(const TrayEvent& event, const std::string& me, bool i_hold_it,
                                             const NotificationSettings& settings) {
    if (settings.paused) return std::nullopt;
    if (event.kind == "lock_broken" && event.owner == me && event.user != me) {
        std::string body = "At " + clock_time(event.time) + ". ";
        body += event.revision ? "Your work is saved as revision " + std::to_string(*event.revision) + "."
                               : "Your file had no unsaved changes.";
        return make(event, event.user, event.user + " broke your lock on " + event.path, body, Urgency::critical);
    }
    if (event.kind == "your_turn" && event.user == me) {
        return make(event, "", event.path + " is yours now", "It was checked out to you from the waiting list.",
                    Urgency::critical);
    }
    if (event.kind == "waiting" && event.owner == me) {
        return make(event, event.user, event.user + " is waiting for " + event.path,
                    "Check it in when you can" +
                        (event.position ? " (" + std::to_string(*event.position) + " in the queue)." : std::string(".")));
    }
    if (event.kind == "lock_moved" && event.owner == me) {
        return make(event, "", event.from + " was moved to " + event.path, "Your lock followed it.");
    }
    if (i_hold_it && event.kind == "file_removed") {
        return make(event, "", event.path + " was removed from disk",
                    "You still hold its lock: check it in or unlock it.", Urgency::critical);
    }
    if (i_hold_it && event.kind == "file_modified") {
        return make(event, "", event.path + " changed on disk", "A file you have checked out was written.");
    }
    if (event.kind == "unlocked_write") {
        return make(event, "", "Someone wrote to " + event.path,
                    "Nobody had it checked out. Check files out before editing them.", Urgency::critical);
    }
    if (settings.others_routine && event.user != me && !event.user.empty()) return routine(event);
    return std::nullopt;
}

}  // namespace pdm::tray

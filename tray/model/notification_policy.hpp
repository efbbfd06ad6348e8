// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which events concern the person at the desk, and what the notification
// says. Routine check-outs and check-ins by others are off unless asked for;
// what happens to your own files, or to files nobody holds, is on.

#include <optional>
#include <string>
#include <vector>

#include "tray/model/tray_event.hpp"

namespace pdm::tray {

struct NotificationSettings {
    bool paused = false;           // "Pause notifications": none at all
    bool others_routine = false;   // others' check-outs, check-ins and unlocks
};

enum class Urgency { normal, critical };

struct Notification {
    std::string kind;   // the event kind it came from
    std::string actor;  // who did it ("" when the OS does not say); with kind, what groups it
    std::string summary;
    std::string body;
    Urgency urgency = Urgency::normal;
    std::vector<std::string> paths;
};

// `i_hold_it`: the event's file is checked out by `me` (before the event).
std::optional<Notification> notification_for(const TrayEvent& event, const std::string& me, bool i_hold_it,
                                             const NotificationSettings& settings);

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Bursts become one notification: twelve check-ins by bob within a couple of
// seconds are "bob checked in 12 files", not twelve pop-ups. Time is passed
// in, so the grouping is the same in tests as at the desk.

#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include "tray/model/notification_policy.hpp"

namespace pdm::tray {

class NotificationGrouper {
public:
    using Clock = std::chrono::steady_clock;
    explicit NotificationGrouper(Clock::duration window = std::chrono::seconds(2)) : window_(window) {}

    void add(Notification notification, Clock::time_point now);
    // The notifications whose window has closed, each burst made one, in the
    // order their first part arrived.
    std::vector<Notification> due(Clock::time_point now);
    bool empty() const { return open_.empty(); }

private:
    struct Burst {
        Clock::time_point first;
        std::uint64_t order;
        std::vector<Notification> parts;
    };
    Clock::duration window_;
    std::uint64_t next_order_ = 0;
    std::map<std::pair<std::string, std::string>, Burst> open_;  // by (kind, actor)
};

// One notification for a burst of the same kind by the same actor.
Notification combine(const std::vector<Notification>& parts);

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#include "tray/model/notification_grouper.hpp"

#include <algorithm>

namespace pdm::tray {
namespace {

constexpr std::size_t listed_paths = 5;

std::string files(std::size_t count) { return std::to_string(count) + " files"; }

std::string burst_summary(const std::string& kind, const std::string& actor, std::size_t count) {
    if (kind == "checked_in") return actor + " checked in " + files(count);
    if (kind == "checked_out") return actor + " checked out " + files(count);
    if (kind == "unlocked") return actor + " unlocked " + files(count);
    if (kind == "lock_broken") return actor + " broke your locks on " + files(count);
    if (kind == "your_turn") return files(count) + " are yours now";
    if (kind == "waiting") return actor + " is waiting for " + files(count) + " of yours";
    if (kind == "lock_moved") return files(count) + " you hold were moved";
    if (kind == "file_removed") return files(count) + " you hold were removed from disk";
    if (kind == "file_modified") return files(count) + " you hold changed on disk";
    if (kind == "unlocked_write") return "Someone wrote to " + files(count) + " nobody had checked out";
    return files(count) + ": " + kind;
}

}  // namespace

Notification combine(const std::vector<Notification>& parts) {
    if (parts.size() == 1) return parts.front();
    Notification result;
    result.kind = parts.front().kind;
    result.actor = parts.front().actor;
    for (const Notification& part : parts) {
        result.paths.insert(result.paths.end(), part.paths.begin(), part.paths.end());
        if (part.urgency == Urgency::critical) result.urgency = Urgency::critical;
    }
    result.summary = burst_summary(result.kind, result.actor, result.paths.size());
    for (std::size_t i = 0; i < std::min(listed_paths, result.paths.size()); ++i)
        result.body += (i ? "\n" : "") + result.paths[i];
    if (result.paths.size() > listed_paths)
        result.body += "\nand " + std::to_string(result.paths.size() - listed_paths) + " more";
    return result;
}

void NotificationGrouper::add(Notification notification, Clock::time_point now) {
    auto [burst, created] = open_.try_emplace({notification.kind, notification.actor});
    if (created) {
        burst->second.first = now;
        burst->second.order = next_order_++;
    }
    burst->second.parts.push_back(std::move(notification));
}

std::vector<Notification> NotificationGrouper::due(Clock::time_point now) {
    std::vector<std::pair<std::uint64_t, Notification>> ready;
    for (auto it = open_.begin(); it != open_.end();) {
        if (now - it->second.first < window_) {
            ++it;
            continue;
        }
        ready.emplace_back(it->second.order, combine(it->second.parts));
        it = open_.erase(it);
    }
    std::sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Notification> result;
    for (auto& [order, notification] : ready) result.push_back(std::move(notification));
    return result;
}

}  // namespace pdm::tray

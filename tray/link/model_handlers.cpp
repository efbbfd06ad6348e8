// SPDX-License-Identifier: Apache-2.0
#include "tray/link/model_handlers.hpp"

#include <chrono>
#include <optional>
#include <utility>

#include "tray/model/tray_event.hpp"

namespace pdm::tray {

DaemonLink::Handlers model_handlers(TrayState& state, const NotificationSettings& settings, std::function<void()> changed,
                                    std::function<void(const Notification&)> notify) {
    DaemonLink::Handlers handlers;
    handlers.connected = [&state, changed](std::string me, std::string repo, std::vector<std::string> mine) {
        state.connected(std::move(me), std::move(repo), std::move(mine));
        changed();
    };
    handlers.event = [&state, &settings, changed, notify](const nlohmann::json& line) {
        const std::optional<TrayEvent> event = TrayEvent::parse(line);
        if (!event) return;  // a reply, or not JSON: nothing to show
        if (const std::optional<Notification> notification = state.apply(*event, settings)) notify(*notification);
        changed();
    };
    handlers.lost = [&state, changed](std::string reason, int retry_seconds) {
        state.unreachable(std::move(reason), std::chrono::seconds(retry_seconds));
        changed();
    };
    return handlers;
}

}  // namespace pdm::tray

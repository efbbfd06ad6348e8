// SPDX-License-Identifier: Apache-2.0
#pragma once
// What pdmd tells the link, applied to the model the same way in every front
// end: TrayState follows pdmd, the front end redraws, and a notification the
// model chose for an event is handed over to be grouped and shown.

#include <functional>

#include "tray/link/daemon_link.hpp"
#include "tray/model/notification_policy.hpp"
#include "tray/model/tray_state.hpp"

namespace pdm::tray {

// `state` and `settings` must outlive the link; the handlers run on the GUI
// thread (DaemonLink posts them there), as `changed` and `notify` then do.
DaemonLink::Handlers model_handlers(TrayState& state, const NotificationSettings& settings, std::function<void()> changed,
                                    std::function<void(const Notification&)> notify);

}  // namespace pdm::tray

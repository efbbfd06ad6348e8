// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdm-tray's notification settings, kept per user in the registry under
// HKEY_CURRENT_USER\Software\pdmd\pdm-tray (what QSettings keeps on Linux).

#include "tray/model/notification_policy.hpp"

namespace pdm::tray {

// Values never written read as the defaults of NotificationSettings.
NotificationSettings load_settings();
// Throws std::system_error with Windows' words when the registry refuses.
void save_settings(const NotificationSettings& settings);

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#pragma once
// "Check in...": asks what changed, in a dialog titled with the file's name
// (pdm-tray.rc's PDM_IDD_CHECK_IN).

#include <windows.h>

#include <optional>
#include <string>

namespace pdm::tray {

// The message typed (UTF-8, possibly empty), or nothing when the person cancelled.
std::optional<std::string> ask_check_in_message(HINSTANCE instance, const std::string& path);

}  // namespace pdm::tray

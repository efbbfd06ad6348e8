// SPDX-License-Identifier: Apache-2.0
#include "tray/win/stored_settings_win.hpp"

#include <windows.h>

#include "core/win_text.hpp"

namespace pdm::tray {
namespace {

constexpr const wchar_t* key = L"Software\\pdmd\\pdm-tray";

bool read_flag(const wchar_t* name, bool fallback) {
    DWORD value = 0;
    DWORD size = sizeof value;
    if (RegGetValueW(HKEY_CURRENT_USER, key, name, RRF_RT_REG_DWORD, nullptr, &value, &size) != ERROR_SUCCESS)
        return fallback;
    return value != 0;
}

void write_flag(const wchar_t* name, bool on) {
    const DWORD value = on ? 1 : 0;
    // Creates the key the first time.
    const LSTATUS status = RegSetKeyValueW(HKEY_CURRENT_USER, key, name, REG_DWORD, &value, sizeof value);
    if (status != ERROR_SUCCESS)
        throw win::error(static_cast<unsigned long>(status), "cannot save pdm-tray's settings in HKEY_CURRENT_USER\\Software\\pdmd\\pdm-tray");
}

}  // namespace

NotificationSettings load_settings() {
    const NotificationSettings defaults;
    NotificationSettings settings;
    settings.paused = read_flag(L"paused", defaults.paused);
    settings.others_routine = read_flag(L"others_routine", defaults.others_routine);
    return settings;
}

void save_settings(const NotificationSettings& settings) {
    write_flag(L"paused", settings.paused);
    write_flag(L"others_routine", settings.others_routine);
}

}  // namespace pdm::tray

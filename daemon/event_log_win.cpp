// SPDX-License-Identifier: Apache-2.0
#include "daemon/event_log_win.hpp"

#include <windows.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/win_eventlog_sink.h>

#include "core/win_text.hpp"
#include "daemon/event_messages.h"

namespace pdm::daemon {
namespace {

std::wstring source_key(const std::wstring& source) {
    return L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" + source;
}

// The categories event_messages.mc names: spdlog's levels debug to critical.
constexpr DWORD kCategoryCount = PDM_CATEGORY_CRITICAL;

}  // namespace

spdlog::sink_ptr event_log_sink(const std::string& source) {
    auto sink = std::make_shared<spdlog::sinks::win_eventlog_sink_mt>(source, PDM_EVENT_LINE);
    // Event Viewer shows the time, the level and the source itself.
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
    return sink;
}

std::optional<std::string> register_event_source(const std::wstring& source, const std::wstring& program) {
    HKEY key = nullptr;
    const LSTATUS opened = RegCreateKeyExW(HKEY_LOCAL_MACHINE, source_key(source).c_str(), 0, nullptr,
                                           REG_OPTION_NON_VOLATILE, KEY_SET_VALUE, nullptr, &key, nullptr);
    if (opened != ERROR_SUCCESS) return win::words_for(static_cast<DWORD>(opened));
    const auto set_text = [&](const wchar_t* name, const std::wstring& value) {
        return RegSetValueExW(key, name, 0, REG_EXPAND_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                              static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
    };
    const auto set_number = [&](const wchar_t* name, DWORD value) {
        return RegSetValueExW(key, name, 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), sizeof value);
    };
    LSTATUS status = set_text(L"EventMessageFile", program);
    if (status == ERROR_SUCCESS) status = set_text(L"CategoryMessageFile", program);
    if (status == ERROR_SUCCESS) status = set_number(L"CategoryCount", kCategoryCount);
    if (status == ERROR_SUCCESS)
        status = set_number(L"TypesSupported", EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE);
    RegCloseKey(key);
    if (status != ERROR_SUCCESS) return win::words_for(static_cast<DWORD>(status));
    return std::nullopt;
}

void unregister_event_source(const std::wstring& source) { RegDeleteKeyW(HKEY_LOCAL_MACHINE, source_key(source).c_str()); }

}  // namespace pdm::daemon

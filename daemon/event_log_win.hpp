// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Windows Event Log as the place a service's log lines go: each line is
// one event in the Application log, from the event source named for the
// service, rendered by the message table pdmd.exe carries
// (event_messages.mc). --install-service registers pdmd.exe as the source's
// message file and --uninstall-service removes it; without that, Event Viewer
// still shows each line, after a note that the source's description is missing.

#include <optional>
#include <string>

#include <spdlog/common.h>

namespace pdm::daemon {

// Sends each log line to the Event Log as an event of `source`, typed by its
// level (error, warning, information).
spdlog::sink_ptr event_log_sink(const std::string& source);

// Makes `program` the message file of the event source `source`. Returns why
// it could not (it needs an administrator), or nothing.
std::optional<std::string> register_event_source(const std::wstring& source, const std::wstring& program);
// Removes the event source; the events already logged stay.
void unregister_event_source(const std::wstring& source);

}  // namespace pdm::daemon

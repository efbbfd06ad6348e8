// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdmd logs to stderr: readable lines at a terminal, lines with syslog
// priority prefixes ("<4>...") when stderr is the journal, so that
// `journalctl -p warning -u pdmd` shows exactly the warnings; to a file
// (--log-file); or, with neither, to the system's own log where nobody reads
// stderr (a Windows service: the Event Log).

#include <string>

#include <spdlog/common.h>

namespace pdm::daemon {

// `file`: log there (rotated at 10 MiB, 5 kept), when not empty; else to
// `system_log` when set; else to stderr.
void set_up_logging(const std::string& level, bool to_journal, const std::string& file = "",
                    spdlog::sink_ptr system_log = nullptr);
void set_log_level(const std::string& level);

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdmd logs to stderr: readable lines at a terminal, lines with syslog
// priority prefixes ("<4>...") when stderr is the journal, so that
// `journalctl -p warning -u pdmd` shows exactly the warnings; or to a file
// (--log-file, and a Windows service, which has no stderr).

#include <string>

namespace pdm::daemon {

// `file`: log there instead (rotated at 10 MiB, 5 kept), when not empty.
void set_up_logging(const std::string& level, bool to_journal, const std::string& file = "");
void set_log_level(const std::string& level);

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdmd logs to stderr: readable lines at a terminal, lines with syslog
// priority prefixes ("<4>...") when stderr is the journal, so that
// `journalctl -p warning -u pdmd` shows exactly the warnings.

#include <string>

namespace pdm::daemon {

void set_up_logging(const std::string& level, bool to_journal);
void set_log_level(const std::string& level);

}  // namespace pdm::daemon

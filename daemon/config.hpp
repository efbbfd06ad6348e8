// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdmd's settings: command-line flags, each of which may also come from a
// config file (--config; TOML or INI keys named like the long flags).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipc/protocol.hpp"

namespace pdm::daemon {

struct DaemonConfig {
    std::string repo;
    std::string state_dir;    // default: <repo>/.pdm
    std::string socket_path;  // default: see ipc::default_endpoint_path()
    unsigned socket_mode = 0660;
    std::string pipe_users;  // Windows: the group whose members may use the pipe (empty: interactive users)
    std::vector<std::string> include;
    std::vector<std::string> ignore;  // default: Repository::default_ignore_patterns()
    std::vector<std::string> admins;
    std::string admin_group;
    std::string log_level = "info";
    std::string log_file;  // default: stderr (a Windows service: the Event Log)
    bool service = false;  // Windows: started by the service control manager
    // Windows: register (and start) or remove the service instead of running.
    bool install_service = false;
    bool uninstall_service = false;
    std::string service_name = "pdmd";
    std::vector<std::string> service_arguments;  // the flags the installed service runs with
    bool recover = false;
    std::size_t max_line_bytes = 1024 * 1024;
    std::size_t max_connections = 4096;
    std::size_t max_connections_per_user = 64;
    unsigned line_timeout_ms = 30000;
    std::size_t max_unread_bytes = 4 * 1024 * 1024;  // replies and events a client may leave unread
    ipc::RequestLimits limits;
    std::uint64_t max_file_bytes = std::uint64_t{4} << 30;  // largest file the history reads
    std::uint64_t audit_max_bytes = std::uint64_t{64} << 20;  // audit.jsonl is rotated past this
    std::size_t audit_keep = 8;                               // rotated audit files kept
    std::size_t audit_refusals_per_minute = 60;               // refused requests audited per user
    unsigned settle_ms = 300;  // quiet time before a changed file is re-read
    bool watch = true;
    // Read-only enforcement: "auto" (ownership when pdmd may give files
    // away, else mode), "ownership", "mode" or "off".
    std::string enforce = "auto";
};

// Either a config, or the exit code to leave with (0 after --help or
// --version, 2 for a usage error) with CLI11's text already printed.
struct ParsedCommandLine {
    std::optional<DaemonConfig> config;
    int exit_code = 0;
};

ParsedCommandLine parse_command_line(int argc, char** argv);

}  // namespace pdm::daemon

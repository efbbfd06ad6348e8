// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdmctl's subcommands. Each builds one request, sends it with the shared
// client library, and prints the reply for people (or raw JSON with --json).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pdm::cli {

// Documented exit codes.
enum ExitCode { exit_ok = 0, exit_refused = 1, exit_usage = 2, exit_unreachable = 3 };

struct GlobalOptions {
    std::string socket_path;  // --socket; empty: ipc::locate_daemon decides
    bool json = false;
};

struct ListOptions {
    std::optional<std::string> match;
    std::optional<std::string> status;
    std::optional<std::string> user;
    bool mine = false;
};

struct LogOptions {
    std::optional<std::string> path;
    std::optional<std::string> user;
    std::uint64_t limit = 20;
};

int run_ping(const GlobalOptions& global);
int run_list(const GlobalOptions& global, const ListOptions& options);
int run_info(const GlobalOptions& global, const std::string& path);
// With `wait`, joins the file's queue when someone else holds it and blocks
// until it is handed over (Ctrl-C leaves the queue).
int run_checkout(const GlobalOptions& global, const std::vector<std::string>& paths, const std::string& message,
                 bool wait);
// With `wait.enabled`, a file some program still has open for writing is
// checked in once it is closed (at most `timeout_seconds` later).
struct CheckinWait {
    bool enabled = false;
    unsigned timeout_seconds = 600;
};
int run_checkin(const GlobalOptions& global, const std::vector<std::string>& paths,
                const std::optional<std::string>& message, const CheckinWait& wait);
struct UnlockOptions {
    bool force = false;
    bool discard = false;  // put the working files back to their last revision
    std::optional<std::string> reason;
};
int run_unlock(const GlobalOptions& global, const std::vector<std::string>& paths, const UnlockOptions& options);
int run_locks(const GlobalOptions& global, const std::optional<std::string>& user, bool mine);
// The audit trail.
int run_audit(const GlobalOptions& global, const LogOptions& options);

// The version history.
int run_log(const GlobalOptions& global, const std::string& path, std::uint64_t limit);
int run_diff(const GlobalOptions& global, const std::string& path, const std::optional<std::string>& from,
             const std::optional<std::string>& to);
int run_blame(const GlobalOptions& global, const std::string& path);
// Writes the revision's bytes to stdout as they arrive.
int run_cat(const GlobalOptions& global, const std::string& path, const std::string& rev);
int run_restore(const GlobalOptions& global, const std::string& path, const std::string& rev);

struct WatchOptions {
    std::vector<std::string> kinds;
    std::optional<std::string> match;
};
// Prints events as they happen until the daemon goes away or Ctrl-C.
int run_watch(const GlobalOptions& global, const WatchOptions& options);
int run_who(const GlobalOptions& global);

}  // namespace pdm::cli

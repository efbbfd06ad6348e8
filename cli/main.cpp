// pdmctl: the command line people and scripts use to check files out and in.

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "ipc/local_endpoint.hpp"

int main(int argc, char** argv) {
    using namespace pdm::cli;
    GlobalOptions global;
    if (const char* socket = std::getenv("PDMD_SOCKET"); socket && *socket) {
        global.socket_path = socket;
    } else {
        global.socket_path = pdm::ipc::default_endpoint_path();
    }

    CLI::App app{"pdmctl: check part files out of and into a pdmd-guarded folder"};
    app.set_version_flag("--version", std::string("pdmctl ") + PDM_VERSION);
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.footer("Exit codes: 0 done, 1 refused by pdmd (its message is printed), 2 usage error, "
               "3 cannot reach pdmd.\nPaths are relative to the current folder when it is inside the "
               "repository, else relative to the repository.\n");
    app.require_subcommand(1);
    app.add_option("--socket", global.socket_path, "pdmd's socket (default: $PDMD_SOCKET, else the daemon's default)");
    app.add_flag("--json", global.json, "Print the daemon's JSON instead of tables");

    auto* ping = app.add_subcommand("ping", "Check that pdmd answers, and who it says you are");

    ListOptions list;
    auto* ls = app.add_subcommand("ls", "List tracked files and who has them checked out");
    ls->add_option("glob", list.match, "Only files matching this pattern (e.g. '*.mcam', 'parts/**')");
    ls->add_option("--status", list.status, "available, checked_out or missing (checked out, gone from disk)")
        ->check(CLI::IsMember({"available", "checked_out", "missing"}));
    ls->add_option("--user", list.user, "Only files checked out by this user");
    ls->add_flag("--mine", list.mine, "Only files checked out by you");

    std::string info_path;
    auto* info = app.add_subcommand("info", "Show one file and its lock");
    info->add_option("file", info_path, "The file")->required();

    std::vector<std::string> checkout_paths;
    std::string checkout_message;
    auto* checkout = app.add_subcommand("checkout", "Check files out (all of them or none)");
    checkout->add_option("files", checkout_paths, "Files to check out")->required();
    checkout->add_option("-m,--message", checkout_message, "Why you are checking them out")->required();
    bool checkout_wait = false;
    checkout->add_flag("-w,--wait", checkout_wait,
                       "If someone else has the file, wait in line for it (one file; Ctrl-C leaves the line)");

    std::vector<std::string> checkin_paths;
    std::optional<std::string> checkin_message;
    auto* checkin = app.add_subcommand("checkin", "Check your files back in");
    checkin->add_option("files", checkin_paths, "Files to check in")->required();
    checkin->add_option("-m,--message", checkin_message, "What you changed");

    std::vector<std::string> unlock_paths;
    bool force = false;
    auto* unlock = app.add_subcommand("unlock", "Release check-outs without checking in");
    unlock->add_option("files", unlock_paths, "Files to unlock")->required();
    unlock->add_flag("-f,--force", force, "Break another user's lock (admins only; audited)");

    std::optional<std::string> locks_user;
    bool locks_mine = false;
    auto* locks = app.add_subcommand("locks", "List current check-outs");
    locks->add_option("--user", locks_user, "Only this user's");
    locks->add_flag("--mine", locks_mine, "Only yours");

    LogOptions log;
    auto* log_command = app.add_subcommand("log", "Show the audit trail, newest first");
    log_command->add_option("file", log.path, "Only entries about this file");
    log_command->add_option("--user", log.user, "Only entries by this user");
    log_command->add_option("-n,--limit", log.limit, "How many entries (default 20, at most 10000)")
        ->check(CLI::Range(1, 10000));

    WatchOptions watch_options;
    auto* watch = app.add_subcommand("watch", "Print lock and file changes as they happen");
    watch->add_option("--event", watch_options.kinds,
                      "Only these kinds: checked_out, checked_in, unlocked, lock_broken, file_added, file_removed, "
                      "file_modified, unlocked_write, lock_moved, waiting, your_turn (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    watch->add_option("--match", watch_options.match, "Only files matching this pattern");

    auto* who = app.add_subcommand("who", "Who is connected to pdmd now");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? exit_ok : exit_usage;
    }

    if (*ping) return run_ping(global);
    if (*ls) return run_list(global, list);
    if (*info) return run_info(global, info_path);
    if (*checkout) return run_checkout(global, checkout_paths, checkout_message, checkout_wait);
    if (*checkin) return run_checkin(global, checkin_paths, checkin_message);
    if (*unlock) return run_unlock(global, unlock_paths, force);
    if (*locks) return run_locks(global, locks_user, locks_mine);
    if (*log_command) return run_log(global, log);
    if (*watch) return run_watch(global, watch_options);
    if (*who) return run_who(global);
    return exit_usage;
}

// SPDX-License-Identifier: Apache-2.0
// pdmctl: the command line people and scripts use to check files out and in.

#include <cstdint>
#include <optional>
#include <string>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "core/program_arguments.hpp"
#include "ipc/client.hpp"
#include "ipc/local_endpoint.hpp"

int main(int argc, char** argv) {
    using namespace pdm::cli;
    const pdm::Utf8Console console;
    pdm::ProgramArguments arguments(argc, argv);
    GlobalOptions global;

    CLI::App app{"pdmctl: check part files out of and into a pdmd-guarded folder"};
    app.set_version_flag("--version", std::string("pdmctl ") + PDM_VERSION);
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.footer("Exit codes: 0 done, 1 refused by pdmd (its message is printed), 2 usage error, "
               "3 cannot reach pdmd.\nPaths are relative to the current folder when it is inside the "
               "repository, else relative to the repository.\n");
    app.require_subcommand(1);
    const pdm::ipc::EndpointNaming& naming = pdm::ipc::endpoint_naming();
    app.add_option(naming.flag, global.socket_path,
                   std::string("pdmd's ") + naming.noun + " (default: $" + naming.environment +
                       ", else your own daemon's if one runs, else the system daemon's " +
                       pdm::ipc::default_endpoints().back().path + ")");
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
    CheckinWait checkin_wait;
    checkin->add_flag("--wait", checkin_wait.enabled,
                      "If a program still has a file open for writing, wait until it is closed, then check in");
    checkin->add_option("--timeout", checkin_wait.timeout_seconds, "Longest wait in seconds (default 600)");

    std::vector<std::string> unlock_paths;
    UnlockOptions unlock_options;
    auto* unlock = app.add_subcommand("unlock", "Release check-outs without checking in");
    unlock->add_option("files", unlock_paths, "Files to unlock")->required();
    unlock->add_flag("-f,--force", unlock_options.force,
                     "Break another user's lock (admins only; audited; their work is saved as a snapshot revision)");
    unlock->add_flag("--discard", unlock_options.discard,
                     "Undo your check-out: put the files back to their last checked-in revision");
    unlock->add_option("-m,--message", unlock_options.reason, "Why (recorded with the snapshot of a broken lock)");

    std::optional<std::string> locks_user;
    bool locks_mine = false;
    auto* locks = app.add_subcommand("locks", "List current check-outs");
    locks->add_option("--user", locks_user, "Only this user's");
    locks->add_flag("--mine", locks_mine, "Only yours");

    LogOptions audit_options;
    auto* audit = app.add_subcommand("audit", "Show the audit trail, newest first");
    audit->add_option("file", audit_options.path, "Only entries about this file");
    audit->add_option("--user", audit_options.user, "Only entries by this user");
    audit->add_option("-n,--limit", audit_options.limit, "How many entries (default 20, at most 10000)")
        ->check(CLI::Range(1, 10000));

    std::string history_path;
    std::uint64_t history_limit = 0;
    auto* log_command = app.add_subcommand("log", "Show a file's revisions, newest first");
    log_command->add_option("file", history_path, "The file")->required();
    log_command->add_option("-n,--limit", history_limit, "Only the newest N");

    std::string diff_path;
    std::optional<std::string> diff_from, diff_to;
    auto* diff = app.add_subcommand("diff", "Compare revisions (default: the last one against the working file)");
    diff->add_option("file", diff_path, "The file")->required();
    diff->add_option("--from", diff_from, "Revision number or commit id (default: the newest)");
    diff->add_option("--to", diff_to, "Revision number or commit id (default: the working file)");

    std::string blame_path;
    auto* blame = app.add_subcommand("blame", "Show who last changed each line of a text file");
    blame->add_option("file", blame_path, "The file")->required();

    std::string cat_path, cat_rev;
    auto* cat = app.add_subcommand("cat", "Write a revision's content to standard output");
    cat->add_option("file", cat_path, "The file")->required();
    cat->add_option("-r,--rev", cat_rev, "Revision number or commit id")->required();

    std::string restore_path, restore_rev;
    auto* restore = app.add_subcommand("restore", "Put an earlier revision in your checked-out working file");
    restore->add_option("file", restore_path, "The file (checked out by you)")->required();
    restore->add_option("-r,--rev", restore_rev, "Revision number or commit id")->required();

    WatchOptions watch_options;
    auto* watch = app.add_subcommand("watch", "Print lock and file changes as they happen");
    watch->add_option("--event", watch_options.kinds,
                      "Only these kinds: checked_out, checked_in, unlocked, lock_broken, file_added, file_removed, "
                      "file_modified, unlocked_write, lock_moved, waiting, your_turn (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    watch->add_option("--match", watch_options.match, "Only files matching this pattern");

    auto* who = app.add_subcommand("who", "Who is connected to pdmd now");

    try {
        app.parse(arguments.count(), arguments.values());
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? exit_ok : exit_usage;
    }

    if (*ping) return run_ping(global);
    if (*ls) return run_list(global, list);
    if (*info) return run_info(global, info_path);
    if (*checkout) return run_checkout(global, checkout_paths, checkout_message, checkout_wait);
    if (*checkin) return run_checkin(global, checkin_paths, checkin_message, checkin_wait);
    if (*unlock) return run_unlock(global, unlock_paths, unlock_options);
    if (*locks) return run_locks(global, locks_user, locks_mine);
    if (*audit) return run_audit(global, audit_options);
    if (*log_command) return run_log(global, history_path, history_limit);
    if (*diff) return run_diff(global, diff_path, diff_from, diff_to);
    if (*blame) return run_blame(global, blame_path);
    if (*cat) return run_cat(global, cat_path, cat_rev);
    if (*restore) return run_restore(global, restore_path, restore_rev);
    if (*watch) return run_watch(global, watch_options);
    if (*who) return run_who(global);
    return exit_usage;
}

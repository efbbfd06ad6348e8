// SPDX-License-Identifier: Apache-2.0
#include "daemon/config.hpp"

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/repository.hpp"
#include "core/utf8_path.hpp"
#include "daemon/service_manager.hpp"
#include "ipc/local_endpoint.hpp"

namespace pdm::daemon {
namespace {

// The config file as CLI11 reads it (TOML, or INI), less one thing: CLI11
// 2.1 reads `key = []` as a key with no value, and an option that takes one
// value then reads the first of none, and pdmd crashed on the file (found by
// the config fuzz target). Here an empty list is a usage error naming its key.
class ConfigWithoutEmptyLists : public CLI::ConfigTOML {
public:
    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
        std::vector<CLI::ConfigItem> read = CLI::ConfigTOML::from_config(input);
        for (const CLI::ConfigItem& item : read) {
            const bool section_mark = item.name == "++" || item.name == "--";
            if (item.inputs.empty() && !section_mark)
                throw CLI::ConversionError(item.fullname() + " in the --config file is an empty list, which gives no "
                                           "value; leave the key out to keep its default");
        }
        return read;
    }
};

}  // namespace

ParsedCommandLine parse_command_line(int argc, char** argv) {
    DaemonConfig config;
    std::string socket_mode = "0660";

    CLI::App app{"pdmd: guards a folder of part files with exclusive check-outs and check-ins"};
    app.set_version_flag("--version", std::string("pdmd ") + PDM_VERSION);
    // A flag given twice (or in the config file and on the command line) takes the last value.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.set_config("--config", "", "Read options from a file (TOML or INI; keys are the long flag names)");
    app.config_formatter(std::make_shared<ConfigWithoutEmptyLists>());
    app.add_option("--repo", config.repo, "The folder of part files to guard (required)")
        ->check([](const std::string& folder) -> std::string {
            // Not CLI::ExistingDirectory: it reads the name in the platform's
            // narrow encoding, which on Windows is not the UTF-8 we are given.
            std::error_code ec;
            if (!std::filesystem::is_directory(path_from_utf8(folder), ec)) return "Directory does not exist: " + folder;
            return {};
        });
    app.add_option("--state-dir", config.state_dir, "Where locks.json and audit.jsonl live (default: REPO/.pdm)");
    const ipc::EndpointNaming& naming = ipc::endpoint_naming();
    app.add_option(naming.flag, config.socket_path, naming.listen_help);
    if (naming.has_mode) {
        app.add_option("--socket-mode", socket_mode, "Permission bits of the socket, in octal")
            ->check([](const std::string& text) -> std::string {
                if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
                    return "must be octal permission bits such as 0660";
                return {};
            });
    } else {
        app.add_option("--pipe-users", config.pipe_users,
                       "The group (or account) whose members may use the pipe, such as DOMAIN\\CAM users "
                       "(default: everyone logged on interactively)");
    }
    app.add_option("--include", config.include,
                   "Track only files matching this glob (repeatable; default: every file that is not hidden)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    config.ignore = Repository::default_ignore_patterns();
    app.add_option("--ignore", config.ignore,
                   "Never track files matching this glob: the temp and backup files programs write while they "
                   "save (repeatable; default: *.tmp *.bak *~ ~$* .~lock.*; an empty value: none)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--admin", config.admins, "A user who may break other users' locks (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--admin-group", config.admin_group, "Members of this group may break other users' locks");
    app.add_option("--log-file", config.log_file,
                   "Log to this file, rotated at 10 MiB, 5 kept (default: stderr; a Windows service: the "
                   "Event Log)");
    if (ServiceManager::has_service_mode()) {
        app.add_flag("--service", config.service,
                     "Run as the Windows service the service control manager starts (see --install-service)");
        app.add_flag("--install-service", config.install_service,
                     "Register pdmd as a Windows service that starts at boot with the other flags given here, and "
                     "start it (from an elevated prompt)");
        app.add_flag("--uninstall-service", config.uninstall_service,
                     "Stop the Windows service and remove it; the state folder stays");
        app.add_option("--service-name", config.service_name, "The service's name (default: pdmd)");
    }
    app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error, critical or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_flag("--recover", config.recover,
                 "If locks.json is unreadable, move it aside and start with no locks but the journal's; if "
                 "locks.journal was damaged on disk, move it aside and keep the records before the damage");
    app.add_option("--max-line-bytes", config.max_line_bytes, "Longest request line accepted")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
    app.add_option("--max-connections", config.max_connections, "Most client connections at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));

    app.add_option("--max-connections-per-user", config.max_connections_per_user,
                   "Most connections of one user at once (root's are not counted)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    app.add_option("--line-timeout-ms", config.line_timeout_ms,
                   "Milliseconds a client may take to finish a request line it has begun; then the connection is "
                   "closed (an idle connection with no unfinished line is never closed)")
        ->check(CLI::Range(100u, 3600000u));
    app.add_option("--max-unread-bytes", config.max_unread_bytes,
                   "Most bytes of replies and events a client may leave unread; past it a subscriber is sent "
                   "the event overflow and disconnected")
        ->check(CLI::Range(std::size_t{64} * 1024, std::size_t{1} << 30));
    app.add_option("--max-message-bytes", config.limits.message_bytes,
                   "Longest check-out, check-in or unlock message, in bytes")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    app.add_option("--max-paths", config.limits.paths, "Most paths one request may name")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    app.add_option("--max-glob-bytes", config.limits.glob_bytes, "Longest match pattern, in bytes")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1024}));
    app.add_option("--max-subscription-globs", config.limits.globs, "Most match patterns of one subscription")
        ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
    app.add_option("--max-file-bytes", config.max_file_bytes,
                   "Largest file the version history takes; a larger one cannot be checked in (too_large)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50));
    app.add_option("--audit-max-bytes", config.audit_max_bytes,
                   "Rotate audit.jsonl once it is larger than this (it becomes audit.jsonl.1)")
        ->check(CLI::Range(std::uint64_t{4096}, std::uint64_t{1} << 50));
    app.add_option("--audit-keep", config.audit_keep, "Rotated audit files kept (older ones are deleted)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
    app.add_option("--audit-refusals-per-minute", config.audit_refusals_per_minute,
                   "Refused requests of one user audited per minute; the rest are counted")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    app.add_option("--settle-ms", config.settle_ms,
                   "Milliseconds a changed file still open for writing must be quiet before it is re-read and "
                   "announced (a file its writer closed is announced at once)")
        ->check(CLI::Range(0u, 60000u));
    app.add_flag("!--no-watch", config.watch, "Do not watch the folder (list scans it on every request)");
    app.add_option("--enforce", config.enforce,
                   "Read-only enforcement: ownership (pdmd owns every file nobody has checked out and hands it "
                   "to the lock holder; needs root or CAP_CHOWN), mode (write bits and ACLs only), off, or "
                   "auto (default: ownership when possible, else mode)")
        ->check(CLI::IsMember({"auto", "ownership", "mode", "off"}));
    // The flags of earlier versions: --no-enforce-readonly is --enforce off.
    bool enforce_readonly = true;
    app.add_flag("--enforce-readonly,!--no-enforce-readonly", enforce_readonly,
                 "Same as --enforce auto; --no-enforce-readonly is --enforce off");

    try {
        app.parse(argc, argv);
        if (config.repo.empty() && !config.uninstall_service) throw CLI::RequiredError("--repo");
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return {std::nullopt, code == 0 ? 0 : 2};
    } catch (const std::exception& error) {
        // CLI11 lets the standard library's error through for a flag given a
        // number too large to read (--no-watch=99999999999999999999).
        std::cerr << "pdmd: a value on the command line or in the --config file cannot be read (" << error.what()
                  << "); see pdmd --help\n";
        return {std::nullopt, 2};
    }
    std::erase(config.ignore, std::string());
    if (!enforce_readonly) config.enforce = "off";
    config.socket_mode = static_cast<unsigned>(std::stoul(socket_mode, nullptr, 8));
    if (config.state_dir.empty()) config.state_dir = config.repo + "/.pdm";
    if (config.socket_path.empty()) config.socket_path = ipc::default_endpoint_path();
    if (config.socket_path.empty()) config.socket_path = config.state_dir + "/pdmd.sock";
    if (config.install_service) {
        // The service runs with every flag given here but the installer's own.
        for (int i = 1; i < argc; ++i) {
            const std::string argument = argv[i];
            if (argument == "--install-service") continue;
            if (argument == "--service-name") {
                ++i;
                continue;
            }
            if (argument.starts_with("--service-name=")) continue;
            config.service_arguments.push_back(argument);
        }
    }
    return {std::move(config), 0};
}

}  // namespace pdm::daemon

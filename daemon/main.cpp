// SPDX-License-Identifier: Apache-2.0
// pdmd: the lock daemon. Wires core (what a check-out means) to ipc (how
// clients reach it) on one io_context thread that owns all state.

#include <filesystem>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/audit_log.hpp"
#include "core/file_permissions.hpp"
#include "core/file_service.hpp"
#include "core/history_store.hpp"
#include "core/lock_journal.hpp"
#include "core/lock_store.hpp"
#include "core/program_arguments.hpp"
#include "core/state_dir.hpp"
#include "core/time_format.hpp"
#include "core/utf8_path.hpp"
#include "daemon/change_tracker.hpp"
#include "daemon/commit_writer.hpp"
#include "daemon/config.hpp"
#include "daemon/first_import.hpp"
#include "daemon/folder_watcher.hpp"
#include "daemon/free_heap.hpp"
#include "daemon/graceful_shutdown.hpp"
#include "daemon/history_worker.hpp"
#include "daemon/logging.hpp"
#include "daemon/offline_changes.hpp"
#include "daemon/open_file_limit.hpp"
#include "daemon/read_only_enforcer.hpp"
#include "daemon/read_worker.hpp"
#include "daemon/request_dispatcher.hpp"
#include "daemon/service_manager.hpp"
#include "daemon/service_pulse.hpp"
#include "ipc/peer_identity.hpp"
#include "ipc/server.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace pdm::daemon {
namespace {

// Loads locks.json, or refuses: starting with an empty table in place of an
// unreadable one would silently release every lock.
std::optional<LockTable> load_locks(const LockStore& store, bool recover, const Clock& clock) {
    try {
        nlohmann::json unusable = nlohmann::json::object();
        LockTable table = store.load(&unusable);
        if (!unusable.empty()) {
            // A lock no client can name could never be released: keep it
            // aside for an administrator rather than refuse to start.
            const fs::path aside = store.set_aside(unusable, format_utc(clock.now()));
            spdlog::critical("{} lock(s) in locks.json are on paths no client can name (a control character, a "
                             "backslash): they were moved to {}; every other lock is loaded",
                             unusable.size(), aside.string());
        }
        return table;
    } catch (const LockFileError& error) {
        if (!recover) {
            spdlog::critical("cannot start: {}", error.what());
            spdlog::critical("locks.json was left untouched. Repair it, restore it from a backup, or start "
                             "with --recover to move it aside and start with no locks.");
            return std::nullopt;
        }
        const fs::path aside = store.move_aside(format_utc(clock.now()));
        spdlog::critical("RECOVERY: {}", error.what());
        spdlog::critical("RECOVERY: moved the bad lock table to {} and started with NO LOCKS. Every "
                         "check-out it held is released; tell your users.",
                         aside.string());
        return LockTable{};
    }
}

// Opens locks.journal, or refuses: a record the disk damaged may hide
// acknowledged changes after it. With --recover the records before the
// damage are kept and the journal is moved aside.
std::optional<LockJournal> open_journal(const StateDir& state, bool recover, const Clock& clock) {
    const std::string name = "locks.journal";
    try {
        std::optional<LockJournal> journal;
        journal.emplace(state, name,
                        recover ? std::optional<std::string>(name + ".broken-" + file_stamp(format_utc(clock.now())))
                                : std::nullopt);
        if (journal->moved_aside()) {
            spdlog::critical("RECOVERY: {} had a damaged record; the {} whole record(s) before it are replayed, "
                             "and it was moved to {}. Changes recorded after the damage are lost; tell your users.",
                             (state.path() / name).string(), journal->recovered().size(),
                             journal->moved_aside()->string());
        }
        return journal;
    } catch (const LockFileError& error) {
        spdlog::critical("cannot start: {}", error.what());
        spdlog::critical("locks.journal was left untouched. Restore the state dir from a backup, or start with "
                         "--recover to replay the records before the damage and move it aside.");
    } catch (const std::exception& error) {
        spdlog::critical("cannot start: {}", error.what());
    }
    return std::nullopt;
}

std::vector<Glob> globs(const std::vector<std::string>& patterns) {
    std::vector<Glob> result;
    for (const std::string& pattern : patterns) result.emplace_back(pattern);
    return result;
}

struct ChosenEnforcement {
    Enforcement mode;
    std::string why;
};

// --enforce: ownership where pdmd may give files away, else mode; asked for
// ownership without the means, pdmd refuses to start rather than guard less.
std::optional<ChosenEnforcement> choose_enforcement(const std::string& asked) {
    if (asked == "off") return ChosenEnforcement{Enforcement::off, "--enforce off"};
    if (asked == "mode") return ChosenEnforcement{Enforcement::mode, "--enforce mode"};
    const FilePermissions::OwnershipAbility ability = FilePermissions::can_change_owners();
    if (asked == "ownership" && !ability.able) {
        spdlog::critical("cannot start: --enforce ownership: {}; run pdmd as root or with CAP_CHOWN, or choose "
                         "--enforce mode",
                         ability.why);
        return std::nullopt;
    }
    if (ability.able) return ChosenEnforcement{Enforcement::ownership, ability.why};
    return ChosenEnforcement{Enforcement::mode, ability.why + "; the owner of a file can make it writable again"};
}

// The default state dir lies in the shared folder, which read-only
// enforcement makes sticky anyway: done first, so that nobody can rename the
// state dir away, and so that it passes StateDir's check of its parent.
void protect_state_dir_parent(const fs::path& repo, const fs::path& state_dir, Enforcement mode) {
    std::error_code ec;
    const fs::path parent = fs::weakly_canonical(state_dir, ec).parent_path();
    const fs::path relative = parent.lexically_relative(repo);
    if (ec || relative.empty() || *relative.begin() == "..") return;
    try {
        const std::string folder = relative == "." ? "" : relative.generic_string();
        if (FilePermissions(repo, mode).make_folder_sticky(folder))
            spdlog::info("read-only enforcement: set the sticky bit on {}, which holds the state dir", parent.string());
    } catch (const std::exception& error) {
        spdlog::warn("read-only enforcement: {}", error.what());
    }
}

void log_admins(const DaemonConfig& config) {
    spdlog::info("admins: {}{}{}{}", ipc::superusers_in_words(), config.admins.empty() ? "" : ", ", fmt::join(config.admins, ", "),
                 config.admin_group.empty() ? "" : "; members of group " + config.admin_group);
}

int run(int argc, char** argv, const DaemonConfig& config, ServiceManager& manager) {
    SystemClock clock;
    const fs::path repo = fs::canonical(path_from_utf8(config.repo));
    // Preferred separators: the default REPO/.pdm is written with '/', which
    // Windows takes but its users would not write (the log shows this path).
    const fs::path state_dir = fs::absolute(path_from_utf8(config.state_dir)).make_preferred();

    const std::optional<ChosenEnforcement> enforcement = choose_enforcement(config.enforce);
    if (!enforcement) return 1;
    if (enforcement->mode != Enforcement::off) protect_state_dir_parent(repo, state_dir, enforcement->mode);

    std::optional<StateDir> state;
    try {
        state.emplace(state_dir);
        state->lock_for_this_process("pdmd.lock");
    } catch (const std::exception& error) {
        spdlog::critical("cannot start: {}", error.what());
        return 1;
    }

    LockStore store(*state);
    std::optional<LockTable> table = load_locks(store, config.recover, clock);
    if (!table) return 1;
    std::optional<LockJournal> journal = open_journal(*state, config.recover, clock);
    if (!journal) return 1;

    Repository repository(repo, state_dir, globs(config.include), globs(config.ignore));
    AuditLog audit(*state, "audit.jsonl", AuditRotation{config.audit_max_bytes, config.audit_keep});
    const CommitFiles files{*journal, store, audit};
    try {
        const JournalReplay replay = replay_journal(*table, files);
        if (replay.records > 0)
            spdlog::info("replayed {} commit(s) from {} into locks.json", replay.records, journal->file().string());
        if (replay.torn_bytes > 0)
            spdlog::warn("{}: cut off {} byte(s) of a commit a crash interrupted before it was acknowledged",
                         journal->file().string(), replay.torn_bytes);
    } catch (const std::exception& error) {
        spdlog::critical("cannot start: replaying {}: {}", journal->file().string(), error.what());
        return 1;
    }
    FileService service(repository, files, std::move(*table), clock);
    service.set_refusal_audit_limit(config.audit_refusals_per_minute);
    // The history is opened before serving: a check-in that could not be
    // recorded would be refused, so a broken history is a reason not to start.
    std::unique_ptr<HistoryStore> history_store;
    try {
        history_store = std::make_unique<HistoryStore>(state->handle_path("history.git"), repo, config.max_file_bytes);
    } catch (const std::exception& error) {
        spdlog::critical("cannot start: the version history in {}: {}", (state_dir / "history.git").string(),
                         error.what());
        return 1;
    }
    for (const std::string& lock : history_store->stale_locks_removed()) {
        spdlog::warn("removed {} from the version history: a pdmd stopped mid-update left it", lock);
    }
    history_store->on_damaged_object([](const std::string& id) {
        spdlog::warn("the version history's object {} was left damaged by a crash; it is written again", id);
    });
    const bool import_history = history_store->import_needed();
    // An import cut short after part of it was made durable: those files
    // are compared with their revision as at any start.
    const bool import_resumed = import_history && !history_store->empty();
    // Set when a stop signal came: read by the history thread's import.
    std::atomic<bool> stopping{false};

    asio::io_context io(1);
    std::unique_ptr<ipc::LocalListener> listener;
    try {
        if (const auto inherited = manager.inherited_listener()) {
            listener = ipc::LocalListener::adopt(io, *inherited);
        } else {
            listener = ipc::LocalListener::open(io, {config.socket_path, config.socket_mode, config.pipe_users});
        }
    } catch (const std::exception& error) {
        spdlog::critical("cannot start: {}", error.what());
        return 1;
    }
    const std::string endpoint = listener->path();

    EventHub events;
    HistoryWorker history(io, std::move(history_store));
    FirstImport first_import(io, history);
    // Permissions follow each durable event before the replies reporting it go out.
    const FilePermissions permissions(repo, enforcement->mode == Enforcement::off ? Enforcement::mode : enforcement->mode);
    std::optional<ReadOnlyEnforcer> enforcer;
    if (enforcement->mode != Enforcement::off) enforcer.emplace(permissions, service);
    const auto publish = [&events, &enforcer](const Event& event) {
        if (enforcer) enforcer->observe(event);
        events.publish(event);
    };
    service.set_event_sink(publish);
    service.set_waiter_check([&events](std::uint64_t connection) { return events.connection_alive(connection); });
    ReadWorker reads(io);
    RequestDispatcher dispatcher(service, events, history, first_import, reads, AdminPolicy{config.admins, config.admin_group},
                                 ServerFacts{utf8_of(repo), &permissions, enforcement->mode, enforcement->why,
                                             config.limits});
    ipc::ServerLimits limits;
    limits.max_line_bytes = config.max_line_bytes;
    limits.max_connections = config.max_connections;
    limits.max_connections_per_user = config.max_connections_per_user;
    limits.line_timeout = std::chrono::milliseconds(config.line_timeout_ms);
    limits.max_pending_output = config.max_unread_bytes;
    // Keep descriptors in reserve for the state files and the listener itself.
    const std::size_t open_files = raise_open_file_limit();
    if (open_files < limits.max_connections + 64) {
        limits.max_connections = open_files > 128 ? open_files - 64 : 64;
        spdlog::warn("the open-file limit is {}; serving at most {} connections", open_files,
                     limits.max_connections);
    }
    CommitWriter writer(io, service, files);
    ipc::CommitGate commits(
        io, [&writer](ipc::CommitGate::Done done, bool one_client) { writer.start(std::move(done), one_client); });
    writer.set_commit_request([&commits] { commits.request(); });
    ipc::Server server(io, std::move(listener), dispatcher, commits, limits);

    // The index and the watcher: list answers from memory, and every change
    // on disk becomes an event. Without a watcher, list scans per request.
    FileIndex index(repository);
    const auto reapply = [&enforcer](const std::string& path) { return enforcer && enforcer->repair(path); };
    const auto added = [&history, &permissions](const std::vector<std::string>& paths) {
        record_new_files(history, permissions, paths);
    };
    ChangeTracker tracker(io, index, service, {publish, reapply, added}, commits, clock,
                          std::chrono::milliseconds(config.settle_ms));
    std::unique_ptr<FolderWatcher> watcher;
    if (config.watch) {
        try {
            watcher = FolderWatcher::create(io, repository);
            index.reconcile();
            service.use_index(&index);
            watcher->start([&tracker](const std::vector<WatchNotice>& notices) { tracker.on_notices(notices); });
        } catch (const std::exception& error) {
            spdlog::error("not watching the folder ({}); list will scan it on every request", error.what());
            watcher.reset();
        }
    }
    std::vector<std::string> tracked;
    std::vector<HistoryStore::SeenFile> seen;
    try {
        const auto add = [&](const FileStat& file) {
            tracked.push_back(file.path);
            seen.push_back({file.path, file.size, file.mtime});
        };
        if (watcher) {
            for (const FileStat& file : index.files()) add(file);
        } else {
            for (const FileStat& file : repository.scan()) add(file);
        }
    } catch (const std::exception& error) {
        spdlog::error("cannot read the repository: {}", error.what());
    }
    if (enforcer) enforcer->reconcile(repository.folders(), tracked);
    if (import_history) {
        // On the history thread, ahead of any check-in: the first commit holds
        // every file as its revision 1.
        // Moved, not copied, and `seen` let go: a large repository's lists of
        // names would otherwise live as long as the daemon.
        first_import.start(std::move(tracked), &stopping,
            [](std::shared_ptr<std::vector<RecordedFile>> imported, std::exception_ptr error) {
                if (error) {
                    try {
                        std::rethrow_exception(error);
                    } catch (const ImportCancelled& cancelled) {
                        spdlog::info("history: {}; the next start imports again", cancelled.what());
                    } catch (const std::exception& failure) {
                        spdlog::error("history: the initial import failed: {}", failure.what());
                    }
                    return;
                }
                std::size_t skipped = 0;
                for (const RecordedFile& file : *imported) {
                    if (file.skipped.empty()) continue;
                    spdlog::warn("history: not imported: {}", file.skipped);
                    ++skipped;
                }
                spdlog::info("history: imported {} file(s) as revision 1", imported->size() - skipped);
                imported.reset();
                release_free_heap();
            });
        if (import_resumed) {
            report_offline_changes(history, service, commits, std::move(seen));
        } else {
            seen = std::vector<HistoryStore::SeenFile>();
        }
    } else {
        report_offline_changes(history, service, commits, std::move(seen));
        tracked = std::vector<std::string>();  // its room too, for the daemon's life
    }
    GracefulShutdown shutdown(io, server);
    // With a watcher the index knows the file count; without one it costs a
    // scan of the folder, refreshed at most once a minute.
    std::size_t file_count = 0;
    std::chrono::steady_clock::time_point counted{};
    ServicePulse pulse(io, manager, [&] {
        if (watcher) {
            file_count = index.files().size();
        } else if (std::chrono::steady_clock::now() - counted > std::chrono::minutes(1)) {
            try {
                file_count = repository.scan().size();
            } catch (const std::exception& error) {
                spdlog::warn("cannot count the repository's files: {}", error.what());
            }
            counted = std::chrono::steady_clock::now();
        }
        return std::to_string(file_count) + " file(s), " + std::to_string(service.lock_count()) + " lock(s), " +
               std::to_string(server.connection_count()) + " client(s)";
    });

    // A reload re-reads the command line and config file. Log level, admins
    // and include and ignore patterns change at once; connections and locks
    // are untouched.
    const auto reload = [&] {
        manager.reloading();
        const ParsedCommandLine parsed = parse_command_line(argc, argv);
        if (!parsed.config) {
            spdlog::error("reload: the configuration is not valid; keeping the current one");
        } else {
            const DaemonConfig& fresh = *parsed.config;
            try {
                repository.set_patterns(globs(fresh.include), globs(fresh.ignore));
                set_log_level(fresh.log_level);
                dispatcher.set_admins(AdminPolicy{fresh.admins, fresh.admin_group});
                spdlog::info("reloaded the configuration");
                log_admins(fresh);
                if (fresh.repo != config.repo || fresh.state_dir != config.state_dir ||
                    fresh.socket_path != config.socket_path)
                    spdlog::warn("reload: repo, state-dir and socket changes take effect at the next restart");
            } catch (const std::exception& failure) {
                spdlog::error("reload: {}; keeping the current configuration", failure.what());
            }
        }
        manager.ready(std::to_string(service.lock_count()) + " lock(s), serving " + repo.string());
    };
    std::unique_ptr<ServiceManager::ControlsWatch> controls;
    const auto stop = [&] {
        stopping = true;  // a first import under way stops: it would outlast the service manager's patience
        manager.stopping();
        controls->stop_watching();
        pulse.stop();
        if (watcher) watcher->stop();
        tracker.stop();
        writer.stop_checkpoints();
        shutdown.begin();
    };
    controls = manager.watch_controls(io, {stop, reload});

    // Loading the index and the history made and dropped copies of every
    // path; the heap would keep their room (about 400 bytes a file).
    release_free_heap();
    server.start();
    spdlog::info("pdmd {} serving {} on {} ({} lock(s), state in {})", PDM_VERSION, repo.string(), endpoint,
                 service.lock_count(), state_dir.string());
    log_admins(config);
    spdlog::info("read-only enforcement: {} ({})", enforcement_name(enforcement->mode), enforcement->why);
    manager.ready(std::to_string(service.lock_count()) + " lock(s), serving " + repo.string());
    pulse.start();
    io.run();
    // Every change is durable in the journal already; this leaves locks.json
    // whole and the journal empty for whoever reads the state dir next.
    if (const std::optional<std::string> failure = service.commit()) {
        spdlog::error("stopped; locks.json could not be brought up to date ({}); every change is in the journal, "
                      "which the next start replays",
                      *failure);
        return 0;
    }
    spdlog::info("stopped; every change was saved as it was made");
    return 0;
}

}  // namespace
}  // namespace pdm::daemon

int main(int argc, char** argv) {
    const pdm::Utf8Console console;
    pdm::ProgramArguments arguments(argc, argv);
    argc = arguments.count();
    argv = arguments.values();
    const pdm::daemon::ParsedCommandLine parsed = pdm::daemon::parse_command_line(argc, argv);
    if (!parsed.config) return parsed.exit_code;
    const pdm::daemon::DaemonConfig& config = *parsed.config;
    return pdm::daemon::ServiceManager::host(config, [&](pdm::daemon::ServiceManager& manager) {
        pdm::daemon::set_up_logging(config.log_level, manager.logs_to_journal(), config.log_file,
                                    manager.system_log());
        try {
            return pdm::daemon::run(argc, argv, config, manager);
        } catch (const std::exception& error) {
            spdlog::critical("pdmd failed: {}", error.what());
            return 1;
        }
    });
}

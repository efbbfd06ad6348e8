// pdmd: the lock daemon. Wires core (what a check-out means) to ipc (how
// clients reach it) on one io_context thread that owns all state.

#include <csignal>
#include <cstdio>
#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/audit_log.hpp"
#include "core/state_dir.hpp"
#include "core/file_service.hpp"
#include "core/lock_store.hpp"
#include "core/time_format.hpp"
#include "daemon/commit_writer.hpp"
#include "daemon/config.hpp"
#include "daemon/open_file_limit.hpp"
#include "daemon/request_dispatcher.hpp"
#include "ipc/server.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace pdm::daemon {
namespace {

constexpr auto shutdown_grace = std::chrono::seconds(5);

void set_up_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("pdmd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

// Loads locks.json, or refuses: starting with an empty table in place of an
// unreadable one would silently release every lock.
std::optional<LockTable> load_locks(const LockStore& store, bool recover, const Clock& clock) {
    try {
        return store.load();
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

// Stops accepting, lets open connections finish what they sent, and closes
// the stragglers when the grace period ends.
class GracefulShutdown {
public:
    GracefulShutdown(asio::io_context& io, ipc::Server& server) : server_(server), timer_(io) {}

    void begin() {
        deadline_ = std::chrono::steady_clock::now() + shutdown_grace;
        server_.stop();
        poll();
    }

private:
    void poll() {
        if (server_.connection_count() == 0) return;
        if (std::chrono::steady_clock::now() >= deadline_) {
            spdlog::warn("closing {} connection(s) that did not finish in time", server_.connection_count());
            server_.abort_connections();
            return;
        }
        timer_.expires_after(std::chrono::milliseconds(20));
        timer_.async_wait([this](const boost::system::error_code& error) {
            if (!error) poll();
        });
    }

    ipc::Server& server_;
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_;
};

int run(const DaemonConfig& config) {
    std::signal(SIGPIPE, SIG_IGN);
    SystemClock clock;
    const fs::path repo = fs::canonical(config.repo);
    const fs::path state_dir = fs::absolute(config.state_dir);

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

    std::vector<Glob> include;
    for (const std::string& pattern : config.include) include.emplace_back(pattern);
    Repository repository(repo, state_dir, std::move(include));
    AuditLog audit(*state);
    FileService service(repository, store, std::move(*table), audit, clock);

    asio::io_context io(1);
    std::unique_ptr<ipc::LocalListener> listener;
    try {
        listener = ipc::LocalListener::open(io, {config.socket_path, config.socket_mode});
    } catch (const std::exception& error) {
        spdlog::critical("cannot start: {}", error.what());
        return 1;
    }

    RequestDispatcher dispatcher(service, AdminPolicy{config.admins, config.admin_group},
                                 ServerFacts{repo.string()});
    ipc::ServerLimits limits;
    limits.max_line_bytes = config.max_line_bytes;
    limits.max_connections = config.max_connections;
    // Keep descriptors in reserve for the state files and the listener itself.
    const std::size_t open_files = raise_open_file_limit();
    if (open_files < limits.max_connections + 64) {
        limits.max_connections = open_files > 128 ? open_files - 64 : 64;
        spdlog::warn("the open-file limit is {}; serving at most {} connections", open_files,
                     limits.max_connections);
    }
    CommitWriter writer(io, service, store, audit);
    ipc::CommitGate commits(io, [&writer](ipc::CommitGate::Done done) { writer.start(std::move(done)); });
    ipc::Server server(io, std::move(listener), dispatcher, commits, limits);
    GracefulShutdown shutdown(io, server);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
        if (error) return;
        spdlog::info("received {}; shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        // A second signal now gets the default action: a way out if shutdown hangs.
        boost::system::error_code ignored;
        signals.clear(ignored);
        shutdown.begin();
    });

    server.start();
    spdlog::info("pdmd {} serving {} on {} ({} lock(s), state in {})", PDM_VERSION, repo.string(),
                 config.socket_path, service.lock_count(), state_dir.string());
    spdlog::info("admins: root{}{}{}", config.admins.empty() ? "" : ", ", fmt::join(config.admins, ", "),
                 config.admin_group.empty() ? "" : "; members of group " + config.admin_group);
    io.run();
    spdlog::info("stopped; every change was saved as it was made");
    return 0;
}

}  // namespace
}  // namespace pdm::daemon

int main(int argc, char** argv) {
    const pdm::daemon::ParsedCommandLine parsed = pdm::daemon::parse_command_line(argc, argv);
    if (!parsed.config) return parsed.exit_code;
    pdm::daemon::set_up_logging(parsed.config->log_level);
    try {
        return pdm::daemon::run(*parsed.config);
    } catch (const std::exception& error) {
        spdlog::critical("pdmd failed: {}", error.what());
        return 1;
    }
}

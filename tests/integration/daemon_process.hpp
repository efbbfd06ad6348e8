// SPDX-License-Identifier: Apache-2.0
#pragma once
// The real pdmd, started on a temp repository for one test and stopped after
// it. Clients connect over its real endpoint: a Unix socket, or on Windows a
// named pipe of its own.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "ipc/client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace pdm::test {

class DaemonProcess {
public:
    // Makes a repo with `files` (relative paths) under a fresh temp dir.
    explicit DaemonProcess(const std::vector<std::string>& files = {"a.mcam", "b.mcam", "parts/c.mcam"});

    // Starts pdmd with the standard flags plus `extra`, and waits until it
    // answers `hello`. Throws if it exits or does not answer within 20 s.
    void start(const std::vector<std::string>& extra = {});
    // The same, with pdmd run by `wrapper` (for example strace and its flags).
    void start_wrapped(const std::vector<std::string>& wrapper, const std::vector<std::string>& extra = {},
                       const std::vector<std::string>& environment = {});
    // Starts pdmd and waits for it to exit; returns its exit code.
    int start_expecting_exit(const std::vector<std::string>& extra = {});

    // Asks pdmd to stop: SIGTERM; on Windows its event pdmd-stop-<pid>.
    void request_stop() const;
    // request_stop() and wait; returns the exit status.
    int stop();
    void kill_hard();  // SIGKILL (TerminateProcess) and reap

    std::unique_ptr<ipc::Client> client() const { return std::make_unique<ipc::Client>(socket_path()); }
    // pdmctl with --socket (--pipe) set; `prefix` (e.g. setpriv ...) runs before it.
    RunResult pdmctl(const std::vector<std::string>& args, const std::vector<std::string>& prefix = {}) const;

    const TempDir& dir() const { return dir_; }
    std::filesystem::path repo() const { return dir_ / "repo"; }
    std::filesystem::path state_dir() const { return dir_ / "repo/.pdm"; }
    // The socket's path; on Windows the pipe's name.
    std::string socket_path() const;
    std::string log() const;  // what pdmd wrote to stderr
    std::filesystem::path log_file() const;
    ChildProcess& process() { return *process_; }

private:
    std::vector<std::string> command(const std::vector<std::string>& extra) const;

    TempDir dir_;
    std::unique_ptr<ChildProcess> process_;
    int starts_ = 0;
};

// The flag that names pdmd's endpoint: --socket, or --pipe on Windows.
const char* endpoint_flag();

// The next line from `client`, or nothing when none arrives before
// `deadline` (the connection is then shut down: a test that waits for an
// event fails instead of hanging).
std::optional<std::string> read_line_before(ipc::Client& client, std::chrono::steady_clock::time_point deadline);

// The reply's error code, or "ok".
std::string outcome(const nlohmann::json& reply);

// A DaemonProcess already started with the standard flags.
struct RunningDaemon : DaemonProcess {
    RunningDaemon() { start(); }
};

#if !defined(_WIN32)
// A started daemon whose socket the user nobody can reach too (mode 0666, its
// folder readable by others).
struct SharedDaemon : DaemonProcess {
    explicit SharedDaemon(const std::vector<std::string>& extra = {});
};

// The prefix that runs a client as the unprivileged user nobody.
const std::vector<std::string>& as_nobody();
#endif

// A Boost.Test precondition that `program` (an absolute path) is installed;
// `package` names the Debian package that brings it.
std::function<boost::test_tools::assertion_result(boost::unit_test::test_unit_id)> program_installed(
    std::string program, std::string package);

#if !defined(_WIN32)
// A Boost.Test precondition: the test runs clients as another user, so it needs root.
boost::test_tools::assertion_result running_as_root(boost::unit_test::test_unit_id);
#endif

}  // namespace pdm::test

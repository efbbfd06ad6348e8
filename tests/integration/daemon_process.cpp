// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/daemon_process.hpp"

#if defined(_WIN32)
#include <windows.h>
#else
#include <signal.h>
#include <unistd.h>
#endif

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "ipc/local_endpoint.hpp"

namespace pdm::test {

const char* endpoint_flag() { return ipc::endpoint_naming().flag; }

DaemonProcess::DaemonProcess(const std::vector<std::string>& files) {
    std::filesystem::create_directories(repo());
    for (const std::string& file : files) dir_.write("repo/" + file, "contents of " + file);
}

std::vector<std::string> DaemonProcess::command(const std::vector<std::string>& extra) const {
    std::vector<std::string> argv = {PDMD_PATH, "--repo", repo().string(), endpoint_flag(), socket_path(),
                                     "--log-level", "debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

void DaemonProcess::start(const std::vector<std::string>& extra) { start_wrapped({}, extra); }

void DaemonProcess::start_wrapped(const std::vector<std::string>& wrapper, const std::vector<std::string>& extra,
                                  const std::vector<std::string>& environment) {
    std::vector<std::string> argv = wrapper;
    const std::vector<std::string> daemon = command(extra);
    argv.insert(argv.end(), daemon.begin(), daemon.end());
    ++starts_;
    process_ = std::make_unique<ChildProcess>(argv, dir_ / "pdmd.out", log_file(), environment);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!process_->running()) throw std::runtime_error("pdmd exited at start:\n" + log());
        try {
            if (client()->call("hello")["ok"] == true) return;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    throw std::runtime_error("pdmd did not answer within 20 s:\n" + log());
}

int DaemonProcess::start_expecting_exit(const std::vector<std::string>& extra) {
    process_ = std::make_unique<ChildProcess>(command(extra), dir_ / "pdmd.out",
                                              dir_ / ("pdmd-" + std::to_string(++starts_) + ".err"));
    const auto status = process_->wait(std::chrono::seconds(20));
    if (!status) throw std::runtime_error("pdmd kept running");
    return *status;
}

void DaemonProcess::request_stop() const {
#if defined(_WIN32)
    // What a console's Ctrl+Break does, for a program without that console.
    const std::wstring name = L"Local\\pdmd-stop-" + std::to_wstring(process_->pid());
    const HANDLE event = OpenEventW(EVENT_MODIFY_STATE, FALSE, name.c_str());
    if (!event) throw std::runtime_error("pdmd has no stop event (error " + std::to_string(GetLastError()) + ")");
    SetEvent(event);
    CloseHandle(event);
#else
    process_->signal(SIGTERM);
#endif
}

int DaemonProcess::stop() {
    request_stop();
    const auto status = process_->wait(std::chrono::seconds(20));
    if (!status) throw std::runtime_error("pdmd did not stop when asked");
    return *status;
}

void DaemonProcess::kill_hard() {
    process_->kill();
    process_->wait(std::chrono::seconds(20));
}

RunResult DaemonProcess::pdmctl(const std::vector<std::string>& args, const std::vector<std::string>& prefix) const {
    std::vector<std::string> argv = prefix;
    argv.push_back(PDMCTL_PATH);
    argv.push_back(endpoint_flag());
    argv.push_back(socket_path());
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, dir_.path());
}

std::string DaemonProcess::socket_path() const {
#if defined(_WIN32)
    // Pipe names are machine-wide: the temp dir's own name makes this one ours.
    return "\\\\.\\pipe\\" + dir_.path().filename().string();
#else
    return (dir_ / "pdmd.sock").string();
#endif
}

std::filesystem::path DaemonProcess::log_file() const { return dir_ / ("pdmd-" + std::to_string(starts_) + ".err"); }

std::string DaemonProcess::log() const { return read_text(log_file()); }

#if !defined(_WIN32)
SharedDaemon::SharedDaemon(const std::vector<std::string>& extra) {
    std::filesystem::permissions(dir().path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                   std::filesystem::perms::group_exec |
                                                   std::filesystem::perms::others_read |
                                                   std::filesystem::perms::others_exec);
    std::vector<std::string> args = {"--socket-mode", "0666"};
    args.insert(args.end(), extra.begin(), extra.end());
    start(args);
}

const std::vector<std::string>& as_nobody() {
    static const std::vector<std::string> prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    return prefix;
}
#endif

std::function<boost::test_tools::assertion_result(boost::unit_test::test_unit_id)> program_installed(
    std::string program, std::string package) {
    return [program = std::move(program), package = std::move(package)](boost::unit_test::test_unit_id) {
        boost::test_tools::assertion_result result(std::filesystem::exists(program));
        result.message() << "needs " << program << " (package " << package << ")";
        return result;
    };
}

#if !defined(_WIN32)
boost::test_tools::assertion_result running_as_root(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result result(::geteuid() == 0);
    result.message() << "needs root to run a client as another user";
    return result;
}
#endif

std::optional<std::string> read_line_before(ipc::Client& client, std::chrono::steady_clock::time_point deadline) {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    bool interrupted = false;
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        if (!done.wait_until(lock, deadline, [&] { return finished; })) {
            interrupted = true;
            client.interrupt();
        }
    });
    std::optional<std::string> line;
    try {
        line = client.read_line();
    } catch (const std::exception&) {
        // Interrupted, or the daemon closed the connection: no line.
    }
    {
        std::lock_guard lock(mutex);
        finished = true;
    }
    done.notify_one();
    watchdog.join();
    if (interrupted) return std::nullopt;
    return line;
}

std::string outcome(const nlohmann::json& reply) {
    if (reply.value("ok", false)) return "ok";
    return reply["error"].value("code", "?");
}

}  // namespace pdm::test

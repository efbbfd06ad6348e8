// SPDX-License-Identifier: Apache-2.0
// pdmd under a service manager, without a running systemd: socket activation
// through systemd-socket-activate, sd_notify messages on a datagram socket the
// test owns, journal-style log lines, and configuration reload on SIGHUP.

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/datagram_protocol.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/daemon_process.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::running_as_root;

namespace {



// The receiving end of NOTIFY_SOCKET.
class NotifyListener {
public:
    explicit NotifyListener(const fs::path& path) : socket_(io_, asio::local::datagram_protocol::endpoint(path.string())) {
        socket_.non_blocking(true);
    }

    // The next message, waiting up to `timeout`; empty when none came.
    std::string next(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string buffer(4096, '\0');
        while (std::chrono::steady_clock::now() < deadline) {
            boost::system::error_code error;
            const std::size_t got = socket_.receive(asio::buffer(buffer), 0, error);
            if (!error) return buffer.substr(0, got);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return {};
    }

    // Waits for a message containing `needle`; counts the messages containing `count_needle` on the way.
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout, int* counted = nullptr,
                  const std::string& count_needle = {}) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string message = next(std::chrono::milliseconds(50));
            if (counted && !count_needle.empty() && message.find(count_needle) != std::string::npos) ++*counted;
            if (message.find(needle) != std::string::npos) return true;
        }
        return false;
    }

private:
    asio::io_context io_;
    asio::local::datagram_protocol::socket socket_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(service_manager)

BOOST_AUTO_TEST_CASE(socket_activation_adopts_the_passed_socket_and_binds_none, *boost::unit_test::precondition(pdm::test::program_installed("/usr/bin/systemd-socket-activate", "systemd"))) {
    DaemonProcess daemon;
    // systemd-socket-activate binds the socket, then starts pdmd with LISTEN_FDS on the first connection.
    daemon.start_wrapped({"systemd-socket-activate", "-l", daemon.socket_path()});
    struct stat before {};
    BOOST_REQUIRE(::stat(daemon.socket_path().c_str(), &before) == 0);
    BOOST_TEST(outcome(daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", "activated"}})) == "ok");
    struct stat after {};
    BOOST_REQUIRE(::stat(daemon.socket_path().c_str(), &after) == 0);
    BOOST_TEST(before.st_ino == after.st_ino);  // the same socket: pdmd bound none of its own
    BOOST_TEST(daemon.log().find("serving") != std::string::npos, daemon.log());
    BOOST_TEST(daemon.stop() == 0);
}

BOOST_AUTO_TEST_CASE(notifies_ready_only_when_serving_then_watchdog_and_stopping) {
    DaemonProcess daemon;
    const fs::path notify_path = daemon.dir() / "notify.sock";
    NotifyListener notifications(notify_path);
    daemon.start_wrapped({}, {}, {"NOTIFY_SOCKET=" + notify_path.string(), "WATCHDOG_USEC=200000"});

    BOOST_REQUIRE(notifications.wait_for("READY=1", std::chrono::seconds(20)));
    // READY=1 promises the socket serves: a request right now must succeed.
    BOOST_TEST(outcome(daemon.client()->call("hello")) == "ok");

    int pings = 0;
    notifications.wait_for("never sent", std::chrono::milliseconds(1000), &pings, "WATCHDOG=1");
    BOOST_TEST(pings >= 4, pings << " watchdog pings in 1 s with WatchdogSec=0.2s");

    daemon.process().signal(SIGTERM);
    BOOST_TEST(notifications.wait_for("STOPPING=1", std::chrono::seconds(10)));
    BOOST_TEST(daemon.process().wait(std::chrono::seconds(20)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(status_line_summarises_locks_and_clients) {
    DaemonProcess daemon;
    const fs::path notify_path = daemon.dir() / "notify.sock";
    NotifyListener notifications(notify_path);
    daemon.start_wrapped({}, {}, {"NOTIFY_SOCKET=" + notify_path.string()});
    BOOST_REQUIRE(notifications.wait_for("READY=1", std::chrono::seconds(20)));
    BOOST_TEST(notifications.wait_for("STATUS=3 file(s), 0 lock(s), ", std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_CASE(log_lines_carry_syslog_priorities_when_stderr_is_the_journal) {
    DaemonProcess daemon;
    // The next start's stderr file, made now so its identity can be announced.
    const fs::path stderr_file = daemon.dir() / "pdmd-1.err";
    std::ofstream(stderr_file).flush();
    struct stat info {};
    BOOST_REQUIRE(::stat(stderr_file.c_str(), &info) == 0);
    daemon.start_wrapped({}, {}, {"JOURNAL_STREAM=" + std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino)});
    daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", ""}});
    daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", ""}});  // a refusal, logged at info
    daemon.stop();
    const std::string log = daemon.log();
    BOOST_TEST(log.find("<6>pdmd ") != std::string::npos, log);
    // Every line starts with its priority.
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) BOOST_TEST((line.size() > 3 && line[0] == '<' && line[2] == '>'), line);
    BOOST_TEST(log.find("INFO") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(sighup_reloads_admins_without_dropping_connections_or_locks,
                     *boost::unit_test::precondition(running_as_root)) {
    DaemonProcess daemon;
    fs::permissions(daemon.dir().path(), fs::perms::owner_all | fs::perms::others_exec | fs::perms::others_read);
    const auto config = daemon.dir().write("pdmd.conf", "socket-mode = \"0666\"\n");
    daemon.start({"--config", config.string()});
    auto held = daemon.client();
    BOOST_REQUIRE(outcome(held->call("checkout", {{"path", "a.mcam"}, {"message", "root's"}})) == "ok");
    BOOST_TEST(daemon.pdmctl({"unlock", "--force", "a.mcam"}, pdm::test::as_nobody()).exit_code == 1);

    daemon.dir().write("pdmd.conf", "socket-mode = \"0666\"\nadmin = [\"nobody\"]\n");
    daemon.process().signal(SIGHUP);
    bool reloaded = false;
    for (int i = 0; i < 500 && !reloaded; ++i) {
        reloaded = daemon.log().find("reloaded the configuration") != std::string::npos;
        if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    BOOST_REQUIRE(reloaded);
    BOOST_TEST(outcome(held->call("hello")) == "ok");  // the connection survived
    BOOST_TEST(held->call("locks")["result"]["locks"].size() == 1u);
    const auto forced = daemon.pdmctl({"unlock", "--force", "a.mcam"}, pdm::test::as_nobody());
    BOOST_TEST(forced.exit_code == 0, forced.err);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
// The waiting list: a locked file is handed to the first waiter still
// connected, in FIFO order, in the same commit as the release. These run
// clients as two real users (root and nobody), so they need root.

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::ChildProcess;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::running_as_root;

namespace {

struct WaitingFixture : pdm::test::SharedDaemon {
    // Polls until `path` is locked with `message` (or 20 s pass).
    bool locked_with(const std::string& path, const std::string& message) {
        for (int i = 0; i < 2000; ++i) {
            const json reply = client()->call("locks");  // kept alive: the loop walks into it
            for (const json& lock : reply["result"]["locks"]) {
                if (lock["path"] == path && lock["message"] == message) return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    // Polls until `count` queue entries for `path` are in the audit log.
    bool queued(const std::string& path, std::size_t count) {
        for (int i = 0; i < 2000; ++i) {
            std::size_t seen = 0;
            const json reply = client()->call("audit", json{{"path", path}});
            for (const json& entry : reply["result"]["entries"]) seen += entry.value("outcome", "") == "queued";
            if (seen >= count) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(waiting_list, WaitingFixture, *boost::unit_test::precondition(running_as_root))

BOOST_AUTO_TEST_CASE(waiters_get_the_file_in_fifo_order_told_by_your_turn) {
    // nobody holds the file; two of root's connections queue for it.
    BOOST_REQUIRE(pdmctl({"checkout", "a.mcam", "-m", "nobody's"}, pdm::test::as_nobody()).exit_code == 0);
    auto subscriber = client();
    subscriber->call("subscribe", {{"events", {"waiting", "your_turn"}}});
    auto first = client();
    auto second = client();
    json reply = first->call("checkout", {{"path", "a.mcam"}, {"message", "first"}, {"wait", true}});
    BOOST_TEST(reply["result"]["queued"] == true);
    BOOST_TEST(reply["result"]["position"] == 1);
    reply = second->call("checkout", {{"path", "a.mcam"}, {"message", "second"}, {"wait", true}});
    BOOST_TEST(reply["result"]["position"] == 2);

    const json waiting = json::parse(subscriber->read_line());
    BOOST_TEST(waiting["event"] == "waiting");
    BOOST_TEST(waiting["owner"] == "nobody");
    BOOST_TEST(waiting["position"] == 1);

    BOOST_REQUIRE(pdmctl({"checkin", "a.mcam"}, pdm::test::as_nobody()).exit_code == 0);
    // The first waiter is told on its own connection, without subscribing.
    const json turn = json::parse(first->read_line());
    BOOST_TEST(turn["event"] == "your_turn");
    BOOST_TEST(turn["path"] == "a.mcam");
    BOOST_TEST(!turn.contains("connection"));
    BOOST_TEST(locked_with("a.mcam", "first"));

    BOOST_REQUIRE(outcome(first->call("checkin", {{"path", "a.mcam"}})) == "ok");
    BOOST_TEST(json::parse(second->read_line())["event"] == "your_turn");
    BOOST_TEST(locked_with("a.mcam", "second"));
}

BOOST_AUTO_TEST_CASE(a_waiter_that_disconnected_or_left_the_queue_is_skipped) {
    BOOST_REQUIRE(pdmctl({"checkout", "a.mcam", "-m", "nobody's"}, pdm::test::as_nobody()).exit_code == 0);
    auto leaves = client();
    auto disconnects = client();
    auto stays = client();
    leaves->call("checkout", {{"path", "a.mcam"}, {"message", "leaves"}, {"wait", true}});
    disconnects->call("checkout", {{"path", "a.mcam"}, {"message", "gone"}, {"wait", true}});
    stays->call("checkout", {{"path", "a.mcam"}, {"message", "stays"}, {"wait", true}});
    BOOST_TEST(leaves->call("unwait", {{"path", "a.mcam"}})["result"]["removed"] == true);
    // Hang up and release at once: the daemon may not have read the hang-up
    // yet, and must still not hand the file to a client that is gone.
    disconnects.reset();
    BOOST_REQUIRE(outcome(client()->call("unlock", {{"path", "a.mcam"}, {"force", true}})) == "ok");
    BOOST_TEST(locked_with("a.mcam", "stays"));
    BOOST_TEST(json::parse(stays->read_line())["event"] == "your_turn");
}

BOOST_AUTO_TEST_CASE(pdmctl_checkout_wait_blocks_until_the_file_is_handed_over) {
    BOOST_REQUIRE(outcome(client()->call("checkout", {{"path", "b.mcam"}, {"message", "root's"}})) == "ok");
    std::vector<std::string> argv = pdm::test::as_nobody();
    for (const std::string& arg : {std::string(PDMCTL_PATH), std::string("--socket"), socket_path(),
                                   std::string("checkout"), std::string("--wait"), std::string("b.mcam"),
                                   std::string("-m"), std::string("nobody waited")})
        argv.push_back(arg);
    ChildProcess waiter(argv, dir() / "waiter.out", dir() / "waiter.err");
    BOOST_REQUIRE_MESSAGE(queued("b.mcam", 1), pdm::test::read_text(dir() / "waiter.err"));
    BOOST_TEST(waiter.running());
    BOOST_REQUIRE(outcome(client()->call("checkin", {{"path", "b.mcam"}})) == "ok");
    BOOST_TEST(waiter.wait(std::chrono::seconds(20)).value_or(-1) == 0);
    BOOST_TEST(pdm::test::read_text(dir() / "waiter.out").find("checked out b.mcam") != std::string::npos);
    BOOST_TEST(locked_with("b.mcam", "nobody waited"));
}

BOOST_AUTO_TEST_CASE(waiting_for_your_own_lock_is_a_conflict_and_wait_takes_one_path) {
    auto c = client();
    c->call("checkout", {{"path", "a.mcam"}, {"message", ""}});
    BOOST_TEST(outcome(c->call("checkout", {{"path", "a.mcam"}, {"message", ""}, {"wait", true}})) == "conflict");
    BOOST_TEST(outcome(c->call("checkout", {{"paths", {"a.mcam", "b.mcam"}}, {"message", ""}, {"wait", true}})) ==
               "bad_request");
    // A free file is simply checked out.
    const json reply = c->call("checkout", {{"path", "b.mcam"}, {"message", ""}, {"wait", true}});
    BOOST_TEST(reply["result"]["queued"] == false);
    BOOST_TEST(reply["result"]["locks"][0]["path"] == "b.mcam");
}

BOOST_AUTO_TEST_SUITE_END()

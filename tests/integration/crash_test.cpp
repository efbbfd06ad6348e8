// SPDX-License-Identifier: Apache-2.0
// kill -9 in the middle of a storm of check-outs and check-ins: after a
// restart every acknowledged change is there and locks.json parses.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <map>
#include <mutex>
#include <thread>

#include "core/lock_table.hpp"
#include "tests/integration/daemon_process.hpp"

using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;

namespace {

enum class Known { locked, released, either };

std::vector<std::string> storm_files(int clients, int per_client) {
    std::vector<std::string> files;
    for (int c = 0; c < clients; ++c)
        for (int i = 0; i < per_client; ++i) files.push_back("c" + std::to_string(c) + "/f" + std::to_string(i) + ".mcam");
    return files;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crash)

BOOST_AUTO_TEST_CASE(kill_9_during_a_storm_loses_no_acknowledged_change) {
    constexpr int clients = 4;
    constexpr int per_client = 400;
    DaemonProcess daemon(storm_files(clients, per_client));
    daemon.start({"--log-level", "warn"});

    std::mutex mutex;
    std::map<std::string, Known> expected;  // only files whose state a reply settled
    std::atomic<int> acknowledged{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            try {
                auto client = daemon.client();
                for (int i = 0; i < per_client; ++i) {
                    const std::string path = "c" + std::to_string(c) + "/f" + std::to_string(i) + ".mcam";
                    { std::lock_guard lock(mutex); expected[path] = Known::either; }
                    if (outcome(client->call("checkout", {{"path", path}, {"message", "storm"}})) != "ok") return;
                    { std::lock_guard lock(mutex); expected[path] = Known::locked; }
                    ++acknowledged;
                    if (i % 3 != 0) continue;
                    { std::lock_guard lock(mutex); expected[path] = Known::either; }
                    if (outcome(client->call("checkin", {{"path", path}})) != "ok") return;
                    { std::lock_guard lock(mutex); expected[path] = Known::released; }
                    ++acknowledged;
                }
            } catch (const std::exception&) {
                // The daemon died under us: expected.
            }
        });
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acknowledged < 600 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    BOOST_REQUIRE_MESSAGE(acknowledged >= 600, "the storm stalled before the kill: " << daemon.log());
    daemon.kill_hard();
    for (auto& thread : threads) thread.join();

    // The file itself parses as a lock table, with no help from the daemon
    // (it may lag, or not be written yet: the journal holds the last second's changes).
    if (std::filesystem::exists(daemon.state_dir() / "locks.json"))
        BOOST_CHECK_NO_THROW(pdm::LockTable::from_json_text(pdm::test::read_text(daemon.state_dir() / "locks.json")));

    daemon.start();
    const json locks = daemon.client()->call("locks")["result"]["locks"];
    std::set<std::string> locked;
    for (const json& lock : locks) locked.insert(lock["path"].get<std::string>());
    // The start replayed the journal into locks.json: the file and the daemon agree.
    const auto table = pdm::LockTable::from_json_text(pdm::test::read_text(daemon.state_dir() / "locks.json"));
    BOOST_TEST(locked.size() == table.size());
    int checked = 0;
    for (const auto& [path, known] : expected) {
        if (known == Known::either) continue;
        ++checked;
        BOOST_TEST_CONTEXT(path) { BOOST_TEST(locked.contains(path) == (known == Known::locked)); }
    }
    BOOST_TEST(checked >= 300);
    BOOST_TEST_MESSAGE("crash test: " << checked << " acknowledged changes verified after kill -9");
}

BOOST_AUTO_TEST_SUITE_END()

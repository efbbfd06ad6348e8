// SPDX-License-Identifier: Apache-2.0
// Many clients at once: the single event loop grants each file to exactly one.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include "tests/integration/daemon_process.hpp"

using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;

BOOST_AUTO_TEST_SUITE(race)

BOOST_AUTO_TEST_CASE(fifty_clients_racing_for_one_file_exactly_one_wins) {
    DaemonProcess daemon;
    daemon.start();
    constexpr int clients = 50;
    std::vector<std::unique_ptr<pdm::ipc::Client>> connections;
    for (int i = 0; i < clients; ++i) connections.push_back(daemon.client());

    std::atomic<int> ready{0};
    std::atomic<int> winners{0};
    std::atomic<int> conflicts{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            ++ready;
            while (ready < clients) std::this_thread::yield();
            const json reply = connections[static_cast<std::size_t>(i)]->call(
                "checkout", {{"path", "a.mcam"}, {"message", "client " + std::to_string(i)}});
            if (outcome(reply) == "ok") ++winners;
            if (outcome(reply) == "conflict") ++conflicts;
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(winners == 1);
    BOOST_TEST(conflicts == clients - 1);
    const json locks = daemon.client()->call("locks")["result"]["locks"];
    BOOST_TEST(locks.size() == 1u);
    BOOST_TEST(daemon.client()->call("audit", {{"limit", 1000}})["result"]["entries"].size() == std::size_t{clients});
}

BOOST_AUTO_TEST_CASE(overlapping_multi_path_checkouts_never_split_a_request) {
    std::vector<std::string> files;
    for (int i = 0; i < 20; ++i) files.push_back("f" + std::to_string(i) + ".mcam");
    DaemonProcess daemon(files);
    daemon.start();
    // Each of 10 clients asks for a window of 5 consecutive files; windows overlap.
    std::vector<json> replies(10);
    std::vector<std::thread> threads;
    for (int i = 0; i < 10; ++i) {
        threads.emplace_back([&, i] {
            json paths = json::array();
            for (int k = 0; k < 5; ++k) paths.push_back(files[static_cast<std::size_t>((i * 2 + k) % 20)]);
            replies[static_cast<std::size_t>(i)] =
                daemon.client()->call("checkout", {{"paths", paths}, {"message", std::to_string(i)}});
        });
    }
    for (auto& thread : threads) thread.join();
    std::size_t granted_paths = 0;
    for (const json& reply : replies) {
        if (outcome(reply) == "ok") granted_paths += reply["result"]["locks"].size();
        else BOOST_TEST(outcome(reply) == "conflict");
    }
    const json locks = daemon.client()->call("locks")["result"]["locks"];
    BOOST_TEST(locks.size() == granted_paths);
    // Every lock carries the message of a request that was granted whole.
    for (const json& lock : locks) {
        const int owner = std::stoi(lock["message"].get<std::string>());
        BOOST_TEST(outcome(replies[static_cast<std::size_t>(owner)]) == "ok");
    }
}

BOOST_AUTO_TEST_SUITE_END()

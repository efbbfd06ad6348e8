// SPDX-License-Identifier: Apache-2.0
// kill -9 at a random moment, again and again, under a mixed load: clients
// checking out, checking in new content, unlocking (plain and discarding),
// a second user waiting in a file's queue, and a subscriber. After every
// restart the lock table holds exactly the changes that were acknowledged,
// the history agrees with it (a file nobody holds has its newest revision on
// disk), and the next cycle goes on from there. PDM_CRASH_CYCLES sets the
// number of cycles (10 by default; scripts/reliability.sh runs 100).

#include <boost/test/unit_test.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/lock_table.hpp"
#include "tests/integration/daemon_process.hpp"

using nlohmann::json;
using pdm::test::outcome;

namespace {

constexpr int workers = 3;
constexpr int files_per_worker = 12;
constexpr const char* queued_file = "shared/q.mcam";

enum class Holder { free, root, nobody, unknown };

// What the acknowledged replies say about one file. `unknown` while a request
// is in flight: the kill may land before or after its commit.
struct FileModel {
    Holder holder = Holder::free;
    std::string recorded;                 // the newest revision's content
    std::optional<std::string> proposed;  // a check-in's content, in flight
    bool dirty = false;                   // the working file differs from `recorded`
};

std::string worker_file(int worker, int index) {
    return "w" + std::to_string(worker) + "/f" + std::to_string(index) + ".mcam";
}

std::vector<std::string> all_files() {
    std::vector<std::string> files;
    for (int w = 0; w < workers; ++w)
        for (int i = 0; i < files_per_worker; ++i) files.push_back(worker_file(w, i));
    files.push_back(queued_file);
    return files;
}

int cycles_asked() {
    const char* text = std::getenv("PDM_CRASH_CYCLES");
    return text != nullptr ? std::max(1, std::atoi(text)) : 10;
}

// Connects as the user nobody: only this thread's effective uid changes
// (the raw system call, unlike setresuid(3), is per thread), and the peer
// credentials the daemon reads are taken at connect.
std::unique_ptr<pdm::ipc::Client> connect_as_nobody(const std::string& socket) {
    if (syscall(SYS_setresuid, -1, 65534, -1) != 0) throw std::runtime_error("cannot become nobody");
    std::unique_ptr<pdm::ipc::Client> client;
    try {
        client = std::make_unique<pdm::ipc::Client>(socket);
    } catch (...) {
        syscall(SYS_setresuid, -1, 0, -1);
        throw;
    }
    if (syscall(SYS_setresuid, -1, 0, -1) != 0) throw std::runtime_error("cannot become root again");
    return client;
}

struct CrashLoop : pdm::test::DaemonProcess {
    CrashLoop() : DaemonProcess(all_files()) {
        std::filesystem::permissions(dir().path(), std::filesystem::perms(0755));
        for (const std::string& path : all_files()) model[path].recorded = pdm::test::read_text(repo() / path);
    }

    void start_daemon() { start({"--socket-mode", "0666", "--log-level", "warn"}); }

    std::mutex mutex;
    std::map<std::string, FileModel> model;
    enum class Waiter { idle, sending, queued } waiter = Waiter::idle;
    bool handed_over = false;  // the waiter got its turn since root's last check-in of the shared file
    std::atomic<bool> halt{false};
    std::atomic<int> acknowledged{0};
    std::atomic<int> events{0};
    std::atomic<int> turns{0};  // the waiter's your_turn events
    int interrupted = 0;        // requests a kill cut off, their outcome learnt after the restart
    std::vector<std::string> faults;  // replies no interleaving explains

    void fault(const std::string& what) {
        std::lock_guard lock(mutex);
        faults.push_back(what);
    }

    // Sets what is known of who holds a file.
    void set(const std::string& path, Holder holder) {
        std::lock_guard lock(mutex);
        model[path].holder = holder;
    }

    void work(int worker, unsigned seed, int cycle) {
        try {
            work_until_killed(worker, seed, cycle);
        } catch (const std::exception&) {
            // The daemon died under us.
        }
    }

    void work_until_killed(int worker, unsigned seed, int cycle) {
        std::mt19937 random(seed);
        auto client = this->client();
        int sequence = 0;
        while (!halt) {
            const int index = static_cast<int>(random() % (files_per_worker + (worker == 0 ? 2 : 0)));
            const std::string path = index >= files_per_worker ? queued_file : worker_file(worker, index);
            FileModel now;
            {
                std::lock_guard lock(mutex);
                now = model[path];
            }
            const unsigned dice = random() % 100;
            if (now.holder == Holder::free) {
                set(path, Holder::unknown);
                const json reply = client->call("checkout", {{"path", path}, {"message", "loop"}});
                if (outcome(reply) != "ok") return fault(path + " checkout: " + reply.dump());
                set(path, Holder::root);
            } else if (now.holder == Holder::root && path == queued_file) {
                {
                    std::lock_guard lock(mutex);
                    if (waiter == Waiter::sending) continue;  // let the waiter's request settle first
                    model[path].holder = Holder::unknown;
                    handed_over = false;
                }
                const json reply = client->call("checkin", {{"path", path}});
                if (outcome(reply) != "ok") return fault(path + " checkin: " + reply.dump());
                std::lock_guard lock(mutex);
                // The release hands the file to the waiter in its own commit. If
                // the waiter has already been told, the file is its to track.
                if (waiter == Waiter::queued) {
                    model[path].holder = Holder::nobody;
                } else if (!handed_over) {
                    model[path].holder = Holder::free;
                }
            } else if (now.holder == Holder::root && (now.dirty ? dice < 70 : dice < 60)) {
                std::string content = now.recorded;
                if (now.dirty || dice < 45) {
                    content = "cycle " + std::to_string(cycle) + " worker " + std::to_string(worker) + " edit " +
                              std::to_string(++sequence) + "\n" + std::string(random() % 5000, 'x');
                    std::ofstream(repo() / path, std::ios::trunc) << content;
                }
                {
                    std::lock_guard lock(mutex);
                    model[path].holder = Holder::unknown;
                    model[path].proposed = content;
                    model[path].dirty = true;
                }
                const json reply = client->call("checkin", {{"path", path}, {"message", "edit"}});
                if (outcome(reply) != "ok") return fault(path + " checkin: " + reply.dump());
                std::lock_guard lock(mutex);
                model[path] = FileModel{Holder::free, content, std::nullopt, false};
            } else if (now.holder == Holder::root) {
                set(path, Holder::unknown);
                const json reply = client->call("unlock", {{"path", path}, {"discard", now.dirty}});
                if (outcome(reply) != "ok") return fault(path + " unlock: " + reply.dump());
                std::lock_guard lock(mutex);
                model[path].holder = Holder::free;
                model[path].dirty = false;
            } else {
                continue;  // its state is settled only by the restart
            }
            ++acknowledged;
        }
    }

    // The second user: queues for the shared file while root holds it, takes
    // its turn when root checks it in, and gives it back.
    void wait_in_queue() {
        std::unique_ptr<pdm::ipc::Client> client;
        try {
            client = connect_as_nobody(socket_path());
        } catch (const std::exception&) {
            return;
        }
        try {
            while (!halt) {
                enum class Next { nothing, queue, release } next = Next::nothing;
                {
                    std::lock_guard lock(mutex);
                    FileModel& file = model[queued_file];
                    if (file.holder == Holder::root) {
                        waiter = Waiter::sending;
                        next = Next::queue;
                    } else if (file.holder == Holder::nobody) {
                        file.holder = Holder::unknown;
                        next = Next::release;
                    }
                }
                if (next == Next::nothing) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                } else if (next == Next::queue) {
                    const json reply =
                        client->call("checkout", {{"path", queued_file}, {"message", "my turn"}, {"wait", true}});
                    if (outcome(reply) != "ok" || reply["result"]["queued"] != true)
                        return fault(std::string("wait while root holds it: ") + reply.dump());
                    { std::lock_guard lock(mutex); waiter = Waiter::queued; }
                    ++acknowledged;
                    const json turn = json::parse(client->read_line());
                    if (turn.value("event", "") != "your_turn") return fault("waiter got " + turn.dump());
                    ++turns;
                    std::lock_guard lock(mutex);
                    waiter = Waiter::idle;
                    handed_over = true;
                    model[queued_file].holder = Holder::nobody;
                } else {
                    const json reply = client->call("unlock", {{"path", queued_file}});
                    if (outcome(reply) != "ok") return fault(std::string("waiter unlock: ") + reply.dump());
                    set(queued_file, Holder::free);
                    ++acknowledged;
                }
            }
        } catch (const std::exception&) {
            // The daemon died under us.
        }
    }

    void subscribe() {
        try {
            auto client = this->client();
            client->call("subscribe");
            while (!halt) {
                client->read_line();
                ++events;
            }
        } catch (const std::exception&) {
        }
    }

    // After a restart: checks every settled file against the daemon, learns
    // the outcome of every request the kill interrupted, and returns how many
    // files were checked.
    int verify_and_resolve() {
        auto client = this->client();
        std::map<std::string, std::string> holders;
        const json locks = client->call("locks");
        BOOST_REQUIRE_MESSAGE(outcome(locks) == "ok", locks.dump());
        for (const json& lock : locks["result"]["locks"])
            holders[lock["path"].get<std::string>()] = lock["user"].get<std::string>();
        // No locks.json yet: no change was ever made (a kill before the first one).
        if (std::filesystem::exists(state_dir() / "locks.json")) {
            const auto table = pdm::LockTable::from_json_text(pdm::test::read_text(state_dir() / "locks.json"));
            BOOST_TEST(table.size() == holders.size(), "locks.json after the replay agrees with the daemon");
        } else {
            BOOST_TEST(holders.empty(), "no locks.json, yet the daemon holds locks");
        }
        int checked = 0;
        for (auto& [path, file] : model) {
            BOOST_TEST_CONTEXT(path) {
                const auto held = holders.find(path);
                const Holder actual = held == holders.end() ? Holder::free
                                      : held->second == "root" ? Holder::root
                                                               : Holder::nobody;
                if (file.holder == Holder::unknown) {
                    ++interrupted;
                } else {
                    ++checked;
                    BOOST_TEST(static_cast<int>(actual) == static_cast<int>(file.holder), "who holds it");
                }
                const json revisions = client->call("history", {{"path", path}, {"limit", 1}});
                BOOST_REQUIRE_MESSAGE(outcome(revisions) == "ok", revisions.dump());
                BOOST_REQUIRE_EQUAL(revisions["result"]["revisions"].size(), 1u);
                std::string newest;
                const json reply = client->call_streamed(
                    "cat", {{"path", path}, {"rev", revisions["result"]["revisions"][0]["rev"]}},
                    [&](std::string_view piece) { newest += piece; });
                BOOST_REQUIRE_MESSAGE(outcome(reply) == "ok", reply.dump());
                // The newest revision is the last acknowledged one, or the one in flight.
                BOOST_TEST((newest == file.recorded || (file.proposed && newest == *file.proposed)),
                           "the newest revision is one a check-in asked for");
                const std::string on_disk = pdm::test::read_text(repo() / path);
                if (actual == Holder::free) BOOST_TEST(on_disk == newest, "a file nobody holds is its newest revision");
                file = FileModel{actual, newest, std::nullopt, on_disk != newest};
            }
        }
        waiter = Waiter::idle;
        handed_over = false;
        return checked;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(kill_9_at_random_moments_under_mixed_load_loses_nothing_acknowledged,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    const int cycles = cycles_asked();
    CrashLoop loop;
    std::mt19937 random(20261202);
    loop.start_daemon();
    int checked = 0;
    int total_acknowledged = 0;
    for (int cycle = 0; cycle < cycles; ++cycle) {
        loop.halt = false;
        loop.acknowledged = 0;
        std::vector<std::thread> threads;
        for (int w = 0; w < workers; ++w) threads.emplace_back([&, w, seed = random()] { loop.work(w, seed, cycle); });
        threads.emplace_back([&] { loop.wait_in_queue(); });
        threads.emplace_back([&] { loop.subscribe(); });
        // Mostly well into the load, sometimes at its very start.
        const int delay_ms = random() % 4 == 0 ? static_cast<int>(random() % 10) : static_cast<int>(random() % 400);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        // The load must not have ended pdmd by itself: only the kill may.
        BOOST_REQUIRE_MESSAGE(loop.process().running(), "pdmd died under load in cycle " << cycle << ":\n" << loop.log());
        loop.kill_hard();
        loop.halt = true;
        for (auto& thread : threads) thread.join();
        // Not BOOST_REQUIRE_MESSAGE: its message is built even when the check passes.
        if (!loop.faults.empty()) BOOST_FAIL("cycle " << cycle << ": " << loop.faults.front());
        if (std::filesystem::exists(loop.state_dir() / "locks.json"))
            BOOST_CHECK_NO_THROW(
                pdm::LockTable::from_json_text(pdm::test::read_text(loop.state_dir() / "locks.json")));
        total_acknowledged += loop.acknowledged;
        loop.start_daemon();
        checked += loop.verify_and_resolve();
    }
    BOOST_TEST(total_acknowledged > cycles);
    BOOST_TEST(loop.events > 0);
    BOOST_TEST(loop.turns > 0);
    BOOST_TEST_MESSAGE("crash loop: " << cycles << " kill -9 under load, " << total_acknowledged
                                      << " acknowledged changes, " << checked << " settled files checked after restarts, "
                                      << loop.events << " events seen, " << loop.turns << " turns in the waiting list, " << loop.interrupted
                                      << " requests cut off by a kill, each found whole or not at all");
    loop.stop();
}

// SPDX-License-Identifier: Apache-2.0
#include "bench/vs_redis.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench/bench_daemon.hpp"
#include "bench/line_client.hpp"
#include "bench/redis_peer.hpp"
#include "ipc/client.hpp"
#include "tests/support/temp_dir.hpp"

namespace pdm::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// One client's work: `operation(i)` for i in [0, operations).
using ClientWork = std::function<void(int i)>;

// Starts `clients` threads, each with the work `make(client_index)` returns
// (its connection made there, before the clock starts), and returns
// operations per second over all of them.
double rate(int clients, int operations, const std::function<ClientWork(int)>& make) {
    std::vector<ClientWork> work;
    for (int c = 0; c < clients; ++c) work.push_back(make(c));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            for (int i = 0; i < operations; ++i) work[static_cast<std::size_t>(c)](i);
        });
    }
    for (auto& thread : threads) thread.join();
    return static_cast<double>(clients) * operations / std::chrono::duration<double>(Clock::now() - start).count();
}

void expect_ok(const json& reply, const char* what) {
    if (!reply.value("ok", false)) throw std::runtime_error(std::string(what) + " failed: " + reply.dump());
}

void expect(const std::string& got, const char* wanted, const char* what) {
    if (got != wanted) throw std::runtime_error(std::string(what) + ": redis answered " + got);
}

// Each operation a durable lock change: take the client's own lock, release it, take it...
double pdmd_changes(const std::string& socket, int clients, int operations, int first_file) {
    return rate(clients, operations, [&](int c) -> ClientWork {
        auto client = std::make_shared<LineClient>(socket);
        const json path = file_name(first_file + c);
        const std::string checkout = json{{"id", 1}, {"op", "checkout"}, {"path", path}, {"message", "bench"}}.dump() + "\n";
        const std::string unlock = json{{"id", 2}, {"op", "unlock"}, {"path", path}}.dump() + "\n";
        return [client, checkout, unlock](int i) {
            if (i % 2 == 0) {
                expect_success(client->call(checkout), "checkout");
            } else {
                expect_success(client->call(unlock), "unlock");
            }
        };
    });
}

double redis_changes(const std::string& socket, int clients, int operations, int first_key) {
    return rate(clients, operations, [&](int c) -> ClientWork {
        auto client = std::make_shared<RedisClient>(socket);
        const std::string key = "lock:" + file_name(first_key + c);
        return [client, key](int i) {
            if (i % 2 == 0) {
                expect(client->call({"SET", key, "alice", "NX"}), "+OK", "SET NX");
            } else {
                expect(client->call({"DEL", key}), ":1", "DEL");
            }
        };
    });
}

struct Row {
    std::string workload;
    double pdmd = 0;
    double redis = 0;
};

}  // namespace

int run_vs_redis(const VsRedisOptions& options) {
    try {
        // On disk, not tmpfs, so that a flush costs what it costs users.
        test::TempDir dir;
        const int files = options.held_locks + 32;
        std::cout << "generating " << files << " files...\n";
        for (int i = 0; i < files; ++i) dir.write("repo/" + file_name(i), "part " + std::to_string(i));
        const auto daemon = start_pdmd(options.pdmd, dir.path());
        const std::string socket = (dir / "pdmd.sock").string();
        // The first start's import of every file into the history ends before anything is timed.
        expect_ok(ipc::Client(socket).call("history", {{"path", file_name(0)}}), "history");
        RedisServer redis(options.redis_server, dir / "redis");

        const int first_free = options.held_locks;  // files and keys the workloads lock
        const int n = options.operations;
        std::vector<Row> rows;
        rows.push_back({"durable lock change, 1 client", pdmd_changes(socket, 1, n, first_free),
                        redis_changes(redis.socket(), 1, n, first_free)});
        rows.push_back({"durable lock change, 16 clients", pdmd_changes(socket, 16, n, first_free),
                        redis_changes(redis.socket(), 16, n, first_free)});
        {
            ipc::Client holder(socket);
            for (int first = 0; first < options.held_locks; first += 500) {
                json paths = json::array();
                for (int i = first; i < std::min(first + 500, options.held_locks); ++i) paths.push_back(file_name(i));
                expect_ok(holder.call("checkout", {{"paths", paths}, {"message", "held"}}), "bulk checkout");
            }
            RedisClient filler(redis.socket());
            for (int i = 0; i < options.held_locks; ++i)
                expect(filler.call({"SET", "lock:" + file_name(i), "bob"}), "+OK", "SET");
        }
        const std::string held = std::to_string(options.held_locks);
        rows.push_back({"1 client, " + held + " other locks held", pdmd_changes(socket, 1, n, first_free),
                        redis_changes(redis.socket(), 1, n, first_free)});
        const std::string probe = file_name(first_free);
        const auto round_trips = [&](const json& request) {
            const std::string line = request.dump() + "\n";
            return rate(1, n * 4, [&](int) -> ClientWork {
                auto client = std::make_shared<LineClient>(socket);
                return [client, line](int) { expect_success(client->call(line), "round trip"); };
            });
        };
        const double redis_ping = rate(1, n * 4, [&](int) -> ClientWork {
            auto client = std::make_shared<RedisClient>(redis.socket());
            return [client](int) { expect(client->call({"PING"}), "+PONG", "PING"); };
        });
        rows.push_back({"round trip: info vs PING, 1 client",
                        round_trips({{"id", 1}, {"op", "info"}, {"path", probe}}), redis_ping});
        rows.push_back({"round trip: hello vs PING, 1 client", round_trips({{"id", 1}, {"op", "hello"}}), redis_ping});
        // What a program using pdmctl's client library sees: every message encoded and parsed as JSON.
        rows.push_back({"info vs PING, JSON client library", rate(1, n * 4, [&](int) -> ClientWork {
                            auto client = std::make_shared<ipc::Client>(socket);
                            return [client, probe](int) { expect_ok(client->call("info", {{"path", probe}}), "info"); };
                        }),
                        redis_ping});
        daemon->signal(SIGTERM);
        daemon->wait(std::chrono::seconds(20));

        std::printf("\n%-40s %12s %12s %10s\n", "workload", "pdmd /s", "redis /s", "pdmd/redis");
        for (const Row& row : rows)
            std::printf("%-40s %12.0f %12.0f %10.2f\n", row.workload.c_str(), row.pdmd, row.redis, row.pdmd / row.redis);
        std::printf("\npdmd, 1 client: %s locks held vs none: %.2f\n", held.c_str(), rows[2].pdmd / rows[0].pdmd);
        std::printf("%d operations per client and workload; Redis with appendonly yes, appendfsync always\n", n);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "pdm-bench --vs-redis: " << error.what() << "\n";
        return 1;
    }
}

}  // namespace pdm::bench

// SPDX-License-Identifier: Apache-2.0
// pdm-bench: starts the real pdmd on a generated repository and measures
//   - hello round trips (the peer: protocol + socket cost, no state touched),
//   - checkout+checkin pairs on distinct files by N clients, with 0 and with
//     many locks already held (each mutation a flushed journal append),
//   - checkout+write+checkin, each check-in recording a new revision,
//   - list on a repository of 10,000 files.
// Prints ops/s and p50/p99 latency, and each figure as a ratio to the peer.
// With --vs-redis it runs vs_redis.cpp's comparison instead, with
// --exhaustion exhaustion.cpp's attacks.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/bench_daemon.hpp"
#include "bench/exhaustion.hpp"
#include "bench/vs_redis.hpp"
#include "ipc/client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using pdm::bench::file_name;
using pdm::test::peak_resident_kib;
using pdm::test::resident_kib;

namespace {

struct Options {
    std::string pdmd = PDMD_PATH;
    int clients = 8;
    int pairs = 200;       // checkout+checkin pairs per client
    int files = 10000;     // files in the generated repository
    int lists = 50;        // list requests
    int held_locks = 1000; // locks held for the "with locks held" run
    int hellos = 2000;     // hello requests per client
    int writes = 50;       // timed writes for the watcher latency
    int settle_ms = 300;   // pdmd --settle-ms
};

struct Result {
    std::string name;
    double ops_per_second = 0;
    double p50_ms = 0;
    double p99_ms = 0;
};

double percentile(std::vector<double> samples, double fraction) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1));
    return samples[index];
}

void expect_ok(const json& reply, const char* what) {
    if (!reply.value("ok", false)) throw std::runtime_error(std::string(what) + " failed: " + reply.dump());
}

// Runs `body(client_index, client, latencies)` on `clients` threads with one
// connection each; `operations` is how many requests all of them make.
template <typename Body>
Result measure(const std::string& name, const std::string& socket, int clients, std::size_t operations, Body body) {
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
    std::vector<std::unique_ptr<pdm::ipc::Client>> connections;
    for (int i = 0; i < clients; ++i) connections.push_back(std::make_unique<pdm::ipc::Client>(socket));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            const auto index = static_cast<std::size_t>(i);
            body(i, *connections[index], latencies[index]);
        });
    }
    for (auto& thread : threads) thread.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (const auto& samples : latencies) all.insert(all.end(), samples.begin(), samples.end());
    return {name, static_cast<double>(operations) / seconds, percentile(all, 0.50), percentile(all, 0.99)};
}

// Times one call and records its latency in milliseconds.
json timed_call(pdm::ipc::Client& client, const std::string& op, json params, std::vector<double>& latencies) {
    const auto start = Clock::now();
    json reply = client.call(op, std::move(params));
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    return reply;
}

Result run_pairs(const std::string& name, const std::string& socket, const Options& options, int first_file) {
    return measure(name, socket, options.clients,
                   static_cast<std::size_t>(options.clients) * static_cast<std::size_t>(options.pairs) * 2,
                   [&](int client_index, pdm::ipc::Client& client, std::vector<double>& latencies) {
                       for (int i = 0; i < options.pairs; ++i) {
                           const std::string path = file_name(first_file + client_index);
                           expect_ok(timed_call(client, "checkout", {{"path", path}, {"message", "bench"}}, latencies),
                                     "checkout");
                           expect_ok(timed_call(client, "checkin", {{"path", path}}, latencies), "checkin");
                       }
                   });
}

// Like run_pairs, but each client writes new content (`bytes` long) into its
// file between check-out and check-in, so every check-in records a revision:
// read, hash, compress and flush into history.git.
Result run_revisions(const std::string& name, const std::string& socket, const Options& options, int first_file,
                     const fs::path& repo, std::size_t bytes) {
    return measure(name, socket, options.clients,
                   static_cast<std::size_t>(options.clients) * static_cast<std::size_t>(options.pairs) * 2,
                   [&](int client_index, pdm::ipc::Client& client, std::vector<double>& latencies) {
                       const std::string path = file_name(first_file + client_index);
                       std::string contents(bytes, 'x');
                       for (int i = 0; i < options.pairs; ++i) {
                           expect_ok(timed_call(client, "checkout", {{"path", path}, {"message", "bench"}}, latencies),
                                     "checkout");
                           const std::string stamp = std::to_string(i) + "/" + std::to_string(client_index);
                           contents.replace(0, stamp.size(), stamp);
                           std::ofstream(repo / path, std::ios::binary | std::ios::trunc) << contents;
                           const json reply = timed_call(client, "checkin", {{"path", path}}, latencies);
                           expect_ok(reply, "checkin");
                           if (!reply["result"]["revisions"][0].value("recorded", false))
                               throw std::runtime_error("a changed file recorded no revision");
                       }
                   });
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{"pdm-bench: load a real pdmd and report ops/s and latency"};
    app.add_option("--pdmd", options.pdmd, "The pdmd binary");
    app.add_option("--clients", options.clients, "Concurrent clients")->check(CLI::Range(1, 256));
    app.add_option("--pairs", options.pairs, "checkout+checkin pairs per client")->check(CLI::Range(1, 100000));
    app.add_option("--files", options.files, "Files in the generated repository")->check(CLI::Range(1000, 1000000));
    app.add_option("--lists", options.lists, "list requests to time")->check(CLI::Range(1, 100000));
    app.add_option("--held-locks", options.held_locks, "Locks held during the second pairs run")
        ->check(CLI::Range(0, 100000));
    app.add_option("--hellos", options.hellos, "hello requests per client")->check(CLI::Range(1, 1000000));
    app.add_option("--writes", options.writes, "Timed writes for the watcher latency")->check(CLI::Range(1, 100000));
    app.add_option("--settle-ms", options.settle_ms, "pdmd --settle-ms")->check(CLI::Range(0, 60000));
    bool vs_redis = false;
    pdm::bench::VsRedisOptions redis_options;
    app.add_flag("--vs-redis", vs_redis,
                 "Durable lock changes and round trips against redis-server (appendfsync always) instead");
    app.add_option("--redis-server", redis_options.redis_server, "The redis-server binary (--vs-redis)");
    app.add_option("--operations", redis_options.operations, "Operations per client and workload (--vs-redis)")
        ->check(CLI::Range(2, 1000000));
    bool exhaustion = false;
    pdm::bench::ExhaustionOptions attack;
    app.add_flag("--exhaustion", exhaustion,
                 "A well-behaved client's latency and pdmd's memory while thousands of connections, slowloris "
                 "clients and clients that never read attack it, instead");
    app.add_option("--connections", attack.connections, "Connections opened at once (--exhaustion)")
        ->check(CLI::Range(1, 100000));
    app.add_option("--slow-clients", attack.slow_clients, "Clients trickling a byte per second (--exhaustion)")
        ->check(CLI::Range(1, 100000));
    app.add_option("--line-timeout-ms", attack.line_timeout_ms, "pdmd --line-timeout-ms (--exhaustion)")
        ->check(CLI::Range(1000, 60000));
    CLI11_PARSE(app, argc, argv);
    if (exhaustion) {
        attack.pdmd = options.pdmd;
        return pdm::bench::run_exhaustion(attack);
    }
    if (vs_redis) {
        redis_options.pdmd = options.pdmd;
        if (app.count("--held-locks") > 0) redis_options.held_locks = options.held_locks;
        return pdm::bench::run_vs_redis(redis_options);
    }
    if (options.held_locks + 2 * options.clients > options.files) {
        std::cerr << "pdm-bench: --files must exceed --held-locks + 2 x --clients\n";
        return 2;
    }

    // On disk, not tmpfs, so that fsync costs what it costs for users.
    pdm::test::TempDir dir;
    std::cout << "generating " << options.files << " files...\n";
    for (int i = 0; i < options.files; ++i) dir.write("repo/" + file_name(i), "part " + std::to_string(i));
    const std::string socket = (dir / "pdmd.sock").string();
    std::unique_ptr<pdm::test::ChildProcess> daemon;
    try {
        daemon = pdm::bench::start_pdmd(options.pdmd, dir.path(), {"--settle-ms", std::to_string(options.settle_ms)});
    } catch (const std::exception& error) {
        std::cerr << "pdm-bench: " << error.what();
        return 1;
    }

    // Before any request: what the index of the generated files costs.
    const std::uint64_t rss_with_files = resident_kib(daemon->pid());
    {
        // The first start imports every file into the history, on the history
        // thread; a history request is answered after it, so nothing below
        // measures the import.
        const auto start = Clock::now();
        pdm::ipc::Client probe(socket);
        expect_ok(probe.call("history", {{"path", file_name(0)}}), "history");
        std::printf("initial history import of %d files: %.1f s\n", options.files,
                    std::chrono::duration<double>(Clock::now() - start).count());
    }
    // The import's result was handled on the event loop before that answer.
    const std::uint64_t rss_after_import = resident_kib(daemon->pid());

    std::vector<Result> results;
    results.push_back(measure("hello (peer)", socket, options.clients,
                              static_cast<std::size_t>(options.clients) * static_cast<std::size_t>(options.hellos),
                              [&](int, pdm::ipc::Client& client, std::vector<double>& latencies) {
                                  for (int i = 0; i < options.hellos; ++i) timed_call(client, "hello", {}, latencies);
                              }));
    results.push_back(run_pairs("checkout+checkin, 0 locks held", socket, options, options.held_locks));
    results.push_back(run_revisions("checkout+write+checkin, 64 KiB revision", socket, options,
                                    options.held_locks + options.clients, dir / "repo", 64 * 1024));

    {
        // Hold many locks (in batches of 500 paths per request), then measure again.
        pdm::ipc::Client holder(socket);
        for (int first = 0; first < options.held_locks; first += 500) {
            json paths = json::array();
            for (int i = first; i < std::min(first + 500, options.held_locks); ++i) paths.push_back(file_name(i));
            expect_ok(holder.call("checkout", {{"paths", paths}, {"message", "held"}}), "bulk checkout");
        }
    }
    results.push_back(run_pairs("checkout+checkin, " + std::to_string(options.held_locks) + " locks held", socket,
                                options, options.held_locks));

    // Peak memory while answering lists: the kernel's high-water mark, reset first.
    const std::uint64_t rss_before_lists = resident_kib(daemon->pid());
    std::ofstream("/proc/" + std::to_string(daemon->pid()) + "/clear_refs") << "5";
    results.push_back(measure("list " + std::to_string(options.files) + " files", socket, 1,
                              static_cast<std::size_t>(options.lists),
                              [&](int, pdm::ipc::Client& client, std::vector<double>& latencies) {
                                  for (int i = 0; i < options.lists; ++i) {
                                      const json reply = timed_call(client, "list", {}, latencies);
                                      expect_ok(reply, "list");
                                      if (reply["result"]["files"].size() != static_cast<std::size_t>(options.files))
                                          throw std::runtime_error("list returned the wrong number of files");
                                  }
                              }));
    const std::uint64_t rss_peak_lists = peak_resident_kib(daemon->pid());

    // Write -> file_modified at a subscriber: the watcher's whole path
    // (inotify, settle time, re-stat, event), timed from the write's return.
    {
        const std::string settle_note = std::to_string(options.settle_ms);
        pdm::ipc::Client subscriber(socket);
        subscriber.call("subscribe", {{"events", {"file_modified"}}});
        std::vector<double> latencies;
        for (int i = 0; i < options.writes; ++i) {
            const std::string path = file_name(options.files - 1 - i % 100);
            const auto start = Clock::now();
            std::ofstream(dir / ("repo/" + path), std::ios::app) << "edit " << i;
            for (;;) {
                const json event = json::parse(subscriber.read_line());
                if (event.value("path", "") == path) break;
            }
            latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
        results.push_back({"write+close -> file_modified (settle " + settle_note + " ms)",
                           1000.0 / percentile(latencies, 0.5), percentile(latencies, 0.50),
                           percentile(latencies, 0.99)});
    }
    daemon->signal(SIGTERM);
    daemon->wait(std::chrono::seconds(20));

    // The same daemon on an empty repository: the difference is what the
    // index and its data cost per file.
    pdm::test::TempDir empty;
    std::filesystem::create_directories(empty / "repo");
    const auto bare = pdm::bench::start_pdmd(options.pdmd, empty.path());
    const std::uint64_t rss_empty = resident_kib(bare->pid());
    bare->signal(SIGTERM);
    bare->wait(std::chrono::seconds(20));

    std::printf("\n%-40s %12s %10s %10s %12s\n", "scenario", "ops/s", "p50 ms", "p99 ms", "vs hello");
    for (const Result& result : results) {
        std::printf("%-40s %12.0f %10.3f %10.3f %11.4fx\n", result.name.c_str(), result.ops_per_second,
                    result.p50_ms, result.p99_ms, result.ops_per_second / results.front().ops_per_second);
    }
    std::printf("\nclients: %d, pairs per client: %d, files: %d\n", options.clients, options.pairs, options.files);
    std::printf("pdmd resident memory at start: %llu KiB with %d files indexed, %llu KiB with none: "
                "%.0f bytes per file\n",
                static_cast<unsigned long long>(rss_with_files), options.files,
                static_cast<unsigned long long>(rss_empty),
                1024.0 * static_cast<double>(rss_with_files - std::min(rss_with_files, rss_empty)) / options.files);
    std::printf("pdmd memory while answering list: %llu KiB before, peak %llu KiB (+%.1f MiB)\n",
                static_cast<unsigned long long>(rss_before_lists), static_cast<unsigned long long>(rss_peak_lists),
                static_cast<double>(rss_peak_lists - std::min(rss_peak_lists, rss_before_lists)) / 1024.0);
    std::printf("pdmd resident memory after the first import: %llu KiB: %.0f bytes per file\n",
                static_cast<unsigned long long>(rss_after_import),
                1024.0 * static_cast<double>(rss_after_import - std::min(rss_after_import, rss_empty)) / options.files);
    return 0;
}

// SPDX-License-Identifier: Apache-2.0
#include "bench/exhaustion.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <thread>
#include <vector>

#include "bench/bench_daemon.hpp"
#include "ipc/client.hpp"
#include "tests/support/temp_dir.hpp"

namespace pdm::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int probe_files = 100;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// A bare Unix socket: the attackers speak no protocol beyond bytes, and ten
// thousand of them must cost the bench next to nothing.
class RawSocket {
public:
    explicit RawSocket(const std::string& path) : fd_(connect_unix_socket(path)) {}
    RawSocket(RawSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), input_(std::move(other.input_)) {}
    RawSocket& operator=(RawSocket&&) = delete;
    ~RawSocket() {
        if (fd_ >= 0) ::close(fd_);
    }

    // False once the daemon has closed the connection or shut its receiving side.
    bool send_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR) continue;
            if (sent <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    // What the socket takes now without blocking: 0 when it is full, -1 when closed.
    long send_now(std::string_view bytes) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent >= 0) return sent;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }

    // True when the daemon has sent something or closed: it gave up on us.
    bool answered_or_closed() {
        char buffer[4096];
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got > 0) input_.append(buffer, static_cast<std::size_t>(got));
        return got >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }

    // The next line, waiting for it; nothing at end of stream.
    std::optional<std::string> read_line() {
        for (;;) {
            const std::size_t end = input_.find('\n');
            if (end != std::string::npos) {
                std::string line = input_.substr(0, end);
                input_.erase(0, end + 1);
                return line;
            }
            char buffer[4096];
            const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) return std::nullopt;
            input_.append(buffer, static_cast<std::size_t>(got));
        }
    }

private:
    int fd_;
    std::string input_;
};

struct PhaseFigures {
    std::string name;
    std::vector<double> pair_ms;  // the well-behaved client's checkout+checkin pairs
    double seconds = 0;
    std::uint64_t peak_kib = 0;
    std::string what_happened;
};

double percentile(std::vector<double> samples, double fraction) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    return samples[static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1))];
}

// Everything the attack phases share: the phase the probe and the memory
// watch file their samples under.
class Run {
public:
    Run(const std::string& socket, pid_t daemon) : socket_(socket), daemon_(daemon) {}

    void start_watching() {
        probe_ = std::thread([this] { probe(); });
        memory_ = std::thread([this] { watch_memory(); });
    }
    void stop_watching() {
        done_ = true;
        probe_.join();
        memory_.join();
    }

    // Runs `attack` as the next phase; it returns what happened.
    template <typename Attack>
    void phase(const std::string& name, Attack attack) {
        {
            std::lock_guard lock(mutex_);
            phases_.push_back({name, {}, 0, 0, ""});
        }
        const auto start = Clock::now();
        std::string what = attack();
        std::lock_guard lock(mutex_);
        phases_.back().seconds = seconds_since(start);
        phases_.back().what_happened = std::move(what);
    }

    const std::string& socket() const { return socket_; }
    int probe_failures() const { return probe_failures_; }
    std::vector<PhaseFigures> figures() {
        std::lock_guard lock(mutex_);
        return phases_;
    }

private:
    // The well-behaved client: checkout+checkin pairs on its own files, for as
    // long as the run lasts. It fails the run if a request of its fails.
    void probe() {
        try {
            ipc::Client client(socket_);
            for (int i = 0; !done_; i = (i + 1) % probe_files) {
                const auto start = Clock::now();
                const bool checked_out =
                    client.call("checkout", {{"path", file_name(i)}, {"message", "probe"}}).value("ok", false);
                const bool checked_in = client.call("checkin", {{"path", file_name(i)}}).value("ok", false);
                if (!checked_out || !checked_in) ++probe_failures_;
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                std::lock_guard lock(mutex_);
                if (!phases_.empty()) phases_.back().pair_ms.push_back(ms);
            }
        } catch (const std::exception& error) {
            std::cerr << "the well-behaved client failed: " << error.what() << "\n";
            ++probe_failures_;
        }
    }

    void watch_memory() {
        while (!done_) {
            const std::uint64_t kib = test::resident_kib(daemon_);
            {
                std::lock_guard lock(mutex_);
                if (!phases_.empty()) phases_.back().peak_kib = std::max(phases_.back().peak_kib, kib);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    std::string socket_;
    pid_t daemon_;
    std::mutex mutex_;
    std::vector<PhaseFigures> phases_;
    std::atomic<bool> done_{false};
    std::atomic<int> probe_failures_{0};
    std::thread probe_;
    std::thread memory_;
};

std::string hello_line() { return "{\"op\":\"hello\"}\n"; }

// `count` connections at once, each asking hello once, then held idle.
std::string many_connections(const std::string& socket, int count, int hold_seconds, bool& held) {
    const auto start = Clock::now();
    std::vector<RawSocket> connections;
    connections.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) connections.emplace_back(socket);
    const double connected = seconds_since(start);
    for (RawSocket& connection : connections) connection.send_all(hello_line());
    int answered = 0;
    for (RawSocket& connection : connections) {
        const auto line = connection.read_line();
        answered += line && line->find("\"ok\":true") != std::string::npos;
    }
    const double served = seconds_since(start);
    std::this_thread::sleep_for(std::chrono::seconds(hold_seconds));
    held = answered == count;
    char text[200];
    std::snprintf(text, sizeof text, "%d connected in %.2f s; %d/%d answered hello by %.2f s; then held idle %d s",
                  count, connected, answered, count, served, hold_seconds);
    return text;
}

// `count` clients each sending one byte of a request per second.
std::string slowloris(const std::string& socket, int count, int line_timeout_ms, bool& held) {
    const std::string line = "{\"op\":\"hello\",\"pad\":\"" + std::string(200, 'x') + "\"}\n";
    std::vector<RawSocket> connections;
    for (int i = 0; i < count; ++i) connections.emplace_back(socket);
    std::vector<double> cut_after(static_cast<std::size_t>(count), -1);
    const auto start = Clock::now();
    const int seconds = line_timeout_ms / 1000 + 3;
    for (int second = 0; second < seconds; ++second) {
        for (std::size_t i = 0; i < connections.size(); ++i) {
            if (cut_after[i] >= 0) continue;
            if (connections[i].answered_or_closed() ||
                connections[i].send_now(std::string_view(line).substr(static_cast<std::size_t>(second) % line.size(), 1)) < 0)
                cut_after[i] = seconds_since(start);
        }
        std::this_thread::sleep_until(start + std::chrono::seconds(second + 1));
    }
    std::vector<double> cut;
    for (double after : cut_after)
        if (after >= 0) cut.push_back(after);
    held = static_cast<int>(cut.size()) == count;
    char text[200];
    std::snprintf(text, sizeof text, "%zu/%d cut off, median after %.1f s (line timeout %.1f s)", cut.size(), count,
                  percentile(cut, 0.5), line_timeout_ms / 1000.0);
    return text;
}

// A client pipelining list requests and never reading, and a subscriber that
// never reads its events (the probe's check-outs make them).
std::string never_reading(const std::string& socket, int seconds) {
    RawSocket lister(socket);
    RawSocket subscriber(socket);
    subscriber.send_all("{\"op\":\"subscribe\"}\n");
    const std::string request = "{\"op\":\"list\"}\n";
    std::string burst;
    for (int i = 0; i < 256; ++i) burst += request;
    std::uint64_t taken = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < seconds) {
        const long sent = lister.send_now(burst);
        if (sent < 0) break;
        if (sent == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        taken += static_cast<std::uint64_t>(sent);
    }
    char text[200];
    std::snprintf(text, sizeof text,
                  "the lister sent %.0f list requests before its socket filled: pdmd stopped reading it",
                  static_cast<double>(taken) / static_cast<double>(request.size()));
    return text;
}

}  // namespace

int run_exhaustion(const ExhaustionOptions& options) {
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    const auto needed = static_cast<rlim_t>(options.connections + options.slow_clients + 64);
    if (files.rlim_cur < needed) {
        std::cerr << "pdm-bench --exhaustion needs " << needed << " open files; the limit is " << files.rlim_cur
                  << " (ulimit -Hn)\n";
        return 1;
    }

    test::TempDir dir;
    for (int i = 0; i < probe_files; ++i) dir.write("repo/" + file_name(i), "part " + std::to_string(i));
    const auto daemon = start_pdmd(
        options.pdmd, dir.path(),
        {"--max-connections", std::to_string(options.connections + options.slow_clients + 16), "--line-timeout-ms",
         std::to_string(options.line_timeout_ms)});
    const std::string socket = (dir.path() / "pdmd.sock").string();

    Run run(socket, daemon->pid());
    run.start_watching();
    bool connections_served = false;
    bool slow_cut_off = false;
    run.phase("quiet", [&] {
        std::this_thread::sleep_for(std::chrono::seconds(options.phase_seconds));
        return std::string("only the well-behaved client");
    });
    run.phase(std::to_string(options.connections) + " connections at once", [&] {
        return many_connections(socket, options.connections, options.phase_seconds, connections_served);
    });
    run.phase(std::to_string(options.slow_clients) + " slowloris clients, 1 byte/s", [&] {
        return slowloris(socket, options.slow_clients, options.line_timeout_ms, slow_cut_off);
    });
    run.phase("2 clients that never read", [&] { return never_reading(socket, options.phase_seconds); });
    run.phase("quiet again", [&] {
        std::this_thread::sleep_for(std::chrono::seconds(options.phase_seconds));
        return std::string("the attackers are gone");
    });
    run.stop_watching();

    const auto figures = run.figures();
    const double quiet_p99 = percentile(figures.front().pair_ms, 0.99);
    std::printf("| phase | seconds | well-behaved pairs/s | p50 ms | p99 ms | p99 / quiet | pdmd peak RSS MiB | what happened |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (const PhaseFigures& phase : figures) {
        const double p99 = percentile(phase.pair_ms, 0.99);
        std::printf("| %s | %.1f | %.0f | %.2f | %.2f | %.2f | %.1f | %s |\n", phase.name.c_str(), phase.seconds,
                    static_cast<double>(phase.pair_ms.size()) / phase.seconds, percentile(phase.pair_ms, 0.5), p99,
                    quiet_p99 > 0 ? p99 / quiet_p99 : 0.0, static_cast<double>(phase.peak_kib) / 1024.0,
                    phase.what_happened.c_str());
    }
    std::fflush(stdout);
    int failures = 0;
    if (run.probe_failures() > 0) {
        std::cerr << "the well-behaved client had " << run.probe_failures() << " failed requests\n";
        ++failures;
    }
    if (!connections_served) {
        std::cerr << "not every one of the " << options.connections << " connections was answered\n";
        ++failures;
    }
    if (!slow_cut_off) {
        std::cerr << "not every slowloris client was cut off\n";
        ++failures;
    }
    return failures == 0 ? 0 : 1;
}

}  // namespace pdm::bench

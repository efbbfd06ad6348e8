// SPDX-License-Identifier: Apache-2.0
#include "bench/bench_daemon.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "ipc/client.hpp"
#include "tests/support/temp_dir.hpp"

namespace pdm::bench {

std::unique_ptr<test::ChildProcess> start_pdmd(const std::string& pdmd, const std::filesystem::path& dir,
                                               const std::vector<std::string>& extra) {
    const std::string socket = (dir / "pdmd.sock").string();
    std::vector<std::string> command{pdmd, "--repo", (dir / "repo").string(), "--socket", socket, "--log-level", "warn"};
    command.insert(command.end(), extra.begin(), extra.end());
    auto daemon = std::make_unique<test::ChildProcess>(command, dir / "pdmd.out", dir / "pdmd.err");
    for (int attempt = 0; attempt < 4000; ++attempt) {
        try {
            ipc::Client probe(socket);
            probe.call("hello");  // answered only once the index is built and the loop runs
            return daemon;
        } catch (const std::exception&) {
            if (!daemon->running()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    throw std::runtime_error("pdmd did not start:\n" + test::read_text(dir / "pdmd.err"));
}

std::string file_name(int index) {
    char name[64];
    std::snprintf(name, sizeof name, "parts/d%03d/PN%05d.mcam", index / 100, index);
    return name;
}

namespace {

std::uint64_t status_kib(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(field, 0) == 0) return std::stoull(line.substr(field.size()));
    }
    return 0;
}

}  // namespace

std::uint64_t resident_kib(pid_t pid) { return status_kib(pid, "VmRSS:"); }

std::uint64_t peak_resident_kib(pid_t pid) { return status_kib(pid, "VmHWM:"); }

}  // namespace pdm::bench

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Child processes for tests: start a program with its output captured in
// files, signal it, wait for it with a deadline.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pdm::test {

class ChildProcess {
public:
    // Starts argv[0] (a path, or a name looked up in PATH) with stdout and stderr sent to the given files,
    // and `environment` ("NAME=value") added to this process's environment.
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
                 const std::filesystem::path& stderr_file, const std::vector<std::string>& environment = {});
    ~ChildProcess();  // kills and reaps a child still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signal_number) const;
    // The exit status (exit code, or 128 + signal) once the child ended within
    // `timeout`; nothing if it still runs.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    // The most memory it ever held (resident, KiB), once it has ended.
    long peak_rss_kib() const { return peak_rss_kib_; }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    long peak_rss_kib_ = 0;
};

// VmRSS of a process, in KiB (0 when unknown).
std::uint64_t resident_kib(pid_t pid);
// VmHWM: the most it held since it started, or since "5" was written to its clear_refs.
std::uint64_t peak_resident_kib(pid_t pid);

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a program to completion (at most 60 s) and returns its exit code and output.
RunResult run_program(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir);

}  // namespace pdm::test

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Child processes for tests: start a program with its output captured in
// files, signal or kill it, wait for it with a deadline. One file per
// platform: process_posix.cpp (posix_spawn, signals) and process_win.cpp
// (CreateProcessW, TerminateProcess).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#if !defined(_WIN32)
#include <sys/types.h>
#endif

namespace pdm::test {

#if defined(_WIN32)
using ProcessId = unsigned long;  // a DWORD
#else
using ProcessId = pid_t;
#endif

class ChildProcess {
public:
    // Starts argv[0] (a path, or a name looked up in PATH) with stdout and stderr sent to the given files,
    // and `environment` ("NAME=value") added to this process's environment.
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
                 const std::filesystem::path& stderr_file, const std::vector<std::string>& environment = {});
    ~ChildProcess();  // kills and reaps a child still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    ProcessId pid() const { return pid_; }
    // Ends it at once (SIGKILL; TerminateProcess), as a crash would.
    void kill() const;
#if !defined(_WIN32)
    void signal(int signal_number) const;
#endif
    // The exit status (exit code, or 128 + signal) once the child ended within
    // `timeout`; nothing if it still runs.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    // The most memory it ever held (resident, KiB), once it has ended.
    long peak_rss_kib() const { return peak_rss_kib_; }

private:
    ProcessId pid_ = 0;
#if defined(_WIN32)
    void* handle_ = nullptr;
#endif
    std::optional<int> status_;
    long peak_rss_kib_ = 0;
};

// Resident memory of a running process, in KiB (0 when unknown): VmRSS; the
// working set on Windows.
std::uint64_t resident_kib(ProcessId pid);
// The most it held since it started (VmHWM; the peak working set), or on
// Linux since "5" was written to its clear_refs.
std::uint64_t peak_resident_kib(ProcessId pid);

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a program to completion (at most 60 s) and returns its exit code and output.
RunResult run_program(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir);

}  // namespace pdm::test

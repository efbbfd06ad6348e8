// SPDX-License-Identifier: Apache-2.0
#include "tests/support/process.hpp"

#include <windows.h>
#include <psapi.h>

#include <stdexcept>

#include "core/win_text.hpp"

namespace pdm::test {

namespace {

// This process's environment with `extra` ("NAME=value") added, as the
// double-NUL-terminated block CreateProcessW takes.
std::wstring environment_block(const std::vector<std::string>& extra) {
    std::wstring block;
    if (wchar_t* strings = GetEnvironmentStringsW()) {
        for (const wchar_t* entry = strings; *entry; entry += wcslen(entry) + 1) block.append(entry).push_back(L'\0');
        FreeEnvironmentStringsW(strings);
    }
    for (const std::string& entry : extra) block.append(win::wide(entry)).push_back(L'\0');
    block.push_back(L'\0');
    return block;
}

// Every child joins one job that ends with this process, as children end
// with a test killed on Linux by its time limit: no pdmd.exe is left behind.
HANDLE children_job() {
    static const HANDLE job = [] {
        const HANDLE created = CreateJobObjectW(nullptr, nullptr);
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        if (created) SetInformationJobObject(created, JobObjectExtendedLimitInformation, &limits, sizeof limits);
        return created;
    }();
    return job;
}

// A handle the child inherits, closed here once it has.
struct InheritedHandle {
    HANDLE handle;
    explicit InheritedHandle(const std::filesystem::path& file, DWORD access, DWORD disposition) {
        SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
        handle = CreateFileW(file.wstring().c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit,
                             disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (handle == INVALID_HANDLE_VALUE) throw std::runtime_error("cannot open " + file.string());
    }
    ~InheritedHandle() { CloseHandle(handle); }
    InheritedHandle(const InheritedHandle&) = delete;
    InheritedHandle& operator=(const InheritedHandle&) = delete;
};

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
                           const std::filesystem::path& stderr_file, const std::vector<std::string>& environment) {
    std::wstring command_line;
    for (const std::string& arg : argv) {
        if (!command_line.empty()) command_line += L' ';
        command_line += win::command_line_argument(win::wide(arg));
    }
    const InheritedHandle input("NUL", GENERIC_READ, OPEN_EXISTING);
    const InheritedHandle output(stdout_file, GENERIC_WRITE, CREATE_ALWAYS);
    const InheritedHandle errors(stderr_file, GENERIC_WRITE, CREATE_ALWAYS);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = input.handle;
    startup.hStdOutput = output.handle;
    startup.hStdError = errors.handle;
    std::wstring block = environment_block(environment);
    PROCESS_INFORMATION started{};
    // Suspended until it is in the job, so that nothing it starts escapes it.
    const BOOL ok = CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE,
                                   CREATE_UNICODE_ENVIRONMENT | CREATE_SUSPENDED, block.data(), nullptr, &startup, &started);
    const DWORD error = GetLastError();
    if (!ok) throw std::runtime_error("cannot start " + argv[0] + " (Win32 error " + std::to_string(error) + ")");
    if (const HANDLE job = children_job()) AssignProcessToJobObject(job, started.hProcess);
    ResumeThread(started.hThread);
    CloseHandle(started.hThread);
    handle_ = started.hProcess;
    pid_ = started.dwProcessId;
}

ChildProcess::~ChildProcess() {
    if (!status_) {
        kill();
        wait(std::chrono::seconds(10));
    }
    CloseHandle(static_cast<HANDLE>(handle_));
}

// 137: what a shell reports for a process ended by SIGKILL, so statuses read alike.
void ChildProcess::kill() const { TerminateProcess(static_cast<HANDLE>(handle_), 137); }

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    if (WaitForSingleObject(static_cast<HANDLE>(handle_), static_cast<DWORD>(timeout.count())) != WAIT_OBJECT_0) {
        return std::nullopt;
    }
    DWORD code = 0;
    GetExitCodeProcess(static_cast<HANDLE>(handle_), &code);
    PROCESS_MEMORY_COUNTERS counters{};
    if (GetProcessMemoryInfo(static_cast<HANDLE>(handle_), &counters, sizeof counters)) {
        peak_rss_kib_ = static_cast<long>(counters.PeakWorkingSetSize / 1024);
    }
    status_ = static_cast<int>(code);
    return status_;
}

namespace {

PROCESS_MEMORY_COUNTERS memory_of(ProcessId pid) {
    PROCESS_MEMORY_COUNTERS counters{};
    if (const HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)) {
        GetProcessMemoryInfo(process, &counters, sizeof counters);
        CloseHandle(process);
    }
    return counters;
}

}  // namespace

std::uint64_t resident_kib(ProcessId pid) { return memory_of(pid).WorkingSetSize / 1024; }

std::uint64_t peak_resident_kib(ProcessId pid) { return memory_of(pid).PeakWorkingSetSize / 1024; }

}  // namespace pdm::test

// SPDX-License-Identifier: Apache-2.0
#include "core/writer_check.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <string>
#include <system_error>

namespace pdm {
namespace {

// When a writer opens a leased file, the kernel tells the lease holder with
// SIGIO, whose default action ends the process. pdmd does not need the
// signal (it releases the lease as soon as it has read the file, and
// still_held() tells whether the writer got in first), so it is ignored,
// once, for the whole process.
void ignore_lease_breaks() {
    static std::once_flag once;
    std::call_once(once, [] { ::signal(SIGIO, SIG_IGN); });
}

int fd_of(const FileHandle& file) { return static_cast<int>(file.native()); }

bool is_digits(const char* text) {
    if (!*text) return false;
    for (; *text; ++text) {
        if (*text < '0' || *text > '9') return false;
    }
    return true;
}

// The open flags of descriptor `fd` of process `pid`, from /proc; -1 when unknown.
long open_flags(const std::string& pid, const std::string& fd) {
    std::ifstream info("/proc/" + pid + "/fdinfo/" + fd);
    std::string key;
    std::string value;
    while (info >> key >> value) {
        if (key == "flags:") return std::stol(value, nullptr, 8);
    }
    return -1;
}

std::string program_of(const std::string& pid) {
    std::ifstream comm("/proc/" + pid + "/comm");
    std::string name;
    std::getline(comm, name);
    return name;
}

}  // namespace

ReadLease::ReadLease(const OpenedFile& file) : file_(file), outcome_(Outcome::held) {
    ignore_lease_breaks();
    if (::fcntl(fd_of(file_.handle), F_SETLEASE, F_RDLCK) == 0) return;
    // EAGAIN: the file is open for writing somewhere (or mapped shared and writable).
    outcome_ = errno == EAGAIN ? Outcome::writer_present : Outcome::unsupported;
}

ReadLease::~ReadLease() {
    if (outcome_ == Outcome::held && !end_with_the_file_) ::fcntl(fd_of(file_.handle), F_SETLEASE, F_UNLCK);
}

bool ReadLease::still_held() const {
    return outcome_ == Outcome::held && ::fcntl(fd_of(file_.handle), F_GETLEASE) == F_RDLCK;
}

std::vector<FileWriter> writers_of(const OpenedFile& file) {
    std::vector<FileWriter> writers;
    DIR* processes = ::opendir("/proc");
    if (!processes) return writers;
    while (const dirent* process = ::readdir(processes)) {
        if (!is_digits(process->d_name)) continue;
        const std::string pid = process->d_name;
        const std::string fd_folder = "/proc/" + pid + "/fd";
        DIR* descriptors = ::opendir(fd_folder.c_str());
        if (!descriptors) continue;  // another user's process, or it ended
        bool writes = false;
        while (const dirent* descriptor = ::readdir(descriptors)) {
            if (!is_digits(descriptor->d_name)) continue;
            struct stat target {};
            if (::stat((fd_folder + "/" + descriptor->d_name).c_str(), &target) != 0) continue;
            if (static_cast<std::uint64_t>(target.st_dev) != file.info.device ||
                static_cast<std::uint64_t>(target.st_ino) != file.info.id)
                continue;
            const long flags = open_flags(pid, descriptor->d_name);
            if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY) {
                writes = true;
                break;
            }
        }
        ::closedir(descriptors);
        if (writes && std::stoll(pid) != ::getpid()) writers.push_back({std::stoll(pid), program_of(pid)});
    }
    ::closedir(processes);
    return writers;
}

}  // namespace pdm

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "daemon/instance_lock.hpp"

namespace pdm::daemon {
namespace {

class PosixInstanceLock final : public InstanceLock {
public:
    explicit PosixInstanceLock(int fd) : fd_(fd) {}
    ~PosixInstanceLock() override { ::close(fd_); }

private:
    int fd_;
};

std::string read_holder(int fd) {
    char buffer[32] = {};
    const ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
    std::string pid = got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "unknown pid" : "pid " + pid;
}

}  // namespace

std::unique_ptr<InstanceLock> InstanceLock::acquire(const std::filesystem::path& state_dir) {
    const std::filesystem::path file = state_dir / "pdmd.lock";
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + file.string() + ": " + std::generic_category().message(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        const std::string holder = read_holder(fd);
        ::close(fd);
        if (error == EWOULDBLOCK) {
            throw std::runtime_error("another pdmd (" + holder + ") is already running on state dir " +
                                     state_dir.string());
        }
        throw std::runtime_error("cannot lock " + file.string() + ": " + std::generic_category().message(error));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        ::close(fd);
        throw std::runtime_error("cannot write " + file.string());
    }
    return std::make_unique<PosixInstanceLock>(fd);
}

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <string>

#include "daemon/posix_controls.hpp"
#include "daemon/service_manager.hpp"

namespace pdm::daemon {
namespace {

class SystemdManager final : public ServiceManager {
public:
    SystemdManager() { ignore_failed_write_signals(); }
    std::optional<std::intptr_t> inherited_listener() override {
        // unset_environment: children of pdmd must not think they were activated.
        const int count = sd_listen_fds(1);
        if (count < 1) return std::nullopt;
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + count; ++fd) {
            if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) > 0) return fd;
        }
        return std::nullopt;
    }

    void ready(const std::string& status) override { notify("READY=1\nSTATUS=" + status); }
    void status(const std::string& status) override { notify("STATUS=" + status); }
    void reloading() override { notify("RELOADING=1"); }
    void stopping() override { notify("STOPPING=1"); }

    std::optional<std::chrono::microseconds> watchdog_interval() override {
        std::uint64_t usec = 0;
        if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
        // Ping at half the timeout, as sd_watchdog_enabled(3) recommends.
        return std::chrono::microseconds(usec / 2);
    }
    void watchdog() override { notify("WATCHDOG=1"); }

    std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) override {
        return std::make_unique<PosixControls>(io, std::move(controls));
    }

    bool logs_to_journal() override {
        // JOURNAL_STREAM is "device:inode" of the journal's stream; stderr must be that very file.
        const char* stream = std::getenv("JOURNAL_STREAM");
        if (!stream) return false;
        struct stat info {};
        if (::fstat(2, &info) != 0) return false;
        return std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino) == stream;
    }

private:
    static void notify(const std::string& state) { sd_notify(0, state.c_str()); }
};

}  // namespace

int ServiceManager::host(const DaemonConfig&, const std::function<int(ServiceManager&)>& daemon) {
    SystemdManager manager;
    return daemon(manager);
}

bool ServiceManager::has_service_mode() { return false; }

}  // namespace pdm::daemon

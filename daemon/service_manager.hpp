// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the daemon tells, and takes from, the service manager that started it:
// systemd on Linux (service_manager_systemd.cpp), nothing when there is none
// (service_manager_none.cpp), and on Windows the service control manager or
// a console (service_manager_win.cpp).
// Requests to stop or reload (POSIX signals, service controls) reach the
// daemon through it too, so main has no platform code of its own.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <spdlog/common.h>

#include "daemon/config.hpp"

namespace pdm::daemon {

class ServiceManager {
public:
    virtual ~ServiceManager() = default;

    // Runs `daemon` under the manager that started this process (a no-op
    // one when none did) and returns its exit code. On Windows with
    // --service, that is inside the service control dispatcher: `daemon` runs
    // on the service's thread, and this returns once the service stopped.
    static int host(const DaemonConfig& config, const std::function<int(ServiceManager&)>& daemon);
    // Whether pdmd offers --service here (Windows).
    static bool has_service_mode();

    // What the daemon does when asked; called on the event loop.
    struct Controls {
        std::function<void()> stop;    // SIGTERM, SIGINT; a service STOP or SHUTDOWN
        std::function<void()> reload;  // SIGHUP; a service PARAMCHANGE
    };
    // Delivers stop and reload requests to `controls` while it lives. It
    // waits on `io`, so it must be destroyed before `io` is.
    class ControlsWatch {
    public:
        virtual ~ControlsWatch() = default;
        // The daemon is stopping: no more reloads, and a second stop request
        // gets the platform's default (a way out if shutdown hangs).
        virtual void stop_watching() = 0;
    };
    virtual std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) = 0;

    // A listening endpoint handed over by socket activation, if any (its
    // native handle).
    virtual std::optional<std::intptr_t> inherited_listener() = 0;
    // The daemon serves requests now.
    virtual void ready(const std::string& status) = 0;
    // A one-line human summary of what the daemon is doing.
    virtual void status(const std::string& status) = 0;
    virtual void reloading() = 0;
    virtual void stopping() = 0;
    // How often to prove the event loop alive, when the manager watches it.
    virtual std::optional<std::chrono::microseconds> watchdog_interval() = 0;
    virtual void watchdog() = 0;
    // True when stderr is the journal: log lines carry syslog priorities.
    virtual bool logs_to_journal() = 0;
    // Where log lines go when no --log-file is given and nobody reads
    // stderr (a Windows service: the Event Log); null: stderr.
    virtual spdlog::sink_ptr system_log() { return nullptr; }
};

// A manager that is told nothing and hands nothing over (no service manager,
// or a console): only how stop requests arrive differs.
class UnannouncedRun : public ServiceManager {
public:
    std::optional<std::intptr_t> inherited_listener() override { return std::nullopt; }
    void ready(const std::string&) override {}
    void status(const std::string&) override {}
    void reloading() override {}
    void stopping() override {}
    std::optional<std::chrono::microseconds> watchdog_interval() override { return std::nullopt; }
    void watchdog() override {}
    bool logs_to_journal() override { return false; }
};

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the daemon tells, and takes from, the service manager that started it:
// systemd on Linux (service_manager_systemd.cpp), nothing when there is none
// (service_manager_none.cpp); the Windows service control manager follows.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace pdm::daemon {

class ServiceManager {
public:
    virtual ~ServiceManager() = default;

    // The manager in force for this process (a no-op one when none started it).
    static std::unique_ptr<ServiceManager> detect();

    // A listening socket handed over by socket activation, if any.
    virtual std::optional<int> inherited_listener() = 0;
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
};

}  // namespace pdm::daemon

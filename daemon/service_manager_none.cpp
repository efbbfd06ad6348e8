// SPDX-License-Identifier: Apache-2.0
#include "daemon/posix_controls.hpp"
#include "daemon/service_manager.hpp"

namespace pdm::daemon {
namespace {

// Built without a service manager: the daemon binds its own socket and tells nobody.
class NoManager final : public ServiceManager {
public:
    NoManager() { ignore_broken_pipes(); }
    std::optional<std::intptr_t> inherited_listener() override { return std::nullopt; }
    void ready(const std::string&) override {}
    void status(const std::string&) override {}
    void reloading() override {}
    void stopping() override {}
    std::optional<std::chrono::microseconds> watchdog_interval() override { return std::nullopt; }
    void watchdog() override {}
    std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) override {
        return std::make_unique<PosixControls>(io, std::move(controls));
    }

    bool logs_to_journal() override { return false; }
};

}  // namespace

int ServiceManager::host(const DaemonConfig&, const std::function<int(ServiceManager&)>& daemon) {
    NoManager manager;
    return daemon(manager);
}

bool ServiceManager::has_service_mode() { return false; }

}  // namespace pdm::daemon

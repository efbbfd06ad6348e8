// SPDX-License-Identifier: Apache-2.0
#include "daemon/posix_controls.hpp"
#include "daemon/service_manager.hpp"

namespace pdm::daemon {
namespace {

// Built without a service manager: the daemon binds its own socket and tells nobody.
class NoManager final : public UnannouncedRun {
public:
    NoManager() { ignore_failed_write_signals(); }
    std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) override {
        return std::make_unique<PosixControls>(io, std::move(controls));
    }
};

}  // namespace

int ServiceManager::host(const DaemonConfig&, const std::function<int(ServiceManager&)>& daemon) {
    NoManager manager;
    return daemon(manager);
}

bool ServiceManager::has_service_mode() { return false; }

}  // namespace pdm::daemon

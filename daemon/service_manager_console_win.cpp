// SPDX-License-Identifier: Apache-2.0
// pdmd.exe started from a console (or by a script), not by the service
// control manager: Ctrl+C, Ctrl+Break and closing the console stop it, as
// SIGINT and SIGTERM do on Linux. The C runtime turns those console events
// into SIGINT and SIGBREAK, which Asio's signal_set reads on the event loop.
// Windows has no reload signal; a service's PARAMCHANGE will be one.
#include <csignal>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "daemon/service_manager.hpp"

namespace pdm::daemon {
namespace {

class ConsoleControls final : public ServiceManager::ControlsWatch {
public:
    ConsoleControls(boost::asio::io_context& io, ServiceManager::Controls controls)
        : controls_(std::move(controls)), stop_signals_(io, SIGINT, SIGBREAK) {
        stop_signals_.async_wait([this](const boost::system::error_code& error, int signal_number) {
            if (error) return;
            spdlog::info("received {}; shutting down", signal_number == SIGINT ? "Ctrl+C" : "Ctrl+Break");
            controls_.stop();
        });
    }

    void stop_watching() override {
        boost::system::error_code ignored;
        stop_signals_.clear(ignored);
    }

private:
    ServiceManager::Controls controls_;
    boost::asio::signal_set stop_signals_;
};

class ConsoleManager final : public ServiceManager {
public:
    std::optional<std::intptr_t> inherited_listener() override { return std::nullopt; }
    void ready(const std::string&) override {}
    void status(const std::string&) override {}
    void reloading() override {}
    void stopping() override {}
    std::optional<std::chrono::microseconds> watchdog_interval() override { return std::nullopt; }
    void watchdog() override {}
    std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) override {
        return std::make_unique<ConsoleControls>(io, std::move(controls));
    }
    bool logs_to_journal() override { return false; }
};

}  // namespace

std::unique_ptr<ServiceManager> ServiceManager::detect() { return std::make_unique<ConsoleManager>(); }

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#include "daemon/service_pulse.hpp"

namespace pdm::daemon {

ServicePulse::ServicePulse(boost::asio::io_context& io, ServiceManager& manager,
                           std::function<std::string()> status)
    : manager_(manager), status_(std::move(status)), timer_(io) {
    const auto watchdog = manager.watchdog_interval();
    watchdog_ = watchdog.has_value();
    // Status every 5 s; watchdog pings as often as the manager asks, if more often.
    interval_ = std::chrono::seconds(5);
    if (watchdog && *watchdog < interval_) interval_ = *watchdog;
}

void ServicePulse::start() { beat(); }

void ServicePulse::stop() {
    stopped_ = true;
    timer_.cancel();
}

void ServicePulse::beat() {
    if (stopped_) return;
    if (watchdog_) manager_.watchdog();
    manager_.status(status_());
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) beat();
    });
}

}  // namespace pdm::daemon

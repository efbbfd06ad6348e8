// SPDX-License-Identifier: Apache-2.0
#pragma once
// Keeps the service manager informed from the event loop itself: watchdog
// pings (so a stuck loop is restarted) and a one-line status, every
// `interval`. Runs only while the loop runs; stop() ends it.

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/service_manager.hpp"

namespace pdm::daemon {

class ServicePulse {
public:
    ServicePulse(boost::asio::io_context& io, ServiceManager& manager, std::function<std::string()> status);

    void start();
    void stop();

private:
    void beat();

    ServiceManager& manager_;
    std::function<std::string()> status_;
    boost::asio::steady_timer timer_;
    std::chrono::microseconds interval_;
    bool watchdog_;
    bool stopped_ = false;
};

}  // namespace pdm::daemon

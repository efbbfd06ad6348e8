// SPDX-License-Identifier: Apache-2.0
#include "daemon/graceful_shutdown.hpp"

#include <spdlog/spdlog.h>

namespace pdm::daemon {

void GracefulShutdown::begin() {
    deadline_ = std::chrono::steady_clock::now() + grace_;
    server_.stop();
    poll();
}

void GracefulShutdown::poll() {
    if (server_.connection_count() == 0) return;
    if (std::chrono::steady_clock::now() >= deadline_) {
        spdlog::warn("closing {} connection(s) that did not finish in time", server_.connection_count());
        server_.abort_connections();
        return;
    }
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) poll();
    });
}

}  // namespace pdm::daemon

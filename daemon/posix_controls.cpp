// SPDX-License-Identifier: Apache-2.0
#include "daemon/posix_controls.hpp"

#include <csignal>

#include <spdlog/spdlog.h>

namespace pdm::daemon {

void ignore_failed_write_signals() {
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
}

PosixControls::PosixControls(boost::asio::io_context& io, ServiceManager::Controls controls)
    : controls_(std::move(controls)), stop_signals_(io, SIGINT, SIGTERM), reload_signal_(io, SIGHUP) {
    stop_signals_.async_wait([this](const boost::system::error_code& error, int signal_number) {
        if (error) return;
        spdlog::info("received {}; shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        controls_.stop();
    });
    wait_for_reload();
}

void PosixControls::wait_for_reload() {
    reload_signal_.async_wait([this](const boost::system::error_code& error, int) {
        if (error) return;
        controls_.reload();
        wait_for_reload();
    });
}

void PosixControls::stop_watching() {
    boost::system::error_code ignored;
    stop_signals_.clear(ignored);
    reload_signal_.cancel(ignored);
}

}  // namespace pdm::daemon

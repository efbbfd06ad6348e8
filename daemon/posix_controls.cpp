// SPDX-License-Identifier: Apache-2.0
#include "daemon/posix_controls.hpp"

#include <csignal>

#include <spdlog/spdlog.h>

namespace pdm::daemon {

PosixControls::PosixControls() { std::signal(SIGPIPE, SIG_IGN); }

void PosixControls::watch(boost::asio::io_context& io, ServiceManager::Controls controls) {
    controls_ = std::move(controls);
    stop_signals_ = std::make_unique<boost::asio::signal_set>(io, SIGINT, SIGTERM);
    reload_signal_ = std::make_unique<boost::asio::signal_set>(io, SIGHUP);
    stop_signals_->async_wait([this](const boost::system::error_code& error, int signal_number) {
        if (error) return;
        spdlog::info("received {}; shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        controls_.stop();
    });
    wait_for_reload();
}

void PosixControls::wait_for_reload() {
    reload_signal_->async_wait([this](const boost::system::error_code& error, int) {
        if (error) return;
        controls_.reload();
        wait_for_reload();
    });
}

void PosixControls::stop_watching() {
    boost::system::error_code ignored;
    if (stop_signals_) stop_signals_->clear(ignored);
    if (reload_signal_) reload_signal_->cancel(ignored);
}

}  // namespace pdm::daemon

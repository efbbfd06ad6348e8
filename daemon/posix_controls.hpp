// SPDX-License-Identifier: Apache-2.0
#pragma once
// How a POSIX daemon is asked to stop or reload: SIGTERM or SIGINT, and
// SIGHUP, read on the event loop (Boost.Asio signal_set). Used by the POSIX
// service managers (systemd, none); Windows' service control handler is its
// twin.

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "daemon/service_manager.hpp"

namespace pdm::daemon {

class PosixControls {
public:
    // Also ignores SIGPIPE for the process: a client that hung up makes a
    // write fail with EPIPE, it must not end the daemon.
    PosixControls();

    void watch(boost::asio::io_context& io, ServiceManager::Controls controls);
    // After a stop: a second stop signal gets the default action (a way out
    // if shutdown hangs), and reloads are no longer taken.
    void stop_watching();

private:
    void wait_for_reload();

    ServiceManager::Controls controls_;
    std::unique_ptr<boost::asio::signal_set> stop_signals_;
    std::unique_ptr<boost::asio::signal_set> reload_signal_;
};

}  // namespace pdm::daemon

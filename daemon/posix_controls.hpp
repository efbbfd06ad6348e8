// SPDX-License-Identifier: Apache-2.0
#pragma once
// How a POSIX daemon is asked to stop or reload: SIGTERM or SIGINT, and
// SIGHUP, read on the event loop (Boost.Asio signal_set). Used by the POSIX
// service managers (systemd, none); Windows' service control handler is its
// twin.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "daemon/service_manager.hpp"

namespace pdm::daemon {

// A client that hung up, or a closed stderr, makes a write fail with EPIPE;
// a file grown to the size limit (ulimit -f, LimitFSIZE=) makes it fail
// with EFBIG. Either is an error for the write to report, never a reason for
// the daemon to end. Called once, when the service manager is made.
void ignore_failed_write_signals();

class PosixControls final : public ServiceManager::ControlsWatch {
public:
    PosixControls(boost::asio::io_context& io, ServiceManager::Controls controls);

    void stop_watching() override;

private:
    void wait_for_reload();

    ServiceManager::Controls controls_;
    boost::asio::signal_set stop_signals_;
    boost::asio::signal_set reload_signal_;
};

}  // namespace pdm::daemon

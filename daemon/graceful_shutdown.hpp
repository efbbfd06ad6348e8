// SPDX-License-Identifier: Apache-2.0
#pragma once
// Stops accepting, lets open connections finish what they already sent (and
// their last commit), and closes the stragglers when the grace period ends.

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ipc/server.hpp"

namespace pdm::daemon {

class GracefulShutdown {
public:
    GracefulShutdown(boost::asio::io_context& io, ipc::Server& server,
                     std::chrono::milliseconds grace = std::chrono::seconds(5))
        : server_(server), timer_(io), grace_(grace) {}

    void begin();

private:
    void poll();

    ipc::Server& server_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds grace_;
    std::chrono::steady_clock::time_point deadline_;
};

}  // namespace pdm::daemon

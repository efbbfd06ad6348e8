// SPDX-License-Identifier: Apache-2.0
#include "bench/line_client.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "bench/bench_daemon.hpp"

namespace pdm::bench {

LineClient::LineClient(const std::string& socket) : fd_(connect_unix_socket(socket)) {}

LineClient::~LineClient() { ::close(fd_); }

std::string LineClient::call(const std::string& request) {
    for (std::size_t sent = 0; sent < request.size();) {
        const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0) throw std::system_error(errno, std::generic_category(), "send to pdmd");
        sent += static_cast<std::size_t>(n);
    }
    for (;;) {
        const auto end = buffer_.find('\n');
        if (end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        char piece[4096];
        const ssize_t n = ::recv(fd_, piece, sizeof piece, 0);
        if (n <= 0) throw std::runtime_error("pdmd closed the connection");
        buffer_.append(piece, static_cast<std::size_t>(n));
    }
}

void expect_success(const std::string& reply, const char* what) {
    // The first "ok" is the reply's own: only the id, a number pdm-bench sent, comes before it.
    const std::size_t ok = reply.find("\"ok\":");
    if (ok == std::string::npos || reply.compare(ok, 10, "\"ok\":true,") != 0)
        throw std::runtime_error(std::string(what) + " failed: " + reply);
}

}  // namespace pdm::bench

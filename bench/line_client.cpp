// SPDX-License-Identifier: Apache-2.0
#include "bench/line_client.hpp"

#include <unistd.h>

#include <stdexcept>

#include "bench/bench_daemon.hpp"

namespace pdm::bench {

LineClient::LineClient(const std::string& socket) : fd_(connect_unix_socket(socket)) {}

LineClient::~LineClient() { ::close(fd_); }

std::string LineClient::call(const std::string& request) {
    send_all(fd_, request, "pdmd");
    return receive_line(fd_, buffer_, "\n", "pdmd");
}

void expect_success(const std::string& reply, const char* what) {
    // The first "ok" is the reply's own: only the id, a number pdm-bench sent, comes before it.
    const std::size_t ok = reply.find("\"ok\":");
    if (ok == std::string::npos || reply.compare(ok, 10, "\"ok\":true,") != 0)
        throw std::runtime_error(std::string(what) + " failed: " + reply);
}

}  // namespace pdm::bench

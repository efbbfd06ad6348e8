// SPDX-License-Identifier: Apache-2.0
#pragma once
// A minimal pdmd client for pdm-bench --vs-redis: it sends a request line
// built once and returns the reply line, as the RESP client on the Redis side
// does, so that a ratio compares the two servers and not two client
// libraries (pdmctl's client encodes and parses every message as JSON).

#include <string>

namespace pdm::bench {

class LineClient {
public:
    explicit LineClient(const std::string& socket);
    ~LineClient();
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;

    // Sends `request` (one line, ending in '\n') and returns the reply's
    // line, without its '\n'.
    std::string call(const std::string& request);

private:
    int fd_ = -1;
    std::string buffer_;
};

// Throws std::runtime_error naming `what` unless `reply` is a success.
void expect_success(const std::string& reply, const char* what);

}  // namespace pdm::bench

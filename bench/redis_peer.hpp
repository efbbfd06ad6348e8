// SPDX-License-Identifier: Apache-2.0
#pragma once
// The peer of pdm-bench --vs-redis: Debian's redis-server, started on a Unix
// socket in a temp dir with every write flushed before its reply
// (appendonly yes, appendfsync always), and a minimal RESP client for it.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace pdm::bench {

class RedisServer {
public:
    // Starts `program` with its data in `dir`; throws when it does not answer.
    RedisServer(const std::string& program, const std::filesystem::path& dir);
    ~RedisServer();
    const std::string& socket() const { return socket_; }

private:
    std::string socket_;
    std::unique_ptr<test::ChildProcess> process_;
};

// One connection; one command at a time, each waiting for its reply.
class RedisClient {
public:
    explicit RedisClient(const std::string& socket);
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    // Sends the command and returns the reply's first line ("+OK", "$-1", ":1").
    std::string call(const std::vector<std::string>& arguments);

private:
    int fd_ = -1;
    std::string buffer_;
};

}  // namespace pdm::bench

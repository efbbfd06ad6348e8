// SPDX-License-Identifier: Apache-2.0
#include "bench/redis_peer.hpp"

#include "bench/bench_daemon.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace pdm::bench {

RedisServer::RedisServer(const std::string& program, const std::filesystem::path& dir)
    : socket_((dir / "redis.sock").string()) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "redis.conf") << "port 0\n"
                                      << "unixsocket " << socket_ << "\n"
                                      << "unixsocketperm 700\n"
                                      << "dir " << dir.string() << "\n"
                                      << "appendonly yes\n"
                                      << "appendfsync always\n"
                                      << "save \"\"\n"
                                      << "daemonize no\n";
    process_ = std::make_unique<test::ChildProcess>(std::vector<std::string>{program, (dir / "redis.conf").string()},
                                                    dir / "redis.out", dir / "redis.err");
    for (int attempt = 0; attempt < 2000; ++attempt) {
        try {
            RedisClient probe(socket_);
            if (probe.call({"PING"}) == "+PONG") return;
        } catch (const std::exception&) {
            if (!process_->running()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error(program + " did not start: " + test::read_text(dir / "redis.out"));
}

RedisServer::~RedisServer() {
    process_->signal(SIGTERM);
    process_->wait(std::chrono::seconds(20));
}

RedisClient::RedisClient(const std::string& socket) : fd_(connect_unix_socket(socket)) {}

RedisClient::~RedisClient() { ::close(fd_); }

std::string RedisClient::call(const std::vector<std::string>& arguments) {
    std::string request = "*" + std::to_string(arguments.size()) + "\r\n";
    for (const std::string& argument : arguments)
        request += "$" + std::to_string(argument.size()) + "\r\n" + argument + "\r\n";
    for (std::size_t sent = 0; sent < request.size();) {
        const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0) throw std::system_error(errno, std::generic_category(), "send to redis");
        sent += static_cast<std::size_t>(n);
    }
    // Every reply this benchmark asks for is one line.
    for (;;) {
        const auto end = buffer_.find("\r\n");
        if (end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 2);
            return line;
        }
        char piece[4096];
        const ssize_t n = ::recv(fd_, piece, sizeof piece, 0);
        if (n <= 0) throw std::runtime_error("redis closed the connection");
        buffer_.append(piece, static_cast<std::size_t>(n));
    }
}

}  // namespace pdm::bench

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
    send_all(fd_, request, "redis");
    // Every reply this benchmark asks for is one line.
    return receive_line(fd_, buffer_, "\r\n", "redis");
}

}  // namespace pdm::bench

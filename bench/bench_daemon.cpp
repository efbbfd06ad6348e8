// SPDX-License-Identifier: Apache-2.0
#include "bench/bench_daemon.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "ipc/client.hpp"
#include "tests/support/temp_dir.hpp"

namespace pdm::bench {

std::unique_ptr<test::ChildProcess> start_pdmd(const std::string& pdmd, const std::filesystem::path& dir,
                                               const std::vector<std::string>& extra) {
    const std::string socket = (dir / "pdmd.sock").string();
    std::vector<std::string> command{pdmd, "--repo", (dir / "repo").string(), "--socket", socket, "--log-level", "warn"};
    command.insert(command.end(), extra.begin(), extra.end());
    auto daemon = std::make_unique<test::ChildProcess>(command, dir / "pdmd.out", dir / "pdmd.err");
    for (int attempt = 0; attempt < 4000; ++attempt) {
        try {
            ipc::Client probe(socket);
            probe.call("hello");  // answered only once the index is built and the loop runs
            return daemon;
        } catch (const std::exception&) {
            if (!daemon->running()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    throw std::runtime_error("pdmd did not start:\n" + test::read_text(dir / "pdmd.err"));
}

std::string file_name(int index) {
    char name[64];
    std::snprintf(name, sizeof name, "parts/d%03d/PN%05d.mcam", index / 100, index);
    return name;
}

int connect_unix_socket(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "connect to " + path);
    }
    return fd;
}

void send_all(int fd, const std::string& bytes, const std::string& peer) {
    for (std::size_t sent = 0; sent < bytes.size();) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "send to " + peer);
        sent += static_cast<std::size_t>(n);
    }
}

std::string receive_line(int fd, std::string& buffer, std::string_view end, const std::string& peer) {
    for (;;) {
        const std::size_t found = buffer.find(end);
        if (found != std::string::npos) {
            std::string line = buffer.substr(0, found);
            buffer.erase(0, found + end.size());
            return line;
        }
        char piece[4096];
        const ssize_t n = ::recv(fd, piece, sizeof piece, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(peer + " closed the connection");
        buffer.append(piece, static_cast<std::size_t>(n));
    }
}

}  // namespace pdm::bench

// SPDX-License-Identifier: Apache-2.0
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <boost/asio/local/stream_protocol.hpp>

#include "ipc/local_endpoint.hpp"

namespace pdm::ipc {
namespace {

namespace asio = boost::asio;
using Protocol = asio::local::stream_protocol;

constexpr std::size_t max_socket_path = sizeof(sockaddr_un::sun_path) - 1;

std::string errno_text() { return std::generic_category().message(errno); }

// An endpoint file exists: remove it only when it is a socket nobody answers on.
void remove_if_stale(const std::string& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) return;
        throw std::runtime_error("cannot inspect " + path + ": " + errno_text());
    }
    if (!S_ISSOCK(info.st_mode)) {
        throw std::runtime_error(path + " exists and is not a socket; refusing to replace it");
    }
    asio::io_context probe_io;
    Protocol::socket probe(probe_io);
    boost::system::error_code ec;
    probe.connect(Protocol::endpoint(path), ec);
    if (!ec) {
        throw std::runtime_error("another daemon is already serving " + path +
                                 "; stop it first or choose another --socket");
    }
    if (ec != asio::error::connection_refused) {
        throw std::runtime_error("cannot tell whether a daemon serves " + path + ": " + ec.message());
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw std::runtime_error("cannot remove the stale socket " + path + ": " + errno_text());
    }
}

class PosixListener final : public LocalListener {
public:
    PosixListener(asio::io_context& io, const ListenOptions& options)
        : acceptor_(io), path_(options.path) {
        if (path_.empty()) throw std::runtime_error("no socket path given (use --socket)");
        if (path_.size() > max_socket_path) {
            throw std::runtime_error("socket path is longer than " + std::to_string(max_socket_path) +
                                     " bytes: " + path_);
        }
        const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
        std::error_code fs_error;
        if (!parent.empty() && !std::filesystem::exists(parent, fs_error)) {
            std::filesystem::create_directories(parent, fs_error);
            if (fs_error) {
                throw std::runtime_error("cannot create " + parent.string() + ": " + fs_error.message());
            }
        }
        remove_if_stale(path_);

        acceptor_.open(Protocol());
        // Created owner-only, then opened up to the configured mode: no moment
        // exists at which a wider audience than intended could connect.
        const mode_t previous_mask = ::umask(0177);
        boost::system::error_code ec;
        acceptor_.bind(Protocol::endpoint(path_), ec);
        ::umask(previous_mask);
        if (ec) throw std::runtime_error("cannot bind " + path_ + ": " + ec.message());
        if (::chmod(path_.c_str(), static_cast<mode_t>(options.mode)) != 0) {
            throw std::runtime_error("cannot set the mode of " + path_ + ": " + errno_text());
        }
        struct stat info {};
        if (::stat(path_.c_str(), &info) == 0) inode_ = info.st_ino;
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error("cannot listen on " + path_ + ": " + ec.message());
    }

    // Adopts a socket that is already bound and listening.
    PosixListener(asio::io_context& io, int fd) : acceptor_(io), adopted_(true) {
        boost::system::error_code ec;
        acceptor_.assign(Protocol(), fd, ec);
        if (ec) throw std::runtime_error("cannot use the socket handed over by the service manager: " + ec.message());
        const auto endpoint = acceptor_.local_endpoint(ec);
        path_ = ec ? "(inherited socket)" : endpoint.path();
    }

    ~PosixListener() override { close(); }

    void async_accept(AcceptHandler handler) override { acceptor_.async_accept(std::move(handler)); }

    std::vector<LocalStream> accept_waiting() override {
        std::vector<LocalStream> waiting;
        boost::system::error_code ec;
        acceptor_.non_blocking(true, ec);
        if (ec) return waiting;  // an accept could block
        for (;;) {
            LocalStream stream = acceptor_.accept(ec);
            if (!ec) {
                waiting.push_back(std::move(stream));
            } else if (ec != asio::error::connection_aborted && ec != asio::error::interrupted) {
                return waiting;  // would_block: none left (or out of descriptors)
            }
        }
    }

    void close() override {
        if (!acceptor_.is_open()) return;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        if (adopted_) return;  // the service manager owns the file
        // Remove the file only if it is still ours, not one a successor bound.
        struct stat info {};
        if (::lstat(path_.c_str(), &info) == 0 && info.st_ino == inode_) ::unlink(path_.c_str());
    }

    const std::string& path() const override { return path_; }

private:
    Protocol::acceptor acceptor_;
    std::string path_;
    ino_t inode_ = 0;
    bool adopted_ = false;
};

}  // namespace

std::unique_ptr<LocalListener> LocalListener::open(asio::io_context& io, const ListenOptions& options) {
    return std::make_unique<PosixListener>(io, options);
}

std::unique_ptr<LocalListener> LocalListener::adopt(asio::io_context& io, std::intptr_t native_handle) {
    return std::make_unique<PosixListener>(io, static_cast<int>(native_handle));
}

bool peer_has_hung_up(LocalStream& stream) {
    if (!stream.is_open()) return true;
    pollfd poller{stream.native_handle(), POLLRDHUP, 0};
    if (::poll(&poller, 1, 0) < 0) return false;
    return (poller.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

const EndpointNaming& endpoint_naming() {
    static constexpr EndpointNaming naming{
        "--socket", "PDMD_SOCKET", "socket", "PATH",
        "The Unix socket to listen on (default: /run/pdmd/pdmd.sock as root, else $XDG_RUNTIME_DIR/pdmd.sock)", true};
    return naming;
}

void interrupt_local(LocalStream& stream) {
    boost::system::error_code ignored;
    stream.shutdown(LocalStream::shutdown_both, ignored);
}

LocalStream connect_local(asio::io_context& io, const std::string& path) {
    if (path.size() > max_socket_path) {
        throw boost::system::system_error(asio::error::name_too_long, "socket path " + path);
    }
    LocalStream stream(io);
    stream.connect(Protocol::endpoint(path));
    return stream;
}

std::vector<Endpoint> default_endpoints() {
    std::vector<Endpoint> endpoints;
    if (const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR"); runtime_dir && *runtime_dir)
        endpoints.push_back({std::string(runtime_dir) + "/pdmd.sock", "per-user"});
    endpoints.push_back({"/run/pdmd/pdmd.sock", "system"});
    return endpoints;
}

std::string describe_connect_failure(const std::string& path, const boost::system::error_code& error) {
    namespace errc = boost::system::errc;
    if (error == errc::no_such_file_or_directory) return "no socket there";
    if (error == errc::connection_refused) return "nothing answers there (a daemon that stopped left its socket)";
    if (error == asio::error::name_too_long) return "the path is too long for a socket";
    if (error != errc::permission_denied) return error.message();
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) return "permission denied (its folder may not be entered)";
    std::string owners = std::to_string(status.st_gid);
    if (const struct group* entry = ::getgrgid(status.st_gid)) owners = entry->gr_name;
    std::string user = "$USER";
    if (const struct passwd* me = ::getpwuid(::geteuid())) user = me->pw_name;
    return "permission denied: only members of group " + owners + " may use it; an administrator adds you with: "
           "sudo usermod -a -G " + owners + " " + user + " (then log in again)";
}

std::string default_endpoint_path() {
    if (::geteuid() == 0) return "/run/pdmd/pdmd.sock";
    const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime_dir || !*runtime_dir) return {};
    return std::string(runtime_dir) + "/pdmd.sock";
}

}  // namespace pdm::ipc

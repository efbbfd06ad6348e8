// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where clients reach the daemon, behind one narrow interface with one file per
// platform (local_endpoint_posix.cpp: a Unix domain socket; Windows: a named pipe).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "ipc/endpoint.hpp"
#include "ipc/local_stream.hpp"

namespace pdm::ipc {

struct ListenOptions {
    std::string path;
    unsigned mode = 0660;  // who may connect, as file permission bits (a socket)
    // Who may connect to a pipe: the members of this group (or this account);
    // empty: everyone logged on interactively.
    std::string users;
};

// The listening endpoint. open() never takes over an endpoint a live daemon
// answers on; it replaces a stale one (left by a crash) after proving that
// nothing answers there.
class LocalListener {
public:
    using AcceptHandler = std::function<void(const boost::system::error_code&, LocalStream)>;

    virtual ~LocalListener() = default;

    // Throws std::runtime_error with a sentence a person can act on.
    static std::unique_ptr<LocalListener> open(boost::asio::io_context& io, const ListenOptions& options);
    // Serves on a listening endpoint handed over by the service manager
    // (socket activation); close() leaves its file to the manager.
    static std::unique_ptr<LocalListener> adopt(boost::asio::io_context& io, std::intptr_t native_handle);

    virtual void async_accept(AcceptHandler handler) = 0;
    // The connections clients have made that no accept has taken yet, taken
    // now without waiting: at a stop, so that they are answered rather than
    // reset. A pipe has none (a client finds no free instance and waits).
    virtual std::vector<LocalStream> accept_waiting() = 0;
    // Stops accepting and removes the endpoint from the file system.
    virtual void close() = 0;
    virtual const std::string& path() const = 0;
};

// True when the client on the other end has closed its end, even if the
// daemon has not read up to that point yet.
bool peer_has_hung_up(LocalStream& stream);

// What the endpoint is called where people name it: the flag of pdmd,
// pdmctl and pdm-tray, the environment variable clients read, the word.
struct EndpointNaming {
    const char* flag;         // "--socket" / "--pipe"
    const char* environment;  // "PDMD_SOCKET" / "PDMD_PIPE"
    const char* noun;         // "socket" / "pipe"
    const char* value;        // what the flag takes: "PATH" / "NAME"
    const char* listen_help;  // pdmd's help for the flag
    bool has_mode;            // permission bits apply (--socket-mode)
};
const EndpointNaming& endpoint_naming();

// Makes a read or write that blocks on `stream` in another thread return at
// once (the stream is of no further use). Safe to call from any thread.
void interrupt_local(LocalStream& stream);

#if defined(_WIN32)
// How many bytes the client has written into `pipe` that a read would return
// at once (0 when none, or when the pipe has broken).
std::size_t bytes_waiting(LocalStream& pipe);
#endif

// Connects to the daemon's endpoint. Throws boost::system::system_error.
LocalStream connect_local(boost::asio::io_context& io, const std::string& path);

// The endpoint a daemon serves when none is configured: /run/pdmd/pdmd.sock
// for the superuser, $XDG_RUNTIME_DIR/pdmd.sock for everyone else (empty when
// that variable is unset).
std::string default_endpoint_path();

// Where clients look for a daemon when told nothing, in order: the per-user
// daemon's socket (when $XDG_RUNTIME_DIR is set), then the system daemon's.
std::vector<Endpoint> default_endpoints();

// Why connecting to `path` failed, in words a person can act on: no socket
// there, nothing answers, or permission denied naming the group that owns
// the socket and the command that adds the user to it.
std::string describe_connect_failure(const std::string& path, const boost::system::error_code& error);

}  // namespace pdm::ipc

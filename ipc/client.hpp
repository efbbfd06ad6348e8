// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one client library: pdmctl, the tray, the tests and the benchmarks all
// talk to pdmd through it. Blocking calls on a connection of its own.

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ipc/endpoint.hpp"

namespace pdm::ipc {

// The daemon could not be reached (no socket, refused, permission denied).
class ConnectError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The connection broke, or the daemon sent something that is not a reply.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The one endpoint lookup of every client (pdmctl, pdm-tray): `given` (a
// --socket flag) when not empty, else $PDMD_SOCKET, else the per-user
// daemon's socket when a daemon answers there, else the system daemon's.
// Throws ConnectError listing every place tried and why each failed
// (missing, refused, permission denied with the group that would let the
// user in).
Endpoint locate_daemon(const std::string& given = "");

class Client {
public:
    // Throws ConnectError with the path and the reason.
    explicit Client(const std::string& socket_path);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends {"op": op, "id": <n>, ...params} and returns the whole reply object
    // ({"id", "ok", "result"} or {"id", "ok": false, "error"}).
    nlohmann::json call(const std::string& op, nlohmann::json params = nlohmann::json::object());

    // For an op whose reply streams content (cat): calls `on_data` with each
    // decoded piece, in order, as it arrives, and returns the reply. A refusal
    // is returned as it is; an error that ends the stream early is returned
    // as an {"ok": false} reply after the pieces before it. On success the
    // result gains "bytes", the count received.
    nlohmann::json call_streamed(const std::string& op, nlohmann::json params,
                                 const std::function<void(std::string_view piece)>& on_data);

    // Raw access for tests and scripts that pipeline or send malformed input.
    void send_raw(std::string_view bytes);
    // The next line without its '\n'. Throws ProtocolError at end of stream.
    std::string read_line();
    // True when the daemon has closed the connection (reads end-of-file).
    bool at_end();

    // Shuts the connection down, so that a read_line() blocked on another
    // thread returns (throwing ProtocolError). The one call that may be made
    // from another thread.
    void interrupt();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint64_t next_id_ = 1;
};

}  // namespace pdm::ipc

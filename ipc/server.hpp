// SPDX-License-Identifier: Apache-2.0
#pragma once
// Accepts local connections and runs one Session per connection on the
// caller's io_context. Sessions turn bytes into lines and lines into calls of a
// RequestHandler, and write the replies back in request order. Everything runs
// on the io_context's single thread.

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ipc/commit_gate.hpp"
#include "ipc/connection.hpp"
#include "ipc/local_endpoint.hpp"
#include "ipc/peer_identity.hpp"
#include "ipc/reply.hpp"

namespace pdm::ipc {

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    // The reply to one request line. `connection` may be kept (as a weak_ptr)
    // to push events to it later.
    virtual Reply handle(const std::shared_ptr<Connection>& connection, std::string_view line) = 0;
    // A connection was accepted, or has closed: for who is online and for
    // dropping its subscriptions.
    virtual void opened(const std::shared_ptr<Connection>&) {}
    virtual void closed(const Connection&) {}
    // The reply sent before closing a connection whose line exceeded the limit.
    virtual std::string line_too_long(const PeerIdentity& peer, std::size_t limit) = 0;
    // The reply sent before closing a connection that left a line unfinished
    // for longer than the limit.
    virtual std::string line_timed_out(const PeerIdentity& peer, std::chrono::milliseconds limit) = 0;
    // The reply sent before closing a connection refused at accept.
    virtual std::string connection_refused(const std::string& reason) = 0;
};

struct ServerLimits {
    std::size_t max_line_bytes = 1024 * 1024;
    std::size_t max_connections = 4096;
    // Connections of one user at once (root's are not counted): one account
    // cannot take every slot from the others.
    std::size_t max_connections_per_user = 64;
    // A client that stops reading its replies is not read from either once this
    // much output is waiting for it, so no client can grow the daemon's memory.
    std::size_t max_pending_output = 4 * 1024 * 1024;
    // Longest a client may take over one request line once it has begun it
    // (from its first byte, or from the last line it finished): a client that
    // trickles a line a byte at a time cannot hold a connection slot for ever.
    // A connection with no unfinished line may stay idle as long as it likes.
    std::chrono::milliseconds line_timeout{30000};
};

class Session;

// The live sessions. Shared by the server and every session, so a session that
// outlives the server (its last handler still queued) can still deregister.
// Also the buffer they read into: a session reads only once its socket is
// readable, and the event loop runs one read at a time, so ten thousand idle
// connections cost no read buffer each.
class SessionRegistry {
public:
    std::span<char> read_buffer() { return read_buffer_; }
    void add(const std::shared_ptr<Session>& session, std::uint32_t uid);
    void remove(Session* session);
    std::size_t size() const { return sessions_.size(); }
    // Live sessions of one user.
    std::size_t count_of(std::uint32_t uid) const;
    std::uint64_t allocate_id() { return next_id_++; }
    void stop_all();
    void abort_all();

private:
    std::array<char, 64 * 1024> read_buffer_{};
    std::unordered_map<Session*, std::uint32_t> sessions_;  // -> its peer's uid
    std::unordered_map<std::uint32_t, std::size_t> per_user_;
    std::uint64_t next_id_ = 1;
};

class Server {
public:
    Server(boost::asio::io_context& io, std::unique_ptr<LocalListener> listener,
           RequestHandler& handler, CommitGate& commits, ServerLimits limits);
    ~Server();

    void start();
    // Stops accepting and removes the endpoint; lets every session answer the
    // requests it has already received, then closes it.
    void stop();
    // Closes every connection at once: the end of a shutdown grace period.
    void abort_connections();
    std::size_t connection_count() const { return registry_->size(); }

private:
    void accept_next();
    // Identifies the client, then refuses it with a reason or starts its
    // session; returns the session started, if any.
    std::shared_ptr<Session> serve(LocalStream stream);
    // Why a new connection is turned away; empty when it is welcome.
    std::string refusal_for(const PeerIdentity& peer) const;

    std::unique_ptr<LocalListener> listener_;
    RequestHandler& handler_;
    CommitGate& commits_;
    ServerLimits limits_;
    std::shared_ptr<SessionRegistry> registry_;
    boost::asio::steady_timer retry_timer_;
    bool stopped_ = false;
};

}  // namespace pdm::ipc

// SPDX-License-Identifier: Apache-2.0
#pragma once
// One client connection: its stream, its read buffer and its queue of replies.
// Requests are handled one line at a time, in order, so pipelined requests get
// their replies in the order they were sent. A reply that waits for a commit,
// or for parts still to come, holds back the replies queued after it.

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "ipc/line_reader.hpp"
#include "ipc/server.hpp"

namespace pdm::ipc {

class Session final : public Connection, public std::enable_shared_from_this<Session> {
public:
    Session(LocalStream stream, PeerIdentity peer, RequestHandler& handler, CommitGate& commits,
            ServerLimits limits, std::shared_ptr<SessionRegistry> registry);
    ~Session() override;

    const PeerIdentity& peer() const override { return peer_; }
    std::uint64_t id() const override { return id_; }
    bool push(std::string line, const std::string& final_line) override;
    bool gone() override { return peer_has_hung_up(stream_); }

    void start();
    // Sends one reply and closes: used to turn a connection away.
    void refuse(std::string reply);
    // Reads what the client already sent, answers it, then closes.
    void stop();
    // Closes at once, dropping unsent replies: for a client that will not read.
    void abort();
    // Every batch up to `batch` has been committed, or failed with `failure`;
    // replies waiting for a failed batch become `internal` errors.
    void on_commit(std::uint64_t batch, const std::optional<std::string>& failure);

private:
    struct QueuedReply {
        Reply reply;
        std::uint64_t batch = 0;  // the commit it waits for; 0: none
        std::uint64_t token = 0;  // names it to the parts of a pending reply
        bool asked = false;       // a part of the pending reply is on its way
    };

    void read_more();
#if !defined(_WIN32)
    void on_readable(const boost::system::error_code& error);
#endif
    void on_read(const boost::system::error_code& error, std::string_view received);
#if defined(_WIN32)
    // Stopping: handles what the client had already sent, then reads no more
    // (a socket's shutdown of its receive side, for a pipe).
    void finish_input();
#endif
    void handle_buffered_lines();
    Reply handle_line(std::string_view line);
    void queue_reply(Reply reply);
    void ask_next_part(QueuedReply& queued);
    void on_part(std::uint64_t token, ReplyPart part);
    void resume_input();  // after a pause: handle waiting lines, write, read on
    void write_more();
    void on_written(const boost::system::error_code& error);
    void close_when_done();
    // The deadline for the client to finish the line it has begun; it runs
    // only while pdmd waits for input, and restarts after each finished line.
    void start_line_deadline();
    void stop_line_deadline();
    void on_line_timeout();
    void close_stream();

    LocalStream stream_;
    PeerIdentity peer_;
    std::uint64_t id_;
    bool opened_ = false;  // the handler was told of it, and must hear of its end
    RequestHandler& handler_;
    CommitGate& commits_;
    const ServerLimits limits_;  // a copy: a session may outlive the server
    std::shared_ptr<SessionRegistry> registry_;
    LineReader reader_;
#if defined(_WIN32)
    // A pipe is read by an overlapped read that needs its own buffer while it
    // waits; a socket waits until readable, then reads into the registry's.
    // Small, since every idle connection holds one: request lines are mostly
    // far shorter, and a longer one just takes more reads.
    std::array<char, 4 * 1024> read_buffer_{};
#endif
    std::deque<QueuedReply> replies_;     // not yet being written, in request order
    std::vector<std::string> in_flight_;  // being written now
    boost::asio::steady_timer overflow_deadline_;
    boost::asio::steady_timer line_deadline_;
    bool line_deadline_armed_ = false;
    std::size_t pending_output_ = 0;
    std::uint64_t next_token_ = 1;
    // The request whose result is still being worked out elsewhere (the
    // history thread); 0: none. Later lines wait for it, so that a
    // connection's requests take effect in the order they were sent.
    std::uint64_t unfinished_token_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool input_done_ = false;    // end of input, an error, or a line too long
    bool framing_lost_ = false;  // a line was too long, or events overflowed: no more input is read
    bool stopping_ = false;
};

}  // namespace pdm::ipc

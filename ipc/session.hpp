#pragma once
// One client connection: its stream, its read buffer and its queue of replies.
// Requests are handled one line at a time, in order, so pipelined requests get
// their replies in the order they were sent.

#include <array>
#include <vector>
#include <memory>
#include <string>

#include "ipc/line_reader.hpp"
#include "ipc/server.hpp"

namespace pdm::ipc {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(LocalStream stream, PeerIdentity peer, RequestHandler& handler, const ServerLimits& limits,
            std::shared_ptr<SessionRegistry> registry);
    ~Session();

    void start();
    // Sends one reply and closes: used to turn a connection away.
    void refuse(std::string reply);
    // Reads what the client already sent, answers it, then closes.
    void stop();
    // Closes at once, dropping unsent replies: for a client that will not read.
    void abort();

private:
    void read_more();
    void on_read(const boost::system::error_code& error, std::size_t bytes);
    void handle_buffered_lines();
    void queue_reply(std::string reply);
    void write_more();
    void on_written(const boost::system::error_code& error);
    void close_when_done();

    LocalStream stream_;
    PeerIdentity peer_;
    RequestHandler& handler_;
    const ServerLimits& limits_;
    std::shared_ptr<SessionRegistry> registry_;
    LineReader reader_;
    std::array<char, 16 * 1024> read_buffer_{};
    std::vector<std::string> replies_;    // queued, not yet being written
    std::vector<std::string> in_flight_;  // being written now
    std::size_t pending_output_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool input_done_ = false;  // end of input, an error, or a line too long
    bool stopping_ = false;
};

}  // namespace pdm::ipc

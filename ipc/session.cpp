#include "ipc/session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace pdm::ipc {

namespace asio = boost::asio;

Session::Session(LocalStream stream, PeerIdentity peer, RequestHandler& handler,
                 const ServerLimits& limits, std::shared_ptr<SessionRegistry> registry)
    : stream_(std::move(stream)),
      peer_(std::move(peer)),
      handler_(handler),
      limits_(limits),
      registry_(std::move(registry)),
      reader_(limits.max_line_bytes) {}

Session::~Session() { registry_->remove(this); }

void Session::start() {
    registry_->add(shared_from_this());
    read_more();
}

void Session::refuse(std::string reply) {
    registry_->add(shared_from_this());
    input_done_ = true;
    queue_reply(std::move(reply));
}

void Session::stop() {
    if (stopping_) return;
    stopping_ = true;
    // Shutting down the receive side makes the pending read finish with what
    // the client already sent and then end-of-file; the client's further
    // writes fail. Replies still go out.
    boost::system::error_code ignored;
#if !defined(_WIN32)
    stream_.shutdown(LocalStream::shutdown_receive, ignored);
#endif
    if (!reading_) {
        input_done_ = true;
        close_when_done();
    }
}

void Session::read_more() {
    if (reading_ || input_done_ || pending_output_ > limits_.max_pending_output) return;
    reading_ = true;
    stream_.async_read_some(asio::buffer(read_buffer_),
                            [self = shared_from_this()](const boost::system::error_code& error,
                                                        std::size_t bytes) { self->on_read(error, bytes); });
}

void Session::on_read(const boost::system::error_code& error, std::size_t bytes) {
    reading_ = false;
    if (bytes > 0) {
        reader_.append(std::string_view(read_buffer_.data(), bytes));
        handle_buffered_lines();
    }
    if (error) input_done_ = true;
    if (input_done_) {
        close_when_done();
        return;
    }
    read_more();
}

void Session::handle_buffered_lines() {
    std::string line;
    for (;;) {
        switch (reader_.next(line)) {
            case LineReader::Status::need_more:
                return;
            case LineReader::Status::too_long:
                input_done_ = true;
                queue_reply(handler_.line_too_long(peer_, limits_.max_line_bytes));
                return;
            case LineReader::Status::line:
                if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
                queue_reply(handler_.handle(peer_, line));
                break;
        }
    }
}

void Session::queue_reply(std::string reply) {
    pending_output_ += reply.size();
    replies_.push_back(std::move(reply));
    write_more();
}

void Session::write_more() {
    if (writing_ || replies_.empty()) return;
    writing_ = true;
    // Everything queued goes out in one gathered write: a pipelining client
    // gets its replies in as few system calls as possible.
    in_flight_.swap(replies_);
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(in_flight_.size());
    for (const std::string& reply : in_flight_) buffers.push_back(asio::buffer(reply));
    asio::async_write(stream_, buffers,
                      [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                          self->on_written(error);
                      });
}

void Session::on_written(const boost::system::error_code& error) {
    writing_ = false;
    for (const std::string& reply : in_flight_) pending_output_ -= reply.size();
    in_flight_.clear();
    if (error) {
        // The client is gone: nothing more can reach it.
        replies_.clear();
        pending_output_ = 0;
        input_done_ = true;
        abort();
        return;
    }
    write_more();
    if (input_done_) {
        close_when_done();
    } else {
        read_more();
    }
}

void Session::abort() {
    boost::system::error_code ignored;
    stream_.close(ignored);
}

void Session::close_when_done() {
    if (writing_ || !replies_.empty() || reading_) return;
    boost::system::error_code ignored;
    stream_.close(ignored);
}

}  // namespace pdm::ipc

// SPDX-License-Identifier: Apache-2.0
#include "ipc/session.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "ipc/protocol.hpp"

namespace pdm::ipc {

namespace asio = boost::asio;

Session::Session(LocalStream stream, PeerIdentity peer, RequestHandler& handler, CommitGate& commits,
                 ServerLimits limits, std::shared_ptr<SessionRegistry> registry)
    : stream_(std::move(stream)),
      peer_(std::move(peer)),
      id_(registry->allocate_id()),
      handler_(handler),
      commits_(commits),
      limits_(limits),
      registry_(std::move(registry)),
      reader_(limits.max_line_bytes),
      overflow_deadline_(stream_.get_executor()),
      line_deadline_(stream_.get_executor()) {}

Session::~Session() { registry_->remove(this); }

void Session::close_stream() {
    boost::system::error_code ignored;
    stream_.close(ignored);
    overflow_deadline_.cancel();
    line_deadline_.cancel();
    // Told here, on the event loop, not in the destructor: a session may be
    // destroyed with the io_context, after the handler is gone.
    if (opened_) {
        opened_ = false;
        handler_.closed(*this);
    }
}

void Session::start() {
#if !defined(_WIN32)
    boost::system::error_code ignored;
    stream_.non_blocking(true, ignored);
#endif
    registry_->add(shared_from_this(), peer_.uid);
    opened_ = true;
    handler_.opened(shared_from_this());
    read_more();
}

bool Session::push(std::string line, const std::string& final_line) {
    if (!stream_.is_open() || framing_lost_) return false;
    if (pending_output_ + line.size() > limits_.max_pending_output) {
        // The client stopped reading: one last line, then it is cut off, so
        // that it cannot hold the daemon's memory. If even that line cannot be
        // delivered within a minute, the connection is closed regardless.
        framing_lost_ = true;
        input_done_ = true;
        for (const QueuedReply& queued : replies_) pending_output_ -= queued.reply.text.size();
        replies_.clear();
        queue_reply(Reply::now(final_line));
        boost::system::error_code ignored;
#if !defined(_WIN32)
        stream_.shutdown(LocalStream::shutdown_receive, ignored);
#endif
        overflow_deadline_.expires_after(std::chrono::seconds(60));
        overflow_deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
            if (!error) self->abort();
        });
        return false;
    }
    queue_reply(Reply::now(std::move(line)));
    return true;
}

void Session::refuse(std::string reply) {
    registry_->add(shared_from_this(), peer_.uid);
    input_done_ = true;
    queue_reply(Reply::now(std::move(reply)));
}

void Session::stop() {
    if (stopping_) return;
    stopping_ = true;
    // Shutting down the receive side makes the pending read finish with what
    // the client already sent and then end-of-file; the client's further
    // writes fail. Replies still go out.
    boost::system::error_code ignored;
#if defined(_WIN32)
    // A pipe has no shutdown: the read under way ends (operation_aborted),
    // and finish_input() takes what was already sent. A cancel ends every
    // operation on the handle, so while a reply is being written it waits
    // for on_written.
    if (reading_ && !writing_) stream_.cancel(ignored);
#else
    stream_.shutdown(LocalStream::shutdown_receive, ignored);
#endif
    if (!reading_) {
        input_done_ = true;
        close_when_done();
    }
}

void Session::abort() {
    input_done_ = true;
    unfinished_token_ = 0;
    for (const QueuedReply& queued : replies_) pending_output_ -= queued.reply.text.size();
    replies_.clear();
    close_stream();
}

void Session::read_more() {
    if (reading_ || input_done_) return;
    if (unfinished_token_ != 0 || pending_output_ > limits_.max_pending_output) {
        // pdmd is not reading: whatever is unfinished is not the client's delay.
        stop_line_deadline();
        return;
    }
    // Every whole line received has been handled: bytes left over are an
    // unfinished line, and the client's time to finish it runs while pdmd waits.
    if (reader_.buffered() > 0 && !line_deadline_armed_) start_line_deadline();
#if defined(_WIN32)
    if (stopping_) return finish_input();
    reading_ = true;
    stream_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](
                                                            const boost::system::error_code& error, std::size_t bytes) {
        self->on_read(error, std::string_view(self->read_buffer_.data(), bytes));
    });
#else
    reading_ = true;
    stream_.async_wait(LocalStream::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& error) { self->on_readable(error); });
#endif
}

#if !defined(_WIN32)
void Session::on_readable(const boost::system::error_code& error) {
    if (error) return on_read(error, {});
    // The socket was made non-blocking at start: this read takes what is there.
    boost::system::error_code read_error;
    const std::span<char> buffer = registry_->read_buffer();
    const std::size_t bytes = stream_.read_some(asio::buffer(buffer.data(), buffer.size()), read_error);
    if (read_error == asio::error::would_block) {
        reading_ = false;  // woken with nothing to read: wait again
        return read_more();
    }
    on_read(read_error, std::string_view(buffer.data(), bytes));
}
#endif

#if defined(_WIN32)
void Session::finish_input() {
    // Only what had arrived when asked: a client that keeps writing cannot
    // keep this loop, and the event loop, going.
    std::size_t left = bytes_waiting(stream_);
    while (left > 0 && stream_.is_open()) {
        boost::system::error_code error;
        const std::size_t bytes = stream_.read_some(asio::buffer(read_buffer_.data(), std::min(left, read_buffer_.size())), error);
        if (error || bytes == 0) break;
        left -= bytes;
        reader_.append(std::string_view(read_buffer_.data(), bytes));
        handle_buffered_lines();
    }
    input_done_ = true;
    close_when_done();
}
#endif

void Session::on_read(const boost::system::error_code& error, std::string_view received) {
    reading_ = false;
    if (!received.empty() && stream_.is_open()) {
        reader_.append(received);
        // A line finished is progress: the next one's time starts when pdmd next waits.
        if (received.find('\n') != std::string_view::npos) stop_line_deadline();
        handle_buffered_lines();
    }
#if defined(_WIN32)
    if (error == asio::error::operation_aborted && stopping_) return finish_input();
#endif
    if (error) input_done_ = true;
    if (input_done_) {
        close_when_done();
        return;
    }
    read_more();
}

void Session::handle_buffered_lines() {
    std::string line;
    // Stop while the client has not read enough of its replies (on_written
    // picks up from here) or while a request's result is still to come
    // (resume_input does). Lines already received wait in the reader.
    while (!framing_lost_ && unfinished_token_ == 0 && pending_output_ <= limits_.max_pending_output &&
           stream_.is_open()) {
        switch (reader_.next(line)) {
            case LineReader::Status::need_more:
                return;
            case LineReader::Status::too_long:
                input_done_ = true;
                framing_lost_ = true;
                queue_reply(Reply::now(handler_.line_too_long(peer_, limits_.max_line_bytes)));
                return;
            case LineReader::Status::line:
                if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
                queue_reply(handle_line(line));
                break;
        }
    }
}

Reply Session::handle_line(std::string_view line) {
    try {
        return handler_.handle(shared_from_this(), line);
    } catch (const std::exception& error) {
        // The handler maps every expected failure itself; this is the last
        // guard that keeps one request (out of memory, say) from ending the daemon.
        return Reply::now(encode_error(nullptr, PdmError(ErrorCode::internal, error.what())));
    }
}

void Session::queue_reply(Reply reply) {
    pending_output_ += reply.text.size();
    const std::uint64_t batch = reply.after_commit ? commits_.wait(shared_from_this()) : 0;
    replies_.push_back({std::move(reply), batch, next_token_++});
    // The first part is asked for at once, so the work behind it starts
    // while earlier replies are still queued.
    if (replies_.back().reply.pending) {
        unfinished_token_ = replies_.back().token;
        ask_next_part(replies_.back());
    }
    write_more();
}

void Session::ask_next_part(QueuedReply& queued) {
    queued.asked = true;
    // The part keeps the session alive: nothing else may be pending on it.
    queued.reply.pending->next(
        [self = shared_from_this(), token = queued.token](ReplyPart part) { self->on_part(token, std::move(part)); });
}

void Session::on_part(std::uint64_t token, ReplyPart part) {
    const auto queued = std::find_if(replies_.begin(), replies_.end(),
                                     [token](const QueuedReply& entry) { return entry.token == token; });
    if (queued == replies_.end()) return;  // dropped: the connection was cut off
    if (token == unfinished_token_) {
        // Its first part is its result: the requests after it may run now.
        // Posted, so that lines are never handled inside a reply's delivery.
        unfinished_token_ = 0;
        asio::post(stream_.get_executor(), [self = shared_from_this()] { self->resume_input(); });
    }
    queued->asked = false;
    pending_output_ += part.text.size();
    queued->reply.text += part.text;
    if (part.after_commit) queued->batch = commits_.wait(shared_from_this());
    if (part.last) queued->reply.pending.reset();
    write_more();
    if (input_done_) close_when_done();
}

void Session::resume_input() {
    handle_buffered_lines();
    write_more();
    if (input_done_) {
        close_when_done();
    } else {
        read_more();
    }
}

void Session::on_commit(std::uint64_t batch, const std::optional<std::string>& failure) {
    for (QueuedReply& queued : replies_) {
        if (queued.batch == 0 || queued.batch > batch) continue;
        queued.batch = 0;
        if (failure) {
            pending_output_ -= queued.reply.text.size();
            queued.reply.text = encode_error(queued.reply.id, PdmError(ErrorCode::internal, *failure));
            pending_output_ += queued.reply.text.size();
        }
    }
    write_more();
    if (input_done_) close_when_done();
}

void Session::write_more() {
    if (writing_ || !stream_.is_open()) return;
    // Everything ready at the front of the queue goes out in one gathered
    // write: a pipelining client gets its replies in few system calls.
    while (!replies_.empty() && replies_.front().batch == 0) {
        QueuedReply& front = replies_.front();
        if (!front.reply.text.empty()) in_flight_.push_back(std::exchange(front.reply.text, {}));
        if (!front.reply.pending) {
            replies_.pop_front();
            continue;
        }
        // Parts still to come hold back what follows. The next one is asked
        // for only once the client has taken everything before it.
        if (in_flight_.empty() && !front.asked) ask_next_part(front);
        break;
    }
    if (in_flight_.empty()) return;
    writing_ = true;
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(in_flight_.size());
    for (const std::string& text : in_flight_) buffers.push_back(asio::buffer(text));
    asio::async_write(stream_, buffers,
                      [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                          self->on_written(error);
                      });
}

void Session::on_written(const boost::system::error_code& error) {
    writing_ = false;
    for (const std::string& text : in_flight_) pending_output_ -= text.size();
    in_flight_.clear();
    if (error) {
        abort();  // the client is gone: nothing more can reach it
        return;
    }
#if defined(_WIN32)
    if (stopping_ && reading_) {
        boost::system::error_code ignored;
        stream_.cancel(ignored);  // the cancel stop() left for now
    }
#endif
    resume_input();
}

void Session::start_line_deadline() {
    line_deadline_armed_ = true;
    line_deadline_.expires_after(limits_.line_timeout);
    line_deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
        if (error) return;
        if (const auto self = weak.lock()) self->on_line_timeout();
    });
}

void Session::stop_line_deadline() {
    if (!line_deadline_armed_) return;
    line_deadline_armed_ = false;
    line_deadline_.cancel();
}

void Session::on_line_timeout() {
    // A completion already queued when the deadline was stopped or moved on
    // (progress came in the same turn of the loop) is not a timeout.
    if (!line_deadline_armed_ || line_deadline_.expiry() > std::chrono::steady_clock::now()) return;
    line_deadline_armed_ = false;
    if (!stream_.is_open() || framing_lost_ || input_done_) return;
    // Like a line too long: the rest of the stream has no framing left to trust.
    input_done_ = true;
    framing_lost_ = true;
    // The pending read must end for the connection to close: on a socket,
    // shutting down the receive side ends it and leaves replies free to go
    // out; a pipe has no such half-close, so its read is cancelled once the
    // last reply is out (end_read_of_lost_framing).
#if !defined(_WIN32)
    boost::system::error_code ignored;
    stream_.shutdown(LocalStream::shutdown_receive, ignored);
#endif
    queue_reply(Reply::now(handler_.line_timed_out(peer_, limits_.line_timeout)));
    close_when_done();
}

void Session::close_when_done() {
#if defined(_WIN32)
    // A pipe cannot be half-closed: once a connection whose framing is lost has
    // had its last reply, its pending read is cancelled so that it can close.
    // Never while a write is in progress: cancelling would cancel that too.
    if (framing_lost_ && reading_ && !writing_ && replies_.empty()) {
        boost::system::error_code ignored;
        stream_.cancel(ignored);
    }
#endif
    if (writing_ || !replies_.empty() || reading_) return;
    // Lines still to answer after a pause; none once the framing is lost.
    if (stream_.is_open() && !framing_lost_ && reader_.has_line()) return;
    close_stream();
}

}  // namespace pdm::ipc

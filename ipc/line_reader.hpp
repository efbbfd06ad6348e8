// SPDX-License-Identifier: Apache-2.0
#pragma once
// Splits a byte stream into protocol lines ('\n'-terminated, "\r\n" accepted)
// and refuses any line longer than a limit before buffering more of it.

#include <cstddef>
#include <string>
#include <string_view>

namespace pdm::ipc {

class LineReader {
public:
    explicit LineReader(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

    void append(std::string_view bytes) { buffer_.append(bytes); }

    enum class Status { line, need_more, too_long };

    // On Status::line, `line` holds the next line without its terminator. Once a
    // line is too long the reader stays in that state: the stream has lost its
    // framing and the connection must be closed.
    Status next(std::string& line);

    // True when a complete line is waiting to be taken (never after a line was too long).
    bool has_line() const { return !too_long_ && buffer_.find('\n', start_) != std::string::npos; }

    // Bytes received but not yet returned as lines.
    std::size_t buffered() const { return buffer_.size() - start_; }

private:
    std::string buffer_;
    std::size_t start_ = 0;    // where the next line begins
    std::size_t scanned_ = 0;  // bytes from start_ already known to hold no '\n'
    std::size_t max_line_bytes_;
    bool too_long_ = false;
};

}  // namespace pdm::ipc

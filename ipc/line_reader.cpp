// SPDX-License-Identifier: Apache-2.0
#include "ipc/line_reader.hpp"

namespace pdm::ipc {

LineReader::Status LineReader::next(std::string& line) {
    if (too_long_) return Status::too_long;
    const std::size_t newline = buffer_.find('\n', start_ + scanned_);
    if (newline == std::string::npos) {
        scanned_ = buffer_.size() - start_;
        if (scanned_ > max_line_bytes_) too_long_ = true;
        return too_long_ ? Status::too_long : Status::need_more;
    }
    std::size_t end = newline;
    if (end > start_ && buffer_[end - 1] == '\r') --end;
    if (end - start_ > max_line_bytes_) {
        too_long_ = true;
        return Status::too_long;
    }
    line.assign(buffer_, start_, end - start_);
    start_ = newline + 1;
    scanned_ = 0;
    // Drop consumed bytes once they are the larger part, so pipelined input
    // costs amortised constant work per byte.
    if (start_ >= buffer_.size() / 2) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    return Status::line;
}

}  // namespace pdm::ipc

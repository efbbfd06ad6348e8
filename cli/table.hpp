// SPDX-License-Identifier: Apache-2.0
#pragma once
// Plain-text tables for people: columns padded to their widest cell.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pdm::cli {

// Text other users wrote (messages, file names), made safe for a terminal:
// control characters, escape sequences among them, are shown as \xNN (C1
// controls as \u0080..\u009f) instead of reaching the reader's terminal.
std::string printable(std::string_view text);

class Table {
public:
    explicit Table(std::vector<std::string> headings) : rows_{std::move(headings)} {}
    // Every cell is shown printable().
    void add(std::vector<std::string> row);
    bool empty() const { return rows_.size() == 1; }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

// "512 B", "12.4 KiB", "3.0 MiB".
std::string human_size(std::uint64_t bytes);

}  // namespace pdm::cli

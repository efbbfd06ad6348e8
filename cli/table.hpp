#pragma once
// Plain-text tables for people: columns padded to their widest cell.

#include <ostream>
#include <string>
#include <vector>

namespace pdm::cli {

class Table {
public:
    explicit Table(std::vector<std::string> headings) : rows_{std::move(headings)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    bool empty() const { return rows_.size() == 1; }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

// "512 B", "12.4 KiB", "3.0 MiB".
std::string human_size(std::uint64_t bytes);

}  // namespace pdm::cli

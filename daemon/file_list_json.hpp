// SPDX-License-Identifier: Apache-2.0
#pragma once
// The list reply's result, {"files": [...]}, written straight to JSON text:
// a repository of 100,000 files costs its 10 MB of text, not a document of
// half a million JSON values built first. Byte for byte what serialising
// file_json() of each entry gives.

#include <string>
#include <vector>

#include "core/file_service.hpp"

namespace pdm::daemon {

class FileListJson {
public:
    explicit FileListJson(std::size_t files_expected);
    void add(const FileStat& file, const Lock* lock, bool missing);
    std::string finish() &&;

private:
    std::string text_;
    bool first_ = true;
};

// The whole result for `entries` at once.
std::string file_list_json(const std::vector<FileEntry>& entries);

}  // namespace pdm::daemon

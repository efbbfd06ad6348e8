// SPDX-License-Identifier: Apache-2.0
#pragma once
// A fresh folder per test, removed afterwards: the one temp-dir helper every
// test uses.

#include <filesystem>
#include <string>

#include "core/utf8_path.hpp"

namespace pdm::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // `relative` is UTF-8, as the tests' names are.
    std::filesystem::path operator/(const std::string& relative) const { return path_ / path_from_utf8(relative); }

    // Creates a file (and its folders) holding `contents`.
    std::filesystem::path write(const std::string& relative, const std::string& contents = "data") const;

private:
    std::filesystem::path path_;
};

std::string read_text(const std::filesystem::path& file);

}  // namespace pdm::test

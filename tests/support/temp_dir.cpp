// SPDX-License-Identifier: Apache-2.0
#include "tests/support/temp_dir.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace pdm::test {

TempDir::TempDir() {
    // create_directory is false when the name is taken: a fresh one is ours alone.
    static thread_local std::mt19937_64 random{std::random_device{}()};
    for (int attempt = 0; attempt < 100; ++attempt) {
        const fs::path candidate = fs::temp_directory_path() / ("pdm-test-" + std::to_string(random() % 1000000000));
        if (fs::create_directory(candidate)) {
            fs::permissions(candidate, fs::perms::owner_all, fs::perm_options::replace);
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temp dir in " + fs::temp_directory_path().string());
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    std::error_code failed;
    fs::remove_all(path_, failed);
    if (!failed) return;
    // A read-only file stops the removal on Windows (pdmd keeps every file
    // nobody has checked out so, there with an attribute), as a read-only
    // folder does everywhere: everything is made writable, then removed again.
    std::error_code walking;
    for (fs::recursive_directory_iterator it(path_, fs::directory_options::skip_permission_denied, walking), end;
         !walking && it != end; it.increment(walking)) {
        if (!it->is_symlink(ignored)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
    fs::remove_all(path_, ignored);
}

fs::path TempDir::write(const std::string& relative, const std::string& contents) const {
    const fs::path file = *this / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << contents;
    return file;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace pdm::test

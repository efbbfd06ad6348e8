// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every pdm-bench scenario starts with: pdmd on `dir`/repo, answering
// on `dir`/pdmd.sock, and the file names of a generated repository.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace pdm::bench {

// Starts `pdmd` and returns once it answers hello; throws with its stderr otherwise.
std::unique_ptr<test::ChildProcess> start_pdmd(const std::string& pdmd, const std::filesystem::path& dir,
                                               const std::vector<std::string>& extra = {});

// parts/dNNN/PNnnnnn.mcam: 100 files per folder.
std::string file_name(int index);

// A connected Unix socket (a file descriptor the caller closes); throws std::system_error.
int connect_unix_socket(const std::string& path);

}  // namespace pdm::bench

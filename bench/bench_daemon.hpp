// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every pdm-bench scenario starts with: pdmd on `dir`/repo, answering
// on `dir`/pdmd.sock, and the file names of a generated repository.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
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

// Sends all of `bytes` to socket `fd`; throws std::system_error naming `peer`.
void send_all(int fd, const std::string& bytes, const std::string& peer);

// The next line from socket `fd` up to `end` (not included), waiting for it;
// `buffer` keeps what came after it. Throws std::runtime_error naming `peer`
// when the connection ends first.
std::string receive_line(int fd, std::string& buffer, std::string_view end, const std::string& peer);

}  // namespace pdm::bench

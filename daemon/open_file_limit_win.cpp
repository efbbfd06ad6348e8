// SPDX-License-Identifier: Apache-2.0
#include "daemon/open_file_limit.hpp"

namespace pdm::daemon {

// Windows has no per-process limit to raise: a connection is a pipe HANDLE,
// and a process may hold about 2^24 of them.
std::size_t raise_open_file_limit() { return std::size_t{1} << 24; }

}  // namespace pdm::daemon

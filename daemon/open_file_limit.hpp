// SPDX-License-Identifier: Apache-2.0
#pragma once
// Every client connection costs the daemon one file descriptor. One file per
// platform (open_file_limit_posix.cpp).

#include <cstddef>

namespace pdm::daemon {

// Raises the soft limit on open files to the hard limit and returns the
// limit now in force.
std::size_t raise_open_file_limit();

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Standard output that passes bytes through unchanged, for `pdmctl cat`.
// POSIX has nothing to do (binary_output_posix.cpp); Windows' C runtime
// opens it in text mode, where every '\n' would leave as "\r\n" and a part
// file's bytes would be corrupted (binary_output_win.cpp).

namespace pdm::cli {

void make_standard_output_binary();

}  // namespace pdm::cli

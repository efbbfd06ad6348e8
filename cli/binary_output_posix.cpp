// SPDX-License-Identifier: Apache-2.0
#include "cli/binary_output.hpp"

namespace pdm::cli {

// A POSIX stream never translates line ends.
void make_standard_output_binary() {}

}  // namespace pdm::cli

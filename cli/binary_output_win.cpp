// SPDX-License-Identifier: Apache-2.0
#include "cli/binary_output.hpp"

#include <fcntl.h>
#include <io.h>

#include <cstdio>
#include <iostream>

namespace pdm::cli {

void make_standard_output_binary() {
    std::cout.flush();
    _setmode(_fileno(stdout), _O_BINARY);
}

}  // namespace pdm::cli

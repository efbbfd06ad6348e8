// SPDX-License-Identifier: Apache-2.0
#include "core/program_arguments.hpp"

namespace pdm {

std::vector<std::string> command_line_in_utf8(int argc, char** argv) { return {argv, argv + argc}; }

Utf8Console::Utf8Console() = default;
Utf8Console::~Utf8Console() = default;

}  // namespace pdm

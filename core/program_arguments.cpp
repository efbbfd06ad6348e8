// SPDX-License-Identifier: Apache-2.0
#include "core/program_arguments.hpp"

namespace pdm {

ProgramArguments::ProgramArguments(int argc, char** argv) : text_(command_line_in_utf8(argc, argv)) {
    for (std::string& argument : text_) values_.push_back(argument.data());
    values_.push_back(nullptr);
}

}  // namespace pdm
